//! Reassociation of integer address arithmetic: constant terms move outward, so that an address ends as
//! `base + constant` and the constant folds into the memory operand (`ld [%rd9+256]`), where ptxas turns it into
//! the instruction's immediate offset instead of one more add per access.
//!
//! Rewrites, in reverse postorder (so a chain folds in one run), on 32- and 64-bit integers of one width:
//!
//! | before | after |
//! |---|---|
//! | `op d, imm, x` (`add`, `mul`, `and`, `or`, `xor`, `min`, `max`) | `op d, x, imm` |
//! | `add d, x, 0`, `sub d, x, 0`, `mul.lo d, x, 1`, `shl d, x, 0`, `or`/`xor d, x, 0` | `mov d, x` |
//! | `add d, (add x, c1), c2` / `sub d, (add x, c1), c2` | `add d, x, c1 ± c2` |
//! | `add d, (add x, c), y` (either side) | `add t, x, y; add d, t, c` |
//! | `mul.lo d, (add x, c1), c2` | `mul.lo t, x, c2; add d, t, c1·c2` |
//! | `shl d, (add x, c1), s` | `shl t, x, s; add d, t, c1 << s` |
//! | `ld/st/atom [r+o]` with `r = add x, c` | `[x+o+c]` |
//!
//! All of these hold exactly in wrapping arithmetic, so they need no range facts. A rewrite reads `x` where the
//! inner `add` was read instead of where it was computed, so it is made only when `x` and the inner result are
//! each assigned exactly once: then (with definite assignment) `x`'s assignment dominates both points and `x`
//! holds the same value at each.

use super::util;
use crate::cfg::ControlFlowGraph;
use crate::entity::EntityRef;
use crate::inst::*;
use crate::ir::{Function, InstData};
use crate::types::Type;
use crate::verify::check_inst_kind;

/// The largest constant folded into a memory operand's offset (PTX offsets are 32-bit signed).
const MAX_OFFSET: i64 = i32::MAX as i64;

/// Reassociates what it can; returns whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let defs = util::def_counts(func);
    // The instruction assigning each register assigned once (`None` for parameters and the rest).
    let mut def_of: Vec<Option<Inst>> = vec![None; func.regs.len()];
    for &b in &func.layout {
        for &i in &func.blocks[b].insts {
            for d in func.insts[i].kind.defs() {
                if defs[d.index()] == 1 {
                    def_of[d.index()] = Some(i);
                }
            }
        }
    }
    let mut changed = false;
    let order = ControlFlowGraph::new(func).reverse_postorder().to_vec();
    for b in order {
        let mut idx = 0;
        while idx < func.blocks[b].insts.len() {
            let inst = func.blocks[b].insts[idx];
            let once = |r: Reg| defs.get(r.index()) == Some(&1);
            let kind = func.insts[inst].kind.clone();
            let mut inserted = 0;
            let new = match kind {
                InstKind::Binary { op, mode, ty, dst, a, b: rhs } if int_ty(ty) => {
                    let inner = |o: Operand| match o {
                        Operand::Reg(r) if once(r) => def_of[r.index()]
                            .and_then(|i| add_const(&func.insts[i].kind, ty.bits()))
                            .filter(|&(x, _)| once(x)),
                        _ => None,
                    };
                    let (ia, ib) = (inner(a), inner(rhs));
                    rewrite(op, mode, ty, dst, a, rhs, ia, ib, |k| {
                        // A new temporary `t = k(t)`, placed just before this instruction.
                        let t = func.new_reg(ty);
                        let k = k(t);
                        if check_inst_kind(func, None, &k).is_err() {
                            return None;
                        }
                        let loc = func.insts[inst].loc;
                        let id = func.insts.push(InstData { kind: k, loc });
                        func.blocks[b].insts.insert(idx + inserted, id);
                        inserted += 1;
                        Some(t)
                    })
                }
                InstKind::Ld { .. } | InstKind::St { .. } | InstKind::Atom { .. } => fold_address(&kind, |r| {
                    if !once(r) {
                        return None;
                    }
                    def_of[r.index()]
                        .and_then(|i| add_const(&func.insts[i].kind, func.regs[r].ty.bits()))
                        .filter(|&(x, _)| once(x))
                }),
                _ => None,
            };
            idx += inserted;
            if let Some(new) = new {
                if check_inst_kind(func, None, &new).is_ok() {
                    func.insts[inst].kind = new;
                    changed = true;
                } else if inserted > 0 {
                    // The temporaries stay, unread: dead code elimination removes them.
                    changed = true;
                }
            } else if inserted > 0 {
                changed = true;
            }
            idx += 1;
        }
    }
    changed
}

fn int_ty(ty: Type) -> bool {
    (ty.is_int() || ty.is_bits()) && matches!(ty.bits(), 32 | 64)
}

fn mask(v: u64, bits: u32) -> u64 {
    if bits >= 64 {
        v
    } else {
        v & ((1 << bits) - 1)
    }
}

/// `(x, c)` when `kind` is `add d, x, c` at width `bits` (register `x`, immediate `c`).
fn add_const(kind: &InstKind, bits: u32) -> Option<(Reg, u64)> {
    match *kind {
        InstKind::Binary {
            op: BinOp::Add, mode: Mode::None, ty, a: Operand::Reg(x), b: Operand::Imm(Imm(c)), ..
        } if int_ty(ty) && ty.bits() == bits => Some((x, c)),
        _ => None,
    }
}

/// The rewritten form of `op.mode.ty dst, a, b`, if a rule applies. `ia` / `ib` are `(x, c)` when `a` / `b` is the
/// result of `add x, c` that may be read through; `temp(k)` adds `t = k(t)` before the instruction.
#[allow(clippy::too_many_arguments)]
fn rewrite(
    op: BinOp,
    mode: Mode,
    ty: Type,
    dst: Reg,
    a: Operand,
    b: Operand,
    ia: Option<(Reg, u64)>,
    ib: Option<(Reg, u64)>,
    mut temp: impl FnMut(&dyn Fn(Reg) -> InstKind) -> Option<Reg>,
) -> Option<InstKind> {
    use BinOp::*;
    let w = ty.bits();
    let imm = |v: u64| Operand::Imm(Imm(mask(v, w)));
    let commutative = matches!(op, Add | Mul | And | Or | Xor | Min | Max);
    let plain = match op {
        Mul => mode == Mode::Lo,
        _ => mode == Mode::None,
    };
    if !plain {
        return None;
    }
    // Immediates second; the rules below see the swapped form, which stays even if none of them applies.
    let swapped = commutative && matches!(a, Operand::Imm(_)) && matches!(b, Operand::Reg(_));
    let (a, b, ia, ib) = if swapped { (b, a, ib, ia) } else { (a, b, ia, ib) };
    let kept = swapped.then_some(InstKind::Binary { op, mode, ty, dst, a, b });
    let mov = |src: Operand| Some(InstKind::Mov { ty, dst, src });
    // `add` has no `.bN` form (a shift's type may be one).
    let add_ty = if ty.is_bits() { ty.to_unsigned() } else { ty };
    let add =
        |x: Operand, c: u64| Some(InstKind::Binary { op: Add, mode: Mode::None, ty: add_ty, dst, a: x, b: imm(c) });
    let rewritten = match (op, b) {
        (Add | Sub | Or | Xor, Operand::Imm(Imm(c))) if mask(c, w) == 0 => mov(a),
        (Shl, Operand::Imm(Imm(0))) => mov(a),
        (Mul, Operand::Imm(Imm(c))) if mask(c, w) == 1 => mov(a),
        (Add, Operand::Imm(Imm(c2))) => ia.and_then(|(x, c1)| add(Operand::Reg(x), c1.wrapping_add(c2))),
        (Sub, Operand::Imm(Imm(c2))) => ia.and_then(|(x, c1)| add(Operand::Reg(x), c1.wrapping_sub(c2))),
        (Add, Operand::Reg(_)) => {
            let found = match (ia, ib) {
                (Some((x, c)), _) => Some((x, c, b)),
                (None, Some((x, c))) => Some((x, c, a)),
                _ => None,
            };
            found.and_then(|(x, c, other)| {
                let t = temp(&|t| InstKind::Binary {
                    op: Add,
                    mode: Mode::None,
                    ty,
                    dst: t,
                    a: Operand::Reg(x),
                    b: other,
                })?;
                add(Operand::Reg(t), c)
            })
        }
        (Mul, Operand::Imm(Imm(c2))) => ia.and_then(|(x, c1)| {
            let t =
                temp(&|t| InstKind::Binary { op: Mul, mode: Mode::Lo, ty, dst: t, a: Operand::Reg(x), b: imm(c2) })?;
            add(Operand::Reg(t), c1.wrapping_mul(c2))
        }),
        (Shl, Operand::Imm(Imm(s))) if s < w as u64 => ia.and_then(|(x, c1)| {
            let sh = Operand::Imm(Imm(s));
            let t = temp(&|t| InstKind::Binary { op: Shl, mode: Mode::None, ty, dst: t, a: Operand::Reg(x), b: sh })?;
            add(Operand::Reg(t), c1 << s)
        }),
        _ => None,
    };
    rewritten.or(kept)
}

/// The memory instruction with its address `[r+o]` rewritten to `[x+o+c]` when `through(r)` gives `(x, c)`.
fn fold_address(kind: &InstKind, through: impl Fn(Reg) -> Option<(Reg, u64)>) -> Option<InstKind> {
    let mut new = kind.clone();
    let addr = match &mut new {
        InstKind::Ld { addr, .. } | InstKind::St { addr, .. } | InstKind::Atom { addr, .. } => addr,
        _ => return None,
    };
    let AddrBase::Reg(r) = addr.base else { return None };
    let (x, c) = through(r)?;
    // The constant as a signed offset of the address's width.
    let c = c as i64;
    let offset = addr.offset.checked_add(c).filter(|o| o.abs() <= MAX_OFFSET)?;
    addr.base = AddrBase::Reg(x);
    addr.offset = offset;
    Some(new)
}
