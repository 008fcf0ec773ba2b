//! Inline PTX: operands substituted for `{N}` (outputs first), immediates, PTX's own `{ }` scopes kept, and a
//! template without operands.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("inline_asm", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let out = global_param(&mut b, 0);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let sum = b.new_reg(Type::U32);
    b.ins().asm("add.u32 {0}, {1}, {2};", vec![sum], vec![tid.into(), Operand::u32(5)]);
    let flag = b.new_reg(Type::U32);
    let hi = b.new_reg(Type::U32);
    b.ins().asm(
        "{\n  .reg .pred p;\n  setp.ne.u32 p, {2}, 0;\n  selp.u32 {0}, 1, 0, p;\n  mul.hi.u32 {1}, {2}, {2};\n}",
        vec![flag, hi],
        vec![sum.into()],
    );
    b.ins().asm("membar.cta;", vec![], vec![]);
    b.ins().st(global(Type::U32), Address::reg(out), flag);
    b.ins().st(global(Type::U32), Address::reg_offset(out, 4), hi);
    b.ret();
    b.finish().expect("inline_asm builds");
    module(vec![f])
}
