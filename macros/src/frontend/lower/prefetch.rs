//! Early loads in unrolled loops.
//!
//! A copy of an unrolled loop body that reads a read-only slice and then stores what it read, e.g. the tile loop of
//! a transpose,
//!
//! ```text
//! for j in (0..32).step_by(8) { if x < w && y + j < h { tile[..] = input[(y + j) * w + x]; } }
//! ```
//!
//! is a chain of `check; ld; check; st` per copy. The GPU issues in order, so each `st` waits for its `ld`, and
//! ptxas neither moves the next copy's `ld` above that `st` (the bounds checks are branches to the panic path) nor
//! if-converts the copies: one load in flight per thread where NVCC has all of them. So before the first copy,
//! the loads of every copy whose index (and enclosing `if` conditions) can be computed there are issued up front,
//! each as `if guard && index < len { r = ld [..] }` (a branch ptxas turns into a predicated load), and the copy
//! then uses `r` instead of loading. Reads in value position are found too: in `dst = if c { x[i] } else { v }`
//! (or `let d = …`) the `then` reads are guarded by `c`, the `else` reads by `!c`, like statements' `if`s. When such
//! an `if`'s `then` is pure arithmetic on early reads and its `else` pure arithmetic without reads, the copy lowers
//! it as a select: its checks fail on `c && index >= len` (same site, same index), then `selp(c, then, else)`, so
//! ptxas sees no branch around the arms (see [`Lowerer::select_early`]).
//!
//! Semantics are unchanged: the slice is a `&[T]`, which nothing can write during the launch (it cannot alias a
//! `&mut [T]`), so the value read early is the value the copy would read; the early load is only made when the
//! index is in bounds, so it cannot fault; and the copy still evaluates the index and checks it where it did (a
//! failing check panics at the same place, with the same values). What is computed early is pure and cannot fail
//! (no division, no memory, no calls other than `lane_id`/`warp_id`), from constants, the loop variable and
//! locals that nothing in the loop assigns.
//!
//! The same walk over the copies hoists the bounds checks of a `while` unrolled with a run-time trip count to the
//! top of each round ([`Lowerer::round_checks`], see `unroll`).

use std::collections::{HashMap, HashSet};

use ptx_gen::{BinOp, CmpOp, Mode, Operand, Reg, StateSpace, Type};

use super::super::hir::*;
use super::super::types::ScalarTy;
use super::{Lowerer, MemLoc, Val};

/// The most loads issued early for one unrolled loop (all copies together): each holds a register until its copy.
const MAX_EARLY_LOADS: usize = 16;
/// The most bounds checks hoisted to the top of a round of an unrolled `while` (all copies together).
const MAX_HOISTED_CHECKS: usize = 16;
/// The most expressions an index or a condition computed early may have.
const MAX_EARLY_EXPR: usize = 24;

/// What the loop body declares and assigns, for deciding which locals have their final value before it.
struct BodyLocals {
    declared: HashSet<LocalId>,
    assigned: HashSet<LocalId>,
}

impl BodyLocals {
    fn of(body: &Body, blk: &Block, var: Option<LocalId>, first: u32, end: u32) -> BodyLocals {
        let mut declared = HashSet::new();
        let mut assigned = HashSet::new();
        let block = |b: &Block, declared: &mut HashSet<LocalId>| {
            for s in &b.stmts {
                if let Stmt::Let { local: Some(l), .. } = s {
                    declared.insert(*l);
                }
            }
        };
        block(blk, &mut declared);
        declared.extend(var);
        for e in body.exprs.get(first as usize..end as usize).unwrap_or(&[]) {
            match &e.kind {
                ExprKind::Block(b) | ExprKind::While(_, _, b) | ExprKind::Loop(_, b) => block(b, &mut declared),
                ExprKind::If(_, b, _) => block(b, &mut declared),
                ExprKind::For(fl) => {
                    declared.extend(fl.var);
                    block(&fl.body, &mut declared);
                }
                ExprKind::Inline(inl) => {
                    declared.extend(inl.params.iter().map(|(l, _)| *l));
                    block(&inl.body, &mut declared);
                }
                ExprKind::Assign(Place::Local(l) | Place::Elem(l, ..), _)
                | ExprKind::CompoundAssign(_, Place::Local(l) | Place::Elem(l, ..), _) => {
                    assigned.insert(*l);
                }
                _ => {}
            }
        }
        BodyLocals { declared, assigned }
    }
}

/// The state of the walk over one copy.
struct Walk<'w> {
    locals: &'w BodyLocals,
    var: Option<LocalId>,
    /// Whether the loop variable's value is known where the reads are (bound by the caller for this copy).
    var_known: bool,
    /// Locals of the body bound by this walk (immutable `let`s computed early).
    bound: HashSet<LocalId>,
    /// Early loads made for this copy, by index expression id.
    loads: HashMap<u32, Early>,
    /// Hoisting the copy's bounds checks instead of loading (see [`Lowerer::round_checks`]): the index expressions
    /// whose check is made here, and for each, when it fails.
    checks: Option<(Vec<ExprId>, Vec<Reg>)>,
}

/// A load made before an unrolled loop's copies: its value, its index and `index >= len`, which the copy uses
/// for its bounds check instead of computing them again.
#[derive(Clone, Copy, Debug)]
pub(in super::super) struct Early {
    pub value: Reg,
    pub index: Reg,
    /// `None` when the access was proven in bounds.
    pub oob: Option<Reg>,
}

impl Lowerer<'_, '_, '_> {
    /// Issues the early loads of every copy of the unrolled loop `f` (one copy per value of `values`, of type `t`;
    /// `first..id` are the ids of the body's expressions); returns, per copy, the registers by index expression.
    pub(super) fn early_loads(
        &mut self,
        f: &ForLoop,
        values: &[i128],
        t: ScalarTy,
        first: u32,
        id: ExprId,
    ) -> Vec<HashMap<u32, Early>> {
        let mut out = vec![HashMap::new(); values.len()];
        if values.len() < 2 {
            return out;
        }
        // Nothing to do (and nothing computed in vain) without a read of a read-only slice in the body.
        let reads = self.body.exprs.get(first as usize..id.0 as usize).unwrap_or(&[]).iter().any(|e| {
            matches!(e.kind, ExprKind::Index(Base::Slice(s), _)
                if self.slices.get(s.0 as usize).is_some_and(|sl| !sl.mutable && sl.lanes == 0))
        });
        if !reads {
            return out;
        }
        let locals = BodyLocals::of(self.body, &f.body, f.var, first, id.0);
        let var_known = f.var.is_some_and(|v| !locals.assigned.contains(&v));
        let saved = self.locals.clone();
        let mut budget = MAX_EARLY_LOADS;
        for (k, v) in values.iter().enumerate() {
            if budget == 0 {
                break;
            }
            if let (Some(var), true) = (f.var, var_known) {
                let c = super::consts::imm(super::consts::HostVal::Int(*v), t);
                self.locals[var.0 as usize] = Some(Val::Scalar(c, t));
            }
            let mut w = Walk {
                locals: &locals,
                var: f.var,
                var_known,
                bound: HashSet::new(),
                loads: HashMap::new(),
                checks: None,
            };
            self.walk_block(&f.body, None, &mut w, &mut budget);
            out[k] = w.loads;
        }
        self.locals = saved;
        self.loc(id);
        out
    }

    /// The bounds checks of the `count` copies of a `while` unrolled by [`Lowerer::dyn_unrolled_while`]
    /// (condition `c`, body `blk` with the expressions `first..id`), made at the top of a round where the counter
    /// `v` holds `v0`: in copy `j`, `v` is `v0 + j * step` (no wrap: the round's guard) until its update, the
    /// copy's last statement, and the loop condition holds. Every access of a slice (read, store, intrinsic on a
    /// place) whose index (and enclosing `if` conditions) can be computed there is checked there, under its
    /// conditions. Returns, per copy, the index expressions checked, and when one of the checks fails (`None`:
    /// none made). See `unroll` for how the round uses them.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn round_checks(
        &mut self,
        blk: &Block,
        c: ExprId,
        (v, v0): (LocalId, Reg),
        step: Operand,
        t: ScalarTy,
        count: usize,
        first: u32,
        id: ExprId,
    ) -> (Vec<Vec<ExprId>>, Option<Reg>) {
        let mut out = vec![Vec::new(); count];
        if !self.safety.options.bounds_checks {
            return (out, None);
        }
        let locals = BodyLocals::of(self.body, blk, Some(v), first, id.0);
        let saved = self.locals.clone();
        let mut budget = MAX_HOISTED_CHECKS;
        let mut cur = Operand::Reg(v0);
        let mut fails: Vec<Reg> = Vec::new();
        for (k, ids) in out.iter_mut().enumerate() {
            if budget == 0 {
                break;
            }
            if k > 0 {
                cur = Operand::Reg(self.b.ins().add(t.reg_type(), Mode::None, cur, step));
            }
            self.locals[v.0 as usize] = Some(Val::Scalar(cur, t));
            let mut w = Walk {
                locals: &locals,
                var: Some(v),
                var_known: true,
                bound: HashSet::new(),
                loads: HashMap::new(),
                checks: Some((Vec::new(), Vec::new())),
            };
            let facts = self.facts_mark();
            self.assume(c, false);
            self.walk_block(blk, None, &mut w, &mut budget);
            self.restore_facts(facts);
            if let Some((checked, f)) = w.checks {
                *ids = checked;
                fails.extend(f);
            }
        }
        self.locals = saved;
        let fail = fails.into_iter().reduce(|a, b| self.b.ins().binary(BinOp::Or, Mode::None, Type::Pred, a, b));
        self.loc(id);
        (out, fail)
    }

    /// [`Lowerer::early_sites`] when hoisting checks: the accesses of slices in `e` (not inside its blocks) whose
    /// index can be computed here and that nothing proves, checked here (`guard && index >= len`).
    fn check_sites(&mut self, e: ExprId, guard: Option<Reg>, w: &mut Walk, budget: &mut usize) {
        let body = self.body;
        let mut sites = Vec::new();
        super::visit_ids(body, e, &mut |_, k| match k {
            ExprKind::Index(Base::Slice(s), i)
            | ExprKind::Assign(Place::Index(Base::Slice(s), i), _)
            | ExprKind::CompoundAssign(_, Place::Index(Base::Slice(s), i), _)
            | ExprKind::MemCall(_, Base::Slice(s), i, _) => sites.push((*s, *i)),
            _ => {}
        });
        for (s, i) in sites {
            if *budget == 0 {
                return;
            }
            if w.checks.as_ref().is_some_and(|(ids, _)| ids.contains(&i))
                || body.unchecked.contains(&i)
                || self.proven(Base::Slice(s), i)
                || !self.speculatable(i, w)
            {
                continue;
            }
            let Some(sl) = self.slices.get(s.0 as usize).copied() else { continue };
            let v = self.expr(i);
            let Some((iv, _)) = self.scalar(v, i) else { continue };
            // The comparison the access's own check would make.
            let oob = self.b.ins().setp(CmpOp::Le, Type::U64, sl.len, iv);
            let fail = match guard {
                Some(g) => self.b.ins().binary(BinOp::And, Mode::None, Type::Pred, g, oob),
                None => oob,
            };
            if let Some((ids, fails)) = w.checks.as_mut() {
                ids.push(i);
                fails.push(fail);
            }
            *budget -= 1;
        }
    }

    /// Walks a block of a copy in order; returns false when the rest of the enclosing block is not reached.
    fn walk_block(&mut self, blk: &Block, guard: Option<Reg>, w: &mut Walk, budget: &mut usize) -> bool {
        for s in &blk.stmts {
            match s {
                Stmt::Let { local, init } => {
                    if let Some(e) = init {
                        self.early_sites(*e, guard, w, budget);
                    }
                    if let (Some(l), Some(e)) = (local, init) {
                        if !self.body.local(*l).mutable
                            && matches!(self.types.local(*l), super::super::types::Ty::Scalar(_))
                            && self.speculatable(*e, w)
                        {
                            self.let_stmt(Some(*l), Some(*e));
                            w.bound.insert(*l);
                            if w.checks.is_some() {
                                // What the copy will know of `l` (inside a loop version's window), so that a check
                                // the copy elides is not made here (the facts are restored after the copy's walk).
                                self.assume_let(*l, *e);
                            }
                        }
                    }
                }
                Stmt::Expr(e) => {
                    if !self.walk_expr(*e, guard, w, budget) {
                        return false;
                    }
                }
            }
        }
        match blk.tail {
            Some(t) => self.walk_expr(t, guard, w, budget),
            None => true,
        }
    }

    /// A statement expression of a copy; false when what follows it is not reached.
    fn walk_expr(&mut self, e: ExprId, guard: Option<Reg>, w: &mut Walk, budget: &mut usize) -> bool {
        let body = self.body;
        match &body.expr(e).kind {
            ExprKind::If(c, then, els) => {
                self.early_sites(*c, guard, w, budget);
                if self.speculatable(*c, w) {
                    let v = self.expr(*c);
                    if let Some((op, _)) = self.scalar(v, *c) {
                        let p = self.pred(op);
                        let g = match guard {
                            Some(g) => self.b.ins().binary(BinOp::And, Mode::None, Type::Pred, g, p),
                            None => p,
                        };
                        // What the condition proves holds where the loads it guards are made (its locals keep
                        // their values through the loop: nothing kills these facts before the copy's access).
                        let facts = self.facts_mark();
                        self.assume(*c, false);
                        self.walk_block(then, Some(g), w, budget);
                        self.restore_facts(facts);
                        // The `else` (a block or another `if`) under `!c`.
                        if let Some(els) = els {
                            let np = self.b.ins().unary(ptx_gen::UnOp::Not, Mode::None, Type::Pred, p);
                            let g = match guard {
                                Some(g) => self.b.ins().binary(BinOp::And, Mode::None, Type::Pred, g, np),
                                None => np,
                            };
                            let facts = self.facts_mark();
                            self.assume(*c, true);
                            self.walk_expr(*els, Some(g), w, budget);
                            self.restore_facts(facts);
                        }
                    }
                }
                true
            }
            ExprKind::Block(b) => self.walk_block(b, guard, w, budget),
            ExprKind::Break(_) | ExprKind::Continue(_) | ExprKind::Return | ExprKind::FrameReturn(..) => false,
            ExprKind::While(..) | ExprKind::Loop(..) | ExprKind::For(_) | ExprKind::Inline(_) => true,
            _ => {
                self.early_sites(e, guard, w, budget);
                true
            }
        }
    }

    /// Issues early loads for the reads of read-only slices in `e` (not inside its blocks) whose index can be
    /// computed here.
    fn early_sites(&mut self, e: ExprId, guard: Option<Reg>, w: &mut Walk, budget: &mut usize) {
        if w.checks.is_some() {
            return self.check_sites(e, guard, w, budget);
        }
        let body = self.body;
        let mut sites = Vec::new();
        // `if`s and blocks in value position (`dst = if c { x[i] } else { 0.0 }`): walked like statements below,
        // their reads under their conditions.
        let mut nested = Vec::new();
        super::visit_ids(body, e, &mut |id, k| match k {
            ExprKind::Index(Base::Slice(s), i) => sites.push((id, *s, *i)),
            ExprKind::If(..) | ExprKind::Block(_) => nested.push(id),
            _ => {}
        });
        for (id, s, i) in sites {
            if *budget == 0 {
                return;
            }
            if w.loads.contains_key(&id.0) {
                continue;
            }
            let Some(sl) = self.slices.get(s.0 as usize).copied() else { continue };
            if sl.mutable || sl.lanes > 0 || sl.elem == ScalarTy::Bool || !self.speculatable(i, w) {
                continue;
            }
            let v = self.expr(i);
            let Some((iv, _)) = self.scalar(v, i) else { continue };
            let iv = self.reg(iv, ScalarTy::Usize);
            // The same comparison as the copy's bounds check would make (which then uses this one); none when the
            // guard proves the access.
            let oob = if self.proven(Base::Slice(s), i) {
                None
            } else {
                Some(self.b.ins().setp(CmpOp::Le, Type::U64, sl.len, iv))
            };
            let inb = oob.map(|o| self.b.ins().unary(ptx_gen::UnOp::Not, Mode::None, Type::Pred, o));
            let p = match (guard, inb) {
                (Some(g), Some(n)) => Some(self.b.ins().binary(BinOp::And, Mode::None, Type::Pred, g, n)),
                (g, n) => g.or(n),
            };
            let r = self.b.ins().mov(sl.elem.reg_type(), Operand::Imm(ptx_gen::Imm(0)));
            let load = self.b.create_block();
            let join = self.b.create_block();
            match p {
                Some(p) => self.b.branch(p, load, join),
                None => self.b.jump(load),
            }
            self.open(load);
            let size = sl.elem.mem_size() as u64;
            let off = if size == 1 {
                iv
            } else {
                self.b.ins().binary(BinOp::Shl, Mode::None, Type::B64, iv, Operand::u32(size.trailing_zeros()))
            };
            let a = self.b.ins().add(Type::S64, Mode::None, sl.base, off);
            let ml = MemLoc { space: StateSpace::Global, elem: sl.elem, nc: true, lanes: 0 };
            let x = self.load(ml, ptx_gen::Address::reg(a));
            self.b.ins().mov_to(r, x);
            self.b.jump(join);
            self.open(join);
            w.loads.insert(id.0, Early { value: r, index: iv, oob });
            *budget -= 1;
        }
        for n in nested {
            if *budget == 0 {
                return;
            }
            // Whether what follows is reached does not matter here: the loads are in bounds, and only made early.
            self.walk_expr(n, guard, w, budget);
        }
    }

    /// In a copy, `if c { f(x[i]) } else { v }` in value position whose reads were all loaded early, `f` and `v`
    /// pure expressions that cannot fail (no division, no other reads): lowered as `c && i >= len` → panic (the
    /// read's own check, at its site, with its index), then `selp(c, f(r), v)`, without branches around the arms.
    /// The same panics in the same order (`c` is evaluated first; the check fails exactly when `c` holds and the
    /// index is out of bounds); both arms are computed, which only reads registers (the early value is 0 where it
    /// was not loaded). `None` (nothing lowered) otherwise.
    pub(super) fn select_early(
        &mut self,
        cv: Val,
        c: ExprId,
        then: &Block,
        els: Option<ExprId>,
        id: ExprId,
    ) -> Option<Val> {
        if self.prefetched.is_empty() || !then.stmts.is_empty() || self.check_guard.is_some() {
            return None;
        }
        let t = self.ty(id).scalar().filter(|t| *t != ScalarTy::Bool && !t.is_half())?;
        let tail = then.tail?;
        let els_tail = match &self.body.expr(els?).kind {
            ExprKind::Block(b) if b.stmts.is_empty() => b.tail?,
            _ => return None,
        };
        // Only pure, failure-free arithmetic; reads only in the `then` arm, each loaded early.
        let simple = |e: ExprId, reads: bool| {
            let mut ok = true;
            let mut any = false;
            super::visit_ids(self.body, e, &mut |id, k| match k {
                ExprKind::Lit(_)
                | ExprKind::Const(..)
                | ExprKind::Local(_)
                | ExprKind::Unary(..)
                | ExprKind::Cast(..) => {}
                ExprKind::Binary(op, ..) if !matches!(op, BinaryOp::Div | BinaryOp::Rem) => {}
                ExprKind::Index(Base::Slice(_), _) if reads && self.prefetched.contains_key(&id.0) => any = true,
                _ => ok = false,
            });
            ok && (any || !reads)
        };
        if !simple(tail, true) || !simple(els_tail, false) {
            return None;
        }
        let Val::Scalar(Operand::Reg(p), _) = cv else { return None };
        let facts = self.facts_mark();
        self.assume(c, false);
        self.check_guard = Some(p);
        let tv = self.expr(tail);
        self.check_guard = None;
        self.restore_facts(facts);
        self.assume(c, true);
        let ev = self.expr(els_tail);
        self.restore_facts(facts);
        self.loc(id);
        let (Some((a, _)), Some((b, _))) = (self.scalar(tv, tail), self.scalar(ev, els_tail)) else {
            return Some(Val::Unit);
        };
        Some(Val::Scalar(Operand::Reg(self.b.ins().selp(t.reg_type(), a, b, p)), t))
    }

    /// Whether `e` can be computed before the loop's copies: small, pure, unable to fail, and reading only
    /// constants, the loop variable and locals with their final value (see the module doc).
    fn speculatable(&self, e: ExprId, w: &Walk) -> bool {
        let mut count = 0usize;
        let mut ok = true;
        super::visit_ids(self.body, e, &mut |_, k| {
            count += 1;
            match k {
                ExprKind::Lit(_)
                | ExprKind::Const(..)
                | ExprKind::Unary(..)
                | ExprKind::Cast(..)
                | ExprKind::Len(_)
                | ExprKind::Logical(..)
                | ExprKind::Intrinsic(
                    Intrinsic::ThreadIdx(_)
                    | Intrinsic::BlockIdx(_)
                    | Intrinsic::BlockDim(_)
                    | Intrinsic::GridDim(_)
                    | Intrinsic::GlobalIdxX,
                ) => {}
                ExprKind::Call(c, args) if args.is_empty() && !c.has_effect() => {}
                ExprKind::Binary(op, ..) if !matches!(op, BinaryOp::Div | BinaryOp::Rem) => {}
                ExprKind::Local(l) => {
                    let known = if Some(*l) == w.var {
                        w.var_known
                    } else if w.locals.declared.contains(l) {
                        w.bound.contains(l)
                    } else {
                        !w.locals.assigned.contains(l)
                    };
                    let scalar = matches!(self.locals.get(l.0 as usize), Some(Some(Val::Scalar(..))));
                    if !(known && scalar) {
                        ok = false;
                    }
                }
                _ => ok = false,
            }
        });
        ok && count <= MAX_EARLY_EXPR
    }
}
