use ptx_kernel::prelude::*;

// Rejected: `go` is assigned under a thread-dependent condition, so it is thread-varying. (Accepted twin: the same
// with `gpu::block_idx_x() == 0`.)
#[ptx_kernel]
pub fn flag(x: &mut [u32]) {
    let mut go = false;
    if gpu::thread_idx_x() == 0 {
        go = true;
    }
    if go {
        gpu::sync_threads();
    }
    if x.len() > 0 {
        x[0] = 1;
    }
}

fn main() {}
