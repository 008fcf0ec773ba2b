use ptx_kernel::prelude::*;

#[ptx_kernel]
fn named(name: String, out: &mut [u8]) {
    out[0] = 1;
}

fn main() {}
