use ptx_kernel::prelude::*;

#[ptx_kernel(launch_bounds(max_threads = 2048, min_blocks = 2))]
fn too_many(y: &mut [u32]) {
    y[0] = 1;
}

#[ptx_kernel(launch_bounds(min_blocks = 2), max_registers = 0)]
fn no_threads(y: &mut [u32]) {
    y[0] = 1;
}

fn main() {}
