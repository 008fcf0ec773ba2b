use ptx_kernel::prelude::*;

#[ptx_kernel]
fn shared_bad_type(y: &mut [f32]) {
    let _flags = gpu::SharedArray::<bool, 32>::new();
    let _names = gpu::SharedArray::<String, 32>::new();
    let _rows = gpu::SharedArray::<[Vec<f32>; 4], 32>::new();
    y[0] = 1.0;
}

fn main() {}
