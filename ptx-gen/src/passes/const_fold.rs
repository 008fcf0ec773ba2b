//! Constant folding: an instruction whose inputs are all known constants becomes `mov dst, imm`; `selp` with a
//! known condition becomes a `mov` of the chosen operand; a branch on a known predicate becomes a jump.
//!
//! A register's value is known when it is an immediate, when the register's only assignment in the function is
//! `mov r, imm` (with definite assignment, every read then sees that value), or, within a block, after a
//! `mov r, imm` that nothing has overwritten since. Values are evaluated with exact PTX semantics by
//! [`super::eval`], which refuses anything the host cannot reproduce bit for bit. Each rewrite is checked with
//! [`crate::verify::check_inst_kind`] before it is made.
//!
//! Blocks are visited in reverse postorder, so that a chain of constant instructions folds in one run.

use super::{eval, util};
use crate::cfg::{visit_regs, ControlFlowGraph};
use crate::entity::EntityRef;
use crate::inst::*;
use crate::ir::Function;
use crate::types::Type;
use crate::verify::check_inst_kind;

/// Folds what it can; returns whether anything changed.
pub fn run(func: &mut Function) -> bool {
    if !util::well_formed(func) {
        return false;
    }
    let defs = util::def_counts(func);
    let n = func.regs.len();
    // Registers whose single assignment is `mov r, imm`: their value everywhere.
    let mut global: Vec<Option<u64>> = vec![None; n];
    for &b in &func.layout {
        for &i in &func.blocks[b].insts {
            if let InstKind::Mov { ty, dst, src: Operand::Imm(imm) } = func.insts[i].kind {
                if defs[dst.index()] == 1 {
                    global[dst.index()] = Some(truncate(imm.0, mov_width(ty)));
                }
            }
        }
    }
    let mut local: Vec<Option<u64>> = vec![None; n];
    let mut touched: Vec<Reg> = Vec::new();
    let mut changed = false;

    let order = ControlFlowGraph::new(func).reverse_postorder().to_vec();
    for b in order {
        for r in touched.drain(..) {
            local[r.index()] = None;
        }
        for idx in 0..func.blocks[b].insts.len() {
            let inst = func.blocks[b].insts[idx];
            let value = |o: Operand| match o {
                Operand::Imm(i) => Some(i.0),
                Operand::Reg(r) => local[r.index()].or(global[r.index()]),
            };
            let kind = &func.insts[inst].kind;
            if let Some(new) = fold(kind, value) {
                if new != *kind && check_inst_kind(func, None, &new).is_ok() {
                    func.insts[inst].kind = new;
                    changed = true;
                }
            }
            let kind = &func.insts[inst].kind;
            visit_regs(kind, |d, is_def| {
                if is_def {
                    local[d.index()] = None;
                }
            });
            if let InstKind::Mov { ty, dst, src } = *kind {
                let v = match src {
                    Operand::Imm(i) => Some(i.0),
                    Operand::Reg(r) => local[r.index()].or(global[r.index()]),
                };
                if let Some(v) = v {
                    let v = truncate(v, mov_width(ty));
                    local[dst.index()] = Some(v);
                    touched.push(dst);
                    if defs[dst.index()] == 1 {
                        global[dst.index()] = Some(v);
                    }
                }
            }
        }
        let data = &mut func.blocks[b];
        if let Some(Terminator::Branch { cond, negate, then_dest, else_dest }) = data.term {
            if let Some(v) = local[cond.index()].or(global[cond.index()]) {
                let taken = (v & 1 != 0) != negate;
                data.term = Some(Terminator::Jump(if taken { then_dest } else { else_dest }));
                changed = true;
            }
        }
    }
    changed
}

/// How many bits a `mov` of `ty` copies: the writer spells 8-bit moves as 16-bit ones, which copy the whole
/// register.
fn mov_width(ty: Type) -> u32 {
    ty.reg_class().bits()
}

/// The folded form of `kind`, if its inputs are known.
fn fold(kind: &InstKind, value: impl Fn(Operand) -> Option<u64>) -> Option<InstKind> {
    use InstKind::*;
    let mov = |ty: Type, dst: Reg, v: u64| Mov { ty, dst, src: Operand::Imm(Imm(truncate(v, mov_width(ty)))) };
    match *kind {
        Mov { ty, dst, src: Operand::Reg(r) } => Some(mov(ty, dst, value(Operand::Reg(r))?)),
        Mov { .. } => None,
        Selp { ty, dst, a, b, cond } => {
            if a == b {
                return Some(Mov { ty, dst, src: a });
            }
            let c = value(Operand::Reg(cond))?;
            Some(Mov { ty, dst, src: if c & 1 != 0 { a } else { b } })
        }
        Unary { op, mode, ty, dst, src } => {
            let r = eval::unary(op, mode, ty, value(src)?)?;
            let rty = if matches!(op, UnOp::Popc | UnOp::Clz) { Type::U32 } else { ty };
            Some(mov(rty, dst, r))
        }
        Binary { op, mode, ty, dst, a, b } => {
            let r = eval::binary(op, mode, ty, value(a)?, value(b)?)?;
            let rty = if mode == Mode::Wide { ty.widened()? } else { ty };
            Some(mov(rty, dst, r))
        }
        Ternary { op, mode, ty, dst, a, b, c } => {
            let r = eval::ternary(op, mode, ty, value(a)?, value(b)?, value(c)?)?;
            let rty = if mode == Mode::Wide { ty.widened()? } else { ty };
            Some(mov(rty, dst, r))
        }
        Bfi { ty, dst, f, b, pos, len } => {
            Some(mov(ty, dst, eval::bfi(ty, value(f)?, value(b)?, value(pos)?, value(len)?)?))
        }
        Setp { cmp, ty, dst, a, b } => Some(mov(Type::Pred, dst, eval::setp(cmp, ty, value(a)?, value(b)?)?)),
        Cvt { mode, sat, dst_ty, src_ty, dst, src } => {
            Some(mov(dst_ty, dst, eval::cvt(mode, sat, dst_ty, src_ty, value(src)?)?))
        }
        _ => None,
    }
}
