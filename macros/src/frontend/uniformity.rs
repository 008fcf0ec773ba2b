//! The uniformity check: block- and warp-collective operations (`gpu::sync_threads()`, …) must not sit in control
//! flow that depends on thread-varying values.
//!
//! `bar.sync` waits until every (non-exited) thread of the block has arrived; if only some threads take the path to
//! it, the block deadlocks or the behaviour is undefined. So a collective is a compile error where the threads of a
//! block may disagree on whether it runs.
//!
//! # The analysis
//!
//! A forward dataflow analysis on the HIR, iterated to a fixed point over the locals, on a three-level lattice:
//! block-uniform < warp-uniform < thread-varying. Block collectives (`sync_threads()`) need block-uniform control;
//! warp collectives (`sync_warp`, shuffles, `ballot_sync`/`all_sync`/`any_sync`, warp reductions) need control that
//! is at least warp-uniform, so `if gpu::warp_id() == 0 { gpu::warp_sum(v) }` is accepted.
//! - **Warp-uniform values**: `gpu::warp_id()`, and the results of votes and warp reductions (the same in every lane
//!   of the warp).
//! - **Varying values**: `gpu::thread_idx_*()`, `gpu::global_idx_x()`, `gpu::lane_id()`, shuffles, atomics, every
//!   value loaded from memory (`x[i]`, `load_nc`, whatever the index is), and anything computed from a varying value (operators, casts, methods, `if` expressions with a
//!   varying condition or branch value). Parameters, `block_idx_*`, `block_dim_*`, `grid_dim_*`, slice lengths and
//!   constants are **uniform**.
//! - **Divergent control**: the branches of an `if` (and the right operand of `&&`/`||`) whose condition is varying;
//!   the body of a `while` whose condition is varying; the body of a `for` whose bounds or step are varying; the rest
//!   of the kernel after a `return` taken in divergent control; the rest of a loop body after a `break`/`continue`
//!   taken in divergent control, and the whole body of a loop (its later iterations) left by such a `break` or
//!   `return`.
//! - **Locals**: a local is varying if some assignment gives it a varying value *or happens in divergent control*
//!   (`let mut x = 0; if tid == 0 { x = 1; }` makes `x` varying); `for` variables are varying when the bounds are.
//!   Locals only become varying, so iterating the walk until no local changes terminates.
//!
//! A collective reached in divergent control is reported under its call, with the reason (which condition, at which
//! line, depending on which value).
//!
//! # Limits
//!
//! It is conservative: values loaded from memory are varying even when every thread loads the same address, and a
//! condition such as `gpu::thread_idx_x() < 1024` that all threads of every possible launch agree on is still
//! varying. Such kernels are rejected; restructure them (compute the condition into a value and keep the collective
//! unconditional). It knows nothing about what happens at run time: a kernel that passes can still deadlock if the
//! host launches it so that a "uniform" parameter differs… which it cannot; and threads that exit early because of
//! a failed bounds check are not counted by `bar.sync` on the GPU (exited threads do not participate), which the
//! emulator models too.

use proc_macro2::Span;

use super::diag::{Errors, SpanRange};
use super::hir::*;
use super::intrinsics::{Call, MemCall};

/// Reports every collective in divergent control.
pub fn check_uniformity(body: &Body, errors: &mut Errors) {
    let mut u = Uniformity {
        body,
        varying: vec![None; body.locals.len()],
        changed: false,
        left: Vec::new(),
        report: false,
        reported: Vec::new(),
        frame_vals: Vec::new(),
    };
    // Fixed point over the locals (each round can only raise a local's level; two levels above uniform).
    for _ in 0..=2 * body.locals.len() + 1 {
        u.changed = false;
        u.left.clear();
        u.block(&body.block, &None);
        if !u.changed {
            break;
        }
    }
    u.report = true;
    u.left.clear();
    u.block(&body.block, &None);
    for (span, msg) in u.reported {
        errors.at(span, msg);
    }
}

/// How far a value or the control may differ between threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// The same in every lane of a warp, possibly not across warps.
    Warp,
    /// Possibly different in every thread.
    Thread,
}

/// A level above block-uniform with the reason, in words; `None`: block-uniform.
type Lv = Option<(Level, String)>;

/// The higher of two levels (the first on a tie).
fn join(a: Lv, b: Lv) -> Lv {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 > x.0 { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

fn thread(why: &str) -> Lv {
    Some((Level::Thread, why.to_owned()))
}

/// Where threads that left early rejoin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rejoin {
    /// `continue`: at the next iteration of the loop.
    NextIteration(LoopId),
    /// `break`: after the loop.
    AfterLoop(LoopId),
    /// `return`: never.
    Never,
}

struct Uniformity<'a> {
    body: &'a Body,
    /// Per local: how varying it is and why.
    varying: Vec<Lv>,
    changed: bool,
    /// Threads that left the current region early: where they rejoin, the level and why.
    left: Vec<(Rejoin, Level, String)>,
    report: bool,
    reported: Vec<(SpanRange, String)>,
    /// Values returned from inlined device functions being walked (innermost last).
    frame_vals: Vec<(LoopId, Lv)>,
}

fn at(span: Span) -> String {
    let s = span.start();
    format!("{}:{}", s.line, s.column + 1)
}

/// The collectives: the operations every thread of the block (`Level::Warp`: control must be block-uniform) or
/// of the warp (`Level::Thread`: control must be at least warp-uniform) must reach together.
fn collective(e: &ExprKind) -> Option<(String, Level)> {
    match e {
        ExprKind::Intrinsic(Intrinsic::SyncThreads) => Some(("gpu::sync_threads()".into(), Level::Warp)),
        ExprKind::Call(c, _) => match c {
            Call::SyncWarp | Call::Shfl(_) | Call::Ballot | Call::All | Call::Any | Call::WarpReduce(_) => {
                Some((format!("gpu::{}()", c.name()), Level::Thread))
            }
            _ => None,
        },
        _ => None,
    }
}

impl Uniformity<'_> {
    /// The divergence in effect: the one passed down, joined with threads that left earlier.
    fn effective(&self, div: &Lv) -> Lv {
        self.left.iter().fold(div.clone(), |acc, (_, l, why)| join(acc, Some((*l, why.clone()))))
    }

    fn mark_local(&mut self, l: LocalId, v: Lv) {
        let Some(new) = v else { return };
        if let Some(slot) = self.varying.get_mut(l.0 as usize) {
            if slot.as_ref().is_none_or(|(lv, _)| *lv < new.0) {
                *slot = Some(new);
                self.changed = true;
            }
        }
    }

    fn local_level(&self, l: LocalId) -> Lv {
        self.varying.get(l.0 as usize).cloned().flatten().map(|(lv, why)| {
            let name = &self.body.local(l).name;
            (lv, format!("`{name}` (which depends on {why})"))
        })
    }

    fn block(&mut self, blk: &Block, div: &Lv) -> Lv {
        for s in &blk.stmts {
            match s {
                Stmt::Let { local, init } => {
                    let v = init.and_then(|i| self.expr(i, div));
                    if let Some(l) = local {
                        self.mark_local(*l, v);
                    }
                }
                Stmt::Expr(e) => {
                    self.expr(*e, div);
                }
            }
        }
        blk.tail.and_then(|t| self.expr(t, div))
    }

    fn exprs(&mut self, es: &[ExprId], div: &Lv) -> Lv {
        let mut v = None;
        for e in es {
            let x = self.expr(*e, div);
            v = join(v, x);
        }
        v
    }

    /// Walks `e` in control `div`; returns how varying its value is.
    fn expr(&mut self, e: ExprId, div: &Lv) -> Lv {
        let body = self.body;
        let x = body.exprs.get(e.0 as usize)?;
        let span = x.span;
        if let Some((name, max_ok)) = collective(&x.kind) {
            if let (true, Some((lv, why))) = (self.report, self.effective(div)) {
                if lv >= max_ok && !self.reported.iter().any(|(s, _)| s.start.start() == span.start.start()) {
                    let (who, uniform) = if max_ok == Level::Warp {
                        (
                            "Every thread of the block must reach it together (or none may), else the block \
                             deadlocks or the result is undefined",
                            "branch only on values that are the same in the whole block (parameters, \
                             `gpu::block_idx_*()`, `block_dim_*()`, `grid_dim_*()`, `x.len()`, constants, and loop \
                             counters with such bounds)",
                        )
                    } else {
                        (
                            "Every lane of the warp must reach it together, else the result is undefined",
                            "branch only on values that are the same in the whole warp (those that are the same in \
                             the block, and `gpu::warp_id()`, votes and warp reductions)",
                        )
                    };
                    let msg = format!(
                        "`{name}` is reached in control flow that depends on a thread-varying value: {why}. {who}; \
                         move it out of the conditional code, or {uniform}"
                    );
                    self.reported.push((span, msg));
                }
            }
        }
        match &x.kind {
            ExprKind::Error | ExprKind::Unit | ExprKind::Lit(_) | ExprKind::Const(..) | ExprKind::Len(_) => None,
            ExprKind::Local(l) => self.local_level(*l),
            ExprKind::Intrinsic(i) => match i {
                Intrinsic::ThreadIdx(d) => thread(&format!("`gpu::thread_idx_{}()`", dim(*d))),
                Intrinsic::GlobalIdxX => thread("`gpu::global_idx_x()`"),
                _ => None,
            },
            ExprKind::Call(c, args) => {
                let va = self.exprs(args, div);
                match c {
                    Call::LaneId => thread("`gpu::lane_id()`"),
                    Call::WarpId => Some((Level::Warp, "`gpu::warp_id()`".into())),
                    Call::Shfl(_) => thread(&format!("the result of `gpu::{}`", c.name())),
                    Call::Ballot | Call::All | Call::Any | Call::WarpReduce(_) | Call::ActiveMask => {
                        Some((Level::Warp, format!("the result of `gpu::{}`", c.name())))
                    }
                    _ => va,
                }
            }
            ExprKind::MemCall(m, _, i, args) => {
                self.expr(*i, div);
                self.exprs(args, div);
                match m {
                    MemCall::Atomic(_) => thread("the result of an atomic"),
                    _ => thread("data loaded from memory"),
                }
            }
            ExprKind::Index(_, i) => {
                self.expr(*i, div);
                thread("data loaded from memory")
            }
            ExprKind::Seed(op) => {
                use super::seed::SeedOp;
                match &**op {
                    SeedOp::Special(ptx_gen::SpecialReg::NSmId) => None,
                    SeedOp::Special(_) => thread("an SM id or a timer"),
                    SeedOp::LoadAcquire { index, .. } => {
                        self.expr(*index, div);
                        thread("data loaded from memory")
                    }
                    SeedOp::StoreRelease { index, value, .. } => {
                        self.expr(*index, div);
                        self.expr(*value, div);
                        None
                    }
                    SeedOp::Atomic { index, value, cmp, .. } => {
                        self.expr(*index, div);
                        self.expr(*value, div);
                        if let Some(c) = cmp {
                            self.expr(*c, div);
                        }
                        thread("the result of an atomic")
                    }
                    SeedOp::Fence(_) => None,
                    SeedOp::Barrier { id, count, .. } => {
                        self.expr(*id, div);
                        self.expr(*count, div);
                        None
                    }
                    SeedOp::Asm(a) => {
                        for v in a.operands.iter().filter_map(|o| o.value) {
                            self.expr(v, div);
                        }
                        None
                    }
                }
            }
            ExprKind::Unary(_, a) | ExprKind::Cast(a, _) | ExprKind::Repeat(a, _, _) | ExprKind::HalfConv(a, _, _) => {
                self.expr(*a, div)
            }
            ExprKind::Inline(inl) => {
                // A device function, inlined: parameters take their arguments' levels; a `return` in divergent
                // control leaves the frame early (those threads rejoin after the call).
                for (l, a) in &inl.params {
                    let v = self.expr(*a, div);
                    self.mark_local(*l, v);
                }
                let mark = self.frame_vals.len();
                let tail = self.block(&inl.body, div);
                let returned = self.frame_vals.split_off(mark).into_iter().fold(None, |acc, (_, v)| join(acc, v));
                self.left.retain(|(r, _, _)| *r != Rejoin::AfterLoop(inl.frame));
                join(tail, returned)
            }
            ExprKind::FrameReturn(frame, v) => {
                let vv = v.and_then(|v| self.expr(v, div));
                let eff = self.effective(div);
                self.frame_vals.push((*frame, join(vv, eff.clone())));
                if let Some((lv, d)) = eff {
                    let why = format!("a `return` at {} is taken by some threads only ({d})", at(span.start));
                    self.left.push((Rejoin::AfterLoop(*frame), lv, why));
                }
                None
            }
            ExprKind::Array(es) => self.exprs(es, div),
            ExprKind::Elem(a, i) => {
                let va = self.expr(*a, div);
                let vi = self.expr(*i, div);
                join(va, vi)
            }
            ExprKind::Binary(_, a, b) => {
                let va = self.expr(*a, div);
                let vb = self.expr(*b, div);
                join(va, vb)
            }
            ExprKind::Logical(op, a, b) => {
                let va = self.expr(*a, div);
                let cond = va.clone().map(|(lv, why)| {
                    let op = if *op == LogicalOp::And { "&&" } else { "||" };
                    (lv, format!("the left operand of `{op}` at {} depends on {why}", at(span.start)))
                });
                let inner = join(div.clone(), cond);
                let vb = self.expr(*b, &inner);
                join(va, vb)
            }
            ExprKind::Assign(place, v) | ExprKind::CompoundAssign(_, place, v) => {
                let vv = self.expr(*v, div);
                match place {
                    Place::Local(l) => {
                        let compound = matches!(x.kind, ExprKind::CompoundAssign(..));
                        let cur = if compound { self.local_level(*l) } else { None };
                        let ctl = self
                            .effective(div)
                            .map(|(lv, d)| (lv, format!("an assignment in divergent control ({d})")));
                        let v = join(join(vv, cur), ctl);
                        self.mark_local(*l, v);
                    }
                    Place::Index(_, i) => {
                        self.expr(*i, div);
                    }
                    Place::Elem(l, i, j) => {
                        // An element of a local array: the array is as varying as the value, the index and the
                        // control.
                        let vi = self.expr(*i, div);
                        let vj = j.and_then(|j| self.expr(j, div));
                        let cur = self.local_level(*l);
                        let ctl = self
                            .effective(div)
                            .map(|(lv, d)| (lv, format!("an assignment in divergent control ({d})")));
                        let v = join(join(join(vv, cur), join(vi, vj)), ctl);
                        self.mark_local(*l, v);
                    }
                }
                None
            }
            ExprKind::Method(_, r, args) => {
                let v = self.expr(*r, div);
                let va = self.exprs(args, div);
                join(v, va)
            }
            ExprKind::If(c, then, else_) => {
                let vc = self.expr(*c, div);
                let cond = vc
                    .clone()
                    .map(|(lv, why)| (lv, format!("the `if` condition at {} depends on {why}", at(span.start))));
                let inner = join(div.clone(), cond);
                let vt = self.block(then, &inner);
                let ve = else_.and_then(|e| self.expr(e, &inner));
                join(vc, join(vt, ve))
            }
            ExprKind::While(lp, c, blk) => {
                self.looped(*lp, div, &mut |u, d| {
                    let vc = u.expr(*c, d);
                    let cond = vc
                        .map(|(lv, why)| (lv, format!("the `while` condition at {} depends on {why}", at(span.start))));
                    let inner = join(d.clone(), cond);
                    u.block(blk, &inner);
                });
                None
            }
            ExprKind::Loop(lp, blk) => {
                self.looped(*lp, div, &mut |u, d| {
                    u.block(blk, d);
                });
                None
            }
            ExprKind::For(f) => {
                let mut vb = self.expr(f.start, div);
                let ve = self.expr(f.end, div);
                vb = join(vb, ve);
                if let Some(s) = f.step {
                    let vs = self.expr(s, div);
                    vb = join(vb, vs);
                }
                let bounds = vb.map(|(lv, why)| {
                    (lv, format!("the bounds of the `for` loop at {} depend on {why}", at(span.start)))
                });
                if let Some(v) = f.var {
                    self.mark_local(v, bounds.clone());
                }
                self.looped(f.id, div, &mut |u, d| {
                    let inner = join(d.clone(), bounds.clone());
                    u.block(&f.body, &inner);
                });
                None
            }
            ExprKind::Break(_) | ExprKind::Continue(_) | ExprKind::Return => {
                if let Some((lv, d)) = self.effective(div) {
                    let (rejoin, what) = match x.kind {
                        ExprKind::Break(lp) => (Rejoin::AfterLoop(lp), "a `break`"),
                        ExprKind::Continue(lp) => (Rejoin::NextIteration(lp), "a `continue`"),
                        _ => (Rejoin::Never, "an early `return`"),
                    };
                    let why = format!("{what} at {} is taken by some threads only ({d})", at(span.start));
                    self.left.push((rejoin, lv, why));
                }
                None
            }
            ExprKind::Block(blk) => self.block(blk, div),
        }
    }

    /// Walks a loop body with `walk`; when threads leave the loop (or the kernel) in divergent control, later
    /// iterations run with fewer threads: the body is walked again as divergent.
    fn looped(&mut self, lp: LoopId, div: &Lv, walk: &mut dyn FnMut(&mut Self, &Lv)) {
        let mark = self.left.len();
        walk(self, div);
        let leaving = self.left[mark..]
            .iter()
            .filter(|(r, _, _)| *r != Rejoin::NextIteration(lp))
            .max_by_key(|(_, l, _)| *l)
            .map(|(_, l, why)| (*l, why.clone()));
        // `continue`s rejoin at the next iteration.
        self.left.retain(|(r, _, _)| *r != Rejoin::NextIteration(lp));
        if let Some((lv, why)) = leaving {
            let again = Some((lv, format!("{why}, so later iterations of the loop run with fewer threads")));
            if join(self.effective(div), again.clone()) != self.effective(div) {
                let mark = self.left.len();
                let d = join(div.clone(), again);
                walk(self, &d);
                self.left.truncate(mark);
            }
        }
        // Threads that broke out of this loop rejoin after it.
        self.left.retain(|(r, _, _)| *r != Rejoin::AfterLoop(lp) && *r != Rejoin::NextIteration(lp));
    }
}

fn dim(d: ptx_gen::Dim) -> &'static str {
    match d {
        ptx_gen::Dim::X => "x",
        ptx_gen::Dim::Y => "y",
        ptx_gen::Dim::Z => "z",
    }
}
