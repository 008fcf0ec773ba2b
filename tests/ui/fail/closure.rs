use ptx_kernel::prelude::*;

#[ptx_kernel]
fn scale(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    let double = |v: f32| v * 2.0;
    y[i] = double(x[i]);
}

fn main() {}
