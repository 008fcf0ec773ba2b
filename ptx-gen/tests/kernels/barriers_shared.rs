//! Block barriers (`bar.sync` whole-block and named with a count, `bar.arrive`, register operands) around a
//! static and a dynamic (extern) shared array.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut m = Module::new();
    let tile = m.add_var(VarData {
        name: "tile".into(),
        space: StateSpace::Shared,
        ty: Type::U32,
        len: Some(256),
        align: 4,
        init: vec![],
    });
    let dynamic = m.add_var(VarData {
        name: "dyn_smem".into(),
        space: StateSpace::Shared,
        ty: Type::B8,
        len: Some(0),
        align: 16,
        init: vec![],
    });
    let mut f = kernel("barriers_shared", &[Type::U64]);
    f.attrs.max_threads = Some(256);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    let producer = b.create_block();
    let consumer = b.create_block();
    let done = b.create_block();
    b.switch_to_block(entry);
    let out = global_param(&mut b, 0);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let bytes = b.ins().special(SpecialReg::DynamicSmemSize);
    let off = b.ins().mul(Type::U32, Mode::Wide, tid, Imm(4));
    let base = b.ins().addr_of(tile);
    let slot = b.ins().add(Type::U64, Mode::None, base, off);
    b.ins().st(access(StateSpace::Shared, Type::U32), Address::reg(slot), tid);
    b.ins().bar_sync();
    let dbase = b.ins().addr_of(dynamic);
    let dslot = b.ins().add(Type::U64, Mode::None, dbase, off);
    b.ins().st(access(StateSpace::Shared, Type::U32), Address::reg(dslot), bytes);
    let warp = b.ins().binary(BinOp::Shr, Mode::None, Type::U32, tid, Imm(5));
    let is_producer = b.ins().setp(CmpOp::Lt, Type::U32, warp, Imm(2));
    b.branch(is_producer, producer, consumer);

    // Warps 0-1 produce and arrive at barrier 1; the others wait there, then everyone meets at barrier 2.
    b.switch_to_block(producer);
    b.ins().st(access(StateSpace::Shared, Type::U32), Address { base: AddrBase::Var(tile), offset: 1020 }, warp);
    b.ins().bar(BarOp::Arrive, Imm(1), Some(Operand::u32(256)));
    b.jump(done);

    b.switch_to_block(consumer);
    b.ins().bar(BarOp::Sync, Imm(1), Some(Operand::u32(256)));
    let v = b.ins().ld(access(StateSpace::Shared, Type::U32), Address { base: AddrBase::Var(tile), offset: 1020 });
    b.ins().st(global(Type::U32), Address::reg(out), v);
    b.jump(done);

    b.switch_to_block(done);
    let id = b.ins().mov(Type::U32, Imm(2));
    let count = b.ins().special(SpecialReg::Ntid(Dim::X));
    b.ins().bar(BarOp::Sync, id, Some(Operand::Reg(count)));
    b.ins().bar(BarOp::Sync, Imm(3), None);
    let back = b.ins().ld(access(StateSpace::Shared, Type::U32), Address { base: AddrBase::Var(dynamic), offset: 8 });
    b.ins().st(global(Type::U32), Address::reg_offset(out, 4), back);
    b.ret();
    b.finish().expect("barriers_shared builds");
    m.add_function(f);
    m
}
