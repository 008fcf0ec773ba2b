use ptx_kernel::prelude::*;

// The accepted twins of tests/ui/fail/uniformity_*.rs: collectives under control flow on uniform values.

#[ptx_kernel]
pub fn block_if(x: &mut [f32], n: u32) {
    let i = gpu::global_idx_x() as usize;
    if gpu::block_idx_x() < n {
        gpu::sync_threads();
    }
    if i < x.len() {
        x[i] = 1.0;
    }
}

#[ptx_kernel]
pub fn uniform_loop(x: &mut [u32], n: u32) {
    let t = gpu::thread_idx_x();
    for _ in 0..n {
        gpu::sync_threads();
    }
    for k in 0..gpu::block_dim_x() {
        if k == n {
            break;
        }
        gpu::sync_threads();
    }
    if (t as usize) < x.len() {
        x[t as usize] = t;
    }
}

#[ptx_kernel]
pub fn uniform_return(x: &mut [f32], n: u32) {
    if n == 0 {
        return;
    }
    gpu::sync_threads();
    let i = gpu::global_idx_x() as usize;
    if i < x.len() {
        x[i] = 2.0;
    }
}

#[ptx_kernel]
pub fn param_break(x: &[u32], n: u32) {
    let mut k = 0u32;
    while k < n {
        if n == 3 {
            break;
        }
        gpu::sync_threads();
        k += 1;
    }
    let _ = x.len();
}

#[ptx_kernel]
pub fn uniform_flag(x: &mut [u32]) {
    let mut go = false;
    if gpu::block_idx_x() == 0 {
        go = true;
    }
    if go {
        gpu::sync_threads();
    }
    if x.len() > 0 {
        x[0] = 1;
    }
}

#[ptx_kernel]
pub fn by_length(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if x.len() > 4 {
        gpu::sync_threads();
    }
    if i < y.len() {
        y[i] = 0.0;
    }
}

#[ptx_kernel]
pub fn warp0_reduce(x: &[f32], out: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    let mut v = 0.0f32;
    if i < x.len() {
        v = x[i];
    }
    if gpu::warp_id() == 0 {
        v = gpu::warp_sum(v);
    }
    if i < out.len() {
        out[i] = v;
    }
}

// Safe and unsafe launchers.
#[ptx_kernel]
pub fn unchecked_copy(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() && i < x.len() {
        unsafe {
            *y.get_unchecked_mut(i) = *x.get_unchecked(i) + 1.0;
        }
    }
}

#[ptx_kernel(bounds_checks = false)]
pub fn no_checks(y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    y[i] = 0.0;
}

#[allow(dead_code)]
fn run(dev: &Device, x: &DeviceBuffer<f32>, y: &mut DeviceBuffer<f32>) -> ptx_kernel::Result<()> {
    let cfg = LaunchConfig::for_num_elems(y.len() as u32);
    block_if::launch(dev, cfg, y, 1)?;
    by_length::launch(dev, cfg, x, y)?;
    // SAFETY: the kernel guards its accesses.
    unsafe { unchecked_copy::launch(dev, cfg, x, y)? };
    // SAFETY: the grid covers exactly `y.len()` threads.
    unsafe { no_checks::launch(dev, cfg, y) }
}

fn main() {
    // Guarded accesses have no checks; unguarded ones do.
    assert!(block_if::PANIC_SITES.is_empty());
    assert!(unchecked_copy::PANIC_SITES.is_empty() && no_checks::PANIC_SITES.is_empty());
    // `x.len() > 0` proves `x[0]`.
    assert!(uniform_flag::PANIC_SITES.is_empty());
}
