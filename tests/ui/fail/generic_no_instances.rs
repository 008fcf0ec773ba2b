use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn scale<T: gpu::Float>(a: T, y: &mut [T]) {
    let i = gpu::global_idx_x() as usize;
    y[i] = a * y[i];
}

fn main() {}
