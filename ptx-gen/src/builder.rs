//! A Cranelift-style builder: create and switch blocks, append instructions with `ins()`, set a source location.
//!
//! ```
//! use ptx_gen::{Function, FunctionBuilder, Type, Mode, Address, MemAccess, StateSpace};
//! let mut f = Function::kernel("twice");
//! let p = f.add_param("x", Type::U64);
//! let mut b = FunctionBuilder::new(&mut f);
//! let entry = b.create_block();
//! b.switch_to_block(entry);
//! let ptr = b.ins().ld_param(Type::U64, p);
//! let g = b.ins().cvta_to_global(ptr);
//! let x = b.ins().ld(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(g));
//! let y = b.ins().add(Type::F32, Mode::Rn, x, x);
//! b.ins().st(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(g), y);
//! b.ret();
//! b.finish().unwrap();
//! ```
//!
//! Misuse (appending with no current block or after a terminator, an unknown block, a parameter that does not exist)
//! never panics: the builder records the first problem and [`FunctionBuilder::finish`] returns it.

use crate::inst::*;
use crate::ir::{BlockData, FuncKind, Function, InstData};
use crate::types::{StateSpace, Type};

/// What went wrong while building.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    NoCurrentBlock { func: String, inst: String },
    AfterTerminator { func: String, block: Block, inst: String },
    UnknownBlock { func: String, block: Block },
    UnknownParam { func: String, index: u32, count: usize },
    Misuse { func: String, what: String },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::NoCurrentBlock { func, inst } => write!(
                f,
                "in `{func}`: instruction `{inst}` appended with no current block (call switch_to_block first)"
            ),
            BuildError::AfterTerminator { func, block, inst } => {
                write!(f, "in `{func}`: instruction `{inst}` appended to {block}, which already ends in a terminator")
            }
            BuildError::UnknownBlock { func, block } => write!(f, "in `{func}`: {block} does not exist"),
            BuildError::UnknownParam { func, index, count } => {
                write!(f, "in `{func}`: parameter {index} does not exist ({count} parameters)")
            }
            BuildError::Misuse { func, what } => write!(f, "in `{func}`: {what}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds the body of a [`Function`].
pub struct FunctionBuilder<'f> {
    func: &'f mut Function,
    current: Option<Block>,
    loc: SrcLoc,
    error: Option<BuildError>,
}

impl<'f> FunctionBuilder<'f> {
    /// A builder appending to `func`.
    pub fn new(func: &'f mut Function) -> Self {
        FunctionBuilder { func, current: None, loc: SrcLoc::NONE, error: None }
    }

    /// The function being built.
    pub fn func(&self) -> &Function {
        self.func
    }
    /// The function being built, mutably (e.g. to add parameters).
    pub fn func_mut(&mut self) -> &mut Function {
        self.func
    }

    /// A new empty block, appended to the layout.
    pub fn create_block(&mut self) -> Block {
        let b = self.func.blocks.push(BlockData { insts: Vec::new(), term: None, term_loc: SrcLoc::NONE });
        self.func.layout.push(b);
        b
    }

    /// Makes `block` the block new instructions go to.
    pub fn switch_to_block(&mut self, block: Block) {
        if self.func.blocks.get(block).is_none() {
            self.fail(BuildError::UnknownBlock { func: self.func.name.clone(), block });
            self.current = None;
        } else {
            self.current = Some(block);
        }
    }

    /// The block new instructions go to.
    pub fn current_block(&self) -> Option<Block> {
        self.current
    }

    /// Whether the current block already has its terminator (or there is no current block).
    pub fn is_terminated(&self) -> bool {
        self.current.is_none_or(|b| self.func.blocks[b].term.is_some())
    }

    /// The source location given to instructions appended from now on.
    pub fn set_srcloc(&mut self, loc: SrcLoc) {
        self.loc = loc;
    }

    /// A fresh register.
    pub fn new_reg(&mut self, ty: Type) -> Reg {
        self.func.new_reg(ty)
    }

    /// The type of a register (U32 for a register that does not exist; the verifier reports it).
    pub fn reg_type(&self, r: Reg) -> Type {
        self.func.reg_type(r).unwrap_or(Type::U32)
    }

    /// The instruction inserter.
    pub fn ins(&mut self) -> Ins<'_, 'f> {
        Ins { b: self }
    }

    /// Appends an instruction to the current block.
    pub fn push(&mut self, kind: InstKind) -> Option<Inst> {
        let Some(block) = self.current else {
            let inst = format!("{kind:?}");
            self.fail(BuildError::NoCurrentBlock { func: self.func.name.clone(), inst });
            return None;
        };
        if self.func.blocks[block].term.is_some() {
            let inst = format!("{kind:?}");
            self.fail(BuildError::AfterTerminator { func: self.func.name.clone(), block, inst });
            return None;
        }
        let inst = self.func.insts.push(InstData { kind, loc: self.loc });
        self.func.blocks[block].insts.push(inst);
        Some(inst)
    }

    /// Ends the current block with `term`.
    pub fn terminate(&mut self, term: Terminator) {
        let Some(block) = self.current else {
            let inst = format!("{term:?}");
            self.fail(BuildError::NoCurrentBlock { func: self.func.name.clone(), inst });
            return;
        };
        for s in term.successors() {
            if self.func.blocks.get(s).is_none() {
                self.fail(BuildError::UnknownBlock { func: self.func.name.clone(), block: s });
                return;
            }
        }
        let data = &mut self.func.blocks[block];
        if data.term.is_some() {
            let inst = format!("{term:?}");
            self.fail(BuildError::AfterTerminator { func: self.func.name.clone(), block, inst });
            return;
        }
        data.term = Some(term);
        data.term_loc = self.loc;
    }

    /// `bra dest`.
    pub fn jump(&mut self, dest: Block) {
        self.terminate(Terminator::Jump(dest));
    }
    /// `@cond bra then_dest; bra else_dest`.
    pub fn branch(&mut self, cond: Reg, then_dest: Block, else_dest: Block) {
        self.terminate(Terminator::Branch { cond, negate: false, then_dest, else_dest });
    }
    /// `ret`.
    pub fn ret(&mut self) {
        self.terminate(Terminator::Return);
    }
    /// `trap`.
    pub fn trap(&mut self) {
        self.terminate(Terminator::Trap);
    }

    /// Records a misuse (the first one is kept).
    pub fn fail(&mut self, e: BuildError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// The first misuse, if any. Run the verifier for everything else.
    pub fn finish(self) -> Result<(), BuildError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Appends one instruction and returns its destination register(s).
pub struct Ins<'a, 'f> {
    b: &'a mut FunctionBuilder<'f>,
}

impl Ins<'_, '_> {
    fn def(&mut self, ty: Type, make: impl FnOnce(Reg) -> InstKind) -> Reg {
        let dst = self.b.new_reg(ty);
        self.b.push(make(dst));
        dst
    }

    /// `mov.ty dst, src`.
    pub fn mov(&mut self, ty: Type, src: impl Into<Operand>) -> Reg {
        let src = src.into();
        self.def(ty, |dst| InstKind::Mov { ty, dst, src })
    }
    /// `mov.ty dst, src` into an existing register (a `let mut` assignment).
    pub fn mov_to(&mut self, dst: Reg, src: impl Into<Operand>) {
        let ty = self.b.reg_type(dst);
        self.b.push(InstKind::Mov { ty, dst, src: src.into() });
    }
    /// Reads a special register.
    pub fn special(&mut self, sreg: SpecialReg) -> Reg {
        self.def(sreg.ty(), |dst| InstKind::ReadSpecial { dst, sreg })
    }
    /// The address of a module variable (in its state space).
    pub fn addr_of(&mut self, var: Var) -> Reg {
        self.def(Type::U64, |dst| InstKind::AddrOf { dst, var })
    }

    /// `op.mode.ty dst, src`. `popc`/`clz` produce `.u32`.
    pub fn unary(&mut self, op: UnOp, mode: Mode, ty: Type, src: impl Into<Operand>) -> Reg {
        let src = src.into();
        let dty = if matches!(op, UnOp::Popc | UnOp::Clz) { Type::U32 } else { ty };
        self.def(dty, |dst| InstKind::Unary { op, mode, ty, dst, src })
    }
    /// `op.mode.ty dst, a, b`. `mul.wide` produces the doubled type.
    pub fn binary(&mut self, op: BinOp, mode: Mode, ty: Type, a: impl Into<Operand>, b: impl Into<Operand>) -> Reg {
        let (a, b) = (a.into(), b.into());
        let dty = if mode == Mode::Wide { ty.widened().unwrap_or(ty) } else { ty };
        self.def(dty, |dst| InstKind::Binary { op, mode, ty, dst, a, b })
    }
    /// `op.mode.ty dst, a, b, c`. `mad.wide` produces the doubled type.
    pub fn ternary(
        &mut self,
        op: TernOp,
        mode: Mode,
        ty: Type,
        a: impl Into<Operand>,
        b: impl Into<Operand>,
        c: impl Into<Operand>,
    ) -> Reg {
        let (a, b, c) = (a.into(), b.into(), c.into());
        let dty = if mode == Mode::Wide { ty.widened().unwrap_or(ty) } else { ty };
        self.def(dty, |dst| InstKind::Ternary { op, mode, ty, dst, a, b, c })
    }

    /// `add` (give floats a rounding mode, e.g. [`Mode::Rn`]; integers [`Mode::None`]).
    pub fn add(&mut self, ty: Type, mode: Mode, a: impl Into<Operand>, b: impl Into<Operand>) -> Reg {
        self.binary(BinOp::Add, mode, ty, a, b)
    }
    /// `sub`.
    pub fn sub(&mut self, ty: Type, mode: Mode, a: impl Into<Operand>, b: impl Into<Operand>) -> Reg {
        self.binary(BinOp::Sub, mode, ty, a, b)
    }
    /// `mul` (integers: [`Mode::Lo`], [`Mode::Hi`] or [`Mode::Wide`]).
    pub fn mul(&mut self, ty: Type, mode: Mode, a: impl Into<Operand>, b: impl Into<Operand>) -> Reg {
        self.binary(BinOp::Mul, mode, ty, a, b)
    }
    /// `div`.
    pub fn div(&mut self, ty: Type, mode: Mode, a: impl Into<Operand>, b: impl Into<Operand>) -> Reg {
        self.binary(BinOp::Div, mode, ty, a, b)
    }
    /// `fma.mode.ty dst, a, b, c`.
    pub fn fma(
        &mut self,
        ty: Type,
        mode: Mode,
        a: impl Into<Operand>,
        b: impl Into<Operand>,
        c: impl Into<Operand>,
    ) -> Reg {
        self.ternary(TernOp::Fma, mode, ty, a, b, c)
    }
    /// `bfi.ty dst, f, b, pos, len`.
    pub fn bfi(
        &mut self,
        ty: Type,
        f: impl Into<Operand>,
        b: impl Into<Operand>,
        pos: impl Into<Operand>,
        len: impl Into<Operand>,
    ) -> Reg {
        let (f, b, pos, len) = (f.into(), b.into(), pos.into(), len.into());
        self.def(ty, |dst| InstKind::Bfi { ty, dst, f, b, pos, len })
    }
    /// `setp.cmp.ty p, a, b`.
    pub fn setp(&mut self, cmp: CmpOp, ty: Type, a: impl Into<Operand>, b: impl Into<Operand>) -> Reg {
        let (a, b) = (a.into(), b.into());
        self.def(Type::Pred, |dst| InstKind::Setp { cmp, ty, dst, a, b })
    }
    /// `selp.ty dst, a, b, cond`.
    pub fn selp(&mut self, ty: Type, a: impl Into<Operand>, b: impl Into<Operand>, cond: Reg) -> Reg {
        let (a, b) = (a.into(), b.into());
        self.def(ty, |dst| InstKind::Selp { ty, dst, a, b, cond })
    }
    /// `cvt.mode{.sat}.dst_ty.src_ty dst, src`.
    pub fn cvt(&mut self, mode: CvtMode, sat: bool, dst_ty: Type, src_ty: Type, src: impl Into<Operand>) -> Reg {
        let src = src.into();
        self.def(dst_ty, |dst| InstKind::Cvt { mode, sat, dst_ty, src_ty, dst, src })
    }
    /// `cvta.to.global.u64 dst, src`: a kernel pointer parameter to a global address.
    pub fn cvta_to_global(&mut self, src: Reg) -> Reg {
        self.def(Type::U64, |dst| InstKind::Cvta { to_generic: false, space: StateSpace::Global, dst, src })
    }
    /// `cvta{.to}.space.u64`.
    pub fn cvta(&mut self, to_generic: bool, space: StateSpace, src: Reg) -> Reg {
        self.def(Type::U64, |dst| InstKind::Cvta { to_generic, space, dst, src })
    }
    /// `ld.param.ty dst, [param]` (kernels).
    pub fn ld_param(&mut self, ty: Type, index: u32) -> Reg {
        let count = self.b.func.params.len();
        if self.b.func.kind == FuncKind::Kernel && index as usize >= count {
            let func = self.b.func.name.clone();
            self.b.fail(BuildError::UnknownParam { func, index, count });
        }
        self.ld_param_as(ty, index, reg_type_for_mem(ty))
    }
    /// `ld.param.ty dst, [param]` into a register of type `reg_ty` (an integer register wider than `ty`
    /// sign-extends `.sN` and zero-extends the others, as PTX does).
    pub fn ld_param_as(&mut self, ty: Type, index: u32, reg_ty: Type) -> Reg {
        let count = self.b.func.params.len();
        if self.b.func.kind == FuncKind::Kernel && index as usize >= count {
            let func = self.b.func.name.clone();
            self.b.fail(BuildError::UnknownParam { func, index, count });
        }
        self.ld_as(MemAccess::new(StateSpace::Param, ty), Address::param(index), reg_ty)
    }
    /// A scalar load.
    pub fn ld(&mut self, access: MemAccess, addr: Address) -> Reg {
        let ty = access.ty;
        self.ld_as(access, addr, reg_type_for_mem(ty))
    }
    /// A scalar load into a register of type `reg_ty` (e.g. `ld.global.s16` into a 32-bit register).
    pub fn ld_as(&mut self, access: MemAccess, addr: Address, reg_ty: Type) -> Reg {
        let dst = self.b.new_reg(reg_ty);
        self.b.push(InstKind::Ld { access, dsts: vec![dst], addr });
        dst
    }
    /// A load of `access.vec` elements into fresh registers.
    pub fn ld_vec(&mut self, access: MemAccess, addr: Address) -> Vec<Reg> {
        self.ld_vec_as(access, addr, reg_type_for_mem(access.ty))
    }
    /// A load of `access.vec` elements into fresh registers of type `reg_ty`.
    pub fn ld_vec_as(&mut self, access: MemAccess, addr: Address, reg_ty: Type) -> Vec<Reg> {
        let dsts: Vec<Reg> = (0..access.vec.count()).map(|_| self.b.new_reg(reg_ty)).collect();
        self.b.push(InstKind::Ld { access, dsts: dsts.clone(), addr });
        dsts
    }
    /// A scalar store.
    pub fn st(&mut self, access: MemAccess, addr: Address, src: impl Into<Operand>) {
        self.b.push(InstKind::St { access, addr, srcs: vec![src.into()] });
    }
    /// A vector store.
    pub fn st_vec(&mut self, access: MemAccess, addr: Address, srcs: Vec<Operand>) {
        self.b.push(InstKind::St { access, addr, srcs });
    }
    /// `atom` returning the old value.
    #[allow(clippy::too_many_arguments)]
    pub fn atom(
        &mut self,
        op: AtomOp,
        space: StateSpace,
        order: MemOrder,
        scope: Option<Scope>,
        ty: Type,
        addr: Address,
        src: impl Into<Operand>,
        cmp: Option<Operand>,
    ) -> Reg {
        let src = src.into();
        self.def(ty, |dst| InstKind::Atom { op, space, order, scope, ty, dst: Some(dst), addr, src, cmp })
    }
    /// `red` (an atomic with no result).
    pub fn red(&mut self, op: AtomOp, space: StateSpace, ty: Type, addr: Address, src: impl Into<Operand>) {
        let src = src.into();
        self.b.push(InstKind::Atom {
            op,
            space,
            order: MemOrder::Weak,
            scope: None,
            ty,
            dst: None,
            addr,
            src,
            cmp: None,
        });
    }
    /// `bar.sync 0`: the whole block.
    pub fn bar_sync(&mut self) {
        self.b.push(InstKind::Bar { op: BarOp::Sync, id: Operand::u32(0), count: None });
    }
    /// `bar.sync`/`bar.arrive` with an id and optional thread count.
    pub fn bar(&mut self, op: BarOp, id: impl Into<Operand>, count: Option<Operand>) {
        self.b.push(InstKind::Bar { op, id: id.into(), count });
    }
    /// A memory fence.
    pub fn fence(&mut self, kind: FenceKind, scope: Scope) {
        self.b.push(InstKind::Fence { kind, scope });
    }
    /// `shfl.sync.mode.b32`.
    pub fn shfl(
        &mut self,
        mode: ShflMode,
        src: impl Into<Operand>,
        lane: impl Into<Operand>,
        clamp: impl Into<Operand>,
        mask: impl Into<Operand>,
    ) -> Reg {
        let (src, lane, clamp, mask) = (src.into(), lane.into(), clamp.into(), mask.into());
        self.def(Type::B32, |dst| InstKind::Shfl { mode, dst, pred: None, src, lane, clamp, mask })
    }
    /// `vote.sync.mode` (ballot → `.b32`, otherwise a predicate).
    pub fn vote(&mut self, mode: VoteMode, src: Reg, negate: bool, mask: impl Into<Operand>) -> Reg {
        let mask = mask.into();
        let ty = if mode == VoteMode::Ballot { Type::B32 } else { Type::Pred };
        self.def(ty, |dst| InstKind::Vote { mode, dst, src, negate, mask })
    }
    /// `activemask.b32`.
    pub fn active_mask(&mut self) -> Reg {
        self.def(Type::B32, |dst| InstKind::ActiveMask { dst })
    }
    /// `call.uni`, with result registers of the given types.
    pub fn call(&mut self, func: FuncId, ret_types: &[Type], args: Vec<Operand>) -> Vec<Reg> {
        let rets: Vec<Reg> = ret_types.iter().map(|&t| self.b.new_reg(t)).collect();
        self.b.push(InstKind::Call { func, rets: rets.clone(), args });
        rets
    }
    /// Inline PTX with `{N}` placeholders: outputs first, then inputs.
    pub fn asm(&mut self, text: impl Into<String>, outputs: Vec<Reg>, inputs: Vec<Operand>) {
        self.b.push(InstKind::Asm { text: text.into(), outputs, inputs });
    }
    /// `cvt.rn{.satfinite}{.relu}.dst.src` to or from a packed pair; returns the destination register.
    pub fn cvt_pack(
        &mut self,
        dst_fmt: PackedFmt,
        src_fmt: PackedFmt,
        satfinite: bool,
        relu: bool,
        srcs: Vec<Operand>,
    ) -> Reg {
        self.def(dst_fmt.reg_type(), |dst| InstKind::CvtPack { dst_fmt, src_fmt, satfinite, relu, dst, srcs })
    }
    /// `mma.sync.aligned.shape.row.col.dty.aty.bty.cty`, `D = A·B + C` with `D` of `C`'s type; returns D's
    /// registers (as many as C has).
    pub fn mma(
        &mut self,
        shape: MmaShape,
        ab: (MmaType, MmaType),
        acc: MmaType,
        a: Vec<Reg>,
        b: Vec<Reg>,
        c: Vec<Reg>,
    ) -> Vec<Reg> {
        let ty = if acc == MmaType::F32 { Type::F32 } else { Type::B32 };
        let d: Vec<Reg> = (0..c.len()).map(|_| self.b.new_reg(ty)).collect();
        self.b.push(InstKind::Mma {
            shape,
            d_ty: acc,
            a_ty: ab.0,
            b_ty: ab.1,
            c_ty: acc,
            satfinite: false,
            d: d.clone(),
            a,
            b,
            c,
        });
        d
    }
    /// `ldmatrix.sync.aligned.m8n8.xN{.trans}.shared.b16`: one `.b32` register per matrix.
    pub fn ldmatrix(&mut self, count: MatrixCount, trans: bool, addr: Address) -> Vec<Reg> {
        let dsts: Vec<Reg> = (0..count.count()).map(|_| self.b.new_reg(Type::B32)).collect();
        self.b.push(InstKind::LdMatrix { count, trans, dsts: dsts.clone(), addr });
        dsts
    }
    /// `stmatrix.sync.aligned.m8n8.xN{.trans}.shared.b16`.
    pub fn stmatrix(&mut self, count: MatrixCount, trans: bool, addr: Address, srcs: Vec<Reg>) {
        self.b.push(InstKind::StMatrix { count, trans, addr, srcs });
    }
    /// `cp.async.{ca,cg}.shared.global [dst], [src], bytes{, src_size}`.
    pub fn cp_async(&mut self, cache: CacheOp, bytes: u32, dst: Address, src: Address, src_size: Option<Operand>) {
        self.b.push(InstKind::CpAsync { cache, prefetch: Prefetch::None, bytes, dst, src, src_size });
    }
    /// `cp.async.commit_group`.
    pub fn cp_async_commit(&mut self) {
        self.b.push(InstKind::CpAsyncCommit);
    }
    /// `cp.async.wait_group n` (`None`: `cp.async.wait_all`).
    pub fn cp_async_wait(&mut self, pending: Option<u32>) {
        self.b.push(InstKind::CpAsyncWait { pending });
    }
}

/// The register type a load of `ty` writes: 8-bit memory types widen to 16-bit registers.
pub fn reg_type_for_mem(ty: Type) -> Type {
    match ty {
        Type::U8 => Type::U16,
        Type::S8 => Type::S16,
        Type::B8 => Type::B16,
        t => t,
    }
}
