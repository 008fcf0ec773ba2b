//! Numeric literals: their spellings, and their bits as an operand of a given type.
//!
//! PTX literals are typeless until used: `-1` is `0xFFFFFFFF` as a `.u32` operand and `0xFFFF` as a `.b16` one,
//! and `1.5` is an f64 value rounded to the instruction's float type. So a literal is first parsed into a [`Lit`]
//! and then converted with [`Lit::to_imm`] once the operand's type is known (for call arguments, only after the
//! callee is resolved).
//!
//! Spellings: decimal (`42`), octal (`052`), hex (`0x2A`), binary (`0b101010`), each with an optional `U` suffix;
//! `0f` + 8 hex digits (f32 bits), `0d` + 16 hex digits (f64 bits); decimal floats (`1.0`, `1e-3`, `2.5E+4`).
//!
//! Conversions, as ptxas does them: integers are 64-bit and truncated to the operand's width (ptxas accepts
//! `add.u32 …, 5000000000`); integer literals are rejected for `.f32`/`.f64` operands (ptxas: "Arguments
//! mismatch"); float literals are rejected for integer operands; `.f16`/`.bf16` (and the packed pairs) take their
//! bits as an integer literal, as the writer spells them.

use crate::inst::{truncate, Imm};
use crate::types::Type;

/// A literal before its type is known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Lit {
    /// An integer: its magnitude and sign (`-0x10` is `{ neg: true, mag: 16 }`).
    Int { neg: bool, mag: u64 },
    /// `0f…`: f32 bits.
    F32(u32),
    /// `0d…`: f64 bits.
    F64(u64),
    /// A decimal float, exactly as `str::parse::<f64>` reads it.
    Float(f64),
}

impl Lit {
    /// Parses the spelling of a number token (without a leading minus sign).
    pub(crate) fn parse(text: &str) -> Result<Lit, String> {
        let bad = || format!("malformed number `{text}`");
        let b = text.as_bytes();
        if b.len() >= 2 && b[0] == b'0' {
            let digits = &text[2..];
            match b[1] {
                b'f' | b'F' => {
                    return if digits.len() == 8 {
                        u32::from_str_radix(digits, 16).map(Lit::F32).map_err(|_| bad())
                    } else {
                        Err(format!("malformed f32 literal `{text}` (expected 0f and 8 hex digits)"))
                    };
                }
                b'd' | b'D' => {
                    return if digits.len() == 16 {
                        u64::from_str_radix(digits, 16).map(Lit::F64).map_err(|_| bad())
                    } else {
                        Err(format!("malformed f64 literal `{text}` (expected 0d and 16 hex digits)"))
                    };
                }
                b'x' | b'X' => return int_digits(strip_u(digits), 16).ok_or_else(bad),
                b'b' | b'B' => return int_digits(strip_u(digits), 2).ok_or_else(bad),
                _ => {}
            }
        }
        if text.contains(['.', 'e', 'E']) {
            // A decimal float: digits, optional fraction, optional exponent. `parse::<f64>` also accepts
            // `inf`/`nan`, which cannot start a number token, so it only sees PTX-shaped text here.
            return text.parse::<f64>().map(Lit::Float).map_err(|_| bad());
        }
        let digits = strip_u(text);
        if digits.len() > 1 && digits.starts_with('0') {
            return int_digits(&digits[1..], 8).ok_or_else(bad);
        }
        int_digits(digits, 10).ok_or_else(bad)
    }

    /// This literal negated (`-` in front of it).
    pub(crate) fn negate(self) -> Lit {
        match self {
            Lit::Int { neg, mag } => Lit::Int { neg: !neg && mag != 0, mag },
            Lit::F32(bits) => Lit::F32(bits ^ 0x8000_0000),
            Lit::F64(bits) => Lit::F64(bits ^ (1 << 63)),
            Lit::Float(v) => Lit::Float(-v),
        }
    }

    /// The value as a signed 64-bit integer (for address offsets), if it is an integer that fits.
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Lit::Int { neg: false, mag } => i64::try_from(mag).ok(),
            Lit::Int { neg: true, mag } => 0i64.checked_sub_unsigned(mag),
            _ => None,
        }
    }

    /// The value as an unsigned 64-bit integer (sizes, counts), if it is a non-negative integer.
    pub(crate) fn as_u64(self) -> Option<u64> {
        match self {
            Lit::Int { neg: false, mag } => Some(mag),
            _ => None,
        }
    }

    /// The bits of this literal as an operand of type `ty`; the error says why it does not fit.
    pub(crate) fn to_imm(self, ty: Type) -> Result<Imm, String> {
        match ty {
            Type::F32 => match self {
                Lit::F32(bits) => Ok(Imm(bits as u64)),
                Lit::F64(bits) => Ok(Imm::f32(f64::from_bits(bits) as f32)),
                Lit::Float(v) => Ok(Imm::f32(v as f32)),
                Lit::Int { .. } => Err("an integer literal cannot be a .f32 operand (write 1.0 or 0f3F800000)".into()),
            },
            Type::F64 => match self {
                Lit::F32(bits) => Ok(Imm::f64(f32::from_bits(bits) as f64)),
                Lit::F64(bits) => Ok(Imm(bits)),
                Lit::Float(v) => Ok(Imm::f64(v)),
                Lit::Int { .. } => {
                    Err("an integer literal cannot be a .f64 operand (write 1.0 or 0d3FF0000000000000)".into())
                }
            },
            _ => match self {
                Lit::Int { neg, mag } => {
                    let bits = if neg { mag.wrapping_neg() } else { mag };
                    if neg && mag > 1 << 63 {
                        return Err("integer literal below -2^63".into());
                    }
                    if ty == Type::Pred && bits > 1 {
                        return Err("a predicate literal must be 0 or 1".into());
                    }
                    Ok(Imm(truncate(bits, ty.bits())))
                }
                _ if ty.is_float() => {
                    Err(format!("a float literal cannot be a .{ty} operand (write its bits in hex: 0x3C00)"))
                }
                _ => Err(format!("a float literal cannot be a .{ty} operand")),
            },
        }
    }
}

fn strip_u(digits: &str) -> &str {
    digits.strip_suffix(['U', 'u']).unwrap_or(digits)
}

fn int_digits(digits: &str, radix: u32) -> Option<Lit> {
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok().map(|mag| Lit::Int { neg: false, mag })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imm(text: &str, ty: Type) -> Result<u64, String> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        let lit = Lit::parse(digits)?;
        let lit = if neg { lit.negate() } else { lit };
        lit.to_imm(ty).map(|i| i.0)
    }

    #[test]
    fn integers_every_radix() {
        assert_eq!(imm("42", Type::U32), Ok(42));
        assert_eq!(imm("052", Type::U32), Ok(42));
        assert_eq!(imm("0x2A", Type::U32), Ok(42));
        assert_eq!(imm("0X2aU", Type::U32), Ok(42));
        assert_eq!(imm("0b101010", Type::U32), Ok(42));
        assert_eq!(imm("-1", Type::S32), Ok(0xFFFF_FFFF));
        assert_eq!(imm("-1", Type::S64), Ok(u64::MAX));
        assert_eq!(imm("-1", Type::B16), Ok(0xFFFF));
        assert_eq!(imm("5000000000", Type::U32), Ok(5_000_000_000 & 0xFFFF_FFFF));
        assert_eq!(imm("18446744073709551615", Type::U64), Ok(u64::MAX));
        assert_eq!(imm("-9223372036854775808", Type::S64), Ok(1 << 63));
        assert!(imm("-9223372036854775809", Type::S64).is_err());
        assert!(imm("18446744073709551616", Type::U64).is_err());
        assert!(imm("08", Type::U32).is_err());
        assert_eq!(imm("0", Type::Pred), Ok(0));
        assert_eq!(imm("0x1", Type::Pred), Ok(1));
        assert!(imm("2", Type::Pred).is_err());
    }

    #[test]
    fn floats() {
        assert_eq!(imm("0f3F800000", Type::F32), Ok(0x3F80_0000));
        assert_eq!(imm("-0f3F800000", Type::F32), Ok(0xBF80_0000));
        assert_eq!(imm("0d3FF8000000000000", Type::F64), Ok(1.5f64.to_bits()));
        assert_eq!(imm("0d3FF8000000000000", Type::F32), Ok(1.5f32.to_bits() as u64));
        assert_eq!(imm("1.5", Type::F32), Ok(1.5f32.to_bits() as u64));
        assert_eq!(imm("-2.5e-3", Type::F64), Ok((-2.5e-3f64).to_bits()));
        assert_eq!(imm("1e3", Type::F32), Ok(1000f32.to_bits() as u64));
        // A decimal float is an f64 rounded once to f32, as ptxas does.
        assert_eq!(imm("0.1", Type::F32), Ok((0.1f64 as f32).to_bits() as u64));
        assert!(imm("1", Type::F32).is_err());
        assert!(imm("1.0", Type::U32).is_err());
        assert!(imm("1.0", Type::F16).is_err());
        assert_eq!(imm("0x3C00", Type::F16), Ok(0x3C00));
        assert!(imm("0f3F80", Type::F32).is_err());
        assert!(imm("1.2.3", Type::F32).is_err());
    }

    #[test]
    fn offsets() {
        assert_eq!(Lit::parse("16").unwrap().negate().as_i64(), Some(-16));
        assert_eq!(Lit::parse("0x8000000000000000").unwrap().negate().as_i64(), Some(i64::MIN));
        assert_eq!(Lit::parse("0x8000000000000000").unwrap().as_i64(), None);
        assert_eq!(Lit::parse("1.0").unwrap().as_i64(), None);
    }
}
