use ptx_kernel::prelude::*;

#[ptx_kernel]
fn k(y: &mut [u32], a: u32) {
    let z: u32;
    gpu::ptx_asm!("add.u32 {0}, {1}, 1;", out(u32) z, in(u32) a);
    y[0] = z;
}

fn main() {}
