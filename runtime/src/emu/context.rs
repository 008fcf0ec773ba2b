//! What the interpreter sees while running a block: the launch (kernel, memory, parameters, geometry) and the
//! block (its coordinates and shared memory), and the values of the special registers derived from them.

use std::time::Instant;

use ptx_gen::{Dim, SpecialReg};

use super::code::Kernel;
use super::error::Dim3;
use super::memory::{MemCache, MemView};

/// Everything one launch shares between the host threads running its blocks.
pub(crate) struct Launch<'a> {
    pub kernel: &'a Kernel,
    pub view: &'a MemView,
    /// Addresses of the module's `.global` variables in this emulator.
    pub globals: &'a [u64],
    /// The module's constant bank.
    pub consts: &'a [u8],
    /// The kernel's parameter buffer.
    pub params: &'a [u8],
    pub ntid: Dim3,
    pub nctaid: Dim3,
    /// Bytes of dynamic shared memory (`%dynamic_smem_size`).
    pub dyn_smem: u32,
    /// Bytes of shared memory per block (static + dynamic).
    pub shared_bytes: usize,
    pub sm_count: u32,
    /// Time zero of `%globaltimer`.
    pub epoch: Instant,
    /// Warp instructions a block may issue before the launch fails (`u64::MAX`: no limit).
    pub inst_limit: u64,
}

impl Launch<'_> {
    /// Threads per block.
    pub fn threads(&self) -> u32 {
        self.ntid.x * self.ntid.y * self.ntid.z
    }

    /// `%tid` of lane `lane` of warp `warp`: threads are numbered x fastest, then y, then z, and warps take 32
    /// consecutive threads.
    pub fn tid(&self, warp: u32, lane: u32) -> Dim3 {
        let lin = warp * 32 + lane;
        if self.ntid.y == 1 && self.ntid.z == 1 {
            return Dim3 { x: lin, y: 0, z: 0 };
        }
        let (nx, ny) = (self.ntid.x.max(1), self.ntid.y.max(1));
        Dim3 { x: lin % nx, y: (lin / nx) % ny, z: lin / (nx * ny) }
    }
}

/// The block being run, as the warps of the block see it.
pub(crate) struct Ctx<'a> {
    pub l: &'a Launch<'a>,
    pub block: Dim3,
    /// `ctaid.x + nctaid.x * (ctaid.y + nctaid.y * ctaid.z)`.
    pub block_linear: u64,
    pub shared: &'a mut [u8],
    /// Per memory instruction (loads and stores, then atomics): the allocation it last hit. An instruction
    /// usually touches one buffer, so this saves the search on almost every access.
    pub caches: &'a mut [MemCache],
}

fn dim(d: Dim3, which: Dim) -> u32 {
    match which {
        Dim::X => d.x,
        Dim::Y => d.y,
        Dim::Z => d.z,
    }
}

impl Ctx<'_> {
    /// The value of `sreg` in every lane of warp `warp` (computed once for the registers that are the same in
    /// every lane).
    pub fn special_lanes(&self, sreg: SpecialReg, warp: u32, clock: u64) -> [u64; 32] {
        let one_d = self.l.ntid.y == 1 && self.l.ntid.z == 1;
        match sreg {
            SpecialReg::Tid(Dim::X) if one_d => std::array::from_fn(|lane| (warp * 32) as u64 + lane as u64),
            SpecialReg::Tid(_) if one_d => [0; 32],
            SpecialReg::LaneId => std::array::from_fn(|lane| lane as u64),
            SpecialReg::LanemaskLt => std::array::from_fn(|lane| (1u64 << lane) - 1),
            SpecialReg::Tid(_) => std::array::from_fn(|lane| self.special(sreg, warp, lane as u32, clock)),
            _ => [self.special(sreg, warp, 0, clock); 32],
        }
    }

    /// The value of `sreg` for lane `lane` of warp `warp`, whose instruction counter is `clock`.
    ///
    /// - `%smid` is the block's linear index modulo `%nsmid` (the number of host threads the emulator may use);
    /// - `%warpid` is the warp's index in its block and `%nwarpid` the number of warps per block;
    /// - `%clock`/`%clock64` count the instructions the thread's warp has issued in this block;
    /// - `%globaltimer` is nanoseconds since the emulator was created.
    pub fn special(&self, sreg: SpecialReg, warp: u32, lane: u32, clock: u64) -> u64 {
        let l = self.l;
        match sreg {
            SpecialReg::Tid(d) => dim(l.tid(warp, lane), d) as u64,
            SpecialReg::Ntid(d) => dim(l.ntid, d) as u64,
            SpecialReg::Ctaid(d) => dim(self.block, d) as u64,
            SpecialReg::Nctaid(d) => dim(l.nctaid, d) as u64,
            SpecialReg::LaneId => lane as u64,
            SpecialReg::WarpId => warp as u64,
            SpecialReg::NWarpId => l.threads().div_ceil(32) as u64,
            SpecialReg::SmId => self.block_linear % l.sm_count.max(1) as u64,
            SpecialReg::NSmId => l.sm_count as u64,
            SpecialReg::LanemaskLt => (1u64 << lane) - 1,
            SpecialReg::Clock => clock & 0xFFFF_FFFF,
            SpecialReg::Clock64 => clock,
            SpecialReg::GlobalTimer => l.epoch.elapsed().as_nanos() as u64,
            SpecialReg::DynamicSmemSize => l.dyn_smem as u64,
        }
    }
}
