use ptx_kernel::prelude::*;

#[ptx_kernel]
fn atomic_not_place(x: &[u32], y: &mut [u32]) {
    let mut local = 0u32;
    gpu::atomic_add(&mut local, 1);
    gpu::atomic_add(&mut x[0], 1);
    gpu::atomic_or(&y[0], 1);
    let tile = gpu::SharedArray::<u32, 32>::new();
    y[1] = gpu::load_nc(&tile[0]);
    y[0] = local;
}

fn main() {}
