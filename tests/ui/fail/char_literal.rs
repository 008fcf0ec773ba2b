use ptx_kernel::prelude::*;

#[ptx_kernel]
fn chars(y: &mut [u32]) {
    let c = 'a';
    y[0] = c as u32;
}

fn main() {}
