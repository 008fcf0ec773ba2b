use ptx_kernel::prelude::*;

use ptx_kernel::gpu::thread_idx_x;

#[ptx_kernel]
fn bare(y: &mut [u32]) {
    let i = thread_idx_x() as usize;
    y[i] = 1;
}

fn main() {}
