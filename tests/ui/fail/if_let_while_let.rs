use ptx_kernel::prelude::*;

#[ptx_kernel]
fn lets(x: &[u32], y: &mut [u32]) {
    let opt = Some(x[0]);
    if let Some(v) = opt {
        y[0] = v;
    }
    while let Some(_) = opt {}
}

fn main() {}
