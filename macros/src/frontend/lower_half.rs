//! `half::f16` and `half::bf16`: conversions and arithmetic with the `half` crate's semantics.
//!
//! `half` computes `a op b` as `from_f32(a.to_f32() op b.to_f32())`; since f32 has more than twice the
//! significand bits of f16 and bf16 plus two, that double rounding equals the correctly rounded half operation,
//! so the native `add/sub/mul.rn.f16` (sm_53) and `.bf16` (sm_90) give the same bits as the f32 route. Native
//! instructions are used when the kernel's requested target (`#[ptx_kernel(target = …)]`) has them; otherwise
//! (and for `/` always) the operands go through f32. Comparisons are exact in f32. Conversions: f16 ↔ f32/f64 with
//! `cvt` (round to nearest even); bf16 ↔ f32 on the bits (`to_f32` is a shift, `from_f32` rounds to nearest even
//! and keeps NaNs quiet, as `half` does), so bf16 works on every target.

use ptx_gen::{BinOp, CmpOp, CvtMode, Mode, Operand, Reg, Type};

use super::hir::{BinaryOp, ExprId};
use super::lower::{Lowerer, Val};
use super::types::ScalarTy;

impl Lowerer<'_, '_, '_> {
    /// Converts register `r` of type `from` to `to` (one of them half, the other f32/f64, or both half).
    pub(super) fn half_conv(&mut self, r: Reg, from: ScalarTy, to: ScalarTy) -> Reg {
        match (from, to) {
            (a, b) if a == b => r,
            (ScalarTy::F16, ScalarTy::F32 | ScalarTy::F64) => {
                self.b.ins().cvt(CvtMode::None, false, to.reg_type(), Type::F16, r)
            }
            (ScalarTy::F32 | ScalarTy::F64, ScalarTy::F16) => {
                self.b.ins().cvt(CvtMode::Rn, false, Type::F16, from.reg_type(), r)
            }
            (ScalarTy::BF16, ScalarTy::F32) => {
                let bits = self.b.func_mut().new_reg(Type::B16);
                self.b.ins().mov_to(bits, r);
                let mut ins = self.b.ins();
                let w = ins.cvt(CvtMode::None, false, Type::U32, Type::U16, bits);
                let s = ins.binary(BinOp::Shl, Mode::None, Type::B32, w, Operand::u32(16));
                let f = self.b.func_mut().new_reg(Type::F32);
                self.b.ins().mov_to(f, s);
                f
            }
            (ScalarTy::BF16, ScalarTy::F64) => {
                let f = self.half_conv(r, ScalarTy::BF16, ScalarTy::F32);
                self.b.ins().cvt(CvtMode::None, false, Type::F64, Type::F32, f)
            }
            (ScalarTy::F32, ScalarTy::BF16) => {
                // half::bf16::from_f32: NaN → quiet (bits >> 16 | 0x40); else round to nearest even.
                let b = self.b.func_mut().new_reg(Type::B32);
                self.b.ins().mov_to(b, r);
                let mut ins = self.b.ins();
                let hi = ins.binary(BinOp::Shr, Mode::None, Type::U32, b, Operand::u32(16));
                let lsb = ins.binary(BinOp::And, Mode::None, Type::B32, hi, Operand::u32(1));
                let bias = ins.binary(BinOp::Add, Mode::None, Type::U32, lsb, Operand::u32(0x7FFF));
                let sum = ins.binary(BinOp::Add, Mode::None, Type::U32, b, bias);
                let rounded = ins.binary(BinOp::Shr, Mode::None, Type::U32, sum, Operand::u32(16));
                let quiet = ins.binary(BinOp::Or, Mode::None, Type::B32, hi, Operand::u32(0x40));
                let nan = ins.setp(CmpOp::Nan, Type::F32, r, r);
                let v = ins.selp(Type::U32, quiet, rounded, nan);
                let v16 = ins.cvt(CvtMode::None, false, Type::U16, Type::U32, v);
                let bits = self.b.func_mut().new_reg(Type::B16);
                self.b.ins().mov_to(bits, v16);
                let d = self.b.func_mut().new_reg(Type::BF16);
                self.b.ins().mov_to(d, bits);
                d
            }
            (ScalarTy::F16, ScalarTy::BF16) | (ScalarTy::BF16, ScalarTy::F16) => {
                let f = self.half_conv(r, from, ScalarTy::F32);
                self.half_conv(f, ScalarTy::F32, to)
            }
            _ => r,
        }
    }

    /// `a op b` of half type `t`.
    pub(super) fn half_binary(&mut self, op: BinaryOp, a: Operand, b: Operand, t: ScalarTy, id: ExprId) -> Val {
        if op.is_comparison() {
            return Val::Scalar(Operand::Reg(self.compare(op, a, b, t)), ScalarTy::Bool);
        }
        let ra = self.reg(a, t);
        let rb = self.reg(b, t);
        let native_sm = if t == ScalarTy::F16 { 53 } else { 90 };
        let native = self.requested_sm.is_some_and(|sm| sm >= native_sm);
        let bop = match op {
            BinaryOp::Add => BinOp::Add,
            BinaryOp::Sub => BinOp::Sub,
            BinaryOp::Mul => BinOp::Mul,
            BinaryOp::Div => BinOp::Div,
            _ => return self.internal(id, "an operator `f16`/`bf16` don't have reached lowering"),
        };
        if native && bop != BinOp::Div {
            let r = self.b.ins().binary(bop, Mode::Rn, t.reg_type(), ra, rb);
            return Val::Scalar(Operand::Reg(r), t);
        }
        let fa = self.half_conv(ra, t, ScalarTy::F32);
        let fb = self.half_conv(rb, t, ScalarTy::F32);
        let r = self.b.ins().binary(bop, Mode::Rn, Type::F32, fa, fb);
        Val::Scalar(Operand::Reg(self.half_conv(r, ScalarTy::F32, t)), t)
    }
}
