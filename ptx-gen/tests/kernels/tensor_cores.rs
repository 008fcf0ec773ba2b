//! The tensor-core and asynchronous-copy families: `cp.async` of every size (with zero-fill and an L2 prefetch
//! hint) and its group markers, `ldmatrix`/`stmatrix` of every count, `mma.sync` of every shape and type family,
//! and the packed conversions to and from bf16x2 and FP8 (sm_90, PTX 8.4 for the FP8 `mma`).

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut m = Module::new();
    let tile = m.add_var(VarData {
        name: "tile".into(),
        space: StateSpace::Shared,
        ty: Type::B32,
        len: Some(1024),
        align: 128,
        init: vec![],
    });
    let mut f = kernel("tensor_cores", &[Type::U64, Type::U64]);
    f.attrs.max_threads = Some(128);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let off = b.ins().mul(Type::U32, Mode::Lo, tid, Operand::u32(16));
    let off64 = b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, off);
    let base = b.ins().addr_of(tile);
    let row = b.ins().add(Type::U64, Mode::None, base, off64);
    let from = b.ins().add(Type::U64, Mode::None, src, off64);

    // Four copies into the 16 bytes of this thread's row, the last one zero-filled past 8 bytes.
    b.ins().cp_async(CacheOp::Ca, 4, Address::reg(row), Address::reg(from), None);
    b.ins().cp_async(CacheOp::Ca, 8, Address::reg_offset(row, 4096), Address::reg(from), None);
    b.ins().cp_async_commit();
    b.push(InstKind::CpAsync {
        cache: CacheOp::Cg,
        prefetch: Prefetch::B128,
        bytes: 16,
        dst: Address::reg_offset(row, 2048),
        src: Address::reg(from),
        src_size: Some(Operand::u32(8)),
    });
    b.ins().cp_async(CacheOp::Ca, 16, Address::reg(row), Address::reg(from), None);
    b.ins().cp_async_commit();
    b.ins().cp_async_wait(Some(1));
    b.ins().cp_async_wait(None);
    b.ins().bar_sync();

    let a4 = b.ins().ldmatrix(MatrixCount::X4, false, Address::reg(row));
    let b2 = b.ins().ldmatrix(MatrixCount::X2, true, Address::reg_offset(row, 2048));
    let b1 = b.ins().ldmatrix(MatrixCount::X1, false, Address::reg(row));
    let zero = |b: &mut FunctionBuilder, ty: Type, n: usize| -> Vec<Reg> {
        (0..n).map(|_| b.ins().mov(ty, if ty == Type::F32 { Operand::f32(0.0) } else { Operand::u32(0) })).collect()
    };
    let c = zero(&mut b, Type::F32, 4);
    let bf = b.ins().mma(MmaShape::M16N8K16, (MmaType::BF16, MmaType::BF16), MmaType::F32, a4.clone(), b2.clone(), c);
    let ch = zero(&mut b, Type::B32, 2);
    let h = b.ins().mma(MmaShape::M16N8K16, (MmaType::F16, MmaType::F16), MmaType::F16, a4.clone(), b2.clone(), ch);
    let tf = b.ins().mma(MmaShape::M16N8K8, (MmaType::TF32, MmaType::TF32), MmaType::F32, a4.clone(), b2.clone(), bf);
    let f8 = b.ins().mma(MmaShape::M16N8K32, (MmaType::E4M3, MmaType::E5M2), MmaType::F32, a4.clone(), b2.clone(), tf);
    let ci = zero(&mut b, Type::B32, 4);
    let di: Vec<Reg> = (0..4).map(|_| b.new_reg(Type::B32)).collect();
    b.push(InstKind::Mma {
        shape: MmaShape::M16N8K32,
        d_ty: MmaType::S32,
        a_ty: MmaType::S8,
        b_ty: MmaType::U8,
        c_ty: MmaType::S32,
        satfinite: true,
        d: di.clone(),
        a: a4.clone(),
        b: b2.clone(),
        c: ci,
    });
    let ci8 = zero(&mut b, Type::B32, 4);
    let i16 = b.ins().mma(MmaShape::M16N8K16, (MmaType::U8, MmaType::U8), MmaType::S32, a4[..2].to_vec(), b1, ci8);
    b.ins().stmatrix(MatrixCount::X4, true, Address::reg(row), vec![di[0], di[1], h[0], h[1]]);
    b.ins().stmatrix(MatrixCount::X2, false, Address::reg(row), vec![i16[0], i16[1]]);
    b.ins().stmatrix(MatrixCount::X1, false, Address::reg(row), vec![i16[2]]);

    // Packed conversions and bf16x2 arithmetic.
    let pair = b.ins().cvt_pack(PackedFmt::BF16x2, PackedFmt::F32, false, false, vec![f8[0].into(), f8[1].into()]);
    let relu = b.ins().cvt_pack(PackedFmt::F16x2, PackedFmt::F32, true, true, vec![f8[2].into(), Operand::f32(-1.5)]);
    let fma = b.ins().fma(Type::BF16x2, Mode::Rn, pair, pair, pair);
    let e4 = b.ins().cvt_pack(PackedFmt::E4M3x2, PackedFmt::F32, true, false, vec![f8[3].into(), f8[0].into()]);
    let e4r = b.ins().cvt_pack(PackedFmt::E4M3x2, PackedFmt::F32, true, true, vec![f8[1].into(), f8[2].into()]);
    let back = b.ins().cvt_pack(PackedFmt::F16x2, PackedFmt::E4M3x2, false, false, vec![e4.into()]);
    let e5 = b.ins().cvt_pack(PackedFmt::E5M2x2, PackedFmt::F16x2, true, false, vec![back.into()]);
    let e5back = b.ins().cvt_pack(PackedFmt::F16x2, PackedFmt::E5M2x2, false, true, vec![e5.into()]);
    out.regs(&mut b, &[fma, relu, e4, e4r, e5back]);
    b.ret();
    b.finish().expect("tensor_cores builds");
    m.add_function(f);
    m
}
