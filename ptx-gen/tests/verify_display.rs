//! The textual IR: a snapshot of every writer kernel (every instruction family), immediates by type, and malformed
//! functions still printing.

#[path = "kernels/mod.rs"]
mod kernels;

use ptx_gen::display::{imm_display, inst_display, term_display};
use ptx_gen::*;

#[test]
fn every_instruction_family_prints() {
    let text: String = kernels::all().into_iter().map(|(name, m)| format!("// {name}\n{m}\n")).collect();
    insta::assert_snapshot!(text);
}

#[test]
fn immediates_print_by_their_type() {
    let cases: &[(u64, Type, &str)] = &[
        (0xFFFF_FFFF, Type::S32, "-1"),
        (0xFFFF_FFFF, Type::U32, "4294967295"),
        (0xFFFF_FFFF, Type::B32, "0xFFFFFFFF"),
        (0x8000, Type::S16, "-32768"),
        (1, Type::Pred, "true"),
        (0, Type::Pred, "false"),
        (1.5f32.to_bits() as u64, Type::F32, "1.5"),
        ((-0.0f32).to_bits() as u64, Type::F32, "-0.0"),
        (f32::INFINITY.to_bits() as u64, Type::F32, "inf"),
        (1, Type::F32, "1e-45"),
        (0x7FC0_0000, Type::F32, "0f7FC00000"),
        (0.1f64.to_bits(), Type::F64, "0.1"),
        (f64::NAN.to_bits(), Type::F64, "0d7FF8000000000000"),
        (0x3C00, Type::F16, "0x3C00"),
        (0x1_0000_0000, Type::U32, "0x100000000"),
        (2, Type::Pred, "0x2"),
    ];
    for &(bits, ty, want) in cases {
        assert_eq!(imm_display(Imm(bits), Some(ty)), want, "{bits:#x} as {ty}");
    }
    assert_eq!(imm_display(Imm(255), None), "0xFF");
    // Every f32 prints as a string that reads back to the same bits (shortest round-trip form).
    let mut x: u32 = 0x1234_5678;
    for _ in 0..10_000 {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let v = f32::from_bits(x);
        let s = imm_display(Imm(x as u64), Some(Type::F32));
        if v.is_nan() {
            assert_eq!(s, format!("0f{x:08X}"));
        } else {
            assert_eq!(s.parse::<f32>().unwrap().to_bits(), x, "{s}");
        }
    }
}

#[test]
fn instructions_and_terminators_read_like_ptx() {
    let mut f = Function::kernel("k");
    f.add_param("p", Type::U64);
    let mut b = FunctionBuilder::new(&mut f);
    let (e, t) = (b.create_block(), b.create_block());
    b.switch_to_block(e);
    let p = b.ins().ld_param(Type::U64, 0);
    let g = b.ins().cvta_to_global(p);
    let mut acc = MemAccess::new(StateSpace::Global, Type::F32);
    acc.vec = VecWidth::V2;
    acc.nc = true;
    let v = b.ins().ld_vec(acc, Address::reg_offset(g, -8));
    let s = b.ins().fma(Type::F32, Mode::Rn, v[0], v[1], Operand::f32(-2.0));
    let c = b.ins().setp(CmpOp::Gtu, Type::F32, s, Operand::f32(0.5));
    b.terminate(Terminator::Branch { cond: c, negate: true, then_dest: t, else_dest: e });
    b.switch_to_block(t);
    b.ret();
    b.finish().unwrap();
    let texts: Vec<String> = f.blocks[Block(0)].insts.iter().map(|&i| inst_display(&f, i)).collect();
    assert_eq!(
        texts,
        [
            "v0:u64 = ld.param.u64 [param0]",
            "v1:u64 = cvta.to.global.u64 v0",
            "v2:f32, v3:f32 = ld.global.nc.v2.f32 [v1-8]",
            "v4:f32 = fma.rn.f32 v2, v3, -2.0",
            "v5:pred = setp.gtu.f32 v4, 0.5",
        ]
    );
    assert_eq!(term_display(f.blocks[Block(0)].term.as_ref().unwrap()), "br !v5, block1, block0");
}

#[test]
fn malformed_functions_still_print() {
    let mut f = Function::kernel("k");
    let b0 = f.blocks.push(BlockData { insts: vec![Inst(3)], term: None, term_loc: SrcLoc::NONE });
    f.layout = vec![b0, Block(9)];
    f.insts.push(InstData { kind: InstKind::Mov { ty: Type::U32, dst: Reg(7), src: Operand::u32(1) }, loc: SrcLoc(2) });
    let text = f.display().to_string();
    assert_eq!(text, "kernel k() {\nblock0:\n  <missing inst3>\n  <no terminator>\nblock9:\n  <missing block9>\n}\n");
    assert_eq!(inst_display(&f, Inst(0)), "v7:? = mov.u32 1");
}
