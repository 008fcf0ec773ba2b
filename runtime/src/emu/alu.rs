//! Arithmetic instructions as functions over a warp's register lanes, chosen once per instruction at decode time.
//!
//! Every function here has one of the signatures [`Fn1`]…[`Fn4`]: it reads source lanes from the warp's register
//! file, computes all 32 lanes and writes those of the active mask. The operation, the type and the rounding mode
//! are fixed by monomorphisation, so the lane loop is a straight loop the compiler can vectorise; the dispatch cost
//! is one indirect call per warp instruction. Operations for which no fast function exists here (directed rounding,
//! f16/bf16 arithmetic, `.approx`) run through [`super::float`] per lane instead.

use ptx_gen::{BinOp, CmpOp, Mode, TernOp, Type, UnOp};

use super::float::{abs, min_max, neg, prop64, Fmt};
use super::int::{bfe, bfi, mul_wide, Int};

/// `d = f(a)` over the lanes of a mask. Arguments: registers, `d`, `a` (slot bases), active mask.
pub(crate) type Fn1 = fn(&mut [u64], usize, usize, u32);
/// `d = f(a, b)`.
pub(crate) type Fn2 = fn(&mut [u64], usize, usize, usize, u32);
/// `d = f(a, b, c)`.
pub(crate) type Fn3 = fn(&mut [u64], usize, usize, usize, usize, u32);
/// `d = f(a, b, c, e)`.
pub(crate) type Fn4 = fn(&mut [u64], usize, usize, usize, usize, usize, u32);

/// Writes the lanes of `v` selected by `m` into register `d` (a branch-free blend).
#[inline(always)]
pub(crate) fn write_lanes(r: &mut [u64], d: usize, m: u32, v: &[u64; 32]) {
    let out = &mut r[d..d + 32];
    for (l, (o, &x)) in out.iter_mut().zip(v).enumerate() {
        let sel = 0u64.wrapping_sub(((m >> l) & 1) as u64);
        *o = (x & sel) | (*o & !sel);
    }
}

/// `d[l] = f(l)` for the lanes of `m`, where `f` reads source lanes through `p`. Lanes are processed in order and
/// each reads its own sources before writing its own destination, so a destination that is also a source is
/// fine; raw pointers express exactly that (references could not alias). All 32 lanes are computed (cheap and
/// branch-free; inactive lanes' values are dropped).
///
/// `slots` are the slot bases used; if any lies outside `r` (which decoding rules out) nothing is written.
#[inline(always)]
fn lanes_raw(r: &mut [u64], d: usize, slots: &[usize], m: u32, f: impl Fn(*const u64, usize) -> u64) {
    if d + 32 > r.len() || slots.iter().any(|&s| s + 32 > r.len()) {
        return;
    }
    let p = r.as_mut_ptr();
    if m == u32::MAX {
        for l in 0..32 {
            // SAFETY: `d + l` and every source index are below `r.len()` (checked above).
            unsafe { *p.add(d + l) = f(p, l) };
        }
    } else {
        for l in 0..32 {
            let v = f(p, l);
            if (m >> l) & 1 != 0 {
                // SAFETY: as above.
                unsafe { *p.add(d + l) = v };
            }
        }
    }
}

#[inline(always)]
pub(crate) fn map1(r: &mut [u64], d: usize, a: usize, m: u32, f: impl Fn(u64) -> u64) {
    // SAFETY (closure): `lanes_raw` checked `a + 32 <= r.len()`.
    lanes_raw(r, d, &[a], m, |p, l| f(unsafe { *p.add(a + l) }));
}

#[inline(always)]
pub(crate) fn map2(r: &mut [u64], d: usize, a: usize, b: usize, m: u32, f: impl Fn(u64, u64) -> u64) {
    // SAFETY (closure): `lanes_raw` checked the sources.
    lanes_raw(r, d, &[a, b], m, |p, l| unsafe { f(*p.add(a + l), *p.add(b + l)) });
}

#[inline(always)]
pub(crate) fn map3(r: &mut [u64], d: usize, a: usize, b: usize, c: usize, m: u32, f: impl Fn(u64, u64, u64) -> u64) {
    // SAFETY (closure): `lanes_raw` checked the sources.
    lanes_raw(r, d, &[a, b, c], m, |p, l| unsafe { f(*p.add(a + l), *p.add(b + l), *p.add(c + l)) });
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn map4(
    r: &mut [u64],
    d: usize,
    a: usize,
    b: usize,
    c: usize,
    e: usize,
    m: u32,
    f: impl Fn(u64, u64, u64, u64) -> u64,
) {
    // SAFETY (closure): `lanes_raw` checked the sources.
    lanes_raw(r, d, &[a, b, c, e], m, |p, l| unsafe { f(*p.add(a + l), *p.add(b + l), *p.add(c + l), *p.add(e + l)) });
}

/// Instantiates a generic table function for the integer type `ty` (`.bN` computes as `.uN`); `None` for other
/// types.
macro_rules! by_int {
    ($ty:expr, $f:ident $(, $arg:expr)*) => {
        match $ty {
            Type::U8 | Type::B8 => $f::<u8>($($arg),*),
            Type::U16 | Type::B16 => $f::<u16>($($arg),*),
            Type::U32 | Type::B32 => $f::<u32>($($arg),*),
            Type::U64 | Type::B64 => $f::<u64>($($arg),*),
            Type::S8 => $f::<i8>($($arg),*),
            Type::S16 => $f::<i16>($($arg),*),
            Type::S32 => $f::<i32>($($arg),*),
            Type::S64 => $f::<i64>($($arg),*),
            _ => None,
        }
    };
}

/// One-operand integer, bit and predicate instructions.
pub(crate) fn int_unary(op: UnOp, ty: Type) -> Option<Fn1> {
    if ty == Type::Pred {
        return match op {
            UnOp::Not => Some(|r, d, a, m| map1(r, d, a, m, |x| (x & 1) ^ 1)),
            _ => None,
        };
    }
    by_int!(ty, int_unary_t, op)
}

fn int_unary_t<T: Int>(op: UnOp) -> Option<Fn1> {
    Some(match op {
        UnOp::Neg => |r, d, a, m| map1(r, d, a, m, |x| T::get(x).wneg().put()),
        UnOp::Abs => |r, d, a, m| map1(r, d, a, m, |x| T::get(x).wabs().put()),
        UnOp::Not => |r, d, a, m| map1(r, d, a, m, |x| (!x) & T::get(u64::MAX).put()),
        UnOp::Popc => |r, d, a, m| map1(r, d, a, m, |x| T::get(x).put().count_ones() as u64),
        UnOp::Clz => |r, d, a, m| map1(r, d, a, m, |x| (T::get(x).put().leading_zeros() - (64 - T::BITS)) as u64),
        UnOp::Brev => |r, d, a, m| map1(r, d, a, m, |x| T::get(x).put().reverse_bits() >> (64 - T::BITS)),
        _ => return None,
    })
}

/// Two-operand integer, bit and predicate instructions. `mul` takes `.lo` (or no mode), `.hi` or `.wide`.
pub(crate) fn int_binary(op: BinOp, mode: Mode, ty: Type) -> Option<Fn2> {
    if ty == Type::Pred {
        return match op {
            BinOp::And => Some(|r, d, a, b, m| map2(r, d, a, b, m, |x, y| x & y & 1)),
            BinOp::Or => Some(|r, d, a, b, m| map2(r, d, a, b, m, |x, y| (x | y) & 1)),
            BinOp::Xor => Some(|r, d, a, b, m| map2(r, d, a, b, m, |x, y| (x ^ y) & 1)),
            _ => None,
        };
    }
    let mode_ok = match op {
        BinOp::Mul => matches!(mode, Mode::None | Mode::Lo | Mode::Hi | Mode::Wide),
        _ => mode == Mode::None,
    };
    if !mode_ok {
        return None;
    }
    by_int!(ty, int_binary_t, op, mode)
}

fn int_binary_t<T: Int>(op: BinOp, mode: Mode) -> Option<Fn2> {
    Some(match op {
        BinOp::Add => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).wadd(T::get(y)).put()),
        BinOp::Sub => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).wsub(T::get(y)).put()),
        BinOp::Mul => match mode {
            Mode::Hi => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).mul_hi(T::get(y)).put()),
            Mode::Wide if T::BITS <= 32 => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| mul_wide(T::get(x), T::get(y))),
            Mode::Wide => return None,
            _ => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).wmul(T::get(y)).put()),
        },
        BinOp::Div => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).div_gpu(T::get(y)).put()),
        BinOp::Rem => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).rem_gpu(T::get(y)).put()),
        BinOp::Min => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).min(T::get(y)).put()),
        BinOp::Max => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).max(T::get(y)).put()),
        BinOp::And => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x & y).put()),
        BinOp::Or => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x | y).put()),
        BinOp::Xor => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x ^ y).put()),
        // The shift amount is a .u32 operand whatever the type.
        BinOp::Shl => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).shl_gpu(y as u32).put()),
        BinOp::Shr => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| T::get(x).shr_gpu(y as u32).put()),
    })
}

/// `mad.{lo,hi,wide}` and `bfe`.
pub(crate) fn int_ternary(op: TernOp, mode: Mode, ty: Type) -> Option<Fn3> {
    match op {
        TernOp::Mad if matches!(mode, Mode::None | Mode::Lo | Mode::Hi | Mode::Wide) => by_int!(ty, mad_t, mode),
        TernOp::Bfe if mode == Mode::None => by_int!(ty, bfe_t),
        _ => None,
    }
}

fn mad_t<T: Int>(mode: Mode) -> Option<Fn3> {
    Some(match mode {
        Mode::Hi => {
            |r, d, a, b, c, m| map3(r, d, a, b, c, m, |x, y, z| T::get(x).mul_hi(T::get(y)).wadd(T::get(z)).put())
        }
        Mode::Wide if T::BITS <= 32 => |r, d, a, b, c, m| {
            map3(r, d, a, b, c, m, |x, y, z| {
                let wide_mask = if T::BITS == 32 { u64::MAX } else { (1u64 << (2 * T::BITS)) - 1 };
                mul_wide(T::get(x), T::get(y)).wrapping_add(z) & wide_mask
            })
        },
        Mode::Wide => return None,
        _ => |r, d, a, b, c, m| map3(r, d, a, b, c, m, |x, y, z| T::get(x).wmul(T::get(y)).wadd(T::get(z)).put()),
    })
}

fn bfe_t<T: Int>() -> Option<Fn3> {
    Some(|r, d, a, b, c, m| map3(r, d, a, b, c, m, |x, p, l| bfe(T::get(x), p as u32, l as u32).put()))
}

/// `bfi.bN d, f, b, pos, len`.
pub(crate) fn bit_insert(ty: Type) -> Option<Fn4> {
    by_int!(ty, bfi_t)
}

fn bfi_t<T: Int>() -> Option<Fn4> {
    Some(|r, d, a, b, c, e, m| {
        map4(r, d, a, b, c, e, m, |f, x, p, l| bfi(T::get(f), T::get(x), p as u32, l as u32).put())
    })
}

/// `setp` on integers: `.sN` compares signed, `.uN`/`.bN` unsigned; `lo`/`ls`/`hi`/`hs` always unsigned.
pub(crate) fn int_setp(cmp: CmpOp, ty: Type) -> Option<Fn2> {
    if cmp.is_float_only() {
        return None;
    }
    if ty == Type::Pred {
        return match cmp {
            CmpOp::Eq => Some(|r, d, a, b, m| map2(r, d, a, b, m, |x, y| ((x & 1) == (y & 1)) as u64)),
            CmpOp::Ne => Some(|r, d, a, b, m| map2(r, d, a, b, m, |x, y| ((x & 1) != (y & 1)) as u64)),
            _ => None,
        };
    }
    by_int!(ty, int_setp_t, cmp)
}

fn int_setp_t<T: Int>(cmp: CmpOp) -> Option<Fn2> {
    Some(match cmp {
        CmpOp::Eq => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x) == T::get(y)) as u64),
        CmpOp::Ne => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x) != T::get(y)) as u64),
        CmpOp::Lt => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x) < T::get(y)) as u64),
        CmpOp::Le => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x) <= T::get(y)) as u64),
        CmpOp::Gt => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x) > T::get(y)) as u64),
        CmpOp::Ge => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x) >= T::get(y)) as u64),
        CmpOp::Lo => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x).put() < T::get(y).put()) as u64),
        CmpOp::Ls => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x).put() <= T::get(y).put()) as u64),
        CmpOp::Hi => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x).put() > T::get(y).put()) as u64),
        CmpOp::Hs => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| (T::get(x).put() >= T::get(y).put()) as u64),
        _ => return None,
    })
}

/// A float format fixed at compile time, so that per-lane code folds the format's constants.
pub(crate) trait FloatT {
    const FMT: Fmt;
}
pub(crate) struct F16T;
pub(crate) struct BF16T;
pub(crate) struct F32T;
pub(crate) struct F64T;
impl FloatT for F16T {
    const FMT: Fmt = Fmt::F16;
}
impl FloatT for BF16T {
    const FMT: Fmt = Fmt::BF16;
}
impl FloatT for F32T {
    const FMT: Fmt = Fmt::F32;
}
impl FloatT for F64T {
    const FMT: Fmt = Fmt::F64;
}

macro_rules! by_fmt {
    ($fmt:expr, $f:ident $(, $arg:expr)*) => {
        match $fmt {
            Fmt::F16 => $f::<F16T>($($arg),*),
            Fmt::BF16 => $f::<BF16T>($($arg),*),
            Fmt::F32 => $f::<F32T>($($arg),*),
            Fmt::F64 => $f::<F64T>($($arg),*),
        }
    };
}

/// `setp` on floats: ordered comparisons are false and the `u` forms true when either operand is NaN. Integer-only
/// comparisons (`lo`, …) give `None`.
pub(crate) fn float_setp(cmp: CmpOp, fmt: Fmt) -> Option<Fn2> {
    by_fmt!(fmt, float_setp_t, cmp)
}

fn float_setp_t<F: FloatT>(cmp: CmpOp) -> Option<Fn2> {
    macro_rules! cmp {
        (|$x:ident, $y:ident| $e:expr) => {
            |r, d, a, b, m| {
                map2(r, d, a, b, m, |x, y| {
                    let ($x, $y) = (F::FMT.to_f64(x), F::FMT.to_f64(y));
                    ($e) as u64
                })
            }
        };
    }
    Some(match cmp {
        CmpOp::Eq => cmp!(|x, y| x == y),
        CmpOp::Ne => cmp!(|x, y| x != y && !x.is_nan() && !y.is_nan()),
        CmpOp::Lt => cmp!(|x, y| x < y),
        CmpOp::Le => cmp!(|x, y| x <= y),
        CmpOp::Gt => cmp!(|x, y| x > y),
        CmpOp::Ge => cmp!(|x, y| x >= y),
        CmpOp::Equ => cmp!(|x, y| x == y || x.is_nan() || y.is_nan()),
        CmpOp::Neu => cmp!(|x, y| x != y),
        CmpOp::Ltu => cmp!(|x, y| x < y || x.is_nan() || y.is_nan()),
        CmpOp::Leu => cmp!(|x, y| x <= y || x.is_nan() || y.is_nan()),
        CmpOp::Gtu => cmp!(|x, y| x > y || x.is_nan() || y.is_nan()),
        CmpOp::Geu => cmp!(|x, y| x >= y || x.is_nan() || y.is_nan()),
        CmpOp::Num => cmp!(|x, y| !x.is_nan() && !y.is_nan()),
        CmpOp::Nan => cmp!(|x, y| x.is_nan() || y.is_nan()),
        CmpOp::Lo | CmpOp::Ls | CmpOp::Hi | CmpOp::Hs => return None,
    })
}

#[inline(always)]
fn f32v(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64v(x: u64) -> f64 {
    f64::from_bits(x)
}
/// The GPU's canonical NaN for NaN results of f32 operations (see [`super::float`]).
#[inline(always)]
fn c32(v: f32) -> u64 {
    if v.is_nan() {
        Fmt::F32.nan()
    } else {
        v.to_bits() as u64
    }
}

/// Round-to-nearest f32/f64 `add`/`sub`/`mul`/`div` on the host's IEEE arithmetic, and `min`/`max` in every
/// format. `None` for everything else (the per-lane float path handles it).
pub(crate) fn float_binary_fast(op: BinOp, fmt: Fmt) -> Option<Fn2> {
    match op {
        BinOp::Min => return by_fmt!(fmt, min_max_t, false),
        BinOp::Max => return by_fmt!(fmt, min_max_t, true),
        _ => {}
    }
    Some(match (op, fmt) {
        (BinOp::Add, Fmt::F32) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| c32(f32v(x) + f32v(y))),
        (BinOp::Sub, Fmt::F32) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| c32(f32v(x) - f32v(y))),
        (BinOp::Mul, Fmt::F32) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| c32(f32v(x) * f32v(y))),
        (BinOp::Div, Fmt::F32) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| c32(f32v(x) / f32v(y))),
        (BinOp::Add, Fmt::F64) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| prop64(f64v(x) + f64v(y), &[y, x])),
        (BinOp::Sub, Fmt::F64) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| prop64(f64v(x) - f64v(y), &[y, x])),
        (BinOp::Mul, Fmt::F64) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| prop64(f64v(x) * f64v(y), &[y, x])),
        (BinOp::Div, Fmt::F64) => |r, d, a, b, m| map2(r, d, a, b, m, |x, y| prop64(f64v(x) / f64v(y), &[x, y])),
        _ => return None,
    })
}

fn min_max_t<F: FloatT>(max: bool) -> Option<Fn2> {
    Some(if max {
        |r, d, a, b, m| map2(r, d, a, b, m, |x, y| min_max(F::FMT, true, x, y))
    } else {
        |r, d, a, b, m| map2(r, d, a, b, m, |x, y| min_max(F::FMT, false, x, y))
    })
}

/// Round-to-nearest f32/f64 `fma`: the host's fused multiply-add instruction when the CPU has one (checked at
/// run time, since the portable build targets CPUs without it and would call a software `fma` per lane).
pub(crate) fn fma_fast(fmt: Fmt) -> Option<Fn3> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("fma") {
        return match fmt {
            Fmt::F32 => Some(hw_fma::f32_lanes),
            Fmt::F64 => Some(hw_fma::f64_lanes),
            _ => None,
        };
    }
    match fmt {
        Fmt::F32 => Some(|r, d, a, b, c, m| map3(r, d, a, b, c, m, |x, y, z| c32(f32v(x).mul_add(f32v(y), f32v(z))))),
        Fmt::F64 => Some(|r, d, a, b, c, m| {
            map3(r, d, a, b, c, m, |x, y, z| prop64(f64v(x).mul_add(f64v(y), f64v(z)), &[y, z, x]))
        }),
        _ => None,
    }
}

#[cfg(target_arch = "x86_64")]
mod hw_fma {
    use super::{c32, f32v, f64v, map3, prop64};

    #[target_feature(enable = "fma")]
    fn f32_fma(r: &mut [u64], d: usize, a: usize, b: usize, c: usize, m: u32) {
        map3(r, d, a, b, c, m, |x, y, z| c32(f32v(x).mul_add(f32v(y), f32v(z))));
    }

    #[target_feature(enable = "fma")]
    fn f64_fma(r: &mut [u64], d: usize, a: usize, b: usize, c: usize, m: u32) {
        map3(r, d, a, b, c, m, |x, y, z| prop64(f64v(x).mul_add(f64v(y), f64v(z)), &[y, z, x]));
    }

    pub(super) fn f32_lanes(r: &mut [u64], d: usize, a: usize, b: usize, c: usize, m: u32) {
        // SAFETY: `fma_fast` hands out this function only after detecting the FMA extension.
        unsafe { f32_fma(r, d, a, b, c, m) }
    }

    pub(super) fn f64_lanes(r: &mut [u64], d: usize, a: usize, b: usize, c: usize, m: u32) {
        // SAFETY: as above.
        unsafe { f64_fma(r, d, a, b, c, m) }
    }
}

/// `neg`/`abs` on floats (sign-bit operations; NaNs as [`super::float`] describes) and round-to-nearest f32/f64
/// `sqrt`.
pub(crate) fn float_unary_fast(op: UnOp, fmt: Fmt) -> Option<Fn1> {
    Some(match (op, fmt) {
        (UnOp::Neg, Fmt::F16) => |r, d, a, m| map1(r, d, a, m, |x| neg(Fmt::F16, x & 0xFFFF)),
        (UnOp::Abs, Fmt::F16) => |r, d, a, m| map1(r, d, a, m, |x| abs(Fmt::F16, x & 0xFFFF)),
        (UnOp::Neg, Fmt::BF16) => |r, d, a, m| map1(r, d, a, m, |x| neg(Fmt::BF16, x & 0xFFFF)),
        (UnOp::Abs, Fmt::BF16) => |r, d, a, m| map1(r, d, a, m, |x| abs(Fmt::BF16, x & 0xFFFF)),
        (UnOp::Neg, Fmt::F32) => |r, d, a, m| map1(r, d, a, m, |x| neg(Fmt::F32, x & 0xFFFF_FFFF)),
        (UnOp::Abs, Fmt::F32) => |r, d, a, m| map1(r, d, a, m, |x| abs(Fmt::F32, x & 0xFFFF_FFFF)),
        (UnOp::Neg, Fmt::F64) => |r, d, a, m| map1(r, d, a, m, |x| neg(Fmt::F64, x)),
        (UnOp::Abs, Fmt::F64) => |r, d, a, m| map1(r, d, a, m, |x| abs(Fmt::F64, x)),
        (UnOp::Sqrt, Fmt::F32) => |r, d, a, m| map1(r, d, a, m, |x| c32(f32v(x).sqrt())),
        (UnOp::Sqrt, Fmt::F64) => |r, d, a, m| map1(r, d, a, m, |x| prop64(f64v(x).sqrt(), &[x])),
        _ => return None,
    })
}

/// The float format of a scalar float type, and whether it is a packed pair.
pub(crate) fn float_format(ty: Type) -> Option<(Fmt, bool)> {
    Some(match ty {
        Type::F16 => (Fmt::F16, false),
        Type::BF16 => (Fmt::BF16, false),
        Type::F32 => (Fmt::F32, false),
        Type::F64 => (Fmt::F64, false),
        Type::F16x2 => (Fmt::F16, true),
        Type::BF16x2 => (Fmt::BF16, true),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run2(f: Fn2, xs: &[u64; 32], ys: &[u64; 32], mask: u32) -> Vec<u64> {
        let mut r = vec![7u64; 96];
        r[32..64].copy_from_slice(xs);
        r[64..96].copy_from_slice(ys);
        f(&mut r, 0, 32, 64, mask);
        r[..32].to_vec()
    }

    #[test]
    fn masked_lanes_keep_their_values() {
        let xs: [u64; 32] = std::array::from_fn(|i| i as u64 * 3);
        let ys: [u64; 32] = std::array::from_fn(|i| i as u64 + 100);
        let add = int_binary(BinOp::Add, Mode::None, Type::U32).unwrap();
        let out = run2(add, &xs, &ys, 0x0000_00F0);
        for (l, &v) in out.iter().enumerate() {
            let want = if (4..8).contains(&l) { xs[l] + ys[l] } else { 7 };
            assert_eq!(v, want, "lane {l}");
        }
        // Aliasing: d == a.
        let mut r = vec![0u64; 64];
        for l in 0..32 {
            r[l] = l as u64;
            r[32 + l] = 1;
        }
        add(&mut r, 0, 0, 32, u32::MAX);
        assert!(r[..32].iter().enumerate().all(|(l, &v)| v == l as u64 + 1));
    }

    #[test]
    fn typed_results_are_canonical() {
        let xs = [0xFFFF_FFFFu64; 32];
        let ys = [1u64; 32];
        let add = int_binary(BinOp::Add, Mode::None, Type::U32).unwrap();
        assert_eq!(run2(add, &xs, &ys, u32::MAX)[0], 0);
        let sub = int_binary(BinOp::Sub, Mode::None, Type::S16).unwrap();
        assert_eq!(run2(sub, &[0; 32], &[1; 32], u32::MAX)[0], 0xFFFF);
        let wide = int_binary(BinOp::Mul, Mode::Wide, Type::S32).unwrap();
        assert_eq!(run2(wide, &[0xFFFF_FFFF; 32], &[3; 32], u32::MAX)[0], (-3i64) as u64);
        let lt = int_setp(CmpOp::Lt, Type::S32).unwrap();
        assert_eq!(run2(lt, &[0xFFFF_FFFF; 32], &[0; 32], u32::MAX)[0], 1);
        let lo = int_setp(CmpOp::Lo, Type::S32).unwrap();
        assert_eq!(run2(lo, &[0xFFFF_FFFF; 32], &[0; 32], u32::MAX)[0], 0);
        assert!(int_binary(BinOp::Mul, Mode::Wide, Type::U64).is_none());
        assert!(int_binary(BinOp::Add, Mode::Rn, Type::U32).is_none());
        let clz = int_unary(UnOp::Clz, Type::B32).unwrap();
        let mut r = vec![0u64; 64];
        r[32] = 1;
        clz(&mut r, 0, 32, 1);
        assert_eq!(r[0], 31);
        let brev = int_unary(UnOp::Brev, Type::B32).unwrap();
        brev(&mut r, 0, 32, 1);
        assert_eq!(r[0], 0x8000_0000);
    }

    #[test]
    fn float_compare_with_nan() {
        let nan = f32::NAN.to_bits() as u64;
        let one = 1f32.to_bits() as u64;
        let f = |c| float_setp(c, Fmt::F32).unwrap();
        assert_eq!(run2(f(CmpOp::Lt), &[nan; 32], &[one; 32], u32::MAX)[0], 0);
        assert_eq!(run2(f(CmpOp::Ltu), &[nan; 32], &[one; 32], u32::MAX)[0], 1);
        assert_eq!(run2(f(CmpOp::Ne), &[nan; 32], &[one; 32], u32::MAX)[0], 0);
        assert_eq!(run2(f(CmpOp::Neu), &[nan; 32], &[one; 32], u32::MAX)[0], 1);
        assert_eq!(run2(f(CmpOp::Nan), &[nan; 32], &[one; 32], u32::MAX)[0], 1);
        assert!(float_setp(CmpOp::Hi, Fmt::F32).is_none());
    }
}
