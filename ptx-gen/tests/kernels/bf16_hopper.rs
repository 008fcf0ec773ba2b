//! bf16 arithmetic as PTX has it: add/sub/mul and setp (sm_90, PTX 7.8), fma/min/max/neg/abs and cvt from f32
//! (sm_80), the atomic add (sm_90).

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("bf16_hopper", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let xf = b.ins().ld(global(Type::F32), Address::reg(src));
    let x = b.ins().cvt(CvtMode::Rn, false, Type::BF16, Type::F32, xf);
    let y = b.ins().ld(global(Type::BF16), Address::reg_offset(src, 4));
    let v = b.ins().ld(global(Type::BF16x2), Address::reg_offset(src, 8));
    let s = b.ins().add(Type::BF16, Mode::Rn, x, y);
    let d = b.ins().sub(Type::BF16, Mode::Rn, s, y);
    let m = b.ins().mul(Type::BF16, Mode::Rn, d, x);
    let fm = b.ins().fma(Type::BF16, Mode::Rn, m, y, x);
    let n = b.ins().unary(UnOp::Neg, Mode::None, Type::BF16, fm);
    let a = b.ins().unary(UnOp::Abs, Mode::None, Type::BF16, n);
    let mn = b.ins().binary(BinOp::Min, Mode::None, Type::BF16, a, y);
    let t = b.ins().unary(UnOp::Tanh, Mode::Approx, Type::BF16, mn);
    let p = b.ins().setp(CmpOp::Gtu, Type::BF16, t, x);
    let sel = b.ins().selp(Type::BF16, t, x, p);
    let back = b.ins().cvt(CvtMode::None, false, Type::F32, Type::BF16, sel);
    let from_int = b.ins().cvt(CvtMode::Rn, false, Type::BF16, Type::S32, Imm::int(-3, Type::S32));
    let v2 = b.ins().mul(Type::BF16x2, Mode::Rn, v, v);
    let v3 = b.ins().binary(BinOp::Max, Mode::None, Type::BF16x2, v2, v);
    let old = b.ins().atom(
        AtomOp::Add,
        StateSpace::Global,
        MemOrder::Weak,
        None,
        Type::BF16,
        Address::reg_offset(src, 16),
        sel,
        None,
    );
    out.regs(&mut b, &[back, from_int, v3, old]);
    b.ret();
    b.finish().expect("bf16_hopper builds");
    module(vec![f])
}
