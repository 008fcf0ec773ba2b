use ptx_kernel::prelude::*;

#[ptx_kernel]
struct NotAKernel {
    x: f32,
}

fn main() {}
