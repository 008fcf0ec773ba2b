//! The float math methods (`exp exp2 ln log2 log10 sin cos tan tanh powf powi recip hypot`) against the host's
//! libm on random inputs, run on `Device::from_env()`: the maximum error in ulps of each function is measured,
//! printed (`cargo test --test exec_math -- --nocapture`) and pinned to the bound documented in `ptx_kernel::gpu`;
//! special values (NaN, ±inf, ±0, ±1, subnormals) must agree exactly. Also `gpu::fast::*` within their PTX
//! accuracy.
#![allow(clippy::needless_range_loop, clippy::manual_is_multiple_of)]

use ptx_kernel::prelude::*;

macro_rules! math_kernel {
    ($name:ident, $t:ty) => {
        #[ptx_kernel]
        pub fn $name(x: &[$t], y: &[$t], n: &[i32], out: &mut [$t]) {
            let i = gpu::global_idx_x() as usize;
            if i < x.len() {
                let a = x[i];
                let b = y[i];
                let o = 13 * i;
                out[o] = a.exp();
                out[o + 1] = a.exp2();
                out[o + 2] = a.ln();
                out[o + 3] = a.log2();
                out[o + 4] = a.log10();
                out[o + 5] = a.sin();
                out[o + 6] = a.cos();
                out[o + 7] = a.tan();
                out[o + 8] = a.tanh();
                out[o + 9] = a.powf(b);
                out[o + 10] = a.powi(n[i]);
                out[o + 11] = a.recip();
                out[o + 12] = a.hypot(b);
            }
        }
    };
}
math_kernel!(math_f32, f32);
math_kernel!(math_f64, f64);

#[ptx_kernel]
pub fn fast_math(x: &[f32], y: &[f32], out: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < x.len() {
        let a = x[i];
        let o = 9 * i;
        out[o] = gpu::fast::exp2(a);
        out[o + 1] = gpu::fast::exp(a);
        out[o + 2] = gpu::fast::log2(a);
        out[o + 3] = gpu::fast::sin(a);
        out[o + 4] = gpu::fast::cos(a);
        out[o + 5] = gpu::fast::tanh(a);
        out[o + 6] = gpu::fast::rsqrt(a);
        out[o + 7] = gpu::fast::recip(a);
        out[o + 8] = gpu::fast::div(a, y[i]);
    }
}

const NAMES: [&str; 13] =
    ["exp", "exp2", "ln", "log2", "log10", "sin", "cos", "tan", "tanh", "powf", "powi", "recip", "hypot"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
    }
    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

/// `2^e` for `e` uniform in [lo, log2 MAX), clamped to MAX (f32's or f64's).
fn log_uniform(rng: &mut Rng, lo: f64, f32_: bool) -> f64 {
    let (hi, max) = if f32_ { (128.0, f32::MAX as f64) } else { (1024.0, f64::MAX) };
    rng.uniform(lo, hi).exp2().min(max)
}

/// The domain each function is measured on, for argument `a` (and `b` for powf/hypot).
fn sample(rng: &mut Rng, f: usize, f32_: bool) -> (f64, f64) {
    let (lo_e, hi_e) = if f32_ { (-103.0, 88.7) } else { (-745.0, 709.7) };
    match NAMES[f] {
        "exp" => (rng.uniform(lo_e, hi_e), 0.0),
        "exp2" => (rng.uniform(if f32_ { -149.0 } else { -1074.0 }, if f32_ { 127.9 } else { 1023.9 }), 0.0),
        "ln" | "log2" | "log10" => {
            // Log-uniform over the positive range, subnormals included.
            let e = rng.uniform(if f32_ { -149.0 } else { -1074.0 }, if f32_ { 128.0 } else { 1024.0 });
            (e.exp2().min(if f32_ { f32::MAX as f64 } else { f64::MAX }), 0.0)
        }
        "sin" | "cos" | "tan" => {
            // Small, medium, up to the end of the three-part reduction (2^30), and log-uniform up to MAX (the
            // Payne–Hanek path).
            let x = match rng.next() % 4 {
                0 => rng.uniform(-10.0, 10.0),
                1 => rng.uniform(-1e5, 1e5),
                2 => rng.uniform(-20.0, 31.0).exp2(),
                _ => log_uniform(rng, 30.0, f32_),
            };
            (if rng.next() % 2 == 0 { x } else { -x }, 0.0)
        }
        "tanh" => {
            if rng.next() % 2 == 0 {
                (rng.uniform(-1.0, 1.0) * rng.uniform(0.0, 1.0).powi(8), 0.0)
            } else {
                (rng.uniform(-25.0, 25.0), 0.0)
            }
        }
        "powf" => {
            let x = rng.uniform(0.0, 50.0);
            let y = rng.uniform(-20.0, 20.0);
            if rng.next() % 4 == 0 {
                (-x, y.round())
            } else {
                (x, y)
            }
        }
        "powi" => (rng.uniform(-3.0, 3.0), 0.0),
        "recip" => (rng.uniform(-1e6, 1e6) * rng.uniform(0.0, 1.0).powi(20), 0.0),
        "hypot" => (rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3)),
        _ => unreachable!(),
    }
}

fn ref64(f: usize, a: f64, b: f64, n: i32) -> f64 {
    match NAMES[f] {
        "exp" => a.exp(),
        "exp2" => a.exp2(),
        "ln" => a.ln(),
        "log2" => a.log2(),
        "log10" => a.log10(),
        "sin" => a.sin(),
        "cos" => a.cos(),
        "tan" => a.tan(),
        "tanh" => a.tanh(),
        "powf" => a.powf(b),
        "powi" => a.powi(n),
        "recip" => a.recip(),
        "hypot" => a.hypot(b),
        _ => unreachable!(),
    }
}

/// Distance in ulps of `got` from the exact-ish `want` (an f64 reference), in the precision of `ulp_of`.
fn ulps(got: f64, want: f64, f32_: bool) -> f64 {
    if got.is_nan() && want.is_nan() || got == want {
        return 0.0;
    }
    if got.is_nan() || want.is_nan() || got.is_infinite() || want.is_infinite() {
        return f64::INFINITY;
    }
    let ulp = if f32_ {
        let w = want as f32;
        let w = if w.is_infinite() { f32::MAX } else { w };
        let next = f32::from_bits(w.abs().to_bits() + 1);
        ((next - w.abs()) as f64).max(f32::from_bits(1) as f64)
    } else {
        let next = f64::from_bits(want.abs().to_bits() + 1);
        (next - want.abs()).max(f64::from_bits(1))
    };
    (got - want).abs() / ulp
}

const SPECIALS: [f64; 14] =
    [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e-310, -3.0, 1e300, 1.5];

/// Documented bounds (ulps), by function, f32 then f64.
const BOUND_F32: [f64; 13] = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5, 1.0];
const BOUND_F64: [f64; 13] = [1.0, 1.0, 1.0, 2.0, 2.0, 1.5, 1.5, 3.0, 3.0, 1.0, 0.0, 0.5, 2.0];

macro_rules! math_test {
    ($test:ident, $kernel:ident, $t:ty, $f32:expr, $bounds:expr) => {
        #[test]
        fn $test() {
            let dev = Device::from_env().unwrap();
            let per = 4000usize;
            let mut rng = Rng(0x1234_5678 ^ $f32 as u64);
            let mut xs: Vec<$t> = Vec::new();
            let mut ys: Vec<$t> = Vec::new();
            let mut ns: Vec<i32> = Vec::new();
            // Block f: the random domain of function f; then every pair of specials.
            for f in 0..13 {
                for _ in 0..per {
                    let (a, b) = sample(&mut rng, f, $f32);
                    xs.push(a as $t);
                    ys.push(b as $t);
                    ns.push((rng.next() % 81) as i32 - 40);
                }
            }
            let random = xs.len();
            for &a in &SPECIALS {
                for &b in &SPECIALS {
                    xs.push(a as $t);
                    ys.push(b as $t);
                    ns.push(b as i32);
                }
            }
            let n = xs.len();
            let (dx, dy, dn) = (dev.upload(&xs).unwrap(), dev.upload(&ys).unwrap(), dev.upload(&ns).unwrap());
            let mut out = dev.alloc_zeros::<$t>(13 * n).unwrap();
            $kernel::launch(&dev, LaunchConfig::for_num_elems(n as u32), &dx, &dy, &dn, &mut out).unwrap();
            let out = out.download().unwrap();
            let mut worst = [(0.0f64, 0.0f64, 0.0f64); 13];
            for f in 0..13 {
                for i in f * per..(f + 1) * per {
                    let (a, b) = (xs[i] as f64, ys[i] as f64);
                    let got = out[13 * i + f] as f64;
                    let want = if NAMES[f] == "powi" {
                        // powi is not correctly rounded: it must equal the host's own (same algorithm) exactly.
                        xs[i].powi(ns[i]) as f64
                    } else if $f32 && NAMES[f] == "recip" {
                        (xs[i]).recip() as f64
                    } else {
                        ref64(f, a, b, ns[i])
                    };
                    let u = ulps(got, want, $f32);
                    if u > worst[f].0 {
                        worst[f] = (u, a, b);
                    }
                }
            }
            let mut failures = Vec::new();
            for f in 0..13 {
                eprintln!(
                    "{} {:>6}: max {:.3} ulp (at {:e}, {:e})",
                    stringify!($t),
                    NAMES[f],
                    worst[f].0,
                    worst[f].1,
                    worst[f].2
                );
                if worst[f].0 > $bounds[f] {
                    failures.push(format!(
                        "{}: {:.3} ulp > {} at ({:e}, {:e})",
                        NAMES[f], worst[f].0, $bounds[f], worst[f].1, worst[f].2
                    ));
                }
            }
            // Specials: exactly the host's values (NaN matches NaN; the sign of zero matters).
            for i in random..n {
                let (a, b) = (xs[i], ys[i]);
                for f in 0..13 {
                    if NAMES[f] == "powi" && !(b as f64).is_finite() {
                        continue;
                    }
                    let want: $t = match NAMES[f] {
                        "powi" => a.powi(ns[i]),
                        "recip" => a.recip(),
                        _ => ref64(f, a as f64, b as f64, ns[i]) as $t,
                    };
                    let got = out[13 * i + f];
                    let same = (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits();
                    // Finite non-special results of the specials are held to the random bound instead.
                    let close =
                        want.is_finite() && want != 0.0 && ulps(got as f64, want as f64, $f32) <= $bounds[f].max(1.0);
                    if !same && !close {
                        failures.push(format!("{}({a:e}, {b:e}): got {got:e}, want {want:e}", NAMES[f]));
                    }
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    };
}
math_test!(math_f32_within_bounds, math_f32, f32, true, BOUND_F32);
math_test!(math_f64_within_bounds, math_f64, f64, false, BOUND_F64);

#[test]
fn fast_math_within_ptx_accuracy() {
    let dev = Device::from_env().unwrap();
    let mut rng = Rng(99);
    let n = 5000;
    let x: Vec<f32> = (0..n).map(|_| rng.uniform(-3.0, 3.0) as f32).collect();
    let y: Vec<f32> = (0..n).map(|_| rng.uniform(0.5, 4.0) as f32).collect();
    let (dx, dy) = (dev.upload(&x).unwrap(), dev.upload(&y).unwrap());
    let mut out = dev.alloc_zeros::<f32>(9 * n).unwrap();
    fast_math::launch(&dev, LaunchConfig::for_num_elems(n as u32), &dx, &dy, &mut out).unwrap();
    let out = out.download().unwrap();
    for i in 0..n {
        let a = x[i] as f64;
        let b = y[i] as f64;
        let want =
            [a.exp2(), a.exp(), a.abs().log2(), a.sin(), a.cos(), a.tanh(), 1.0 / a.abs().sqrt(), 1.0 / a, a / b];
        for k in 0..9 {
            let got = out[9 * i + k] as f64;
            if (k == 2 || k == 6) && a <= 0.0 {
                continue;
            }
            let err = (got - want[k]).abs();
            // Relative 2^-10 (tanh's 2^-11 and the others' few ulps, with margin), absolute 2^-20 near zeros.
            assert!(err <= want[k].abs() * 1e-3 + 1e-6, "fast fn {k} at {a}: got {got}, want {}", want[k]);
        }
    }
}

macro_rules! trig_kernel {
    ($name:ident, $t:ty) => {
        #[ptx_kernel]
        pub fn $name(x: &[$t], out: &mut [$t]) {
            let i = gpu::global_idx_x() as usize;
            if i < x.len() {
                let a = x[i];
                out[3 * i] = a.sin();
                out[3 * i + 1] = a.cos();
                out[3 * i + 2] = a.tan();
            }
        }
    };
}
trig_kernel!(trig_f32, f32);
trig_kernel!(trig_f64, f64);

/// Hard cases for the argument reduction, as bits: `(x, sin x, cos x, tan x)`, the results correctly rounded
/// (mpmath at 1500 bits). First the doubles closest to a multiple of π/2 ("2^-60.89": |x mod π/2|): the 24 closest
/// over the whole range (6381956970095103·2^797 is the closest of all; 45.55 the closest below 2^30), then one
/// binade in 64 — each the closest in its binade, found from the continued fraction of (π/2)·2^(52-E) — then the
/// floats closest in their binades (16367173·2^72 is the closest of all), then other notable values.
const TRIG_HARD: [(u64, u64, u64, u64); 71] = [
    (0x7506ac5b262ca1ff, 0x3ff0000000000000, 0xbc214ae72e6ba22f, 0xc3bd9ba9a7975636), // 2^-60.89, 5.319e+255
    (0x4046c6cbc45dc8de, 0x3ff0000000000000, 0xbc26d61b58c99c43, 0xc3b66b9ebc4850c6), // 2^-60.49, 45.55
    (0x7516ac5b262ca1ff, 0xbc314ae72e6ba22f, 0xbff0000000000000, 0x3c314ae72e6ba22f), // 2^-59.89, 1.064e+256
    (0x4056c6cbc45dc8de, 0xbc36d61b58c99c43, 0xbff0000000000000, 0x3c36d61b58c99c43), // 2^-59.49, 91.11
    (0x416b951f1572eba5, 0xbff0000000000000, 0xbc3f54f5227a4e84, 0x43a057584c429b3a), // 2^-59.03, 1.446e+07
    (0x482504cac51f1eaf, 0xbff0000000000000, 0xbc40cb604d34f341, 0x439e7c7d0f43f81e), // 2^-58.93, 3.576e+39
    (0x7526ac5b262ca1ff, 0x3c414ae72e6ba22f, 0x3ff0000000000000, 0x3c414ae72e6ba22f), // 2^-58.89, 2.128e+256
    (0x7dee009c53148be1, 0x3ff0000000000000, 0x3c4295a3b0a64b1d, 0x439b8cbf7ecfaffa), // 2^-58.78, 3.924e+298
    (0x4066c6cbc45dc8de, 0x3c46d61b58c99c43, 0x3ff0000000000000, 0x3c46d61b58c99c43), // 2^-58.49, 182.2
    (0x6404c96c11134d36, 0xbff0000000000000, 0x3c46ec67bcf77522, 0xc39655cf9e23c4d7), // 2^-58.48, 6.427e+173
    (0x75bcfe482285f8ed, 0xbff0000000000000, 0xbc4d08f59c32bfa3, 0x4391a246b6f92457), // 2^-58.14, 1.393e+259
    (0x6a7db41f3cb71d7b, 0x3ff0000000000000, 0x3c4e09878d22e29d, 0x43910ba6f3f467d7), // 2^-58.09, 9.313e+204
    (0x4c4e7e44a78ac18c, 0xbff0000000000000, 0x3c4ed415f54c8cb8, 0xc3909ba7e061f301), // 2^-58.05, 3.828e+59
    (0x417b951f1572eba5, 0x3c4f54f5227a4e84, 0xbff0000000000000, 0xbc4f54f5227a4e84), // 2^-58.03, 2.892e+07
    (0x526c45cd11154dfd, 0x3ff0000000000000, 0x3c501242876d7c1b, 0x438fdba46f553a09), // 2^-57.99, 1.125e+89
    (0x483504cac51f1eaf, 0x3c50cb604d34f341, 0xbff0000000000000, 0xbc50cb604d34f341), // 2^-57.93, 7.152e+39
    (0x66583009e2e9e2eb, 0x3ff0000000000000, 0xbc5104830400912a, 0xc38e1621fb1336a5), // 2^-57.91, 1.028e+185
    (0x4fcb2196364d750b, 0xbff0000000000000, 0x3c512bbbe07f2de1, 0xc38dd1688c6969ad), // 2^-57.90, 2.454e+76
    (0x7536ac5b262ca1ff, 0x3c514ae72e6ba22f, 0x3ff0000000000000, 0x3c514ae72e6ba22f), // 2^-57.89, 4.255e+256
    (0x7dfe009c53148be1, 0x3c5295a3b0a64b1d, 0xbff0000000000000, 0xbc5295a3b0a64b1d), // 2^-57.78, 7.849e+298
    (0x4f569eab0985179b, 0xbff0000000000000, 0xbc561ecec9c577fd, 0x43872567cb9047a9), // 2^-57.53, 1.599e+74
    (0x4076c6cbc45dc8de, 0x3c56d61b58c99c43, 0x3ff0000000000000, 0x3c56d61b58c99c43), // 2^-57.49, 364.4
    (0x6414c96c11134d36, 0xbc56ec67bcf77522, 0xbff0000000000000, 0x3c56ec67bcf77522), // 2^-57.48, 1.285e+174
    (0x442782b7a20df6d4, 0xbff0000000000000, 0xbc57a6500ca6d83b, 0x4385a63c82b6dae2), // 2^-57.44, 2.168e+20
    (0x3ff921fb54442d18, 0x3ff0000000000000, 0x3c91a62633145c07, 0x434d02967c31cdb5), // 2^-53.86, 1.571
    (0x43fa7f3bc5a7ed9e, 0x3ff0000000000000, 0xbc90e54c54604e37, 0xc34e4db721f5aab5), // 2^-53.92, 3.055e+19
    (0x47f12155b2d3a126, 0x3ff0000000000000, 0xbcc5843818592736, 0xc317cbb3d4bdf625), // 2^-50.57, 3.643e+38
    (0x4bfbb4c8e40cbe5d, 0x3cae7b636f724744, 0xbff0000000000000, 0xbcae7b636f724744), // 2^-52.07, 1.087e+58
    (0x4ffb2196364d750b, 0x3c812bbbe07f2de1, 0x3ff0000000000000, 0x3c812bbbe07f2de1), // 2^-54.90, 1.963e+77
    (0x53f870a967710516, 0x3ff0000000000000, 0x3c9d462ea93b0a66, 0x43417d65ba2c20ca), // 2^-53.13, 3.263e+96
    (0x57f715b33a0d143e, 0x3ca21f3a46c27f0a, 0xbff0000000000000, 0xbca21f3a46c27f0a), // 2^-52.82, 5.685e+115
    (0x5bf2e28b9339bd65, 0xbff0000000000000, 0x3c921f6d8161a6cc, 0xc34c407359c3baa8), // 2^-53.82, 8.579e+134
    (0x5ff776ae889d49fc, 0x3ff0000000000000, 0x3c8a507d0c087a8e, 0x435374ff5a314143), // 2^-54.28, 1.966e+154
    (0x63f6f2ff88c4c44e, 0x3ff0000000000000, 0x3cb33f0cd9db1ae2, 0x432a9a3f657320b2), // 2^-51.73, 3.548e+173
    (0x67f668db30162b3d, 0x3ff0000000000000, 0xbc8b531f155186d0, 0xc352bcd5592416a5), // 2^-54.23, 6.39e+192
    (0x6bff0c9d98414062, 0xbff0000000000000, 0xbc9a22e11902dd64, 0x434396f376eee0f3), // 2^-53.29, 1.633e+212
    (0x6ffafeb41302d02a, 0xbff0000000000000, 0xbc9e0676e990434f, 0x43410d6465af499f), // 2^-53.09, 2.619e+231
    (0x73f6fb0d0ab996fa, 0xbff0000000000000, 0x3c987dcf6a22ed92, 0xc344e7befcaeb68c), // 2^-53.39, 4.113e+250
    (0x77fdd2603af19862, 0x3ff0000000000000, 0xbcadb224f8a15aa2, 0xc3313dcfba7ed717), // 2^-52.11, 9.847e+269
    (0x7bfea17c46d23a3c, 0xbcaa144b08bd29ab, 0xbff0000000000000, 0x3caa144b08bd29ab), // 2^-52.30, 1.866e+289
    (0x45ef37c8a0000000, 0x3ff0000000000000, 0xbe1bbdd52a58eafb, 0xc1c274c1bb79adb7), // f32, 2^-29.21, 7.729e+28
    (0x42147d0fe0000000, 0x3ff0000000000000, 0xbe2149dafd6b8987, 0xc1bd9d74f4ae6373), // f32, 2^-28.89, 2.2e+10
    (0x45ff37c8a0000000, 0xbe2bbdd52a58eafb, 0xbff0000000000000, 0x3e2bbdd52a58eafb), // f32, 2^-28.21, 1.546e+29
    (0x42247d0fe0000000, 0xbe3149dafd6b8987, 0xbff0000000000000, 0x3e3149dafd6b8987), // f32, 2^-27.89, 4.4e+10
    (0x406f9cbe20000000, 0x3ff0000000000000, 0xbe31fa3bb9a07e78, 0xc1ac7ae6e9c145b9), // f32, 2^-27.83, 252.9
    (0x460f37c8a0000000, 0x3e3bbdd52a58eafb, 0x3ff0000000000000, 0x3e3bbdd52a58eafb), // f32, 2^-27.21, 3.092e+29
    (0x45432ede20000000, 0x3ff0000000000000, 0xbe3bc77be4e3b960, 0xc1a26e583831de8f), // f32, 2^-27.20, 4.638e+25
    (0x427628d4c0000000, 0xbff0000000000000, 0xbe3db49e303ea778, 0x41a13c60339d184b), // f32, 2^-27.11, 1.523e+12
    (0x44b1309300000000, 0x3ff0000000000000, 0xbe3f7e04be410e25, 0xc1a04209df305070), // f32, 2^-27.02, 8.118e+22
    (0x42347d0fe0000000, 0x3e4149dafd6b8987, 0x3ff0000000000000, 0x3e4149dafd6b8987), // f32, 2^-26.89, 8.8e+10
    (0x407f9cbe20000000, 0xbe41fa3bb9a07e78, 0xbff0000000000000, 0x3e41fa3bb9a07e78), // f32, 2^-26.83, 505.8
    (0x46eb08c4a0000000, 0xbff0000000000000, 0xbe45f52ea84f120d, 0x41975148a5116512), // f32, 2^-26.54, 4.387e+33
    (0x4184665d20000000, 0xbfefffffffffffff, 0x3e4927bcc77af479, 0xc1945a8729a66075), // f32, 2^-26.35, 4.278e+07
    (0x4012d97c80000000, 0xbfefffffffffffff, 0x3e499bc5b961b1ad, 0xc193fe4dac06d831), // f32, 2^-26.32, 4.712
    (0x458abb4b00000000, 0x3fefffffffffffff, 0x3e49b74b1c1c562f, 0x4193e8e81b3bf1bc), // f32, 2^-26.32, 1.034e+27
    (0x461f37c8a0000000, 0x3e4bbdd52a58eafb, 0x3fefffffffffffff, 0x3e4bbdd52a58eafc), // f32, 2^-26.21, 6.183e+29
    (0x4480f0cf064dd592, 0xbfeb453ab76bf397, 0x3fe0be2cef01c8f4, 0xbffa0f79c1b6b257), // 1e22
    (0x7fe8000000000000, 0x3fe3f5dd1b2ae20c, 0x3fe902faf66a7398, 0x3fe98994c5969627), // 1.5*2^1023
    (0x7fefffffffffffff, 0x3f7452fc98b34e97, 0xbfefffe62ecfab75, 0xbf74530cfe729484), // f64::MAX
    (0x7fe0000000000000, 0x3fe205248cbdb760, 0xbfea719f26c232bf, 0xbfe5ce6b4c0d02a3), // 2^1023
    (0x7e37e43c8800759c, 0xbfea2c16b010e385, 0xbfe2699022adc4c1, 0x3ff6be411f37ac77), // 1e300
    (0x47efffffe0000000, 0xbfe0b33665089575, 0x3feb4bf2c79bdfce, 0xbfe393d94b4988c2), // f32::MAX
    (0x4480f0cf00000000, 0xbfe77d988f563719, 0x3fe5baded759a40d, 0xbff14bdfb7ac8b93), // 1e22f32
    (0x4202a05f20000000, 0xbfdf334c7896a4e3, 0x3febf098901c931a, 0xbfe1de000f443f50), // 1e10f32
    (0x41d0000000000000, 0xbfe3c12353728caf, 0x3fe92cb46a920144, 0xbfe91c3c126f9d13), // 2^30
    (0x41d0000000000001, 0xbfe3c122eebfba67, 0x3fe92cb4b9968dc8, 0xbfe91c3b439ec482), // 2^30 + ulp
    (0x41cfffffffffffff, 0xbfe3c12385cbf55d, 0x3fe92cb4430fba6a, 0xbfe91c3c79d80b42), // 2^30 - ulp
    (0x41d0000020000000, 0x3fefd6f1e7dcbe45, 0xbfb998f97039e6fc, 0xc023e6d3b3bf2ed5), // 2^30 + f32 ulp
    (0x41e0000000000000, 0xbfef14f913e9af98, 0x3fce70c2d5131e55, 0xc010564ff9979ed5), // 2^31
    (0x43f0000000000000, 0x3f982a353118793d, 0xbfeffdb7fa3fe34d, 0xbf982bee572e2ac9), // 2^64
    (0x47efffffffffffff, 0xbfe1ac6b048ba082, 0x3feaad3d2f922c45, 0xbfe53341b1700150), // 2^128 - ulp
];

/// `sin`/`cos`/`tan` of `x` and `-x` from a [`TRIG_HARD`] entry.
fn hard_refs() -> Vec<(f64, [f64; 3])> {
    let mut v = Vec::new();
    for &(x, s, c, t) in &TRIG_HARD {
        let (x, s, c, t) = (f64::from_bits(x), f64::from_bits(s), f64::from_bits(c), f64::from_bits(t));
        v.push((x, [s, c, t]));
        v.push((-x, [-s, c, -t]));
    }
    v
}

macro_rules! trig_test {
    ($test:ident, $kernel:ident, $t:ty, $f32:expr, $bounds:expr) => {
        /// Over the whole finite range: log-uniform magnitudes against the host's libm (glibc's reduction is
        /// exact for these), and [`TRIG_HARD`] against correctly rounded values (there glibc can be 10^5 ulps
        /// off).
        #[test]
        fn $test() {
            let dev = Device::from_env().unwrap();
            let mut rng = Rng(0x7219 ^ $f32 as u64);
            let mut xs: Vec<$t> = Vec::new();
            let mut want: Vec<[f64; 3]> = Vec::new();
            for _ in 0..16384 {
                let x = log_uniform(&mut rng, -30.0, $f32) as $t;
                let x = if rng.next() % 2 == 0 { x } else { -x };
                let xd = x as f64;
                xs.push(x);
                want.push([xd.sin(), xd.cos(), xd.tan()]);
            }
            let random = xs.len();
            for (x, w) in hard_refs() {
                // A double entry also tests f32 where it is a float (the reference is then the float's).
                if (x as $t) as f64 == x {
                    xs.push(x as $t);
                    want.push(w);
                }
            }
            let n = xs.len();
            let dx = dev.upload(&xs).unwrap();
            let mut out = dev.alloc_zeros::<$t>(3 * n).unwrap();
            $kernel::launch(&dev, LaunchConfig::for_num_elems(n as u32), &dx, &mut out).unwrap();
            let out = out.download().unwrap();
            let mut failures = Vec::new();
            for (part, range) in [("random", 0..random), ("hard", random..n)] {
                let mut worst = [(0.0f64, 0.0f64); 3];
                for i in range.clone() {
                    for f in 0..3 {
                        let u = ulps(out[3 * i + f] as f64, want[i][f], $f32);
                        if u > worst[f].0 {
                            worst[f] = (u, xs[i] as f64);
                        }
                    }
                }
                for f in 0..3 {
                    let (u, x) = worst[f];
                    let name = NAMES[5 + f];
                    let t = stringify!($t);
                    eprintln!("{t} {name:>4} {part:>6} ({} inputs): max {u:.3} ulp (at {x:e})", range.len());
                    if u > $bounds[5 + f] {
                        failures.push(format!("{name} ({part}): {u:.3} ulp > {} at {x:e}", $bounds[5 + f]));
                    }
                }
            }
            assert!(n - random >= if $f32 { 40 } else { 140 }, "{} hard cases", n - random);
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    };
}
trig_test!(trig_f32_whole_range, trig_f32, f32, true, BOUND_F32);
trig_test!(trig_f64_whole_range, trig_f64, f64, false, BOUND_F64);

macro_rules! powf_kernel {
    ($name:ident, $t:ty) => {
        #[ptx_kernel]
        pub fn $name(x: &[$t], y: &[$t], out: &mut [$t]) {
            let i = gpu::global_idx_x() as usize;
            if i < x.len() {
                out[i] = x[i].powf(y[i]);
            }
        }
    };
}
powf_kernel!(powf_f32, f32);
powf_kernel!(powf_f64, f64);

/// The dense `powf` sample: the documented domain (x ∈ (0, 50], |y| ≤ 20) log-uniform and uniform in x, uniform
/// and integral in y, x near 1, negative x with integral y.
fn powf_domain(rng: &mut Rng) -> (f64, f64) {
    let y = rng.uniform(-20.0, 20.0);
    let log_x = |rng: &mut Rng| rng.uniform(-60.0, 50f64.log2()).exp2();
    match rng.next() % 8 {
        0..=2 => (log_x(rng), y),
        3 => (50.0 - rng.uniform(0.0, 50.0), y),
        4 => (log_x(rng), y.round()),
        5 => (50.0 - rng.uniform(0.0, 50.0), y.round()),
        6 => {
            let d = rng.uniform(-45.0, -1.0).exp2();
            (if rng.next() % 2 == 0 { 1.0 + d } else { 1.0 - d }, y)
        }
        _ => (-(50.0 - rng.uniform(0.0, 50.0)), y.round()),
    }
}

/// Beyond the documented domain: any positive x (subnormals included) with y such that x^y is finite and not 0,
/// subnormal results included (`y ln x` uniform in [-745, 709.7]).
fn powf_whole(rng: &mut Rng) -> (f64, f64) {
    loop {
        let x = rng.uniform(-1074.0, 1024.0).exp2().min(f64::MAX);
        let t = rng.uniform(-745.0, 709.7);
        let y = t / x.ln();
        if x != 1.0 && y.is_finite() {
            return (x, y);
        }
    }
}

/// Inputs with known results, each as the correctly rounded value's bits and the exact value's distance from it
/// in ulps (mpmath at 300 bits): the differential tester's example, where the old sequence was furthest off, and
/// the worst of the dense sample (within 0.51 ulp of the exact value, correctly rounded where that is nearer
/// than 0.49 ulp).
const POWF_HARD: [(f64, f64, u64, f64); 14] = [
    (0.6832751732242677, -20.0, 0x409fc30f64827285, 0.0288), // the differential tester's (9.5 ulp before)
    (45.17106422843667, 18.0, 0x461ef34d2d13ce7c, -0.4080),  // 10 ulp before
    (2.143364562083382e-05, 18.51816745595474, 0x2dfb9e8dd0e1872b, -0.4353), // 9 ulp before
    (0.8598519722272926, -4333.37818234047, 0x7aef9b493af04796, -0.3017), // 654 ulp before
    (1.1984459410297337, -1806.0233811277176, 0x22741d73f46f7f43, 0.0543), // 212 ulp before
    (3e-10, 33.0, 0x000000004310ad31, -0.0573),              // subnormal
    (1e-300, 1.05, 0x000000000c1069cd, 0.3073),              // subnormal
    (10.0, 308.25, 0x7fefa788589d81d3, -0.1174),             // near MAX
    (1.0000000009313226, 549755813888.0, 0x6e1947649f9cf1e7, -0.2080), // (1 + 2^-30)^(2^39)
    (3.0, 20.0, 0x41e9fa8372200000, 0.0),
    (-7.5, 11.0, 0xc1ef77b68066bc00, 0.0),
    (0.742828530439759, 5.0, 0x3fccf345e5ef1325, -0.4951), // the worst of the domain sample (0.505 ulp)
    (8.379268720729061e+239, -0.4146802161689389, 0x2b469362402ff39e, -0.4963), // of the whole-range sample
    (6.237056946071805e-09, 13.284576807153258, 0x294e0bc457a26122, 0.4990), // near a midpoint: the host is off
];

/// The documented `powf` bound (f64 ulps against the host's `powf`).
const POWF_BOUND_F64: f64 = 1.0;

/// f64 `powf` on a dense sample: `POWF_SAMPLES` inputs of the documented domain (default 32768, the debug-build
/// emulator's share; `POWF_SAMPLES=1048576 cargo test --release --test exec_math powf -- --nocapture` for the full
/// measurement) and a quarter as many over the whole range, against the host's `f64::powf` (glibc: within 0.52
/// ulp of the exact value, so the two are one ulp apart where they round differently); f32 `powf` on the same
/// inputs against the f64 reference; [`POWF_HARD`] against their exact values. `POWF_DUMP=FILE` writes the f64
/// inputs and results (bits, little-endian `x y x^y` triples) for a check against a multiprecision library.
#[test]
fn powf_dense_sample() {
    let dev = Device::from_env().unwrap();
    let n: usize = std::env::var("POWF_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(32768);
    let mut rng = Rng(0x9f0_0f64);
    let mut xs = Vec::with_capacity(n + n / 4 + POWF_HARD.len());
    let mut ys = Vec::with_capacity(xs.capacity());
    for k in 0..n + n / 4 {
        let (x, y) = if k < n { powf_domain(&mut rng) } else { powf_whole(&mut rng) };
        xs.push(x);
        ys.push(y);
    }
    for &(x, y, _, _) in &POWF_HARD {
        xs.push(x);
        ys.push(y);
    }
    let m = xs.len();
    let cfg = LaunchConfig::for_num_elems(m as u32);
    let start = std::time::Instant::now();
    let mut out = dev.alloc_zeros::<f64>(m).unwrap();
    powf_f64::launch(&dev, cfg, &dev.upload(&xs).unwrap(), &dev.upload(&ys).unwrap(), &mut out).unwrap();
    let out = out.download().unwrap();
    let t64 = start.elapsed();
    let (xf, yf): (Vec<f32>, Vec<f32>) = xs.iter().zip(&ys).map(|(&x, &y)| (x as f32, y as f32)).unzip();
    let start = std::time::Instant::now();
    let mut outf = dev.alloc_zeros::<f32>(m).unwrap();
    powf_f32::launch(&dev, cfg, &dev.upload(&xf).unwrap(), &dev.upload(&yf).unwrap(), &mut outf).unwrap();
    let outf = outf.download().unwrap();
    let t32 = start.elapsed();
    if let Ok(path) = std::env::var("POWF_DUMP") {
        let mut buf = Vec::new();
        for i in 0..m {
            for v in [xs[i].to_bits(), ys[i].to_bits(), out[i].to_bits()] {
                buf.extend_from_slice(&v.to_le_bytes());
            }
        }
        std::fs::write(path, buf).unwrap();
    }
    let mut failures = Vec::new();
    for (part, range) in [("domain", 0..n), ("whole range", n..n + n / 4)] {
        let (mut worst, mut at, mut half, mut one) = (0.0f64, (0.0, 0.0), 0usize, 0usize);
        let (mut worst32, mut at32, mut off32) = (0.0f64, (0.0f32, 0.0f32), 0usize);
        for i in range.clone() {
            let u = ulps(out[i], xs[i].powf(ys[i]), false);
            half += (u > 0.5) as usize;
            one += (u > 1.0) as usize;
            if u > worst {
                (worst, at) = (u, (xs[i], ys[i]));
            }
            // f32: the f64 reference (within 0.5 f32 ulp plus the final rounding); f32 over/underflow included.
            let want = (xf[i] as f64).powf(yf[i] as f64);
            let u = if (want as f32).is_infinite() {
                if outf[i] == want as f32 {
                    0.0
                } else {
                    f64::INFINITY
                }
            } else {
                ulps(outf[i] as f64, want, true)
            };
            off32 += (outf[i] != want as f32) as usize;
            if u > worst32 {
                (worst32, at32) = (u, (xf[i], yf[i]));
            }
        }
        eprintln!(
            "f64 powf {part} ({} inputs): max {worst:.3} ulp at ({:e}, {:e}), {half} above 0.5 ulp, {one} above 1 ulp",
            range.len(),
            at.0,
            at.1
        );
        eprintln!(
            "f32 powf {part}: max {worst32:.4} ulp at ({:e}, {:e}), {off32} not the f64 reference rounded",
            at32.0, at32.1
        );
        if worst > POWF_BOUND_F64 {
            failures.push(format!("f64 powf {part}: {worst:.3} ulp > {POWF_BOUND_F64} at ({:e}, {:e})", at.0, at.1));
        }
        if worst32 > BOUND_F32[9] {
            failures
                .push(format!("f32 powf {part}: {worst32:.4} ulp > {} at ({:e}, {:e})", BOUND_F32[9], at32.0, at32.1));
        }
    }
    eprintln!("powf: {m} inputs in {t64:.2?} (f64), {t32:.2?} (f32)");
    let mut worst_hard = 0.0f64;
    for (k, &(x, y, want, off)) in POWF_HARD.iter().enumerate() {
        let got = out[n + n / 4 + k];
        // Ulps from the rounded value (the same sign), minus the exact value's offset.
        let d = (got.to_bits() & !(1 << 63)) as i64 - (want & !(1 << 63)) as i64;
        let err = (d as f64 - off).abs();
        worst_hard = worst_hard.max(err);
        if got.to_bits() >> 63 != want >> 63 || err > 0.51 || (off.abs() < 0.49 && got.to_bits() != want) {
            failures.push(format!("powf({x:e}, {y:e}) = {:#x}, want {want:#x} ({err:.3} ulp)", got.to_bits()));
        }
    }
    eprintln!("f64 powf hard cases ({}): max {worst_hard:.4} ulp from the exact value", POWF_HARD.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn math_ptx_assembles() {
    for ptx in
        [math_f32::PTX, math_f64::PTX, fast_math::PTX, trig_f32::PTX, trig_f64::PTX, powf_f32::PTX, powf_f64::PTX]
    {
        ptx_gen::ptxas::check_or_skip(ptx, &["sm_75", "sm_80", "sm_90"]).unwrap();
    }
    assert_eq!(math_f32::TARGET, "sm_52");
    assert_eq!(fast_math::TARGET, "sm_75", "tanh.approx needs sm_75");
}
