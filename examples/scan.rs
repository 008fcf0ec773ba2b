//! Inclusive prefix sum of u32 (wrapping): `scan_block` scans each block's 1024 elements (warp scans with
//! `gpu::shfl_up_sync`, the warps' totals scanned through shared memory) and writes the block's total; the totals
//! are scanned by the same kernel in one block, and `add_offsets` adds each block's offset. Checked exactly against
//! the CPU. Handles up to 1024 × 1024 elements.

mod common;

use ptx_kernel::prelude::*;

/// Elements (threads) per block.
pub const BLOCK: u32 = 1024;

#[ptx_kernel]
pub fn scan_block(x: &[u32], y: &mut [u32], totals: &mut [u32]) {
    let warp_totals = gpu::SharedArray::<u32, 32>::new();
    let i = gpu::global_idx_x() as usize;
    let lane = gpu::lane_id();
    let warp = gpu::warp_id() as usize;
    let mut v = if i < x.len() { x[i] } else { 0 };
    let mut d = 1u32;
    while d < 32 {
        let o = gpu::shfl_up_sync(0xFFFF_FFFF, v, d);
        if lane >= d {
            v += o;
        }
        d *= 2;
    }
    if lane == 31 {
        warp_totals[warp] = v;
    }
    gpu::sync_threads();
    if warp == 0 {
        let nwarps = gpu::block_dim_x() / 32;
        let mut t = if lane < nwarps { warp_totals[lane as usize] } else { 0 };
        let mut d = 1u32;
        while d < 32 {
            let o = gpu::shfl_up_sync(0xFFFF_FFFF, t, d);
            if lane >= d {
                t += o;
            }
            d *= 2;
        }
        warp_totals[lane as usize] = t;
    }
    gpu::sync_threads();
    if warp > 0 {
        v += warp_totals[warp - 1];
    }
    if i < y.len() {
        y[i] = v;
    }
    if gpu::thread_idx_x() == gpu::block_dim_x() - 1 {
        totals[gpu::block_idx_x() as usize] = v;
    }
}

#[ptx_kernel]
pub fn add_offsets(y: &mut [u32], scanned_totals: &[u32]) {
    let b = gpu::block_idx_x() as usize;
    let i = gpu::global_idx_x() as usize;
    if b > 0 && i < y.len() {
        y[i] += scanned_totals[b - 1];
    }
}

pub struct Report {
    pub n: usize,
    pub seconds: f64,
    pub gbps: f64,
}

/// Scans `n` random values (`n <= 1024 * 1024`).
pub fn run(dev: &Device, n: usize) -> std::result::Result<Report, String> {
    let e = |e: ptx_kernel::Error| e.to_string();
    if n == 0 || n > (BLOCK * BLOCK) as usize {
        return Err(format!("scan: n = {n} is outside 1..={}", BLOCK * BLOCK));
    }
    let mut rng = common::Rng::new(0x5CA7);
    let x: Vec<u32> = (0..n).map(|_| rng.next_u64() as u32).collect();
    let blocks = (n as u32).div_ceil(BLOCK);
    let dx = dev.upload(&x).map_err(e)?;
    let dy = dev.alloc_zeros::<u32>(n).map_err(e)?;
    let totals = dev.alloc_zeros::<u32>(blocks as usize).map_err(e)?;
    let scanned = dev.alloc_zeros::<u32>(blocks as usize).map_err(e)?;
    let unused = dev.alloc_zeros::<u32>(1).map_err(e)?;
    let cfg = LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (BLOCK, 1, 1), shared_mem_bytes: 0 };
    let one = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (BLOCK, 1, 1), shared_mem_bytes: 0 };
    let mut bufs = (dy, totals, scanned, unused);
    let launch = |b: &mut (DeviceBuffer<u32>, DeviceBuffer<u32>, DeviceBuffer<u32>, DeviceBuffer<u32>)| {
        scan_block::launch(dev, cfg, &dx, &mut b.0, &mut b.1)?;
        if blocks > 1 {
            scan_block::launch(dev, one, &b.1, &mut b.2, &mut b.3)?;
            add_offsets::launch(dev, cfg, &mut b.0, &b.2)?;
        }
        ptx_kernel::Result::Ok(())
    };
    launch(&mut bufs).map_err(e)?;
    let dy = &bufs.0;
    let got = dy.download().map_err(e)?;
    let mut acc = 0u32;
    for i in 0..n {
        acc = acc.wrapping_add(x[i]);
        if got[i] != acc {
            return Err(format!("scan: element {i}: got {} want {acc}", got[i]));
        }
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(reps, || launch(&mut bufs), || dev.synchronize()).map_err(e)?;
    let seconds = t.as_secs_f64();
    Ok(Report { n, seconds, gbps: (8 * n) as f64 / seconds / 1e9 })
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("scan: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let n = if dev.is_emulator() { 1 << 18 } else { 1 << 20 };
    match run(&dev, n) {
        Ok(r) => println!("scan OK: {} elements; {:.3} ms per scan, {:.1} GB/s", r.n, r.seconds * 1e3, r.gbps),
        Err(e) => {
            eprintln!("scan FAILED: {e}");
            std::process::exit(1);
        }
    }
}
