//! Float arithmetic (never fused), methods, rounding, NaN comparisons, constants.

use ptx_kernel::prelude::*;

/// `a * b + c` must not become an fma: Rust rounds the product first.
#[ptx_kernel]
pub fn float_arith_f32(a: &[f32], b: &[f32], c: &[f32], out: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if 5 * i + 4 < out.len() {
        out[5 * i] = a[i] * b[i] + c[i];
        out[5 * i + 1] = a[i] * b[i] - c[i];
        out[5 * i + 2] = c[i] - a[i] * b[i];
        out[5 * i + 3] = a[i] / b[i];
        out[5 * i + 4] = -a[i] + b[i] * c[i] * a[i];
    }
}

pub fn float_arith_f32_ref(a: &[f32], b: &[f32], c: &[f32], out: &mut [f32]) {
    for i in 0..out.len() / 5 {
        out[5 * i] = a[i] * b[i] + c[i];
        out[5 * i + 1] = a[i] * b[i] - c[i];
        out[5 * i + 2] = c[i] - a[i] * b[i];
        out[5 * i + 3] = a[i] / b[i];
        out[5 * i + 4] = -a[i] + b[i] * c[i] * a[i];
    }
}

#[ptx_kernel]
pub fn float_arith_f64(a: &[f64], b: &[f64], c: &[f64], out: &mut [f64]) {
    let i = gpu::global_idx_x() as usize;
    if 4 * i + 3 < out.len() {
        out[4 * i] = a[i] * b[i] + c[i];
        out[4 * i + 1] = (a[i] - c[i]) * (b[i] + c[i]);
        out[4 * i + 2] = a[i] / b[i] - c[i];
        out[4 * i + 3] = -(a[i] * a[i]) + 1.5;
    }
}

pub fn float_arith_f64_ref(a: &[f64], b: &[f64], c: &[f64], out: &mut [f64]) {
    for i in 0..out.len() / 4 {
        out[4 * i] = a[i] * b[i] + c[i];
        out[4 * i + 1] = (a[i] - c[i]) * (b[i] + c[i]);
        out[4 * i + 2] = a[i] / b[i] - c[i];
        out[4 * i + 3] = -(a[i] * a[i]) + 1.5;
    }
}

macro_rules! float_methods {
    ($kernel:ident, $reference:ident, $f:ty) => {
        /// Every float method.
        #[ptx_kernel]
        pub fn $kernel(a: &[$f], b: &[$f], out: &mut [$f]) {
            let i = gpu::global_idx_x() as usize;
            if 9 * i + 8 < out.len() {
                let x = a[i];
                out[9 * i] = x.abs();
                out[9 * i + 1] = x.min(b[i]);
                out[9 * i + 2] = x.max(b[i]);
                out[9 * i + 3] = x.abs().sqrt();
                out[9 * i + 4] = x.mul_add(b[i], 0.25);
                out[9 * i + 5] = x.floor();
                out[9 * i + 6] = x.ceil();
                out[9 * i + 7] = x.round();
                out[9 * i + 8] = x.trunc();
            }
        }

        pub fn $reference(a: &[$f], b: &[$f], out: &mut [$f]) {
            for i in 0..out.len() / 9 {
                let x = a[i];
                out[9 * i..9 * i + 9].copy_from_slice(&[
                    x.abs(),
                    x.min(b[i]),
                    x.max(b[i]),
                    x.abs().sqrt(),
                    x.mul_add(b[i], 0.25),
                    x.floor(),
                    x.ceil(),
                    x.round(),
                    x.trunc(),
                ]);
            }
        }
    };
}

float_methods!(float_methods_f32, float_methods_f32_ref, f32);
float_methods!(float_methods_f64, float_methods_f64_ref, f64);

/// `round` on the halves, where half-to-even and half-away-from-zero differ.
#[ptx_kernel]
pub fn round_halves(out: &mut [f32]) {
    let i = gpu::global_idx_x();
    if (i as usize) < out.len() {
        let x = (i as f32 - 64.0) * 0.5;
        out[i as usize] = x.round() + (x + 0.25).round() * 1000.0;
    }
}

pub fn round_halves_ref(out: &mut [f32]) {
    for i in 0..out.len() {
        let x = (i as f32 - 64.0) * 0.5;
        out[i] = x.round() + (x + 0.25).round() * 1000.0;
    }
}

/// Comparisons with NaN: only `!=` is true.
#[ptx_kernel]
pub fn compare_floats(a: &[f32], b: &[f32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let x = a[i];
        let y = b[i];
        out[i] = (x < y) as u32
            | ((x <= y) as u32) << 1
            | ((x > y) as u32) << 2
            | ((x >= y) as u32) << 3
            | ((x == y) as u32) << 4
            | ((x != y) as u32) << 5
            | ((x != x) as u32) << 6;
    }
}

pub fn compare_floats_ref(a: &[f32], b: &[f32], out: &mut [u32]) {
    for i in 0..out.len() {
        let (x, y) = (a[i], b[i]);
        out[i] = (x < y) as u32
            | ((x <= y) as u32) << 1
            | ((x > y) as u32) << 2
            | ((x >= y) as u32) << 3
            | ((x == y) as u32) << 4
            | ((x != y) as u32) << 5
            | ((x != x) as u32) << 6;
    }
}

/// Associated and `consts` constants.
#[ptx_kernel]
pub fn float_consts(x: &[f64], out: &mut [f64], out32: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if 4 * i + 3 < out.len() {
        out[4 * i] = x[i] * std::f64::consts::PI + f64::EPSILON;
        out[4 * i + 1] = x[i].min(f64::INFINITY).max(f64::NEG_INFINITY) * core::f64::consts::E;
        out[4 * i + 2] = f64::MAX.min(x[i] * 1e300) + f64::MIN_POSITIVE;
        out[4 * i + 3] = if x[i] > 0.0 { f64::NAN } else { f64::MIN };
        out32[i] = x[i] as f32 * std::f32::consts::TAU + f32::MAX / 1e30 + u16::MAX as f32 + i8::MIN as f32;
    }
}

pub fn float_consts_ref(x: &[f64], out: &mut [f64], out32: &mut [f32]) {
    for i in 0..out32.len() {
        out[4 * i] = x[i] * std::f64::consts::PI + f64::EPSILON;
        out[4 * i + 1] = x[i].min(f64::INFINITY).max(f64::NEG_INFINITY) * core::f64::consts::E;
        out[4 * i + 2] = f64::MAX.min(x[i] * 1e300) + f64::MIN_POSITIVE;
        out[4 * i + 3] = if x[i] > 0.0 { f64::NAN } else { f64::MIN };
        out32[i] = x[i] as f32 * std::f32::consts::TAU + f32::MAX / 1e30 + u16::MAX as f32 + i8::MIN as f32;
    }
}
