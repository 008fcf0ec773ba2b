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

#[ptx_kernel]
pub fn sm_ids(s: &mut [u32], t: &mut [u64]) {
    let b = gpu::block_idx_x() as usize;
    let start = gpu::global_timer();
    let c0 = gpu::clock64();
    if gpu::thread_idx_x() == 0 {
        s[2 * b] = gpu::smid();
        s[2 * b + 1] = gpu::nsmid();
        let mut spin = 0u32;
        while spin < 1000 {
            spin += 1;
        }
        t[3 * b] = start;
        t[3 * b + 1] = gpu::global_timer();
        t[3 * b + 2] = gpu::clock64() - c0;
    }
}

#[test]
fn sm_identity_and_time() {
    let dev = device();
    let blocks = 64usize;
    let mut s = dev.alloc_zeros::<u32>(2 * blocks).unwrap();
    let mut t = dev.alloc_zeros::<u64>(3 * blocks).unwrap();
    let cfg = LaunchConfig { grid_dim: (blocks as u32, 1, 1), block_dim: (64, 1, 1), shared_mem_bytes: 0 };
    sm_ids::launch(&dev, cfg, &mut s, &mut t).unwrap();
    let s = s.download().unwrap();
    let t = t.download().unwrap();
    let nsm = s[1];
    assert!(nsm >= 1);
    if dev.is_emulator() {
        assert_eq!(nsm, dev.sm_count());
    } else {
        assert!(nsm >= dev.sm_count(), "%nsmid {nsm} < SM count {}", dev.sm_count());
    }
    for b in 0..blocks {
        assert_eq!(s[2 * b + 1], nsm);
        assert!(s[2 * b] < nsm, "block {b}: smid {} >= nsmid {nsm}", s[2 * b]);
        if dev.is_emulator() {
            // The documented mapping: block linear index modulo the number of emulated SMs.
            assert_eq!(s[2 * b], b as u32 % nsm);
        }
        assert!(t[3 * b + 1] >= t[3 * b], "block {b}: the global timer went backwards");
        assert!(t[3 * b + 2] > 0, "block {b}: clock64 did not advance over a loop");
    }
}
