//! The instruction set: one [`InstKind`] variant per PTX instruction family, with its modifiers as small enums.
//!
//! The shape follows PTX's own `opcode.modifiers.type operands` so that the writer, the reader and the emulator
//! each have one exhaustive `match` over [`InstKind`]. Operands that PTX allows as immediates are [`Operand`]s;
//! destinations are always registers.

mod operands;
mod tensor;

pub use operands::{OperandMut, OperandRef};
pub use tensor::{MatrixCount, MmaForm, MmaShape, MmaType, PackedFmt};

use crate::entity::entity_impl;
use crate::types::{StateSpace, Type};

/// `ALL` (every value, in declaration order, for the reader and the fuzzers) and `from_name` (the inverse of
/// `name`) for a modifier enum, so that a new value is spelled in one place.
macro_rules! spelled {
    ($t:ident: $($v:ident),+ $(,)?) => {
        impl $t {
            /// Every value, in declaration order.
            pub const ALL: [$t; { [$($t::$v),+].len() }] = [$($t::$v),+];
            /// The value whose [`name`](Self::name) is `s` (without the dot).
            pub fn from_name(s: &str) -> Option<$t> {
                Self::ALL.into_iter().find(|v| v.name() == s)
            }
        }
    };
}
pub(crate) use spelled;

entity_impl!(
    /// A typed virtual register of a function. PTX registers are mutable: a register may be assigned many times.
    Reg,
    "v"
);
entity_impl!(
    /// A basic block of a function.
    Block,
    "block"
);
entity_impl!(
    /// An instruction of a function.
    Inst,
    "inst"
);
entity_impl!(
    /// A module-level variable (`.global`, `.shared`, `.const`).
    Var,
    "var"
);
entity_impl!(
    /// A function of a module (kernel or device function).
    FuncId,
    "fn"
);

/// An opaque source location: the macro keeps a table from these to spans; ptx-gen only carries them along.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SrcLoc(pub u32);

impl SrcLoc {
    /// No location.
    pub const NONE: SrcLoc = SrcLoc(u32::MAX);
    /// Whether this is [`SrcLoc::NONE`].
    pub fn is_none(self) -> bool {
        self == Self::NONE
    }
}

/// An immediate: raw bits, read according to the instruction's type (so `-1` of `.s32` is `0xFFFF_FFFF`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Imm(pub u64);

impl Imm {
    /// An f32 immediate.
    pub fn f32(v: f32) -> Imm {
        Imm(v.to_bits() as u64)
    }
    /// An f64 immediate.
    pub fn f64(v: f64) -> Imm {
        Imm(v.to_bits())
    }
    /// An integer immediate of type `ty`, truncated to its width.
    pub fn int(v: i64, ty: Type) -> Imm {
        Imm(truncate(v as u64, ty.bits()))
    }
    /// The bits as the value of `ty`, sign-extended to i64 when `ty` is signed.
    pub fn as_i64(self, ty: Type) -> i64 {
        let bits = ty.bits();
        if bits >= 64 {
            self.0 as i64
        } else if ty.is_signed() {
            ((self.0 << (64 - bits)) as i64) >> (64 - bits)
        } else {
            truncate(self.0, bits) as i64
        }
    }
}

/// `v` truncated to its low `bits` bits.
pub fn truncate(v: u64, bits: u32) -> u64 {
    if bits >= 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

/// A source operand: a register or an immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    Reg(Reg),
    Imm(Imm),
}

impl Operand {
    /// The register, if this is one.
    pub fn reg(self) -> Option<Reg> {
        match self {
            Operand::Reg(r) => Some(r),
            Operand::Imm(_) => None,
        }
    }
    /// A `.u32`/`.b32`/`.s32` immediate.
    pub fn u32(v: u32) -> Operand {
        Operand::Imm(Imm(v as u64))
    }
    /// A 64-bit integer immediate.
    pub fn u64(v: u64) -> Operand {
        Operand::Imm(Imm(v))
    }
    /// An f32 immediate.
    pub fn f32(v: f32) -> Operand {
        Operand::Imm(Imm::f32(v))
    }
    /// An f64 immediate.
    pub fn f64(v: f64) -> Operand {
        Operand::Imm(Imm::f64(v))
    }
}

impl From<Reg> for Operand {
    fn from(r: Reg) -> Operand {
        Operand::Reg(r)
    }
}
impl From<Imm> for Operand {
    fn from(i: Imm) -> Operand {
        Operand::Imm(i)
    }
}

/// A memory address: base plus a constant byte offset (`[%rd3+16]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Address {
    pub base: AddrBase,
    pub offset: i64,
}

/// What an [`Address`] is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddrBase {
    /// A register holding an address in the instruction's state space.
    Reg(Reg),
    /// A module variable.
    Var(Var),
    /// A kernel parameter, by index (`ld.param`).
    Param(u32),
}

impl Address {
    /// `[reg]`.
    pub fn reg(r: Reg) -> Address {
        Address { base: AddrBase::Reg(r), offset: 0 }
    }
    /// `[reg+offset]`.
    pub fn reg_offset(r: Reg, offset: i64) -> Address {
        Address { base: AddrBase::Reg(r), offset }
    }
    /// `[var]`.
    pub fn var(v: Var) -> Address {
        Address { base: AddrBase::Var(v), offset: 0 }
    }
    /// `[param]`.
    pub fn param(index: u32) -> Address {
        Address { base: AddrBase::Param(index), offset: 0 }
    }
}

/// A dimension of a special register (`%tid.x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dim {
    X,
    Y,
    Z,
}

impl Dim {
    /// `x`, `y` or `z`.
    pub fn name(self) -> &'static str {
        match self {
            Dim::X => "x",
            Dim::Y => "y",
            Dim::Z => "z",
        }
    }
}

/// A special register read with `mov`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecialReg {
    Tid(Dim),
    Ntid(Dim),
    Ctaid(Dim),
    Nctaid(Dim),
    LaneId,
    WarpId,
    NWarpId,
    SmId,
    NSmId,
    /// `%lanemask_lt`: bits of the lanes below this one.
    LanemaskLt,
    Clock,
    Clock64,
    GlobalTimer,
    /// `%dynamic_smem_size`: bytes of dynamic shared memory of this launch.
    DynamicSmemSize,
}

impl SpecialReg {
    /// The type of the register (`u32` or `u64`).
    pub fn ty(self) -> Type {
        match self {
            SpecialReg::Clock64 | SpecialReg::GlobalTimer => Type::U64,
            _ => Type::U32,
        }
    }
    /// The PTX spelling (`%tid.x`).
    pub fn name(self) -> String {
        match self {
            SpecialReg::Tid(d) => format!("%tid.{}", d.name()),
            SpecialReg::Ntid(d) => format!("%ntid.{}", d.name()),
            SpecialReg::Ctaid(d) => format!("%ctaid.{}", d.name()),
            SpecialReg::Nctaid(d) => format!("%nctaid.{}", d.name()),
            SpecialReg::LaneId => "%laneid".into(),
            SpecialReg::WarpId => "%warpid".into(),
            SpecialReg::NWarpId => "%nwarpid".into(),
            SpecialReg::SmId => "%smid".into(),
            SpecialReg::NSmId => "%nsmid".into(),
            SpecialReg::LanemaskLt => "%lanemask_lt".into(),
            SpecialReg::Clock => "%clock".into(),
            SpecialReg::Clock64 => "%clock64".into(),
            SpecialReg::GlobalTimer => "%globaltimer".into(),
            SpecialReg::DynamicSmemSize => "%dynamic_smem_size".into(),
        }
    }
}

/// The modifier of an arithmetic instruction: a float rounding mode, an integer multiply half, or none.
///
/// Float add/sub/mul always carry a rounding mode (`.rn`) in what the frontend emits: without one ptxas may fuse
/// `mul` + `add` into `fma`, which Rust never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    None,
    /// Round to nearest even.
    Rn,
    /// Round toward zero.
    Rz,
    /// Round toward −∞.
    Rm,
    /// Round toward +∞.
    Rp,
    /// `.approx` (div, sqrt, rcp, rsqrt, ex2, lg2, sin, cos, tanh).
    Approx,
    /// `div.full.f32`: within 2 ulp.
    Full,
    /// Integer `mul`/`mad` low half.
    Lo,
    /// Integer `mul`/`mad` high half.
    Hi,
    /// Integer `mul`/`mad` full product at twice the width.
    Wide,
}

impl Mode {
    /// The PTX modifier without the dot; empty for [`Mode::None`].
    pub fn name(self) -> &'static str {
        match self {
            Mode::None => "",
            Mode::Rn => "rn",
            Mode::Rz => "rz",
            Mode::Rm => "rm",
            Mode::Rp => "rp",
            Mode::Approx => "approx",
            Mode::Full => "full",
            Mode::Lo => "lo",
            Mode::Hi => "hi",
            Mode::Wide => "wide",
        }
    }
    /// A float rounding mode (rn/rz/rm/rp).
    pub fn is_rounding(self) -> bool {
        matches!(self, Mode::Rn | Mode::Rz | Mode::Rm | Mode::Rp)
    }
}

/// One-operand arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Abs,
    /// Bitwise not (`.b` types) or logical not of a predicate.
    Not,
    /// Population count; result `.u32`.
    Popc,
    /// Count leading zeros; result `.u32`.
    Clz,
    /// Bit reverse.
    Brev,
    Sqrt,
    Rsqrt,
    Rcp,
    Ex2,
    Lg2,
    Sin,
    Cos,
    Tanh,
}

impl UnOp {
    /// The PTX opcode.
    pub fn name(self) -> &'static str {
        match self {
            UnOp::Neg => "neg",
            UnOp::Abs => "abs",
            UnOp::Not => "not",
            UnOp::Popc => "popc",
            UnOp::Clz => "clz",
            UnOp::Brev => "brev",
            UnOp::Sqrt => "sqrt",
            UnOp::Rsqrt => "rsqrt",
            UnOp::Rcp => "rcp",
            UnOp::Ex2 => "ex2",
            UnOp::Lg2 => "lg2",
            UnOp::Sin => "sin",
            UnOp::Cos => "cos",
            UnOp::Tanh => "tanh",
        }
    }
}

/// Two-operand arithmetic and logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Min,
    Max,
    And,
    Or,
    Xor,
    /// Shift left; the amount is always `.u32`. Amounts ≥ the width give 0.
    Shl,
    /// Shift right, arithmetic for `.sN`, logical otherwise; the amount is always `.u32`.
    Shr,
}

impl BinOp {
    /// The PTX opcode.
    pub fn name(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::Div => "div",
            BinOp::Rem => "rem",
            BinOp::Min => "min",
            BinOp::Max => "max",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Xor => "xor",
            BinOp::Shl => "shl",
            BinOp::Shr => "shr",
        }
    }
}

/// Three-operand arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TernOp {
    /// Integer `a * b + c` with `.lo`/`.hi`/`.wide`.
    Mad,
    /// Fused float `a * b + c`, one rounding.
    Fma,
    /// Bit-field extract: `bfe d, a, pos, len` (pos and len `.u32`).
    Bfe,
}

impl TernOp {
    /// The PTX opcode.
    pub fn name(self) -> &'static str {
        match self {
            TernOp::Mad => "mad",
            TernOp::Fma => "fma",
            TernOp::Bfe => "bfe",
        }
    }
}

/// A `setp` comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Unsigned aliases, also accepted for `.uN`: lower, lower-or-same, higher, higher-or-same.
    Lo,
    Ls,
    Hi,
    Hs,
    /// Float: unordered or equal, etc.
    Equ,
    Neu,
    Ltu,
    Leu,
    Gtu,
    Geu,
    /// Float: both numbers / either NaN.
    Num,
    Nan,
}

impl CmpOp {
    /// Every comparison.
    pub const ALL: [CmpOp; 18] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Lo,
        CmpOp::Ls,
        CmpOp::Hi,
        CmpOp::Hs,
        CmpOp::Equ,
        CmpOp::Neu,
        CmpOp::Ltu,
        CmpOp::Leu,
        CmpOp::Gtu,
        CmpOp::Geu,
        CmpOp::Num,
        CmpOp::Nan,
    ];
    /// The PTX spelling.
    pub fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lo => "lo",
            CmpOp::Ls => "ls",
            CmpOp::Hi => "hi",
            CmpOp::Hs => "hs",
            CmpOp::Equ => "equ",
            CmpOp::Neu => "neu",
            CmpOp::Ltu => "ltu",
            CmpOp::Leu => "leu",
            CmpOp::Gtu => "gtu",
            CmpOp::Geu => "geu",
            CmpOp::Num => "num",
            CmpOp::Nan => "nan",
        }
    }
    /// Only meaningful for floats.
    pub fn is_float_only(self) -> bool {
        matches!(
            self,
            CmpOp::Equ | CmpOp::Neu | CmpOp::Ltu | CmpOp::Leu | CmpOp::Gtu | CmpOp::Geu | CmpOp::Num | CmpOp::Nan
        )
    }
    /// Only meaningful for unsigned integers.
    pub fn is_unsigned_only(self) -> bool {
        matches!(self, CmpOp::Lo | CmpOp::Ls | CmpOp::Hi | CmpOp::Hs)
    }
}

/// Rounding of a `cvt`: float rounding (`.rn` …) or round-to-integer (`.rni` …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CvtMode {
    None,
    Rn,
    Rz,
    Rm,
    Rp,
    Rni,
    Rzi,
    Rmi,
    Rpi,
}

impl CvtMode {
    /// Every mode.
    pub const ALL: [CvtMode; 9] = [
        CvtMode::None,
        CvtMode::Rn,
        CvtMode::Rz,
        CvtMode::Rm,
        CvtMode::Rp,
        CvtMode::Rni,
        CvtMode::Rzi,
        CvtMode::Rmi,
        CvtMode::Rpi,
    ];
    /// The PTX modifier without the dot; empty for none.
    pub fn name(self) -> &'static str {
        match self {
            CvtMode::None => "",
            CvtMode::Rn => "rn",
            CvtMode::Rz => "rz",
            CvtMode::Rm => "rm",
            CvtMode::Rp => "rp",
            CvtMode::Rni => "rni",
            CvtMode::Rzi => "rzi",
            CvtMode::Rmi => "rmi",
            CvtMode::Rpi => "rpi",
        }
    }
    /// Round-to-integer modes.
    pub fn is_integer_rounding(self) -> bool {
        matches!(self, CvtMode::Rni | CvtMode::Rzi | CvtMode::Rmi | CvtMode::Rpi)
    }
}

/// Vector width of a load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VecWidth {
    Scalar,
    V2,
    V4,
}

impl VecWidth {
    /// Number of elements.
    pub fn count(self) -> usize {
        match self {
            VecWidth::Scalar => 1,
            VecWidth::V2 => 2,
            VecWidth::V4 => 4,
        }
    }
}

/// Memory scope of an ordering or an atomic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The thread block (`.cta`).
    Cta,
    /// The device (`.gpu`).
    Gpu,
    /// The whole system (`.sys`).
    Sys,
}

impl Scope {
    /// The PTX spelling without the dot.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Cta => "cta",
            Scope::Gpu => "gpu",
            Scope::Sys => "sys",
        }
    }
}

/// The memory-ordering qualifier of a load, store or atomic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemOrder {
    /// Plain (`ld`, `atom` with no `.sem`).
    Weak,
    /// `.volatile`.
    Volatile,
    Relaxed(Scope),
    Acquire(Scope),
    Release(Scope),
    /// Atomics only.
    AcqRel(Scope),
}

/// Cache operator of a load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheOp {
    None,
    /// Cache at all levels (loads).
    Ca,
    /// Cache in L2, not L1.
    Cg,
    /// Streaming: likely accessed once.
    Cs,
    /// Last use.
    Lu,
    /// Don't cache; fetch again.
    Cv,
    /// Write back (stores).
    Wb,
    /// Write through (stores).
    Wt,
}

impl CacheOp {
    /// The PTX spelling without the dot; empty for none.
    pub fn name(self) -> &'static str {
        match self {
            CacheOp::None => "",
            CacheOp::Ca => "ca",
            CacheOp::Cg => "cg",
            CacheOp::Cs => "cs",
            CacheOp::Lu => "lu",
            CacheOp::Cv => "cv",
            CacheOp::Wb => "wb",
            CacheOp::Wt => "wt",
        }
    }
}

/// L1 eviction priority (`.L1::evict_last`, …, PTX 7.4 / sm_70).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Eviction {
    None,
    EvictNormal,
    EvictUnchanged,
    EvictFirst,
    EvictLast,
    NoAllocate,
}

impl Eviction {
    /// The PTX spelling without the dot; empty for none.
    pub fn name(self) -> &'static str {
        match self {
            Eviction::None => "",
            Eviction::EvictNormal => "L1::evict_normal",
            Eviction::EvictUnchanged => "L1::evict_unchanged",
            Eviction::EvictFirst => "L1::evict_first",
            Eviction::EvictLast => "L1::evict_last",
            Eviction::NoAllocate => "L1::no_allocate",
        }
    }
}

/// L2 prefetch size hint of a load (`.L2::128B`, PTX 7.4 / sm_75).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prefetch {
    None,
    B64,
    B128,
    B256,
}

impl Prefetch {
    /// The PTX spelling without the dot; empty for none.
    pub fn name(self) -> &'static str {
        match self {
            Prefetch::None => "",
            Prefetch::B64 => "L2::64B",
            Prefetch::B128 => "L2::128B",
            Prefetch::B256 => "L2::256B",
        }
    }
}

/// Everything about a load or store except its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemAccess {
    pub space: StateSpace,
    /// Element type.
    pub ty: Type,
    pub vec: VecWidth,
    pub order: MemOrder,
    pub cache: CacheOp,
    /// `ld.global.nc`: read through the non-coherent (texture) path. Loads only.
    pub nc: bool,
    pub eviction: Eviction,
    pub prefetch: Prefetch,
}

impl MemAccess {
    /// A plain scalar access of `ty` in `space`.
    pub fn new(space: StateSpace, ty: Type) -> MemAccess {
        MemAccess {
            space,
            ty,
            vec: VecWidth::Scalar,
            order: MemOrder::Weak,
            cache: CacheOp::None,
            nc: false,
            eviction: Eviction::None,
            prefetch: Prefetch::None,
        }
    }
    /// Bytes moved.
    pub fn bytes(&self) -> u32 {
        self.ty.size() * self.vec.count() as u32
    }
}

/// An atomic read-modify-write operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomOp {
    Add,
    Min,
    Max,
    /// `inc`: `old >= b ? 0 : old + 1` (u32).
    Inc,
    /// `dec`: `old == 0 || old > b ? b : old - 1` (u32).
    Dec,
    And,
    Or,
    Xor,
    Exch,
    Cas,
}

impl AtomOp {
    /// The PTX spelling.
    pub fn name(self) -> &'static str {
        match self {
            AtomOp::Add => "add",
            AtomOp::Min => "min",
            AtomOp::Max => "max",
            AtomOp::Inc => "inc",
            AtomOp::Dec => "dec",
            AtomOp::And => "and",
            AtomOp::Or => "or",
            AtomOp::Xor => "xor",
            AtomOp::Exch => "exch",
            AtomOp::Cas => "cas",
        }
    }
}

/// `bar.sync` or `bar.arrive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BarOp {
    /// Wait until `count` threads (default: the whole block) have arrived at barrier `id`.
    Sync,
    /// Arrive without waiting (producer side of a named barrier).
    Arrive,
}

/// A memory fence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FenceKind {
    /// `membar.{cta,gl,sys}` (all targets).
    Membar,
    /// `fence.acq_rel.scope` (sm_70).
    AcqRel,
    /// `fence.sc.scope` (sm_70).
    Sc,
}

/// A `shfl.sync` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShflMode {
    Up,
    Down,
    Bfly,
    Idx,
}

impl ShflMode {
    /// The PTX spelling.
    pub fn name(self) -> &'static str {
        match self {
            ShflMode::Up => "up",
            ShflMode::Down => "down",
            ShflMode::Bfly => "bfly",
            ShflMode::Idx => "idx",
        }
    }
}

/// A `vote.sync` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VoteMode {
    All,
    Any,
    Uni,
    /// Result `.b32`: one bit per lane whose predicate is true.
    Ballot,
}

impl VoteMode {
    /// The PTX spelling.
    pub fn name(self) -> &'static str {
        match self {
            VoteMode::All => "all",
            VoteMode::Any => "any",
            VoteMode::Uni => "uni",
            VoteMode::Ballot => "ballot",
        }
    }
}

spelled!(Dim: X, Y, Z);
spelled!(Mode: None, Rn, Rz, Rm, Rp, Approx, Full, Lo, Hi, Wide);
spelled!(UnOp: Neg, Abs, Not, Popc, Clz, Brev, Sqrt, Rsqrt, Rcp, Ex2, Lg2, Sin, Cos, Tanh);
spelled!(BinOp: Add, Sub, Mul, Div, Rem, Min, Max, And, Or, Xor, Shl, Shr);
spelled!(TernOp: Mad, Fma, Bfe);
spelled!(Scope: Cta, Gpu, Sys);
spelled!(CacheOp: None, Ca, Cg, Cs, Lu, Cv, Wb, Wt);
spelled!(Eviction: None, EvictNormal, EvictUnchanged, EvictFirst, EvictLast, NoAllocate);
spelled!(Prefetch: None, B64, B128, B256);
spelled!(AtomOp: Add, Min, Max, Inc, Dec, And, Or, Xor, Exch, Cas);
spelled!(ShflMode: Up, Down, Bfly, Idx);
spelled!(VoteMode: All, Any, Uni, Ballot);

/// One instruction (not a terminator).
#[derive(Clone, Debug, PartialEq)]
pub enum InstKind {
    /// `mov.ty dst, src`.
    Mov { ty: Type, dst: Reg, src: Operand },
    /// `mov.u32 dst, %tid.x` and the other special registers.
    ReadSpecial { dst: Reg, sreg: SpecialReg },
    /// `mov.u64 dst, var`: the address of a module variable in its own state space.
    AddrOf { dst: Reg, var: Var },
    /// `op.mode.ty dst, src`.
    Unary { op: UnOp, mode: Mode, ty: Type, dst: Reg, src: Operand },
    /// `op.mode.ty dst, a, b`.
    Binary { op: BinOp, mode: Mode, ty: Type, dst: Reg, a: Operand, b: Operand },
    /// `op.mode.ty dst, a, b, c`.
    Ternary { op: TernOp, mode: Mode, ty: Type, dst: Reg, a: Operand, b: Operand, c: Operand },
    /// `bfi.ty dst, f, b, pos, len`: insert the low `len` bits of `f` into `b` at `pos`.
    Bfi { ty: Type, dst: Reg, f: Operand, b: Operand, pos: Operand, len: Operand },
    /// `setp.cmp.ty dst, a, b` (dst is a predicate).
    Setp { cmp: CmpOp, ty: Type, dst: Reg, a: Operand, b: Operand },
    /// `selp.ty dst, a, b, cond`: `cond ? a : b`.
    Selp { ty: Type, dst: Reg, a: Operand, b: Operand, cond: Reg },
    /// `cvt{.mode}{.sat}.dst_ty.src_ty dst, src`.
    Cvt { mode: CvtMode, sat: bool, dst_ty: Type, src_ty: Type, dst: Reg, src: Operand },
    /// `cvta{.to}.space.u64 dst, src`: between a state-space address and a generic one.
    Cvta { to_generic: bool, space: StateSpace, dst: Reg, src: Reg },
    /// `ld…` into one register per vector element.
    Ld { access: MemAccess, dsts: Vec<Reg>, addr: Address },
    /// `st…` from one operand per vector element.
    St { access: MemAccess, addr: Address, srcs: Vec<Operand> },
    /// `atom` (with `dst`) or `red` (without). `cmp` is the expected value of `cas`.
    Atom {
        op: AtomOp,
        space: StateSpace,
        order: MemOrder,
        scope: Option<Scope>,
        ty: Type,
        dst: Option<Reg>,
        addr: Address,
        src: Operand,
        cmp: Option<Operand>,
    },
    /// `bar.sync id{, count}` / `bar.arrive id, count`.
    Bar { op: BarOp, id: Operand, count: Option<Operand> },
    /// `bar.warp.sync mask`.
    WarpSync { mask: Operand },
    /// `membar` / `fence`.
    Fence { kind: FenceKind, scope: Scope },
    /// `shfl.sync.mode.b32 dst{|pred}, src, lane, clamp, mask`.
    Shfl { mode: ShflMode, dst: Reg, pred: Option<Reg>, src: Operand, lane: Operand, clamp: Operand, mask: Operand },
    /// `vote.sync.mode dst, {!}src, mask`.
    Vote { mode: VoteMode, dst: Reg, src: Reg, negate: bool, mask: Operand },
    /// `activemask.b32 dst`.
    ActiveMask { dst: Reg },
    /// `call.uni (rets), func, (args)`.
    Call { func: FuncId, rets: Vec<Reg>, args: Vec<Operand> },
    /// Raw PTX text with `{0}`, `{1}`, … naming `outputs` then `inputs`, in that order.
    Asm { text: String, outputs: Vec<Reg>, inputs: Vec<Operand> },
    /// `cvt.rn{.satfinite}{.relu}.dst.src d, a{, b}`: to or from a packed pair. Two f32 sources `a, b` give
    /// `d = {a → upper half, b → lower half}`; the other forms convert one packed register.
    CvtPack { dst_fmt: PackedFmt, src_fmt: PackedFmt, satfinite: bool, relu: bool, dst: Reg, srcs: Vec<Operand> },
    /// `mma.sync.aligned.shape.row.col{.satfinite}.dty.aty.bty.cty {d}, {a}, {b}, {c}`: one warp-wide
    /// `D = A·B + C`, each fragment one register list per lane ([`MmaForm`] gives the counts).
    Mma {
        shape: MmaShape,
        d_ty: MmaType,
        a_ty: MmaType,
        b_ty: MmaType,
        c_ty: MmaType,
        satfinite: bool,
        d: Vec<Reg>,
        a: Vec<Reg>,
        b: Vec<Reg>,
        c: Vec<Reg>,
    },
    /// `ldmatrix.sync.aligned.m8n8.xN{.trans}.shared.b16 {d}, [addr]`: each lane gives one 16-byte row address
    /// (lanes 8i..8i+7 the rows of matrix i) and receives one `.b32` of each matrix.
    LdMatrix { count: MatrixCount, trans: bool, dsts: Vec<Reg>, addr: Address },
    /// `stmatrix.sync.aligned.m8n8.xN{.trans}.shared.b16 [addr], {s}` (sm_90): the inverse of [`InstKind::LdMatrix`].
    StMatrix { count: MatrixCount, trans: bool, addr: Address, srcs: Vec<Reg> },
    /// `cp.async.{ca,cg}.shared.global{.L2::NB} [dst], [src], bytes{, src_size}`: an asynchronous copy of 4, 8 or
    /// 16 bytes from global to shared memory; bytes past `src_size` are zero-filled.
    CpAsync { cache: CacheOp, prefetch: Prefetch, bytes: u32, dst: Address, src: Address, src_size: Option<Operand> },
    /// `cp.async.commit_group`: closes the group of this thread's `cp.async`s issued since the last commit.
    CpAsyncCommit,
    /// `cp.async.wait_group n` (`None`: `cp.async.wait_all`): waits until at most `n` of this thread's committed
    /// groups are pending (`wait_all` also waits for uncommitted copies).
    CpAsyncWait { pending: Option<u32> },
}

/// The last instruction of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Terminator {
    /// `bra target`.
    Jump(Block),
    /// `@cond bra then; bra else` (or `@!cond` when `negate`).
    Branch { cond: Reg, negate: bool, then_dest: Block, else_dest: Block },
    /// `ret`.
    Return,
    /// `trap`.
    Trap,
}

impl Terminator {
    /// Successor blocks, in order.
    pub fn successors(&self) -> Vec<Block> {
        match self {
            Terminator::Jump(b) => vec![*b],
            Terminator::Branch { then_dest, else_dest, .. } => vec![*then_dest, *else_dest],
            Terminator::Return | Terminator::Trap => vec![],
        }
    }
}

impl InstKind {
    /// The PTX opcode before its modifiers (`ld` of `ld.global.nc.f32`, `mma.sync.aligned` of an MMA): the one
    /// table of spellings the writer, the textual IR, target messages and the emulator's messages share.
    pub fn mnemonic(&self) -> &'static str {
        use InstKind::*;
        match self {
            Mov { .. } | ReadSpecial { .. } | AddrOf { .. } => "mov",
            Unary { op, .. } => op.name(),
            Binary { op, .. } => op.name(),
            Ternary { op, .. } => op.name(),
            Bfi { .. } => "bfi",
            Setp { .. } => "setp",
            Selp { .. } => "selp",
            Cvt { .. } => "cvt",
            Cvta { to_generic: true, .. } => "cvta",
            Cvta { to_generic: false, .. } => "cvta.to",
            Ld { .. } => "ld",
            St { .. } => "st",
            Atom { dst: Some(_), .. } => "atom",
            Atom { dst: None, .. } => "red",
            Bar { op: BarOp::Sync, .. } => "bar.sync",
            Bar { op: BarOp::Arrive, .. } => "bar.arrive",
            WarpSync { .. } => "bar.warp.sync",
            Fence { kind: FenceKind::Membar, .. } => "membar",
            Fence { kind: FenceKind::AcqRel, .. } => "fence.acq_rel",
            Fence { kind: FenceKind::Sc, .. } => "fence.sc",
            Shfl { .. } => "shfl.sync",
            Vote { .. } => "vote.sync",
            ActiveMask { .. } => "activemask",
            Call { .. } => "call.uni",
            Asm { .. } => "asm",
            CvtPack { .. } => "cvt",
            Mma { .. } => "mma.sync.aligned",
            LdMatrix { .. } => "ldmatrix.sync.aligned",
            StMatrix { .. } => "stmatrix.sync.aligned",
            CpAsync { .. } => "cp.async",
            CpAsyncCommit => "cp.async.commit_group",
            CpAsyncWait { pending: Some(_) } => "cp.async.wait_group",
            CpAsyncWait { pending: None } => "cp.async.wait_all",
        }
    }

    /// Whether the instruction does something besides writing its destinations (memory, synchronisation, calls,
    /// inline PTX), so that dead-code elimination must keep it.
    pub fn has_side_effects(&self) -> bool {
        use InstKind::*;
        match self {
            St { .. }
            | Atom { .. }
            | Bar { .. }
            | WarpSync { .. }
            | Fence { .. }
            | Shfl { .. }
            | Vote { .. }
            | Call { .. }
            | Asm { .. } => true,
            // Warp-collective (every lane's registers take part) or ordered with the async-copy groups.
            Mma { .. } | LdMatrix { .. } | StMatrix { .. } | CpAsync { .. } | CpAsyncCommit | CpAsyncWait { .. } => {
                true
            }
            // Volatile/acquire loads order memory; %clock and friends change between reads.
            Ld { access, .. } => access.order != MemOrder::Weak,
            ReadSpecial { sreg, .. } => {
                matches!(sreg, SpecialReg::Clock | SpecialReg::Clock64 | SpecialReg::GlobalTimer)
            }
            ActiveMask { .. } => true,
            // Listed one by one, with no catch-all: a new instruction must say whether DCE may delete it.
            Mov { .. }
            | AddrOf { .. }
            | Unary { .. }
            | Binary { .. }
            | Ternary { .. }
            | Bfi { .. }
            | Setp { .. }
            | Selp { .. }
            | Cvt { .. }
            | Cvta { .. }
            | CvtPack { .. } => false,
        }
    }
}
