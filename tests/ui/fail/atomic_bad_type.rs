use ptx_kernel::prelude::*;

#[ptx_kernel]
fn atomic_bad_type(f: &mut [f32], b: &mut [u16]) {
    gpu::atomic_min(&mut f[0], 1.0);
    gpu::atomic_add(&mut b[0], 1);
}

fn main() {}
