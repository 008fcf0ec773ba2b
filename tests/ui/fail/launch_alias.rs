use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() && i < x.len() {
        y[i] = a * x[i] + y[i];
    }
}

// A `&mut DeviceBuffer` argument cannot alias another argument: the borrow checker rejects it at the call.
#[allow(dead_code)]
fn run(dev: &Device, y: &mut DeviceBuffer<f32>) -> ptx_kernel::Result<()> {
    saxpy::launch(dev, LaunchConfig::for_num_elems(y.len() as u32), 2.0, y, y)
}

fn main() {}
