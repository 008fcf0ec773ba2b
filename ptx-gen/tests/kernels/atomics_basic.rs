//! `atom` with every operation and its types, and `red` for every operation it has, in global, shared and
//! generic memory, without scopes or ordering (the floor target).

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut m = Module::new();
    let counters = m.add_var(VarData {
        name: "counters".into(),
        space: StateSpace::Shared,
        ty: Type::U32,
        len: Some(32),
        align: 8,
        init: vec![],
    });
    let mut f = kernel("atomics_basic", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let g = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let x = b.ins().ld(global(Type::F32), Address::reg(g));
    let wide = b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, tid);
    let at = |k: i64| Address::reg_offset(g, 8 * k);
    let global_sp = StateSpace::Global;

    let table: [(AtomOp, Type, Operand); 17] = [
        (AtomOp::Add, Type::U32, Operand::Reg(tid)),
        (AtomOp::Add, Type::S32, Operand::Imm(Imm::int(-3, Type::S32))),
        (AtomOp::Add, Type::U64, Operand::Reg(wide)),
        (AtomOp::Add, Type::F32, Operand::Reg(x)),
        (AtomOp::Min, Type::U32, Operand::Reg(tid)),
        (AtomOp::Min, Type::S32, Operand::u32(5)),
        (AtomOp::Max, Type::U64, Operand::Reg(wide)),
        (AtomOp::Max, Type::S64, Operand::Imm(Imm::int(-9, Type::S64))),
        (AtomOp::Inc, Type::U32, Operand::u32(63)),
        (AtomOp::Dec, Type::U32, Operand::u32(63)),
        (AtomOp::And, Type::B32, Operand::u32(0xF0F0_F0F0)),
        (AtomOp::Or, Type::U32, Operand::Reg(tid)),
        (AtomOp::Xor, Type::B64, Operand::Reg(wide)),
        (AtomOp::Exch, Type::B32, Operand::Reg(tid)),
        (AtomOp::Exch, Type::U64, Operand::Reg(wide)),
        (AtomOp::Exch, Type::F32, Operand::Reg(x)),
        (AtomOp::Or, Type::B64, Operand::u64(1 << 40)),
    ];
    for (k, &(op, ty, src)) in table.iter().enumerate() {
        let old = b.ins().atom(op, global_sp, MemOrder::Weak, None, ty, at(k as i64), src, None);
        out.reg(&mut b, old);
    }
    let cas = b.ins().atom(AtomOp::Cas, global_sp, MemOrder::Weak, None, Type::B32, at(20), tid, Some(Operand::u32(0)));
    let cas64 =
        b.ins().atom(AtomOp::Cas, global_sp, MemOrder::Weak, None, Type::U64, at(21), wide, Some(Operand::Reg(wide)));
    out.regs(&mut b, &[cas, cas64]);

    // Shared memory through the variable and a register, and generic addressing.
    let slot = Address { base: AddrBase::Var(counters), offset: 4 };
    let sh = b.ins().atom(AtomOp::Add, StateSpace::Shared, MemOrder::Weak, None, Type::U32, slot, Imm(1), None);
    let base = b.ins().addr_of(counters);
    let sh_cas = b.ins().atom(
        AtomOp::Cas,
        StateSpace::Shared,
        MemOrder::Weak,
        None,
        Type::B32,
        Address::reg(base),
        sh,
        Some(Operand::u32(0)),
    );
    let gen = b.ins().cvta(true, StateSpace::Global, g);
    let gen_old =
        b.ins().atom(AtomOp::Max, StateSpace::Generic, MemOrder::Weak, None, Type::S32, Address::reg(gen), tid, None);
    out.regs(&mut b, &[sh, sh_cas, gen_old]);

    // Reductions: every operation `red` has.
    let reds: [(AtomOp, Type, Operand); 9] = [
        (AtomOp::Add, Type::U32, Operand::u32(1)),
        (AtomOp::Add, Type::F32, Operand::Reg(x)),
        (AtomOp::Min, Type::S32, Operand::Reg(tid)),
        (AtomOp::Max, Type::U64, Operand::Reg(wide)),
        (AtomOp::Inc, Type::U32, Operand::u32(15)),
        (AtomOp::Dec, Type::U32, Operand::u32(15)),
        (AtomOp::And, Type::B32, Operand::Reg(tid)),
        (AtomOp::Or, Type::B64, Operand::Reg(wide)),
        (AtomOp::Xor, Type::U32, Operand::u32(0xFFFF)),
    ];
    for (k, &(op, ty, src)) in reds.iter().enumerate() {
        b.ins().red(op, global_sp, ty, at(24 + k as i64), src);
    }
    b.ins().red(AtomOp::Add, StateSpace::Shared, Type::U32, Address::var(counters), tid);
    b.ret();
    b.finish().expect("atomics_basic builds");
    m.add_function(f);
    m
}
