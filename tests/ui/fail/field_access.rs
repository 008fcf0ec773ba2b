use ptx_kernel::prelude::*;

#[ptx_kernel]
fn fields(x: &[f32], y: &mut [f32]) {
    let p = (x[0], x[1]);
    y[0] = p.0;
}

fn main() {}
