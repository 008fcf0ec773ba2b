//! A bf16 kernel with f32 accumulation: `y = A · x` for a row-major `rows` × `cols` bf16 matrix and a bf16
//! vector, one warp per row. Each lane reads 4 bf16 at a time (`&[[bf16; 4]]`: one 8-byte vector load), widens
//! them with `to_f32()` (exact) and accumulates with `mul_add` in f32; `gpu::warp_sum` combines the lanes. Checked
//! against an f64 product of the same bf16 values on the CPU.

mod common;

use ptx_kernel::half::bf16;
use ptx_kernel::prelude::*;

/// Threads per block (8 warps: 8 rows per block).
pub const BLOCK: u32 = 256;

#[ptx_kernel]
pub fn bf16_gemv(a: &[[bf16; 4]], x: &[[bf16; 4]], y: &mut [f32]) {
    let row = (gpu::block_idx_x() * (gpu::block_dim_x() / 32) + gpu::warp_id()) as usize;
    if row < y.len() {
        let n = x.len();
        let lane = gpu::lane_id() as usize;
        let mut acc = 0.0f32;
        let mut k = lane;
        while k < n {
            let av = a[row * n + k];
            let xv = x[k];
            acc = av[0].to_f32().mul_add(xv[0].to_f32(), acc);
            acc = av[1].to_f32().mul_add(xv[1].to_f32(), acc);
            acc = av[2].to_f32().mul_add(xv[2].to_f32(), acc);
            acc = av[3].to_f32().mul_add(xv[3].to_f32(), acc);
            k += 32;
        }
        acc = gpu::warp_sum(acc);
        if lane == 0 {
            y[row] = acc;
        }
    }
}

pub struct Report {
    pub rows: usize,
    pub cols: usize,
    pub seconds: f64,
    pub gbps: f64,
}

/// `y = A x` for random bf16 data (`cols` a multiple of 4), checked against the CPU.
pub fn run(dev: &Device, rows: usize, cols: usize) -> std::result::Result<Report, String> {
    let e = |e: ptx_kernel::Error| e.to_string();
    if !cols.is_multiple_of(4) || cols == 0 {
        return Err(format!("bf16_gemv: cols = {cols} must be a positive multiple of 4"));
    }
    let mut rng = common::Rng::new(0xBF16);
    let a: Vec<bf16> = (0..rows * cols).map(|_| bf16::from_f32(rng.f32())).collect();
    let x: Vec<bf16> = (0..cols).map(|_| bf16::from_f32(rng.f32())).collect();
    let quad = |v: &[bf16]| v.chunks_exact(4).map(|q| [q[0], q[1], q[2], q[3]]).collect::<Vec<[bf16; 4]>>();
    let da = dev.upload(&quad(&a)).map_err(e)?;
    let dx = dev.upload(&quad(&x)).map_err(e)?;
    let mut dy = dev.alloc_zeros::<f32>(rows).map_err(e)?;
    let warps_per_block = (BLOCK / 32) as usize;
    let cfg = LaunchConfig {
        grid_dim: (rows.div_ceil(warps_per_block) as u32, 1, 1),
        block_dim: (BLOCK, 1, 1),
        shared_mem_bytes: 0,
    };
    bf16_gemv::launch(dev, cfg, &da, &dx, &mut dy).map_err(e)?;
    let y = dy.download().map_err(e)?;
    for r in 0..rows {
        let mut want = 0.0f64;
        let mut mag = 0.0f64;
        for c in 0..cols {
            let t = a[r * cols + c].to_f64() * x[c].to_f64();
            want += t;
            mag += t.abs();
        }
        if (y[r] as f64 - want).abs() > 1e-5 * mag + 1e-6 {
            return Err(format!("bf16_gemv: row {r}: got {} want {want}", y[r]));
        }
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(reps, || bf16_gemv::launch(dev, cfg, &da, &dx, &mut dy), || dev.synchronize())
        .map_err(e)?;
    let seconds = t.as_secs_f64();
    Ok(Report { rows, cols, seconds, gbps: (2 * rows * cols) as f64 / seconds / 1e9 })
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("bf16_gemv: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let (rows, cols) = if dev.is_emulator() { (512, 1024) } else { (16384, 16384) };
    match run(&dev, rows, cols) {
        Ok(r) => println!(
            "bf16_gemv OK: {}x{} checked; {:.3} ms per launch, {:.1} GB/s",
            r.rows,
            r.cols,
            r.seconds * 1e3,
            r.gbps
        ),
        Err(e) => {
            eprintln!("bf16_gemv FAILED: {e}");
            std::process::exit(1);
        }
    }
}
