//! Run-time checks with Rust's semantics: slice bounds, integer division by zero and with overflow, `step_by(0)`.
//!
//! A failing check does not `trap`: it branches to the kernel's one panic path, which claims the module's panic
//! record `__ptx_kernel_panic` with `atom.global.cas.b32 [rec], 0, 1` and, when it was first, writes the kind, the
//! site id, the index and length (bounds checks) and `%ctaid`/`%tid` there, then the thread exits (`ret`). The
//! record's layout is `ptx_kernel_runtime::panic`'s; the site id indexes the launcher's table of `file:line:col`
//! strings (built by codegen from [`PanicSite::span`]), so no source text goes into the PTX.
//!
//! Checks that cannot fail are not emitted. A bounds check `x[e]` is elided when `e < x.len()` is known to hold:
//! - inside `if e < x.len() { … }` (also `x.len() > e`, and as one operand of a `&&` chain);
//! - after `if e >= x.len() { return; }` (also `x.len() <= e`, `!(e < x.len())`, in a `||` chain, with `break` or
//!   `continue` in place of `return`) for the rest of the enclosing block;
//! - in `for i in a..x.len()` for `x[i]` (the loop variable not `mut`);
//! - after a check of `x[e]` itself, for the rest of the block (`let old = c[i]; c[i] = old + 1` checks once);
//!
//! - inside `while i < q { … }` with `let q = x.len() / c` (or `x.len() >> k`, or the expression itself), for
//!   `x[c' * i + k]` with `c' <= c`, `k < c` (`i * c'`, `i << k'` too): grid-stride loops over vectors;
//! - for a shared array of constant length `N`: under a guard `e < M` with `M <= N` (e.g. `while k < 256`), and
//!   when the index's largest value is below `N` by its type and literals (`b as usize` of a `u8` against 256,
//!   `e % 256`, `(e & 0x7f) + 128`, …), where a live guard `x < c` (`c` a literal, `x` unsigned without `mut`
//!   locals) bounds `x` by `c - 1`: guards on an unsigned quotient bound its dividend (`x / c == 0` → `x < c`,
//!   `x / c < k` → `x < c·k`, `x >> s` likewise, also through a `let`: `if warp == 0` with `warp = t / 32`), a
//!   `for` over a literal range bounds its variable, and each copy of an unrolled loop knows its variable's value;
//!
//! where `e` is the same expression as the guard's (compared structurally: casts, arithmetic, literals, intrinsics
//! and locals). A guard that reads a `mut` local holds until a statement that may assign the local (at any depth:
//! nested loops, blocks, inline PTX outputs) is lowered, and is dropped there, so nothing in `e` can change between
//! the guard and the access. Slice lengths never change during a launch. `x.get_unchecked(i)` (in `unsafe`) and `#[ptx_kernel(bounds_checks = false)]`
//! skip the check. Division by a non-zero constant (other than `-1` for signed types) is not checked.

use proc_macro2::Span;
use ptx_gen::{
    Address, AtomOp, Block as IrBlock, CmpOp, Dim, MemAccess, MemOrder, Operand, Reg, SpecialReg, StateSpace,
    Terminator, Type, Var,
};

use super::super::diag::SpanRange;
use super::super::hir::*;
use super::super::types::ScalarTy;
use super::Lowerer;

/// The name of the panic record (`ptx_kernel_runtime::panic::RECORD_NAME`).
pub const RECORD_NAME: &str = "__ptx_kernel_panic";
/// Its declaration: 16 × b32 = 64 bytes, 8-aligned.
pub fn record_var() -> ptx_gen::VarData {
    ptx_gen::VarData {
        name: RECORD_NAME.to_owned(),
        space: StateSpace::Global,
        ty: Type::B32,
        len: Some(16),
        align: 8,
        init: Vec::new(),
    }
}

/// The panic kinds' codes (`ptx_kernel_runtime::panic::PanicKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicKind {
    IndexOutOfBounds = 1,
    DivideByZero = 2,
    RemainderByZero = 3,
    DivideOverflow = 4,
    RemainderOverflow = 5,
    StepByZero = 6,
}

/// Which checks to emit.
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    pub bounds_checks: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { bounds_checks: true }
    }
}

/// One check site: what it checks and where (the start of the expression).
#[derive(Clone, Copy, Debug)]
pub struct PanicSite {
    pub kind: PanicKind,
    pub span: Span,
}

/// What lowering reports about checks.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// The sites, by site id; empty: the kernel has no panic path (and no record).
    pub sites: Vec<PanicSite>,
    /// Bounds checks elided because a guard proved them.
    pub elided: usize,
}

/// The left side of a known fact.
#[derive(Clone, Copy, Debug)]
enum FactLhs {
    Expr(ExprId),
    Local(LocalId),
}

/// What a fact bounds its left side by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    /// `x.len() / scale` (so `c * lhs + k < x.len()` for `c <= scale`, `k < scale`).
    Len(Base, u64),
    /// A constant: `lhs < c` proves the accesses of arrays of constant length `>= c`.
    Const(u64),
    /// Another expression (pure, no `mut` locals): `lhs < m` proves `a + lhs` inside a [`Window`] `(x, a, m)`.
    Expr(ExprId),
}

/// Known while lowering the fast version of a loop (see `lower::version`): `a + m <= x.len()`, so `x[a + e]` is
/// in bounds when `e < m` is known.
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    pub base: Base,
    pub a: ExprId,
    pub m: ExprId,
}

/// A known fact `lhs < bound`.
#[derive(Clone, Debug)]
struct Fact {
    lhs: FactLhs,
    bound: Bound,
    /// The `mut` locals `lhs` reads: the fact dies when a statement may assign one of them.
    deps: Vec<LocalId>,
    live: bool,
}

/// The checking state of one lowering.
pub(crate) struct Safety {
    pub options: CheckOptions,
    pub record: Var,
    pub report: CheckReport,
    facts: Vec<Fact>,
    panic: Option<PanicPath>,
    /// The initialiser of each immutable `let` (by local), built on first use.
    inits: Option<std::collections::HashMap<LocalId, ExprId>>,
    /// The windows of the loop versions being lowered.
    pub(super) windows: Vec<Window>,
    /// The grids of the loop versions being lowered.
    pub(super) grids: Vec<Grid>,
    /// Index expressions proven in bounds in the loop versions being lowered (by their largest value, tested before
    /// the loop: see `lower::version`).
    pub(super) proven_ids: Vec<ExprId>,
}

/// Known while lowering the fast version of a loop (see `lower::version`): `h * w <= x.len()` (`h`, `w` unsigned,
/// at most 32 bits), so `x[y * w + c]` is in bounds when `y < h` and `c < w` are known: a row-major 2-D access.
#[derive(Clone, Copy, Debug)]
pub(super) struct Grid {
    pub base: Base,
    pub w: ExprId,
    pub h: ExprId,
}

/// The shared panic path and the registers the check sites fill before jumping to it.
#[derive(Clone, Copy)]
struct PanicPath {
    block: IrBlock,
    kind: Reg,
    site: Reg,
    index: Reg,
    len: Reg,
}

impl Safety {
    pub fn new(options: CheckOptions, record: Var) -> Safety {
        Safety {
            options,
            record,
            report: CheckReport::default(),
            facts: Vec::new(),
            panic: None,
            inits: None,
            windows: Vec::new(),
            grids: Vec::new(),
            proven_ids: Vec::new(),
        }
    }
}

/// Whether `a` and `b` are the same expression whose value cannot change in between (see the module doc); `mut`
/// locals count when the caller knows they were not assigned in between (a live fact's `deps`).
fn same_value(body: &Body, a: ExprId, b: ExprId) -> bool {
    let (Some(x), Some(y)) = (body.exprs.get(a.0 as usize), body.exprs.get(b.0 as usize)) else { return false };
    match (&x.kind, &y.kind) {
        (ExprKind::Local(l), ExprKind::Local(m)) => l == m,
        (ExprKind::Lit(p), ExprKind::Lit(q)) => p == q,
        (ExprKind::Const(t, v), ExprKind::Const(u, w)) => t == u && v == w,
        (ExprKind::Len(s), ExprKind::Len(t)) => s == t,
        (ExprKind::Intrinsic(i), ExprKind::Intrinsic(j)) => {
            i == j
                && matches!(
                    i,
                    Intrinsic::ThreadIdx(_)
                        | Intrinsic::BlockIdx(_)
                        | Intrinsic::BlockDim(_)
                        | Intrinsic::GridDim(_)
                        | Intrinsic::GlobalIdxX
                )
        }
        (ExprKind::Cast(p, t), ExprKind::Cast(q, u)) => t == u && same_value(body, *p, *q),
        (ExprKind::Unary(o, p), ExprKind::Unary(r, q)) => o == r && same_value(body, *p, *q),
        (ExprKind::Binary(o, p1, p2), ExprKind::Binary(r, q1, q2)) => {
            o == r && same_value(body, *p1, *q1) && same_value(body, *p2, *q2)
        }
        _ => false,
    }
}

/// `x.len() / scale` as `(x, scale)`: `x.len()`, `x.len() / c`, `x.len() >> k` (`c`, `k` literals), or an
/// immutable local initialised with one of these.
fn len_bound(
    body: &Body,
    inits: &std::collections::HashMap<LocalId, ExprId>,
    e: ExprId,
    depth: u32,
) -> Option<(Base, u64)> {
    let lit = |x: ExprId| match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
        Some(ExprKind::Lit(Lit::Int(v, _))) => u64::try_from(*v).ok(),
        _ => None,
    };
    match &body.exprs.get(e.0 as usize)?.kind {
        ExprKind::Len(s) => Some((*s, 1)),
        ExprKind::Binary(BinaryOp::Div, a, b) => {
            let (s, k) = len_bound(body, inits, *a, depth)?;
            let c = lit(*b).filter(|c| *c > 0)?;
            Some((s, k.checked_mul(c)?))
        }
        ExprKind::Binary(BinaryOp::Shr, a, b) => {
            let (s, k) = len_bound(body, inits, *a, depth)?;
            let c = lit(*b).filter(|c| *c < 63)?;
            Some((s, k.checked_mul(1 << c)?))
        }
        ExprKind::Local(l) if depth < 4 && !body.local(*l).mutable => len_bound(body, inits, *inits.get(l)?, depth + 1),
        _ => None,
    }
}

/// Facts `lhs < x.len() / scale` that hold when `cond` is true (`negated`: when it is false).
fn facts_of(
    body: &Body,
    types: &super::super::infer::Types,
    inits: &std::collections::HashMap<LocalId, ExprId>,
    cond: ExprId,
    negated: bool,
    out: &mut Vec<Fact>,
) {
    let Some(e) = body.exprs.get(cond.0 as usize) else { return };
    match &e.kind {
        ExprKind::Logical(LogicalOp::And, a, b) if !negated => {
            facts_of(body, types, inits, *a, false, out);
            facts_of(body, types, inits, *b, false, out);
        }
        ExprKind::Logical(LogicalOp::Or, a, b) if negated => {
            facts_of(body, types, inits, *a, true, out);
            facts_of(body, types, inits, *b, true, out);
        }
        ExprKind::Unary(UnaryOp::Not, a) => facts_of(body, types, inits, *a, !negated, out),
        ExprKind::Block(Block { stmts, tail: Some(t) }) if stmts.is_empty() => {
            facts_of(body, types, inits, *t, negated, out)
        }
        ExprKind::Binary(op, a, b) => {
            let len_of = |x: ExprId| {
                len_bound(body, inits, x, 0).map(|(s, k)| Bound::Len(s, k)).or_else(|| {
                    match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
                        Some(ExprKind::Lit(Lit::Int(v, _))) => u64::try_from(*v).ok().map(Bound::Const),
                        _ => None,
                    }
                })
            };
            // Otherwise a pure bound without `mut` locals (`c < cols`): for windows only.
            let other = |x: ExprId| fixed_value(body, x).then_some(Bound::Expr(x));
            // `(x is a length bound, what bounds with y)`.
            let len_of = |x: ExprId, y: ExprId| {
                let x_len = len_bound(body, inits, x, 0).map(|(s, k)| Bound::Len(s, k));
                (x_len, len_of(y).or_else(|| other(y)))
            };
            // Normalise to `lhs < len` (true) or `lhs >= len` (true).
            // `a < b` / `a >= b`: `b` the bound; `b > a` / `b <= a`: `a` is.
            let fact = match op {
                BinaryOp::Lt | BinaryOp::Ge => match len_of(*a, *b) {
                    (None, Some(s)) => Some((*a, s, *op == BinaryOp::Lt)),
                    _ => None,
                },
                BinaryOp::Gt | BinaryOp::Le => match len_of(*b, *a) {
                    (None, Some(s)) => Some((*b, s, *op == BinaryOp::Gt)),
                    _ => None,
                },
                _ => None,
            };
            if let Some((lhs, bound, lt)) = fact {
                if lt != negated {
                    let mut deps = Vec::new();
                    let mut pure = true;
                    super::visit(body, lhs, &mut |k| match k {
                        ExprKind::Local(l) if body.local(*l).mutable => deps.push(*l),
                        ExprKind::Local(_)
                        | ExprKind::Lit(_)
                        | ExprKind::Const(..)
                        | ExprKind::Len(_)
                        | ExprKind::Cast(..)
                        | ExprKind::Unary(..)
                        | ExprKind::Binary(..)
                        | ExprKind::Intrinsic(_) => {}
                        _ => pure = false,
                    });
                    if pure {
                        out.push(Fact { lhs: FactLhs::Expr(lhs), bound, deps, live: true });
                    }
                }
            }
            // A quotient below a literal bounds the dividend: `x / c < k` → `x < c * k` (`x / c == 0`: `k = 1`).
            let lit = |x: ExprId| match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
                Some(ExprKind::Lit(Lit::Int(v, _))) => u64::try_from(*v).ok(),
                _ => None,
            };
            let below = match (op, negated) {
                (BinaryOp::Eq, false) | (BinaryOp::Ne, true) => {
                    if lit(*b) == Some(0) {
                        Some((*a, 1))
                    } else if lit(*a) == Some(0) {
                        Some((*b, 1))
                    } else {
                        None
                    }
                }
                (BinaryOp::Lt, false) | (BinaryOp::Ge, true) => lit(*b).map(|k| (*a, k)),
                (BinaryOp::Gt, false) | (BinaryOp::Le, true) => lit(*a).map(|k| (*b, k)),
                _ => None,
            };
            if let Some((x, c)) = below.and_then(|(q, k)| dividend_bound(body, types, inits, q, k, 0)) {
                out.push(Fact { lhs: FactLhs::Expr(x), bound: Bound::Const(c), deps: Vec::new(), live: true });
            }
        }
        _ => {}
    }
}

/// `q < k` (`k` a literal) with `q` an unsigned `x / c` or `x >> s` (`c`, `s` literals; `q` possibly an immutable
/// local initialised with one): `x < c * k` (resp. `x < k << s`), as `(x, c * k)`. Only for `x` without `mut`
/// locals, so that its value where `q` was computed is its value everywhere.
fn dividend_bound(
    body: &Body,
    types: &super::super::infer::Types,
    inits: &std::collections::HashMap<LocalId, ExprId>,
    q: ExprId,
    k: u64,
    depth: u32,
) -> Option<(ExprId, u64)> {
    let lit = |x: ExprId| match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
        Some(ExprKind::Lit(Lit::Int(v, _))) => u64::try_from(*v).ok(),
        _ => None,
    };
    let unsigned =
        |x: ExprId| matches!(types.expr(x), super::super::types::Ty::Scalar(t) if t.is_int() && !t.is_signed());
    let fixed = |x: ExprId| fixed_value(body, x);
    let (x, c) = match &body.exprs.get(q.0 as usize)?.kind {
        ExprKind::Binary(BinaryOp::Div, x, c) => (*x, lit(*c).filter(|c| *c > 0)?),
        ExprKind::Binary(BinaryOp::Shr, x, s) => (*x, 1u64.checked_shl(lit(*s).filter(|s| *s < 64)? as u32)?),
        ExprKind::Local(l) if depth < 4 && !body.local(*l).mutable => {
            return dividend_bound(body, types, inits, *inits.get(l)?, k, depth + 1);
        }
        _ => return None,
    };
    (k > 0 && unsigned(x) && unsigned(q) && fixed(x)).then_some(())?;
    Some((x, c.checked_mul(k)?))
}

/// Whether `index` is below `x.len()` given the fact `lhs < x.len() / scale`: `index` is `lhs`, `c * lhs`,
/// `lhs * c` or `lhs << k` (`c = 2^k <= scale`), plus at most a literal `k < scale`. No wrap-around: the exact
/// value is below `x.len()`.
fn scaled_match(body: &Body, lhs: ExprId, scale: u64, index: ExprId) -> bool {
    let lit = |x: ExprId| match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
        Some(ExprKind::Lit(Lit::Int(v, _))) => u64::try_from(*v).ok(),
        _ => None,
    };
    let times = |x: ExprId| -> bool {
        if same_value(body, lhs, x) {
            return true;
        }
        match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
            Some(ExprKind::Binary(BinaryOp::Mul, a, b)) => {
                (lit(*a).is_some_and(|c| c <= scale) && same_value(body, lhs, *b))
                    || (lit(*b).is_some_and(|c| c <= scale) && same_value(body, lhs, *a))
            }
            Some(ExprKind::Binary(BinaryOp::Shl, a, b)) => {
                lit(*b).is_some_and(|k| k < 63 && (1u64 << k) <= scale) && same_value(body, lhs, *a)
            }
            _ => false,
        }
    };
    if times(index) {
        return true;
    }
    match body.exprs.get(index.0 as usize).map(|e| &e.kind) {
        Some(ExprKind::Binary(BinaryOp::Add, a, b)) => {
            (lit(*b).is_some_and(|k| k < scale) && times(*a)) || (lit(*a).is_some_and(|k| k < scale) && times(*b))
        }
        _ => false,
    }
}

/// The largest value `e` (an unsigned integer expression) can have, from its type and literals: `x as usize` of a
/// `u8`/`u16`/`u32`/`bool`, `e & c`, `e % c`, `e >> c`, `e / c`, sums and products of bounded values, and
/// `lane_id()` / `warp_id()` (at most 31); `known` gives bounds from live facts (`x < c` known: `c - 1`).
fn static_max(
    body: &Body,
    types: &super::super::infer::Types,
    inits: Option<&std::collections::HashMap<LocalId, ExprId>>,
    known: &dyn Fn(ExprId) -> Option<u64>,
    e: ExprId,
    depth: u32,
) -> Option<u64> {
    if depth > 8 {
        return None;
    }
    let k = known(e);
    let lit = |x: ExprId| match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
        Some(ExprKind::Lit(Lit::Int(v, _))) => u64::try_from(*v).ok(),
        _ => None,
    };
    let ty_max = |x: ExprId| match types.expr(x) {
        super::super::types::Ty::Scalar(ScalarTy::Bool) => Some(1),
        super::super::types::Ty::Scalar(ScalarTy::U8) => Some(u8::MAX as u64),
        super::super::types::Ty::Scalar(ScalarTy::U16) => Some(u16::MAX as u64),
        super::super::types::Ty::Scalar(ScalarTy::U32) => Some(u32::MAX as u64),
        _ => None,
    };
    let m = |x: ExprId| static_max(body, types, inits, known, x, depth + 1);
    let v = (|| match &body.exprs.get(e.0 as usize)?.kind {
        ExprKind::Lit(Lit::Int(v, _)) => u64::try_from(*v).ok(),
        // A lane of a 32-lane warp; a warp of a block of at most 1024 threads (every GPU's limit).
        ExprKind::Call(super::super::intrinsics::Call::LaneId | super::super::intrinsics::Call::WarpId, _) => Some(31),
        // An immutable local: its initialiser's.
        ExprKind::Local(l) if !body.local(*l).mutable => match inits.and_then(|i| i.get(l)) {
            Some(i) => m(*i).or_else(|| ty_max(e)),
            None => ty_max(e),
        },
        // A widening cast of an unsigned value keeps it.
        ExprKind::Cast(x, to) if !to.is_signed() && to.bits() >= 32 => m(*x).or_else(|| ty_max(*x)),
        ExprKind::Binary(BinaryOp::BitAnd, a, b) => match (m(*a), m(*b)) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        },
        ExprKind::Binary(BinaryOp::Rem, _, b) => lit(*b).filter(|c| *c > 0).map(|c| c - 1),
        ExprKind::Binary(BinaryOp::Div, a, b) => Some(m(*a)? / lit(*b).filter(|c| *c > 0)?),
        ExprKind::Binary(BinaryOp::Shr, a, b) => Some(m(*a)? >> lit(*b).filter(|c| *c < 64)?),
        // In u64 (usize) without overflow: the exact value is the sum / product.
        ExprKind::Binary(BinaryOp::Add, a, b) => m(*a)?.checked_add(m(*b)?),
        ExprKind::Binary(BinaryOp::Mul, a, b) => m(*a)?.checked_mul(m(*b)?),
        _ => ty_max(e),
    })();
    match (v, k) {
        (Some(v), Some(k)) => Some(v.min(k)),
        (v, k) => v.or(k),
    }
}

/// Whether the block always leaves through `return`, `break` or `continue` (its last statement or tail is one).
fn diverges(body: &Body, blk: &Block) -> bool {
    let last = blk.tail.or_else(|| match blk.stmts.last() {
        Some(Stmt::Expr(e)) => Some(*e),
        _ => None,
    });
    matches!(
        last.and_then(|e| body.exprs.get(e.0 as usize)).map(|e| &e.kind),
        Some(ExprKind::Return | ExprKind::Break(_) | ExprKind::Continue(_))
    )
}

/// Whether `x` is built only from immutable locals, literals, constants, lengths, casts, arithmetic and intrinsics:
/// a value nothing in the kernel can change once computed (so a fact about it holds wherever it is in scope).
fn fixed_value(body: &Body, x: ExprId) -> bool {
    let mut ok = true;
    super::visit(body, x, &mut |k| match k {
        ExprKind::Local(l) if body.local(*l).mutable => ok = false,
        ExprKind::Local(_)
        | ExprKind::Lit(_)
        | ExprKind::Const(..)
        | ExprKind::Len(_)
        | ExprKind::Cast(..)
        | ExprKind::Unary(..)
        | ExprKind::Binary(..)
        | ExprKind::Intrinsic(_) => {}
        _ => ok = false,
    });
    ok
}

impl Lowerer<'_, '_, '_> {
    /// The number of facts now (to restore later with [`Lowerer::restore_facts`]).
    pub(super) fn facts_mark(&self) -> usize {
        self.safety.facts.len()
    }

    pub(super) fn restore_facts(&mut self, mark: usize) {
        self.safety.facts.truncate(mark);
    }

    /// Collects what the checks need to know about the body before lowering it.
    pub(super) fn prepare_checks(&mut self) {
        let body = self.body;
        self.safety.inits.get_or_insert_with(|| let_inits(body));
    }

    /// Adds the facts that hold when `cond` is true (`negated`: false).
    pub(super) fn assume(&mut self, cond: ExprId, negated: bool) {
        let body = self.body;
        let inits = self.safety.inits.get_or_insert_with(|| let_inits(body));
        facts_of(body, self.types, inits, cond, negated, &mut self.safety.facts);
    }

    /// `o` without a widening cast of an unsigned value to `usize` (`x as usize`, `x: u32`).
    pub(super) fn uncast(&self, o: ExprId) -> ExprId {
        match self.body.exprs.get(o.0 as usize).map(|e| &e.kind) {
            Some(ExprKind::Cast(inner, ScalarTy::Usize)) if matches!(self.types.expr(*inner), super::super::types::Ty::Scalar(t) if t.is_int() && !t.is_signed()) => {
                *inner
            }
            _ => o,
        }
    }

    /// Whether `o < m` is known (a live fact), `o` possibly an unsigned value cast to `usize`. `m` may be a length
    /// (`n` after `let n = x.len()`): the loop condition `k < n` then gave the fact `k < x.len()` (`Bound::Len`,
    /// for the accesses `x[k]`), which bounds `k` by `m` as well (`k < x.len() / s <= m`).
    fn known_below(&self, o: ExprId, m: ExprId) -> bool {
        let body = self.body;
        let o = self.uncast(o);
        let m_len = self.safety.inits.as_ref().and_then(|inits| len_bound(body, inits, m, 0)).filter(|&(_, k)| k == 1);
        self.safety.facts.iter().any(|f| {
            f.live
                && match f.bound {
                    Bound::Expr(b) => same_value(body, b, m),
                    Bound::Len(s, _) => m_len.is_some_and(|(ms, _)| ms == s),
                    Bound::Const(_) => false,
                }
                && matches!(f.lhs, FactLhs::Expr(e) if same_value(body, e, o))
        })
    }

    /// Whether `index` is `a + e` (either order) of window `w` with `e < w.m` known (`e` possibly an unsigned
    /// value cast to `usize`).
    pub(super) fn in_window(&self, w: Window, index: ExprId) -> bool {
        let body = self.body;
        let Some(ExprKind::Binary(BinaryOp::Add, x, y)) = body.exprs.get(index.0 as usize).map(|e| &e.kind) else {
            return false;
        };
        (same_value(body, *x, w.a) && self.known_below(*y, w.m))
            || (same_value(body, *y, w.a) && self.known_below(*x, w.m))
    }

    /// Whether `index` is `y * w + c` (any order of the operands) of grid `g` with `y < g.h` and `c < g.w` known.
    pub(super) fn in_grid(&self, g: Grid, index: ExprId) -> bool {
        let body = self.body;
        let kind = |e: ExprId| body.exprs.get(e.0 as usize).map(|x| &x.kind);
        let Some(ExprKind::Binary(BinaryOp::Add, x, y)) = kind(index) else { return false };
        [(*x, *y), (*y, *x)].into_iter().any(|(prod, c)| {
            let Some(ExprKind::Binary(BinaryOp::Mul, p, q)) = kind(prod) else { return false };
            [(*p, *q), (*q, *p)].into_iter().any(|(row, w)| {
                same_value(body, self.uncast(w), g.w) && self.known_below(row, g.h) && self.known_below(c, g.w)
            })
        })
    }

    /// After `let l = e` (immutable): `e` inside a window proves `x[l]`.
    pub(super) fn assume_let(&mut self, l: LocalId, e: ExprId) {
        if (self.safety.windows.is_empty() && self.safety.grids.is_empty()) || self.body.local(l).mutable {
            return;
        }
        let mut bases: Vec<Base> =
            self.safety.windows.iter().copied().filter(|w| self.in_window(*w, e)).map(|w| w.base).collect();
        bases.extend(self.safety.grids.iter().copied().filter(|g| self.in_grid(*g, e)).map(|g| g.base));
        for b in bases {
            self.safety.facts.push(Fact {
                lhs: FactLhs::Local(l),
                bound: Bound::Len(b, 1),
                deps: Vec::new(),
                live: true,
            });
        }
    }

    /// Before lowering statement `e`: the facts about `mut` locals it may assign die.
    pub(super) fn kill_facts(&mut self, e: ExprId) {
        if !self.safety.facts.iter().any(|f| f.live && !f.deps.is_empty()) {
            return;
        }
        let body = self.body;
        let mut assigned = Vec::new();
        assigned_locals(body, e, &mut assigned);
        for f in &mut self.safety.facts {
            if f.live && f.deps.iter().any(|d| assigned.contains(d)) {
                f.live = false;
            }
        }
    }

    /// After statement `e` of a block: `if c { return }` (no else) makes `!c` hold for the rest of the block.
    pub(super) fn assume_after_stmt(&mut self, e: ExprId) {
        let body = self.body;
        if let Some(ExprKind::If(c, then, None)) = body.exprs.get(e.0 as usize).map(|x| &x.kind) {
            if diverges(body, then) {
                self.assume(*c, true);
            }
        }
    }

    /// In the body of `for var in start..end`: `var < x.len()` when `end` is `x.len()`; `var < c` (`var <= c`
    /// when inclusive) when `end` is a literal `c`.
    pub(super) fn assume_for(&mut self, f: &ForLoop) {
        let body = self.body;
        let Some(v) = f.var.filter(|v| !body.local(*v).mutable) else { return };
        let bound = match body.exprs.get(f.end.0 as usize).map(|e| &e.kind) {
            Some(ExprKind::Len(s)) if !f.inclusive => Bound::Len(*s, 1),
            Some(ExprKind::Lit(Lit::Int(c, _))) => match c.checked_add(f.inclusive as u128).map(u64::try_from) {
                Some(Ok(c)) => Bound::Const(c),
                _ => return,
            },
            _ => return,
        };
        self.safety.facts.push(Fact { lhs: FactLhs::Local(v), bound, deps: Vec::new(), live: true });
    }

    /// The largest value of the unsigned `x` by a live fact `x < c` (`c` a literal) about values that cannot
    /// change (no `mut` locals): `c - 1`.
    fn known_max(&self, x: ExprId) -> Option<u64> {
        let body = self.body;
        if !matches!(self.types.expr(x), super::super::types::Ty::Scalar(t) if t.is_int() && !t.is_signed()) {
            return None;
        }
        let local = match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
            Some(ExprKind::Local(l)) => Some(*l),
            _ => None,
        };
        self.safety
            .facts
            .iter()
            .filter(|f| f.live && f.deps.is_empty())
            .filter_map(|f| match (f.bound, f.lhs) {
                (Bound::Const(c), FactLhs::Expr(l)) if c > 0 && same_value(body, l, x) => Some(c - 1),
                (Bound::Const(c), FactLhs::Local(l)) if c > 0 && local == Some(l) => Some(c - 1),
                _ => None,
            })
            .min()
    }

    /// In copy `v` of an unrolled `for` loop: its variable (not `mut`) is `v`, so below `v + 1`.
    pub(super) fn assume_unrolled_var(&mut self, f: &ForLoop, v: i128) {
        if let (Some(var), Ok(v)) = (f.var, u64::try_from(v)) {
            if !self.body.local(var).mutable && v < u64::MAX {
                let bound = Bound::Const(v + 1);
                self.safety.facts.push(Fact { lhs: FactLhs::Local(var), bound, deps: Vec::new(), live: true });
            }
        }
    }

    /// Whether `s[index]` is known to be in bounds.
    pub(super) fn proven(&self, s: Base, index: ExprId) -> bool {
        let body = self.body;
        // A shared array's constant length against the index's largest value.
        let const_len = match s {
            Base::Shared(sh) => body.shared.get(sh.0 as usize).filter(|d| !d.dynamic).map(|d| d.len),
            Base::Slice(_) => None,
        };
        if let Some(n) = const_len {
            let inits = self.safety.inits.as_ref();
            let known = |x: ExprId| self.known_max(x);
            if static_max(body, self.types, inits, &known, index, 0).is_some_and(|m| m < n) {
                return true;
            }
            // `a - k` where a fact `c < a` with `c + 1 >= k` rules out the wrap-around (`t[w - 1]` under `w > 0`).
            let lit = |x: ExprId| match body.exprs.get(x.0 as usize).map(|e| &e.kind) {
                Some(ExprKind::Lit(Lit::Int(v, _))) => u64::try_from(*v).ok(),
                _ => None,
            };
            if let Some(ExprKind::Binary(BinaryOp::Sub, a, k)) = body.exprs.get(index.0 as usize).map(|e| &e.kind) {
                if let Some(k) = lit(*k).filter(|k| *k >= 1) {
                    let no_wrap = self.safety.facts.iter().any(|f| {
                        f.live
                            && matches!(f.bound, Bound::Expr(b) if same_value(body, b, *a))
                            && matches!(f.lhs, FactLhs::Expr(l) if lit(l).is_some_and(|c| c.saturating_add(1) >= k))
                    });
                    if no_wrap && static_max(body, self.types, inits, &known, *a, 0).is_some_and(|m| m - k.min(m) < n) {
                        return true;
                    }
                }
            }
        }
        if self.safety.proven_ids.contains(&index) {
            return true;
        }
        if self.safety.windows.iter().any(|w| w.base == s && self.in_window(*w, index))
            || self.safety.grids.iter().any(|g| g.base == s && self.in_grid(*g, index))
        {
            return true;
        }
        self.safety.facts.iter().rev().any(|f| {
            if !f.live {
                return false;
            }
            let (scale, ok) = match f.bound {
                Bound::Len(b, k) => (k, b == s),
                Bound::Const(c) => (1, const_len.is_some_and(|n| c <= n)),
                Bound::Expr(_) => (1, false),
            };
            ok && match f.lhs {
                FactLhs::Expr(e) => scaled_match(body, e, scale, index),
                FactLhs::Local(l) => {
                    matches!(body.exprs.get(index.0 as usize).map(|e| &e.kind), Some(ExprKind::Local(m)) if *m == l)
                }
            }
        })
    }

    fn site_span(&self, id: ExprId) -> Span {
        let r: SpanRange = self.span(id);
        r.start
    }

    /// The panic path, created on first use.
    fn panic_path(&mut self) -> PanicPath {
        if let Some(p) = self.safety.panic {
            return p;
        }
        let block = self.b.create_block();
        let f = self.b.func_mut();
        let p = PanicPath {
            block,
            kind: f.new_reg(Type::U32),
            site: f.new_reg(Type::U32),
            index: f.new_reg(Type::U64),
            len: f.new_reg(Type::U64),
        };
        self.safety.panic = Some(p);
        p
    }

    /// Branches to the panic path (site `kind` at `id`) when `cond` holds; lowering goes on where it does not.
    pub(super) fn panic_if(&mut self, cond: Reg, kind: PanicKind, id: ExprId, index: Operand, len: Operand) {
        let p = self.panic_path();
        let site = self.safety.report.sites.len() as u32;
        let span = self.site_span(id);
        self.safety.report.sites.push(PanicSite { kind, span });
        let cold = self.b.create_block();
        let ok = self.b.create_block();
        // `@!cond bra ok`: the layout puts `ok` next, so this is written `@cond bra cold`.
        self.b.terminate(Terminator::Branch { cond, negate: true, then_dest: ok, else_dest: cold });
        self.open(cold);
        let mut ins = self.b.ins();
        ins.mov_to(p.kind, Operand::u32(kind as u32));
        ins.mov_to(p.site, Operand::u32(site));
        ins.mov_to(p.index, index);
        ins.mov_to(p.len, len);
        self.b.jump(p.block);
        self.open(ok);
    }

    /// Panics unconditionally (a check that always fails, e.g. `step_by(0)` with a constant).
    pub(super) fn panic_now(&mut self, kind: PanicKind, id: ExprId) {
        let t = self.b.ins().mov(Type::Pred, Operand::Imm(ptx_gen::Imm(1)));
        self.panic_if(t, kind, id, Operand::u64(0), Operand::u64(0));
    }

    /// The bounds check of `s[index]` (index value `i`, a `usize`) in expression `id`, unless it is elided.
    /// A 2-D shared array `t[y][x]` is checked on its flattened index `y * M + x` against `N * M`.
    pub(super) fn bounds_check(&mut self, s: Base, index: ExprId, i: Operand, id: ExprId) {
        self.bounds_check_with(s, index, i, id, None);
    }

    /// [`Lowerer::bounds_check`], with `index >= len` already computed into `oob` when given (an early load's).
    pub(super) fn bounds_check_with(&mut self, s: Base, index: ExprId, i: Operand, id: ExprId, oob: Option<Reg>) {
        if !self.safety.options.bounds_checks || self.body.unchecked.contains(&index) {
            return;
        }
        if self.proven(s, index) {
            self.safety.report.elided += 1;
            return;
        }
        if let (Some(p), Base::Slice(sl)) = (oob, s) {
            if let Some(r) = self.slices.get(sl.0 as usize) {
                let len = Operand::Reg(r.len);
                let p = self.guarded(p);
                self.panic_if(p, PanicKind::IndexOutOfBounds, id, i, len);
                self.assume_checked(s, index);
                return;
            }
        }
        let len = match s {
            Base::Slice(sl) => match self.slices.get(sl.0 as usize) {
                Some(r) => Operand::Reg(r.len),
                None => return,
            },
            // A static array: all its elements (`N * M` for a 2-D one, whose index is flattened); dynamic shared
            // memory: its `len()`.
            Base::Shared(sh) => match self.body.shared.get(sh.0 as usize) {
                Some(d) if !d.dynamic => Operand::u64(d.len),
                _ => match self.shared_len(sh, id) {
                    super::Val::Scalar(op, _) => op,
                    _ => return,
                },
            },
        };
        let oob = match (i, len) {
            (Operand::Imm(a), Operand::Imm(n)) => {
                if a.0 < n.0 {
                    return;
                }
                self.b.ins().mov(Type::Pred, Operand::Imm(ptx_gen::Imm(1)))
            }
            // `i >= len` / `len <= i`: the immediate, if any, second.
            (_, Operand::Imm(_)) => self.b.ins().setp(CmpOp::Ge, Type::U64, i, len),
            (_, Operand::Reg(_)) => self.b.ins().setp(CmpOp::Le, Type::U64, len, i),
        };
        let oob = self.guarded(oob);
        self.panic_if(oob, PanicKind::IndexOutOfBounds, id, i, len);
        self.assume_checked(s, index);
    }

    /// A check's failure condition `and`ed with the condition of the select arm being lowered, if any.
    fn guarded(&mut self, fail: Reg) -> Reg {
        match self.check_guard {
            Some(g) => self.b.ins().binary(ptx_gen::BinOp::And, ptx_gen::Mode::None, Type::Pred, g, fail),
            None => fail,
        }
    }

    /// Past a check of `s[index]` the index is known to be in bounds, for the rest of the enclosing block (lowering
    /// of anything evaluated conditionally — branches, loop bodies, the right side of `&&` — restores the facts at
    /// its end, so this only reaches code the check dominates). Only for indices without `mut` locals: the
    /// statement that holds the check may assign them after it.
    fn assume_checked(&mut self, s: Base, index: ExprId) {
        if fixed_value(self.body, index) {
            self.safety.facts.push(Fact {
                lhs: FactLhs::Expr(index),
                bound: Bound::Len(s, 1),
                deps: Vec::new(),
                live: true,
            });
        }
    }

    /// The bounds check of a local array's (or an array value's) index `idx` against its length `len` (constant),
    /// in expression `id`; constant indices are checked at build time by the caller.
    pub(crate) fn array_bounds_check(&mut self, idx: Operand, len: u64, id: ExprId) {
        if !self.safety.options.bounds_checks {
            return;
        }
        let oob = match idx {
            Operand::Imm(k) if k.0 < len => return,
            Operand::Imm(_) => self.b.ins().mov(Type::Pred, Operand::Imm(ptx_gen::Imm(1))),
            Operand::Reg(_) => self.b.ins().setp(CmpOp::Ge, Type::U64, idx, Operand::u64(len)),
        };
        self.panic_if(oob, PanicKind::IndexOutOfBounds, id, idx, Operand::u64(len));
    }

    /// The checks of integer `a / b` or `a % b` of type `t` in expression `id`.
    pub(super) fn division_check(&mut self, rem: bool, a: Operand, b: Operand, t: ScalarTy, id: ExprId) {
        if t.is_float() || t == ScalarTy::Bool {
            return;
        }
        let rt = t.reg_type();
        let signed = t.is_signed();
        let (zero_kind, ovf_kind) = if rem {
            (PanicKind::RemainderByZero, PanicKind::RemainderOverflow)
        } else {
            (PanicKind::DivideByZero, PanicKind::DivideOverflow)
        };
        let bits = t.bits();
        let min = if signed { Some(-(1i128 << (bits - 1))) } else { None };
        let as_int = |op: Operand| -> Option<i128> {
            match op {
                Operand::Imm(i) => Some(match super::super::consts::host_val(i, t) {
                    super::super::consts::HostVal::Int(v) => v,
                    _ => return None,
                }),
                Operand::Reg(_) => None,
            }
        };
        match as_int(b) {
            Some(0) => self.panic_now(zero_kind, id),
            Some(-1) if signed => {
                if let Some(m) = min {
                    if as_int(a) == Some(m) {
                        self.panic_now(ovf_kind, id);
                    } else if let Operand::Reg(_) = a {
                        let is_min = self.b.ins().setp(CmpOp::Eq, rt, a, imm_int(m, rt));
                        self.panic_if(is_min, ovf_kind, id, Operand::u64(0), Operand::u64(0));
                    }
                }
            }
            Some(_) => {}
            None => {
                let is_zero = self.b.ins().setp(CmpOp::Eq, rt, b, imm_int(0, rt));
                self.panic_if(is_zero, zero_kind, id, Operand::u64(0), Operand::u64(0));
                if let Some(m) = min {
                    // a == MIN && b == -1 (a may be an immediate: compare it in a register).
                    let ar = match a {
                        Operand::Reg(r) => r,
                        imm => self.b.ins().mov(rt, imm),
                    };
                    if as_int(a).is_some_and(|v| v != m) {
                        return;
                    }
                    let mut ins = self.b.ins();
                    let is_min = ins.setp(CmpOp::Eq, rt, ar, imm_int(m, rt));
                    let is_neg1 = ins.setp(CmpOp::Eq, rt, b, imm_int(-1, rt));
                    let both = ins.binary(ptx_gen::BinOp::And, ptx_gen::Mode::None, Type::Pred, is_min, is_neg1);
                    self.panic_if(both, ovf_kind, id, Operand::u64(0), Operand::u64(0));
                }
            }
        }
    }

    /// Emits the panic path, if some check uses it (after the body is lowered).
    pub(super) fn finish_panic_path(&mut self) {
        let Some(p) = self.safety.panic else { return };
        self.b.set_srcloc(ptx_gen::SrcLoc::NONE);
        self.open(p.block);
        let rec = self.safety.record;
        let at = |offset: i64| Address { base: ptx_gen::AddrBase::Var(rec), offset };
        let old = self.b.ins().atom(
            AtomOp::Cas,
            StateSpace::Global,
            MemOrder::Weak,
            None,
            Type::B32,
            at(0),
            Operand::u32(1),
            Some(Operand::u32(0)),
        );
        let first = self.b.ins().setp(CmpOp::Eq, Type::U32, old, Operand::u32(0));
        let write = self.b.create_block();
        let done = self.b.create_block();
        self.b.branch(first, write, done);
        self.open(write);
        let u32a = MemAccess::new(StateSpace::Global, Type::U32);
        let u64a = MemAccess::new(StateSpace::Global, Type::U64);
        let mut ins = self.b.ins();
        ins.st(u32a, at(4), p.kind);
        ins.st(u32a, at(8), p.site);
        ins.st(u64a, at(16), p.index);
        ins.st(u64a, at(24), p.len);
        for (k, d) in [Dim::X, Dim::Y, Dim::Z].into_iter().enumerate() {
            let c = ins.special(SpecialReg::Ctaid(d));
            ins.st(u32a, at(32 + 4 * k as i64), c);
        }
        for (k, d) in [Dim::X, Dim::Y, Dim::Z].into_iter().enumerate() {
            let c = ins.special(SpecialReg::Tid(d));
            ins.st(u32a, at(44 + 4 * k as i64), c);
        }
        self.b.ret();
        self.open(done);
        self.b.ret();
    }
}

/// The immediate `v` of integer register type `rt`.
fn imm_int(v: i128, rt: Type) -> Operand {
    Operand::Imm(ptx_gen::Imm::int(v as i64, rt))
}

/// The initialiser of every immutable `let` of the body.
pub(super) fn let_inits(body: &Body) -> std::collections::HashMap<LocalId, ExprId> {
    let mut out = std::collections::HashMap::new();
    let mut add = |b: &Block| {
        for st in &b.stmts {
            if let Stmt::Let { local: Some(l), init: Some(i) } = st {
                if !body.local(*l).mutable {
                    out.insert(*l, *i);
                }
            }
        }
    };
    add(&body.block);
    for e in &body.exprs {
        match &e.kind {
            ExprKind::Block(b) | ExprKind::While(_, _, b) | ExprKind::Loop(_, b) | ExprKind::If(_, b, _) => add(b),
            ExprKind::For(f) => add(&f.body),
            ExprKind::Inline(inl) => add(&inl.body),
            _ => {}
        }
    }
    out
}

/// The locals that evaluating `e` may assign (at any depth: blocks, loops, inlined calls, inline PTX outputs).
pub(super) fn assigned_locals(body: &Body, e: ExprId, out: &mut Vec<LocalId>) {
    let Some(x) = body.exprs.get(e.0 as usize) else { return };
    let place = |p: &Place, out: &mut Vec<LocalId>| match p {
        Place::Local(l) | Place::Elem(l, ..) => out.push(*l),
        Place::Index(..) => {}
    };
    let block = |b: &Block, out: &mut Vec<LocalId>| {
        for st in &b.stmts {
            match st {
                Stmt::Let { init: Some(i), .. } => assigned_locals(body, *i, out),
                Stmt::Let { .. } => {}
                Stmt::Expr(s) => assigned_locals(body, *s, out),
            }
        }
        if let Some(t) = b.tail {
            assigned_locals(body, t, out);
        }
    };
    match &x.kind {
        ExprKind::Assign(p, v) | ExprKind::CompoundAssign(_, p, v) => {
            place(p, out);
            if let Place::Index(_, i) | Place::Elem(_, i, None) = p {
                assigned_locals(body, *i, out);
            }
            if let Place::Elem(_, i, Some(j)) = p {
                assigned_locals(body, *i, out);
                assigned_locals(body, *j, out);
            }
            assigned_locals(body, *v, out);
        }
        ExprKind::Unary(_, a) | ExprKind::Cast(a, _) | ExprKind::Index(_, a) | ExprKind::Repeat(a, _, _) => {
            assigned_locals(body, *a, out)
        }
        ExprKind::HalfConv(a, _, _) => assigned_locals(body, *a, out),
        ExprKind::Binary(_, a, b) | ExprKind::Logical(_, a, b) | ExprKind::Elem(a, b) => {
            assigned_locals(body, *a, out);
            assigned_locals(body, *b, out);
        }
        ExprKind::Array(v) | ExprKind::Call(_, v) => v.iter().for_each(|a| assigned_locals(body, *a, out)),
        ExprKind::MemCall(_, _, i, v) => {
            assigned_locals(body, *i, out);
            v.iter().for_each(|a| assigned_locals(body, *a, out));
        }
        ExprKind::Method(_, r, v) => {
            assigned_locals(body, *r, out);
            v.iter().for_each(|a| assigned_locals(body, *a, out));
        }
        ExprKind::If(c, t, el) => {
            assigned_locals(body, *c, out);
            block(t, out);
            if let Some(el) = el {
                assigned_locals(body, *el, out);
            }
        }
        ExprKind::While(_, c, b) => {
            assigned_locals(body, *c, out);
            block(b, out);
        }
        ExprKind::Loop(_, b) | ExprKind::Block(b) => block(b, out),
        ExprKind::For(f) => {
            assigned_locals(body, f.start, out);
            assigned_locals(body, f.end, out);
            if let Some(s) = f.step {
                assigned_locals(body, s, out);
            }
            out.extend(f.var);
            block(&f.body, out);
        }
        ExprKind::Inline(inl) => {
            for (l, a) in &inl.params {
                out.push(*l);
                assigned_locals(body, *a, out);
            }
            block(&inl.body, out);
        }
        ExprKind::FrameReturn(_, v) => {
            if let Some(v) = v {
                assigned_locals(body, *v, out);
            }
        }
        ExprKind::Seed(op) => {
            use super::super::seed::SeedOp;
            match &**op {
                SeedOp::Special(_) | SeedOp::Fence(_) => {}
                SeedOp::LoadAcquire { index, .. } => assigned_locals(body, *index, out),
                SeedOp::StoreRelease { index, value, .. } => {
                    assigned_locals(body, *index, out);
                    assigned_locals(body, *value, out);
                }
                SeedOp::Atomic { index, value, cmp, .. } => {
                    assigned_locals(body, *index, out);
                    assigned_locals(body, *value, out);
                    if let Some(c) = cmp {
                        assigned_locals(body, *c, out);
                    }
                }
                SeedOp::Barrier { id, count, .. } => {
                    assigned_locals(body, *id, out);
                    assigned_locals(body, *count, out);
                }
                SeedOp::Asm(a) => {
                    for o in &a.operands {
                        if let Some(v) = o.value {
                            assigned_locals(body, v, out);
                        }
                        if let Some(p) = &o.place {
                            place(p, out);
                            if let Place::Index(_, i) = p {
                                assigned_locals(body, *i, out);
                            }
                        }
                    }
                }
            }
        }
        ExprKind::Error
        | ExprKind::Unit
        | ExprKind::Lit(_)
        | ExprKind::Const(..)
        | ExprKind::Local(_)
        | ExprKind::Len(_)
        | ExprKind::Intrinsic(_)
        | ExprKind::Break(_)
        | ExprKind::Continue(_)
        | ExprKind::Return => {}
    }
}

/// [`same_value`] for other modules.
pub(super) fn same_expr(body: &Body, a: ExprId, b: ExprId) -> bool {
    same_value(body, a, b)
}
