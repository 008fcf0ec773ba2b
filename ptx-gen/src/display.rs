//! The readable textual form of the IR, used by snapshots and verifier messages.
//!
//! ```text
//! kernel saxpy(a: f32, x: u64, y: u64) maxntid 256 {
//! block0:
//!   v0:f32 = ld.param.f32 [param0]
//!   v3:u32 = mov.u32 %tid.x
//!   v4:pred = setp.ge.u32 v3, 1024
//!   br v4, block2, block1
//! block1:
//!   v5:f32 = add.rn.f32 v0, 1.5  ; loc 7
//!   jump block2
//! block2:
//!   ret
//! }
//! ```
//!
//! - Instructions read like PTX (`opcode.modifiers.type operands`) with the destinations on the left, each with its
//!   register type (`v3:f32`); uses are plain register names.
//! - Immediates print by the type the operand has in that instruction: `.sN` signed decimal, `.uN` unsigned decimal,
//!   `.bN`, `.f16`/`.bf16` and packed types hexadecimal (`0xFF`), predicates `true`/`false`, `.f32`/`.f64` as the
//!   shortest decimal that reads back to the same bits (`1.5`, `-0.0`, `inf`) and NaNs as exact hex (`0f7FC00000`).
//!   An immediate that does not fit its type prints as raw hex so that the verifier's messages show the real bits.
//! - Terminators: `jump block2`, `br v4, block2, block3` (`br !v4, …` when negated), `ret`, `trap`.
//! - A source location, when present, follows as `  ; loc N`.
//! - Blocks print in layout order; variables as `var0`, functions as `fn0`, kernel parameters as `param0` (the
//!   module's own display names each of them in its header line).
//!
//! The form is deterministic and total: a malformed function (missing registers, blocks, instructions or
//! terminators) still prints, with `?` or `<missing …>` where the data is absent.

use std::fmt::{self, Write};

use crate::inst::*;
use crate::ir::{FuncKind, Function, Module, VarData};
use crate::types::{StateSpace, Type};

/// Displays a [`Function`] (see the module doc for the form). Made by [`Function::display`].
pub struct FunctionDisplay<'a> {
    func: &'a Function,
}

impl Function {
    /// The function in the textual IR form.
    pub fn display(&self) -> FunctionDisplay<'_> {
        FunctionDisplay { func: self }
    }
}

/// One instruction of `func` in the textual form, without indentation or location (`v3:f32 = add.rn.f32 v1, v2`).
pub fn inst_display(func: &Function, inst: Inst) -> String {
    match func.insts.get(inst) {
        Some(data) => inst_kind_display(func, &data.kind),
        None => format!("<missing {inst}>"),
    }
}

/// An instruction body of `func` in the textual form (registers are looked up in `func` for their types).
pub fn inst_kind_display(func: &Function, kind: &InstKind) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = Printer { func, out: &mut s }.inst(kind);
    s
}

/// A terminator in the textual form (`br v4, block2, block3`).
pub fn term_display(term: &Terminator) -> String {
    match term {
        Terminator::Jump(b) => format!("jump {b}"),
        Terminator::Branch { cond, negate, then_dest, else_dest } => {
            format!("br {}{cond}, {then_dest}, {else_dest}", if *negate { "!" } else { "" })
        }
        Terminator::Return => "ret".into(),
        Terminator::Trap => "trap".into(),
    }
}

/// An immediate as the value of `ty` (`None`: type unknown, printed as hex).
pub fn imm_display(imm: Imm, ty: Option<Type>) -> String {
    let Some(ty) = ty else { return format!("0x{:X}", imm.0) };
    if truncate(imm.0, ty.bits()) != imm.0 {
        return format!("0x{:X}", imm.0);
    }
    match ty {
        Type::Pred => (if imm.0 == 0 { "false" } else { "true" }).into(),
        t if t.is_signed() => imm.as_i64(t).to_string(),
        t if t.is_unsigned() => imm.0.to_string(),
        Type::F32 => {
            let v = f32::from_bits(imm.0 as u32);
            if v.is_nan() {
                format!("0f{:08X}", imm.0)
            } else {
                format!("{v:?}")
            }
        }
        Type::F64 => {
            let v = f64::from_bits(imm.0);
            if v.is_nan() {
                format!("0d{:016X}", imm.0)
            } else {
                format!("{v:?}")
            }
        }
        _ => format!("0x{:X}", imm.0),
    }
}

/// The textual form of a memory order prefix (`.relaxed.gpu`), empty for weak.
fn order_name(order: MemOrder) -> String {
    match order {
        MemOrder::Weak => String::new(),
        MemOrder::Volatile => ".volatile".into(),
        MemOrder::Relaxed(s) => format!(".relaxed.{}", s.name()),
        MemOrder::Acquire(s) => format!(".acquire.{}", s.name()),
        MemOrder::Release(s) => format!(".release.{}", s.name()),
        MemOrder::AcqRel(s) => format!(".acq_rel.{}", s.name()),
    }
}

fn space_suffix(space: StateSpace) -> String {
    if space == StateSpace::Generic {
        String::new()
    } else {
        format!(".{}", space.name())
    }
}

fn vec_suffix(vec: VecWidth) -> &'static str {
    match vec {
        VecWidth::Scalar => "",
        VecWidth::V2 => ".v2",
        VecWidth::V4 => ".v4",
    }
}

fn dot(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(".{name}")
    }
}

struct Printer<'a, 'w> {
    func: &'a Function,
    out: &'w mut String,
}

impl Printer<'_, '_> {
    fn def(&mut self, r: Reg) -> fmt::Result {
        match self.func.reg_type(r) {
            Some(t) => write!(self.out, "{r}:{t}"),
            None => write!(self.out, "{r}:?"),
        }
    }

    fn defs(&mut self, regs: &[Reg]) -> fmt::Result {
        if regs.is_empty() {
            return Ok(());
        }
        for (i, &r) in regs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.def(r)?;
        }
        self.out.push_str(" = ");
        Ok(())
    }

    fn op(&mut self, o: Operand, ty: Option<Type>) -> fmt::Result {
        match o {
            Operand::Reg(r) => write!(self.out, "{r}"),
            Operand::Imm(i) => self.out.write_str(&imm_display(i, ty)),
        }
    }

    /// Operands separated by `, `, each with its type.
    fn ops(&mut self, ops: &[(Operand, Option<Type>)]) -> fmt::Result {
        for (i, &(o, t)) in ops.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.op(o, t)?;
        }
        Ok(())
    }

    /// The writer's spelling of the opcode and its modifiers, or the bare mnemonic where PTX has none.
    fn opcode(&self, kind: &InstKind) -> String {
        let mut s = String::new();
        match crate::write::put_opcode(&mut s, kind) {
            Ok(()) => s,
            Err(_) => kind.mnemonic().to_string(),
        }
    }

    /// `{v1, v2}`.
    fn reg_list(&mut self, regs: &[Reg]) -> fmt::Result {
        self.out.push('{');
        for (i, r) in regs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            write!(self.out, "{r}")?;
        }
        self.out.push('}');
        Ok(())
    }

    fn addr(&mut self, a: &Address) -> fmt::Result {
        self.out.push('[');
        match a.base {
            AddrBase::Reg(r) => write!(self.out, "{r}")?,
            AddrBase::Var(v) => write!(self.out, "{v}")?,
            AddrBase::Param(i) => write!(self.out, "param{i}")?,
        }
        match a.offset {
            0 => {}
            o if o > 0 => write!(self.out, "+{o}")?,
            o => write!(self.out, "{o}")?,
        }
        self.out.push(']');
        Ok(())
    }

    fn inst(&mut self, kind: &InstKind) -> fmt::Result {
        use InstKind::*;
        self.defs(&kind.defs())?;
        let u32t = Some(Type::U32);
        let m = kind.mnemonic();
        match kind {
            Mov { ty, src, .. } => {
                write!(self.out, "{m}.{ty} ")?;
                self.op(*src, Some(*ty))
            }
            ReadSpecial { sreg, .. } => write!(self.out, "{m}.{} {}", sreg.ty(), sreg.name()),
            AddrOf { var, .. } => write!(self.out, "{m}.u64 {var}"),
            Unary { mode, ty, src, .. } => {
                write!(self.out, "{m}{}.{ty} ", dot(mode.name()))?;
                self.op(*src, Some(*ty))
            }
            Binary { op, mode, ty, a, b, .. } => {
                write!(self.out, "{m}{}.{ty} ", dot(mode.name()))?;
                let bt = if matches!(op, BinOp::Shl | BinOp::Shr) { u32t } else { Some(*ty) };
                self.ops(&[(*a, Some(*ty)), (*b, bt)])
            }
            Ternary { op, mode, ty, a, b, c, .. } => {
                write!(self.out, "{m}{}.{ty} ", dot(mode.name()))?;
                let (bt, ct) = match (op, mode) {
                    (TernOp::Bfe, _) => (u32t, u32t),
                    (TernOp::Mad, Mode::Wide) => (Some(*ty), Some(ty.widened().unwrap_or(*ty))),
                    _ => (Some(*ty), Some(*ty)),
                };
                self.ops(&[(*a, Some(*ty)), (*b, bt), (*c, ct)])
            }
            Bfi { ty, f, b, pos, len, .. } => {
                write!(self.out, "{m}.{ty} ")?;
                self.ops(&[(*f, Some(*ty)), (*b, Some(*ty)), (*pos, u32t), (*len, u32t)])
            }
            Setp { cmp, ty, a, b, .. } => {
                write!(self.out, "{m}.{}.{ty} ", cmp.name())?;
                self.ops(&[(*a, Some(*ty)), (*b, Some(*ty))])
            }
            Selp { ty, a, b, cond, .. } => {
                write!(self.out, "{m}.{ty} ")?;
                self.ops(&[(*a, Some(*ty)), (*b, Some(*ty)), (Operand::Reg(*cond), None)])
            }
            Cvt { mode, sat, dst_ty, src_ty, src, .. } => {
                let sat = if *sat { ".sat" } else { "" };
                write!(self.out, "{m}{}{sat}.{dst_ty}.{src_ty} ", dot(mode.name()))?;
                self.op(*src, Some(*src_ty))
            }
            Cvta { space, src, .. } => write!(self.out, "{m}{}.u64 {src}", space_suffix(*space)),
            Ld { access, addr, .. } => {
                write!(
                    self.out,
                    "{m}{}{}{}{}{}{}{}.{} ",
                    order_name(access.order),
                    space_suffix(access.space),
                    dot(access.cache.name()),
                    if access.nc { ".nc" } else { "" },
                    dot(access.eviction.name()),
                    dot(access.prefetch.name()),
                    vec_suffix(access.vec),
                    access.ty
                )?;
                self.addr(addr)
            }
            St { access, addr, srcs } => {
                write!(
                    self.out,
                    "{m}{}{}{}{}{}{}.{} ",
                    order_name(access.order),
                    space_suffix(access.space),
                    dot(access.cache.name()),
                    if access.nc { ".nc" } else { "" },
                    dot(access.eviction.name()),
                    vec_suffix(access.vec),
                    access.ty
                )?;
                self.addr(addr)?;
                for &s in srcs {
                    self.out.push_str(", ");
                    self.op(s, Some(access.ty))?;
                }
                Ok(())
            }
            Atom { op, space, order, scope, ty, addr, src, cmp, .. } => {
                // A scoped order names the scope itself (`.relaxed.gpu`); a weak atomic may name one alone.
                let scope = match order {
                    MemOrder::Weak | MemOrder::Volatile => scope.map(|s| format!(".{}", s.name())).unwrap_or_default(),
                    _ => String::new(),
                };
                write!(self.out, "{m}{}{scope}{}.{}.{ty} ", order_name(*order), space_suffix(*space), op.name())?;
                self.addr(addr)?;
                if let Some(c) = cmp {
                    self.out.push_str(", ");
                    self.op(*c, Some(*ty))?;
                }
                self.out.push_str(", ");
                self.op(*src, Some(*ty))
            }
            Bar { id, count, .. } => {
                write!(self.out, "{m} ")?;
                self.op(*id, u32t)?;
                if let Some(c) = count {
                    self.out.push_str(", ");
                    self.op(*c, u32t)?;
                }
                Ok(())
            }
            WarpSync { mask } => {
                write!(self.out, "{m} ")?;
                self.op(*mask, Some(Type::B32))
            }
            Fence { kind, scope } => match kind {
                FenceKind::Membar => {
                    let s = match scope {
                        Scope::Cta => "cta",
                        Scope::Gpu => "gl",
                        Scope::Sys => "sys",
                    };
                    write!(self.out, "{m}.{s}")
                }
                FenceKind::AcqRel | FenceKind::Sc => write!(self.out, "{m}.{}", scope.name()),
            },
            Shfl { mode, src, lane, clamp, mask, .. } => {
                write!(self.out, "{m}.{}.b32 ", mode.name())?;
                self.ops(&[(*src, Some(Type::B32)), (*lane, u32t), (*clamp, u32t), (*mask, Some(Type::B32))])
            }
            Vote { mode, src, negate, mask, .. } => {
                let ty = if *mode == VoteMode::Ballot { "b32" } else { "pred" };
                write!(self.out, "{m}.{}.{ty} {}{src}, ", mode.name(), if *negate { "!" } else { "" })?;
                self.op(*mask, Some(Type::B32))
            }
            ActiveMask { .. } => write!(self.out, "{m}.b32"),
            Call { func, args, .. } => {
                write!(self.out, "call {func}(")?;
                let args: Vec<_> = args.iter().map(|&a| (a, None)).collect();
                self.ops(&args)?;
                self.out.push(')');
                Ok(())
            }
            Asm { text, inputs, .. } => {
                write!(self.out, "asm {text:?} (")?;
                let ins: Vec<_> = inputs.iter().map(|&a| (a, None)).collect();
                self.ops(&ins)?;
                self.out.push(')');
                Ok(())
            }
            // The newer families print the writer's opcode spelling, then their sources.
            CvtPack { src_fmt, srcs, .. } => {
                write!(self.out, "{} ", self.opcode(kind))?;
                let ops: Vec<_> = srcs.iter().map(|&a| (a, Some(src_fmt.reg_type()))).collect();
                self.ops(&ops)
            }
            Mma { a, b, c, .. } => {
                write!(self.out, "{} ", self.opcode(kind))?;
                for (i, list) in [a, b, c].into_iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.reg_list(list)?;
                }
                Ok(())
            }
            LdMatrix { addr, .. } => {
                write!(self.out, "{} ", self.opcode(kind))?;
                self.addr(addr)
            }
            StMatrix { addr, srcs, .. } => {
                write!(self.out, "{} ", self.opcode(kind))?;
                self.addr(addr)?;
                self.out.push_str(", ");
                self.reg_list(srcs)
            }
            CpAsync { bytes, dst, src, src_size, .. } => {
                write!(self.out, "{} ", self.opcode(kind))?;
                self.addr(dst)?;
                self.out.push_str(", ");
                self.addr(src)?;
                write!(self.out, ", {bytes}")?;
                if let Some(n) = src_size {
                    self.out.push_str(", ");
                    self.op(*n, u32t)?;
                }
                Ok(())
            }
            CpAsyncCommit | CpAsyncWait { pending: None } => self.out.write_str(m),
            CpAsyncWait { pending: Some(n) } => write!(self.out, "{m} {n}"),
        }
    }
}

fn loc_suffix(loc: SrcLoc) -> String {
    if loc.is_none() {
        String::new()
    } else {
        format!("  ; loc {}", loc.0)
    }
}

impl fmt::Display for FunctionDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let func = self.func;
        match func.kind {
            FuncKind::Kernel => {
                write!(f, "kernel {}(", func.name)?;
                for (i, p) in func.params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {}", p.name, p.ty)?;
                    if let Some(r) = p.reg {
                        write!(f, " = {r}")?;
                    }
                }
                f.write_str(")")?;
            }
            FuncKind::Device => {
                write!(f, "device {}(", func.name)?;
                for (i, p) in func.params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match p.reg {
                        Some(r) => write!(f, "{} = {r}:{}", p.name, p.ty)?,
                        None => write!(f, "{}: {}", p.name, p.ty)?,
                    }
                }
                f.write_str(")")?;
            }
        }
        if !func.returns.is_empty() {
            f.write_str(" -> (")?;
            for (i, &r) in func.returns.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                match func.reg_type(r) {
                    Some(t) => write!(f, "{r}:{t}")?,
                    None => write!(f, "{r}:?")?,
                }
            }
            f.write_str(")")?;
        }
        let a = &func.attrs;
        if let Some(n) = a.max_threads {
            write!(f, " maxntid {n}")?;
        }
        if let Some((x, y, z)) = a.required_threads {
            write!(f, " reqntid {x},{y},{z}")?;
        }
        if let Some(n) = a.min_blocks_per_sm {
            write!(f, " minnctapersm {n}")?;
        }
        if let Some(n) = a.max_registers {
            write!(f, " maxnreg {n}")?;
        }
        f.write_str(" {\n")?;
        for &b in &func.layout {
            writeln!(f, "{b}:")?;
            let Some(data) = func.blocks.get(b) else {
                writeln!(f, "  <missing {b}>")?;
                continue;
            };
            for &inst in &data.insts {
                match func.insts.get(inst) {
                    Some(d) => writeln!(f, "  {}{}", inst_kind_display(func, &d.kind), loc_suffix(d.loc))?,
                    None => writeln!(f, "  <missing {inst}>")?,
                }
            }
            match &data.term {
                Some(t) => writeln!(f, "  {}{}", term_display(t), loc_suffix(data.term_loc))?,
                None => writeln!(f, "  <no terminator>")?,
            }
        }
        f.write_str("}\n")
    }
}

/// A module variable in the textual form (`global .align 4 u32 counter[4] = {1, 2, 3, 4}`).
pub fn var_display(var: &VarData) -> String {
    let mut s = String::new();
    let _ = write!(s, "{} .align {} {} {}", var.space, var.align, var.ty, var.name);
    match var.len {
        None => {}
        Some(0) => s.push_str("[]"),
        Some(n) => {
            let _ = write!(s, "[{n}]");
        }
    }
    if !var.init.is_empty() {
        s.push_str(" = {");
        for (i, &v) in var.init.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&imm_display(Imm(v), Some(var.ty)));
        }
        s.push('}');
    }
    s
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = &self.target {
            writeln!(f, "target {t}")?;
        }
        for (v, data) in self.vars.iter() {
            writeln!(f, "{v} = {}", var_display(data))?;
        }
        for (id, func) in self.functions.iter() {
            if id.0 > 0 || !self.vars.is_empty() || self.target.is_some() {
                writeln!(f)?;
            }
            write!(f, "{id} = {}", func.display())?;
        }
        Ok(())
    }
}
