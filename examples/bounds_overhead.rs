//! The cost of bounds checks: checked (the default) vs unchecked (`#[ptx_kernel(bounds_checks = false)]`) builds
//! of saxpy, vector_add, transpose and sgemm, timed on the GPU with the same launch configuration.
//!
//! Each row: after a warm-up, ≥ 20 samples of `BATCH` back-to-back launches followed by `Device::synchronize`,
//! wall clock; the median per launch is printed with the effective bandwidth and the checked/unchecked ratio. The
//! "checks left" column counts the comparisons the checked build has beyond the unchecked one: the check sites
//! that neither a guard (`if i < y.len()`) nor the compiler's range analysis (launch bounds, index arithmetic)
//! removed. On the emulator it only checks that both builds agree, prints a note and exits 0.
//!
//! `cargo run --release --example bounds_overhead` (`PTX_KERNEL_DEVICE=cuda` on a GPU machine).

#![allow(clippy::duplicate_mod)]

mod common;

// The checked builds are the examples' own kernels, included whole (their `run` and `main` are unused here); the
// unchecked builds below repeat their bodies under `#[ptx_kernel(bounds_checks = false)]`.
#[allow(dead_code)]
#[path = "saxpy.rs"]
mod saxpy_example;
#[allow(dead_code)]
#[path = "sgemm.rs"]
mod sgemm_example;
#[allow(dead_code)]
#[path = "transpose.rs"]
mod transpose_example;
#[allow(dead_code)]
#[path = "vector_add.rs"]
mod vector_add_example;

use std::time::{Duration, Instant};

use ptx_kernel::prelude::*;
use saxpy_example::saxpy;
use sgemm_example::sgemm;
use transpose_example::transpose_naive as transpose;
use vector_add_example::vector_add;

#[ptx_kernel(bounds_checks = false)]
#[allow(clippy::assign_op_pattern)] // the textbook form, y = a·x + y
pub fn saxpy_unchecked(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[ptx_kernel(bounds_checks = false)]
pub fn vector_add_unchecked(a: &[f32], b: &[f32], c: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < c.len() {
        c[i] = a[i] + b[i];
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

// sgemm unchecked: the kernel of examples/sgemm.rs under `bounds_checks = false` (the attribute differs, so
// the body is repeated; the checked build is the example's own).
#[ptx_kernel(launch_bounds(max_threads = 256), bounds_checks = false)]
#[allow(clippy::too_many_arguments)]
pub fn sgemm_unchecked(
    m: u32,
    n: u32,
    k: u32,
    alpha: f32,
    a: &[[f32; 4]],
    b: &[[f32; 4]],
    beta: f32,
    c: &mut [[f32; 4]],
) {
    let a_s = gpu::SharedArray::<[f32; 128], 8>::new();
    let b_s = gpu::SharedArray::<[f32; 128], 8>::new();
    let tid = gpu::thread_idx_x() as usize;
    let tx = tid % 16;
    let ty = tid / 16;
    let row0 = gpu::block_idx_y() as usize * 128;
    let col0 = gpu::block_idx_x() as usize * 128;
    let nn = n as usize;
    let kk = k as usize;
    let _ = m;
    // What this thread loads: A[row0 + a_row][k0 + a_col .. +4] and B[k0 + b_row][col0 + b_col .. +4].
    let a_row = tid / 2;
    let a_col = (tid % 2) * 4;
    let b_row = tid / 32;
    let b_col = (tid % 32) * 4;
    let a_base = ((row0 + a_row) * kk + a_col) / 4;
    let b_base = (b_row * nn + col0 + b_col) / 4;
    let mut acc = [[0.0f32; 8]; 8];
    let mut av = a[a_base];
    let mut bv = b[b_base];
    let mut k0 = 0usize;
    while k0 < kk {
        a_s[a_col][a_row] = av[0];
        a_s[a_col + 1][a_row] = av[1];
        a_s[a_col + 2][a_row] = av[2];
        a_s[a_col + 3][a_row] = av[3];
        gpu::store_vec4(&mut b_s[b_row][b_col], bv);
        gpu::sync_threads();
        k0 += 8;
        if k0 < kk {
            av = a[a_base + k0 / 4];
            bv = b[b_base + k0 * nn / 4];
        }
        #[unroll]
        for p in 0..8 {
            // Rows ty*4 + 0..4 and 64 + ty*4 + 0..4 of the tile, columns tx*4 + 0..4 and 64 + tx*4 + 0..4:
            // four 16-byte shared loads for 64 fused multiply-adds.
            let a0 = gpu::load_vec4(&a_s[p][ty * 4]);
            let a1 = gpu::load_vec4(&a_s[p][64 + ty * 4]);
            let b0 = gpu::load_vec4(&b_s[p][tx * 4]);
            let b1 = gpu::load_vec4(&b_s[p][64 + tx * 4]);
            let af = [a0[0], a0[1], a0[2], a0[3], a1[0], a1[1], a1[2], a1[3]];
            let bf = [b0[0], b0[1], b0[2], b0[3], b1[0], b1[1], b1[2], b1[3]];
            #[unroll]
            for i in 0..8 {
                #[unroll]
                for j in 0..8 {
                    acc[i][j] = af[i].mul_add(bf[j], acc[i][j]);
                }
            }
        }
        gpu::sync_threads();
    }
    #[unroll]
    for i in 0..8 {
        let r = row0 + (i / 4) * 64 + ty * 4 + i % 4;
        #[unroll]
        for h in 0..2 {
            let idx = (r * nn + col0 + h * 64 + tx * 4) / 4;
            let old = c[idx];
            c[idx] = [
                alpha * acc[i][4 * h] + beta * old[0],
                alpha * acc[i][4 * h + 1] + beta * old[1],
                alpha * acc[i][4 * h + 2] + beta * old[2],
                alpha * acc[i][4 * h + 3] + beta * old[3],
            ];
        }
    }
}

/// The check sites left in the checked build after the compiler removed those it proved: its comparisons minus
/// the unchecked build's (the two are the same kernel otherwise).
fn checks_left(checked: &str, unchecked: &str) -> usize {
    // The panic path's own comparison (did this thread claim the record) is not a check site.
    let setps = |ptx: &str| {
        let n = ptx.lines().filter(|l| l.trim_start().starts_with("setp.")).count();
        n - (n > 0 && ptx.contains("atom.global.cas.b32")) as usize
    };
    setps(checked).saturating_sub(setps(unchecked))
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
    // sgemm too, on a small shape (one block on the emulator).
    let to_vec4 = |v: Vec<f32>| v.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect::<Vec<[f32; 4]>>();
    let (sm, sn, sk) = (128u32, 128u32, 16u32);
    let sa = dev.upload(&to_vec4(rng.f32_vec((sm * sk) as usize)))?;
    let sb = dev.upload(&to_vec4(rng.f32_vec((sk * sn) as usize)))?;
    let mut sc = dev.upload(&to_vec4(rng.f32_vec((sm * sn) as usize)))?;
    let mut sc2 = sc.try_clone()?;
    let one = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
    sgemm::launch(dev, one, sm, sn, sk, 1.5, &sa, &sb, 0.5, &mut sc)?;
    // SAFETY: the shapes are multiples of the tile, as the kernel requires.
    unsafe { sgemm_unchecked::launch(dev, one, sm, sn, sk, 1.5, &sa, &sb, 0.5, &mut sc2)? };
    assert_eq!(sc.download()?, sc2.download()?, "sgemm: checked and unchecked builds differ");
    let mut rows = Vec::new();
    if dev.is_emulator() {
        return Ok(rows);
    }
    let bytes = (3 * 4 * n) as f64;
    rows.push(Row {
        name: "saxpy",
        checks: checks_left(saxpy::PTX, saxpy_unchecked::PTX),
        bytes,
        checked: time(dev, || saxpy::launch(dev, cfg, 2.0, &x, &mut y))?,
        // SAFETY: as above.
        unchecked: time(dev, || unsafe { saxpy_unchecked::launch(dev, cfg, 2.0, &x, &mut y2) })?,
    });
    rows.push(Row {
        name: "vector_add",
        checks: checks_left(vector_add::PTX, vector_add_unchecked::PTX),
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
        checks: checks_left(transpose::PTX, transpose_unchecked::PTX),
        bytes: (2 * 4 * m) as f64,
        checked: time(dev, || transpose::launch(dev, tcfg, &tin, &mut tout, side, side))?,
        // SAFETY: both buffers hold side × side elements and the kernel guards x < width, y < height.
        unchecked: time(dev, || unsafe { transpose_unchecked::launch(dev, tcfg, &tin, &mut tout, side, side) })?,
    });
    // sgemm: M = N = K = 4096 (the shape of examples/sgemm.rs's benchmark).
    let (m, n, k) = (4096usize, 4096usize, 4096usize);
    let da = dev.upload(&to_vec4(rng.f32_vec(m * k)))?;
    let db = dev.upload(&to_vec4(rng.f32_vec(k * n)))?;
    let mut dc = dev.upload(&to_vec4(rng.f32_vec(m * n)))?;
    let scfg =
        LaunchConfig { grid_dim: (n as u32 / 128, m as u32 / 128, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
    let (mu, nu, ku) = (m as u32, n as u32, k as u32);
    rows.push(Row {
        name: "sgemm 4096³ (GB/s column = GFLOP/s)",
        checks: checks_left(sgemm::PTX, sgemm_unchecked::PTX),
        // Reported as "bytes" so that bytes / s / 1e9 is GFLOP/s.
        bytes: 2.0 * (m * n * k) as f64,
        checked: time(dev, || sgemm::launch(dev, scfg, mu, nu, ku, 1.0, &da, &db, 0.5, &mut dc))?,
        // SAFETY: the shapes are multiples of the tile, as the kernel requires.
        unchecked: time(dev, || unsafe {
            sgemm_unchecked::launch(dev, scfg, mu, nu, ku, 1.0, &da, &db, 0.5, &mut dc)
        })?,
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
            println!(
                "{n} elements (saxpy, vector_add), {side}x{side} (transpose); median of {SAMPLES} x {BATCH} launches"
            );
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
