//! The cost of bounds checks: checked (the default) vs unchecked (`#[ptx_kernel(bounds_checks = false)]`) builds
//! of saxpy, vector_add and transpose, timed on the GPU with the same launch configuration.
//!
//! Each row: after a warm-up, ≥ 20 samples of `BATCH` back-to-back launches followed by `Device::synchronize`,
//! wall clock; the median per launch is printed with the effective bandwidth and the checked/unchecked ratio. The
//! "checks" column counts the check sites left in the checked build (guards such as `if i < y.len()` remove the
//! ones they prove). On the emulator it only checks that both builds agree, prints a note and exits 0.
//!
//! `cargo run --release --example bounds_overhead` (`PTX_KERNEL_DEVICE=cuda` on a GPU machine).

mod common;

use std::time::{Duration, Instant};

use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[ptx_kernel(bounds_checks = false)]
pub fn saxpy_unchecked(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[ptx_kernel]
pub fn vector_add(a: &[f32], b: &[f32], c: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < c.len() {
        c[i] = a[i] + b[i];
    }
}

#[ptx_kernel(bounds_checks = false)]
pub fn vector_add_unchecked(a: &[f32], b: &[f32], c: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < c.len() {
        c[i] = a[i] + b[i];
    }
}

#[ptx_kernel]
pub fn transpose(input: &[f32], output: &mut [f32], width: u32, height: u32) {
    let x = gpu::block_idx_x() * gpu::block_dim_x() + gpu::thread_idx_x();
    let y = gpu::block_idx_y() * gpu::block_dim_y() + gpu::thread_idx_y();
    if x < width && y < height {
        output[(x as usize) * (height as usize) + y as usize] = input[(y as usize) * (width as usize) + x as usize];
    }
}

#[ptx_kernel(bounds_checks = false)]
pub fn transpose_unchecked(input: &[f32], output: &mut [f32], width: u32, height: u32) {
    let x = gpu::block_idx_x() * gpu::block_dim_x() + gpu::thread_idx_x();
    let y = gpu::block_idx_y() * gpu::block_dim_y() + gpu::thread_idx_y();
    if x < width && y < height {
        output[(x as usize) * (height as usize) + y as usize] = input[(y as usize) * (width as usize) + x as usize];
    }
}

const BATCH: usize = 10;
const SAMPLES: usize = 30;

/// Median seconds per launch of `launch` (batches of `BATCH`, `SAMPLES` samples after a warm-up batch).
fn time(dev: &Device, mut launch: impl FnMut() -> Result<()>) -> Result<f64> {
    for _ in 0..BATCH {
        launch()?;
    }
    dev.synchronize()?;
    let mut samples: Vec<Duration> = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t = Instant::now();
        for _ in 0..BATCH {
            launch()?;
        }
        dev.synchronize()?;
        samples.push(t.elapsed());
    }
    samples.sort();
    Ok(samples[SAMPLES / 2].as_secs_f64() / BATCH as f64)
}

struct Row {
    name: &'static str,
    checks: usize,
    bytes: f64,
    checked: f64,
    unchecked: f64,
}

fn run(dev: &Device, n: usize, side: u32) -> Result<Vec<Row>> {
    let mut rng = common::Rng::new(0xB0);
    let x = dev.upload(&rng.f32_vec(n))?;
    let mut y = dev.upload(&rng.f32_vec(n))?;
    let mut y2 = y.try_clone()?;
    let cfg = LaunchConfig::for_num_elems(n as u32);
    // Both builds compute the same.
    saxpy::launch(dev, cfg, 2.0, &x, &mut y)?;
    // SAFETY: every thread's `i` is checked against `y.len()`, and `x.len() == y.len()`.
    unsafe { saxpy_unchecked::launch(dev, cfg, 2.0, &x, &mut y2)? };
    assert_eq!(y.download()?, y2.download()?, "saxpy: checked and unchecked builds differ");
    let mut rows = Vec::new();
    if dev.is_emulator() {
        return Ok(rows);
    }
    let bytes = (3 * 4 * n) as f64;
    rows.push(Row {
        name: "saxpy",
        checks: saxpy::PANIC_SITES.len(),
        bytes,
        checked: time(dev, || saxpy::launch(dev, cfg, 2.0, &x, &mut y))?,
        // SAFETY: as above.
        unchecked: time(dev, || unsafe { saxpy_unchecked::launch(dev, cfg, 2.0, &x, &mut y2) })?,
    });
    rows.push(Row {
        name: "vector_add",
        checks: vector_add::PANIC_SITES.len(),
        bytes,
        checked: time(dev, || vector_add::launch(dev, cfg, &x, &x, &mut y))?,
        // SAFETY: `a`, `b` and `c` all have `n` elements; threads check `i < c.len()`.
        unchecked: time(dev, || unsafe { vector_add_unchecked::launch(dev, cfg, &x, &x, &mut y2) })?,
    });
    let m = (side as usize) * (side as usize);
    let tin = dev.upload(&rng.f32_vec(m))?;
    let mut tout = dev.alloc_zeros::<f32>(m)?;
    let tcfg = LaunchConfig::for_2d(side, side, (32, 8));
    rows.push(Row {
        name: "transpose",
        checks: transpose::PANIC_SITES.len(),
        bytes: (2 * 4 * m) as f64,
        checked: time(dev, || transpose::launch(dev, tcfg, &tin, &mut tout, side, side))?,
        // SAFETY: both buffers hold side × side elements and the kernel guards x < width, y < height.
        unchecked: time(dev, || unsafe { transpose_unchecked::launch(dev, tcfg, &tin, &mut tout, side, side) })?,
    });
    Ok(rows)
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("bounds_overhead: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let (n, side) = if dev.is_emulator() { (1 << 12, 64) } else { (1 << 26, 8192) };
    match run(&dev, n, side) {
        Ok(rows) if rows.is_empty() => {
            println!("note: the emulator's timings say nothing about the GPU; checked and unchecked builds agree.");
            println!("      Run with PTX_KERNEL_DEVICE=cuda on a GPU machine for the table.");
        }
        Ok(rows) => {
            println!("{n} elements (saxpy, vector_add), {side}x{side} (transpose); median of {SAMPLES} x {BATCH} launches");
            println!();
            println!("| kernel | checks left | checked ms | GB/s | unchecked ms | GB/s | checked / unchecked |");
            println!("|---|---:|---:|---:|---:|---:|---:|");
            for r in rows {
                println!(
                    "| {} | {} | {:.4} | {:.0} | {:.4} | {:.0} | {:.3} |",
                    r.name,
                    r.checks,
                    r.checked * 1e3,
                    r.bytes / r.checked / 1e9,
                    r.unchecked * 1e3,
                    r.bytes / r.unchecked / 1e9,
                    r.checked / r.unchecked
                );
            }
        }
        Err(e) => {
            eprintln!("bounds_overhead FAILED: {e}");
            std::process::exit(1);
        }
    }
}
