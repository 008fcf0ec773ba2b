use ptx_kernel::prelude::*;

// Rejected (conservatively): loaded data is thread-varying even when every thread loads the same element.
// (Accepted twin: a condition on `x.len()`.)
#[ptx_kernel]
pub fn loaded(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if x[0] > 0.0 {
        gpu::sync_threads();
    }
    if i < y.len() {
        y[i] = 0.0;
    }
}

fn main() {}
