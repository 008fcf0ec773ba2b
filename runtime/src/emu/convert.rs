//! `cvt` between every pair of integer and float types, in every rounding mode, with and without `.sat`.
//!
//! - Integer → integer: truncation to the destination width, or with `.sat` clamping to its range.
//! - Integer → float: rounded once, exactly, in the given mode (`.rn` when none is given).
//! - Float → integer: rounded to an integer in the given mode (`.rni`/`.rzi`/`.rmi`/`.rpi`; `.rzi` when none),
//!   then always clamped to the destination's range, as PTX specifies. NaN, as measured on an H200
//!   (`runtime/tests/emu_vs_gpu.rs`): from f64, the destination's top bit alone (`0x80`, `0x8000`, `0x80000000`,
//!   `0x8000000000000000`, signed or not); from f32/f16/bf16, `0x8000000000000000` for 64-bit destinations and 0
//!   for narrower ones.
//! - Float → float: exact when widening; rounded in the mode (`.rn` when none) when narrowing; `.rni` etc. round to
//!   an integral value. NaN (measured): conversions to and from f64 keep the sign and the payload's top bits,
//!   quieted; bf16 → f32 widens the bits unchanged; every other conversion gives the destination's canonical NaN.
//! - `.sat` on a float destination clamps to [0.0, 1.0], NaN to +0.0.
//! - An 8- or 16-bit result written to a wider register is sign-extended for signed destination types and
//!   zero-extended otherwise, as PTX does for `cvt` into wider registers.

use ptx_gen::{CvtMode, Type};

use super::float::{round_exact, round_f64, Fmt, Round};

/// A numeric type as `cvt` sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Num {
    /// Unsigned (and `.bN`) integer of this many bits.
    U(u32),
    /// Signed integer of this many bits.
    S(u32),
    /// A float format.
    F(Fmt),
}

impl Num {
    /// The numeric kind of a scalar type; `None` for predicates and packed pairs.
    pub(crate) fn of(ty: Type) -> Option<Num> {
        Some(match ty {
            Type::B8 | Type::U8 => Num::U(8),
            Type::B16 | Type::U16 => Num::U(16),
            Type::B32 | Type::U32 => Num::U(32),
            Type::B64 | Type::U64 => Num::U(64),
            Type::S8 => Num::S(8),
            Type::S16 => Num::S(16),
            Type::S32 => Num::S(32),
            Type::S64 => Num::S(64),
            Type::F16 => Num::F(Fmt::F16),
            Type::BF16 => Num::F(Fmt::BF16),
            Type::F32 => Num::F(Fmt::F32),
            Type::F64 => Num::F(Fmt::F64),
            Type::Pred | Type::F16x2 | Type::BF16x2 => return None,
        })
    }
}

/// Rounding to an integral value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntRound {
    /// Nearest, ties to even (`.rni`).
    Nearest,
    /// Toward zero (`.rzi`).
    Zero,
    /// Toward −∞ (`.rmi`).
    Down,
    /// Toward +∞ (`.rpi`).
    Up,
}

/// Everything about one `cvt`, resolved at decode time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CvtSpec {
    src: Num,
    dst: Num,
    /// Rounding of a float result.
    round: Round,
    /// Rounding to an integral value (float → int always has one; float → float only with `.rXi`).
    int_round: Option<IntRound>,
    sat: bool,
    /// Width of the destination register.
    reg_bits: u32,
}

impl CvtSpec {
    /// The spec of `cvt{.mode}{.sat}.dst.src` writing a register of `reg_bits`; `None` for conversions PTX does not
    /// have (predicates, packed pairs, integer rounding of an integer result, float rounding of an integer one).
    pub(crate) fn new(mode: CvtMode, sat: bool, dst: Type, src: Type, reg_bits: u32) -> Option<CvtSpec> {
        let (d, s) = (Num::of(dst)?, Num::of(src)?);
        let float_mode = match mode {
            CvtMode::None => None,
            CvtMode::Rn => Some(Round::Rn),
            CvtMode::Rz => Some(Round::Rz),
            CvtMode::Rm => Some(Round::Rm),
            CvtMode::Rp => Some(Round::Rp),
            _ => None,
        };
        let int_mode = match mode {
            CvtMode::Rni => Some(IntRound::Nearest),
            CvtMode::Rzi => Some(IntRound::Zero),
            CvtMode::Rmi => Some(IntRound::Down),
            CvtMode::Rpi => Some(IntRound::Up),
            _ => None,
        };
        let (round, int_round) = match (s, d) {
            // Integer results of integer sources take no rounding.
            (Num::U(_) | Num::S(_), Num::U(_) | Num::S(_)) => {
                if mode != CvtMode::None {
                    return None;
                }
                (Round::Rn, None)
            }
            (Num::U(_) | Num::S(_), Num::F(_)) => {
                if int_mode.is_some() {
                    return None;
                }
                (float_mode.unwrap_or(Round::Rn), None)
            }
            (Num::F(_), Num::U(_) | Num::S(_)) => {
                if float_mode.is_some() {
                    return None;
                }
                (Round::Rn, Some(int_mode.unwrap_or(IntRound::Zero)))
            }
            (Num::F(_), Num::F(_)) => (float_mode.unwrap_or(Round::Rn), int_mode),
        };
        Some(CvtSpec { src: s, dst: d, round, int_round, sat, reg_bits: reg_bits.clamp(8, 64) })
    }
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The integer value of a register lane read as `n`.
fn int_value(n: Num, v: u64) -> i128 {
    match n {
        Num::U(b) => (v & mask(b)) as i128,
        Num::S(b) => {
            let sh = 64 - b;
            (((v << sh) as i64) >> sh) as i128
        }
        Num::F(_) => 0,
    }
}

fn int_range(n: Num) -> (i128, i128) {
    match n {
        Num::U(b) => (0, (1i128 << b) - 1),
        Num::S(b) => (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1),
        Num::F(_) => (0, 0),
    }
}

/// `cvt` of one lane.
pub(crate) fn cvt(s: &CvtSpec, v: u64) -> u64 {
    match (s.src, s.dst) {
        (Num::F(sf), Num::F(df)) => float_to_float(s, sf, df, v),
        (Num::F(sf), d) => widen_int(s, d, float_to_int(s.int_round.unwrap_or(IntRound::Zero), sf, d, v)),
        (src, Num::F(df)) => {
            let x = int_value(src, v);
            let bits = round_exact(df, x < 0, x.unsigned_abs(), 0, s.round);
            if s.sat {
                saturate_float(df, bits)
            } else {
                bits
            }
        }
        (src, d) => {
            let x = int_value(src, v);
            let x = if s.sat {
                let (lo, hi) = int_range(d);
                x.clamp(lo, hi)
            } else {
                x
            };
            widen_int(s, d, x as u64)
        }
    }
}

/// The destination bits `v` of integer type `d` as they sit in the destination register.
fn widen_int(s: &CvtSpec, d: Num, v: u64) -> u64 {
    let x = int_value(d, v) as u64; // sign-extended for signed destinations
    x & mask(s.reg_bits)
}

fn round_integral(r: IntRound, x: f64) -> f64 {
    match r {
        IntRound::Nearest => x.round_ties_even(),
        IntRound::Zero => x.trunc(),
        IntRound::Down => x.floor(),
        IntRound::Up => x.ceil(),
    }
}

/// Float → integer: rounded, then clamped to the destination's range (bits of the destination type).
fn float_to_int(r: IntRound, sf: Fmt, d: Num, v: u64) -> u64 {
    let x = sf.to_f64(v);
    if x.is_nan() {
        return match (sf, d) {
            // From f64: the top bit of the destination at every width.
            (Fmt::F64, Num::U(b) | Num::S(b)) => 1 << (b - 1),
            (_, Num::U(64) | Num::S(64)) => 1 << 63,
            _ => 0,
        };
    }
    let x = round_integral(r, x);
    let (lo, hi) = int_range(d);
    // The limits are powers of two (minus one); comparing against the exact powers keeps every step exact.
    let v: i128 = if x <= lo as f64 {
        lo
    } else if x >= (hi + 1) as f64 {
        hi
    } else {
        x as i128
    };
    v as u64
        & mask(match d {
            Num::U(b) | Num::S(b) => b,
            Num::F(_) => 64,
        })
}

fn float_to_float(s: &CvtSpec, sf: Fmt, df: Fmt, v: u64) -> u64 {
    let x = sf.to_f64(v);
    let bits = if x.is_nan() {
        nan_conversion(sf, df, v)
    } else {
        let x = match s.int_round {
            Some(r) => round_integral(r, x),
            None => x,
        };
        if df == Fmt::F64 {
            x.to_bits()
        } else {
            round_f64(df, x, 0, s.round)
        }
    };
    if s.sat {
        saturate_float(df, bits)
    } else {
        bits
    }
}

/// The NaN a float → float conversion of the NaN `v` gives (see the module documentation).
fn nan_conversion(sf: Fmt, df: Fmt, v: u64) -> u64 {
    const Q64: u64 = 0x7FF8_0000_0000_0000;
    match (sf, df) {
        // To and from f64 the sign and the payload's top bits are kept, quieted.
        (Fmt::F32, Fmt::F64) => ((v & 0x8000_0000) << 32) | Q64 | ((v & 0x7F_FFFF) << 29),
        (Fmt::F16, Fmt::F64) => ((v & 0x8000) << 48) | Q64 | ((v & 0x3FF) << 42),
        (Fmt::BF16, Fmt::F64) => ((v & 0x8000) << 48) | Q64 | ((v & 0x7F) << 45),
        (Fmt::F64, Fmt::F32) => ((v >> 32) & 0x8000_0000) | 0x7FC0_0000 | ((v >> 29) & 0x7F_FFFF),
        (Fmt::F64, Fmt::F16) => ((v >> 48) & 0x8000) | 0x7E00 | ((v >> 42) & 0x3FF),
        (Fmt::F64, Fmt::BF16) => ((v >> 48) & 0x8000) | 0x7FC0 | ((v >> 45) & 0x7F),
        (Fmt::F64, Fmt::F64) => v | (1 << 51),
        // bf16 -> f32 is a plain widening of the bits (not even quieted).
        (Fmt::BF16, Fmt::F32) => (v & 0xFFFF) << 16,
        // f16 -> f32, f32 -> f16/bf16 and the rest: the destination's canonical NaN.
        _ => df.nan(),
    }
}

/// `.sat` on a float result: clamp to [0.0, 1.0]; NaN and −0 become +0.
fn saturate_float(f: Fmt, bits: u64) -> u64 {
    let x = f.to_f64(bits);
    if x.is_nan() || x <= 0.0 {
        0
    } else if x > 1.0 {
        round_f64(f, 1.0, 0, Round::Rn)
    } else {
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(mode: CvtMode, sat: bool, dst: Type, src: Type, v: u64) -> u64 {
        let reg = dst.reg_class().bits();
        cvt(&CvtSpec::new(mode, sat, dst, src, reg).unwrap(), v)
    }

    fn f32b(x: f32) -> u64 {
        x.to_bits() as u64
    }

    #[test]
    fn float_to_int_saturates_like_rust() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut samples =
            vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.5, -0.5, 2.5, 4294967296.0, -2147483904.0];
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            samples.push(f32::from_bits((seed >> 32) as u32));
        }
        for x in samples {
            let b = f32b(x);
            assert_eq!(c(CvtMode::Rzi, false, Type::S32, Type::F32, b) as u32 as i32, x as i32, "{x}");
            assert_eq!(c(CvtMode::Rzi, false, Type::U32, Type::F32, b) as u32, x as u32, "{x}");
            let s64_want = if x.is_nan() { i64::MIN } else { x as i64 };
            assert_eq!(c(CvtMode::Rzi, false, Type::S64, Type::F32, b) as i64, s64_want, "{x}");
            assert_eq!(c(CvtMode::Rzi, false, Type::S16, Type::F32, b) as u16 as i16, x as i16, "{x}");
            let u64_want = if x.is_nan() { 0x8000_0000_0000_0000 } else { x as u64 };
            assert_eq!(c(CvtMode::Rzi, false, Type::U64, Type::F32, b), u64_want, "{x}");
            assert_eq!(c(CvtMode::Rni, false, Type::S32, Type::F32, b) as u32 as i32, x.round_ties_even() as i32);
            assert_eq!(c(CvtMode::Rmi, false, Type::S32, Type::F32, b) as u32 as i32, x.floor() as i32);
            assert_eq!(c(CvtMode::Rpi, false, Type::S32, Type::F32, b) as u32 as i32, x.ceil() as i32);
        }
        // cvt.rni rounds half to even, unlike f32::round.
        assert_eq!(c(CvtMode::Rni, false, Type::S32, Type::F32, f32b(2.5)), 2);
        // An 8-bit result in a 16-bit register is sign-extended.
        assert_eq!(c(CvtMode::Rzi, false, Type::S8, Type::F32, f32b(-3.0)), 0xFFFD);
        assert_eq!(c(CvtMode::Rzi, false, Type::S8, Type::F32, f32b(-300.0)), 0xFF80);
    }

    #[test]
    fn int_to_int() {
        assert_eq!(c(CvtMode::None, false, Type::U64, Type::S32, 0xFFFF_FFFF), u64::MAX);
        assert_eq!(c(CvtMode::None, false, Type::U64, Type::U32, 0xFFFF_FFFF), 0xFFFF_FFFF);
        assert_eq!(c(CvtMode::None, false, Type::U32, Type::U64, 0x1_2345_6789), 0x2345_6789);
        assert_eq!(c(CvtMode::None, true, Type::U8, Type::S32, (-5i32) as u32 as u64), 0);
        assert_eq!(c(CvtMode::None, true, Type::U8, Type::S32, 300), 255);
        assert_eq!(c(CvtMode::None, true, Type::S32, Type::U32, 0x8000_0000), 0x7FFF_FFFF);
        assert_eq!(c(CvtMode::None, false, Type::S16, Type::S8, 0x80), 0xFF80);
        assert!(CvtSpec::new(CvtMode::Rn, false, Type::S32, Type::U32, 32).is_none());
    }

    #[test]
    fn int_to_float_rounds_once() {
        // 2^24 + 1 is not an f32: rn rounds to even, rp up.
        let v = (1u64 << 24) + 1;
        assert_eq!(c(CvtMode::Rn, false, Type::F32, Type::U32, v), f32b(16777216.0));
        assert_eq!(c(CvtMode::Rp, false, Type::F32, Type::U32, v), f32b(16777218.0));
        assert_eq!(c(CvtMode::Rn, false, Type::F32, Type::S32, (-7i32) as u32 as u64), f32b(-7.0));
        let mut seed = 12345u64;
        for _ in 0..10_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            assert_eq!(c(CvtMode::Rn, false, Type::F32, Type::S64, seed), f32b(seed as i64 as f32));
            assert_eq!(c(CvtMode::Rn, false, Type::F64, Type::U64, seed), (seed as f64).to_bits());
            assert_eq!(c(CvtMode::Rn, false, Type::F32, Type::U32, seed & 0xFFFF_FFFF), f32b((seed as u32) as f32));
        }
    }

    #[test]
    fn float_to_float() {
        let third = (1.0f64 / 3.0).to_bits();
        assert_eq!(c(CvtMode::Rn, false, Type::F32, Type::F64, third), f32b(1.0 / 3.0));
        // 1/3 in f64 lies between two f32 values; rn picks the upper one.
        assert_eq!(c(CvtMode::Rz, false, Type::F32, Type::F64, third), f32b((1.0f32 / 3.0).next_down()));
        assert_eq!(c(CvtMode::Rm, false, Type::F32, Type::F64, third), f32b((1.0f32 / 3.0).next_down()));
        assert_eq!(c(CvtMode::Rp, false, Type::F32, Type::F64, third), f32b(1.0 / 3.0));
        assert_eq!(c(CvtMode::None, false, Type::F64, Type::F32, f32b(0.1)), (0.1f32 as f64).to_bits());
        assert_eq!(c(CvtMode::Rn, false, Type::F16, Type::F32, f32b(1.0)), 0x3C00);
        assert_eq!(c(CvtMode::None, false, Type::F32, Type::F16, 0x3C00), f32b(1.0));
        assert_eq!(c(CvtMode::Rni, false, Type::F32, Type::F32, f32b(2.5)), f32b(2.0));
        assert_eq!(c(CvtMode::None, true, Type::F32, Type::F32, f32b(1.5)), f32b(1.0));
        assert_eq!(c(CvtMode::None, true, Type::F32, Type::F32, f32b(f32::NAN)), 0);
        assert_eq!(c(CvtMode::None, true, Type::F32, Type::F32, f32b(-2.0)), 0);
        // NaN payloads survive f32 <-> f64 (quieted), as on the GPU.
        assert_eq!(c(CvtMode::Rn, false, Type::F32, Type::F64, 0xFFFC_1234_FFC1_FE01), 0xFFE0_91A7);
        assert_eq!(c(CvtMode::None, false, Type::F64, Type::F32, 0x7FA0_7D00), 0x7FFC_0FA0_0000_0000);
        assert_eq!(c(CvtMode::None, false, Type::F32, Type::F16, 0x7E01), 0x7FFF_FFFF);
        assert_eq!(c(CvtMode::Rzi, false, Type::S32, Type::F64, f64::NAN.to_bits()), 0x8000_0000);
        assert_eq!(c(CvtMode::Rzi, false, Type::U32, Type::F64, f64::NAN.to_bits()), 0x8000_0000);
        assert_eq!(c(CvtMode::Rzi, false, Type::S32, Type::F32, f32b(f32::NAN)), 0);
    }
}
