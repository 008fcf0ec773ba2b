//! The benchmark suite: every example kernel side by side with a CUDA C++ reference (NVRTC) doing the same
//! algorithm with the same launch configuration, in one process, against two ceilings measured in the same run
//! (device-to-device copy bandwidth and cuBLAS SGEMM). See docs/benchmarks.md for the method.
//!
//! ```text
//! cargo run --release --example bench                  # on a CUDA GPU; writes $BENCH_OUT/bench.{md,json}
//! cargo run --release --example bench -- --dry-run      # no GPU: self-check of the suite on the emulator
//! cargo test --release --example bench                  # unit tests of the pure parts
//! ```
//!
//! The code: `bench/suite.rs` (the table of kernels: add one there), `bench/harness.rs` (check and timing of one
//! entry), `bench/ceilings.rs`, `bench/gpu.rs` (driver, NVRTC and cuBLAS calls), `bench/stats.rs`,
//! `bench/report.rs` (tables, JSON).
// The examples included below each bring their own copy of `common` (small helpers).
#![allow(clippy::duplicate_mod)]

mod common;

// Our kernels are the examples' own, included whole (their `run` and `main` are unused here).
#[allow(dead_code)]
#[path = "bf16_gemv.rs"]
mod bf16_gemv_example;
#[allow(dead_code)]
#[path = "histogram.rs"]
mod histogram_example;
#[allow(dead_code)]
#[path = "reduce_sum.rs"]
mod reduce_sum_example;
#[allow(dead_code)]
#[path = "saxpy.rs"]
mod saxpy_example;
#[allow(dead_code)]
#[path = "scan.rs"]
mod scan_example;
#[allow(dead_code)]
#[path = "sgemm.rs"]
mod sgemm_example;
#[allow(dead_code)]
#[path = "softmax.rs"]
mod softmax_example;
#[allow(dead_code)]
#[path = "transpose.rs"]
mod transpose_example;
#[allow(dead_code)]
#[path = "vector_add.rs"]
mod vector_add_example;
#[allow(dead_code)]
#[path = "warp_specialized.rs"]
mod warp_specialized_example;

#[path = "bench/ceilings.rs"]
mod ceilings;
#[path = "bench/chart.rs"]
mod chart;
#[path = "bench/gpu.rs"]
mod gpu;
#[path = "bench/harness.rs"]
mod harness;
#[path = "bench/report.rs"]
mod report;
#[path = "bench/stats.rs"]
mod stats;
#[path = "bench/suite.rs"]
mod suite;
#[path = "bench/vec4.rs"]
mod vec4;

use std::path::PathBuf;
use std::time::Instant;

use ptx_kernel::Device;

use ceilings::Ceiling;
use harness::{Bench, Bound, Measured, Plan};
use report::{fixed, Json, Table};
use suite::Sizes;

const USAGE: &str = "\
usage: bench [--dry-run] [--reps N] [--only NAME[,NAME...]] [--ptx NAME]
  --dry-run   no GPU: say the benchmark needs a CUDA device, self-check the suite's kernels on the emulator, exit 0
  --reps N    timed launches per round and implementation (default 30, at least 20 for a real measurement)
  --only      run only these kernels (the ceilings are always measured)
  --ptx NAME  print our PTX and the CUDA C++ reference of kernel NAME, then exit
env: BENCH_OUT (default target/bench) gets bench.md, bench.json and bench.svg; PTX_KERNEL_DEVICE picks the device;
     CUDA_CACHE_DISABLE is set to 1 unless already set, so module loads are cold JIT compilations";

/// The module loaded once before any measured load.
const JIT_WARM_UP_PTX: &str =
    ".version 6.0\n.target sm_52\n.address_size 64\n.visible .entry warm_up()\n{\n\tret;\n}\n";

/// Bytes of the copy ceiling's buffer.
const COPY_BYTES: usize = 1 << 30;
/// M = N = K of the SGEMM ceiling.
const SGEMM_N: usize = 4096;

#[derive(Debug, PartialEq)]
struct Options {
    help: bool,
    dry_run: bool,
    reps: usize,
    only: Vec<String>,
    ptx: Option<String>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut o = Options { help: false, dry_run: false, reps: 30, only: Vec::new(), ptx: None };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "-h" | "--help" => o.help = true,
            "--dry-run" => o.dry_run = true,
            "--reps" => {
                let v = value("--reps")?;
                o.reps =
                    v.parse().ok().filter(|&n| n > 0).ok_or_else(|| format!("--reps: not a positive count: {v}"))?;
            }
            "--only" => o.only.extend(value("--only")?.split(',').map(|s| s.trim().to_owned())),
            "--ptx" => o.ptx = Some(value("--ptx")?),
            // `cargo bench`-style harness flags are ignored.
            "--bench" => {}
            _ => return Err(format!("unknown argument `{a}`")),
        }
    }
    Ok(o)
}

fn selected(opts: &Options, sizes: Sizes) -> Result<Vec<Bench>, String> {
    let all = suite::suite(sizes);
    for name in &opts.only {
        if !all.iter().any(|b| b.name == name) {
            let names: Vec<&str> = all.iter().map(|b| b.name).collect();
            return Err(format!("--only: no kernel `{name}` (the suite has {})", names.join(", ")));
        }
    }
    Ok(all.into_iter().filter(|b| opts.only.is_empty() || opts.only.iter().any(|n| n == b.name)).collect())
}

fn main() {
    let opts = parse_args(std::env::args().skip(1)).unwrap_or_else(|e| {
        eprintln!("bench: {e}\n{USAGE}");
        std::process::exit(2)
    });
    if opts.help {
        println!("{USAGE}");
        return;
    }
    if !opts.dry_run {
        if let Some(code) = library_shim() {
            std::process::exit(code);
        }
    }
    if let Some(name) = &opts.ptx {
        let all = suite::suite(Sizes::EMULATOR);
        let Some(b) = all.iter().find(|b| b.name == name) else {
            eprintln!("bench: --ptx: no kernel `{name}`");
            std::process::exit(2)
        };
        println!(
            "// ---- ours: {} ----\n{}\n// ---- reference: {} ----\n{}",
            b.ours.entry, b.ours.ptx, b.reference.entry, b.reference.source
        );
        // NVRTC needs no GPU: show the reference's PTX too when the library loads.
        if gpu::nvrtc_present() {
            match gpu::nvrtc_compile(b.reference.source, b.reference.entry, "compute_90") {
                Ok((ptx, s)) => println!("// ---- reference PTX (NVRTC, compute_90, {:.1} ms) ----\n{ptx}", s * 1e3),
                Err(e) => println!("// ---- reference PTX: {e}"),
            }
        } else {
            println!("// ---- reference PTX: {}", gpu::missing_library("nvrtc"));
        }
        return;
    }
    if opts.dry_run {
        std::process::exit(no_gpu("--dry-run was given", &opts));
    }
    // Cold JIT for every module load (ours and the references alike), whatever earlier programs left in the cache.
    let cache = match std::env::var("CUDA_CACHE_DISABLE") {
        Ok(v) => format!("CUDA_CACHE_DISABLE={v} (from the environment)"),
        Err(_) => {
            // Single-threaded here, before the driver is loaded.
            std::env::set_var("CUDA_CACHE_DISABLE", "1");
            "CUDA_CACHE_DISABLE=1 (set by the benchmark: module loads are cold JIT compilations)".to_owned()
        }
    };
    let dev = match Device::from_env() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bench: FAILED: could not open a device: {e}");
            std::process::exit(1)
        }
    };
    if dev.is_emulator() {
        std::process::exit(no_gpu("Device::from_env() gave the CPU emulator", &opts));
    }
    std::process::exit(run(&dev, &opts, &cache));
}

/// cudarc looks for `libnvrtc.so` / `libcublas.so` (and `.so.12`, …), but a CUDA 13 installation without the
/// development links has only `libnvrtc.so.13` / `libcublas.so.13`. When a library is missing under cudarc's names
/// and a versioned file exists, this links the unversioned name to it in a temporary folder and runs the benchmark
/// again with that folder (and the library's own) first on `LD_LIBRARY_PATH` (the dynamic loader reads the variable
/// only at start). Returns the child's exit code, or `None` when nothing needed doing (or could be done: then the
/// missing library is reported as an error later).
fn library_shim() -> Option<i32> {
    if std::env::var_os("BENCH_LIB_SHIM").is_some() {
        return None; // Already re-run once.
    }
    let ld = std::env::var("LD_LIBRARY_PATH").ok();
    let dirs = gpu::library_dirs(ld.as_deref());
    let found: Vec<(&str, PathBuf)> = [("nvrtc", gpu::nvrtc_present()), ("cublas", gpu::cublas_present())]
        .into_iter()
        .filter(|(_, present)| !present)
        .filter_map(|(name, _)| gpu::find_versioned(name, &dirs).map(|p| (name, p)))
        .collect();
    if found.is_empty() {
        return None;
    }
    let shim = std::env::temp_dir().join(format!("ptx-kernel-bench-libs-{}", std::process::id()));
    let mut path = vec![shim.display().to_string()];
    let made = std::fs::create_dir_all(&shim).and_then(|()| {
        for (name, target) in &found {
            std::os::unix::fs::symlink(target, shim.join(format!("lib{name}.so")))?;
            if let Some(dir) = target.parent() {
                path.push(dir.display().to_string());
            }
        }
        Ok(())
    });
    if let Err(e) = made {
        eprintln!("bench: could not link the CUDA libraries in {}: {e}", shim.display());
        let _ = std::fs::remove_dir_all(&shim);
        return None;
    }
    path.extend(ld);
    let path = path.join(":");
    for (name, target) in &found {
        println!("bench: cudarc finds no lib{name}.so; using {} (linked in {})", target.display(), shim.display());
    }
    println!("bench: running again with LD_LIBRARY_PATH={path}");
    let status = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("LD_LIBRARY_PATH", &path)
            .env("BENCH_LIB_SHIM", &shim)
            .status()
    });
    let _ = std::fs::remove_dir_all(&shim);
    match status {
        Ok(s) => Some(s.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("bench: FAILED: could not run the benchmark again: {e}");
            Some(1)
        }
    }
}

/// The no-GPU path: says so, self-checks our side of every entry on the emulator, and returns the exit code (0
/// unless an entry is broken).
fn no_gpu(reason: &str, opts: &Options) -> i32 {
    println!("bench: needs a CUDA device ({reason}); nothing was measured.");
    println!("bench: self-check of the suite's kernels on the CPU emulator at small sizes (references not run):");
    let dev = Device::emulator();
    let benches = match selected(opts, Sizes::EMULATOR) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("bench: {e}");
            return 2;
        }
    };
    let mut failed = 0;
    for b in &benches {
        match harness::self_test(&dev, b) {
            Ok(()) => println!("  ok      {} ({})", b.name, b.size),
            Err(e) => {
                failed += 1;
                println!("  FAILED  {} ({}): {e}", b.name, b.size);
            }
        }
    }
    i32::from(failed > 0)
}

/// Device facts for the report.
struct DeviceFacts {
    name: String,
    cc: (u32, u32),
    sm_count: u32,
    l2_bytes: usize,
    driver: String,
    nvrtc: String,
}

fn run(dev: &Device, opts: &Options, cache: &str) -> i32 {
    let started = Instant::now();
    let mut errors: Vec<String> = Vec::new();
    if let Err(e) = gpu::bind_primary_context(dev.ordinal()) {
        eprintln!("bench: FAILED: {e}");
        return 1;
    }
    use cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE;
    let l2_bytes = match gpu::device_attribute(dev.ordinal(), CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE) {
        Ok(v) => v.max(0) as usize,
        Err(e) => {
            errors.push(format!("reading the L2 size: {e} (assuming 60 MiB)"));
            60 << 20
        }
    };
    let nvrtc_ok = gpu::nvrtc_present();
    let facts = DeviceFacts {
        name: dev.name(),
        cc: dev.compute_capability(),
        sm_count: dev.sm_count(),
        l2_bytes,
        driver: gpu::driver_version().unwrap_or_else(|e| e),
        nvrtc: if nvrtc_ok { gpu::nvrtc_version().unwrap_or_else(|e| e) } else { "not found".to_owned() },
    };
    let arch = gpu::nvrtc_arch(facts.cc);
    let plan = Plan { reps: opts.reps, rounds: 2, warmup: 5, min_sets: 3, l2_bytes };
    println!(
        "device: {} (cuda:{}, sm_{}{}, {} SMs, L2 {} MiB); driver CUDA {}; NVRTC {} (--gpu-architecture={arch} \
         --fmad=false)",
        facts.name,
        dev.ordinal(),
        facts.cc.0,
        facts.cc.1,
        facts.sm_count,
        facts.l2_bytes >> 20,
        facts.driver,
        facts.nvrtc
    );
    println!(
        "method: CUDA events around each launch on the legacy default stream; {} warm-up + {} timed launches per \
         block, {} alternating blocks per implementation; median; inputs rotate among buffer sets holding ≥ 4× L2; {cache}",
        plan.warmup, plan.reps, plan.rounds
    );
    if opts.reps < 20 {
        println!("note: --reps {} is below the 20 a real measurement needs", opts.reps);
    }

    // NVRTC's first call pays for loading the library; keep it out of the per-kernel compile times.
    let mut notes: Vec<(String, String)> = Vec::new();
    if nvrtc_ok {
        match gpu::nvrtc_compile("extern \"C\" __global__ void warm_up() {}\n", "warm_up", &arch) {
            Ok((_, s)) => notes.push(("NVRTC first call (library load + an empty kernel)".into(), ms(s))),
            Err(e) => errors.push(format!("NVRTC warm-up: {e}")),
        }
    } else {
        errors.push(format!("NVRTC: {}", gpu::missing_library("nvrtc")));
    }

    // The driver's first JIT compilation in a process pays for starting its PTX compiler (about 80 ms on an H200);
    // keep that out of the first kernel's load time too.
    match gpu::Module::load(JIT_WARM_UP_PTX, "warm_up") {
        Ok(m) => notes.push(("driver JIT first call (an empty PTX module)".into(), ms(m.load_seconds))),
        Err(e) => errors.push(format!("driver JIT warm-up: {e}")),
    }

    // Ceilings.
    println!("measuring the copy ceiling ({} MiB device-to-device)…", COPY_BYTES >> 20);
    let copy = ceilings::copy_bandwidth(dev, &plan, COPY_BYTES).map_err(|e| format!("copy ceiling: {e}"));
    println!("measuring the SGEMM ceiling (cuBLAS {SGEMM_N}³)…");
    let sgemm = if gpu::cublas_present() {
        ceilings::sgemm(dev, &plan, SGEMM_N).map_err(|e| format!("SGEMM ceiling: {e}"))
    } else {
        Err(format!("SGEMM ceiling: cuBLAS: {}", gpu::missing_library("cublas")))
    };
    for c in [&copy, &sgemm] {
        match c {
            Ok(c) => {
                for (what, s) in &c.notes {
                    notes.push((what.clone(), ms(*s)));
                }
            }
            Err(e) => {
                eprintln!("bench: ERROR: {e}");
                errors.push(e.clone());
            }
        }
    }

    // The suite.
    let benches = match selected(opts, Sizes::GPU) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("bench: {e}");
            return 2;
        }
    };
    let mut results: Vec<(&Bench, Result<Measured, String>)> = Vec::new();
    for b in &benches {
        println!("{}: checking against the reference and the CPU, then timing…", b.name);
        let t = Instant::now();
        let r = harness::run_gpu(dev, b, &plan, &arch);
        match &r {
            Ok(m) => {
                if let Err(e) = &m.reference {
                    let e = format!("{}: reference: {e} (ours was checked against the CPU and timed alone)", b.name);
                    eprintln!("bench: ERROR: {e}");
                    errors.push(e);
                }
                println!(
                    "{}: done in {:.1} s ({} buffer sets of {} MiB)",
                    b.name,
                    t.elapsed().as_secs_f64(),
                    m.sets,
                    m.set_bytes >> 20
                );
            }
            Err(e) => {
                let e = format!("{}: {e}", b.name);
                eprintln!("bench: ERROR: {e}");
                errors.push(e);
            }
        }
        results.push((b, r));
    }

    let ceil_copy = copy.as_ref().ok().map(|c| c.rate);
    let ceil_sgemm = sgemm.as_ref().ok().map(|c| c.rate);
    let ceilings_table = ceilings_table(&[&copy, &sgemm]);
    let results_table = results_table(&results, ceil_copy, ceil_sgemm);
    let load_table = load_table(&results);
    notes.push((
        "#[ptx_kernel] expansion (build time)".into(),
        "not measurable at run time: see `cargo run --release -p ptx-kernel-macros --example bench_expand` and \
         `cargo run --release -p ptx-gen --example bench_compile`"
            .into(),
    ));
    let elapsed = started.elapsed().as_secs_f64();

    println!("\nceilings\n{}", ceilings_table.to_text());
    println!(
        "kernels (median; ours/ref = throughput ratio, > 1 means ours is faster; % = of the ceiling)\n{}",
        results_table.to_text()
    );
    println!("build and load times (wall clock, cold JIT)\n{}", load_table.to_text());
    for (what, v) in &notes {
        println!("{what}: {v}");
    }

    // Files.
    let out_dir = PathBuf::from(std::env::var("BENCH_OUT").unwrap_or_else(|_| "target/bench".to_owned()));
    let md =
        markdown(&facts, dev, &plan, cache, &ceilings_table, &results_table, &load_table, &notes, &errors, elapsed);
    let json = to_json(
        &facts,
        dev,
        &plan,
        cache,
        &[("copy", &copy), ("sgemm", &sgemm)],
        &results,
        ceil_copy,
        ceil_sgemm,
        &notes,
        &errors,
        elapsed,
    );
    let written = std::fs::create_dir_all(&out_dir).and_then(|()| {
        std::fs::write(out_dir.join("bench.md"), md)?;
        std::fs::write(out_dir.join("bench.json"), json.to_pretty())?;
        std::fs::write(out_dir.join("bench.svg"), results_chart(dev, &results, ceil_copy, ceil_sgemm))
    });
    match written {
        Ok(()) => println!("wrote {0}/bench.md, {0}/bench.json and {0}/bench.svg", out_dir.display()),
        Err(e) => errors.push(format!("writing the results to {}: {e}", out_dir.display())),
    }

    println!("total time {elapsed:.1} s");
    if errors.is_empty() {
        println!("bench OK");
        0
    } else {
        eprintln!("bench FAILED: {} error(s):", errors.len());
        for e in &errors {
            eprintln!("  - {e}");
        }
        1
    }
}

fn ms(seconds: f64) -> String {
    format!("{} ms", fixed(seconds * 1e3, 2))
}

fn pct(x: f64) -> String {
    format!("{}%", fixed(x * 100.0, 1))
}

/// The rate of `seconds` for `b`: GB/s for memory-bound kernels, TFLOP/s for compute-bound ones.
fn rate(b: &Bench, seconds: f64) -> f64 {
    match b.bound {
        Bound::Memory => stats::gbps(b.bytes, seconds),
        Bound::Compute => stats::tflops(b.flops, seconds),
    }
}

fn rate_text(b: &Bench, seconds: f64) -> String {
    match b.bound {
        Bound::Memory => format!("{} GB/s", fixed(rate(b, seconds), 0)),
        Bound::Compute => format!("{} TFLOP/s", fixed(rate(b, seconds), 2)),
    }
}

fn ceilings_table(ceilings: &[&Result<Ceiling, String>]) -> Table {
    let mut t = Table::new(&["<ceiling", "ms", "rate", "noise"]);
    for c in ceilings {
        match c {
            Ok(c) => {
                let unit = if c.what.contains("SGEMM") {
                    format!("{} TFLOP/s", fixed(c.rate, 2))
                } else {
                    format!("{} GB/s", fixed(c.rate, 0))
                };
                t.row(vec![c.what.clone(), fixed(c.summary.median * 1e3, 3), unit, pct(c.summary.round_spread)]);
            }
            Err(_) => t.row(vec!["FAILED (see the errors)".into()]),
        }
    }
    t
}

fn ceiling_of(b: &Bench, copy: Option<f64>, sgemm: Option<f64>) -> (Option<f64>, &'static str) {
    match b.bound {
        Bound::Memory => (copy, "copy"),
        Bound::Compute => (sgemm, "cuBLAS SGEMM"),
    }
}

/// The kernels' bars: ours and the reference as fractions of their ceiling.
fn results_chart(
    dev: &Device,
    results: &[(&Bench, Result<Measured, String>)],
    copy: Option<f64>,
    sgemm: Option<f64>,
) -> String {
    let bars: Vec<chart::Bar> = results
        .iter()
        .map(|(b, r)| {
            let (ceil, of) = ceiling_of(b, copy, sgemm);
            let frac = |s: f64| ceil.map(|c| rate(b, s) / c);
            let (ours, reference) = match r {
                Ok(m) => (frac(m.ours.median), m.reference.as_ref().ok().and_then(|r| frac(r.summary.median))),
                Err(_) => (None, None),
            };
            chart::Bar { name: format!("{} ({})", b.name, b.size), ours, reference, of: of.into() }
        })
        .collect();
    chart::svg(&format!("ptx-kernel vs CUDA C++ on {}", dev.name()), &bars)
}

fn results_table(results: &[(&Bench, Result<Measured, String>)], copy: Option<f64>, sgemm: Option<f64>) -> Table {
    let mut t = Table::new(&[
        "<kernel", "<size", "ours ms", "ours", "ref ms", "ref", "ours/ref", "ours %", "ref %", "<of", "noise ours/ref",
    ]);
    for (b, r) in results {
        let m = match r {
            Ok(m) => m,
            Err(_) => {
                // The message (maybe a JIT log) goes to the error list, not into the table.
                t.row(vec![b.name.into(), b.size.clone(), "FAILED".into(), "(see the errors)".into()]);
                continue;
            }
        };
        let (ceil, of) = ceiling_of(b, copy, sgemm);
        let ours = m.ours.median;
        let pct_of = |s: f64| ceil.map_or("-".to_owned(), |c| pct(rate(b, s) / c));
        let mut row = vec![b.name.into(), b.size.clone(), fixed(ours * 1e3, 3), rate_text(b, ours)];
        match &m.reference {
            Ok(r) => {
                let s = r.summary.median;
                row.extend([
                    fixed(s * 1e3, 3),
                    rate_text(b, s),
                    fixed(s / ours, 3),
                    pct_of(ours),
                    pct_of(s),
                    of.into(),
                    format!("{} / {}", pct(m.ours.round_spread), pct(r.summary.round_spread)),
                ]);
            }
            Err(_) => {
                row.extend([
                    "-".into(),
                    "FAILED".into(),
                    "-".into(),
                    pct_of(ours),
                    "-".into(),
                    of.into(),
                    pct(m.ours.round_spread),
                ]);
            }
        }
        t.row(row);
    }
    t
}

fn load_table(results: &[(&Bench, Result<Measured, String>)]) -> Table {
    let mut t = Table::new(&[
        "<kernel", "ours: PTX→SASS ms", "ours: 1st launch ms", "ref: NVRTC ms", "ref: PTX→SASS ms", "ref: total ms",
        "regs ours/ref",
    ]);
    for (b, r) in results {
        let Ok(m) = r else { continue };
        let mut row = vec![b.name.into(), fixed(m.ours_load_s * 1e3, 2), fixed(m.ours_first_launch_s * 1e3, 2)];
        match &m.reference {
            Ok(r) => row.extend([
                fixed(r.compile_s * 1e3, 2),
                fixed(r.load_s * 1e3, 2),
                fixed((r.compile_s + r.load_s) * 1e3, 2),
                format!("{}/{}", m.ours_regs, r.regs),
            ]),
            Err(_) => row.extend(["-".into(), "-".into(), "-".into(), format!("{}/-", m.ours_regs)]),
        }
        t.row(row);
    }
    t
}

#[allow(clippy::too_many_arguments)]
fn markdown(
    f: &DeviceFacts,
    dev: &Device,
    plan: &Plan,
    cache: &str,
    ceilings: &Table,
    results: &Table,
    loads: &Table,
    notes: &[(String, String)],
    errors: &[String],
    elapsed: f64,
) -> String {
    let mut s = String::new();
    s.push_str("# Benchmark results\n\n");
    s.push_str(&format!(
        "Device: {} (cuda:{}, sm_{}{}, {} SMs, L2 {} MiB); driver CUDA {}; NVRTC {}. Written by `cargo run --release \
         --example bench` in {elapsed:.1} s.\n\n",
        f.name,
        dev.ordinal(),
        f.cc.0,
        f.cc.1,
        f.sm_count,
        f.l2_bytes >> 20,
        f.driver,
        f.nvrtc
    ));
    s.push_str(&format!(
        "Method: CUDA events around each launch on the legacy default stream; {} warm-up + {} timed launches per block, \
         {} alternating blocks per implementation; median; inputs rotate among buffer sets holding at least 4× the L2; \
         {cache}. See docs/benchmarks.md.\n\n",
        plan.warmup, plan.reps, plan.rounds
    ));
    s.push_str("## Ceilings\n\n");
    s.push_str(&ceilings.to_markdown());
    s.push_str(
        "\n## Kernels\n\nMedian per launch. ours/ref is the throughput ratio (ref time ÷ our time: above 1, ours is \
         faster); % is of the ceiling named under \"of\"; noise is the spread between the rounds' medians.\n\n",
    );
    s.push_str(&results.to_markdown());
    s.push_str(
        "\n## Build and load times\n\nWall clock, cold JIT (PTX → SASS by the driver in `cuModuleLoadDataEx`).\n\n",
    );
    s.push_str(&loads.to_markdown());
    s.push('\n');
    for (what, v) in notes {
        s.push_str(&format!("- {what}: {v}\n"));
    }
    if !errors.is_empty() {
        s.push_str("\n## Errors\n\n");
        for e in errors {
            s.push_str(&format!("- {}\n", e.replace('\n', " ")));
        }
    }
    s
}

fn summary_json(s: &stats::Summary, times: &[Vec<f64>]) -> Json {
    Json::obj(vec![
        ("median_ms", Json::Num(s.median * 1e3)),
        ("min_ms", Json::Num(s.min * 1e3)),
        ("max_ms", Json::Num(s.max * 1e3)),
        ("reps", Json::Num(s.n as f64)),
        ("round_spread", Json::Num(s.round_spread)),
        (
            "times_ms",
            Json::Arr(
                times
                    .iter()
                    .map(|r| Json::Arr(r.iter().map(|t| Json::Num((t * 1e9).round() / 1e6)).collect()))
                    .collect(),
            ),
        ),
    ])
}

#[allow(clippy::too_many_arguments)]
fn to_json(
    f: &DeviceFacts,
    dev: &Device,
    plan: &Plan,
    cache: &str,
    ceilings: &[(&str, &Result<Ceiling, String>)],
    results: &[(&Bench, Result<Measured, String>)],
    copy: Option<f64>,
    sgemm: Option<f64>,
    notes: &[(String, String)],
    errors: &[String],
    elapsed: f64,
) -> Json {
    let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let ceil_json = |c: &Result<Ceiling, String>| match c {
        Ok(c) => Json::obj(vec![
            ("what", Json::str(c.what.clone())),
            ("work", Json::Num(c.work)),
            ("rate", Json::Num(c.rate)),
            ("timing", summary_json(&c.summary, &c.times)),
        ]),
        Err(e) => Json::obj(vec![("error", Json::str(e.clone()))]),
    };
    let kernels = results
        .iter()
        .map(|(b, r)| {
            let mut fields = vec![
                ("name", Json::str(b.name)),
                ("size", Json::str(b.size.clone())),
                ("bytes", Json::Num(b.bytes)),
                ("flops", Json::Num(b.flops)),
                (
                    "bound",
                    Json::str(match b.bound {
                        Bound::Memory => "memory",
                        Bound::Compute => "compute",
                    }),
                ),
                (
                    "block",
                    Json::Arr(
                        [b.reference.cfg.block_dim.0, b.reference.cfg.block_dim.1, b.reference.cfg.block_dim.2]
                            .iter()
                            .map(|&x| Json::Num(x as f64))
                            .collect(),
                    ),
                ),
                (
                    "grid",
                    Json::Arr(
                        [b.reference.cfg.grid_dim.0, b.reference.cfg.grid_dim.1, b.reference.cfg.grid_dim.2]
                            .iter()
                            .map(|&x| Json::Num(x as f64))
                            .collect(),
                    ),
                ),
            ];
            match r {
                Err(e) => fields.push(("error", Json::str(e.clone()))),
                Ok(m) => {
                    let (ceil, of) = ceiling_of(b, copy, sgemm);
                    let frac = |s: f64| Json::opt(ceil.map(|c| rate(b, s) / c));
                    fields.push(("sets", Json::Num(m.sets as f64)));
                    fields.push(("set_bytes", Json::Num(m.set_bytes as f64)));
                    fields.push(("ceiling", Json::str(of)));
                    fields.push((
                        "ours",
                        Json::obj(vec![
                            ("rate", Json::Num(rate(b, m.ours.median))),
                            ("fraction_of_ceiling", frac(m.ours.median)),
                            ("timing", summary_json(&m.ours, &m.ours_times)),
                            ("module_load_ms", Json::Num(m.ours_load_s * 1e3)),
                            ("first_launch_ms", Json::Num(m.ours_first_launch_s * 1e3)),
                            ("regs", Json::Num(m.ours_regs as f64)),
                        ]),
                    ));
                    match &m.reference {
                        Ok(r) => {
                            fields.push((
                                "reference",
                                Json::obj(vec![
                                    ("rate", Json::Num(rate(b, r.summary.median))),
                                    ("fraction_of_ceiling", frac(r.summary.median)),
                                    ("timing", summary_json(&r.summary, &r.times)),
                                    ("nvrtc_compile_ms", Json::Num(r.compile_s * 1e3)),
                                    ("module_load_ms", Json::Num(r.load_s * 1e3)),
                                    ("regs", Json::Num(r.regs as f64)),
                                ]),
                            ));
                            fields.push(("ours_over_ref_throughput", Json::Num(r.summary.median / m.ours.median)));
                        }
                        Err(e) => fields.push(("reference", Json::obj(vec![("error", Json::str(e.clone()))]))),
                    }
                }
            }
            Json::obj(fields)
        })
        .collect();
    Json::obj(vec![
        ("ok", Json::Bool(errors.is_empty())),
        ("unix_time", Json::Num(unix.floor())),
        ("elapsed_s", Json::Num(elapsed)),
        (
            "device",
            Json::obj(vec![
                ("name", Json::str(f.name.clone())),
                ("ordinal", Json::Num(dev.ordinal() as f64)),
                ("compute_capability", Json::str(format!("{}.{}", f.cc.0, f.cc.1))),
                ("sm_count", Json::Num(f.sm_count as f64)),
                ("l2_bytes", Json::Num(f.l2_bytes as f64)),
                ("driver_cuda_version", Json::str(f.driver.clone())),
                ("nvrtc_version", Json::str(f.nvrtc.clone())),
            ]),
        ),
        (
            "method",
            Json::obj(vec![
                ("reps_per_round", Json::Num(plan.reps as f64)),
                ("rounds", Json::Num(plan.rounds as f64)),
                ("warmup_per_round", Json::Num(plan.warmup as f64)),
                ("min_sets", Json::Num(plan.min_sets as f64)),
                ("jit_cache", Json::str(cache)),
                (
                    "nvrtc_options",
                    Json::Arr(gpu::nvrtc_options(&gpu::nvrtc_arch(f.cc)).into_iter().map(Json::Str).collect()),
                ),
            ]),
        ),
        ("ceilings", Json::Obj(ceilings.iter().map(|(k, c)| (k.to_string(), ceil_json(c))).collect())),
        ("kernels", Json::Arr(kernels)),
        ("notes", Json::Obj(notes.iter().map(|(k, v)| (k.clone(), Json::str(v.clone()))).collect())),
        ("errors", Json::Arr(errors.iter().map(|e| Json::str(e.clone())).collect())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Options, String> {
        parse_args(s.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn parses_arguments() {
        let d = args("").unwrap();
        assert_eq!((d.dry_run, d.reps, d.only.len(), d.help), (false, 30, 0, false));
        let o = args("--dry-run --reps 50 --only saxpy,vector_add --bench").unwrap();
        assert!(o.dry_run);
        assert_eq!(o.reps, 50);
        assert_eq!(o.only, ["saxpy", "vector_add"]);
        assert!(args("--reps 0").is_err());
        assert!(args("--reps").is_err());
        assert!(args("--frobnicate").is_err());
        assert_eq!(args("--ptx saxpy").unwrap().ptx.as_deref(), Some("saxpy"));
    }

    #[test]
    fn jit_warm_up_module_is_valid_ptx() {
        static M: ptx_kernel::KernelModule = ptx_kernel::KernelModule::new(JIT_WARM_UP_PTX, "warm_up", 52);
        M.launch(&Device::emulator(), ptx_kernel::LaunchConfig::for_num_elems(1), &[]).unwrap();
    }

    #[test]
    fn only_checks_names() {
        let o = args("--only saxpy").unwrap();
        assert_eq!(selected(&o, Sizes::EMULATOR).unwrap().len(), 1);
        let o = args("--only nope").unwrap();
        assert!(selected(&o, Sizes::EMULATOR).err().unwrap().contains("vector_add"));
    }

    fn fake_summary(ms: f64) -> stats::Summary {
        stats::summarize(&[vec![ms / 1e3; 3], vec![ms / 1e3; 3]])
    }

    fn fake_measured(ours_ms: f64, ref_ms: Option<f64>) -> Measured {
        Measured {
            ours: fake_summary(ours_ms),
            ours_times: vec![vec![ours_ms / 1e3; 3]; 2],
            sets: 3,
            set_bytes: 768 << 20,
            ours_load_s: 0.0004,
            ours_first_launch_s: 0.0006,
            ours_regs: 8,
            reference: match ref_ms {
                Some(r) => Ok(harness::RefMeasured {
                    summary: fake_summary(r),
                    times: vec![vec![r / 1e3; 3]; 2],
                    compile_s: 0.12,
                    load_s: 0.0005,
                    regs: 10,
                }),
                None => Err("NVRTC missing".into()),
            },
        }
    }

    /// The tables and the JSON from made-up measurements: every column filled, ratios and percentages right.
    #[test]
    fn report_from_fake_measurements() {
        let suite = suite::suite(Sizes::GPU);
        let results: Vec<(&Bench, Result<Measured, String>)> = vec![
            (&suite[0], Ok(fake_measured(0.25, Some(0.2)))),
            (&suite[1], Ok(fake_measured(0.25, None))),
            (&suite[2], Err("boom".into())),
        ];
        let copy = Some(4000.0);
        let t = results_table(&results, copy, Some(50.0));
        // vector_add: 805306368 B / 0.25 ms = 3221 GB/s = 80.5% of 4000; ref 4027 GB/s; ratio 0.2/0.25 = 0.8.
        assert_eq!(t.rows[0][3], "3221 GB/s");
        assert_eq!(t.rows[0][5], "4027 GB/s");
        assert_eq!(t.rows[0][6], "0.800");
        assert_eq!(t.rows[0][7], "80.5%");
        assert_eq!(t.rows[0][8], "100.7%");
        assert_eq!(t.rows[0][9], "copy");
        assert_eq!(t.rows[1][5], "FAILED");
        assert_eq!(t.rows[2][2], "FAILED");
        assert!(t.to_markdown().lines().count() == 5);
        let l = load_table(&results);
        assert_eq!(l.rows.len(), 2);
        assert_eq!(l.rows[0][1..], ["0.40", "0.60", "120.00", "0.50", "120.50", "8/10"]);
        let c = ceilings_table(&[&Err("no".into())]);
        assert!(c.rows[0][0].starts_with("FAILED"));

        let facts = DeviceFacts {
            name: "NVIDIA H200".into(),
            cc: (9, 0),
            sm_count: 132,
            l2_bytes: 50 << 20,
            driver: "13.0".into(),
            nvrtc: "13.0".into(),
        };
        let dev = Device::emulator();
        let plan = Plan { reps: 30, rounds: 2, warmup: 5, min_sets: 3, l2_bytes: 50 << 20 };
        let j = to_json(
            &facts,
            &dev,
            &plan,
            "cache",
            &[("copy", &Err("x".into()))],
            &results,
            copy,
            None,
            &[],
            &["e".into()],
            1.0,
        )
        .to_pretty();
        assert!(j.contains("\"ours_over_ref_throughput\": 0.8"), "{j}");
        assert!(j.contains("\"fraction_of_ceiling\": 0.805306368"), "{j}");
        assert!(j.contains("\"error\": \"boom\""));
        assert!(j.contains("\"nvrtc_options\": [\"--gpu-architecture=compute_90\", \"--fmad=false\"]"), "{j}");
        assert!(j.contains("\"times_ms\": [\n"), "{j}");
        let md = markdown(&facts, &dev, &plan, "cache", &c, &t, &l, &[("a".into(), "b".into())], &["e".into()], 1.0);
        assert!(md.contains("## Errors") && md.contains("| vector_add |"), "{md}");
    }
}
