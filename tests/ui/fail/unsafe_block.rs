use ptx_kernel::prelude::*;

// A kernel with `unsafe` (unchecked access) gets an `unsafe fn launch`: calling it needs `unsafe`.
#[ptx_kernel]
fn unsafe_block(y: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    unsafe {
        *y.get_unchecked_mut(i) = 1;
    }
}

#[allow(dead_code)]
fn run(dev: &Device, y: &mut DeviceBuffer<u32>) -> ptx_kernel::Result<()> {
    unsafe_block::launch(dev, LaunchConfig::for_num_elems(y.len() as u32), y)
}

fn main() {}
