//! Type inference: gives every expression and local of the body a type, the way rustc does for this subset.
//!
//! Unification over type variables: an unsuffixed integer literal is an integer variable, an unsuffixed float
//! literal a float variable, an unannotated `let` an unconstrained variable; operators, assignments, indexing
//! (`usize`), `len()` (`usize`), intrinsics (`u32`), `step_by` (`usize`) and annotations constrain them. Variables
//! still open at the end default the way rustc's do: integers to `i32`, floats to `f64`.
//!
//! Two rules follow rustc's checking order rather than plain unification:
//! - the amount of `<<`/`>>` has its own type (`1u64 << 3` shifts by an `i32`);
//! - a literal cast with `as` takes the cast's type when the kinds agree (`300 as u8` is a `u8` literal,
//!   `2.5 as f32` an `f32` one, `(-1) as i8` and `{ 7 } as u64` too), as rustc's `ExpectCastableToType` does.
//!
//! rustc type-checks the original function too, so only programs it accepts matter; on those this agrees with it.
//! Conflicts are still reported (rather than left to rustc) so that a kernel never silently becomes a stub.

use super::diag::{Errors, SpanRange};
use super::hir::*;
use super::signature::KernelSig;
use super::types::{ArrTy, ParamTy, ScalarTy, Ty};

mod seed;

/// The types of every expression and local, indexed by their ids.
#[derive(Clone, Debug)]
pub struct Types {
    pub exprs: Vec<Ty>,
    pub locals: Vec<Ty>,
    /// Element types of the slice parameters, by [`SliceId`] (an array for `&[[T; N]]`).
    pub slices: Vec<Ty>,
    /// Element types of the shared arrays, by [`SharedId`].
    pub shared: Vec<ScalarTy>,
}

impl Types {
    /// The type of expression `e`.
    pub fn expr(&self, e: ExprId) -> Ty {
        self.exprs.get(e.0 as usize).copied().unwrap_or(Ty::Unit)
    }
    /// The type of local `l`.
    pub fn local(&self, l: LocalId) -> Ty {
        self.locals.get(l.0 as usize).copied().unwrap_or(Ty::Unit)
    }
    /// The element type of slice `s`.
    pub fn slice(&self, s: SliceId) -> Option<Ty> {
        self.slices.get(s.0 as usize).copied()
    }
    /// The element type of what `base` indexes.
    pub fn base(&self, base: Base) -> Option<Ty> {
        match base {
            Base::Slice(s) => self.slice(s),
            Base::Shared(s) => self.shared.get(s.0 as usize).copied().map(Ty::Scalar),
        }
    }
}

/// What a type variable may become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VarKind {
    Any,
    Int,
    Float,
}

/// A type during inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum It {
    Known(Ty),
    Var(u32),
    /// An array whose element type is the variable (`[x; 8]` before `x`'s type is known): elem var, n, m.
    Arr(u32, u32, u32),
}

const BOOL: It = It::Known(Ty::Scalar(ScalarTy::Bool));
const USIZE: It = It::Known(Ty::Scalar(ScalarTy::Usize));
const UNIT: It = It::Known(Ty::Unit);
const NEVER: It = It::Known(Ty::Never);

/// Infers the types of `body`, then checks that every operator, cast and method is applied to types it exists
/// for. Problems go to `errors`.
pub fn infer(body: &Body, sig: &KernelSig, errors: &mut Errors) -> Types {
    let slices = sig
        .params
        .iter()
        .filter_map(|p| match p.ty {
            Some(ParamTy::Slice { elem, lanes: 0, .. }) => Some(Ty::Scalar(elem)),
            Some(ParamTy::Slice { elem, lanes, .. }) => Some(Ty::Array(ArrTy::new(elem, lanes))),
            _ => None,
        })
        .collect();
    let mut inf = Inferer {
        body,
        slices,
        exprs: vec![UNIT; body.exprs.len()],
        locals: vec![UNIT; body.locals.len()],
        parent: Vec::new(),
        kind: Vec::new(),
        value: Vec::new(),
        arr: Vec::new(),
        errors,
    };
    for (i, l) in body.locals.iter().enumerate() {
        inf.locals[i] = match l.annotation {
            Some(t) => It::Known(Ty::Scalar(t)),
            None => inf.fresh(VarKind::Any),
        };
    }
    inf.block(&body.block);
    let exprs: Vec<Ty> = (0..body.exprs.len()).map(|i| inf.resolve_final(inf.exprs[i])).collect();
    let locals: Vec<Ty> = (0..body.locals.len()).map(|i| inf.resolve_final(inf.locals[i])).collect();
    let shared = body.shared.iter().map(|s| s.elem).collect();
    let types = Types { exprs, locals, slices: inf.slices, shared };
    validate(body, &types, inf.errors);
    types
}

struct Inferer<'a, 'e> {
    body: &'a Body,
    slices: Vec<Ty>,
    exprs: Vec<It>,
    locals: Vec<It>,
    // Union-find over type variables.
    parent: Vec<u32>,
    kind: Vec<VarKind>,
    value: Vec<Option<Ty>>,
    /// Variables bound to an array of a variable element type.
    arr: Vec<Option<(u32, u32, u32)>>,
    errors: &'e mut Errors,
}

impl Inferer<'_, '_> {
    /// The element type of what `base` indexes.
    fn base_elem(&mut self, base: Base) -> It {
        let t = match base {
            Base::Slice(s) => self.slices.get(s.0 as usize).copied(),
            Base::Shared(s) => self.body.shared.get(s.0 as usize).map(|d| Ty::Scalar(d.elem)),
        };
        match t {
            Some(t) => It::Known(t),
            None => self.fresh(VarKind::Any),
        }
    }

    /// Unifies an intrinsic's arguments with its parameter types (`T` is `tv`).
    fn call_args(&mut self, params: &[super::intrinsics::ArgTy], args: &[ExprId], tv: It) {
        for (p, a) in params.iter().zip(args) {
            let ta = self.expr(*a);
            let sa = self.span(*a);
            let want = match p {
                super::intrinsics::ArgTy::Fixed(t) => It::Known(Ty::Scalar(*t)),
                super::intrinsics::ArgTy::T => tv,
                super::intrinsics::ArgTy::TArray(n) => self.array_of(tv, *n),
            };
            self.unify(want, ta, sa);
        }
    }

    /// `[t; n]` for a known scalar `t` (else an unconstrained type).
    fn array_of(&mut self, t: It, n: u32) -> It {
        match self.shallow(t) {
            It::Known(Ty::Scalar(s)) => It::Known(Ty::Array(ArrTy::new(s, n))),
            _ => self.fresh(VarKind::Any),
        }
    }

    fn ret_ty(&mut self, ret: super::intrinsics::RetTy, tv: It) -> It {
        match ret {
            super::intrinsics::RetTy::Unit => UNIT,
            super::intrinsics::RetTy::Fixed(t) => It::Known(Ty::Scalar(t)),
            super::intrinsics::RetTy::T => tv,
            super::intrinsics::RetTy::TArray(n) => self.array_of(tv, n),
        }
    }

    fn fresh(&mut self, kind: VarKind) -> It {
        let v = self.parent.len() as u32;
        self.parent.push(v);
        self.kind.push(kind);
        self.value.push(None);
        self.arr.push(None);
        It::Var(v)
    }

    fn root(&mut self, mut v: u32) -> u32 {
        while self.parent[v as usize] != v {
            let p = self.parent[v as usize];
            self.parent[v as usize] = self.parent[p as usize];
            v = p;
        }
        v
    }

    /// `t` with bound variables replaced by their value.
    fn shallow(&mut self, t: It) -> It {
        match t {
            It::Var(v) => {
                let r = self.root(v);
                match (self.value[r as usize], self.arr[r as usize]) {
                    (Some(ty), _) => It::Known(ty),
                    (None, Some((e, n, m))) => self.shallow_arr(e, n, m),
                    (None, None) => It::Var(r),
                }
            }
            It::Arr(e, n, m) => self.shallow_arr(e, n, m),
            k => k,
        }
    }

    /// An array of element variable `e`: known once `e` is.
    fn shallow_arr(&mut self, e: u32, n: u32, m: u32) -> It {
        match self.shallow(It::Var(e)) {
            It::Known(Ty::Scalar(t)) => It::Known(Ty::Array(ArrTy { elem: t, n, m })),
            It::Var(r) => It::Arr(r, n, m),
            _ => It::Arr(e, n, m),
        }
    }

    fn resolve_final(&mut self, t: It) -> Ty {
        match self.shallow(t) {
            It::Known(ty) => ty,
            It::Arr(e, n, m) => match self.resolve_final(It::Var(e)) {
                Ty::Scalar(elem) => Ty::Array(ArrTy { elem, n, m }),
                _ => Ty::Unit,
            },
            It::Var(v) => match self.kind[v as usize] {
                VarKind::Int => Ty::Scalar(ScalarTy::I32),
                VarKind::Float => Ty::Scalar(ScalarTy::F64),
                // Only errors and never-used `let x;` leave these.
                VarKind::Any => Ty::Unit,
            },
        }
    }

    fn describe(&mut self, t: It) -> String {
        match self.shallow(t) {
            It::Known(ty) => format!("`{ty}`"),
            It::Arr(..) => "an array".into(),
            It::Var(v) => match self.kind[v as usize] {
                VarKind::Int => "an integer".into(),
                VarKind::Float => "a float".into(),
                VarKind::Any => "a value".into(),
            },
        }
    }

    fn fits(kind: VarKind, ty: Ty) -> bool {
        match kind {
            VarKind::Any => true,
            VarKind::Int => ty.scalar().is_some_and(ScalarTy::is_int),
            VarKind::Float => ty.scalar().is_some_and(ScalarTy::is_float),
        }
    }

    /// Makes `a` and `b` the same type; reports a mismatch at `span`. Returns the common type.
    fn unify(&mut self, a: It, b: It, span: SpanRange) -> It {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (a, b) {
            // `!` coerces to anything.
            (It::Known(Ty::Never), other) | (other, It::Known(Ty::Never)) => other,
            (It::Arr(e1, n1, m1), It::Arr(e2, n2, m2)) => {
                if (n1, m1) != (n2, m2) {
                    self.errors.at(span, "mismatched types: arrays of different lengths");
                }
                self.unify(It::Var(e1), It::Var(e2), span);
                a
            }
            (It::Arr(e, n, m), It::Known(ty)) | (It::Known(ty), It::Arr(e, n, m)) => {
                match ty {
                    Ty::Array(t) if (t.n, t.m) == (n, m) => {
                        self.unify(It::Var(e), It::Known(Ty::Scalar(t.elem)), span);
                    }
                    _ => self.errors.at(span, format!("mismatched types: expected an array, found `{ty}`")),
                }
                It::Known(ty)
            }
            (It::Var(v), It::Arr(e, n, m)) | (It::Arr(e, n, m), It::Var(v)) => {
                if self.kind[v as usize] == VarKind::Any {
                    self.arr[v as usize] = Some((e, n, m));
                } else {
                    let want = self.describe(It::Var(v));
                    self.errors.at(span, format!("mismatched types: expected {want}, found an array"));
                }
                It::Arr(e, n, m)
            }
            (It::Known(x), It::Known(y)) => {
                if x != y {
                    self.errors.at(span, format!("mismatched types: expected `{x}`, found `{y}`"));
                }
                a
            }
            (It::Var(v), It::Known(ty)) | (It::Known(ty), It::Var(v)) => {
                if Self::fits(self.kind[v as usize], ty) {
                    self.value[v as usize] = Some(ty);
                } else {
                    let want = self.describe(It::Var(v));
                    self.errors.at(span, format!("mismatched types: expected {want}, found `{ty}`"));
                }
                It::Known(ty)
            }
            (It::Var(x), It::Var(y)) => {
                if x == y {
                    return a;
                }
                let (kx, ky) = (self.kind[x as usize], self.kind[y as usize]);
                let merged = match (kx, ky) {
                    (VarKind::Any, k) | (k, VarKind::Any) => k,
                    (k1, k2) if k1 == k2 => k1,
                    _ => {
                        self.errors.at(span, "mismatched types: expected an integer, found a float");
                        return a;
                    }
                };
                self.parent[x as usize] = y;
                self.kind[y as usize] = merged;
                b
            }
        }
    }

    fn span(&self, e: ExprId) -> SpanRange {
        self.body.expr(e).span
    }

    fn set(&mut self, e: ExprId, t: It) -> It {
        self.exprs[e.0 as usize] = t;
        t
    }

    fn block(&mut self, b: &Block) -> It {
        let mut diverges = false;
        for s in &b.stmts {
            match s {
                Stmt::Let { local, init } => {
                    let it = init.map(|i| self.expr(i));
                    if let (Some(l), Some(it), Some(i)) = (local, it, init) {
                        let lt = self.locals[l.0 as usize];
                        let sp = self.span(*i);
                        self.unify(lt, it, sp);
                    }
                    if it.is_some_and(|t| self.shallow(t) == NEVER) {
                        diverges = true;
                    }
                }
                Stmt::Expr(e) => {
                    let t = self.expr(*e);
                    if self.shallow(t) == NEVER {
                        diverges = true;
                    }
                }
            }
        }
        match b.tail {
            Some(t) => self.expr(t),
            None if diverges => NEVER,
            None => UNIT,
        }
    }

    fn place(&mut self, p: Place) -> It {
        match p {
            Place::Local(l) => self.locals[l.0 as usize],
            Place::Index(s, i) => {
                let it = self.expr(i);
                let sp = self.span(i);
                self.unify(it, USIZE, sp);
                self.base_elem(s)
            }
            Place::Elem(l, i, j) => {
                for k in [Some(i), j].into_iter().flatten() {
                    let it = self.expr(k);
                    let sp = self.span(k);
                    self.unify(it, USIZE, sp);
                }
                let lt = self.locals[l.0 as usize];
                let sp = self.span(i);
                let (e, m) = match self.shallow(lt) {
                    It::Arr(e, _, m) => (It::Var(e), m),
                    It::Known(Ty::Array(t)) => (It::Known(Ty::Scalar(t.elem)), t.m),
                    other => {
                        let d = self.describe(other);
                        self.errors
                            .at(sp, format!("cannot index {d}: only arrays, slices and shared arrays can be indexed"));
                        return self.fresh(VarKind::Any);
                    }
                };
                if (m == 0) != j.is_none() {
                    self.errors.at(
                        sp,
                        if m == 0 {
                            "this array has one dimension: `a[i]`"
                        } else {
                            "assign elements of a 2-D array: `a[i][j] = …`"
                        },
                    );
                }
                e
            }
        }
    }

    fn expr(&mut self, id: ExprId) -> It {
        let body = self.body;
        let span = self.span(id);
        let t = match &body.expr(id).kind {
            ExprKind::Error => self.fresh(VarKind::Any),
            ExprKind::Unit => UNIT,
            ExprKind::Lit(Lit::Int(_, Some(t))) | ExprKind::Lit(Lit::Float(_, Some(t))) => It::Known(Ty::Scalar(*t)),
            ExprKind::Lit(Lit::Int(_, None)) => self.fresh(VarKind::Int),
            ExprKind::Lit(Lit::Float(_, None)) => self.fresh(VarKind::Float),
            ExprKind::Lit(Lit::Bool(_)) => BOOL,
            ExprKind::Const(t, _) => It::Known(Ty::Scalar(*t)),
            ExprKind::Local(l) => self.locals[l.0 as usize],
            ExprKind::Unary(_, e) => self.expr(*e),
            ExprKind::Binary(op, a, b) => {
                let ta = self.expr(*a);
                let tb = self.expr(*b);
                if op.is_shift() {
                    ta
                } else if op.is_comparison() {
                    self.unify(ta, tb, span);
                    BOOL
                } else {
                    self.unify(ta, tb, span)
                }
            }
            ExprKind::Logical(_, a, b) => {
                let ta = self.expr(*a);
                let sa = self.span(*a);
                self.unify(ta, BOOL, sa);
                let tb = self.expr(*b);
                let sb = self.span(*b);
                self.unify(tb, BOOL, sb);
                BOOL
            }
            ExprKind::Assign(p, v) => {
                let tv = self.expr(*v);
                let tp = self.place(*p);
                self.unify(tp, tv, span);
                UNIT
            }
            ExprKind::CompoundAssign(op, p, v) => {
                let tv = self.expr(*v);
                let tp = self.place(*p);
                if !op.is_shift() {
                    self.unify(tp, tv, span);
                }
                UNIT
            }
            ExprKind::Cast(e, target) => {
                let te = self.expr(*e);
                if is_literal_like(body, *e) {
                    if let It::Var(v) = self.shallow(te) {
                        let k = self.kind[v as usize];
                        if (k == VarKind::Int && target.is_int()) || (k == VarKind::Float && target.is_float()) {
                            self.unify(te, It::Known(Ty::Scalar(*target)), span);
                        }
                    }
                }
                It::Known(Ty::Scalar(*target))
            }
            ExprKind::Index(s, i) => {
                let ti = self.expr(*i);
                let si = self.span(*i);
                self.unify(ti, USIZE, si);
                self.base_elem(*s)
            }
            ExprKind::Call(c, args) => {
                let (params, ret) = c.signature();
                let tv = self.fresh(VarKind::Any);
                self.call_args(params, args, tv);
                self.ret_ty(ret, tv)
            }
            ExprKind::MemCall(m, base, i, args) => {
                let ti = self.expr(*i);
                let si = self.span(*i);
                self.unify(ti, USIZE, si);
                let tv = self.base_elem(*base);
                let (params, ret) = m.signature();
                self.call_args(params, args, tv);
                self.ret_ty(ret, tv)
            }
            ExprKind::Len(_) => USIZE,
            ExprKind::Array(elems) => {
                let ev = self.fresh(VarKind::Any);
                for e in elems {
                    let te = self.expr(*e);
                    let se = self.span(*e);
                    self.unify(ev, te, se);
                }
                let It::Var(v) = ev else { return self.set(id, ev) };
                It::Arr(v, elems.len() as u32, 0)
            }
            ExprKind::Repeat(x, n, m) => {
                let ev = self.fresh(VarKind::Any);
                let te = self.expr(*x);
                let se = self.span(*x);
                self.unify(ev, te, se);
                let It::Var(v) = ev else { return self.set(id, ev) };
                It::Arr(v, *n, *m)
            }
            ExprKind::Elem(a, i) => {
                let ta = self.expr(*a);
                let ti = self.expr(*i);
                let si = self.span(*i);
                self.unify(ti, USIZE, si);
                match self.shallow(ta) {
                    It::Arr(e, _, 0) => It::Var(e),
                    It::Arr(e, _, m) => It::Arr(e, m, 0),
                    It::Known(Ty::Array(t)) => It::Known(t.item()),
                    It::Known(Ty::Never) => NEVER,
                    other => {
                        let d = self.describe(other);
                        let sa = self.span(*a);
                        self.errors
                            .at(sa, format!("cannot index {d}: only arrays, slices and shared arrays can be indexed"));
                        self.fresh(VarKind::Any)
                    }
                }
            }
            ExprKind::Intrinsic(Intrinsic::SyncThreads) => UNIT,
            ExprKind::Intrinsic(_) => It::Known(Ty::Scalar(ScalarTy::U32)),
            ExprKind::Method(m, recv, args) => {
                let tr = self.expr(*recv);
                // `T::m(x, …)`: the path's `T` is the receiver's type, as `Self` is in rustc (`f64::sqrt(2.0)`).
                if let Some(&(_, t)) = body.path_receivers.iter().find(|(r, _)| r == recv) {
                    let sr = self.span(*recv);
                    self.unify(It::Known(Ty::Scalar(t)), tr, sr);
                }
                for a in args {
                    let ta = self.expr(*a);
                    let sa = self.span(*a);
                    // `powi` takes an `i32` exponent; every other argument has the receiver's type.
                    let want = if *m == Method::Math(super::lower_math::MathFn::Powi) {
                        It::Known(Ty::Scalar(ScalarTy::I32))
                    } else {
                        tr
                    };
                    self.unify(want, ta, sa);
                }
                tr
            }
            ExprKind::If(c, then, else_) => {
                let tc = self.expr(*c);
                let sc = self.span(*c);
                self.unify(tc, BOOL, sc);
                let tt = self.block(then);
                match else_ {
                    Some(e) => {
                        let te = self.expr(*e);
                        self.unify(tt, te, span)
                    }
                    None => {
                        self.unify(tt, UNIT, span);
                        UNIT
                    }
                }
            }
            ExprKind::While(_, c, b) => {
                let tc = self.expr(*c);
                let sc = self.span(*c);
                self.unify(tc, BOOL, sc);
                let tb = self.block(b);
                self.unify(tb, UNIT, span);
                UNIT
            }
            ExprKind::Loop(l, b) => {
                let tb = self.block(b);
                self.unify(tb, UNIT, span);
                if body.loops.get(l.0 as usize).is_some_and(|d| d.has_break) {
                    UNIT
                } else {
                    NEVER
                }
            }
            ExprKind::For(f) => {
                let ts = self.expr(f.start);
                let te = self.expr(f.end);
                let it = self.unify(ts, te, span);
                if let Some(v) = f.var {
                    let lt = self.locals[v.0 as usize];
                    self.unify(lt, it, span);
                }
                if let Some(s) = f.step {
                    let tstep = self.expr(s);
                    let ss = self.span(s);
                    self.unify(tstep, USIZE, ss);
                }
                let tb = self.block(&f.body);
                self.unify(tb, UNIT, span);
                UNIT
            }
            ExprKind::Break(_) | ExprKind::Continue(_) | ExprKind::Return => NEVER,
            ExprKind::HalfConv(x, from, to) => {
                let tx = self.expr(*x);
                if let Some(f) = from {
                    let sx = self.span(*x);
                    self.unify(It::Known(Ty::Scalar(*f)), tx, sx);
                }
                It::Known(Ty::Scalar(*to))
            }
            ExprKind::Inline(inl) => {
                for (l, a) in &inl.params {
                    let ta = self.expr(*a);
                    let sa = self.span(*a);
                    let lt = self.locals[l.0 as usize];
                    self.unify(lt, ta, sa);
                }
                let want = match inl.ret {
                    Some(t) => It::Known(Ty::Scalar(t)),
                    None => UNIT,
                };
                let tb = self.block(&inl.body);
                let tail_span = inl.body.tail.map_or(span, |t| self.span(t));
                self.unify(want, tb, tail_span);
                want
            }
            ExprKind::FrameReturn(frame, v) => {
                let want = match body.loops.get(frame.0 as usize).and_then(|d| d.ret) {
                    Some(t) => It::Known(Ty::Scalar(t)),
                    None => UNIT,
                };
                let tv = match v {
                    Some(v) => self.expr(*v),
                    None => UNIT,
                };
                self.unify(want, tv, span);
                NEVER
            }
            ExprKind::Block(b) => self.block(b),
            ExprKind::Seed(op) => self.seed_expr(op, id),
        };
        self.set(id, t)
    }
}

/// A literal, possibly negated, parenthesised or the tail of a block: where rustc's cast expectation reaches a
/// literal (it does not reach into `if` branches: `(if c { 300 } else { 2 }) as u8` casts an `i32`).
fn is_literal_like(body: &Body, e: ExprId) -> bool {
    match &body.expr(e).kind {
        ExprKind::Lit(Lit::Int(_, None)) | ExprKind::Lit(Lit::Float(_, None)) => true,
        ExprKind::Unary(_, inner) => is_literal_like(body, *inner),
        ExprKind::Block(b) => b.tail.is_some_and(|t| is_literal_like(body, t)),
        _ => false,
    }
}

/// Checks every operator, cast, method and range against the inferred types.
fn validate(body: &Body, types: &Types, errors: &mut Errors) {
    for (idx, e) in body.exprs.iter().enumerate() {
        let of = |id: &ExprId| types.expr(*id);
        match &e.kind {
            ExprKind::HalfConv(x, None, to) if !of(x).scalar().is_some_and(ScalarTy::is_half) => {
                let what = if *to == ScalarTy::F32 { "to_f32" } else { "to_f64" };
                errors.at(
                    e.span,
                    format!(
                        "`{what}()` converts `f16`/`bf16` values in #[ptx_kernel] functions (use `as` for `{}`)",
                        of(x)
                    ),
                );
            }
            ExprKind::Unary(UnaryOp::Neg, x) => match of(x).scalar() {
                Some(t) if t.is_signed() || t.is_float() || t.is_half() => {}
                _ => errors.at(e.span, format!("cannot negate a value of type `{}`", of(x))),
            },
            ExprKind::Unary(UnaryOp::Not, x) if of(x).scalar().is_none_or(|t| t.is_float() || t.is_half()) => {
                errors.at(e.span, format!("cannot apply `!` to a value of type `{}`", of(x)));
            }
            ExprKind::Binary(op, a, b) => check_binary(*op, of(a), of(b), e.span, errors),
            ExprKind::CompoundAssign(op, p, v) => {
                let pt = match p {
                    Place::Local(l) => types.local(*l),
                    Place::Index(s, _) => types.base(*s).unwrap_or(Ty::Unit),
                    Place::Elem(l, _, _) => match types.local(*l) {
                        Ty::Array(t) => Ty::Scalar(t.elem),
                        other => other,
                    },
                };
                check_binary(*op, pt, of(v), e.span, errors)
            }
            ExprKind::Cast(x, target) => match of(x) {
                Ty::Scalar(src) if src.is_half() || target.is_half() => {
                    errors.at(
                        e.span,
                        format!(
                            "`f16`/`bf16` have no `as` casts: convert with `{0}::from_f32(x)` / `x.to_f32()`",
                            if src.is_half() { src } else { *target }
                        ),
                    );
                }
                Ty::Scalar(src) => {
                    if *target == ScalarTy::Bool && src != ScalarTy::Bool {
                        errors.at(e.span, format!("cannot cast `{src}` as `bool`: compare instead (`x != 0`)"));
                    } else if src == ScalarTy::Bool && target.is_float() {
                        errors.at(e.span, format!("cannot cast `bool` as `{target}`: cast to an integer first"));
                    }
                }
                Ty::Never => {}
                other => errors.at(e.span, format!("cannot cast `{other}` as `{target}`")),
            },
            ExprKind::Method(m, recv, _) => match of(recv).scalar() {
                Some(t) if m.works_on(t) => {}
                _ => {
                    errors.at(e.span, format!("no method `{}` on `{}` in #[ptx_kernel] functions", m.name(), of(recv)))
                }
            },
            ExprKind::Call(c, args) if !c.value_types().is_empty() => {
                let (params, _) = c.signature();
                let t = params.iter().zip(args).find(|(p, _)| **p == super::intrinsics::ArgTy::T).map(|(_, a)| of(a));
                if let Some(Ty::Scalar(t)) = t {
                    if !c.value_types().contains(&t) {
                        errors.at(
                            e.span,
                            format!(
                                "`gpu::{}` is not supported for `{t}` values (supported: {})",
                                c.name(),
                                super::intrinsics::type_list(c.value_types())
                            ),
                        );
                    }
                }
            }
            ExprKind::MemCall(m, base, _, _) => {
                let vector_load =
                    matches!(m, super::intrinsics::MemCall::LoadNc | super::intrinsics::MemCall::LoadStreaming);
                if matches!(m, super::intrinsics::MemCall::LoadVec(_) | super::intrinsics::MemCall::StoreVec(_))
                    && matches!(types.base(*base), Some(Ty::Array(_)))
                {
                    errors.at(e.span, format!("`gpu::{}` reads consecutive scalars: its place is an element of a scalar slice or shared array", m.name()));
                }
                let t = match types.base(*base) {
                    Some(Ty::Scalar(t)) => Some(t),
                    Some(Ty::Array(a)) if !vector_load => Some(a.elem),
                    _ => None,
                };
                if let Some(t) = t {
                    if !m.value_types().contains(&t) {
                        errors.at(
                            e.span,
                            format!(
                                "`gpu::{}` is not supported on `{t}` places (supported: {}){}",
                                m.name(),
                                super::intrinsics::type_list(m.value_types()),
                                if matches!(m, super::intrinsics::MemCall::Atomic(_)) && t.is_float() {
                                    "; PTX has no float atomic min/max or bitwise ops: use `atomic_cas` in a loop"
                                } else {
                                    ""
                                }
                            ),
                        );
                    }
                }
            }
            ExprKind::If(..) if matches!(types.expr(ExprId(idx as u32)), Ty::Array(_)) => {
                errors.at(e.span, "an `if` whose value is an array is not supported in #[ptx_kernel] functions: assign the elements in each branch");
            }
            ExprKind::For(f) if !of(&f.start).scalar().is_some_and(ScalarTy::is_int) => {
                errors.at(e.span, format!("`for` ranges must be of integers, not `{}`", of(&f.start)));
            }
            _ => {}
        }
    }
}

fn check_binary(op: BinaryOp, a: Ty, b: Ty, span: SpanRange, errors: &mut Errors) {
    let (Some(ta), tb) = (a.scalar(), b.scalar()) else {
        if a != Ty::Never {
            errors.at(span, format!("cannot apply `{}` to `{a}`", op.symbol()));
        }
        return;
    };
    let ok = match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => ta != ScalarTy::Bool,
        BinaryOp::Rem => {
            if ta.is_half() {
                errors.at(span, "`%` on `f16`/`bf16` is not supported in #[ptx_kernel] functions");
                return;
            }
            if ta.is_float() {
                errors.at(
                    span,
                    "`%` on floats is not supported in #[ptx_kernel] functions yet (integer `%` is): compute \
                     `a - (a / b).trunc() * b` if an inexact remainder is enough",
                );
                return;
            }
            ta != ScalarTy::Bool
        }
        BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => !ta.is_float() && !ta.is_half(),
        BinaryOp::Shl | BinaryOp::Shr => ta.is_int() && tb.is_some_and(ScalarTy::is_int),
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => true,
    };
    if !ok {
        errors.at(
            span,
            format!("cannot apply `{}` to `{a}` and `{}`", op.symbol(), tb.map_or("()".into(), |t| t.to_string())),
        );
    }
}
