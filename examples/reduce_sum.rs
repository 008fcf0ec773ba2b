//! Sum of an f32 array: a grid-stride loop of 16-byte loads (`gpu::load_vec4`) per thread, `gpu::warp_sum`
//! (shuffles) per warp, the warps' sums through a shared array, one partial sum per block; a second launch of the
//! same kernel sums the partials. Checked against an f64 sum on the CPU.

mod common;

use ptx_kernel::prelude::*;

/// Threads per block (a multiple of 32, at most 1024).
pub const BLOCK: u32 = 256;

#[ptx_kernel]
pub fn reduce_sum(x: &[f32], partial: &mut [f32]) {
    let warp_sums = gpu::SharedArray::<f32, 32>::new();
    let stride = (gpu::grid_dim_x() * gpu::block_dim_x()) as usize;
    let g = gpu::global_idx_x() as usize;
    let mut acc = 0.0f32;
    // The bulk as 16-byte loads (device buffers start 256-byte aligned), the last `len % 4` one by one.
    let quads = x.len() / 4;
    let mut i = g;
    while i < quads {
        let v = gpu::load_vec4(&x[4 * i]);
        acc += (v[0] + v[1]) + (v[2] + v[3]);
        i += stride;
    }
    let tail = 4 * quads + g;
    if tail < x.len() {
        acc += x[tail];
    }
    acc = gpu::warp_sum(acc);
    let lane = gpu::lane_id();
    let warp = gpu::warp_id();
    if lane == 0 {
        warp_sums[warp as usize] = acc;
    }
    gpu::sync_threads();
    if warp == 0 {
        let mut v = 0.0f32;
        if lane < gpu::block_dim_x() / 32 {
            v = warp_sums[lane as usize];
        }
        v = gpu::warp_sum(v);
        if lane == 0 {
            partial[gpu::block_idx_x() as usize] = v;
        }
    }
}

pub struct Report {
    pub n: usize,
    pub sum: f32,
    pub seconds: f64,
    pub gbps: f64,
}

/// Sums `n` random values on `dev` (two launches) and checks the result against the CPU.
pub fn run(dev: &Device, n: usize) -> std::result::Result<Report, String> {
    let e = |e: ptx_kernel::Error| e.to_string();
    let mut rng = common::Rng::new(0x5E_11);
    let x = rng.f32_vec(n);
    let blocks = (n as u32).div_ceil(4 * BLOCK).clamp(1, 1024);
    let dx = dev.upload(&x).map_err(e)?;
    let mut partial = dev.alloc_zeros::<f32>(blocks as usize).map_err(e)?;
    let mut out = dev.alloc_zeros::<f32>(1).map_err(e)?;
    let pass1 = LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (BLOCK, 1, 1), shared_mem_bytes: 0 };
    let pass2 = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (1024, 1, 1), shared_mem_bytes: 0 };
    let launch = |partial: &mut DeviceBuffer<f32>, out: &mut DeviceBuffer<f32>| -> ptx_kernel::Result<()> {
        reduce_sum::launch(dev, pass1, &dx, partial)?;
        reduce_sum::launch(dev, pass2, partial, out)
    };
    launch(&mut partial, &mut out).map_err(e)?;
    let got = out.download().map_err(e)?[0];
    let want: f64 = x.iter().map(|&v| v as f64).sum();
    let abs: f64 = x.iter().map(|&v| v.abs() as f64).sum();
    // Each f32 addition may round by 2^-24 relative; a tree of depth ~log2(n) plus the per-thread chains.
    let tol = abs * 1e-6 + 1e-6;
    if (got as f64 - want).abs() > tol {
        return Err(format!("reduce_sum: n={n}: got {got}, want {want} (tolerance {tol:e})"));
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(reps, || launch(&mut partial, &mut out), || dev.synchronize()).map_err(e)?;
    let seconds = t.as_secs_f64();
    Ok(Report { n, sum: got, seconds, gbps: (4 * n) as f64 / seconds / 1e9 })
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("reduce_sum: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let n = if dev.is_emulator() { 1 << 20 } else { 1 << 28 };
    match run(&dev, n) {
        Ok(r) => println!(
            "reduce_sum OK: {} elements, sum {}; {:.3} ms per sum, {:.1} GB/s",
            r.n,
            r.sum,
            r.seconds * 1e3,
            r.gbps
        ),
        Err(e) => {
            eprintln!("reduce_sum FAILED: {e}");
            std::process::exit(1);
        }
    }
}
