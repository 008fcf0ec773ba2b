//! Lowering array values: local arrays (`[x; N]`, `[a, b, c]`, `[[x; M]; N]`) and the elements of `&[[T; N]]`
//! slices.
//!
//! An array value is one operand per scalar ([`ArrVal`]); a `let mut` array gets one register per scalar. A
//! constant index (a literal, or the variable of an `#[unroll]` loop) names a register directly: no instruction. A
//! dynamic index reads through a chain of `selp` over every element and writes each element with a `selp`, so it
//! costs O(N) instructions but never touches memory (`.local`); a dynamic index is bounds-checked like a slice's
//! (see `lower::checks`; without checks an index out of bounds reads the first element and writes nothing). A slice element `[T; 2]`/`[T; 4]` moves with one `ld.global.v2/v4` / `st.global.v2/v4`.

use ptx_gen::{Address, BinOp, CmpOp, MemAccess, Mode, Operand, Reg, TernOp, Type, UnOp, VecWidth};

use super::hir::*;
use super::lower::{Lowerer, MemLoc, Val};
use super::types::{ArrTy, ScalarTy, Ty};

/// An array value of [`Lowerer::arrays`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArrId(pub u32);

/// The scalars of an array value, row-major.
#[derive(Clone, Debug)]
pub struct ArrVal {
    pub ty: ArrTy,
    pub ops: Vec<Operand>,
}

impl Lowerer<'_, '_, '_> {
    fn new_array(&mut self, ty: ArrTy, ops: Vec<Operand>) -> Val {
        self.arrays.push(ArrVal { ty, ops });
        Val::Arr(ArrId(self.arrays.len() as u32 - 1))
    }

    fn array(&self, a: ArrId) -> ArrVal {
        self.arrays[a.0 as usize].clone()
    }

    /// A copy of `a` whose elements don't change when mutable registers are assigned later.
    pub(super) fn stable_array(&mut self, a: ArrId) -> Val {
        let v = self.array(a);
        if !v.ops.iter().any(|o| self.is_mutable_reg(*o)) {
            return Val::Arr(a);
        }
        let ops = v
            .ops
            .iter()
            .map(|&o| if self.is_mutable_reg(o) { Operand::Reg(self.b.ins().mov(v.ty.elem.reg_type(), o)) } else { o })
            .collect();
        self.new_array(v.ty, ops)
    }

    /// `let a = v;` / `let mut a = v;` of array type: registers of their own for a mutable binding.
    pub(super) fn bind_array(&mut self, t: ArrTy, v: Option<Val>, mutable: bool) -> Val {
        let src = match v {
            Some(Val::Arr(a)) => Some(self.array(a).ops),
            _ => None,
        };
        let rt = t.elem.reg_type();
        match src {
            Some(ops) if !mutable => {
                let id = match v {
                    Some(Val::Arr(a)) => a,
                    _ => unreachable!("src came from an array"),
                };
                let _ = ops;
                self.stable_array(id)
            }
            Some(ops) => {
                let regs: Vec<Operand> = ops
                    .iter()
                    .map(|&o| {
                        let r = self.b.ins().mov(rt, o);
                        self.mark_mutable(r);
                        Operand::Reg(r)
                    })
                    .collect();
                self.new_array(t, regs)
            }
            None => {
                let regs: Vec<Operand> = (0..t.total())
                    .map(|_| {
                        let r = self.b.func_mut().new_reg(rt);
                        self.mark_mutable(r);
                        Operand::Reg(r)
                    })
                    .collect();
                self.new_array(t, regs)
            }
        }
    }

    pub(super) fn array_literal(&mut self, elems: &[ExprId], id: ExprId) -> Val {
        let Ty::Array(t) = self.ty(id) else { return self.internal(id, "an array literal without an array type") };
        let mut ops = Vec::with_capacity(elems.len());
        for e in elems {
            let v = self.expr(*e);
            let v = self.stable(v);
            let Some((op, _)) = self.scalar(v, *e) else { return Val::Unit };
            ops.push(op);
        }
        self.loc(id);
        self.new_array(t, ops)
    }

    pub(super) fn repeat(&mut self, x: ExprId, n: u32, m: u32, id: ExprId) -> Val {
        let Ty::Array(t) = self.ty(id) else { return self.internal(id, "an array literal without an array type") };
        let v = self.expr(x);
        let v = self.stable(v);
        let Some((op, _)) = self.scalar(v, x) else { return Val::Unit };
        self.new_array(t, vec![op; (n * m.max(1)) as usize])
    }

    /// `cond ? a : b` of scalar type `t` (predicates through logic: `selp` takes no `.pred`).
    fn select(&mut self, t: ScalarTy, a: Operand, b: Operand, cond: Reg) -> Operand {
        if t == ScalarTy::Bool {
            let pa = self.pred(a);
            let pb = self.pred(b);
            let mut ins = self.b.ins();
            let x = ins.binary(BinOp::And, Mode::None, Type::Pred, cond, pa);
            let nc = ins.unary(UnOp::Not, Mode::None, Type::Pred, cond);
            let y = ins.binary(BinOp::And, Mode::None, Type::Pred, nc, pb);
            return Operand::Reg(ins.binary(BinOp::Or, Mode::None, Type::Pred, x, y));
        }
        Operand::Reg(self.b.ins().selp(t.reg_type(), a, b, cond))
    }

    /// An index operand (usize) as a constant or a register.
    fn index_op(&mut self, i: ExprId) -> Option<Operand> {
        let v = self.expr(i);
        let v = self.stable(v);
        self.scalar(v, i).map(|(op, _)| op)
    }

    fn out_of_bounds(&mut self, id: ExprId, len: u32, k: u64) -> Val {
        let span = self.body.expr(id).span;
        self.errors.at(
            span,
            format!(
                "this operation will panic at runtime: index out of bounds: the length is {len} but the index is {k}"
            ),
        );
        Val::Unit
    }

    /// `ops[idx]` for a dynamic `idx` (u64 register): a `selp` chain.
    fn select_dynamic(&mut self, t: ScalarTy, ops: &[Operand], idx: Reg) -> Operand {
        let mut r = ops[0];
        for (k, &o) in ops.iter().enumerate().skip(1) {
            let p = self.b.ins().setp(CmpOp::Eq, Type::U64, idx, Operand::u64(k as u64));
            r = self.select(t, o, r, p);
        }
        r
    }

    pub(super) fn elem_read(&mut self, a: ExprId, i: ExprId, id: ExprId) -> Val {
        let va = self.expr(a);
        let va = if super::lower::is_pure(self.body, i) { va } else { self.stable(va) };
        let Some(idx) = self.index_op(i) else { return Val::Unit };
        self.loc(id);
        let Val::Arr(arr) = va else {
            if self.b.is_terminated() {
                return Val::Unit;
            }
            return self.internal(id, "indexing a value that is not an array");
        };
        let v = self.array(arr);
        let (n, row) = (v.ty.n, v.ty.m);
        match idx {
            Operand::Imm(k) => {
                if k.0 >= n as u64 {
                    return self.out_of_bounds(id, n, k.0);
                }
                let k = k.0 as usize;
                if row == 0 {
                    Val::Scalar(v.ops[k], v.ty.elem)
                } else {
                    let m = row as usize;
                    self.new_array(ArrTy::new(v.ty.elem, row), v.ops[k * m..(k + 1) * m].to_vec())
                }
            }
            Operand::Reg(r) => {
                self.array_bounds_check(idx, n as u64, id);
                if row == 0 {
                    Val::Scalar(self.select_dynamic(v.ty.elem, &v.ops, r), v.ty.elem)
                } else {
                    let m = row as usize;
                    let rows: Vec<Operand> = (0..m)
                        .map(|c| {
                            let col: Vec<Operand> = (0..n as usize).map(|k| v.ops[k * m + c]).collect();
                            self.select_dynamic(v.ty.elem, &col, r)
                        })
                        .collect();
                    self.new_array(ArrTy::new(v.ty.elem, row), rows)
                }
            }
        }
    }

    /// The linear index of `a[i]` / `a[i][j]` of local `l`, and the local's array.
    fn elem_index(&mut self, l: LocalId, i: ExprId, j: Option<ExprId>, id: ExprId) -> Option<(ArrVal, Operand)> {
        let i = self.index_op(i)?;
        let j = match j {
            Some(j) => Some(self.index_op(j)?),
            None => None,
        };
        self.loc(id);
        let Some(Val::Arr(arr)) = self.locals.get(l.0 as usize).copied().flatten() else {
            self.internal(id, "indexing a local that is not an array");
            return None;
        };
        let v = self.array(arr);
        let m = v.ty.m as u64;
        let lin = match (i, j) {
            (Operand::Imm(a), None) => {
                if a.0 >= v.ty.n as u64 {
                    self.out_of_bounds(id, v.ty.n, a.0);
                    return None;
                }
                Operand::u64(a.0)
            }
            (Operand::Imm(a), Some(Operand::Imm(b))) => {
                if a.0 >= v.ty.n as u64 || b.0 >= m {
                    self.out_of_bounds(id, if a.0 >= v.ty.n as u64 { v.ty.n } else { v.ty.m }, a.0.max(b.0));
                    return None;
                }
                Operand::u64(a.0 * m + b.0)
            }
            (i, None) => {
                self.array_bounds_check(i, v.ty.n as u64, id);
                i
            }
            (i, Some(j)) => {
                self.array_bounds_check(i, v.ty.n as u64, id);
                self.array_bounds_check(j, m, id);
                // Out-of-range columns must not alias another row: map them past the end.
                let ii = self.reg(i, ScalarTy::Usize);
                let lin = self.b.ins().ternary(TernOp::Mad, Mode::Lo, Type::U64, ii, Operand::u64(m), j);
                let jr = self.reg(j, ScalarTy::Usize);
                let bad = self.b.ins().setp(CmpOp::Ge, Type::U64, jr, Operand::u64(m));
                Operand::Reg(self.b.ins().selp(Type::U64, Operand::u64(u64::MAX), lin, bad))
            }
        };
        Some((v, lin))
    }

    /// Reads element `lin` of `v`.
    fn read_lin(&mut self, v: &ArrVal, lin: Operand) -> Operand {
        match lin {
            Operand::Imm(k) => v.ops[k.0 as usize],
            Operand::Reg(r) => self.select_dynamic(v.ty.elem, &v.ops, r),
        }
    }

    /// Writes `x` to element `lin` of `v` (its registers).
    fn write_lin(&mut self, v: &ArrVal, lin: Operand, x: Operand, id: ExprId) {
        match lin {
            Operand::Imm(k) => match v.ops[k.0 as usize] {
                Operand::Reg(r) => self.b.ins().mov_to(r, x),
                Operand::Imm(_) => {
                    self.internal(id, "assignment to an array element without a register");
                }
            },
            Operand::Reg(idx) => {
                for (k, &o) in v.ops.iter().enumerate() {
                    let Operand::Reg(r) = o else { continue };
                    let p = self.b.ins().setp(CmpOp::Eq, Type::U64, idx, Operand::u64(k as u64));
                    let nv = self.select(v.ty.elem, x, o, p);
                    self.b.ins().mov_to(r, nv);
                }
            }
        }
    }

    pub(super) fn elem_write(&mut self, l: LocalId, i: ExprId, j: Option<ExprId>, x: Operand, id: ExprId) {
        let Some((v, lin)) = self.elem_index(l, i, j, id) else { return };
        self.write_lin(&v, lin, x, id);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn elem_compound(
        &mut self,
        op: BinaryOp,
        l: LocalId,
        i: ExprId,
        j: Option<ExprId>,
        y: Operand,
        ty_b: ScalarTy,
        id: ExprId,
    ) {
        let Some((v, lin)) = self.elem_index(l, i, j, id) else { return };
        let cur = self.read_lin(&v, lin);
        let Val::Scalar(res, _) = self.binary(op, cur, y, v.ty.elem, ty_b, id) else { return };
        self.write_lin(&v, lin, res, id);
    }

    /// `place = array`: a whole local, or a vector element of a slice (one vector store).
    pub(super) fn assign_array(&mut self, place: Place, a: ArrId, id: ExprId) {
        let v = self.array(a);
        match place {
            Place::Local(l) => {
                let Some(Val::Arr(dst)) = self.locals.get(l.0 as usize).copied().flatten() else {
                    self.internal(id, "array assignment to a local that is not an array");
                    return;
                };
                let d = self.array(dst);
                for (&o, &src) in d.ops.iter().zip(&v.ops) {
                    if let Operand::Reg(r) = o {
                        self.b.ins().mov_to(r, src);
                    }
                }
            }
            Place::Index(s, i) => {
                let Some((addr, ml)) = self.element_addr(s, i, id) else { return };
                self.store_vector(ml, addr, &v.ops);
            }
            Place::Elem(..) => {
                self.internal(id, "assignment of an array to an array element");
            }
        }
    }

    fn vec_width(lanes: u32) -> VecWidth {
        if lanes == 2 {
            VecWidth::V2
        } else {
            VecWidth::V4
        }
    }

    /// `ld.global{.nc}.v2/v4` of a slice element.
    pub(super) fn load_vector(&mut self, ml: MemLoc, addr: Address) -> Val {
        let mut access = MemAccess::new(ml.space, ml.elem.mem_type());
        access.nc = ml.nc;
        access.vec = Self::vec_width(ml.lanes);
        self.load_vector_with(access, ml, addr)
    }

    /// A vector load with the given access (e.g. `load_streaming`'s cache hints).
    pub(super) fn load_vector_with(&mut self, access: MemAccess, ml: MemLoc, addr: Address) -> Val {
        let regs = self.b.ins().ld_vec_as(access, addr, ml.elem.load_reg_type());
        self.new_array(ArrTy::new(ml.elem, ml.lanes), regs.into_iter().map(Operand::Reg).collect())
    }

    pub(super) fn store_vector(&mut self, ml: MemLoc, addr: Address, ops: &[Operand]) {
        let mut access = MemAccess::new(ml.space, ml.elem.mem_type());
        access.vec = Self::vec_width(ml.lanes);
        let srcs = ops.iter().map(|&o| Operand::Reg(self.reg(o, ml.elem))).collect();
        self.b.ins().st_vec(access, addr, srcs);
    }
}
