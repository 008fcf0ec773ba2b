use ptx_kernel::prelude::*;

#[ptx_kernel]
fn heap(out: &mut [f32]) {
    let v: Vec<f32> = Vec::new();
    let b = Box::new(1.0f32);
    let _ = (v, b);
    out[0] = 0.0;
}

fn main() {}
