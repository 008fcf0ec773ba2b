//! IR → the interpreter's instruction array ([`super::code`]), once per kernel at module load.
//!
//! Decoding is where every question with a fixed answer is answered: which function computes an instruction,
//! where each operand lives, which block a branch goes to and where its paths reconverge, how the kernel's
//! parameters and shared variables are laid out. Anything the emulator cannot run (an instruction it does not
//! implement, a type an instruction does not take, malformed IR) is an error here, so a launch never meets it.

use std::collections::HashMap;

use ptx_gen::write::opcode_text;
use ptx_gen::{
    AddrBase, Address, BinOp, Block, EntityRef, FuncId, FuncKind, Function, InstKind, MemOrder, Mode, Module, Operand,
    Reg, Scope, StateSpace, Terminator, TernOp, Type, UnOp,
};

use super::access::{CONST_WINDOW, PARAM_WINDOW, SHARED_WINDOW};
use super::alu;
use super::code::{AtomTy, AtomicOp, Base, FloatFn, Inst, Kernel, MemOp, ParamSlot, Space, EXIT, NO_SLOT};
use super::convert::CvtSpec;
use super::error::EmuError;
use super::float::{Approx, FOp, Fmt, Round};
use super::inline::inline_calls;
use super::live::live_at_entry;
use super::postdom::immediate_post_dominators;

/// Where a module variable lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarPlace {
    /// The `i`-th `.global` variable (allocated per emulator).
    Global(u32),
    /// A `.shared` variable (placed per kernel).
    Shared,
    /// At this offset in the constant bank.
    Const(u64),
}

/// A module `.global` variable's size, alignment and initial bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GlobalVar {
    pub name: String,
    pub size: u64,
    pub align: u64,
    pub init: Vec<u8>,
}

/// The module-level layout: where each variable lives, the constant bank, the `.global` variables.
#[derive(Debug, Default)]
pub(crate) struct ModuleLayout {
    pub places: Vec<VarPlace>,
    pub consts: Vec<u8>,
    pub globals: Vec<GlobalVar>,
}

/// The largest variable the emulator places (the GPU's constant bank is 64 KiB; shared memory is smaller still).
const MAX_VAR_BYTES: u64 = 1 << 30;

fn module_error(message: String) -> EmuError {
    EmuError::InvalidModule { kernel: String::new(), message }
}

/// Initial bytes of a variable: each value's low `ty.size()` bytes, little-endian; zeros after the last.
fn init_bytes(ty: Type, init: &[u64], size: u64) -> Vec<u8> {
    let mut out = vec![0u8; size as usize];
    let es = ty.size() as usize;
    for (i, &v) in init.iter().enumerate() {
        let off = i * es;
        if off + es <= out.len() {
            out[off..off + es].copy_from_slice(&v.to_le_bytes()[..es]);
        }
    }
    out
}

/// Lays out the module's variables.
pub(crate) fn layout_module(m: &Module) -> Result<ModuleLayout, EmuError> {
    let mut l = ModuleLayout::default();
    for (_, v) in m.vars.iter() {
        if v.ty == Type::Pred {
            return Err(module_error(format!("variable `{}` is a predicate", v.name)));
        }
        if !v.align.is_power_of_two() {
            return Err(module_error(format!("variable `{}` has alignment {}", v.name, v.align)));
        }
        let size = (v.ty.size() as u64).checked_mul(v.len.unwrap_or(1)).filter(|&s| s <= MAX_VAR_BYTES);
        let Some(size) = size else {
            return Err(module_error(format!("variable `{}` is larger than {MAX_VAR_BYTES} bytes", v.name)));
        };
        if v.init.len() as u64 > v.len.unwrap_or(1) {
            return Err(module_error(format!("variable `{}` has more initial values than elements", v.name)));
        }
        let align = (v.align as u64).max(v.ty.size() as u64);
        let place = match v.space {
            StateSpace::Global => {
                l.globals.push(GlobalVar { name: v.name.clone(), size, align, init: init_bytes(v.ty, &v.init, size) });
                VarPlace::Global(l.globals.len() as u32 - 1)
            }
            StateSpace::Shared => {
                if !v.init.is_empty() {
                    return Err(module_error(format!("shared variable `{}` has initial values", v.name)));
                }
                VarPlace::Shared
            }
            StateSpace::Const => {
                let off = (l.consts.len() as u64).next_multiple_of(align);
                l.consts.resize(off as usize, 0);
                l.consts.extend_from_slice(&init_bytes(v.ty, &v.init, size));
                if l.consts.len() as u64 > MAX_VAR_BYTES {
                    return Err(module_error("the constant bank is too large".into()));
                }
                VarPlace::Const(off)
            }
            other => {
                return Err(module_error(format!("variable `{}` is in the {other} space", v.name)));
            }
        };
        l.places.push(place);
    }
    Ok(l)
}

/// The mask of a type's width in a register lane.
fn width_mask(ty: Type) -> u64 {
    match ty.bits() {
        64 => u64::MAX,
        b => (1u64 << b) - 1,
    }
}

fn round_of(mode: Mode) -> Option<Round> {
    match mode {
        Mode::Rn | Mode::None => Some(Round::Rn),
        Mode::Rz => Some(Round::Rz),
        Mode::Rm => Some(Round::Rm),
        Mode::Rp => Some(Round::Rp),
        _ => None,
    }
}

fn space_of(s: StateSpace) -> Space {
    match s {
        StateSpace::Global => Space::Global,
        StateSpace::Shared => Space::Shared,
        StateSpace::Local => Space::Local,
        StateSpace::Const => Space::Const,
        StateSpace::Param => Space::Param,
        StateSpace::Generic => Space::Generic,
    }
}

/// A pending branch target, patched once every block's position is known.
enum Fixup {
    Jump { pc: usize, target: Block },
    Branch { pc: usize, then_dest: Block, else_dest: Block, join: Option<usize> },
}

struct Decoder<'a> {
    f: &'a Function,
    ml: &'a ModuleLayout,
    module: &'a Module,
    name: String,
    nregs: usize,
    consts: Vec<u64>,
    const_slot: HashMap<u64, u32>,
    code: Vec<Inst>,
    text: Vec<String>,
    mem: Vec<MemOp>,
    atoms: Vec<AtomicOp>,
    shared_off: HashMap<u32, u64>,
    params: Vec<ParamSlot>,
    /// The instruction being decoded, for messages.
    cur: String,
}

/// Decodes kernel (or device function) `id` of `module`.
pub(crate) fn decode_function(module: &Module, ml: &ModuleLayout, id: FuncId) -> Result<Kernel, EmuError> {
    let f = inline_calls(module, id)?;
    let mut d = Decoder {
        f: &f,
        ml,
        module,
        name: f.name.clone(),
        nregs: f.regs.len(),
        consts: Vec::new(),
        const_slot: HashMap::new(),
        code: Vec::new(),
        text: Vec::new(),
        mem: Vec::new(),
        atoms: Vec::new(),
        shared_off: HashMap::new(),
        params: Vec::new(),
        cur: String::new(),
    };
    d.layout_params()?;
    let (shared_static, dyn_offset) = d.layout_shared()?;
    d.emit_body()?;
    let slots = d.nregs + d.consts.len();
    if slots.checked_mul(32).is_none_or(|n| n >= NO_SLOT as usize) {
        return Err(d.invalid(format!("{slots} registers are more than the emulator supports")));
    }
    let mut init = vec![0u64; slots * 32];
    for (k, &v) in d.consts.iter().enumerate() {
        let base = (d.nregs + k) * 32;
        init[base..base + 32].fill(v);
    }
    let param_bytes = d.params.last().map_or(0, |p| p.offset + p.size);
    let live_in =
        live_at_entry(&f).into_iter().filter(|r| r.index() < d.nregs).map(|r| (r.index() * 32) as u32).collect();
    Ok(Kernel {
        name: d.name,
        code: d.code,
        mem: d.mem,
        atoms: d.atoms,
        init,
        live_in,
        params: d.params,
        param_bytes,
        shared_static,
        dyn_offset,
        text: d.text,
        max_threads: f.attrs.max_threads,
        required_threads: f.attrs.required_threads,
    })
}

impl Decoder<'_> {
    fn invalid(&self, message: String) -> EmuError {
        EmuError::InvalidModule { kernel: self.name.clone(), message }
    }

    fn unsupported(&self, detail: &str) -> EmuError {
        EmuError::Unsupported { kernel: self.name.clone(), instruction: self.cur.clone(), detail: detail.to_owned() }
    }

    /// Kernel parameters, each aligned to its size, in order. (Device functions take theirs in registers.)
    fn layout_params(&mut self) -> Result<(), EmuError> {
        if self.f.kind != FuncKind::Kernel {
            return Ok(());
        }
        let mut off = 0usize;
        for p in &self.f.params {
            if p.ty == Type::Pred {
                return Err(self.invalid(format!("parameter `{}` is a predicate", p.name)));
            }
            let size = p.ty.size() as usize;
            off = off.next_multiple_of(size);
            self.params.push(ParamSlot { offset: off, size });
            off += size;
        }
        Ok(())
    }

    /// Places the `.shared` variables the function uses, in declaration order, then the dynamic area.
    fn layout_shared(&mut self) -> Result<(u64, u64), EmuError> {
        let mut used = vec![false; self.module.vars.len()];
        let mut mark = |v: ptx_gen::Var| {
            if let Some(u) = used.get_mut(v.index()) {
                *u = true;
            }
        };
        for (_, data) in self.f.insts.iter() {
            match &data.kind {
                InstKind::AddrOf { var, .. } => mark(*var),
                InstKind::Ld { addr, .. } | InstKind::St { addr, .. } | InstKind::Atom { addr, .. } => {
                    if let AddrBase::Var(v) = addr.base {
                        mark(v)
                    }
                }
                _ => {}
            }
        }
        let mut end = 0u64;
        let mut dyn_align = 16u64;
        for (i, (_, v)) in self.module.vars.iter().enumerate() {
            if !used[i] || self.ml.places.get(i) != Some(&VarPlace::Shared) {
                continue;
            }
            let align = (v.align as u64).max(v.ty.size() as u64);
            if v.len == Some(0) {
                dyn_align = dyn_align.max(align);
                continue;
            }
            let off = end.next_multiple_of(align);
            self.shared_off.insert(i as u32, off);
            end = off + v.size_bytes();
        }
        let dyn_offset = end.next_multiple_of(dyn_align);
        for (i, (_, v)) in self.module.vars.iter().enumerate() {
            if used[i] && v.len == Some(0) && self.ml.places.get(i) == Some(&VarPlace::Shared) {
                self.shared_off.insert(i as u32, dyn_offset);
            }
        }
        Ok((end, dyn_offset))
    }

    fn reg(&self, r: Reg) -> Result<u32, EmuError> {
        if r.index() < self.nregs {
            Ok((r.index() * 32) as u32)
        } else {
            Err(self.invalid(format!("`{}` uses register {r}, which does not exist", self.cur)))
        }
    }

    fn reg_ty(&self, r: Reg) -> Result<Type, EmuError> {
        self.f
            .reg_type(r)
            .ok_or_else(|| self.invalid(format!("`{}` uses register {r}, which does not exist", self.cur)))
    }

    /// The slot of a constant value (shared by every use of the same bits).
    fn constant(&mut self, v: u64) -> u32 {
        if let Some(&s) = self.const_slot.get(&v) {
            return s;
        }
        let s = ((self.nregs + self.consts.len()) * 32) as u32;
        self.consts.push(v);
        self.const_slot.insert(v, s);
        s
    }

    /// The slot of an operand read as `ty` (immediates truncated to its width).
    fn op(&mut self, o: Operand, ty: Type) -> Result<u32, EmuError> {
        match o {
            Operand::Reg(r) => self.reg(r),
            Operand::Imm(i) => Ok(self.constant(i.0 & width_mask(ty))),
        }
    }

    fn push(&mut self, inst: Inst) {
        self.code.push(inst);
        self.text.push(self.cur.clone());
    }

    fn emit_body(&mut self) -> Result<(), EmuError> {
        let f = self.f;
        if f.layout.is_empty() {
            return Err(self.invalid("the function has no blocks".into()));
        }
        // Layout positions; every block appears once.
        let mut pos_of: HashMap<Block, usize> = HashMap::new();
        for (i, &b) in f.layout.iter().enumerate() {
            if f.blocks.get(b).is_none() {
                return Err(self.invalid(format!("the layout lists {b}, which does not exist")));
            }
            if pos_of.insert(b, i).is_some() {
                return Err(self.invalid(format!("the layout lists {b} twice")));
            }
        }
        let target_pos = |d: &Self, t: Block| -> Result<usize, EmuError> {
            pos_of
                .get(&t)
                .copied()
                .ok_or_else(|| d.invalid(format!("a branch goes to {t}, which is not in the layout")))
        };
        // Successors by layout position, for the post-dominators.
        let mut succs = Vec::with_capacity(f.layout.len());
        for &b in &f.layout {
            let Some(term) = &f.blocks[b].term else {
                return Err(self.invalid(format!("{b} has no terminator")));
            };
            let mut s = Vec::new();
            for t in term.successors() {
                s.push(target_pos(self, t)?);
            }
            succs.push(s);
        }
        let ipdom = immediate_post_dominators(&succs);

        let mut start = vec![0usize; f.layout.len()];
        let mut fixups = Vec::new();
        for (pos, &b) in f.layout.iter().enumerate() {
            start[pos] = self.code.len();
            let bd = &f.blocks[b];
            for &i in &bd.insts {
                let Some(data) = f.insts.get(i) else {
                    return Err(self.invalid(format!("{b} lists {i}, which does not exist")));
                };
                self.cur = opcode_text(&data.kind);
                self.inst(&data.kind)?;
            }
            let Some(term) = &bd.term else { continue };
            let next = f.layout.get(pos + 1).copied();
            match *term {
                Terminator::Jump(t) => {
                    if Some(t) != next {
                        self.cur = "bra.uni".into();
                        fixups.push(Fixup::Jump { pc: self.code.len(), target: t });
                        self.push(Inst::Jump { target: 0 });
                    }
                }
                Terminator::Branch { cond, negate, then_dest, else_dest } => {
                    self.cur = "bra".into();
                    if then_dest == else_dest {
                        if Some(then_dest) != next {
                            fixups.push(Fixup::Jump { pc: self.code.len(), target: then_dest });
                            self.push(Inst::Jump { target: 0 });
                        }
                    } else {
                        if self.reg_ty(cond)? != Type::Pred {
                            return Err(self.invalid(format!("{b} branches on {cond}, which is not a predicate")));
                        }
                        let p = self.reg(cond)?;
                        let join = ipdom[pos].filter(|&j| !self.exits_only(f.layout[j]));
                        fixups.push(Fixup::Branch { pc: self.code.len(), then_dest, else_dest, join });
                        self.push(Inst::Branch { p, negate, then_pc: 0, else_pc: 0, join: EXIT });
                    }
                }
                Terminator::Return => {
                    self.cur = "ret".into();
                    self.push(Inst::Exit);
                }
                Terminator::Trap => {
                    self.cur = "trap".into();
                    self.push(Inst::Trap);
                }
            }
        }
        let block_pc = |d: &Self, t: Block| -> Result<u32, EmuError> { Ok(start[target_pos(d, t)?] as u32) };
        for fx in fixups {
            match fx {
                Fixup::Jump { pc, target } => {
                    let t = block_pc(self, target)?;
                    self.code[pc] = Inst::Jump { target: t };
                }
                Fixup::Branch { pc, then_dest, else_dest, join } => {
                    let (tp, ep) = (block_pc(self, then_dest)?, block_pc(self, else_dest)?);
                    if let Inst::Branch { p, negate, .. } = self.code[pc] {
                        let join = join.map_or(EXIT, |j| start[j] as u32);
                        self.code[pc] = Inst::Branch { p, negate, then_pc: tp, else_pc: ep, join };
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `b` does nothing but exit (possibly through empty blocks that only jump). Paths meeting there need
    /// not wait for each other: the threads can exit at once, which is what makes the early-return pattern
    /// (`if (i >= n) return; … __syncthreads();`) work as on the GPU.
    fn exits_only(&self, mut b: Block) -> bool {
        for _ in 0..16 {
            let Some(bd) = self.f.blocks.get(b) else { return false };
            if !bd.insts.is_empty() {
                return false;
            }
            match bd.term {
                Some(Terminator::Return) => return true,
                Some(Terminator::Jump(t)) => b = t,
                _ => return false,
            }
        }
        false
    }

    /// The space, base and offset of an address used by an instruction of `space`.
    fn address(&mut self, a: &Address, space: StateSpace) -> Result<(Space, Base, i64), EmuError> {
        let sp = space_of(space);
        let base = match a.base {
            AddrBase::Reg(r) => Base::Reg(self.reg(r)?),
            AddrBase::Var(v) => {
                let Some(&place) = self.ml.places.get(v.index()) else {
                    return Err(self.invalid(format!("`{}` uses {v}, which does not exist", self.cur)));
                };
                let mismatch = || self.invalid(format!("`{}` accesses {v} through the wrong state space", self.cur));
                match (place, sp) {
                    (VarPlace::Global(i), Space::Global | Space::Generic) => Base::GlobalVar(i),
                    (VarPlace::Shared, Space::Shared | Space::Generic) => {
                        let off = self.shared_off.get(&v.0).copied().unwrap_or(0);
                        Base::Addr(if sp == Space::Generic { SHARED_WINDOW + off } else { off })
                    }
                    (VarPlace::Const(off), Space::Const | Space::Generic) => {
                        Base::Addr(if sp == Space::Generic { CONST_WINDOW + off } else { off })
                    }
                    _ => return Err(mismatch()),
                }
            }
            AddrBase::Param(i) => {
                let Some(p) = self.params.get(i as usize) else {
                    return Err(self.invalid(format!("`{}` reads parameter {i}, which does not exist", self.cur)));
                };
                match sp {
                    Space::Param => Base::Addr(p.offset as u64),
                    Space::Generic => Base::Addr(PARAM_WINDOW + p.offset as u64),
                    _ => return Err(self.invalid(format!("`{}` reads a parameter outside .param", self.cur))),
                }
            }
        };
        Ok((sp, base, a.offset))
    }

    fn inst(&mut self, kind: &InstKind) -> Result<(), EmuError> {
        use InstKind as K;
        match kind {
            K::Mov { ty, dst, src } => {
                let (d, a) = (self.reg(*dst)?, self.op(*src, *ty)?);
                self.push(Inst::Mov { d, a, mask: width_mask(*ty) });
            }
            K::ReadSpecial { dst, sreg } => {
                let d = self.reg(*dst)?;
                self.push(Inst::Special { d, sreg: *sreg });
            }
            K::AddrOf { dst, var } => {
                let d = self.reg(*dst)?;
                let Some(&place) = self.ml.places.get(var.index()) else {
                    return Err(
                        self.invalid(format!("`{}` takes the address of {var}, which does not exist", self.cur))
                    );
                };
                match place {
                    VarPlace::Global(i) => self.push(Inst::GlobalVarAddr { d, var: i }),
                    VarPlace::Shared => {
                        let off = self.shared_off.get(&var.0).copied().unwrap_or(0);
                        let a = self.constant(off);
                        self.push(Inst::Mov { d, a, mask: u64::MAX });
                    }
                    VarPlace::Const(off) => {
                        let a = self.constant(off);
                        self.push(Inst::Mov { d, a, mask: u64::MAX });
                    }
                }
            }
            K::Unary { op, mode, ty, dst, src } => self.unary(*op, *mode, *ty, *dst, *src)?,
            K::Binary { op, mode, ty, dst, a, b } => self.binary(*op, *mode, *ty, *dst, *a, *b)?,
            K::Ternary { op, mode, ty, dst, a, b, c } => self.ternary(*op, *mode, *ty, *dst, *a, *b, *c)?,
            K::Bfi { ty, dst, f, b, pos, len } => {
                let Some(func) = alu::bit_insert(*ty) else {
                    return Err(self.unsupported("bfi takes .b32 or .b64"));
                };
                let d = self.reg(*dst)?;
                let (a, b) = (self.op(*f, *ty)?, self.op(*b, *ty)?);
                let (c, e) = (self.op(*pos, Type::U32)?, self.op(*len, Type::U32)?);
                self.push(Inst::Quad { f: func, d, a, b, c, e });
            }
            K::Setp { cmp, ty, dst, a, b } => {
                let func = match alu::float_format(*ty) {
                    Some((fmt, false)) => alu::float_setp(*cmp, fmt),
                    Some((_, true)) => None,
                    None => alu::int_setp(*cmp, *ty),
                };
                let Some(func) = func else {
                    return Err(self.unsupported("no such comparison for this type"));
                };
                let d = self.reg(*dst)?;
                let (a, b) = (self.op(*a, *ty)?, self.op(*b, *ty)?);
                self.push(Inst::Bin { f: func, d, a, b });
            }
            K::Selp { ty, dst, a, b, cond } => {
                let d = self.reg(*dst)?;
                let (a, b, p) = (self.op(*a, *ty)?, self.op(*b, *ty)?, self.reg(*cond)?);
                self.push(Inst::Selp { d, a, b, p, mask: width_mask(*ty) });
            }
            K::Cvt { mode, sat, dst_ty, src_ty, dst, src } => {
                let reg_bits = self.reg_ty(*dst)?.reg_class().bits();
                let Some(spec) = CvtSpec::new(*mode, *sat, *dst_ty, *src_ty, reg_bits) else {
                    return Err(self.unsupported("no such conversion"));
                };
                let (d, a) = (self.reg(*dst)?, self.op(*src, *src_ty)?);
                self.push(Inst::Cvt { spec, d, a });
            }
            K::Cvta { to_generic, space, dst, src } => {
                if matches!(space, StateSpace::Generic) {
                    return Err(self.invalid("cvta needs a state space".into()));
                }
                let (d, a) = (self.reg(*dst)?, self.reg(*src)?);
                if *space == StateSpace::Global {
                    // Global addresses are generic addresses.
                    self.push(Inst::Mov { d, a, mask: u64::MAX });
                } else {
                    self.push(Inst::Cvta { d, a, to_generic: *to_generic, space: space_of(*space) });
                }
            }
            K::Ld { access, dsts, addr } => {
                if dsts.len() != access.vec.count() {
                    return Err(self.invalid(format!("`{}` has {} destinations", self.cur, dsts.len())));
                }
                if access.ty == Type::Pred {
                    return Err(self.unsupported("predicates cannot be loaded"));
                }
                let (space, base, offset) = self.address(addr, access.space)?;
                let mut regs = [NO_SLOT; 4];
                for (slot, &r) in regs.iter_mut().zip(dsts) {
                    *slot = self.reg(r)?;
                }
                let reg_bits = self.reg_ty(dsts[0])?.reg_class().bits().max(access.ty.bits());
                let m = MemOp {
                    space,
                    base,
                    offset,
                    elem: access.ty.size(),
                    count: dsts.len() as u32,
                    sext: if access.ty.is_signed() { access.ty.bits() } else { 0 },
                    reg_mask: if reg_bits >= 64 { u64::MAX } else { (1u64 << reg_bits) - 1 },
                    regs,
                    acquire: matches!(access.order, MemOrder::Acquire(_)),
                    release: false,
                };
                self.mem.push(m);
                self.push(Inst::Ld(self.mem.len() as u32 - 1));
            }
            K::St { access, addr, srcs } => {
                if srcs.len() != access.vec.count() {
                    return Err(self.invalid(format!("`{}` has {} sources", self.cur, srcs.len())));
                }
                if access.ty == Type::Pred {
                    return Err(self.unsupported("predicates cannot be stored"));
                }
                if matches!(access.space, StateSpace::Param | StateSpace::Const) {
                    return Err(self.unsupported("kernel parameters and constants are read-only"));
                }
                let (space, base, offset) = self.address(addr, access.space)?;
                let mut regs = [NO_SLOT; 4];
                for (slot, &s) in regs.iter_mut().zip(srcs) {
                    *slot = self.op(s, access.ty)?;
                }
                let m = MemOp {
                    space,
                    base,
                    offset,
                    elem: access.ty.size(),
                    count: srcs.len() as u32,
                    sext: 0,
                    reg_mask: u64::MAX,
                    regs,
                    acquire: false,
                    release: matches!(access.order, MemOrder::Release(_)),
                };
                self.mem.push(m);
                self.push(Inst::St(self.mem.len() as u32 - 1));
            }
            K::Atom { op, space, order, scope: _, ty, dst, addr, src, cmp } => {
                self.atom(*op, *space, *order, *ty, *dst, addr, *src, *cmp)?;
            }
            K::Bar { op, id, count } => {
                let arrive = *op == ptx_gen::BarOp::Arrive;
                if arrive && count.is_none() {
                    return Err(self.invalid("bar.arrive needs a thread count".into()));
                }
                let id = self.op(*id, Type::U32)?;
                let count = match count {
                    Some(c) => self.op(*c, Type::U32)?,
                    None => NO_SLOT,
                };
                self.push(Inst::Bar { arrive, id, count });
            }
            K::WarpSync { mask } => {
                let mask = self.op(*mask, Type::U32)?;
                self.push(Inst::WarpSync { mask });
            }
            K::Fence { scope, .. } => {
                // A block runs on one host thread: CTA-scope ordering holds by construction.
                if *scope != Scope::Cta {
                    self.push(Inst::Fence);
                }
            }
            K::Shfl { mode, dst, pred, src, lane, clamp, mask } => {
                let d = self.reg(*dst)?;
                let p = match pred {
                    Some(p) => self.reg(*p)?,
                    None => NO_SLOT,
                };
                let a = self.op(*src, Type::B32)?;
                let lane = self.op(*lane, Type::U32)?;
                let clamp = self.op(*clamp, Type::U32)?;
                let mask = self.op(*mask, Type::U32)?;
                self.push(Inst::Shfl { mode: *mode, d, p, a, lane, clamp, mask });
            }
            K::Vote { mode, dst, src, negate, mask } => {
                let (d, a) = (self.reg(*dst)?, self.reg(*src)?);
                let mask = self.op(*mask, Type::U32)?;
                self.push(Inst::Vote { mode: *mode, d, a, negate: *negate, mask });
            }
            K::ActiveMask { dst } => {
                let d = self.reg(*dst)?;
                self.push(Inst::ActiveMask { d });
            }
            K::Call { .. } => return Err(self.invalid("a call survived inlining".into())),
            K::Asm { .. } => {
                return Err(self.unsupported("inline PTX is run only after the PTX reader turns it into instructions"))
            }
            K::CvtPack { .. }
            | K::Mma { .. }
            | K::LdMatrix { .. }
            | K::StMatrix { .. }
            | K::CpAsync { .. }
            | K::CpAsyncCommit
            | K::CpAsyncWait { .. } => return Err(self.unsupported("the emulator does not run this instruction yet")),
        }
        Ok(())
    }

    fn float(&mut self, f: FloatFn, fmt: Fmt, packed: bool, d: Reg, srcs: &[(Operand, Type)]) -> Result<(), EmuError> {
        let d = self.reg(d)?;
        let mut s = [0u32; 3];
        for (i, &(o, ty)) in srcs.iter().enumerate() {
            s[i] = self.op(o, ty)?;
        }
        // Unused operands point at a valid slot (the destination) so the lane loop reads in bounds.
        for slot in s.iter_mut().skip(srcs.len()) {
            *slot = d;
        }
        self.push(Inst::Float { f, fmt, packed, d, a: s[0], b: s[1], c: s[2] });
        Ok(())
    }

    fn unary(&mut self, op: UnOp, mode: Mode, ty: Type, dst: Reg, src: Operand) -> Result<(), EmuError> {
        let Some((fmt, packed)) = alu::float_format(ty) else {
            if mode != Mode::None {
                return Err(self.unsupported("integer instructions take no rounding mode"));
            }
            let Some(f) = alu::int_unary(op, ty) else {
                return Err(self.unsupported("no such operation for this type"));
            };
            let (d, a) = (self.reg(dst)?, self.op(src, ty)?);
            self.push(Inst::Un { f, d, a });
            return Ok(());
        };
        let approx =
            |a: Approx| -> Option<FloatFn> { matches!(mode, Mode::Approx | Mode::None).then_some(FloatFn::Approx(a)) };
        let func = match op {
            UnOp::Neg | UnOp::Abs => {
                if !packed {
                    if let Some(f) = alu::float_unary_fast(op, fmt) {
                        let (d, a) = (self.reg(dst)?, self.op(src, ty)?);
                        self.push(Inst::Un { f, d, a });
                        return Ok(());
                    }
                }
                Some(FloatFn::NegAbs(op == UnOp::Abs))
            }
            UnOp::Sqrt | UnOp::Rcp if mode == Mode::Approx => {
                Some(FloatFn::Approx(if op == UnOp::Sqrt { Approx::Sqrt } else { Approx::Rcp }))
            }
            UnOp::Sqrt | UnOp::Rcp => {
                let Some(r) = round_of(mode) else {
                    return Err(self.unsupported("no such rounding mode"));
                };
                if op == UnOp::Sqrt && r == Round::Rn && !packed {
                    if let Some(f) = alu::float_unary_fast(op, fmt) {
                        let (d, a) = (self.reg(dst)?, self.op(src, ty)?);
                        self.push(Inst::Un { f, d, a });
                        return Ok(());
                    }
                }
                Some(FloatFn::Arith(if op == UnOp::Sqrt { FOp::Sqrt } else { FOp::Rcp }, r))
            }
            UnOp::Rsqrt => approx(Approx::Rsqrt),
            UnOp::Ex2 => approx(Approx::Ex2),
            UnOp::Lg2 => approx(Approx::Lg2),
            UnOp::Sin => approx(Approx::Sin),
            UnOp::Cos => approx(Approx::Cos),
            UnOp::Tanh => approx(Approx::Tanh),
            UnOp::Not | UnOp::Popc | UnOp::Clz | UnOp::Brev => None,
        };
        let Some(func) = func else {
            return Err(self.unsupported("no such operation for this type and mode"));
        };
        self.float(func, fmt, packed, dst, &[(src, ty)])
    }

    fn binary(&mut self, op: BinOp, mode: Mode, ty: Type, dst: Reg, a: Operand, b: Operand) -> Result<(), EmuError> {
        let Some((fmt, packed)) = alu::float_format(ty) else {
            let Some(f) = alu::int_binary(op, mode, ty) else {
                return Err(self.unsupported("no such operation for this type and mode"));
            };
            let b_ty = if matches!(op, BinOp::Shl | BinOp::Shr) { Type::U32 } else { ty };
            let d = self.reg(dst)?;
            let (a, b) = (self.op(a, ty)?, self.op(b, b_ty)?);
            self.push(Inst::Bin { f, d, a, b });
            return Ok(());
        };
        let func = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let fop = match op {
                    BinOp::Add => FOp::Add,
                    BinOp::Sub => FOp::Sub,
                    BinOp::Mul => FOp::Mul,
                    _ => FOp::Div,
                };
                match mode {
                    Mode::Approx | Mode::Full if op == BinOp::Div => FloatFn::DivApprox,
                    // `.approx` add/mul do not exist; an unqualified one rounds to nearest (without fusion).
                    m => match round_of(m) {
                        Some(r) => {
                            if r == Round::Rn && !packed {
                                if let Some(f) = alu::float_binary_fast(op, fmt) {
                                    let d = self.reg(dst)?;
                                    let (a, b) = (self.op(a, ty)?, self.op(b, ty)?);
                                    self.push(Inst::Bin { f, d, a, b });
                                    return Ok(());
                                }
                            }
                            FloatFn::Arith(fop, r)
                        }
                        None => return Err(self.unsupported("no such rounding mode")),
                    },
                }
            }
            BinOp::Min | BinOp::Max => {
                if !packed {
                    if let Some(f) = alu::float_binary_fast(op, fmt) {
                        let d = self.reg(dst)?;
                        let (a, b) = (self.op(a, ty)?, self.op(b, ty)?);
                        self.push(Inst::Bin { f, d, a, b });
                        return Ok(());
                    }
                }
                FloatFn::MinMax(op == BinOp::Max)
            }
            _ => return Err(self.unsupported("no such operation for floats")),
        };
        self.float(func, fmt, packed, dst, &[(a, ty), (b, ty)])
    }

    #[allow(clippy::too_many_arguments)]
    fn ternary(
        &mut self,
        op: TernOp,
        mode: Mode,
        ty: Type,
        dst: Reg,
        a: Operand,
        b: Operand,
        c: Operand,
    ) -> Result<(), EmuError> {
        if let Some((fmt, packed)) = alu::float_format(ty) {
            if op == TernOp::Bfe {
                return Err(self.unsupported("bfe takes integer types"));
            }
            // `mad.rn.f32` is `fma.rn.f32`.
            let Some(r) = round_of(mode) else {
                return Err(self.unsupported("no such rounding mode"));
            };
            if r == Round::Rn && !packed {
                if let Some(f) = alu::fma_fast(fmt) {
                    let d = self.reg(dst)?;
                    let (a, b, c) = (self.op(a, ty)?, self.op(b, ty)?, self.op(c, ty)?);
                    self.push(Inst::Tern { f, d, a, b, c });
                    return Ok(());
                }
            }
            return self.float(FloatFn::Arith(FOp::Fma, r), fmt, packed, dst, &[(a, ty), (b, ty), (c, ty)]);
        }
        if op == TernOp::Fma {
            return Err(self.unsupported("fma takes float types"));
        }
        let Some(f) = alu::int_ternary(op, mode, ty) else {
            return Err(self.unsupported("no such operation for this type and mode"));
        };
        let (b_ty, c_ty) = match (op, mode) {
            (TernOp::Bfe, _) => (Type::U32, Type::U32),
            (_, Mode::Wide) => (ty, ty.widened().unwrap_or(ty)),
            _ => (ty, ty),
        };
        let d = self.reg(dst)?;
        let (a, b, c) = (self.op(a, ty)?, self.op(b, b_ty)?, self.op(c, c_ty)?);
        self.push(Inst::Tern { f, d, a, b, c });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn atom(
        &mut self,
        op: ptx_gen::AtomOp,
        space: StateSpace,
        order: MemOrder,
        ty: Type,
        dst: Option<Reg>,
        addr: &Address,
        src: Operand,
        cmp: Option<Operand>,
    ) -> Result<(), EmuError> {
        use ptx_gen::AtomOp as A;
        if !matches!(space, StateSpace::Global | StateSpace::Shared | StateSpace::Generic) {
            return Err(self.unsupported("atomics work on global, shared or generic addresses"));
        }
        let aty = match ty {
            Type::U32 | Type::U64 | Type::B32 | Type::B64 | Type::B16 | Type::U16 => AtomTy::Unsigned,
            Type::S32 | Type::S64 => AtomTy::Signed,
            Type::F16 | Type::BF16 | Type::F32 | Type::F64 => match alu::float_format(ty) {
                Some((fmt, _)) => AtomTy::Float(fmt),
                None => return Err(self.unsupported("no such atomic type")),
            },
            Type::F16x2 => AtomTy::Packed(Fmt::F16),
            Type::BF16x2 => AtomTy::Packed(Fmt::BF16),
            _ => return Err(self.unsupported("no such atomic type")),
        };
        let ok = match op {
            A::Add | A::Min | A::Max => true,
            A::Inc | A::Dec => aty == AtomTy::Unsigned,
            A::And | A::Or | A::Xor | A::Exch | A::Cas => !matches!(aty, AtomTy::Packed(_)),
        };
        let size = ty.size();
        if !ok || (size == 2 && !matches!(op, A::Cas | A::Exch | A::Add | A::Min | A::Max)) {
            return Err(self.unsupported("no such atomic operation for this type"));
        }
        if (op == A::Cas) != cmp.is_some() {
            return Err(self.invalid(format!("`{}`: an expected value is given exactly for cas", self.cur)));
        }
        let (space, base, offset) = self.address(addr, space)?;
        let dst = match dst {
            Some(r) => self.reg(r)?,
            None => NO_SLOT,
        };
        let src = self.op(src, ty)?;
        let cmp = match cmp {
            Some(c) => self.op(c, ty)?,
            None => src,
        };
        let (acquire, release) = match order {
            MemOrder::Acquire(_) => (true, false),
            MemOrder::Release(_) => (false, true),
            MemOrder::AcqRel(_) => (true, true),
            _ => (false, false),
        };
        self.atoms.push(AtomicOp { space, base, offset, op, ty: aty, size, dst, src, cmp, acquire, release });
        self.push(Inst::Atom(self.atoms.len() as u32 - 1));
        Ok(())
    }
}
