//! Constant evaluation of single instructions with exact PTX semantics, for [`const_fold`](super::const_fold).
//!
//! Every function returns the result's raw bits, or `None` where the result cannot be reproduced bit-exactly on the
//! host, so that folding never changes what the GPU would compute:
//! - integers wrap; shift amounts (read as `.u32`) at or past the width give 0, or the sign for `shr.sN`;
//!   `div`/`rem` by zero are not folded (the GPU gives −1/all-ones, but a frontend may trap on them), nor is
//!   `rem.sN MIN, -1` or `abs.sN MIN`; `div.sN MIN, -1` is MIN (measured on the H200);
//! - floats (`.f32`/`.f64` only) fold only with `.rn` (or no mode where the operation is exact: `neg`, `abs`,
//!   `min`, `max`, widening `cvt`), using the host's IEEE operations, which round to nearest even. Nothing whose
//!   inputs or result is a NaN folds (the GPU's NaN bits differ from the host's), except `min`/`max` with one NaN,
//!   which return the other operand exactly; `min`/`max` of two zeros of different signs do not fold. `.approx`,
//!   `.full`, directed roundings, half-precision types and `.sat` on float results never fold.
//!
//! Operand values are the raw bits of a register or immediate; each function first truncates them to the width the
//! instruction reads.

use crate::inst::*;
use crate::types::Type;

fn sext(v: u64, bits: u32) -> i64 {
    if bits >= 64 {
        v as i64
    } else {
        ((v << (64 - bits)) as i64) >> (64 - bits)
    }
}

fn is_intish(t: Type) -> bool {
    (t.is_int() || t.is_bits()) && t.bits() >= 16
}

/// An `.f32`/`.f64` value, to compute in f64 when exact or in the type's own precision.
#[derive(Clone, Copy)]
enum F {
    S(f32),
    D(f64),
}

impl F {
    fn from_bits(v: u64, ty: Type) -> Option<F> {
        match ty {
            Type::F32 => Some(F::S(f32::from_bits(v as u32))),
            Type::F64 => Some(F::D(f64::from_bits(v))),
            _ => None,
        }
    }
    fn is_nan(self) -> bool {
        match self {
            F::S(x) => x.is_nan(),
            F::D(x) => x.is_nan(),
        }
    }
    fn bits(self) -> u64 {
        match self {
            F::S(x) => x.to_bits() as u64,
            F::D(x) => x.to_bits(),
        }
    }
    fn as_f64(self) -> f64 {
        match self {
            F::S(x) => x as f64,
            F::D(x) => x,
        }
    }
}

/// Applies a binary float operation in the operands' own precision.
fn fbin(a: F, b: F, f32op: fn(f32, f32) -> f32, f64op: fn(f64, f64) -> f64) -> Option<F> {
    match (a, b) {
        (F::S(x), F::S(y)) => Some(F::S(f32op(x, y))),
        (F::D(x), F::D(y)) => Some(F::D(f64op(x, y))),
        _ => None,
    }
}

/// A float result, refused when NaN.
fn fres(r: Option<F>) -> Option<u64> {
    let r = r?;
    if r.is_nan() {
        None
    } else {
        Some(r.bits())
    }
}

/// `op.mode.ty a`.
pub fn unary(op: UnOp, mode: Mode, ty: Type, a: u64) -> Option<u64> {
    let bits = ty.bits();
    let a = truncate(a, bits);
    if ty == Type::Pred {
        return (op == UnOp::Not).then_some(a ^ 1);
    }
    if is_intish(ty) {
        if mode != Mode::None {
            return None;
        }
        let r = match op {
            UnOp::Neg if ty.is_signed() => sext(a, bits).wrapping_neg() as u64,
            UnOp::Abs if ty.is_signed() => {
                let v = sext(a, bits);
                if v == sext(1u64 << (bits - 1), bits) {
                    return None;
                }
                v.unsigned_abs()
            }
            UnOp::Not if ty.is_bits() => !a,
            UnOp::Popc if matches!(ty, Type::B32 | Type::B64) => a.count_ones() as u64,
            UnOp::Clz if matches!(ty, Type::B32 | Type::B64) => (a.leading_zeros() - (64 - bits)) as u64,
            UnOp::Brev if matches!(ty, Type::B32 | Type::B64) => a.reverse_bits() >> (64 - bits),
            _ => return None,
        };
        let rbits = if matches!(op, UnOp::Popc | UnOp::Clz) { 32 } else { bits };
        return Some(truncate(r, rbits));
    }
    let x = F::from_bits(a, ty)?;
    if x.is_nan() {
        return None;
    }
    let sign = 1u64 << (bits - 1);
    match (op, mode) {
        (UnOp::Neg, Mode::None) => Some(a ^ sign),
        (UnOp::Abs, Mode::None) => Some(a & !sign),
        (UnOp::Sqrt, Mode::Rn) => fres(Some(match x {
            F::S(v) => F::S(v.sqrt()),
            F::D(v) => F::D(v.sqrt()),
        })),
        (UnOp::Rcp, Mode::Rn) => fres(Some(match x {
            F::S(v) => F::S(1.0 / v),
            F::D(v) => F::D(1.0 / v),
        })),
        _ => None,
    }
}

/// `op.mode.ty a, b` (for `shl`/`shr`, `b` is the `.u32` amount). The result has the width of `ty`, or twice it
/// for `.wide`.
pub fn binary(op: BinOp, mode: Mode, ty: Type, a: u64, b: u64) -> Option<u64> {
    let bits = ty.bits();
    let a = truncate(a, bits);
    if ty == Type::Pred {
        let b = truncate(b, 1);
        return match op {
            BinOp::And => Some(a & b),
            BinOp::Or => Some(a | b),
            BinOp::Xor => Some(a ^ b),
            _ => None,
        };
    }
    if is_intish(ty) {
        return int_binary(op, mode, ty, a, b);
    }
    let (x, y) = (F::from_bits(a, ty)?, F::from_bits(truncate(b, bits), ty)?);
    match (op, mode) {
        (BinOp::Min | BinOp::Max, Mode::None) => {
            // PTX min/max return the non-NaN operand when exactly one is NaN.
            match (x.is_nan(), y.is_nan()) {
                (true, true) => return None,
                (true, false) => return Some(y.bits()),
                (false, true) => return Some(x.bits()),
                _ => {}
            }
            let (xv, yv) = (x.as_f64(), y.as_f64());
            if xv == yv {
                // Equal values: the same bits, or ±0, whose order PTX does not promise.
                return (x.bits() == y.bits()).then_some(x.bits());
            }
            let pick_x = if op == BinOp::Min { xv < yv } else { xv > yv };
            Some(if pick_x { x.bits() } else { y.bits() })
        }
        (_, Mode::Rn) if !x.is_nan() && !y.is_nan() => fres(match op {
            BinOp::Add => fbin(x, y, |p, q| p + q, |p, q| p + q),
            BinOp::Sub => fbin(x, y, |p, q| p - q, |p, q| p - q),
            BinOp::Mul => fbin(x, y, |p, q| p * q, |p, q| p * q),
            BinOp::Div => fbin(x, y, |p, q| p / q, |p, q| p / q),
            _ => None,
        }),
        _ => None,
    }
}

fn int_binary(op: BinOp, mode: Mode, ty: Type, a: u64, b: u64) -> Option<u64> {
    let bits = ty.bits();
    let signed = ty.is_signed();
    let shift_amount = truncate(b, 32);
    let b = truncate(b, bits);
    let (sa, sb) = (sext(a, bits), sext(b, bits));
    let min = sext(1u64 << (bits - 1), bits);
    let arith = ty.is_int();
    let r = match op {
        BinOp::Add if arith && mode == Mode::None => a.wrapping_add(b),
        BinOp::Sub if arith && mode == Mode::None => a.wrapping_sub(b),
        BinOp::Mul if arith => {
            let full: u128 = if signed { ((sa as i128) * (sb as i128)) as u128 } else { (a as u128) * (b as u128) };
            match mode {
                Mode::Lo => full as u64,
                Mode::Hi => (full >> bits) as u64,
                Mode::Wide if bits <= 32 => return Some(truncate(full as u64, 2 * bits)),
                _ => return None,
            }
        }
        BinOp::Div if arith && mode == Mode::None => {
            if b == 0 {
                return None;
            }
            if signed {
                sa.wrapping_div(sb) as u64
            } else {
                a / b
            }
        }
        BinOp::Rem if arith && mode == Mode::None => {
            if b == 0 || (signed && sa == min && sb == -1) {
                return None;
            }
            if signed {
                (sa % sb) as u64
            } else {
                a % b
            }
        }
        BinOp::Min | BinOp::Max if arith && mode == Mode::None => {
            let a_less = if signed { sa < sb } else { a < b };
            let pick_a = if op == BinOp::Min { a_less } else { !a_less };
            if pick_a {
                a
            } else {
                b
            }
        }
        BinOp::And if !arith && mode == Mode::None => a & b,
        BinOp::Or if !arith && mode == Mode::None => a | b,
        BinOp::Xor if !arith && mode == Mode::None => a ^ b,
        BinOp::Shl if !arith && mode == Mode::None => {
            if shift_amount >= bits as u64 {
                0
            } else {
                a << shift_amount
            }
        }
        BinOp::Shr if mode == Mode::None => {
            if signed {
                (sa >> shift_amount.min(bits as u64 - 1)) as u64
            } else if shift_amount >= bits as u64 {
                0
            } else {
                a >> shift_amount
            }
        }
        _ => return None,
    };
    Some(truncate(r, bits))
}

/// `op.mode.ty a, b, c` (`bfe`: `b` position, `c` length, both `.u32`; `mad.wide`: `c` has twice the width).
pub fn ternary(op: TernOp, mode: Mode, ty: Type, a: u64, b: u64, c: u64) -> Option<u64> {
    let bits = ty.bits();
    match op {
        TernOp::Mad if ty.is_int() && bits >= 16 => {
            let prod = binary(BinOp::Mul, mode, ty, a, b)?;
            let rbits = if mode == Mode::Wide { 2 * bits } else { bits };
            Some(truncate(prod.wrapping_add(c), rbits))
        }
        TernOp::Fma if mode == Mode::Rn => {
            let (x, y, z) = (
                F::from_bits(truncate(a, bits), ty)?,
                F::from_bits(truncate(b, bits), ty)?,
                F::from_bits(truncate(c, bits), ty)?,
            );
            if x.is_nan() || y.is_nan() || z.is_nan() {
                return None;
            }
            fres(match (x, y, z) {
                (F::S(x), F::S(y), F::S(z)) => Some(F::S(x.mul_add(y, z))),
                (F::D(x), F::D(y), F::D(z)) => Some(F::D(x.mul_add(y, z))),
                _ => None,
            })
        }
        TernOp::Bfe if matches!(ty, Type::U32 | Type::U64 | Type::S32 | Type::S64) && mode == Mode::None => {
            Some(bfe(ty, truncate(a, bits), b, c))
        }
        _ => None,
    }
}

/// `bfe` as the PTX ISA defines it: position and length are read modulo 256; bits past the top of `a` read as the
/// sign bit of the field (signed) or zero.
fn bfe(ty: Type, a: u64, pos: u64, len: u64) -> u64 {
    let msb = ty.bits() as u64 - 1;
    let pos = pos & 0xff;
    let len = len & 0xff;
    let sbit = if ty.is_unsigned() || len == 0 { 0 } else { (a >> (pos + len - 1).min(msb)) & 1 };
    let mut d = 0u64;
    for i in 0..=msb {
        let bit = if i < len && pos + i <= msb { (a >> (pos + i)) & 1 } else { sbit };
        d |= bit << i;
    }
    d
}

/// `bfi.ty d, f, b, pos, len`: `b` with the low `len` bits of `f` inserted at `pos` (both modulo 256).
pub fn bfi(ty: Type, f: u64, b: u64, pos: u64, len: u64) -> Option<u64> {
    if !matches!(ty, Type::B32 | Type::B64) {
        return None;
    }
    let bits = ty.bits() as u64;
    let (pos, len) = (truncate(pos, 32) & 0xff, truncate(len, 32) & 0xff);
    let mut d = truncate(b, bits as u32);
    let mut i = 0;
    while i < len && pos + i < bits {
        let bit = (f >> i) & 1;
        d = (d & !(1u64 << (pos + i))) | (bit << (pos + i));
        i += 1;
    }
    Some(d)
}

/// `setp.cmp.ty a, b`: 1 or 0.
pub fn setp(cmp: CmpOp, ty: Type, a: u64, b: u64) -> Option<u64> {
    let bits = ty.bits();
    let (a, b) = (truncate(a, bits), truncate(b, bits));
    use std::cmp::Ordering::*;
    let r = if is_intish(ty) {
        let ord = if ty.is_signed() { sext(a, bits).cmp(&sext(b, bits)) } else { a.cmp(&b) };
        match cmp {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt | CmpOp::Lo => ord == Less,
            CmpOp::Le | CmpOp::Ls => ord != Greater,
            CmpOp::Gt | CmpOp::Hi => ord == Greater,
            CmpOp::Ge | CmpOp::Hs => ord != Less,
            _ => return None,
        }
    } else {
        let (x, y) = (F::from_bits(a, ty)?.as_f64(), F::from_bits(b, ty)?.as_f64());
        let unordered = x.is_nan() || y.is_nan();
        match cmp {
            CmpOp::Eq => x == y,
            CmpOp::Ne => !unordered && x != y,
            CmpOp::Lt => x < y,
            CmpOp::Le => x <= y,
            CmpOp::Gt => x > y,
            CmpOp::Ge => x >= y,
            CmpOp::Equ => unordered || x == y,
            CmpOp::Neu => x != y,
            CmpOp::Ltu => unordered || x < y,
            CmpOp::Leu => unordered || x <= y,
            CmpOp::Gtu => unordered || x > y,
            CmpOp::Geu => unordered || x >= y,
            CmpOp::Num => !unordered,
            CmpOp::Nan => unordered,
            _ => return None,
        }
    };
    Some(r as u64)
}

/// `cvt{.mode}{.sat}.dst.src a`. Conversions to 8-bit types (whose register is wider) and half types are not
/// folded.
pub fn cvt(mode: CvtMode, sat: bool, dst: Type, src: Type, a: u64) -> Option<u64> {
    let a = truncate(a, src.bits());
    if dst.bits() < 16 || !(dst.is_int() || matches!(dst, Type::F32 | Type::F64)) {
        return None;
    }
    match (dst.is_int(), src.is_int()) {
        (true, true) => {
            if mode != CvtMode::None {
                return None;
            }
            let v: i128 = if src.is_signed() { sext(a, src.bits()) as i128 } else { a as i128 };
            let v = if sat { v.clamp(int_min(dst), int_max(dst)) } else { v };
            Some(truncate(v as u64, dst.bits()))
        }
        (true, false) => {
            let x = F::from_bits(a, src)?.as_f64(); // f32 → f64 is exact
            if x.is_nan() {
                return None;
            }
            let r = match mode {
                CvtMode::Rni => x.round_ties_even(),
                CvtMode::Rzi => x.trunc(),
                CvtMode::Rmi => x.floor(),
                CvtMode::Rpi => x.ceil(),
                _ => return None,
            };
            // PTX saturates float-to-integer conversions to the destination range.
            let v: i128 = if r <= int_min(dst) as f64 {
                int_min(dst)
            } else if r >= int_max(dst) as f64 {
                int_max(dst)
            } else {
                r as i128
            };
            Some(truncate(v as u64, dst.bits()))
        }
        (false, true) => {
            if mode != CvtMode::Rn || sat {
                return None;
            }
            let signed = src.is_signed();
            let v = if signed { sext(a, src.bits()) } else { 0 };
            Some(match (dst, signed) {
                (Type::F32, true) => (v as f32).to_bits() as u64,
                (Type::F32, false) => (a as f32).to_bits() as u64,
                (_, true) => (v as f64).to_bits(),
                (_, false) => (a as f64).to_bits(),
            })
        }
        (false, false) => {
            let x = F::from_bits(a, src)?;
            if x.is_nan() || sat {
                return None;
            }
            let r = match (dst, x, mode) {
                (Type::F64, F::S(v), CvtMode::None) => F::D(v as f64),
                (Type::F32, F::D(v), CvtMode::Rn) => F::S(v as f32),
                (Type::F32, F::S(v), m) => F::S(match m {
                    CvtMode::None => v,
                    CvtMode::Rni => v.round_ties_even(),
                    CvtMode::Rzi => v.trunc(),
                    CvtMode::Rmi => v.floor(),
                    CvtMode::Rpi => v.ceil(),
                    _ => return None,
                }),
                (Type::F64, F::D(v), m) => F::D(match m {
                    CvtMode::None => v,
                    CvtMode::Rni => v.round_ties_even(),
                    CvtMode::Rzi => v.trunc(),
                    CvtMode::Rmi => v.floor(),
                    CvtMode::Rpi => v.ceil(),
                    _ => return None,
                }),
                _ => return None,
            };
            fres(Some(r))
        }
    }
}

fn int_min(t: Type) -> i128 {
    if t.is_signed() {
        -(1i128 << (t.bits() - 1))
    } else {
        0
    }
}

fn int_max(t: Type) -> i128 {
    if t.is_signed() {
        (1i128 << (t.bits() - 1)) - 1
    } else {
        (1i128 << t.bits()) - 1
    }
}
