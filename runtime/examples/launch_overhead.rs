//! Launch overhead of `KernelModule::launch` against raw `cuLaunchKernel` (through cudarc's `result` layer), on an
//! empty kernel with two `u64` parameters.
//!
//! ```text
//! cargo run --release -p ptx-kernel-runtime --example launch_overhead [launches]
//! ```
//!
//! Needs a CUDA device; without one it says so and exits 0. Each row enqueues `launches` launches on the default
//! stream (after a warm-up) and synchronizes at the end; the best of several repetitions is reported, as time per
//! launch to enqueue and including the final synchronize. The "+ sync each" rows synchronize after every launch
//! (round-trip latency).

use std::ffi::{c_void, CString};
use std::time::{Duration, Instant};

use cudarc::driver::{result, sys};
use ptx_kernel_runtime::{Device, KernelModule, LaunchConfig};

const EMPTY_PTX: &str = "
.version 7.0
.target sm_52
.address_size 64

.visible .entry empty(
	.param .u64 empty_param_0,
	.param .u64 empty_param_1
)
{
	ret;
}
";

static EMPTY: KernelModule = KernelModule::new(EMPTY_PTX, "empty", 52);

const REPETITIONS: usize = 5;
const WARMUP: usize = 1000;

struct Row {
    name: &'static str,
    launches: usize,
    enqueue: Duration,
    total: Duration,
}

/// Runs `body(n)` (which enqueues n launches) then `sync`, best of `REPETITIONS`.
fn measure(name: &'static str, launches: usize, mut body: impl FnMut(usize), mut sync: impl FnMut()) -> Row {
    body(WARMUP);
    sync();
    let mut best: Option<(Duration, Duration)> = None;
    for _ in 0..REPETITIONS {
        let t0 = Instant::now();
        body(launches);
        let enqueue = t0.elapsed();
        sync();
        let total = t0.elapsed();
        if best.is_none_or(|(_, t)| total < t) {
            best = Some((enqueue, total));
        }
    }
    let (enqueue, total) = best.unwrap();
    Row { name, launches, enqueue, total }
}

fn main() {
    let launches: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let dev = match Device::cuda(0) {
        Ok(dev) => dev,
        Err(e) => {
            println!("launch_overhead needs a CUDA GPU; none is available here ({e}). Nothing to measure.");
            return;
        }
    };
    let (major, minor) = dev.compute_capability();
    println!("device: {} (sm_{major}{minor}, {} SMs)", dev.name(), dev.sm_count());

    let a = dev.alloc_zeros::<u32>(1024).expect("alloc");
    let b = dev.alloc_zeros::<u32>(1024).expect("alloc");
    let cfg = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (32, 1, 1), shared_mem_bytes: 0 };

    let t0 = Instant::now();
    EMPTY.preload(&dev).expect("load the empty kernel");
    let load_time = t0.elapsed();

    // Raw cudarc: load the same PTX again as a separate module in the same (primary) context, which
    // `Device::cuda` made current on this thread.
    let image = CString::new(EMPTY_PTX).unwrap();
    let raw_func = unsafe {
        let module = result::module::load_data(image.as_ptr().cast()).expect("cuModuleLoadData");
        result::module::get_function(module, CString::new("empty").unwrap()).expect("cuModuleGetFunction")
    };
    let (pa, pb) = (a.device_ptr(), b.device_ptr());
    let raw_launch = |n: usize| {
        let (mut x, mut y) = (pa, pb);
        let mut params = [(&mut x as *mut u64).cast::<c_void>(), (&mut y as *mut u64).cast::<c_void>()];
        for _ in 0..n {
            unsafe {
                result::launch_kernel(
                    raw_func,
                    (1, 1, 1),
                    (32, 1, 1),
                    0,
                    std::ptr::null_mut::<sys::CUstream_st>(),
                    &mut params,
                )
                .expect("cuLaunchKernel")
            };
        }
    };
    let ours_launch = |n: usize| {
        for _ in 0..n {
            EMPTY
                .launch(&dev, cfg, &[&a.device_ptr().to_ne_bytes(), &b.device_ptr().to_ne_bytes()])
                .expect("KernelModule::launch");
        }
    };
    let stream = dev.new_stream().expect("stream");
    let ours_stream = |n: usize| {
        for _ in 0..n {
            EMPTY
                .launch_on(&stream, cfg, &[&a.device_ptr().to_ne_bytes(), &b.device_ptr().to_ne_bytes()])
                .expect("KernelModule::launch_on");
        }
    };
    let sync = || dev.synchronize().expect("synchronize");
    let ctx_sync = || result::ctx::synchronize().expect("cuCtxSynchronize");
    let latency = (launches / 10).max(1);

    let rows = [
        measure("raw cuLaunchKernel (cudarc::driver::result)", launches, raw_launch, ctx_sync),
        measure("KernelModule::launch", launches, ours_launch, sync),
        measure("KernelModule::launch_on(stream)", launches, ours_stream, || stream.synchronize().unwrap()),
        measure(
            "raw cuLaunchKernel + cuCtxSynchronize each",
            latency,
            |n| {
                for _ in 0..n {
                    raw_launch(1);
                    ctx_sync();
                }
            },
            || {},
        ),
        measure(
            "KernelModule::launch + Device::synchronize each",
            latency,
            |n| {
                for _ in 0..n {
                    ours_launch(1);
                    sync();
                }
            },
            || {},
        ),
    ];

    println!("module load (JIT) on first use: {:.3} ms", load_time.as_secs_f64() * 1e3);
    println!();
    println!("| {:<48} | {:>8} | {:>16} | {:>16} |", "method", "launches", "enqueue µs/launch", "total µs/launch");
    println!("|{:-<50}|{:->10}|{:->18}|{:->18}|", "", "", "", "");
    let raw = rows[0].enqueue.as_secs_f64() / rows[0].launches as f64;
    for r in &rows {
        let per = |d: Duration| d.as_secs_f64() * 1e6 / r.launches as f64;
        println!("| {:<48} | {:>8} | {:>17.3} | {:>16.3} |", r.name, r.launches, per(r.enqueue), per(r.total));
    }
    let ours = rows[1].enqueue.as_secs_f64() / rows[1].launches as f64;
    println!();
    println!(
        "KernelModule::launch enqueue overhead over raw cuLaunchKernel: {:+.3} µs per launch ({:.2}x)",
        (ours - raw) * 1e6,
        ours / raw
    );
}
