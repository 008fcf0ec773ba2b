//! Device functions: several parameters and results, none at all, a call chain, early returns, and calls with
//! immediate arguments.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut m = Module::new();

    // mix(a: u32, b: f32) -> (u32, f32): two results (ptxas then compiles the module without the ABI).
    let mut mix = Function::device("mix");
    mix.add_param("a", Type::U32);
    mix.add_param("b", Type::F32);
    let (ra, rb) = (mix.params[0].reg.unwrap(), mix.params[1].reg.unwrap());
    let r0 = mix.add_return(Type::U32);
    let r1 = mix.add_return(Type::F32);
    {
        let mut b = FunctionBuilder::new(&mut mix);
        let entry = b.create_block();
        let neg = b.create_block();
        let pos = b.create_block();
        b.switch_to_block(entry);
        let t = b.ins().binary(BinOp::Xor, Mode::None, Type::U32, ra, Imm(0x5555_5555));
        b.ins().mov_to(r0, t);
        let p = b.ins().setp(CmpOp::Lt, Type::F32, rb, Operand::f32(0.0));
        b.branch(p, neg, pos);
        b.switch_to_block(neg);
        let n = b.ins().unary(UnOp::Neg, Mode::None, Type::F32, rb);
        b.ins().mov_to(r1, n);
        b.ret();
        b.switch_to_block(pos);
        b.ins().mov_to(r1, rb);
        b.ret();
        b.finish().expect("mix builds");
    }
    let mix = m.add_function(mix);

    // scale(x: f64, k: u64) -> f64.
    let mut scale = Function::device("scale");
    scale.add_param("x", Type::F64);
    scale.add_param("k", Type::U64);
    let (x, k) = (scale.params[0].reg.unwrap(), scale.params[1].reg.unwrap());
    let r = scale.add_return(Type::F64);
    {
        let mut b = FunctionBuilder::new(&mut scale);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let kf = b.ins().cvt(CvtMode::Rn, false, Type::F64, Type::U64, k);
        let y = b.ins().mul(Type::F64, Mode::Rn, x, kf);
        b.ins().mov_to(r, y);
        b.ret();
        b.finish().expect("scale builds");
    }
    let scale = m.add_function(scale);

    // twice(x: f64) -> f64 calls scale.
    let mut twice = Function::device("twice");
    twice.add_param("x", Type::F64);
    let tx = twice.params[0].reg.unwrap();
    let tr = twice.add_return(Type::F64);
    {
        let mut b = FunctionBuilder::new(&mut twice);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let rs = b.ins().call(scale, &[Type::F64], vec![tx.into(), Operand::u64(2)]);
        b.ins().mov_to(tr, rs[0]);
        b.ret();
        b.finish().expect("twice builds");
    }
    let twice = m.add_function(twice);

    // nothing(): no parameters, no results.
    let mut nothing = Function::device("nothing");
    {
        let mut b = FunctionBuilder::new(&mut nothing);
        let entry = b.create_block();
        b.switch_to_block(entry);
        b.ins().fence(FenceKind::Membar, Scope::Cta);
        b.ret();
        b.finish().expect("nothing builds");
    }
    let nothing = m.add_function(nothing);

    let mut f = kernel("device_calls", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let mut out = Sink::new(global_param(&mut b, 0));
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let fx = b.ins().cvt(CvtMode::Rn, false, Type::F32, Type::U32, tid);
    let mixed = b.ins().call(mix, &[Type::U32, Type::F32], vec![tid.into(), fx.into()]);
    let mixed_imm = b.ins().call(mix, &[Type::U32, Type::F32], vec![Operand::u32(7), Operand::f32(-1.5)]);
    let dx = b.ins().cvt(CvtMode::None, false, Type::F64, Type::F32, mixed[1]);
    let tw = b.ins().call(twice, &[Type::F64], vec![dx.into()]);
    b.ins().call(nothing, &[], vec![]);
    out.regs(&mut b, &[mixed[0], mixed[1], mixed_imm[0], mixed_imm[1], tw[0]]);
    b.ret();
    b.finish().expect("device_calls builds");
    m.add_function(f);
    m
}
