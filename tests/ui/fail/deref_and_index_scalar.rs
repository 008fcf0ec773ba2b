use ptx_kernel::prelude::*;

#[ptx_kernel]
fn deref(n: u32, y: &mut [u32]) {
    y[0] = n[0];
}

fn main() {}
