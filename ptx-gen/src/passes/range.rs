//! Value-range analysis of 32- and 64-bit integer registers, and the pass that uses it to decide comparisons:
//! `setp` whose outcome the ranges of its operands fix becomes `mov.pred dst, 0|1` (constant folding then turns a
//! branch on it into a jump, and the CFG pass drops the dead side).
//!
//! Its main customer is the frontend's bounds checks: `tile[ty * 4 + 64]` with `ty = tid.x / 16` in a kernel with
//! `.maxntid 256` is checked as `setp.ge.u64 %p, %rd, 1024`, and the ranges prove `%rd ≤ 127`. Division and
//! narrowing in [`super::strength`] use the same facts.
//!
//! The analysis is flow-insensitive: a register's range is the union of what every assignment to it can produce,
//! computed as a fixed point over all instructions (so it holds at every read, whatever the path, because the
//! verifier guarantees definite assignment). A range is an interval of the register's bits read as an unsigned
//! number; signed operations are modelled only where their operands are known to be non-negative, where they agree
//! with the unsigned ones. Sources of facts: immediates, the special registers (`%tid` is below the kernel's
//! `.maxntid` or `.reqntid`, else below 1024; `%ctaid.y` below 65535, …), and the arithmetic on them. Loads,
//! parameters, shuffles, calls and inline PTX are unknown (the whole type). A register whose range keeps growing
//! around a loop is widened to the whole type after a few rounds, which ends the iteration.
//!
//! The launch limits it relies on are enforced on both backends: the runtime refuses a block larger than the
//! kernel's `.maxntid` and any launch the hardware would refuse (more than 1024 threads per block, a grid over
//! 2^31 − 1 blocks in x or 65535 in y and z) before anything runs.

use super::util;
use crate::cfg::visit_regs;
use crate::entity::EntityRef;
use crate::inst::*;
use crate::ir::{FuncKind, Function};
use crate::types::Type;
use crate::verify::check_inst_kind;

/// The values a register can hold: `lo ..= hi`, its bits read as an unsigned number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub lo: u64,
    pub hi: u64,
}

impl Range {
    /// Exactly `v`.
    pub fn exact(v: u64) -> Range {
        Range { lo: v, hi: v }
    }
    /// Every value of a `bits`-wide integer.
    pub fn full(bits: u32) -> Range {
        Range { lo: 0, hi: max_of(bits) }
    }
    /// `lo ..= hi` from 128-bit bounds, or every value when `hi` does not fit in `bits`.
    fn within(lo: u128, hi: u128, bits: u32) -> Range {
        if hi > max_of(bits) as u128 || lo > hi {
            Range::full(bits)
        } else {
            Range { lo: lo as u64, hi: hi as u64 }
        }
    }
    /// The smallest range holding both.
    pub fn join(self, o: Range) -> Range {
        Range { lo: self.lo.min(o.lo), hi: self.hi.max(o.hi) }
    }
    /// Whether every value is below 2^(bits − 1): the signed reading equals the unsigned one.
    pub fn non_negative(self, bits: u32) -> bool {
        self.hi < 1u64 << (bits - 1)
    }
    /// Whether `v` is in the range.
    pub fn contains(self, v: u64) -> bool {
        self.lo <= v && v <= self.hi
    }
}

fn max_of(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Whether the analysis tracks values of this type (32- and 64-bit integers and bit types).
fn tracked(ty: Type) -> bool {
    matches!(ty, Type::U32 | Type::S32 | Type::B32 | Type::U64 | Type::S64 | Type::B64)
}

/// How many times a register's range may grow before it is widened to its whole type.
const WIDEN_AFTER: u8 = 4;

/// The range of every register of a function.
pub struct Ranges {
    regs: Vec<Option<Range>>,
    bits: Vec<u32>,
}

impl Ranges {
    /// Analyses `func` (which should verify; on anything else the ranges are still sound per instruction but reads
    /// before assignment are not accounted for).
    pub fn compute(func: &Function) -> Ranges {
        let n = func.regs.len();
        let bits: Vec<u32> = func.regs.values().map(|r| if tracked(r.ty) { r.ty.bits() } else { 0 }).collect();
        let mut ranges = Ranges { regs: vec![None; n], bits };
        // Device-function parameters are assigned by the caller: unknown.
        if func.kind == FuncKind::Device {
            for p in func.params.iter().filter_map(|p| p.reg) {
                if let Some(w) = ranges.bits.get(p.index()).copied().filter(|&w| w > 0) {
                    ranges.regs[p.index()] = Some(Range::full(w));
                }
            }
        }
        let limits = LaunchLimits::of(func);
        let mut grown = vec![0u8; n];
        let mut results: Vec<(Reg, Option<Range>)> = Vec::new();
        loop {
            let mut changed = false;
            for &b in &func.layout {
                let Some(data) = func.blocks.get(b) else {
                    continue;
                };
                for &i in &data.insts {
                    let Some(inst) = func.insts.get(i) else {
                        continue;
                    };
                    results.clear();
                    ranges.transfer(&inst.kind, &limits, &mut results);
                    for &(r, new) in &results {
                        let idx = r.index();
                        let w = match ranges.bits.get(idx) {
                            Some(&w) if w > 0 => w,
                            _ => continue,
                        };
                        // An operand not assigned yet in this iteration: nothing to add now.
                        let Some(new) = new else { continue };
                        let new = if new.hi > max_of(w) { Range::full(w) } else { new };
                        let old = ranges.regs[idx];
                        let joined = old.map_or(new, |o| o.join(new));
                        if old != Some(joined) {
                            grown[idx] = grown[idx].saturating_add(1);
                            ranges.regs[idx] = Some(if grown[idx] > WIDEN_AFTER { Range::full(w) } else { joined });
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        ranges
    }

    /// The range of `op` read as a `bits`-wide integer; the whole type when unknown.
    pub fn of(&self, op: Operand, bits: u32) -> Range {
        self.get(op, bits).unwrap_or(Range::full(bits))
    }

    /// As [`Ranges::of`], but `None` for a register no assignment has reached yet (during the fixed point).
    fn get(&self, op: Operand, bits: u32) -> Option<Range> {
        match op {
            Operand::Imm(v) => Some(Range::exact(v.0 & max_of(bits))),
            Operand::Reg(r) => {
                let w = self.bits.get(r.index()).copied().unwrap_or(0);
                if w == 0 {
                    return Some(Range::full(bits));
                }
                let got = (*self.regs.get(r.index())?)?;
                // Read at another width: the low bits of the register.
                Some(if got.hi <= max_of(bits) { got } else { Range::full(bits) })
            }
        }
    }

    /// What `kind` may assign to each register it defines (`None`: an operand has no range yet).
    fn transfer(&self, kind: &InstKind, limits: &LaunchLimits, out: &mut Vec<(Reg, Option<Range>)>) {
        use InstKind::*;
        let computed = match *kind {
            Mov { ty, dst, src } if tracked(ty) => Some((dst, self.get(src, ty.bits()))),
            ReadSpecial { dst, sreg } => Some((dst, Some(limits.special(sreg)))),
            Selp { ty, dst, a, b, .. } if tracked(ty) => {
                let w = ty.bits();
                Some((dst, self.get(a, w).zip(self.get(b, w)).map(|(a, b)| a.join(b))))
            }
            Binary { op, mode, ty, dst, a, b } if tracked(ty) || mode == Mode::Wide => {
                Some((dst, self.binary(op, mode, ty, a, b)))
            }
            Ternary { op: TernOp::Mad, mode, ty, dst, a, b, c } => Some((dst, self.mad(mode, ty, a, b, c))),
            Unary { op: UnOp::Popc | UnOp::Clz, ty, dst, .. } if ty.is_int() || ty.is_bits() => {
                Some((dst, Some(Range { lo: 0, hi: ty.bits() as u64 })))
            }
            Cvt { mode: CvtMode::None, sat, dst_ty, src_ty, dst, src }
                if (dst_ty.is_int() || dst_ty.is_bits()) && (src_ty.is_int() || src_ty.is_bits()) =>
            {
                Some((dst, self.get(src, src_ty.bits()).map(|r| convert(r, sat, dst_ty, src_ty))))
            }
            _ => None,
        };
        match computed {
            Some((dst, r)) => out.push((dst, r)),
            // Anything else: every register it defines may hold anything.
            None => visit_regs(kind, |r, is_def| {
                if is_def {
                    out.push((r, Some(Range::full(64))));
                }
            }),
        }
    }

    fn binary(&self, op: BinOp, mode: Mode, ty: Type, a: Operand, b: Operand) -> Option<Range> {
        let w = ty.bits();
        // Shift amounts are always `.u32`.
        let bw = if matches!(op, BinOp::Shl | BinOp::Shr) { 32 } else { w };
        Some(binary(op, mode, ty, self.get(a, w)?, self.get(b, bw)?))
    }

    fn mad(&self, mode: Mode, ty: Type, a: Operand, b: Operand, c: Operand) -> Option<Range> {
        let w = ty.bits();
        let rw = if mode == Mode::Wide { 2 * w } else { w };
        Some(mad(mode, ty, self.get(a, w)?, self.get(b, w)?, self.get(c, rw)?))
    }
}

/// The range of `op.mode.ty a, b` for operands in `a` and `b` (the whole result type when unknown). The result of
/// `.wide` is twice as wide as `ty`; for shifts `b` is the `.u32` amount.
pub fn binary(op: BinOp, mode: Mode, ty: Type, a: Range, b: Range) -> Range {
    let w = ty.bits();
    let rw = if mode == Mode::Wide { 2 * w } else { w };
    if !(ty.is_int() || ty.is_bits()) || w < 32 {
        return Range::full(rw.min(64));
    }
    let bw = if matches!(op, BinOp::Shl | BinOp::Shr) { 32 } else { w };
    let signed = ty.is_signed();
    let both_non_negative = a.non_negative(w) && b.non_negative(bw);
    let (al, ah, bl, bh) = (a.lo as u128, a.hi as u128, b.lo as u128, b.hi as u128);
    let full = Range::full(rw);
    if mode == Mode::Wide && op != BinOp::Mul {
        return full;
    }
    match op {
        BinOp::Add => Range::within(al + bl, ah + bh, w),
        BinOp::Sub if a.lo >= b.hi => Range { lo: a.lo - b.hi, hi: a.hi - b.lo },
        BinOp::Mul => match mode {
            Mode::Wide if !signed || both_non_negative => Range::within(al * bl, ah * bh, rw),
            Mode::Lo | Mode::None => Range::within(al * bl, ah * bh, w),
            _ => full,
        },
        BinOp::Div if (!signed || both_non_negative) && b.lo > 0 => Range { lo: a.lo / b.hi, hi: a.hi / b.lo },
        BinOp::Rem if (!signed || both_non_negative) && b.lo > 0 => {
            if a.hi < b.lo {
                a
            } else {
                Range { lo: 0, hi: a.hi.min(b.hi - 1) }
            }
        }
        BinOp::Min if !signed || both_non_negative => Range { lo: a.lo.min(b.lo), hi: a.hi.min(b.hi) },
        BinOp::Max if !signed || both_non_negative => Range { lo: a.lo.max(b.lo), hi: a.hi.max(b.hi) },
        BinOp::And => Range { lo: 0, hi: a.hi.min(b.hi) },
        BinOp::Or | BinOp::Xor => {
            let top = max_of(64 - (a.hi | b.hi).leading_zeros());
            let lo = if op == BinOp::Or { a.lo.max(b.lo) } else { 0 };
            Range { lo, hi: top }
        }
        BinOp::Shl => {
            if b.lo >= w as u64 {
                Range::exact(0)
            } else if b.hi >= w as u64 {
                full
            } else {
                Range::within(al << bl, ah << bh, w)
            }
        }
        BinOp::Shr if !signed || a.non_negative(w) => {
            let sh = |v: u64, s: u64| if s >= w as u64 { 0 } else { v >> s };
            Range { lo: sh(a.lo, b.hi), hi: sh(a.hi, b.lo) }
        }
        _ => full,
    }
}

/// The range of `mad.mode.ty a, b, c` (`.lo` or `.wide`; `c` is as wide as the result).
pub fn mad(mode: Mode, ty: Type, a: Range, b: Range, c: Range) -> Range {
    let w = ty.bits();
    let rw = if mode == Mode::Wide { 2 * w } else { w };
    if !ty.is_int() || w < 32 {
        return Range::full(rw.min(64));
    }
    if ty.is_signed() && !(a.non_negative(w) && b.non_negative(w) && c.non_negative(rw)) {
        return Range::full(rw);
    }
    match mode {
        Mode::Lo | Mode::None | Mode::Wide => {
            Range::within(a.lo as u128 * b.lo as u128 + c.lo as u128, a.hi as u128 * b.hi as u128 + c.hi as u128, rw)
        }
        _ => Range::full(rw),
    }
}

/// The range of an integer conversion (`cvt{.sat}.dst.src`, no rounding mode) of a value in `r`.
pub fn convert(r: Range, sat: bool, dst: Type, src: Type) -> Range {
    let (sw, dw) = (src.bits(), dst.bits());
    let fits_dst = if dst.is_signed() && sat { r.non_negative(dw) } else { r.hi <= max_of(dw) };
    // A value that is non-negative in the source and representable in the destination converts to itself,
    // whatever the signedness and saturation.
    let non_negative_src = !src.is_signed() || r.non_negative(sw);
    if non_negative_src && fits_dst {
        return r;
    }
    if dw < 32 {
        return Range::full(64);
    }
    Range::full(dw)
}

/// What the launch configuration bounds: the special registers' ranges.
struct LaunchLimits {
    /// The most threads per block (`.reqntid` product, `.maxntid`, or the hardware's 1024).
    max_threads: u64,
}

impl LaunchLimits {
    fn of(func: &Function) -> LaunchLimits {
        let a = &func.attrs;
        let req = a.required_threads.map(|(x, y, z)| x as u64 * y as u64 * z as u64);
        let max = [req, a.max_threads.map(u64::from)].into_iter().flatten().min().unwrap_or(1024);
        LaunchLimits { max_threads: max.clamp(1, 1024) }
    }

    fn special(&self, sreg: SpecialReg) -> Range {
        const GRID_X: u64 = (1 << 31) - 1;
        const GRID_YZ: u64 = 65535;
        match sreg {
            SpecialReg::Tid(_) => Range { lo: 0, hi: self.max_threads - 1 },
            SpecialReg::Ntid(_) => Range { lo: 1, hi: self.max_threads },
            SpecialReg::Ctaid(Dim::X) => Range { lo: 0, hi: GRID_X - 1 },
            SpecialReg::Ctaid(_) => Range { lo: 0, hi: GRID_YZ - 1 },
            SpecialReg::Nctaid(Dim::X) => Range { lo: 1, hi: GRID_X },
            SpecialReg::Nctaid(_) => Range { lo: 1, hi: GRID_YZ },
            SpecialReg::LaneId => Range { lo: 0, hi: 31 },
            s => Range::full(s.ty().bits()),
        }
    }
}

/// The outcome of `a cmp b` on integers in these ranges, if they fix it.
pub fn decide(cmp: CmpOp, a: Range, b: Range) -> Option<bool> {
    use CmpOp::*;
    let lt = |x: Range, y: Range| {
        if x.hi < y.lo {
            Some(true)
        } else if x.lo >= y.hi {
            Some(false)
        } else {
            None
        }
    };
    match cmp {
        Lt | Lo => lt(a, b),
        Ge | Hs => lt(a, b).map(|t| !t),
        Gt | Hi => lt(b, a),
        Le | Ls => lt(b, a).map(|t| !t),
        Eq | Ne => {
            let eq = if a.hi < b.lo || b.hi < a.lo {
                Some(false)
            } else if a.lo == a.hi && b.lo == b.hi {
                Some(true)
            } else {
                None
            };
            eq.map(|e| e == (cmp == Eq))
        }
        _ => None,
    }
}

/// Replaces each integer `setp` whose outcome the operands' ranges decide with `mov.pred dst, 0|1`; returns
/// whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let ranges = Ranges::compute(func);
    let mut changed = false;
    for bi in 0..func.layout.len() {
        let b = func.layout[bi];
        for idx in 0..func.blocks[b].insts.len() {
            let inst = func.blocks[b].insts[idx];
            let InstKind::Setp { cmp, ty, dst, a, b: rhs } = func.insts[inst].kind else {
                continue;
            };
            if !tracked(ty) {
                continue;
            }
            let w = ty.bits();
            let (ra, rb) = (ranges.of(a, w), ranges.of(rhs, w));
            if ty.is_signed() && !(ra.non_negative(w) && rb.non_negative(w)) {
                continue;
            }
            let Some(outcome) = decide(cmp, ra, rb) else {
                continue;
            };
            let new = InstKind::Mov { ty: Type::Pred, dst, src: Operand::Imm(Imm(outcome as u64)) };
            if check_inst_kind(func, None, &new).is_ok() {
                func.insts[inst].kind = new;
                changed = true;
            }
        }
    }
    changed
}
