use ptx_kernel::prelude::*;

#[ptx_kernel]
fn k(y: &mut [u32]) {
    let z: u32;
    unsafe { gpu::ptx_asm!("mov.u32 {0}, {x};", out(u32) z) };
    y[0] = z;
}

fn main() {}
