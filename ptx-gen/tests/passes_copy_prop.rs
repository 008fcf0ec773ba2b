//! Copy propagation: what is propagated (single-assignment copies anywhere, any copy within a block until either
//! side is reassigned) and what must not be (reassigned sources, incompatible types, register-only positions).

mod passes_common;

use passes_common::interpret;
use ptx_gen::passes::copy_prop;
use ptx_gen::verify::verify_function;
use ptx_gen::*;

fn before_after(f: &Function) -> String {
    verify_function(f, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], f.display()));
    let mut g = f.clone();
    let changed = copy_prop::run(&mut g);
    verify_function(&g, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], g.display()));
    format!("changed: {changed}\n--- before\n{}--- after\n{}", f.display(), g.display())
}

fn device(params: &[Type], body: impl FnOnce(&mut FunctionBuilder, &[Reg], Reg)) -> Function {
    let mut f = Function::device("f");
    for (i, &t) in params.iter().enumerate() {
        f.add_param(format!("p{i}"), t);
    }
    let ret = f.add_return(Type::U32);
    let ps: Vec<Reg> = f.params.iter().map(|p| p.reg.unwrap()).collect();
    let mut b = FunctionBuilder::new(&mut f);
    body(&mut b, &ps, ret);
    b.finish().unwrap();
    f
}

/// The optimised function returns what the original does, on a few non-trivial inputs.
fn same_results(f: &Function) {
    let mut g = f.clone();
    copy_prop::run(&mut g);
    for args in [[3u64, 5], [0xFFFF_FFFF, 1], [0x1234_5678, 0x9ABC_DEF0]] {
        let args = &args[..f.params.len()];
        assert_eq!(interpret(f, args, 1000), interpret(&g, args, 1000), "{args:x?}\n{}\n{}", f.display(), g.display());
    }
}

#[test]
fn single_assignment_copies_propagate_through_chains_and_blocks() {
    let f = device(&[Type::U32], |b, p, ret| {
        let (e, next) = (b.create_block(), b.create_block());
        b.switch_to_block(e);
        let c1 = b.ins().mov(Type::U32, p[0]);
        let c2 = b.ins().mov(Type::U32, c1);
        let k = b.ins().mov(Type::U32, Operand::u32(10));
        b.jump(next);
        b.switch_to_block(next);
        let x = b.ins().add(Type::U32, Mode::None, c2, k);
        let y = b.ins().mul(Type::U32, Mode::Lo, x, c1);
        b.ins().mov_to(ret, y);
        b.ret();
    });
    insta::assert_snapshot!(before_after(&f));
    same_results(&f);
}

#[test]
fn a_copy_is_forgotten_when_its_source_or_destination_is_reassigned() {
    // s and d are both reassigned, so only the block-local rule applies.
    let f = device(&[Type::U32, Type::U32], |b, p, ret| {
        let e = b.create_block();
        b.switch_to_block(e);
        let s = b.ins().mov(Type::U32, p[0]);
        b.push(InstKind::Binary {
            op: BinOp::Add,
            mode: Mode::None,
            ty: Type::U32,
            dst: s,
            a: Operand::Reg(p[0]),
            b: Operand::Reg(p[1]),
        });
        let d = b.ins().mov(Type::U32, s);
        b.ins().mov_to(d, s);
        let before = b.ins().add(Type::U32, Mode::None, d, Operand::u32(1)); // reads s: fine
        b.push(InstKind::Binary {
            op: BinOp::Add,
            mode: Mode::None,
            ty: Type::U32,
            dst: s,
            a: Operand::Reg(s),
            b: Operand::u32(100),
        });
        let after = b.ins().add(Type::U32, Mode::None, d, before); // must still read d
        b.ins().mov_to(ret, after);
        b.ret();
    });
    insta::assert_snapshot!(before_after(&f));
    same_results(&f);
}

#[test]
fn copies_of_reassigned_registers_do_not_cross_blocks() {
    // d = a; if (a < 5) d = 7; return d + 1 — d has two assignments: nothing may be propagated past the join.
    let f = device(&[Type::U32], |b, p, ret| {
        let (e, t, j) = (b.create_block(), b.create_block(), b.create_block());
        b.switch_to_block(e);
        let d = b.ins().mov(Type::U32, p[0]);
        let c = b.ins().setp(CmpOp::Lt, Type::U32, p[0], Operand::u32(5));
        b.branch(c, t, j);
        b.switch_to_block(t);
        b.ins().mov_to(d, Operand::u32(7));
        b.jump(j);
        b.switch_to_block(j);
        let r = b.ins().add(Type::U32, Mode::None, d, Operand::u32(1));
        b.ins().mov_to(ret, r);
        b.ret();
    });
    let mut g = f.clone();
    copy_prop::run(&mut g);
    let join = g.layout[2];
    let add = g.blocks[join].insts[0];
    assert!(matches!(g.insts[add].kind, InstKind::Binary { a: Operand::Reg(r), .. } if r == Reg(2)), "{}", g.display());
    same_results(&f);
}

#[test]
fn types_and_register_only_positions_are_respected() {
    let f = device(&[Type::U32], |b, p, ret| {
        let e = b.create_block();
        b.switch_to_block(e);
        // A u32 reinterpreted as f32: reading the copy as .f32 must keep the f32 register.
        let bits = b.ins().mov(Type::U32, Operand::u32(0x3F80_0000));
        let fl = b.new_reg(Type::F32);
        b.push(InstKind::Mov { ty: Type::B32, dst: fl, src: Operand::Reg(p[0]) });
        let sum = b.ins().add(Type::F32, Mode::Rn, fl, fl);
        let back = b.ins().cvt(CvtMode::Rzi, false, Type::U32, Type::F32, sum);
        // A predicate copy can replace a condition (a register position); an immediate cannot.
        let c = b.ins().setp(CmpOp::Ne, Type::U32, p[0], bits);
        let c2 = b.ins().mov(Type::Pred, c);
        let k = b.ins().mov(Type::Pred, Operand::u32(1));
        let s1 = b.ins().selp(Type::U32, back, bits, c2);
        let s2 = b.ins().selp(Type::U32, s1, back, k);
        b.ins().mov_to(ret, s2);
        b.ret();
    });
    insta::assert_snapshot!(before_after(&f));
}

#[test]
fn call_arguments_take_only_registers_of_the_same_type() {
    let mut m = Module::new();
    let mut callee = Function::device("g");
    callee.add_param("x", Type::U32);
    let r = callee.add_return(Type::U32);
    let x = callee.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut callee);
    let e = b.create_block();
    b.switch_to_block(e);
    b.ins().mov_to(r, x);
    b.ret();
    b.finish().unwrap();
    let g = m.add_function(callee);
    let f = device(&[Type::U32], |b, p, ret| {
        let e = b.create_block();
        b.switch_to_block(e);
        let same = b.ins().mov(Type::U32, p[0]);
        let bits = b.new_reg(Type::B32);
        b.push(InstKind::Mov { ty: Type::B32, dst: bits, src: Operand::Reg(p[0]) });
        let k = b.ins().mov(Type::U32, Operand::u32(4));
        let r1 = b.ins().call(g, &[Type::U32], vec![Operand::Reg(same)]);
        let r2 = b.ins().call(g, &[Type::U32], vec![Operand::Reg(bits)]);
        let r3 = b.ins().call(g, &[Type::U32], vec![Operand::Reg(k)]);
        let s = b.ins().add(Type::U32, Mode::None, r1[0], r2[0]);
        let s = b.ins().add(Type::U32, Mode::None, s, r3[0]);
        b.ins().mov_to(ret, s);
        b.ret();
    });
    let mut opt = f.clone();
    copy_prop::run(&mut opt);
    let calls: Vec<&InstKind> =
        opt.insts.values().map(|d| &d.kind).filter(|k| matches!(k, InstKind::Call { .. })).collect();
    assert_eq!(calls.len(), 3);
    let arg = |k: &InstKind| match k {
        InstKind::Call { args, .. } => args[0],
        _ => unreachable!(),
    };
    let p0 = f.params[0].reg.unwrap();
    assert_eq!(arg(calls[0]), Operand::Reg(p0), "a u32 copy of a u32 parameter is propagated");
    assert_eq!(arg(calls[1]), Operand::Reg(Reg(3)), "a b32 copy keeps its own register");
    assert!(matches!(arg(calls[2]), Operand::Reg(_)), "no immediates into calls");
    m.add_function(opt);
    assert_eq!(ptx_gen::verify::verify_module(&m), Ok(()));
}
