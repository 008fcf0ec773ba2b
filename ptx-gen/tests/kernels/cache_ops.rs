//! Every cache operator on loads and stores, and non-coherent (`.nc`) loads.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("cache_ops", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let dst = global_param(&mut b, 1);
    let mut loaded = Vec::new();
    for (k, cache) in [CacheOp::Ca, CacheOp::Cg, CacheOp::Cs, CacheOp::Lu, CacheOp::Cv].into_iter().enumerate() {
        let mut a = global(Type::F32);
        a.cache = cache;
        loaded.push(b.ins().ld(a, Address::reg_offset(src, 4 * k as i64)));
    }
    let mut nc = global(Type::F32);
    nc.nc = true;
    loaded.push(b.ins().ld(nc, Address::reg_offset(src, 32)));
    let mut nc4 = global(Type::U32);
    nc4.nc = true;
    nc4.cache = CacheOp::Cg;
    nc4.vec = VecWidth::V4;
    let quad = b.ins().ld_vec(nc4, Address::reg_offset(src, 48));
    for (k, cache) in [CacheOp::Wb, CacheOp::Cg, CacheOp::Cs, CacheOp::Wt].into_iter().enumerate() {
        let mut a = global(Type::F32);
        a.cache = cache;
        b.ins().st(a, Address::reg_offset(dst, 4 * k as i64), loaded[k]);
    }
    let mut st4 = global(Type::U32);
    st4.cache = CacheOp::Cs;
    st4.vec = VecWidth::V4;
    b.ins().st_vec(st4, Address::reg_offset(dst, 16), quad.into_iter().map(Operand::Reg).collect());
    b.ins().st(global(Type::F32), Address::reg_offset(dst, 32), loaded[4]);
    b.ins().st(global(Type::F32), Address::reg_offset(dst, 36), loaded[5]);
    b.ret();
    b.finish().expect("cache_ops builds");
    module(vec![f])
}
