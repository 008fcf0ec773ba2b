//! Targets: which `.target sm_XX` and `.version X.Y` a module needs.
//!
//! Every instruction feature that needs more than the floor (sm_52 / PTX ISA 6.0) has one row in
//! [`for_each_feature`]: the architecture and ISA version it needs and a short name for messages. The numbers are
//! the PTX ISA manual's "PTX ISA notes" / "Target ISA notes", checked against ptxas 13, which reports exactly
//! these limits ("Feature 'tanh' requires .target sm_75 or higher"); `tests/writer_target.rs` keeps ptxas as the
//! oracle for them.
//!
//! [`required_target`] is the lowest target that has every feature a module uses; [`resolve_target`] honours an
//! explicitly requested [`Module::target`] and says which instruction it is too low for.

use std::fmt;

use crate::inst::{
    AtomOp, BinOp, Eviction, FenceKind, Inst, InstKind, MemOrder, MmaShape, MmaType, Prefetch, SrcLoc, TernOp, UnOp,
};
use crate::ir::{Function, Module};
use crate::types::{StateSpace, Type};

/// A PTX ISA version (`.version 7.8` is `PtxIsa(7, 8)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PtxIsa(pub u32, pub u32);

impl fmt::Display for PtxIsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// A compilation target: the GPU architecture (`sm`, e.g. 80 for `sm_80`) and the PTX ISA version.
///
/// `arch_specific` selects the `sm_90a`-style targets whose instructions (wgmma, …) run only on that exact chip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub sm: u32,
    pub ptx_isa: PtxIsa,
    pub arch_specific: bool,
}

impl Target {
    /// The floor every module starts from: sm_52 / PTX 6.0, runnable on every GPU a current driver supports.
    pub const FLOOR: Target = Target { sm: 52, ptx_isa: PtxIsa(6, 0), arch_specific: false };

    /// `sm_XX` with the lowest PTX ISA version that knows that architecture (at least 6.0).
    pub fn sm(sm: u32) -> Target {
        Target { sm, ptx_isa: min_isa_for_sm(sm).max(PtxIsa(6, 0)), arch_specific: false }
    }

    /// The `.target` name (`sm_80`, `sm_90a`).
    pub fn name(&self) -> String {
        format!("sm_{}{}", self.sm, if self.arch_specific { "a" } else { "" })
    }

    /// Parses `sm_80` / `sm_90a`.
    pub fn parse(s: &str) -> Option<Target> {
        let rest = s.strip_prefix("sm_")?;
        let (digits, arch_specific) = match rest.strip_suffix('a') {
            Some(d) => (d, true),
            None => (rest, false),
        };
        let sm: u32 = digits.parse().ok()?;
        if !(20..=200).contains(&sm) {
            return None;
        }
        let mut t = Target::sm(sm);
        t.arch_specific = arch_specific;
        Some(t)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (PTX ISA {})", self.name(), self.ptx_isa)
    }
}

/// The first PTX ISA version that accepts `.target sm_XX` (measured with ptxas 13: `.version` below this is
/// rejected with "PTX .version X does not support .target sm_XX").
///
/// An architecture this table does not know gets the newest version in it, so that an unknown target errs on the
/// side of a version ptxas may reject rather than one too old to name it.
pub fn min_isa_for_sm(sm: u32) -> PtxIsa {
    match sm {
        0..=30 => PtxIsa(3, 0),
        31..=32 => PtxIsa(4, 0),
        33..=35 => PtxIsa(3, 1),
        36..=37 => PtxIsa(4, 1),
        38..=50 => PtxIsa(4, 0),
        51..=52 => PtxIsa(4, 1),
        53 => PtxIsa(4, 2),
        54..=62 => PtxIsa(5, 0),
        63..=70 => PtxIsa(6, 0),
        71..=72 => PtxIsa(6, 1),
        73..=75 => PtxIsa(6, 3),
        76..=80 => PtxIsa(7, 0),
        81..=86 => PtxIsa(7, 1),
        87 => PtxIsa(7, 4),
        88 => PtxIsa(9, 0),
        89..=90 => PtxIsa(7, 8),
        91..=101 => PtxIsa(8, 6),
        102..=103 => PtxIsa(8, 8),
        104..=110 => PtxIsa(9, 0),
        111..=120 => PtxIsa(8, 7),
        121 => PtxIsa(8, 8),
        _ => PtxIsa(9, 0),
    }
}

/// The first PTX ISA version that accepts `target`: [`min_isa_for_sm`], except that the architecture-specific
/// `sm_90a` arrived later (PTX ISA 8.0) than `sm_90`.
pub fn min_isa_for_target(target: &Target) -> PtxIsa {
    if target.arch_specific && target.sm == 90 {
        PtxIsa(8, 0)
    } else {
        min_isa_for_sm(target.sm)
    }
}

/// What one feature of an instruction needs: an architecture, a PTX ISA version and a name for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The lowest `sm_XX` that has the feature.
    pub sm: u32,
    /// The lowest `.version` that has the feature.
    pub isa: PtxIsa,
    /// A short name of the feature (`"tanh.approx"`, `"atomic scopes"`).
    pub what: &'static str,
}

impl Requirement {
    /// What every instruction gets for free: the floor target.
    pub const FLOOR: Requirement = Requirement { sm: 52, isa: PtxIsa(6, 0), what: "the floor target" };

    const fn new(sm: u32, major: u32, minor: u32, what: &'static str) -> Requirement {
        Requirement { sm, isa: PtxIsa(major, minor), what }
    }

    /// Whether `target` has this feature.
    pub fn is_met_by(&self, target: &Target) -> bool {
        target.sm >= self.sm && target.ptx_isa >= self.isa
    }

    /// The stronger of two requirements: the higher architecture and the higher ISA version; `what` names the
    /// one that needs the higher architecture (the higher ISA version on a tie), since that is what a user must
    /// change first.
    pub fn max(self, other: Requirement) -> Requirement {
        let what = if (other.sm, other.isa) > (self.sm, self.isa) { other.what } else { self.what };
        Requirement { sm: self.sm.max(other.sm), isa: self.isa.max(other.isa), what }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sm_{} (PTX ISA {})", self.sm, self.isa)
    }
}

/// Why a module cannot be written for its requested target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetError {
    /// An instruction needs more than the requested target has.
    TooLow {
        /// The function holding the instruction.
        func: String,
        /// The instruction.
        inst: Inst,
        /// Its source location (for the macro to map back to a span).
        loc: SrcLoc,
        /// The instruction's opcode as the writer spells it (`tanh.approx.f32`).
        inst_text: String,
        /// The feature that is missing.
        need: Requirement,
        /// The target the module asked for.
        requested: Target,
    },
    /// The requested PTX ISA version predates the requested architecture.
    IsaTooOldForSm { requested: Target, need: PtxIsa },
    /// The requested target is below the floor every module is written for.
    BelowFloor { requested: Target },
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::TooLow { func, inst_text, need, requested, .. } => write!(
                f,
                "`{inst_text}` in `{func}` needs {need} for {}; the requested target is {requested}",
                need.what
            ),
            TargetError::IsaTooOldForSm { requested, need } => write!(
                f,
                "PTX ISA {} does not know {}: it needs PTX ISA {need} or later",
                requested.ptx_isa,
                requested.name()
            ),
            TargetError::BelowFloor { requested } => {
                write!(f, "the requested target {requested} is below the lowest supported one, {}", Target::FLOOR)
            }
        }
    }
}

impl std::error::Error for TargetError {}

/// Calls `f` with every feature of `kind` that needs more than the floor. Most instructions have none.
///
/// Only what is *legal* PTX is described here; combinations PTX has no spelling for (`sqrt.f16`) are the verifier's
/// to reject and have no row.
pub fn for_each_feature(kind: &InstKind, mut f: impl FnMut(Requirement)) {
    use InstKind::*;
    let is_f16 = |t: Type| matches!(t, Type::F16 | Type::F16x2);
    let is_bf16 = |t: Type| matches!(t, Type::BF16 | Type::BF16x2);
    match kind {
        Unary { op, ty, .. } => match op {
            UnOp::Tanh if is_bf16(*ty) => f(Requirement::new(90, 7, 8, "tanh.approx.bf16")),
            UnOp::Tanh => f(Requirement::new(75, 7, 0, "tanh.approx")),
            UnOp::Ex2 if is_f16(*ty) => f(Requirement::new(75, 7, 0, "ex2.approx.f16")),
            UnOp::Ex2 if is_bf16(*ty) => f(Requirement::new(90, 7, 8, "ex2.approx.bf16")),
            UnOp::Neg if is_f16(*ty) => f(Requirement::new(53, 6, 0, "neg.f16")),
            UnOp::Abs if is_f16(*ty) => f(Requirement::new(53, 6, 5, "abs.f16")),
            UnOp::Neg | UnOp::Abs if is_bf16(*ty) => f(Requirement::new(80, 7, 0, "bf16 neg/abs")),
            _ => {}
        },
        Binary { op, ty, .. } => match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul if is_f16(*ty) => f(Requirement::new(53, 4, 2, "f16 arithmetic")),
            BinOp::Add | BinOp::Sub | BinOp::Mul if is_bf16(*ty) => f(Requirement::new(90, 7, 8, "bf16 add/sub/mul")),
            BinOp::Min | BinOp::Max if is_f16(*ty) => f(Requirement::new(80, 7, 0, "f16 min/max")),
            BinOp::Min | BinOp::Max if is_bf16(*ty) => f(Requirement::new(80, 7, 0, "bf16 min/max")),
            _ => {}
        },
        Ternary { op: TernOp::Fma, ty, .. } if is_f16(*ty) => f(Requirement::new(53, 4, 2, "f16 arithmetic")),
        Ternary { op: TernOp::Fma, ty, .. } if is_bf16(*ty) => f(Requirement::new(80, 7, 0, "fma.bf16")),
        Setp { ty, .. } if is_f16(*ty) => f(Requirement::new(53, 4, 2, "f16 comparison")),
        Setp { ty, .. } if is_bf16(*ty) => f(Requirement::new(90, 7, 8, "setp.bf16")),
        Cvt { dst_ty, src_ty, .. } => {
            if *dst_ty == Type::BF16 && *src_ty == Type::F32 {
                f(Requirement::new(80, 7, 0, "cvt.bf16.f32"));
            } else if *dst_ty == Type::F32 && *src_ty == Type::BF16 {
                f(Requirement::new(80, 7, 1, "cvt.f32.bf16"));
            } else if is_bf16(*dst_ty) || is_bf16(*src_ty) {
                f(Requirement::new(90, 7, 8, "cvt between bf16 and a type other than f32"));
            }
        }
        Cvta { space: StateSpace::Param, .. } => f(Requirement::new(70, 7, 7, "cvta with the .param space")),
        Ld { access, .. } | St { access, .. } => {
            if !matches!(access.order, MemOrder::Weak | MemOrder::Volatile) {
                f(Requirement::new(70, 6, 0, "memory-order qualifiers (.relaxed/.acquire/.release)"));
            }
            if access.eviction != Eviction::None {
                f(Requirement::new(70, 7, 4, "L1 eviction-priority hints"));
            }
            match access.prefetch {
                Prefetch::None => {}
                Prefetch::B64 | Prefetch::B128 => f(Requirement::new(75, 7, 4, "L2 prefetch-size hints")),
                Prefetch::B256 => f(Requirement::new(80, 7, 4, "the .L2::256B prefetch size")),
            }
        }
        Atom { op, order, scope, ty, .. } => {
            if !matches!(order, MemOrder::Weak | MemOrder::Volatile) {
                f(Requirement::new(70, 6, 0, "memory-order qualifiers on atomics"));
            }
            if scope.is_some() || !matches!(order, MemOrder::Weak | MemOrder::Volatile) {
                f(Requirement::new(60, 5, 0, "atomic scopes"));
            }
            match (op, ty) {
                (AtomOp::Add, Type::F64) => f(Requirement::new(60, 5, 0, "atom.add.f64")),
                (AtomOp::Add, Type::F16x2) => f(Requirement::new(60, 6, 2, "atom.add.f16x2")),
                (AtomOp::Add, Type::F16) => f(Requirement::new(70, 6, 3, "atom.add.f16")),
                (AtomOp::Add, Type::BF16 | Type::BF16x2) => f(Requirement::new(90, 7, 8, "atom.add.bf16")),
                (AtomOp::Cas, t) if t.bits() == 16 => f(Requirement::new(70, 6, 3, "atom.cas.b16")),
                _ => {}
            }
        }
        Fence { kind: FenceKind::AcqRel | FenceKind::Sc, .. } => f(Requirement::new(70, 6, 0, "fence")),
        ActiveMask { .. } => f(Requirement::new(52, 6, 2, "activemask")),
        CvtPack { dst_fmt, src_fmt, .. } => {
            if dst_fmt.is_fp8() || src_fmt.is_fp8() {
                f(Requirement::new(89, 7, 8, "conversions to and from FP8 (e4m3x2/e5m2x2)"));
            } else {
                f(Requirement::new(80, 7, 0, "cvt to f16x2/bf16x2 from two f32"));
            }
        }
        Mma { shape, a_ty, .. } => match (shape, a_ty) {
            (MmaShape::M16N8K8, MmaType::F16) => f(Requirement::new(75, 6, 5, "mma.m16n8k8.f16")),
            (_, MmaType::E4M3 | MmaType::E5M2) => f(Requirement::new(89, 8, 4, "mma with FP8 (e4m3/e5m2) inputs")),
            _ => f(Requirement::new(80, 7, 0, "mma.sync of this shape and type")),
        },
        LdMatrix { .. } => f(Requirement::new(75, 6, 5, "ldmatrix")),
        StMatrix { .. } => f(Requirement::new(90, 7, 8, "stmatrix")),
        CpAsync { .. } | CpAsyncCommit | CpAsyncWait { .. } => f(Requirement::new(80, 7, 0, "cp.async")),
        Mov { .. }
        | ReadSpecial { .. }
        | AddrOf { .. }
        | Ternary { .. }
        | Bfi { .. }
        | Setp { .. }
        | Selp { .. }
        | Cvta { .. }
        | Bar { .. }
        | WarpSync { .. }
        | Fence { .. }
        | Shfl { .. }
        | Vote { .. }
        | Call { .. }
        | Asm { .. } => {}
    }
}

/// Everything `kind` needs, folded with [`Requirement::max`] (the floor for most instructions).
pub fn requirement(kind: &InstKind) -> Requirement {
    let mut need = Requirement::FLOOR;
    for_each_feature(kind, |r| need = need.max(r));
    need
}

/// The instructions the writer emits: those of the blocks in each function's layout.
fn emitted_insts(func: &Function) -> impl Iterator<Item = (Inst, &InstKind, SrcLoc)> {
    func.layout
        .iter()
        .filter_map(|&b| func.blocks.get(b))
        .flat_map(|b| b.insts.iter())
        .filter_map(|&i| func.insts.get(i).map(|d| (i, &d.kind, d.loc)))
}

/// The lowest target that has every feature `module` uses: at least [`Target::FLOOR`], and a PTX ISA version
/// that knows the architecture.
pub fn required_target(module: &Module) -> Target {
    let mut need = Requirement::FLOOR;
    for func in module.functions.values() {
        for (_, kind, _) in emitted_insts(func) {
            for_each_feature(kind, |r| need = need.max(r));
        }
    }
    let ptx_isa = need.isa.max(min_isa_for_sm(need.sm)).max(Target::FLOOR.ptx_isa);
    Target { sm: need.sm, ptx_isa, arch_specific: false }
}

/// The target to write `module` for: [`Module::target`] when set (checked against every instruction), otherwise
/// [`required_target`].
pub fn resolve_target(module: &Module) -> Result<Target, TargetError> {
    let Some(requested) = module.target else {
        return Ok(required_target(module));
    };
    if requested.sm < Target::FLOOR.sm {
        return Err(TargetError::BelowFloor { requested });
    }
    let need = min_isa_for_target(&requested).max(Target::FLOOR.ptx_isa);
    if requested.ptx_isa < need {
        return Err(TargetError::IsaTooOldForSm { requested, need });
    }
    for func in module.functions.values() {
        for (inst, kind, loc) in emitted_insts(func) {
            let mut missing = None;
            for_each_feature(kind, |r| {
                if missing.is_none() && !r.is_met_by(&requested) {
                    missing = Some(r);
                }
            });
            if let Some(need) = missing {
                return Err(TargetError::TooLow {
                    func: func.name.clone(),
                    inst,
                    loc,
                    inst_text: crate::write::opcode_text(kind),
                    need,
                    requested,
                });
            }
        }
    }
    Ok(requested)
}
