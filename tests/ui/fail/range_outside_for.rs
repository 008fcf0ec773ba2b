use ptx_kernel::prelude::*;

#[ptx_kernel]
fn ranges(y: &mut [u32]) {
    let r = 0..10u32;
    let _ = r;
    y[1..3][0] = 1;
}

fn main() {}
