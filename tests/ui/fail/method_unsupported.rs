use ptx_kernel::prelude::*;

#[ptx_kernel]
fn methods(x: &[f32], y: &mut [f32]) {
    let total: f32 = x.iter().sum();
    y[0] = total.sin() + y[0].powi(2);
}

fn main() {}
