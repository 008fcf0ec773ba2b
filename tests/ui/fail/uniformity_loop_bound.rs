use ptx_kernel::prelude::*;

// Rejected: the trip count depends on the thread index. (Accepted twin: `for _ in 0..n`.)
#[ptx_kernel]
pub fn loop_bound(x: &mut [u32]) {
    let t = gpu::thread_idx_x();
    for _ in 0..t {
        gpu::sync_threads();
    }
    if (t as usize) < x.len() {
        x[t as usize] = t;
    }
}

fn main() {}
