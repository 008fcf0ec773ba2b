//! Kernel-side intrinsics: what a `#[ptx_kernel]` function calls to find out which thread it is and to synchronise.
//!
//! Call them by path inside a kernel, `gpu::thread_idx_x()` (with `use ptx_kernel::prelude::*;`) or
//! `ptx_kernel::gpu::thread_idx_x()`. The macro recognises the call and lowers it to the PTX special register or
//! instruction named below. The functions exist on the host only so that rustc (and rust-analyzer) can type-check
//! the kernel body: calling one outside a kernel panics with a message saying so.
//!
//! # What a kernel body means
//!
//! A kernel body is ordinary Rust, and it means what it means on the CPU in a **release** build:
//!
//! - Integer arithmetic wraps (`+ - *`, `-x`, and casts truncate or extend like `as`); shift amounts are masked to
//!   the width of the shifted type (`x << 33` on a `u32` shifts by 1).
//! - `/` truncates toward zero and `%` takes the sign of the dividend.
//! - `f as int` saturates, NaN gives 0; `int as f` and `f64 as f32` round to nearest even.
//! - Float `+ - *` are never fused into a multiply-add (PTX `.rn` is emitted on each); only `mul_add` fuses.
//! - `min`/`max` return the non-NaN operand; `round` rounds half away from zero; `sqrt` and `/` are correctly rounded.
//!
//! # Panics
//!
//! What panics in Rust panics in a kernel, with Rust's message:
//!
//! - **Slice indexing is bounds-checked**: `x[i]` with `i >= x.len()` touches no memory and panics with
//!   `index out of bounds: the len is L but the index is I`.
//! - **Integer division** `x / 0` and `x % 0` panic (`attempt to divide by zero`, `attempt to calculate the
//!   remainder with a divisor of zero`), and so do `MIN / -1` and `MIN % -1` on signed types (`attempt to divide
//!   with overflow`, `attempt to calculate the remainder with overflow`).
//! - `(a..b).step_by(0)` panics (`assertion failed: step != 0`).
//!
//! A panicking thread records the panic in its module's panic record (only the first panic of a launch is kept:
//! kernel, `file:line:col` of the expression, index and length, block and thread) and exits; it does not `trap`, so
//! the other threads finish, exited threads no longer count at `sync_threads()`, and the CUDA context stays usable.
//! The host gets `Err(Error::KernelPanic { .. })` from the next synchronizing call on that device
//! (`Device::synchronize`, `Stream::synchronize`, `DeviceBuffer::download`, …), displayed like Rust's panic:
//! `index out of bounds: the len is 1000 but the index is 1024 at examples/foo.rs:12:9 (block (3,0,0), thread
//! (7,0,0))`. The record is then reset, and later launches run normally. Launching costs nothing more: the record is
//! read only at synchronizing calls.
//!
//! Checks that cannot fail are not emitted: an access `x[e]` inside `if e < x.len() { … }` (or after
//! `if e >= x.len() { return; }`, or with `for e in a..x.len()`, or after an earlier checked `x[e]` in the same
//! block) where `e` is built only from immutable locals, literals, parameters and intrinsics has no check. The
//! compiler also proves indices of fixed-size arrays (shared, local) from value ranges: `thread_idx_x()` is below
//! the kernel's `launch_bounds(max_threads = N)` (1024 without one), `%`, `/`, `&`, `*`, `+` bound what they
//! compute, so in a kernel declared for 256 threads `tile[(tid / 16) * 4 + 64]` of a 128-element tile costs no
//! check (the launcher refuses larger blocks, so the proof holds). For the rest, `unsafe { *x.get_unchecked(i) }` and
//! `unsafe { *x.get_unchecked_mut(i) = v }` skip the check, and `#[ptx_kernel(bounds_checks = false)]` removes every
//! bounds check of a kernel (division checks stay).
//!
//! # Safe and unsafe launches
//!
//! A kernel without `unsafe` gets a safe `launch`: nothing it does can touch memory outside its buffers. A kernel
//! that uses `unsafe` (unchecked access) or `bounds_checks = false` gets an `unsafe fn launch` whose `# Safety`
//! section says what the caller must guarantee. A `&mut [T]` parameter is a `&mut DeviceBuffer<T>` argument, so the
//! borrow checker rejects a launch where it aliases another argument.
//!
//! # Collectives and uniform control flow
//!
//! `sync_threads()` must be reached by every thread of the block together. The macro rejects, at build time, a
//! collective inside control flow that depends on a **thread-varying** value: the thread index
//! (`thread_idx_*`, `global_idx_x`), anything loaded from memory, and anything computed from those — including a
//! local assigned under such a condition, the bounds of a `for` loop, a `while` condition, and an early `return`,
//! `break` or `continue` taken under such a condition (after it, fewer threads run the rest of the kernel or of the
//! loop). Control flow on **uniform** values is accepted: parameters, `block_idx_*`, `block_dim_*`, `grid_dim_*`,
//! `x.len()`, constants, and loop counters with uniform bounds. The warp collectives (`sync_warp`, shuffles,
//! `ballot_sync`/`all_sync`/`any_sync`, warp reductions) need control that is the same in every lane of the warp:
//! `if gpu::warp_id() == 0 { v = gpu::warp_sum(v); }` is accepted, `if gpu::lane_id() < 16 { … }` is not. Threads
//! that exit on a failed check are fine: exited threads do not count at a barrier. The analysis is conservative: a
//! value loaded from memory is varying even when every thread loads the same element; restructure such code
//! (compute the condition, then synchronise unconditionally). See the `uniformity` module of the macro crate for the exact rules.
//!
//! # Beyond scalars (each family documented in its module)
//!
//! - **Shared memory** ([`shared`]): `let t = gpu::SharedArray::<f32, 256>::new();` (`t[i]`, `t[i] = v`),
//!   2-D `SharedArray::<[f32; 33], 32>` (`t[y][x]`), `gpu::dynamic_shared::<T>()` sized by
//!   `LaunchConfig::shared_mem_bytes`; barriers and fences `sync_threads`, `sync_warp`, `fence_block`,
//!   `fence_device`, `fence_system`.
//! - **Atomics** ([`atomic`]): `gpu::atomic_add(&mut x[i], v)` and `sub min max and or xor exch cas` on
//!   `&mut [T]` elements and shared arrays; `load_nc` / `load_streaming` for cache-hinted reads.
//! - **Warp operations** ([`warp`]): `lane_id`, `warp_id`, `active_mask`, `shfl_sync` / `_up` / `_down` / `_xor` of
//!   32- and 64-bit values, `ballot_sync`, `all_sync`, `any_sync`, `warp_sum` / `warp_max` / `warp_min`.
//! - **Fast math** ([`fast`]): one `.approx` instruction each.
//! - **16-byte access**: slice parameters of `[T; 2]` / `[T; 4]` (16 bytes at most, e.g. `&[[f32; 4]]`):
//!   `let v = x[i];` is one `ld.global.v4`, `y[i] = [a, b, c, d]` one `st.global.v4`, `v[k]` an element.
//! - **Local arrays**: `let mut acc = [0.0f32; 8];`, `[[0.0f32; 8]; 8]`, `[a, b, c]`, up to 256 scalars, held in
//!   registers: a constant index (a literal or the variable of an `#[unroll]` loop) is free; a dynamic one costs a
//!   `selp` per element (reads out of bounds give the first element, writes do nothing). `#[unroll] for k in 0..8`
//!   repeats the body with `k` a constant (bounds must be literals, at most 1024 iterations).
//! - **`half::f16` / `half::bf16`**: parameters, slices, shared arrays; `+ - * /`, negation and comparisons with
//!   the `half` crate's results (native `.f16` arithmetic when the kernel asks for `target = "sm_53"` or newer,
//!   `.bf16` for sm_90, else through f32 — the same bits); `f16::from_f32`, `f16::from_f64`, `bf16::from_f32`,
//!   `x.to_f32()`, `x.to_f64()`.
//! - **Device functions**: `#[ptx_module] mod m { #[ptx_device] fn …; #[ptx_kernel] fn … }`, inlined (see
//!   [`ptx_module`](macro@crate::ptx_module)).
//! - **Generic kernels**: `#[ptx_kernel(instances(f32, f64))] fn k<T: gpu::Float>(…)` or
//!   `#[ptx_kernel(instances(N = 64, N = 128))] fn k<const N: usize>(…)`: one PTX entry per instance
//!   (`k::k_f32::PTX`) and `k::launch::<f32>(…)` / `k::launch::<64>(…)`; an unlisted instance does not compile.
//!   [`Float`] and [`Number`] are the bounds that let rustc type-check the generic body.
//!
//! # Float methods and their precision
//!
//! Each method (the integers' `abs`, `min`, `max` too, and the halves' `to_f32`/`to_f64`) can also be called in
//! path form, as in Rust: `f64::sqrt(x)`, `u64::max(a, b)`, `f32::mul_add(a, b, c)` are `x.sqrt()`, `a.max(b)`,
//! `a.mul_add(b, c)`, the receiver taking the path's type (the literal of `f64::sqrt(2.0)` is an `f64`).
//!
//! `abs min max sqrt mul_add floor ceil round trunc recip` are exact or IEEE-rounded (`sqrt.rn`, `fma.rn`,
//! `rcp.rn`; `/` is `div.rn`). The transcendental methods are computed in f64 by inline sequences (range reduction
//! and polynomials after fdlibm; the f32 methods round the f64 result once to f32). Maximum errors measured against
//! the host's libm on 4000 random inputs per function (`tests/exec_math.rs`, which pins these bounds; special
//! values — NaN, ±inf, ±0, ±1, subnormals — agree exactly with Rust, see below for NaNs); `sin`/`cos`/`tan` also
//! on 16384 log-uniform magnitudes up to `MAX` and, against correctly rounded values, on the floats and doubles
//! closest to multiples of π/2 (where the reduction cancels up to 61 bits); `powf` also on 1,310,720 inputs
//! (below):
//!
//! | method | f32 | f64 | domain measured |
//! |---|---|---|---|
//! | `exp`, `exp2` | ≤ 1 ulp (0.5 vs exact) | 1 ulp | whole range (f64 underflow to subnormals rounds once) |
//! | `ln`, `log2` | ≤ 1 ulp | 1 ulp | all positive values, subnormals included |
//! | `log10` | ≤ 1 ulp | 2 ulp | same |
//! | `sin`, `cos` | ≤ 1 ulp | 1 ulp | whole finite range (Payne–Hanek reduction above 2^30); ±inf gives NaN |
//! | `tan` | ≤ 1 ulp | 3 ulp | same |
//! | `tanh` | ≤ 1 ulp | 3 ulp | all |
//! | `powf` | ≤ 1 ulp | 1 ulp (0.505 vs exact) | all x, y: overflow, underflow to subnormals (rounded once) and the special cases as Rust |
//! | `powi(n: i32)` | bit-exact vs host | bit-exact vs host | square-and-multiply like compiler-rt's `__powi*f2` (run-time calls, see below) |
//! | `hypot` | ≤ 1 ulp | 2 ulp | no intermediate overflow; ±inf wins over NaN |
//!
//! "≤ 1 ulp" for f32 means: within 0.5 ulp of the exact value measured in f64 plus the final rounding. For speed
//! over accuracy use [`fast`]: one `.approx` instruction each.
//!
//! `powf` (f64) was measured on 1,048,576 inputs of x ∈ (0, 50], |y| ≤ 20 (x log-uniform down to 2^-60 and
//! uniform, y uniform and integral, x within 2^-45..2^-1 of 1, negative x with integral y) and 262,144 over the
//! whole range (any positive x, y with `y ln x` uniform in [-745, 709.7], subnormal results included): never more
//! than one ulp from the host's (glibc's, itself within 0.52 ulp of the exact value), and within 0.505 ulp of the
//! exact value (mpmath; glibc: 0.505), so it is correctly rounded but where the exact value is within about
//! 0.005 ulp of a midpoint between two doubles; on that sample f32 `powf` is the f64 value rounded, as before.
//! It is `exp(y ln|x|)` with `ln|x|` to about 2^-68 relative as a double-double, the product as a double-double
//! and a table-driven `exp` taking its tail: 134 PTX instructions per call site (131 before), five of them
//! loads from two `.const` tables (3 KiB and 2 KiB, `__ptx_kernel_pow_log` and `__ptx_kernel_pow_exp`, declared by
//! kernels that use `powf`), indexed by the argument: on a GPU, lanes of a warp that read different entries are
//! served one after another.
//!
//! NaNs: a NaN result is a NaN, not necessarily the operand's payload, and kernels treat every NaN as quiet. Where
//! C's libm (which Rust calls) treats a signalling NaN operand differently from a quiet one, a kernel gives the
//! quiet-NaN result: `hypot(sNaN, ±inf)` is +inf in a kernel and NaN in glibc (both give +inf for a quiet NaN), and
//! `powf(sNaN, 0)` and `powf(1, sNaN)` are 1 in a kernel and NaN in glibc (1 for a quiet NaN). The special values
//! above agree with Rust for quiet NaNs.
//!
//! `powi`'s "bit-exact vs host" is against Rust's `powi` called at run time. With constant operands rustc (LLVM)
//! may fold the call at compile time to a different value: `(-271.4566f32).powi(10)` folds to `0x67e60bbe` in an
//! optimised build, while the run-time call and a kernel give `0x67e60bbd`.
//!
//! `sin`/`cos`/`tan` branch on |x| > 2^30 to an exact (Payne–Hanek) reduction: about 80 more PTX instructions
//! per call site, with 64-bit integer multiplies and four reads of a 160-byte `.const` table of 2/π's bits that
//! kernels using them declare; arguments below 2^30 only pay the compare and branch.
//!
//! # Parameters
//!
//! A kernel takes scalars `i8 i16 i32 i64 isize u8 u16 u32 u64 usize f32 f64 bool` and slices `&[T]` / `&mut [T]`
//! of them. The generated `launch` takes the scalars by value and each slice as a `&DeviceBuffer<T>` /
//! `&mut DeviceBuffer<T>`; a slice of `bool` is a buffer of `u8` (0 is `false`, anything else `true` when read;
//! the kernel writes 0 or 1). In PTX a slice is two parameters, its address and its length (both `.u64`), and a
//! `bool` scalar is a `.u32` holding 0 or 1.
//!
//! # Controlling the machine: occupancy, SMs, ordering, persistent kernels
//!
//! For kernels that manage the GPU themselves (the "seed's controls"; see `examples/sm_partition.rs`):
//!
//! - `#[ptx_kernel(launch_bounds(max_threads = 256, min_blocks = 2))]` and `#[ptx_kernel(max_registers = 64)]`
//!   become `.maxntid` / `.minnctapersm` / `.maxnreg`: ptxas budgets registers for them, and the runtime rejects a
//!   launch with more threads per block than `max_threads` (`Error::InvalidLaunch`).
//! - [`smid`], [`nsmid`], [`clock64`], [`global_timer`]: where a block runs and when.
//! - [`load_acquire`] / [`store_release`] (device scope; `_scoped` forms take a [`Scope`]), [`fence_scoped`], and
//!   atomics with an explicit scope and semantics: `atomic_<op>_scoped(&mut x[i], v, Scope::Block)` (relaxed) and
//!   `atomic_<op>_ordered(&mut x[i], v, Ordering::AcqRel, Scope::Device)` for `add min max and or xor exch`, plus
//!   `atomic_cas_scoped` / `atomic_cas_ordered`. They work on slice elements and on shared arrays. (The plain
//!   `atomic_*` functions are relaxed at the place's natural scope.)
//! - [`barrier_sync`] / [`barrier_arrive`]: named barriers (`bar.sync id, n` / `bar.arrive id, n`) for warp
//!   specialisation: producer warps arrive, consumer warps wait.
//! - [`ptx_asm!`]: inline PTX inside `unsafe`.
//!
//! ## Persistent kernels
//!
//! `<kernel>::persistent_config(&dev, (threads, 1, 1), dynamic_smem)` returns a launch configuration with exactly as
//! many blocks as fit on the device at once (SM count × `cuOccupancyMaxActiveBlocksPerMultiprocessor`; on the
//! emulator one block per worker thread). Every block of such a launch is resident, so blocks may wait for each
//! other, and each block loops over the work instead of the grid covering it. Two patterns:
//!
//! ```
//! use ptx_kernel::prelude::*;
//!
//! // Grid-stride: block b takes items b, b + grid, b + 2·grid, … (static, even split).
//! #[ptx_kernel]
//! pub fn scale(a: f32, x: &mut [f32]) {
//!     let stride = (gpu::grid_dim_x() * gpu::block_dim_x()) as usize;
//!     let mut i = gpu::global_idx_x() as usize;
//!     while i < x.len() {
//!         x[i] = a * x[i];
//!         i += stride;
//!     }
//! }
//!
//! // Atomic work queue: each block claims the next tile from a counter (dynamic, balances uneven tiles).
//! // `next[0]` starts at 0; thread 0 claims and publishes the claim through `claim[block]`.
//! #[ptx_kernel]
//! pub fn queue(next: &mut [u32], claim: &mut [u32], x: &mut [f32], tiles: u32) {
//!     let b = gpu::block_idx_x() as usize;
//!     let t = gpu::thread_idx_x() as usize;
//!     let tile = gpu::block_dim_x() as usize;
//!     loop {
//!         if t == 0 {
//!             claim[b] = gpu::atomic_add_scoped(&mut next[0], 1, gpu::Scope::Device);
//!         }
//!         gpu::sync_threads();
//!         let k = claim[b];
//!         gpu::sync_threads(); // everyone has read the claim before thread 0 overwrites it
//!         if k >= tiles {
//!             break;
//!         }
//!         let i = k as usize * tile + t;
//!         if i < x.len() {
//!             x[i] = x[i] + 1.0;
//!         }
//!     }
//! }
//!
//! # fn main() -> ptx_kernel::Result<()> {
//! let dev = Device::emulator();
//! let mut x = dev.upload(&vec![1.0f32; 1000])?;
//! let cfg = scale::persistent_config(&dev, (256, 1, 1), 0)?;
//! scale::launch(&dev, cfg, 2.0, &mut x)?;
//! let mut next = dev.alloc_zeros::<u32>(1)?;
//! let cfg = queue::persistent_config(&dev, (256, 1, 1), 0)?;
//! let mut claim = dev.alloc_zeros::<u32>(cfg.grid_dim.0 as usize)?;
//! queue::launch(&dev, cfg, &mut next, &mut claim, &mut x, 4)?;
//! assert!(x.download()?.iter().all(|&v| v == 3.0));
//! # Ok(()) }
//! ```
//!
//! Blocks that wait for other blocks (spinning on a flag with [`load_acquire`] until a producer's
//! [`store_release`]) need this configuration: in an ordinary grid larger than the device, the producer may not
//! be scheduled until the waiting block finishes, which it never does. Bound such spins (e.g. with
//! [`global_timer`]) and report a timeout rather than hanging.

#[cold]
#[inline(never)]
#[track_caller]
fn host_call(name: &str) -> ! {
    panic!(
        "ptx_kernel::gpu::{name}() was called on the host: it only has a meaning inside a #[ptx_kernel] function \
         running on a device; launch the kernel with its generated `<kernel>::launch` instead of calling it"
    )
}

macro_rules! special_registers {
    ($($(#[$doc:meta])* $name:ident => $reg:literal;)*) => {$(
        $(#[$doc])*
        ///
        #[doc = concat!("Lowered to `mov.u32 %r, ", $reg, "`. Panics when called on the host.")]
        #[track_caller]
        pub fn $name() -> u32 {
            host_call(stringify!($name))
        }
    )*};
}

special_registers! {
    /// This thread's index within its block, x dimension.
    thread_idx_x => "%tid.x";
    /// This thread's index within its block, y dimension.
    thread_idx_y => "%tid.y";
    /// This thread's index within its block, z dimension.
    thread_idx_z => "%tid.z";
    /// This block's index within the grid, x dimension.
    block_idx_x => "%ctaid.x";
    /// This block's index within the grid, y dimension.
    block_idx_y => "%ctaid.y";
    /// This block's index within the grid, z dimension.
    block_idx_z => "%ctaid.z";
    /// Threads per block, x dimension.
    block_dim_x => "%ntid.x";
    /// Threads per block, y dimension.
    block_dim_y => "%ntid.y";
    /// Threads per block, z dimension.
    block_dim_z => "%ntid.z";
    /// Blocks in the grid, x dimension.
    grid_dim_x => "%nctaid.x";
    /// Blocks in the grid, y dimension.
    grid_dim_y => "%nctaid.y";
    /// Blocks in the grid, z dimension.
    grid_dim_z => "%nctaid.z";
}

/// This thread's index in the whole grid, x dimension: `block_idx_x() * block_dim_x() + thread_idx_x()` (wrapping).
///
/// Lowered to `mad.lo.u32` of `%ctaid.x`, `%ntid.x` and `%tid.x`. Panics when called on the host.
#[track_caller]
pub fn global_idx_x() -> u32 {
    host_call("global_idx_x")
}

/// Waits until every thread of the block has reached this point, and makes their earlier writes to memory visible
/// to each other (`bar.sync 0`). Every thread of the block must reach the same `sync_threads()`: a call in control
/// flow that depends on thread-varying values is a compile error (see the module doc). Panics when called on the
/// host.
#[track_caller]
pub fn sync_threads() {
    host_call("sync_threads")
}

// The breadth features, one file per family (each documents what it lowers to).
pub mod atomic;
pub mod fast;
pub mod generic;
pub mod shared;
pub mod warp;

pub use atomic::*;
pub use generic::{Float, Number};
pub use shared::*;
pub use warp::*;

mod seed;
pub use seed::*;
