//! Unrolling `while` loops whose trip count is only known at run time.
//!
//! A strided loop, `let mut k = lane; while k < n { … a[row * n + k] …; k += 32; }` (a gemv row, a grid-stride
//! reduction), runs one iteration at a time: each iteration's loads wait for the previous one's arithmetic, so a
//! thread has one load in flight where NVCC, which unrolls such loops 4×, has four. When the loop is
//!
//! ```text
//! while v < bound { body; v += step }
//! ```
//!
//! with `v` a `mut` local of an unsigned type of 32 or 64 bits assigned only by that last statement (`v += step`
//! or `v = v + step`), `bound` and `step` invariant (pure, unable to fail, reading no local the loop assigns or
//! declares: see `version::invariant_in`), and a body without `break`/`continue` of the loop or of an enclosing
//! one, `return`, barriers, warp-level operations (shuffles, votes, warp reductions, `active_mask`, `sync_warp`),
//! fences, the seed's controls, inline PTX, or atomics whose result is used, it is lowered as
//!
//! ```text
//! if (F - 1) * step <= MAX && (F - 1) * step <= bound {      // tested once, without overflow
//!     let lim = bound - (F - 1) * step;
//!     while v < lim { body; body; …; body }                 // F copies, each ending with `v += step`
//! }
//! while v < bound { body; v += step }                        // the rest, as before
//! ```
//!
//! (`F` = 4, or 2 for a large body; see [`factor`]). `v < lim` means `v + j * step < bound` for `j < F`, exactly:
//! the conditions the original would test before each of the `F` iterations all hold, and none of the updates
//! before the last can wrap. So the copies run the same iterations, in the same order, with the same values:
//! every store, atomic, float operation and bounds check happens as before, the first failing check is the same
//! one, and `v` ends with the same value. Each copy is lowered with the loop condition assumed (it holds there),
//! so the facts and the loop versions of `version` prove the same accesses in each copy as in the loop. Without
//! barriers and warp-level operations in the body, how the threads of a warp are grouped as they run the copies
//! cannot be observed.
//!
//! A bounds check left in a copy is a branch to the panic path between a load and its use, which ptxas does not
//! schedule across: the copies would still have one load in flight. So at the top of each round, the checks of
//! the copies' slice accesses whose index (and enclosing `if` conditions) can be computed there (pure, unable to
//! fail, from `v`, invariant locals and the body's immutable `let`s of such values: `prefetch::round_checks`) are
//! made there, in copy `j` with `v + j * step`, the value `v` has in that copy (it changes only at the copy's end).
//! When one fails, the round does not start: the rest of the loop runs as the plain loop, which reaches the same
//! failing access (or an earlier one) after the same iterations. Otherwise the copies run with those accesses
//! proven.

use std::collections::HashSet;

use ptx_gen::{BinOp, CmpOp, Imm, Mode, Operand, Type};

use super::super::hir::*;
use super::super::intrinsics::MemCall;
use super::super::types::{ScalarTy, Ty};
use super::checks::assigned_locals;
use super::{Lowerer, Val, AUTO_UNROLL_BUDGET, MATH_WEIGHT};

/// The copies of an unrolled body: 4, or 2 when 4 copies would exceed the budget.
const FACTOR: u64 = 4;

/// How many copies of a body of `size` expressions, lowered `copies` times already, fit [`AUTO_UNROLL_BUDGET`].
fn factor(copies: u64, size: u64) -> Option<u64> {
    [FACTOR, 2].into_iter().find(|f| copies.saturating_mul(*f).saturating_mul(size) <= AUTO_UNROLL_BUDGET)
}

/// What makes a loop qualify (see the module doc).
struct Plan {
    v: LocalId,
    t: ScalarTy,
    bound: ExprId,
    step: ExprId,
    factor: u64,
}

impl Lowerer<'_, '_, '_> {
    /// `while c { blk }` (the loop expression `id`) unrolled when it qualifies (see the module doc); `None`: not
    /// applicable, nothing emitted.
    pub(super) fn dyn_unrolled_while(&mut self, lp: LoopId, c: ExprId, blk: &Block, id: ExprId) -> Option<Val> {
        let plan = self.dyn_unroll_plan(c, blk, id)?;
        let Some(Val::Scalar(Operand::Reg(vr), _)) = self.locals.get(plan.v.0 as usize).copied().flatten() else {
            return None;
        };
        let rt = plan.t.reg_type();
        let bits = plan.t.bits();
        let max: u64 = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
        let k = plan.factor - 1;
        // `bound` and `step`, evaluated once (invariant and pure: the values every iteration sees).
        let sv = self.expr(plan.step);
        let bv = self.expr(plan.bound);
        self.loc(id);
        let (Some((sop, _)), Some((bop, _))) = (self.scalar(sv, plan.step), self.scalar(bv, plan.bound)) else {
            return None;
        };
        // pre: (F - 1) * step fits and is at most `bound`; lim = bound - (F - 1) * step.
        let (pre, lim) = match sop {
            Operand::Imm(s) => {
                let s = ptx_gen::truncate(s.0, bits);
                let m = s.checked_mul(k).filter(|m| *m <= max)?;
                let mut ins = self.b.ins();
                let pre = ins.setp(CmpOp::Le, rt, Operand::Imm(Imm(m)), bop);
                let lim = ins.sub(rt, Mode::None, bop, Operand::Imm(Imm(m)));
                (pre, lim)
            }
            Operand::Reg(s) => {
                let mut ins = self.b.ins();
                let fits = ins.setp(CmpOp::Le, rt, s, Operand::Imm(Imm(max / k)));
                let m = ins.mul(rt, Mode::Lo, s, Operand::Imm(Imm(k)));
                let below = ins.setp(CmpOp::Le, rt, m, bop);
                let pre = ins.binary(BinOp::And, Mode::None, Type::Pred, fits, below);
                let lim = ins.sub(rt, Mode::None, bop, m);
                (pre, lim)
            }
        };
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let rest = self.b.create_block();
        self.b.branch(pre, header, rest);
        self.open(header);
        let more = self.b.ins().setp(CmpOp::Lt, rt, vr, lim);
        self.b.branch(more, body_b, rest);
        self.open(body_b);
        // The copies' bounds checks that can be made here are made here: when one fails, the rest of the loop runs
        // as the plain loop (which fails at the same access, after the same iterations).
        let (checked, fail) = self.round_checks(blk, c, (plan.v, vr), sop, plan.t, plan.factor as usize, c.0 + 1, id);
        if let Some(fail) = fail {
            let copies = self.b.create_block();
            self.b.branch(fail, rest, copies);
            self.open(copies);
        }
        self.unroll_copies *= plan.factor;
        for ids in checked {
            let mark = self.safety.proven_ids.len();
            self.safety.proven_ids.extend(ids);
            let next = self.b.create_block();
            // No `break`/`continue` of this loop in the body (see `dyn_unroll_plan`): these are never used.
            self.loops[lp.0 as usize] = Some((rest, next));
            let facts = self.facts_mark();
            self.assume(c, false);
            self.block(blk);
            self.restore_facts(facts);
            self.safety.proven_ids.truncate(mark);
            self.loc(id);
            self.b.jump(next);
            self.open(next);
        }
        self.unroll_copies /= plan.factor;
        self.b.jump(header);
        self.open(rest);
        Some(self.loop_while(lp, c, blk, id))
    }

    /// Whether `while c { blk }` qualifies, and how.
    fn dyn_unroll_plan(&self, c: ExprId, blk: &Block, id: ExprId) -> Option<Plan> {
        let body = self.body;
        let (v, bound) = match body.expr(c).kind {
            ExprKind::Binary(BinaryOp::Lt, a, b) => (a, b),
            ExprKind::Binary(BinaryOp::Gt, a, b) => (b, a),
            _ => return None,
        };
        let ExprKind::Local(v) = body.expr(v).kind else { return None };
        let Ty::Scalar(t) = self.types.local(v) else { return None };
        if !body.local(v).mutable || !t.is_int() || t.is_signed() || !matches!(t.bits(), 32 | 64) {
            return None;
        }
        let is_v = |e: ExprId| matches!(body.expr(e).kind, ExprKind::Local(l) if l == v);
        // The update: the last statement, `v += step` or `v = v + step`.
        let last = blk.tail.or_else(|| match blk.stmts.last() {
            Some(Stmt::Expr(e)) => Some(*e),
            _ => None,
        })?;
        let step = match body.expr(last).kind {
            ExprKind::CompoundAssign(BinaryOp::Add, Place::Local(l), k) if l == v => k,
            ExprKind::Assign(Place::Local(l), x) if l == v => match body.expr(x).kind {
                ExprKind::Binary(BinaryOp::Add, a, k) if is_v(a) => k,
                _ => return None,
            },
            _ => return None,
        };
        if self.ty(step) != Ty::Scalar(t) || self.ty(bound) != Ty::Scalar(t) {
            return None;
        }
        // Nothing else assigns `v`.
        for st in &blk.stmts {
            let e = match st {
                Stmt::Expr(e) if *e != last => *e,
                Stmt::Let { init: Some(i), .. } => *i,
                _ => continue,
            };
            let mut assigned = Vec::new();
            assigned_locals(body, e, &mut assigned);
            if assigned.contains(&v) {
                return None;
            }
        }
        let (first, end) = (c.0 + 1, id.0);
        let exprs = body.exprs.get(first as usize..end as usize)?;
        // Loops and inlined calls of the body: `break`/`continue`/`return` of those stay inside a copy.
        let mut inner: HashSet<LoopId> = HashSet::new();
        // Expressions whose value is dropped (statements): atomics there are only read-modify-writes.
        let mut dropped: HashSet<ExprId> = HashSet::new();
        let mut stmts = |b: &Block| {
            for st in &b.stmts {
                if let Stmt::Expr(e) = st {
                    dropped.insert(*e);
                }
            }
        };
        stmts(blk);
        for e in exprs {
            match &e.kind {
                ExprKind::While(l, _, b) | ExprKind::Loop(l, b) => {
                    inner.insert(*l);
                    stmts(b);
                }
                ExprKind::For(f) => {
                    inner.insert(f.id);
                    stmts(&f.body);
                }
                ExprKind::Inline(inl) => {
                    inner.insert(inl.frame);
                    stmts(&inl.body);
                }
                ExprKind::Block(b) | ExprKind::If(_, b, _) => stmts(b),
                _ => {}
            }
        }
        let mut size = 0u64;
        for (k, e) in exprs.iter().enumerate() {
            let eid = ExprId(first + k as u32);
            size += match &e.kind {
                ExprKind::Break(l) | ExprKind::Continue(l) | ExprKind::FrameReturn(l, _) if !inner.contains(l) => {
                    return None
                }
                ExprKind::Return | ExprKind::Intrinsic(Intrinsic::SyncThreads) | ExprKind::Seed(_) => return None,
                // Everything but `lane_id`/`warp_id`/`gpu::fast::*`: barriers, fences, shuffles, votes, reductions.
                ExprKind::Call(call, _) if call.has_effect() => return None,
                ExprKind::MemCall(MemCall::Atomic(_), ..) if !dropped.contains(&eid) => return None,
                ExprKind::Method(Method::Math(_), ..) => MATH_WEIGHT,
                _ => 1,
            };
        }
        let factor = factor(self.unroll_copies, size)?;
        let sc = self.scope(id, blk, first, end);
        if !self.invariant_in(&sc, bound) || !self.invariant_in(&sc, step) {
            return None;
        }
        Some(Plan { v, t, bound, step, factor })
    }
}
