//! The CPU emulator: runs the PTX text a GPU would run, on the host.
//!
//! # Design
//!
//! **Load.** [`Emulator::load_module`] reads the PTX back into the IR with `ptx_gen::read::read_module` (the same
//! text the CUDA backend hands the driver), then decodes every kernel once ([`EmuModule::from_ir`]): device
//! functions are inlined, registers become slots of a register file, immediates become constant slots, each
//! operation × type × mode is resolved to a function pointer or a small enum, branch targets and reconvergence
//! points become instruction indices. Nothing is looked up by name or matched as text while a kernel runs.
//! Everything the emulator cannot run is reported here, as [`EmuError::Unsupported`], never mid-launch.
//!
//! **Execution model: warps in lockstep.** The 32 lanes of a warp execute each instruction together under an
//! active mask; a register is 32 contiguous lanes, so arithmetic is one indirect call per warp instruction and a
//! straight (vectorisable) loop over the lanes. Divergent branches split the warp into paths kept on a
//! reconvergence stack and rejoin at the branch's immediate post-dominator. This is several times faster than one
//! interpreter per thread (one decode and dispatch per 32 threads). What independent thread scheduling (sm_70+)
//! adds is kept where kernels can observe it: any waiting path lets the warp's other paths run, paths yield after
//! a quantum (so spin-waits progress), and lanes on different paths meet at warp collectives (`shfl.sync`,
//! `vote.sync`, `bar.warp.sync`). `exec.rs` has the details.
//!
//! **Blocks** run in parallel on every available core (`std::thread::scope`, a work-stealing counter over block
//! indices); the warps of a block run cooperatively on one host thread, switching at barriers, exits and quanta.
//! `bar.sync` has its per-thread PTX semantics (count, or every thread that has not exited); a barrier that can
//! never complete is [`EmuError::Deadlock`], not a hang.
//!
//! **Memory.** Device memory is a set of allocations addressed from `0x7_0000_0000`, bounds-checked on every
//! access ([`EmuError::OutOfBounds`] names the thread, the address and the nearest buffer) and accessed with
//! relaxed host atomics, so blocks on different host threads may race as GPU blocks do and global atomics are real
//! atomics. Shared memory is per block, local memory per thread, constants per module, parameters per launch;
//! generic addresses map them into windows (`0x1000_0000_0000` shared, `0x2000_0000_0000` local,
//! `0x3000_0000_0000` const, `0x4000_0000_0000` param, each 4 GiB; everything else is global).
//!
//! **Arithmetic** is bit-exact with the GPU for integers (including division by zero: `int.rs`) and for correctly
//! rounded float operations in every rounding mode, subnormals and NaN payloads included (`float.rs`,
//! `convert.rs`); `.approx` functions are computed more accurately than the hardware. Where the PTX ISA leaves the
//! answer open, the GPU's was measured on an H200 (`runtime/tests/emu_vs_gpu.rs`; the workspace's instruction-level
//! differential test found 0 exact mismatches in 2.27 M cases over 411 instruction variants).
//!
//! **Special registers.** `%smid` is the linear block index modulo `%nsmid` (the number of host threads); `%warpid`
//! the warp's index in its block and `%nwarpid` the warps per block; `%clock`/`%clock64` count the instructions the
//! thread's warp has issued in this block; `%globaltimer` is nanoseconds since the emulator was created.
//!
//! **Limits.** Each host thread runs its blocks to completion one at a time, so a block that spins until a block
//! scheduled after it writes a flag can hang (a GPU runs them concurrently only when both are resident; the
//! emulator guarantees it for no two blocks). Recursive device functions are unsupported (calls are inlined).
//! f64 results in `.rz`/`.rm`/`.rp` whose exact product or quotient underflows may be one ulp off.
//!
//! **Throughput** (release build, `runtime/examples/emu_bench.rs`, 2-core host): about 1.6 G thread-instructions
//! per CPU-second on arithmetic, 0.6–0.9 G on memory-, barrier- and divergence-heavy kernels; a 2^20-element
//! vector add takes about 40 ms.

mod access;
mod alu;
mod block;
mod code;
mod context;
mod convert;
mod decode;
mod error;
mod exec;
mod float;
mod grid;
mod inline;
mod int;
mod live;
mod memory;
mod postdom;

use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use ptx_gen::{FuncKind, Module};

pub use error::{Dim3, EmuError, MemSpace, NearestBuffer};

use code::Kernel;
use context::Launch;
use decode::{decode_function, layout_module, GlobalVar};
use memory::GlobalMemory;

/// The most threads a block may have (the GPU's limit).
const MAX_THREADS_PER_BLOCK: u64 = 1024;
/// The largest grid, as on every GPU since sm_30.
const GRID_LIMITS: (u32, u32, u32) = (i32::MAX as u32, 65535, 65535);
/// The largest z dimension of a block.
const MAX_BLOCK_Z: u32 = 64;
/// The most shared memory per block the emulator allocates: far above any GPU's (228 KiB on sm_90), it only keeps
/// a wrong configuration from allocating gigabytes per host thread.
const MAX_SHARED_BYTES: u64 = 16 << 20;

static NEXT_EMULATOR_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A CPU emulator: its own device memory, and launches of [`EmuModule`]s on the host's cores.
///
/// `Send + Sync`: memory operations and launches may come from several host threads at once.
pub struct Emulator {
    id: u64,
    mem: Arc<GlobalMemory>,
    epoch: Instant,
    workers: usize,
    inst_limit: u64,
}

/// Work done by one launch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LaunchStats {
    /// Blocks run.
    pub blocks: u64,
    /// Warp instructions issued (each runs for the active lanes of its warp).
    pub warp_instructions: u64,
    /// Thread instructions executed: the sum over issued instructions of their active lanes.
    pub thread_instructions: u64,
}

/// A module decoded for the emulator. Independent of any emulator (`'static`, `Send + Sync`): the same module can
/// be launched on several emulators; its `.global` variables are allocated in each on its first launch there.
pub struct EmuModule {
    kernels: Vec<Kernel>,
    consts: Vec<u8>,
    globals: Vec<GlobalVar>,
    /// Addresses of the `.global` variables, per emulator that launched the module.
    placed: Mutex<Vec<Placed>>,
}

struct Placed {
    emulator: u64,
    mem: Weak<GlobalMemory>,
    addrs: Arc<[u64]>,
}

impl Default for Emulator {
    fn default() -> Self {
        Emulator::new()
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("id", &self.id).field("workers", &self.workers).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for EmuModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmuModule").field("kernels", &self.kernel_names().collect::<Vec<_>>()).finish_non_exhaustive()
    }
}

impl Emulator {
    /// A new emulator with empty memory, using every core the process may use.
    pub fn new() -> Self {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        Emulator {
            id: NEXT_EMULATOR_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            mem: Arc::new(GlobalMemory::new()),
            epoch: Instant::now(),
            workers,
            inst_limit: u64::MAX,
        }
    }

    /// The same emulator, failing a launch with [`EmuError::InstructionLimit`] when one of its blocks issues more
    /// than `n` warp instructions (by default there is no limit: a kernel that never ends never returns, as on a
    /// GPU). Useful in tests, which would rather fail than hang.
    pub fn with_instruction_limit(mut self, n: u64) -> Self {
        self.inst_limit = n;
        self
    }

    /// The same emulator limited to `n` host threads for running blocks (at least 1). `%nsmid` follows.
    pub fn with_workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Allocates `bytes` of zero-filled device memory: a 256-byte aligned address, never 0, never reused.
    pub fn alloc(&self, bytes: usize) -> u64 {
        self.mem.alloc(bytes)
    }

    /// Frees the allocation at `addr` (any other address is ignored).
    pub fn free(&self, addr: u64) {
        self.mem.free(addr)
    }

    /// Copies `data` to device memory at `addr`.
    pub fn write(&self, addr: u64, data: &[u8]) -> Result<(), EmuError> {
        self.mem.write(addr, data)
    }

    /// Copies device memory at `addr` into `out`.
    pub fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), EmuError> {
        self.mem.read(addr, out)
    }

    /// Copies `bytes` of device memory from `src` to `dst` (the ranges may overlap).
    pub fn copy(&self, dst: u64, src: u64, bytes: usize) -> Result<(), EmuError> {
        self.mem.copy(dst, src, bytes)
    }

    /// Reads PTX text and decodes its kernels.
    pub fn load_module(&self, ptx: &str) -> Result<EmuModule, EmuError> {
        let module = ptx_gen::read::read_module(ptx)?;
        EmuModule::from_ir(&module)
    }

    /// The number of "SMs": the host threads blocks run on (`%nsmid`).
    pub fn sm_count(&self) -> u32 {
        self.workers.min(u32::MAX as usize) as u32
    }

    /// Runs kernel `entry` of `module` over the grid of `cfg` and waits for it. `args` holds one little-endian byte
    /// slice per kernel parameter, in order, each exactly the parameter's size.
    pub fn launch(
        &self,
        module: &EmuModule,
        entry: &str,
        cfg: &crate::LaunchConfig,
        args: &[&[u8]],
    ) -> Result<(), EmuError> {
        self.launch_with_stats(module, entry, cfg, args).map(|_| ())
    }

    /// [`Emulator::launch`], also returning how much work the launch did.
    pub fn launch_with_stats(
        &self,
        module: &EmuModule,
        entry: &str,
        cfg: &crate::LaunchConfig,
        args: &[&[u8]],
    ) -> Result<LaunchStats, EmuError> {
        let kernel = module.kernel(entry)?;
        let bad_launch = |message: String| EmuError::InvalidLaunch { kernel: entry.to_owned(), message };
        let (b, g) = (cfg.block_dim, cfg.grid_dim);
        if [b.0, b.1, b.2, g.0, g.1, g.2].contains(&0) {
            return Err(bad_launch(format!("a zero dimension (grid {g:?}, block {b:?})")));
        }
        // The hardware's limits, which the compiler's range analysis relies on (`%ctaid.y < 65535`, …).
        let dims = [("grid x", g.0, GRID_LIMITS.0), ("grid y", g.1, GRID_LIMITS.1), ("grid z", g.2, GRID_LIMITS.2)];
        let dims = dims.into_iter().chain([("block z", b.2, MAX_BLOCK_Z)]);
        for (what, v, max) in dims {
            if v > max {
                return Err(bad_launch(format!("{what} dimension {v} (at most {max})")));
            }
        }
        let threads = cfg.threads_per_block();
        if threads > MAX_THREADS_PER_BLOCK {
            return Err(bad_launch(format!("{threads} threads per block (at most {MAX_THREADS_PER_BLOCK})")));
        }
        if let Some(max) = kernel.max_threads.filter(|&m| threads > m as u64) {
            return Err(bad_launch(format!("{threads} threads per block; the kernel's `.maxntid` allows {max}")));
        }
        if let Some(req) = kernel.required_threads.filter(|&r| r != b) {
            return Err(bad_launch(format!("block {b:?}; the kernel's `.reqntid` requires {req:?}")));
        }
        let shared = kernel.dyn_offset.max(kernel.shared_static) + cfg.shared_mem_bytes as u64;
        if shared > MAX_SHARED_BYTES {
            return Err(bad_launch(format!("{shared} bytes of shared memory per block")));
        }
        let params = pack_params(kernel, args)?;
        let globals = module.globals_in(self)?;
        let view = self.mem.snapshot();
        let l = Launch {
            kernel,
            view: &view,
            globals: &globals,
            consts: &module.consts,
            params: &params,
            ntid: b.into(),
            nctaid: g.into(),
            dyn_smem: cfg.shared_mem_bytes,
            shared_bytes: shared as usize,
            sm_count: self.sm_count(),
            epoch: self.epoch,
            inst_limit: self.inst_limit,
        };
        let c = grid::run_grid(&l, self.workers)?;
        Ok(LaunchStats { blocks: c.blocks, warp_instructions: c.warp_insts, thread_instructions: c.thread_insts })
    }
}

/// The parameter buffer of a launch: each argument at its parameter's offset.
fn pack_params(k: &Kernel, args: &[&[u8]]) -> Result<Vec<u8>, EmuError> {
    if args.len() != k.params.len() {
        return Err(EmuError::InvalidArguments {
            kernel: k.name.clone(),
            message: format!("it has {} parameter(s) but {} argument(s) were given", k.params.len(), args.len()),
        });
    }
    let mut buf = vec![0u8; k.param_bytes];
    for (i, (p, a)) in k.params.iter().zip(args).enumerate() {
        if a.len() != p.size {
            return Err(EmuError::InvalidArguments {
                kernel: k.name.clone(),
                message: format!("parameter {i} is {} byte(s) but argument {i} is {} byte(s)", p.size, a.len()),
            });
        }
        buf[p.offset..p.offset + p.size].copy_from_slice(a);
    }
    Ok(buf)
}

impl EmuModule {
    /// Decodes every kernel of `module` (device functions are inlined into the kernels that call them, and checked
    /// on their own too, so that anything the emulator cannot run is reported now).
    pub fn from_ir(module: &Module) -> Result<EmuModule, EmuError> {
        let layout = layout_module(module)?;
        let mut kernels = Vec::new();
        for (id, f) in module.functions.iter() {
            let k = decode_function(module, &layout, id)?;
            if f.kind == FuncKind::Kernel {
                kernels.push(k);
            }
        }
        Ok(EmuModule { kernels, consts: layout.consts, globals: layout.globals, placed: Mutex::new(Vec::new()) })
    }

    /// The names of the kernels (`.entry` functions).
    pub fn kernel_names(&self) -> impl Iterator<Item = &str> {
        self.kernels.iter().map(|k| k.name.as_str())
    }

    /// Bytes of static shared memory kernel `entry` uses.
    pub fn static_shared_bytes(&self, entry: &str) -> Option<u64> {
        self.kernels.iter().find(|k| k.name == entry).map(|k| k.shared_static)
    }

    /// The byte size of each parameter of kernel `entry`.
    pub fn param_sizes(&self, entry: &str) -> Option<Vec<usize>> {
        self.kernels.iter().find(|k| k.name == entry).map(|k| k.params.iter().map(|p| p.size).collect())
    }

    fn kernel(&self, entry: &str) -> Result<&Kernel, EmuError> {
        self.kernels.iter().find(|k| k.name == entry).ok_or_else(|| EmuError::NoSuchKernel {
            name: entry.to_owned(),
            available: {
                let names: Vec<&str> = self.kernel_names().collect();
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            },
        })
    }

    /// The address in `emu` of the `.global` variable `name` (placing the module's variables there if needed).
    pub fn global_address(&self, emu: &Emulator, name: &str) -> Result<Option<u64>, EmuError> {
        let Some(i) = self.globals.iter().position(|g| g.name == name) else { return Ok(None) };
        Ok(self.globals_in(emu)?.get(i).copied())
    }

    /// The addresses of the `.global` variables in `emu`, allocating and initialising them on first use.
    fn globals_in(&self, emu: &Emulator) -> Result<Arc<[u64]>, EmuError> {
        if self.globals.is_empty() {
            return Ok(Arc::from([]));
        }
        let mut placed = self.placed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = placed.iter().find(|p| p.emulator == emu.id) {
            return Ok(Arc::clone(&p.addrs));
        }
        // Drop records of emulators that are gone.
        placed.retain(|p| p.mem.strong_count() > 0);
        let mut addrs = Vec::with_capacity(self.globals.len());
        for g in &self.globals {
            // Allocations are 256-byte aligned, which satisfies every variable alignment up to 256.
            let a = emu.alloc(g.size.max(g.align.min(256)) as usize);
            emu.write(a, &g.init)?;
            addrs.push(a);
        }
        let addrs: Arc<[u64]> = Arc::from(addrs);
        placed.push(Placed { emulator: emu.id, mem: Arc::downgrade(&emu.mem), addrs: Arc::clone(&addrs) });
        Ok(addrs)
    }
}

impl Drop for EmuModule {
    fn drop(&mut self) {
        let placed = std::mem::take(self.placed.get_mut().unwrap_or_else(|e| e.into_inner()));
        for p in placed {
            if let Some(mem) = p.mem.upgrade() {
                for &a in p.addrs.iter() {
                    mem.free(a);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn public_types_are_send_sync() {
        assert_send_sync::<Emulator>();
        assert_send_sync::<EmuModule>();
        assert_send_sync::<EmuError>();
    }
}
