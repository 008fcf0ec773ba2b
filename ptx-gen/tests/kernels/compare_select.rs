//! `setp` with every comparison for the types it applies to, and `selp` of every register class.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("compare_select", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let s = b.ins().ld(global(Type::S32), Address::reg(src));
    let u = b.ins().ld(global(Type::U32), Address::reg_offset(src, 4));
    let x = b.ins().ld(global(Type::F32), Address::reg_offset(src, 8));
    let d = b.ins().ld(global(Type::F64), Address::reg_offset(src, 16));
    let w = b.ins().ld(global(Type::U64), Address::reg_offset(src, 24));
    let sw = b.ins().ld(global(Type::S64), Address::reg_offset(src, 32));
    let h = b.ins().ld(global(Type::U16), Address::reg_offset(src, 40));

    // Each predicate picks between two values, so every setp is observable.
    let mut acc = b.ins().mov(Type::U32, Imm(0));
    let mut pick = |b: &mut FunctionBuilder, p: Reg, k: u32| {
        let v = b.ins().selp(Type::U32, Operand::u32(1 << (k % 32)), Operand::u32(0), p);
        let next = b.ins().binary(BinOp::Or, Mode::None, Type::B32, acc, v);
        acc = next;
    };
    let mut k = 0;
    for cmp in CmpOp::ALL {
        if !cmp.is_float_only() && !cmp.is_unsigned_only() {
            let p = b.ins().setp(cmp, Type::S32, s, Imm::int(-5, Type::S32));
            pick(&mut b, p, k);
            let wide = b.ins().cvt(CvtMode::None, false, Type::S64, Type::S32, s);
            let p = b.ins().setp(cmp, Type::S64, sw, wide);
            pick(&mut b, p, k + 1);
        }
        if !cmp.is_float_only() {
            let p = b.ins().setp(cmp, Type::U32, u, Imm(100));
            pick(&mut b, p, k + 2);
            let p = b.ins().setp(cmp, Type::U64, w, Imm(1 << 33));
            pick(&mut b, p, k + 3);
            let p = b.ins().setp(cmp, Type::U16, h, Imm(7));
            pick(&mut b, p, k + 4);
        }
        if !cmp.is_unsigned_only() {
            let p = b.ins().setp(cmp, Type::F32, x, Operand::f32(0.5));
            pick(&mut b, p, k + 5);
            let p = b.ins().setp(cmp, Type::F64, d, Operand::f64(-2.25));
            pick(&mut b, p, k + 6);
        }
        k += 7;
    }
    let p = b.ins().setp(CmpOp::Eq, Type::B32, u, Imm(0xFF));
    let q = b.ins().setp(CmpOp::Ne, Type::B64, w, Imm(0));
    out.reg(&mut b, acc);
    let sel_s = b.ins().selp(Type::S32, s, Imm::int(-1, Type::S32), p);
    let sel_f = b.ins().selp(Type::F32, x, Operand::f32(1.5), q);
    let sel_d = b.ins().selp(Type::F64, Operand::f64(0.25), d, p);
    let sel_w = b.ins().selp(Type::U64, w, Imm(u64::MAX), q);
    let sel_h = b.ins().selp(Type::U16, h, Imm(9), p);
    let sel_b = b.ins().selp(Type::B32, u, Imm(0xDEAD_BEEF), q);
    out.regs(&mut b, &[sel_s, sel_f, sel_d, sel_w, sel_h, sel_b]);
    b.ret();
    b.finish().expect("compare_select builds");
    module(vec![f])
}
