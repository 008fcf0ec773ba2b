use ptx_kernel::prelude::*;

#[ptx_kernel]
unsafe fn danger(y: &mut [u32]) {
    y[0] = 1;
}

fn main() {}
