use ptx_kernel::prelude::*;

#[ptx_kernel(target = "sm_30")]
fn old(y: &mut [u32]) {
    y[0] = 1;
}

#[ptx_kernel(target = "volta")]
fn named(y: &mut [u32]) {
    y[0] = 1;
}

fn main() {}
