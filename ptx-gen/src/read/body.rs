//! Function bodies: the statement loop (declarations, scopes, labels, guards, instructions).
//!
//! The instruction table itself is in `inst.rs`, operand syntax in `operand.rs`, block construction in `cfg.rs`.

use std::collections::HashMap;

use super::cfg::{CfgBuilder, CfgError};
use super::cursor::Cursor;
use super::inst::Stmt;
use super::lexer::{Tok, Token};
use super::lit::Lit;
use super::regs::RegScopes;
use super::var::{read_variable, Linkage};
use super::ReadError;
use crate::entity::EntityVec;
use crate::inst::{Inst, InstKind, Reg, SrcLoc, Var};
use crate::ir::{Function, InstData, VarData};
use crate::types::Type;

/// A call argument before the callee's parameter types are known.
pub(crate) enum RawArg {
    Reg(Reg),
    /// An immediate, typed once the callee is resolved.
    Lit(Lit),
}

/// A `call` whose callee is resolved after every function of the module has been read.
pub(crate) struct PendingCall<'a> {
    /// The placeholder instruction to replace.
    pub inst: Inst,
    pub callee: &'a str,
    pub callee_tok: Token,
    pub rets: Vec<Reg>,
    pub args: Vec<(Token, RawArg)>,
}

/// Everything the body of one function is read with.
pub(crate) struct BodyCx<'a, 'p> {
    pub p: &'p mut Cursor<'a>,
    /// Module variables declared so far, by name (function-scope declarations are added here too).
    pub vars: &'p mut HashMap<&'a str, Var>,
    /// The module's variables, to which function-scope declarations are hoisted.
    pub var_data: &'p mut EntityVec<Var, VarData>,
    pub func: &'p mut Function,
    pub regs: RegScopes<'a>,
    pub cfg: CfgBuilder<'a>,
    pub calls: Vec<PendingCall<'a>>,
}

impl<'a, 'p> BodyCx<'a, 'p> {
    /// Reads the body of `func`, the module's function number `func_index` (the cursor is on its `{`); `regs` holds
    /// the parameter registers.
    pub fn parse(
        p: &'p mut Cursor<'a>,
        vars: &'p mut HashMap<&'a str, Var>,
        var_data: &'p mut EntityVec<Var, VarData>,
        func: &'p mut Function,
        func_index: usize,
        regs: RegScopes<'a>,
    ) -> Result<Vec<PendingCall<'a>>, ReadError> {
        let mut cx = BodyCx { p, vars, var_data, func, regs, cfg: CfgBuilder::new(func_index), calls: Vec::new() };
        cx.p.expect_punct(b'{')?;
        cx.statements()?;
        let BodyCx { p, func, cfg, calls, .. } = cx;
        cfg.finish(func).map_err(|e| cfg_error(p, e))?;
        Ok(calls)
    }

    /// Statements up to the `}` closing the body.
    fn statements(&mut self) -> Result<(), ReadError> {
        // Nested `{ … }` scopes are tracked by a depth counter and the register scope stack, not by recursion,
        // so that no input nests deeply enough to exhaust the stack.
        let mut depth = 1usize;
        loop {
            let t = self.p.peek();
            match t.kind {
                Tok::Punct(b'}') => {
                    self.p.bump();
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                    self.regs.pop();
                }
                Tok::Punct(b'{') => {
                    self.p.bump();
                    depth += 1;
                    self.regs.push();
                }
                Tok::Eof => return Err(self.p.err(t, "unexpected end of input: the function body has no closing `}`")),
                Tok::Dot => self.directive(t)?,
                Tok::Ident if self.p.peek_at(1).kind == Tok::Punct(b':') => {
                    let name = self.p.text(t);
                    self.p.bump();
                    self.p.bump();
                    self.cfg.define_label(name, t).map_err(|e| cfg_error(self.p, e))?;
                }
                Tok::Punct(b'@') => self.guarded()?,
                Tok::Ident => self.instruction()?,
                _ => return Err(self.p.expected("an instruction, a label or a declaration")),
            }
        }
    }

    /// A directive statement: `.reg`, or one that is skipped (`.loc`, `.pragma`), or one not supported.
    fn directive(&mut self, t: Token) -> Result<(), ReadError> {
        match self.p.text(t) {
            ".reg" => self.reg_decl(),
            // Debug line information: line-based, no `;`.
            ".loc" | ".file" => {
                self.p.skip_rest_of_line(t);
                Ok(())
            }
            ".pragma" => {
                self.p.bump();
                while self.p.peek().kind == Tok::Str {
                    self.p.bump();
                    if !self.p.eat_punct(b',') {
                        break;
                    }
                }
                self.p.expect_punct(b';').map(drop)
            }
            // A function-scope variable is hoisted to the module: its storage is per-CTA (`.shared`) or per-module
            // anyway; only its name's scope widens (to the rest of the module), which can only accept more text.
            ".shared" | ".global" | ".const" => {
                read_variable(self.p, Linkage::default(), self.var_data, self.vars)?;
                Ok(())
            }
            d @ (".local" | ".param") => {
                Err(self.p.err(t, format!("`{d}` declarations inside a function body are not supported")))
            }
            d => Err(self.p.err(t, format!("unexpected `{d}` in a function body"))),
        }
    }

    /// `.reg .ty name<N>, name, …;`
    fn reg_decl(&mut self) -> Result<(), ReadError> {
        self.p.bump();
        let ty = reg_decl_type(self.p)?;
        loop {
            let (t, name) = self.p.expect_ident("a register name")?;
            if self.p.eat_punct(b'<') {
                let (_, count) = self.p.u32_literal("a register count")?;
                self.p.expect_punct(b'>')?;
                self.regs.declare_range(self.func, name, count, ty).map_err(|m| self.p.err(t, m))?;
            } else {
                self.regs.declare(self.func, name, ty).map_err(|m| self.p.err(t, m))?;
            }
            if !self.p.eat_punct(b',') {
                break;
            }
        }
        self.p.expect_punct(b';').map(drop)
    }

    /// `@p bra L;` / `@!p bra L;` (the only predicated instruction supported).
    fn guarded(&mut self) -> Result<(), ReadError> {
        let at = self.p.bump();
        let negate = self.p.eat_punct(b'!');
        let cond = self.reg()?;
        let op = self.p.peek();
        let is_bra = op.kind == Tok::Ident && self.p.text(op) == "bra";
        if !is_bra {
            return Err(self.p.err(at, "predicated instructions other than bra are not supported"));
        }
        match self.parse_stmt()? {
            Stmt::Bra { target, tok } => {
                let then_dest = self.cfg.label_ref(target, tok);
                self.cfg.cond_branch(cond, negate, then_dest);
                Ok(())
            }
            // `parse_stmt` on `bra` yields only `Stmt::Bra`.
            _ => Err(self.p.err(at, "predicated instructions other than bra are not supported")),
        }
    }

    /// One unguarded instruction.
    fn instruction(&mut self) -> Result<(), ReadError> {
        match self.parse_stmt()? {
            Stmt::Inst(kind) => {
                self.push(kind);
            }
            Stmt::Insts(kinds) => {
                for kind in kinds {
                    self.push(kind);
                }
            }
            Stmt::Call { rets, callee, callee_tok, args } => {
                // A placeholder until the callee is resolved; its `func` is replaced by `resolve_calls`.
                let kind = InstKind::Call { func: crate::inst::FuncId(u32::MAX), rets: rets.clone(), args: Vec::new() };
                let inst = self.push(kind);
                self.calls.push(PendingCall { inst, callee, callee_tok, rets, args });
            }
            Stmt::Bra { target, tok } => {
                let dest = self.cfg.label_ref(target, tok);
                self.cfg.jump(dest);
            }
            Stmt::Ret => self.cfg.ret(),
            Stmt::Trap => self.cfg.trap(),
        }
        Ok(())
    }

    fn push(&mut self, kind: InstKind) -> Inst {
        let inst = self.func.insts.push(InstData { kind, loc: SrcLoc::NONE });
        self.cfg.push_inst(inst);
        inst
    }
}

/// The `.ty` of a `.reg` declaration (a body's `.reg` or a device function's register parameter).
pub(crate) fn reg_decl_type(p: &mut Cursor<'_>) -> Result<Type, ReadError> {
    let t = p.peek();
    if t.kind == Tok::Dot {
        let text = p.text(t);
        if matches!(text, ".v2" | ".v4" | ".v8") {
            return Err(p.err(t, format!("vector registers (`{text}`) are not supported")));
        }
        if let Some(ty) = Type::from_name(&text[1..]) {
            p.bump();
            return Ok(ty);
        }
    }
    Err(p.expected("a register type such as `.b32`"))
}

fn cfg_error(p: &Cursor<'_>, e: CfgError) -> ReadError {
    p.err(e.tok, e.message)
}
