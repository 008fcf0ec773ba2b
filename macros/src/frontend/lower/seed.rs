//! Lowering the seed's intrinsics (see [`frontend::seed`](super::super::seed)).

use ptx_gen::{BarOp, FenceKind};

use super::super::seed::*;
use super::*;

impl Lowerer<'_, '_, '_> {
    /// Lowers `op` (expression `id`).
    pub(super) fn seed_expr(&mut self, op: &SeedOp, id: ExprId) -> Val {
        match op {
            SeedOp::Special(s) => {
                let r = self.b.ins().special(*s);
                let t = if s.ty() == Type::U64 { ScalarTy::U64 } else { ScalarTy::U32 };
                Val::Scalar(Operand::Reg(r), t)
            }
            SeedOp::LoadAcquire { base, index, scope } => {
                let Some((addr, sl)) = self.element_addr(*base, *index, id) else { return Val::Unit };
                let mut access = MemAccess::new(sl.space, sl.elem.mem_type());
                access.order = ptx_gen::MemOrder::Acquire(*scope);
                let r = self.b.ins().ld_as(access, addr, sl.elem.load_reg_type());
                let v = if sl.elem == ScalarTy::Bool {
                    Operand::Reg(self.b.ins().setp(CmpOp::Ne, Type::U32, r, Operand::u32(0)))
                } else {
                    Operand::Reg(r)
                };
                Val::Scalar(v, sl.elem)
            }
            SeedOp::StoreRelease { base, index, value, scope } => {
                let Some((addr, sl)) = self.mutable_element(*base, *index, id) else { return Val::Unit };
                let v = self.expr(*value);
                self.loc(id);
                let Some((v, _)) = self.scalar(v, *value) else { return Val::Unit };
                let src = if sl.elem == ScalarTy::Bool {
                    match v {
                        Operand::Imm(i) => Operand::u32((i.0 & 1) as u32),
                        Operand::Reg(p) => {
                            Operand::Reg(self.b.ins().selp(Type::U32, Operand::u32(1), Operand::u32(0), p))
                        }
                    }
                } else {
                    v
                };
                let ty = if sl.elem == ScalarTy::Bool { ScalarTy::U8 } else { sl.elem };
                let src = self.reg(src, ty);
                let mut access = MemAccess::new(sl.space, sl.elem.mem_type());
                access.order = ptx_gen::MemOrder::Release(*scope);
                self.b.ins().st(access, addr, src);
                Val::Unit
            }
            SeedOp::Atomic { op, negate, base, index, value, cmp, order, scope } => {
                let Some((addr, sl)) = self.mutable_element(*base, *index, id) else { return Val::Unit };
                let mut ops = Vec::new();
                for (k, e) in cmp.iter().chain(std::iter::once(value)).enumerate() {
                    let v = self.expr(*e);
                    // The expected value must survive the evaluation of the new one.
                    let v = if k == 0 && cmp.is_some() { self.stable(v) } else { v };
                    let Some((o, _)) = self.scalar(v, *e) else { return Val::Unit };
                    ops.push(o);
                }
                self.loc(id);
                let Some(ty) = atom_type(*op, sl.elem) else {
                    return self.internal(id, "an atomic on an element type PTX has no atomic for");
                };
                let (src, cmp_op) = if ops.len() == 2 { (ops[1], Some(ops[0])) } else { (ops[0], None) };
                let src = if *negate { self.unary(UnaryOp::Neg, src, sl.elem) } else { src };
                let r = self.b.ins().atom(*op, sl.space, order.mem_order(*scope), Some(*scope), ty, addr, src, cmp_op);
                Val::Scalar(Operand::Reg(r), sl.elem)
            }
            SeedOp::Fence(scope) => {
                self.b.ins().fence(FenceKind::AcqRel, *scope);
                Val::Unit
            }
            SeedOp::Barrier { arrive, id: bar, count } => {
                let vb = self.expr(*bar);
                let vb = self.stable(vb);
                let vc = self.expr(*count);
                self.loc(id);
                let (Some((b, _)), Some((c, _))) = (self.scalar(vb, *bar), self.scalar(vc, *count)) else {
                    return Val::Unit;
                };
                let op = if *arrive { BarOp::Arrive } else { BarOp::Sync };
                self.b.ins().bar(op, b, Some(c));
                Val::Unit
            }
            SeedOp::Asm(a) => self.asm(a, id),
        }
    }

    /// The address of `base[index]` of a `&mut [T]` parameter or a shared array (an error for a `&[T]` one).
    fn mutable_element(&mut self, base: Base, index: ExprId, id: ExprId) -> Option<(Address, MemLoc)> {
        let (addr, sl) = self.element_addr(base, index, id)?;
        if sl.nc {
            let span = self.span(id);
            self.errors.at(span, "this writes to a `&[T]` parameter: declare it `&mut [T]`");
            return None;
        }
        Some((addr, sl))
    }

    /// Inline PTX: inputs copied to fresh registers, a fresh register per output (an `inout` one also passes the
    /// place's value as an input and the text starts with a `mov` of it into the output), the text with `{N}`
    /// renumbered outputs-first for the IR, then the outputs stored to their places.
    fn asm(&mut self, a: &AsmBlock, id: ExprId) -> Val {
        enum Dest {
            Local(LocalId),
            Elem(Address, MemLoc),
            /// A local array's element, written through `store_place` after the asm.
            Place(Place),
        }
        let n_out = a.operands.iter().filter(|o| o.dir != AsmDir::In).count();
        let mut outputs: Vec<Reg> = Vec::new();
        let mut inputs: Vec<Operand> = Vec::new();
        let mut extra_inputs: Vec<(usize, Operand, ScalarTy)> = Vec::new();
        let mut ir_index = vec![0usize; a.operands.len()];
        let mut dests: Vec<(Reg, Dest, ScalarTy)> = Vec::new();
        for (k, o) in a.operands.iter().enumerate() {
            match (o.dir, o.value, o.place) {
                (AsmDir::In, Some(v), _) => {
                    let val = self.expr(v);
                    self.loc(id);
                    let Some((op, _)) = self.scalar(val, v) else { return Val::Unit };
                    // A copy: a later `out` to the same local must not change what this input reads.
                    let r = self.asm_operand(op, o.ty);
                    ir_index[k] = n_out + inputs.len();
                    inputs.push(Operand::Reg(r));
                }
                (dir, _, Some(place)) => {
                    let (dest, cur) = match place {
                        Place::Local(l) => {
                            let cur = match self.locals.get(l.0 as usize).copied().flatten() {
                                Some(Val::Scalar(op, _)) => Some(op),
                                _ => None,
                            };
                            (Dest::Local(l), cur)
                        }
                        Place::Elem(..) if dir == AsmDir::InOut => {
                            let span = self.span(id);
                            self.errors.at(
                                span,
                                "an `inout` operand cannot be an element of a local array yet: copy it to a local",
                            );
                            return Val::Unit;
                        }
                        Place::Elem(..) => (Dest::Place(place), None),
                        Place::Index(s, i) => {
                            let Some((addr, sl)) = self.element_addr(s, i, id) else { return Val::Unit };
                            let cur = if dir == AsmDir::InOut { Some(self.load(sl, addr)) } else { None };
                            (Dest::Elem(addr, sl), cur)
                        }
                    };
                    self.loc(id);
                    if dir == AsmDir::InOut {
                        let Some(cur) = cur else { return self.internal(id, "an `inout` operand without a value") };
                        // The text reads and writes the output register; the IR's contract is that asm reads only
                        // its inputs, so the old value comes in as an input and the text starts by copying it.
                        let r = self.asm_operand(cur, o.ty);
                        extra_inputs.push((outputs.len(), Operand::Reg(r), o.ty));
                    }
                    let r = self.b.func_mut().new_reg(o.ty.asm_reg_type());
                    ir_index[k] = outputs.len();
                    outputs.push(r);
                    dests.push((r, dest, o.ty));
                }
                _ => return self.internal(id, "a malformed `ptx_asm!` operand"),
            }
        }
        let mut text = String::new();
        for (out, r, ty) in extra_inputs {
            text.push_str(&format!("mov.{} {{{out}}}, {{{}}};\n", ty.asm_reg_type().name(), n_out + inputs.len()));
            inputs.push(r);
        }
        for p in &a.pieces {
            match p {
                AsmPiece::Text(t) => text.push_str(t),
                AsmPiece::Operand(k) => {
                    text.push('{');
                    text.push_str(&ir_index[*k].to_string());
                    text.push('}');
                }
            }
        }
        self.loc(id);
        self.b.ins().asm(text, outputs, inputs);
        for (r, dest, ty) in dests {
            // A 16-bit output register back to the 32-bit form the lowering keeps.
            let r = if ty.asm_reg_type() != ty.reg_type() {
                self.b.ins().cvt(CvtMode::None, false, ty.reg_type(), ty.asm_reg_type(), r)
            } else {
                r
            };
            match dest {
                Dest::Local(l) => self.assign_local(l, Operand::Reg(r), id),
                Dest::Elem(addr, sl) => {
                    let _ = ty;
                    self.store(sl, addr, Operand::Reg(r));
                }
                Dest::Place(p) => self.store_place(p, Operand::Reg(r), id),
            }
        }
        Val::Unit
    }

    /// `op` copied into a fresh register of the `ptx_asm!` operand type of `ty` (a 16-bit value narrowed from its
    /// 32-bit register; an immediate truncated to the operand's width).
    fn asm_operand(&mut self, op: Operand, ty: ScalarTy) -> Reg {
        let at = ty.asm_reg_type();
        match op {
            Operand::Reg(r) if at != ty.reg_type() => self.b.ins().cvt(CvtMode::None, false, at, ty.reg_type(), r),
            Operand::Imm(i) if at != ty.reg_type() => self.b.ins().mov(at, Operand::Imm(Imm(i.0 & 0xFFFF))),
            op => self.b.ins().mov(at, op),
        }
    }
}
