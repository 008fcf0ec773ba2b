//! Every generated kernel on `Device::from_env()` (the emulator here, the GPU with `PTX_KERNEL_DEVICE=cuda`)
//! against its host copy compiled by rustc: no value or panic may differ.
//!
//! `DIFFTEST_THREADS` sets the threads per kernel (default 4096 on a GPU, 256 on the emulator, to keep CI fast);
//! the kernels are chosen at build time (`DIFFTEST_KERNELS`, `DIFFTEST_SEED`; see the crate's documentation).

use ptx_kernel::prelude::*;
use ptx_kernel_difftest::{run, selected};

#[test]
fn kernels_agree_with_rustc() {
    let dev = Device::from_env().expect("a device");
    let default_threads = if dev.is_emulator() { 256 } else { 4096 };
    let n = std::env::var("DIFFTEST_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(default_threads);
    let show = std::env::var("DIFFTEST_SHOW").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let cases = selected();
    assert!(!cases.is_empty(), "DIFFTEST_ONLY selects no kernel");
    let report = run(&dev, &cases, n).expect("the device failed");
    println!("{}", report.render(&dev, show));
    assert!(report.mismatching_kernels.is_empty(), "{} kernels disagree with rustc", report.mismatching_kernels.len());
}

/// The host copies really are compiled without overflow checks (else they would panic where kernels wrap).
#[test]
fn host_copies_wrap() {
    let x = std::hint::black_box(i32::MAX);
    assert_eq!(ptx_kernel_difftest::wrapping_probe(x), i32::MIN);
}
