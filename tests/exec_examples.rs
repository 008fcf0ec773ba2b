//! Runs every example's kernel on `Device::from_env()` (the emulator here, the GPU with `PTX_KERNEL_DEVICE=cuda`)
//! against its CPU reference on random inputs, at sizes that keep the emulator fast.

// Each example is included whole, with the `mod common` it needs to build on its own.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../examples/bf16_gemv.rs"]
mod bf16_gemv_example;
#[allow(dead_code)]
#[path = "../examples/histogram.rs"]
mod histogram_example;
#[allow(dead_code)]
#[path = "../examples/reduce_sum.rs"]
mod reduce_sum_example;
#[allow(dead_code)]
#[path = "../examples/saxpy.rs"]
mod saxpy_example;
#[allow(dead_code)]
#[path = "../examples/scan.rs"]
mod scan_example;
#[allow(dead_code)]
#[path = "../examples/sgemm.rs"]
mod sgemm_example;
#[allow(dead_code)]
#[path = "../examples/softmax.rs"]
mod softmax_example;
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

#[test]
fn transpose_tiled_matches_cpu() {
    let dev = device();
    for (w, h) in [(1, 1), (33, 17), (100, 64), (257, 3), (64, 64)] {
        transpose_example::run_tiled(&dev, w, h).unwrap();
    }
}

#[test]
fn reduce_sum_matches_cpu() {
    let dev = device();
    for n in [1, 31, 1000, 70_001] {
        reduce_sum_example::run(&dev, n).unwrap();
    }
}

#[test]
fn histogram_matches_cpu() {
    let dev = device();
    for n in [1, 999, 100_000] {
        histogram_example::run(&dev, n).unwrap();
    }
}

#[test]
fn scan_matches_cpu() {
    let dev = device();
    for n in [1, 1000, 1024, 5000, 70_000] {
        scan_example::run(&dev, n).unwrap();
    }
}

#[test]
fn softmax_matches_cpu() {
    let dev = device();
    for (rows, cols) in [(1, 1), (3, 31), (17, 1000), (4, 2049)] {
        softmax_example::run(&dev, rows, cols).unwrap();
    }
}

#[test]
fn sgemm_matches_cpu() {
    let dev = device();
    for (m, n, k) in [(128, 128, 8), (256, 128, 40), (128, 256, 64)] {
        sgemm_example::run(&dev, m, n, k).unwrap();
    }
}

#[test]
fn example_kernels_assemble() {
    for (name, ptx) in [
        ("reduce_sum", reduce_sum_example::reduce_sum::PTX),
        ("histogram", histogram_example::histogram::PTX),
        ("scan_block", scan_example::scan_block::PTX),
        ("add_offsets", scan_example::add_offsets::PTX),
        ("softmax", softmax_example::softmax::PTX),
        ("sgemm", sgemm_example::sgemm::PTX),
        ("transpose_tiled", transpose_example::transpose_tiled::PTX),
        ("bf16_gemv", bf16_gemv_example::bf16_gemv::PTX),
    ] {
        if let Err(e) = ptx_gen::ptxas::check_or_skip(ptx, &["sm_80", "sm_90"]) {
            panic!("{name}: {e}");
        }
        if let Ok(dir) = std::env::var("PTX_KERNEL_DUMP_DIR") {
            std::fs::write(format!("{dir}/{name}.ptx"), ptx).unwrap();
        }
    }
}

#[test]
fn bf16_gemv_matches_cpu() {
    let dev = device();
    for (rows, cols) in [(1, 4), (9, 100), (40, 1028)] {
        bf16_gemv_example::run(&dev, rows, cols).unwrap();
    }
}
