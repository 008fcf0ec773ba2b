//! The `gpu::` intrinsics that take arguments: barriers and fences, warp-level operations, fast math, and the
//! intrinsics on a memory place (atomics, cache-hinted loads). One table per family: the name users write, the
//! signature [`infer`](super::infer) checks, and the value types each accepts; the lowering is in
//! [`lower_intrinsics`](super::lower_intrinsics).
//!
//! The argument-less intrinsics of the core subset (`thread_idx_x()`, `sync_threads()`, …) are
//! [`Intrinsic`](super::hir::Intrinsic)s; these are [`Call`]s and [`MemCall`]s.

use super::types::ScalarTy;

/// A warp reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reduce {
    Sum,
    Max,
    Min,
}

/// `gpu::fast::*`: the `.approx` instructions (f32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FastFn {
    Exp2,
    Exp,
    Log2,
    Sin,
    Cos,
    Tanh,
    Rsqrt,
    Recip,
    Div,
}

/// A shuffle mode (`shfl.sync.{idx,up,down,bfly}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shuffle {
    Idx,
    Up,
    Down,
    Xor,
}

/// An intrinsic with value arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    SyncWarp,
    FenceBlock,
    FenceDevice,
    FenceSystem,
    LaneId,
    WarpId,
    ActiveMask,
    Shfl(Shuffle),
    Ballot,
    All,
    Any,
    WarpReduce(Reduce),
    Fast(FastFn),
}

/// An atomic read-modify-write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    Add,
    Sub,
    Min,
    Max,
    And,
    Or,
    Xor,
    Exch,
    Cas,
}

/// An intrinsic whose first argument is a place in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemCall {
    Atomic(AtomicOp),
    /// `gpu::load_nc(&x[i])`: `ld.global.nc`.
    LoadNc,
    /// `gpu::load_streaming(&x[i])`: `ld.global.nc.L1::no_allocate`.
    LoadStreaming,
    /// `gpu::load_vec2/4(&x[i])`: `N` consecutive elements in one vector load (`[T; N]`).
    LoadVec(u32),
    /// `gpu::store_vec2/4(&mut x[i], v)`: `N` consecutive elements in one vector store.
    StoreVec(u32),
}

/// The type of an argument or result: fixed, or the call's value type `T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgTy {
    Fixed(ScalarTy),
    T,
    /// `[T; N]`.
    TArray(u32),
}

/// A result type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetTy {
    Unit,
    Fixed(ScalarTy),
    T,
    /// `[T; N]`.
    TArray(u32),
}

/// 32- and 64-bit values a shuffle (or warp reduction) moves.
pub const SHUFFLE_TYPES: &[ScalarTy] =
    &[ScalarTy::I32, ScalarTy::U32, ScalarTy::F32, ScalarTy::I64, ScalarTy::U64, ScalarTy::F64];
/// Integer types of the integer atomics.
const ATOMIC_INTS: &[ScalarTy] = &[ScalarTy::I32, ScalarTy::U32, ScalarTy::I64, ScalarTy::U64];
const ALL_SCALARS_BUT_BOOL: &[ScalarTy] = &[
    ScalarTy::I8,
    ScalarTy::I16,
    ScalarTy::I32,
    ScalarTy::I64,
    ScalarTy::Isize,
    ScalarTy::U8,
    ScalarTy::U16,
    ScalarTy::U32,
    ScalarTy::U64,
    ScalarTy::Usize,
    ScalarTy::F32,
    ScalarTy::F64,
];

/// Element types of `load_vec*`/`store_vec*`: the non-bool scalars of 1 to 8 bytes (16 bytes at most in all is
/// checked by the lowering: 64-bit elements come in pairs only).
const VEC_TYPES: &[ScalarTy] = &[
    ScalarTy::I8,
    ScalarTy::I16,
    ScalarTy::I32,
    ScalarTy::I64,
    ScalarTy::U8,
    ScalarTy::U16,
    ScalarTy::U32,
    ScalarTy::U64,
    ScalarTy::F32,
    ScalarTy::F64,
    ScalarTy::F16,
    ScalarTy::BF16,
];

const U32: ArgTy = ArgTy::Fixed(ScalarTy::U32);
const F32: ArgTy = ArgTy::Fixed(ScalarTy::F32);
const BOOL: ArgTy = ArgTy::Fixed(ScalarTy::Bool);

/// Every [`Call`] with its path after `gpu::` (`fast::exp2` for `gpu::fast::exp2`).
pub const CALLS: &[(&str, Call)] = &[
    ("sync_warp", Call::SyncWarp),
    ("fence_block", Call::FenceBlock),
    ("fence_device", Call::FenceDevice),
    ("fence_system", Call::FenceSystem),
    ("lane_id", Call::LaneId),
    ("warp_id", Call::WarpId),
    ("active_mask", Call::ActiveMask),
    ("shfl_sync", Call::Shfl(Shuffle::Idx)),
    ("shfl_up_sync", Call::Shfl(Shuffle::Up)),
    ("shfl_down_sync", Call::Shfl(Shuffle::Down)),
    ("shfl_xor_sync", Call::Shfl(Shuffle::Xor)),
    ("ballot_sync", Call::Ballot),
    ("all_sync", Call::All),
    ("any_sync", Call::Any),
    ("warp_sum", Call::WarpReduce(Reduce::Sum)),
    ("warp_max", Call::WarpReduce(Reduce::Max)),
    ("warp_min", Call::WarpReduce(Reduce::Min)),
    ("fast::exp2", Call::Fast(FastFn::Exp2)),
    ("fast::exp", Call::Fast(FastFn::Exp)),
    ("fast::log2", Call::Fast(FastFn::Log2)),
    ("fast::sin", Call::Fast(FastFn::Sin)),
    ("fast::cos", Call::Fast(FastFn::Cos)),
    ("fast::tanh", Call::Fast(FastFn::Tanh)),
    ("fast::rsqrt", Call::Fast(FastFn::Rsqrt)),
    ("fast::recip", Call::Fast(FastFn::Recip)),
    ("fast::div", Call::Fast(FastFn::Div)),
];

/// Every [`MemCall`] with its name after `gpu::`.
pub const MEM_CALLS: &[(&str, MemCall)] = &[
    ("atomic_add", MemCall::Atomic(AtomicOp::Add)),
    ("atomic_sub", MemCall::Atomic(AtomicOp::Sub)),
    ("atomic_min", MemCall::Atomic(AtomicOp::Min)),
    ("atomic_max", MemCall::Atomic(AtomicOp::Max)),
    ("atomic_and", MemCall::Atomic(AtomicOp::And)),
    ("atomic_or", MemCall::Atomic(AtomicOp::Or)),
    ("atomic_xor", MemCall::Atomic(AtomicOp::Xor)),
    ("atomic_exch", MemCall::Atomic(AtomicOp::Exch)),
    ("atomic_cas", MemCall::Atomic(AtomicOp::Cas)),
    ("load_nc", MemCall::LoadNc),
    ("load_streaming", MemCall::LoadStreaming),
    ("load_vec2", MemCall::LoadVec(2)),
    ("load_vec4", MemCall::LoadVec(4)),
    ("store_vec2", MemCall::StoreVec(2)),
    ("store_vec4", MemCall::StoreVec(4)),
];

impl Call {
    /// The call named `path` (after `gpu::`).
    pub fn from_path(path: &str) -> Option<Call> {
        CALLS.iter().find(|(n, _)| *n == path).map(|&(_, c)| c)
    }
    /// The name users write after `gpu::`.
    pub fn name(self) -> &'static str {
        CALLS.iter().find(|(_, c)| *c == self).map_or("?", |(n, _)| n)
    }
    /// Argument types and result type.
    pub fn signature(self) -> (&'static [ArgTy], RetTy) {
        match self {
            Call::SyncWarp => (&[U32], RetTy::Unit),
            Call::FenceBlock | Call::FenceDevice | Call::FenceSystem => (&[], RetTy::Unit),
            Call::LaneId | Call::WarpId | Call::ActiveMask => (&[], RetTy::Fixed(ScalarTy::U32)),
            Call::Shfl(_) => (&[U32, ArgTy::T, U32], RetTy::T),
            Call::Ballot => (&[U32, BOOL], RetTy::Fixed(ScalarTy::U32)),
            Call::All | Call::Any => (&[U32, BOOL], RetTy::Fixed(ScalarTy::Bool)),
            Call::WarpReduce(_) => (&[ArgTy::T], RetTy::T),
            Call::Fast(FastFn::Div) => (&[F32, F32], RetTy::Fixed(ScalarTy::F32)),
            Call::Fast(_) => (&[F32], RetTy::Fixed(ScalarTy::F32)),
        }
    }
    /// The value types `T` may be, where the signature has one.
    pub fn value_types(self) -> &'static [ScalarTy] {
        match self {
            Call::Shfl(_) | Call::WarpReduce(_) => SHUFFLE_TYPES,
            _ => &[],
        }
    }
    /// Whether the call has an effect (synchronises, or reads other lanes): never dropped nor reordered.
    pub fn has_effect(self) -> bool {
        !matches!(self, Call::LaneId | Call::WarpId | Call::Fast(_))
    }
}

impl MemCall {
    /// The intrinsic named `name` (after `gpu::`).
    pub fn from_name(name: &str) -> Option<MemCall> {
        MEM_CALLS.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
    }
    /// The name users write after `gpu::`.
    pub fn name(self) -> &'static str {
        MEM_CALLS.iter().find(|(_, c)| *c == self).map_or("?", |(n, _)| n)
    }
    /// The arguments after the place (of the place's element type `T` unless fixed), and the result.
    pub fn signature(self) -> (&'static [ArgTy], RetTy) {
        match self {
            MemCall::Atomic(AtomicOp::Cas) => (&[ArgTy::T, ArgTy::T], RetTy::T),
            MemCall::Atomic(_) => (&[ArgTy::T], RetTy::T),
            MemCall::LoadNc | MemCall::LoadStreaming => (&[], RetTy::T),
            MemCall::LoadVec(2) => (&[], RetTy::TArray(2)),
            MemCall::LoadVec(_) => (&[], RetTy::TArray(4)),
            MemCall::StoreVec(2) => (&[ArgTy::TArray(2)], RetTy::Unit),
            MemCall::StoreVec(_) => (&[ArgTy::TArray(4)], RetTy::Unit),
        }
    }
    /// The element types the place may have.
    pub fn value_types(self) -> &'static [ScalarTy] {
        const ADD: &[ScalarTy] =
            &[ScalarTy::I32, ScalarTy::U32, ScalarTy::I64, ScalarTy::U64, ScalarTy::F32, ScalarTy::F64];
        const ADD_HALF: &[ScalarTy] = &[
            ScalarTy::I32,
            ScalarTy::U32,
            ScalarTy::I64,
            ScalarTy::U64,
            ScalarTy::F32,
            ScalarTy::F64,
            ScalarTy::F16,
            ScalarTy::BF16,
        ];
        match self {
            MemCall::Atomic(AtomicOp::Add) => ADD_HALF,
            MemCall::Atomic(AtomicOp::Sub | AtomicOp::Exch | AtomicOp::Cas) => ADD,
            MemCall::Atomic(_) => ATOMIC_INTS,
            MemCall::LoadNc | MemCall::LoadStreaming => ALL_SCALARS_BUT_BOOL,
            MemCall::LoadVec(_) | MemCall::StoreVec(_) => VEC_TYPES,
        }
    }
    /// Whether the place must be writable (`&mut x[i]`).
    pub fn writes(self) -> bool {
        matches!(self, MemCall::Atomic(_) | MemCall::StoreVec(_))
    }
    /// Whether the place may be in shared memory (otherwise only global: slice parameters).
    pub fn allows_shared(self) -> bool {
        matches!(self, MemCall::Atomic(_) | MemCall::LoadVec(_) | MemCall::StoreVec(_))
    }
}

/// `a, b and c` for messages.
pub fn type_list(types: &[ScalarTy]) -> String {
    types.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}
