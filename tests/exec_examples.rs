//! Runs every example's kernel on `Device::from_env()` (the emulator here, the GPU with `PTX_KERNEL_DEVICE=cuda`)
//! against its CPU reference on random inputs, at sizes that keep the emulator fast.

#[allow(dead_code)]
#[path = "../examples/saxpy.rs"]
mod saxpy_example;
#[allow(dead_code)]
#[path = "../examples/transpose.rs"]
mod transpose_example;
#[allow(dead_code)]
#[path = "../examples/vector_add.rs"]
mod vector_add_example;

use ptx_kernel::Device;

fn device() -> Device {
    Device::from_env().expect("a device (the emulator is always there)")
}

#[test]
fn saxpy_matches_cpu() {
    let dev = device();
    // Odd sizes exercise the bounds guard of the last block.
    for n in [1, 255, 257, 10_007] {
        saxpy_example::run(&dev, n).unwrap();
    }
}

#[test]
fn vector_add_matches_cpu() {
    let dev = device();
    for n in [3, 1000, 65_537] {
        vector_add_example::run(&dev, n).unwrap();
    }
}

#[test]
fn transpose_matches_cpu() {
    let dev = device();
    for (w, h) in [(1, 1), (33, 17), (100, 64), (257, 3)] {
        transpose_example::run(&dev, w, h).unwrap();
    }
}
