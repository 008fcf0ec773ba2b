//! L1 eviction-priority hints on loads and stores (sm_70, PTX 7.4) and L2 prefetch sizes (sm_75; 256B sm_80).

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("eviction_prefetch", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let dst = global_param(&mut b, 1);
    let evictions = [
        Eviction::EvictNormal,
        Eviction::EvictUnchanged,
        Eviction::EvictFirst,
        Eviction::EvictLast,
        Eviction::NoAllocate,
    ];
    let mut vals = Vec::new();
    for (k, ev) in evictions.into_iter().enumerate() {
        let mut a = global(Type::F32);
        a.eviction = ev;
        vals.push(b.ins().ld(a, Address::reg_offset(src, 4 * k as i64)));
    }
    for (k, pf) in [Prefetch::B64, Prefetch::B128, Prefetch::B256].into_iter().enumerate() {
        let mut a = global(Type::F32);
        a.prefetch = pf;
        vals.push(b.ins().ld(a, Address::reg_offset(src, 32 + 4 * k as i64)));
    }
    let mut both = global(Type::F32);
    both.nc = true;
    both.eviction = Eviction::EvictLast;
    both.prefetch = Prefetch::B256;
    both.vec = VecWidth::V4;
    let quad = b.ins().ld_vec(both, Address::reg_offset(src, 64));
    for (k, ev) in
        [Eviction::EvictNormal, Eviction::EvictFirst, Eviction::EvictLast, Eviction::NoAllocate].into_iter().enumerate()
    {
        let mut a = global(Type::F32);
        a.eviction = ev;
        b.ins().st(a, Address::reg_offset(dst, 4 * k as i64), vals[k]);
    }
    let mut st4 = global(Type::F32);
    st4.eviction = Eviction::EvictUnchanged;
    st4.vec = VecWidth::V4;
    b.ins().st_vec(st4, Address::reg_offset(dst, 16), quad.into_iter().map(Operand::Reg).collect());
    for (k, &v) in vals[4..].iter().enumerate() {
        b.ins().st(global(Type::F32), Address::reg_offset(dst, 32 + 4 * k as i64), v);
    }
    b.ret();
    b.finish().expect("eviction_prefetch builds");
    module(vec![f])
}
