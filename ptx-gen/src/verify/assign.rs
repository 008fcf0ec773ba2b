//! Definite assignment: every register read is assigned on every path from the entry to the read.
//!
//! A forward "must" dataflow over the CFG: a register is assigned at the start of a block when it is assigned at the
//! end of every reachable predecessor (device parameters are assigned at the entry). Registers are never un-assigned,
//! so a block's output is its input plus what it assigns. Unreachable blocks are not checked (they are never run and
//! `simplify_cfg` removes them) and do not constrain their successors.

use super::VerifyError;
use crate::cfg::{BitSet, ControlFlowGraph};
use crate::display::{inst_kind_display, term_display};
use crate::entity::EntityRef;
use crate::inst::{Operand, Terminator};
use crate::ir::Function;

/// Appends an error for each instruction or terminator that may read an unassigned register.
pub(crate) fn check(func: &Function, cfg: &ControlFlowGraph, errs: &mut Vec<VerifyError>) {
    let n = func.regs.len();
    let rpo = cfg.reverse_postorder();
    let Some(entry) = cfg.entry() else { return };

    let mut entry_in = BitSet::new(n);
    for p in &func.params {
        if let Some(r) = p.reg {
            entry_in.insert(r.index());
        }
    }
    // What each block assigns, wherever in the block.
    let mut gen: Vec<BitSet> = Vec::new();
    gen.resize(func.blocks.len(), BitSet::new(0));
    for &b in rpo {
        let mut g = BitSet::new(n);
        for (_, data) in block_insts(func, b) {
            for d in data.kind.defs() {
                g.insert(d.index());
            }
        }
        gen[b.index()] = g;
    }

    // Start from "everything assigned" (the top of the must-lattice) and shrink to the fixed point.
    let mut out: Vec<BitSet> = Vec::new();
    out.resize(func.blocks.len(), BitSet::new(0));
    for &b in rpo {
        out[b.index()] = BitSet::full(n);
    }
    let mut ins: Vec<BitSet> = out.clone();
    let mut changed = true;
    while changed {
        changed = false;
        for &b in rpo {
            let mut inb = if b == entry { entry_in.clone() } else { BitSet::full(n) };
            for &p in cfg.predecessors(b) {
                if cfg.is_reachable(p) {
                    inb.intersect_with(&out[p.index()]);
                }
            }
            let mut o = inb.clone();
            o.union_with(&gen[b.index()]);
            if o != out[b.index()] {
                out[b.index()] = o;
                changed = true;
            }
            ins[b.index()] = inb;
        }
    }

    // Report in layout order, so that messages come out in the order a reader sees the function.
    let mut seen = vec![false; func.blocks.len()];
    for &b in &func.layout {
        if !cfg.is_reachable(b) || std::mem::replace(&mut seen[b.index()], true) {
            continue;
        }
        let mut assigned = ins[b.index()].clone();
        for (inst, data) in block_insts(func, b) {
            let missing = data.kind.uses().into_iter().find_map(|o| match o {
                Operand::Reg(r) if !assigned.contains(r.index()) => Some(r),
                _ => None,
            });
            if let Some(r) = missing {
                errs.push(VerifyError::Inst {
                    func: func.name.clone(),
                    inst,
                    text: inst_kind_display(func, &data.kind),
                    loc: data.loc,
                    reason: format!("{r} is read before it is assigned on some path from the entry"),
                });
            }
            for d in data.kind.defs() {
                assigned.insert(d.index());
            }
        }
        let Some(block) = func.blocks.get(b) else { continue };
        let Some(term) = &block.term else { continue };
        let missing = match term {
            Terminator::Branch { cond, .. } if !assigned.contains(cond.index()) => {
                Some(format!("{cond} is read before it is assigned on some path from the entry"))
            }
            Terminator::Return => func
                .returns
                .iter()
                .find(|r| !assigned.contains(r.index()))
                .map(|r| format!("result register {r} is not assigned on some path that reaches this `ret`")),
            _ => None,
        };
        if let Some(reason) = missing {
            errs.push(VerifyError::Terminator {
                func: func.name.clone(),
                block: b,
                text: term_display(term),
                loc: block.term_loc,
                reason,
            });
        }
    }
}

fn block_insts(
    func: &Function,
    b: crate::inst::Block,
) -> impl Iterator<Item = (crate::inst::Inst, &crate::ir::InstData)> {
    func.blocks
        .get(b)
        .into_iter()
        .flat_map(move |d| d.insts.iter().filter_map(move |&i| func.insts.get(i).map(|data| (i, data))))
}
