//! Operand syntax: registers, immediates, addresses, vectors, special registers.

use super::body::{BodyCx, RawArg};
use super::lexer::{Tok, Token};
use super::ReadError;
use crate::inst::{AddrBase, Address, Dim, Operand, Reg, SpecialReg};
use crate::ir::FuncKind;
use crate::types::Type;

/// Special registers PTX has and the IR does not (named so that the error says "unsupported", not "undeclared").
const UNSUPPORTED_SPECIAL: &[&str] = &[
    "%lanemask_eq", "%lanemask_le", "%lanemask_gt", "%lanemask_ge", "%gridid", "%globaltimer_lo", "%globaltimer_hi",
    "%total_smem_size", "%aggr_smem_size", "%clusterid", "%nclusterid", "%cluster_ctaid", "%cluster_nctaid",
    "%cluster_ctarank", "%cluster_nctarank", "%is_explicit_cluster", "%current_graph_exec",
];

impl<'a> BodyCx<'a, '_> {
    /// `,`.
    pub fn comma(&mut self) -> Result<(), ReadError> {
        self.p.expect_punct(b',').map(drop)
    }

    /// The `;` ending an instruction.
    pub fn end(&mut self) -> Result<(), ReadError> {
        self.p.expect_punct(b';').map(drop)
    }

    /// A register name.
    pub fn reg(&mut self) -> Result<Reg, ReadError> {
        let t = self.p.peek();
        if t.kind != Tok::Ident {
            return Err(self.p.expected("a register"));
        }
        let name = self.p.text(t);
        match self.regs.lookup(self.func, name) {
            Some(r) => {
                self.p.bump();
                Ok(r)
            }
            None => Err(self.p.err(t, self.not_a_register(name))),
        }
    }

    /// Why `name` is not a register, for the error message.
    fn not_a_register(&self, name: &str) -> String {
        if is_special_name(name) {
            format!("special register `{name}` can only be the source of `mov`")
        } else if self.vars.contains_key(name) {
            format!("`{name}` is a variable, not a register")
        } else if self.param_index(name).is_some() {
            format!("`{name}` is a kernel parameter, not a register (read it with `ld.param`)")
        } else {
            format!("undeclared register `{name}`")
        }
    }

    /// The index of the kernel parameter called `name`.
    pub fn param_index(&self, name: &str) -> Option<u32> {
        if self.func.kind != FuncKind::Kernel {
            return None;
        }
        self.func.params.iter().position(|p| p.name == name).map(|i| i as u32)
    }

    /// A register or an immediate of type `ty`.
    pub fn operand(&mut self, ty: Type) -> Result<Operand, ReadError> {
        match self.p.peek().kind {
            Tok::Ident => self.reg().map(Operand::Reg),
            Tok::Number | Tok::Punct(b'-') => {
                let (t, lit) = self.p.literal()?;
                lit.to_imm(ty).map(Operand::Imm).map_err(|m| self.p.err(t, m))
            }
            _ => Err(self.p.expected("a register or an immediate")),
        }
    }

    /// A call argument: a register or a literal typed later.
    pub fn raw_arg(&mut self) -> Result<(Token, RawArg), ReadError> {
        let t = self.p.peek();
        match t.kind {
            Tok::Ident => Ok((t, RawArg::Reg(self.reg()?))),
            Tok::Number | Tok::Punct(b'-') => {
                let (t, lit) = self.p.literal()?;
                Ok((t, RawArg::Lit(lit)))
            }
            _ => Err(self.p.expected("a register or an immediate")),
        }
    }

    /// One register, or `{r1, …, rn}` when `n > 1`.
    pub fn regs(&mut self, n: usize) -> Result<Vec<Reg>, ReadError> {
        if n == 1 {
            return Ok(vec![self.reg()?]);
        }
        self.p.expect_punct(b'{')?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 {
                self.comma()?;
            }
            out.push(self.reg()?);
        }
        self.p.expect_punct(b'}')?;
        Ok(out)
    }

    /// One operand of type `ty`, or `{o1, …, on}` when `n > 1`.
    pub fn operands(&mut self, ty: Type, n: usize) -> Result<Vec<Operand>, ReadError> {
        if n == 1 {
            return Ok(vec![self.operand(ty)?]);
        }
        self.p.expect_punct(b'{')?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 {
                self.comma()?;
            }
            out.push(self.operand(ty)?);
        }
        self.p.expect_punct(b'}')?;
        Ok(out)
    }

    /// `[base]`, `[base+imm]`, `[base+-imm]`, `[base-imm]`; the base is a register, a kernel parameter or a module
    /// variable, looked up in that order.
    pub fn address(&mut self) -> Result<Address, ReadError> {
        self.p.expect_punct(b'[')?;
        let t = self.p.peek();
        if t.kind != Tok::Ident {
            let what = if t.kind == Tok::Number { "absolute addresses are not supported" } else { "" };
            return Err(if what.is_empty() { self.p.expected("an address base") } else { self.p.err(t, what) });
        }
        let name = self.p.text(t);
        let base = if let Some(r) = self.regs.lookup(self.func, name) {
            AddrBase::Reg(r)
        } else if let Some(i) = self.param_index(name) {
            AddrBase::Param(i)
        } else if let Some(&v) = self.vars.get(name) {
            AddrBase::Var(v)
        } else {
            return Err(self.p.err(t, format!("undeclared register, parameter or variable `{name}`")));
        };
        self.p.bump();
        let mut offset = 0i64;
        if self.p.is_punct(b'+') || self.p.is_punct(b'-') {
            // `+-16` and `-16` both subtract; `literal` reads the `-`.
            self.p.eat_punct(b'+');
            let (t, lit) = self.p.literal()?;
            offset = lit
                .as_i64()
                .ok_or_else(|| self.p.err(t, "an address offset must be an integer that fits in 64 bits"))?;
        }
        self.p.expect_punct(b']')?;
        Ok(Address { base, offset })
    }

    /// A special register (`%tid.x`, `%laneid`, …) if one is next; `Ok(None)` leaves the cursor unchanged.
    pub fn special(&mut self) -> Result<Option<SpecialReg>, ReadError> {
        let t = self.p.peek();
        if t.kind != Tok::Ident {
            return Ok(None);
        }
        let name = self.p.text(t);
        if UNSUPPORTED_SPECIAL.contains(&name) {
            return Err(self.p.err(t, format!("unsupported special register `{name}`")));
        }
        if let Some(&(_, sreg)) = SIMPLE_SPECIAL.iter().find(|(n, _)| *n == name) {
            self.p.bump();
            return Ok(Some(sreg));
        }
        if !special_base(name) {
            return Ok(None);
        }
        self.p.bump();
        let d = self.p.peek();
        let dim = match (d.kind, self.p.text(d)) {
            (Tok::Dot, ".x") => Dim::X,
            (Tok::Dot, ".y") => Dim::Y,
            (Tok::Dot, ".z") => Dim::Z,
            _ => return Err(self.p.expected(&format!("`.x`, `.y` or `.z` after `{name}`"))),
        };
        self.p.bump();
        Ok(Some(match name {
            "%tid" => SpecialReg::Tid(dim),
            "%ntid" => SpecialReg::Ntid(dim),
            "%ctaid" => SpecialReg::Ctaid(dim),
            _ => SpecialReg::Nctaid(dim),
        }))
    }
}

/// The special registers without a dimension.
const SIMPLE_SPECIAL: &[(&str, SpecialReg)] = &[
    ("%laneid", SpecialReg::LaneId),
    ("%warpid", SpecialReg::WarpId),
    ("%nwarpid", SpecialReg::NWarpId),
    ("%smid", SpecialReg::SmId),
    ("%nsmid", SpecialReg::NSmId),
    ("%lanemask_lt", SpecialReg::LanemaskLt),
    ("%clock", SpecialReg::Clock),
    ("%clock64", SpecialReg::Clock64),
    ("%globaltimer", SpecialReg::GlobalTimer),
    ("%dynamic_smem_size", SpecialReg::DynamicSmemSize),
];

/// Whether `name` is a special register's name (supported or not).
fn is_special_name(name: &str) -> bool {
    special_base(name) || SIMPLE_SPECIAL.iter().any(|(n, _)| *n == name) || UNSUPPORTED_SPECIAL.contains(&name)
}

/// The special registers that take a `.x`/`.y`/`.z`.
fn special_base(name: &str) -> bool {
    matches!(name, "%tid" | "%ntid" | "%ctaid" | "%nctaid")
}
