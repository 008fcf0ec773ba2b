//! `tanh.approx.f32`: the instruction that lifts a module to sm_75 / PTX ISA 7.0.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("tanh_turing", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let p = global_param(&mut b, 0);
    let x = b.ins().ld(global(Type::F32), Address::reg(p));
    let t = b.ins().unary(UnOp::Tanh, Mode::Approx, Type::F32, x);
    b.ins().st(global(Type::F32), Address::reg(p), t);
    b.ret();
    b.finish().expect("tanh_turing builds");
    module(vec![f])
}
