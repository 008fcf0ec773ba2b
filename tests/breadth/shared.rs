use ptx_kernel::prelude::*;

/// Reverses each block's 256 elements through a shared array (a 1-D launch of 256-thread blocks).
#[ptx_kernel]
pub fn block_reverse(x: &[f32], y: &mut [f32]) {
    let tile = gpu::SharedArray::<f32, 256>::new();
    let t = gpu::thread_idx_x() as usize;
    let base = (gpu::block_idx_x() * 256) as usize;
    tile[t] = x[base + t];
    gpu::sync_threads();
    y[base + t] = tile[255 - t];
}

/// A 32×32 tile transpose through a padded `[[f32; 33]; 32]` shared tile (blocks of 32×8 threads).
#[ptx_kernel]
pub fn tile_transpose(input: &[f32], output: &mut [f32], width: u32, height: u32) {
    let tile = gpu::SharedArray::<[f32; 33], 32>::new();
    let bx = gpu::block_idx_x() * 32;
    let by = gpu::block_idx_y() * 32;
    let tx = gpu::thread_idx_x();
    let ty = gpu::thread_idx_y();
    for j in (0..32u32).step_by(8) {
        let x = bx + tx;
        let y = by + ty + j;
        if x < width && y < height {
            tile[(ty + j) as usize][tx as usize] = input[(y * width + x) as usize];
        }
    }
    gpu::sync_threads();
    for j in (0..32u32).step_by(8) {
        let x = by + tx;
        let y = bx + ty + j;
        if x < height && y < width {
            output[(y * height + x) as usize] = tile[tx as usize][(ty + j) as usize];
        }
    }
}

/// Each block sums its elements through dynamic shared memory of `block_dim` u32s (tree reduction); thread 0
/// writes the block's sum and the dynamic array's length.
#[ptx_kernel]
pub fn dynamic_sum(x: &[u32], sums: &mut [u32], lens: &mut [u32]) {
    let s = gpu::dynamic_shared::<u32>();
    let t = gpu::thread_idx_x() as usize;
    let i = gpu::global_idx_x() as usize;
    s[t] = if i < x.len() { x[i] } else { 0 };
    gpu::sync_threads();
    let mut half = gpu::block_dim_x() as usize / 2;
    while half > 0 {
        if t < half {
            s[t] += s[t + half];
        }
        gpu::sync_threads();
        half /= 2;
    }
    if t == 0 {
        sums[gpu::block_idx_x() as usize] = s[0];
        lens[gpu::block_idx_x() as usize] = s.len() as u32;
    }
}

/// Shared arrays of several element types, constant indices, compound assignment and `len()`.
#[ptx_kernel]
pub fn shared_kinds(a: &[u8], b: &[i16], c: &[f64], out: &mut [f64]) {
    let sa = gpu::SharedArray::<u8, 64>::new();
    let sb = gpu::SharedArray::<i16, 64>::new();
    let sc = gpu::SharedArray::<f64, 64>::new();
    let t = gpu::thread_idx_x() as usize;
    sa[t] = a[t];
    sb[t] = b[t];
    sc[t] = c[t];
    if t == 0 {
        sc[0] += 1.0;
    }
    gpu::sync_threads();
    let u = 63 - t;
    let grid = gpu::SharedArray::<[u8; 3], 5>::new();
    out[t] = sa[u] as f64 + sb[u] as f64 * 2.0 + sc[u] + sc[0] + (sa.len() + sb.len() + grid.len()) as f64;
}

/// The fences and `sync_warp` (their effect is ordering; the result is a plain copy).
#[ptx_kernel]
pub fn fences(x: &[u32], y: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < x.len() {
        y[i] = x[i];
        gpu::fence_block();
        gpu::fence_device();
        gpu::fence_system();
    }
    gpu::sync_warp(0xFFFF_FFFF);
}

/// Two `dynamic_shared` views of different types alias the same memory (as `extern __shared__` arrays do).
#[ptx_kernel]
pub fn dynamic_alias(out: &mut [f32]) {
    let bits = gpu::dynamic_shared::<u32>();
    let floats = gpu::dynamic_shared::<f32>();
    let t = gpu::thread_idx_x() as usize;
    bits[t] = 0x3F80_0000 + t as u32;
    gpu::sync_threads();
    out[t] = floats[t] + floats.len() as f32;
}
