//! Warp specialisation with named barriers: in each block of 128 threads, warp 0 is a **producer** that loads tiles
//! of `x` into a double-buffered shared-memory ring, and warps 1–3 are **consumers** that compute
//! `y = x·x·0.5 + x` from the ring. They hand buffers over with named barriers (`bar.arrive` / `bar.sync` with a
//! thread count), not with `sync_threads()`, so the producer runs ahead while the consumers work:
//!
//! | barrier | producer (32 threads) | consumers (96 threads) |
//! |---|---|---|
//! | `FULL[b]` = 1 + b  | `barrier_arrive` after filling buffer b | `barrier_sync` before reading it |
//! | `EMPTY[b]` = 3 + b | `barrier_sync` before refilling buffer b | `barrier_arrive` after reading it |
//!
//! Each barrier completes when all 128 threads of the block have arrived (32 + 96). At the end the producer waits
//! for the last two `EMPTY` arrivals so that no barrier is left half-arrived.
//!
//! ```text
//! cargo run --release --example warp_specialized
//! ```

mod common;

use ptx_kernel::prelude::*;

/// Elements per tile: one per consumer thread.
pub const TILE: usize = 96;
/// Threads per block: one producer warp and three consumer warps.
pub const THREADS: u32 = 128;

#[ptx_kernel(launch_bounds(max_threads = 128))]
// The kernel subset has no `div_ceil`/`saturating_sub` methods yet.
#[allow(clippy::manual_div_ceil, clippy::implicit_saturating_sub)]
pub fn warp_specialized(x: &[f32], y: &mut [f32]) {
    let ring = gpu::SharedArray::<f32, 192>::new(); // 2 buffers of TILE
    let t = gpu::thread_idx_x() as usize;
    let warp = t / 32;
    let n = y.len();
    let tiles = (n + 95) / 96;
    let grid = gpu::grid_dim_x() as usize;
    let first = gpu::block_idx_x() as usize;
    // Tiles of this block: first, first + grid, …; `m` of them.
    let m = if first < tiles { (tiles - first + grid - 1) / grid } else { 0 };
    if warp == 0 {
        let lane = t;
        for j in 0..m {
            let buf = j % 2;
            if j >= 2 {
                gpu::barrier_sync(3 + buf as u32, 128); // EMPTY[buf]: the consumers are done with it
            }
            let base = (first + j * grid) * 96;
            for r in 0..3 {
                let k = r * 32 + lane;
                let e = base + k;
                ring[buf * 96 + k] = if e < n { x[e] } else { 0.0 };
            }
            gpu::barrier_arrive(1 + buf as u32, 128); // FULL[buf]
        }
        // Match the consumers' last EMPTY arrivals.
        let tail = if m >= 2 { m - 2 } else { 0 };
        for j in tail..m {
            gpu::barrier_sync(3 + (j % 2) as u32, 128);
        }
    } else {
        let c = t - 32;
        for j in 0..m {
            let buf = j % 2;
            gpu::barrier_sync(1 + buf as u32, 128); // FULL[buf]
            let v = ring[buf * 96 + c];
            gpu::barrier_arrive(3 + buf as u32, 128); // EMPTY[buf]: read, the producer may refill it
            let e = (first + j * grid) * 96 + c;
            if e < n {
                y[e] = v * v * 0.5 + v;
            }
        }
    }
}

/// What one run measured.
#[derive(Clone, Debug)]
pub struct Report {
    pub n: usize,
    pub blocks: u32,
    pub seconds: f64,
}

/// Runs the pipeline over `n` random values on `blocks` blocks (each handles every `blocks`-th tile) and checks
/// every output against the CPU.
pub fn run(dev: &Device, n: usize, blocks: u32) -> std::result::Result<Report, String> {
    let s = |e: Error| e.to_string();
    let mut rng = common::Rng::new(0xBA_77);
    let x: Vec<f32> = rng.f32_vec(n).into_iter().map(|v| 8.0 * v - 4.0).collect();
    let dx = dev.upload(&x).map_err(s)?;
    let mut dy = dev.alloc_zeros::<f32>(n).map_err(s)?;
    let cfg = LaunchConfig { grid_dim: (blocks.max(1), 1, 1), block_dim: (THREADS, 1, 1), shared_mem_bytes: 0 };
    warp_specialized::launch(dev, cfg, &dx, &mut dy).map_err(s)?;
    let got = dy.download().map_err(s)?;
    for (i, (&v, &g)) in x.iter().zip(&got).enumerate() {
        let want = v * v * 0.5 + v;
        if g.to_bits() != want.to_bits() {
            return Err(format!("element {i}: got {g} want {want} (x = {v})"));
        }
    }
    let reps = if dev.is_emulator() { 1 } else { 20 };
    let t = common::median_time(reps, || warp_specialized::launch(dev, cfg, &dx, &mut dy), || dev.synchronize())
        .map_err(s)?;
    Ok(Report { n, blocks: cfg.grid_dim.0, seconds: t.as_secs_f64() })
}

fn main() {
    let dev = match Device::from_env() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("warp_specialized: no device: {e}");
            std::process::exit(1);
        }
    };
    println!("device: {}", common::describe(&dev));
    let (n, blocks) = if dev.is_emulator() { (100_000, 8) } else { (1 << 24, dev.sm_count() * 8) };
    match run(&dev, n, blocks) {
        Ok(r) => println!(
            "warp_specialized OK: {} values through a 1-producer/3-consumer-warp pipeline on {} blocks, checked \
             against the CPU; {:.3} ms, {:.1} GB/s",
            r.n,
            r.blocks,
            r.seconds * 1e3,
            (8 * r.n) as f64 / r.seconds / 1e9
        ),
        Err(e) => {
            eprintln!("warp_specialized FAILED: {e}");
            std::process::exit(1);
        }
    }
}
