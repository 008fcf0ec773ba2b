use ptx_kernel::prelude::*;

#[ptx_kernel]
fn mismatch(x: &[f32], y: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    let v: u32 = x[i];
    y[i] = v;
}

fn main() {}
