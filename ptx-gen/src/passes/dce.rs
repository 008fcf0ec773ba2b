//! Dead-code elimination: removes instructions without side effects ([`InstKind::has_side_effects`](crate::InstKind::has_side_effects)) whose results
//! nothing relevant reads, in one analysis.
//!
//! The analysis is *strong* (faint-variable) liveness, a backward dataflow over the CFG: a register is live where
//! some path reads it, before reassigning it, in a *relevant* instruction — one with side effects, a terminator
//! (branch conditions, and a device function's result registers at `ret`), or an instruction whose own result is
//! live. An instruction whose results are all dead does not make its operands live. Starting from nothing live and
//! growing to the least fixed point removes whole dead chains at once, across blocks, and also assignments that only
//! feed themselves around a loop (`acc = acc + 1` with `acc` never read), which plain liveness keeps.
//!
//! Stores, atomics, barriers, fences, warp collectives, calls, inline asm, ordered loads and clock reads all have side
//! effects and are never removed.
//!
//! Removing an assignment keeps definite assignment: a live read reachable from a removed assignment would have
//! made it live, so every remaining read is preceded by another assignment on those paths.

use super::util;
use crate::cfg::{visit_regs, BitMatrix, BitSet, ControlFlowGraph};
use crate::entity::EntityRef;
use crate::inst::{Block, Terminator};
use crate::ir::Function;

/// One instruction with its registers, flattened once so that the fixed-point iteration does not allocate.
struct Item {
    side_effects: bool,
    /// Range in `Flat::regs`: the uses, then the definitions from `defs_at`.
    start: u32,
    defs_at: u32,
    end: u32,
}

struct Flat {
    /// Per block index: its instructions, in order.
    items: Vec<Vec<Item>>,
    /// Per block index: the registers its terminator reads.
    term_uses: Vec<Vec<u32>>,
    regs: Vec<u32>,
}

impl Flat {
    fn new(func: &Function) -> Flat {
        let nb = func.blocks.len();
        let mut items: Vec<Vec<Item>> = (0..nb).map(|_| Vec::new()).collect();
        let mut term_uses = vec![Vec::new(); nb];
        let mut regs = Vec::new();
        let (mut uses, mut defs) = (Vec::new(), Vec::new());
        for &b in &func.layout {
            for &inst in &func.blocks[b].insts {
                let kind = &func.insts[inst].kind;
                uses.clear();
                defs.clear();
                visit_regs(kind, |r, is_def| if is_def { defs.push(r.0) } else { uses.push(r.0) });
                let start = regs.len() as u32;
                regs.extend_from_slice(&uses);
                let defs_at = regs.len() as u32;
                regs.extend_from_slice(&defs);
                let end = regs.len() as u32;
                items[b.index()].push(Item { side_effects: kind.has_side_effects(), start, defs_at, end });
            }
            term_uses[b.index()] = match &func.blocks[b].term {
                Some(Terminator::Branch { cond, .. }) => vec![cond.0],
                Some(Terminator::Return) => func.returns.iter().map(|r| r.0).collect(),
                _ => vec![],
            };
        }
        Flat { items, term_uses, regs }
    }

    /// Walks block `b` backwards from `live` (its live-out), calling `keep(item, is_live)` for each instruction (last
    /// first), and leaves `live` as the block's live-in.
    fn walk(&self, b: Block, live: &mut BitSet, mut keep: impl FnMut(&Item, bool)) {
        for &r in &self.term_uses[b.index()] {
            live.insert(r as usize);
        }
        for item in self.items[b.index()].iter().rev() {
            let defs = &self.regs[item.defs_at as usize..item.end as usize];
            let is_live = item.side_effects || defs.iter().any(|&d| live.contains(d as usize));
            if is_live {
                for &d in defs {
                    live.remove(d as usize);
                }
                for &u in &self.regs[item.start as usize..item.defs_at as usize] {
                    live.insert(u as usize);
                }
            }
            keep(item, is_live);
        }
    }
}

/// Removes dead instructions; returns whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let n = func.regs.len();
    let flat = Flat::new(func);
    let cfg = ControlFlowGraph::new(func);
    // Postorder (successors first) for the reachable blocks, then the unreachable ones.
    let mut order: Vec<Block> = cfg.reverse_postorder().iter().rev().copied().collect();
    order.extend(func.layout.iter().copied().filter(|&b| !cfg.is_reachable(b)));

    let mut live_in = BitMatrix::new(func.blocks.len(), n);
    let mut live = BitSet::new(n);
    let mut changed = true;
    while changed {
        changed = false;
        for &b in &order {
            live_out(&cfg, &live_in, b, &mut live);
            flat.walk(b, &mut live, |_, _| {});
            changed |= live_in.set_row(b.index(), &live);
        }
    }

    let mut removed = false;
    for &b in &order {
        live_out(&cfg, &live_in, b, &mut live);
        let mut keep = Vec::with_capacity(flat.items[b.index()].len());
        flat.walk(b, &mut live, |_, is_live| keep.push(is_live));
        if keep.contains(&false) {
            keep.reverse(); // the walk went backwards
            let mut flags = keep.into_iter();
            func.blocks[b].insts.retain(|_| flags.next().unwrap_or(true));
            removed = true;
        }
    }
    removed
}

fn live_out(cfg: &ControlFlowGraph, live_in: &BitMatrix, b: Block, out: &mut BitSet) {
    out.clear();
    for &s in cfg.successors(b) {
        live_in.union_row_into(s.index(), out);
    }
}
