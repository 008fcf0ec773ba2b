//! The decoded form of a kernel: a flat array of compact instructions the interpreter runs.
//!
//! Decoding ([`super::decode`]) resolves everything that does not change between executions:
//! - every register to a slot of the warp's register file, stored as the index of its first lane (`slot * 32`), so
//!   lane `l` of register `r` is `regs[r + l]`; immediates become constant slots filled once when a warp starts,
//!   so every operand is a slot and no instruction tests "register or immediate" per lane;
//! - operation × type × mode to a function pointer ([`super::alu`]) or a small enum of the per-lane float path;
//! - block targets to instruction indices, and each divergent branch's reconvergence point (the start of its
//!   immediate post-dominator) likewise;
//! - memory operands to a space, a base and a byte offset; `cvt` to a [`CvtSpec`].

use ptx_gen::{AtomOp, ShflMode, SpecialReg, VoteMode};

use super::alu::{Fn1, Fn2, Fn3, Fn4};
use super::convert::CvtSpec;
use super::float::{Approx, FOp, Fmt, Round};

/// "No reconvergence point": the paths only meet when the threads exit.
pub(crate) const EXIT: u32 = u32::MAX;
/// An absent optional slot.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// A float operation that runs per lane through [`super::float`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatFn {
    /// An arithmetic operation in a rounding mode.
    Arith(FOp, Round),
    /// An `.approx` function.
    Approx(Approx),
    /// `div.approx` / `div.full`.
    DivApprox,
    /// `min` (`false`) or `max` (`true`).
    MinMax(bool),
    /// `neg` (`false`) or `abs` (`true`).
    NegAbs(bool),
}

/// The state space of a memory instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Space {
    Global,
    Shared,
    Local,
    Const,
    Param,
    /// Resolved per access through the generic address windows.
    Generic,
}

/// What a memory address is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    /// A register (slot base).
    Reg(u32),
    /// A fixed address in the instruction's space (a shared/const variable, a kernel parameter).
    Addr(u64),
    /// The module `.global` variable with this index (its address is known per emulator, at launch).
    GlobalVar(u32),
}

/// A load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemOp {
    pub space: Space,
    pub base: Base,
    pub offset: i64,
    /// Bytes per element: 1, 2, 4 or 8.
    pub elem: u32,
    /// Elements: 1, 2 or 4.
    pub count: u32,
    /// Loads: sign-extend from this many bits (0: zero-extend).
    pub sext: u32,
    /// Loads: the destination register width, as a mask.
    pub reg_mask: u64,
    /// Destination (load) or source (store) slots, `count` of them.
    pub regs: [u32; 4],
    /// `.acquire`: a fence after the load.
    pub acquire: bool,
    /// `.release`: a fence before the store.
    pub release: bool,
}

/// How an atomic interprets its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AtomTy {
    Unsigned,
    Signed,
    Float(Fmt),
    /// `.f16x2` / `.bf16x2`: two halves, each added separately.
    Packed(Fmt),
}

/// An atomic read-modify-write (`atom`, `red`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AtomicOp {
    pub space: Space,
    pub base: Base,
    pub offset: i64,
    pub op: AtomOp,
    pub ty: AtomTy,
    /// Bytes: 2, 4 or 8.
    pub size: u32,
    /// Destination slot, or [`NO_SLOT`] for `red`.
    pub dst: u32,
    pub src: u32,
    /// `cas`: the expected value's slot.
    pub cmp: u32,
    pub acquire: bool,
    pub release: bool,
}

/// One decoded instruction. Register fields are slot bases (`slot * 32`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Inst {
    /// `d = a & mask` (the mask is the type's width).
    Mov {
        d: u32,
        a: u32,
        mask: u64,
    },
    Special {
        d: u32,
        sreg: SpecialReg,
    },
    /// `d = address of shared/const variable` etc. are `Mov`s from constant slots; global variables need the
    /// per-emulator address.
    GlobalVarAddr {
        d: u32,
        var: u32,
    },
    Un {
        f: Fn1,
        d: u32,
        a: u32,
    },
    Bin {
        f: Fn2,
        d: u32,
        a: u32,
        b: u32,
    },
    Tern {
        f: Fn3,
        d: u32,
        a: u32,
        b: u32,
        c: u32,
    },
    Quad {
        f: Fn4,
        d: u32,
        a: u32,
        b: u32,
        c: u32,
        e: u32,
    },
    Float {
        f: FloatFn,
        fmt: Fmt,
        packed: bool,
        d: u32,
        a: u32,
        b: u32,
        c: u32,
    },
    Cvt {
        spec: CvtSpec,
        d: u32,
        a: u32,
    },
    Selp {
        d: u32,
        a: u32,
        b: u32,
        p: u32,
        mask: u64,
    },
    /// `cvta`: to a generic address (`to_generic`) or from one, for `space`.
    Cvta {
        d: u32,
        a: u32,
        to_generic: bool,
        space: Space,
    },
    /// Index into [`Kernel::mem`].
    Ld(u32),
    /// Index into [`Kernel::mem`].
    St(u32),
    /// Index into [`Kernel::atoms`].
    Atom(u32),
    Bar {
        arrive: bool,
        id: u32,
        count: u32,
    },
    WarpSync {
        mask: u32,
    },
    /// A fence at GPU or system scope (CTA-scope fences are no-ops: a block runs on one host thread).
    Fence,
    Shfl {
        mode: ShflMode,
        d: u32,
        p: u32,
        a: u32,
        lane: u32,
        clamp: u32,
        mask: u32,
    },
    Vote {
        mode: VoteMode,
        d: u32,
        a: u32,
        negate: bool,
        mask: u32,
    },
    ActiveMask {
        d: u32,
    },
    Jump {
        target: u32,
    },
    /// `@p bra then; bra else`, reconverging at `join` (an instruction index or [`EXIT`]).
    Branch {
        p: u32,
        negate: bool,
        then_pc: u32,
        else_pc: u32,
        join: u32,
    },
    Exit,
    Trap,
}

/// Where a kernel parameter lives in the parameter buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParamSlot {
    pub offset: usize,
    pub size: usize,
}

/// A decoded kernel.
#[derive(Debug)]
pub(crate) struct Kernel {
    pub name: String,
    pub code: Vec<Inst>,
    pub mem: Vec<MemOp>,
    pub atoms: Vec<AtomicOp>,
    /// The register file a warp starts with: zeros, then the constants (`slots * 32` lanes).
    pub init: Vec<u64>,
    /// Slot bases of the registers some path reads before writing: zeroed whenever a warp starts (the rest of a
    /// reused register file is left as the previous block left it, which no read can observe).
    pub live_in: Vec<u32>,
    pub params: Vec<ParamSlot>,
    /// Size of the parameter buffer.
    pub param_bytes: usize,
    /// Bytes of static shared memory (the `.shared` variables it uses, laid out with their alignment).
    pub shared_static: u64,
    /// Where the dynamic (`extern`) shared memory starts.
    pub dyn_offset: u64,
    /// For messages: the text of each instruction (indexed like `code`).
    pub text: Vec<String>,
    /// The entry's `.maxntid` (product) and `.reqntid`: the hardware refuses other block shapes, and the compiler's
    /// range analysis relies on that.
    pub max_threads: Option<u32>,
    pub required_threads: Option<(u32, u32, u32)>,
}
