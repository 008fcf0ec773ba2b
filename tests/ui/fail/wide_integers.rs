use ptx_kernel::prelude::*;

#[ptx_kernel]
fn wide(y: &mut [u64]) {
    let big = 1u128 << 100;
    let c: u128 = 5;
    y[0] = (big >> 64) as u64 + c as u64;
}

fn main() {}
