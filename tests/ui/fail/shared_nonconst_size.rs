use ptx_kernel::prelude::*;

const N: usize = 64;

#[ptx_kernel]
fn shared_nonconst_size(y: &mut [f32]) {
    let tile = gpu::SharedArray::<f32, N>::new();
    let empty = gpu::SharedArray::<f32, 0>::new();
    let huge = gpu::SharedArray::<f64, 8192>::new();
    tile[0] = 1.0;
    y[0] = tile[0] + empty[0] + huge[0] as f32;
}

fn main() {}
