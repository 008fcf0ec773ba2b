//! Module variables in .global, .shared and .const, scalars and arrays, with alignment and initial values of
//! every kind (integers, floats, f16 bits), read by name, with offsets, and through their addresses.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut m = Module::new();
    let var =
        |name: &str, space, ty, len, align, init: Vec<u64>| VarData { name: name.into(), space, ty, len, align, init };
    let counter = m.add_var(var("counter", StateSpace::Global, Type::U32, None, 4, vec![5]));
    let coeffs = m.add_var(var(
        "coeffs",
        StateSpace::Const,
        Type::F32,
        Some(4),
        16,
        [1.0f32, 2.0, -0.5, f32::INFINITY].iter().map(|v| v.to_bits() as u64).collect(),
    ));
    let scale = m.add_var(var("scale", StateSpace::Const, Type::F64, None, 8, vec![2.5f64.to_bits()]));
    let lut = m.add_var(var("lut", StateSpace::Global, Type::U8, Some(6), 1, vec![1, 2, 3, 250, 255]));
    let offsets =
        m.add_var(var("offsets", StateSpace::Const, Type::S32, Some(3), 4, vec![(-1i32) as u32 as u64, 7, 1 << 20]));
    let halfs = m.add_var(var("halfs", StateSpace::Global, Type::F16, Some(2), 2, vec![0x3C00, 0xC000]));
    let table = m.add_var(var("table", StateSpace::Global, Type::U64, Some(3), 8, vec![u64::MAX, 0, 1 << 63]));
    let tile = m.add_var(var("tile", StateSpace::Shared, Type::F32, Some(64), 16, vec![]));
    let dynamic = m.add_var(var("dyn_smem", StateSpace::Shared, Type::B32, Some(0), 16, vec![]));

    let mut f = kernel("module_vars", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let mut out = Sink::new(global_param(&mut b, 0));
    let at = |v, offset| Address { base: AddrBase::Var(v), offset };
    let c = b.ins().ld(global(Type::U32), Address::var(counter));
    let k = b.ins().ld(access(StateSpace::Const, Type::F32), at(coeffs, 12));
    let s = b.ins().ld(access(StateSpace::Const, Type::F64), Address::var(scale));
    let l = b.ins().ld(global(Type::U8), at(lut, 3));
    let o = b.ins().ld(access(StateSpace::Const, Type::S32), at(offsets, 8));
    let h = b.ins().ld(global(Type::F16), at(halfs, 2));
    let t = b.ins().ld(global(Type::U64), at(table, 16));
    b.ins().st(access(StateSpace::Shared, Type::F32), at(tile, 4), k);
    let tk = b.ins().ld(access(StateSpace::Shared, Type::F32), at(tile, 4));
    b.ins().st(access(StateSpace::Shared, Type::B32), Address::var(dynamic), c);
    let dk = b.ins().ld(access(StateSpace::Shared, Type::B32), Address::var(dynamic));
    let addr = b.ins().addr_of(table);
    let gaddr = b.ins().cvta(true, StateSpace::Global, addr);
    let t0 = b.ins().ld(access(StateSpace::Generic, Type::U64), Address::reg(gaddr));
    let next = b.ins().add(Type::U32, Mode::None, c, Imm(1));
    b.ins().st(global(Type::U32), Address::var(counter), next);
    out.regs(&mut b, &[c, k, s, l, o, h, t, tk, dk, t0]);
    b.ret();
    b.finish().expect("module_vars builds");
    m.add_function(f);
    m
}
