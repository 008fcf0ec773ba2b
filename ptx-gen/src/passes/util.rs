//! Helpers shared by the passes: a structural sanity check (so that passes can index without panicking), definition
//! counts, and mutable access to an instruction's use operands.

use crate::cfg::visit_regs;
use crate::entity::EntityRef;
use crate::inst::{AddrBase, Address, InstKind, Operand, Reg, Terminator};
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
    use InstKind::*;
    use UseSlot as U;
    fn addr(a: &mut Address) -> Option<UseSlot<'_>> {
        match &mut a.base {
            AddrBase::Reg(r) => Some(UseSlot::Reg(r)),
            _ => None,
        }
    }
    match kind {
        Mov { src, .. } | Unary { src, .. } | Cvt { src, .. } => vec![U::Operand(src)],
        ReadSpecial { .. } | AddrOf { .. } | ActiveMask { .. } | Fence { .. } => vec![],
        Binary { a, b, .. } | Setp { a, b, .. } => vec![U::Operand(a), U::Operand(b)],
        Ternary { a, b, c, .. } => vec![U::Operand(a), U::Operand(b), U::Operand(c)],
        Bfi { f, b, pos, len, .. } => vec![U::Operand(f), U::Operand(b), U::Operand(pos), U::Operand(len)],
        Selp { a, b, cond, .. } => vec![U::Operand(a), U::Operand(b), U::Reg(cond)],
        Cvta { src, .. } => vec![U::Reg(src)],
        Ld { addr: a, .. } => addr(a).into_iter().collect(),
        St { addr: a, srcs, .. } => addr(a).into_iter().chain(srcs.iter_mut().map(U::Operand)).collect(),
        Atom { addr: a, src, cmp, .. } => {
            addr(a).into_iter().chain(cmp.iter_mut().map(U::Operand)).chain(std::iter::once(U::Operand(src))).collect()
        }
        Bar { id, count, .. } => std::iter::once(U::Operand(id)).chain(count.iter_mut().map(U::Operand)).collect(),
        WarpSync { mask } => vec![U::Operand(mask)],
        Shfl { src, lane, clamp, mask, .. } => {
            vec![U::Operand(src), U::Operand(lane), U::Operand(clamp), U::Operand(mask)]
        }
        Vote { src, mask, .. } => vec![U::Reg(src), U::Operand(mask)],
        Call { args, .. } => args.iter_mut().map(U::Operand).collect(),
        Asm { inputs, .. } => inputs.iter_mut().map(U::Operand).collect(),
    }
}

/// The register a use slot currently reads, if any.
pub(crate) fn slot_reg(slot: &UseSlot<'_>) -> Option<Reg> {
    match slot {
        UseSlot::Operand(Operand::Reg(r)) => Some(*r),
        UseSlot::Operand(Operand::Imm(_)) => None,
        UseSlot::Reg(r) => Some(**r),
    }
}
