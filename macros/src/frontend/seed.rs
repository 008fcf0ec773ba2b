//! The "seed's controls": intrinsics that reach below the portable subset, for kernels that manage the machine
//! themselves (persistent kernels, SM partitioning, warp specialisation).
//!
//! - SM identity and time: `gpu::smid()`, `gpu::nsmid()` (`u32`), `gpu::clock64()`, `gpu::global_timer()` (`u64`);
//! - memory ordering: `gpu::load_acquire(&x[i])`, `gpu::store_release(&mut x[i], v)` (device scope) and their
//!   `_scoped` forms taking a `gpu::Scope`; `gpu::fence_scoped(scope)`;
//! - atomics with an explicit scope: `gpu::atomic_<op>_scoped(&mut x[i], v, scope)` (relaxed) and
//!   `gpu::atomic_<op>_ordered(&mut x[i], v, gpu::Ordering::…, scope)`,
//!   `<op>` one of `add sub min max and or xor exch`,
//!   plus `atomic_cas_scoped(&mut x[i], expected, new, scope)` / `atomic_cas_ordered(…, ordering, scope)`;
//! - named barriers: `gpu::barrier_sync(id, threads)`, `gpu::barrier_arrive(id, threads)`;
//! - inline PTX: `gpu::ptx_asm!("template", in(T) expr, out(T) place, inout(T) place, …)` inside `unsafe`.
//!
//! This module holds their tree form ([`SeedOp`], one [`ExprKind::Seed`](super::hir::ExprKind::Seed) variant);
//! checking, inference and lowering live in `check/seed.rs`, `infer/seed.rs` and `lower/seed.rs`, children of the
//! stage modules so they can use the stages' private helpers.

use ptx_gen::{AtomOp, Scope, SpecialReg};

use super::diag::SpanRange;
use super::hir::{Base, ExprId, Place};
use super::types::ScalarTy;

/// One of the seed's intrinsics, with its operands.
#[derive(Clone, Debug)]
pub enum SeedOp {
    /// `%smid`, `%nsmid` (`u32`), `%clock64`, `%globaltimer` (`u64`).
    Special(SpecialReg),
    /// `ld.acquire.<scope>.{global,shared}` of `x[i]` (a slice parameter or a shared array).
    LoadAcquire { base: Base, index: ExprId, scope: Scope },
    /// `st.release.<scope>.{global,shared}`.
    StoreRelease { base: Base, index: ExprId, value: ExprId, scope: Scope },
    /// `atom.<sem>.<scope>.{global,shared}.<op>`, returning the old value; `cmp` is the expected value of `cas`.
    /// `negate`: `atomic_sub_*`, the `add` of `-value` (wrapping for integers).
    Atomic {
        op: AtomOp,
        negate: bool,
        base: Base,
        index: ExprId,
        value: ExprId,
        cmp: Option<ExprId>,
        order: Ordering,
        scope: Scope,
    },
    /// `fence.acq_rel.<scope>`.
    Fence(Scope),
    /// `bar.sync id, count` / `bar.arrive id, count`.
    Barrier { arrive: bool, id: ExprId, count: ExprId },
    /// Inline PTX.
    Asm(AsmBlock),
}

/// The `.sem` of an ordered atomic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    Relaxed,
    Acquire,
    Release,
    AcqRel,
}

impl Ordering {
    /// The IR's memory order at `scope`.
    pub fn mem_order(self, scope: Scope) -> ptx_gen::MemOrder {
        match self {
            Ordering::Relaxed => ptx_gen::MemOrder::Relaxed(scope),
            Ordering::Acquire => ptx_gen::MemOrder::Acquire(scope),
            Ordering::Release => ptx_gen::MemOrder::Release(scope),
            Ordering::AcqRel => ptx_gen::MemOrder::AcqRel(scope),
        }
    }
}

/// `gpu::Scope::{Block, Device, System}` → `.cta`, `.gpu`, `.sys`.
pub fn scope_from_name(name: &str) -> Option<Scope> {
    Some(match name {
        "Block" => Scope::Cta,
        "Device" => Scope::Gpu,
        "System" => Scope::Sys,
        _ => return None,
    })
}

/// `gpu::Ordering::{Relaxed, Acquire, Release, AcqRel}`.
pub fn ordering_from_name(name: &str) -> Option<Ordering> {
    Some(match name {
        "Relaxed" => Ordering::Relaxed,
        "Acquire" => Ordering::Acquire,
        "Release" => Ordering::Release,
        "AcqRel" => Ordering::AcqRel,
        _ => return None,
    })
}

/// The read-modify-write operations of `atomic_<op>_scoped` / `_ordered` (`cas` has its own shape).
pub const ATOMIC_OPS: [(&str, AtomOp); 9] = [
    ("add", AtomOp::Add),
    ("sub", AtomOp::Add),
    ("min", AtomOp::Min),
    ("max", AtomOp::Max),
    ("and", AtomOp::And),
    ("or", AtomOp::Or),
    ("xor", AtomOp::Xor),
    ("exch", AtomOp::Exch),
    ("cas", AtomOp::Cas),
];

/// The PTX type an atomic `op` on elements of `t` uses, or `None` where PTX has none.
pub fn atom_type(op: AtomOp, t: ScalarTy) -> Option<ptx_gen::Type> {
    use ptx_gen::Type;
    use ScalarTy as S;
    Some(match op {
        AtomOp::Add => match t {
            S::U32 => Type::U32,
            S::I32 => Type::S32,
            // Two's complement: a signed 64-bit add is the unsigned one.
            S::U64 | S::I64 | S::Usize | S::Isize => Type::U64,
            S::F32 => Type::F32,
            S::F64 => Type::F64,
            _ => return None,
        },
        AtomOp::Min | AtomOp::Max => match t {
            S::U32 => Type::U32,
            S::I32 => Type::S32,
            S::U64 | S::Usize => Type::U64,
            S::I64 | S::Isize => Type::S64,
            _ => return None,
        },
        _ => match t {
            S::U32 | S::I32 => Type::B32,
            S::U64 | S::I64 | S::Usize | S::Isize => Type::B64,
            S::F32 if matches!(op, AtomOp::Exch | AtomOp::Cas) => Type::B32,
            S::F64 if matches!(op, AtomOp::Exch | AtomOp::Cas) => Type::B64,
            _ => return None,
        },
    })
}

/// Direction of an inline-PTX operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsmDir {
    In,
    Out,
    InOut,
}

/// One operand of `ptx_asm!`.
#[derive(Clone, Debug)]
pub struct AsmOperand {
    pub dir: AsmDir,
    pub ty: ScalarTy,
    /// The value of an `in` operand.
    pub value: Option<ExprId>,
    /// The place an `out`/`inout` operand writes (and an `inout` one reads).
    pub place: Option<Place>,
    pub span: SpanRange,
}

/// A piece of the template: text, or `{N}` (the N-th operand as written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AsmPiece {
    Text(String),
    Operand(usize),
}

/// `ptx_asm!(template, operands…)`.
#[derive(Clone, Debug)]
pub struct AsmBlock {
    pub pieces: Vec<AsmPiece>,
    pub operands: Vec<AsmOperand>,
}

/// Splits a template into text and `{N}` placeholders (`{{`/`}}` are literal braces, as in `format!`/`asm!`).
/// Errors say what is wrong in words.
pub fn parse_template(t: &str, n_operands: usize) -> Result<Vec<AsmPiece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => {
                            return Err(format!("unclosed placeholder `{{{name}` (write `{{{{` for a literal `{{`)"))
                        }
                    }
                }
                let Ok(n) = name.trim().parse::<usize>() else {
                    return Err(format!(
                        "unknown placeholder `{{{name}}}`: operands are named by position, `{{0}}` … `{{{}}}` (write \
                         `{{{{`/`}}}}` for literal braces)",
                        n_operands.saturating_sub(1)
                    ));
                };
                if n >= n_operands {
                    return Err(format!("placeholder `{{{n}}}` has no operand: the macro has {n_operands} operand(s)"));
                }
                if !text.is_empty() {
                    pieces.push(AsmPiece::Text(std::mem::take(&mut text)));
                }
                pieces.push(AsmPiece::Operand(n));
            }
            '}' => return Err("unmatched `}` in the template (write `}}` for a literal `}`)".into()),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(AsmPiece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(
            parse_template("add.u32 {0}, {1}, {2};", 3).unwrap(),
            vec![
                AsmPiece::Text("add.u32 ".into()),
                AsmPiece::Operand(0),
                AsmPiece::Text(", ".into()),
                AsmPiece::Operand(1),
                AsmPiece::Text(", ".into()),
                AsmPiece::Operand(2),
                AsmPiece::Text(";".into()),
            ]
        );
        assert_eq!(parse_template("{{ {0} }}", 1).unwrap().len(), 3);
        assert!(parse_template("{x}", 1).unwrap_err().contains("unknown placeholder"));
        assert!(parse_template("{3}", 1).unwrap_err().contains("no operand"));
        assert!(parse_template("{0", 1).is_err());
        assert!(parse_template("}", 1).is_err());
    }
}
