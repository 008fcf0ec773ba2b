//! f64 arithmetic: every rounding mode, fma, sqrt, rcp, rsqrt, min/max, neg/abs, exact hex immediates.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("float_f64", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let x = b.ins().ld(global(Type::F64), Address::reg(src));
    let y = b.ins().ld(global(Type::F64), Address::reg_offset(src, 8));
    for mode in [Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp] {
        let s = b.ins().add(Type::F64, mode, x, Operand::f64(std::f64::consts::PI));
        let d = b.ins().sub(Type::F64, mode, s, y);
        let m = b.ins().mul(Type::F64, mode, d, Operand::f64(-1e-300));
        let q = b.ins().div(Type::F64, mode, m, y);
        let r = b.ins().unary(UnOp::Sqrt, mode, Type::F64, q);
        let rc = b.ins().unary(UnOp::Rcp, mode, Type::F64, r);
        let fm = b.ins().fma(Type::F64, mode, rc, x, y);
        out.reg(&mut b, fm);
    }
    let rsqrt = b.ins().unary(UnOp::Rsqrt, Mode::Approx, Type::F64, x);
    let neg = b.ins().unary(UnOp::Neg, Mode::None, Type::F64, rsqrt);
    let abs = b.ins().unary(UnOp::Abs, Mode::None, Type::F64, neg);
    let mn = b.ins().binary(BinOp::Min, Mode::None, Type::F64, abs, y);
    let mx = b.ins().binary(BinOp::Max, Mode::None, Type::F64, mn, Operand::f64(-0.0));
    let c = b.ins().mov(Type::F64, Operand::f64(f64::MAX));
    out.regs(&mut b, &[mx, c]);
    b.ret();
    b.finish().expect("float_f64 builds");
    module(vec![f])
}
