use ptx_kernel::prelude::*;

// Rejected: threads past the end return before the barrier. (Accepted twin: `if n == 0 { return; }`.)
#[ptx_kernel]
pub fn early_return(x: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i >= x.len() {
        return;
    }
    x[i] = 2.0;
    gpu::sync_threads();
}

fn main() {}
