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

/// A grid-stride loop over quads: `i < x.len() / 4` (through a local) proves `x[4 * i]`, `x[i * 4 + 3]` and
/// `x[(i << 2) + 1]` while `i` keeps its value; a `u8` index (masked or not, plus a literal) proves itself against
/// a 256-element shared array, as do `j % 256`, `lane_id()`, `warp_id() + 224` (through a `let`) and
/// `warp_id() - 1` under `> 0`; `k < 256` proves `t[k]`. No check is left.
#[ptx_kernel]
pub fn guard_scaled(x: &[u32], b: &[u8], out: &mut [u32]) {
    let t = gpu::SharedArray::<u32, 256>::new();
    let mut k = gpu::thread_idx_x() as usize;
    while k < 256 {
        t[k] = 0;
        k += gpu::block_dim_x() as usize;
    }
    gpu::sync_threads();
    let quads = x.len() / 4;
    let stride = (gpu::grid_dim_x() * gpu::block_dim_x()) as usize;
    let mut i = gpu::global_idx_x() as usize;
    let mut s = 0u32;
    while i < quads {
        s += x[4 * i] + x[i * 4 + 3] + x[(i << 2) + 1];
        i += stride;
    }
    let j = gpu::global_idx_x() as usize;
    if j < b.len() {
        gpu::atomic_add(&mut t[b[j] as usize], 1);
        gpu::atomic_add(&mut t[(b[j] & 0x7f) as usize + 128], 1);
    }
    gpu::sync_threads();
    let w = gpu::warp_id() as usize;
    let before = if w > 0 { t[w - 1] } else { 0 };
    if j < out.len() {
        out[j] = s + t[j % 256] + t[gpu::lane_id() as usize] + t[w + 224] + before;
    }
}

/// An unsigned quotient below a literal bounds its dividend: `t / 32 == 0` (through a `let`, as in a producer
/// warp's `if warp == 0`) proves `t < 32`, `t >> 5 < 2` proves `t < 64`; a copy of an unrolled loop knows its
/// variable's value (`r * 32 + lane` below 96) and a `for` over a literal range its variable's bound. No check is
/// left.
#[ptx_kernel]
pub fn guard_quotient(out: &mut [u32]) {
    let sh = gpu::SharedArray::<u32, 96>::new();
    let t = gpu::thread_idx_x() as usize;
    let warp = t / 32;
    if warp == 0 {
        let lane = t;
        for r in 0..3 {
            let k = r * 32 + lane;
            sh[k] = k as u32;
        }
    }
    gpu::sync_threads();
    if t >> 5 < 2 {
        sh[t + 32] += 1;
    }
    gpu::sync_threads();
    if t < out.len() {
        let mut s = 0u32;
        for c in 0..96 {
            s += sh[c];
        }
        out[t] = s;
    }
}

/// What the quotient rule must not prove: a signed dividend (`-5 / 32 == 0`), a quotient equal to a non-zero
/// value, the quotient of a `mut` local assigned since. Three checks are left.
#[ptx_kernel]
pub fn quotient_kept(v: i32, out: &mut [u32]) {
    let sh = gpu::SharedArray::<u32, 32>::new();
    let t = gpu::thread_idx_x() as usize;
    if v / 32 == 0 {
        sh[v as usize] = 1;
    }
    if t / 32 == 1 {
        sh[t] = 2;
    }
    let mut m = t;
    let q = m / 32;
    m += 32;
    if q == 0 {
        sh[m] = 3;
    }
    gpu::sync_threads();
    if t < out.len() && t < 32 {
        out[t] = sh[t];
    }
}
