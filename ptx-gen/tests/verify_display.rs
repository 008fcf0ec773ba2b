//! The textual IR: a snapshot of every writer kernel (every instruction family), immediates by type, and malformed
//! functions still printing.

#[path = "kernels/mod.rs"]
mod kernels;

use ptx_gen::display::{imm_display, inst_display, term_display};
use ptx_gen::*;

/// One instruction of every family, in one kernel and one device function (a module of its own, so that this
/// snapshot changes only when the textual form does).
fn every_family() -> Module {
    let mut m = Module::new();
    let tile = m.add_var(VarData {
        name: "tile".into(),
        space: StateSpace::Shared,
        ty: Type::F32,
        len: Some(64),
        align: 16,
        init: vec![],
    });
    m.add_var(VarData {
        name: "lut".into(),
        space: StateSpace::Const,
        ty: Type::F32,
        len: Some(3),
        align: 4,
        init: vec![1.0f32.to_bits() as u64, 0.5f32.to_bits() as u64],
    });
    let mut d = Function::device("helper");
    d.add_param("x", Type::U32);
    let r = d.add_return(Type::F32);
    let x = d.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut d);
    let e = b.create_block();
    b.switch_to_block(e);
    let v = b.ins().cvt(CvtMode::Rn, false, Type::F32, Type::U32, x);
    b.ins().asm("mov.b32 {0}, {1};", vec![r], vec![Operand::Reg(v)]);
    b.ret();
    b.finish().unwrap();
    let helper = m.add_function(d);

    let mut k = Function::kernel("families");
    k.add_param("out", Type::U64);
    k.attrs.max_threads = Some(256);
    let mut b = FunctionBuilder::new(&mut k);
    let (e, t, exit) = (b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(e);
    b.set_srcloc(SrcLoc(3));
    let p = b.ins().ld_param(Type::U64, 0);
    let g = b.ins().cvta_to_global(p);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let sh = b.ins().addr_of(tile);
    let neg = b.ins().unary(UnOp::Neg, Mode::None, Type::S32, Operand::Imm(Imm::int(-5, Type::S32)));
    let wide = b.ins().mul(Type::U32, Mode::Wide, tid, Operand::u32(4));
    let mad = b.ins().ternary(TernOp::Mad, Mode::Lo, Type::S32, neg, neg, Operand::Imm(Imm::int(-1, Type::S32)));
    let bfi = b.ins().bfi(Type::B32, tid, Operand::u32(0xFF00), Operand::u32(8), Operand::u32(4));
    let c = b.ins().setp(CmpOp::Hs, Type::U32, bfi, Operand::u32(7));
    let s = b.ins().selp(Type::F32, Operand::f32(1.5), Operand::f32(-0.0), c);
    let addr = b.ins().add(Type::U64, Mode::None, g, wide);
    let mut acc = MemAccess::new(StateSpace::Global, Type::F32);
    acc.vec = VecWidth::V2;
    acc.cache = CacheOp::Cs;
    let pair = b.ins().ld_vec(acc, Address::reg_offset(addr, 8));
    let mut rel = MemAccess::new(StateSpace::Shared, Type::F32);
    rel.order = MemOrder::Release(Scope::Cta);
    b.ins().st(rel, Address { base: AddrBase::Var(tile), offset: 4 }, s);
    b.ins().st(MemAccess::new(StateSpace::Shared, Type::F32), Address::reg(sh), pair[1]);
    let old = b.ins().atom(
        AtomOp::Cas,
        StateSpace::Global,
        MemOrder::AcqRel(Scope::Gpu),
        None,
        Type::B32,
        Address::reg(g),
        Operand::Reg(mad),
        Some(Operand::u32(0)),
    );
    b.ins().red(AtomOp::Add, StateSpace::Global, Type::F32, Address::reg_offset(g, -4), pair[0]);
    b.ins().bar(BarOp::Arrive, Operand::u32(1), Some(Operand::u32(64)));
    b.ins().fence(FenceKind::Sc, Scope::Sys);
    b.push(InstKind::WarpSync { mask: Operand::u32(u32::MAX) });
    let sh2 =
        b.ins().shfl(ShflMode::Bfly, Operand::Reg(old), Operand::u32(16), Operand::u32(31), Operand::u32(u32::MAX));
    let ballot = b.ins().vote(VoteMode::Ballot, c, true, Operand::u32(u32::MAX));
    let mask = b.ins().active_mask();
    let f = b.ins().call(helper, &[Type::F32], vec![Operand::Reg(tid)]);
    let x = b.ins().binary(BinOp::Xor, Mode::None, Type::B32, sh2, ballot);
    let y = b.ins().binary(BinOp::And, Mode::None, Type::B32, x, mask);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::B32), Address::reg(g), y);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(g), f[0]);
    b.set_srcloc(SrcLoc::NONE);
    b.terminate(Terminator::Branch { cond: c, negate: true, then_dest: t, else_dest: exit });
    b.switch_to_block(t);
    b.trap();
    b.switch_to_block(exit);
    b.ret();
    b.finish().unwrap();
    m.add_function(k);
    m
}

#[test]
fn every_instruction_family_prints() {
    let m = every_family();
    ptx_gen::verify::verify_module(&m).unwrap();
    insta::assert_snapshot!(m.to_string());
}

#[test]
fn the_writer_kernels_print_deterministically_and_completely() {
    for (name, m) in kernels::all() {
        let text = m.to_string();
        assert_eq!(text, m.clone().to_string(), "{name}");
        assert!(
            !text.contains("<missing") && !text.contains(":?") && !text.contains("<no terminator>"),
            "{name}:\n{text}"
        );
        let insts: usize = m.functions.values().map(|f| f.inst_count()).sum();
        let lines = text.lines().filter(|l| l.starts_with("  ")).count();
        assert_eq!(lines, insts, "{name}: one line per instruction and terminator");
    }
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
