use ptx_kernel::prelude::*;

#[ptx_kernel]
fn tuples(x: &[f32], y: &mut [f32]) {
    let (a, b) = (x[0], x[1]);
    y[0] = a + b;
}

fn main() {}
