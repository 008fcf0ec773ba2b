//! Dead-code elimination: unread results go, chains and loops included; side effects and device results stay.

use ptx_gen::passes::dce;
use ptx_gen::verify::verify_function;
use ptx_gen::*;

fn before_after(f: &Function) -> String {
    verify_function(f, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], f.display()));
    let mut g = f.clone();
    let changed = dce::run(&mut g);
    verify_function(&g, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], g.display()));
    format!("changed: {changed}\n--- before\n{}--- after\n{}", f.display(), g.display())
}

#[test]
fn removes_unread_results_and_keeps_every_side_effect() {
    let mut f = Function::kernel("k");
    f.add_param("out", Type::U64);
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let p = b.ins().ld_param(Type::U64, 0);
    let g = b.ins().cvta_to_global(p);
    // Dead: a chain ending nowhere, a weak load, a thread index.
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let x = b.ins().add(Type::U32, Mode::None, tid, Operand::u32(1));
    let _y = b.ins().mul(Type::U32, Mode::Lo, x, x);
    let _unused = b.ins().ld(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(g));
    // Kept although their results are unused: ordered loads, clocks, atomics, warp collectives, asm.
    let mut vol = MemAccess::new(StateSpace::Global, Type::U32);
    vol.order = MemOrder::Volatile;
    let _v = b.ins().ld(vol, Address::reg(g));
    let _c = b.ins().special(SpecialReg::Clock64);
    let _a = b.ins().atom(
        AtomOp::Add,
        StateSpace::Global,
        MemOrder::Weak,
        None,
        Type::U32,
        Address::reg(g),
        Operand::u32(1),
        None,
    );
    let _s = b.ins().shfl(ShflMode::Down, Operand::u32(5), Operand::u32(1), Operand::u32(31), Operand::u32(u32::MAX));
    let _m = b.ins().active_mask();
    let out = b.new_reg(Type::U32);
    b.ins().asm("mov.u32 {0}, %laneid;", vec![out], vec![]);
    b.ins().bar_sync();
    b.ins().fence(FenceKind::Membar, Scope::Gpu);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::U32), Address::reg_offset(g, 4), Operand::u32(7));
    b.ret();
    b.finish().unwrap();
    insta::assert_snapshot!(before_after(&f));
}

#[test]
fn overwritten_assignments_die_and_device_results_live() {
    let mut f = Function::device("f");
    f.add_param("a", Type::U32);
    let ret = f.add_return(Type::U32);
    let a = f.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    let (e, t, j) = (b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(e);
    let x = b.ins().mov(Type::U32, Operand::u32(1)); // overwritten on every path before any read: dead
    let p = b.ins().setp(CmpOp::Eq, Type::U32, a, Operand::u32(0));
    b.ins().mov_to(ret, Operand::u32(3)); // read at ret when the branch skips `t`: live
    b.branch(p, t, j);
    b.switch_to_block(t);
    b.ins().mov_to(x, a);
    b.ins().mov_to(ret, x);
    b.jump(j);
    b.switch_to_block(j);
    let unused = b.ins().add(Type::U32, Mode::None, a, Operand::u32(9)); // dead across blocks
    let _ = unused;
    b.ret();
    b.finish().unwrap();
    insta::assert_snapshot!(before_after(&f));
}

#[test]
fn dead_chains_around_loops_go_in_one_run() {
    // i counts to a; t = i * 2 is computed each iteration and never read.
    let mut f = Function::device("f");
    f.add_param("a", Type::U32);
    let ret = f.add_return(Type::U32);
    let a = f.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    let (e, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(e);
    let i = b.ins().mov(Type::U32, Operand::u32(0));
    b.jump(body);
    b.switch_to_block(body);
    let t = b.ins().mul(Type::U32, Mode::Lo, i, Operand::u32(2));
    let _u = b.ins().add(Type::U32, Mode::None, t, a);
    b.push(InstKind::Binary {
        op: BinOp::Add,
        mode: Mode::None,
        ty: Type::U32,
        dst: i,
        a: Operand::Reg(i),
        b: Operand::u32(1),
    });
    let p = b.ins().setp(CmpOp::Lt, Type::U32, i, a);
    b.branch(p, body, exit);
    b.switch_to_block(exit);
    b.ins().mov_to(ret, i);
    b.ret();
    b.finish().unwrap();
    let mut g = f.clone();
    assert!(dce::run(&mut g));
    assert_eq!(g.blocks[Block(1)].insts.len(), 2, "only the counter update and its compare stay:\n{}", g.display());
    assert!(!dce::run(&mut g), "a second run finds nothing");
}

#[test]
fn assignments_that_only_feed_themselves_are_removed() {
    // acc = acc + a around a loop, never read afterwards: plain liveness keeps it (acc reads itself), strong
    // liveness removes it. The counter feeds the branch and stays.
    let mut f = Function::device("f");
    f.add_param("a", Type::U32);
    let ret = f.add_return(Type::U32);
    let a = f.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    let (e, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(e);
    let i = b.ins().mov(Type::U32, Operand::u32(0));
    let acc = b.ins().mov(Type::U32, Operand::u32(0));
    b.jump(body);
    b.switch_to_block(body);
    let bump = |b: &mut FunctionBuilder, r: Reg, by: Operand| {
        b.push(InstKind::Binary { op: BinOp::Add, mode: Mode::None, ty: Type::U32, dst: r, a: Operand::Reg(r), b: by })
    };
    bump(&mut b, acc, Operand::Reg(a));
    bump(&mut b, i, Operand::u32(1));
    let p = b.ins().setp(CmpOp::Lt, Type::U32, i, a);
    b.branch(p, body, exit);
    b.switch_to_block(exit);
    b.ins().mov_to(ret, i);
    b.ret();
    b.finish().unwrap();
    insta::assert_snapshot!(before_after(&f));
}
