//! Runs the seed's examples (SM partitioning, warp-specialised pipeline) on `Device::from_env()` (the emulator here,
//! the GPU with `PTX_KERNEL_DEVICE=cuda`) against their CPU references.

// Each example is included whole, with the `mod common` it needs to build on its own.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../examples/sm_partition.rs"]
mod sm_partition_example;

#[allow(dead_code)]
#[path = "../examples/warp_specialized.rs"]
mod warp_specialized_example;

use ptx_kernel::Device;

fn device() -> Device {
    Device::from_env().expect("a device (the emulator is always there)")
}

#[test]
fn sm_partition_matches_cpu() {
    let dev = device();
    if dev.sm_count() < 2 {
        eprintln!(
            "skipped: the persistent grid needs 2 resident blocks and this emulator has {} worker",
            dev.sm_count()
        );
        return;
    }
    let (tiles, iters) = if dev.is_emulator() { (12, 16) } else { (4096, 256) };
    for comm in [1, 20] {
        let r = sm_partition_example::run(&dev, tiles, comm, iters).unwrap();
        assert_eq!(r.comm.blocks + r.compute.blocks, r.grid as usize);
        assert!(r.comm.blocks >= 1 && r.compute.blocks >= 1);
        assert!(r.comm.sms >= 1 && r.compute.sms >= 1);
        // One resident block per SM (by shared memory on a GPU, by construction on the emulator): every block has
        // an SM of its own, so the roles' SMs are disjoint and as many as their blocks.
        assert_eq!((r.comm.sms, r.compute.sms), (r.comm.blocks, r.compute.blocks), "{r:?}");
        eprintln!("{r:?}");
    }
}

/// A consumer whose producer never comes (every block a communication block) stops at its timeout and says so:
/// the spin is bounded, never a hang.
#[test]
fn sm_partition_spin_is_bounded() {
    use sm_partition_example::{sm_partition, TILE};
    let dev = device();
    let tiles = 4;
    let cfg = ptx_kernel::LaunchConfig { grid_dim: (2, 1, 1), block_dim: (TILE as u32, 1, 1), shared_mem_bytes: 0 };
    let input = dev.alloc_zeros::<f32>(tiles * TILE).unwrap();
    let mut work = dev.alloc_zeros::<f32>(tiles * TILE).unwrap();
    let mut flags = dev.alloc_zeros::<u32>(tiles).unwrap();
    let mut q = dev.alloc_zeros::<i8>(tiles * TILE).unwrap();
    let mut scales = dev.alloc_zeros::<f32>(tiles * TILE / 32).unwrap();
    let mut sm = dev.alloc_zeros::<u32>(2).unwrap();
    let mut times = dev.alloc_zeros::<u64>(4).unwrap();
    let mut timeouts = dev.alloc_zeros::<u32>(2).unwrap();
    let timeout_ns = 2_000_000; // 2 ms
    sm_partition::launch(
        &dev, cfg, 2, 1, timeout_ns, &input, &mut work, &mut flags, &mut q, &mut scales, &mut sm, &mut times,
        &mut timeouts,
    )
    .unwrap();
    assert_eq!(timeouts.download().unwrap(), vec![1, 1], "both consumers must report the timeout");
    let t = times.download().unwrap();
    assert!(t[1] - t[0] >= timeout_ns && t[3] - t[2] >= timeout_ns);
}

#[test]
fn warp_specialized_matches_cpu() {
    let dev = device();
    // Tile counts below, at and above the block count; a ragged last tile; one block doing every tile.
    for (n, blocks) in [(1, 1), (96, 3), (1000, 4), (5000, 1), (20_000, 16)] {
        warp_specialized_example::run(&dev, n, blocks).unwrap();
    }
}

/// The examples' PTX assembles with ptxas (when it is available: `PTXAS` or PATH).
#[test]
fn seed_examples_assemble() {
    for ptx in [sm_partition_example::sm_partition::PTX, warp_specialized_example::warp_specialized::PTX] {
        ptx_gen::ptxas::check_or_skip(ptx, &["sm_90"]).unwrap();
    }
}
