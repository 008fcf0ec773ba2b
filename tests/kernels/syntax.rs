//! Other spellings rustc accepts for what the subset has: path-form method calls `T::m(x, …)` (the path types the
//! receiver, literals included) and parenthesised `for` ranges.

use ptx_kernel::half::{bf16, f16};
use ptx_kernel::prelude::*;

/// Path-form calls on integers and floats (exactly rounded methods in `od`/`of`, transcendental ones in `ot`/`ou`)
/// and parenthesised ranges (a `u8` range up to 255 inclusive, which must end without overflowing).
/// (`rustfmt::skip`: rustfmt would drop the doubled parentheses of `((0..n)).step_by(3)`.)
#[ptx_kernel]
#[allow(unused_parens, clippy::too_many_arguments)]
#[rustfmt::skip]
pub fn path_calls(
    a: &[i32],
    b: &[u64],
    c: &[i16],
    d: &[u8],
    x: &[f32],
    y: &[f64],
    h: &[f16],
    g: &[bf16],
    oi: &mut [i64],
    of: &mut [f32],
    od: &mut [f64],
    ou: &mut [f32],
    ot: &mut [f64],
) {
    let i = gpu::global_idx_x() as usize;
    if i < a.len() {
        oi[8 * i] = i32::abs(a[i]) as i64;
        oi[8 * i + 1] = i32::max(-7, i32::min(a[i], 1000)) as i64;
        oi[8 * i + 2] = u64::max(3, b[i] >> 61) as i64;
        oi[8 * i + 3] = u64::min(b[i], 1 << 40) as i64;
        // `k` is a `u64` only through the path (as an `i32` it would not hold the value).
        let k = 3_000_000_000;
        oi[8 * i + 4] = (u64::max(k, 5) + d[i] as u64) as i64;
        oi[8 * i + 5] = i16::abs(i16::min(c[i], i16::max(-300, c[i] / 2))) as i64;
        oi[8 * i + 6] = u16::max(d[i] as u16 * 300, 7) as i64 + i64::max(a[i] as i64 * 3, -5);
        let mut s = 0u32;
        for j in (250u8..=255) {
            s = s * 7 + j as u32;
        }
        for j in ((d[i] | 0xF0)..=255) {
            s = s * 3 % 65_521 + u8::min(j, 252) as u32;
        }
        let n = d[i] % 23;
        for j in (0..n) {
            s += i8::abs(j as i8 - 11) as u32;
        }
        for j in ((0..n)).step_by(3) {
            s ^= u32::max(j as u32, 5) << 4;
        }
        oi[8 * i + 7] = s as i64;

        let w = x[i];
        of[6 * i] = f32::mul_add(w, 1.5, -0.25);
        of[6 * i + 1] = f32::sqrt(f32::abs(w));
        of[6 * i + 2] = f32::max(f32::min(w, 100.0), -100.0);
        of[6 * i + 3] = f32::floor(w) + f32::ceil(w);
        of[6 * i + 4] = f32::round(w) - f32::trunc(w);
        of[6 * i + 5] = f32::recip(w) * f32::powi(2.0, 3);
        let v = y[i];
        od[7 * i] = f64::mul_add(v, v, 1.0);
        od[7 * i + 1] = f64::sqrt(2.0) * v;
        od[7 * i + 2] = f64::max(v, 0.5) + f64::min(-1.5, v);
        od[7 * i + 3] = f64::powi(v, 2) + f64::abs(v);
        od[7 * i + 4] = f64::trunc(v) * f64::round(-2.5);
        od[7 * i + 5] = f64::floor(f64::ceil(v) / 2.0);
        od[7 * i + 6] = f16::to_f32(h[i]) as f64 + bf16::to_f64(g[i]);

        ou[6 * i] = f32::exp2(w);
        ou[6 * i + 1] = f32::log2(w);
        ou[6 * i + 2] = f32::cos(w);
        ou[6 * i + 3] = f32::tan(w);
        ou[6 * i + 4] = f32::hypot(w, 2.5);
        ou[6 * i + 5] = f32::powf(2.0, f32::min(f32::abs(w), 20.0));
        ot[7 * i] = f64::exp(v);
        ot[7 * i + 1] = f64::ln(v);
        ot[7 * i + 2] = f64::log10(v);
        ot[7 * i + 3] = f64::sin(v);
        ot[7 * i + 4] = f64::tanh(v);
        ot[7 * i + 5] = f64::powf(f64::min(f64::abs(v), 50.0), 1.5);
        ot[7 * i + 6] = f64::hypot(v, 3.0);
    }
}

/// The same expressions on the host (wrapping where the kernel's release semantics wrap).
#[allow(unused_parens, clippy::too_many_arguments)]
#[rustfmt::skip]
pub fn path_calls_ref(
    a: &[i32],
    b: &[u64],
    c: &[i16],
    d: &[u8],
    x: &[f32],
    y: &[f64],
    h: &[f16],
    g: &[bf16],
    oi: &mut [i64],
    of: &mut [f32],
    od: &mut [f64],
    ou: &mut [f32],
    ot: &mut [f64],
) {
    for i in 0..a.len() {
        oi[8 * i] = i32::wrapping_abs(a[i]) as i64;
        oi[8 * i + 1] = i32::max(-7, i32::min(a[i], 1000)) as i64;
        oi[8 * i + 2] = u64::max(3, b[i] >> 61) as i64;
        oi[8 * i + 3] = u64::min(b[i], 1 << 40) as i64;
        let k = 3_000_000_000;
        oi[8 * i + 4] = (u64::max(k, 5) + d[i] as u64) as i64;
        oi[8 * i + 5] = i16::wrapping_abs(i16::min(c[i], i16::max(-300, c[i] / 2))) as i64;
        oi[8 * i + 6] = u16::max((d[i] as u16).wrapping_mul(300), 7) as i64 + i64::max(a[i] as i64 * 3, -5);
        let mut s = 0u32;
        for j in (250u8..=255) {
            s = s * 7 + j as u32;
        }
        for j in ((d[i] | 0xF0)..=255) {
            s = s * 3 % 65_521 + u8::min(j, 252) as u32;
        }
        let n = d[i] % 23;
        for j in (0..n) {
            s += i8::abs(j as i8 - 11) as u32;
        }
        for j in ((0..n)).step_by(3) {
            s ^= u32::max(j as u32, 5) << 4;
        }
        oi[8 * i + 7] = s as i64;

        let w = x[i];
        of[6 * i] = f32::mul_add(w, 1.5, -0.25);
        of[6 * i + 1] = f32::sqrt(f32::abs(w));
        of[6 * i + 2] = f32::max(f32::min(w, 100.0), -100.0);
        of[6 * i + 3] = f32::floor(w) + f32::ceil(w);
        of[6 * i + 4] = f32::round(w) - f32::trunc(w);
        of[6 * i + 5] = f32::recip(w) * f32::powi(2.0, 3);
        let v = y[i];
        od[7 * i] = f64::mul_add(v, v, 1.0);
        od[7 * i + 1] = f64::sqrt(2.0) * v;
        od[7 * i + 2] = f64::max(v, 0.5) + f64::min(-1.5, v);
        od[7 * i + 3] = f64::powi(v, 2) + f64::abs(v);
        od[7 * i + 4] = f64::trunc(v) * f64::round(-2.5);
        od[7 * i + 5] = f64::floor(f64::ceil(v) / 2.0);
        od[7 * i + 6] = f16::to_f32(h[i]) as f64 + bf16::to_f64(g[i]);

        ou[6 * i] = f32::exp2(w);
        ou[6 * i + 1] = f32::log2(w);
        ou[6 * i + 2] = f32::cos(w);
        ou[6 * i + 3] = f32::tan(w);
        ou[6 * i + 4] = f32::hypot(w, 2.5);
        ou[6 * i + 5] = f32::powf(2.0, f32::min(f32::abs(w), 20.0));
        ot[7 * i] = f64::exp(v);
        ot[7 * i + 1] = f64::ln(v);
        ot[7 * i + 2] = f64::log10(v);
        ot[7 * i + 3] = f64::sin(v);
        ot[7 * i + 4] = f64::tanh(v);
        ot[7 * i + 5] = f64::powf(f64::min(f64::abs(v), 50.0), 1.5);
        ot[7 * i + 6] = f64::hypot(v, 3.0);
    }
}
