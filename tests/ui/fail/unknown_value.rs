use ptx_kernel::prelude::*;

const SCALE: f32 = 2.0;

#[ptx_kernel]
fn globals(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    y[i] = x[i] * SCALE;
}

fn main() {}
