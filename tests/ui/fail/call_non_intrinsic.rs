use ptx_kernel::prelude::*;

fn helper(x: f32) -> f32 {
    x * 2.0
}

#[ptx_kernel]
fn calls(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    y[i] = helper(x[i]) + std::hint::black_box(x[i]);
}

fn main() {}
