//! Definite assignment: every register read is assigned on every path from the entry to the read.
//!
//! A forward "must" dataflow over the CFG: a register is assigned at the start of a block when it is assigned at the
//! end of every reachable predecessor (device parameters are assigned at the entry). Registers are never un-assigned,
//! so a block's output is its input plus what it assigns. Unreachable blocks are not checked (they are never run and
//! `simplify_cfg` removes them) and do not constrain their successors.

use super::VerifyError;
use crate::cfg::{visit_regs, BitMatrix, BitSet, ControlFlowGraph};
use crate::display::{inst_kind_display, term_display};
use crate::entity::EntityRef;
use crate::inst::Terminator;
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
    let nb = func.blocks.len();
    let mut gen = BitMatrix::new(nb, n);
    let mut scratch = BitSet::new(n);
    for &b in rpo {
        scratch.clear();
        for (_, data) in block_insts(func, b) {
            visit_regs(&data.kind, |d, is_def| {
                if is_def {
                    scratch.insert(d.index());
                }
            });
        }
        gen.set_row(b.index(), &scratch);
    }

    // Start from "everything assigned" (the top of the must-lattice) and shrink to the fixed point.
    let mut out = BitMatrix::new(nb, n);
    for &b in rpo {
        out.fill_row(b.index());
    }
    let mut ins = BitMatrix::new(nb, n);
    let mut changed = true;
    while changed {
        changed = false;
        for &b in rpo {
            if b == entry {
                scratch.clone_from(&entry_in);
            } else {
                scratch.fill();
            }
            for &p in cfg.predecessors(b) {
                if cfg.is_reachable(p) {
                    out.intersect_row_into(p.index(), &mut scratch);
                }
            }
            ins.set_row(b.index(), &scratch);
            gen.union_row_into(b.index(), &mut scratch);
            changed |= out.set_row(b.index(), &scratch);
        }
    }

    // Report in layout order, so that messages come out in the order a reader sees the function.
    let mut seen = vec![false; func.blocks.len()];
    for &b in &func.layout {
        if !cfg.is_reachable(b) || std::mem::replace(&mut seen[b.index()], true) {
            continue;
        }
        let mut assigned = ins.row_set(b.index());
        for (inst, data) in block_insts(func, b) {
            let mut missing = None;
            visit_regs(&data.kind, |r, is_def| {
                if !is_def && missing.is_none() && !assigned.contains(r.index()) {
                    missing = Some(r);
                }
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
            visit_regs(&data.kind, |d, is_def| {
                if is_def {
                    assigned.insert(d.index());
                }
            });
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
