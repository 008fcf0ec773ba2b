//! The main job: `y = a·x + y` on the GPU if there is one, else on the CPU emulator; every element is checked
//! against the CPU and the achieved bandwidth is printed.
//!
//! ```text
//! cargo run --release --example saxpy
//! PTX_KERNEL_DEVICE=emu cargo run --release --example saxpy   # force the emulator
//! ```

mod common;

use ptx_kernel::prelude::*;

#[ptx_kernel]
#[allow(clippy::assign_op_pattern)] // the textbook form, y = a·x + y
pub fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

/// What one run measured.
pub struct Report {
    pub n: usize,
    pub seconds: f64,
    pub gbps: f64,
}

/// Runs saxpy on `n` random elements, checks every one against the CPU, and times the kernel.
pub fn run(dev: &Device, n: usize) -> std::result::Result<Report, String> {
    let mut rng = common::Rng::new(0x5A_7B);
    let a = 1.5 + rng.f32();
    let x = rng.f32_vec(n);
    let y0 = rng.f32_vec(n);
    let dx = dev.upload(&x).map_err(|e| e.to_string())?;
    let mut dy = dev.upload(&y0).map_err(|e| e.to_string())?;
    let cfg = LaunchConfig::for_num_elems(n as u32);
    saxpy::launch(dev, cfg, a, &dx, &mut dy).map_err(|e| e.to_string())?;
    let got = dy.download().map_err(|e| e.to_string())?;
    for i in 0..n {
        // Rust never fuses `a * x + y`; the kernel rounds the product and the sum separately too.
        let want = a * x[i] + y0[i];
        if got[i].to_bits() != want.to_bits() {
            return Err(format!("saxpy: element {i}: got {} want {want} (x={}, y={})", got[i], x[i], y0[i]));
        }
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(reps, || saxpy::launch(dev, cfg, a, &dx, &mut dy), || dev.synchronize())
        .map_err(|e| e.to_string())?;
    let seconds = t.as_secs_f64();
    Ok(Report { n, seconds, gbps: (3 * 4 * n) as f64 / seconds / 1e9 })
}

fn main() {
    let dev = match Device::from_env() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("saxpy: no device: {e}");
            std::process::exit(1);
        }
    };
    println!("device: {}", common::describe(&dev));
    let n = if dev.is_emulator() { 1 << 20 } else { 1 << 26 };
    match run(&dev, n) {
        Ok(r) => println!(
            "saxpy OK: {} elements checked against the CPU; {:.3} ms per launch, {:.1} GB/s",
            r.n,
            r.seconds * 1e3,
            r.gbps
        ),
        Err(e) => {
            eprintln!("saxpy FAILED: {e}");
            std::process::exit(1);
        }
    }
}
