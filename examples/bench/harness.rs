//! What one suite entry is ([`Bench`]), and how it is checked and timed against its CUDA C++ reference.
//!
//! For each entry, on the GPU ([`run_gpu`]):
//! 1. NVRTC compiles the reference (timed); the driver loads both PTX texts the same way (`cuModuleLoadDataEx`,
//!    timed: the PTX → SASS compilation).
//! 2. Check: both run once on the same random inputs, outputs poisoned with NaN; the inputs must come back unchanged,
//!    the outputs of ours and of the reference must agree (bit for bit for an exact entry), and both must match the
//!    CPU reference.
//! 3. Timing: as many buffer sets as it takes to hold at least four times the L2 (three at least); repetition `r`
//!    runs on set `r % sets`, so no launch finds its inputs in the L2. Each launch is bracketed by two CUDA events on
//!    the legacy default stream (where the runtime launches); warm-up launches first. Ours and the reference are
//!    timed in alternating blocks, [`Plan::rounds`] blocks each, and the median over all repetitions is reported,
//!    with the spread between the rounds' medians as the noise figure.

use std::time::Instant;

use ptx_kernel::half::bf16;
use ptx_kernel::{Device, DeviceBuffer, LaunchConfig};

use crate::common::Rng;
use crate::gpu::{self, Event, Module};
use crate::stats::{self, Summary};

/// How a buffer is used by the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Read only: random data; must be unchanged after the launch.
    In,
    /// Read and written in place: random data; each implementation gets its own copy for the check.
    InOut,
    /// Written only: poisoned with NaN before the check, so every element must be written.
    Out,
}

/// One buffer of a kernel's arguments.
#[derive(Clone, Debug)]
pub struct BufSpec {
    pub name: &'static str,
    pub len: usize,
    pub role: Role,
    /// Seed of its random contents (In, InOut).
    pub seed: u64,
    /// Element type on the device.
    pub ty: Ty,
}

/// Element type of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    F32,
    /// `[f32; 4]` elements (a kernel's `&[[f32; 4]]`); `len` still counts f32 and must be a multiple of 4. The host
    /// side stays a flat `Vec<f32>`.
    F32x4,
    /// bf16: the f32 values of an `F32` buffer rounded to bf16 (`bf16::from_f32`); outputs poisoned with NaN.
    Bf16,
    /// `[bf16; 4]` elements (8 bytes), as `F32x4` is to `F32`: `len` counts bf16, the host side is a flat `Vec<bf16>`.
    Bf16x4,
    /// Bytes: random, half of them from five popular values (so that a histogram's atomics collide).
    U8,
    /// Counters: random in 0..1024 (never all zero, so a kernel that adds to them is seen to add).
    U32,
}

impl BufSpec {
    pub fn input(name: &'static str, len: usize, seed: u64) -> BufSpec {
        BufSpec { name, len, role: Role::In, seed, ty: Ty::F32 }
    }
    pub fn inout(name: &'static str, len: usize, seed: u64) -> BufSpec {
        BufSpec { name, len, role: Role::InOut, seed, ty: Ty::F32 }
    }
    pub fn output(name: &'static str, len: usize) -> BufSpec {
        BufSpec { name, len, role: Role::Out, seed: 0, ty: Ty::F32 }
    }

    /// The same buffer held as 4-element arrays on the device: `[f32; 4]` for f32, `[bf16; 4]` for bf16.
    pub fn quads(mut self) -> BufSpec {
        assert!(self.len.is_multiple_of(4), "{}: {} elements are not whole quads", self.name, self.len);
        self.ty = match self.ty {
            Ty::F32 => Ty::F32x4,
            Ty::Bf16 => Ty::Bf16x4,
            ty => panic!("{}: no quads of {ty:?}", self.name),
        };
        self
    }

    /// The same buffer with another element type (`Bf16`, `U8`, `U32`; then `.quads()` for `[bf16; 4]`).
    pub fn of(mut self, ty: Ty) -> BufSpec {
        self.ty = ty;
        self
    }

    /// The initial host contents: uniform in [-1, 1) for inputs (never zeros), NaN for outputs.
    pub fn initial(&self) -> Host {
        let mut rng = Rng::new(self.seed);
        match (self.ty, self.role) {
            (Ty::U8, _) => {
                return Host::U8(
                    (0..self.len)
                        .map(|_| {
                            let r = rng.next_u64();
                            if r & 1 == 0 {
                                (r >> 8) as u8 % 5
                            } else {
                                (r >> 16) as u8
                            }
                        })
                        .collect(),
                )
            }
            (Ty::U32, Role::Out) => return Host::U32(vec![u32::MAX; self.len]),
            (Ty::U32, _) => return Host::U32((0..self.len).map(|_| (rng.next_u64() >> 40) as u32 % 1024).collect()),
            _ => {}
        }
        let v = match self.role {
            Role::In | Role::InOut => Rng::new(self.seed).f32_vec(self.len),
            Role::Out => vec![f32::NAN; self.len],
        };
        let bf = || v.iter().map(|&x| bf16::from_f32(x)).collect();
        match self.ty {
            Ty::F32x4 => Host::F32x4(v),
            Ty::Bf16 => Host::Bf16(bf()),
            Ty::Bf16x4 => Host::Bf16x4(bf()),
            _ => Host::F32(v),
        }
    }
}

/// A device buffer of the suite, one variant per [`Ty`]. Element types the suite needs later become more variants,
/// with their accessors, initial contents and comparisons.
pub enum Buf {
    F32(DeviceBuffer<f32>),
    /// `[f32; 4]` elements (a `&[[f32; 4]]` parameter).
    F32x4(DeviceBuffer<[f32; 4]>),
    Bf16(DeviceBuffer<bf16>),
    /// `[bf16; 4]` elements (a `&[[bf16; 4]]` parameter).
    Bf16x4(DeviceBuffer<[bf16; 4]>),
    U8(DeviceBuffer<u8>),
    U32(DeviceBuffer<u32>),
}

/// `f(b)` for the device buffer `b` of any variant (a `DeviceBuffer<T>` of its own `T`).
macro_rules! each_buf {
    ($buf:expr, $b:ident => $e:expr) => {
        match $buf {
            Buf::F32($b) => $e,
            Buf::F32x4($b) => $e,
            Buf::Bf16($b) => $e,
            Buf::Bf16x4($b) => $e,
            Buf::U8($b) => $e,
            Buf::U32($b) => $e,
        }
    };
}

impl Buf {
    pub fn f32(&self) -> &DeviceBuffer<f32> {
        match self {
            Buf::F32(b) => b,
            _ => panic!("not an f32 buffer"),
        }
    }
    pub fn f32_mut(&mut self) -> &mut DeviceBuffer<f32> {
        match self {
            Buf::F32(b) => b,
            _ => panic!("not an f32 buffer"),
        }
    }
    pub fn f32x4(&self) -> &DeviceBuffer<[f32; 4]> {
        match self {
            Buf::F32x4(b) => b,
            _ => panic!("not an [f32; 4] buffer"),
        }
    }
    pub fn f32x4_mut(&mut self) -> &mut DeviceBuffer<[f32; 4]> {
        match self {
            Buf::F32x4(b) => b,
            _ => panic!("not an [f32; 4] buffer"),
        }
    }
    pub fn bf16x4(&self) -> &DeviceBuffer<[bf16; 4]> {
        match self {
            Buf::Bf16x4(b) => b,
            _ => panic!("not a [bf16; 4] buffer"),
        }
    }
    pub fn u8(&self) -> &DeviceBuffer<u8> {
        match self {
            Buf::U8(b) => b,
            _ => panic!("not a u8 buffer"),
        }
    }
    pub fn u32(&self) -> &DeviceBuffer<u32> {
        match self {
            Buf::U32(b) => b,
            _ => panic!("not a u32 buffer"),
        }
    }
    pub fn u32_mut(&mut self) -> &mut DeviceBuffer<u32> {
        match self {
            Buf::U32(b) => b,
            _ => panic!("not a u32 buffer"),
        }
    }
    pub fn device_ptr(&self) -> u64 {
        each_buf!(self, b => b.device_ptr())
    }
    /// Elements of the device type (quads for `F32x4` and `Bf16x4`): what the kernel's `.len()` sees.
    pub fn len(&self) -> usize {
        each_buf!(self, b => b.len())
    }
    pub fn size_bytes(&self) -> usize {
        each_buf!(self, b => b.size_bytes())
    }
    fn try_clone(&self) -> ptx_kernel::Result<Buf> {
        Ok(match self {
            Buf::F32(b) => Buf::F32(b.try_clone()?),
            Buf::F32x4(b) => Buf::F32x4(b.try_clone()?),
            Buf::Bf16(b) => Buf::Bf16(b.try_clone()?),
            Buf::Bf16x4(b) => Buf::Bf16x4(b.try_clone()?),
            Buf::U8(b) => Buf::U8(b.try_clone()?),
            Buf::U32(b) => Buf::U32(b.try_clone()?),
        })
    }
    pub fn download(&self) -> ptx_kernel::Result<Host> {
        Ok(match self {
            Buf::F32(b) => Host::F32(b.download()?),
            Buf::F32x4(b) => Host::F32x4(b.download()?.into_iter().flatten().collect()),
            Buf::Bf16(b) => Host::Bf16(b.download()?),
            Buf::Bf16x4(b) => Host::Bf16x4(b.download()?.into_iter().flatten().collect()),
            Buf::U8(b) => Host::U8(b.download()?),
            Buf::U32(b) => Host::U32(b.download()?),
        })
    }
}

/// Host contents of a buffer.
#[derive(Clone, Debug, PartialEq)]
pub enum Host {
    F32(Vec<f32>),
    /// Flat contents of a `[f32; 4]` buffer.
    F32x4(Vec<f32>),
    Bf16(Vec<bf16>),
    /// Flat contents of a `[bf16; 4]` buffer.
    Bf16x4(Vec<bf16>),
    U8(Vec<u8>),
    U32(Vec<u32>),
}

/// `[x[0], x[1], x[2], x[3]]`, `[x[4], …]`, …: the device elements of a flat host vector (`len` a multiple of 4).
fn quads<T: Copy>(v: &[T]) -> Vec<[T; 4]> {
    v.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect()
}

impl Host {
    pub fn f32(&self) -> &[f32] {
        match self {
            Host::F32(v) | Host::F32x4(v) => v,
            _ => panic!("not an f32 buffer"),
        }
    }
    pub fn bf16(&self) -> &[bf16] {
        match self {
            Host::Bf16(v) | Host::Bf16x4(v) => v,
            _ => panic!("not a bf16 buffer"),
        }
    }
    pub fn u8(&self) -> &[u8] {
        match self {
            Host::U8(v) => v,
            _ => panic!("not a u8 buffer"),
        }
    }
    pub fn u32(&self) -> &[u32] {
        match self {
            Host::U32(v) => v,
            _ => panic!("not a u32 buffer"),
        }
    }
    pub fn upload(&self, dev: &Device) -> ptx_kernel::Result<Buf> {
        match self {
            Host::F32(v) => Ok(Buf::F32(dev.upload(v)?)),
            Host::F32x4(v) => Ok(Buf::F32x4(dev.upload(&quads(v))?)),
            Host::Bf16(v) => Ok(Buf::Bf16(dev.upload(v)?)),
            Host::Bf16x4(v) => Ok(Buf::Bf16x4(dev.upload(&quads(v))?)),
            Host::U8(v) => Ok(Buf::U8(dev.upload(v)?)),
            Host::U32(v) => Ok(Buf::U32(dev.upload(v)?)),
        }
    }
}

/// How the outputs of ours and of the reference must agree.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Agree {
    /// Bit for bit (same operations, same rounding).
    Exact,
    /// ‖ours − ref‖₂ / ‖ref‖₂ at most this (for kernels that sum in another order: reductions, GEMM).
    #[allow(dead_code)]
    RelL2(f64),
}

/// One kernel parameter of the reference.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    /// The device pointer of buffer `i`.
    Buf(usize),
    /// The length (elements) of buffer `i`, as a 64-bit unsigned integer.
    Len(usize),
    F32(f32),
    U32(u32),
    #[allow(dead_code)]
    U64(u64),
}

impl Arg {
    pub fn bytes(&self, bufs: &[Buf]) -> Vec<u8> {
        match *self {
            Arg::Buf(i) => bufs[i].device_ptr().to_ne_bytes().to_vec(),
            Arg::Len(i) => (bufs[i].len() as u64).to_ne_bytes().to_vec(),
            Arg::F32(x) => x.to_ne_bytes().to_vec(),
            Arg::U32(x) => x.to_ne_bytes().to_vec(),
            Arg::U64(x) => x.to_ne_bytes().to_vec(),
        }
    }
}

/// The CUDA C++ reference: compiled by NVRTC at run time, launched with `cuLaunchKernel`.
pub struct Reference {
    /// The whole `.cu` text; the kernel is `extern "C"` so `entry` is its unmangled name.
    pub source: &'static str,
    pub entry: &'static str,
    /// The launch configuration: the same as ours (compare only at equal configurations).
    pub cfg: LaunchConfig,
    pub args: Vec<Arg>,
    /// Further launches, in order, after the first (a multi-launch operation such as a two-pass reduction or a
    /// three-launch scan): entry (a kernel of the same source), configuration and arguments of each. The whole
    /// sequence is one timed repetition, on both sides.
    pub then: Vec<(&'static str, LaunchConfig, Vec<Arg>)>,
}

impl Reference {
    /// Every launch of one operation, in order: `(entry, cfg, args)`.
    pub fn launches(&self) -> impl Iterator<Item = (&'static str, LaunchConfig, &[Arg])> {
        std::iter::once((self.entry, self.cfg, self.args.as_slice()))
            .chain(self.then.iter().map(|(e, c, a)| (*e, *c, a.as_slice())))
    }
}

/// The signature of our launch: the generated `launch` function called on a set of buffers (in `buffers` order).
pub type OursLaunch = Box<dyn Fn(&Device, &mut [Buf]) -> ptx_kernel::Result<()>>;

/// Our kernel: the `#[ptx_kernel]` module's PTX and entry, and a closure calling its generated `launch`.
pub struct Ours {
    pub ptx: &'static str,
    pub entry: &'static str,
    pub launch: OursLaunch,
}

/// Which ceiling the kernel is held against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Device-memory bandwidth: GB/s against the device-to-device copy.
    Memory,
    /// Arithmetic: TFLOP/s against cuBLAS SGEMM.
    #[allow(dead_code)]
    Compute,
}

/// The CPU check: given every buffer's contents before the launch and after it (in `buffers` order), `Ok` when the
/// outputs are right, else a message naming the first wrong element.
pub type CpuCheck = Box<dyn Fn(&[Host], &[Host]) -> Result<(), String>>;

/// One entry of the suite: everything the harness needs about one kernel.
pub struct Bench {
    pub name: &'static str,
    /// The problem size for the table, e.g. `2^26 f32` or `8192×8192 f32`.
    pub size: String,
    /// Bytes that must move through device memory per launch: each input read once, each output written once.
    pub bytes: f64,
    /// Floating-point operations per launch.
    pub flops: f64,
    pub bound: Bound,
    pub buffers: Vec<BufSpec>,
    pub ours: Ours,
    pub reference: Reference,
    pub agree: Agree,
    pub cpu_check: CpuCheck,
}

/// Repetition counts.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Timed launches per round and implementation (≥ 20).
    pub reps: usize,
    /// Alternating blocks (ours, reference, ours, reference, …).
    pub rounds: usize,
    /// Untimed launches before each block.
    pub warmup: usize,
    /// Fewest buffer sets to rotate among.
    pub min_sets: usize,
    /// The device's L2 in bytes; sets are added until they hold four times as much.
    pub l2_bytes: usize,
}

/// Buffer sets to rotate among: at least `min_sets`, and enough that they hold at least 4 × L2; at most 64.
pub fn sets_needed(set_bytes: usize, l2_bytes: usize, min_sets: usize) -> usize {
    let for_l2 = (4 * l2_bytes).div_ceil(set_bytes.max(1));
    for_l2.max(min_sets).clamp(1, 64)
}

/// What one entry measured on the GPU.
pub struct Measured {
    pub ours: Summary,
    /// Per-repetition seconds, round by round.
    pub ours_times: Vec<Vec<f64>>,
    pub sets: usize,
    pub set_bytes: usize,
    /// `cuModuleLoadDataEx` of our PTX (the same call as for the reference), median of 3.
    pub ours_load_s: f64,
    /// Host time of the first call of the generated `launch` (includes the runtime's module load).
    pub ours_first_launch_s: f64,
    pub ours_regs: i32,
    /// The reference's figures, or why there are none (then the entry is reported as an error, with our figures).
    pub reference: Result<RefMeasured, String>,
}

/// The reference's side of [`Measured`].
pub struct RefMeasured {
    pub summary: Summary,
    pub times: Vec<Vec<f64>>,
    pub compile_s: f64,
    /// Median of 3 loads.
    pub load_s: f64,
    pub regs: i32,
}

fn rt<T>(what: &str, r: ptx_kernel::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

/// The first position where `got` and `want` differ (bitwise for `Exact`) or the relative L2 error, as a message.
/// [`compare`] for any element type: integers must be equal; bf16 is compared as its (exact, injective) f32 value.
pub fn compare_host(name: &str, got: &Host, want: &Host, agree: Agree) -> Result<(), String> {
    fn ints<T: PartialEq + std::fmt::Display>(name: &str, got: &[T], want: &[T]) -> Result<(), String> {
        if got.len() != want.len() {
            return Err(format!("{name}: {} elements vs {}", got.len(), want.len()));
        }
        match (0..got.len()).find(|&i| got[i] != want[i]) {
            None => Ok(()),
            Some(i) => Err(format!("{name}[{i}]: {} vs {}", got[i], want[i])),
        }
    }
    match (got, want) {
        (Host::U8(g), Host::U8(w)) => ints(name, g, w),
        (Host::U32(g), Host::U32(w)) => ints(name, g, w),
        (Host::Bf16(_) | Host::Bf16x4(_), _) => {
            let f32s = |h: &Host| h.bf16().iter().map(|x| x.to_f32()).collect::<Vec<f32>>();
            compare(name, &f32s(got), &f32s(want), agree)
        }
        _ => compare(name, got.f32(), want.f32(), agree),
    }
}

pub fn compare(name: &str, got: &[f32], want: &[f32], agree: Agree) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{name}: {} elements vs {}", got.len(), want.len()));
    }
    match agree {
        Agree::Exact => {
            let mut bad = got.iter().zip(want).enumerate().filter(|(_, (g, w))| g.to_bits() != w.to_bits());
            match bad.next() {
                None => Ok(()),
                Some((i, (g, w))) => {
                    let more = bad.count();
                    Err(format!("{name}[{i}]: {g:e} vs {w:e} (and {more} more elements differ)"))
                }
            }
        }
        Agree::RelL2(tol) => {
            if got.iter().any(|x| x.is_nan()) {
                return Err(format!("{name}: NaN in the output"));
            }
            let (mut num, mut den) = (0f64, 0f64);
            for (g, w) in got.iter().zip(want) {
                num += (*g as f64 - *w as f64).powi(2);
                den += (*w as f64).powi(2);
            }
            let rel = (num / den.max(f64::MIN_POSITIVE)).sqrt();
            if rel <= tol {
                Ok(())
            } else {
                Err(format!("{name}: relative L2 error {rel:e} > {tol:e}"))
            }
        }
    }
}

/// Checks every element of `got` against `want(i)`, bit for bit; the message names the first mismatch.
pub fn expect_exact(name: &str, got: &[f32], want: impl Fn(usize) -> f32) -> Result<(), String> {
    let mut first = None;
    let mut count = 0usize;
    for (i, g) in got.iter().enumerate() {
        let w = want(i);
        if g.to_bits() != w.to_bits() {
            count += 1;
            first.get_or_insert((i, *g, w));
        }
    }
    match first {
        None => Ok(()),
        Some((i, g, w)) => Err(format!("{name}[{i}]: got {g:e}, the CPU gives {w:e} ({count} elements wrong)")),
    }
}

fn download_all(bufs: &[Buf], what: &str) -> Result<Vec<Host>, String> {
    bufs.iter().map(|b| rt(what, b.download())).collect()
}

/// Inputs unchanged, outputs right on the CPU's terms.
fn check_one(b: &Bench, who: &str, before: &[Host], after: &[Host]) -> Result<(), String> {
    for (spec, (x, y)) in b.buffers.iter().zip(before.iter().zip(after)) {
        if spec.role == Role::In {
            compare_host(spec.name, y, x, Agree::Exact)
                .map_err(|e| format!("{who} changed its input {}: {e}", spec.name))?;
        }
    }
    (b.cpu_check)(before, after).map_err(|e| format!("{who} disagrees with the CPU: {e}"))
}

/// Checks and times one entry on a CUDA device (see the module doc). Our kernel failing (launch, check) is an
/// `Err`; the reference failing (NVRTC, load, launch, check) is recorded in [`Measured::reference`] and ours is
/// still timed alone, so one run on the GPU gives every figure it can.
pub fn run_gpu(dev: &Device, b: &Bench, plan: &Plan, arch: &str) -> Result<Measured, String> {
    // 1. Compile and load: each PTX is loaded `LOADS` times, ours and the reference alternately, and the median
    //    load time is reported (the first load of a pair is otherwise the one that pays for cold driver state).
    const LOADS: usize = 3;
    let mut compiled = gpu::nvrtc_compile(b.reference.source, b.reference.entry, arch);
    let (mut ours_loads, mut ref_loads, mut ours_regs, mut ref_module) = (Vec::new(), Vec::new(), 0, None);
    for _ in 0..LOADS {
        let m = Module::load(b.ours.ptx, b.ours.entry).map_err(|e| format!("loading our PTX: {e}"))?;
        ours_loads.push(m.load_seconds);
        ours_regs = m.regs;
        drop(m);
        if let Ok((ptx, _)) = &compiled {
            match Module::load(ptx, b.reference.entry) {
                Ok(m) => {
                    ref_loads.push(m.load_seconds);
                    ref_module = Some(m);
                }
                Err(e) => compiled = Err(format!("loading the reference's PTX: {e}")),
            }
        }
    }
    // The further launches' functions (loaded once each; not part of the reported load time).
    let mut then_modules: Vec<Module> = Vec::new();
    if let Ok((ptx, _)) = &compiled {
        let loaded: Result<Vec<Module>, String> = b
            .reference
            .then
            .iter()
            .map(|(entry, _, _)| Module::load(ptx, entry).map_err(|e| format!("loading the reference's {entry}: {e}")))
            .collect();
        match loaded {
            Ok(ms) => then_modules = ms,
            Err(e) => compiled = Err(e),
        }
    }
    let ours_load_s = stats::median(&ours_loads);
    let ref_load_s = stats::median(&ref_loads);
    let mut reference: Result<(Module, f64), String> =
        compiled.map(|(_, compile_s)| (ref_module.expect("loaded whenever compiled is Ok"), compile_s));
    let ref_launch = |m: &Module, bufs: &[Buf]| -> Result<(), String> {
        let modules = std::iter::once(m).chain(then_modules.iter());
        for (module, (_, cfg, args)) in modules.zip(b.reference.launches()) {
            let args: Vec<Vec<u8>> = args.iter().map(|a| a.bytes(bufs)).collect();
            module.launch(cfg.grid_dim, cfg.block_dim, &args).map_err(|e| format!("launching the reference: {e}"))?;
        }
        Ok(())
    };

    // 2. Check: ours first (its failure ends the entry), then the reference against the CPU and against ours.
    let before: Vec<Host> = b.buffers.iter().map(BufSpec::initial).collect();
    let upload = |what: &str| -> Result<Vec<Buf>, String> { before.iter().map(|h| rt(what, h.upload(dev))).collect() };
    let mut ours_bufs = upload("uploading the inputs")?;
    let t = Instant::now();
    rt("our first launch", (b.ours.launch)(dev, &mut ours_bufs))?;
    let ours_first_launch_s = t.elapsed().as_secs_f64();
    rt("after our first launch (cuCtxSynchronize)", dev.synchronize())?;
    let ours_after = download_all(&ours_bufs, "downloading our outputs")?;
    check_one(b, "ours", &before, &ours_after)?;
    let ref_bufs = upload("uploading the inputs")?;
    if let Ok((m, _)) = &reference {
        let checked = (|| {
            ref_launch(m, &ref_bufs)?;
            gpu::ctx_synchronize().map_err(|e| format!("after the reference's first launch: {e}"))?;
            let ref_after = download_all(&ref_bufs, "downloading the reference's outputs")?;
            check_one(b, "the reference", &before, &ref_after)?;
            for (spec, (o, r)) in b.buffers.iter().zip(ours_after.iter().zip(&ref_after)) {
                if spec.role != Role::In {
                    compare_host(spec.name, o, r, b.agree)
                        .map_err(|e| format!("ours and the reference disagree on {e}"))?;
                }
            }
            Ok(())
        })();
        if let Err(e) = checked {
            reference = Err(e);
        }
    }
    drop((before, ours_after));

    // 3. Time.
    let set_bytes: usize = ours_bufs.iter().map(Buf::size_bytes).sum();
    let nsets = sets_needed(set_bytes, plan.l2_bytes, plan.min_sets);
    let mut sets = vec![ours_bufs, ref_bufs];
    while sets.len() < nsets {
        let copy: Result<Vec<Buf>, String> =
            sets[0].iter().map(|x| rt("allocating a buffer set", x.try_clone())).collect();
        sets.push(copy?);
    }
    sets.truncate(nsets);
    let reps = plan.reps.max(1);
    let starts: Vec<Event> = (0..reps).map(|_| Event::new()).collect::<Result<_, _>>()?;
    let stops: Vec<Event> = (0..reps).map(|_| Event::new()).collect::<Result<_, _>>()?;
    let mut ours_times = Vec::new();
    let mut ref_times = Vec::new();
    for _round in 0..plan.rounds.max(1) {
        for is_ours in [true, false] {
            let refm = match (&reference, is_ours) {
                (_, true) => None,
                (Ok((m, _)), false) => Some(m),
                (Err(_), false) => continue,
            };
            let mut launch = |s: usize| -> Result<(), String> {
                match refm {
                    None => rt("our launch", (b.ours.launch)(dev, &mut sets[s])),
                    Some(m) => ref_launch(m, &sets[s]),
                }
            };
            for w in 0..plan.warmup {
                launch(w % nsets)?;
            }
            for r in 0..reps {
                starts[r].record()?;
                launch(r % nsets)?;
                stops[r].record()?;
            }
            stops[reps - 1].synchronize()?;
            let times: Vec<f64> = (0..reps).map(|r| stops[r].seconds_since(&starts[r])).collect::<Result<_, _>>()?;
            if is_ours {
                ours_times.push(times);
            } else {
                ref_times.push(times);
            }
        }
    }
    gpu::ctx_synchronize().map_err(|e| format!("after the timed launches: {e}"))?;
    Ok(Measured {
        ours: stats::summarize(&ours_times),
        ours_times,
        sets: nsets,
        set_bytes,
        ours_load_s,
        ours_first_launch_s,
        ours_regs,
        reference: reference.map(|(m, compile_s)| RefMeasured {
            summary: stats::summarize(&ref_times),
            times: ref_times,
            compile_s,
            load_s: ref_load_s,
            regs: m.regs,
        }),
    })
}

/// Without a GPU: runs our kernel of `b` once on `dev` (the emulator) and checks it against the CPU — proves the
/// entry's launch closure, buffer list and CPU check, not the reference.
pub fn self_test(dev: &Device, b: &Bench) -> Result<(), String> {
    let before: Vec<Host> = b.buffers.iter().map(BufSpec::initial).collect();
    let mut bufs: Vec<Buf> = before.iter().map(|h| rt("uploading", h.upload(dev))).collect::<Result<_, _>>()?;
    rt("our launch", (b.ours.launch)(dev, &mut bufs))?;
    let after = download_all(&bufs, "downloading")?;
    check_one(b, "ours", &before, &after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_cover_four_l2s() {
        const MIB: usize = 1 << 20;
        assert_eq!(sets_needed(768 * MIB, 50 * MIB, 3), 3);
        assert_eq!(sets_needed(10 * MIB, 50 * MIB, 3), 20);
        assert_eq!(sets_needed(1, 50 * MIB, 3), 64);
        assert_eq!(sets_needed(0, 50 * MIB, 3), 64);
        assert_eq!(sets_needed(100 * MIB, 0, 3), 3);
    }

    #[test]
    fn compare_exact_and_rel() {
        assert!(compare("c", &[1.0, 2.0], &[1.0, 2.0], Agree::Exact).is_ok());
        let e = compare("c", &[1.0, 2.0, 3.0], &[1.0, 2.5, 4.0], Agree::Exact).unwrap_err();
        assert!(e.starts_with("c[1]: 2e0 vs 2.5e0 (and 1 more"), "{e}");
        // NaN poison left in place is caught, and -0 differs from +0 bitwise.
        assert!(compare("c", &[f32::NAN], &[1.0], Agree::Exact).is_err());
        assert!(compare("c", &[-0.0], &[0.0], Agree::Exact).is_err());
        assert!(compare("c", &[1.0], &[1.0, 2.0], Agree::Exact).is_err());
        assert!(compare("c", &[1.0, 2.0], &[1.0, 2.0001], Agree::RelL2(1e-3)).is_ok());
        assert!(compare("c", &[1.0, 3.0], &[1.0, 2.0], Agree::RelL2(1e-3)).is_err());
        assert!(compare("c", &[f32::NAN], &[1.0], Agree::RelL2(1.0)).is_err());
    }

    #[test]
    fn expect_exact_counts() {
        assert!(expect_exact("y", &[2.0, 4.0], |i| 2.0 * (i + 1) as f32).is_ok());
        let e = expect_exact("y", &[2.0, 5.0, 7.0], |i| 2.0 * (i + 1) as f32).unwrap_err();
        assert_eq!(e, "y[1]: got 5e0, the CPU gives 4e0 (2 elements wrong)");
    }

    #[test]
    fn initial_contents() {
        let x = BufSpec::input("x", 1000, 7).initial();
        assert!(x.f32().iter().all(|v| (-1.0..1.0).contains(v)));
        assert!(x.f32().iter().filter(|v| **v == 0.0).count() < 5, "random, not zeros");
        assert_eq!(x, BufSpec::inout("x", 1000, 7).initial(), "the seed decides the contents");
        assert!(BufSpec::output("y", 10).initial().f32().iter().all(|v| v.is_nan()));
        // bf16: the same values rounded, flat on the host whether or not the device holds quads.
        let b = BufSpec::input("a", 1000, 7).of(Ty::Bf16).quads().initial();
        assert!(matches!(b, Host::Bf16x4(_)));
        assert!(b.bf16().iter().zip(x.f32()).all(|(h, f)| *h == bf16::from_f32(*f)));
        assert!(BufSpec::output("y", 8).of(Ty::Bf16).initial().bf16().iter().all(|v| v.is_nan()));
    }

    #[test]
    fn bf16_buffers() {
        let dev = Device::emulator();
        let h = BufSpec::input("a", 12, 3).of(Ty::Bf16).quads().initial();
        let b = h.upload(&dev).unwrap();
        assert_eq!((b.len(), b.size_bytes()), (3, 24));
        assert_eq!(b.download().unwrap(), h);
        assert!(compare_host("a", &h, &h, Agree::Exact).is_ok());
        let mut g = h.bf16().to_vec();
        g[5] = -g[5];
        let e = compare_host("a", &Host::Bf16x4(g), &h, Agree::Exact).unwrap_err();
        assert!(e.starts_with("a[5]: "), "{e}");
    }

    #[test]
    fn arg_bytes() {
        let dev = Device::emulator();
        let bufs = vec![Buf::F32(dev.upload(&[1.0f32, 2.0, 3.0]).unwrap())];
        assert_eq!(Arg::Len(0).bytes(&bufs), 3u64.to_ne_bytes());
        assert_eq!(Arg::Buf(0).bytes(&bufs), bufs[0].device_ptr().to_ne_bytes());
        assert_eq!(Arg::F32(1.5).bytes(&bufs), 1.5f32.to_ne_bytes());
        assert_eq!(Arg::U32(7).bytes(&bufs), 7u32.to_ne_bytes());
        assert_eq!(Arg::U64(9).bytes(&bufs), 9u64.to_ne_bytes());
    }
}
