//! Row-wise softmax of a `rows` × `cols` f32 matrix, numerically stable: one block per row; the row's maximum and
//! then the sum of `exp(x - max)` are block reductions (`gpu::warp_max` / `gpu::warp_sum` per warp, the warps'
//! results through a shared array); each element becomes `exp(x - max) / sum`. `exp` is the accurate method
//! (≤ 1 ulp); checked against an f64 softmax on the CPU.

mod common;

use ptx_kernel::prelude::*;

/// Threads per block (a multiple of 32).
pub const BLOCK: u32 = 256;

#[ptx_kernel]
pub fn softmax(x: &[f32], y: &mut [f32], cols: u32) {
    let partial = gpu::SharedArray::<f32, 32>::new();
    let row = gpu::block_idx_x() as usize * cols as usize;
    let t = gpu::thread_idx_x();
    let lane = gpu::lane_id();
    let warp = gpu::warp_id() as usize;
    let nwarps = gpu::block_dim_x() / 32;
    // The row's maximum.
    let mut m = f32::NEG_INFINITY;
    let mut c = t;
    while c < cols {
        m = m.max(x[row + c as usize]);
        c += gpu::block_dim_x();
    }
    m = gpu::warp_max(m);
    if lane == 0 {
        partial[warp] = m;
    }
    gpu::sync_threads();
    let mut v = if lane < nwarps { partial[lane as usize] } else { f32::NEG_INFINITY };
    v = gpu::warp_max(v);
    let max = v;
    gpu::sync_threads();
    // The sum of exp(x - max).
    let mut s = 0.0f32;
    let mut c = t;
    while c < cols {
        s += (x[row + c as usize] - max).exp();
        c += gpu::block_dim_x();
    }
    s = gpu::warp_sum(s);
    if lane == 0 {
        partial[warp] = s;
    }
    gpu::sync_threads();
    let mut total = if lane < nwarps { partial[lane as usize] } else { 0.0 };
    total = gpu::warp_sum(total);
    let inv = 1.0 / total;
    let mut c = t;
    while c < cols {
        let i = row + c as usize;
        y[i] = (x[i] - max).exp() * inv;
        c += gpu::block_dim_x();
    }
}

pub struct Report {
    pub rows: usize,
    pub cols: usize,
    pub seconds: f64,
    pub gbps: f64,
}

/// Softmax of a random `rows` × `cols` matrix (values in [-20, 20)), checked against the CPU.
pub fn run(dev: &Device, rows: usize, cols: usize) -> std::result::Result<Report, String> {
    let e = |e: ptx_kernel::Error| e.to_string();
    let mut rng = common::Rng::new(0x50F7);
    let x: Vec<f32> = (0..rows * cols).map(|_| rng.f32() * 20.0).collect();
    let dx = dev.upload(&x).map_err(e)?;
    let mut dy = dev.alloc_zeros::<f32>(rows * cols).map_err(e)?;
    let cfg = LaunchConfig { grid_dim: (rows as u32, 1, 1), block_dim: (BLOCK, 1, 1), shared_mem_bytes: 0 };
    softmax::launch(dev, cfg, &dx, &mut dy, cols as u32).map_err(e)?;
    let y = dy.download().map_err(e)?;
    for r in 0..rows {
        let row = &x[r * cols..(r + 1) * cols];
        // The kernel subtracts in f32 (exactly what `x - max` rounds to), then works to ~1 ulp per step; its
        // sum is f32, so allow a relative 1e-5.
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let sum: f64 = row.iter().map(|&v| ((v - max) as f64).exp()).sum();
        for c in 0..cols {
            let want = ((row[c] - max) as f64).exp() / sum;
            let got = y[r * cols + c] as f64;
            if (got - want).abs() > want * 1e-5 + 1e-30 {
                return Err(format!("softmax: ({r}, {c}): got {got:e} want {want:e}"));
            }
        }
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(reps, || softmax::launch(dev, cfg, &dx, &mut dy, cols as u32), || dev.synchronize())
        .map_err(e)?;
    let seconds = t.as_secs_f64();
    Ok(Report { rows, cols, seconds, gbps: (8 * rows * cols) as f64 / seconds / 1e9 })
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("softmax: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let (rows, cols) = if dev.is_emulator() { (256, 1000) } else { (16384, 4096) };
    match run(&dev, rows, cols) {
        Ok(r) => println!(
            "softmax OK: {}x{} checked; {:.3} ms per launch, {:.1} GB/s",
            r.rows,
            r.cols,
            r.seconds * 1e3,
            r.gbps
        ),
        Err(e) => {
            eprintln!("softmax FAILED: {e}");
            std::process::exit(1);
        }
    }
}
