use ptx_kernel::prelude::*;

#[ptx_kernel]
fn path_calls(x: &[u32], y: &mut [f64]) {
    y[0] = u32::abs(x[0]) as f64;
    y[1] = i64::floor(4) as f64;
    y[2] = f64::max(y[3]);
    y[4] = f64::cube(y[5]);
}

fn main() {}
