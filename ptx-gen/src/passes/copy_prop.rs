//! Copy propagation: reads of `d` after `mov d, s` read `s` (a register or an immediate) instead, so that the `mov`
//! becomes dead and constants reach the instructions that can fold them.
//!
//! Registers are mutable, so a copy is only propagated where that is provably safe:
//! - **Globally**, when `d`'s only assignment in the function is `mov d, s` and `s` is an immediate or a register
//!   whose only assignment is its own definition (or a device parameter never reassigned). Proof, given definite
//!   assignment (which the verifier checks): every read of `d` comes after the `mov` on every path, so it sees the
//!   value `s` had at the `mov`. If `s` were reassigned between that `mov` and the read, there would be a path from
//!   `s`'s (single) definition to the read that avoids the `mov`: take the path the program ran to `s`'s first
//!   execution, which cannot contain the `mov` (the `mov` reads `s`, so `s` was assigned before), then follow the run
//!   from `s`'s reassignment to the read. On that path `d` is unassigned at the read, contradicting definite
//!   assignment. So `s` still holds the copied value.
//! - **Within a block**, for any registers: after `mov d, s`, until `d` or `s` is reassigned.
//!
//! A replacement is made only when the instruction still verifies with it
//! ([`crate::verify::check_inst_kind`]): immediates only where PTX takes them, registers only where
//! their type is accepted. Call arguments and inline-asm inputs only take registers of exactly the same type (the
//! checker cannot see a callee's signature, and asm text depends on the register class).

use super::util::{self, use_slots, UseSlot};
use crate::cfg::visit_regs;
use crate::entity::EntityRef;
use crate::inst::*;
use crate::ir::Function;
use crate::verify::check_inst_kind;

/// Propagates copies; returns whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let defs = util::def_counts(func);
    let n = func.regs.len();

    // Global copies, resolved through chains (`c = mov b; b = mov a` reads `a`).
    let mut global: Vec<Option<Operand>> = vec![None; n];
    for &b in &func.layout {
        for &i in &func.blocks[b].insts {
            if let InstKind::Mov { dst, src, .. } = func.insts[i].kind {
                let single = |r: Reg| defs[r.index()] == 1;
                let ok = match src {
                    Operand::Imm(_) => true,
                    Operand::Reg(s) => s != dst && single(s),
                };
                if single(dst) && ok {
                    global[dst.index()] = Some(src);
                }
            }
        }
    }
    for r in 0..n {
        let mut cur = global[r];
        let mut steps = 0;
        while let Some(Operand::Reg(s)) = cur {
            match global[s.index()] {
                Some(next) if steps < n => {
                    cur = Some(next);
                    steps += 1;
                }
                _ => break,
            }
        }
        global[r] = cur;
    }

    let mut local: Vec<Option<Operand>> = vec![None; n];
    // For each register, the registers whose local copy reads it (to forget them when it is reassigned).
    let mut readers: Vec<Vec<Reg>> = vec![Vec::new(); n];
    let mut touched: Vec<Reg> = Vec::new();
    let mut changed = false;

    for li in 0..func.layout.len() {
        let b = func.layout[li];
        for r in touched.drain(..) {
            local[r.index()] = None;
            readers[r.index()].clear();
        }
        for idx in 0..func.blocks[b].insts.len() {
            let inst = func.blocks[b].insts[idx];
            let lookup = |r: Reg| local[r.index()].or(global[r.index()]);
            if let Some(new) = rewrite(func, &func.insts[inst].kind, lookup) {
                func.insts[inst].kind = new;
                changed = true;
            }
            let kind = &func.insts[inst].kind;
            visit_regs(kind, |d, is_def| {
                if !is_def {
                    return;
                }
                local[d.index()] = None;
                for reader in std::mem::take(&mut readers[d.index()]) {
                    if local[reader.index()] == Some(Operand::Reg(d)) {
                        local[reader.index()] = None;
                    }
                }
            });
            if let InstKind::Mov { dst, src, .. } = *kind {
                if src != Operand::Reg(dst) && global[dst.index()].is_none() {
                    local[dst.index()] = Some(src);
                    touched.push(dst);
                    if let Operand::Reg(s) = src {
                        readers[s.index()].push(dst);
                        touched.push(s);
                    }
                }
            }
        }
        // A branch condition is a register position: only a predicate register can replace it.
        if let Some(Terminator::Branch { cond, .. }) = &func.blocks[b].term {
            if let Some(Operand::Reg(s)) = local[cond.index()].or(global[cond.index()]) {
                if func.reg_type(s) == Some(crate::types::Type::Pred) {
                    if let Some(Terminator::Branch { cond, .. }) = &mut func.blocks[b].term {
                        *cond = s;
                        changed = true;
                    }
                }
            }
        }
    }
    changed
}

/// `kind` with every use replaced where allowed, or `None` when nothing changes.
fn rewrite(func: &Function, kind: &InstKind, lookup: impl Fn(Reg) -> Option<Operand>) -> Option<InstKind> {
    // Most instructions read nothing with a known copy: find out without cloning.
    let mut any = false;
    visit_regs(kind, |r, is_def| any |= !is_def && lookup(r).is_some_and(|o| o != Operand::Reg(r)));
    if !any {
        return None;
    }
    let exact_types_only = matches!(kind, InstKind::Call { .. } | InstKind::Asm { .. });
    let mut current = kind.clone();
    let slot_count = use_slots(&mut current).len();
    let mut changed = false;
    for k in 0..slot_count {
        let mut candidate = current.clone();
        let mut slots = use_slots(&mut candidate);
        let Some(slot) = slots.get_mut(k) else { break };
        let Some(r) = util::slot_reg(slot) else { continue };
        let Some(repl) = lookup(r) else { continue };
        if repl == Operand::Reg(r) {
            continue;
        }
        match (slot, repl) {
            (UseSlot::Operand(o), Operand::Imm(_)) if !exact_types_only => **o = repl,
            (UseSlot::Operand(o), Operand::Reg(s)) if !exact_types_only || func.reg_type(s) == func.reg_type(r) => {
                **o = repl
            }
            (UseSlot::Reg(reg), Operand::Reg(s)) => **reg = s,
            _ => continue,
        }
        drop(slots);
        if check_inst_kind(func, None, &candidate).is_ok() {
            current = candidate;
            changed = true;
        }
    }
    changed.then_some(current)
}
