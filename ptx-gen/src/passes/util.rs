//! Helpers shared by the passes: a structural sanity check (so that passes can index without panicking), definition
//! counts, and mutable access to an instruction's use operands.

use crate::cfg::visit_regs;
use crate::entity::EntityRef;
use crate::inst::{InstKind, Operand, OperandMut, Reg, Terminator};
use crate::ir::Function;

/// Whether every index the passes follow is in range: the layout is non-empty, its blocks exist, are listed once
/// and have terminators whose targets are in the layout; instructions exist and belong to one block; registers
/// named anywhere (operands, conditions, parameters, results) exist.
///
/// Passes do nothing on a function that fails this, so they never panic. It is much weaker than the verifier: a
/// function that passes it but not the verifier is transformed without any guarantee of preserving its meaning.
pub(crate) fn well_formed(func: &Function) -> bool {
    let nb = func.blocks.len();
    let nr = func.regs.len();
    if func.layout.is_empty() {
        return false;
    }
    let mut in_layout = vec![false; nb];
    for &b in &func.layout {
        match in_layout.get_mut(b.index()) {
            Some(seen) if !*seen => *seen = true,
            _ => return false,
        }
    }
    let reg_ok = |r: Reg| r.index() < nr;
    let mut owned = vec![false; func.insts.len()];
    for &b in &func.layout {
        let data = &func.blocks[b];
        for &i in &data.insts {
            match owned.get_mut(i.index()) {
                Some(o) if !*o => *o = true,
                _ => return false,
            }
            let mut ok = true;
            visit_regs(&func.insts[i].kind, |r, _| ok &= reg_ok(r));
            if !ok {
                return false;
            }
        }
        match &data.term {
            None => return false,
            Some(t) => {
                if t.successors().iter().any(|s| !in_layout.get(s.index()).copied().unwrap_or(false)) {
                    return false;
                }
                if let Terminator::Branch { cond, .. } = t {
                    if !reg_ok(*cond) {
                        return false;
                    }
                }
            }
        }
    }
    func.params.iter().filter_map(|p| p.reg).all(reg_ok) && func.returns.iter().copied().all(reg_ok)
}

/// How many times each register is assigned: once per defining instruction operand in a laid-out block, plus once
/// for a device parameter (assigned on entry).
pub(crate) fn def_counts(func: &Function) -> Vec<u32> {
    let mut counts = vec![0u32; func.regs.len()];
    let mut bump = |r: Reg| {
        if let Some(c) = counts.get_mut(r.index()) {
            *c = c.saturating_add(1);
        }
    };
    for p in &func.params {
        if let Some(r) = p.reg {
            bump(r);
        }
    }
    for &b in &func.layout {
        let Some(data) = func.blocks.get(b) else { continue };
        for &i in &data.insts {
            if let Some(d) = func.insts.get(i) {
                visit_regs(&d.kind, |r, is_def| {
                    if is_def {
                        bump(r)
                    }
                });
            }
        }
    }
    counts
}

/// One use of a value by an instruction.
pub(crate) enum UseSlot<'a> {
    /// A position that takes a register or an immediate.
    Operand(&'a mut Operand),
    /// A position that takes only a register (conditions, `cvta`/`vote` sources, address bases).
    Reg(&'a mut Reg),
}

/// Every use position of `kind`, in a fixed order.
pub(crate) fn use_slots(kind: &mut InstKind) -> Vec<UseSlot<'_>> {
    let mut slots = Vec::new();
    kind.visit_operands_mut(|o| match o {
        OperandMut::Use(op) => slots.push(UseSlot::Operand(op)),
        OperandMut::UseReg(r) => slots.push(UseSlot::Reg(r)),
        OperandMut::Def(_) => {}
    });
    slots
}

/// The register a use slot currently reads, if any.
pub(crate) fn slot_reg(slot: &UseSlot<'_>) -> Option<Reg> {
    match slot {
        UseSlot::Operand(Operand::Reg(r)) => Some(*r),
        UseSlot::Operand(Operand::Imm(_)) => None,
        UseSlot::Reg(r) => Some(**r),
    }
}
