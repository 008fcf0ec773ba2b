use ptx_kernel::prelude::*;

#[ptx_kernel]
async fn later(y: &mut [u32]) {
    y[0] = 1;
}

fn main() {}
