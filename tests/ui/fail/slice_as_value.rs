use ptx_kernel::prelude::*;

#[ptx_kernel]
fn alias(x: &[f32], y: &mut [f32]) {
    let z = x;
    y[0] = z[0];
}

fn main() {}
