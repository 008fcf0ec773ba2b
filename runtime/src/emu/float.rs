//! Floating-point arithmetic as the GPU rounds it, in every PTX rounding mode and format.
//!
//! - Round to nearest even (`.rn`) of f32 and f64 is the host's IEEE arithmetic (Rust's `+ - * /`, `sqrt`,
//!   `mul_add`), which is correctly rounded, so it is bit-exact.
//! - f16, bf16 and f32 in any mode: the operands are exact in f64; the result is computed in f64 together with the
//!   sign of its rounding error (an error-free transformation: `two_sum` for sums, the exact f32 product, an
//!   `fma` residual for quotients and square roots), and that pair is rounded once, in integer arithmetic, to the
//!   target format and mode ([`round_exact`]). Double rounding cannot occur because the error's sign decides every
//!   case in which the f64 value lies on a rounding boundary of the narrower format.
//! - f64 in `.rz`/`.rm`/`.rp`: sums take the native `.rn` result and step it one ulp where the exact error's sign
//!   (a two-sum, exact everywhere) requires; products, quotients, square roots and `fma` are computed exactly in
//!   128-bit integer arithmetic and rounded once, subnormal results included.
//! - NaN results, as measured on an H200 (sm_90, driver 580; `runtime/tests/emu_vs_gpu.rs`): f32, f16 and bf16
//!   operations return the canonical NaN (`0x7FFFFFFF`, `0x7FFF`), `neg` and `abs` included. f64 operations
//!   propagate a NaN operand, quieted, with its sign and payload: `add`/`sub`/`mul` take the second operand's first
//!   (`fma`: the second's, then the third's, then the first's), `div` the first's; `neg`/`abs` of a NaN return it
//!   quieted and unchanged in sign; an invalid f64 operation (0/0, √−1, ∞−∞) gives `0xFFF8000000000000`. (ptxas
//!   may reorder the operands of commutative instructions, so when *both* operands are NaNs with different
//!   payloads the GPU's choice can differ from this order.)
//! - `.approx` functions (`ex2`, `lg2`, `sin`, `cos`, `tanh`, `rsqrt`, `rcp`, `sqrt`, `div.approx`, `div.full`) are
//!   computed in f64 and rounded to nearest: closer to the true value than the GPU's hardware approximations, whose
//!   documented error bounds (e.g. 2 ulp for `ex2.approx.f32`, 2^-20.9 absolute for `sin.approx.f32` in -π..π) are
//!   therefore the bound on the emulator's difference from the GPU.
//! - `min`/`max` return the non-NaN operand and order -0 below +0; when both are NaN, the canonical NaN (f64: the
//!   second operand, quieted).

/// The NaN an invalid f64 operation gives (0/0, √−1, ∞−∞): negative, quiet, no payload.
pub(crate) const F64_DEFAULT_NAN: u64 = 0xFFF8_0000_0000_0000;
const F64_QUIET: u64 = 1 << 51;

/// Whether `x` is an f64 NaN.
#[inline(always)]
pub(crate) fn is_nan64(x: u64) -> bool {
    x & !(1 << 63) > 0x7FF0_0000_0000_0000
}

/// The result of an f64 operation whose value is `r`: `r`, or when it is NaN the first NaN among `ops` quieted,
/// or the default NaN. `ops` lists the operands in the order the GPU takes their NaNs.
#[inline(always)]
pub(crate) fn prop64(r: f64, ops: &[u64]) -> u64 {
    if !r.is_nan() {
        return r.to_bits();
    }
    for &o in ops {
        if is_nan64(o) {
            return o | F64_QUIET;
        }
    }
    F64_DEFAULT_NAN
}

/// A floating-point format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Fmt {
    F16,
    BF16,
    F32,
    F64,
}

/// A rounding direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Round {
    /// To nearest, ties to even.
    Rn,
    /// Toward zero.
    Rz,
    /// Toward −∞.
    Rm,
    /// Toward +∞.
    Rp,
}

impl Fmt {
    /// Stored fraction bits.
    const fn frac_bits(self) -> u32 {
        match self {
            Fmt::F16 => 10,
            Fmt::BF16 => 7,
            Fmt::F32 => 23,
            Fmt::F64 => 52,
        }
    }
    const fn exp_bits(self) -> u32 {
        match self {
            Fmt::F16 => 5,
            Fmt::BF16 | Fmt::F32 => 8,
            Fmt::F64 => 11,
        }
    }
    /// Width in bits.
    pub(crate) const fn bits(self) -> u32 {
        match self {
            Fmt::F16 | Fmt::BF16 => 16,
            Fmt::F32 => 32,
            Fmt::F64 => 64,
        }
    }
    const fn bias(self) -> i32 {
        (1 << (self.exp_bits() - 1)) - 1
    }
    const fn sign_bit(self) -> u64 {
        1 << (self.bits() - 1)
    }
    /// The NaN the GPU produces from non-NaN operands: the canonical NaN for f16/bf16/f32, the default NaN
    /// `0xFFF8000000000000` for f64.
    pub(crate) const fn nan(self) -> u64 {
        match self {
            Fmt::F64 => F64_DEFAULT_NAN,
            _ => self.sign_bit() - 1,
        }
    }
    const fn inf(self) -> u64 {
        ((1u64 << self.exp_bits()) - 1) << self.frac_bits()
    }
    const fn max_finite(self) -> u64 {
        self.inf() - 1
    }

    /// The value of `bits` (exact: every format here widens exactly to f64).
    #[inline]
    pub(crate) fn to_f64(self, bits: u64) -> f64 {
        match self {
            Fmt::F16 => half::f16::from_bits(bits as u16).to_f64(),
            Fmt::BF16 => half::bf16::from_bits(bits as u16).to_f64(),
            Fmt::F32 => f32::from_bits(bits as u32) as f64,
            Fmt::F64 => f64::from_bits(bits),
        }
    }

    /// Whether `bits` is a NaN of this format.
    #[inline]
    pub(crate) fn is_nan(self, bits: u64) -> bool {
        let abs = bits & (self.sign_bit() - 1);
        abs > self.inf()
    }
}

/// Rounds the exact value `(-1)^neg · m · 2^e` to `fmt` in `mode`; returns its bits. `m == 0` gives a signed zero.
pub(crate) fn round_exact(fmt: Fmt, neg: bool, m: u128, e: i32, mode: Round) -> u64 {
    let sign = if neg { fmt.sign_bit() } else { 0 };
    if m == 0 {
        return sign;
    }
    let p = fmt.frac_bits() as i32;
    let emin = 1 - fmt.bias();
    let emax = fmt.bias();
    let msb = 127 - m.leading_zeros() as i32;
    let exp = msb + e; // the value lies in [2^exp, 2^(exp+1))
    let overflow = || {
        let to_max = match mode {
            Round::Rn => false,
            Round::Rz => true,
            Round::Rm => !neg,
            Round::Rp => neg,
        };
        sign | if to_max { fmt.max_finite() } else { fmt.inf() }
    };
    if exp > emax {
        return overflow();
    }
    // The exponent of the last fraction bit: fixed at the subnormal quantum below the normal range.
    let q = if exp < emin { emin - p } else { exp - p };
    let shift = q - e; // bits of m below the quantum
    let (mut mant, round_bit, sticky) = if shift <= 0 {
        // Exact: m has at most p + 1 significant bits at this exponent, so the shift cannot overflow.
        (m << (-shift) as u32, false, false)
    } else if shift > 128 {
        (0u128, false, true)
    } else if shift == 128 {
        (0u128, (m >> 127) & 1 == 1, m & (u128::MAX >> 1) != 0)
    } else {
        let s = shift as u32;
        let rem = m & ((1u128 << s) - 1);
        let half = 1u128 << (s - 1);
        (m >> s, rem & half != 0, rem & (half - 1) != 0)
    };
    let inexact = round_bit || sticky;
    let up = match mode {
        Round::Rn => round_bit && (sticky || mant & 1 == 1),
        Round::Rz => false,
        Round::Rm => neg && inexact,
        Round::Rp => !neg && inexact,
    };
    if up {
        mant += 1;
    }
    let mut q = q;
    if mant >> (p + 1) != 0 {
        // Rounding carried into a new binade.
        mant >>= 1;
        q += 1;
    }
    if mant >> p == 0 {
        // Subnormal (or zero): the exponent field is 0 and the fraction is the mantissa.
        return sign | mant as u64;
    }
    let biased = q + p + fmt.bias();
    if biased > 2 * fmt.bias() {
        return overflow();
    }
    sign | ((biased as u64) << p) | (mant as u64 & ((1u64 << p) - 1))
}

/// Rounds `s + ε` to `fmt`, where `s` is an f64 and `ε` an error far below `s`'s last bit whose sign is `tail`
/// (-1, 0 or 1): the result of an error-free transformation.
pub(crate) fn round_f64(fmt: Fmt, s: f64, tail: i8, mode: Round) -> u64 {
    if s.is_nan() {
        return fmt.nan();
    }
    let neg = s.is_sign_negative();
    if s.is_infinite() {
        return if neg { fmt.sign_bit() | fmt.inf() } else { fmt.inf() };
    }
    if s == 0.0 {
        if tail == 0 {
            return if neg { fmt.sign_bit() } else { 0 };
        }
        // A nonzero value too small for f64: 2^-1100 stands in for it (below every format's smallest subnormal).
        return round_exact(fmt, tail < 0, 1, -1100, mode);
    }
    let bits = s.to_bits();
    let field = ((bits >> 52) & 0x7FF) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (sig, e) = if field == 0 { (frac, -1074) } else { (frac | 1 << 52, field - 1075) };
    // Two extra bits make room for the error: s ± a quarter ulp lies strictly between s and its neighbour, where no
    // rounding boundary of a narrower format can be.
    let mut m = (sig as u128) << 2;
    if tail != 0 {
        if (tail < 0) == neg {
            m += 1;
        } else {
            m -= 1;
        }
    }
    round_exact(fmt, neg, m, e - 2, mode)
}

/// `(fl(a + b), exact error)`: Knuth's two-sum.
#[inline]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// The sign (-1, 0, 1) of the exact sum of `terms` (finite f64s), by growing a Shewchuk expansion: its components
/// do not overlap, so the most significant nonzero one has the sum's sign.
pub(crate) fn sum_sign(terms: &[f64]) -> i8 {
    let mut exp = [0.0f64; 8];
    let mut n = 0;
    for &t in terms.iter().take(exp.len()) {
        let mut q = t;
        for c in exp.iter_mut().take(n) {
            let (s, e) = two_sum(q, *c);
            *c = e;
            q = s;
        }
        exp[n] = q;
        n += 1;
    }
    for &c in exp[..n].iter().rev() {
        if c != 0.0 {
            return if c > 0.0 { 1 } else { -1 };
        }
    }
    0
}

fn sign_of(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// An arithmetic operation with a rounding mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum FOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `a * b + c`, one rounding.
    Fma,
    Sqrt,
    /// `1 / a`.
    Rcp,
}

/// `op` on the bits of `a`, `b`, `c` (unused operands ignored) in `fmt`, rounded in `mode`.
pub(crate) fn arith(op: FOp, fmt: Fmt, mode: Round, a: u64, b: u64, c: u64) -> u64 {
    let x = fmt.to_f64(a);
    let y = fmt.to_f64(b);
    let z = fmt.to_f64(c);
    if fmt == Fmt::F64 {
        let nan_order: &[u64] = match op {
            FOp::Add | FOp::Sub | FOp::Mul => &[b, a],
            FOp::Fma => &[b, c, a],
            FOp::Div => &[a, b],
            FOp::Sqrt | FOp::Rcp => &[a],
        };
        return arith_f64(op, mode, x, y, z).map_or_else(|| prop64(f64::NAN, nan_order), f64::to_bits);
    }
    // Narrow formats: the exact result as (s, sign of the error), then one rounding.
    let (s, tail, addends) = match op {
        FOp::Add | FOp::Sub => {
            let y = if op == FOp::Sub { -y } else { y };
            let (s, e) = two_sum(x, y);
            (s, sign_of(e), Some((x, y)))
        }
        FOp::Mul => {
            // Products of two f32 (24-bit) significands are exact in f64.
            let s = x * y;
            (s, 0, None)
        }
        FOp::Div => {
            let s = x / y;
            (s, quotient_tail(s, x, y), None)
        }
        FOp::Rcp => {
            let s = 1.0 / x;
            (s, quotient_tail(s, 1.0, x), None)
        }
        FOp::Sqrt => {
            let s = x.sqrt();
            let tail = if s.is_finite() && s != 0.0 { -sign_of(s.mul_add(s, -x)) } else { 0 };
            (s, tail, None)
        }
        FOp::Fma => {
            let p = x * y; // exact, as for Mul
            let (s, e) = if p.is_finite() && z.is_finite() { two_sum(p, z) } else { (p + z, 0.0) };
            (s, sign_of(e), Some((p, z)))
        }
    };
    if let (Some((u, v)), true) = (addends, s == 0.0 && tail == 0) {
        return exact_zero_sum_sign(fmt, u, v, mode);
    }
    round_f64(fmt, s, tail, mode)
}

/// The sign of the error of the quotient `s ≈ x / y`, from the exact residual `s·y − x` (exact in f64 for
/// operands of at most 24 significant bits, and for f64 operands away from underflow).
fn quotient_tail(s: f64, x: f64, y: f64) -> i8 {
    if !s.is_finite() || s == 0.0 || !y.is_finite() || y == 0.0 {
        return 0;
    }
    let r = s.mul_add(y, -x); // s·y − x
                              // x/y − s = −r / y
    -sign_of(r) * sign_of(y)
}

/// IEEE 754's sign of an exact zero sum `u + v`: −0 when rounding toward −∞ unless both are +0; +0 otherwise
/// unless both are −0.
fn exact_zero_sum_sign(fmt: Fmt, u: f64, v: f64, mode: Round) -> u64 {
    let both_pos_zero = u == 0.0 && v == 0.0 && u.is_sign_positive() && v.is_sign_positive();
    let both_neg_zero = u == 0.0 && v == 0.0 && u.is_sign_negative() && v.is_sign_negative();
    let neg = if mode == Round::Rm { !both_pos_zero } else { both_neg_zero };
    if neg {
        fmt.sign_bit()
    } else {
        0
    }
}

/// f64 arithmetic in `mode`: the native `.rn` result stepped by one ulp where the exact error's sign requires.
/// `None` for a NaN result.
fn arith_f64(op: FOp, mode: Round, x: f64, y: f64, z: f64) -> Option<f64> {
    let q = match op {
        FOp::Add => x + y,
        FOp::Sub => x - y,
        FOp::Mul => x * y,
        FOp::Div => x / y,
        FOp::Fma => x.mul_add(y, z),
        FOp::Sqrt => x.sqrt(),
        FOp::Rcp => 1.0 / x,
    };
    if q.is_nan() {
        return None;
    }
    if mode == Round::Rn {
        return Some(q);
    }
    let inputs_finite = match op {
        FOp::Add | FOp::Sub | FOp::Mul => x.is_finite() && y.is_finite(),
        FOp::Div => x.is_finite() && y.is_finite() && y != 0.0,
        FOp::Fma => x.is_finite() && y.is_finite() && z.is_finite(),
        FOp::Sqrt => x.is_finite(),
        FOp::Rcp => x.is_finite() && x != 0.0,
    };
    if !inputs_finite {
        // Infinite operands or a division by zero: the result is exact.
        return Some(q);
    }
    if let FOp::Add | FOp::Sub = op {
        if q.is_infinite() {
            // Overflow: directed modes stop at the largest finite value on their side.
            let to_max = match mode {
                Round::Rn => false,
                Round::Rz => true,
                Round::Rm => q > 0.0,
                Round::Rp => q < 0.0,
            };
            return Some(if to_max { f64::MAX.copysign(q) } else { q });
        }
        // Sums: the two-sum error is exact everywhere (subnormals included), so stepping the rn result is exact.
        let y = if op == FOp::Sub { -y } else { y };
        let cmp = if q == 0.0 {
            let c = sum_sign(&[x, y]);
            if c == 0 {
                return Some(f64::from_bits(exact_zero_sum_sign(Fmt::F64, x, y, mode)));
            }
            -c
        } else {
            sum_sign(&[q, -x, -y])
        };
        return Some(step(q, cmp, mode));
    }
    // Products, quotients, roots: rounded once from the exact value in integer arithmetic (error-free
    // transformations with `fma` lose exactness when the residual is subnormal).
    let bits = match op {
        FOp::Mul => exact_mul(x, y, mode),
        FOp::Div => exact_div(x, y, mode),
        FOp::Rcp => exact_div(1.0, x, mode),
        FOp::Sqrt => exact_sqrt(x, mode),
        FOp::Fma => exact_fma(x, y, z, mode),
        FOp::Add | FOp::Sub => None,
    };
    // `None`: a zero or infinite operand, for which the native result is exact, except for the sign of an exact
    // zero sum, which depends on the mode (−0 toward −∞).
    if bits.is_none() && op == FOp::Fma && q == 0.0 && z == 0.0 {
        return Some(f64::from_bits(exact_zero_sum_sign(Fmt::F64, x * y, z, mode)));
    }
    Some(bits.map_or(q, f64::from_bits))
}

/// `(negative, m, e)` with `x = ±m · 2^e` exactly, `m` normalised to 53 bits for subnormals too. `x` is finite
/// and nonzero.
fn parts64(x: f64) -> (bool, u64, i32) {
    let b = x.to_bits();
    let field = ((b >> 52) & 0x7FF) as i32;
    let frac = b & ((1 << 52) - 1);
    let (mut m, mut e) = if field == 0 { (frac, -1074) } else { (frac | 1 << 52, field - 1075) };
    let shift = m.leading_zeros() as i32 - 11;
    if shift > 0 {
        m <<= shift;
        e -= shift;
    }
    (b >> 63 == 1, m, e)
}

/// Whether the directed-rounding helpers below must leave `x` to the native operation (zero, infinite, NaN).
fn special(x: f64) -> bool {
    x == 0.0 || !x.is_finite()
}

/// `x · y` rounded in `mode`; `None` when an operand is special (the native result is exact then).
fn exact_mul(x: f64, y: f64, mode: Round) -> Option<u64> {
    if special(x) || special(y) {
        return None;
    }
    let ((nx, mx, ex), (ny, my, ey)) = (parts64(x), parts64(y));
    Some(round_exact(Fmt::F64, nx != ny, mx as u128 * my as u128, ex + ey, mode))
}

/// `x / y` rounded in `mode`: a 75-bit integer quotient with a sticky bit for the remainder.
fn exact_div(x: f64, y: f64, mode: Round) -> Option<u64> {
    if special(x) || special(y) {
        return None;
    }
    let ((nx, mx, ex), (ny, my, ey)) = (parts64(x), parts64(y));
    let num = (mx as u128) << 74;
    let (q, r) = (num / my as u128, num % my as u128);
    // q has 74 or 75 bits; the sticky bit below it stands for the remainder (strictly between q and q + 1).
    Some(round_exact(Fmt::F64, nx != ny, q << 1 | (r != 0) as u128, ex - ey - 75, mode))
}

/// `√x` rounded in `mode`: an integer square root of at least 62 bits with a sticky bit.
fn exact_sqrt(x: f64, mode: Round) -> Option<u64> {
    if special(x) || x < 0.0 {
        return None;
    }
    let (_, mut m, mut e) = parts64(x);
    if e % 2 != 0 {
        m <<= 1;
        e -= 1;
    }
    let v = (m as u128) << 72;
    let s = v.isqrt();
    Some(round_exact(Fmt::F64, false, s << 1 | (s * s != v) as u128, (e - 72) / 2 - 1, mode))
}

/// `x · y + z` rounded once in `mode`: the exact product (106 bits) and `z` are aligned in a 128-bit integer; an
/// operand that falls below it survives as a sticky bit, which cannot change the rounding (the result is then
/// within a factor of 4 of the larger operand, whose rounding boundaries lie far above).
fn exact_fma(x: f64, y: f64, z: f64, mode: Round) -> Option<u64> {
    if special(x) || special(y) || !z.is_finite() {
        return None;
    }
    let (nx, mx, ex) = parts64(x);
    let (ny, my, ey) = parts64(y);
    let (np, mp, ep) = (nx != ny, mx as u128 * my as u128, ex + ey);
    if z == 0.0 {
        return Some(round_exact(Fmt::F64, np, mp, ep, mode));
    }
    let (nz, mz, ez) = parts64(z);
    let (mz, ez) = (mz as u128, ez);
    let top = |m: u128, e: i32| e + (128 - m.leading_zeros() as i32);
    let e0 = top(mp, ep).max(top(mz, ez)) - 125;
    // Each operand in units of 2^e0 (magnitude, truncated) and whether bits were lost.
    let scale = |m: u128, e: i32| -> (i128, bool) {
        let sh = e - e0;
        if sh >= 0 {
            ((m << sh) as i128, false)
        } else if sh > -128 {
            let k = (-sh) as u32;
            ((m >> k) as i128, m & ((1u128 << k) - 1) != 0)
        } else {
            (0, true)
        }
    };
    let (vp, sp) = scale(mp, ep);
    let (vz, sz) = scale(mz, ez);
    let signed = |v: i128, neg: bool| if neg { -v } else { v };
    let sum = signed(vp, np) + signed(vz, nz);
    // At most one operand lost bits; they push the exact value a fraction of a unit toward that operand's sign.
    let (sticky, sticky_neg) = if sp { (true, np) } else { (sz, nz) };
    let twice = sum * 2
        + if sticky {
            if sticky_neg {
                -1
            } else {
                1
            }
        } else {
            0
        };
    if twice == 0 {
        return Some(exact_zero_sum_sign(Fmt::F64, if np { -1.0 } else { 1.0 }, z, mode));
    }
    Some(round_exact(Fmt::F64, twice < 0, twice.unsigned_abs(), e0 - 1, mode))
}

/// Steps the `.rn` result `q` to the directed result, given `cmp = sign(q − exact)`.
fn step(q: f64, cmp: i8, mode: Round) -> f64 {
    match mode {
        Round::Rn => q,
        Round::Rz if q > 0.0 && cmp > 0 => q.next_down(),
        Round::Rz if q < 0.0 && cmp < 0 => q.next_up(),
        Round::Rm if cmp > 0 => q.next_down(),
        Round::Rp if cmp < 0 => q.next_up(),
        _ => q,
    }
}

/// `.approx` (and `div.full`) functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Approx {
    Ex2,
    Lg2,
    Sin,
    Cos,
    Tanh,
    Rsqrt,
    Rcp,
    Sqrt,
}

/// An `.approx` function of the bits `a` in `fmt`, computed in f64 and rounded to nearest.
pub(crate) fn approx(f: Approx, fmt: Fmt, a: u64) -> u64 {
    let x = fmt.to_f64(a);
    let r = match f {
        Approx::Ex2 => x.exp2(),
        Approx::Lg2 => x.log2(),
        Approx::Sin => (std::f64::consts::TAU * turns(x)).sin(),
        Approx::Cos => (std::f64::consts::TAU * turns(x)).cos(),
        Approx::Tanh => x.tanh(),
        Approx::Rsqrt => 1.0 / x.sqrt(),
        Approx::Rcp => 1.0 / x,
        Approx::Sqrt => x.sqrt(),
    };
    if fmt == Fmt::F64 {
        return prop64(r, &[a]);
    }
    from_f64_rn(fmt, r)
}

/// The angle in turns as the GPU computes it before `MUFU.SIN`/`MUFU.COS`: `x · (1/2π)` in f32, rounded toward
/// zero (ptxas emits `FMUL.RZ` with the f32 constant). Reproducing this step matters: for |x| ≈ 100 its rounding
/// moves the result by ~4e-6, far more than the unit's own error, so an exact `sin(x)` would disagree with the GPU.
fn turns(x: f64) -> f64 {
    let p = x * (0.159_154_94_f32 as f64); // exact: an f32 × f32 product fits in f64
    let mut t = p as f32;
    if (t as f64).abs() > p.abs() {
        t = if t > 0.0 { t.next_down() } else { t.next_up() };
    }
    t as f64
}

/// `div.approx` / `div.full`: the quotient, rounded to nearest.
pub(crate) fn div_approx(fmt: Fmt, a: u64, b: u64) -> u64 {
    let q = fmt.to_f64(a) / fmt.to_f64(b);
    if fmt == Fmt::F64 {
        return prop64(q, &[a, b]);
    }
    from_f64_rn(fmt, q)
}

fn from_f64_rn(fmt: Fmt, r: f64) -> u64 {
    if fmt == Fmt::F64 {
        if r.is_nan() {
            fmt.nan()
        } else {
            r.to_bits()
        }
    } else {
        round_f64(fmt, r, 0, Round::Rn)
    }
}

/// `min` (or `max` when `max`): the non-NaN operand; when both are NaN the canonical NaN (f64: `b` quieted);
/// -0 < +0.
pub(crate) fn min_max(fmt: Fmt, max: bool, a: u64, b: u64) -> u64 {
    let (an, bn) = (fmt.is_nan(a), fmt.is_nan(b));
    match (an, bn) {
        (true, true) if fmt == Fmt::F64 => return b | F64_QUIET,
        (true, true) => return fmt.nan(),
        (true, false) => return b,
        (false, true) => return a,
        _ => {}
    }
    let (x, y) = (fmt.to_f64(a), fmt.to_f64(b));
    let a_first = if x != y {
        (x < y) != max
    } else {
        // Equal values: only ±0 differ, and -0 counts as the smaller.
        let a_neg = x.is_sign_negative();
        a_neg != max
    };
    if a_first {
        a
    } else {
        b
    }
}

/// `neg` on the bits of one value: a sign flip, except that a NaN gives the canonical NaN (f64: itself,
/// quieted).
#[inline]
pub(crate) fn neg(fmt: Fmt, a: u64) -> u64 {
    nan_or(fmt, a, a ^ fmt.sign_bit())
}

/// `abs` on the bits of one value (NaNs as for [`neg`]).
#[inline]
pub(crate) fn abs(fmt: Fmt, a: u64) -> u64 {
    nan_or(fmt, a, a & !fmt.sign_bit())
}

#[inline(always)]
fn nan_or(fmt: Fmt, a: u64, v: u64) -> u64 {
    if !fmt.is_nan(a) {
        v
    } else if fmt == Fmt::F64 {
        a | F64_QUIET
    } else {
        fmt.nan()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn f32(&mut self) -> f32 {
            loop {
                let v = f32::from_bits(self.next() as u32);
                if v.is_finite() {
                    return v;
                }
            }
        }
        fn f32_near(&mut self) -> f32 {
            // Values of moderate magnitude, where cancellations and ties happen.
            let m = (self.next() % 2_000_001) as f32 - 1_000_000.0;
            m / (1 << (self.next() % 20)) as f32
        }
    }

    /// Directed rounding of the exact rational `num/den` in f32, by brute force over neighbours.
    fn check_directed(x: f64, rn: f32, got_rz: u64, got_rm: u64, got_rp: u64, exact_cmp: impl Fn(f32) -> i8) {
        // rn is within one ulp of every directed result.
        let cands = [rn.next_down(), rn, rn.next_up()];
        let le: Vec<f32> = cands.iter().copied().filter(|&c| exact_cmp(c) <= 0).collect();
        let ge: Vec<f32> = cands.iter().copied().filter(|&c| exact_cmp(c) >= 0).collect();
        let rm = le.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let rp = ge.iter().copied().fold(f32::INFINITY, f32::min);
        let rz = if x >= 0.0 { rm } else { rp };
        assert_eq!(f32::from_bits(got_rm as u32), rm, "rm of {x}");
        assert_eq!(f32::from_bits(got_rp as u32), rp, "rp of {x}");
        assert_eq!(f32::from_bits(got_rz as u32), rz, "rz of {x}");
    }

    #[test]
    fn f32_rn_matches_host_bit_for_bit() {
        let mut r = Rng(0x1234_5678_9ABC_DEF1);
        for i in 0..200_000 {
            let (a, b, c) =
                if i % 2 == 0 { (r.f32(), r.f32(), r.f32()) } else { (r.f32_near(), r.f32_near(), r.f32_near()) };
            let (ab, bb, cb) = (a.to_bits() as u64, b.to_bits() as u64, c.to_bits() as u64);
            let want = |v: f32| if v.is_nan() { Fmt::F32.nan() } else { v.to_bits() as u64 };
            assert_eq!(arith(FOp::Add, Fmt::F32, Round::Rn, ab, bb, 0), want(a + b), "{a} + {b}");
            assert_eq!(arith(FOp::Sub, Fmt::F32, Round::Rn, ab, bb, 0), want(a - b), "{a} - {b}");
            assert_eq!(arith(FOp::Mul, Fmt::F32, Round::Rn, ab, bb, 0), want(a * b), "{a} * {b}");
            assert_eq!(arith(FOp::Div, Fmt::F32, Round::Rn, ab, bb, 0), want(a / b), "{a} / {b}");
            assert_eq!(arith(FOp::Fma, Fmt::F32, Round::Rn, ab, bb, cb), want(a.mul_add(b, c)), "fma {a} {b} {c}");
            assert_eq!(arith(FOp::Sqrt, Fmt::F32, Round::Rn, ab, 0, 0), want(a.sqrt()), "sqrt {a}");
        }
    }

    #[test]
    fn f32_directed_modes_bracket_the_exact_result() {
        let mut r = Rng(0xDEAD_BEEF_0BAD_F00D);
        for i in 0..100_000 {
            let (a, b) = if i % 2 == 0 { (r.f32(), r.f32()) } else { (r.f32_near(), r.f32_near()) };
            let (x, y) = (a as f64, b as f64);
            let (ab, bb) = (a.to_bits() as u64, b.to_bits() as u64);
            let run = |op, m| arith(op, Fmt::F32, m, ab, bb, 0);
            // Products of f32 are exact in f64, so compare against them exactly.
            let p = x * y;
            if (a * b).is_finite() && (a * b) != 0.0 {
                check_directed(
                    p,
                    a * b,
                    run(FOp::Mul, Round::Rz),
                    run(FOp::Mul, Round::Rm),
                    run(FOp::Mul, Round::Rp),
                    |c| sign_of(c as f64 - p),
                );
            }
            // Quotients: compare c with x/y through c·y − x, exact by fma.
            let q = a / b;
            if q.is_finite() && q != 0.0 && b != 0.0 {
                check_directed(
                    x / y,
                    q,
                    run(FOp::Div, Round::Rz),
                    run(FOp::Div, Round::Rm),
                    run(FOp::Div, Round::Rp),
                    |c| sign_of((c as f64).mul_add(y, -x)) * sign_of(y),
                );
            }
            // Sums: exact in f64 only when exponents are close; use two_sum for the comparison.
            let s = a + b;
            if s.is_finite() && s != 0.0 {
                check_directed(
                    x + y,
                    s,
                    run(FOp::Add, Round::Rz),
                    run(FOp::Add, Round::Rm),
                    run(FOp::Add, Round::Rp),
                    |c| sum_sign(&[c as f64, -x, -y]),
                );
            }
        }
    }

    #[test]
    fn f64_directed_modes() {
        let third = arith(FOp::Div, Fmt::F64, Round::Rz, 1f64.to_bits(), 3f64.to_bits(), 0);
        let third_up = arith(FOp::Div, Fmt::F64, Round::Rp, 1f64.to_bits(), 3f64.to_bits(), 0);
        assert_eq!(f64::from_bits(third), 1.0 / 3.0); // rn rounds 1/3 down
        assert_eq!(f64::from_bits(third_up), (1.0f64 / 3.0).next_up());
        let mut r = Rng(77);
        for _ in 0..50_000 {
            let a = f64::from_bits(r.next() >> 2 | 0x3000_0000_0000_0000);
            let b = f64::from_bits(r.next() >> 2 | 0x3000_0000_0000_0000);
            for op in [FOp::Add, FOp::Sub, FOp::Mul, FOp::Div] {
                let rn = f64::from_bits(arith(op, Fmt::F64, Round::Rn, a.to_bits(), b.to_bits(), 0));
                let rm = f64::from_bits(arith(op, Fmt::F64, Round::Rm, a.to_bits(), b.to_bits(), 0));
                let rp = f64::from_bits(arith(op, Fmt::F64, Round::Rp, a.to_bits(), b.to_bits(), 0));
                assert!(rm <= rn && rn <= rp, "{op:?} {a} {b}");
                assert!(rm == rp || rm.next_up() == rp, "{op:?} {a} {b}: {rm} {rp}");
            }
        }
        // x - x is -0 when rounding toward -inf.
        let z = arith(FOp::Sub, Fmt::F64, Round::Rm, 2f64.to_bits(), 2f64.to_bits(), 0);
        assert_eq!(z, (-0.0f64).to_bits());
        let z = arith(FOp::Sub, Fmt::F32, Round::Rm, 2f32.to_bits() as u64, 2f32.to_bits() as u64, 0);
        assert_eq!(z, (-0.0f32).to_bits() as u64);
        let z = arith(FOp::Sub, Fmt::F32, Round::Rn, 2f32.to_bits() as u64, 2f32.to_bits() as u64, 0);
        assert_eq!(z, 0);
        // Overflow in directed modes.
        let big = f64::MAX.to_bits();
        assert_eq!(arith(FOp::Add, Fmt::F64, Round::Rz, big, big, 0), big);
        assert_eq!(arith(FOp::Add, Fmt::F64, Round::Rp, big, big, 0), f64::INFINITY.to_bits());
        let bigf = f32::MAX.to_bits() as u64;
        assert_eq!(arith(FOp::Mul, Fmt::F32, Round::Rz, bigf, bigf, 0), bigf);
        assert_eq!(arith(FOp::Mul, Fmt::F32, Round::Rn, bigf, bigf, 0), f32::INFINITY.to_bits() as u64);
    }

    #[test]
    fn f64_directed_in_the_subnormal_range_matches_the_gpu() {
        // First mismatches of an earlier emulator against an H200 (differential test), now exact.
        let run = |op, m, x: u64, y: u64, z: u64| arith(op, Fmt::F64, m, x, y, z);
        assert_eq!(run(FOp::Mul, Round::Rz, 1, 0x3FF8_0000_0000_0000, 0), 1);
        assert_eq!(run(FOp::Mul, Round::Rm, 1, 0x8000_0000_0000_0001, 0), 0x8000_0000_0000_0001);
        assert_eq!(run(FOp::Mul, Round::Rp, 1, 1, 0), 1);
        assert_eq!(run(FOp::Div, Round::Rz, 1, 0xBFE0_0000_0000_0001, 0), 0x8000_0000_0000_0001);
        assert_eq!(run(FOp::Div, Round::Rm, 1, 0x0000_1268_8B70_E62B, 0), 0x3D2B_D03C_8140_6991);
        assert_eq!(run(FOp::Div, Round::Rp, 1, 0x000F_FFFF_FFFF_FFFF, 0), 0x3CB0_0000_0000_0002);
        assert_eq!(run(FOp::Fma, Round::Rz, 0x8000_0000_0000_0001, 1, 1), 0);
        assert_eq!(run(FOp::Fma, Round::Rm, 1, 0x8000_0000_0000_0001, 0x8000_0000_0000_0001), 0x8000_0000_0000_0002);
        assert_eq!(run(FOp::Fma, Round::Rp, 1, 1, 1), 2);
        assert_eq!(run(FOp::Sqrt, Round::Rz, 0x000F_FFFF_FFFF_FFFF, 0, 0), 0x1FFF_FFFF_FFFF_FFFE);
        assert_eq!(run(FOp::Sqrt, Round::Rp, 0x0002_6ABC_7437_B8F5, 0, 0), 0x1FE8_DFD9_2B74_3453);
        // (−tiny · 0) + 0 is an exact zero sum: −0 toward −∞.
        assert_eq!(run(FOp::Fma, Round::Rm, 0x8000_0000_0000_0001, 0, 0), 0x8000_0000_0000_0000);
        assert_eq!(run(FOp::Fma, Round::Rp, 0x8000_0000_0000_0001, 0, 0), 0);
    }

    #[test]
    fn f64_exact_paths_agree_with_native_rn() {
        // The integer paths in `.rn` must equal the host's correctly rounded results.
        let mut r = Rng(0xABCD_EF01);
        for _ in 0..100_000 {
            let pick = |r: &mut Rng| {
                let v = r.next();
                // Mix normal, subnormal and extreme exponents.
                match v % 4 {
                    0 => v >> 12,
                    1 => v & 0x800F_FFFF_FFFF_FFFF,
                    _ => v,
                }
            };
            let (x, y, z) = (f64::from_bits(pick(&mut r)), f64::from_bits(pick(&mut r)), f64::from_bits(pick(&mut r)));
            if !(x.is_finite() && y.is_finite() && z.is_finite()) {
                continue;
            }
            if let Some(v) = exact_mul(x, y, Round::Rn) {
                assert_eq!(v, (x * y).to_bits(), "{x:e} * {y:e}");
            }
            if let Some(v) = exact_div(x, y, Round::Rn) {
                assert_eq!(v, (x / y).to_bits(), "{x:e} / {y:e}");
            }
            if let Some(v) = exact_sqrt(x.abs(), Round::Rn) {
                assert_eq!(v, x.abs().sqrt().to_bits(), "sqrt {x:e}");
            }
            if let Some(v) = exact_fma(x, y, z, Round::Rn) {
                assert_eq!(v, x.mul_add(y, z).to_bits(), "fma {x:e} {y:e} {z:e}");
            }
        }
    }

    #[test]
    fn narrowing_matches_half_crate_and_host() {
        let mut r = Rng(99);
        for _ in 0..100_000 {
            let v = f64::from_bits(r.next());
            if v.is_nan() {
                continue;
            }
            assert_eq!(round_f64(Fmt::F32, v, 0, Round::Rn), (v as f32).to_bits() as u64, "{v}");
            assert_eq!(round_f64(Fmt::F16, v, 0, Round::Rn), half::f16::from_f64(v).to_bits() as u64, "{v}");
            assert_eq!(round_f64(Fmt::BF16, v, 0, Round::Rn), half::bf16::from_f64(v).to_bits() as u64, "{v}");
            let f = (r.next() as u32 as f32).to_bits() as u64;
            assert_eq!(round_f64(Fmt::F32, Fmt::F32.to_f64(f), 0, Round::Rz), f);
        }
        // Ties: the error's sign breaks them.
        let tie = 1.0 + f32::EPSILON as f64 / 2.0;
        assert_eq!(round_f64(Fmt::F32, tie, 0, Round::Rn), 1f32.to_bits() as u64);
        assert_eq!(round_f64(Fmt::F32, tie, 1, Round::Rn), (1f32 + f32::EPSILON).to_bits() as u64);
        assert_eq!(round_f64(Fmt::F32, tie, -1, Round::Rn), 1f32.to_bits() as u64);
        // Subnormals and tiny values.
        assert_eq!(round_f64(Fmt::F32, 1e-50, 0, Round::Rp), 1);
        assert_eq!(round_f64(Fmt::F32, 1e-50, 0, Round::Rn), 0);
        assert_eq!(round_f64(Fmt::F32, 0.0, -1, Round::Rm), 0x8000_0001);
    }

    #[test]
    fn min_max_nan_and_zero() {
        let f = |v: f32| v.to_bits() as u64;
        assert_eq!(min_max(Fmt::F32, false, f(f32::NAN), f(2.0)), f(2.0));
        assert_eq!(min_max(Fmt::F32, true, f(1.0), f(f32::NAN)), f(1.0));
        assert_eq!(min_max(Fmt::F32, true, f(f32::NAN), f(f32::NAN)), 0x7FFF_FFFF);
        assert_eq!(min_max(Fmt::F32, false, f(0.0), f(-0.0)), f(-0.0));
        assert_eq!(min_max(Fmt::F32, true, f(-0.0), f(0.0)), f(0.0));
        assert_eq!(min_max(Fmt::F32, false, f(-3.0), f(2.0)), f(-3.0));
    }
}
