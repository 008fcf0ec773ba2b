use ptx_kernel::prelude::*;

#[ptx_kernel]
fn größe(y: &mut [u32]) {
    y[0] = 1;
}

fn main() {}
