use ptx_kernel::prelude::*;

#[ptx_kernel]
fn refs(y: &mut [u32]) {
    let a = 5u32;
    let r = &a;
    y[0] = *r;
}

fn main() {}
