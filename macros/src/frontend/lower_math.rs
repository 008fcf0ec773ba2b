//! The float methods that PTX has no correctly rounded instruction for: `exp exp2 ln log2 log10 sin cos tan tanh
//! powf powi hypot` (and `recip`, which is `rcp.rn`).
//!
//! Everything is computed in f64 by inline instruction sequences (no calls); the f32 methods convert to f64, run
//! the same sequence and round once to f32 (`cvt.rn.f32.f64`), which makes them accurate to within 1 f32 ulp.
//! The f64 sequences follow fdlibm:
//! - `exp`: `x = k ln2 + r` (Cody–Waite, `fma`), a degree-13 Taylor polynomial on |r| ≤ ln2/2, scaling by `2^k` as
//!   two exact power-of-two factors (gradual underflow rounds once); overflow/underflow thresholds as in libm.
//!   `exp2`: `k = rint(x)`, `r = (x - k) ln2`.
//! - `ln`: `x = 2^e m` with m in [√½, √2) (subnormals scaled by 2^54 first), fdlibm's `log` kernel (minimax in
//!   `s = f/(2+f)`), `e ln2` in two parts; `log2`/`log10` multiply by log2(e)/log10(e).
//! - `sin`/`cos`/`tan`: `x = k π/2 + r`, fdlibm's kernels on |r| ≤ π/4, the quadrant by `k mod 4`;
//!   `tan = sin/cos`. Up to |x| = 2^30 the reduction is Cody–Waite with π/2 in three parts (`fma`); above, a branch
//!   to a Payne–Hanek reduction: the significand times the 192 bits of 2/π that matter for its exponent, read from a
//!   `.const` table of 2/π's first 1216 bits (`__ptx_kernel_two_over_pi`, declared by kernels that use these), in
//!   64-bit integer arithmetic. Both are accurate to about 1 ulp of `r` over the whole finite range, hardest cases
//!   included; ±inf gives NaN. Kernels whose arguments stay below 2^30 pay one compare and branch.
//! - `tanh`: `t = expm1(2|x|)` (a Taylor series below ln2, `exp - 1` above), `t / (t + 2)`, sign copied.
//! - `powf`: `exp(y ln|x|)` with `ln|x|` as `e·ln2_hi` (exact) `+ ln m` and the product as a double-double, IEEE special cases (`x^0 = 1`,
//!   `1^y = 1`, negative bases with integer exponents, signed zeros and infinities) as Rust's `powf`.
//! - `powi`: square-and-multiply in the operand's own precision, exactly as compiler-rt's `__powidf2`/`__powisf2`
//!   (what Rust's `powi` calls), so it matches the host bit for bit.
//! - `hypot`: f32 as `sqrt(x² + y²)` in f64; f64 scaled, `max · sqrt(1 + (min/max)²)`; ±inf beats NaN.
//!
//! The measured bounds (random inputs, emulator vs the host's libm) are in `ptx_kernel::gpu`'s documentation and
//! pinned by `tests/exec_math.rs`.

// fdlibm's constants are written as published.
#![allow(clippy::excessive_precision)]

use ptx_gen::{Address, BinOp, CmpOp, CvtMode, MemAccess, Mode, Operand, Reg, StateSpace, Type, UnOp};

use super::lower::Lowerer;
use super::types::ScalarTy;

/// A float method implemented here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn {
    Exp,
    Exp2,
    Ln,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Tanh,
    Powf,
    Powi,
    Recip,
    Hypot,
}

const F: Type = Type::F64;

/// Up to this |x| `sin`/`cos`/`tan` reduce with the three-part π/2 (see `sincos64`); above, Payne–Hanek.
const CODY_WAITE_MAX: f64 = 1_073_741_824.0; // 2^30

/// The name of the `.const` table of 2/π's bits that the large-argument reduction reads.
const TWO_OVER_PI_NAME: &str = "__ptx_kernel_two_over_pi";

/// The bits of 2/π = 0.A2F9836E…₁₆, 64 to a word, after one zero word: word `j ≥ 1` holds bits `64(j-1)+1 ..= 64j`
/// after the binary point. 1216 bits cover what the largest double needs (bits up to 1161) with the window's
/// fourth word. `floor(2^1216 · 2/π)`, computed with integer arithmetic from Machin's formula and with mpmath;
/// `tests::two_over_pi_table_is_two_over_pi` checks it against π.
const TWO_OVER_PI: [u64; 20] = [
    0x0000_0000_0000_0000, 0xA2F9_836E_4E44_1529, 0xFC27_57D1_F534_DDC0, 0xDB62_9599_3C43_9041, 0xFE51_63AB_DEBB_C561,
    0xB724_6E3A_424D_D2E0, 0x0649_2EEA_09D1_921C, 0xFE1D_EB1C_B129_A73E, 0xE882_35F5_2EBB_4484, 0xE99C_7026_B45F_7E41,
    0x3991_D639_8353_39F4, 0x9C84_5F8B_BDF9_283B, 0x1FF8_97FF_DE05_980F, 0xEF2F_118B_5A0A_6D1F, 0x6D36_7ECF_27CB_09B7,
    0x4F46_3F66_9E5F_EA2D, 0x7527_BAC7_EBE5_F17B, 0x3D07_39F7_8A52_92EA, 0x6BFB_5FB1_1F8D_5D08, 0x5603_3046_FC7B_6BAB,
];

fn c(v: f64) -> Operand {
    Operand::f64(v)
}

impl Lowerer<'_, '_, '_> {
    /// `recv.f(args)` of float type `t`.
    pub(super) fn math(&mut self, f: MathFn, recv: Operand, args: &[Operand], t: ScalarTy) -> Operand {
        let rt = t.reg_type();
        let x = self.reg(recv, t);
        let arg = args.first().copied().unwrap_or(Operand::u32(0));
        if f == MathFn::Recip {
            return Operand::Reg(self.b.ins().unary(UnOp::Rcp, Mode::Rn, rt, x));
        }
        if f == MathFn::Powi {
            let n = self.reg(arg, ScalarTy::I32);
            return Operand::Reg(self.powi(x, n, rt));
        }
        if f == MathFn::Hypot && t == ScalarTy::F32 {
            // Exact squares and sum in f64 (no overflow, at most one rounding before sqrt): ≤ 1 f32 ulp.
            let y = self.reg(arg, t);
            let mut ins = self.b.ins();
            let xd = ins.cvt(CvtMode::None, false, F, Type::F32, x);
            let yd = ins.cvt(CvtMode::None, false, F, Type::F32, y);
            let yy = ins.binary(BinOp::Mul, Mode::Rn, F, yd, yd);
            let s = ins.fma(F, Mode::Rn, xd, xd, yy);
            let r = ins.unary(UnOp::Sqrt, Mode::Rn, F, s);
            let h = ins.cvt(CvtMode::Rn, false, Type::F32, F, r);
            return Operand::Reg(self.inf_wins(h, x, y, Type::F32));
        }
        let wide = |this: &mut Self, r: Reg| -> Reg {
            if t == ScalarTy::F32 {
                this.b.ins().cvt(CvtMode::None, false, F, Type::F32, r)
            } else {
                r
            }
        };
        let xd = wide(self, x);
        let yd = if matches!(f, MathFn::Powf | MathFn::Hypot) {
            let y = self.reg(arg, t);
            Some(wide(self, y))
        } else {
            None
        };
        let yd = yd.unwrap_or(xd);
        let r = match f {
            MathFn::Exp => self.exp64(xd),
            MathFn::Exp2 => self.exp2_64(xd),
            MathFn::Ln => self.ln64(xd),
            MathFn::Log2 => {
                let l = self.ln64(xd);
                self.b.ins().binary(BinOp::Mul, Mode::Rn, F, l, c(std::f64::consts::LOG2_E))
            }
            MathFn::Log10 => {
                let l = self.ln64(xd);
                self.b.ins().binary(BinOp::Mul, Mode::Rn, F, l, c(std::f64::consts::LOG10_E))
            }
            MathFn::Sin => {
                // sin(±0) = ±0 (the reduction loses the sign of zero).
                let s = self.sincos64(xd).0;
                self.keep_zero(xd, s)
            }
            MathFn::Cos => self.sincos64(xd).1,
            MathFn::Tan => {
                let (s, co) = self.sincos64(xd);
                let t = self.b.ins().binary(BinOp::Div, Mode::Rn, F, s, co);
                self.keep_zero(xd, t)
            }
            MathFn::Tanh => self.tanh64(xd),
            MathFn::Powf => self.pow64(xd, yd),
            MathFn::Hypot => self.hypot64(xd, yd),
            MathFn::Recip | MathFn::Powi => unreachable!("handled above"),
        };
        if t == ScalarTy::F32 {
            Operand::Reg(self.b.ins().cvt(CvtMode::Rn, false, Type::F32, F, r))
        } else {
            Operand::Reg(r)
        }
    }

    /// `x` itself where it is ±0, else `v`.
    fn keep_zero(&mut self, x: Reg, v: Reg) -> Reg {
        let mut ins = self.b.ins();
        let z = ins.setp(CmpOp::Eq, F, x, c(0.0));
        ins.selp(F, x, v, z)
    }

    /// `bits(x)` as a `.b64` register.
    fn bits(&mut self, x: Reg) -> Reg {
        let b = self.b.func_mut().new_reg(Type::B64);
        self.b.ins().mov_to(b, x);
        b
    }

    /// An f64 register holding `bits`.
    fn f64_from_bits(&mut self, bits: Reg) -> Reg {
        let f = self.b.func_mut().new_reg(F);
        self.b.ins().mov_to(f, bits);
        f
    }

    /// Horner's scheme: `c[0] + x (c[1] + x (c[2] + …))`.
    fn horner(&mut self, x: Reg, coeffs: &[f64]) -> Reg {
        let mut ins = self.b.ins();
        let n = coeffs.len();
        let mut acc = ins.mov(F, c(coeffs[n - 1]));
        for &k in coeffs[..n - 1].iter().rev() {
            acc = ins.fma(F, Mode::Rn, acc, x, c(k));
        }
        acc
    }

    /// `2^n` for an s32 `n` in [-1022, 1023].
    fn pow2(&mut self, n: Reg) -> Reg {
        let mut ins = self.b.ins();
        let e = ins.binary(BinOp::Add, Mode::None, Type::S32, n, Operand::Imm(ptx_gen::Imm::int(1023, Type::S32)));
        let e64 = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, e);
        let b = ins.binary(BinOp::Shl, Mode::None, Type::B64, e64, Operand::u32(52));
        self.f64_from_bits(b)
    }

    /// `p · 2^k` for an integral f64 `k` (clamped to [-1100, 1100]): two exact power-of-two factors, so a
    /// subnormal result is rounded once.
    fn scale(&mut self, p: Reg, k: Reg) -> Reg {
        let mut ins = self.b.ins();
        let kc = ins.binary(BinOp::Max, Mode::None, F, k, c(-1100.0));
        let kc = ins.binary(BinOp::Min, Mode::None, F, kc, c(1100.0));
        let n = ins.cvt(CvtMode::Rzi, false, Type::S32, F, kc);
        let n1 = ins.binary(BinOp::Shr, Mode::None, Type::S32, n, Operand::u32(1));
        let n2 = ins.binary(BinOp::Sub, Mode::None, Type::S32, n, n1);
        let s1 = self.pow2(n1);
        let s2 = self.pow2(n2);
        let mut ins = self.b.ins();
        let a = ins.binary(BinOp::Mul, Mode::Rn, F, p, s1);
        ins.binary(BinOp::Mul, Mode::Rn, F, a, s2)
    }

    /// e^r for |r| ≤ ln2/2 + a little: Taylor to degree 13.
    fn exp_poly(&mut self, r: Reg) -> Reg {
        let mut coeffs = [0.0f64; 14];
        let mut f = 1.0f64;
        for (i, k) in coeffs.iter_mut().enumerate() {
            if i > 0 {
                f *= i as f64;
            }
            *k = 1.0 / f;
        }
        self.horner(r, &coeffs)
    }

    /// Overflow to +inf above `hi`, underflow to 0 below `lo`.
    fn exp_limits(&mut self, x: Reg, v: Reg, hi: f64, lo: f64) -> Reg {
        let mut ins = self.b.ins();
        let big = ins.setp(CmpOp::Gt, F, x, c(hi));
        let v = ins.selp(F, c(f64::INFINITY), v, big);
        let small = ins.setp(CmpOp::Lt, F, x, c(lo));
        ins.selp(F, c(0.0), v, small)
    }

    pub(super) fn exp64(&mut self, x: Reg) -> Reg {
        const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
        const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
        let mut ins = self.b.ins();
        let k = ins.binary(BinOp::Mul, Mode::Rn, F, x, c(std::f64::consts::LOG2_E));
        let k = ins.cvt(CvtMode::Rni, false, F, F, k);
        let r = ins.fma(F, Mode::Rn, k, c(-LN2_HI), x);
        let r = ins.fma(F, Mode::Rn, k, c(-LN2_LO), r);
        let p = self.exp_poly(r);
        let v = self.scale(p, k);
        self.exp_limits(x, v, 709.782_712_893_384, -745.133_219_101_941_2)
    }

    fn exp2_64(&mut self, x: Reg) -> Reg {
        let mut ins = self.b.ins();
        let k = ins.cvt(CvtMode::Rni, false, F, F, x);
        let f = ins.binary(BinOp::Sub, Mode::Rn, F, x, k);
        let r = ins.binary(BinOp::Mul, Mode::Rn, F, f, c(std::f64::consts::LN_2));
        let p = self.exp_poly(r);
        let v = self.scale(p, k);
        self.exp_limits(x, v, 1024.0 - 1e-12, -1075.0)
    }

    /// Natural logarithm (fdlibm `__ieee754_log`).
    pub(super) fn ln64(&mut self, x: Reg) -> Reg {
        const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
        const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
        const LG: [f64; 7] = [
            6.666_666_666_666_735_130e-1, 3.999_999_999_940_941_908e-1, 2.857_142_874_366_239_149e-1,
            2.222_219_843_214_978_396e-1, 1.818_357_216_161_805_012e-1, 1.531_383_769_920_937_332e-1,
            1.479_819_860_511_658_591e-1,
        ];
        let mut ins = self.b.ins();
        // Subnormals: scale into the normal range.
        let sub = ins.setp(CmpOp::Lt, F, x, c(f64::MIN_POSITIVE));
        let xs = ins.binary(BinOp::Mul, Mode::Rn, F, x, c(18_014_398_509_481_984.0)); // 2^54
        let xs = ins.selp(F, xs, x, sub);
        let adj =
            ins.selp(Type::S32, Operand::Imm(ptx_gen::Imm::int(-54, Type::S32)), Operand::Imm(ptx_gen::Imm(0)), sub);
        let b = self.bits(xs);
        let mut ins = self.b.ins();
        let eb = ins.binary(BinOp::Shr, Mode::None, Type::U64, b, Operand::u32(52));
        let eb = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, eb);
        let eb = ins.binary(BinOp::And, Mode::None, Type::B32, eb, Operand::u32(0x7ff));
        let e = ins.binary(BinOp::Add, Mode::None, Type::S32, eb, Operand::Imm(ptx_gen::Imm::int(-1023, Type::S32)));
        let e = ins.binary(BinOp::Add, Mode::None, Type::S32, e, adj);
        let mb = ins.binary(BinOp::And, Mode::None, Type::B64, b, Operand::u64(0x000F_FFFF_FFFF_FFFF));
        let mb = ins.binary(BinOp::Or, Mode::None, Type::B64, mb, Operand::u64(0x3FF0_0000_0000_0000));
        let m = self.f64_from_bits(mb);
        let mut ins = self.b.ins();
        let big = ins.setp(CmpOp::Gt, F, m, c(std::f64::consts::SQRT_2));
        let mh = ins.binary(BinOp::Mul, Mode::Rn, F, m, c(0.5));
        let m = ins.selp(F, mh, m, big);
        let e1 = ins.binary(BinOp::Add, Mode::None, Type::S32, e, Operand::Imm(ptx_gen::Imm::int(1, Type::S32)));
        let e = ins.selp(Type::S32, e1, e, big);
        let f = ins.binary(BinOp::Sub, Mode::Rn, F, m, c(1.0));
        let two_f = ins.binary(BinOp::Add, Mode::Rn, F, f, c(2.0));
        let s = ins.binary(BinOp::Div, Mode::Rn, F, f, two_f);
        let dk = ins.cvt(CvtMode::Rn, false, F, Type::S32, e);
        let z = ins.binary(BinOp::Mul, Mode::Rn, F, s, s);
        let rp = self.horner(z, &LG);
        let mut ins = self.b.ins();
        let r = ins.binary(BinOp::Mul, Mode::Rn, F, z, rp);
        let ff = ins.binary(BinOp::Mul, Mode::Rn, F, f, f);
        let hfsq = ins.binary(BinOp::Mul, Mode::Rn, F, ff, c(0.5));
        // dk*ln2_hi - ((hfsq - (s*(hfsq+R) + dk*ln2_lo)) - f)
        let t1 = ins.binary(BinOp::Add, Mode::Rn, F, hfsq, r);
        let t2 = ins.binary(BinOp::Mul, Mode::Rn, F, dk, c(LN2_LO));
        let t3 = ins.fma(F, Mode::Rn, s, t1, t2);
        let t4 = ins.binary(BinOp::Sub, Mode::Rn, F, hfsq, t3);
        let t5 = ins.binary(BinOp::Sub, Mode::Rn, F, t4, f);
        let hi = ins.binary(BinOp::Mul, Mode::Rn, F, dk, c(LN2_HI));
        let lo = ins.unary(UnOp::Neg, Mode::None, F, t5);
        self.ln_parts = Some((hi, lo));
        let mut ins = self.b.ins();
        let v = ins.binary(BinOp::Sub, Mode::Rn, F, hi, t5);
        // Specials: ln(0) = -inf, ln(x < 0) = NaN, ln(inf) = inf, NaN stays.
        let zero = ins.setp(CmpOp::Eq, F, x, c(0.0));
        let v = ins.selp(F, c(f64::NEG_INFINITY), v, zero);
        let neg = ins.setp(CmpOp::Lt, F, x, c(0.0));
        let v = ins.selp(F, c(f64::NAN), v, neg);
        let inf = ins.setp(CmpOp::Eq, F, x, c(f64::INFINITY));
        let v = ins.selp(F, c(f64::INFINITY), v, inf);
        let nan = ins.setp(CmpOp::Nan, F, x, x);
        ins.selp(F, x, v, nan)
    }

    /// `(sin x, cos x)`.
    fn sincos64(&mut self, x: Reg) -> (Reg, Reg) {
        const P1: f64 = f64::from_bits(0x3FF9_21FB_5444_2D18);
        const P2: f64 = f64::from_bits(0x3C91_A626_3314_5C07);
        const P3: f64 = f64::from_bits(0xB91F_1976_B7ED_8FBC);
        const S: [f64; 6] = [
            -1.666_666_666_666_663_243_48e-1,
            8.333_333_333_322_489_461_24e-3,
            -1.984_126_982_985_794_931_34e-4,
            2.755_731_370_707_006_767_89e-6,
            -2.505_076_025_340_686_341_95e-8,
            1.589_690_995_211_550_102_21e-10,
        ];
        const C: [f64; 6] = [
            4.166_666_666_666_660_190_37e-2,
            -1.388_888_888_887_410_957_49e-3,
            2.480_158_728_947_672_941_78e-5,
            -2.755_731_435_139_066_330_35e-7,
            2.087_572_321_298_174_827_90e-9,
            -1.135_964_755_778_819_482_65e-11,
        ];
        // The reduction `x = k π/2 + r`, |r| ≤ π/4 (a little more where `k` rounds the other way), and `q = k mod 4`:
        // three-part Cody–Waite up to 2^30, Payne–Hanek above (and for ±inf, which gives NaN; NaN stays here).
        let r = self.b.func_mut().new_reg(F);
        let q = self.b.func_mut().new_reg(Type::S32);
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, F, x);
        let huge = ins.setp(CmpOp::Gt, F, ax, c(CODY_WAITE_MAX));
        let (fast, slow, join) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.branch(huge, slow, fast);
        self.open(fast);
        let mut ins = self.b.ins();
        let k = ins.binary(BinOp::Mul, Mode::Rn, F, x, c(std::f64::consts::FRAC_2_PI));
        let k = ins.cvt(CvtMode::Rni, false, F, F, k);
        // x - k P1 is exact (k = 0 below π/4; above, both are multiples of 2^-53 and the difference is below 2);
        // the two roundings after it and k (P2 + P3) ≈ k π/2 - k P1 to 2^-163 relative keep r accurate to about
        // 1 ulp for |k| < 2^30, also where x is within 2^-60 of a multiple of π/2.
        let rf = ins.fma(F, Mode::Rn, k, c(-P1), x);
        let rf = ins.fma(F, Mode::Rn, k, c(-P2), rf);
        let rf = ins.fma(F, Mode::Rn, k, c(-P3), rf);
        ins.mov_to(r, rf);
        // The quadrant: k mod 4.
        let kr = ins.binary(BinOp::Mul, Mode::Rn, F, k, c(0.25));
        let kr = ins.cvt(CvtMode::Rmi, false, F, F, kr);
        let qf = ins.fma(F, Mode::Rn, kr, c(-4.0), k);
        let qf = ins.cvt(CvtMode::Rzi, false, Type::S32, F, qf);
        ins.mov_to(q, qf);
        self.b.jump(join);
        self.open(slow);
        let (rs, qs) = self.rem_pio2_large(x);
        let mut ins = self.b.ins();
        ins.mov_to(r, rs);
        ins.mov_to(q, qs);
        self.b.jump(join);
        self.open(join);
        let mut ins = self.b.ins();
        let z = ins.binary(BinOp::Mul, Mode::Rn, F, r, r);
        // sin: r + r z (S1 + z (S2 + …))
        let sp = self.horner(z, &S);
        let mut ins = self.b.ins();
        let v = ins.binary(BinOp::Mul, Mode::Rn, F, z, r);
        let sn = ins.fma(F, Mode::Rn, v, sp, r);
        // cos: w + (((1 - w) - hz) + z z C(z)), hz = z/2, w = 1 - hz
        let cp = self.horner(z, &C);
        let mut ins = self.b.ins();
        let zz = ins.binary(BinOp::Mul, Mode::Rn, F, z, z);
        let hz = ins.binary(BinOp::Mul, Mode::Rn, F, z, c(0.5));
        let w = ins.binary(BinOp::Sub, Mode::Rn, F, c(1.0), hz);
        let t = ins.binary(BinOp::Sub, Mode::Rn, F, c(1.0), w);
        let t = ins.binary(BinOp::Sub, Mode::Rn, F, t, hz);
        let t = ins.fma(F, Mode::Rn, zz, cp, t);
        let cs = ins.binary(BinOp::Add, Mode::Rn, F, w, t);
        let nsn = ins.unary(UnOp::Neg, Mode::None, F, sn);
        let ncs = ins.unary(UnOp::Neg, Mode::None, F, cs);
        let q1 = ins.setp(CmpOp::Eq, Type::S32, q, Operand::Imm(ptx_gen::Imm(1)));
        let q2 = ins.setp(CmpOp::Eq, Type::S32, q, Operand::Imm(ptx_gen::Imm(2)));
        let q3 = ins.setp(CmpOp::Eq, Type::S32, q, Operand::Imm(ptx_gen::Imm(3)));
        // sin: q0 s, q1 c, q2 -s, q3 -c; cos: q0 c, q1 -s, q2 -c, q3 s.
        let s_ = ins.selp(F, cs, sn, q1);
        let s_ = ins.selp(F, nsn, s_, q2);
        let s_ = ins.selp(F, ncs, s_, q3);
        let c_ = ins.selp(F, nsn, cs, q1);
        let c_ = ins.selp(F, ncs, c_, q2);
        let c_ = ins.selp(F, sn, c_, q3);
        (s_, c_)
    }

    /// Payne–Hanek: `(r, k mod 4)` with `x = k π/2 + r`, |r| ≤ π/4, for finite |x| > 2^30; NaN for ±inf.
    ///
    /// With `x = m 2^(E-52)` (m the 53-bit significand), `x·2/π mod 4` only needs the bits of 2/π from `2^-(E-53)`
    /// on: earlier ones contribute multiples of 4. 192 of them (`w`, from [`TWO_OVER_PI`] at a bit offset, four
    /// `ld.const` and funnel shifts) times `m` give `x·2/π mod 4` as a fixed-point number with 2 integer and 190
    /// fraction bits (the product's low 192 bits, of which the lowest 64 are not formed: truncation error below
    /// 2^-125 in `x·2/π`). Rounding the fraction to the nearest integer gives `k`; what is left, `f` in [-½, ½), is
    /// at least 2^-62 in magnitude for every double (the closest is 6381956970095103·2^797, where |f| ≈ 2^-61.6),
    /// so it is known to 2^-64 relative; its top 64 bits, normalised with `clz`, are multiplied by π/2 in
    /// double-double and rounded once: `r` is correctly rounded up to a few 2^-64 relative.
    fn rem_pio2_large(&mut self, x: Reg) -> (Reg, Reg) {
        const PIO2_LO: f64 = 6.123_233_995_736_766_035_87e-17; // π/2 - FRAC_PI_2
        let table = self.module_var(ptx_gen::VarData {
            name: TWO_OVER_PI_NAME.to_owned(),
            space: StateSpace::Const,
            ty: Type::B64,
            len: Some(TWO_OVER_PI.len() as u64),
            align: 8,
            init: TWO_OVER_PI.to_vec(),
        });
        let u32_ = |v: u32| Operand::u32(v);
        let b = self.bits(x);
        let mut ins = self.b.ins();
        // Biased exponent e ∈ [1053, 2046] (±inf clamped to stay inside the table): the wanted bits start at bit
        // `e - 1013` of the table (whose first word is zero, for the exponents where they start before 2/π's).
        let e = ins.binary(BinOp::Shr, Mode::None, Type::U64, b, u32_(52));
        let e = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, e);
        let e = ins.binary(BinOp::And, Mode::None, Type::B32, e, u32_(0x7ff));
        let e = ins.binary(BinOp::Min, Mode::None, Type::U32, e, u32_(2046));
        let off = ins.binary(BinOp::Sub, Mode::None, Type::U32, e, u32_(1013));
        let word = ins.binary(BinOp::Shr, Mode::None, Type::U32, off, u32_(6));
        let sh = ins.binary(BinOp::And, Mode::None, Type::B32, off, u32_(63));
        // A shift by 64 gives 0 (PTX clamps the amount), so `sh = 0` needs no special case.
        let rsh = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(64), sh);
        let word = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, word);
        let wb = ins.binary(BinOp::Shl, Mode::None, Type::B64, word, u32_(3));
        let base = ins.addr_of(table);
        let at = ins.binary(BinOp::Add, Mode::None, Type::S64, base, wb);
        let load = MemAccess::new(StateSpace::Const, Type::B64);
        let u: Vec<Reg> = (0..4).map(|k| ins.ld(load, Address::reg_offset(at, 8 * k))).collect();
        let w: Vec<Reg> = (0..3)
            .map(|k| {
                let h = ins.binary(BinOp::Shl, Mode::None, Type::B64, u[k], sh);
                let l = ins.binary(BinOp::Shr, Mode::None, Type::B64, u[k + 1], rsh);
                ins.binary(BinOp::Or, Mode::None, Type::B64, h, l)
            })
            .collect();
        let m = ins.binary(BinOp::And, Mode::None, Type::B64, b, Operand::u64(0x000F_FFFF_FFFF_FFFF));
        let m = ins.binary(BinOp::Or, Mode::None, Type::B64, m, Operand::u64(1 << 52));
        // p2:p1 = (m·w) mod 2^192 without its low word: m·w2 / 2^64 + (m·w1) + (m·w0 mod 2^64)·2^64.
        let l1 = ins.binary(BinOp::Mul, Mode::Lo, Type::U64, m, w[1]);
        let h2 = ins.binary(BinOp::Mul, Mode::Hi, Type::U64, m, w[2]);
        let p1 = ins.binary(BinOp::Add, Mode::None, Type::U64, l1, h2);
        let carry = ins.setp(CmpOp::Lt, Type::U64, p1, l1);
        let carry = ins.selp(Type::U64, Operand::u64(1), Operand::u64(0), carry);
        let l0 = ins.binary(BinOp::Mul, Mode::Lo, Type::U64, m, w[0]);
        let h1 = ins.binary(BinOp::Mul, Mode::Hi, Type::U64, m, w[1]);
        let p2 = ins.binary(BinOp::Add, Mode::None, Type::U64, l0, h1);
        let p2 = ins.binary(BinOp::Add, Mode::None, Type::U64, p2, carry);
        // The fraction's 128 bits hi:lo (the top 2 bits of p2 are the integer part mod 4); as a signed number it is
        // f = fraction - 1 where the fraction is ≥ ½ (then k is one more).
        let hi = ins.binary(BinOp::Shl, Mode::None, Type::B64, p2, u32_(2));
        let t = ins.binary(BinOp::Shr, Mode::None, Type::B64, p1, u32_(62));
        let hi = ins.binary(BinOp::Or, Mode::None, Type::B64, hi, t);
        let lo = ins.binary(BinOp::Shl, Mode::None, Type::B64, p1, u32_(2));
        let k = ins.binary(BinOp::Shr, Mode::None, Type::U64, p2, u32_(62));
        let up = ins.binary(BinOp::Shr, Mode::None, Type::U64, hi, u32_(63));
        let k = ins.binary(BinOp::Add, Mode::None, Type::U64, k, up);
        let k = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, k);
        let neg = ins.setp(CmpOp::Lt, Type::S64, hi, Operand::u64(0));
        // |f|: the one's complement where negative (off by 2^-128, far below what matters).
        let sg = ins.binary(BinOp::Shr, Mode::None, Type::S64, hi, u32_(63));
        let hm = ins.binary(BinOp::Xor, Mode::None, Type::B64, hi, sg);
        let lm = ins.binary(BinOp::Xor, Mode::None, Type::B64, lo, sg);
        // Normalise: the top 64 significant bits of |f| = nh·2^(-64-n).
        let n = ins.unary(UnOp::Clz, Mode::None, Type::B64, hm);
        let hn = ins.binary(BinOp::Shl, Mode::None, Type::B64, hm, n);
        let rn = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(64), n);
        let ln = ins.binary(BinOp::Shr, Mode::None, Type::B64, lm, rn);
        let nh = ins.binary(BinOp::Or, Mode::None, Type::B64, hn, ln);
        // nh = a + t exactly in doubles (53 + 11 bits); r = (a + t)·π/2 rounded once (the product's error is
        // carried by the fma), then scaled by 2^(-64-n).
        let ab = ins.binary(BinOp::And, Mode::None, Type::B64, nh, Operand::u64(!0x7ff));
        let tb = ins.binary(BinOp::And, Mode::None, Type::B64, nh, Operand::u64(0x7ff));
        let a = ins.cvt(CvtMode::Rn, false, F, Type::U64, ab);
        let t = ins.cvt(CvtMode::Rn, false, F, Type::U64, tb);
        let rh = ins.binary(BinOp::Mul, Mode::Rn, F, a, c(std::f64::consts::FRAC_PI_2));
        let nrh = ins.unary(UnOp::Neg, Mode::None, F, rh);
        let rl = ins.fma(F, Mode::Rn, a, c(std::f64::consts::FRAC_PI_2), nrh);
        let rl = ins.fma(F, Mode::Rn, a, c(PIO2_LO), rl);
        let rl = ins.fma(F, Mode::Rn, t, c(std::f64::consts::FRAC_PI_2), rl);
        let rs = ins.binary(BinOp::Add, Mode::Rn, F, rh, rl);
        let se = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(1023 - 64), n);
        let se = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, se);
        let se = ins.binary(BinOp::Shl, Mode::None, Type::B64, se, u32_(52));
        let scale = self.f64_from_bits(se);
        let mut ins = self.b.ins();
        let r = ins.binary(BinOp::Mul, Mode::Rn, F, rs, scale);
        // Signs: r is negative where f is or x is (not both); k mod 4 negates with x.
        let xneg = ins.setp(CmpOp::Lt, F, x, c(0.0));
        let flip = ins.binary(BinOp::Xor, Mode::None, Type::Pred, neg, xneg);
        let nr = ins.unary(UnOp::Neg, Mode::None, F, r);
        let r = ins.selp(F, nr, r, flip);
        let nk = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(0), k);
        let k = ins.selp(Type::U32, nk, k, xneg);
        let q = ins.binary(BinOp::And, Mode::None, Type::B32, k, u32_(3));
        let q = ins.cvt(CvtMode::None, false, Type::S32, Type::U32, q);
        // ±inf: x·0 is NaN; for finite x it adds a zero to a non-zero r.
        let r = ins.fma(F, Mode::Rn, x, c(0.0), r);
        (r, q)
    }

    fn tanh64(&mut self, x: Reg) -> Reg {
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, F, x);
        let y = ins.binary(BinOp::Add, Mode::Rn, F, ax, ax);
        // expm1(y): Taylor below ln 2 (y (1 + y/2 + y²/6 + …), to y^17/17!), exp(y) - 1 above.
        let mut coeffs = [0.0f64; 17];
        let mut f = 1.0f64;
        for (i, k) in coeffs.iter_mut().enumerate() {
            f *= (i + 1) as f64;
            *k = 1.0 / f;
        }
        let p = self.horner(y, &coeffs);
        let small = self.b.ins().binary(BinOp::Mul, Mode::Rn, F, p, y);
        let e = self.exp64(y);
        let mut ins = self.b.ins();
        let big = ins.binary(BinOp::Sub, Mode::Rn, F, e, c(1.0));
        let is_small = ins.setp(CmpOp::Lt, F, y, c(std::f64::consts::LN_2));
        let t = ins.selp(F, small, big, is_small);
        let d = ins.binary(BinOp::Add, Mode::Rn, F, t, c(2.0));
        let v = ins.binary(BinOp::Div, Mode::Rn, F, t, d);
        let huge = ins.setp(CmpOp::Gt, F, ax, c(22.0));
        let v = ins.selp(F, c(1.0), v, huge);
        // Copy the sign (tanh(-0) = -0); NaN stays NaN.
        self.copysign(v, x)
    }

    /// `|v|` with the sign of `s` (f64).
    fn copysign(&mut self, v: Reg, s: Reg) -> Reg {
        let vb = self.bits(v);
        let sb = self.bits(s);
        let mut ins = self.b.ins();
        let m = ins.binary(BinOp::And, Mode::None, Type::B64, vb, Operand::u64(0x7FFF_FFFF_FFFF_FFFF));
        let sg = ins.binary(BinOp::And, Mode::None, Type::B64, sb, Operand::u64(0x8000_0000_0000_0000));
        let o = ins.binary(BinOp::Or, Mode::None, Type::B64, m, sg);
        self.f64_from_bits(o)
    }

    /// Whether f64 `y` is an odd integer, and whether it is an integer at all.
    fn int_parity(&mut self, y: Reg) -> (Reg, Reg) {
        let mut ins = self.b.ins();
        let ty = ins.cvt(CvtMode::Rzi, false, F, F, y);
        let is_int = ins.setp(CmpOp::Eq, F, ty, y);
        let half = ins.binary(BinOp::Mul, Mode::Rn, F, y, c(0.5));
        let th = ins.cvt(CvtMode::Rzi, false, F, F, half);
        let half_frac = ins.setp(CmpOp::Ne, F, th, half);
        let odd = ins.binary(BinOp::And, Mode::None, Type::Pred, is_int, half_frac);
        (odd, is_int)
    }

    fn pow64(&mut self, x: Reg, y: Reg) -> Reg {
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, F, x);
        let l = self.ln64(ax);
        // ln|x| = hi + lo with hi = e·ln2_hi exact: y·ln|x| as a double-double (p, perr).
        let (hi, lo) = self.ln_parts.take().unwrap_or((l, l));
        let mut ins = self.b.ins();
        let ph = ins.binary(BinOp::Mul, Mode::Rn, F, y, hi);
        let nph = ins.unary(UnOp::Neg, Mode::None, F, ph);
        let pe = ins.fma(F, Mode::Rn, y, hi, nph);
        let pl = ins.fma(F, Mode::Rn, y, lo, pe);
        let s_ = ins.binary(BinOp::Add, Mode::Rn, F, ph, pl);
        let d = ins.binary(BinOp::Sub, Mode::Rn, F, s_, ph);
        let perr = ins.binary(BinOp::Sub, Mode::Rn, F, pl, d);
        // Where ln|x| is not finite (x = 0, inf, NaN) the plain product.
        let al = ins.unary(UnOp::Abs, Mode::None, F, l);
        let lfin = ins.setp(CmpOp::Lt, F, al, c(f64::INFINITY));
        let s_num = ins.setp(CmpOp::Num, F, perr, perr);
        let lfin = ins.binary(BinOp::And, Mode::None, Type::Pred, lfin, s_num);
        let plain = ins.binary(BinOp::Mul, Mode::Rn, F, y, l);
        let p = ins.selp(F, s_, plain, lfin);
        let perr = ins.selp(F, perr, c(0.0), lfin);
        let e = self.exp64(p);
        let mut ins = self.b.ins();
        let fin = ins.unary(UnOp::Abs, Mode::None, F, e);
        let finite = ins.setp(CmpOp::Lt, F, fin, c(f64::INFINITY));
        // The correction only where it is a number (an infinite product has none).
        let perr_num = ins.setp(CmpOp::Num, F, perr, perr);
        let finite = ins.binary(BinOp::And, Mode::None, Type::Pred, finite, perr_num);
        let corr = ins.fma(F, Mode::Rn, e, perr, e);
        let mut v = ins.selp(F, corr, e, finite);
        let (odd, is_int) = self.int_parity(y);
        let xb = self.bits(x);
        let mut ins = self.b.ins();
        let sign = ins.binary(BinOp::And, Mode::None, Type::B64, xb, Operand::u64(0x8000_0000_0000_0000));
        let neg_x = ins.setp(CmpOp::Ne, Type::B64, sign, Operand::u64(0));
        // A negative base (also -0 and -inf) with an odd integer exponent: negative result.
        let flip = ins.binary(BinOp::And, Mode::None, Type::Pred, neg_x, odd);
        let nv = ins.unary(UnOp::Neg, Mode::None, F, v);
        v = ins.selp(F, nv, v, flip);
        // A finite negative base with a non-integer exponent: NaN.
        let xneg = ins.setp(CmpOp::Lt, F, x, c(0.0));
        let xfin = ins.setp(CmpOp::Gt, F, x, c(f64::NEG_INFINITY));
        let bad = ins.binary(BinOp::And, Mode::None, Type::Pred, xneg, xfin);
        let not_int = ins.unary(UnOp::Not, Mode::None, Type::Pred, is_int);
        let yfin = ins.unary(UnOp::Abs, Mode::None, F, y);
        let yfin = ins.setp(CmpOp::Lt, F, yfin, c(f64::INFINITY));
        let bad = ins.binary(BinOp::And, Mode::None, Type::Pred, bad, not_int);
        let bad = ins.binary(BinOp::And, Mode::None, Type::Pred, bad, yfin);
        v = ins.selp(F, c(f64::NAN), v, bad);
        // |x| = 1 and y = ±inf: 1 (ln 1 · inf would be NaN).
        let one = ins.setp(CmpOp::Eq, F, ax, c(1.0));
        let yinf = ins.unary(UnOp::Not, Mode::None, Type::Pred, yfin);
        let yinf_num = ins.setp(CmpOp::Num, F, y, y);
        let yinf = ins.binary(BinOp::And, Mode::None, Type::Pred, yinf, yinf_num);
        let one_inf = ins.binary(BinOp::And, Mode::None, Type::Pred, one, yinf);
        v = ins.selp(F, c(1.0), v, one_inf);
        // x^0 = 1 and 1^y = 1, even for NaN.
        let y0 = ins.setp(CmpOp::Eq, F, y, c(0.0));
        let x1 = ins.setp(CmpOp::Eq, F, x, c(1.0));
        let unit = ins.binary(BinOp::Or, Mode::None, Type::Pred, y0, x1);
        ins.selp(F, c(1.0), v, unit)
    }

    fn hypot64(&mut self, x: Reg, y: Reg) -> Reg {
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, F, x);
        let ay = ins.unary(UnOp::Abs, Mode::None, F, y);
        let hi = ins.binary(BinOp::Max, Mode::None, F, ax, ay);
        let lo = ins.binary(BinOp::Min, Mode::None, F, ax, ay);
        let q = ins.binary(BinOp::Div, Mode::Rn, F, lo, hi);
        let s = ins.fma(F, Mode::Rn, q, q, c(1.0));
        let r = ins.unary(UnOp::Sqrt, Mode::Rn, F, s);
        let v = ins.binary(BinOp::Mul, Mode::Rn, F, hi, r);
        let zero = ins.setp(CmpOp::Eq, F, hi, c(0.0));
        let v = ins.selp(F, c(0.0), v, zero);
        // NaN in either operand gives NaN (min/max would drop it) unless the other is infinite.
        let xn = ins.setp(CmpOp::Nan, F, x, x);
        let yn = ins.setp(CmpOp::Nan, F, y, y);
        let n = ins.binary(BinOp::Or, Mode::None, Type::Pred, xn, yn);
        let v = ins.selp(F, c(f64::NAN), v, n);
        self.inf_wins(v, x, y, F)
    }

    /// `v`, or +inf when `x` or `y` is infinite (hypot's rule, NaN included).
    fn inf_wins(&mut self, v: Reg, x: Reg, y: Reg, t: Type) -> Reg {
        let inf = if t == F { c(f64::INFINITY) } else { Operand::f32(f32::INFINITY) };
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, t, x);
        let ay = ins.unary(UnOp::Abs, Mode::None, t, y);
        let xi = ins.setp(CmpOp::Eq, t, ax, inf);
        let yi = ins.setp(CmpOp::Eq, t, ay, inf);
        let i = ins.binary(BinOp::Or, Mode::None, Type::Pred, xi, yi);
        ins.selp(t, inf, v, i)
    }

    /// `x.powi(n)` as compiler-rt's `__powi[sd]f2`: `r = 1; loop { if n odd { r *= x }; n /= 2; if n == 0
    /// { break } x *= x }; if n < 0 { 1 / r } else { r }`, in `rt`'s precision.
    fn powi(&mut self, x: Reg, n: Reg, rt: Type) -> Reg {
        let one = if rt == F { c(1.0) } else { Operand::f32(1.0) };
        let r = self.b.ins().mov(rt, one);
        let a = self.b.ins().mov(rt, x);
        let b = self.b.ins().mov(Type::S32, n);
        let head = self.b.create_block();
        let step = self.b.create_block();
        let done = self.b.create_block();
        self.b.jump(head);
        self.open(head);
        let mut ins = self.b.ins();
        let bit = ins.binary(BinOp::And, Mode::None, Type::B32, b, Operand::u32(1));
        let odd = ins.setp(CmpOp::Ne, Type::B32, bit, Operand::u32(0));
        let ra = ins.binary(BinOp::Mul, Mode::Rn, rt, r, a);
        let rn = ins.selp(rt, ra, r, odd);
        ins.mov_to(r, rn);
        let half = ins.binary(BinOp::Div, Mode::None, Type::S32, b, Operand::Imm(ptx_gen::Imm::int(2, Type::S32)));
        ins.mov_to(b, half);
        let zero = ins.setp(CmpOp::Eq, Type::S32, b, Operand::Imm(ptx_gen::Imm(0)));
        self.b.branch(zero, done, step);
        self.open(step);
        let aa = self.b.ins().binary(BinOp::Mul, Mode::Rn, rt, a, a);
        self.b.ins().mov_to(a, aa);
        self.b.jump(head);
        self.open(done);
        let mut ins = self.b.ins();
        let neg = ins.setp(CmpOp::Lt, Type::S32, n, Operand::Imm(ptx_gen::Imm(0)));
        let inv = ins.binary(BinOp::Div, Mode::Rn, rt, one, r);
        ins.selp(rt, inv, r, neg)
    }
}

#[cfg(test)]
mod tests {
    use super::TWO_OVER_PI;

    /// Little-endian base-2^32 naturals, enough for a fixed-point check.
    type Big = Vec<u32>;

    fn div_small(a: &Big, d: u64) -> Big {
        let mut q = vec![0; a.len()];
        let mut rem = 0u64;
        for i in (0..a.len()).rev() {
            let cur = (rem << 32) | a[i] as u64;
            q[i] = (cur / d) as u32;
            rem = cur % d;
        }
        q
    }

    /// `a + s·b` for `s = ±1` (the result must be non-negative).
    fn add_signed(a: &mut Big, b: &Big, s: i64) {
        let mut carry = 0i64;
        for i in 0..a.len() {
            let v = a[i] as i64 + s * b[i] as i64 + carry;
            a[i] = v.rem_euclid(1 << 32) as u32;
            carry = v.div_euclid(1 << 32);
        }
        assert_eq!(carry, 0, "a negative result");
    }

    fn mul(a: &Big, b: &Big) -> Big {
        let mut p = vec![0u64; a.len() + b.len() + 1];
        for (i, &x) in a.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &y) in b.iter().enumerate() {
                let v = p[i + j] + x as u64 * y as u64 + carry;
                p[i + j] = v & 0xFFFF_FFFF;
                carry = v >> 32;
            }
            p[i + b.len()] += carry;
        }
        p.into_iter().map(|v| v as u32).collect()
    }

    /// `atan(1/x)·2^(32·frac)` by its series.
    fn atan_inv(x: u64, frac: usize) -> Big {
        let mut t: Big = vec![0; frac + 1];
        t[frac] = 1;
        t = div_small(&t, x);
        let mut sum = t.clone();
        for k in 1.. {
            t = div_small(&t, x * x);
            if t.iter().all(|&v| v == 0) {
                break;
            }
            add_signed(&mut sum, &div_small(&t, 2 * k + 1), if k % 2 == 1 { -1 } else { 1 });
        }
        sum
    }

    /// The table against π from Machin's formula, π = 16 atan(1/5) - 4 atan(1/239), in 1440-bit fixed point:
    /// (the table as a fraction) · π = 2 to within the table's truncation, π·2^-1216.
    #[test]
    fn two_over_pi_table_is_two_over_pi() {
        let frac = 45; // limbs of π's fraction
        let mut pi = vec![0u32; frac + 1];
        for _ in 0..16 {
            add_signed(&mut pi, &atan_inv(5, frac), 1);
        }
        for _ in 0..4 {
            add_signed(&mut pi, &atan_inv(239, frac), -1);
        }
        // The table's 1216 bits after the zero word, little-endian: value·2^1216.
        let t: Big = TWO_OVER_PI[1..].iter().rev().flat_map(|&w| [w as u32, (w >> 32) as u32]).collect();
        assert_eq!(t.len(), 38);
        // t·π has 38 + 45 fraction limbs (units 2^-2656); 2 - t·π must be below 2^-1214 = 2^1442 units, so in the
        // limbs below 46 (π's series truncation adds about 2^-1430).
        let p = mul(&t, &pi);
        let mut diff = vec![0u32; p.len()];
        diff[38 + frac] = 2;
        add_signed(&mut diff, &p, -1);
        assert!(diff[frac + 1..].iter().all(|&v| v == 0), "2 - table·π ≥ 2^-1214: the table is not 2/π's bits");
    }
}
