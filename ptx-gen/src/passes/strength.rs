//! Strength reduction of integer division: what ptxas would otherwise compile into a call of its 64-bit division
//! routine (dozens of instructions) or a 32-bit division sequence.
//!
//! | before | after | when |
//! |---|---|---|
//! | `div.u64 d, a, 2^k` | `shr.u64 d, a, k` | always (also `.u32`; `.s` when `a` is known non-negative) |
//! | `rem.u64 d, a, 2^k` | `and.b64 d, a, 2^k − 1` | as above |
//! | `div.u64 d, a, b` / `rem` | `cvt.u32.u64` both, `div.u32`, `cvt.u64.u32 d` | `a` and `b` known below 2^32 |
//!
//! "Known" is [`super::range`]'s analysis: `usize` index arithmetic in kernels starts from 32-bit special
//! registers and parameters, so a `tid / 32` or `i % width` on `usize` usually has 32-bit operands. Division by
//! zero is left alone (its result is whatever the hardware gives, and the frontend checks it before anyway).

use super::range::{Range, Ranges};
use super::util;
use crate::inst::*;
use crate::ir::{Function, InstData};
use crate::types::Type;
use crate::verify::check_inst_kind;

/// Reduces what it can; returns whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let ranges = Ranges::compute(func);
    let mut changed = false;
    for bi in 0..func.layout.len() {
        let blk = func.layout[bi];
        let mut idx = 0;
        while idx < func.blocks[blk].insts.len() {
            let inst = func.blocks[blk].insts[idx];
            let InstKind::Binary { op: op @ (BinOp::Div | BinOp::Rem), mode, ty, dst, a, b } = func.insts[inst].kind
            else {
                idx += 1;
                continue;
            };
            if !(ty.is_int() && matches!(ty.bits(), 32 | 64)) {
                idx += 1;
                continue;
            }
            let w = ty.bits();
            let (ra, rb) = (ranges.of(a, w), ranges.of(b, w));
            let unsigned_reading = !ty.is_signed() || (ra.non_negative(w) && rb.non_negative(w));
            if !unsigned_reading || rb.contains(0) {
                idx += 1;
                continue;
            }
            // By a power of two: a shift or a mask.
            if let Operand::Imm(Imm(d)) = b {
                let d = d & if w == 64 { u64::MAX } else { (1 << w) - 1 };
                if d.is_power_of_two() {
                    let k = d.trailing_zeros() as u64;
                    let new = if op == BinOp::Div {
                        InstKind::Binary { op: BinOp::Shr, mode, ty, dst, a, b: Operand::Imm(Imm(k)) }
                    } else {
                        InstKind::Binary { op: BinOp::And, mode, ty: ty.to_bits(), dst, a, b: Operand::Imm(Imm(d - 1)) }
                    };
                    if check_inst_kind(func, None, &new).is_ok() {
                        func.insts[inst].kind = new;
                        changed = true;
                    }
                    idx += 1;
                    continue;
                }
            }
            // 64-bit operands that fit in 32 bits: a 32-bit division.
            if w == 64 && fits_u32(ra) && fits_u32(rb) {
                if let Some(n) = narrow(func, blk, idx, op, mode, dst, a, b) {
                    changed = true;
                    idx += n;
                    continue;
                }
            }
            idx += 1;
        }
    }
    changed
}

fn fits_u32(r: Range) -> bool {
    r.hi <= u32::MAX as u64
}

/// Replaces the 64-bit division at `blk`'s instruction `idx` with a 32-bit one between conversions; returns how
/// many instructions now stand where it stood.
#[allow(clippy::too_many_arguments)]
fn narrow(
    func: &mut Function,
    blk: crate::inst::Block,
    idx: usize,
    op: BinOp,
    mode: Mode,
    dst: Reg,
    a: Operand,
    b: Operand,
) -> Option<usize> {
    let inst = func.blocks[blk].insts[idx];
    let loc = func.insts[inst].loc;
    let mut seq: Vec<InstKind> = Vec::new();
    let to_u32 = |func: &mut Function, o: Operand, seq: &mut Vec<InstKind>| match o {
        Operand::Imm(Imm(v)) => Operand::Imm(Imm(v)),
        Operand::Reg(_) => {
            let r = func.new_reg(Type::U32);
            seq.push(InstKind::Cvt {
                mode: CvtMode::None,
                sat: false,
                dst_ty: Type::U32,
                src_ty: Type::U64,
                dst: r,
                src: o,
            });
            Operand::Reg(r)
        }
    };
    let a32 = to_u32(func, a, &mut seq);
    let b32 = to_u32(func, b, &mut seq);
    let q = func.new_reg(Type::U32);
    seq.push(InstKind::Binary { op, mode, ty: Type::U32, dst: q, a: a32, b: b32 });
    seq.push(InstKind::Cvt {
        mode: CvtMode::None,
        sat: false,
        dst_ty: Type::U64,
        src_ty: Type::U32,
        dst,
        src: Operand::Reg(q),
    });
    if seq.iter().any(|k| check_inst_kind(func, None, k).is_err()) {
        return None;
    }
    let n = seq.len();
    let mut ids = Vec::with_capacity(n);
    let mut seq = seq.into_iter();
    // The last instruction (the one defining `dst`) reuses the original's id.
    for kind in seq.by_ref().take(n - 1) {
        ids.push(func.insts.push(InstData { kind, loc }));
    }
    func.insts[inst].kind = seq.next()?;
    ids.push(inst);
    func.blocks[blk].insts.splice(idx..=idx, ids);
    Some(n)
}
