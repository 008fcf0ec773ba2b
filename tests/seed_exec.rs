//! The seed's controls on `Device::from_env()` (the emulator here, the GPU with `PTX_KERNEL_DEVICE=cuda`): launch
//! bounds enforced by the runtime, SM identity and timers, acquire/release and scoped atomics, persistent launches,
//! named barriers and inline PTX.

use ptx_kernel::prelude::*;

fn device() -> Device {
    Device::from_env().expect("a device (the emulator is always there)")
}

#[ptx_kernel(launch_bounds(max_threads = 256, min_blocks = 2))]
pub fn bounded_fill(y: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = i as u32 * 3;
    }
}

#[ptx_kernel(max_registers = 32)]
pub fn capped_fill(y: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = i as u32 + 7;
    }
}

#[test]
fn launch_bounds_are_enforced_before_the_driver() {
    let dev = device();
    assert_eq!(bounded_fill::module().launch_bound(), Some(256));
    assert_eq!(capped_fill::module().launch_bound(), None);
    let mut y = dev.alloc_zeros::<u32>(1024).unwrap();
    // Within the bound: runs.
    bounded_fill::launch(&dev, LaunchConfig::for_num_elems(1024), &mut y).unwrap();
    assert!(y.download().unwrap().iter().enumerate().all(|(i, &v)| v == i as u32 * 3));
    // Above it: a typed error naming the limit, whatever the backend.
    let cfg = LaunchConfig { grid_dim: (2, 1, 1), block_dim: (512, 1, 1), shared_mem_bytes: 0 };
    match bounded_fill::launch(&dev, cfg, &mut y) {
        Err(Error::InvalidLaunch { limit, requested: 512, max: 256 }) => assert!(limit.contains("launch_bounds"), "{limit}"),
        other => panic!("expected InvalidLaunch, got {other:?}"),
    }
    assert!(bounded_fill::module().max_threads_per_block(&dev).unwrap() <= 256);
    // 2-D blocks count all their threads.
    let cfg = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (32, 16, 1), shared_mem_bytes: 0 };
    assert!(matches!(bounded_fill::launch(&dev, cfg, &mut y), Err(Error::InvalidLaunch { .. })));
    capped_fill::launch(&dev, LaunchConfig::for_num_elems(1024), &mut y).unwrap();
    assert!(y.download().unwrap().iter().enumerate().all(|(i, &v)| v == i as u32 + 7));
}
