//! CFG simplification: unreachable blocks, threading through empty blocks, hoisting `ret`, merging straight-line
//! blocks, equal-target branches; infinite loops and the entry stay.

use ptx_gen::passes::simplify_cfg;
use ptx_gen::verify::verify_function;
use ptx_gen::*;

fn before_after(f: &Function) -> String {
    verify_function(f, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], f.display()));
    let mut g = f.clone();
    let changed = simplify_cfg::run(&mut g);
    verify_function(&g, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], g.display()));
    let again = simplify_cfg::run(&mut g.clone());
    format!("changed: {changed}, second run changes: {again}\n--- before\n{}--- after\n{}", f.display(), g.display())
}

fn device(body: impl FnOnce(&mut FunctionBuilder, Reg, Reg)) -> Function {
    let mut f = Function::device("f");
    f.add_param("a", Type::U32);
    let ret = f.add_return(Type::U32);
    let a = f.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    body(&mut b, a, ret);
    b.finish().unwrap();
    f
}

#[test]
fn threads_empty_blocks_hoists_returns_merges_and_drops_unreachable_blocks() {
    let f = device(|b, a, ret| {
        let blocks: Vec<Block> = (0..8).map(|_| b.create_block()).collect();
        let [entry, empty1, empty2, work, join, dead, same, tail] = blocks[..] else { unreachable!() };
        b.switch_to_block(entry);
        b.ins().mov_to(ret, a);
        let p = b.ins().setp(CmpOp::Gt, Type::U32, a, Operand::u32(3));
        b.branch(p, empty1, same);
        // empty1 → empty2 → work: the branch goes straight to work.
        b.switch_to_block(empty1);
        b.jump(empty2);
        b.switch_to_block(empty2);
        b.jump(work);
        b.switch_to_block(work);
        let x = b.ins().add(Type::U32, Mode::None, a, Operand::u32(1));
        b.ins().mov_to(ret, x);
        b.jump(join);
        // A branch with two equal targets becomes a jump.
        b.switch_to_block(same);
        b.branch(p, join, join);
        // join has two predecessors; tail, empty and returning, is hoisted into it.
        b.switch_to_block(join);
        let y = b.ins().mul(Type::U32, Mode::Lo, ret, Operand::u32(2));
        b.ins().mov_to(ret, y);
        b.jump(tail);
        b.switch_to_block(tail);
        b.ret();
        // Nothing reaches dead.
        b.switch_to_block(dead);
        b.jump(join);
    });
    insta::assert_snapshot!(before_after(&f));
}

#[test]
fn straight_line_blocks_merge_into_one() {
    let f = device(|b, a, ret| {
        let blocks: Vec<Block> = (0..4).map(|_| b.create_block()).collect();
        let mut v = a;
        for (i, &blk) in blocks.iter().enumerate() {
            b.switch_to_block(blk);
            b.set_srcloc(SrcLoc(i as u32));
            v = b.ins().add(Type::U32, Mode::None, v, Operand::u32(i as u32));
            if let Some(&next) = blocks.get(i + 1) {
                b.jump(next);
            }
        }
        b.ins().mov_to(ret, v);
        b.ret();
    });
    insta::assert_snapshot!(before_after(&f));
}

#[test]
fn infinite_loops_of_empty_blocks_and_loops_to_the_entry_stay() {
    // entry: if a == 0 spin forever in two empty blocks; else loop back to the entry (which has a predecessor).
    let f = device(|b, a, ret| {
        let (entry, s1, s2, back) = (b.create_block(), b.create_block(), b.create_block(), b.create_block());
        b.switch_to_block(entry);
        b.ins().mov_to(ret, a);
        let p = b.ins().setp(CmpOp::Eq, Type::U32, a, Operand::u32(0));
        b.branch(p, s1, back);
        b.switch_to_block(s1);
        b.jump(s2);
        b.switch_to_block(s2);
        b.jump(s1);
        b.switch_to_block(back);
        b.jump(entry);
    });
    let mut g = f.clone();
    simplify_cfg::run(&mut g);
    verify_function(&g, None).unwrap();
    assert_eq!(g.entry(), Some(Block(0)));
    assert!(!simplify_cfg::run(&mut g.clone()), "the result is a fixed point:\n{}", g.display());
    // The spin loop is still a loop and the entry still loops to itself.
    let cfg = ptx_gen::cfg::ControlFlowGraph::new(&g);
    assert!(cfg.predecessors(Block(0)).contains(&Block(0)), "{}", g.display());
    let spin = cfg.successors(Block(0))[0];
    let next = cfg.successors(spin)[0];
    assert_eq!(cfg.successors(next), &[spin], "{}", g.display());
}
