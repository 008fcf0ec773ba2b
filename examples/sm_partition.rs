//! SM partitioning, as DeepSeek did on the H800 (20 of 132 SMs reserved for communication and compression while the
//! rest computed): one persistent kernel whose blocks take roles by block index.
//!
//! - **Compute blocks** (`block_idx_x() >= comm_blocks`) walk the tiles in a grid-stride loop, run some arithmetic
//!   per element (`iters` rounds of a multiply-add chain) into `work`, then publish each tile: `sync_threads()` and
//!   a `store_release` of the tile's flag.
//! - **Communication blocks** (`block_idx_x() < comm_blocks`) walk the same tiles, spin on each tile's flag with
//!   `load_acquire` (bounded by a `global_timer` timeout, so a producer that never comes is reported, not hung on),
//!   and quantize the tile f32 → int8 with one scale per 32 values (a warp's `warp_max` of `|v|`).
//!
//! The communication blocks wait for the compute blocks, so every block must be resident at once: the grid is
//! checked with `sm_partition::persistent_config` (SMs × resident blocks per SM; on the emulator one block per worker
//! thread, all running concurrently) and launched with **one block of 1024 threads per SM** (each block asks for just
//! over half an SM's shared memory, so no two fit on one SM), so that a block's role is its SM's role: 20
//! communication blocks reserve 20 SMs, as the printed `%smid` census shows. Every block records its `%smid` and its start/end `%globaltimer`; the run prints how
//! many distinct SMs each role occupied, how long each role ran, and the tile throughput against the same kernel
//! with no communication blocks (compute alone on every SM).
//!
//! ```text
//! cargo run --release --example sm_partition             # 20 communication blocks on a GPU
//! cargo run --release --example sm_partition -- 32       # another split
//! ```

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use ptx_kernel::prelude::*;

/// Threads per block = values per tile.
pub const TILE: usize = 1024;
/// Values per quantization scale (one warp).
pub const GROUP: usize = 32;

#[ptx_kernel]
#[allow(clippy::too_many_arguments, clippy::manual_is_multiple_of)]
pub fn sm_partition(
    comm_blocks: u32,
    iters: u32,
    timeout_ns: u64,
    input: &[f32],
    work: &mut [f32],
    flags: &mut [u32],
    q: &mut [i8],
    scales: &mut [f32],
    sm: &mut [u32],
    times: &mut [u64],
    timeouts: &mut [u32],
) {
    let b = gpu::block_idx_x();
    let t = gpu::thread_idx_x() as usize;
    let tile = gpu::block_dim_x() as usize;
    let n_tiles = flags.len();
    let start = gpu::global_timer();
    if b < comm_blocks {
        // Communication: consume tiles b, b + comm_blocks, …
        let mut k = b as usize;
        while k < n_tiles {
            if t == 0 {
                while gpu::load_acquire(&flags[k]) == 0 {
                    if gpu::global_timer() - start > timeout_ns {
                        timeouts[b as usize] = 1;
                        break;
                    }
                }
            }
            gpu::sync_threads();
            // Every thread acquires the flag itself (once thread 0 saw it set, it is set for good). After a
            // timeout the tile is skipped, but the loop goes on uniformly (the later spins end at once).
            let ready = gpu::load_acquire(&flags[k]) != 0;
            let e = k * tile + t;
            let v = work[e];
            let m = gpu::warp_max(v.abs());
            if ready {
                if t % 32 == 0 {
                    scales[e / 32] = m / 127.0;
                }
                let inv = if m > 0.0 { 127.0 / m } else { 0.0 };
                q[e] = (v * inv).round() as i8;
            }
            gpu::sync_threads();
            k += comm_blocks as usize;
        }
    } else {
        // Compute: produce tiles c, c + n_compute, … (a grid-stride loop over the compute blocks).
        let c = (b - comm_blocks) as usize;
        let n_compute = (gpu::grid_dim_x() - comm_blocks) as usize;
        let mut k = c;
        while k < n_tiles {
            let e = k * tile + t;
            let mut y = input[e];
            for j in 0..iters {
                y = y * 0.9990 + 0.0010 * (j % 7) as f32;
            }
            work[e] = y;
            gpu::sync_threads();
            if t == 0 {
                gpu::store_release(&mut flags[k], 1);
            }
            k += n_compute;
        }
    }
    gpu::sync_threads();
    if t == 0 {
        sm[b as usize] = gpu::smid();
        times[2 * b as usize] = start;
        times[2 * b as usize + 1] = gpu::global_timer();
    }
}

/// The CPU reference of one compute element.
fn compute_ref(x: f32, iters: u32) -> f32 {
    let mut y = x;
    for j in 0..iters {
        y = y * 0.9990 + 0.0010 * (j % 7) as f32;
    }
    y
}

/// The CPU reference of one quantization group: its scale and values.
fn quantize_ref(v: &[f32]) -> (f32, Vec<i8>) {
    let m = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let inv = if m > 0.0 { 127.0 / m } else { 0.0 };
    (m / 127.0, v.iter().map(|x| (x * inv).round() as i8).collect())
}

/// One role's placement and timing.
#[derive(Clone, Debug)]
pub struct Role {
    pub blocks: usize,
    /// Distinct `%smid` values its blocks ran on.
    pub sms: usize,
    /// From the earliest block start to the latest block end, in nanoseconds of `%globaltimer`.
    pub span_ns: u64,
}

/// What one run measured.
#[derive(Clone, Debug)]
pub struct Report {
    pub tiles: usize,
    pub grid: u32,
    pub comm: Role,
    pub compute: Role,
    /// Wall time of the partitioned launch (best of the repetitions).
    pub partitioned_s: f64,
    /// Wall time of the same kernel with no communication blocks (compute alone on every SM).
    pub compute_alone_s: f64,
}

impl Report {
    /// Tiles per second of the partitioned run (computed and quantized).
    pub fn partitioned_tiles_per_s(&self) -> f64 {
        self.tiles as f64 / self.partitioned_s
    }
    /// Tiles per second of compute alone.
    pub fn compute_alone_tiles_per_s(&self) -> f64 {
        self.tiles as f64 / self.compute_alone_s
    }
}

fn role(sm: &[u32], times: &[u64], blocks: std::ops::Range<usize>) -> Role {
    let n = blocks.len();
    let sms: BTreeSet<u32> = blocks.clone().map(|b| sm[b]).collect();
    let start = blocks.clone().map(|b| times[2 * b]).min().unwrap_or(0);
    let end = blocks.map(|b| times[2 * b + 1]).max().unwrap_or(0);
    Role { blocks: n, sms: sms.len(), span_ns: end.saturating_sub(start) }
}

/// Runs the partitioned kernel over `tiles` tiles of [`TILE`] values with `comm_blocks` communication blocks
/// (at most the persistent grid minus one) and `iters` rounds of arithmetic per value, checks every value and scale
/// against the CPU, and times it against compute alone.
pub fn run(dev: &Device, tiles: usize, comm_blocks: u32, iters: u32) -> std::result::Result<Report, String> {
    let s = |e: Error| e.to_string();
    // Just over half an SM's shared memory per block (unused by the kernel) makes "one block per SM" a resource
    // fact rather than a scheduler habit: two blocks cannot share an SM, so roles by block index are roles by SM.
    let smem = dev.limits().max_shared_mem_per_block_optin / 2 + 1024;
    let resident = sm_partition::persistent_config(dev, (TILE as u32, 1, 1), smem).map_err(s)?;
    let grid = resident.grid_dim.0.min(dev.sm_count().max(1));
    let cfg = LaunchConfig { grid_dim: (grid, 1, 1), ..resident };
    if grid < 2 {
        return Err(format!("a persistent grid of {grid} block(s) cannot hold both roles (need 2 resident blocks)"));
    }
    let comm = comm_blocks.clamp(1, grid - 1);
    let n = tiles * TILE;
    let mut rng = common::Rng::new(0x5E_ED);
    let input: Vec<f32> = rng.f32_vec(n).into_iter().map(|v| 4.0 * v - 2.0).collect();
    let d_in = dev.upload(&input).map_err(s)?;
    let mut work = dev.alloc_zeros::<f32>(n).map_err(s)?;
    let mut flags = dev.alloc_zeros::<u32>(tiles).map_err(s)?;
    let mut q = dev.alloc_zeros::<i8>(n).map_err(s)?;
    let mut scales = dev.alloc_zeros::<f32>(n / GROUP).map_err(s)?;
    let mut sm = dev.alloc_zeros::<u32>(grid as usize).map_err(s)?;
    let mut times = dev.alloc_zeros::<u64>(2 * grid as usize).map_err(s)?;
    let mut timeouts = dev.alloc_zeros::<u32>(grid as usize).map_err(s)?;
    // A consumer waits at most this long for a tile (the emulator is ~10^4 times slower than a GPU).
    let timeout_ns: u64 = if dev.is_emulator() { 120_000_000_000 } else { 5_000_000_000 };
    let zeros = vec![0u32; tiles];
    let reps = if dev.is_emulator() { 1 } else { 5 };

    let mut launch = |comm: u32, flags: &mut DeviceBuffer<u32>| -> std::result::Result<f64, String> {
        flags.copy_from(&zeros).map_err(s)?;
        dev.synchronize().map_err(s)?;
        let t0 = Instant::now();
        sm_partition::launch(
            dev, cfg, comm, iters, timeout_ns, &d_in, &mut work, flags, &mut q, &mut scales, &mut sm, &mut times,
            &mut timeouts,
        )
        .map_err(s)?;
        dev.synchronize().map_err(s)?;
        Ok(t0.elapsed().as_secs_f64())
    };

    // Compute alone first (every block computes), then the partitioned runs; the last run's records are checked.
    let mut compute_alone_s = f64::INFINITY;
    for _ in 0..reps {
        compute_alone_s = compute_alone_s.min(launch(0, &mut flags)?);
    }
    let mut partitioned_s = f64::INFINITY;
    for _ in 0..reps {
        partitioned_s = partitioned_s.min(launch(comm, &mut flags)?);
    }

    let to = timeouts.download().map_err(s)?;
    if let Some(b) = to.iter().position(|&v| v != 0) {
        return Err(format!("communication block {b} timed out waiting for a tile: were all blocks resident?"));
    }
    let work_h = work.download().map_err(s)?;
    let q_h = q.download().map_err(s)?;
    let scales_h = scales.download().map_err(s)?;
    for (e, (&x, &got)) in input.iter().zip(&work_h).enumerate() {
        let want = compute_ref(x, iters);
        if got.to_bits() != want.to_bits() {
            return Err(format!("compute: element {e}: got {got} want {want}"));
        }
    }
    for g in 0..n / GROUP {
        let (scale, vals) = quantize_ref(&work_h[g * GROUP..(g + 1) * GROUP]);
        if scales_h[g].to_bits() != scale.to_bits() {
            return Err(format!("quantize: group {g}: scale {} want {scale}", scales_h[g]));
        }
        for (j, &want) in vals.iter().enumerate() {
            let got = q_h[g * GROUP + j];
            if got != want {
                return Err(format!("quantize: element {}: got {got} want {want}", g * GROUP + j));
            }
        }
    }
    let sm_h = sm.download().map_err(s)?;
    let times_h = times.download().map_err(s)?;
    let comm_role = role(&sm_h, &times_h, 0..comm as usize);
    let compute_role = role(&sm_h, &times_h, comm as usize..grid as usize);
    Ok(Report { tiles, grid, comm: comm_role, compute: compute_role, partitioned_s, compute_alone_s })
}

fn main() {
    let dev = match Device::from_env() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("sm_partition: no device: {e}");
            std::process::exit(1);
        }
    };
    let comm: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    println!("device: {} ({} SMs)", common::describe(&dev), dev.sm_count());
    let (tiles, iters) = if dev.is_emulator() { (32, 64) } else { (1 << 15, 1024) };
    match run(&dev, tiles, comm, iters) {
        Ok(r) => {
            println!(
                "sm_partition OK: {} tiles of {TILE} values computed and quantized (int8, one scale per {GROUP}), \
                 all checked against the CPU",
                r.tiles
            );
            println!("persistent grid: {} blocks", r.grid);
            println!(
                "communication: {} blocks on {} distinct SMs, {:.3} ms (globaltimer)",
                r.comm.blocks,
                r.comm.sms,
                r.comm.span_ns as f64 / 1e6
            );
            println!(
                "compute:       {} blocks on {} distinct SMs, {:.3} ms (globaltimer)",
                r.compute.blocks,
                r.compute.sms,
                r.compute.span_ns as f64 / 1e6
            );
            println!(
                "throughput: partitioned {:.3} ms = {:.0} tiles/s (compute + quantize); compute alone on every SM \
                 {:.3} ms = {:.0} tiles/s; ratio {:.2}",
                r.partitioned_s * 1e3,
                r.partitioned_tiles_per_s(),
                r.compute_alone_s * 1e3,
                r.compute_alone_tiles_per_s(),
                r.partitioned_tiles_per_s() / r.compute_alone_tiles_per_s()
            );
        }
        Err(e) => {
            eprintln!("sm_partition FAILED: {e}");
            std::process::exit(1);
        }
    }
}
