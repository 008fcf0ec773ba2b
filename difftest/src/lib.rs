//! Differential testing with rustc as the oracle.
//!
//! The build script writes random kernels (`gen/`), each twice: under `#[ptx_kernel]` and as a plain host
//! function with the same body, compiled by rustc without overflow checks (the workspace's profile says so for
//! this crate), which is how kernels behave. [`run`] launches every kernel on a device with random inputs biased to
//! edge values, runs the host copy for every thread under `catch_unwind`, and compares:
//!
//! - the integer results (`out_u`) bit for bit;
//! - the exact float results (`out_f`: `+ - * /`, `sqrt`, `mul_add`, rounding, casts, `min`/`max`, …) bit for bit,
//!   any NaN matching any NaN (payloads are unspecified; the generator calls float `min`/`max` with a non-zero
//!   literal, since with two zeros Rust leaves the sign of the result unspecified);
//! - the transcendental result (`out_t`) within the method's documented ulp bound ([`ulp_bound`]): f64 results
//!   against the host's f64 method, f32 results against the host's f64 method on the same argument rounded once to
//!   f32 (as the bounds are measured), `powi` bit for bit against the host's;
//! - panics: a kernel panics exactly when some host thread panics, and the reported thread is one that panicked on
//!   the host with the same message at the same line and column of the body.
//!
//! `DIFFTEST_SEED` and `DIFFTEST_KERNELS` (build time) choose the kernels; `DIFFTEST_THREADS` (run time) the
//! threads per kernel, `DIFFTEST_ONLY=k3,k17` a subset, `DIFFTEST_SHOW=N` how many mismatching kernels are printed
//! with their source (and their PTX with `DIFFTEST_SHOW_PTX=1`). `DIFFTEST_NO_SOURCES=1` (build time) leaves the
//! sources out of the binary, for runs of many thousand kernels: any kernel is printed again by building with the
//! same seed and `DIFFTEST_ONLY`.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use ptx_kernel::prelude::*;

/// The inputs of one kernel, on the host.
pub struct HostInputs {
    pub i8: Vec<i8>,
    pub i16: Vec<i16>,
    pub i32: Vec<i32>,
    pub i64: Vec<i64>,
    pub u8: Vec<u8>,
    pub u16: Vec<u16>,
    pub u32: Vec<u32>,
    pub u64: Vec<u64>,
    pub f32: Vec<f32>,
    pub f64: Vec<f64>,
}

/// The same inputs on the device.
pub struct DeviceInputs {
    pub i8: DeviceBuffer<i8>,
    pub i16: DeviceBuffer<i16>,
    pub i32: DeviceBuffer<i32>,
    pub i64: DeviceBuffer<i64>,
    pub u8: DeviceBuffer<u8>,
    pub u16: DeviceBuffer<u16>,
    pub u32: DeviceBuffer<u32>,
    pub u64: DeviceBuffer<u64>,
    pub f32: DeviceBuffer<f32>,
    pub f64: DeviceBuffer<f64>,
}

/// The outputs of one kernel on the host: four integer and four exact float results per thread, and one
/// transcendental result.
#[derive(Clone)]
pub struct HostOutputs {
    pub u: Vec<u64>,
    pub f: Vec<f64>,
    pub t: Vec<f64>,
}

/// The outputs on the device.
pub struct DeviceOutputs {
    pub u: DeviceBuffer<u64>,
    pub f: DeviceBuffer<f64>,
    pub t: DeviceBuffer<f64>,
}

/// One generated kernel and its host copy.
pub struct Case {
    pub name: &'static str,
    /// The kernel and its host copy (empty when built with `DIFFTEST_NO_SOURCES=1`).
    pub source: &'static str,
    pub ptx: &'static str,
    pub host_line_offset: usize,
    pub approx: &'static str,
    pub approx_f32: bool,
    pub launch: fn(&Device, LaunchConfig, &DeviceInputs, &mut DeviceOutputs) -> ptx_kernel::Result<()>,
    pub host: fn(usize, &HostInputs, &mut HostOutputs),
    pub preload: fn(&Device) -> ptx_kernel::Result<()>,
}

#[allow(clippy::all, unused_imports)]
mod cases {
    use super::{Case, DeviceInputs, DeviceOutputs, HostInputs, HostOutputs};
    use ptx_kernel::prelude::*;
    include!(concat!(env!("OUT_DIR"), "/cases.rs"));
}

pub use cases::{CASES, SEED};

// ----- inputs ---------------------------------------------------------------------------------------------------

// The generator's random numbers (SplitMix64), for the inputs too; the rest of the generator is the build script's.
#[path = "../gen/mod.rs"]
#[allow(dead_code)]
mod gen;

use gen::Rng;

/// `bits`-bit integers: 0, ±1, MIN, MAX, their neighbours, ± powers of two, small values and random bits.
fn int_bits(rng: &mut Rng, bits: u32, signed: bool) -> u64 {
    let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let min = if signed { 1u64 << (bits - 1) } else { 0 };
    let max = if signed { min - 1 } else { mask };
    let r = rng.next();
    let v = match r % 16 {
        0 => 0,
        1 => 1,
        2 => mask, // -1 or MAX
        3 => min,
        4 => max,
        5 => min.wrapping_add(1),
        6 => max.wrapping_sub(1),
        7 => 1u64 << ((r >> 8) % bits as u64),
        8 => (1u64 << ((r >> 8) % bits as u64)).wrapping_neg(),
        9 | 10 => ((r >> 8) % 33).wrapping_sub(16),
        _ => r >> 7,
    };
    v & mask
}

/// f32 values: ±0, ±1, ±0.5, ±inf, NaN, subnormals, MAX, MIN_POSITIVE, values near the integer types' edges,
/// moderate values and random bits.
fn f32_value(rng: &mut Rng) -> f32 {
    let r = rng.next();
    let sign = if r & 1 == 1 { -1.0 } else { 1.0 };
    sign * match (r >> 1) % 14 {
        0 => 0.0,
        1 => 1.0,
        2 => 0.5,
        3 => f32::INFINITY,
        4 => f32::NAN,
        5 => f32::from_bits(((r >> 8) as u32) & 0x007F_FFFF | 1),
        6 => f32::MAX,
        7 => f32::MIN_POSITIVE,
        8 => [127.5, 128.0, 255.5, 32767.5, 65535.5, 2147483520.0, 2147483648.0, 4294967040.0, 9.223372e18]
            [(r >> 8) as usize % 9],
        9 | 10 => ((r >> 8) % 4001) as f32 / 8.0 - 250.0,
        _ => {
            let v = f32::from_bits((r >> 16) as u32);
            if v.is_nan() {
                1.5
            } else {
                v.abs()
            }
        }
    }
}

/// f64 values, as [`f32_value`].
fn f64_value(rng: &mut Rng) -> f64 {
    let r = rng.next();
    let sign = if r & 1 == 1 { -1.0 } else { 1.0 };
    sign * match (r >> 1) % 14 {
        0 => 0.0,
        1 => 1.0,
        2 => 0.5,
        3 => f64::INFINITY,
        4 => f64::NAN,
        5 => f64::from_bits(rng.next() & 0x000F_FFFF_FFFF_FFFF | 1),
        6 => f64::MAX,
        7 => f64::MIN_POSITIVE,
        8 => [127.5, 255.5, 32767.5, 65535.5, 2147483647.5, 4294967295.5, 9.223372036854775e18, 1.8446744073709552e19]
            [(r >> 8) as usize % 8],
        9 | 10 => ((r >> 8) % 4001) as f64 / 8.0 - 250.0,
        _ => {
            let v = f64::from_bits(rng.next());
            if v.is_nan() {
                1.5
            } else {
                v.abs()
            }
        }
    }
}

/// Inputs for `n` threads, from `seed`.
pub fn inputs(n: usize, seed: u64) -> HostInputs {
    let mut rng = Rng::new(seed);
    let mut ints = |bits, signed| (0..n).map(|_| int_bits(&mut rng, bits, signed)).collect::<Vec<u64>>();
    let i8 = ints(8, true).into_iter().map(|v| v as u8 as i8).collect();
    let i16 = ints(16, true).into_iter().map(|v| v as u16 as i16).collect();
    let i32 = ints(32, true).into_iter().map(|v| v as u32 as i32).collect();
    let i64 = ints(64, true).into_iter().map(|v| v as i64).collect();
    let u8 = ints(8, false).into_iter().map(|v| v as u8).collect();
    let u16 = ints(16, false).into_iter().map(|v| v as u16).collect();
    let u32 = ints(32, false).into_iter().map(|v| v as u32).collect();
    let u64 = ints(64, false);
    let f32 = (0..n).map(|_| f32_value(&mut rng)).collect();
    let f64 = (0..n).map(|_| f64_value(&mut rng)).collect();
    HostInputs { i8, i16, i32, i64, u8, u16, u32, u64, f32, f64 }
}

fn upload(dev: &Device, h: &HostInputs) -> ptx_kernel::Result<DeviceInputs> {
    Ok(DeviceInputs {
        i8: dev.upload(&h.i8)?,
        i16: dev.upload(&h.i16)?,
        i32: dev.upload(&h.i32)?,
        i64: dev.upload(&h.i64)?,
        u8: dev.upload(&h.u8)?,
        u16: dev.upload(&h.u16)?,
        u32: dev.upload(&h.u32)?,
        u64: dev.upload(&h.u64)?,
        f32: dev.upload(&h.f32)?,
        f64: dev.upload(&h.f64)?,
    })
}

/// What the outputs hold before a launch: every slot a thread does not write keeps it, on both sides.
fn poisoned(n: usize) -> HostOutputs {
    HostOutputs {
        u: vec![0xA5A5_5A5A_DEAD_BEEF; 4 * n],
        f: vec![f64::from_bits(0x4321_2345_6789_ABCD); 4 * n],
        t: vec![f64::from_bits(0x4321_2345_6789_ABCD); n],
    }
}

// ----- the host side --------------------------------------------------------------------------------------------

/// A panic of the host copy: Rust's message and the location's line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPanic {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<HostPanic>> = const { RefCell::new(None) };
}

/// Replaces the panic hook by one that records the panic for [`run`] instead of printing it (other panics, such
/// as a failing assertion of the caller, still print).
fn install_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let recording = LAST_PANIC.with(|p| p.borrow().is_none()) && RECORDING.with(|r| *r.borrow());
        if !recording {
            return default(info);
        }
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_owned(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        let (line, col) = info.location().map_or((0, 0), |l| (l.line(), l.column()));
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(HostPanic { message, line, col }));
    }));
}

thread_local! {
    static RECORDING: RefCell<bool> = const { RefCell::new(false) };
}

/// Runs the host copy for every thread; returns the outputs and each thread's panic.
fn run_host(case: &Case, inputs: &HostInputs, n: usize) -> (HostOutputs, Vec<Option<HostPanic>>) {
    let mut out = poisoned(n);
    let mut panics = vec![None; n];
    RECORDING.with(|r| *r.borrow_mut() = true);
    for (i, slot) in panics.iter_mut().enumerate() {
        LAST_PANIC.with(|p| *p.borrow_mut() = None);
        if catch_unwind(AssertUnwindSafe(|| (case.host)(i, inputs, &mut out))).is_err() {
            *slot = LAST_PANIC.with(|p| p.borrow_mut().take());
        }
    }
    RECORDING.with(|r| *r.borrow_mut() = false);
    (out, panics)
}

// ----- comparison -----------------------------------------------------------------------------------------------

/// The documented bound in ulps of the transcendental method `f` (`src/gpu.rs`, "Float methods and their
/// precision"), for f32 or f64 results.
pub fn ulp_bound(f: &str, f32_: bool) -> u64 {
    if f32_ {
        return if f == "powi" { 0 } else { 1 };
    }
    match f {
        "powi" => 0,
        "exp" | "exp2" | "ln" | "log2" | "sin" | "cos" | "powf" => 1,
        "log10" | "hypot" => 2,
        "tan" | "tanh" => 3,
        _ => 0,
    }
}

/// Distance in ulps between two floats of the same type given as ordered bit patterns.
fn ulps(a: f64, b: f64, f32_: bool) -> u64 {
    let key = |x: f64| -> i128 {
        if f32_ {
            let b = (x as f32).to_bits() as i32;
            (if b < 0 { i32::MIN - b } else { b }) as i128
        } else {
            let b = x.to_bits() as i64;
            (if b < 0 { i64::MIN - b } else { b }) as i128
        }
    };
    (key(a) - key(b)).unsigned_abs() as u64
}

fn same_float(got: f64, want: f64) -> bool {
    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan())
}

/// One disagreement.
#[derive(Clone, Debug)]
pub struct Mismatch {
    pub kernel: &'static str,
    pub what: String,
}

/// The result of a run.
#[derive(Default)]
pub struct Report {
    pub kernels: usize,
    pub threads: usize,
    /// Compared values (9 per thread) and panics.
    pub cases: u64,
    pub kernels_panicking: usize,
    pub mismatching_kernels: Vec<&'static str>,
    pub mismatches: Vec<Mismatch>,
    pub mismatch_count: u64,
    /// Seconds spent loading (JIT-compiling) the modules, included in `seconds`.
    pub load_seconds: f64,
    pub seconds: f64,
}

/// Compares one kernel's run against the host copy; pushes what differs.
fn compare(
    case: &Case,
    n: usize,
    got: &HostOutputs,
    got_panic: Option<&ptx_kernel::Error>,
    want: &HostOutputs,
    want_panics: &[Option<HostPanic>],
    block: u32,
) -> Vec<String> {
    let mut diffs = Vec::new();
    for k in 0..4 * n {
        if got.u[k] != want.u[k] {
            diffs.push(format!("thread {} out_u[{}]: got {:#x}, want {:#x}", k / 4, k % 4, got.u[k], want.u[k]));
        }
        if !same_float(got.f[k], want.f[k]) {
            diffs.push(format!(
                "thread {} out_f[{}]: got {:e} ({:#x}), want {:e} ({:#x})",
                k / 4,
                k % 4,
                got.f[k],
                got.f[k].to_bits(),
                want.f[k],
                want.f[k].to_bits()
            ));
        }
    }
    let bound = ulp_bound(case.approx, case.approx_f32);
    for i in 0..n {
        let (g, w) = (got.t[i], want.t[i]);
        // Infinities count as one ulp beyond the largest finite value (a result at the edge of overflow).
        let ok = same_float(g, w) || (!g.is_nan() && !w.is_nan() && ulps(g, w, case.approx_f32) <= bound);
        if !ok {
            diffs.push(format!(
                "thread {i} out_t ({}, bound {bound} ulp): got {g:e} ({:#x}), want {w:e} ({:#x}), {} ulp",
                case.approx,
                g.to_bits(),
                w.to_bits(),
                ulps(g, w, case.approx_f32)
            ));
        }
    }
    let host_panicked: Vec<usize> = (0..n).filter(|&i| want_panics[i].is_some()).collect();
    match got_panic {
        None if host_panicked.is_empty() => {}
        None => {
            let i = host_panicked[0];
            diffs.push(format!(
                "no kernel panic, but {} host threads panicked (thread {i}: {:?})",
                host_panicked.len(),
                want_panics[i]
            ));
        }
        Some(ptx_kernel::Error::KernelPanic { message, location, block: b, thread, .. }) => {
            let tid = (b.0 * block + thread.0) as usize;
            let mut parts = location.rsplitn(3, ':');
            let col: u32 = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
            let line: u32 = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
            let mapped = HostPanic { message: message.clone(), line: line + case.host_line_offset as u32, col };
            match want_panics.get(tid) {
                Some(Some(p)) if *p == mapped => {}
                Some(Some(p)) => diffs.push(format!(
                    "thread {tid} panicked with `{message}` at {location} (host line {}), the host with `{}` at \
                     line {} col {}",
                    mapped.line, p.message, p.line, p.col
                )),
                _ => diffs.push(format!(
                    "thread {tid} panicked with `{message}` at {location}; that host thread did not panic ({} did)",
                    host_panicked.len()
                )),
            }
        }
        Some(e) => diffs.push(format!("the kernel failed: {e}")),
    }
    diffs
}

/// The cases `DIFFTEST_ONLY` selects (all when unset).
pub fn selected() -> Vec<&'static Case> {
    let only: Vec<String> = std::env::var("DIFFTEST_ONLY")
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    CASES.iter().filter(|c| only.is_empty() || only.iter().any(|o| o == c.name)).collect()
}

/// Runs `cases` on `dev` with `n` threads each (blocks of 128) and compares every one with its host copy. The host
/// copies run on every core, a chunk of kernels at a time, while the device runs the kernels one after another (a
/// panic is reported by the device for whatever launched last, so launches are not overlapped).
pub fn run(dev: &Device, cases: &[&'static Case], n: usize) -> ptx_kernel::Result<Report> {
    const CHUNK: usize = 128;
    install_hook();
    let start = Instant::now();
    let load_errors = parallel_map(cases, |case| (case.preload)(dev).err());
    let load_seconds = start.elapsed().as_secs_f64();
    let block = 128u32;
    let cfg =
        LaunchConfig { grid_dim: ((n as u32).div_ceil(block), 1, 1), block_dim: (block, 1, 1), shared_mem_bytes: 0 };
    let mut report = Report { threads: n, load_seconds, ..Report::default() };
    let indices: Vec<usize> = (0..cases.len()).collect();
    for chunk in indices.chunks(CHUNK) {
        let host = parallel_map(chunk, |&k| {
            let host_in = inputs(n, SEED ^ (k as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D) ^ hash(cases[k].name));
            let (want, want_panics) = run_host(cases[k], &host_in, n);
            (host_in, want, want_panics)
        });
        for (&k, (host_in, want, want_panics)) in chunk.iter().zip(host) {
            let case = cases[k];
            report.kernels += 1;
            let diffs = match &load_errors[k] {
                Some(e) => vec![format!("the module did not load: {e}")],
                None => {
                    let dev_in = upload(dev, &host_in)?;
                    let poison = poisoned(n);
                    let mut out = DeviceOutputs {
                        u: dev.upload(&poison.u)?,
                        f: dev.upload(&poison.f)?,
                        t: dev.upload(&poison.t)?,
                    };
                    let launched = (case.launch)(dev, cfg, &dev_in, &mut out);
                    // The panic (or launch error) is reported by the first synchronizing call; the outputs after it.
                    let status = launched.and_then(|()| dev.synchronize()).err();
                    let got = HostOutputs { u: out.u.download()?, f: out.f.download()?, t: out.t.download()? };
                    compare(case, n, &got, status.as_ref(), &want, &want_panics, block)
                }
            };
            report.cases += 9 * n as u64 + 1;
            if want_panics.iter().any(Option::is_some) {
                report.kernels_panicking += 1;
            }
            if !diffs.is_empty() {
                report.mismatching_kernels.push(case.name);
                report.mismatch_count += diffs.len() as u64;
                for d in diffs.into_iter().take(4) {
                    report.mismatches.push(Mismatch { kernel: case.name, what: d });
                }
            }
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

/// `f` over `items` on every core (at most 32 threads), in order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 32);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<R>>> = items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers.min(items.len()) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(k) else { break };
                let r = f(item);
                *slots[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            });
        }
    });
    slots.into_iter().filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner())).collect()
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01B3))
}

impl Report {
    /// The summary line and the first `show` mismatching kernels with their mismatches and source.
    pub fn render(&self, dev: &Device, show: usize) -> String {
        let mut s = String::new();
        let (mean, max) = ptx_sizes(&CASES.iter().collect::<Vec<_>>());
        let _ = writeln!(s, "difftest: PTX {mean} bytes per kernel on average, {max} at most");
        let _ = writeln!(
            s,
            "difftest: {} kernels x {} threads on {} (seed {SEED:#x}): {} values and panics compared, {} kernels \
             with panics, {} mismatches in {} kernels, {:.1} s ({:.1} s loading)",
            self.kernels,
            self.threads,
            dev.name(),
            self.cases,
            self.kernels_panicking,
            self.mismatch_count,
            self.mismatching_kernels.len(),
            self.seconds,
            self.load_seconds
        );
        for name in self.mismatching_kernels.iter().take(show) {
            let _ = writeln!(s, "---- {name}");
            for m in self.mismatches.iter().filter(|m| m.kernel == *name) {
                let _ = writeln!(s, "  {}", m.what);
            }
            if let Some(c) = CASES.iter().find(|c| c.name == *name) {
                let kernel_only = c.source.split("\n\n").next().unwrap_or(c.source);
                let _ = writeln!(s, "{kernel_only}");
                if std::env::var_os("DIFFTEST_SHOW_PTX").is_some() {
                    let _ = writeln!(s, "{}", c.ptx);
                }
            }
        }
        if self.mismatching_kernels.len() > show {
            let _ = writeln!(s, "mismatching kernels: {}", self.mismatching_kernels.join(","));
        }
        s
    }
}

/// `x + 1` compiled in this crate: wraps when the crate's overflow checks are off, as its host copies need.
pub fn wrapping_probe(x: i32) -> i32 {
    #[allow(clippy::arithmetic_side_effects)]
    let y = x + 1;
    y
}

/// Mean and largest PTX size of the cases, in bytes.
pub fn ptx_sizes(cases: &[&Case]) -> (usize, usize) {
    let total: usize = cases.iter().map(|c| c.ptx.len()).sum();
    (total / cases.len().max(1), cases.iter().map(|c| c.ptx.len()).max().unwrap_or(0))
}
