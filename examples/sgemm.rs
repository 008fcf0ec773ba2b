//! Single-precision matrix multiply `C = alpha · A · B + beta · C` (row-major, A is M×K, B is K×N), tiled for
//! shared memory with register blocking: each 256-thread block computes a 128×128 tile of C; per step of 8 along
//! K it stages an 8×128 slice of A (transposed) and of B in shared memory with one 16-byte global load per thread
//! for each (`&[[f32; 4]]` views of A, B and C), then every thread accumulates an 8×8 block of C in registers (a
//! local `[[f32; 8]; 8]` under `#[unroll]`, so every index is a constant and the array lives in 64 registers) with
//! `mul_add` (`fma.rn`), reading its operands with four 16-byte shared loads (`gpu::load_vec4`) per 64 FMAs.
//! Thread (tx, ty) of the 16×16 grid owns rows `ty*4 + 0..4` and `64 + ty*4 + 0..4` and the same columns by tx,
//! written back as float4s. The next step's global loads are issued before the current step's arithmetic
//! (register prefetch).
//!
//! Shapes: M and N multiples of 128, K a multiple of 8. Checked against an f64 product on the CPU.

mod common;

use ptx_kernel::prelude::*;

/// Rows and columns of C per block.
pub const TILE: u32 = 128;
/// Depth of one shared-memory step.
pub const DEPTH: u32 = 8;

// 256 threads per block: the launch bound also lets the compiler prove every shared-memory index in bounds.
#[ptx_kernel(launch_bounds(max_threads = 256))]
#[allow(clippy::too_many_arguments)]
pub fn sgemm(m: u32, n: u32, k: u32, alpha: f32, a: &[[f32; 4]], b: &[[f32; 4]], beta: f32, c: &mut [[f32; 4]]) {
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

pub struct Report {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub seconds: f64,
    pub tflops: f64,
}

/// Multiplies random matrices of the given shape (M, N multiples of 128; K a multiple of 8) and checks C against
/// the CPU (f64).
pub fn run(dev: &Device, m: usize, n: usize, k: usize) -> std::result::Result<Report, String> {
    let e = |e: ptx_kernel::Error| e.to_string();
    if !m.is_multiple_of(TILE as usize)
        || !n.is_multiple_of(TILE as usize)
        || !k.is_multiple_of(DEPTH as usize)
        || k == 0
    {
        return Err(format!("sgemm: {m}x{n}x{k}: M and N must be multiples of {TILE} and K of {DEPTH}"));
    }
    let mut rng = common::Rng::new(0x5E33);
    let a = rng.f32_vec(m * k);
    let b = rng.f32_vec(k * n);
    let c0 = rng.f32_vec(m * n);
    let (alpha, beta) = (1.25f32, -0.5f32);
    let quad = |v: &[f32]| v.chunks_exact(4).map(|q| [q[0], q[1], q[2], q[3]]).collect::<Vec<[f32; 4]>>();
    let da = dev.upload(&quad(&a)).map_err(e)?;
    let db = dev.upload(&quad(&b)).map_err(e)?;
    let mut dc = dev.upload(&quad(&c0)).map_err(e)?;
    let cfg = LaunchConfig {
        grid_dim: ((n as u32) / TILE, (m as u32) / TILE, 1),
        block_dim: (256, 1, 1),
        shared_mem_bytes: 0,
    };
    let (mu, nu, ku) = (m as u32, n as u32, k as u32);
    sgemm::launch(dev, cfg, mu, nu, ku, alpha, &da, &db, beta, &mut dc).map_err(e)?;
    let got: Vec<f32> = dc.download().map_err(e)?.into_iter().flatten().collect();
    // Check a sample of rows (all of them for small shapes).
    let rows: Vec<usize> = if m * n <= 1 << 16 { (0..m).collect() } else { (0..m).step_by(m / 61 + 1).collect() };
    for &i in &rows {
        for j in 0..n {
            let mut dot = 0.0f64;
            let mut mag = 0.0f64;
            for p in 0..k {
                let t = a[i * k + p] as f64 * b[p * n + j] as f64;
                dot += t;
                mag += t.abs();
            }
            let want = alpha as f64 * dot + beta as f64 * c0[i * n + j] as f64;
            let g = got[i * n + j] as f64;
            let tol = 1e-5 * (mag + c0[i * n + j].abs() as f64) + 1e-6;
            if (g - want).abs() > tol {
                return Err(format!("sgemm {m}x{n}x{k}: C[{i}][{j}] = {g}, want {want} (tolerance {tol:e})"));
            }
        }
    }
    let reps = if dev.is_emulator() { 1 } else { 20 };
    let t = common::median_time(
        reps,
        || sgemm::launch(dev, cfg, mu, nu, ku, alpha, &da, &db, beta, &mut dc),
        || dev.synchronize(),
    )
    .map_err(e)?;
    let seconds = t.as_secs_f64();
    Ok(Report { m, n, k, seconds, tflops: 2.0 * (m * n * k) as f64 / seconds / 1e12 })
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("sgemm: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let (m, n, k) = if dev.is_emulator() { (256, 256, 64) } else { (8192, 8192, 8192) };
    match run(&dev, m, n, k) {
        Ok(r) => println!(
            "sgemm OK: {}x{}x{} checked; {:.3} ms per launch, {:.2} TFLOP/s",
            r.m,
            r.n,
            r.k,
            r.seconds * 1e3,
            r.tflops
        ),
        Err(e) => {
            eprintln!("sgemm FAILED: {e}");
            std::process::exit(1);
        }
    }
}
