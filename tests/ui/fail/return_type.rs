use ptx_kernel::prelude::*;

#[ptx_kernel]
fn returns(x: &[f32]) -> f32 {
    x[0]
}

fn main() {}
