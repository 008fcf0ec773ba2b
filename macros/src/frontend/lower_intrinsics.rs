//! Lowering the [`Call`]s and [`MemCall`]s of [`intrinsics`](super::intrinsics): barriers and fences, warp
//! shuffles, votes and reductions, fast math, atomics and cache-hinted loads.
//!
//! A 64-bit shuffle is two 32-bit shuffles of the halves (`mov.b64` to bits, `cvt`/`shr` to split, `shl`/`or` to
//! join). A warp reduction is a full-warp butterfly (`shfl.sync.bfly` with lane masks 16, 8, 4, 2, 1, each followed
//! by the operation), so every lane gets the same result; float sums add in that fixed order (`.rn`, never fused).

use ptx_gen::{
    AtomOp, BinOp, CvtMode, Eviction, FenceKind, InstKind, MemAccess, MemOrder, Mode, Operand, Reg, Scope, ShflMode,
    SpecialReg, StateSpace, TernOp, Type, UnOp, VoteMode,
};

use super::hir::*;
use super::intrinsics::{AtomicOp, Call, FastFn, MemCall, Reduce, Shuffle};
use super::lower::{Lowerer, Val};
use super::types::ScalarTy;

const FULL_MASK: u32 = 0xFFFF_FFFF;

impl Lowerer<'_, '_, '_> {
    /// Evaluates `args` left to right (copying a value that later arguments could change) into operands.
    fn call_operands(&mut self, args: &[ExprId], id: ExprId) -> Option<Vec<(Operand, ScalarTy)>> {
        let body = self.body;
        let mut vals = Vec::with_capacity(args.len());
        for (k, a) in args.iter().enumerate() {
            let v = self.expr(*a);
            let later_pure = args[k + 1..].iter().all(|x| super::lower::is_pure(body, *x));
            vals.push(if later_pure { v } else { self.stable(v) });
        }
        self.loc(id);
        let mut ops = Vec::with_capacity(args.len());
        for (v, a) in vals.into_iter().zip(args) {
            ops.push(self.scalar(v, *a)?);
        }
        Some(ops)
    }

    /// A fresh register of `t`'s type holding the bits of `r` (a `.b32`/`.b64` result).
    fn retype(&mut self, r: Reg, t: ScalarTy) -> Operand {
        let d = self.b.func_mut().new_reg(t.reg_type());
        self.b.ins().mov_to(d, r);
        Operand::Reg(d)
    }

    pub(super) fn call(&mut self, c: Call, args: &[ExprId], id: ExprId) -> Val {
        let Some(ops) = self.call_operands(args, id) else { return Val::Unit };
        let arg = |k: usize| ops.get(k).copied().unwrap_or((Operand::u32(0), ScalarTy::U32));
        let u32v = |r: Operand| Val::Scalar(r, ScalarTy::U32);
        match c {
            Call::SyncWarp => {
                self.b.push(InstKind::WarpSync { mask: arg(0).0 });
                Val::Unit
            }
            Call::FenceBlock | Call::FenceDevice | Call::FenceSystem => {
                let scope = match c {
                    Call::FenceBlock => Scope::Cta,
                    Call::FenceDevice => Scope::Gpu,
                    _ => Scope::Sys,
                };
                self.b.ins().fence(FenceKind::Membar, scope);
                Val::Unit
            }
            Call::LaneId => u32v(Operand::Reg(self.b.ins().special(SpecialReg::LaneId))),
            Call::WarpId => {
                // The warp's index within the block: the linear thread index / 32 (`%warpid` is a hardware slot
                // that may change during the kernel, so it is not used).
                use ptx_gen::Dim::{X, Y, Z};
                let mut ins = self.b.ins();
                let (tx, ty, tz) =
                    (ins.special(SpecialReg::Tid(X)), ins.special(SpecialReg::Tid(Y)), ins.special(SpecialReg::Tid(Z)));
                let (nx, ny) = (ins.special(SpecialReg::Ntid(X)), ins.special(SpecialReg::Ntid(Y)));
                let yz = ins.ternary(TernOp::Mad, Mode::Lo, Type::U32, tz, ny, ty);
                let lin = ins.ternary(TernOp::Mad, Mode::Lo, Type::U32, yz, nx, tx);
                u32v(Operand::Reg(ins.binary(BinOp::Shr, Mode::None, Type::U32, lin, Operand::u32(5))))
            }
            Call::ActiveMask => {
                let r = self.b.ins().active_mask();
                u32v(self.retype(r, ScalarTy::U32))
            }
            Call::Shfl(mode) => {
                let (mask, (v, t), (lane, _)) = (arg(0).0, arg(1), arg(2));
                let mode = match mode {
                    Shuffle::Idx => ShflMode::Idx,
                    Shuffle::Up => ShflMode::Up,
                    Shuffle::Down => ShflMode::Down,
                    Shuffle::Xor => ShflMode::Bfly,
                };
                Val::Scalar(self.shuffle(mode, v, t, lane, mask), t)
            }
            Call::Ballot | Call::All | Call::Any => {
                let (mask, (p, _)) = (arg(0).0, arg(1));
                let p = self.pred(p);
                let mode = match c {
                    Call::Ballot => VoteMode::Ballot,
                    Call::All => VoteMode::All,
                    _ => VoteMode::Any,
                };
                let r = self.b.ins().vote(mode, p, false, mask);
                if c == Call::Ballot {
                    u32v(self.retype(r, ScalarTy::U32))
                } else {
                    Val::Scalar(Operand::Reg(r), ScalarTy::Bool)
                }
            }
            Call::WarpReduce(r) => {
                let (mut v, t) = arg(0);
                for off in [16u32, 8, 4, 2, 1] {
                    let other = self.shuffle(ShflMode::Bfly, v, t, Operand::u32(off), Operand::u32(FULL_MASK));
                    v = match r {
                        Reduce::Sum => match self.binary(BinaryOp::Add, v, other, t, t, id) {
                            Val::Scalar(op, _) => op,
                            _ => return Val::Unit,
                        },
                        Reduce::Max | Reduce::Min => {
                            let o = if r == Reduce::Max { BinOp::Max } else { BinOp::Min };
                            Operand::Reg(self.b.ins().binary(o, Mode::None, t.reg_type(), v, other))
                        }
                    };
                }
                Val::Scalar(v, t)
            }
            Call::Fast(f) => {
                let x = Operand::Reg(self.reg(arg(0).0, ScalarTy::F32));
                let mut ins = self.b.ins();
                let r = match f {
                    FastFn::Exp2 => ins.unary(UnOp::Ex2, Mode::Approx, Type::F32, x),
                    FastFn::Exp => {
                        let s = ins.binary(BinOp::Mul, Mode::Rn, Type::F32, x, Operand::f32(std::f32::consts::LOG2_E));
                        ins.unary(UnOp::Ex2, Mode::Approx, Type::F32, s)
                    }
                    FastFn::Log2 => ins.unary(UnOp::Lg2, Mode::Approx, Type::F32, x),
                    FastFn::Sin => ins.unary(UnOp::Sin, Mode::Approx, Type::F32, x),
                    FastFn::Cos => ins.unary(UnOp::Cos, Mode::Approx, Type::F32, x),
                    FastFn::Tanh => ins.unary(UnOp::Tanh, Mode::Approx, Type::F32, x),
                    FastFn::Rsqrt => ins.unary(UnOp::Rsqrt, Mode::Approx, Type::F32, x),
                    FastFn::Recip => ins.unary(UnOp::Rcp, Mode::Approx, Type::F32, x),
                    FastFn::Div => ins.binary(BinOp::Div, Mode::Approx, Type::F32, x, arg(1).0),
                };
                Val::Scalar(Operand::Reg(r), ScalarTy::F32)
            }
        }
    }

    /// `shfl.sync` of a 32- or 64-bit value of type `t` (64-bit: both halves).
    fn shuffle(&mut self, mode: ShflMode, v: Operand, t: ScalarTy, lane: Operand, mask: Operand) -> Operand {
        let clamp = Operand::u32(if mode == ShflMode::Up { 0 } else { 0x1f });
        let v = self.reg(v, t);
        if t.bits() == 32 {
            let r = self.b.ins().shfl(mode, v, lane, clamp, mask);
            return self.retype(r, t);
        }
        let bits = self.b.func_mut().new_reg(Type::B64);
        self.b.ins().mov_to(bits, v);
        let mut ins = self.b.ins();
        let lo = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, bits);
        let hi64 = ins.binary(BinOp::Shr, Mode::None, Type::U64, bits, Operand::u32(32));
        let hi = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, hi64);
        let lo2 = ins.shfl(mode, lo, lane, clamp, mask);
        let hi2 = ins.shfl(mode, hi, lane, clamp, mask);
        let lo64 = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, lo2);
        let hi64 = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, hi2);
        let hi_sh = ins.binary(BinOp::Shl, Mode::None, Type::B64, hi64, Operand::u32(32));
        let joined = ins.binary(BinOp::Or, Mode::None, Type::B64, hi_sh, lo64);
        self.retype(joined, t)
    }

    pub(super) fn mem_call(&mut self, m: MemCall, base: Base, index: ExprId, args: &[ExprId], id: ExprId) -> Val {
        let Some((addr, ml)) = self.element_addr(base, index, id) else { return Val::Unit };
        if let MemCall::LoadVec(n) | MemCall::StoreVec(n) = m {
            let t = ml.elem;
            if t.mem_size() * n > 16 {
                let span = self.body.expr(id).span;
                self.errors
                    .at(span, format!("a vector access moves 16 bytes at most: {n} × `{t}` is {}", t.mem_size() * n));
                return Val::Unit;
            }
            // The address must be aligned to the whole vector (checked by the hardware and the emulator).
            let vml = super::lower::MemLoc { lanes: n, ..ml };
            if let MemCall::LoadVec(_) = m {
                return self.load_vector(vml, addr);
            }
            let Some(&a) = args.first() else { return Val::Unit };
            let v = self.expr(a);
            self.loc(id);
            if let Val::Arr(arr) = v {
                let ops = self.arrays[arr.0 as usize].ops.clone();
                self.store_vector(vml, addr, &ops);
            }
            return Val::Unit;
        }
        let Some(ops) = self.call_operands(args, id) else { return Val::Unit };
        let t = ml.elem;
        match m {
            MemCall::LoadVec(_) | MemCall::StoreVec(_) => unreachable!("handled above"),
            MemCall::LoadNc | MemCall::LoadStreaming => {
                let mut access = MemAccess::new(StateSpace::Global, t.mem_type());
                access.nc = true;
                if m == MemCall::LoadStreaming {
                    access.eviction = Eviction::NoAllocate;
                }
                if ml.lanes > 0 {
                    access.vec = if ml.lanes == 2 { ptx_gen::VecWidth::V2 } else { ptx_gen::VecWidth::V4 };
                    return self.load_vector_with(access, ml, addr);
                }
                let r = self.b.ins().ld_as(access, addr, ml.elem.load_reg_type());
                Val::Scalar(Operand::Reg(r), t)
            }
            MemCall::Atomic(op) => {
                let rt = t.reg_type();
                let wide = t.bits() == 64;
                let bits = if wide { Type::B64 } else { Type::B32 };
                let (aop, ty) = match op {
                    AtomicOp::Add | AtomicOp::Sub => {
                        // No `.s64` add: two's complement makes `.u64` the same operation.
                        let ty = match t {
                            ScalarTy::I64 | ScalarTy::Isize => Type::U64,
                            _ => rt,
                        };
                        (AtomOp::Add, ty)
                    }
                    AtomicOp::Min => (AtomOp::Min, rt),
                    AtomicOp::Max => (AtomOp::Max, rt),
                    AtomicOp::And => (AtomOp::And, bits),
                    AtomicOp::Or => (AtomOp::Or, bits),
                    AtomicOp::Xor => (AtomOp::Xor, bits),
                    AtomicOp::Exch => (AtomOp::Exch, bits),
                    AtomicOp::Cas => (AtomOp::Cas, bits),
                };
                let Some(&(v0, _)) = ops.first() else { return Val::Unit };
                let mut v = Operand::Reg(self.reg(v0, t));
                if op == AtomicOp::Sub {
                    // `x - v` is `x + (-v)`, wrapping for integers.
                    v = Operand::Reg(if t.is_float() {
                        self.b.ins().unary(UnOp::Neg, Mode::None, rt, v)
                    } else {
                        self.b.ins().binary(BinOp::Sub, Mode::None, rt, Operand::Imm(ptx_gen::Imm(0)), v)
                    });
                }
                let (src, cmp) = if op == AtomicOp::Cas {
                    // `atom.cas` takes the expected value first, then the new one.
                    let new = ops.get(1).map_or(v, |&(n, _)| Operand::Reg(self.reg(n, t)));
                    (new, Some(v))
                } else {
                    (v, None)
                };
                let r = self.b.ins().atom(aop, ml.space, MemOrder::Weak, None, ty, addr, src, cmp);
                Val::Scalar(self.retype(r, t), t)
            }
        }
    }
}
