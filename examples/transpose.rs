//! A 2-D kernel: the naive matrix transpose `out[x][y] = in[y][x]` of a `width` × `height` row-major matrix,
//! one thread per element on a 2-D grid, checked against the CPU.

mod common;

use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn transpose_naive(input: &[f32], output: &mut [f32], width: u32, height: u32) {
    let x = gpu::block_idx_x() * gpu::block_dim_x() + gpu::thread_idx_x();
    let y = gpu::block_idx_y() * gpu::block_dim_y() + gpu::thread_idx_y();
    if x < width && y < height {
        output[(x as usize) * (height as usize) + y as usize] = input[(y as usize) * (width as usize) + x as usize];
    }
}

/// Transposes a random `width` × `height` matrix; returns the seconds per launch.
pub fn run(dev: &Device, width: u32, height: u32) -> std::result::Result<f64, String> {
    let n = (width * height) as usize;
    let mut rng = common::Rng::new(0x7A);
    let input = rng.f32_vec(n);
    let din = dev.upload(&input).map_err(|e| e.to_string())?;
    let mut dout = dev.upload(&vec![f32::NAN; n]).map_err(|e| e.to_string())?;
    let cfg = LaunchConfig::for_2d(width, height, (32, 8));
    transpose_naive::launch(dev, cfg, &din, &mut dout, width, height).map_err(|e| e.to_string())?;
    let out = dout.download().map_err(|e| e.to_string())?;
    for y in 0..height as usize {
        for x in 0..width as usize {
            let (got, want) = (out[x * height as usize + y], input[y * width as usize + x]);
            if got.to_bits() != want.to_bits() {
                return Err(format!("transpose: ({x}, {y}): got {got} want {want}"));
            }
        }
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(
        reps,
        || transpose_naive::launch(dev, cfg, &din, &mut dout, width, height),
        || dev.synchronize(),
    )
    .map_err(|e| e.to_string())?;
    Ok(t.as_secs_f64())
}

fn main() {
    let dev = Device::from_env().unwrap_or_else(|e| {
        eprintln!("transpose: no device: {e}");
        std::process::exit(1)
    });
    println!("device: {}", common::describe(&dev));
    let (w, h) = if dev.is_emulator() { (1000, 600) } else { (8192, 8192) };
    match run(&dev, w, h) {
        Ok(s) => println!(
            "transpose OK: {w}x{h} checked; {:.3} ms per launch, {:.1} GB/s",
            s * 1e3,
            (8 * w as usize * h as usize) as f64 / s / 1e9
        ),
        Err(e) => {
            eprintln!("transpose FAILED: {e}");
            std::process::exit(1);
        }
    }
}
