use ptx_kernel::prelude::*;

// Rejected: a `break` on loaded data leaves some threads out of later iterations' barriers. (Accepted twin: a
// `break` on a parameter.)
#[ptx_kernel]
pub fn data_break(x: &[u32], n: u32) {
    let mut k = 0u32;
    while k < n {
        if x[k as usize] == 0 {
            break;
        }
        gpu::sync_threads();
        k += 1;
    }
}

fn main() {}
