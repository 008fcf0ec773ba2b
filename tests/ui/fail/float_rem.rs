use ptx_kernel::prelude::*;

#[ptx_kernel]
fn rem(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    y[i] = x[i] % 2.5;
}

fn main() {}
