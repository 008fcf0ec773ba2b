use ptx_kernel::prelude::*;

#[ptx_kernel(instances(f32))]
pub fn axpy<T: gpu::Float>(a: T, x: &[T], y: &mut [T]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[ptx_kernel(instances(N = 64))]
pub fn fill<const N: usize>(y: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = N as u32;
    }
}

fn main() {
    let dev = Device::emulator();
    let x = dev.upload(&[1.0f64]).unwrap();
    let mut y = dev.upload(&[2.0f64]).unwrap();
    let _ = axpy::launch(&dev, LaunchConfig::for_num_elems(1), 2.0f64, &x, &mut y);
    let mut z = dev.alloc_zeros::<u32>(4).unwrap();
    let _ = fill::launch::<32>(&dev, LaunchConfig::for_num_elems(4), &mut z);
}
