use ptx_kernel::prelude::*;

#[ptx_kernel]
fn shuffle_bad_type(x: &[u16], y: &mut [u16], p: &mut [bool]) {
    let i = gpu::thread_idx_x() as usize;
    y[i] = gpu::shfl_sync(0xFFFF_FFFF, x[i], 0);
    p[i] = gpu::warp_max(p[i]);
}

fn main() {}
