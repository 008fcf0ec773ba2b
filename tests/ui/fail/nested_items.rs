use ptx_kernel::prelude::*;

#[ptx_kernel]
fn nested(y: &mut [f32]) {
    const HALF: f32 = 0.5;
    fn twice(v: f32) -> f32 {
        v * 2.0
    }
    y[0] = twice(HALF);
}

fn main() {}
