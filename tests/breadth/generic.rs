use ptx_kernel::prelude::*;

/// `y = a x + y` for f32 and f64.
#[ptx_kernel(instances(f32, f64))]
pub fn axpy<T: gpu::Float>(a: T, x: &[T], y: &mut [T]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a.mul_add(x[i], y[i]);
    }
}

/// A block sum with the block size as a const parameter (shared array length and loop bound).
#[ptx_kernel(instances(BLOCK = 64, BLOCK = 128))]
pub fn block_sum<const BLOCK: usize>(x: &[u32], sums: &mut [u32]) {
    let s = gpu::SharedArray::<u32, BLOCK>::new();
    let t = gpu::thread_idx_x() as usize;
    let i = gpu::block_idx_x() as usize * BLOCK + t;
    s[t] = if i < x.len() { x[i] } else { 0 };
    gpu::sync_threads();
    let mut half = BLOCK / 2;
    while half > 0 {
        if t < half {
            s[t] += s[t + half];
        }
        gpu::sync_threads();
        half /= 2;
    }
    if t == 0 {
        sums[gpu::block_idx_x() as usize] = s[0];
    }
}
