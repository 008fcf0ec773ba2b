//! Dead-code elimination: removes instructions without side effects ([`InstKind::has_side_effects`]) none of whose
//! results is read afterwards, until nothing more can go.
//!
//! "Read afterwards" is register liveness, a backward dataflow over the CFG: a register is live where some path
//! reads it before reassigning it. Branch conditions are reads, and so are a device function's result registers at
//! `ret`. Stores, atomics, barriers, fences, warp collectives, calls, inline asm, ordered loads and clock reads all
//! have side effects and are never removed.

use super::util;
use crate::cfg::{BitSet, ControlFlowGraph};
use crate::entity::EntityRef;
use crate::inst::{Block, Operand, Terminator};
use crate::ir::Function;

/// Removes dead instructions; returns whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let mut changed = false;
    // Each round removes everything dead under the current liveness; removing can make more dead (a chain across
    // blocks or around a loop), so repeat. Every round but the last removes something, so this terminates.
    loop {
        let live_out = liveness(func);
        let mut removed = false;
        for li in 0..func.layout.len() {
            let b = func.layout[li];
            let mut live = live_out[b.index()].clone();
            add_term_uses(func, b, &mut live);
            let insts = std::mem::take(&mut func.blocks[b].insts);
            let mut kept = Vec::with_capacity(insts.len());
            for &inst in insts.iter().rev() {
                let kind = &func.insts[inst].kind;
                let defs = kind.defs();
                if !kind.has_side_effects() && defs.iter().all(|d| !live.contains(d.index())) {
                    removed = true;
                    continue;
                }
                for d in defs {
                    live.remove(d.index());
                }
                for u in kind.uses() {
                    if let Operand::Reg(r) = u {
                        live.insert(r.index());
                    }
                }
                kept.push(inst);
            }
            kept.reverse();
            func.blocks[b].insts = kept;
        }
        if !removed {
            return changed;
        }
        changed = true;
    }
}

fn add_term_uses(func: &Function, b: Block, live: &mut BitSet) {
    match &func.blocks[b].term {
        Some(Terminator::Branch { cond, .. }) => {
            live.insert(cond.index());
        }
        Some(Terminator::Return) => {
            for r in &func.returns {
                live.insert(r.index());
            }
        }
        _ => {}
    }
}

/// The registers live at the end of each laid-out block (indexed by block; empty sets elsewhere).
pub(crate) fn liveness(func: &Function) -> Vec<BitSet> {
    let n = func.regs.len();
    let nb = func.blocks.len();
    let cfg = ControlFlowGraph::new(func);
    // Upward-exposed uses and assignments of each block.
    let mut uses = vec![BitSet::new(0); nb];
    let mut kills = vec![BitSet::new(0); nb];
    for &b in &func.layout {
        let mut u = BitSet::new(n);
        let mut k = BitSet::new(n);
        for &i in &func.blocks[b].insts {
            let kind = &func.insts[i].kind;
            for o in kind.uses() {
                if let Operand::Reg(r) = o {
                    if !k.contains(r.index()) {
                        u.insert(r.index());
                    }
                }
            }
            for d in kind.defs() {
                k.insert(d.index());
            }
        }
        let mut term_uses = BitSet::new(n);
        add_term_uses(func, b, &mut term_uses);
        term_uses.subtract(&k);
        u.union_with(&term_uses);
        uses[b.index()] = u;
        kills[b.index()] = k;
    }
    let mut live_in = vec![BitSet::new(n); nb];
    let mut live_out = vec![BitSet::new(n); nb];
    // Postorder (reverse of the RPO) first, then the unreachable blocks, so most information flows in one sweep.
    let mut order: Vec<Block> = cfg.reverse_postorder().iter().rev().copied().collect();
    order.extend(func.layout.iter().copied().filter(|&b| !cfg.is_reachable(b)));
    let mut changed = true;
    while changed {
        changed = false;
        for &b in &order {
            let mut out = BitSet::new(n);
            for &s in cfg.successors(b) {
                out.union_with(&live_in[s.index()]);
            }
            let mut inb = out.clone();
            inb.subtract(&kills[b.index()]);
            inb.union_with(&uses[b.index()]);
            if inb != live_in[b.index()] {
                live_in[b.index()] = inb;
                changed = true;
            }
            live_out[b.index()] = out;
        }
    }
    live_out
}
