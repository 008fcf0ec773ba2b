//! Expansion time of `#[ptx_kernel]` per kernel: the whole attribute (parse, check, infer, lower, passes, verify,
//! target, write, tokens of the expansion), as the compiler runs it, for a few realistic kernels.
//!
//! `cargo run --release -p ptx-kernel-macros --example bench_expand` (the proc macro runs optimised when the
//! workspace builds dependencies with optimisation; a debug build of it is printed too when run without
//! `--release`). Target: at most 5 ms per kernel.

#[path = "../src/frontend/mod.rs"]
#[allow(dead_code)]
mod frontend;

use std::str::FromStr;
use std::time::Instant;

use proc_macro2::TokenStream;

const KERNELS: [(&str, &str); 6] = [
    (
        "saxpy",
        r#"pub fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
            let i = gpu::global_idx_x() as usize;
            if i < y.len() {
                y[i] = a * x[i] + y[i];
            }
        }"#,
    ),
    (
        "matmul_naive",
        r#"pub fn matmul(n: u32, a: &[f32], b: &[f32], c: &mut [f32]) {
            let row = gpu::block_idx_y() * gpu::block_dim_y() + gpu::thread_idx_y();
            let col = gpu::block_idx_x() * gpu::block_dim_x() + gpu::thread_idx_x();
            if row < n && col < n {
                let mut acc = 0.0f32;
                for k in 0..n {
                    acc = a[(row * n + k) as usize].mul_add(b[(k * n + col) as usize], acc);
                }
                c[(row * n + col) as usize] = acc;
            }
        }"#,
    ),
    (
        "stencil_2d",
        r#"pub fn stencil(w: usize, h: usize, src: &[f64], dst: &mut [f64]) {
            let x = (gpu::block_idx_x() * gpu::block_dim_x() + gpu::thread_idx_x()) as usize;
            let y = (gpu::block_idx_y() * gpu::block_dim_y() + gpu::thread_idx_y()) as usize;
            if x == 0 || y == 0 || x + 1 >= w || y + 1 >= h {
                return;
            }
            let c = src[y * w + x];
            let n = src[(y - 1) * w + x];
            let s = src[(y + 1) * w + x];
            let e = src[y * w + x + 1];
            let west = src[y * w + x - 1];
            let lap = n + s + e + west - 4.0 * c;
            dst[y * w + x] = (c + 0.25 * lap).max(0.0).min(1.0e6);
        }"#,
    ),
    (
        "histogram_like",
        r#"pub fn bins(data: &[u32], shift: u32, counts: &mut [u32], flags: &mut [bool]) {
            let i = gpu::global_idx_x() as usize;
            let stride = (gpu::grid_dim_x() * gpu::block_dim_x()) as usize;
            let mut k = i;
            let mut local = 0u32;
            while k < data.len() {
                let v = data[k] >> (shift & 31);
                if v % 2 == 0 && v != 0 {
                    local += 1;
                } else if v > 1000 {
                    local ^= v;
                }
                k += stride;
            }
            if i < counts.len() {
                counts[i] = local;
                flags[i] = local > 10;
            }
        }"#,
    ),
    (
        "collatz_loops",
        r#"pub fn collatz(start: &[u64], out: &mut [u32]) {
            let i = gpu::global_idx_x() as usize;
            if i >= out.len() {
                return;
            }
            let mut best = 0u32;
            'seeds: for s in (start[i]..start[i] + 64).step_by(3) {
                let mut n = s;
                let mut steps = 0u32;
                loop {
                    if n <= 1 {
                        break;
                    }
                    if steps > 10_000 {
                        continue 'seeds;
                    }
                    n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
                    steps += 1;
                }
                best = best.max(steps);
            }
            out[i] = best;
        }"#,
    ),
    (
        "casts_and_rounding",
        r#"pub fn quantize(x: &[f32], scale: f32, q: &mut [i8], r: &mut [u16], wide: &mut [u64]) {
            let i = gpu::global_idx_x() as usize;
            if i < x.len() {
                let v = x[i] * scale;
                q[i] = v.round() as i8;
                r[i] = (v.abs().sqrt() * 100.0).floor() as u16;
                wide[i] = (v as f64 * 1.0e12).trunc() as u64 + (v.ceil() as i32 as u64);
            }
        }"#,
    ),
];

fn main() {
    let runs = 200;
    println!("{:<20} {:>7} {:>12} {:>12} {:>10}", "kernel", "tokens", "median µs", "min µs", "PTX lines");
    for (name, src) in KERNELS {
        let item = TokenStream::from_str(src).expect("kernel lexes");
        let tokens = count_tokens(item.clone());
        // Warm up, and check it compiles.
        let ptx = frontend::expand::compile_kernel(item.clone()).unwrap_or_else(|e| panic!("{name}: {}", e[0]));
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let out = frontend::expand::expand(TokenStream::new(), item.clone());
                std::hint::black_box(out);
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{name:<20} {tokens:>7} {:>12.0} {:>12.0} {:>10}", times[runs / 2], times[0], ptx.lines().count());
    }
    println!("({} build, {runs} expansions each)", if cfg!(debug_assertions) { "debug" } else { "release" });
}

fn count_tokens(ts: TokenStream) -> usize {
    ts.into_iter()
        .map(|t| match t {
            proc_macro2::TokenTree::Group(g) => 2 + count_tokens(g.stream()),
            _ => 1,
        })
        .sum()
}
