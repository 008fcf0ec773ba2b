use ptx_kernel::prelude::*;

// Rejected: a warp reduction under a condition on the lane index: lanes 16..32 never arrive. (Accepted twin: under
// `gpu::warp_id() == 0`, which is the same in every lane of a warp.)
#[ptx_kernel]
pub fn lane_reduce(x: &[f32], out: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    let mut v = 0.0f32;
    if i < x.len() {
        v = x[i];
    }
    if gpu::lane_id() < 16 {
        v = gpu::warp_sum(v);
    }
    if i < out.len() {
        out[i] = v;
    }
}

fn main() {}
