//! Loads and stores in every state space (param, global, shared, local, const, generic), vectors, 8- and 16-bit
//! element types, and `cvta` in both directions.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut m = Module::new();
    let tile = m.add_var(VarData {
        name: "tile".into(),
        space: StateSpace::Shared,
        ty: Type::F32,
        len: Some(128),
        align: 16,
        init: vec![],
    });
    let coeffs = m.add_var(VarData {
        name: "coeffs".into(),
        space: StateSpace::Const,
        ty: Type::F32,
        len: Some(4),
        align: 16,
        init: vec![
            1.0f32.to_bits() as u64,
            0.5f32.to_bits() as u64,
            (-2.0f32).to_bits() as u64,
            1e-3f32.to_bits() as u64,
        ],
    });

    let mut f = kernel("memory_spaces", &[Type::U64, Type::U64, Type::U32, Type::U8, Type::F64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let dst = global_param(&mut b, 1);
    let n = b.ins().ld_param(Type::U32, 2);
    let byte = b.ins().ld_param(Type::U8, 3);
    let scale = b.ins().ld_param(Type::F64, 4);

    // Global: vectors of 2 and 4, and every narrow integer type.
    let mut v4 = global(Type::F32);
    v4.vec = VecWidth::V4;
    let xs = b.ins().ld_vec(v4, Address::reg(src));
    let mut v2 = global(Type::U64);
    v2.vec = VecWidth::V2;
    let ws = b.ins().ld_vec(v2, Address::reg_offset(src, 16));
    let u8v = b.ins().ld(global(Type::U8), Address::reg_offset(src, 32));
    let s8v = b.ins().ld(global(Type::S8), Address::reg_offset(src, 33));
    let u16v = b.ins().ld(global(Type::U16), Address::reg_offset(src, 34));
    let s16v = b.ins().ld(global(Type::S16), Address::reg_offset(src, -2));
    b.ins().st_vec(v4, Address::reg(dst), xs.iter().rev().map(|&r| Operand::Reg(r)).collect());
    b.ins().st_vec(v2, Address::reg_offset(dst, 16), vec![Operand::Reg(ws[1]), Operand::u64(7)]);
    b.ins().st(global(Type::U8), Address::reg_offset(dst, 32), byte);
    b.ins().st(global(Type::S8), Address::reg_offset(dst, 33), s8v);
    b.ins().st(global(Type::U16), Address::reg_offset(dst, 34), u16v);
    b.ins().st(global(Type::S16), Address::reg_offset(dst, 36), s16v);
    b.ins().st(global(Type::U8), Address::reg_offset(dst, 38), u8v);
    b.ins().st(global(Type::U32), Address::reg_offset(dst, 40), n);
    b.ins().st(global(Type::F64), Address::reg_offset(dst, 48), scale);

    // Shared, through the variable's name and through its address.
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let off = b.ins().mul(Type::U32, Mode::Wide, tid, Imm(4));
    let base = b.ins().addr_of(tile);
    let slot = b.ins().add(Type::U64, Mode::None, base, off);
    b.ins().st(access(StateSpace::Shared, Type::F32), Address::reg(slot), xs[0]);
    let mut sv2 = access(StateSpace::Shared, Type::F32);
    sv2.vec = VecWidth::V2;
    b.ins().st_vec(sv2, Address { base: AddrBase::Var(tile), offset: 8 }, vec![Operand::Reg(xs[1]), Operand::f32(2.0)]);
    let t0 = b.ins().ld(access(StateSpace::Shared, Type::F32), Address::var(tile));
    let pair = b.ins().ld_vec(sv2, Address::reg_offset(slot, 8));

    // Const.
    let c1 = b.ins().ld(access(StateSpace::Const, Type::F32), Address { base: AddrBase::Var(coeffs), offset: 4 });
    let caddr = b.ins().addr_of(coeffs);
    let c3 = b.ins().ld(access(StateSpace::Const, Type::F32), Address::reg_offset(caddr, 12));

    // Generic addressing: shared and const converted to generic, and back to shared.
    let gshared = b.ins().cvta(true, StateSpace::Shared, slot);
    let g0 = b.ins().ld(access(StateSpace::Generic, Type::F32), Address::reg(gshared));
    let gconst = b.ins().cvta(true, StateSpace::Const, caddr);
    let g1 = b.ins().ld(access(StateSpace::Generic, Type::F32), Address::reg_offset(gconst, 4));
    let back = b.ins().cvta(false, StateSpace::Shared, gshared);
    b.ins().st(access(StateSpace::Shared, Type::F32), Address::reg(back), g1);
    let gglobal = b.ins().cvta(true, StateSpace::Global, dst);
    b.ins().st(access(StateSpace::Generic, Type::F32), Address::reg_offset(gglobal, 56), g0);

    // Local: a generic pointer into the thread's stack converted to .local.
    let glocal = b.ins().ld(global(Type::U64), Address::reg_offset(src, 40));
    let local = b.ins().cvta(false, StateSpace::Local, glocal);
    b.ins().st(access(StateSpace::Local, Type::F32), Address::reg(local), c1);
    let l0 = b.ins().ld(access(StateSpace::Local, Type::F32), Address::reg(local));
    let lg = b.ins().cvta(true, StateSpace::Local, local);

    let mut out = Sink::new(dst);
    for _ in 0..8 {
        out.put(&mut b, Type::U8, Imm(0)); // skip past the bytes written above
    }
    out.regs(&mut b, &[t0, pair[0], pair[1], c3, l0, lg]);
    b.ret();
    b.finish().expect("memory_spaces builds");
    m.add_function(f);
    m
}
