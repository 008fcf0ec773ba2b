//! Module level: `.version`/`.target`/`.address_size`, variables, function signatures and directives, and the
//! resolution of calls once every function has been read (so a call may name a function defined later).

use std::collections::HashMap;

use super::body::{reg_decl_type, BodyCx, PendingCall, RawArg};
use super::cursor::Cursor;
use super::lexer::{Tok, Token};
use super::regs::RegScopes;
use super::var::{alignment, read_variable, Linkage};
use super::ReadError;
use crate::inst::{FuncId, InstKind, Operand, Var};
use crate::ir::{FuncKind, Function, Module, Param};
use crate::target::{PtxIsa, Target};
use crate::types::Type;

/// State of reading one module.
struct ModuleReader<'a, 'p> {
    p: &'p mut Cursor<'a>,
    module: Module,
    vars: HashMap<&'a str, Var>,
    funcs: HashMap<&'a str, FuncId>,
    /// Functions declared without a body (prototypes), for a better "not defined" message.
    declared: HashMap<&'a str, Token>,
    calls: Vec<(FuncId, PendingCall<'a>)>,
    version: Option<PtxIsa>,
    target: Option<(Token, Target)>,
    /// Registers of the functions read so far.
    total_regs: usize,
}

/// The most registers a module may declare in all (bounds memory on hostile input).
const MAX_MODULE_REGS: usize = 1 << 24;

/// Reads a whole module.
pub(crate) fn parse_module(p: &mut Cursor<'_>) -> Result<Module, ReadError> {
    let mut r = ModuleReader {
        p,
        module: Module::new(),
        vars: HashMap::new(),
        funcs: HashMap::new(),
        declared: HashMap::new(),
        calls: Vec::new(),
        version: None,
        target: None,
        total_regs: 0,
    };
    let mut linkage = Linkage::default();
    loop {
        let t = r.p.peek();
        if t.kind == Tok::Eof {
            break;
        }
        if t.kind != Tok::Dot {
            return Err(r.p.expected("a directive such as `.entry`"));
        }
        let word = r.p.text(t);
        match word {
            ".visible" | ".weak" | ".extern" | ".common" => {
                r.p.bump();
                linkage.first.get_or_insert(t);
                linkage.is_extern |= word == ".extern";
                continue;
            }
            ".entry" | ".func" => r.function(linkage)?,
            ".global" | ".shared" | ".const" => {
                read_variable(r.p, linkage, &mut r.module.vars, &mut r.vars)?;
            }
            _ if linkage.first.is_some() => {
                return Err(r
                    .p
                    .err(t, format!("expected `.entry`, `.func` or a variable after linkage, found `{word}`")))
            }
            ".version" => r.version()?,
            ".target" => r.target()?,
            ".address_size" => {
                r.p.bump();
                let (n, size) = r.p.u32_literal("the address size")?;
                if size != 64 {
                    return Err(r.p.err(n, "only `.address_size 64` is supported"));
                }
            }
            ".file" => r.p.skip_rest_of_line(t),
            ".pragma" => {
                r.p.bump();
                while r.p.peek().kind == Tok::Str {
                    r.p.bump();
                }
                r.p.expect_punct(b';')?;
            }
            ".local" | ".tex" | ".surf" | ".sampler" | ".texref" | ".samplerref" | ".surfref" | ".section"
            | ".alias" => return Err(r.p.err(t, format!("`{word}` is not supported"))),
            _ => return Err(r.p.err(t, format!("unexpected `{word}` at module level"))),
        }
        linkage = Linkage::default();
    }
    r.finish()
}

impl<'a> ModuleReader<'a, '_> {
    /// `.version M.m`.
    fn version(&mut self) -> Result<(), ReadError> {
        self.p.bump();
        let t = self.p.peek();
        let text = self.p.text(t);
        let parsed = (t.kind == Tok::Number)
            .then(|| text.split_once('.'))
            .flatten()
            .and_then(|(a, b)| Some(PtxIsa(a.parse().ok()?, b.parse().ok()?)));
        match parsed {
            Some(v) => {
                self.p.bump();
                self.version = Some(v);
                Ok(())
            }
            None => Err(self.p.expected("a version such as `7.0`")),
        }
    }

    /// `.target sm_XX{a}{, option…}`.
    fn target(&mut self) -> Result<(), ReadError> {
        let d = self.p.bump();
        if self.target.is_some() {
            return Err(self.p.err(d, "`.target` given twice"));
        }
        let (t, name) = self.p.expect_ident("a target such as `sm_80`")?;
        let Some(target) = Target::parse(name) else {
            return Err(self.p.err(t, format!("unsupported target `{name}`")));
        };
        while self.p.eat_punct(b',') {
            let (o, opt) = self.p.expect_ident("a target option")?;
            // `debug` only asks for debug information; the texture modes only matter to texture instructions,
            // which are not supported anyway.
            if !matches!(opt, "debug" | "texmode_unified" | "texmode_independent") {
                return Err(self.p.err(o, format!("unsupported target option `{opt}`")));
            }
        }
        self.target = Some((t, target));
        Ok(())
    }

    /// `.entry name(params) directives {body}` or `.func (rets) name(params) directives {body}`; either may be a
    /// declaration ending in `;` instead of a body.
    fn function(&mut self, _linkage: Linkage) -> Result<(), ReadError> {
        let kw = self.p.bump();
        let kind = if self.p.text(kw) == ".entry" { FuncKind::Kernel } else { FuncKind::Device };
        let mut rets = Vec::new();
        if kind == FuncKind::Device && self.p.eat_punct(b'(') {
            rets = self.reg_params()?;
        }
        let (name_tok, name) = self.p.expect_ident("a function name")?;
        let mut func = Function::new(name, kind);
        let mut regs = RegScopes::new();
        if self.p.eat_punct(b'(') {
            match kind {
                FuncKind::Kernel => self.kernel_params(&mut func)?,
                FuncKind::Device => {
                    for (t, pname, ty) in self.reg_params()? {
                        let reg = regs.declare(&mut func, pname, ty).map_err(|m| self.p.err(t, m))?;
                        func.params.push(Param { name: pname.to_string(), ty, reg: Some(reg) });
                    }
                }
            }
        }
        for (t, rname, ty) in rets {
            let reg = regs.declare(&mut func, rname, ty).map_err(|m| self.p.err(t, m))?;
            func.returns.push(reg);
        }
        self.directives(&mut func)?;
        if self.p.eat_punct(b';') {
            self.declared.entry(name).or_insert(name_tok);
            return Ok(());
        }
        if self.funcs.contains_key(name) {
            return Err(self.p.err(name_tok, format!("function `{name}` is defined twice")));
        }
        let index = self.module.functions.len();
        let calls = BodyCx::parse(self.p, &mut self.vars, &mut self.module.vars, &mut func, index, regs)?;
        self.total_regs += func.regs.len();
        if self.total_regs > MAX_MODULE_REGS {
            return Err(self.p.err(name_tok, format!("too many registers in the module (at most {MAX_MODULE_REGS})")));
        }
        let id = self.module.add_function(func);
        self.funcs.insert(name, id);
        self.calls.extend(calls.into_iter().map(|c| (id, c)));
        Ok(())
    }

    /// `.reg .ty name, …)` of a device function's results or parameters (the `(` already read).
    fn reg_params(&mut self) -> Result<Vec<(Token, &'a str, Type)>, ReadError> {
        let mut out = Vec::new();
        if self.p.eat_punct(b')') {
            return Ok(out);
        }
        loop {
            let t = self.p.peek();
            if self.p.is_dot(".param") {
                return Err(self.p.err(t, "`.param` parameters of device functions are not supported (use `.reg`)"));
            }
            if !self.p.eat_dot(".reg") {
                return Err(self.p.expected("`.reg`"));
            }
            let ty = reg_decl_type(self.p)?;
            let (t, name) = self.p.expect_ident("a parameter name")?;
            out.push((t, name, ty));
            if self.p.eat_punct(b')') {
                return Ok(out);
            }
            self.p.expect_punct(b',')?;
        }
    }

    /// `.param {.align N} .ty {.ptr {.space} {.align N}} name, …)` of a kernel (the `(` already read).
    fn kernel_params(&mut self, func: &mut Function) -> Result<(), ReadError> {
        if self.p.eat_punct(b')') {
            return Ok(());
        }
        loop {
            let t = self.p.peek();
            if self.p.is_dot(".reg") {
                return Err(self.p.err(t, "kernel parameters must be `.param`"));
            }
            if !self.p.eat_dot(".param") {
                return Err(self.p.expected("`.param`"));
            }
            let mut ty = None;
            // Attributes only help ptxas optimise (`.ptr .global .align 16`); the parameter is its type.
            while self.p.peek().kind == Tok::Dot {
                let a = self.p.bump();
                match self.p.text(a) {
                    ".align" => {
                        alignment(self.p)?;
                    }
                    ".ptr" | ".global" | ".shared" | ".const" | ".local" => {}
                    text => match Type::from_name(&text[1..]) {
                        Some(t) if ty.is_none() => ty = Some(t),
                        _ => return Err(self.p.err(a, format!("unsupported parameter attribute `{text}`"))),
                    },
                }
            }
            let Some(ty) = ty else {
                return Err(self.p.expected("the parameter's type such as `.u64`"));
            };
            let (_, name) = self.p.expect_ident("a parameter name")?;
            if self.p.is_punct(b'[') {
                return Err(self.p.err(self.p.peek(), "array (by-value struct) parameters are not supported"));
            }
            if func.params.iter().any(|p| p.name == name) {
                return Err(self.p.err(t, format!("parameter `{name}` is declared twice")));
            }
            func.params.push(Param { name: name.to_string(), ty, reg: None });
            if self.p.eat_punct(b')') {
                return Ok(());
            }
            self.p.expect_punct(b',')?;
        }
    }

    /// Performance directives between the signature and the body.
    fn directives(&mut self, func: &mut Function) -> Result<(), ReadError> {
        while self.p.peek().kind == Tok::Dot {
            let d = self.p.bump();
            let word = self.p.text(d);
            if func.kind == FuncKind::Device && matches!(word, ".maxntid" | ".reqntid" | ".minnctapersm" | ".maxnreg") {
                return Err(self.p.err(d, format!("`{word}` applies to kernels (`.entry`) only")));
            }
            match word {
                ".maxntid" => {
                    let (x, y, z) = self.dims()?;
                    // The IR keeps the product: ptxas and the driver only limit the block's total thread count.
                    let n = x.checked_mul(y).and_then(|n| n.checked_mul(z));
                    func.attrs.max_threads = Some(n.ok_or_else(|| self.p.err(d, "`.maxntid` product overflows"))?);
                }
                ".reqntid" => func.attrs.required_threads = Some(self.dims()?),
                ".minnctapersm" => func.attrs.min_blocks_per_sm = Some(self.p.u32_literal("`.minnctapersm`")?.1),
                ".maxnreg" => func.attrs.max_registers = Some(self.p.u32_literal("`.maxnreg`")?.1),
                ".noreturn" => {}
                ".pragma" => {
                    while self.p.peek().kind == Tok::Str {
                        self.p.bump();
                    }
                    self.p.expect_punct(b';')?;
                }
                other => return Err(self.p.err(d, format!("unsupported function directive `{other}`"))),
            }
        }
        Ok(())
    }

    /// `X{, Y{, Z}}` (missing dimensions are 1).
    fn dims(&mut self) -> Result<(u32, u32, u32), ReadError> {
        let x = self.p.u32_literal("a thread count")?.1;
        let y = if self.p.eat_punct(b',') { self.p.u32_literal("a thread count")?.1 } else { 1 };
        let z = if self.p.eat_punct(b',') { self.p.u32_literal("a thread count")?.1 } else { 1 };
        Ok((x, y, z))
    }

    /// Sets the target and resolves every call.
    fn finish(mut self) -> Result<Module, ReadError> {
        self.module.target = match self.target {
            Some((_, mut t)) => {
                if let Some(v) = self.version {
                    t.ptx_isa = v;
                }
                Some(t)
            }
            None => None,
        };
        for (caller, call) in std::mem::take(&mut self.calls) {
            let kind = self.resolve_call(&call)?;
            self.module.functions[caller].insts[call.inst].kind = kind;
        }
        Ok(self.module)
    }

    fn resolve_call(&self, call: &PendingCall<'a>) -> Result<InstKind, ReadError> {
        let name = call.callee;
        let Some(&func) = self.funcs.get(name) else {
            let why = if self.declared.contains_key(name) {
                format!("function `{name}` is declared but not defined (extern functions are not supported)")
            } else {
                format!("undefined function `{name}`")
            };
            return Err(self.p.err(call.callee_tok, why));
        };
        let callee = &self.module.functions[func];
        if callee.kind == FuncKind::Kernel {
            return Err(self.p.err(call.callee_tok, format!("`{name}` is a kernel and cannot be called")));
        }
        if call.args.len() != callee.params.len() || call.rets.len() != callee.returns.len() {
            return Err(self.p.err(
                call.callee_tok,
                format!(
                    "call to `{name}` with {} result(s) and {} argument(s); `{name}` has {} and {}",
                    call.rets.len(),
                    call.args.len(),
                    callee.returns.len(),
                    callee.params.len()
                ),
            ));
        }
        let mut args = Vec::with_capacity(call.args.len());
        for ((t, arg), param) in call.args.iter().zip(&callee.params) {
            args.push(match arg {
                RawArg::Reg(r) => Operand::Reg(*r),
                RawArg::Lit(lit) => Operand::Imm(lit.to_imm(param.ty).map_err(|m| self.p.err(*t, m))?),
            });
        }
        Ok(InstKind::Call { func, rets: call.rets.clone(), args })
    }
}
