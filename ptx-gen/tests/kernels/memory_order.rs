//! Volatile, relaxed, acquire and release accesses in every scope, `membar` and `fence` (sm_70).

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut m = Module::new();
    let flag = m.add_var(VarData {
        name: "flag".into(),
        space: StateSpace::Shared,
        ty: Type::U32,
        len: None,
        align: 4,
        init: vec![],
    });
    let mut f = kernel("memory_order", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let g = global_param(&mut b, 0);
    let with = |space, ty, order| {
        let mut a = access(space, ty);
        a.order = order;
        a
    };
    let v = b.ins().ld(with(StateSpace::Global, Type::U32, MemOrder::Volatile), Address::reg(g));
    b.ins().st(with(StateSpace::Shared, Type::U32, MemOrder::Volatile), Address::var(flag), v);
    let r = b.ins().ld(with(StateSpace::Global, Type::U32, MemOrder::Relaxed(Scope::Gpu)), Address::reg_offset(g, 4));
    let a = b.ins().ld(with(StateSpace::Global, Type::U64, MemOrder::Acquire(Scope::Sys)), Address::reg_offset(g, 8));
    let s = b.ins().ld(with(StateSpace::Shared, Type::U32, MemOrder::Acquire(Scope::Cta)), Address::var(flag));
    b.ins().fence(FenceKind::Membar, Scope::Cta);
    b.ins().fence(FenceKind::Membar, Scope::Gpu);
    b.ins().fence(FenceKind::Membar, Scope::Sys);
    for scope in [Scope::Cta, Scope::Gpu, Scope::Sys] {
        b.ins().fence(FenceKind::AcqRel, scope);
        b.ins().fence(FenceKind::Sc, scope);
    }
    b.ins().st(with(StateSpace::Shared, Type::U32, MemOrder::Release(Scope::Cta)), Address::var(flag), r);
    b.ins().st(with(StateSpace::Global, Type::U64, MemOrder::Relaxed(Scope::Sys)), Address::reg_offset(g, 16), a);
    let gen = b.ins().cvta(true, StateSpace::Global, g);
    b.ins().st(with(StateSpace::Generic, Type::U32, MemOrder::Release(Scope::Gpu)), Address::reg_offset(gen, 24), s);
    let ga = b.ins().ld(with(StateSpace::Generic, Type::U32, MemOrder::Relaxed(Scope::Cta)), Address::reg(gen));
    b.ins().st(with(StateSpace::Global, Type::U32, MemOrder::Volatile), Address::reg_offset(g, 28), ga);
    b.ret();
    b.finish().expect("memory_order builds");
    m.add_function(f);
    m
}
