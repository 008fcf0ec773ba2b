//! Two versions of a loop whose bounds checks one test before it proves.
//!
//! A strided loop over a row, `while c < cols { … x[row + c as usize] …; c += step }`, checks
//! `row + c < x.len()` on every iteration, which NVCC's version does not have to: 5 SASS instructions out of ~90
//! per element of softmax's loops. But while `c < cols` holds (the loop condition, until `c` is assigned), the
//! index is below `row + cols`; so when `row + cols <= x.len()` (tested once before the loop, without overflow)
//! no access `x[row + c]` of the loop can fail. The loop is then lowered twice: a version without those checks,
//! run when the test passes, and the loop as it is (checks and all) otherwise, so a failing access still panics
//! where and when it did. `row` and `cols` must not change in the loop (not assigned in it, not declared in it,
//! pure and unable to fail), and `c` must be unsigned.
//!
//! What the fast version knows is a [`Window`](super::checks::Window) `(x, row, cols)`; the loop condition gives
//! the fact `c < cols`, which dies at `c`'s assignment as every fact on a `mut` local does; `x[row + c as usize]`,
//! and `x[i]` after `let i = row + c as usize`, are then proven (`checks::in_window`).
//!
//! Unrolled `for` loops get two versions on the same principle for two other kinds of accesses (a tiled
//! transpose has both):
//! - row-major 2-D accesses `x[y * w + c]` under guards `y < h` and `c < w` in the loop, `w` and `h` invariant
//!   unsigned values of at most 32 bits: a [`Grid`](super::checks::Grid), proven when `h * w <= x.len()`;
//! - indices that only grow with the thread indices and the loop variable (`+`, `*`, `<< k` and widening casts
//!   of those, literals and invariant `usize` values, nothing able to wrap: [`Lowerer::mono_bound`]), e.g.
//!   `tile[(ty + j) as usize][tx as usize]`: proven when the index at `%tid = %ntid - 1` and the last value of
//!   the loop variable is below the length ([`Lowerer::mono_max`]); for a shared tile that is a test on the
//!   block's size, which every launch with the intended block passes.

use std::collections::{HashMap, HashSet};

use ptx_gen::{BinOp, CmpOp, Mode, Operand, Type};

use super::super::hir::*;
use super::super::types::{ScalarTy, Ty};
use super::checks::{assigned_locals, Grid, Window};
use super::{is_cheap_and_safe, Lowerer, Val, MATH_WEIGHT};

/// The largest loop body (in expressions, a transcendental method counting [`MATH_WEIGHT`], times the copies of
/// enclosing unrolled loops) lowered twice.
const MAX_VERSIONED: u64 = 1024;
/// The most windows (distinct slices and offsets) one test may cover.
const MAX_WINDOWS: usize = 4;

impl Lowerer<'_, '_, '_> {
    /// `while v < m { blk }` in two versions when some access `x[a + v]` of the body is proven by `a + m <=
    /// x.len()` (see the module doc); `None`: not applicable.
    pub(super) fn versioned_while(&mut self, lp: LoopId, c: ExprId, blk: &Block, id: ExprId) -> Option<Val> {
        if !self.safety.options.bounds_checks {
            return None;
        }
        let body = self.body;
        let (v, m) = match body.expr(c).kind {
            ExprKind::Binary(BinaryOp::Lt, a, b) => (a, b),
            ExprKind::Binary(BinaryOp::Gt, a, b) => (b, a),
            _ => return None,
        };
        let ExprKind::Local(v) = body.expr(v).kind else { return None };
        let Ty::Scalar(vt) = self.types.local(v) else { return None };
        if !body.local(v).mutable || !vt.is_int() || vt.is_signed() {
            return None;
        }
        let (first, end) = (c.0 + 1, id.0);
        let exprs = body.exprs.get(first as usize..end as usize)?;
        let mut size = 0u64;
        for e in exprs {
            size += match &e.kind {
                ExprKind::Method(Method::Math(_), ..) => MATH_WEIGHT,
                _ => 1,
            };
        }
        if self.unroll_copies.saturating_mul(size) > MAX_VERSIONED {
            return None;
        }
        // Locals the loop assigns or declares: what reads them is not invariant.
        let mut assigned = Vec::new();
        assigned_locals(body, id, &mut assigned);
        let (declared, lets) = loop_locals(body, blk, exprs);
        let invariant = |this: &Self, e: ExprId| -> bool {
            let mut ok = is_cheap_and_safe(body, e, 16);
            super::visit(body, e, &mut |k| {
                if let ExprKind::Local(l) = k {
                    if assigned.contains(l)
                        || declared.contains(l)
                        || !matches!(this.locals.get(l.0 as usize), Some(Some(Val::Scalar(..))))
                    {
                        ok = false;
                    }
                }
            });
            ok
        };
        if !invariant(self, m) {
            return None;
        }
        let is_v = |e: ExprId| match body.exprs.get(e.0 as usize).map(|x| &x.kind) {
            Some(ExprKind::Local(l)) => *l == v,
            Some(ExprKind::Cast(inner, ScalarTy::Usize)) => {
                matches!(body.exprs.get(inner.0 as usize).map(|x| &x.kind), Some(ExprKind::Local(l)) if *l == v)
            }
            _ => false,
        };
        // The accesses `x[a + v]` (also through `let i = a + v`).
        let mut windows: Vec<Window> = Vec::new();
        for e in exprs {
            let (s, i) = match &e.kind {
                ExprKind::Index(Base::Slice(s), i)
                | ExprKind::Assign(Place::Index(Base::Slice(s), i), _)
                | ExprKind::CompoundAssign(_, Place::Index(Base::Slice(s), i), _)
                | ExprKind::MemCall(_, Base::Slice(s), i, _) => (*s, *i),
                _ => continue,
            };
            let i = match body.expr(i).kind {
                ExprKind::Local(l) => lets.get(&l).copied().unwrap_or(i),
                _ => i,
            };
            let ExprKind::Binary(BinaryOp::Add, x, y) = body.expr(i).kind else { continue };
            for (a, o) in [(x, y), (y, x)] {
                if is_v(o)
                    && invariant(self, a)
                    && matches!(self.ty(a), Ty::Scalar(ScalarTy::Usize))
                    && !windows.iter().any(|w| w.base == Base::Slice(s) && super::checks::same_expr(body, w.a, a))
                {
                    windows.push(Window { base: Base::Slice(s), a, m });
                }
            }
        }
        if windows.is_empty() || windows.len() > MAX_WINDOWS {
            return None;
        }
        // The test: a <= len && m <= len - a for every window.
        let mv = self.expr(m);
        let (mop, mt) = self.scalar(mv, m)?;
        let m64 = match mop {
            Operand::Imm(_) => mop,
            Operand::Reg(r) if mt.bits() == 64 => Operand::Reg(r),
            Operand::Reg(r) => {
                Operand::Reg(self.b.ins().cvt(ptx_gen::CvtMode::None, false, Type::U64, mt.reg_type().to_unsigned(), r))
            }
        };
        let mut ok: Option<ptx_gen::Reg> = None;
        for w in &windows {
            let Base::Slice(s) = w.base else { continue };
            let len = self.slices.get(s.0 as usize)?.len;
            let av = self.expr(w.a);
            let (aop, _) = self.scalar(av, w.a)?;
            let mut ins = self.b.ins();
            let c1 = ins.setp(CmpOp::Le, Type::U64, aop, len);
            let rem = ins.sub(Type::U64, Mode::None, len, aop);
            let c2 = ins.setp(CmpOp::Le, Type::U64, m64, rem);
            let both = ins.binary(BinOp::And, Mode::None, Type::Pred, c1, c2);
            ok = Some(match ok {
                Some(p) => ins.binary(BinOp::And, Mode::None, Type::Pred, p, both),
                None => both,
            });
        }
        let ok = ok?;
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.b.branch(ok, fast, slow);
        self.open(fast);
        let mark = self.safety.windows.len();
        self.safety.windows.extend(windows);
        self.plain_while(lp, c, blk, id);
        self.safety.windows.truncate(mark);
        self.b.jump(join);
        // The checked version runs only when some access may fail: a plain loop (not unrolled, see `unroll`).
        self.open(slow);
        self.loop_while(lp, c, blk, id);
        self.b.jump(join);
        self.open(join);
        Some(Val::Unit)
    }
}

/// What a loop declares and assigns, and its immutable `let`s.
pub(super) struct Scope {
    assigned: Vec<LocalId>,
    declared: HashSet<LocalId>,
    lets: std::collections::HashMap<LocalId, ExprId>,
}

impl Lowerer<'_, '_, '_> {
    /// The scope of the loop expression `id` whose body `blk` has the expressions `first..end`.
    pub(super) fn scope(&self, id: ExprId, blk: &Block, first: u32, end: u32) -> Scope {
        let body = self.body;
        // What the body assigns (a `for` loop's own variable is not: it is bound per iteration).
        let mut assigned = Vec::new();
        let _ = id;
        for st in &blk.stmts {
            match st {
                Stmt::Let { init: Some(i), .. } => assigned_locals(body, *i, &mut assigned),
                Stmt::Let { .. } => {}
                Stmt::Expr(e) => assigned_locals(body, *e, &mut assigned),
            }
        }
        if let Some(t) = blk.tail {
            assigned_locals(body, t, &mut assigned);
        }
        let exprs = body.exprs.get(first as usize..end as usize).unwrap_or(&[]);
        let (declared, lets) = loop_locals(body, blk, exprs);
        Scope { assigned, declared, lets }
    }

    /// Whether `e` has the same value everywhere in the loop and can be computed before it.
    pub(super) fn invariant_in(&self, sc: &Scope, e: ExprId) -> bool {
        let body = self.body;
        let mut ok = is_cheap_and_safe(body, e, 16);
        super::visit(body, e, &mut |k| {
            if let ExprKind::Local(l) = k {
                if sc.assigned.contains(l)
                    || sc.declared.contains(l)
                    || !matches!(self.locals.get(l.0 as usize), Some(Some(Val::Scalar(..))))
                {
                    ok = false;
                }
            }
        });
        ok
    }

    /// The row-major 2-D accesses `x[y * w + c]` of the loop (also through `let i = …`) that comparisons
    /// `y < h` and `c < w` in the loop may prove, `w`, `h` invariant unsigned values of at most 32 bits.
    fn find_grids(&self, sc: &Scope, first: u32, end: u32) -> Vec<Grid> {
        let body = self.body;
        let exprs = body.exprs.get(first as usize..end as usize).unwrap_or(&[]);
        let kind = |e: ExprId| &body.expr(e).kind;
        let narrow =
            |e: ExprId| matches!(self.types.expr(e), Ty::Scalar(t) if t.is_int() && !t.is_signed() && t.bits() <= 32);
        // The comparisons `a < b` of the loop.
        let mut lts: Vec<(ExprId, ExprId)> = Vec::new();
        for e in exprs {
            match e.kind {
                ExprKind::Binary(BinaryOp::Lt, a, b) => lts.push((a, b)),
                ExprKind::Binary(BinaryOp::Gt, a, b) => lts.push((b, a)),
                _ => {}
            }
        }
        let same = |a: ExprId, b: ExprId| super::checks::same_expr(body, a, b);
        let mut grids: Vec<Grid> = Vec::new();
        for (s, i) in accesses(exprs) {
            let i = match *kind(i) {
                ExprKind::Local(l) => sc.lets.get(&l).copied().unwrap_or(i),
                _ => i,
            };
            let ExprKind::Binary(BinaryOp::Add, x, y) = *kind(i) else { continue };
            for (prod, c) in [(x, y), (y, x)] {
                let ExprKind::Binary(BinaryOp::Mul, p, q) = *kind(prod) else { continue };
                for (row, w) in [(p, q), (q, p)] {
                    let (row, w, c) = (self.uncast(row), self.uncast(w), self.uncast(c));
                    if !narrow(w) || !self.invariant_in(sc, w) {
                        continue;
                    }
                    let has_c = lts.iter().any(|&(a, b)| same(a, c) && same(b, w));
                    let h = lts
                        .iter()
                        .find(|&&(a, b)| same(a, row) && narrow(b) && self.invariant_in(sc, b))
                        .map(|&(_, b)| b);
                    if let (true, Some(h)) = (has_c, h) {
                        let g = Grid { base: Base::Slice(s), w, h };
                        if !grids.iter().any(|o| o.base == g.base && same(o.w, w) && same(o.h, h)) {
                            grids.push(g);
                        }
                    }
                }
            }
        }
        grids
    }

    /// `h * w <= x.len()` for every grid (the product of two 32-bit values cannot overflow 64 bits).
    fn grid_test(&mut self, grids: &[Grid], mut ok: Option<ptx_gen::Reg>) -> Option<ptx_gen::Reg> {
        for g in grids {
            let Base::Slice(s) = g.base else { continue };
            let len = self.slices.get(s.0 as usize)?.len;
            let wide = |this: &mut Self, e: ExprId| -> Option<Operand> {
                let v = this.expr(e);
                let (op, t) = this.scalar(v, e)?;
                Some(match op {
                    Operand::Imm(_) => op,
                    Operand::Reg(r) if t.bits() == 64 => Operand::Reg(r),
                    Operand::Reg(r) => Operand::Reg(this.b.ins().cvt(
                        ptx_gen::CvtMode::None,
                        false,
                        Type::U64,
                        t.reg_type().to_unsigned(),
                        r,
                    )),
                })
            };
            let w = wide(self, g.w)?;
            let h = wide(self, g.h)?;
            let mut ins = self.b.ins();
            let wr = match w {
                Operand::Reg(r) => r,
                imm => ins.mov(Type::U64, imm),
            };
            let prod = ins.binary(BinOp::Mul, Mode::Lo, Type::U64, wr, h);
            let fits = ins.setp(CmpOp::Le, Type::U64, prod, len);
            ok = Some(match ok {
                Some(p) => ins.binary(BinOp::And, Mode::None, Type::Pred, p, fits),
                None => fits,
            });
        }
        ok
    }

    /// An unrolled `for` loop (values `values`) in two versions when the row-major 2-D accesses of its body are
    /// proven by one test before it (see [`Lowerer::find_grids`]); `None`: not applicable.
    pub(super) fn versioned_unrolled_for(
        &mut self,
        f: &ForLoop,
        start: Operand,
        end: Operand,
        step: Option<Operand>,
        t: ScalarTy,
        id: ExprId,
    ) -> Option<Val> {
        if !self.safety.options.bounds_checks {
            return None;
        }
        let body = self.body;
        let first = f.start.0.max(f.end.0).max(f.step.map_or(0, |s| s.0)) + 1;
        let exprs = body.exprs.get(first as usize..id.0 as usize)?;
        let mut size = 0u64;
        for e in exprs {
            size += match &e.kind {
                ExprKind::Method(Method::Math(_), ..) => MATH_WEIGHT,
                _ => 1,
            };
        }
        let trips = super::const_trip_count(f, start, end, step, t)?;
        if self.unroll_copies.saturating_mul(trips).saturating_mul(size) > MAX_VERSIONED {
            return None;
        }
        let sc = self.scope(id, &f.body, first, id.0);
        let grids = self.find_grids(&sc, first, id.0);
        if grids.len() > MAX_WINDOWS {
            return None;
        }
        // Accesses whose index grows with the thread index and the loop variable: their largest value.
        let var_max = match (f.var, super::const_range_values_max(f, start, end, step, t)) {
            (Some(v), Some(m)) if !t.is_signed() && !sc.assigned.contains(&v) => Some((v, m)),
            _ => None,
        };
        let inits = super::checks::let_inits(body);
        let mut mono: Vec<(Base, ExprId)> = Vec::new();
        for e in exprs {
            let (b, i) = match &e.kind {
                ExprKind::Index(b, i)
                | ExprKind::Assign(Place::Index(b, i), _)
                | ExprKind::CompoundAssign(_, Place::Index(b, i), _)
                | ExprKind::MemCall(_, b, i, _) => (*b, *i),
                _ => continue,
            };
            if self.proven(b, i) || mono.iter().any(|(_, j)| *j == i) {
                continue;
            }
            let m = Mono { sc: &sc, var: var_max, inits: &inits };
            if self.mono_bound(&m, i, 0).is_some_and(|(_, grows)| grows) {
                mono.push((b, i));
            }
        }
        if (grids.is_empty() && mono.is_empty()) || mono.len() > 2 * MAX_WINDOWS {
            return None;
        }
        let mut ok = self.grid_test(&grids, None);
        for &(b, i) in &mono {
            let m = Mono { sc: &sc, var: var_max, inits: &inits };
            let top = self.mono_max(&m, i)?;
            let len = match b {
                Base::Slice(s) => Operand::Reg(self.slices.get(s.0 as usize)?.len),
                Base::Shared(sh) => match self.body.shared.get(sh.0 as usize) {
                    Some(d) if !d.dynamic => Operand::u64(d.len),
                    _ => match self.shared_len(sh, id) {
                        Val::Scalar(op, _) => op,
                        _ => return None,
                    },
                },
            };
            let top = self.reg(top, ScalarTy::Usize);
            let mut ins = self.b.ins();
            let fits = ins.setp(CmpOp::Lt, Type::U64, top, len);
            ok = Some(match ok {
                Some(p) => ins.binary(BinOp::And, Mode::None, Type::Pred, p, fits),
                None => fits,
            });
        }
        let ok = ok?;
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.b.branch(ok, fast, slow);
        self.open(fast);
        let mark = self.safety.grids.len();
        let pmark = self.safety.proven_ids.len();
        self.safety.grids.extend(grids);
        self.safety.proven_ids.extend(mono.iter().map(|(_, i)| *i));
        self.unrolled_for(f, start, end, step, t, id);
        self.safety.grids.truncate(mark);
        self.safety.proven_ids.truncate(pmark);
        self.b.jump(join);
        self.open(slow);
        self.unrolled_for(f, start, end, step, t, id);
        self.b.jump(join);
        self.open(join);
        Some(Val::Unit)
    }
}

/// The slice accesses of the expressions: `(slice, index)`.
/// The locals a loop declares (its `let`s at any depth, `for` variables, inlined functions' parameters) and the
/// initialisers of its immutable `let`s; `blk` is the loop's body, `exprs` the expressions inside it.
fn loop_locals(body: &Body, blk: &Block, exprs: &[Expr]) -> (HashSet<LocalId>, HashMap<LocalId, ExprId>) {
    let mut declared = HashSet::new();
    let mut lets = HashMap::new();
    let mut add = |b: &Block| {
        for st in &b.stmts {
            if let Stmt::Let { local: Some(l), init } = st {
                declared.insert(*l);
                if let (Some(i), false) = (init, body.local(*l).mutable) {
                    lets.insert(*l, *i);
                }
            }
        }
    };
    add(blk);
    for e in exprs {
        match &e.kind {
            ExprKind::Block(b) | ExprKind::While(_, _, b) | ExprKind::Loop(_, b) | ExprKind::If(_, b, _) => add(b),
            ExprKind::For(f) => add(&f.body),
            ExprKind::Inline(inl) => add(&inl.body),
            _ => {}
        }
    }
    for e in exprs {
        match &e.kind {
            ExprKind::For(f) => declared.extend(f.var),
            ExprKind::Inline(inl) => declared.extend(inl.params.iter().map(|(l, _)| *l)),
            _ => {}
        }
    }
    (declared, lets)
}

fn accesses(exprs: &[Expr]) -> Vec<(SliceId, ExprId)> {
    exprs
        .iter()
        .filter_map(|e| match &e.kind {
            ExprKind::Index(Base::Slice(s), i)
            | ExprKind::Assign(Place::Index(Base::Slice(s), i), _)
            | ExprKind::CompoundAssign(_, Place::Index(Base::Slice(s), i), _)
            | ExprKind::MemCall(_, Base::Slice(s), i, _) => Some((*s, *i)),
            _ => None,
        })
        .collect()
}

/// What [`Lowerer::mono_bound`] may substitute: the loop's variable and its largest value, the loop's scope, and
/// the immutable `let`s of the kernel.
struct Mono<'m> {
    sc: &'m Scope,
    var: Option<(LocalId, u64)>,
    inits: &'m std::collections::HashMap<LocalId, ExprId>,
}

impl Lowerer<'_, '_, '_> {
    /// For an unsigned index built with `+`, `*`, `<<` by a literal and widening casts from literals, thread
    /// indices (below 1024 on every GPU), the loop variable, and invariant values in `usize` (computed outside the
    /// loop): an upper bound of its value from the types (`u128`), and whether it grows with a thread index or the
    /// loop variable. Every sub-expression's bound fits its type, so nothing wraps and the index is a
    /// non-decreasing function of those inputs: its largest value is the expression at their largest values.
    fn mono_bound(&self, m: &Mono, e: ExprId, depth: u32) -> Option<(u128, bool)> {
        if depth > 12 {
            return None;
        }
        let body = self.body;
        let Ty::Scalar(t) = self.types.expr(e) else { return None };
        if !t.is_int() || t.is_signed() {
            return None;
        }
        let tmax: u128 = if t.bits() >= 64 { u64::MAX as u128 } else { (1u128 << t.bits()) - 1 };
        let (b, grows) = match &body.expr(e).kind {
            ExprKind::Lit(Lit::Int(v, _)) => (*v, false),
            ExprKind::Const(_, v) => (*v as u128, false),
            ExprKind::Intrinsic(Intrinsic::ThreadIdx(_)) => (1023, true),
            ExprKind::Local(l) if m.var.is_some_and(|(v, _)| v == *l) => (m.var.map_or(0, |(_, x)| x) as u128, true),
            ExprKind::Local(l) if m.sc.assigned.contains(l) || m.sc.declared.contains(l) => return None,
            ExprKind::Local(l) => match m.inits.get(l) {
                Some(i) if !body.local(*l).mutable => match self.mono_bound(m, *i, depth + 1) {
                    Some(x) => x,
                    // Not built from these: its value, in `usize` only (no wrap-around to fear).
                    None if t.bits() == 64 && self.invariant_in(m.sc, e) => (tmax, false),
                    None => return None,
                },
                _ if t.bits() == 64 && self.invariant_in(m.sc, e) => (tmax, false),
                _ => return None,
            },
            ExprKind::Cast(x, to) if !to.is_signed() => {
                let Ty::Scalar(from) = self.types.expr(*x) else { return None };
                if from.is_signed() || !from.is_int() || from.bits() > to.bits() {
                    return None;
                }
                match self.mono_bound(m, *x, depth + 1) {
                    Some(r) => r,
                    // An invariant narrower value widened: its value.
                    None if to.bits() == 64 && self.invariant_in(m.sc, *x) => ((1u128 << from.bits()) - 1, false),
                    None => return None,
                }
            }
            ExprKind::Binary(op @ (BinaryOp::Add | BinaryOp::Mul), x, y) => {
                let (a, ga) = self.mono_bound(m, *x, depth + 1)?;
                let (c, gc) = self.mono_bound(m, *y, depth + 1)?;
                let v = if *op == BinaryOp::Add { a.checked_add(c)? } else { a.checked_mul(c)? };
                (v, ga || gc)
            }
            ExprKind::Binary(BinaryOp::Shl, x, k) => {
                let ExprKind::Lit(Lit::Int(k, _)) = body.expr(*k).kind else { return None };
                let (a, g) = self.mono_bound(m, *x, depth + 1)?;
                (a.checked_mul(1u128.checked_shl(u32::try_from(k).ok()?)?)?, g)
            }
            _ => return None,
        };
        (b <= tmax).then_some((b, grows))
    }

    /// `e` lowered to a scalar operand.
    fn value(&mut self, e: ExprId) -> Option<Operand> {
        let v = self.expr(e);
        Some(self.scalar(v, e)?.0)
    }

    /// The largest value of an index [`Lowerer::mono_bound`] accepts, computed now (before the loop): the
    /// expression with each thread index at `%ntid - 1` and the loop variable at its last value.
    fn mono_max(&mut self, m: &Mono, e: ExprId) -> Option<Operand> {
        let body = self.body;
        let Ty::Scalar(t) = self.types.expr(e) else { return None };
        let rt = t.reg_type();
        Some(match &body.expr(e).kind {
            ExprKind::Lit(_) | ExprKind::Const(..) => self.value(e)?,
            ExprKind::Intrinsic(Intrinsic::ThreadIdx(d)) => {
                let nv = self.intrinsic(Intrinsic::BlockDim(*d));
                let (n, _) = self.scalar(nv, e)?;
                let n = self.reg(n, ScalarTy::U32);
                Operand::Reg(self.b.ins().sub(Type::U32, Mode::None, n, Operand::u32(1)))
            }
            ExprKind::Local(l) if m.var.is_some_and(|(v, _)| v == *l) => {
                Operand::Imm(ptx_gen::Imm::int(m.var.map_or(0, |(_, x)| x) as i64, rt))
            }
            ExprKind::Local(l) => match m.inits.get(l) {
                Some(i) if self.mono_bound(m, *i, 0).is_some() => self.mono_max(m, *i)?,
                _ => self.value(e)?,
            },
            ExprKind::Cast(x, to) => {
                let Ty::Scalar(from) = self.types.expr(*x) else { return None };
                let v = if self.mono_bound(m, *x, 0).is_some() { self.mono_max(m, *x)? } else { self.value(*x)? };
                // Exactly as `as` (sign extension from a signed type, re-normalisation of a narrow target).
                self.cast(v, from, *to)?
            }
            ExprKind::Binary(op @ (BinaryOp::Add | BinaryOp::Mul | BinaryOp::Shl), x, y) => {
                let a = self.mono_max(m, *x)?;
                let a = Operand::Reg(self.reg(a, t));
                let c = if *op == BinaryOp::Shl {
                    let ExprKind::Lit(Lit::Int(k, _)) = body.expr(*y).kind else { return None };
                    Operand::u32(k as u32)
                } else {
                    self.mono_max(m, *y)?
                };
                let mut ins = self.b.ins();
                Operand::Reg(match op {
                    BinaryOp::Add => ins.add(rt.to_unsigned(), Mode::None, a, c),
                    BinaryOp::Mul => ins.binary(BinOp::Mul, Mode::Lo, rt.to_unsigned(), a, c),
                    _ => ins.binary(BinOp::Shl, Mode::None, rt.to_bits(), a, c),
                })
            }
            _ => return None,
        })
    }
}
