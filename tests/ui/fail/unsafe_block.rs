use ptx_kernel::prelude::*;

#[ptx_kernel]
fn unsafe_block(y: &mut [u32]) {
    unsafe {
        y[0] = 1;
    }
}

fn main() {}
