use ptx_kernel::prelude::*;

// Rejected: only threads 0..16 reach the barrier. (Accepted twin: `if gpu::block_idx_x() < n` in
// tests/ui/pass/safety.rs.)
#[ptx_kernel]
pub fn thread_if(x: &mut [f32], n: u32) {
    let i = gpu::global_idx_x() as usize;
    if gpu::thread_idx_x() < 16 {
        gpu::sync_threads();
    }
    if i < x.len() && n > 0 {
        x[i] = 1.0;
    }
}

fn main() {}
