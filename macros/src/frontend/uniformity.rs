//! The uniformity check: block- and warp-collective operations (`gpu::sync_threads()`, …) must not sit in control
//! flow that depends on thread-varying values.
//!
//! `bar.sync` waits until every (non-exited) thread of the block has arrived; if only some threads take the path to
//! it, the block deadlocks or the behaviour is undefined. So a collective is a compile error where the threads of a
//! block may disagree on whether it runs.
//!
//! # The analysis
//!
//! A forward dataflow analysis on the HIR, iterated to a fixed point over the locals:
//! - **Varying values**: `gpu::thread_idx_*()`, `gpu::global_idx_x()`, every value loaded from memory (`x[i]`,
//!   whatever `i` is), and anything computed from a varying value (operators, casts, methods, `if` expressions with a
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

use std::fmt::Write as _;

use proc_macro2::Span;

use super::diag::{Errors, SpanRange};
use super::hir::*;

/// Reports every collective in divergent control.
pub fn check_uniformity(body: &Body, errors: &mut Errors) {
    let mut u = Uniformity {
        body,
        varying: vec![None; body.locals.len()],
        changed: false,
        left: Vec::new(),
        report: false,
        reported: Vec::new(),
    };
    // Fixed point over the locals (each round can only add varying locals).
    for _ in 0..=body.locals.len() + 1 {
        u.changed = false;
        u.left.clear();
        u.block(&body.block, None);
        if !u.changed {
            break;
        }
    }
    u.report = true;
    u.left.clear();
    u.block(&body.block, None);
    for (span, msg) in u.reported {
        errors.at(span, msg);
    }
}

/// Why control is divergent here.
type Reason = Option<String>;

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
    /// Per local: why it is varying (`None`: uniform so far).
    varying: Vec<Option<String>>,
    changed: bool,
    /// Threads that left the current region early and where they rejoin.
    left: Vec<(Rejoin, String)>,
    report: bool,
    reported: Vec<(SpanRange, String)>,
}

fn at(span: Span) -> String {
    let s = span.start();
    format!("{}:{}", s.line, s.column + 1)
}

/// The collectives: operations every thread of the block (or warp) must reach together.
fn collective_name(i: Intrinsic) -> Option<&'static str> {
    match i {
        Intrinsic::SyncThreads => Some("gpu::sync_threads()"),
        _ => None,
    }
}

impl Uniformity<'_> {
    /// The divergence in effect: the one passed down, or threads that left earlier.
    fn effective(&self, div: &Reason) -> Reason {
        div.clone().or_else(|| self.left.first().map(|(_, r)| r.clone()))
    }

    fn mark_local(&mut self, l: LocalId, why: String) {
        if let Some(slot) = self.varying.get_mut(l.0 as usize) {
            if slot.is_none() {
                *slot = Some(why);
                self.changed = true;
            }
        }
    }

    fn local_reason(&self, l: LocalId) -> Option<String> {
        self.varying.get(l.0 as usize).cloned().flatten().map(|why| {
            let name = &self.body.local(l).name;
            // Name the variable and, briefly, its origin.
            if why.starts_with('`') && why.contains("(which") {
                format!("`{name}`")
            } else {
                format!("`{name}` (which depends on {why})")
            }
        })
    }

    fn block(&mut self, blk: &Block, div: Reason) -> Option<String> {
        for s in &blk.stmts {
            match s {
                Stmt::Let { local, init } => {
                    let v = init.and_then(|i| self.expr(i, &div));
                    if let (Some(l), Some(why)) = (local, v) {
                        self.mark_local(*l, why);
                    }
                }
                Stmt::Expr(e) => {
                    self.expr(*e, &div);
                }
            }
        }
        blk.tail.and_then(|t| self.expr(t, &div))
    }

    /// Walks `e` in control `div`; returns why its value is varying (`None`: uniform).
    fn expr(&mut self, e: ExprId, div: &Reason) -> Option<String> {
        let body = self.body;
        let Some(x) = body.exprs.get(e.0 as usize) else { return None };
        let span = x.span;
        match &x.kind {
            ExprKind::Error | ExprKind::Unit | ExprKind::Lit(_) | ExprKind::Const(..) | ExprKind::Len(_) => None,
            ExprKind::Local(l) => self.local_reason(*l),
            ExprKind::Intrinsic(i) => {
                if let Some(name) = collective_name(*i) {
                    if let (true, Some(why)) = (self.report, self.effective(div)) {
                        let mut msg = String::new();
                        let _ = write!(
                            msg,
                            "`{name}` is reached in control flow that depends on a thread-varying value: {why}. \
                             Every thread of the block must reach it together (or none may), else the block \
                             deadlocks or the result is undefined; move it out of the conditional code, or branch \
                             only on uniform values (parameters, `gpu::block_idx_*()`, `block_dim_*()`, \
                             `grid_dim_*()`, `x.len()`, constants, and loop counters with uniform bounds)"
                        );
                        if !self.reported.iter().any(|(s, _)| s.start.start() == span.start.start()) {
                            self.reported.push((span, msg));
                        }
                    }
                    return None;
                }
                match i {
                    Intrinsic::ThreadIdx(d) => Some(format!("`gpu::thread_idx_{}()`", dim(*d))),
                    Intrinsic::GlobalIdxX => Some("`gpu::global_idx_x()`".into()),
                    _ => None,
                }
            }
            ExprKind::Index(_, i) => {
                self.expr(*i, div);
                Some("data loaded from memory".into())
            }
            ExprKind::Unary(_, a) | ExprKind::Cast(a, _) => self.expr(*a, div),
            ExprKind::Binary(_, a, b) => {
                let va = self.expr(*a, div);
                let vb = self.expr(*b, div);
                va.or(vb)
            }
            ExprKind::Logical(op, a, b) => {
                let va = self.expr(*a, div);
                let inner = match (&va, self.effective(div)) {
                    (_, Some(d)) => Some(d),
                    (Some(why), None) => Some(format!(
                        "the left operand of `{}` at {} depends on {why}",
                        if *op == LogicalOp::And { "&&" } else { "||" },
                        at(span.start)
                    )),
                    (None, None) => None,
                };
                let vb = self.expr(*b, &inner);
                va.or(vb)
            }
            ExprKind::Assign(place, v) | ExprKind::CompoundAssign(_, place, v) => {
                let vv = self.expr(*v, div);
                match place {
                    Place::Local(l) => {
                        let compound = matches!(x.kind, ExprKind::CompoundAssign(..));
                        let cur = if compound { self.local_reason(*l) } else { None };
                        let why = vv.or(cur).or_else(|| {
                            self.effective(div).map(|d| format!("an assignment in divergent control ({d})"))
                        });
                        if let Some(why) = why {
                            self.mark_local(*l, why);
                        }
                    }
                    Place::Index(_, i) => {
                        self.expr(*i, div);
                    }
                }
                None
            }
            ExprKind::Method(_, r, args) => {
                let mut v = self.expr(*r, div);
                for a in args {
                    let va = self.expr(*a, div);
                    v = v.or(va);
                }
                v
            }
            ExprKind::If(c, then, else_) => {
                let vc = self.expr(*c, div);
                let inner = self.effective(div).or_else(|| {
                    vc.as_ref().map(|why| format!("the `if` condition at {} depends on {why}", at(span.start)))
                });
                let vt = self.block(then, inner.clone());
                let ve = else_.and_then(|e| self.expr(e, &inner));
                vc.or(vt).or(ve)
            }
            ExprKind::While(lp, c, blk) => {
                self.looped(*lp, div, |u, d| {
                    let vc = u.expr(*c, d);
                    let inner = d.clone().or_else(|| {
                        vc.map(|why| format!("the `while` condition at {} depends on {why}", at(span.start)))
                    });
                    u.block(blk, inner);
                });
                None
            }
            ExprKind::Loop(lp, blk) => {
                self.looped(*lp, div, |u, d| {
                    u.block(blk, d.clone());
                });
                None
            }
            ExprKind::For(f) => {
                let mut vb = self.expr(f.start, div);
                let ve = self.expr(f.end, div);
                vb = vb.or(ve);
                if let Some(s) = f.step {
                    let vs = self.expr(s, div);
                    vb = vb.or(vs);
                }
                let bounds = vb.map(|why| format!("the bounds of the `for` loop at {} depend on {why}", at(span.start)));
                if let (Some(v), Some(why)) = (f.var, bounds.clone()) {
                    self.mark_local(v, why);
                }
                self.looped(f.id, div, |u, d| {
                    let inner = d.clone().or_else(|| bounds.clone());
                    u.block(&f.body, inner);
                });
                None
            }
            ExprKind::Break(_) | ExprKind::Continue(_) | ExprKind::Return => {
                if let Some(d) = self.effective(div) {
                    let (rejoin, what) = match x.kind {
                        ExprKind::Break(lp) => (Rejoin::AfterLoop(lp), "a `break`"),
                        ExprKind::Continue(lp) => (Rejoin::NextIteration(lp), "a `continue`"),
                        _ => (Rejoin::Never, "an early `return`"),
                    };
                    let why = format!("{what} at {} is taken by some threads only ({d})", at(span.start));
                    self.left.push((rejoin, why));
                }
                None
            }
            ExprKind::Block(blk) => self.block(blk, div.clone()),
        }
    }

    /// Walks a loop body with `walk`; when threads leave the loop (or the kernel) in divergent control, later
    /// iterations run with fewer threads: the body is walked again as divergent.
    fn looped(&mut self, lp: LoopId, div: &Reason, walk: impl Fn(&mut Self, &Reason)) {
        let mark = self.left.len();
        walk(self, div);
        let leaving = self.left[mark..]
            .iter()
            .find(|(r, _)| *r != Rejoin::NextIteration(lp))
            .map(|(_, why)| why.clone());
        // `continue`s rejoin at the next iteration.
        self.left.retain(|(r, _)| *r != Rejoin::NextIteration(lp));
        if let (Some(why), None) = (leaving, self.effective(div)) {
            let again = Some(format!("{why}, so later iterations of the loop run with fewer threads"));
            let mark = self.left.len();
            walk(self, &again);
            self.left.truncate(mark);
        }
        // Threads that broke out of this loop rejoin after it.
        self.left.retain(|(r, _)| *r != Rejoin::AfterLoop(lp) && *r != Rejoin::NextIteration(lp));
    }
}

fn dim(d: ptx_gen::Dim) -> &'static str {
    match d {
        ptx_gen::Dim::X => "x",
        ptx_gen::Dim::Y => "y",
        ptx_gen::Dim::Z => "z",
    }
}
