//! The 16-byte variants of vector_add and saxpy: one `[f32; 4]` (a float4) per thread, so every access is one
//! `ld.global.v4.f32` / `st.global.v4.f32`. Defined here, not in an example.

use ptx_kernel::prelude::*;

/// `c[i] = a[i] + b[i]` on float4 elements.
#[ptx_kernel]
pub fn vector_add_vec4(a: &[[f32; 4]], b: &[[f32; 4]], c: &mut [[f32; 4]]) {
    let i = gpu::global_idx_x() as usize;
    if i < c.len() {
        let x = a[i];
        let y = b[i];
        c[i] = [x[0] + y[0], x[1] + y[1], x[2] + y[2], x[3] + y[3]];
    }
}

/// `y[i] = a * x[i] + y[i]` on float4 elements.
#[ptx_kernel]
pub fn saxpy_vec4(a: f32, x: &[[f32; 4]], y: &mut [[f32; 4]]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        let v = x[i];
        let w = y[i];
        y[i] = [a * v[0] + w[0], a * v[1] + w[1], a * v[2] + w[2], a * v[3] + w[3]];
    }
}
