//! The execution suite run on both backends: every kernel of `tests/kernels/` and of the examples runs on
//! `cuda:0` and on the CPU emulator with the same inputs, and every output buffer is compared bit for bit (integer
//! kernels and float kernels alike; a kernel whose PTX uses an `.approx`/`.full` instruction is marked `approx` in
//! the table, still compared bit for bit, and its mismatches are reported but not counted).
//!
//! ```text
//! PTX_KERNEL_DEVICE=cuda cargo test --release --test differential_suite -- --nocapture
//! ```
//!
//! prints one line per kernel and `differential: N kernels compared on cuda:0 and the emulator, M mismatches`, and
//! asserts M == 0. Without a CUDA device it runs every kernel on two emulators (checking the harness and that the
//! emulator is deterministic) and passes with a note; with `PTX_KERNEL_DEVICE=cuda` and no usable device it fails.
//!
//! # Adding a kernel: one line in `kernels()`
//!
//! ```text
//! k!("name", c => path::to::kernel, cfg(N); scalar_expr, in c.f32s(N), out c.zeros::<u32>(N)),
//! ```
//!
//! After the launch configuration come the launcher's arguments in order: a plain expression is a scalar; `in v`
//! uploads the vector `v` as a read-only buffer (`&DeviceBuffer`); `out v` uploads `v` as a written buffer
//! (`&mut DeviceBuffer`) that is downloaded and compared after the launch. Inputs come from `c`, a generator seeded
//! by the kernel's name, so both devices get the same values (`c.i32s(n)`, `c.f32s(n)`, … mirror the generators
//! of `exec_frontend.rs`: random bits with edge values mixed in). Kernels of `tests/kernels/mod.rs`'s `ALL` that
//! have no line here are listed as "not registered" in the output.

// Each example is included whole, with the `mod common` it needs to build on its own.
#![allow(clippy::duplicate_mod)]

mod kernels;

#[allow(dead_code)]
#[path = "../examples/saxpy.rs"]
mod saxpy_example;
#[allow(dead_code)]
#[path = "../examples/transpose.rs"]
mod transpose_example;
#[allow(dead_code)]
#[path = "../examples/vector_add.rs"]
mod vector_add_example;

use std::cell::RefCell;
use std::fmt::Write as _;

use kernels::*;
use ptx_kernel::prelude::*;

// ----- registration machinery --------------------------------------------------------------------------------

/// One registered kernel.
struct Entry {
    label: &'static str,
    /// The kernel's path, e.g. `basic::saxpy` (kernels are counted by it).
    path: &'static str,
    ptx: &'static str,
    /// Launches on the device in the context and returns every `out` buffer's bits, in argument order.
    run: fn(&Ctx) -> ptx_kernel::Result<Vec<Output>>,
}

/// `k!("label", c => path::kernel, cfg; args…)`: an [`Entry`] (see the module documentation).
macro_rules! k {
    ($label:expr, $c:ident => $($k:ident)::+, $cfg:expr; $($args:tt)*) => {
        Entry {
            label: $label,
            path: stringify!($($k)::+),
            ptx: $($k)::+::PTX,
            run: |$c: &Ctx| -> ptx_kernel::Result<Vec<Output>> {
                #[allow(unused_mut)]
                let mut outs = Vec::new();
                args!(@go $c, outs, [$($k)::+], $cfg, []; $($args)*);
                Ok(outs)
            },
        }
    };
}

/// Turns the argument list into nested `let`s (each level's `buf` is its own hygienic name), launches, then
/// downloads the `out` buffers, innermost last, and puts them in argument order.
macro_rules! args {
    (@go $c:ident, $outs:ident, [$($k:ident)::+], $cfg:expr, [$($done:tt)*]; ) => {
        $($k)::+::launch(&$c.dev, $cfg, $($done)*)?;
    };
    (@go $c:ident, $outs:ident, [$($k:ident)::+], $cfg:expr, [$($done:tt)*]; in $e:expr $(, $($rest:tt)*)?) => {
        let v = $e;
        let buf = $c.dev.upload(&v)?;
        args!(@go $c, $outs, [$($k)::+], $cfg, [$($done)* &buf,]; $($($rest)*)?);
    };
    (@go $c:ident, $outs:ident, [$($k:ident)::+], $cfg:expr, [$($done:tt)*]; out $e:expr $(, $($rest:tt)*)?) => {
        let v = $e;
        let mut buf = $c.dev.upload(&v)?;
        args!(@go $c, $outs, [$($k)::+], $cfg, [$($done)* &mut buf,]; $($($rest)*)?);
        $outs.insert(0, Output::of(&buf.download()?));
    };
    (@go $c:ident, $outs:ident, [$($k:ident)::+], $cfg:expr, [$($done:tt)*]; $e:expr $(, $($rest:tt)*)?) => {
        let v = $e;
        args!(@go $c, $outs, [$($k)::+], $cfg, [$($done)* v,]; $($($rest)*)?);
    };
}

/// One downloaded output buffer: element bits and how to show an element.
struct Output {
    ty: &'static str,
    bits: Vec<u64>,
    show: fn(u64) -> String,
}

trait Elem: Copy + ptx_kernel::DeviceScalar {
    fn bits(self) -> u64;
    fn show(bits: u64) -> String;
    fn from_bits(bits: u64) -> Self;
}

macro_rules! int_elem {
    ($($t:ty => $u:ty),*) => {$(impl Elem for $t {
        fn bits(self) -> u64 {
            self as $u as u64
        }
        fn show(bits: u64) -> String {
            format!("{} ({:#x})", bits as $u as $t, bits)
        }
        fn from_bits(bits: u64) -> Self {
            bits as $u as $t
        }
    })*};
}
int_elem!(i8 => u8, u8 => u8, i16 => u16, u16 => u16, i32 => u32, u32 => u32, i64 => u64, u64 => u64,
    isize => usize, usize => usize);

impl Elem for f32 {
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
    fn show(bits: u64) -> String {
        format!("{:e} ({:#010x})", f32::from_bits(bits as u32), bits)
    }
    fn from_bits(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
}

impl Elem for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn show(bits: u64) -> String {
        format!("{:e} ({:#018x})", f64::from_bits(bits), bits)
    }
    fn from_bits(bits: u64) -> Self {
        f64::from_bits(bits)
    }
}

impl Output {
    fn of<T: Elem>(v: &[T]) -> Output {
        Output { ty: std::any::type_name::<T>(), bits: v.iter().map(|x| x.bits()).collect(), show: T::show }
    }
}

// ----- the kernels -------------------------------------------------------------------------------------------

const N: usize = 1000;

/// A 3-D launch of 12 blocks of 24 threads.
const GEOMETRY: LaunchConfig = LaunchConfig { grid_dim: (3, 2, 2), block_dim: (4, 2, 3), shared_mem_bytes: 0 };

fn cfg(n: usize) -> LaunchConfig {
    LaunchConfig::for_num_elems(n as u32)
}

/// Every kernel compared: (label, PTX, launch). One line each (see the module documentation).
fn kernels() -> Vec<Entry> {
    vec![
        k!("saxpy", c => basic::saxpy, cfg(N); 1.7f32, in c.f32s(N), out c.f32s(N)),
        k!("copy_u8", c => basic::copy_u8, cfg(N); in c.u8s(N), out c.u8s(N - 10)),
        k!("fill_i64", c => basic::fill_i64, cfg(N); out c.i64s(N), -0x1234_5678_9ABCi64),
        k!("bool_param", c => basic::bool_param, cfg(N); true, in c.i32s(N), out c.i32s(N)),
        k!("bool_param(false)", c => basic::bool_param, cfg(N); false, in c.i32s(N), out c.i32s(N)),
        k!("bool_logic", c => basic::bool_logic, cfg(N); in c.bools(N), in c.bools(N), out c.u8s(4 * N)),
        k!("geometry", c => basic::geometry, GEOMETRY; out c.u32s(12 * 12 * 24)),
        k!("transpose", c => basic::transpose, LaunchConfig::for_2d(37, 29, (16, 16));
            37u32, 29u32, in c.f32s(37 * 29), out c.f32s(37 * 29)),
        k!("lengths", c => basic::lengths, cfg(N); in c.u16s(77), in c.f64s(5), out c.u64s(N)),
        k!("noop", c => basic::noop, cfg(1);),
        k!("neighbour_exchange", c => basic::neighbour_exchange, cfg(256);
            in c.i32s(256), out c.i32s(256), out c.i32s(256)),
        k!("mut_params", c => basic::mut_params, cfg(N); -123_456_789_012isize, 1usize << 40, out c.isizes(N)),
        k!("arith_i8", c => ints::arith_i8, cfg(N); in c.i8s(N), in c.nonzero(c.i8s(N)), out c.i8s(5 * N)),
        k!("arith_u8", c => ints::arith_u8, cfg(N); in c.u8s(N), in c.nonzero(c.u8s(N)), out c.u8s(5 * N)),
        k!("arith_i16", c => ints::arith_i16, cfg(N); in c.i16s(N), in c.nonzero(c.i16s(N)), out c.i16s(5 * N)),
        k!("arith_u16", c => ints::arith_u16, cfg(N); in c.u16s(N), in c.nonzero(c.u16s(N)), out c.u16s(5 * N)),
        k!("arith_i32", c => ints::arith_i32, cfg(N); in c.i32s(N), in c.nonzero(c.i32s(N)), out c.i32s(5 * N)),
        k!("arith_u32", c => ints::arith_u32, cfg(N); in c.u32s(N), in c.nonzero(c.u32s(N)), out c.u32s(5 * N)),
        k!("arith_i64", c => ints::arith_i64, cfg(N); in c.i64s(N), in c.nonzero(c.i64s(N)), out c.i64s(5 * N)),
        k!("arith_u64", c => ints::arith_u64, cfg(N); in c.u64s(N), in c.nonzero(c.u64s(N)), out c.u64s(5 * N)),
        k!("bit_ops", c => ints::bit_ops, cfg(N);
            in c.u32s(N), in c.i64s(N), in c.i8s(N), out c.u32s(N), out c.i64s(N), out c.i8s(N)),
        k!("shifts", c => ints::shifts, cfg(N);
            in c.i32s(N), in c.u8s(N), in c.u64s(N), in c.i8s(N), out c.i64s(6 * N)),
        k!("const_shifts", c => ints::const_shifts, cfg(N); in c.u16s(N), in c.i64s(N), out c.u64s(N)),
        k!("compound_assign", c => ints::compound_assign, cfg(N); in c.u32s(N), in c.u32s(N), out c.u32s(2 * N)),
        k!("compare_ints", c => ints::compare_ints, cfg(N);
            in c.i32s(N), in c.sharing(9, c.i32s(N)), in c.u8s(N), in c.u64s(N), out c.u32s(N)),
        k!("int_methods", c => ints::int_methods, cfg(N);
            in c.i8s(N), in c.i32s(N), in c.u64s(N), out c.i8s(N), out c.i32s(N), out c.u64s(N)),
        k!("int_casts", c => casts::int_casts, cfg(N); in c.i64s(N), out c.i64s(10 * N)),
        k!("widen_small", c => casts::widen_small, cfg(N); in c.i8s(N), in c.u8s(N), in c.i16s(N), out c.u64s(4 * N)),
        k!("f32_to_int", c => casts::f32_to_int, cfg(N); in c.f32s(N), out c.i64s(8 * N), out c.u64s(2 * N)),
        k!("f64_to_int", c => casts::f64_to_int, cfg(N); in c.f64s(N), out c.i64s(8 * N), out c.u64s(2 * N)),
        k!("int_to_float", c => casts::int_to_float, cfg(N);
            in c.i64s(N), in c.u64s(N), out c.f32s(4 * N), out c.f64s(4 * N)),
        k!("float_casts", c => casts::float_casts, cfg(N); in c.f32s(N), in c.f64s(N), out c.f32s(N), out c.f64s(N)),
        k!("bool_casts", c => casts::bool_casts, cfg(N); in c.i32s(N), out c.u64s(N)),
        k!("float_arith_f32", c => floats::float_arith_f32, cfg(N);
            in c.f32s(N), in c.f32s(N), in c.f32s(N), out c.f32s(5 * N)),
        k!("float_arith_f64", c => floats::float_arith_f64, cfg(N);
            in c.f64s(N), in c.f64s(N), in c.f64s(N), out c.f64s(4 * N)),
        k!("float_methods_f32", c => floats::float_methods_f32, cfg(N); in c.f32s(N), in c.f32s(N), out c.f32s(9 * N)),
        k!("float_methods_f64", c => floats::float_methods_f64, cfg(N); in c.f64s(N), in c.f64s(N), out c.f64s(9 * N)),
        k!("round_halves", c => floats::round_halves, cfg(200); out c.f32s(200)),
        k!("compare_floats", c => floats::compare_floats, cfg(N);
            in c.f32s(N), in c.sharing(6, c.f32s(N)), out c.u32s(N)),
        k!("float_consts", c => floats::float_consts, cfg(N); in c.f64s(N), out c.f64s(4 * N), out c.f32s(N)),
        k!("if_chain", c => control::if_chain, cfg(N); in c.i32s(N), out c.i32s(N)),
        k!("collatz", c => control::collatz, cfg(N);
            in c.u32s(N).iter().map(|v| v % 100_000).collect::<Vec<_>>(), out c.u32s(N)),
        k!("loop_break_continue", c => control::loop_break_continue, cfg(N); in c.u32s(N), out c.u32s(N)),
        k!("for_ranges", c => control::for_ranges, cfg(N); in c.u8s(N), in c.u8s(N), out c.u32s(2 * N)),
        k!("step_by", c => control::step_by, cfg(N); in c.i8s(N), in c.u8s(N), out c.i32s(3 * N)),
        k!("labeled_loops", c => control::labeled_loops, cfg(N); in c.u32s(N), out c.u32s(N)),
        k!("early_return", c => control::early_return, cfg(N); in c.i32s(N), out c.i32s(N)),
        k!("short_circuit", c => control::short_circuit, cfg(N); in c.i32s(N / 2), out c.u32s(N)),
        k!("for_mut_var", c => control::for_mut_var, cfg(N); in c.u32s(N), out c.u32s(N)),
        k!("auto_unroll", c => control::auto_unroll, cfg(N); in c.u32s(N), out c.u32s(N)),
        k!("while_unroll", c => control::while_unroll, cfg(N); in c.u32s(N), out c.u32s(N)),
        k!("strided_rows", c => control::strided_rows, LaunchConfig { grid_dim: (37, 1, 1), block_dim: (32, 1, 1), shared_mem_bytes: 0 }; in c.u32s(3700), out c.u32s(3700), 100u32),
        k!("literal_inference", c => literals::literal_inference, cfg(N); in c.i64s(N), in c.u8s(N), out c.i64s(4 * N)),
        k!("float_literals", c => literals::float_literals, cfg(N); out c.f32s(N), out c.f64s(N)),
        k!("shadowing_blocks", c => literals::shadowing_blocks, cfg(N); in c.u16s(N), out c.u64s(N)),
        k!("evaluation_order", c => literals::evaluation_order, cfg(N); in c.i32s(N), out c.i32s(N)),
        k!("typed_literals", c => literals::typed_literals, cfg(N); out c.u64s(N)),
        k!("path_calls", c => syntax::path_calls, cfg(N);
            in c.i32s(N), in c.u64s(N), in c.i16s(N), in c.u8s(N), in c.f32s(N), in c.f64s(N),
            in c.u16s(N).into_iter().map(ptx_kernel::half::f16::from_bits).collect::<Vec<_>>(),
            in c.u16s(N).into_iter().map(ptx_kernel::half::bf16::from_bits).collect::<Vec<_>>(),
            out c.i64s(8 * N), out c.f32s(6 * N), out c.f64s(7 * N), out c.f32s(6 * N), out c.f64s(7 * N)),
        // The examples.
        k!("example saxpy", c => saxpy_example::saxpy, cfg(10_007); 2.5f32, in c.f32s(10_007), out c.f32s(10_007)),
        k!("example vector_add", c => vector_add_example::vector_add, cfg(65_537);
            in c.f32s(65_537), in c.f32s(65_537), out c.f32s(65_537)),
        k!("example transpose_naive", c => transpose_example::transpose_naive, LaunchConfig::for_2d(257, 33, (32, 8));
            in c.f32s(257 * 33), out c.f32s(257 * 33), 257u32, 33u32),
    ]
}

// ----- inputs: the generators shared with exec_frontend.rs (tests/common/lcg.rs) --------------------------

#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;

/// What a kernel's line draws its inputs from: the device and a generator seeded by the kernel's label.
struct Ctx {
    dev: Device,
    rng: RefCell<Lcg>,
    /// The bits of the vector generated before the last one, and of the last one.
    prev: RefCell<Vec<u64>>,
    last: RefCell<Vec<u64>>,
}

macro_rules! gen_int {
    ($($name:ident: $t:ty),*) => {$(
        fn $name(&self, n: usize) -> Vec<$t> {
            let edges = [<$t>::MIN, <$t>::MAX, 0 as $t, 1 as $t, (0 as $t).wrapping_sub(1), <$t>::MAX / 2];
            self.remember(self.rng.borrow_mut().ints(n, |b| b as $t, &edges))
        }
    )*};
}

impl Ctx {
    fn new(dev: &Device, label: &str) -> Ctx {
        let seed = label.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01B3));
        Ctx { dev: dev.clone(), rng: RefCell::new(Lcg::new(seed)), prev: RefCell::default(), last: RefCell::default() }
    }
    gen_int!(i8s: i8, u8s: u8, i16s: i16, u16s: u16, i32s: i32, u32s: u32, i64s: i64, u64s: u64, isizes: isize);
    fn f32s(&self, n: usize) -> Vec<f32> {
        self.remember(self.rng.borrow_mut().f32s(n))
    }
    fn f64s(&self, n: usize) -> Vec<f64> {
        self.remember(self.rng.borrow_mut().f64s(n))
    }
    fn remember<T: Elem>(&self, v: Vec<T>) -> Vec<T> {
        let last = std::mem::replace(&mut *self.last.borrow_mut(), v.iter().map(|x| x.bits()).collect());
        *self.prev.borrow_mut() = last;
        v
    }
    /// Bytes standing for `bool`s: any byte, as exec_frontend.rs passes them (non-zero reads as true).
    fn bools(&self, n: usize) -> Vec<u8> {
        self.u8s(n)
    }
    /// Divisors: zero replaced by 3, and so is -1 under a dividend `MIN` (the vector generated just before): both
    /// panic in Rust and in kernels (see tests/exec_safety.rs).
    fn nonzero<T: Elem>(&self, v: Vec<T>) -> Vec<T> {
        let ones = T::from_bits(u64::MAX).bits();
        let min = ones ^ (ones >> 1);
        let prev = self.prev.borrow();
        v.into_iter()
            .enumerate()
            .map(|(k, x)| {
                let overflow = x.bits() == ones && prev.get(k) == Some(&min);
                if x.bits() == 0 || overflow {
                    T::from_bits(3)
                } else {
                    x
                }
            })
            .collect()
    }
    /// `v` with every `every`-th element (from the first) replaced by the same element of the vector this context
    /// generated just before `v` (equal pairs for comparison kernels, as exec_frontend.rs makes them).
    fn sharing<T: Elem>(&self, every: usize, mut v: Vec<T>) -> Vec<T> {
        let prev = self.prev.borrow();
        for k in (0..v.len().min(prev.len())).step_by(every) {
            v[k] = T::from_bits(prev[k]);
        }
        v
    }
}

// ----- comparison --------------------------------------------------------------------------------------------

/// `Device::cuda(0)`, or `None` (with a note) when there is none; a failure when `PTX_KERNEL_DEVICE` asks for CUDA.
fn gpu() -> Option<Device> {
    match Device::cuda(0) {
        Ok(d) => Some(d),
        Err(e) => {
            let wanted = std::env::var("PTX_KERNEL_DEVICE").unwrap_or_default();
            if wanted.trim().to_ascii_lowercase().starts_with("cuda") {
                panic!("PTX_KERNEL_DEVICE={wanted} but CUDA device 0 cannot be opened: {e}");
            }
            println!("note: differential_suite: no CUDA device ({e}); comparing two emulators instead");
            None
        }
    }
}

fn uses_approx(ptx: &str) -> bool {
    ptx.contains(".approx") || ptx.contains(".full.")
}

/// Runs every entry on `a` and `b`: the report, kernels compared, counted mismatches.
fn differential(entries: &[Entry], a: &Device, b: &Device) -> (String, usize, usize) {
    let mut report = String::new();
    let (mut kernels, mut mismatches, mut nan_payloads) = (0, 0, 0);
    let mut seen = Vec::new();
    for e in entries {
        let ra = (e.run)(&Ctx::new(a, e.label)).unwrap_or_else(|err| panic!("{}: on {a}: {err}", e.label));
        let rb = (e.run)(&Ctx::new(b, e.label)).unwrap_or_else(|err| panic!("{}: on {b}: {err}", e.label));
        assert_eq!(ra.len(), rb.len());
        if !seen.contains(&e.path) {
            seen.push(e.path);
            kernels += 1;
        }
        let approx = uses_approx(e.ptx);
        let (mut bad, mut elems, mut first) = (0, 0, String::new());
        for (k, (oa, ob)) in ra.iter().zip(&rb).enumerate() {
            elems += oa.bits.len();
            for (i, (&x, &y)) in oa.bits.iter().zip(&ob.bits).enumerate() {
                if x != y && both_nan(oa.ty, x, y) {
                    nan_payloads += 1;
                } else if x != y {
                    bad += 1;
                    if first.is_empty() {
                        first = format!("out #{k} ({}) [{i}]: gpu {} emu {}", oa.ty, (oa.show)(x), (ob.show)(y));
                    }
                }
            }
        }
        if !approx {
            mismatches += bad;
        }
        let _ = writeln!(
            report,
            "{:<26} {:<6} {:>8} {:>8}  {}",
            e.label,
            if approx { "approx" } else { "exact" },
            elems,
            bad,
            first
        );
    }
    if nan_payloads > 0 {
        let _ = writeln!(
            report,
            "({nan_payloads} f64 results are NaN on both devices with different payload or sign: not counted, see both_nan)"
        );
    }
    (report, kernels, mismatches)
}

/// Both bit patterns are f64 NaNs. When both operands of an f64 add/sub/mul are NaN, which one the GPU returns
/// depends on the operand order ptxas picks for that instruction in that kernel (seen on the H200: `a / b - c`
/// with `a / b` the default NaN and `c` a positive NaN returned `a / b`'s NaN, where the emulator, following the
/// order measured for a lone `sub.rn.f64`, returns `c`'s). PTX does not specify it, so the PTX text cannot decide
/// it; the other f64 NaN rules are matched bit for bit (runtime/tests/differential_isa.rs).
fn both_nan(ty: &str, x: u64, y: u64) -> bool {
    ty == "f64" && f64::from_bits(x).is_nan() && f64::from_bits(y).is_nan()
}

#[test]
fn suite_differential() {
    let entries = kernels();
    let missing: Vec<&str> =
        kernels::ALL.iter().filter(|(_, ptx)| !entries.iter().any(|e| e.ptx == *ptx)).map(|(name, _)| *name).collect();
    let emu = Device::emulator();
    let gpu = gpu();
    let reference = gpu.clone().unwrap_or_else(Device::emulator);
    let (report, n, m) = differential(&entries, &reference, &emu);
    let head = format!("{:<26} {:<6} {:>8} {:>8}  first mismatch", "kernel", "check", "elements", "mismatch");
    if gpu.is_some() || std::env::var_os("DIFF_SUITE_TABLE").is_some() {
        println!("{head}\n{report}");
    }
    if !missing.is_empty() {
        println!(
            "differential: {} suite kernel(s) not registered in tests/differential_suite.rs: {}",
            missing.len(),
            missing.join(", ")
        );
    }
    let other = if gpu.is_some() { "cuda:0".to_owned() } else { "a second emulator".to_owned() };
    println!("differential: {n} kernels compared on {other} and the emulator, {m} mismatches");
    assert_eq!(m, 0, "the emulator's outputs differ from {other}'s:\n{head}\n{report}");
}

/// The comparison is not vacuous: other inputs give other outputs, and the same inputs the same ones.
#[test]
fn inputs_decide_outputs() {
    let emu = Device::emulator();
    let entries = kernels();
    let e = entries.iter().find(|e| e.label == "float_arith_f32").unwrap();
    let run = |label: &str| (e.run)(&Ctx::new(&emu, label)).unwrap();
    let (a, b, c) = (run("x"), run("y"), run("x"));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].bits, c[0].bits);
    assert!(a[0].bits.iter().zip(&b[0].bits).filter(|(x, y)| x != y).count() > 900);
}
