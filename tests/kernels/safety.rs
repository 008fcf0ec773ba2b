//! Run-time checks: kernels whose guards prove every access (their PTX has no panic path) next to kernels that keep
//! their checks. The snapshots show both.

use ptx_kernel::prelude::*;

/// `if i < x.len()` proves `x[i]` and `y[i]`… only `y` here is guarded twice: both accesses are free.
#[ptx_kernel]
pub fn guard_if(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() && i < x.len() {
        y[i] = 2.0 * x[i];
    }
}

/// An early return proves the rest of the body.
#[ptx_kernel]
pub fn guard_early_return(x: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i >= x.len() {
        return;
    }
    x[i] = x[i] + 1;
}

/// `for k in 0..x.len()` proves `x[k]`; the same expression as the guard (`(row * n + col) as usize`) too.
#[ptx_kernel]
pub fn guard_for(x: &[f32], out: &mut [f32], n: u32) {
    let row = gpu::block_idx_x();
    let col = gpu::thread_idx_x();
    let mut s = 0.0f32;
    for k in 0..x.len() {
        s += x[k];
    }
    if ((row * n + col) as usize) < out.len() {
        out[(row * n + col) as usize] = s;
    }
}

/// A guard on something else proves nothing: one bounds check per access, and one panic path.
#[ptx_kernel]
pub fn checked_index(x: &[f32], y: &mut [f32], n: u32) {
    let i = gpu::global_idx_x();
    if i < n {
        y[i as usize] = x[i as usize];
    }
}

/// Signed division: a zero check and an overflow check; by a constant: none.
#[ptx_kernel]
pub fn checked_div(a: &[i32], b: &[i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() && i < a.len() && i < b.len() {
        out[i] = a[i] / b[i] + a[i] % 7;
    }
}

/// Unchecked access: no check.
#[ptx_kernel]
pub fn unchecked_access(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    unsafe {
        *y.get_unchecked_mut(i) = *x.get_unchecked(i);
    }
}
