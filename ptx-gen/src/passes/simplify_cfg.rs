//! CFG simplification:
//! - a branch whose two targets are the same block becomes a jump;
//! - edges into an empty block that only jumps on are threaded to where it jumps (following chains, stopping at
//!   cycles of empty blocks); a jump to an empty block that returns, traps or branches takes that terminator instead
//!   (the block is empty, so the branch condition has the same value at the end of the jumping block);
//! - blocks unreachable from the entry leave the layout;
//! - a block whose single predecessor jumps unconditionally to it is merged into that predecessor.
//!
//! The entry stays first in the layout and is never merged away. Merged and unreachable blocks keep their data in
//! `func.blocks` but leave the layout (merged ones are emptied).

use super::util;
use crate::cfg::ControlFlowGraph;
use crate::entity::EntityRef;
use crate::inst::{Block, Terminator};
use crate::ir::Function;

/// Simplifies the CFG; returns whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let mut changed = fold_same_target_branches(func);
    changed |= thread(func);
    changed |= remove_unreachable(func);
    changed |= merge(func);
    changed
}

fn fold_same_target_branches(func: &mut Function) -> bool {
    let mut changed = false;
    for &b in &func.layout {
        let data = &mut func.blocks[b];
        if let Some(Terminator::Branch { then_dest, else_dest, .. }) = data.term {
            if then_dest == else_dest {
                data.term = Some(Terminator::Jump(then_dest));
                changed = true;
            }
        }
    }
    changed
}

fn is_empty_jump(func: &Function, b: Block) -> Option<Block> {
    let data = &func.blocks[b];
    match data.term {
        Some(Terminator::Jump(t)) if data.insts.is_empty() && t != b => Some(t),
        _ => None,
    }
}

/// Where an edge into `b` can go instead: the end of the chain of empty jumping blocks starting at `b`, or `b`
/// itself when the chain runs into a cycle of empty blocks (an infinite loop, which threading must keep).
fn resolve(func: &Function, b: Block) -> Block {
    if is_empty_jump(func, b).is_none() {
        return b; // the common case, without allocating
    }
    let mut seen = vec![b];
    let mut cur = b;
    while let Some(t) = is_empty_jump(func, cur) {
        if seen.contains(&t) || seen.len() > func.layout.len() {
            return b;
        }
        seen.push(t);
        cur = t;
    }
    cur
}

fn thread(func: &mut Function) -> bool {
    let mut changed = false;
    for li in 0..func.layout.len() {
        let a = func.layout[li];
        let Some(term) = func.blocks[a].term.clone() else { continue };
        let mut new_loc = None;
        let new = match term {
            Terminator::Jump(t) => {
                let t2 = resolve(func, t);
                let target = &func.blocks[t2];
                // Hoist the terminator of an empty final block (ret/trap/branch) into the jump.
                match &target.term {
                    Some(tt @ (Terminator::Return | Terminator::Trap | Terminator::Branch { .. }))
                        if target.insts.is_empty() && t2 != a =>
                    {
                        new_loc = Some(target.term_loc);
                        tt.clone()
                    }
                    _ => Terminator::Jump(t2),
                }
            }
            Terminator::Branch { cond, negate, then_dest, else_dest } => {
                let (t, e) = (resolve(func, then_dest), resolve(func, else_dest));
                if t == e {
                    Terminator::Jump(t)
                } else {
                    Terminator::Branch { cond, negate, then_dest: t, else_dest: e }
                }
            }
            other => other,
        };
        let data = &mut func.blocks[a];
        if Some(&new) != data.term.as_ref() {
            data.term = Some(new);
            if let Some(loc) = new_loc {
                data.term_loc = loc;
            }
            changed = true;
        }
    }
    changed
}

fn remove_unreachable(func: &mut Function) -> bool {
    let cfg = ControlFlowGraph::new(func);
    let before = func.layout.len();
    func.layout.retain(|&b| cfg.is_reachable(b));
    func.layout.len() != before
}

fn merge(func: &mut Function) -> bool {
    let cfg = ControlFlowGraph::new(func);
    let n = func.blocks.len();
    // Only "exactly one predecessor edge, from a" matters: keep the edge count and that one predecessor.
    let mut pred_count: Vec<usize> = (0..n).map(|i| cfg.predecessors(Block::new(i)).len()).collect();
    let mut only_pred: Vec<Option<Block>> = (0..n).map(|i| cfg.predecessors(Block::new(i)).first().copied()).collect();
    let Some(entry) = func.entry() else { return false };
    let mut removed = vec![false; n];
    let mut changed = false;
    for li in 0..func.layout.len() {
        let a = func.layout[li];
        if removed[a.index()] {
            continue;
        }
        while let Some(Terminator::Jump(b)) = func.blocks[a].term {
            if b == a || b == entry || pred_count[b.index()] != 1 || only_pred[b.index()] != Some(a) {
                break;
            }
            let moved = std::mem::take(&mut func.blocks[b].insts);
            let term = func.blocks[b].term.take();
            let loc = func.blocks[b].term_loc;
            let data = &mut func.blocks[a];
            data.insts.extend(moved);
            data.term = term;
            data.term_loc = loc;
            removed[b.index()] = true;
            // b's successors now have a as their predecessor instead.
            for &s in cfg.successors(b) {
                if only_pred[s.index()] == Some(b) {
                    only_pred[s.index()] = Some(a);
                }
            }
            pred_count[b.index()] = 0;
            changed = true;
        }
    }
    func.layout.retain(|b| !removed[b.index()]);
    changed
}
