use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

// Type-checks the launcher's signature without running it.
#[allow(dead_code)]
fn launch_it(dev: &Device, x: &DeviceBuffer<f32>, y: &mut DeviceBuffer<f32>) -> ptx_kernel::Result<()> {
    saxpy::launch(dev, LaunchConfig::for_num_elems(y.len() as u32), 2.0, x, y)
}

fn main() {
    assert_eq!(saxpy::ENTRY, "saxpy");
    assert_eq!(saxpy::TARGET, "sm_52");
    assert!(saxpy::PTX.contains(".visible .entry saxpy("));
    assert!(saxpy::PTX.contains("mul.rn.f32"));
}
