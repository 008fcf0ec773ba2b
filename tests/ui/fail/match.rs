use ptx_kernel::prelude::*;

#[ptx_kernel]
fn classify(x: &[i32], y: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    y[i] = match x[i] {
        0 => 10,
        _ => 20,
    };
}

fn main() {}
