//! Strength reduction of integer division: what ptxas would otherwise compile into a call of its 64-bit division
//! routine (about 60 instructions) or a 32-bit division sequence (about 12: ptxas does not reduce division by a
//! constant itself, it expects the frontend to).
//!
//! | before | after | when |
//! |---|---|---|
//! | `div.u64 d, a, 2^k` | `shr.u64 d, a, k` | always (also `.u32`; `.s` when `a` is known non-negative) |
//! | `rem.u64 d, a, 2^k` | `and.b64 d, a, 2^k − 1` | as above |
//! | `div.u64 d, a, b` / `rem` | `cvt.u32.u64` both, `div.u32`, `cvt.u64.u32 d` | `a` and `b` known below 2^32 |
//! | `div.u64 d, a, c` / `rem` | `mov d, a / c` (`rem`: `a − q·c`) | `a / c` is the same for every `a` in its range |
//! | `div.u64 d, a, c` | `setp.hs.u64 p, a, c; selp.u64 d, 1, 0, p` | `c > 2^63` (the quotient is 0 or 1) |
//! | `div.u64 d, a, c` | `mul.hi.u64 t, a, M; shr.u64 d, t, s` | `M < 2^64` exact for `a`'s range ([`magic`]) |
//! | `div.u64 d, a, c` | `shr` by `c`'s factor 2^z, then as above | `c` even, `M` of `c / 2^z` fits |
//! | `div.u64 d, a, c` | `mul.hi t, a, M; ((a − t) >> 1 + t) >> s` | otherwise (`M + 2^64`, the 65-bit multiplier) |
//! | `rem.u64 d, a, c` | the quotient `q` as above, `mad.lo.u64 d, q, −c, a` | as for `div` |
//!
//! Every division by a constant `c` (neither 0 nor a power of two) is rewritten this way, at 64 bits or, when `a`
//! is known below 2^32, at 32 bits between conversions (the `.u32` rows are the same with 2^32). A signed
//! division is treated as unsigned when both operands are known non-negative; otherwise it stays.
//!
//! "Known" is [`super::range`]'s analysis: `usize` index arithmetic in kernels starts from 32-bit special
//! registers and parameters, so a `tid / 32` or `i % width` on `usize` usually has 32-bit operands. A divisor is
//! constant when it is an immediate or a register whose range is one value. Division by zero is left alone (its
//! result is whatever the hardware gives, and the frontend checks it before anyway). The rewritten instructions
//! contain no division, so the pipeline's later rounds leave them alone.

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
            // An immediate, or a register that holds one value.
            let divisor = (rb.lo == rb.hi).then_some(rb.lo);
            // By a power of two: a shift or a mask.
            if let Some(d) = divisor.filter(|d| d.is_power_of_two()) {
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
            let narrow = w == 64 && fits_u32(ra) && fits_u32(rb);
            let seq = match divisor {
                // By another constant: a multiplication (at 32 bits when the dividend allows).
                Some(d) if narrow && ra.lo != ra.hi && ra.lo / d != ra.hi / d => {
                    narrowed(func, a, |func, a32, q32| by_constant(func, op, 32, q32, a32, ra, d), dst)
                }
                Some(d) => by_constant(func, op, w, dst, a, ra, d),
                // 64-bit operands that fit in 32 bits: a 32-bit division.
                None if narrow => narrowed(
                    func,
                    a,
                    |func, a32, q32| {
                        let mut seq = Vec::new();
                        let b32 = to_u32(func, b, &mut seq);
                        seq.push(InstKind::Binary { op, mode, ty: Type::U32, dst: q32, a: a32, b: b32 });
                        Some(seq)
                    },
                    dst,
                ),
                None => None,
            };
            if let Some(n) = seq.and_then(|seq| replace(func, blk, idx, seq)) {
                changed = true;
                idx += n;
                continue;
            }
            idx += 1;
        }
    }
    changed
}

fn fits_u32(r: Range) -> bool {
    r.hi <= u32::MAX as u64
}

fn max_of(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The `.u32` value of a 64-bit operand known below 2^32: an immediate as it is, a register through a `cvt`.
fn to_u32(func: &mut Function, o: Operand, seq: &mut Vec<InstKind>) -> Operand {
    match o {
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
    }
}

/// A 64-bit division of a dividend `a` known below 2^32 done at 32 bits: `a` converted, `body(a32, q32)`'s
/// instructions computing the 32-bit result `q32`, and its conversion into `dst`.
fn narrowed(
    func: &mut Function,
    a: Operand,
    body: impl FnOnce(&mut Function, Operand, Reg) -> Option<Vec<InstKind>>,
    dst: Reg,
) -> Option<Vec<InstKind>> {
    let mut seq = Vec::new();
    let a32 = to_u32(func, a, &mut seq);
    let q = func.new_reg(Type::U32);
    // The divisor's conversion (if any) comes after the dividend's, before the division.
    seq.extend(body(func, a32, q)?);
    seq.push(InstKind::Cvt {
        mode: CvtMode::None,
        sat: false,
        dst_ty: Type::U64,
        src_ty: Type::U32,
        dst,
        src: Operand::Reg(q),
    });
    Some(seq)
}

/// How to divide by a constant `d` with a multiplication (Granlund and Montgomery, "Division by invariant integers
/// using multiplication", 1994; Hacker's Delight, chapter 10): the `N`-bit unsigned quotient `n / d` of every
/// dividend `n` up to the bound the plan was made for. `mul.hi(x, y)` is the high half of the 2N-bit product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Magic {
    /// `q = n ≥ d ? 1 : 0` (divisors above 2^(N−1)).
    Compare,
    /// `q = mul.hi(n >> pre, m) >> post`.
    Mul { pre: u32, m: u64, post: u32 },
    /// `t = mul.hi(n, m); q = (((n − t) >> 1) + t) >> post`: the multiplier `2^N + m`, N + 1 bits, without
    /// overflow (`n − t` cannot underflow, and `(n − t) / 2 + t = (n + t) / 2` does not need N + 1 bits).
    FixUp { m: u64, post: u32 },
}

/// The cheapest [`Magic`] for `N = bits`-bit division by `d` of every dividend up to `nmax`; `None` for divisors
/// it does not cover (0, powers of two, wider than `N` bits) or `nmax` wider than `N` bits.
///
/// With `m = ⌈2^p / d⌉ = (2^p + e) / d`, `⌊n·m / 2^p⌋ = ⌊n / d⌋` exactly when `(n mod d)·2^p + n·e < d·2^p`
/// (write `n·m / 2^p` as `n / d + n·e / (d·2^p)`). Within each residue class the largest `n` is the hardest, and
/// of those only two can be the worst: `nmax` itself and the largest `n ≤ nmax` with `n mod d = d − 1`. The
/// plan is the first that holds of: a plain multiplier `m < 2^N` for some `p` in `N .. N + ⌈log₂ d⌉`; the same
/// for the odd part of an even `d` on the pre-shifted dividend (always found: the dividend lost a bit); the
/// N+1-bit multiplier at `p = N + ⌈log₂ d⌉` (always exact, as `e < d ≤ 2^(p − N)` and `n < 2^N`).
pub fn magic(bits: u32, d: u64, nmax: u64) -> Option<Magic> {
    if !(2..=64).contains(&bits) {
        return None;
    }
    let max = max_of(bits);
    if d < 3 || d > max || d.is_power_of_two() || nmax > max {
        return None;
    }
    if d > max >> 1 {
        return Some(Magic::Compare);
    }
    if let Some((m, p)) = plain(bits, d, nmax) {
        return Some(Magic::Mul { pre: 0, m, post: p - bits });
    }
    let z = d.trailing_zeros();
    if z > 0 {
        if let Some((m, p)) = plain(bits, d >> z, nmax >> z) {
            return Some(Magic::Mul { pre: z, m, post: p - bits });
        }
    }
    let l = ceil_log2(d);
    let p = bits + l;
    let m = (1u128 << p).div_ceil(d as u128) - (1u128 << bits);
    Some(Magic::FixUp { m: m as u64, post: l - 1 })
}

/// `⌈log₂ d⌉` for `d ≥ 2`.
fn ceil_log2(d: u64) -> u32 {
    64 - (d - 1).leading_zeros()
}

/// The smallest `p ≥ bits` whose `m = ⌈2^p / d⌉` is below 2^bits and exact up to `nmax`, with that `m`
/// (`3 ≤ d < 2^(bits − 1)`, so `p < 127`).
fn plain(bits: u32, d: u64, nmax: u64) -> Option<(u64, u32)> {
    (bits..bits + ceil_log2(d)).find_map(|p| {
        let m = (1u128 << p).div_ceil(d as u128);
        (m <= max_of(bits) as u128 && exact(d, m, p, nmax)).then_some((m as u64, p))
    })
}

/// Whether `⌊n·m / 2^p⌋ = ⌊n / d⌋` for every `n ≤ nmax`, where `m = ⌈2^p / d⌉ < 2^64`, `p < 128`.
fn exact(d: u64, m: u128, p: u32, nmax: u64) -> bool {
    let (d, n, two_p) = (d as u128, nmax as u128, 1u128 << p);
    // m·d < 2^128; e < d.
    let e = m * d - two_p;
    // The largest dividend: its remainder r, and r·2^p + n·e < d·2^p, so n·e < (d − r)·2^p.
    let top = (d - n % d).checked_mul(two_p).is_none_or(|bound| n * e < bound);
    // The largest dividend with remainder d − 1 (if any): n·e < 2^p.
    let worst_class = n + 1 < d || (n - (n + 1) % d) * e < two_p;
    top && worst_class
}

/// The instructions computing `a op d` (`div` or `rem`, `bits`-bit unsigned) into `dst`, for `a` in `ra` and `d`
/// neither 0 nor a power of two; `None` if `d` or `ra` do not fit `bits`.
fn by_constant(
    func: &mut Function,
    op: BinOp,
    bits: u32,
    dst: Reg,
    a: Operand,
    ra: Range,
    d: u64,
) -> Option<Vec<InstKind>> {
    let ty = if bits == 64 { Type::U64 } else { Type::U32 };
    let max = max_of(bits);
    if d == 0 || d > max || ra.hi > max {
        return None;
    }
    let imm = |v: u64| Operand::Imm(Imm(v & max));
    let bin = |op: BinOp, mode: Mode, dst: Reg, a: Operand, b: Operand| InstKind::Binary { op, mode, ty, dst, a, b };
    let mov = |dst: Reg, v: u64| InstKind::Mov { ty, dst, src: imm(v) };
    let div = op == BinOp::Div;
    // One quotient for the whole range: a constant.
    let (q_lo, q_hi) = (ra.lo / d, ra.hi / d);
    if q_lo == q_hi {
        return Some(vec![match (div, ra.lo == ra.hi) {
            (true, _) => mov(dst, q_lo),
            (false, true) => mov(dst, ra.lo % d),
            (false, false) if q_lo == 0 => InstKind::Mov { ty, dst, src: a },
            (false, false) => bin(BinOp::Sub, Mode::None, dst, a, imm(q_lo * d)),
        }]);
    }
    let mut seq = Vec::new();
    let plan = magic(bits, d, ra.hi)?;
    if plan == Magic::Compare {
        let p = func.new_reg(Type::Pred);
        seq.push(InstKind::Setp { cmp: CmpOp::Hs, ty, dst: p, a, b: imm(d) });
        if div {
            seq.push(InstKind::Selp { ty, dst, a: imm(1), b: imm(0), cond: p });
        } else {
            let t = func.new_reg(ty);
            seq.push(InstKind::Selp { ty, dst: t, a: imm(d), b: imm(0), cond: p });
            seq.push(bin(BinOp::Sub, Mode::None, dst, a, Operand::Reg(t)));
        }
        return Some(seq);
    }
    let q = if div { dst } else { func.new_reg(ty) };
    // `x >> k` into `into` (a copy when k is 0).
    let shr = |into: Reg, x: Reg, k: u32| match k {
        0 => InstKind::Mov { ty, dst: into, src: Operand::Reg(x) },
        k => bin(BinOp::Shr, Mode::None, into, Operand::Reg(x), Operand::Imm(Imm(k as u64))),
    };
    match plan {
        Magic::Compare => unreachable!("handled above"),
        Magic::Mul { pre, m, post } => {
            let n = if pre == 0 {
                a
            } else {
                let s = func.new_reg(ty);
                seq.push(bin(BinOp::Shr, Mode::None, s, a, Operand::Imm(Imm(pre as u64))));
                Operand::Reg(s)
            };
            let t = if post == 0 { q } else { func.new_reg(ty) };
            seq.push(bin(BinOp::Mul, Mode::Hi, t, n, imm(m)));
            if post > 0 {
                seq.push(shr(q, t, post));
            }
        }
        Magic::FixUp { m, post } => {
            let [t, u, v] = [(); 3].map(|_| func.new_reg(ty));
            seq.push(bin(BinOp::Mul, Mode::Hi, t, a, imm(m)));
            seq.push(bin(BinOp::Sub, Mode::None, u, a, Operand::Reg(t)));
            seq.push(shr(v, u, 1));
            let x = if post == 0 { q } else { func.new_reg(ty) };
            seq.push(bin(BinOp::Add, Mode::None, x, Operand::Reg(v), Operand::Reg(t)));
            if post > 0 {
                seq.push(shr(q, x, post));
            }
        }
    }
    if !div {
        // a − q·d = q·(2^N − d) + a (mod 2^N).
        seq.push(InstKind::Ternary {
            op: TernOp::Mad,
            mode: Mode::Lo,
            ty,
            dst,
            a: Operand::Reg(q),
            b: imm(d.wrapping_neg()),
            c: a,
        });
    }
    Some(seq)
}

/// Puts `seq` (whose last instruction defines the original's destination, and only it) where `blk`'s
/// instruction `idx` stands, if every instruction of it checks; returns how many instructions now stand there.
fn replace(func: &mut Function, blk: Block, idx: usize, seq: Vec<InstKind>) -> Option<usize> {
    if seq.is_empty() || seq.iter().any(|k| check_inst_kind(func, None, k).is_err()) {
        return None;
    }
    let inst = func.blocks[blk].insts[idx];
    let loc = func.insts[inst].loc;
    let n = seq.len();
    let mut ids = Vec::with_capacity(n);
    let mut seq = seq.into_iter();
    // The last instruction reuses the original's id.
    for kind in seq.by_ref().take(n - 1) {
        ids.push(func.insts.push(InstData { kind, loc }));
    }
    func.insts[inst].kind = seq.next()?;
    ids.push(inst);
    func.blocks[blk].insts.splice(idx..=idx, ids);
    Some(n)
}
