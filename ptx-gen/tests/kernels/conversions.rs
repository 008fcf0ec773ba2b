//! `cvt` with every rounding mode, `.sat`, widening and narrowing integers, f16 and f64.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("conversions", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let x = b.ins().ld(global(Type::F32), Address::reg(src));
    let i = b.ins().ld(global(Type::S32), Address::reg_offset(src, 4));
    let d = b.ins().ld(global(Type::F64), Address::reg_offset(src, 8));
    let w = b.ins().ld(global(Type::U64), Address::reg_offset(src, 16));
    let u = b.ins().ld(global(Type::U32), Address::reg_offset(src, 24));

    // Float to integer: every round-to-integer mode, with and without saturation.
    for mode in [CvtMode::Rni, CvtMode::Rzi, CvtMode::Rmi, CvtMode::Rpi] {
        let r = b.ins().cvt(mode, false, Type::S32, Type::F32, x);
        let r64 = b.ins().cvt(mode, false, Type::U64, Type::F64, d);
        let rf = b.ins().cvt(mode, false, Type::F32, Type::F32, x);
        out.regs(&mut b, &[r, r64, rf]);
    }
    let sat = b.ins().cvt(CvtMode::Rzi, true, Type::S16, Type::F32, x);
    let sat8 = b.ins().cvt(CvtMode::None, true, Type::U8, Type::S32, i);
    // Integer/f64 to float: every float rounding mode.
    for mode in [CvtMode::Rn, CvtMode::Rz, CvtMode::Rm, CvtMode::Rp] {
        let f = b.ins().cvt(mode, false, Type::F32, Type::S32, i);
        let n = b.ins().cvt(mode, false, Type::F32, Type::F64, d);
        let g = b.ins().cvt(mode, false, Type::F64, Type::U64, w);
        out.regs(&mut b, &[f, n, g]);
    }
    let clamp = b.ins().cvt(CvtMode::None, true, Type::F32, Type::F32, x);
    let clamp_d = b.ins().cvt(CvtMode::Rn, true, Type::F32, Type::F64, d);
    let widen = b.ins().cvt(CvtMode::None, false, Type::F64, Type::F32, x);
    let zext = b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, u);
    let sext = b.ins().cvt(CvtMode::None, false, Type::S64, Type::S32, i);
    let trunc = b.ins().cvt(CvtMode::None, false, Type::U32, Type::U64, w);
    let narrow = b.ins().cvt(CvtMode::None, false, Type::S8, Type::S32, i);
    let half = b.ins().cvt(CvtMode::Rn, false, Type::F16, Type::F32, x);
    let back = b.ins().cvt(CvtMode::None, false, Type::F32, Type::F16, half);
    let imm = b.ins().cvt(CvtMode::Rn, false, Type::F32, Type::S32, Imm::int(-17, Type::S32));
    out.regs(&mut b, &[sat, sat8, clamp, clamp_d, widen, zext, sext, trunc, narrow, back, imm]);
    b.ret();
    b.finish().expect("conversions builds");
    module(vec![f])
}
