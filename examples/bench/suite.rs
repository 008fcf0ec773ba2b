//! The suite: one [`Bench`] per kernel. Our kernels are the examples' own (`examples/<name>.rs`, included by path
//! in `bench.rs`), launched through their generated `launch`; each reference is the same algorithm in CUDA C++ with
//! the same launch configuration and one element per thread.
//!
//! ## Adding a kernel
//!
//! 1. Include the example's kernel in `bench.rs` (`#[path = "<name>.rs"] mod <name>_example;`) or write the
//!    `#[ptx_kernel]` function here.
//! 2. Write the reference as a `const <NAME>_CU: &str` below: `extern "C" __global__`, plain CUDA C++ doing what
//!    the Rust does (no fma contraction: NVRTC runs with `--fmad=false`), no headers. Pointer parameters are
//!    `__restrict__`: a `&[T]` and a `&mut [T]` never alias in Rust, and our PTX uses that (`ld.global.nc`), so the
//!    reference is given the same knowledge.
//! 3. Add a function returning its [`Bench`] (size, bytes/flops model, buffers, our launch closure, reference
//!    source + entry + configuration + arguments, CPU check) and one line in [`suite`].
//!
//! Multi-launch operations (reduce_sum, scan): our closure makes every launch, the reference lists the further
//! launches in [`Reference::then`] (entry, configuration, arguments); the whole sequence is one timed repetition on
//! both sides. Buffer element types: [`Ty`] (`f32`, `[f32; 4]` with a flat host side, bf16 and `[bf16; 4]` likewise,
//! `u8`, `u32`).
//!
//! Planned as the language grows: bf16 GEMM (the bf16 buffers exist: see bf16_gemv).

use ptx_kernel::LaunchConfig;

use crate::common::Rng;
use crate::harness::{expect_exact, Agree, Arg, Bench, Bound, BufSpec, Ours, Reference, Ty};
use crate::{
    bf16_gemv_example, histogram_example, reduce_sum_example, saxpy_example, scan_example, sgemm_example,
    softmax_example, transpose_example, vector_add_example, warp_specialized_example,
};

/// Problem sizes of one run.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Elements of the 1-D kernels' vectors.
    pub vec_len: usize,
    /// Width and height of the transposed matrix.
    pub matrix: (u32, u32),
    /// Elements of the scan (at most 1024², the example's limit).
    pub scan_len: usize,
    /// Softmax's rows and columns (one block per row).
    pub softmax: (u32, u32),
    /// SGEMM's M, N, K (M and N multiples of 128, K of 8).
    pub gemm: (u32, u32, u32),
    /// bf16_gemv's rows and columns (columns a multiple of 4).
    pub gemv: (u32, u32),
}

impl Sizes {
    /// On the GPU: 2^26 f32 per vector (256 MiB), an 8192×8192 f32 matrix (256 MiB): each set is several times
    /// the H200's 60 MiB L2 and a launch runs far past launch overhead.
    pub const GPU: Sizes = Sizes {
        vec_len: 1 << 26,
        matrix: (8192, 8192),
        gemm: (4096, 4096, 4096),
        scan_len: 1 << 20,
        softmax: (16384, 4096),
        // A 256 MiB bf16 matrix.
        gemv: (16384, 8192),
    };
    /// For the emulator's self-check: odd sizes, so the bounds guard of the last block is exercised.
    pub const EMULATOR: Sizes = Sizes {
        vec_len: 4099,
        matrix: (67, 45),
        gemm: (256, 128, 24),
        scan_len: 4099,
        softmax: (5, 1000),
        // 37 rows: the last block has 5 of its 8 warps; 251 quads per row: lanes 0..27 take one more than the rest.
        gemv: (37, 1004),
    };
}

/// Every kernel of the suite, in table order.
/// Whether `got` is within `tol` of `want`; false when either is NaN, so a NaN result fails its check.
fn within(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol
}

pub fn suite(s: Sizes) -> Vec<Bench> {
    vec![
        vector_add(s.vec_len),
        saxpy(s.vec_len),
        vector_add_vec4(s.vec_len),
        saxpy_vec4(s.vec_len),
        transpose_naive(s.matrix.0, s.matrix.1),
        transpose_tiled(s.matrix.0, s.matrix.1),
        reduce_sum(s.vec_len),
        sgemm(s.gemm),
        histogram(4 * s.vec_len),
        scan(s.scan_len),
        softmax(s.softmax),
        bf16_gemv(s.gemv),
        warp_specialized(s.vec_len),
    ]
    // Next: bf16 GEMM.
}

/// `2^26 f32` for powers of two, else `4099 f32`.
pub fn elems(n: usize) -> String {
    if n.is_power_of_two() && n >= 1024 {
        format!("2^{} f32", n.trailing_zeros())
    } else {
        format!("{n} f32")
    }
}

pub const VECTOR_ADD_CU: &str = r#"
extern "C" __global__ void ref_vector_add(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c,
                               unsigned long long n) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        c[i] = a[i] + b[i];
    }
}
"#;

fn vector_add(n: usize) -> Bench {
    use vector_add_example::vector_add as k;
    let cfg = LaunchConfig::for_num_elems(n as u32);
    Bench {
        name: "vector_add",
        size: elems(n),
        bytes: (3 * 4 * n) as f64,
        flops: n as f64,
        bound: Bound::Memory,
        buffers: vec![BufSpec::input("a", n, 0xA1), BufSpec::input("b", n, 0xB2), BufSpec::output("c", n)],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [a, b, c] = bufs else { unreachable!("three buffers") };
                k::launch(dev, cfg, a.f32(), b.f32(), c.f32_mut())
            }),
        },
        reference: Reference {
            source: VECTOR_ADD_CU,
            entry: "ref_vector_add",
            cfg,
            args: vec![Arg::Buf(0), Arg::Buf(1), Arg::Buf(2), Arg::Len(2)],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(|before, after| {
            let (a, b) = (before[0].f32(), before[1].f32());
            expect_exact("c", after[2].f32(), |i| a[i] + b[i])
        }),
    }
}

pub const SAXPY_CU: &str = r#"
extern "C" __global__ void ref_saxpy(float a, const float* __restrict__ x, float* __restrict__ y, unsigned long long n) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
"#;

fn saxpy(n: usize) -> Bench {
    use saxpy_example::saxpy as k;
    let cfg = LaunchConfig::for_num_elems(n as u32);
    let a = 1.5 + Rng::new(0x5A).f32();
    Bench {
        name: "saxpy",
        size: elems(n),
        bytes: (3 * 4 * n) as f64,
        flops: (2 * n) as f64,
        bound: Bound::Memory,
        buffers: vec![BufSpec::input("x", n, 0x5A_01), BufSpec::inout("y", n, 0x5A_02)],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [x, y] = bufs else { unreachable!("two buffers") };
                k::launch(dev, cfg, a, x.f32(), y.f32_mut())
            }),
        },
        reference: Reference {
            source: SAXPY_CU,
            entry: "ref_saxpy",
            cfg,
            args: vec![Arg::F32(a), Arg::Buf(0), Arg::Buf(1), Arg::Len(1)],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(move |before, after| {
            let (x, y) = (before[0].f32(), before[1].f32());
            // Rust never fuses `a * x + y`: the product is rounded, then the sum.
            expect_exact("y", after[1].f32(), |i| a * x[i] + y[i])
        }),
    }
}

/// `n` rounded up to whole float4s (4099 → 4100 = 1025 quads: the last block's guard is still exercised).
fn whole_quads(n: usize) -> usize {
    n.div_ceil(4) * 4
}

pub const VECTOR_ADD_VEC4_CU: &str = r#"
extern "C" __global__ void ref_vector_add_vec4(const float4* __restrict__ a, const float4* __restrict__ b,
                                               float4* __restrict__ c, unsigned long long n4) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n4) {
        float4 x = a[i];
        float4 y = b[i];
        c[i] = make_float4(x.x + y.x, x.y + y.y, x.z + y.z, x.w + y.w);
    }
}
"#;

/// vector_add with one float4 per thread (`&[[f32; 4]]` parameters): 16-byte loads and stores.
fn vector_add_vec4(n: usize) -> Bench {
    use crate::vec4::vector_add_vec4 as k;
    let n = whole_quads(n);
    let cfg = LaunchConfig::for_num_elems((n / 4) as u32);
    let mut b = vector_add(n);
    b.name = "vector_add_vec4";
    b.buffers = b.buffers.into_iter().map(BufSpec::quads).collect();
    b.ours = Ours {
        ptx: k::PTX,
        entry: k::ENTRY,
        launch: Box::new(move |dev, bufs| {
            let [a, b, c] = bufs else { unreachable!("three buffers") };
            k::launch(dev, cfg, a.f32x4(), b.f32x4(), c.f32x4_mut())
        }),
    };
    b.reference = Reference {
        source: VECTOR_ADD_VEC4_CU,
        entry: "ref_vector_add_vec4",
        cfg,
        args: vec![Arg::Buf(0), Arg::Buf(1), Arg::Buf(2), Arg::Len(2)],
        then: vec![],
    };
    b
}

pub const SAXPY_VEC4_CU: &str = r#"
extern "C" __global__ void ref_saxpy_vec4(float a, const float4* __restrict__ x, float4* __restrict__ y,
                                          unsigned long long n4) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n4) {
        float4 v = x[i];
        float4 w = y[i];
        y[i] = make_float4(a * v.x + w.x, a * v.y + w.y, a * v.z + w.z, a * v.w + w.w);
    }
}
"#;

/// saxpy with one float4 per thread.
fn saxpy_vec4(n: usize) -> Bench {
    use crate::vec4::saxpy_vec4 as k;
    let n = whole_quads(n);
    let cfg = LaunchConfig::for_num_elems((n / 4) as u32);
    let mut b = saxpy(n);
    let Arg::F32(a) = b.reference.args[0] else { unreachable!("saxpy's first argument is a") };
    b.name = "saxpy_vec4";
    b.buffers = b.buffers.into_iter().map(BufSpec::quads).collect();
    b.ours = Ours {
        ptx: k::PTX,
        entry: k::ENTRY,
        launch: Box::new(move |dev, bufs| {
            let [x, y] = bufs else { unreachable!("two buffers") };
            k::launch(dev, cfg, a, x.f32x4(), y.f32x4_mut())
        }),
    };
    b.reference = Reference {
        source: SAXPY_VEC4_CU,
        entry: "ref_saxpy_vec4",
        cfg,
        args: vec![Arg::F32(a), Arg::Buf(0), Arg::Buf(1), Arg::Len(1)],
        then: vec![],
    };
    b
}

pub const TRANSPOSE_CU: &str = r#"
extern "C" __global__ void ref_transpose_naive(const float* __restrict__ input, float* __restrict__ output,
                                               unsigned int width, unsigned int height) {
    unsigned int x = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < width && y < height) {
        output[(unsigned long long)x * height + y] = input[(unsigned long long)y * width + x];
    }
}
"#;

fn transpose_naive(w: u32, h: u32) -> Bench {
    use transpose_example::transpose_naive as k;
    let n = w as usize * h as usize;
    let cfg = LaunchConfig::for_2d(w, h, (32, 8));
    Bench {
        name: "transpose_naive",
        size: format!("{w}×{h} f32"),
        bytes: (2 * 4 * n) as f64,
        flops: 0.0,
        bound: Bound::Memory,
        buffers: vec![BufSpec::input("input", n, 0x7A_01), BufSpec::output("output", n)],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [input, output] = bufs else { unreachable!("two buffers") };
                k::launch(dev, cfg, input.f32(), output.f32_mut(), w, h)
            }),
        },
        reference: Reference {
            source: TRANSPOSE_CU,
            entry: "ref_transpose_naive",
            cfg,
            args: vec![Arg::Buf(0), Arg::Buf(1), Arg::U32(w), Arg::U32(h)],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(move |before, after| {
            let input = before[0].f32();
            let (w, h) = (w as usize, h as usize);
            // output[x·h + y] = input[y·w + x]: element i of the output is (x, y) = (i / h, i % h).
            expect_exact("output", after[1].f32(), |i| input[(i % h) * w + i / h])
        }),
    }
}

pub const TRANSPOSE_TILED_CU: &str = r#"
extern "C" __global__ void ref_transpose_tiled(const float* __restrict__ input, float* __restrict__ output,
                                               unsigned int width, unsigned int height) {
    __shared__ float tile[32][33];
    unsigned int bx = blockIdx.x * 32;
    unsigned int by = blockIdx.y * 32;
    unsigned int tx = threadIdx.x;
    unsigned int ty = threadIdx.y;
    for (unsigned int j = 0; j < 32; j += 8) {
        unsigned int x = bx + tx;
        unsigned int y = by + ty + j;
        if (x < width && y < height) {
            tile[ty + j][tx] = input[(unsigned long long)y * width + x];
        }
    }
    __syncthreads();
    for (unsigned int j = 0; j < 32; j += 8) {
        unsigned int x = by + tx;
        unsigned int y = bx + ty + j;
        if (x < height && y < width) {
            output[(unsigned long long)y * height + x] = tile[tx][ty + j];
        }
    }
}
"#;

/// The 32×32-tile transpose through a padded shared array: 32×8 blocks, 4 elements per thread.
fn transpose_tiled(w: u32, h: u32) -> Bench {
    use transpose_example::transpose_tiled as k;
    let (tile, rows) = (transpose_example::TILE, transpose_example::ROWS);
    let cfg = LaunchConfig {
        grid_dim: (w.div_ceil(tile), h.div_ceil(tile), 1),
        block_dim: (tile, rows, 1),
        shared_mem_bytes: 0,
    };
    // Same buffers, byte model and CPU check as the naive transpose.
    let mut b = transpose_naive(w, h);
    b.name = "transpose_tiled";
    b.ours = Ours {
        ptx: k::PTX,
        entry: k::ENTRY,
        launch: Box::new(move |dev, bufs| {
            let [input, output] = bufs else { unreachable!("two buffers") };
            k::launch(dev, cfg, input.f32(), output.f32_mut(), w, h)
        }),
    };
    b.reference = Reference {
        source: TRANSPOSE_TILED_CU,
        entry: "ref_transpose_tiled",
        cfg,
        args: vec![Arg::Buf(0), Arg::Buf(1), Arg::U32(w), Arg::U32(h)],
        then: vec![],
    };
    b
}

pub const REDUCE_SUM_CU: &str = r#"
extern "C" __global__ void ref_reduce_sum(const float* __restrict__ x, unsigned long long n, float* __restrict__ partial) {
    __shared__ float warp_sums[32];
    unsigned long long stride = (unsigned long long)(gridDim.x * blockDim.x);
    unsigned long long g = blockIdx.x * blockDim.x + threadIdx.x;
    float acc = 0.0f;
    unsigned long long quads = n / 4;
    for (unsigned long long i = g; i < quads; i += stride) {
        float4 v = reinterpret_cast<const float4*>(x)[i];
        acc += (v.x + v.y) + (v.z + v.w);
    }
    unsigned long long tail = 4 * quads + g;
    if (tail < n) {
        acc += x[tail];
    }
    for (int m = 16; m >= 1; m >>= 1) {
        acc = acc + __shfl_xor_sync(0xffffffffu, acc, m);
    }
    unsigned int lane = threadIdx.x % 32;
    unsigned int warp = threadIdx.x / 32;
    if (lane == 0) {
        warp_sums[warp] = acc;
    }
    __syncthreads();
    if (warp == 0) {
        float v = 0.0f;
        if (lane < blockDim.x / 32) {
            v = warp_sums[lane];
        }
        for (int m = 16; m >= 1; m >>= 1) {
            v = v + __shfl_xor_sync(0xffffffffu, v, m);
        }
        if (lane == 0) {
            partial[blockIdx.x] = v;
        }
    }
}
"#;

/// Two launches of the same kernel, as in the example: `blocks` = ⌈n / 4·256⌉ ≤ 1024 blocks of 256 threads (16-byte
/// grid-stride loads, warp shuffles, one partial per block), then one block of 1024 threads sums the partials.
fn reduce_sum(n: usize) -> Bench {
    use reduce_sum_example::reduce_sum as k;
    let block = reduce_sum_example::BLOCK;
    let blocks = (n as u32).div_ceil(4 * block).clamp(1, 1024);
    let pass1 = LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (block, 1, 1), shared_mem_bytes: 0 };
    let pass2 = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (1024, 1, 1), shared_mem_bytes: 0 };
    Bench {
        name: "reduce_sum",
        size: elems(n),
        bytes: (4 * n) as f64,
        flops: n as f64,
        bound: Bound::Memory,
        buffers: vec![
            BufSpec::input("x", n, 0x5E_11),
            BufSpec::output("partial", blocks as usize),
            BufSpec::output("sum", 1),
        ],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [x, partial, sum] = bufs else { unreachable!("three buffers") };
                k::launch(dev, pass1, x.f32(), partial.f32_mut())?;
                k::launch(dev, pass2, partial.f32(), sum.f32_mut())
            }),
        },
        reference: Reference {
            source: REDUCE_SUM_CU,
            entry: "ref_reduce_sum",
            cfg: pass1,
            args: vec![Arg::Buf(0), Arg::Len(0), Arg::Buf(1)],
            then: vec![("ref_reduce_sum", pass2, vec![Arg::Buf(1), Arg::Len(1), Arg::Buf(2)])],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(|before, after| {
            let x = before[0].f32();
            let got = after[2].f32()[0] as f64;
            let want: f64 = x.iter().map(|&v| v as f64).sum();
            let abs: f64 = x.iter().map(|&v| v.abs() as f64).sum();
            // As the example: each f32 addition may round by 2^-24 relative.
            let tol = abs * 1e-6 + 1e-6;
            if !within(got, want, tol) {
                return Err(format!("sum: got {got}, want {want} (tolerance {tol:e})"));
            }
            Ok(())
        }),
    }
}

pub const SGEMM_CU: &str = r#"
extern "C" __global__ void ref_sgemm(unsigned int m, unsigned int n, unsigned int k, float alpha,
                                     const float4* __restrict__ a, const float4* __restrict__ b, float beta,
                                     float4* __restrict__ c) {
    __shared__ __align__(16) float a_s[8][128];
    __shared__ __align__(16) float b_s[8][128];
    (void)m;
    unsigned long long tid = threadIdx.x;
    unsigned long long tx = tid % 16;
    unsigned long long ty = tid / 16;
    unsigned long long row0 = (unsigned long long)blockIdx.y * 128;
    unsigned long long col0 = (unsigned long long)blockIdx.x * 128;
    unsigned long long nn = n;
    unsigned long long kk = k;
    unsigned long long a_row = tid / 2;
    unsigned long long a_col = (tid % 2) * 4;
    unsigned long long b_row = tid / 32;
    unsigned long long b_col = (tid % 32) * 4;
    unsigned long long a_base = ((row0 + a_row) * kk + a_col) / 4;
    unsigned long long b_base = (b_row * nn + col0 + b_col) / 4;
    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++) {
#pragma unroll
        for (int j = 0; j < 8; j++) {
            acc[i][j] = 0.0f;
        }
    }
    float4 av = a[a_base];
    float4 bv = b[b_base];
    unsigned long long k0 = 0;
    while (k0 < kk) {
        a_s[a_col][a_row] = av.x;
        a_s[a_col + 1][a_row] = av.y;
        a_s[a_col + 2][a_row] = av.z;
        a_s[a_col + 3][a_row] = av.w;
        *reinterpret_cast<float4*>(&b_s[b_row][b_col]) = bv;
        __syncthreads();
        k0 += 8;
        if (k0 < kk) {
            av = a[a_base + k0 / 4];
            bv = b[b_base + k0 * nn / 4];
        }
#pragma unroll
        for (int p = 0; p < 8; p++) {
            float4 a0 = *reinterpret_cast<const float4*>(&a_s[p][ty * 4]);
            float4 a1 = *reinterpret_cast<const float4*>(&a_s[p][64 + ty * 4]);
            float4 b0 = *reinterpret_cast<const float4*>(&b_s[p][tx * 4]);
            float4 b1 = *reinterpret_cast<const float4*>(&b_s[p][64 + tx * 4]);
            float af[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            float bf[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; i++) {
#pragma unroll
                for (int j = 0; j < 8; j++) {
                    acc[i][j] = fmaf(af[i], bf[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
        unsigned long long r = row0 + (i / 4) * 64 + ty * 4 + i % 4;
#pragma unroll
        for (int h = 0; h < 2; h++) {
            unsigned long long idx = (r * nn + col0 + h * 64 + tx * 4) / 4;
            float4 old = c[idx];
            c[idx] = make_float4(alpha * acc[i][4 * h] + beta * old.x, alpha * acc[i][4 * h + 1] + beta * old.y,
                                 alpha * acc[i][4 * h + 2] + beta * old.z, alpha * acc[i][4 * h + 3] + beta * old.w);
        }
    }
}
"#;

/// `C = alpha·A·B + beta·C`, the example's 128×128 tile per 256-thread block, 8×8 per thread, register prefetch;
/// the reference is a line-by-line CUDA C++ port (same tiling, shared layout, FMA order). Held against cuBLAS.
fn sgemm((m, n, k): (u32, u32, u32)) -> Bench {
    use sgemm_example::sgemm as k_;
    let (mu, nu, ku) = (m as usize, n as usize, k as usize);
    let tile = sgemm_example::TILE;
    let cfg = LaunchConfig { grid_dim: (n / tile, m / tile, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
    let (alpha, beta) = (1.25f32, -0.5f32);
    Bench {
        name: "sgemm",
        size: format!("{m}×{n}×{k} f32"),
        bytes: (4 * (mu * ku + ku * nu + 2 * mu * nu)) as f64,
        flops: 2.0 * mu as f64 * nu as f64 * ku as f64,
        bound: Bound::Compute,
        buffers: vec![
            BufSpec::input("a", mu * ku, 0x5E_33_01).quads(),
            BufSpec::input("b", ku * nu, 0x5E_33_02).quads(),
            BufSpec::inout("c", mu * nu, 0x5E_33_03).quads(),
        ],
        ours: Ours {
            ptx: k_::PTX,
            entry: k_::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [a, b, c] = bufs else { unreachable!("three buffers") };
                k_::launch(dev, cfg, m, n, k, alpha, a.f32x4(), b.f32x4(), beta, c.f32x4_mut())
            }),
        },
        reference: Reference {
            source: SGEMM_CU,
            entry: "ref_sgemm",
            cfg,
            args: vec![
                Arg::U32(m),
                Arg::U32(n),
                Arg::U32(k),
                Arg::F32(alpha),
                Arg::Buf(0),
                Arg::Buf(1),
                Arg::F32(beta),
                Arg::Buf(2),
            ],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(move |before, after| {
            let (a, b, c0) = (before[0].f32(), before[1].f32(), before[2].f32());
            let got = after[2].f32();
            // A sample of rows (all of them for small shapes), against f64.
            let rows: Vec<usize> =
                if mu * nu <= 1 << 16 { (0..mu).collect() } else { (0..mu).step_by(mu / 61 + 1).collect() };
            for &i in &rows {
                // Row i of A·B, B read row by row (cache-friendly on the host).
                let (mut dot, mut mag) = (vec![0.0f64; nu], vec![0.0f64; nu]);
                for p in 0..ku {
                    let av = a[i * ku + p] as f64;
                    for (j, &bv) in b[p * nu..(p + 1) * nu].iter().enumerate() {
                        let t = av * bv as f64;
                        dot[j] += t;
                        mag[j] += t.abs();
                    }
                }
                for j in 0..nu {
                    let want = alpha as f64 * dot[j] + beta as f64 * c0[i * nu + j] as f64;
                    let g = got[i * nu + j] as f64;
                    let tol = 1e-5 * (mag[j] + c0[i * nu + j].abs() as f64) + 1e-6;
                    if !within(g, want, tol) {
                        return Err(format!("C[{i}][{j}] = {g}, want {want} (tolerance {tol:e})"));
                    }
                }
            }
            Ok(())
        }),
    }
}

pub const HISTOGRAM_CU: &str = r#"
extern "C" __global__ void ref_histogram(const unsigned char* __restrict__ data, unsigned long long n,
                                         unsigned int* __restrict__ bins) {
    __shared__ unsigned int local[256];
    unsigned long long t = threadIdx.x;
    unsigned long long threads = blockDim.x;
    for (unsigned long long k = t; k < 256; k += threads) {
        local[k] = 0;
    }
    __syncthreads();
    unsigned long long stride = (unsigned long long)(gridDim.x * blockDim.x);
    unsigned long long g = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned long long quads = n / 4;
    for (unsigned long long i = g; i < quads; i += stride) {
        uchar4 v = reinterpret_cast<const uchar4*>(data)[i];
        atomicAdd(&local[v.x], 1u);
        atomicAdd(&local[v.y], 1u);
        atomicAdd(&local[v.z], 1u);
        atomicAdd(&local[v.w], 1u);
    }
    unsigned long long tail = 4 * quads + g;
    if (tail < n) {
        atomicAdd(&local[data[tail]], 1u);
    }
    __syncthreads();
    for (unsigned long long k = t; k < 256; k += threads) {
        unsigned int c = local[k];
        if (c != 0) {
            atomicAdd(&bins[k], c);
        }
    }
}
"#;

/// Blocks of the histogram: ⌈n / 4·256⌉, at most 1056 (the example's 8 per SM on the H200's 132 SMs; fixed here
/// because the suite is built before the device is known).
const HISTOGRAM_MAX_BLOCKS: u32 = 1056;

/// 256-bin byte histogram (the example's kernel): shared-memory bins with atomics, 4-byte loads, grid-stride; the
/// bins are added to (in/out: each launch adds its counts), so repeated launches need no clearing in between.
fn histogram(n: usize) -> Bench {
    use histogram_example::histogram as k;
    let blocks = (n as u32).div_ceil(4 * 256).clamp(1, HISTOGRAM_MAX_BLOCKS);
    let cfg = LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
    Bench {
        name: "histogram",
        size: if n.is_power_of_two() && n >= 1024 { format!("2^{} u8", n.trailing_zeros()) } else { format!("{n} u8") },
        bytes: (n + 2 * 256 * 4) as f64,
        flops: 0.0,
        bound: Bound::Memory,
        buffers: vec![BufSpec::input("data", n, 0x4157).of(Ty::U8), BufSpec::inout("bins", 256, 0x4158).of(Ty::U32)],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [data, bins] = bufs else { unreachable!("two buffers") };
                k::launch(dev, cfg, data.u8(), bins.u32_mut())
            }),
        },
        reference: Reference {
            source: HISTOGRAM_CU,
            entry: "ref_histogram",
            cfg,
            args: vec![Arg::Buf(0), Arg::Len(0), Arg::Buf(1)],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(|before, after| {
            let mut want = before[1].u32().to_vec();
            for &b in before[0].u8() {
                want[b as usize] += 1;
            }
            let got = after[1].u32();
            match (0..256).find(|&i| got[i] != want[i]) {
                None => Ok(()),
                Some(i) => Err(format!("bins[{i}] = {}, want {}", got[i], want[i])),
            }
        }),
    }
}

pub const SCAN_CU: &str = r#"
extern "C" __global__ void ref_scan_block(const unsigned int* __restrict__ x, unsigned long long nx,
                                          unsigned int* __restrict__ y, unsigned long long ny,
                                          unsigned int* __restrict__ totals) {
    __shared__ unsigned int warp_totals[32];
    unsigned long long i = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned int lane = threadIdx.x % 32;
    unsigned int warp = threadIdx.x / 32;
    unsigned int v = i < nx ? x[i] : 0;
    for (unsigned int d = 1; d < 32; d *= 2) {
        unsigned int o = __shfl_up_sync(0xffffffffu, v, d);
        if (lane >= d) {
            v += o;
        }
    }
    if (lane == 31) {
        warp_totals[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        unsigned int nwarps = blockDim.x / 32;
        unsigned int t = lane < nwarps ? warp_totals[lane] : 0;
        for (unsigned int d = 1; d < 32; d *= 2) {
            unsigned int o = __shfl_up_sync(0xffffffffu, t, d);
            if (lane >= d) {
                t += o;
            }
        }
        warp_totals[lane] = t;
    }
    __syncthreads();
    if (warp > 0) {
        v += warp_totals[warp - 1];
    }
    if (i < ny) {
        y[i] = v;
    }
    if (threadIdx.x == blockDim.x - 1) {
        totals[blockIdx.x] = v;
    }
}

extern "C" __global__ void ref_add_offsets(unsigned int* __restrict__ y, unsigned long long ny,
                                           const unsigned int* __restrict__ scanned) {
    unsigned long long b = blockIdx.x;
    unsigned long long i = blockIdx.x * blockDim.x + threadIdx.x;
    if (b > 0 && i < ny) {
        y[i] += scanned[b - 1];
    }
}
"#;

/// Inclusive u32 prefix sum, the example's three launches: a block scan of 1024-element blocks (warp shuffles, warp
/// totals through shared memory) writing each block's total, the same kernel on the totals (one block), then
/// `add_offsets`. n ≤ 1024² and more than one block.
fn scan(n: usize) -> Bench {
    use scan_example::{add_offsets as k2, scan_block as k};
    let block = scan_example::BLOCK;
    let blocks = (n as u32).div_ceil(block);
    assert!(blocks > 1 && blocks <= block, "scan: n = {n}");
    let cfg = LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (block, 1, 1), shared_mem_bytes: 0 };
    let one = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (block, 1, 1), shared_mem_bytes: 0 };
    let nb = blocks as usize;
    Bench {
        name: "scan",
        size: if n.is_power_of_two() && n >= 1024 {
            format!("2^{} u32", n.trailing_zeros())
        } else {
            format!("{n} u32")
        },
        bytes: (2 * 4 * n) as f64,
        flops: 0.0,
        bound: Bound::Memory,
        buffers: vec![
            BufSpec::input("x", n, 0x5CA7).of(Ty::U32),
            BufSpec::output("y", n).of(Ty::U32),
            BufSpec::output("totals", nb).of(Ty::U32),
            BufSpec::output("scanned", nb).of(Ty::U32),
            BufSpec::output("total", 1).of(Ty::U32),
        ],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [x, y, totals, scanned, total] = bufs else { unreachable!("five buffers") };
                k::launch(dev, cfg, x.u32(), y.u32_mut(), totals.u32_mut())?;
                k::launch(dev, one, totals.u32(), scanned.u32_mut(), total.u32_mut())?;
                k2::launch(dev, cfg, y.u32_mut(), scanned.u32())
            }),
        },
        reference: Reference {
            source: SCAN_CU,
            entry: "ref_scan_block",
            cfg,
            args: vec![Arg::Buf(0), Arg::Len(0), Arg::Buf(1), Arg::Len(1), Arg::Buf(2)],
            then: vec![
                ("ref_scan_block", one, vec![Arg::Buf(2), Arg::Len(2), Arg::Buf(3), Arg::Len(3), Arg::Buf(4)]),
                ("ref_add_offsets", cfg, vec![Arg::Buf(1), Arg::Len(1), Arg::Buf(3)]),
            ],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(|before, after| {
            let x = before[0].u32();
            let got = after[1].u32();
            let mut acc = 0u32;
            for i in 0..x.len() {
                acc = acc.wrapping_add(x[i]);
                if got[i] != acc {
                    return Err(format!("y[{i}] = {}, want {acc}", got[i]));
                }
            }
            Ok(())
        }),
    }
}

pub const SOFTMAX_CU: &str = r#"
extern "C" __global__ void ref_softmax(const float* __restrict__ x, float* __restrict__ y, unsigned int cols);

// Our f32::exp, instruction for instruction: in f64 (fdlibm-style reduction, Taylor to degree 13, two exact
// power-of-two factors), rounded once to f32.
__device__ float exp_like_ours(float xf) {
    double x = (double)xf;
    double k = rint(x * 1.4426950408889634);
    double r = fma(k, -6.93147180369123816490e-01, x);
    r = fma(k, -1.90821492927058770002e-10, r);
    double p = 1.6059043836821613e-10;
    p = fma(p, r, 2.08767569878681e-09);
    p = fma(p, r, 2.505210838544172e-08);
    p = fma(p, r, 2.755731922398589e-07);
    p = fma(p, r, 2.7557319223985893e-06);
    p = fma(p, r, 2.48015873015873e-05);
    p = fma(p, r, 0.0001984126984126984);
    p = fma(p, r, 0.001388888888888889);
    p = fma(p, r, 0.008333333333333333);
    p = fma(p, r, 0.041666666666666664);
    p = fma(p, r, 0.16666666666666666);
    p = fma(p, r, 0.5);
    p = fma(p, r, 1.0);
    p = fma(p, r, 1.0);
    double kc = fmin(fmax(k, -1100.0), 1100.0);
    int n = (int)kc;
    int n1 = n >> 1;
    int n2 = n - n1;
    double s1 = __longlong_as_double((long long)((unsigned long long)(unsigned int)(n1 + 1023) << 52));
    double s2 = __longlong_as_double((long long)((unsigned long long)(unsigned int)(n2 + 1023) << 52));
    double v = (p * s1) * s2;
    v = x > 709.782712893384 ? __longlong_as_double(0x7ff0000000000000LL) : v;
    v = x < -745.1332191019412 ? 0.0 : v;
    return (float)v;
}

extern "C" __global__ void ref_softmax(const float* __restrict__ x, float* __restrict__ y, unsigned int cols) {
    __shared__ float partial[32];
    unsigned long long row = (unsigned long long)blockIdx.x * cols;
    unsigned int t = threadIdx.x;
    unsigned int lane = threadIdx.x % 32;
    unsigned int warp = threadIdx.x / 32;
    unsigned int nwarps = blockDim.x / 32;
    float m = __int_as_float(0xff800000);
    for (unsigned int c = t; c < cols; c += blockDim.x) {
        m = fmaxf(m, x[row + c]);
    }
    for (int k = 16; k >= 1; k >>= 1) {
        m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, k));
    }
    if (lane == 0) {
        partial[warp] = m;
    }
    __syncthreads();
    float v = lane < nwarps ? partial[lane] : __int_as_float(0xff800000);
    for (int k = 16; k >= 1; k >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, k));
    }
    float mx = v;
    __syncthreads();
    float s = 0.0f;
    for (unsigned int c = t; c < cols; c += blockDim.x) {
        s += exp_like_ours(x[row + c] - mx);
    }
    for (int k = 16; k >= 1; k >>= 1) {
        s = s + __shfl_xor_sync(0xffffffffu, s, k);
    }
    if (lane == 0) {
        partial[warp] = s;
    }
    __syncthreads();
    float total = lane < nwarps ? partial[lane] : 0.0f;
    for (int k = 16; k >= 1; k >>= 1) {
        total = total + __shfl_xor_sync(0xffffffffu, total, k);
    }
    float inv = 1.0f / total;
    for (unsigned int c = t; c < cols; c += blockDim.x) {
        unsigned long long i = row + c;
        y[i] = exp_like_ours(x[i] - mx) * inv;
    }
}
"#;

/// Row softmax, one 256-thread block per row (the example's kernel): max and sum of exp by warp shuffles and a
/// shared array, then the normalised row. Our `f32::exp` is an inline f64 sequence rounded once to f32; the
/// reference carries a line-by-line port of that sequence (`exp_like_ours`), so the two agree bit for bit.
fn softmax((rows, cols): (u32, u32)) -> Bench {
    use softmax_example::softmax as k;
    let n = rows as usize * cols as usize;
    let cfg = LaunchConfig { grid_dim: (rows, 1, 1), block_dim: (softmax_example::BLOCK, 1, 1), shared_mem_bytes: 0 };
    Bench {
        name: "softmax",
        size: format!("{rows}×{cols} f32"),
        bytes: (2 * 4 * n) as f64,
        flops: (4 * n) as f64,
        bound: Bound::Memory,
        buffers: vec![BufSpec::input("x", n, 0x50F7), BufSpec::output("y", n)],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [x, y] = bufs else { unreachable!("two buffers") };
                k::launch(dev, cfg, x.f32(), y.f32_mut(), cols)
            }),
        },
        reference: Reference {
            source: SOFTMAX_CU,
            entry: "ref_softmax",
            cfg,
            args: vec![Arg::Buf(0), Arg::Buf(1), Arg::U32(cols)],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(move |before, after| {
            let (x, y) = (before[0].f32(), after[1].f32());
            let cols = cols as usize;
            // Every 61st row on the GPU, every row on the emulator.
            for r in (0..rows as usize).step_by(if rows > 64 { 61 } else { 1 }) {
                let row = &x[r * cols..(r + 1) * cols];
                // As the example: the subtraction is f32, each later step ~1 ulp, the sum f32: relative 1e-5.
                let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                let sum: f64 = row.iter().map(|&v| ((v - max) as f64).exp()).sum();
                for c in 0..cols {
                    let want = ((row[c] - max) as f64).exp() / sum;
                    let got = y[r * cols + c] as f64;
                    if !within(got, want, want * 1e-5 + 1e-30) {
                        return Err(format!("y[{r}][{c}] = {got:e}, want {want:e}"));
                    }
                }
            }
            Ok(())
        }),
    }
}

pub const BF16_GEMV_CU: &str = r#"
extern "C" __global__ void ref_bf16_gemv(const ushort4* __restrict__ a, const ushort4* __restrict__ x,
                                         unsigned long long nx, float* __restrict__ y, unsigned long long ny);

// bf16 → f32, exact (our `to_f32()`): the bf16 bits are the upper half of the f32's. NVRTC has no __nv_bfloat16
// without cuda_bf16.h, so the data are raw 16-bit words.
__device__ float widen(unsigned short h) {
    return __uint_as_float((unsigned int)h << 16);
}

extern "C" __global__ void ref_bf16_gemv(const ushort4* __restrict__ a, const ushort4* __restrict__ x,
                                         unsigned long long nx, float* __restrict__ y, unsigned long long ny) {
    unsigned long long row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row < ny) {
        unsigned long long n = nx;
        unsigned int lane = threadIdx.x % 32;
        float acc = 0.0f;
        for (unsigned long long k = lane; k < n; k += 32) {
            ushort4 av = a[row * n + k];
            ushort4 xv = x[k];
            acc = fmaf(widen(av.x), widen(xv.x), acc);
            acc = fmaf(widen(av.y), widen(xv.y), acc);
            acc = fmaf(widen(av.z), widen(xv.z), acc);
            acc = fmaf(widen(av.w), widen(xv.w), acc);
        }
        for (int m = 16; m >= 1; m >>= 1) {
            acc = acc + __shfl_xor_sync(0xffffffffu, acc, m);
        }
        if (lane == 0) {
            y[row] = acc;
        }
    }
}
"#;

/// `y = A·x` for a row-major bf16 matrix and a bf16 vector (the example's kernel): one warp per row, 8 rows per
/// 256-thread block, each lane an 8-byte `[bf16; 4]` load of A and of x per step, widened exactly to f32 and
/// accumulated with fma; `warp_sum` (masks 16, 8, 4, 2, 1) combines the lanes. The reference reads `ushort4` and
/// widens by a shift, `fmaf` in the same order: bit for bit.
fn bf16_gemv((rows, cols): (u32, u32)) -> Bench {
    use bf16_gemv_example::bf16_gemv as k;
    assert!(cols % 4 == 0, "bf16_gemv: cols = {cols}");
    let (r, c) = (rows as usize, cols as usize);
    let cfg = LaunchConfig {
        grid_dim: (rows.div_ceil(bf16_gemv_example::BLOCK / 32), 1, 1),
        block_dim: (bf16_gemv_example::BLOCK, 1, 1),
        shared_mem_bytes: 0,
    };
    Bench {
        name: "bf16_gemv",
        size: format!("{rows}×{cols} bf16"),
        bytes: (2 * r * c + 2 * c + 4 * r) as f64,
        flops: (2 * r * c) as f64,
        bound: Bound::Memory,
        buffers: vec![
            BufSpec::input("a", r * c, 0xBF_16_01).of(Ty::Bf16).quads(),
            BufSpec::input("x", c, 0xBF_16_02).of(Ty::Bf16).quads(),
            BufSpec::output("y", r),
        ],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [a, x, y] = bufs else { unreachable!("three buffers") };
                k::launch(dev, cfg, a.bf16x4(), x.bf16x4(), y.f32_mut())
            }),
        },
        reference: Reference {
            source: BF16_GEMV_CU,
            entry: "ref_bf16_gemv",
            cfg,
            args: vec![Arg::Buf(0), Arg::Buf(1), Arg::Len(1), Arg::Buf(2), Arg::Len(2)],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(move |before, after| {
            let (a, x, y) = (before[0].bf16(), before[1].bf16(), after[2].f32());
            let x: Vec<f64> = x.iter().map(|v| v.to_f64()).collect();
            // Products of two bf16 are exact in f32; a lane rounds once per fma (⌈cols / 128⌉ · 4 of them), then
            // once per butterfly step (5): the error is at most γ_k · Σ|a·x| with k that many roundings,
            // γ_k = k·u / (1 − k·u) and u = 2^-24 (plus a little for the f64 sum here).
            let ku = (c.div_ceil(128) * 4 + 5) as f64 * 2f64.powi(-24);
            let gamma = ku / (1.0 - ku) + 1e-12;
            for i in 0..r {
                let (mut want, mut mag) = (0f64, 0f64);
                for (av, xv) in a[i * c..(i + 1) * c].iter().zip(&x) {
                    let t = av.to_f64() * xv;
                    want += t;
                    mag += t.abs();
                }
                let tol = gamma * mag;
                let got = y[i] as f64;
                if !within(got, want, tol) {
                    return Err(format!("y[{i}] = {got}, want {want} (tolerance {tol:e})"));
                }
            }
            Ok(())
        }),
    }
}

pub const WARP_SPECIALIZED_CU: &str = r#"
extern "C" __global__ void ref_warp_specialized(const float* __restrict__ x, float* __restrict__ y,
                                                unsigned long long n);

// Named barriers, as gpu::barrier_sync / gpu::barrier_arrive. "memory": no shared access moves across them.
__device__ void bar_sync(unsigned int id, unsigned int threads) {
    asm volatile("bar.sync %0, %1;" :: "r"(id), "r"(threads) : "memory");
}

__device__ void bar_arrive(unsigned int id, unsigned int threads) {
    asm volatile("bar.arrive %0, %1;" :: "r"(id), "r"(threads) : "memory");
}

extern "C" __global__ void ref_warp_specialized(const float* __restrict__ x, float* __restrict__ y,
                                                unsigned long long n) {
    __shared__ float ring[192];
    unsigned long long t = threadIdx.x;
    unsigned long long warp = t / 32;
    unsigned long long tiles = (n + 95) / 96;
    unsigned long long grid = gridDim.x;
    unsigned long long first = blockIdx.x;
    unsigned long long m = first < tiles ? (tiles - first + grid - 1) / grid : 0;
    if (warp == 0) {
        unsigned long long lane = t;
        for (unsigned long long j = 0; j < m; j++) {
            unsigned long long buf = j % 2;
            if (j >= 2) {
                bar_sync(3 + (unsigned int)buf, 128);
            }
            unsigned long long base = (first + j * grid) * 96;
            for (unsigned long long r = 0; r < 3; r++) {
                unsigned long long k = r * 32 + lane;
                unsigned long long e = base + k;
                ring[buf * 96 + k] = e < n ? x[e] : 0.0f;
            }
            bar_arrive(1 + (unsigned int)buf, 128);
        }
        unsigned long long tail = m >= 2 ? m - 2 : 0;
        for (unsigned long long j = tail; j < m; j++) {
            bar_sync(3 + (unsigned int)(j % 2), 128);
        }
    } else {
        unsigned long long c = t - 32;
        for (unsigned long long j = 0; j < m; j++) {
            unsigned long long buf = j % 2;
            bar_sync(1 + (unsigned int)buf, 128);
            float v = ring[buf * 96 + c];
            bar_arrive(3 + (unsigned int)buf, 128);
            unsigned long long e = (first + j * grid) * 96 + c;
            if (e < n) {
                y[e] = v * v * 0.5f + v;
            }
        }
    }
}
"#;

/// Blocks of warp_specialized: one per 8 tiles, at most 1056 (the example's 8 per SM on the H200's 132 SMs, fixed
/// as for the histogram).
const WARP_SPECIALIZED_MAX_BLOCKS: u32 = 1056;

/// `y = x·x·0.5 + x` through a producer/consumer pipeline (the example's kernel): in each 128-thread block warp 0
/// loads 96-element tiles into a double-buffered shared ring, warps 1–3 compute from it, handing buffers over with
/// named barriers (`bar.arrive` / `bar.sync`, 128 threads). The reference issues the same barriers by inline asm.
/// Our kernel's `launch_bounds(max_threads = 128)` (`.maxntid`) has no `__launch_bounds__` in the reference (the
/// suite's tests read the parameter list right after the entry's name); ptxas gives the reference the same code
/// either way (40 registers, sm_90).
fn warp_specialized(n: usize) -> Bench {
    use warp_specialized_example::warp_specialized as k;
    let tile = warp_specialized_example::TILE;
    let tiles = n.div_ceil(tile) as u32;
    let cfg = LaunchConfig {
        grid_dim: (tiles.div_ceil(8).clamp(1, WARP_SPECIALIZED_MAX_BLOCKS), 1, 1),
        block_dim: (warp_specialized_example::THREADS, 1, 1),
        shared_mem_bytes: 0,
    };
    Bench {
        name: "warp_specialized",
        size: elems(n),
        bytes: (2 * 4 * n) as f64,
        flops: (3 * n) as f64,
        bound: Bound::Memory,
        buffers: vec![BufSpec::input("x", n, 0xBA_77), BufSpec::output("y", n)],
        ours: Ours {
            ptx: k::PTX,
            entry: k::ENTRY,
            launch: Box::new(move |dev, bufs| {
                let [x, y] = bufs else { unreachable!("two buffers") };
                k::launch(dev, cfg, x.f32(), y.f32_mut())
            }),
        },
        reference: Reference {
            source: WARP_SPECIALIZED_CU,
            entry: "ref_warp_specialized",
            cfg,
            args: vec![Arg::Buf(0), Arg::Buf(1), Arg::Len(1)],
            then: vec![],
        },
        agree: Agree::Exact,
        cpu_check: Box::new(|before, after| {
            let x = before[0].f32();
            expect_exact("y", after[1].f32(), |i| x[i] * x[i] * 0.5 + x[i])
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptx_kernel::Device;

    #[test]
    fn sizes_and_labels() {
        assert_eq!(elems(1 << 26), "2^26 f32");
        assert_eq!(elems(4099), "4099 f32");
        let s = suite(Sizes::GPU);
        let names: Vec<&str> = s.iter().map(|b| b.name).collect();
        assert_eq!(
            names,
            [
                "vector_add", "saxpy", "vector_add_vec4", "saxpy_vec4", "transpose_naive", "transpose_tiled",
                "reduce_sum", "sgemm", "histogram", "scan", "softmax", "bf16_gemv", "warp_specialized"
            ]
        );
        assert_eq!(s[0].bytes, 805_306_368.0);
        assert_eq!(s[2].bytes, 805_306_368.0);
        assert_eq!(s[2].reference.cfg.grid_dim, (1 << 16, 1, 1));
        assert_eq!(s[4].reference.cfg.block_dim, (32, 8, 1));
        assert_eq!(s[0].reference.cfg.block_dim, (256, 1, 1));
        assert_eq!(s[5].reference.cfg.block_dim, (32, 8, 1));
        assert_eq!(s[5].reference.cfg.grid_dim, (256, 256, 1));
        assert_eq!(s[6].reference.cfg.grid_dim, (1024, 1, 1));
        assert_eq!(s[6].reference.launches().count(), 2);
        assert_eq!(s[7].reference.cfg.grid_dim, (32, 32, 1));
        assert_eq!(s[7].flops, 2.0 * 4096f64.powi(3));
        assert_eq!(s[8].size, "2^28 u8");
        assert_eq!(s[8].reference.cfg.grid_dim, (1056, 1, 1));
        assert_eq!(s[9].reference.launches().count(), 3);
        // bf16_gemv: 256 MiB of matrix, 16 KiB of vector, 64 KiB of output; 8 rows per block.
        assert_eq!(s[11].bytes, (2 * 16384 * 8192 + 2 * 8192 + 4 * 16384) as f64);
        assert_eq!(s[11].reference.cfg.grid_dim, (2048, 1, 1));
        assert_eq!(s[11].size, "16384×8192 bf16");
        // warp_specialized: 8 blocks per SM of the H200, 128 threads.
        assert_eq!(s[12].reference.cfg.grid_dim, (1056, 1, 1));
        assert_eq!(s[12].reference.cfg.block_dim, (128, 1, 1));
    }

    #[test]
    fn references_look_like_their_kernels() {
        for b in suite(Sizes::EMULATOR) {
            let src = b.reference.source;
            assert!(src.contains(&format!("extern \"C\" __global__ void {}(", b.reference.entry)), "{}", b.name);
            // One parameter per argument.
            let params = src[src.find('(').unwrap()..src.find(')').unwrap()].split(',').count();
            assert_eq!(params, b.reference.args.len(), "{}", b.name);
            // Braces balance; no headers (NVRTC has no include path here).
            assert_eq!(src.matches('{').count(), src.matches('}').count(), "{}", b.name);
            assert!(!src.contains("#include"), "{}", b.name);
            // The entry is the name (or, for a multi-kernel operation, its first kernel: scan → scan_block).
            assert!(b.ours.entry.starts_with(b.name), "{}", b.name);
            assert!(b.ours.ptx.contains(".entry"), "{}", b.name);
        }
    }

    /// Every reference compiles with NVRTC (when the library can be loaded here: it needs no GPU) to PTX with the
    /// entry it names, and without contracting the multiply-add of saxpy.
    #[test]
    fn references_compile_with_nvrtc() {
        if !crate::gpu::nvrtc_present() {
            eprintln!("skipped: {}", crate::gpu::missing_library("nvrtc"));
            return;
        }
        for b in suite(Sizes::EMULATOR) {
            let (ptx, _) = crate::gpu::nvrtc_compile(b.reference.source, b.reference.entry, "compute_90")
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(ptx.contains(&format!(".entry {}(", b.reference.entry)), "{}:\n{ptx}", b.name);
            // No contraction: the reference has an fma exactly where ours does (sgemm's explicit mul_add / fmaf).
            // (Softmax: both carry the same fma.rn.f64 of the f64 exp sequence.)
            assert_eq!(ptx.contains("fma."), b.ours.ptx.contains("fma."), "{}: contracted?\n{ptx}", b.name);
        }
    }

    /// Where NVRTC loads (it needs no GPU), each reference's PTX runs on the emulator on the same inputs as ours
    /// and must give bit-identical outputs that pass the CPU check: the reference's source, arguments and launch
    /// configuration are proven before the GPU run.
    #[test]
    fn references_agree_with_ours_on_the_emulator() {
        use crate::harness::{compare_host, Buf, Host};
        if !crate::gpu::nvrtc_present() {
            eprintln!("skipped: {}", crate::gpu::missing_library("nvrtc"));
            return;
        }
        let dev = Device::emulator();
        for b in suite(Sizes::EMULATOR) {
            let (ptx, _) = crate::gpu::nvrtc_compile(b.reference.source, b.reference.entry, "compute_90").unwrap();
            let ptx: &'static str = ptx.leak();
            let before: Vec<Host> = b.buffers.iter().map(|s| s.initial()).collect();
            let run = |ours: bool| -> Vec<Host> {
                let mut bufs: Vec<Buf> = before.iter().map(|h| h.upload(&dev).unwrap()).collect();
                if ours {
                    (b.ours.launch)(&dev, &mut bufs).unwrap();
                } else {
                    for (entry, cfg, args) in b.reference.launches() {
                        let module: &'static ptx_kernel::KernelModule =
                            Box::leak(Box::new(ptx_kernel::KernelModule::new(ptx, entry, 90)));
                        let args: Vec<Vec<u8>> = args.iter().map(|a| a.bytes(&bufs)).collect();
                        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
                        module.launch(&dev, cfg, &refs).unwrap_or_else(|e| panic!("{}: {e}", b.name));
                    }
                }
                bufs.iter().map(|x| x.download().unwrap()).collect()
            };
            let (ours, reference) = (run(true), run(false));
            (b.cpu_check)(&before, &reference).unwrap_or_else(|e| panic!("{}: reference: {e}", b.name));
            for (spec, (o, r)) in b.buffers.iter().zip(ours.iter().zip(&reference)) {
                compare_host(spec.name, o, r, b.agree).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            }
        }
    }

    /// Every entry's launch closure, buffer list and CPU check, on the emulator.
    #[test]
    fn suite_self_test_on_the_emulator() {
        let dev = Device::emulator();
        for b in suite(Sizes::EMULATOR) {
            crate::harness::self_test(&dev, &b).unwrap_or_else(|e| panic!("{}: {e}", b.name));
        }
    }

    /// The CPU checks reject a wrong result (so a pass means something).
    #[test]
    fn cpu_checks_catch_errors() {
        for b in suite(Sizes::EMULATOR) {
            let before: Vec<_> = b.buffers.iter().map(|s| s.initial()).collect();
            // "after" = the inputs themselves: no entry's output equals its input.
            assert!((b.cpu_check)(&before, &before).is_err(), "{}", b.name);
        }
    }
}
