//! Immediates of the kernel's scalar types, and folding of casts and unary operators on them.
//!
//! Folding evaluates with the host's own Rust `as`, `-` and `!`, so a folded constant is by construction what the
//! same expression gives in Rust (saturating float→int casts, round-to-nearest int→float casts, wrapping negation).

use ptx_gen::{truncate, Imm, Operand};

use super::types::ScalarTy;

/// A constant of a scalar type, as the host sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HostVal {
    /// Any integer type, sign- or zero-extended from its width.
    Int(i128),
    F32(f32),
    F64(f64),
    Bool(bool),
}

/// The immediate holding `v` of type `ty` in a register of `ty.reg_type()` (8- and 16-bit integers sign-/zero-
/// extended to 32 bits, as the lowering keeps them).
pub fn imm(v: HostVal, ty: ScalarTy) -> Operand {
    let bits = match (v, ty) {
        (HostVal::Bool(b), _) => b as u64,
        (HostVal::F32(f), _) => f.to_bits() as u64,
        (HostVal::F64(f), _) => f.to_bits(),
        (HostVal::Int(i), t) => {
            let narrowed = wrap_int(i, t);
            truncate(narrowed as u64, t.reg_type().bits())
        }
    };
    Operand::Imm(Imm(bits))
}

/// `i` wrapped to the range of the integer type `t` (what `as` does between integers).
pub fn wrap_int(i: i128, t: ScalarTy) -> i128 {
    let bits = t.bits();
    let low = (i as u128) & (u128::MAX >> (128 - bits));
    if t.is_signed() && bits < 128 && (low >> (bits - 1)) & 1 == 1 {
        (low | (u128::MAX << bits)) as i128
    } else {
        low as i128
    }
}

/// The host value of the immediate `imm` of type `ty` (the inverse of [`imm`]).
pub fn host_val(imm: Imm, ty: ScalarTy) -> HostVal {
    match ty {
        ScalarTy::Bool => HostVal::Bool(imm.0 & 1 != 0),
        ScalarTy::F32 => HostVal::F32(f32::from_bits(imm.0 as u32)),
        ScalarTy::F64 => HostVal::F64(f64::from_bits(imm.0)),
        t => HostVal::Int(wrap_int(imm.0 as i128, t)),
    }
}

/// `v as to`, with Rust's semantics; `None` for casts Rust does not have (`f32 as bool`, `bool as f32`).
pub fn cast(v: HostVal, to: ScalarTy) -> Option<HostVal> {
    Some(match (v, to) {
        (HostVal::Bool(b), ScalarTy::Bool) => HostVal::Bool(b),
        (HostVal::Bool(b), t) if t.is_int() => HostVal::Int(b as i128),
        (_, ScalarTy::Bool) | (HostVal::Bool(_), _) => return None,
        (HostVal::Int(i), ScalarTy::F32) => HostVal::F32(i as f32),
        (HostVal::Int(i), ScalarTy::F64) => HostVal::F64(i as f64),
        (HostVal::Int(i), t) => HostVal::Int(wrap_int(i, t)),
        (HostVal::F32(f), ScalarTy::F32) => HostVal::F32(f),
        (HostVal::F32(f), ScalarTy::F64) => HostVal::F64(f as f64),
        (HostVal::F64(f), ScalarTy::F32) => HostVal::F32(f as f32),
        (HostVal::F64(f), ScalarTy::F64) => HostVal::F64(f),
        (HostVal::F32(f), t) => HostVal::Int(float_to_int(f as f64, t, Some(f))),
        (HostVal::F64(f), t) => HostVal::Int(float_to_int(f, t, None)),
    })
}

/// `f as t` for an integer type `t` (saturating, NaN → 0). An `f32` source is converted from the `f32` itself.
fn float_to_int(f: f64, t: ScalarTy, f32_src: Option<f32>) -> i128 {
    macro_rules! conv {
        ($ty:ty) => {
            match f32_src {
                Some(x) => (x as $ty) as i128,
                None => (f as $ty) as i128,
            }
        };
    }
    match t {
        ScalarTy::I8 => conv!(i8),
        ScalarTy::I16 => conv!(i16),
        ScalarTy::I32 => conv!(i32),
        ScalarTy::I64 | ScalarTy::Isize => conv!(i64),
        ScalarTy::U8 => conv!(u8),
        ScalarTy::U16 => conv!(u16),
        ScalarTy::U32 => conv!(u32),
        ScalarTy::U64 | ScalarTy::Usize => conv!(u64),
        ScalarTy::F32 | ScalarTy::F64 | ScalarTy::Bool | ScalarTy::F16 | ScalarTy::BF16 => 0,
    }
}

/// `-v` (wrapping for integers).
pub fn neg(v: HostVal, ty: ScalarTy) -> HostVal {
    match v {
        HostVal::Int(i) => HostVal::Int(wrap_int(i.wrapping_neg(), ty)),
        HostVal::F32(f) => HostVal::F32(-f),
        HostVal::F64(f) => HostVal::F64(-f),
        HostVal::Bool(b) => HostVal::Bool(b),
    }
}

/// `!v` (bitwise for integers, logical for `bool`).
pub fn not(v: HostVal, ty: ScalarTy) -> HostVal {
    match v {
        HostVal::Int(i) => HostVal::Int(wrap_int(!i, ty)),
        HostVal::Bool(b) => HostVal::Bool(!b),
        f => f,
    }
}

/// The value of a literal of type `ty`: integers wrap to the type (as rustc's `overflowing_literals`-allowed
/// behaviour would), floats are parsed from their digits at the type's precision (an `f32` literal is rounded once).
pub fn literal_int(v: u128, ty: ScalarTy) -> Option<HostVal> {
    match ty {
        ScalarTy::F32 | ScalarTy::F64 | ScalarTy::Bool => None,
        t => Some(HostVal::Int(wrap_int(v as i128, t))),
    }
}

/// See [`literal_int`].
pub fn literal_float(digits: &str, ty: ScalarTy) -> Option<HostVal> {
    match ty {
        ScalarTy::F32 => digits.parse::<f32>().ok().map(HostVal::F32),
        ScalarTy::F64 => digits.parse::<f64>().ok().map(HostVal::F64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_int_matches_as() {
        let samples: [i128; 8] = [0, 1, -1, 127, 128, 255, 256, -129];
        for v in samples {
            assert_eq!(wrap_int(v, ScalarTy::I8), (v as i8) as i128);
            assert_eq!(wrap_int(v, ScalarTy::U8), (v as u8) as i128);
            assert_eq!(wrap_int(v, ScalarTy::I16), (v as i16) as i128);
            assert_eq!(wrap_int(v, ScalarTy::U64), (v as u64) as i128);
        }
    }
}
