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
        Err(Error::InvalidLaunch { limit, requested: 512, max: 256 }) => {
            assert!(limit.contains("launch_bounds"), "{limit}")
        }
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

/// Block 0 publishes data then a flag with a release store; the other blocks spin on the flag with acquire loads
/// (bounded: a spin that can never end reports instead of hanging) and copy what they see.
#[ptx_kernel]
pub fn message_passing(data: &mut [u32], flag: &mut [u32], seen: &mut [u32], counter: &mut [u64]) {
    let b = gpu::block_idx_x() as usize;
    let t = gpu::thread_idx_x() as usize;
    if b == 0 {
        data[t] = t as u32 * 7 + 1;
        gpu::sync_threads();
        if t == 0 {
            gpu::store_release(&mut flag[0], 1);
        }
    } else {
        if t == 0 {
            let mut spins = 0u32;
            while gpu::load_acquire(&flag[0]) == 0 && spins < 50_000_000 {
                spins += 1;
            }
            if spins == 50_000_000 {
                seen[b * 64] = u32::MAX;
            }
        }
        gpu::sync_threads();
        if seen[b * 64] != u32::MAX {
            seen[b * 64 + t] = gpu::load_acquire_scoped(&data[t], gpu::Scope::Device);
        }
    }
    gpu::atomic_add_scoped(&mut counter[0], 1, gpu::Scope::Device);
    if t == 0 {
        gpu::atomic_max_ordered(&mut counter[1], b as u64, gpu::Ordering::AcqRel, gpu::Scope::System);
    }
}

#[test]
fn release_acquire_message_passing_and_scoped_atomics() {
    let dev = device();
    // A persistent grid: every block resident at once, so the spinning blocks cannot starve block 0.
    let cfg = message_passing::persistent_config(&dev, (64, 1, 1), 0).unwrap();
    let blocks = cfg.num_blocks() as usize;
    assert!(blocks >= 1);
    if dev.is_emulator() {
        assert_eq!(blocks as u32, dev.sm_count(), "the emulator runs one resident block per worker");
    }
    let blocks = blocks.min(64);
    let cfg = LaunchConfig { grid_dim: (blocks as u32, 1, 1), ..cfg };
    let mut data = dev.alloc_zeros::<u32>(64).unwrap();
    let mut flag = dev.alloc_zeros::<u32>(1).unwrap();
    let mut seen = dev.alloc_zeros::<u32>(64 * blocks).unwrap();
    let mut counter = dev.alloc_zeros::<u64>(2).unwrap();
    message_passing::launch(&dev, cfg, &mut data, &mut flag, &mut seen, &mut counter).unwrap();
    let seen = seen.download().unwrap();
    for b in 1..blocks {
        assert_ne!(seen[b * 64], u32::MAX, "block {b} never saw the flag");
        for t in 0..64 {
            assert_eq!(seen[b * 64 + t], t as u32 * 7 + 1, "block {b} thread {t} read stale data");
        }
    }
    assert_eq!(counter.download().unwrap(), vec![64 * blocks as u64, blocks as u64 - 1]);
}

#[ptx_kernel]
pub fn cas_counter(x: &mut [u32], tickets: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    // A CAS loop increment at block scope for slot 0 of each block, and a device-scope one for the global slot.
    let b = gpu::block_idx_x() as usize;
    let mut done = false;
    while !done {
        let cur = gpu::load_acquire_scoped(&x[0], gpu::Scope::Device);
        let old = gpu::atomic_cas_ordered(&mut x[0], cur, cur + 1, gpu::Ordering::AcqRel, gpu::Scope::Device);
        if old == cur {
            tickets[i] = old;
            done = true;
        }
    }
    gpu::atomic_add_scoped(&mut x[1 + b], 1, gpu::Scope::Block);
    gpu::atomic_or_scoped(&mut x[100], 1 << (i % 32), gpu::Scope::Device);
    gpu::atomic_exch_scoped(&mut x[101], 42, gpu::Scope::Block);
}

#[test]
fn compare_and_swap_tickets_are_unique() {
    let dev = device();
    let n = 8 * 64;
    let mut x = dev.alloc_zeros::<u32>(102).unwrap();
    let mut tickets = dev.alloc_zeros::<u32>(n).unwrap();
    let cfg = LaunchConfig { grid_dim: (8, 1, 1), block_dim: (64, 1, 1), shared_mem_bytes: 0 };
    cas_counter::launch(&dev, cfg, &mut x, &mut tickets).unwrap();
    let x = x.download().unwrap();
    assert_eq!(x[0], n as u32);
    assert!(x[1..9].iter().all(|&c| c == 64), "{:?}", &x[1..9]);
    assert_eq!(x[100], u32::MAX);
    assert_eq!(x[101], 42);
    let mut t = tickets.download().unwrap();
    t.sort_unstable();
    assert!(t.iter().enumerate().all(|(i, &v)| v == i as u32), "tickets are not a permutation");
}

#[ptx_kernel]
pub fn asm_kernel(x: &[u32], y: &mut [u32], f: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        let z: u32;
        unsafe { gpu::ptx_asm!("add.u32 {0}, {1}, {2};", out(u32) z, in(u32) x[i], in(u32) 7) };
        let mut acc = z;
        unsafe {
            gpu::ptx_asm!("mad.lo.u32 {1}, {1}, {0}, {1};", in(u32) 3, inout(u32) acc);
            gpu::ptx_asm!("{{ .reg .f32 t; cvt.rn.f32.u32 t, {1}; add.rn.f32 {0}, t, t; }}", out(f32) f[i], in(u32) acc);
        }
        y[i] = acc;
    }
}

#[test]
fn inline_ptx_runs() {
    let dev = device();
    let n = 1000;
    let x: Vec<u32> = (0..n as u32).map(|v| v.wrapping_mul(2654435761)).collect();
    let dx = dev.upload(&x).unwrap();
    let mut y = dev.alloc_zeros::<u32>(n).unwrap();
    let mut f = dev.alloc_zeros::<f32>(n).unwrap();
    // SAFETY: the inline PTX only computes registers; every access is within the buffers (guarded by `i < y.len()`).
    unsafe { asm_kernel::launch(&dev, LaunchConfig::for_num_elems(n as u32), &dx, &mut y, &mut f) }.unwrap();
    let (y, f) = (y.download().unwrap(), f.download().unwrap());
    for i in 0..n {
        let z = x[i].wrapping_add(7);
        let acc = z.wrapping_mul(3).wrapping_add(z);
        assert_eq!(y[i], acc, "element {i}");
        assert_eq!(f[i], acc as f32 + acc as f32, "element {i}");
    }
}

#[ptx_kernel(target = "sm_90")]
pub fn asm_unknown(y: &mut [u32]) {
    let v: u32;
    unsafe { gpu::ptx_asm!("bmsk.clamp.b32 {0}, {1}, {2};", out(u32) v, in(u32) 3, in(u32) 5) };
    y[0] = v;
}

#[test]
fn inline_ptx_the_emulator_cannot_run_is_named() {
    let dev = device();
    let mut y = dev.alloc_zeros::<u32>(1).unwrap();
    // SAFETY: the inline PTX only computes a register.
    let r = unsafe { asm_unknown::launch(&dev, LaunchConfig::for_num_elems(1), &mut y) };
    if dev.is_emulator() {
        let e = r.expect_err("the emulator's PTX reader does not know bmsk").to_string();
        assert!(e.contains("bmsk"), "the error should name the instruction: {e}");
        eprintln!("{e}");
    } else {
        r.unwrap();
        // bmsk.clamp(3, 5): 5 one bits starting at bit 3.
        assert_eq!(y.download().unwrap()[0], 0b1111_1000);
    }
}

#[ptx_kernel]
pub fn scoped_sub_shared(x: &mut [i32], y: &mut [u64]) {
    let tile = gpu::SharedArray::<i32, 1>::new();
    let t = gpu::thread_idx_x();
    if t == 0 {
        tile[0] = 1000;
    }
    gpu::sync_threads();
    gpu::atomic_sub_scoped(&mut tile[0], 3, gpu::Scope::Block);
    gpu::atomic_sub_ordered(&mut y[0], 2, gpu::Ordering::Release, gpu::Scope::Device);
    gpu::sync_threads();
    if t == 0 {
        x[0] = gpu::load_acquire_scoped(&tile[0], gpu::Scope::Block);
    }
}

#[test]
fn scoped_atomics_on_shared_memory_and_sub() {
    let dev = device();
    let mut x = dev.alloc_zeros::<i32>(1).unwrap();
    let mut y = dev.upload(&[10_000u64]).unwrap();
    let cfg = LaunchConfig { grid_dim: (3, 1, 1), block_dim: (128, 1, 1), shared_mem_bytes: 0 };
    scoped_sub_shared::launch(&dev, cfg, &mut x, &mut y).unwrap();
    assert_eq!(x.download().unwrap(), vec![1000 - 3 * 128]);
    assert_eq!(y.download().unwrap(), vec![10_000 - 2 * 3 * 128]);
    assert!(scoped_sub_shared::PTX.contains("atom.relaxed.cta.shared.add.s32"), "{}", scoped_sub_shared::PTX);
    assert!(scoped_sub_shared::PTX.contains("ld.acquire.cta.shared.s32"), "{}", scoped_sub_shared::PTX);
    ptx_gen::ptxas::check_or_skip(scoped_sub_shared::PTX, &["sm_90"]).unwrap();
}

/// Every kernel of this file assembles with ptxas (when it is available: `PTXAS` or PATH).
#[test]
fn seed_kernels_assemble() {
    for ptx in [
        bounded_fill::PTX,
        capped_fill::PTX,
        sm_ids::PTX,
        message_passing::PTX,
        cas_counter::PTX,
        asm_kernel::PTX,
        asm_unknown::PTX,
        scoped_sub_shared::PTX,
    ] {
        ptx_gen::ptxas::check_or_skip(ptx, &["sm_90"]).unwrap();
    }
}
