//! The IR verifier: checks the invariants below, never panics on any input, and names the function, the block or
//! instruction (in the [textual form](crate::display), with its [`SrcLoc`]) and the reason.
//!
//! The instruction rules are the PTX ISA's as `ptxas` (CUDA 13) applies them: `tests/verify_ptxas.rs` writes
//! every one of ~15,000 instruction forms the verifier accepts and assembles it, and checks that ptxas refuses
//! every form the verifier refuses, except for a few deliberate IR restrictions listed there.
//!
//! It runs before emission, and the tests run it after every pass (`run_pipeline` only optimises functions that
//! verify). Target requirements (which `sm_XX`/PTX ISA an instruction needs) are not checked here: see
//! [`crate::target`].
//!
//! # Invariants
//!
//! **Module**
//! - Variable and function names are valid PTX identifiers and unique across both.
//! - Variables live in `.global`, `.shared` or `.const`; are not predicates; have a power-of-two alignment of at
//!   least the element size; only `.shared` ones are unsized (`len == Some(0)`); only `.global`/`.const` ones are
//!   initialised, with at most one value per element (fewer is PTX's partial initialiser), each fitting the type.
//! - Calls form an acyclic graph (no recursion), and a device function comes before the functions that call it
//!   (PTX declares before use; the writer emits in module order).
//!
//! **Function**
//! - Kernels have no results and no parameter registers (parameters are read with `ld.param`), no predicate
//!   parameters, and sensible directives (`.maxntid` 1..=1024, `.reqntid` product 1..=1024, others positive).
//! - Device functions have a register per parameter, of the parameter's type and class; parameter and result
//!   registers exist and are distinct; no performance directives.
//! - The layout is non-empty, lists only existing blocks, and lists none twice.
//!
//! **Blocks**
//! - Every block in the layout has a terminator; branch targets exist and are in the layout; a branch condition is
//!   a predicate register.
//! - Every instruction a block lists exists and is listed by only one block.
//!
//! **Instructions**
//! - Every register, variable, function and kernel parameter referenced exists.
//! - Operand types match the instruction type ([`reg_compatible`]): predicates only with predicates; otherwise the
//!   register class has the width of the type; `.bN` types and `bN` registers go with any class of their width;
//!   integer types never read or write float registers and vice versa; float types match exactly. `ld`, `st` and
//!   `cvt` may also use integer registers wider than an integer type ([`data_compatible`]).
//! - Instruction types and modifiers are legal PTX, e.g.: float `add`/`sub`/`mul` take none or `.rn/.rz/.rm/.rp`
//!   (half types none or `.rn`); integer `mul`/`mad` need `.lo`/`.hi`/`.wide` (`.wide` only on 16/32-bit);
//!   `div.f32` needs a rounding mode, `.approx` or `.full`, `div.f64` a rounding mode; integer ops take no float
//!   rounding; no 8-bit arithmetic; the bitwise `and/or/xor/not/shl/popc/clz/brev/bfi` on any type of 16 bits or
//!   more, whose bits they work on (the writer spells them `.bN`; `and/or/xor/not` also on `.pred`;
//!   `popc/clz/brev/bfi` 32/64-bit only); `shr` on any 16/32/64-bit integer; shift amounts `.u32`; `setp` on `.bN`
//!   only compares eq/ne (no packed types), unsigned-only comparisons need `.uN`, float-only comparisons need
//!   floats, the result is a predicate; `cvt` float→int needs `.rni/.rzi/.rmi/.rpi`,
//!   int→float and narrowing float→float need `.rn/.rz/.rm/.rp`, widening float→float and int→int take none,
//!   float→same float takes none or an integer rounding; `.sat` never with `.bf16`, nor where the integer
//!   destination holds every source value (ptxas refuses it); no `.bf16`↔8-bit conversions.
//! - `mov` and `selp` take any type but `selp` no predicates (the writer spells 8-bit and half types as the `.bN`
//!   type PTX accepts).
//! - Immediates fit their type (predicates are 0 or 1); there are no immediates of `.f16`/`.bf16`/packed types
//!   except where the writer spells the instruction with the `.bN` type (`mov`, `selp`, `st`, bitwise
//!   instructions and atomics).
//! - `ld`/`st` move no predicates (half types are written as `.b16`/`.b32`); vector accesses have one register
//!   per element and at most 16 bytes; no stores to `.param`/`.const`; stores are not
//!   `.acquire`, loads not `.release`, neither `.acq_rel`; memory orders only in global/shared/generic space and
//!   without cache operators; cache operators valid for the direction; `.nc` only on weak global loads; eviction
//!   priorities and L2 prefetch only in global/generic space.
//! - Addresses: registers are 64-bit integers; variables exist, are in the accessed space (or it is generic) and
//!   sized accesses stay inside them; `[paramN]` only in `ld.param` of kernels, N in range, inside the parameter.
//! - Atomics: global/shared/generic space; legal op/type pairs (`and/or/xor/exch` any 32/64-bit type, `cas` any
//!   16/32/64-bit type, all written as `.bN`; `add` `.u32/.s32/.u64/.f32/.f64` and half types; `min/max`
//!   `.u32/.s32/.u64/.s64` (half-precision ones exist only as vectors); `inc/dec` `.u32`); a compare operand exactly for `cas`; `cas`/`exch` return a value; no `.volatile`; `red` is not
//!   `.acquire`/`.acq_rel`; the order's scope agrees with the scope.
//! - `bar` ids 0..=15, thread counts positive multiples of 32, `bar.arrive` has a count; `shfl`, `vote`,
//!   `bar.warp.sync` and `activemask` operands are 32-bit (lane, clamp and masks integers); `vote` reads a predicate.
//! - Calls: the callee is a device function; argument and result counts match; register arguments have the
//!   parameter's class and a compatible type, immediate arguments fit it (ptxas accepts immediates there); result
//!   registers have the callee's result class and a compatible type.
//! - Inline asm: every `{N}` names an operand.
//!
//! **Dataflow**
//! - Every register is assigned on every path from the entry before it is read (device parameters are assigned on
//!   entry), and a device function's result registers are assigned on every path to a `ret`. Checked on reachable
//!   blocks, and only when the function has no other error.

mod assign;
mod func;
mod inst;
mod module;
mod tensor;

pub use inst::{data_compatible, reg_compatible};

use crate::inst::{Block, Inst, InstKind, SrcLoc};
use crate::ir::{Function, Module};

/// An invariant the IR breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// An instruction is malformed.
    Inst { func: String, inst: Inst, text: String, loc: SrcLoc, reason: String },
    /// A block's terminator is malformed.
    Terminator { func: String, block: Block, text: String, loc: SrcLoc, reason: String },
    /// A block is malformed (missing terminator, bad instruction list).
    Block { func: String, block: Block, reason: String },
    /// The function's signature or layout is malformed.
    Function { func: String, reason: String },
    /// A module-level problem (names, variables, call graph).
    Module { reason: String },
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Inst { func, text, loc, reason, .. } => {
                write!(f, "in `{func}`: `{text}`{}: {reason}", loc_note(loc))
            }
            VerifyError::Terminator { func, block, text, loc, reason } => {
                write!(f, "in `{func}`, {block}: `{text}`{}: {reason}", loc_note(loc))
            }
            VerifyError::Block { func, block, reason } => write!(f, "in `{func}`, {block} {reason}"),
            VerifyError::Function { func, reason } => write!(f, "in `{func}`: {reason}"),
            VerifyError::Module { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for VerifyError {}

fn loc_note(loc: &SrcLoc) -> String {
    if loc.is_none() {
        String::new()
    } else {
        format!(" (loc {})", loc.0)
    }
}

impl VerifyError {
    /// The source location of the offending instruction or terminator, if it has one.
    pub fn loc(&self) -> Option<SrcLoc> {
        match self {
            VerifyError::Inst { loc, .. } | VerifyError::Terminator { loc, .. } if !loc.is_none() => Some(*loc),
            _ => None,
        }
    }
    /// The name of the function the error is in (`None` for module-level errors).
    pub fn func(&self) -> Option<&str> {
        match self {
            VerifyError::Inst { func, .. }
            | VerifyError::Terminator { func, .. }
            | VerifyError::Block { func, .. }
            | VerifyError::Function { func, .. } => Some(func),
            VerifyError::Module { .. } => None,
        }
    }
    /// Why the IR is wrong, without the location prefix.
    pub fn reason(&self) -> &str {
        match self {
            VerifyError::Inst { reason, .. }
            | VerifyError::Terminator { reason, .. }
            | VerifyError::Block { reason, .. }
            | VerifyError::Function { reason, .. }
            | VerifyError::Module { reason } => reason,
        }
    }
}

/// Checks every invariant of `module`; returns the first problem (module-level ones first, then each function's
/// first, in module order).
pub fn verify_module(module: &Module) -> Result<(), VerifyError> {
    let mut errs = Vec::new();
    module::check(module, &mut errs);
    if let Some(e) = errs.into_iter().next() {
        return Err(e);
    }
    for f in module.functions.values() {
        if let Err(errs) = verify_function(f, Some(module)) {
            if let Some(e) = errs.into_iter().next() {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Checks every invariant of `module` and returns every problem found.
pub fn verify_module_all(module: &Module) -> Result<(), Vec<VerifyError>> {
    let mut errs = Vec::new();
    module::check(module, &mut errs);
    for f in module.functions.values() {
        if let Err(e) = verify_function(f, Some(module)) {
            errs.extend(e);
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

/// Checks the invariants of one function and returns every problem found. With `module`, calls and variable
/// references are checked against it; without, only their local shape is (the module-level checks are skipped).
pub fn verify_function(func: &Function, module: Option<&Module>) -> Result<(), Vec<VerifyError>> {
    let mut errs = Vec::new();
    func::check(func, module, &mut errs);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

/// Checks one instruction body as if it were in `func` (types, modifiers, immediates, references), without
/// dataflow. Passes use it to try a rewrite before committing to it.
pub fn check_inst_kind(func: &Function, module: Option<&Module>, kind: &InstKind) -> Result<(), String> {
    inst::InstChecker { func, module }.check(kind)
}

/// Whether `s` is a PTX identifier: `[a-zA-Z][a-zA-Z0-9_$]*` or `[_$%][a-zA-Z0-9_$]+`.
pub fn is_ptx_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    let follow = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$';
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() => b[1..].iter().all(follow),
        Some(b'_' | b'$' | b'%') => b.len() > 1 && b[1..].iter().all(follow),
        _ => false,
    }
}
