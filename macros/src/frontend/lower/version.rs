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

use std::collections::HashSet;

use ptx_gen::{BinOp, CmpOp, Mode, Operand, Type};

use super::super::hir::*;
use super::super::types::{ScalarTy, Ty};
use super::checks::{assigned_locals, Window};
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
        let mut declared: HashSet<LocalId> = HashSet::new();
        let mut lets = std::collections::HashMap::new();
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
            Operand::Reg(r) => Operand::Reg(self.b.ins().cvt(ptx_gen::CvtMode::None, false, Type::U64, mt.reg_type().to_unsigned(), r)),
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
        self.open(slow);
        self.plain_while(lp, c, blk, id);
        self.b.jump(join);
        self.open(join);
        Some(Val::Unit)
    }
}
