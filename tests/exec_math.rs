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

const NAMES: [&str; 13] = ["exp", "exp2", "ln", "log2", "log10", "sin", "cos", "tan", "tanh", "powf", "powi", "recip", "hypot"];

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
            if rng.next() % 2 == 0 { (rng.uniform(-10.0, 10.0), 0.0) } else { (rng.uniform(-1e5, 1e5), 0.0) }
        }
        "tanh" => {
            if rng.next() % 2 == 0 { (rng.uniform(-1.0, 1.0) * rng.uniform(0.0, 1.0).powi(8), 0.0) } else { (rng.uniform(-25.0, 25.0), 0.0) }
        }
        "powf" => {
            let x = rng.uniform(0.0, 50.0);
            let y = rng.uniform(-20.0, 20.0);
            if rng.next() % 4 == 0 { (-x, y.round()) } else { (x, y) }
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

const SPECIALS: [f64; 14] = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e-310, -3.0, 1e300, 1.5];

/// Documented bounds (ulps), by function, f32 then f64.
const BOUND_F32: [f64; 13] = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5, 1.0];
const BOUND_F64: [f64; 13] = [1.0, 1.0, 1.0, 2.0, 2.0, 1.5, 1.5, 3.0, 3.0, 8.0, 0.0, 0.5, 2.0];

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
                eprintln!("{} {:>6}: max {:.3} ulp (at {:e}, {:e})", stringify!($t), NAMES[f], worst[f].0, worst[f].1, worst[f].2);
                if worst[f].0 > $bounds[f] {
                    failures.push(format!("{}: {:.3} ulp > {} at ({:e}, {:e})", NAMES[f], worst[f].0, $bounds[f], worst[f].1, worst[f].2));
                }
            }
            // Specials: exactly the host's values (NaN matches NaN; the sign of zero matters).
            for i in random..n {
                let (a, b) = (xs[i], ys[i]);
                for f in 0..13 {
                    if NAMES[f] == "powi" && !(b as f64).is_finite() {
                        continue;
                    }
                    // Documented: no reduction beyond 2^30 (NaN).
                    if matches!(NAMES[f], "sin" | "cos" | "tan") && (a as f64).abs() > 1073741824.0 {
                        assert!(out[13 * i + f].is_nan());
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
                    let close = want.is_finite() && want != 0.0 && ulps(got as f64, want as f64, $f32) <= $bounds[f].max(1.0);
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
        let want = [a.exp2(), a.exp(), a.abs().log2(), a.sin(), a.cos(), a.tanh(), 1.0 / a.abs().sqrt(), 1.0 / a, a / b];
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

#[test]
fn math_ptx_assembles() {
    for ptx in [math_f32::PTX, math_f64::PTX, fast_math::PTX] {
        ptx_gen::ptxas::check_or_skip(ptx, &["sm_75", "sm_80", "sm_90"]).unwrap();
    }
    assert_eq!(math_f32::TARGET, "sm_52");
    assert_eq!(fast_math::TARGET, "sm_75", "tanh.approx needs sm_75");
}
