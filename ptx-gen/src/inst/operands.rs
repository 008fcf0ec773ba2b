//! The one place that knows where each instruction keeps its operands.
//!
//! [`InstKind::visit_operands`] and [`InstKind::visit_operands_mut`] present every operand position of an
//! instruction, **uses first, in the order PTX writes them, then destinations**. Everything that asks "which
//! registers does this read or write" — [`InstKind::defs`], [`InstKind::uses`], [`InstKind::for_each_reg_mut`],
//! [`crate::cfg::visit_regs`], the passes' use slots, liveness in the emulator — is built on them, so a new
//! instruction is described here once. Register arrays (vector loads, MMA fragments) are one position per register.
//!
//! Both walkers are generated from one list by `walk_operands!`: the same match arms bind by reference or by
//! mutable reference depending on the receiver, so the two can never disagree.

use super::{AddrBase, Address, InstKind, Operand, Reg};

/// One operand position of an instruction (see [`InstKind::visit_operands`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandRef<'a> {
    /// A source that may be a register or an immediate.
    Use(&'a Operand),
    /// A source that must be a register: a condition, an address base, a `cvta`/`vote` source, a fragment.
    UseReg(&'a Reg),
    /// A destination register.
    Def(&'a Reg),
}

/// One operand position of an instruction, mutably (see [`InstKind::visit_operands_mut`]).
#[derive(Debug, PartialEq, Eq)]
pub enum OperandMut<'a> {
    /// A source that may be a register or an immediate.
    Use(&'a mut Operand),
    /// A source that must be a register.
    UseReg(&'a mut Reg),
    /// A destination register.
    Def(&'a mut Reg),
}

/// The walk, written once for both receivers: `$P` is [`OperandRef`] or [`OperandMut`], and default binding modes
/// make every binding `&T` or `&mut T` accordingly.
macro_rules! walk_operands {
    ($kind:expr, $P:ident, $f:ident) => {{
        use InstKind::*;
        macro_rules! addr {
            ($a:expr) => {
                if let Address { base: AddrBase::Reg(r), .. } = $a {
                    $f($P::UseReg(r));
                }
            };
        }
        match $kind {
            Mov { dst, src, .. } | Unary { dst, src, .. } | Cvt { dst, src, .. } => {
                $f($P::Use(src));
                $f($P::Def(dst));
            }
            ReadSpecial { dst, .. } | AddrOf { dst, .. } | ActiveMask { dst } => $f($P::Def(dst)),
            Binary { dst, a, b, .. } | Setp { dst, a, b, .. } => {
                $f($P::Use(a));
                $f($P::Use(b));
                $f($P::Def(dst));
            }
            Ternary { dst, a, b, c, .. } => {
                $f($P::Use(a));
                $f($P::Use(b));
                $f($P::Use(c));
                $f($P::Def(dst));
            }
            Bfi { dst, f: field, b, pos, len, .. } => {
                $f($P::Use(field));
                $f($P::Use(b));
                $f($P::Use(pos));
                $f($P::Use(len));
                $f($P::Def(dst));
            }
            Selp { dst, a, b, cond, .. } => {
                $f($P::Use(a));
                $f($P::Use(b));
                $f($P::UseReg(cond));
                $f($P::Def(dst));
            }
            Cvta { dst, src, .. } => {
                $f($P::UseReg(src));
                $f($P::Def(dst));
            }
            Ld { dsts, addr, .. } => {
                addr!(addr);
                for d in dsts {
                    $f($P::Def(d));
                }
            }
            St { addr, srcs, .. } => {
                addr!(addr);
                for s in srcs {
                    $f($P::Use(s));
                }
            }
            Atom { dst, addr, src, cmp, .. } => {
                addr!(addr);
                if let Some(c) = cmp {
                    $f($P::Use(c));
                }
                $f($P::Use(src));
                if let Some(d) = dst {
                    $f($P::Def(d));
                }
            }
            Bar { id, count, .. } => {
                $f($P::Use(id));
                if let Some(c) = count {
                    $f($P::Use(c));
                }
            }
            WarpSync { mask } => $f($P::Use(mask)),
            Fence { .. } => {}
            Shfl { dst, pred, src, lane, clamp, mask, .. } => {
                $f($P::Use(src));
                $f($P::Use(lane));
                $f($P::Use(clamp));
                $f($P::Use(mask));
                $f($P::Def(dst));
                if let Some(p) = pred {
                    $f($P::Def(p));
                }
            }
            Vote { dst, src, mask, .. } => {
                $f($P::UseReg(src));
                $f($P::Use(mask));
                $f($P::Def(dst));
            }
            Call { rets, args, .. } => {
                for a in args {
                    $f($P::Use(a));
                }
                for r in rets {
                    $f($P::Def(r));
                }
            }
            Asm { outputs, inputs, .. } => {
                for i in inputs {
                    $f($P::Use(i));
                }
                for o in outputs {
                    $f($P::Def(o));
                }
            }
            CvtPack { dst, srcs, .. } => {
                for s in srcs {
                    $f($P::Use(s));
                }
                $f($P::Def(dst));
            }
            Mma { d, a, b, c, .. } => {
                for r in a {
                    $f($P::UseReg(r));
                }
                for r in b {
                    $f($P::UseReg(r));
                }
                for r in c {
                    $f($P::UseReg(r));
                }
                for r in d {
                    $f($P::Def(r));
                }
            }
            LdMatrix { dsts, addr, .. } => {
                addr!(addr);
                for d in dsts {
                    $f($P::Def(d));
                }
            }
            StMatrix { addr, srcs, .. } => {
                addr!(addr);
                for s in srcs {
                    $f($P::UseReg(s));
                }
            }
            CpAsync { dst, src, src_size, .. } => {
                addr!(dst);
                addr!(src);
                if let Some(n) = src_size {
                    $f($P::Use(n));
                }
            }
            CpAsyncCommit | CpAsyncWait { .. } => {}
        }
    }};
}

impl InstKind {
    /// Calls `f` on every operand position: uses in PTX order, then destinations.
    ///
    /// ```
    /// use ptx_gen::inst::{BinOp, InstKind, Mode, Operand, OperandRef, Reg};
    /// use ptx_gen::types::Type;
    /// let add = InstKind::Binary {
    ///     op: BinOp::Add, mode: Mode::None, ty: Type::U32, dst: Reg(2), a: Operand::Reg(Reg(0)), b: Operand::u32(7),
    /// };
    /// let mut seen = vec![];
    /// add.visit_operands(|o| seen.push(format!("{o:?}")));
    /// assert_eq!(seen.len(), 3);
    /// assert!(seen[2].starts_with("Def"));
    /// ```
    pub fn visit_operands<'a>(&'a self, mut f: impl FnMut(OperandRef<'a>)) {
        walk_operands!(self, OperandRef, f)
    }

    /// Calls `f` on every operand position, mutably, in the order of [`visit_operands`](Self::visit_operands).
    pub fn visit_operands_mut<'a>(&'a mut self, mut f: impl FnMut(OperandMut<'a>)) {
        walk_operands!(self, OperandMut, f)
    }

    /// Registers written.
    pub fn defs(&self) -> Vec<Reg> {
        let mut out = Vec::new();
        self.visit_operands(|o| {
            if let OperandRef::Def(r) = o {
                out.push(*r)
            }
        });
        out
    }

    /// Operands read (registers and immediates), address bases included.
    pub fn uses(&self) -> Vec<Operand> {
        let mut out = Vec::new();
        self.visit_operands(|o| match o {
            OperandRef::Use(op) => out.push(*op),
            OperandRef::UseReg(r) => out.push(Operand::Reg(*r)),
            OperandRef::Def(_) => {}
        });
        out
    }

    /// Every register operand, mutably (uses then defs), for renaming passes.
    pub fn for_each_reg_mut(&mut self, mut f: impl FnMut(&mut Reg, bool /* is_def */)) {
        self.visit_operands_mut(|o| match o {
            OperandMut::Use(Operand::Reg(r)) | OperandMut::UseReg(r) => f(r, false),
            OperandMut::Use(Operand::Imm(_)) => {}
            OperandMut::Def(r) => f(r, true),
        });
    }

    /// Every register operand (uses then defs), with whether it is a destination.
    pub fn for_each_reg(&self, mut f: impl FnMut(Reg, bool /* is_def */)) {
        self.visit_operands(|o| match o {
            OperandRef::Use(Operand::Reg(r)) | OperandRef::UseReg(r) => f(*r, false),
            OperandRef::Use(Operand::Imm(_)) => {}
            OperandRef::Def(r) => f(*r, true),
        });
    }
}
