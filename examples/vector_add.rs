//! `c = a + b` over random vectors, checked element by element against the CPU.

mod common;

use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn vector_add(a: &[f32], b: &[f32], c: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < c.len() {
        c[i] = a[i] + b[i];
    }
}

/// Runs the kernel on `n` random elements; returns the seconds per launch.
pub fn run(dev: &Device, n: usize) -> std::result::Result<f64, String> {
    let mut rng = common::Rng::new(0xADD);
    let a = rng.f32_vec(n);
    let b = rng.f32_vec(n);
    let da = dev.upload(&a).map_err(|e| e.to_string())?;
    let db = dev.upload(&b).map_err(|e| e.to_string())?;
    // Poisoned output: every element must be written.
    let mut dc = dev.upload(&vec![f32::NAN; n]).map_err(|e| e.to_string())?;
    let cfg = LaunchConfig::for_num_elems(n as u32);
    vector_add::launch(dev, cfg, &da, &db, &mut dc).map_err(|e| e.to_string())?;
    let c = dc.download().map_err(|e| e.to_string())?;
    for i in 0..n {
        if c[i].to_bits() != (a[i] + b[i]).to_bits() {
            return Err(format!("vector_add: element {i}: got {} want {}", c[i], a[i] + b[i]));
        }
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(reps, || vector_add::launch(dev, cfg, &da, &db, &mut dc), || dev.synchronize())
        .map_err(|e| e.to_string())?;
    Ok(t.as_secs_f64())
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("vector_add: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let n = if dev.is_emulator() { 1 << 20 } else { 1 << 26 };
    match run(&dev, n) {
        Ok(s) => println!(
            "vector_add OK: {n} elements checked; {:.3} ms per launch, {:.1} GB/s",
            s * 1e3,
            (12 * n) as f64 / s / 1e9
        ),
        Err(e) => {
            eprintln!("vector_add FAILED: {e}");
            std::process::exit(1);
        }
    }
}
