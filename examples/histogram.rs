//! A 256-bin histogram of bytes: each block counts into its own bins in shared memory with `gpu::atomic_add`, then
//! adds its non-zero bins to the global ones. Checked exactly against the CPU.

mod common;

use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn histogram(data: &[u8], bins: &mut [u32]) {
    let local = gpu::SharedArray::<u32, 256>::new();
    let t = gpu::thread_idx_x() as usize;
    let threads = gpu::block_dim_x() as usize;
    let mut k = t;
    while k < 256 {
        local[k] = 0;
        k += threads;
    }
    gpu::sync_threads();
    let stride = (gpu::grid_dim_x() * gpu::block_dim_x()) as usize;
    let g = gpu::global_idx_x() as usize;
    // Four bytes per load (`ld.global.nc.v4.u8`), the last `len % 4` one by one.
    let quads = data.len() / 4;
    let mut i = g;
    while i < quads {
        let v = gpu::load_vec4(&data[4 * i]);
        gpu::atomic_add(&mut local[v[0] as usize], 1);
        gpu::atomic_add(&mut local[v[1] as usize], 1);
        gpu::atomic_add(&mut local[v[2] as usize], 1);
        gpu::atomic_add(&mut local[v[3] as usize], 1);
        i += stride;
    }
    let tail = 4 * quads + g;
    if tail < data.len() {
        gpu::atomic_add(&mut local[data[tail] as usize], 1);
    }
    gpu::sync_threads();
    let mut k = t;
    while k < 256 {
        let c = local[k];
        if c != 0 {
            gpu::atomic_add(&mut bins[k], c);
        }
        k += threads;
    }
}

pub struct Report {
    pub n: usize,
    pub seconds: f64,
    pub gbps: f64,
}

/// Counts `n` random bytes (half of them from a few popular values, to make atomics collide).
pub fn run(dev: &Device, n: usize) -> std::result::Result<Report, String> {
    let e = |e: ptx_kernel::Error| e.to_string();
    let mut rng = common::Rng::new(0x4157);
    let data: Vec<u8> = (0..n)
        .map(|_| {
            let r = rng.next_u64();
            if r & 1 == 0 {
                (r >> 8) as u8 % 5
            } else {
                (r >> 16) as u8
            }
        })
        .collect();
    let dd = dev.upload(&data).map_err(e)?;
    let mut bins = dev.alloc_zeros::<u32>(256).map_err(e)?;
    let blocks = (n as u32).div_ceil(4 * 256).clamp(1, 2 * dev.sm_count().max(1) * 4);
    let cfg = LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
    histogram::launch(dev, cfg, &dd, &mut bins).map_err(e)?;
    let got = bins.download().map_err(e)?;
    let mut want = vec![0u32; 256];
    for &b in &data {
        want[b as usize] += 1;
    }
    if let Some(k) = (0..256).find(|&k| got[k] != want[k]) {
        return Err(format!("histogram: bin {k}: got {} want {}", got[k], want[k]));
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t =
        common::median_time(reps, || histogram::launch(dev, cfg, &dd, &mut bins), || dev.synchronize()).map_err(e)?;
    let seconds = t.as_secs_f64();
    Ok(Report { n, seconds, gbps: n as f64 / seconds / 1e9 })
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("histogram: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let n = if dev.is_emulator() { 1 << 20 } else { 1 << 28 };
    match run(&dev, n) {
        Ok(r) => println!("histogram OK: {} bytes; {:.3} ms per launch, {:.1} GB/s", r.n, r.seconds * 1e3, r.gbps),
        Err(e) => {
            eprintln!("histogram FAILED: {e}");
            std::process::exit(1);
        }
    }
}
