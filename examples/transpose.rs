//! A 2-D kernel: the matrix transpose `out[x][y] = in[y][x]` of a `width` × `height` row-major matrix, checked
//! against the CPU. `transpose_naive` is one thread per element on a 2-D grid (its writes are strided);
//! `transpose_tiled` moves 32×32 tiles through a padded `[[f32; 33]; 32]` shared array (blocks of 32×8 threads,
//! 4 elements each), so that both the reads and the writes of global memory are coalesced, and the padding keeps
//! the column reads of the tile free of bank conflicts.

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

/// Tile edge of `transpose_tiled`.
pub const TILE: u32 = 32;
/// Rows of threads per block of `transpose_tiled` (each thread moves `TILE / ROWS` elements).
pub const ROWS: u32 = 8;

#[ptx_kernel]
pub fn transpose_tiled(input: &[f32], output: &mut [f32], width: u32, height: u32) {
    let tile = gpu::SharedArray::<[f32; 33], 32>::new();
    let bx = gpu::block_idx_x() * 32;
    let by = gpu::block_idx_y() * 32;
    let tx = gpu::thread_idx_x();
    let ty = gpu::thread_idx_y();
    for j in (0..32u32).step_by(8) {
        let x = bx + tx;
        let y = by + ty + j;
        if x < width && y < height {
            tile[(ty + j) as usize][tx as usize] = input[(y as usize) * (width as usize) + x as usize];
        }
    }
    gpu::sync_threads();
    for j in (0..32u32).step_by(8) {
        let x = by + tx;
        let y = bx + ty + j;
        if x < height && y < width {
            output[(y as usize) * (height as usize) + x as usize] = tile[tx as usize][(ty + j) as usize];
        }
    }
}

/// Transposes a random `width` × `height` matrix with `transpose_tiled`; returns the seconds per launch.
pub fn run_tiled(dev: &Device, width: u32, height: u32) -> std::result::Result<f64, String> {
    let n = (width * height) as usize;
    let mut rng = common::Rng::new(0x7B);
    let input = rng.f32_vec(n);
    let din = dev.upload(&input).map_err(|e| e.to_string())?;
    let mut dout = dev.upload(&vec![f32::NAN; n]).map_err(|e| e.to_string())?;
    let cfg = LaunchConfig {
        grid_dim: (width.div_ceil(TILE), height.div_ceil(TILE), 1),
        block_dim: (TILE, ROWS, 1),
        shared_mem_bytes: 0,
    };
    transpose_tiled::launch(dev, cfg, &din, &mut dout, width, height).map_err(|e| e.to_string())?;
    let out = dout.download().map_err(|e| e.to_string())?;
    for y in 0..height as usize {
        for x in 0..width as usize {
            let (got, want) = (out[x * height as usize + y], input[y * width as usize + x]);
            if got.to_bits() != want.to_bits() {
                return Err(format!("transpose_tiled: ({x}, {y}): got {got} want {want}"));
            }
        }
    }
    let reps = if dev.is_emulator() { 3 } else { 20 };
    let t = common::median_time(
        reps,
        || transpose_tiled::launch(dev, cfg, &din, &mut dout, width, height),
        || dev.synchronize(),
    )
    .map_err(|e| e.to_string())?;
    Ok(t.as_secs_f64())
}

/// Transposes a random `width` × `height` matrix with `transpose_naive`; returns the seconds per launch.
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
    match run_tiled(&dev, w, h) {
        Ok(s) => println!(
            "transpose_tiled OK: {w}x{h} checked; {:.3} ms per launch, {:.1} GB/s",
            s * 1e3,
            (8 * w as usize * h as usize) as f64 / s / 1e9
        ),
        Err(e) => {
            eprintln!("transpose_tiled FAILED: {e}");
            std::process::exit(1);
        }
    }
}
