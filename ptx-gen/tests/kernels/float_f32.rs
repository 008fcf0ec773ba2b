//! f32 arithmetic in every rounding mode, div rn/approx/full, the special functions, min/max and fma.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("float_f32", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let x = b.ins().ld(global(Type::F32), Address::reg(src));
    let y = b.ins().ld(global(Type::F32), Address::reg_offset(src, 4));
    let rounding = [Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp];
    for mode in rounding {
        let s = b.ins().add(Type::F32, mode, x, Operand::f32(0.1));
        let d = b.ins().sub(Type::F32, mode, s, y);
        let m = b.ins().mul(Type::F32, mode, d, Operand::f32(-3.5));
        let q = b.ins().div(Type::F32, mode, m, y);
        let r = b.ins().unary(UnOp::Sqrt, mode, Type::F32, q);
        let rc = b.ins().unary(UnOp::Rcp, mode, Type::F32, r);
        let fm = b.ins().fma(Type::F32, mode, rc, x, Operand::f32(f32::MIN_POSITIVE));
        out.reg(&mut b, fm);
    }
    let approx = b.ins().div(Type::F32, Mode::Approx, x, y);
    let full = b.ins().div(Type::F32, Mode::Full, x, y);
    let sqrt = b.ins().unary(UnOp::Sqrt, Mode::Approx, Type::F32, x);
    let rsqrt = b.ins().unary(UnOp::Rsqrt, Mode::Approx, Type::F32, x);
    let rcp = b.ins().unary(UnOp::Rcp, Mode::Approx, Type::F32, y);
    let ex2 = b.ins().unary(UnOp::Ex2, Mode::Approx, Type::F32, x);
    let lg2 = b.ins().unary(UnOp::Lg2, Mode::Approx, Type::F32, y);
    let sin = b.ins().unary(UnOp::Sin, Mode::Approx, Type::F32, x);
    let cos = b.ins().unary(UnOp::Cos, Mode::Approx, Type::F32, y);
    let neg = b.ins().unary(UnOp::Neg, Mode::None, Type::F32, sin);
    let abs = b.ins().unary(UnOp::Abs, Mode::None, Type::F32, neg);
    let mn = b.ins().binary(BinOp::Min, Mode::None, Type::F32, abs, Operand::f32(f32::NAN));
    let mx = b.ins().binary(BinOp::Max, Mode::None, Type::F32, mn, Operand::f32(f32::NEG_INFINITY));
    out.regs(&mut b, &[approx, full, sqrt, rsqrt, rcp, ex2, lg2, cos, mx]);
    b.ret();
    b.finish().expect("float_f32 builds");
    module(vec![f])
}
