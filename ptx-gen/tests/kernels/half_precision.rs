//! f16 and f16x2 arithmetic, comparison, min/max (sm_80), `ex2.approx.f16` (sm_75), conversions, and f16 values
//! moved through memory and `selp` (spelled `.b16`).

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("half_precision", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let x = b.ins().ld(global(Type::F16), Address::reg(src));
    let y = b.ins().ld(global(Type::F16), Address::reg_offset(src, 2));
    let v = b.ins().ld(global(Type::F16x2), Address::reg_offset(src, 4));
    let one = b.ins().mov(Type::F16, Imm(0x3C00));
    let s = b.ins().add(Type::F16, Mode::Rn, x, one);
    let d = b.ins().sub(Type::F16, Mode::Rn, s, y);
    let m = b.ins().mul(Type::F16, Mode::Rn, d, x);
    let fm = b.ins().fma(Type::F16, Mode::Rn, m, y, one);
    let n = b.ins().unary(UnOp::Neg, Mode::None, Type::F16, fm);
    let a = b.ins().unary(UnOp::Abs, Mode::None, Type::F16, n);
    let mn = b.ins().binary(BinOp::Min, Mode::None, Type::F16, a, y);
    let mx = b.ins().binary(BinOp::Max, Mode::None, Type::F16, mn, x);
    let e = b.ins().unary(UnOp::Ex2, Mode::Approx, Type::F16, mx);
    let lt = b.ins().setp(CmpOp::Lt, Type::F16, e, y);
    let sel = b.ins().selp(Type::F16, e, one, lt);
    let v2 = b.ins().add(Type::F16x2, Mode::Rn, v, v);
    let v3 = b.ins().fma(Type::F16x2, Mode::Rn, v2, v, v);
    let v4 = b.ins().binary(BinOp::Max, Mode::None, Type::F16x2, v3, v);
    let wide = b.ins().cvt(CvtMode::None, false, Type::F32, Type::F16, sel);
    let narrow = b.ins().cvt(CvtMode::Rz, false, Type::F16, Type::F32, wide);
    out.regs(&mut b, &[sel, v4, wide, narrow]);
    b.ret();
    b.finish().expect("half_precision builds");
    module(vec![f])
}
