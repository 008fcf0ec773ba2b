//! Integer semantics of PTX, one trait implemented for the eight integer types, so that every operation is written
//! once and instantiated per width and signedness.
//!
//! Values sit in 64-bit register lanes zero-extended from their width ([`Int::get`] truncates, [`Int::put`]
//! zero-extends). The GPU's values where Rust would panic or differ (`DESIGN.md`'s table, and measured for every
//! width on an H200 by `runtime/tests/emu_vs_gpu.rs`):
//!
//! | operation | result |
//! |---|---|
//! | `div`/`rem` by 0, any width, signed or unsigned | all ones (−1, `0xFFFFFFFF`, …) |
//! | `div.sN MIN, −1` | MIN (and `rem` 0) |
//! | `shl`/`shr.u` by ≥ width | 0 |
//! | `shr.s` by ≥ width | 0 or −1 (sign fill) |

/// An integer type as PTX computes with it.
pub(crate) trait Int: Copy + Ord + Eq {
    /// Width in bits.
    const BITS: u32;
    /// `.sN`.
    const SIGNED: bool;
    /// The value held in a register lane (truncating to the width).
    fn get(v: u64) -> Self;
    /// The lane holding this value (zero-extended bits).
    fn put(self) -> u64;
    /// Sign- or zero-extension to 128 bits.
    fn to_i128(self) -> i128;
    /// The low bits of `v`.
    fn from_i128(v: i128) -> Self;
    fn wadd(self, o: Self) -> Self;
    fn wsub(self, o: Self) -> Self;
    fn wmul(self, o: Self) -> Self;
    fn wneg(self) -> Self;
    /// `abs` (wrapping: `abs(MIN) == MIN`; the identity for unsigned types).
    fn wabs(self) -> Self;
    /// The high half of the double-width product.
    fn mul_hi(self, o: Self) -> Self;
    /// `div`: all ones for a zero divisor, `MIN / -1 == MIN`.
    fn div_gpu(self, o: Self) -> Self;
    /// `rem`: all ones for a zero divisor, `MIN % -1 == 0`.
    fn rem_gpu(self, o: Self) -> Self;
    /// `shl` with the amount unmasked.
    fn shl_gpu(self, n: u32) -> Self;
    /// `shr` (arithmetic for signed types) with the amount unmasked.
    fn shr_gpu(self, n: u32) -> Self;
    /// Bits `n` of the value (0 = least significant).
    fn bit(self, n: u32) -> bool;
}

macro_rules! impl_int {
    ($t:ty, $u:ty, $signed:expr) => {
        impl Int for $t {
            const BITS: u32 = <$t>::BITS;
            const SIGNED: bool = $signed;
            #[inline(always)]
            fn get(v: u64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn put(self) -> u64 {
                self as $u as u64
            }
            #[inline(always)]
            fn to_i128(self) -> i128 {
                self as i128
            }
            #[inline(always)]
            fn from_i128(v: i128) -> Self {
                v as $t
            }
            #[inline(always)]
            fn wadd(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn wsub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn wmul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn wabs(self) -> Self {
                if $signed && self < (0 as $t) {
                    self.wrapping_neg()
                } else {
                    self
                }
            }
            #[inline(always)]
            fn mul_hi(self, o: Self) -> Self {
                ((self as i128).wrapping_mul(o as i128) >> <$t>::BITS) as $t
            }
            #[inline(always)]
            fn div_gpu(self, o: Self) -> Self {
                if o == 0 {
                    !(0 as $t)
                } else {
                    self.wrapping_div(o)
                }
            }
            #[inline(always)]
            fn rem_gpu(self, o: Self) -> Self {
                if o == 0 {
                    !(0 as $t)
                } else {
                    self.wrapping_rem(o)
                }
            }
            #[inline(always)]
            fn shl_gpu(self, n: u32) -> Self {
                if n >= <$t>::BITS {
                    0
                } else {
                    self << n
                }
            }
            #[inline(always)]
            fn shr_gpu(self, n: u32) -> Self {
                // Arithmetic for signed types: an amount past the width fills with the sign.
                self >> n.min(<$t>::BITS - 1) >> ((n >= <$t>::BITS) as u32 & !$signed as u32)
            }
            #[inline(always)]
            fn bit(self, n: u32) -> bool {
                n < <$t>::BITS && (self >> n) & 1 == 1
            }
        }
    };
}

impl_int!(u8, u8, false);
impl_int!(u16, u16, false);
impl_int!(u32, u32, false);
impl_int!(u64, u64, false);
impl_int!(i8, u8, true);
impl_int!(i16, u16, true);
impl_int!(i32, u32, true);
impl_int!(i64, u64, true);

/// `mul.wide`: the double-width product of two values of a 16- or 32-bit type, as the bits of the wide type.
#[inline(always)]
pub(crate) fn mul_wide<T: Int>(a: T, b: T) -> u64 {
    let p = a.to_i128().wrapping_mul(b.to_i128());
    let bits = 2 * T::BITS;
    if bits >= 64 {
        p as u64
    } else {
        p as u64 & ((1u64 << bits) - 1)
    }
}

/// The position and length operands of `bfe`/`bfi`: taken mod 256 for 32-bit types, as the PTX ISA says, but
/// used whole for 64-bit ones (measured on an H200: `bfe.u64 a, 0, 256` is `a`, `bfe.u64 a, 256, 8` is 0).
#[inline(always)]
fn field<T: Int>(pos: u32, len: u32) -> (u64, u64) {
    if T::BITS == 64 {
        (pos as u64, len as u64)
    } else {
        ((pos & 0xFF) as u64, (len & 0xFF) as u64)
    }
}

/// `bfe d, a, pos, len` per the PTX ISA: `len` bits of `a` from `pos`, zero-extended, or for signed types
/// sign-extended from the field's top bit (the value's top bit when the field runs past it). A zero length gives
/// 0. See [`field`] for how `pos` and `len` are read.
#[inline(always)]
pub(crate) fn bfe<T: Int>(a: T, pos: u32, len: u32) -> T {
    let (pos, len) = field::<T>(pos, len);
    if len == 0 {
        return T::from_i128(0);
    }
    let msb = T::BITS as u64 - 1;
    let sbit = T::SIGNED && a.bit((pos + len - 1).min(msb) as u32);
    let mut d: i128 = 0;
    for i in 0..T::BITS as u64 {
        let b = if i < len && pos + i <= msb { a.bit((pos + i) as u32) } else { sbit };
        if b {
            d |= 1 << i;
        }
    }
    T::from_i128(d)
}

/// `bfi d, f, b, pos, len`: `b` with its `len` bits from `pos` replaced by the low bits of `f` (see [`field`]).
#[inline(always)]
pub(crate) fn bfi<T: Int>(f: T, b: T, pos: u32, len: u32) -> T {
    let (pos, len) = field::<T>(pos, len);
    let mut d = b.to_i128();
    let fv = f.to_i128();
    let mut i = 0u64;
    while i < len && pos + i < T::BITS as u64 {
        let bit = 1i128 << (pos + i);
        if (fv >> i) & 1 == 1 {
            d |= bit;
        } else {
            d &= !bit;
        }
        i += 1;
    }
    T::from_i128(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_edge_cases_follow_the_gpu() {
        assert_eq!(7i32.div_gpu(0), -1);
        assert_eq!(7i32.rem_gpu(0), -1);
        assert_eq!(7u32.div_gpu(0), u32::MAX);
        assert_eq!(7u32.rem_gpu(0), u32::MAX);
        assert_eq!(i32::MIN.div_gpu(-1), i32::MIN);
        assert_eq!(i32::MIN.rem_gpu(-1), 0);
        assert_eq!((-7i32).div_gpu(2), -3);
        assert_eq!((-7i32).rem_gpu(2), -1);
        assert_eq!(i64::MIN.div_gpu(-1), i64::MIN);
    }

    #[test]
    fn shifts_saturate() {
        assert_eq!(1u32.shl_gpu(31), 1 << 31);
        assert_eq!(1u32.shl_gpu(32), 0);
        assert_eq!(u32::MAX.shr_gpu(40), 0);
        assert_eq!((-8i32).shr_gpu(1), -4);
        assert_eq!((-8i32).shr_gpu(32), -1);
        assert_eq!((8i32).shr_gpu(100), 0);
        assert_eq!((-8i16).shr_gpu(16), -1);
        assert_eq!((0x8000u16).shr_gpu(15), 1);
    }

    #[test]
    fn hi_wide_products() {
        assert_eq!(0xFFFF_FFFFu32.mul_hi(0xFFFF_FFFF), 0xFFFF_FFFE);
        assert_eq!((-1i32).mul_hi(-1), 0);
        assert_eq!((-2i32).mul_hi(3), -1);
        assert_eq!(mul_wide(0xFFFF_FFFFu32, 2u32), 0x1_FFFF_FFFE);
        assert_eq!(mul_wide(-3i32, 5i32), (-15i64) as u64);
        assert_eq!(mul_wide(-3i16, 5i16), (-15i32) as u32 as u64);
        assert_eq!(u64::MAX.mul_hi(u64::MAX), u64::MAX - 1);
    }

    #[test]
    fn bit_fields() {
        assert_eq!(bfe(0xABCD_1234u32, 8, 8), 0x12);
        assert_eq!(bfe(0x0000_8000i32, 12, 4), -8);
        assert_eq!(bfe(i32::MIN, 28, 8), -8); // runs past the msb: filled with the top bit
        assert_eq!(bfe(0x7000_0000i32, 40, 8), 0);
        assert_eq!(bfe(0xFFFF_FFFFu32, 4, 0), 0);
        assert_eq!(bfe(0xFFu32, 4, 256 + 4), 0xF); // the length is taken mod 256
        assert_eq!(bfi(0xFu32, 0xFFFF_0000, 4, 8), 0xFFFF_00F0);
        assert_eq!(bfi(0xFFu32, 0, 28, 8), 0xF000_0000);
        assert_eq!(bfi(0x1u32, 0x10, 4, 0), 0x10);
        // 64-bit forms read pos and len whole (measured).
        let a = 0xF3C5_A96E_1B2D_4879u64;
        assert_eq!(bfe(a, 0, 256), a);
        assert_eq!(bfe(a, 256, 8), 0);
        assert_eq!(bfe(a as i64, 1, 256), 0xF9E2_D4B7_0D96_A43Cu64 as i64);
        assert_eq!(bfi(a, !a, 0, 256), a);
        assert_eq!(bfe(a as u32, 0, 256), 0, "32-bit: len 256 is 0");
    }
}
