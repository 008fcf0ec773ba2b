use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn broken(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    y[i] = match i {
        0 => a,
        _ => x[i],
    };
}

// Only the `match` is reported: the launcher and the constants still exist with their real types.
#[allow(dead_code)]
fn caller(dev: &Device, x: &DeviceBuffer<f32>, y: &mut DeviceBuffer<f32>) -> ptx_kernel::Result<()> {
    let _: &str = broken::PTX;
    broken::launch(dev, LaunchConfig::for_num_elems(4), 1.0, x, y)
}

fn main() {}
