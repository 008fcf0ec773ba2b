//! The CFG analyses the verifier and passes share: predecessors, reverse postorder and dominators checked against
//! brute-force definitions on thousands of random graphs, malformed graphs included.

mod passes_common;

use passes_common::Rng;
use ptx_gen::cfg::{inst_positions, BitSet, ControlFlowGraph, DominatorTree};
use ptx_gen::*;

/// A function with `n` blocks and random terminators (some targets outside the layout or out of range).
fn random_cfg(rng: &mut Rng) -> Function {
    let n = 1 + rng.below(16);
    let mut f = Function::device("f");
    let p = f.new_reg(Type::Pred);
    for _ in 0..n {
        f.blocks.push(BlockData::default());
    }
    let target = |rng: &mut Rng| Block(rng.below(n + 1) as u32);
    for i in 0..n {
        let term = match rng.below(6) {
            0 => Terminator::Return,
            1 | 2 => Terminator::Jump(target(rng)),
            _ => Terminator::Branch { cond: p, negate: false, then_dest: target(rng), else_dest: target(rng) },
        };
        f.blocks[Block(i as u32)].term = Some(term);
    }
    f.layout = (0..n as u32).map(Block).collect();
    // Shuffle everything but the entry, and sometimes leave a block out of the layout.
    for i in (2..n).rev() {
        let j = 1 + rng.below(i);
        f.layout.swap(i, j);
    }
    if n > 2 && rng.chance(1, 4) {
        f.layout.pop();
    }
    f
}

/// Blocks reachable from the entry, avoiding `without`.
fn reachable(cfg: &ControlFlowGraph, n: usize, without: Option<Block>) -> Vec<bool> {
    let mut seen = vec![false; n];
    let Some(e) = cfg.entry() else { return seen };
    if Some(e) == without {
        return seen;
    }
    let mut stack = vec![e];
    seen[e.0 as usize] = true;
    while let Some(b) = stack.pop() {
        for &s in cfg.successors(b) {
            if Some(s) != without && !seen[s.0 as usize] {
                seen[s.0 as usize] = true;
                stack.push(s);
            }
        }
    }
    seen
}

/// Whether `to` can be reached from `from`.
fn reaches(cfg: &ControlFlowGraph, n: usize, from: Block, to: Block) -> bool {
    let mut seen = vec![false; n];
    let mut stack = vec![from];
    while let Some(b) = stack.pop() {
        if b == to {
            return true;
        }
        if !std::mem::replace(&mut seen[b.0 as usize], true) {
            stack.extend_from_slice(cfg.successors(b));
        }
    }
    false
}

#[test]
fn dominators_match_the_definition_on_random_graphs() {
    let mut rng = Rng::new(5);
    let mut pairs = 0;
    for case in 0..3000 {
        let f = random_cfg(&mut rng);
        let n = f.blocks.len();
        let cfg = ControlFlowGraph::new(&f);
        let dom = DominatorTree::new(&cfg);
        let reach = reachable(&cfg, n, None);

        // Successors are the terminator's targets that are in the layout; predecessors mirror them.
        for &b in &f.layout {
            let want: Vec<Block> =
                f.blocks[b].term.as_ref().unwrap().successors().into_iter().filter(|s| f.layout.contains(s)).collect();
            assert_eq!(cfg.successors(b), &want[..], "case {case}");
            for &s in cfg.successors(b) {
                let edges_bs = cfg.successors(b).iter().filter(|&&x| x == s).count();
                assert_eq!(cfg.predecessors(s).iter().filter(|&&x| x == b).count(), edges_bs, "case {case}");
            }
        }
        // Reverse postorder holds exactly the reachable blocks, the entry first, a dominator before what it
        // dominates, and a block before its successors unless the edge closes a cycle (the successor reaches it).
        let rpo = cfg.reverse_postorder();
        assert_eq!(rpo.len(), reach.iter().filter(|&&r| r).count(), "case {case}");
        assert_eq!(rpo.first().copied(), cfg.entry());
        for &b in rpo {
            assert!(reach[b.0 as usize] && cfg.is_reachable(b));
            for &s in cfg.successors(b) {
                if cfg.rpo_index(b) >= cfg.rpo_index(s) {
                    assert!(reaches(&cfg, n, s, b), "case {case}: {b} → {s} goes backwards without a cycle");
                }
            }
            for &c in rpo {
                if dom.dominates(b, c) {
                    assert!(cfg.rpo_index(b) <= cfg.rpo_index(c), "case {case}");
                }
            }
        }
        // a dominates b iff b is reachable and every path to b passes a.
        for a in 0..n {
            let without = reachable(&cfg, n, Some(Block(a as u32)));
            for b in 0..n {
                let (ba, bb) = (Block(a as u32), Block(b as u32));
                let want = reach[a] && reach[b] && (a == b || !without[b]);
                assert_eq!(dom.dominates(ba, bb), want, "case {case}: does {ba} dominate {bb}?\n{}", f.display());
                pairs += 1;
            }
            // The immediate dominator is the strict dominator that every other strict dominator dominates.
            let ba = Block(a as u32);
            match dom.idom(ba) {
                None => assert!(!reach[a] || Some(ba) == cfg.entry(), "case {case}"),
                Some(d) => {
                    assert!(dom.strictly_dominates(d, ba));
                    for c in 0..n {
                        let bc = Block(c as u32);
                        if dom.strictly_dominates(bc, ba) {
                            assert!(dom.dominates(bc, d), "case {case}: {bc} sdom {ba} but not idom {d}");
                        }
                    }
                    assert!(dom.children(d).contains(&ba));
                }
            }
        }
    }
    assert!(pairs > 100_000);
}

#[test]
fn malformed_functions_give_empty_or_partial_answers() {
    let mut f = Function::kernel("k");
    assert!(ControlFlowGraph::new(&f).reverse_postorder().is_empty());
    f.layout = vec![Block(4), Block(0)];
    let cfg = ControlFlowGraph::new(&f);
    assert_eq!(cfg.entry(), None);
    assert!(cfg.successors(Block(77)).is_empty() && cfg.predecessors(Block(77)).is_empty());
    let dom = DominatorTree::new(&cfg);
    assert!(!dom.dominates(Block(0), Block(0)));
    assert_eq!(dom.idom(Block(3)), None);
}

#[test]
fn program_points_and_instruction_positions() {
    let mut f = Function::device("f");
    let mut b = FunctionBuilder::new(&mut f);
    let (e, t, j) = (b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(e);
    let p = b.ins().setp(CmpOp::Eq, Type::U32, Operand::u32(1), Operand::u32(2));
    b.branch(p, t, j);
    b.switch_to_block(t);
    b.ins().mov(Type::U32, Operand::u32(3));
    b.jump(j);
    b.switch_to_block(j);
    b.ins().mov(Type::U32, Operand::u32(4));
    b.ret();
    b.finish().unwrap();
    let pos = inst_positions(&f);
    assert_eq!(pos, vec![Some((e, 0)), Some((t, 0)), Some((j, 0))]);
    assert_eq!(ptx_gen::cfg::inst_position(&f, Inst(2)), Some((j, 0)));
    let dom = DominatorTree::new(&ControlFlowGraph::new(&f));
    assert!(dom.point_dominates((e, 0), (j, 0)));
    assert!(dom.point_dominates((e, 0), (e, 1)));
    assert!(!dom.point_dominates((e, 1), (e, 0)));
    assert!(!dom.point_dominates((t, 0), (j, 0)));
}

#[test]
fn bitset_operations() {
    let mut rng = Rng::new(11);
    for _ in 0..500 {
        let n = rng.below(200);
        let (mut a, mut b) = (BitSet::new(n), BitSet::new(n));
        let (mut ra, mut rb) = (vec![false; n], vec![false; n]);
        for _ in 0..n {
            let i = rng.below(n + 3);
            let inserted = a.insert(i);
            if i < n {
                assert_eq!(inserted, !ra[i]);
                ra[i] = true;
            } else {
                assert!(!inserted && !a.contains(i));
            }
            let j = rng.below(n.max(1));
            if j < n {
                b.insert(j);
                rb[j] = true;
            }
        }
        let mut u = a.clone();
        u.union_with(&b);
        let mut x = a.clone();
        x.intersect_with(&b);
        let mut d = a.clone();
        d.subtract(&b);
        for i in 0..n {
            assert_eq!(u.contains(i), ra[i] || rb[i]);
            assert_eq!(x.contains(i), ra[i] && rb[i]);
            assert_eq!(d.contains(i), ra[i] && !rb[i]);
        }
        assert_eq!(a.iter().collect::<Vec<_>>(), (0..n).filter(|&i| ra[i]).collect::<Vec<_>>());
        assert_eq!(BitSet::full(n).iter().count(), n);
        assert_eq!(a.is_empty(), !ra.contains(&true));
    }
}
