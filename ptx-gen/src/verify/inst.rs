//! Per-instruction checks: operand types against register classes, legal type/modifier combinations, immediates
//! that fit, vector widths, memory orders, atomics, addresses and calls (see the invariant list in
//! [`crate::verify`]).
//!
//! The legality tables follow the PTX ISA as `ptxas` (CUDA 13) applies it, with the writer's respellings (half and
//! 8-bit types of `mov`/`selp`/`ld`/`st` and bitwise operations written as `.bN`). `tests/verify_ptxas.rs` holds
//! them to that: what this file accepts assembles, and what it rejects ptxas rejects too, except for a few
//! deliberate restrictions listed there. Register typing is stricter than PTX's on purpose: an integer instruction
//! may not read an `f32`-typed register even though the writer would declare a `.b32` one for it.

use crate::inst::*;
use crate::ir::{FuncKind, Function, Module};
use crate::types::{StateSpace, Type};

pub(super) type Check = Result<(), String>;

/// Whether a register of type `reg` may be an operand of an instruction of type `ty`.
///
/// Predicates go only with predicates. Otherwise the register classes must have the same width; a `.bN` type or a
/// `bN`-typed register is compatible with any class of that width (PTX's bit-size rule); an integer type never goes
/// with a float-typed register or vice versa; float types must match exactly (`f16` is not `bf16`).
pub fn reg_compatible(ty: Type, reg: Type) -> bool {
    if ty == Type::Pred || reg == Type::Pred {
        return ty == reg;
    }
    if ty.reg_class().bits() != reg.reg_class().bits() {
        return false;
    }
    if ty.is_bits() || reg.is_bits() {
        return true;
    }
    if ty.is_float() || reg.is_float() {
        return ty == reg;
    }
    true
}

/// The relaxed rule of data movement (`ld`, `st`, `cvt`): besides [`reg_compatible`], an integer or `.bN` value may
/// live in a wider integer or `.bN` register (`ld.global.u8` into a 32-bit register).
pub fn data_compatible(ty: Type, reg: Type) -> bool {
    if reg_compatible(ty, reg) {
        return true;
    }
    let intish = |t: Type| t.is_int() || t.is_bits();
    intish(ty) && intish(reg) && reg.reg_class().bits() >= ty.bits()
}

/// `.f16`, `.bf16` and the packed pairs: PTX accepts no immediates of these types (only `mov.b16`/`mov.b32` bits).
fn is_half_family(t: Type) -> bool {
    matches!(t, Type::F16 | Type::BF16 | Type::F16x2 | Type::BF16x2)
}
/// Integer arithmetic types (PTX has no 8-bit arithmetic).
fn is_int_arith(t: Type) -> bool {
    t.is_int() && t.bits() >= 16
}
/// `.b16`/`.b32`/`.b64`.
fn is_bits_arith(t: Type) -> bool {
    t.is_bits() && t.bits() >= 16
}
/// What bitwise instructions take: any non-predicate type of 16 bits or more, whose bits they work on (the writer
/// spells them `.bN`, so `and.f32` is `and.b32` on float registers).
fn is_bitwise(t: Type) -> bool {
    t != Type::Pred && t.bits() >= 16
}

fn mode_list(modes: &[Mode]) -> String {
    let names: Vec<String> =
        modes.iter().map(|m| if *m == Mode::None { "none".into() } else { format!(".{}", m.name()) }).collect();
    names.join(", ")
}

fn mode_str(m: Mode) -> String {
    if m == Mode::None {
        "no modifier".into()
    } else {
        format!(".{}", m.name())
    }
}

const ROUNDING: [Mode; 4] = [Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp];
const ROUNDING_OR_NONE: [Mode; 5] = [Mode::None, Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp];

fn need_mode(what: &str, ty: Type, mode: Mode, allowed: &[Mode]) -> Check {
    if allowed.contains(&mode) {
        Ok(())
    } else {
        Err(format!("`{what}.{ty}` does not take {} (allowed: {})", mode_str(mode), mode_list(allowed)))
    }
}

fn bad_type(what: &str, ty: Type, expected: &str) -> String {
    format!("`{what}` does not take .{ty} (it takes {expected})")
}

/// The checker of one function's instructions, with the module when there is one (calls, variables).
pub(crate) struct InstChecker<'a> {
    pub func: &'a Function,
    pub module: Option<&'a Module>,
}

impl InstChecker<'_> {
    fn reg(&self, r: Reg) -> Result<Type, String> {
        self.func.reg_type(r).ok_or_else(|| format!("{r} does not exist ({} registers)", self.func.regs.len()))
    }

    pub(super) fn src(&self, o: Operand, ty: Type, what: &str) -> Check {
        match o {
            Operand::Reg(r) => self.src_reg(r, ty, what),
            Operand::Imm(i) => imm_fits(i, ty, what),
        }
    }

    /// A source of an instruction the writer spells with the `.bN` type of the same width when the IR type is a
    /// half-precision one (`mov`, `selp`, `st`, bitwise instructions and atomics): there a half-precision immediate
    /// is fine (its bits).
    fn src_bits_spelled(&self, o: Operand, ty: Type, what: &str) -> Check {
        match o {
            Operand::Reg(r) => self.src_reg(r, ty, what),
            Operand::Imm(i) => imm_fits(i, ty.to_bits(), what),
        }
    }

    pub(super) fn src_reg(&self, r: Reg, ty: Type, what: &str) -> Check {
        let rt = self.reg(r)?;
        if reg_compatible(ty, rt) {
            Ok(())
        } else {
            Err(format!("{what} {r} is a {rt} register, which a .{ty} operand cannot use"))
        }
    }

    pub(super) fn dst(&self, r: Reg, ty: Type, what: &str) -> Check {
        let rt = self.reg(r)?;
        if reg_compatible(ty, rt) {
            Ok(())
        } else {
            Err(format!("{what} {r} is a {rt} register, which cannot hold a .{ty} result"))
        }
    }

    fn data_src(&self, o: Operand, ty: Type, what: &str) -> Check {
        match o {
            Operand::Reg(r) => {
                let rt = self.reg(r)?;
                if data_compatible(ty, rt) {
                    Ok(())
                } else {
                    Err(format!("{what} {r} is a {rt} register, which a .{ty} operand cannot use"))
                }
            }
            Operand::Imm(i) => imm_fits(i, ty, what),
        }
    }

    fn data_dst(&self, r: Reg, ty: Type, what: &str) -> Check {
        let rt = self.reg(r)?;
        if data_compatible(ty, rt) {
            Ok(())
        } else {
            Err(format!("{what} {r} is a {rt} register, which cannot hold a .{ty} value"))
        }
    }

    /// Checks one instruction body.
    pub fn check(&self, kind: &InstKind) -> Check {
        use InstKind::*;
        match kind {
            Mov { ty, dst, src } => {
                self.src_bits_spelled(*src, *ty, "source")?;
                self.dst(*dst, *ty, "destination")
            }
            ReadSpecial { dst, sreg } => self.dst(*dst, sreg.ty(), "destination"),
            AddrOf { dst, var } => {
                self.var(*var)?;
                self.dst(*dst, Type::U64, "destination")
            }
            Unary { op, mode, ty, dst, src } => {
                unary_rule(*op, *mode, *ty)?;
                if matches!(op, UnOp::Not | UnOp::Popc | UnOp::Clz | UnOp::Brev) {
                    self.src_bits_spelled(*src, *ty, "source")?;
                } else {
                    self.src(*src, *ty, "source")?;
                }
                let dty = if matches!(op, UnOp::Popc | UnOp::Clz) { Type::U32 } else { *ty };
                self.dst(*dst, dty, "destination")
            }
            Binary { op, mode, ty, dst, a, b } => {
                binary_rule(*op, *mode, *ty)?;
                let shift = matches!(op, BinOp::Shl | BinOp::Shr);
                if matches!(op, BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Shl) {
                    self.src_bits_spelled(*a, *ty, "operand a")?;
                } else {
                    self.src(*a, *ty, "operand a")?;
                }
                match op {
                    _ if shift => self.src(*b, Type::U32, "shift amount")?,
                    BinOp::And | BinOp::Or | BinOp::Xor => self.src_bits_spelled(*b, *ty, "operand b")?,
                    _ => self.src(*b, *ty, "operand b")?,
                }
                let dty = if *mode == Mode::Wide { ty.widened().unwrap_or(*ty) } else { *ty };
                self.dst(*dst, dty, "destination")
            }
            Ternary { op, mode, ty, dst, a, b, c } => {
                ternary_rule(*op, *mode, *ty)?;
                let wide = if *mode == Mode::Wide { ty.widened().unwrap_or(*ty) } else { *ty };
                self.src(*a, *ty, "operand a")?;
                match op {
                    TernOp::Bfe => {
                        self.src(*b, Type::U32, "bit position")?;
                        self.src(*c, Type::U32, "field length")?;
                    }
                    TernOp::Mad => {
                        self.src(*b, *ty, "operand b")?;
                        self.src(*c, wide, "addend")?;
                    }
                    TernOp::Fma => {
                        self.src(*b, *ty, "operand b")?;
                        self.src(*c, *ty, "operand c")?;
                    }
                }
                self.dst(*dst, wide, "destination")
            }
            Bfi { ty, dst, f, b, pos, len } => {
                if !(is_bitwise(*ty) && matches!(ty.bits(), 32 | 64)) {
                    return Err(bad_type("bfi", *ty, "32- or 64-bit types"));
                }
                self.src_bits_spelled(*f, *ty, "inserted field")?;
                self.src_bits_spelled(*b, *ty, "base")?;
                self.src(*pos, Type::U32, "bit position")?;
                self.src(*len, Type::U32, "field length")?;
                self.dst(*dst, *ty, "destination")
            }
            Setp { cmp, ty, dst, a, b } => {
                setp_rule(*cmp, *ty)?;
                self.src(*a, *ty, "operand a")?;
                self.src(*b, *ty, "operand b")?;
                self.dst(*dst, Type::Pred, "destination")
            }
            Selp { ty, dst, a, b, cond } => {
                if *ty == Type::Pred {
                    return Err(bad_type("selp", *ty, "integer, .bN or float types (select predicates with and/or)"));
                }
                self.src_bits_spelled(*a, *ty, "operand a")?;
                self.src_bits_spelled(*b, *ty, "operand b")?;
                self.src_reg(*cond, Type::Pred, "condition")?;
                self.dst(*dst, *ty, "destination")
            }
            Cvt { mode, sat, dst_ty, src_ty, dst, src } => {
                cvt_rule(*mode, *sat, *dst_ty, *src_ty)?;
                self.data_src(*src, *src_ty, "source")?;
                self.data_dst(*dst, *dst_ty, "destination")
            }
            Cvta { to_generic: _, space, dst, src } => {
                if matches!(space, StateSpace::Generic) {
                    return Err(
                        "`cvta` converts between a named state space and generic addresses; it needs a space".into()
                    );
                }
                self.src_reg(*src, Type::U64, "source")?;
                self.dst(*dst, Type::U64, "destination")
            }
            Ld { access, dsts, addr } => {
                self.mem_access(access, false)?;
                if dsts.len() != access.vec.count() {
                    return Err(format!(
                        "a {}-element load has {} destination registers",
                        access.vec.count(),
                        dsts.len()
                    ));
                }
                for &d in dsts {
                    self.data_dst(d, access.ty, "destination")?;
                }
                self.addr(addr, access.space, access.bytes())
            }
            St { access, addr, srcs } => {
                self.mem_access(access, true)?;
                if srcs.len() != access.vec.count() {
                    return Err(format!("a {}-element store has {} source operands", access.vec.count(), srcs.len()));
                }
                for &s in srcs {
                    match s {
                        Operand::Imm(i) => imm_fits(i, access.ty.to_bits(), "stored value")?,
                        Operand::Reg(_) => self.data_src(s, access.ty, "stored value")?,
                    }
                }
                self.addr(addr, access.space, access.bytes())
            }
            Atom { op, space, order, scope, ty, dst, addr, src, cmp } => {
                atom_rule(*op, *space, *order, *scope, *ty, dst.is_some(), cmp.is_some())?;
                if let Some(d) = dst {
                    self.dst(*d, *ty, "destination")?;
                }
                let bitwise = !matches!(op, AtomOp::Add | AtomOp::Min | AtomOp::Max | AtomOp::Inc | AtomOp::Dec);
                let check = |o: Operand, what: &str| {
                    if bitwise {
                        self.src_bits_spelled(o, *ty, what)
                    } else {
                        self.src(o, *ty, what)
                    }
                };
                if let Some(c) = cmp {
                    check(*c, "compare value")?;
                }
                check(*src, "operand")?;
                if matches!(addr.base, AddrBase::Param(_)) {
                    return Err("atomics cannot address kernel parameters".into());
                }
                self.addr(addr, *space, ty.size())
            }
            Bar { op, id, count } => {
                self.src(*id, Type::U32, "barrier id")?;
                if let Operand::Imm(Imm(v)) = id {
                    if *v > 15 {
                        return Err(format!("barrier id {v} is out of range (0..=15)"));
                    }
                }
                match count {
                    Some(c) => {
                        self.src(*c, Type::U32, "thread count")?;
                        if let Operand::Imm(Imm(v)) = c {
                            if *v == 0 || *v % 32 != 0 {
                                return Err(format!("barrier thread count {v} is not a positive multiple of 32"));
                            }
                        }
                    }
                    None if *op == BarOp::Arrive => return Err("`bar.arrive` needs a thread count".into()),
                    None => {}
                }
                Ok(())
            }
            WarpSync { mask } => self.src(*mask, Type::U32, "member mask"),
            Fence { .. } => Ok(()),
            Shfl { mode: _, dst, pred, src, lane, clamp, mask } => {
                self.src(*src, Type::B32, "source")?;
                self.src(*lane, Type::U32, "lane")?;
                self.src(*clamp, Type::U32, "clamp")?;
                self.src(*mask, Type::U32, "member mask")?;
                self.dst(*dst, Type::B32, "destination")?;
                if let Some(p) = pred {
                    self.dst(*p, Type::Pred, "predicate destination")?;
                }
                Ok(())
            }
            Vote { mode, dst, src, negate: _, mask } => {
                self.src_reg(*src, Type::Pred, "voted predicate")?;
                self.src(*mask, Type::U32, "member mask")?;
                let dty = if *mode == VoteMode::Ballot { Type::B32 } else { Type::Pred };
                self.dst(*dst, dty, "destination")
            }
            ActiveMask { dst } => self.dst(*dst, Type::B32, "destination"),
            Call { func, rets, args } => self.call(*func, rets, args),
            Asm { text, outputs, inputs } => {
                for &o in outputs {
                    self.reg(o)?;
                }
                for &i in inputs {
                    if let Operand::Reg(r) = i {
                        self.reg(r)?;
                    }
                }
                check_placeholders(text, outputs.len() + inputs.len())
            }
            CvtPack { dst_fmt, src_fmt, satfinite, relu: _, dst, srcs } => {
                self.check_cvt_pack(*dst_fmt, *src_fmt, *satfinite, *dst, srcs)
            }
            Mma { shape, d_ty, a_ty, b_ty, c_ty, satfinite, d, a, b, c } => {
                self.check_mma(*shape, (*d_ty, *a_ty, *b_ty, *c_ty), *satfinite, d, a, b, c)
            }
            LdMatrix { count, trans: _, dsts, addr } => self.check_matrix(*count, dsts, addr, false),
            StMatrix { count, trans: _, addr, srcs } => self.check_matrix(*count, srcs, addr, true),
            CpAsync { cache, prefetch, bytes, dst, src, src_size } => {
                self.check_cp_async(*cache, *prefetch, *bytes, dst, src, *src_size)
            }
            CpAsyncCommit => Ok(()),
            CpAsyncWait { pending } => match pending {
                Some(n) if *n > 63 => Err(format!("`cp.async.wait_group {n}`: at most 63 groups can be pending")),
                _ => Ok(()),
            },
        }
    }

    fn var(&self, v: Var) -> Result<Option<&crate::ir::VarData>, String> {
        match self.module {
            None => Ok(None),
            Some(m) => {
                m.vars.get(v).map(Some).ok_or_else(|| format!("{v} does not exist ({} module variables)", m.vars.len()))
            }
        }
    }

    fn mem_access(&self, a: &MemAccess, is_store: bool) -> Check {
        let what = if is_store { "st" } else { "ld" };
        if a.ty == Type::Pred {
            return Err(format!("`{what}` cannot move predicates"));
        }
        if a.vec != VecWidth::Scalar && a.bytes() > 16 {
            return Err(format!("vector accesses move at most 16 bytes; this one moves {}", a.bytes()));
        }
        if is_store && matches!(a.space, StateSpace::Param | StateSpace::Const) {
            return Err(format!("cannot store to .{} space", a.space.name()));
        }
        let ordered_space = matches!(a.space, StateSpace::Global | StateSpace::Shared | StateSpace::Generic);
        match a.order {
            MemOrder::Weak => {}
            MemOrder::AcqRel(_) => return Err(format!("`{what}` cannot be .acq_rel (atomics only)")),
            MemOrder::Acquire(_) if is_store => return Err("stores cannot be .acquire".into()),
            MemOrder::Release(_) if !is_store => return Err("loads cannot be .release".into()),
            _ if !ordered_space => {
                return Err(format!(
                "memory orders (.volatile/.relaxed/.acquire/.release) need global, shared or generic space, not .{}",
                a.space
            ))
            }
            _ => {}
        }
        if a.order != MemOrder::Weak && a.cache != CacheOp::None {
            return Err(format!("a cache operator (.{}) cannot be combined with a memory order", a.cache.name()));
        }
        let cache_ok = if is_store {
            matches!(a.cache, CacheOp::None | CacheOp::Wb | CacheOp::Cg | CacheOp::Cs | CacheOp::Wt)
        } else {
            matches!(a.cache, CacheOp::None | CacheOp::Ca | CacheOp::Cg | CacheOp::Cs | CacheOp::Lu | CacheOp::Cv)
        };
        if !cache_ok {
            return Err(format!("`{what}` does not take the cache operator .{}", a.cache.name()));
        }
        if a.nc {
            if is_store {
                return Err("stores cannot be .nc".into());
            }
            if a.space != StateSpace::Global {
                return Err(format!(".nc loads need global space, not .{}", a.space));
            }
            if a.order != MemOrder::Weak {
                return Err(".nc loads cannot have a memory order".into());
            }
            if !matches!(a.cache, CacheOp::None | CacheOp::Ca | CacheOp::Cg | CacheOp::Cs) {
                return Err(format!(".nc loads do not take the cache operator .{}", a.cache.name()));
            }
        }
        let global_like = matches!(a.space, StateSpace::Global | StateSpace::Generic);
        if a.eviction != Eviction::None {
            if !global_like {
                return Err(format!("eviction priorities need global or generic space, not .{}", a.space));
            }
            if a.cache != CacheOp::None || a.order == MemOrder::Volatile {
                return Err("an eviction priority cannot be combined with a cache operator or .volatile".into());
            }
        }
        if a.prefetch != Prefetch::None {
            if is_store {
                return Err("stores cannot prefetch".into());
            }
            if !global_like {
                return Err(format!("L2 prefetch needs global or generic space, not .{}", a.space));
            }
        }
        Ok(())
    }

    /// An address of `bytes` bytes in `space`.
    pub(super) fn addr(&self, a: &Address, space: StateSpace, bytes: u32) -> Check {
        match a.base {
            AddrBase::Reg(r) => {
                if space == StateSpace::Param {
                    return Err("parameter loads name the parameter ([paramN]), not a register".into());
                }
                let rt = self.reg(r)?;
                // Shared and local windows are below 4 GiB: PTX also takes 32-bit addresses there.
                let narrow_ok =
                    matches!(space, StateSpace::Shared | StateSpace::Local) && reg_compatible(Type::U32, rt);
                if !reg_compatible(Type::U64, rt) && !narrow_ok {
                    return Err(format!(
                        "address register {r} is a {rt} register; addresses are 64-bit integers (32-bit in .shared \
                         and .local)"
                    ));
                }
                Ok(())
            }
            AddrBase::Var(v) => {
                if space == StateSpace::Param {
                    return Err("parameter loads name a parameter, not a variable".into());
                }
                let Some(var) = self.var(v)? else { return Ok(()) };
                if var.space != space && space != StateSpace::Generic {
                    return Err(format!("{v} (`{}`) is in .{} space, accessed as .{}", var.name, var.space, space));
                }
                if var.len != Some(0) {
                    in_bounds(a.offset, bytes, var.size_bytes(), &format!("{v} (`{}`)", var.name))?;
                }
                Ok(())
            }
            AddrBase::Param(i) => {
                if space != StateSpace::Param {
                    return Err(format!("[param{i}] can only be read by `ld.param`"));
                }
                if self.func.kind != FuncKind::Kernel {
                    return Err("device functions have no .param parameters (their parameters are registers)".into());
                }
                let Some(p) = self.func.params.get(i as usize) else {
                    return Err(format!("parameter {i} does not exist ({} parameters)", self.func.params.len()));
                };
                in_bounds(a.offset, bytes, p.ty.size() as u64, &format!("parameter {i} (`{}`)", p.name))
            }
        }
    }

    fn call(&self, callee: FuncId, rets: &[Reg], args: &[Operand]) -> Check {
        for a in args {
            if let Operand::Reg(r) = a {
                self.reg(*r)?;
            }
        }
        for &r in rets {
            self.reg(r)?;
        }
        let Some(m) = self.module else { return Ok(()) };
        let Some(f) = m.functions.get(callee) else {
            return Err(format!("{callee} does not exist ({} functions)", m.functions.len()));
        };
        if f.kind != FuncKind::Device {
            return Err(format!("{callee} (`{}`) is a kernel; only device functions can be called", f.name));
        }
        if args.len() != f.params.len() {
            return Err(format!("`{}` takes {} arguments, given {}", f.name, f.params.len(), args.len()));
        }
        if rets.len() != f.returns.len() {
            return Err(format!(
                "`{}` returns {} values, {} result registers given",
                f.name,
                f.returns.len(),
                rets.len()
            ));
        }
        for (i, (a, p)) in args.iter().zip(&f.params).enumerate() {
            let r = match a {
                Operand::Reg(r) => r,
                // The callee's parameter is a register of the type's class; an immediate passes its bits.
                Operand::Imm(imm) => {
                    imm_fits(*imm, p.ty.to_bits(), &format!("argument {i}"))?;
                    continue;
                }
            };
            let rt = self.reg(*r)?;
            if !(reg_compatible(p.ty, rt) && rt.reg_class() == p.ty.reg_class()) {
                return Err(format!("argument {i} {r} is a {rt} register; `{}` takes .{} there", f.name, p.ty));
            }
        }
        for (i, (&r, &cr)) in rets.iter().zip(&f.returns).enumerate() {
            let rt = self.reg(r)?;
            let Some(ct) = f.reg_type(cr) else { continue }; // the callee's own verification reports it
            if !(reg_compatible(ct, rt) && rt.reg_class() == ct.reg_class()) {
                return Err(format!("result {i} {r} is a {rt} register; `{}` returns .{ct} there", f.name));
            }
        }
        Ok(())
    }
}

fn in_bounds(offset: i64, bytes: u32, size: u64, what: &str) -> Check {
    let end = (offset as i128) + bytes as i128;
    if offset < 0 || end > size as i128 {
        Err(format!("an access of {bytes} bytes at offset {offset} is outside {what}, which has {size} bytes"))
    } else {
        Ok(())
    }
}

pub(super) fn imm_fits(i: Imm, ty: Type, what: &str) -> Check {
    if is_half_family(ty) {
        return Err(format!("{what} cannot be an immediate of type .{ty} (PTX has none; move the bits to a register)"));
    }
    let fits = if ty == Type::Pred { i.0 <= 1 } else { truncate(i.0, ty.bits()) == i.0 };
    if fits {
        Ok(())
    } else {
        Err(format!("{what} immediate 0x{:X} does not fit .{ty}", i.0))
    }
}

/// Every `{N}` in an inline-asm template names an operand.
fn check_placeholders(text: &str, count: usize) -> Check {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j > start && j < bytes.len() && bytes[j] == b'}' {
                let n: usize = text[start..j].parse().unwrap_or(usize::MAX);
                if n >= count {
                    return Err(format!("inline asm names {{{n}}} but has {count} operands"));
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    Ok(())
}

fn unary_rule(op: UnOp, mode: Mode, ty: Type) -> Check {
    let name = op.name();
    match op {
        UnOp::Neg | UnOp::Abs => {
            if !((ty.is_signed() && ty.bits() >= 16) || ty.is_float()) {
                return Err(bad_type(name, ty, "signed 16/32/64-bit integers or floats"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
        UnOp::Not => {
            if !(is_bitwise(ty) || ty == Type::Pred) {
                return Err(bad_type(name, ty, ".pred or types of 16 bits or more"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
        UnOp::Popc | UnOp::Clz | UnOp::Brev => {
            if !(is_bitwise(ty) && matches!(ty.bits(), 32 | 64)) {
                return Err(bad_type(name, ty, "32- or 64-bit types"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
        UnOp::Sqrt | UnOp::Rcp => match ty {
            Type::F32 => need_mode(name, ty, mode, &[Mode::Approx, Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp]),
            Type::F64 => need_mode(name, ty, mode, &ROUNDING),
            _ => Err(bad_type(name, ty, ".f32 or .f64")),
        },
        UnOp::Rsqrt => match ty {
            Type::F32 | Type::F64 => need_mode(name, ty, mode, &[Mode::Approx]),
            _ => Err(bad_type(name, ty, ".f32 or .f64")),
        },
        UnOp::Ex2 => match ty {
            Type::F32 | Type::F16 | Type::F16x2 => need_mode(name, ty, mode, &[Mode::Approx]),
            _ => Err(bad_type(name, ty, ".f32, .f16 or .f16x2")),
        },
        UnOp::Lg2 | UnOp::Sin | UnOp::Cos => match ty {
            Type::F32 => need_mode(name, ty, mode, &[Mode::Approx]),
            _ => Err(bad_type(name, ty, ".f32")),
        },
        UnOp::Tanh => match ty {
            Type::F32 | Type::F16 | Type::F16x2 | Type::BF16 | Type::BF16x2 => {
                need_mode(name, ty, mode, &[Mode::Approx])
            }
            _ => Err(bad_type(name, ty, ".f32 or half-precision types")),
        },
    }
}

fn float_arith_modes(ty: Type) -> &'static [Mode] {
    if matches!(ty, Type::F32 | Type::F64) {
        &ROUNDING_OR_NONE
    } else {
        &[Mode::None, Mode::Rn]
    }
}

fn binary_rule(op: BinOp, mode: Mode, ty: Type) -> Check {
    let name = op.name();
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul => {
            if is_int_arith(ty) {
                if op == BinOp::Mul {
                    need_mode(name, ty, mode, &[Mode::Lo, Mode::Hi, Mode::Wide])?;
                    if mode == Mode::Wide && ty.bits() == 64 {
                        return Err(format!("`mul.wide` takes 16- or 32-bit operands, not .{ty}"));
                    }
                    Ok(())
                } else {
                    need_mode(name, ty, mode, &[Mode::None])
                }
            } else if ty.is_float() {
                need_mode(name, ty, mode, float_arith_modes(ty))
            } else {
                Err(bad_type(name, ty, "16/32/64-bit integers or floats"))
            }
        }
        BinOp::Div => match ty {
            t if is_int_arith(t) => need_mode(name, ty, mode, &[Mode::None]),
            Type::F32 => need_mode(name, ty, mode, &[Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp, Mode::Approx, Mode::Full]),
            Type::F64 => need_mode(name, ty, mode, &ROUNDING),
            _ => Err(bad_type(name, ty, "16/32/64-bit integers, .f32 or .f64")),
        },
        BinOp::Rem => {
            if !is_int_arith(ty) {
                return Err(bad_type(name, ty, "16/32/64-bit integers"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
        BinOp::Min | BinOp::Max => {
            if !(is_int_arith(ty) || ty.is_float()) {
                return Err(bad_type(name, ty, "16/32/64-bit integers or floats"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
        BinOp::And | BinOp::Or | BinOp::Xor => {
            if !(is_bitwise(ty) || ty == Type::Pred) {
                return Err(bad_type(name, ty, ".pred or types of 16 bits or more"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
        BinOp::Shl => {
            if !is_bitwise(ty) {
                return Err(bad_type(name, ty, "types of 16 bits or more"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
        BinOp::Shr => {
            if !(is_bits_arith(ty) || is_int_arith(ty)) {
                return Err(bad_type(name, ty, "16/32/64-bit .bN, .uN or .sN"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
    }
}

fn ternary_rule(op: TernOp, mode: Mode, ty: Type) -> Check {
    let name = op.name();
    match op {
        TernOp::Mad => {
            if !is_int_arith(ty) {
                return Err(bad_type(name, ty, "16/32/64-bit integers (use fma for floats)"));
            }
            need_mode(name, ty, mode, &[Mode::Lo, Mode::Hi, Mode::Wide])?;
            if mode == Mode::Wide && ty.bits() == 64 {
                return Err(format!("`mad.wide` takes 16- or 32-bit operands, not .{ty}"));
            }
            Ok(())
        }
        TernOp::Fma => match ty {
            Type::F32 | Type::F64 => need_mode(name, ty, mode, &ROUNDING),
            Type::F16 | Type::F16x2 | Type::BF16 | Type::BF16x2 => need_mode(name, ty, mode, &[Mode::Rn]),
            _ => Err(bad_type(name, ty, "float types")),
        },
        TernOp::Bfe => {
            if !matches!(ty, Type::U32 | Type::U64 | Type::S32 | Type::S64) {
                return Err(bad_type(name, ty, ".u32, .u64, .s32 or .s64"));
            }
            need_mode(name, ty, mode, &[Mode::None])
        }
    }
}

fn setp_rule(cmp: CmpOp, ty: Type) -> Check {
    let c = cmp.name();
    if is_bits_arith(ty) {
        if !matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
            return Err(format!("`setp.{c}` does not apply to .{ty} (bit types compare only eq/ne)"));
        }
    } else if is_int_arith(ty) {
        if cmp.is_float_only() {
            return Err(format!("`setp.{c}` is a float comparison; .{ty} is an integer type"));
        }
        if cmp.is_unsigned_only() && !ty.is_unsigned() {
            return Err(format!("`setp.{c}` is an unsigned comparison; .{ty} is signed"));
        }
    } else if matches!(ty, Type::F16 | Type::BF16 | Type::F32 | Type::F64) {
        if cmp.is_unsigned_only() {
            return Err(format!("`setp.{c}` is an unsigned comparison; .{ty} is a float type"));
        }
    } else {
        return Err(bad_type("setp", ty, "16/32/64-bit integers, .bN, .f16, .bf16, .f32 or .f64"));
    }
    Ok(())
}

fn cvt_rule(mode: CvtMode, sat: bool, dst: Type, src: Type) -> Check {
    let numeric = |t: Type| t.is_int() || matches!(t, Type::F16 | Type::BF16 | Type::F32 | Type::F64);
    for t in [dst, src] {
        if !numeric(t) {
            return Err(bad_type("cvt", t, "integer, .f16, .bf16, .f32 or .f64 types"));
        }
    }
    if (dst == Type::BF16 && src.bits() == 8) || (src == Type::BF16 && dst.bits() == 8) {
        return Err(format!("`cvt.{dst}.{src}`: PTX has no conversion between .bf16 and 8-bit integers"));
    }
    if sat {
        if dst == Type::BF16 || src == Type::BF16 {
            return Err(format!("`cvt.sat.{dst}.{src}`: conversions to or from .bf16 take no .sat"));
        }
        // ptxas refuses .sat where nothing can overflow: an integer destination that holds every source value.
        let fits = dst.is_int()
            && src.is_int()
            && ((dst.is_signed() == src.is_signed() && dst.bits() >= src.bits())
                || (dst.is_signed() && src.is_unsigned() && dst.bits() > src.bits()));
        if fits {
            return Err(format!(
                "`cvt.sat.{dst}.{src}`: .{dst} holds every .{src} value, and ptxas refuses a .sat that cannot act"
            ));
        }
    }
    let m = if mode == CvtMode::None { "no rounding".to_string() } else { format!(".{}", mode.name()) };
    let float_round = matches!(mode, CvtMode::Rn | CvtMode::Rz | CvtMode::Rm | CvtMode::Rp);
    let ok = match (dst.is_float(), src.is_float()) {
        (false, false) => mode == CvtMode::None,
        (false, true) => mode.is_integer_rounding(),
        (true, false) => float_round,
        (true, true) => {
            if dst == src {
                mode == CvtMode::None || mode.is_integer_rounding()
            } else if dst.bits() > src.bits() {
                mode == CvtMode::None
            } else {
                float_round
            }
        }
    };
    if ok {
        return Ok(());
    }
    let expected = match (dst.is_float(), src.is_float()) {
        (false, false) => "integer-to-integer conversions take no rounding mode",
        (false, true) => "float-to-integer conversions need .rni, .rzi, .rmi or .rpi",
        (true, false) => "integer-to-float conversions need .rn, .rz, .rm or .rp",
        _ if dst == src => "a float-to-same-float conversion takes no mode or .rni/.rzi/.rmi/.rpi",
        _ if dst.bits() > src.bits() => "widening float conversions take no rounding mode",
        _ => "narrowing float conversions need .rn, .rz, .rm or .rp",
    };
    Err(format!("`cvt.{dst}.{src}` with {m}: {expected}"))
}

fn atom_rule(
    op: AtomOp,
    space: StateSpace,
    order: MemOrder,
    scope: Option<Scope>,
    ty: Type,
    has_dst: bool,
    has_cmp: bool,
) -> Check {
    use Type::*;
    let name = if has_dst { "atom" } else { "red" };
    if !matches!(space, StateSpace::Global | StateSpace::Shared | StateSpace::Generic) {
        return Err(format!("atomics need global, shared or generic space, not .{space}"));
    }
    let (ok, expected): (bool, &str) = match op {
        AtomOp::Add => (
            matches!(ty, U32 | S32 | U64 | F32 | F64 | F16 | F16x2 | BF16 | BF16x2),
            ".u32, .s32, .u64, .f32, .f64, .f16, .f16x2, .bf16 or .bf16x2",
        ),
        // Half-precision min/max exist only in vector forms (`.v2.f16`), which the IR does not have.
        AtomOp::Min | AtomOp::Max => (matches!(ty, U32 | S32 | U64 | S64), ".u32, .s32, .u64 or .s64"),
        AtomOp::Inc | AtomOp::Dec => (ty == U32, ".u32"),
        AtomOp::And | AtomOp::Or | AtomOp::Xor => (ty != Pred && matches!(ty.bits(), 32 | 64), "32- or 64-bit types"),
        AtomOp::Exch => (ty != Pred && matches!(ty.bits(), 32 | 64), "32- or 64-bit types"),
        AtomOp::Cas => (ty != Pred && matches!(ty.bits(), 16 | 32 | 64), "16-, 32- or 64-bit types"),
    };
    if !ok {
        return Err(format!("`{name}.{}` does not take .{ty} (it takes {expected})", op.name()));
    }
    if has_cmp != (op == AtomOp::Cas) {
        return Err(if has_cmp {
            format!("only `cas` has a compare operand, not `{}`", op.name())
        } else {
            "`cas` needs a compare operand".into()
        });
    }
    if !has_dst && matches!(op, AtomOp::Cas | AtomOp::Exch) {
        return Err(format!("`{}` needs a result register (there is no `red.{}`)", op.name(), op.name()));
    }
    let order_scope = match order {
        MemOrder::Weak => None,
        MemOrder::Volatile => return Err("atomics cannot be .volatile".into()),
        MemOrder::Relaxed(s) | MemOrder::Release(s) => Some(s),
        MemOrder::Acquire(s) | MemOrder::AcqRel(s) => {
            if !has_dst {
                return Err("`red` cannot be .acquire or .acq_rel (it returns nothing to order)".into());
            }
            Some(s)
        }
    };
    if let (Some(a), Some(b)) = (order_scope, scope) {
        if a != b {
            return Err(format!("the order's scope .{} contradicts the atomic's scope .{}", a.name(), b.name()));
        }
    }
    Ok(())
}
