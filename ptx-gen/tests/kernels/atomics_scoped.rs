//! Atomics with scopes and memory orders, f64 and half-precision adds (sm_70).

use super::util::*;
use ptx_gen::*;

#[allow(clippy::too_many_arguments)] // one argument per field of InstKind::Atom
fn atom(
    b: &mut FunctionBuilder,
    op: AtomOp,
    space: StateSpace,
    order: MemOrder,
    scope: Option<Scope>,
    ty: Type,
    dst: bool,
    addr: Address,
    src: Operand,
    cmp: Option<Operand>,
) -> Option<Reg> {
    let dst = dst.then(|| b.new_reg(ty));
    b.push(InstKind::Atom { op, space, order, scope, ty, dst, addr, src, cmp });
    dst
}

pub fn build() -> Module {
    let mut f = kernel("atomics_scoped", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let g = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let d = b.ins().ld(global(Type::F64), Address::reg(g));
    let h = b.ins().ld(global(Type::F16), Address::reg_offset(g, 8));
    let h2 = b.ins().ld(global(Type::F16x2), Address::reg_offset(g, 12));
    let at = |k: i64| Address::reg_offset(g, 8 * k);
    let gl = StateSpace::Global;
    let mut olds = Vec::new();
    olds.extend(atom(&mut b, AtomOp::Add, gl, MemOrder::Weak, None, Type::F64, true, at(2), d.into(), None));
    olds.extend(atom(
        &mut b,
        AtomOp::Add,
        gl,
        MemOrder::Weak,
        Some(Scope::Cta),
        Type::U32,
        true,
        at(3),
        tid.into(),
        None,
    ));
    olds.extend(atom(
        &mut b,
        AtomOp::Exch,
        gl,
        MemOrder::Weak,
        Some(Scope::Sys),
        Type::B64,
        true,
        at(4),
        Operand::u64(9),
        None,
    ));
    olds.extend(atom(
        &mut b,
        AtomOp::Add,
        gl,
        MemOrder::Weak,
        Some(Scope::Gpu),
        Type::S32,
        true,
        at(5),
        tid.into(),
        None,
    ));
    olds.extend(atom(
        &mut b,
        AtomOp::Add,
        gl,
        MemOrder::Relaxed(Scope::Gpu),
        None,
        Type::U32,
        true,
        at(6),
        tid.into(),
        None,
    ));
    olds.extend(atom(
        &mut b,
        AtomOp::Cas,
        gl,
        MemOrder::Acquire(Scope::Gpu),
        Some(Scope::Gpu),
        Type::B32,
        true,
        at(7),
        tid.into(),
        Some(Operand::u32(0)),
    ));
    olds.extend(atom(
        &mut b,
        AtomOp::Exch,
        gl,
        MemOrder::Release(Scope::Sys),
        None,
        Type::U32,
        true,
        at(8),
        Operand::u32(1),
        None,
    ));
    olds.extend(atom(
        &mut b,
        AtomOp::Max,
        gl,
        MemOrder::AcqRel(Scope::Cta),
        None,
        Type::S64,
        true,
        at(9),
        Operand::u64(3),
        None,
    ));
    olds.extend(atom(&mut b, AtomOp::Add, gl, MemOrder::Weak, None, Type::F16, true, at(10), h.into(), None));
    olds.extend(atom(
        &mut b,
        AtomOp::Add,
        gl,
        MemOrder::Relaxed(Scope::Sys),
        None,
        Type::F16x2,
        true,
        at(11),
        h2.into(),
        None,
    ));
    atom(&mut b, AtomOp::Add, gl, MemOrder::Release(Scope::Gpu), None, Type::U32, false, at(12), tid.into(), None);
    atom(&mut b, AtomOp::Or, gl, MemOrder::Relaxed(Scope::Sys), None, Type::B32, false, at(13), Operand::u32(4), None);
    atom(&mut b, AtomOp::Add, gl, MemOrder::Weak, Some(Scope::Cta), Type::F64, false, at(14), d.into(), None);
    atom(&mut b, AtomOp::Add, gl, MemOrder::Weak, None, Type::F16x2, false, at(15), h2.into(), None);
    out.regs(&mut b, &olds);
    b.ret();
    b.finish().expect("atomics_scoped builds");
    module(vec![f])
}
