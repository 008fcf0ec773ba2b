//! The two ceilings, measured in the same run as the kernels: device-memory bandwidth (a device-to-device copy of a
//! 1 GiB buffer, bytes read + written over time) and FP32 arithmetic (cuBLAS SGEMM, M = N = K = 4096, random data).

use ptx_kernel::Device;

use crate::common::Rng;
use crate::gpu::{self, Cublas, Event};
use crate::harness::Plan;
use crate::stats::{self, Summary};

/// What a ceiling measurement gave.
pub struct Ceiling {
    /// e.g. `cuMemcpyDtoDAsync, 1 GiB`.
    pub what: String,
    pub summary: Summary,
    pub times: Vec<Vec<f64>>,
    /// Bytes moved (copy) or floating-point operations (SGEMM) per repetition.
    pub work: f64,
    /// GB/s (copy) or TFLOP/s (SGEMM), from the median.
    pub rate: f64,
    /// One-off costs worth reporting, e.g. `cublasCreate` time.
    pub notes: Vec<(String, f64)>,
}

fn rt<T>(what: &str, r: ptx_kernel::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

/// Times `op` (one enqueue on the legacy default stream) `plan.rounds × plan.reps` times with events, after
/// `plan.warmup` untimed calls; returns the per-round seconds.
fn time_op(plan: &Plan, mut op: impl FnMut() -> Result<(), String>) -> Result<Vec<Vec<f64>>, String> {
    let reps = plan.reps.max(1);
    let starts: Vec<Event> = (0..reps).map(|_| Event::new()).collect::<Result<_, _>>()?;
    let stops: Vec<Event> = (0..reps).map(|_| Event::new()).collect::<Result<_, _>>()?;
    let mut rounds = Vec::new();
    for _ in 0..plan.rounds.max(1) {
        for _ in 0..plan.warmup {
            op()?;
        }
        for r in 0..reps {
            starts[r].record()?;
            op()?;
            stops[r].record()?;
        }
        stops[reps - 1].synchronize()?;
        rounds.push((0..reps).map(|r| stops[r].seconds_since(&starts[r])).collect::<Result<Vec<_>, _>>()?);
    }
    gpu::ctx_synchronize()?;
    Ok(rounds)
}

/// Device-to-device copy bandwidth of a `bytes`-byte buffer (a multiple of 64 MiB), filled with random data.
pub fn copy_bandwidth(dev: &Device, plan: &Plan, bytes: usize) -> Result<Ceiling, String> {
    const CHUNK: usize = 1 << 24; // f32 elements: 64 MiB
    let n = bytes / 4;
    assert!(n.is_multiple_of(CHUNK) && n > 0, "copy size must be a multiple of 64 MiB");
    let host_chunk = Rng::new(0xC0B1).f32_vec(CHUNK);
    let chunk = rt("uploading the copy's source", dev.upload(&host_chunk))?;
    let src = rt("allocating the copy's source", dev.alloc_zeros::<f32>(n))?;
    let dst = rt("allocating the copy's destination", dev.alloc_zeros::<f32>(n))?;
    for i in 0..n / CHUNK {
        gpu::copy_dtod_async(src.device_ptr() + (i * CHUNK * 4) as u64, chunk.device_ptr(), CHUNK * 4)?;
    }
    let times = time_op(plan, || gpu::copy_dtod_async(dst.device_ptr(), src.device_ptr(), bytes))?;
    // The last 64 MiB of the destination must be the random chunk.
    let mut back = vec![0f32; CHUNK];
    gpu::read_f32(dst.device_ptr() + ((n - CHUNK) * 4) as u64, &mut back)?;
    if back.iter().zip(&host_chunk).any(|(a, b)| a.to_bits() != b.to_bits()) {
        return Err("the device-to-device copy did not copy the data".to_owned());
    }
    let summary = stats::summarize(&times);
    let work = 2.0 * bytes as f64;
    Ok(Ceiling {
        what: format!("cuMemcpyDtoDAsync, {} MiB (read + write)", bytes >> 20),
        rate: stats::gbps(work, summary.median),
        summary,
        times,
        work,
        notes: Vec::new(),
    })
}

/// cuBLAS SGEMM C = A·B, all `n×n` column-major, random A and B; checked on 64 sampled elements against f64.
pub fn sgemm(dev: &Device, plan: &Plan, n: usize) -> Result<Ceiling, String> {
    let mut rng = Rng::new(0x5E_6E);
    let a = rng.f32_vec(n * n);
    let b = rng.f32_vec(n * n);
    let da = rt("uploading A", dev.upload(&a))?;
    let db = rt("uploading B", dev.upload(&b))?;
    let dc = rt("uploading C", dev.upload(&vec![f32::NAN; n * n]))?;
    let (blas, create_s) = Cublas::new()?;
    let version = blas.version()?;
    let ni = n as i32;
    blas.sgemm(ni, ni, ni, da.device_ptr(), db.device_ptr(), dc.device_ptr())?;
    gpu::ctx_synchronize().map_err(|e| format!("after the first SGEMM: {e}"))?;
    let c = rt("downloading C", dc.download())?;
    for _ in 0..64 {
        let (i, j) = ((rng.next_u64() % n as u64) as usize, (rng.next_u64() % n as u64) as usize);
        let (mut want, mut scale) = (0f64, 0f64);
        for l in 0..n {
            let p = a[i + l * n] as f64 * b[l + j * n] as f64;
            want += p;
            scale += p.abs();
        }
        let got = c[i + j * n] as f64;
        // FP32 accumulation over K terms: error far below 1e-4 of the sum of magnitudes.
        if got.is_nan() || (got - want).abs() > 1e-4 * scale + 1e-6 {
            return Err(format!("cuBLAS SGEMM: C[{i},{j}] = {got:e}, the CPU (f64) gives {want:e}"));
        }
    }
    let times = time_op(plan, || blas.sgemm(ni, ni, ni, da.device_ptr(), db.device_ptr(), dc.device_ptr()))?;
    let summary = stats::summarize(&times);
    let work = 2.0 * (n as f64).powi(3);
    Ok(Ceiling {
        what: format!(
            "cuBLAS {}.{}.{} SGEMM {n}×{n}×{n} (FP32, default math)",
            version / 10000,
            version / 100 % 100,
            version % 100
        ),
        rate: stats::tflops(work, summary.median),
        summary,
        times,
        work,
        notes: vec![("cublasCreate (wall)".to_owned(), create_s)],
    })
}
