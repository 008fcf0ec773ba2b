//! `as` between every pair of scalar kinds: integer widening and narrowing, int↔float, float↔float, bool.

use ptx_kernel::prelude::*;

/// An `i64` through every integer type, each result widened back to `i64`.
#[ptx_kernel]
pub fn int_casts(a: &[i64], out: &mut [i64]) {
    let i = gpu::global_idx_x() as usize;
    if 10 * i + 9 < out.len() {
        let x = a[i];
        out[10 * i] = x as i8 as i64;
        out[10 * i + 1] = x as u8 as i64;
        out[10 * i + 2] = x as i16 as i64;
        out[10 * i + 3] = x as u16 as i64;
        out[10 * i + 4] = x as i32 as i64;
        out[10 * i + 5] = x as u32 as i64;
        out[10 * i + 6] = x as u64 as i64;
        out[10 * i + 7] = x as i8 as u8 as i16 as u16 as i64;
        out[10 * i + 8] = (x as u8 as i8) as i32 as u64 as i64;
        out[10 * i + 9] = x as usize as isize as i16 as u64 as i64;
    }
}

pub fn int_casts_ref(a: &[i64], out: &mut [i64]) {
    for i in 0..out.len() / 10 {
        let x = a[i];
        out[10 * i..10 * i + 10].copy_from_slice(&[
            x as i8 as i64,
            x as u8 as i64,
            x as i16 as i64,
            x as u16 as i64,
            x as i32 as i64,
            x as u32 as i64,
            x as u64 as i64,
            x as i8 as u8 as i16 as u16 as i64,
            (x as u8 as i8) as i32 as u64 as i64,
            x as usize as isize as i16 as u64 as i64,
        ]);
    }
}

/// Small integers widened: sign- or zero-extension by the source's signedness.
#[ptx_kernel]
pub fn widen_small(a: &[i8], b: &[u8], c: &[i16], out: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if 4 * i + 3 < out.len() {
        out[4 * i] = a[i] as u64;
        out[4 * i + 1] = b[i] as i32 as u64;
        out[4 * i + 2] = c[i] as u32 as u64;
        out[4 * i + 3] = (a[i] as u16 as u64) << 1;
    }
}

pub fn widen_small_ref(a: &[i8], b: &[u8], c: &[i16], out: &mut [u64]) {
    for i in 0..out.len() / 4 {
        out[4 * i] = a[i] as u64;
        out[4 * i + 1] = b[i] as i32 as u64;
        out[4 * i + 2] = c[i] as u32 as u64;
        out[4 * i + 3] = (a[i] as u16 as u64) << 1;
    }
}

macro_rules! float_to_int {
    ($kernel:ident, $reference:ident, $f:ty) => {
        /// Saturating float→int casts with NaN → 0, for every integer type.
        #[ptx_kernel]
        pub fn $kernel(x: &[$f], out: &mut [i64], out_u64: &mut [u64]) {
            let i = gpu::global_idx_x() as usize;
            if 8 * i + 7 < out.len() {
                let v = x[i];
                out[8 * i] = v as i8 as i64;
                out[8 * i + 1] = v as u8 as i64;
                out[8 * i + 2] = v as i16 as i64;
                out[8 * i + 3] = v as u16 as i64;
                out[8 * i + 4] = v as i32 as i64;
                out[8 * i + 5] = v as u32 as i64;
                out[8 * i + 6] = v as i64;
                out[8 * i + 7] = v as isize as i64;
                out_u64[2 * i] = v as u64;
                out_u64[2 * i + 1] = v as usize as u64;
            }
        }

        pub fn $reference(x: &[$f], out: &mut [i64], out_u64: &mut [u64]) {
            for i in 0..out.len() / 8 {
                let v = x[i];
                out[8 * i..8 * i + 8].copy_from_slice(&[
                    v as i8 as i64, v as u8 as i64, v as i16 as i64, v as u16 as i64, v as i32 as i64, v as u32 as i64,
                    v as i64, v as isize as i64,
                ]);
                out_u64[2 * i] = v as u64;
                out_u64[2 * i + 1] = v as usize as u64;
            }
        }
    };
}

float_to_int!(f32_to_int, f32_to_int_ref, f32);
float_to_int!(f64_to_int, f64_to_int_ref, f64);

/// Integer → float casts round to nearest even, from every width.
#[ptx_kernel]
pub fn int_to_float(a: &[i64], b: &[u64], out32: &mut [f32], out64: &mut [f64]) {
    let i = gpu::global_idx_x() as usize;
    if 4 * i + 3 < out32.len() {
        out32[4 * i] = a[i] as f32;
        out32[4 * i + 1] = b[i] as f32;
        out32[4 * i + 2] = a[i] as i8 as f32;
        out32[4 * i + 3] = b[i] as u16 as f32 + a[i] as i32 as f32;
        out64[4 * i] = a[i] as f64;
        out64[4 * i + 1] = b[i] as f64;
        out64[4 * i + 2] = b[i] as u8 as f64;
        out64[4 * i + 3] = a[i] as i32 as f64 * 0.5;
    }
}

pub fn int_to_float_ref(a: &[i64], b: &[u64], out32: &mut [f32], out64: &mut [f64]) {
    for i in 0..out32.len() / 4 {
        out32[4 * i] = a[i] as f32;
        out32[4 * i + 1] = b[i] as f32;
        out32[4 * i + 2] = a[i] as i8 as f32;
        out32[4 * i + 3] = b[i] as u16 as f32 + a[i] as i32 as f32;
        out64[4 * i] = a[i] as f64;
        out64[4 * i + 1] = b[i] as f64;
        out64[4 * i + 2] = b[i] as u8 as f64;
        out64[4 * i + 3] = a[i] as i32 as f64 * 0.5;
    }
}

/// `f32 as f64` (exact) and `f64 as f32` (rounded to nearest even).
#[ptx_kernel]
pub fn float_casts(a: &[f32], b: &[f64], out32: &mut [f32], out64: &mut [f64]) {
    let i = gpu::global_idx_x() as usize;
    if i < a.len() {
        out64[i] = a[i] as f64 * 3.0;
        out32[i] = b[i] as f32 + a[i];
    }
}

pub fn float_casts_ref(a: &[f32], b: &[f64], out32: &mut [f32], out64: &mut [f64]) {
    for i in 0..a.len() {
        out64[i] = a[i] as f64 * 3.0;
        out32[i] = b[i] as f32 + a[i];
    }
}

/// `bool as` integers.
#[ptx_kernel]
pub fn bool_casts(a: &[i32], out: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let p = a[i] > 0;
        let q = a[i] % 3 == 0;
        out[i] = p as u64 + ((q as u8) << 1) as u64 + ((p & q) as i32 * 4) as u64 + (!p as i8) as u64 * 8;
    }
}

pub fn bool_casts_ref(a: &[i32], out: &mut [u64]) {
    for i in 0..out.len() {
        let p = a[i] > 0;
        let q = a[i] % 3 == 0;
        out[i] = p as u64 + ((q as u8) << 1) as u64 + ((p & q) as i32 * 4) as u64 + (!p as i8) as u64 * 8;
    }
}
