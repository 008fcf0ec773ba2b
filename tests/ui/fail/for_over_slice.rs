use ptx_kernel::prelude::*;

#[ptx_kernel]
fn iterate(x: &[f32], y: &mut [f32]) {
    let mut s = 0.0;
    for v in x {
        s += *v;
    }
    for (i, v) in x.iter().enumerate() {
        y[i] = *v;
    }
    y[0] = s;
}

fn main() {}
