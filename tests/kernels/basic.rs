//! Parameters, slices, thread geometry, `len()`, bool memory.

use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

pub fn saxpy_ref(a: f32, x: &[f32], y: &mut [f32]) {
    for i in 0..y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[ptx_kernel]
pub fn copy_u8(x: &[u8], y: &mut [u8]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() && i < x.len() {
        y[i] = x[i];
    }
}

pub fn copy_u8_ref(x: &[u8], y: &mut [u8]) {
    let n = x.len().min(y.len());
    y[..n].copy_from_slice(&x[..n]);
}

#[ptx_kernel]
pub fn fill_i64(out: &mut [i64], v: i64) {
    let i = ptx_kernel::gpu::global_idx_x() as usize;
    if i < out.len() {
        out[i] = v;
    }
}

pub fn fill_i64_ref(out: &mut [i64], v: i64) {
    out.iter_mut().for_each(|o| *o = v);
}

#[ptx_kernel]
pub fn bool_param(add: bool, x: &[i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        out[i] = if add { out[i] + x[i] } else { out[i] - x[i] };
    }
}

pub fn bool_param_ref(add: bool, x: &[i32], out: &mut [i32]) {
    for i in 0..out.len() {
        out[i] = if add { out[i].wrapping_add(x[i]) } else { out[i].wrapping_sub(x[i]) };
    }
}

/// `bool` slices are bytes: any non-zero byte reads as `true`; `true` is written as 1.
#[ptx_kernel]
pub fn bool_logic(a: &[bool], b: &[bool], out: &mut [bool]) {
    let i = gpu::global_idx_x() as usize;
    if 4 * i + 3 < out.len() {
        out[4 * i] = a[i] & b[i];
        out[4 * i + 1] = a[i] | b[i];
        out[4 * i + 2] = a[i] ^ b[i];
        out[4 * i + 3] = !a[i] == b[i];
    }
}

pub fn bool_logic_ref(a: &[bool], b: &[bool], out: &mut [bool]) {
    for i in 0..out.len() / 4 {
        out[4 * i] = a[i] & b[i];
        out[4 * i + 1] = a[i] | b[i];
        out[4 * i + 2] = a[i] ^ b[i];
        out[4 * i + 3] = !a[i] == b[i];
    }
}

/// Every geometry intrinsic, 12 words per thread of a 3-D launch.
#[ptx_kernel]
pub fn geometry(out: &mut [u32]) {
    let bx = gpu::block_dim_x();
    let by = gpu::block_dim_y();
    let gx = gpu::grid_dim_x();
    let gy = gpu::grid_dim_y();
    let tx = gpu::thread_idx_x() + bx * (gpu::thread_idx_y() + by * gpu::thread_idx_z());
    let block = gpu::block_idx_x() + gx * (gpu::block_idx_y() + gy * gpu::block_idx_z());
    let threads = bx * by * gpu::block_dim_z();
    let linear = (block * threads + tx) as usize;
    let base = 12 * linear;
    if base + 11 < out.len() {
        out[base] = gpu::thread_idx_x();
        out[base + 1] = gpu::thread_idx_y();
        out[base + 2] = gpu::thread_idx_z();
        out[base + 3] = gpu::block_idx_x();
        out[base + 4] = gpu::block_idx_y();
        out[base + 5] = gpu::block_idx_z();
        out[base + 6] = bx;
        out[base + 7] = by;
        out[base + 8] = gpu::block_dim_z();
        out[base + 9] = gx;
        out[base + 10] = gy;
        out[base + 11] = gpu::grid_dim_z();
    }
}

/// What [`geometry`] writes for a launch of `grid` blocks of `block` threads.
pub fn geometry_ref(grid: (u32, u32, u32), block: (u32, u32, u32), out: &mut [u32]) {
    let threads = block.0 * block.1 * block.2;
    for bz in 0..grid.2 {
        for by in 0..grid.1 {
            for bx in 0..grid.0 {
                for tz in 0..block.2 {
                    for ty in 0..block.1 {
                        for tx in 0..block.0 {
                            let b = bx + grid.0 * (by + grid.1 * bz);
                            let t = tx + block.0 * (ty + block.1 * tz);
                            let base = 12 * (b * threads + t) as usize;
                            if base + 11 < out.len() {
                                out[base..base + 12].copy_from_slice(&[
                                    tx, ty, tz, bx, by, bz, block.0, block.1, block.2, grid.0, grid.1, grid.2,
                                ]);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A 2-D transpose with 16×16 blocks: `thread_idx_y`, `block_idx_y`, `block_dim_y`.
#[ptx_kernel]
pub fn transpose(width: u32, height: u32, x: &[f32], out: &mut [f32]) {
    let col = gpu::block_idx_x() * gpu::block_dim_x() + gpu::thread_idx_x();
    let row = gpu::block_idx_y() * gpu::block_dim_y() + gpu::thread_idx_y();
    if col < width && row < height {
        out[(col * height + row) as usize] = x[(row * width + col) as usize];
    }
}

pub fn transpose_ref(width: u32, height: u32, x: &[f32], out: &mut [f32]) {
    for row in 0..height {
        for col in 0..width {
            out[(col * height + row) as usize] = x[(row * width + col) as usize];
        }
    }
}

#[ptx_kernel]
pub fn lengths(x: &[u16], y: &[f64], out: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        out[i] = (x.len() * 1000 + y.len()) as u64 + i as u64;
    }
}

pub fn lengths_ref(x: &[u16], y: &[f64], out: &mut [u64]) {
    for i in 0..out.len() {
        out[i] = (x.len() * 1000 + y.len()) as u64 + i as u64;
    }
}

/// No parameters, no body: the smallest kernel.
#[ptx_kernel]
pub fn noop() {}

/// `sync_threads`: each thread writes its slot, the block waits, then each thread reads its neighbour's slot.
#[ptx_kernel]
pub fn neighbour_exchange(x: &[i32], scratch: &mut [i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i < scratch.len() {
        scratch[i] = x[i] * 2;
    }
    gpu::sync_threads();
    let j = i ^ 1;
    if j < scratch.len() && i < out.len() {
        out[i] = scratch[j] + 1;
    }
}

pub fn neighbour_exchange_ref(x: &[i32], out: &mut [i32]) {
    for i in 0..out.len() {
        let j = i ^ 1;
        if j < x.len() {
            out[i] = x[j].wrapping_mul(2).wrapping_add(1);
        }
    }
}

/// Mutable scalar parameters and `usize`/`isize` parameters.
#[ptx_kernel]
pub fn mut_params(mut base: isize, mut count: usize, out: &mut [isize]) {
    let i = gpu::global_idx_x() as usize;
    base += i as isize;
    count -= 1;
    if i < out.len() {
        out[i] = base * count as isize;
    }
}

pub fn mut_params_ref(base: isize, count: usize, out: &mut [isize]) {
    for i in 0..out.len() {
        out[i] = (base.wrapping_add(i as isize)).wrapping_mul(count.wrapping_sub(1) as isize);
    }
}
