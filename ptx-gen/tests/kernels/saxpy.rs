//! `y[i] = a * x[i] + y[i]` with a bounds check: parameters, the thread index, a guarded body.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("saxpy", &[Type::F32, Type::U64, Type::U64, Type::U32]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    let body = b.create_block();
    let exit = b.create_block();
    b.switch_to_block(entry);
    let a = b.ins().ld_param(Type::F32, 0);
    let x = global_param(&mut b, 1);
    let y = global_param(&mut b, 2);
    let n = b.ins().ld_param(Type::U32, 3);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let ntid = b.ins().special(SpecialReg::Ntid(Dim::X));
    let ctaid = b.ins().special(SpecialReg::Ctaid(Dim::X));
    let i = b.ins().ternary(TernOp::Mad, Mode::Lo, Type::S32, ctaid, ntid, tid);
    let out_of_range = b.ins().setp(CmpOp::Ge, Type::U32, i, n);
    b.branch(out_of_range, exit, body);

    b.switch_to_block(body);
    let off = b.ins().mul(Type::U32, Mode::Wide, i, Operand::u32(4));
    let px = b.ins().add(Type::S64, Mode::None, x, off);
    let py = b.ins().add(Type::S64, Mode::None, y, off);
    let xv = b.ins().ld(global(Type::F32), Address::reg(px));
    let yv = b.ins().ld(global(Type::F32), Address::reg(py));
    let r = b.ins().fma(Type::F32, Mode::Rn, a, xv, yv);
    b.ins().st(global(Type::F32), Address::reg(py), r);
    b.jump(exit);

    b.switch_to_block(exit);
    b.ret();
    b.finish().expect("saxpy builds");
    module(vec![f])
}
