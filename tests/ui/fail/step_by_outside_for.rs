use ptx_kernel::prelude::*;

#[ptx_kernel]
fn steps(y: &mut [u32]) {
    let n = (0..10u32).step_by(2).count();
    y[0] = n as u32;
}

fn main() {}
