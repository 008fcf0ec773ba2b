use ptx_kernel::prelude::*;

#[ptx_kernel]
fn generic<T: Copy>(x: &[T], y: &mut [T]) {
    y[0] = x[0];
}

fn main() {}
