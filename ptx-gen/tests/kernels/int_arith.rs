//! Integer arithmetic in every width and signedness: add/sub, mul lo/hi/wide, mad lo/hi/wide, div, rem,
//! min/max, neg/abs, with register and immediate operands.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("int_arith", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));

    for (ty, imm) in [
        (Type::S32, Imm::int(-7, Type::S32)),
        (Type::U32, Imm(40_000)),
        (Type::S64, Imm::int(-3, Type::S64)),
        (Type::U64, Imm(1 << 40)),
    ] {
        let a = b.ins().ld(global(ty), Address::reg(src));
        let c = b.ins().ld(global(ty), Address::reg_offset(src, 8));
        let sum = b.ins().add(ty, Mode::None, a, imm);
        let diff = b.ins().sub(ty, Mode::None, sum, c);
        let lo = b.ins().mul(ty, Mode::Lo, diff, c);
        let hi = b.ins().mul(ty, Mode::Hi, a, c);
        let q = b.ins().div(ty, Mode::None, lo, c);
        let r = b.ins().binary(BinOp::Rem, Mode::None, ty, hi, c);
        let mn = b.ins().binary(BinOp::Min, Mode::None, ty, q, r);
        let mx = b.ins().binary(BinOp::Max, Mode::None, ty, mn, imm);
        let madlo = b.ins().ternary(TernOp::Mad, Mode::Lo, ty, mx, a, c);
        let madhi = b.ins().ternary(TernOp::Mad, Mode::Hi, ty, madlo, c, imm);
        out.regs(&mut b, &[madlo, madhi]);
        if ty.is_signed() {
            let n = b.ins().unary(UnOp::Neg, Mode::None, ty, madhi);
            let abs = b.ins().unary(UnOp::Abs, Mode::None, ty, n);
            out.reg(&mut b, abs);
        }
        if ty.bits() == 32 {
            let wide = b.ins().mul(ty, Mode::Wide, a, c);
            let madw = b.ins().ternary(TernOp::Mad, Mode::Wide, ty, a, imm, wide);
            out.regs(&mut b, &[wide, madw]);
        }
    }
    // 16-bit arithmetic and mul.wide.u16.
    let h = b.ins().ld(global(Type::U16), Address::reg_offset(src, 16));
    let h2 = b.ins().add(Type::U16, Mode::None, h, Imm(3));
    let hw = b.ins().mul(Type::U16, Mode::Wide, h2, h);
    let s16 = b.ins().ld(global(Type::S16), Address::reg_offset(src, 18));
    let s16m = b.ins().mul(Type::S16, Mode::Lo, s16, Imm::int(-2, Type::S16));
    out.regs(&mut b, &[h2, hw, s16m]);
    b.ret();
    b.finish().expect("int_arith builds");
    module(vec![f])
}
