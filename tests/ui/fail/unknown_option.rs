use ptx_kernel::prelude::*;

#[ptx_kernel(fast_math = true)]
fn options(y: &mut [u32]) {
    y[0] = 1;
}

fn main() {}
