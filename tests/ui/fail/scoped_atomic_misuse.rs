use ptx_kernel::prelude::*;

#[ptx_kernel]
fn k(x: &mut [u32], b: &mut [u8]) {
    gpu::atomic_add_scoped(&mut x[0], 1, 3);
    gpu::store_release(&x[1], 1);
    gpu::atomic_add_scoped(&mut b[0], 1, gpu::Scope::Block);
}

fn main() {}
