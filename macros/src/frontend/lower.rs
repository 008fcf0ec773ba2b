//! Lowering the typed body to a ptx-gen kernel.
//!
//! One pass over the tree with a [`FunctionBuilder`]: a value is an [`Operand`] (register or immediate) of a
//! [`ScalarTy`]; a `let mut` is one register assigned many times; control flow becomes blocks and branches.
//! Unreachable code (after `return`, `break`, `continue`) is lowered into blocks nothing jumps to, which are
//! dropped from the layout at the end. Every instruction carries `SrcLoc(expr id)` of the expression it came from.
//!
//! The Rust semantics that need care (see `ptx_kernel::gpu` for the user-facing list) are implemented here:
//! wrapping integer arithmetic (8-bit values re-normalised in their 16-bit registers), masked shift amounts,
//! `.rn` on every float add/sub/mul so that ptxas never fuses them, `!=` on floats as the unordered `neu`,
//! saturating float→int casts with NaN → 0, `round` half away from zero, short-circuit `&&`/`||`, ranges
//! evaluated once, `step_by` without overflow.

use proc_macro2::Span;
use ptx_gen::{
    Address, BinOp, Block as IrBlock, CmpOp, CvtMode, Function, FunctionBuilder, Imm, MemAccess, Mode, Operand, Reg,
    SpecialReg, SrcLoc, StateSpace, TernOp, Type, UnOp, Var, VarData,
};

use super::consts::{self, HostVal};
use super::diag::{Errors, SpanRange};
use super::hir::*;
use super::infer::Types;
use super::signature::KernelSig;
use super::types::{ParamTy, ScalarTy, Ty};

pub mod checks;
mod prefetch;
mod unroll;
mod version;
pub use checks::{CheckOptions, CheckReport};
mod seed;

/// A value during lowering.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Val {
    /// `()` and `!`.
    Unit,
    Scalar(Operand, ScalarTy),
    /// An array value: its elements in [`Lowerer::arrays`].
    Arr(super::lower_arrays::ArrId),
}

/// Where an indexed element lives: its state space, element type, and whether reads may use the non-coherent path.
#[derive(Clone, Copy, Debug)]
pub(super) struct MemLoc {
    pub space: StateSpace,
    pub elem: ScalarTy,
    pub nc: bool,
    /// Elements `[elem; lanes]` moved by one vector access (0: scalars).
    pub lanes: u32,
}

/// A shared array's module variable.
#[derive(Clone, Copy, Debug)]
pub struct SharedVar {
    pub var: Var,
    pub elem: ScalarTy,
    /// `len()`: the outer length.
    pub len: u64,
    pub dynamic: bool,
}

/// A slice parameter's global address and length registers.
#[derive(Clone, Copy, Debug)]
struct SliceRegs {
    base: Reg,
    len: Reg,
    elem: ScalarTy,
    mutable: bool,
    lanes: u32,
}

/// Lowers the kernel into a new `.entry` function. Internal inconsistencies (which checking and inference should
/// have ruled out) are reported as errors at the offending expression rather than panicking. With the default
/// [`CheckOptions`]; the module must declare the returned variables, see [`lower_kernel_with_vars`].
pub fn lower_kernel(sig: &KernelSig, body: &Body, types: &Types, errors: &mut Errors) -> Function {
    lower_kernel_with_vars(sig, body, types, None, CheckOptions::default(), errors).0
}

/// The module variables (shared memory) a kernel declares, in the order they must be added to an empty module (the
/// `k`-th is `Var(k)`).
pub fn shared_vars(sig: &KernelSig, body: &Body) -> (Vec<VarData>, Vec<SharedVar>) {
    let mut vars: Vec<VarData> = Vec::new();
    let mut out = Vec::new();
    let mut dynamic_var: Option<Var> = None;
    for (k, s) in body.shared.iter().enumerate() {
        let var = if s.dynamic {
            match dynamic_var {
                Some(v) => v,
                None => {
                    vars.push(VarData {
                        name: format!("{}_dynamic_smem", sig.name),
                        space: StateSpace::Shared,
                        ty: s.elem.mem_type(),
                        len: Some(0),
                        align: 16,
                        init: Vec::new(),
                    });
                    let v = Var(vars.len() as u32 - 1);
                    dynamic_var = Some(v);
                    v
                }
            }
        } else {
            let suffix = if s.name.is_ascii() { format!("_{}", s.name) } else { String::new() };
            vars.push(VarData {
                name: format!("{}_smem{k}{suffix}", sig.name),
                space: StateSpace::Shared,
                ty: s.elem.mem_type(),
                len: Some(s.len),
                align: 16,
                init: Vec::new(),
            });
            Var(vars.len() as u32 - 1)
        };
        out.push(SharedVar { var, elem: s.elem, len: s.outer, dynamic: s.dynamic });
    }
    (vars, out)
}

/// [`lower_kernel`] with check options, also returning the module variables to add in order (see [`shared_vars`];
/// then the tables the lowering itself declares, such as `sin`'s bits of 2/π; the panic record of [`checks`] comes
/// last when some check needs it) and the check sites.
pub fn lower_kernel_with_vars(
    sig: &KernelSig,
    body: &Body,
    types: &Types,
    requested_sm: Option<u32>,
    options: CheckOptions,
    errors: &mut Errors,
) -> (Function, Vec<VarData>, CheckReport) {
    let (mut vars, shared) = shared_vars(sig, body);
    let first_extra_var = vars.len() as u32;
    let mut func = Function::kernel(sig.name.clone());
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let mut l = Lowerer {
        body,
        types,
        b,
        locals: vec![None; body.locals.len()],
        mutable_regs: Vec::new(),
        slices: Vec::new(),
        shared,
        arrays: Vec::new(),
        requested_sm,
        frames: std::collections::HashMap::new(),
        extra_vars: Vec::new(),
        first_extra_var,
        loops: vec![None; body.loops.len()],
        unroll_copies: 1,
        prefetched: std::collections::HashMap::new(),
        check_guard: None,
        while_entry: None,
        specials: Vec::new(),
        shared_addrs: Vec::new(),
        errors,
        fallback_span: sig.ident.span(),
        // The record's place is known once the body is lowered (after the tables it declares).
        safety: checks::Safety::new(options, Var(first_extra_var)),
    };
    l.params(sig);
    l.prepare_checks();
    l.read_specials();
    l.block(&body.block);
    if !l.b.is_terminated() {
        l.b.ret();
    }
    l.safety.record = Var(first_extra_var + l.extra_vars.len() as u32);
    l.finish_panic_path();
    let Lowerer { b, errors, safety, extra_vars, .. } = l;
    vars.extend(extra_vars);
    if let Err(e) = b.finish() {
        errors.at(sig.ident.span(), format!("internal error in #[ptx_kernel] while building the kernel: {e}"));
    }
    finish_layout(&mut func);
    if !safety.report.sites.is_empty() {
        vars.push(checks::record_var());
    }
    (func, vars, safety.report)
}

/// Terminates dangling blocks, drops the unreachable ones, and lays the rest out in reverse postorder (each block
/// after its predecessors except along back edges; the "then" side of a branch right after it).
fn finish_layout(func: &mut Function) {
    let keys: Vec<IrBlock> = func.blocks.keys().collect();
    for k in &keys {
        if func.blocks[*k].term.is_none() {
            func.blocks[*k].term = Some(ptx_gen::Terminator::Return);
        }
    }
    let Some(entry) = func.layout.first().copied() else { return };
    // Iterative DFS; successors are pushed so that the first one is explored last, which puts it first in RPO.
    let mut visited = vec![false; keys.len()];
    let mut postorder = Vec::with_capacity(keys.len());
    let mut stack: Vec<(IrBlock, usize)> = vec![(entry, 0)];
    visited[entry.0 as usize] = true;
    while let Some((bk, next)) = stack.pop() {
        let succs = func.blocks[bk].term.as_ref().map(|t| t.successors()).unwrap_or_default();
        // Visit successors from the last to the first.
        let order: Vec<IrBlock> = succs.into_iter().rev().collect();
        if let Some(&s) = order.get(next) {
            stack.push((bk, next + 1));
            if !visited[s.0 as usize] {
                visited[s.0 as usize] = true;
                stack.push((s, 0));
            }
        } else {
            postorder.push(bk);
        }
    }
    postorder.reverse();
    func.layout = postorder;
    // A branch whose "then" block comes next is written as the negated branch to "else" plus a fall-through.
    for w in 0..func.layout.len() {
        let next = func.layout.get(w + 1).copied();
        let bk = func.layout[w];
        if let Some(ptx_gen::Terminator::Branch { cond, negate, then_dest, else_dest }) = func.blocks[bk].term.clone() {
            if Some(then_dest) == next && Some(else_dest) != next {
                func.blocks[bk].term = Some(ptx_gen::Terminator::Branch {
                    cond,
                    negate: !negate,
                    then_dest: else_dest,
                    else_dest: then_dest,
                });
            }
        }
    }
}

pub(super) struct Lowerer<'a, 'f, 'e> {
    pub(super) body: &'a Body,
    pub(super) types: &'a Types,
    pub(super) b: FunctionBuilder<'f>,
    /// The value each local is bound to (its register, or an immediate for an immutable constant binding).
    pub(super) locals: Vec<Option<Val>>,
    /// Registers that are reassigned (mutable locals, loop counters): a value read from one must be copied before
    /// it is kept across code that may assign it.
    mutable_regs: Vec<bool>,
    slices: Vec<SliceRegs>,
    /// Shared arrays, by `SharedId`.
    pub(super) shared: Vec<SharedVar>,
    /// Inlined device functions being lowered: frame → (exit block, result register).
    pub(super) frames: std::collections::HashMap<u32, (IrBlock, Option<Reg>)>,
    /// The target the user asked for (`None`: the lowest that supports the kernel): half arithmetic is native
    /// only where it names one that has it.
    pub(super) requested_sm: Option<u32>,
    /// Array values, by `ArrId`.
    pub(super) arrays: Vec<super::lower_arrays::ArrVal>,
    /// Module variables declared by the lowering itself (constant tables, see [`Lowerer::module_var`]); the
    /// `k`-th is `Var(first_extra_var + k)`.
    extra_vars: Vec<VarData>,
    first_extra_var: u32,
    /// `(break target, continue target)` of each loop while it is being lowered.
    loops: Vec<Option<(IrBlock, IrBlock)>>,
    /// The product of the trip counts of the enclosing automatically unrolled loops (1 outside them): how many
    /// copies of the code being lowered end up in the kernel (see [`Lowerer::auto_unroll`]).
    unroll_copies: u64,
    /// Loads made early for the copy of an unrolled loop being lowered: index expression id → register (see
    /// [`prefetch`]).
    prefetched: std::collections::HashMap<u32, prefetch::Early>,
    /// While lowering an arm of an `if` turned into a select (see [`Lowerer::select_early`]): the arm's condition,
    /// which the bounds checks made there are `and`ed with.
    check_guard: Option<Reg>,
    /// The `mut` local and the constant it was just set to, when the statement being lowered is a `while` right
    /// after `let mut v = <literal>;` or `v = <literal>;` (see [`Lowerer::unrolled_while`]).
    while_entry: Option<(LocalId, ExprId)>,
    /// The special-register intrinsics of the body, read once in the entry block (see
    /// [`Lowerer::read_specials`]).
    specials: Vec<(Intrinsic, Reg)>,
    /// The address of each shared array, taken once in the entry block.
    shared_addrs: Vec<(Var, Reg)>,
    pub(super) errors: &'e mut Errors,
    fallback_span: Span,
    /// Run-time checks: options, known facts, the panic path and the sites.
    safety: checks::Safety,
}

impl Lowerer<'_, '_, '_> {
    // ----- helpers -------------------------------------------------------------------------------------------

    pub(super) fn loc(&mut self, e: ExprId) {
        self.b.set_srcloc(SrcLoc(e.0));
    }

    fn span(&self, e: ExprId) -> SpanRange {
        self.body.exprs.get(e.0 as usize).map_or(SpanRange::single(self.fallback_span), |x| x.span)
    }

    pub(super) fn internal(&mut self, e: ExprId, what: &str) -> Val {
        let span = self.span(e);
        self.errors.at(span, format!("internal error in #[ptx_kernel]: {what} (please report this)"));
        Val::Unit
    }

    pub(super) fn ty(&self, e: ExprId) -> Ty {
        self.types.expr(e)
    }

    pub(super) fn mark_mutable(&mut self, r: Reg) {
        let i = r.0 as usize;
        if self.mutable_regs.len() <= i {
            self.mutable_regs.resize(i + 1, false);
        }
        self.mutable_regs[i] = true;
    }

    pub(super) fn is_mutable_reg(&self, op: Operand) -> bool {
        match op {
            Operand::Reg(r) => self.mutable_regs.get(r.0 as usize).copied().unwrap_or(false),
            Operand::Imm(_) => false,
        }
    }

    /// `v`, copied to a fresh register if it is a mutable local's register (so later assignments don't change it).
    pub(super) fn stable(&mut self, v: Val) -> Val {
        if let Val::Arr(a) = v {
            return self.stable_array(a);
        }
        match v {
            Val::Scalar(op, ty) if self.is_mutable_reg(op) => {
                let r = self.b.ins().mov(ty.reg_type(), op);
                Val::Scalar(Operand::Reg(r), ty)
            }
            v => v,
        }
    }

    /// The operand of a scalar value (an internal error for `()`).
    pub(super) fn scalar(&mut self, v: Val, e: ExprId) -> Option<(Operand, ScalarTy)> {
        match v {
            Val::Scalar(op, ty) => Some((op, ty)),
            Val::Unit => {
                // Unreachable code (after `return`) lowers to `()`: not an error.
                if self.b.is_terminated() || self.ty(e) == Ty::Never {
                    None
                } else {
                    self.internal(e, "a scalar value was expected");
                    None
                }
            }
            Val::Arr(_) => {
                self.internal(e, "a scalar value was expected, found an array");
                None
            }
        }
    }

    /// `op` in a register.
    pub(super) fn reg(&mut self, op: Operand, ty: ScalarTy) -> Reg {
        match op {
            Operand::Reg(r) => r,
            imm => self.b.ins().mov(ty.reg_type(), imm),
        }
    }

    /// Re-normalises an 8- or 16-bit value in its 32-bit register after an operation that may leave its range:
    /// `cvt.s32.s8`/`cvt.s32.s16` sign-extend the low bits, `and` zero-extends them.
    pub(super) fn normalize(&mut self, op: Operand, ty: ScalarTy) -> Operand {
        match (ty, op) {
            (ScalarTy::I8 | ScalarTy::I16, Operand::Reg(r)) => {
                let low = if ty == ScalarTy::I8 { Type::S8 } else { Type::S16 };
                Operand::Reg(self.b.ins().cvt(CvtMode::None, false, Type::S32, low, r))
            }
            (ScalarTy::U8 | ScalarTy::U16, Operand::Reg(r)) => {
                let mask = if ty == ScalarTy::U8 { 0xFF } else { 0xFFFF };
                Operand::Reg(self.b.ins().binary(BinOp::And, Mode::None, Type::B32, r, Operand::u32(mask)))
            }
            (t, Operand::Imm(i)) => consts::imm(consts::host_val(i, t), t),
            _ => op,
        }
    }

    /// A new block, made current.
    /// The module variable `data` (declared once per kernel, by name).
    pub(super) fn module_var(&mut self, data: VarData) -> Var {
        let k = match self.extra_vars.iter().position(|v| v.name == data.name) {
            Some(k) => k,
            None => {
                self.extra_vars.push(data);
                self.extra_vars.len() - 1
            }
        };
        Var(self.first_extra_var + k as u32)
    }

    pub(super) fn open(&mut self, bk: IrBlock) {
        self.b.switch_to_block(bk);
    }

    /// After `return`/`break`/`continue`: go on lowering in a block nothing reaches.
    pub(super) fn open_dead(&mut self) {
        let dead = self.b.create_block();
        self.open(dead);
    }

    /// A predicate register for a `bool` operand.
    pub(super) fn pred(&mut self, op: Operand) -> Reg {
        match op {
            Operand::Reg(r) => r,
            imm => self.b.ins().mov(Type::Pred, imm),
        }
    }

    // ----- parameters ----------------------------------------------------------------------------------------

    fn params(&mut self, sig: &KernelSig) {
        let kernel = sig.name.clone();
        let mut index = 0u32;
        let name = |i: &mut u32| {
            *i += 1;
            format!("{kernel}_param_{}", *i - 1)
        };
        for (pi, p) in sig.params.iter().enumerate() {
            match p.ty {
                Some(ParamTy::Scalar(ty)) => {
                    let n = name(&mut index);
                    let idx = self.b.func_mut().add_param(n, ty.param_type());
                    let r = if ty.is_half() {
                        self.b.ins().ld_param(ty.param_type(), idx)
                    } else {
                        self.b.ins().ld_param_as(ty.param_type(), idx, ty.load_reg_type())
                    };
                    let r = if ty == ScalarTy::Bool {
                        self.b.ins().setp(CmpOp::Ne, Type::U32, r, Operand::u32(0))
                    } else if ty.is_half() {
                        let d = self.b.func_mut().new_reg(ty.reg_type());
                        self.b.ins().mov_to(d, r);
                        d
                    } else {
                        r
                    };
                    if let Some(Some(local)) = self.body.param_locals.get(pi) {
                        self.locals[local.0 as usize] = Some(Val::Scalar(Operand::Reg(r), ty));
                        if p.mutable {
                            self.mark_mutable(r);
                        }
                    }
                }
                Some(ParamTy::Slice { elem, mutable, lanes }) => {
                    let pn = name(&mut index);
                    let ln = name(&mut index);
                    let pi_ = self.b.func_mut().add_param(pn, Type::U64);
                    let li = self.b.func_mut().add_param(ln, Type::U64);
                    let ptr = self.b.ins().ld_param(Type::U64, pi_);
                    let len = self.b.ins().ld_param(Type::U64, li);
                    let base = self.b.ins().cvta_to_global(ptr);
                    self.slices.push(SliceRegs { base, len, elem, mutable, lanes });
                }
                None => {}
            }
        }
    }

    // ----- blocks and statements -----------------------------------------------------------------------------

    fn block(&mut self, blk: &Block) -> Val {
        let facts = self.facts_mark();
        // `let mut v = <literal>;` / `v = <literal>;` just before: a `while` on `v` may be unrolled.
        let mut set_const: Option<(LocalId, ExprId)> = None;
        for s in &blk.stmts {
            match s {
                Stmt::Let { local, init } => {
                    if let Some(i) = init {
                        self.kill_facts(*i);
                    }
                    self.let_stmt(*local, *init);
                    if let (Some(l), Some(i)) = (local, init) {
                        self.assume_let(*l, *i);
                    }
                    set_const = match (local, init) {
                        (Some(l), Some(i)) if self.body.local(*l).mutable && is_int_lit(self.body, *i) => {
                            Some((*l, *i))
                        }
                        _ => None,
                    };
                }
                Stmt::Expr(e) => {
                    self.kill_facts(*e);
                    if matches!(self.body.expr(*e).kind, ExprKind::While(..)) {
                        self.while_entry = set_const;
                    }
                    self.expr(*e);
                    self.while_entry = None;
                    self.assume_after_stmt(*e);
                    set_const = match &self.body.expr(*e).kind {
                        ExprKind::Assign(Place::Local(l), v) if is_int_lit(self.body, *v) => Some((*l, *v)),
                        _ => None,
                    };
                }
            }
        }
        let v = match blk.tail {
            Some(t) => {
                self.kill_facts(t);
                self.expr(t)
            }
            None => Val::Unit,
        };
        self.restore_facts(facts);
        v
    }

    fn let_stmt(&mut self, local: Option<LocalId>, init: Option<ExprId>) {
        let v = init.map(|i| self.expr(i));
        let Some(local) = local else { return };
        let data = self.body.local(local);
        let mutable = data.mutable;
        let ty = self.types.local(local);
        let bound = match (ty, v) {
            (Ty::Scalar(t), Some(Val::Scalar(op, _))) => {
                if mutable {
                    let r = self.b.ins().mov(t.reg_type(), op);
                    self.mark_mutable(r);
                    Val::Scalar(Operand::Reg(r), t)
                } else {
                    self.stable(Val::Scalar(op, t))
                }
            }
            (Ty::Scalar(t), _) => {
                // `let x;` (assigned later) or an initialiser that diverged: a register of its own.
                let r = self.b.func_mut().new_reg(t.reg_type());
                self.mark_mutable(r);
                Val::Scalar(Operand::Reg(r), t)
            }
            (Ty::Array(t), v) => self.bind_array(t, v, mutable),
            _ => Val::Unit,
        };
        self.locals[local.0 as usize] = Some(bound);
    }

    // ----- expressions ---------------------------------------------------------------------------------------

    pub(super) fn expr(&mut self, id: ExprId) -> Val {
        let body = self.body;
        self.loc(id);
        let ty = self.ty(id);
        match &body.expr(id).kind {
            ExprKind::Error => self.internal(id, "an erroneous expression reached lowering"),
            ExprKind::Unit => Val::Unit,
            ExprKind::Lit(lit) => {
                let Ty::Scalar(t) = ty else { return self.internal(id, "a literal without a scalar type") };
                let hv = match lit {
                    Lit::Bool(b) => Some(HostVal::Bool(*b)),
                    Lit::Int(v, _) if t.is_float() => consts::literal_float(&v.to_string(), t),
                    Lit::Int(v, _) => consts::literal_int(*v, t),
                    Lit::Float(d, _) => consts::literal_float(d, t),
                };
                match hv {
                    Some(hv) => Val::Scalar(consts::imm(hv, t), t),
                    None => self.internal(id, "a literal that does not fit its type"),
                }
            }
            ExprKind::Const(t, bits) => {
                let hv = consts::host_val(Imm(*bits), *t);
                Val::Scalar(consts::imm(hv, *t), *t)
            }
            ExprKind::Local(l) => match self.locals.get(l.0 as usize).copied().flatten() {
                Some(v) => v,
                None => self.internal(id, "a local used before it was bound"),
            },
            ExprKind::Unary(op, e) => {
                let v = self.expr(*e);
                self.loc(id);
                let Some((a, t)) = self.scalar(v, *e) else { return Val::Unit };
                Val::Scalar(self.unary(*op, a, t), t)
            }
            ExprKind::Binary(op, a, b) => {
                let va = self.expr(*a);
                let va = if is_pure(body, *b) { va } else { self.stable(va) };
                let vb = self.expr(*b);
                self.loc(id);
                let (Some((x, t)), Some((y, ty_b))) = (self.scalar(va, *a), self.scalar(vb, *b)) else {
                    return Val::Unit;
                };
                self.binary(*op, x, y, t, ty_b, id)
            }
            ExprKind::Logical(op, a, b) => self.logical(*op, *a, *b, id),
            ExprKind::Assign(place, v) => {
                let val = self.expr(*v);
                let val = if place_is_pure(body, place) { val } else { self.stable(val) };
                self.loc(id);
                if let Val::Arr(a) = val {
                    self.assign_array(*place, a, id);
                    return Val::Unit;
                }
                let Some((op, _)) = self.scalar(val, *v) else { return Val::Unit };
                self.store_place(*place, op, id);
                Val::Unit
            }
            ExprKind::CompoundAssign(op, place, v) => {
                let val = self.expr(*v);
                let val = if place_is_pure(body, place) { val } else { self.stable(val) };
                self.loc(id);
                let Some((y, ty_b)) = self.scalar(val, *v) else { return Val::Unit };
                if let Place::Elem(l, i, j) = *place {
                    self.elem_compound(*op, l, i, j, y, ty_b, id);
                    return Val::Unit;
                }
                match *place {
                    Place::Local(l) => {
                        let Some(Val::Scalar(cur, t)) = self.locals.get(l.0 as usize).copied().flatten() else {
                            return self.internal(id, "compound assignment to an unbound local");
                        };
                        let Val::Scalar(res, _) = self.binary(*op, cur, y, t, ty_b, id) else { return Val::Unit };
                        self.assign_local(l, res, id);
                    }
                    Place::Elem(..) => {}
                    Place::Index(s, i) => {
                        let Some((addr, ml)) = self.element_addr(s, i, id) else { return Val::Unit };
                        let cur = self.load(ml, addr);
                        let Val::Scalar(res, _) = self.binary(*op, cur, y, ml.elem, ty_b, id) else {
                            return Val::Unit;
                        };
                        self.store(ml, addr, res);
                    }
                }
                Val::Unit
            }
            ExprKind::Cast(e, to) => {
                let v = self.expr(*e);
                self.loc(id);
                let Some((a, from)) = self.scalar(v, *e) else { return Val::Unit };
                match self.cast(a, from, *to) {
                    Some(op) => Val::Scalar(op, *to),
                    None => self.internal(id, "an unsupported cast reached lowering"),
                }
            }
            ExprKind::Index(s, i) => {
                if let Some(early) = self.prefetched.remove(&id.0) {
                    // Loaded before the unrolled loop's copies (see `prefetch`): the index (pure) and its
                    // comparison with the length were computed then; the check is made here.
                    self.loc(id);
                    self.bounds_check_with(*s, *i, Operand::Reg(early.index), id, early.oob);
                    let r = early.value;
                    let Some(elem) = (match s {
                        Base::Slice(sl) => self.slices.get(sl.0 as usize).map(|x| x.elem),
                        Base::Shared(_) => None,
                    }) else {
                        return self.internal(id, "an early load of a shared array");
                    };
                    return Val::Scalar(Operand::Reg(r), elem);
                }
                let Some((addr, ml)) = self.element_addr(*s, *i, id) else { return Val::Unit };
                if ml.lanes > 0 {
                    return self.load_vector(ml, addr);
                }
                Val::Scalar(self.load(ml, addr), ml.elem)
            }
            ExprKind::Array(elems) => self.array_literal(elems, id),
            ExprKind::Repeat(x, n, m) => self.repeat(*x, *n, *m, id),
            ExprKind::Elem(a, i) => self.elem_read(*a, *i, id),
            ExprKind::Inline(inl) => self.inline(inl, id),
            ExprKind::HalfConv(x, _, to) => {
                let v = self.expr(*x);
                self.loc(id);
                let Some((op, from)) = self.scalar(v, *x) else { return Val::Unit };
                let r = self.reg(op, from);
                Val::Scalar(Operand::Reg(self.half_conv(r, from, *to)), *to)
            }
            ExprKind::FrameReturn(frame, v) => {
                let val = v.map(|v| (v, self.expr(v)));
                self.loc(id);
                let Some(&(exit, result)) = self.frames.get(&frame.0) else {
                    return self.internal(id, "`return` outside of an inlined function");
                };
                if let (Some(r), Some((v, val))) = (result, val) {
                    if let Some((op, _)) = self.scalar(val, v) {
                        self.b.ins().mov_to(r, op);
                    }
                }
                self.b.jump(exit);
                self.open_dead();
                Val::Unit
            }
            ExprKind::Len(Base::Slice(s)) => match self.slices.get(s.0 as usize) {
                Some(sl) => Val::Scalar(Operand::Reg(sl.len), ScalarTy::Usize),
                None => self.internal(id, "an unknown slice"),
            },
            ExprKind::Len(Base::Shared(s)) => self.shared_len(*s, id),
            ExprKind::Intrinsic(i) => self.intrinsic(*i),
            ExprKind::Call(c, args) => self.call(*c, args, id),
            ExprKind::MemCall(m, base, i, args) => self.mem_call(*m, *base, *i, args, id),
            ExprKind::Method(m, recv, args) => {
                let vr = self.expr(*recv);
                let vr = if args.iter().all(|a| is_pure(body, *a)) { vr } else { self.stable(vr) };
                let mut ops = Vec::with_capacity(args.len());
                for (k, a) in args.iter().enumerate() {
                    let v = self.expr(*a);
                    let later_pure = args[k + 1..].iter().all(|x| is_pure(body, *x));
                    let v = if later_pure { v } else { self.stable(v) };
                    ops.push(v);
                }
                self.loc(id);
                let Some((r, t)) = self.scalar(vr, *recv) else { return Val::Unit };
                let mut arg_ops = Vec::new();
                for (v, a) in ops.into_iter().zip(args) {
                    let Some((op, _)) = self.scalar(v, *a) else { return Val::Unit };
                    arg_ops.push(op);
                }
                Val::Scalar(self.method(*m, r, &arg_ops, t), t)
            }
            ExprKind::If(c, then, else_) => self.if_expr(*c, then, *else_, id),
            ExprKind::While(lp, c, blk) => {
                let entry = self.while_entry.take();
                if let Some(v) = entry.and_then(|e| self.unrolled_while(*lp, *c, blk, id, e)) {
                    return v;
                }
                if let Some(v) = self.versioned_while(*lp, *c, blk, id) {
                    return v;
                }
                self.plain_while(*lp, *c, blk, id)
            }
            ExprKind::Loop(lp, blk) => {
                let body_b = self.b.create_block();
                let exit = self.b.create_block();
                self.b.jump(body_b);
                self.loops[lp.0 as usize] = Some((exit, body_b));
                self.open(body_b);
                self.block(blk);
                self.loc(id);
                self.b.jump(body_b);
                self.open(exit);
                Val::Unit
            }
            ExprKind::For(f) => self.for_loop(f, id),
            ExprKind::Break(lp) | ExprKind::Continue(lp) => {
                let is_break = matches!(body.expr(id).kind, ExprKind::Break(_));
                match self.loops.get(lp.0 as usize).copied().flatten() {
                    Some((brk, cont)) => self.b.jump(if is_break { brk } else { cont }),
                    None => return self.internal(id, "`break`/`continue` of a loop not being lowered"),
                }
                self.open_dead();
                Val::Unit
            }
            ExprKind::Return => {
                self.b.ret();
                self.open_dead();
                Val::Unit
            }
            ExprKind::Block(blk) => self.block(blk),
            ExprKind::Seed(op) => self.seed_expr(op, id),
        }
    }

    pub(super) fn assign_local(&mut self, l: LocalId, src: Operand, id: ExprId) {
        match self.locals.get(l.0 as usize).copied().flatten() {
            Some(Val::Scalar(Operand::Reg(r), _)) => self.b.ins().mov_to(r, src),
            Some(Val::Unit) => {}
            _ => {
                self.internal(id, "assignment to a local without a register");
            }
        }
    }

    fn store_place(&mut self, place: Place, op: Operand, id: ExprId) {
        match place {
            Place::Local(l) => self.assign_local(l, op, id),
            Place::Index(s, i) => {
                let Some((addr, ml)) = self.element_addr(s, i, id) else { return };
                self.store(ml, addr, op);
            }
            Place::Elem(l, i, j) => self.elem_write(l, i, j, op, id),
        }
    }

    // ----- memory --------------------------------------------------------------------------------------------

    /// The address of `base[index]` (not bounds-checked yet: see `ptx_kernel::gpu`) and where it lives.
    pub(super) fn element_addr(&mut self, base: Base, index: ExprId, id: ExprId) -> Option<(Address, MemLoc)> {
        let v = self.expr(index);
        self.loc(id);
        let (i, _) = self.scalar(v, index)?;
        let (base_reg, var, ml) = match base {
            Base::Slice(s) => {
                let Some(sl) = self.slices.get(s.0 as usize).copied() else {
                    self.internal(id, "an unknown slice");
                    return None;
                };
                // A `&[T]` cannot alias a `&mut [T]` (the launcher borrows the buffers), so it is read-only for the
                // whole launch: read it through the non-coherent cache.
                (
                    Some(sl.base),
                    None,
                    MemLoc { space: StateSpace::Global, elem: sl.elem, nc: !sl.mutable, lanes: sl.lanes },
                )
            }
            Base::Shared(s) => {
                let Some(sv) = self.shared.get(s.0 as usize).copied() else {
                    self.internal(id, "an unknown shared array");
                    return None;
                };
                (None, Some(sv.var), MemLoc { space: StateSpace::Shared, elem: sv.elem, nc: false, lanes: 0 })
            }
        };
        self.bounds_check(base, index, i, id);
        let size = ml.elem.mem_size() as u64 * ml.lanes.max(1) as u64;
        let base_of = |this: &mut Self| -> Reg {
            match (base_reg, var) {
                (Some(r), _) => r,
                (None, Some(v)) => match this.shared_addrs.iter().find(|(w, _)| *w == v) {
                    Some(&(_, r)) => r,
                    None => this.b.ins().addr_of(v),
                },
                _ => unreachable!("a base is a slice or a shared variable"),
            }
        };
        let addr = match i {
            Operand::Imm(imm) => {
                let off = imm.0.checked_mul(size).filter(|o| *o <= i32::MAX as u64);
                match (off, var) {
                    (Some(o), Some(v)) => Address { base: ptx_gen::AddrBase::Var(v), offset: o as i64 },
                    (Some(o), None) => Address::reg_offset(base_of(self), o as i64),
                    (None, _) => {
                        let b = base_of(self);
                        let off = self.b.ins().mov(Type::U64, Operand::u64(imm.0.wrapping_mul(size)));
                        let a = self.b.ins().add(Type::S64, Mode::None, b, off);
                        Address::reg(a)
                    }
                }
            }
            Operand::Reg(r) => {
                let b = base_of(self);
                let off = if size == 1 {
                    r
                } else {
                    self.b.ins().binary(BinOp::Shl, Mode::None, Type::B64, r, Operand::u32(size.trailing_zeros()))
                };
                let a = self.b.ins().add(Type::S64, Mode::None, b, off);
                Address::reg(a)
            }
        };
        Some((addr, ml))
    }

    /// `s.len()` of a shared array: its constant length, or for dynamic shared memory
    /// `%dynamic_smem_size / size_of::<T>()`.
    pub(super) fn shared_len(&mut self, s: SharedId, id: ExprId) -> Val {
        let Some(sv) = self.shared.get(s.0 as usize).copied() else {
            return self.internal(id, "an unknown shared array");
        };
        if !sv.dynamic {
            return Val::Scalar(Operand::u64(sv.len), ScalarTy::Usize);
        }
        let bytes = self.b.ins().special(SpecialReg::DynamicSmemSize);
        let shift = sv.elem.mem_size().trailing_zeros();
        let n = if shift == 0 {
            bytes
        } else {
            self.b.ins().binary(BinOp::Shr, Mode::None, Type::U32, bytes, Operand::u32(shift))
        };
        let n64 = self.b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, n);
        Val::Scalar(Operand::Reg(n64), ScalarTy::Usize)
    }

    pub(super) fn load(&mut self, ml: MemLoc, addr: Address) -> Operand {
        let mut access = MemAccess::new(ml.space, ml.elem.mem_type());
        access.nc = ml.nc;
        let r = self.b.ins().ld_as(access, addr, ml.elem.load_reg_type());
        if ml.elem == ScalarTy::Bool {
            Operand::Reg(self.b.ins().setp(CmpOp::Ne, Type::U32, r, Operand::u32(0)))
        } else {
            Operand::Reg(r)
        }
    }

    pub(super) fn store(&mut self, ml: MemLoc, addr: Address, v: Operand) {
        let access = MemAccess::new(ml.space, ml.elem.mem_type());
        let src = if ml.elem == ScalarTy::Bool {
            match v {
                Operand::Imm(i) => Operand::u32((i.0 & 1) as u32),
                Operand::Reg(p) => Operand::Reg(self.b.ins().selp(Type::U32, Operand::u32(1), Operand::u32(0), p)),
            }
        } else {
            v
        };
        // `st` takes registers only.
        let src = match src {
            Operand::Imm(_) => {
                let ty = if ml.elem == ScalarTy::Bool { ScalarTy::U8 } else { ml.elem };
                Operand::Reg(self.reg(src, ty))
            }
            r => r,
        };
        self.b.ins().st(access, addr, src);
    }

    // ----- operators -----------------------------------------------------------------------------------------

    fn unary(&mut self, op: UnaryOp, a: Operand, t: ScalarTy) -> Operand {
        if let Operand::Imm(i) = a {
            let hv = consts::host_val(i, t);
            let folded = match op {
                UnaryOp::Neg => consts::neg(hv, t),
                UnaryOp::Not => consts::not(hv, t),
            };
            return consts::imm(folded, t);
        }
        let rt = t.reg_type();
        match (op, t) {
            (UnaryOp::Not, ScalarTy::Bool) => Operand::Reg(self.b.ins().unary(UnOp::Not, Mode::None, Type::Pred, a)),
            (UnaryOp::Not, t) if t.is_narrow_int() && !t.is_signed() => {
                // `xor` with the type's mask, not `not` + `and`: ptxas 13.0 folds `not.b32` + `and.b32 0xFF` of a
                // value it knows is zero to 0 (docs/differential-testing.md). The operand is zero-extended, so
                // this is the whole result.
                let mask = if t == ScalarTy::U8 { 0xFF } else { 0xFFFF };
                Operand::Reg(self.b.ins().binary(BinOp::Xor, Mode::None, Type::B32, a, Operand::u32(mask)))
            }
            (UnaryOp::Not, _) => {
                // A sign-extended narrow value stays sign-extended under `not`.
                Operand::Reg(self.b.ins().unary(UnOp::Not, Mode::None, rt.to_bits(), a))
            }
            (UnaryOp::Neg, h) if h.is_half() => {
                // Flip the sign bit (exact, NaN included), as `half`'s `Neg`.
                let r = self.b.ins().binary(BinOp::Xor, Mode::None, Type::B16, a, Operand::u32(0x8000));
                let d = self.b.func_mut().new_reg(rt);
                self.b.ins().mov_to(d, r);
                Operand::Reg(d)
            }
            (UnaryOp::Neg, _) => {
                let r = self.b.ins().unary(UnOp::Neg, Mode::None, rt, a);
                self.normalize(Operand::Reg(r), t)
            }
        }
    }

    /// `a op b` where `a` has type `t` (and `b` too, except for shifts, where it has `tb`).
    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        a: Operand,
        b: Operand,
        t: ScalarTy,
        tb: ScalarTy,
        id: ExprId,
    ) -> Val {
        if t.is_half() {
            return self.half_binary(op, a, b, t, id);
        }
        if let Some(v) = fold_int(op, a, b, t, tb) {
            return v;
        }
        let rt = t.reg_type();
        // Two immediates: put the first in a register (ptxas wants at least one register operand).
        let a = match (a, b) {
            (Operand::Imm(_), Operand::Imm(_)) => Operand::Reg(self.reg(a, t)),
            _ => a,
        };
        if op.is_comparison() {
            return Val::Scalar(Operand::Reg(self.compare(op, a, b, t)), ScalarTy::Bool);
        }
        let ins_mode = if t.is_float() { Mode::Rn } else { Mode::None };
        let r = match op {
            BinaryOp::Add | BinaryOp::Sub => {
                let o = if op == BinaryOp::Add { BinOp::Add } else { BinOp::Sub };
                let r = self.b.ins().binary(o, ins_mode, rt, a, b);
                self.normalize(Operand::Reg(r), t)
            }
            BinaryOp::Mul => {
                // By a power of two (either side): a shift, which ptxas folds into address arithmetic (`LEA`);
                // for a 64-bit `mul.lo` by 4 it emits `IMAD.WIDE` + `IMAD.SHL` and a separate 64-bit add instead.
                let pow2 = |o: Operand| match o {
                    Operand::Imm(i) if t.is_int() => match consts::host_val(i, t) {
                        HostVal::Int(v) if v > 1 && (v as u128).is_power_of_two() => Some(v.trailing_zeros()),
                        _ => None,
                    },
                    _ => None,
                };
                let shift = match (a, b) {
                    (Operand::Reg(_), _) if pow2(b).is_some() => Some((a, pow2(b).unwrap_or(0))),
                    (_, Operand::Reg(_)) if pow2(a).is_some() => Some((b, pow2(a).unwrap_or(0))),
                    _ => None,
                };
                if let Some((x, k)) = shift {
                    let r = self.b.ins().binary(BinOp::Shl, Mode::None, rt.to_bits(), x, Operand::u32(k));
                    return Val::Scalar(self.normalize(Operand::Reg(r), t), t);
                }
                let mode = if t.is_float() { Mode::Rn } else { Mode::Lo };
                let r = self.b.ins().binary(BinOp::Mul, mode, rt, a, b);
                self.normalize(Operand::Reg(r), t)
            }
            BinaryOp::Div => {
                self.division_check(false, a, b, t, id);
                let r = self.b.ins().binary(BinOp::Div, ins_mode, rt, a, b);
                self.normalize(Operand::Reg(r), t)
            }
            BinaryOp::Rem => {
                if t.is_float() {
                    return self.internal(id, "float `%` reached lowering");
                }
                self.division_check(true, a, b, t, id);
                Operand::Reg(self.b.ins().binary(BinOp::Rem, Mode::None, rt, a, b))
            }
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => {
                let o = match op {
                    BinaryOp::BitAnd => BinOp::And,
                    BinaryOp::BitOr => BinOp::Or,
                    _ => BinOp::Xor,
                };
                let ity = if t == ScalarTy::Bool { Type::Pred } else { rt.to_bits() };
                let (a, b) =
                    if t == ScalarTy::Bool { (Operand::Reg(self.pred(a)), Operand::Reg(self.pred(b))) } else { (a, b) };
                // Operands of 8-bit values are normalised, so and/or/xor of them are too.
                Operand::Reg(self.b.ins().binary(o, Mode::None, ity, a, b))
            }
            BinaryOp::Shl | BinaryOp::Shr => {
                let amount = self.shift_amount(b, tb, t.bits());
                let a = Operand::Reg(self.reg(a, t));
                if op == BinaryOp::Shl {
                    let r = self.b.ins().binary(BinOp::Shl, Mode::None, rt.to_bits(), a, amount);
                    self.normalize(Operand::Reg(r), t)
                } else {
                    // `shr.sN` is arithmetic, `shr.uN` logical; a normalised 8-bit value shifts correctly in 16 bits.
                    Operand::Reg(self.b.ins().binary(BinOp::Shr, Mode::None, rt, a, amount))
                }
            }
            _ => return self.internal(id, "an unexpected binary operator"),
        };
        Val::Scalar(r, t)
    }

    /// The shift amount as a `.u32` masked to `width - 1` (Rust's release-mode shifts).
    fn shift_amount(&mut self, b: Operand, tb: ScalarTy, width: u32) -> Operand {
        let mask = width - 1;
        match b {
            Operand::Imm(i) => {
                let v = match consts::host_val(i, tb) {
                    HostVal::Int(v) => v,
                    _ => 0,
                };
                Operand::u32((v as u64 as u32) & mask)
            }
            Operand::Reg(r) => {
                let brt = tb.reg_type();
                let r32 = if brt.bits() == 32 {
                    r
                } else {
                    self.b.ins().cvt(CvtMode::None, false, Type::U32, brt.to_unsigned(), r)
                };
                Operand::Reg(self.b.ins().binary(BinOp::And, Mode::None, Type::B32, r32, Operand::u32(mask)))
            }
        }
    }

    pub(super) fn compare(&mut self, op: BinaryOp, a: Operand, b: Operand, t: ScalarTy) -> Reg {
        if t.is_half() {
            // Exactly, in f32.
            let (ra, rb) = (self.reg(a, t), self.reg(b, t));
            let fa = self.half_conv(ra, t, ScalarTy::F32);
            let fb = self.half_conv(rb, t, ScalarTy::F32);
            return self.compare(op, Operand::Reg(fa), Operand::Reg(fb), ScalarTy::F32);
        }
        if t == ScalarTy::Bool {
            // Predicates have no `setp`: build the comparison from logic (false < true).
            let pa = self.pred(a);
            let pb = self.pred(b);
            let mut ins = self.b.ins();
            return match op {
                BinaryOp::Eq => {
                    let x = ins.binary(BinOp::Xor, Mode::None, Type::Pred, pa, pb);
                    ins.unary(UnOp::Not, Mode::None, Type::Pred, x)
                }
                BinaryOp::Ne => ins.binary(BinOp::Xor, Mode::None, Type::Pred, pa, pb),
                BinaryOp::Lt | BinaryOp::Ge => {
                    // a < b  ==  !a & b;  a >= b  ==  a | !b
                    if op == BinaryOp::Lt {
                        let na = ins.unary(UnOp::Not, Mode::None, Type::Pred, pa);
                        ins.binary(BinOp::And, Mode::None, Type::Pred, na, pb)
                    } else {
                        let nb = ins.unary(UnOp::Not, Mode::None, Type::Pred, pb);
                        ins.binary(BinOp::Or, Mode::None, Type::Pred, pa, nb)
                    }
                }
                _ => {
                    // a > b  ==  a & !b;  a <= b  ==  !a | b
                    if op == BinaryOp::Gt {
                        let nb = ins.unary(UnOp::Not, Mode::None, Type::Pred, pb);
                        ins.binary(BinOp::And, Mode::None, Type::Pred, pa, nb)
                    } else {
                        let na = ins.unary(UnOp::Not, Mode::None, Type::Pred, pa);
                        ins.binary(BinOp::Or, Mode::None, Type::Pred, na, pb)
                    }
                }
            };
        }
        let cmp = match op {
            BinaryOp::Eq => CmpOp::Eq,
            // Rust's `!=` is true when either side is NaN: the unordered compare.
            BinaryOp::Ne if t.is_float() => CmpOp::Neu,
            BinaryOp::Ne => CmpOp::Ne,
            BinaryOp::Lt => CmpOp::Lt,
            BinaryOp::Le => CmpOp::Le,
            BinaryOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        self.b.ins().setp(cmp, t.reg_type(), a, b)
    }

    fn logical(&mut self, op: LogicalOp, a: ExprId, b: ExprId, id: ExprId) -> Val {
        let va = self.expr(a);
        self.loc(id);
        let Some((x, _)) = self.scalar(va, a) else { return Val::Unit };
        let is_and = op == LogicalOp::And;
        if let Operand::Imm(i) = x {
            // `false && _` / `true || _` never evaluate the right side.
            let truth = i.0 & 1 != 0;
            if truth != is_and {
                return Val::Scalar(x, ScalarTy::Bool);
            }
            return self.expr(b);
        }
        if is_cheap_and_safe(self.body, b, 8) {
            // Nothing on the right can fault or have an effect: evaluate both and combine.
            let vb = self.expr(b);
            self.loc(id);
            let Some((y, _)) = self.scalar(vb, b) else { return Val::Unit };
            let pa = self.pred(x);
            let pb = self.pred(y);
            let o = if is_and { BinOp::And } else { BinOp::Or };
            return Val::Scalar(Operand::Reg(self.b.ins().binary(o, Mode::None, Type::Pred, pa, pb)), ScalarTy::Bool);
        }
        let res = self.b.ins().mov(Type::Pred, x);
        let rhs = self.b.create_block();
        let join = self.b.create_block();
        let pa = self.pred(x);
        if is_and {
            self.b.branch(pa, rhs, join);
        } else {
            self.b.branch(pa, join, rhs);
        }
        self.open(rhs);
        // The right side runs only on one path: what its checks prove does not hold after the operator.
        let facts = self.facts_mark();
        let vb = self.expr(b);
        self.restore_facts(facts);
        self.loc(id);
        if let Some((y, _)) = self.scalar(vb, b) {
            self.b.ins().mov_to(res, y);
        }
        self.b.jump(join);
        self.open(join);
        Val::Scalar(Operand::Reg(res), ScalarTy::Bool)
    }

    // ----- casts ---------------------------------------------------------------------------------------------

    /// `a as to` where `a: from`. `None` for casts Rust does not have.
    pub(super) fn cast(&mut self, a: Operand, from: ScalarTy, to: ScalarTy) -> Option<Operand> {
        if let Operand::Imm(i) = a {
            let hv = consts::cast(consts::host_val(i, from), to)?;
            return Some(consts::imm(hv, to));
        }
        if from == to {
            return Some(a);
        }
        let (fr, tr) = (from.reg_type(), to.reg_type());
        let r = match a {
            Operand::Reg(r) => r,
            Operand::Imm(_) => return None,
        };
        let mut ins = self.b.ins();
        Some(match (from, to) {
            (ScalarTy::Bool, t) if t.is_int() => Operand::Reg(ins.selp(tr, Operand::u32(1), Operand::u32(0), r)),
            (ScalarTy::Bool, _) | (_, ScalarTy::Bool) => return None,
            (f, t) if f.is_int() && t.is_int() => {
                let moved = if fr.bits() == tr.bits() {
                    // Same register width: the bits are the value (8- and 16-bit values are kept extended by their
                    // own signedness, which is what `as` to a wider or same-width type gives).
                    Operand::Reg(r)
                } else if fr.bits() < tr.bits() {
                    Operand::Reg(ins.cvt(CvtMode::None, false, tr, fr, r))
                } else {
                    // Narrowing keeps the low bits.
                    Operand::Reg(ins.cvt(CvtMode::None, false, tr.to_unsigned(), fr.to_unsigned(), r))
                };
                // A narrow target needs its extension redone when the source is wider or of the other signedness.
                if t.is_narrow_int() && (f.bits() > t.bits() || f.is_signed() != t.is_signed()) {
                    self.normalize(moved, t)
                } else {
                    moved
                }
            }
            (f, t) if f.is_int() && t.is_float() => Operand::Reg(ins.cvt(CvtMode::Rn, false, tr, fr, r)),
            (ScalarTy::F32, ScalarTy::F64) => Operand::Reg(ins.cvt(CvtMode::None, false, Type::F64, Type::F32, r)),
            (ScalarTy::F64, ScalarTy::F32) => Operand::Reg(ins.cvt(CvtMode::Rn, false, Type::F32, Type::F64, r)),
            (f, t) if f.is_float() && t.is_int() => self.float_to_int(r, fr, t),
            _ => return None,
        })
    }

    /// `f as int`: saturating, NaN → 0, exactly as Rust.
    ///
    /// `cvt.rzi` saturates for every pair (PTX ISA: float-to-integer conversions clamp by default). For NaN, measured
    /// on an H200: `cvt.rzi.{s16,s32,u32}.f32` give 0 like Rust, but the 64-bit targets and every `.f64` source give
    /// the most negative value, so those get a fix-up (`setp.nan` + `selp`). 8- and 16-bit targets convert to 32
    /// bits and clamp, so they rely only on the conversions above (and the result is already extended in its
    /// 32-bit register).
    fn float_to_int(&mut self, r: Reg, fr: Type, t: ScalarTy) -> Operand {
        let (cvt_ty, clamp): (Type, Option<(i64, i64)>) = match t {
            ScalarTy::I16 => (Type::S32, Some((-0x8000, 0x7FFF))),
            ScalarTy::I32 => (Type::S32, None),
            ScalarTy::U32 => (Type::U32, None),
            ScalarTy::I64 | ScalarTy::Isize => (Type::S64, None),
            ScalarTy::U64 | ScalarTy::Usize => (Type::U64, None),
            ScalarTy::U8 => (Type::U32, Some((0, 0xFF))),
            ScalarTy::U16 => (Type::U32, Some((0, 0xFFFF))),
            ScalarTy::I8 => (Type::S32, Some((-128, 127))),
            ScalarTy::F32 | ScalarTy::F64 | ScalarTy::Bool | ScalarTy::F16 | ScalarTy::BF16 => return Operand::Reg(r),
        };
        let mut ins = self.b.ins();
        let mut v = ins.cvt(CvtMode::Rzi, false, cvt_ty, fr, r);
        if fr == Type::F64 || cvt_ty.bits() == 64 {
            let nan = ins.setp(CmpOp::Nan, fr, r, r);
            v = ins.selp(cvt_ty, Operand::Imm(Imm(0)), v, nan);
        }
        if let Some((lo, hi)) = clamp {
            if lo != 0 {
                v = ins.binary(BinOp::Max, Mode::None, cvt_ty, v, Operand::Imm(Imm::int(lo, cvt_ty)));
            }
            v = ins.binary(BinOp::Min, Mode::None, cvt_ty, v, Operand::Imm(Imm::int(hi, cvt_ty)));
        }
        Operand::Reg(v)
    }

    // ----- intrinsics and methods ----------------------------------------------------------------------------

    /// Reads the special registers the body uses (`%tid`, `%ctaid`, `%ntid`, `%nctaid`, and `global_idx_x`'s
    /// `mad`) once, at the start: they do not change during a launch, and ptxas does not hoist the reads out of
    /// loops by itself (`%ntid.x` read per iteration of a strided loop is a `ULDC` per iteration in SASS).
    fn read_specials(&mut self) {
        let body = self.body;
        // Likewise the shared arrays' addresses (`mov.u64 %rd, var` each time becomes S2UR/ULEA per access).
        for k in 0..self.shared.len() {
            let v = self.shared[k].var;
            let r = self.b.ins().addr_of(v);
            self.shared_addrs.push((v, r));
        }
        for e in &body.exprs {
            if let ExprKind::Intrinsic(i) = e.kind {
                if i != Intrinsic::SyncThreads && !self.specials.iter().any(|(j, _)| *j == i) {
                    if let Val::Scalar(Operand::Reg(r), _) = self.intrinsic(i) {
                        self.specials.push((i, r));
                    }
                }
            }
        }
    }

    pub(super) fn intrinsic(&mut self, i: Intrinsic) -> Val {
        if let Some(&(_, r)) = self.specials.iter().find(|(j, _)| *j == i) {
            return Val::Scalar(Operand::Reg(r), ScalarTy::U32);
        }
        let mut ins = self.b.ins();
        let r = match i {
            Intrinsic::ThreadIdx(d) => ins.special(SpecialReg::Tid(d)),
            Intrinsic::BlockIdx(d) => ins.special(SpecialReg::Ctaid(d)),
            Intrinsic::BlockDim(d) => ins.special(SpecialReg::Ntid(d)),
            Intrinsic::GridDim(d) => ins.special(SpecialReg::Nctaid(d)),
            Intrinsic::GlobalIdxX => {
                let ctaid = ins.special(SpecialReg::Ctaid(ptx_gen::Dim::X));
                let ntid = ins.special(SpecialReg::Ntid(ptx_gen::Dim::X));
                let tid = ins.special(SpecialReg::Tid(ptx_gen::Dim::X));
                ins.ternary(TernOp::Mad, Mode::Lo, Type::U32, ctaid, ntid, tid)
            }
            Intrinsic::SyncThreads => {
                ins.bar_sync();
                return Val::Unit;
            }
        };
        Val::Scalar(Operand::Reg(r), ScalarTy::U32)
    }

    fn method(&mut self, m: Method, recv: Operand, args: &[Operand], t: ScalarTy) -> Operand {
        if let Method::Math(f) = m {
            return self.math(f, recv, args, t);
        }
        let rt = t.reg_type();
        let recv = Operand::Reg(self.reg(recv, t));
        let arg = |k: usize| args.get(k).copied().unwrap_or(Operand::u32(0));
        let mut ins = self.b.ins();
        let r = match m {
            Method::Abs if t.is_int() => {
                // Rust's (release) `abs` wraps: `MIN.abs() == MIN`. The driver's JIT treats `abs.sN`'s result as
                // never negative (ptxas 13.0 and 13.5 turn `abs.s32` + `rem.s32` into an unsigned remainder, so
                // `i32::MIN.abs() % 127` gave 8), so the absolute value is `x * (x >> (N-1) | 1)`, whose sign it
                // does not presume (docs/differential-testing.md).
                let w = rt.bits();
                let sign = ins.binary(BinOp::Shr, Mode::None, rt, recv, Operand::u32(w - 1));
                let unit = ins.binary(BinOp::Or, Mode::None, rt.to_bits(), sign, Operand::u32(1));
                let r = ins.binary(BinOp::Mul, Mode::Lo, rt, recv, unit);
                return self.normalize(Operand::Reg(r), t);
            }
            Method::Abs => {
                let r = ins.unary(UnOp::Abs, Mode::None, rt, recv);
                return self.normalize(Operand::Reg(r), t);
            }
            Method::Min => ins.binary(BinOp::Min, Mode::None, rt, recv, arg(0)),
            Method::Max => ins.binary(BinOp::Max, Mode::None, rt, recv, arg(0)),
            Method::Sqrt => ins.unary(UnOp::Sqrt, Mode::Rn, rt, recv),
            Method::MulAdd => ins.fma(rt, Mode::Rn, recv, arg(0), arg(1)),
            Method::Floor => ins.cvt(CvtMode::Rmi, false, rt, rt, recv),
            Method::Ceil => ins.cvt(CvtMode::Rpi, false, rt, rt, recv),
            Method::Trunc => ins.cvt(CvtMode::Rzi, false, rt, rt, recv),
            Method::Math(_) => unreachable!("handled above"),
            Method::Round => {
                // Half away from zero: t = trunc(x); if |x - t| >= 0.5 { t + copysign(1, x) } else { t }.
                // `x - t` is exact (the fraction of a float is representable), so there is no double rounding;
                // NaN and ±inf fall through with t (the comparison is false).
                let (half, one, neg_one, zero) = if t == ScalarTy::F32 {
                    (Operand::f32(0.5), Operand::f32(1.0), Operand::f32(-1.0), Operand::f32(0.0))
                } else {
                    (Operand::f64(0.5), Operand::f64(1.0), Operand::f64(-1.0), Operand::f64(0.0))
                };
                let tr = ins.cvt(CvtMode::Rzi, false, rt, rt, recv);
                let frac = ins.binary(BinOp::Sub, Mode::Rn, rt, recv, tr);
                let afrac = ins.unary(UnOp::Abs, Mode::None, rt, frac);
                let negative = ins.setp(CmpOp::Lt, rt, recv, zero);
                let sign = ins.selp(rt, neg_one, one, negative);
                let away = ins.binary(BinOp::Add, Mode::Rn, rt, tr, sign);
                let big = ins.setp(CmpOp::Ge, rt, afrac, half);
                ins.selp(rt, away, tr, big)
            }
        };
        Operand::Reg(r)
    }

    // ----- control flow --------------------------------------------------------------------------------------

    fn if_expr(&mut self, c: ExprId, then: &Block, else_: Option<ExprId>, id: ExprId) -> Val {
        let cv = self.expr(c);
        self.loc(id);
        if let Some(v) = self.select_early(cv, c, then, else_, id) {
            return v;
        }
        let result_ty = self.ty(id).scalar();
        let res = result_ty.map(|t| self.b.func_mut().new_reg(t.reg_type()));
        let then_b = self.b.create_block();
        let else_b = else_.map(|_| self.b.create_block());
        let join = self.b.create_block();
        let else_target = else_b.unwrap_or(join);
        match self.scalar(cv, c) {
            Some((Operand::Imm(i), _)) => self.b.jump(if i.0 & 1 != 0 { then_b } else { else_target }),
            Some((Operand::Reg(p), _)) => self.b.branch(p, then_b, else_target),
            None => self.b.jump(join),
        }
        self.open(then_b);
        let facts = self.facts_mark();
        self.assume(c, false);
        let tv = self.block(then);
        self.restore_facts(facts);
        self.loc(id);
        if let (Some(r), Val::Scalar(op, _)) = (res, tv) {
            self.b.ins().mov_to(r, op);
        }
        self.b.jump(join);
        if let (Some(eb), Some(e)) = (else_b, else_) {
            self.open(eb);
            self.assume(c, true);
            let ev = self.expr(e);
            self.restore_facts(facts);
            self.loc(id);
            if let (Some(r), Val::Scalar(op, _)) = (res, ev) {
                self.b.ins().mov_to(r, op);
            }
            self.b.jump(join);
        }
        self.open(join);
        match (res, result_ty) {
            (Some(r), Some(t)) => Val::Scalar(Operand::Reg(r), t),
            _ => Val::Unit,
        }
    }

    fn for_loop(&mut self, f: &ForLoop, id: ExprId) -> Val {
        // The range (and the step) are evaluated once, before the first iteration.
        let vs = self.expr(f.start);
        let vs = self.stable(vs);
        let ve = self.expr(f.end);
        let ve = self.stable(ve);
        let vstep = f.step.map(|s| {
            let v = self.expr(s);
            self.stable(v)
        });
        self.loc(id);
        let (Some((start, t)), Some((end, _))) = (self.scalar(vs, f.start), self.scalar(ve, f.end)) else {
            return Val::Unit;
        };
        let step = match (vstep, f.step) {
            (Some(v), Some(s)) => match self.scalar(v, s) {
                Some((op, _)) => Some(op),
                None => return Val::Unit,
            },
            _ => None,
        };
        if f.unroll {
            if let Some(v) = self.versioned_unrolled_for(f, start, end, step, t, id) {
                return v;
            }
            return self.unrolled_for(f, start, end, step, t, id);
        }
        if let Some(trips) = self.auto_unroll(f, start, end, step, t, id) {
            // An empty range unrolls to nothing.
            let trips = trips.max(1);
            self.unroll_copies *= trips;
            let v = match self.versioned_unrolled_for(f, start, end, step, t, id) {
                Some(v) => v,
                None => self.unrolled_for(f, start, end, step, t, id),
            };
            self.unroll_copies /= trips;
            return v;
        }
        let rt = t.reg_type();
        let cur = self.b.ins().mov(rt, start);
        self.mark_mutable(cur);
        // `step_by(0)` panics in Rust: stop the kernel.
        let step_narrow = match step {
            Some(Operand::Imm(i)) if i.0 == 0 => {
                self.panic_now(checks::PanicKind::StepByZero, f.step.unwrap_or(id));
                self.open_dead();
                Some(Operand::u64(0))
            }
            Some(Operand::Imm(i)) => Some(Operand::Imm(Imm(ptx_gen::truncate(i.0, rt.bits())))),
            Some(Operand::Reg(s)) => {
                let zero = self.b.ins().setp(CmpOp::Eq, Type::U64, s, Operand::u64(0));
                self.panic_if(
                    zero,
                    checks::PanicKind::StepByZero,
                    f.step.unwrap_or(id),
                    Operand::u64(0),
                    Operand::u64(0),
                );
                Some(if rt.bits() == 64 {
                    Operand::Reg(s)
                } else {
                    Operand::Reg(self.b.ins().cvt(CvtMode::None, false, rt.to_unsigned(), Type::U64, s))
                })
            }
            None => None,
        };
        let body_b = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        // Entry test: is the range empty?
        let first = self.b.ins().setp(if f.inclusive { CmpOp::Le } else { CmpOp::Lt }, rt, cur, end);
        self.b.branch(first, body_b, exit);

        self.loops[f.id.0 as usize] = Some((exit, latch));
        self.open(body_b);
        if let Some(v) = f.var {
            let var_val = if self.body.local(v).mutable {
                let r = self.b.ins().mov(rt, cur);
                self.mark_mutable(r);
                r
            } else {
                cur
            };
            self.locals[v.0 as usize] = Some(Val::Scalar(Operand::Reg(var_val), t));
        }
        let facts = self.facts_mark();
        self.assume_for(f);
        self.block(&f.body);
        self.restore_facts(facts);
        self.loc(id);
        self.b.jump(latch);

        // Latch: decide on the next value without ever overflowing the counter's type.
        self.open(latch);
        let incr = self.b.create_block();
        match (step, step_narrow) {
            (None, _) => {
                // cur < end ⇒ cur + 1 ≤ end: no overflow. Exclusive: continue while cur + 1 < end;
                // inclusive: while cur < end (then step to cur + 1 ≤ end).
                if f.inclusive {
                    let more = self.b.ins().setp(CmpOp::Lt, rt, cur, end);
                    self.b.branch(more, incr, exit);
                    self.open(incr);
                    let n = self.b.ins().add(rt, Mode::None, cur, one(rt));
                    self.b.ins().mov_to(cur, n);
                    self.b.jump(body_b);
                } else {
                    self.b.jump(incr);
                    self.open(incr);
                    let n = self.b.ins().add(rt, Mode::None, cur, one(rt));
                    self.b.ins().mov_to(cur, n);
                    let more = self.b.ins().setp(CmpOp::Lt, rt, cur, end);
                    self.b.branch(more, body_b, exit);
                }
            }
            (Some(step64), Some(step_t)) => {
                // remaining = end - cur (as unsigned: cur ≤ end); go on while step < remaining (exclusive) or
                // step ≤ remaining (inclusive); then cur + step stays in range.
                let ut = rt.to_unsigned();
                let rem = self.b.ins().sub(ut, Mode::None, end, cur);
                let rem64 =
                    if ut.bits() == 64 { rem } else { self.b.ins().cvt(CvtMode::None, false, Type::U64, ut, rem) };
                let cmp = if f.inclusive { CmpOp::Le } else { CmpOp::Lt };
                let more = self.b.ins().setp(cmp, Type::U64, step64, rem64);
                self.b.branch(more, incr, exit);
                self.open(incr);
                let n = self.b.ins().add(rt, Mode::None, cur, step_t);
                self.b.ins().mov_to(cur, n);
                self.b.jump(body_b);
            }
            _ => {}
        }
        self.open(exit);
        Val::Unit
    }
}

impl Lowerer<'_, '_, '_> {
    /// An inlined `#[ptx_device]` call: arguments left to right, parameters bound (a `mut` parameter gets its own
    /// register), the body, and `return`s jumping to the end with the result register assigned.
    fn inline(&mut self, inl: &Inline, id: ExprId) -> Val {
        let body = self.body;
        let mut vals = Vec::with_capacity(inl.params.len());
        for (k, (_, a)) in inl.params.iter().enumerate() {
            let v = self.expr(*a);
            let later_pure = inl.params[k + 1..].iter().all(|(_, x)| is_pure(body, *x));
            vals.push(if later_pure { v } else { self.stable(v) });
        }
        self.loc(id);
        for ((l, _), v) in inl.params.iter().zip(vals) {
            let v = if self.body.local(*l).mutable {
                match v {
                    Val::Scalar(op, t) => {
                        let r = self.b.ins().mov(t.reg_type(), op);
                        self.mark_mutable(r);
                        Val::Scalar(Operand::Reg(r), t)
                    }
                    v => v,
                }
            } else {
                self.stable(v)
            };
            self.locals[l.0 as usize] = Some(v);
        }
        let result = inl.ret.map(|t| self.b.func_mut().new_reg(t.reg_type()));
        let exit = self.b.create_block();
        self.frames.insert(inl.frame.0, (exit, result));
        let v = self.block(&inl.body);
        self.loc(id);
        if let (Some(r), Val::Scalar(op, _)) = (result, v) {
            self.b.ins().mov_to(r, op);
        }
        self.b.jump(exit);
        self.open(exit);
        self.frames.remove(&inl.frame.0);
        match (result, inl.ret) {
            (Some(r), Some(t)) => Val::Scalar(Operand::Reg(r), t),
            _ => Val::Unit,
        }
    }

    /// `#[unroll] for v in a..b` with constant bounds: the body once per value, `v` a constant in each copy;
    /// `continue` jumps to the next copy, `break` past the last.
    fn unrolled_for(
        &mut self,
        f: &ForLoop,
        start: Operand,
        end: Operand,
        step: Option<Operand>,
        t: ScalarTy,
        id: ExprId,
    ) -> Val {
        const MAX_UNROLL: u64 = 1024;
        let span = self.span(id);
        let values = match const_range_values(f, start, end, step, t, MAX_UNROLL as usize + 1) {
            Ok(v) => v,
            Err(ConstRangeError::Bounds) => {
                self.errors.at(span, "`#[unroll]` needs a range with constant bounds (literals), e.g. `0..8`");
                return Val::Unit;
            }
            Err(ConstRangeError::Step) => {
                self.errors.at(span, "`#[unroll]` needs a constant, positive `step_by`");
                return Val::Unit;
            }
        };
        if values.len() as u64 > MAX_UNROLL {
            self.errors.at(span, format!("`#[unroll]` of more than {MAX_UNROLL} iterations"));
            return Val::Unit;
        }
        let first = f.start.0.max(f.end.0).max(f.step.map_or(0, |s| s.0)) + 1;
        let early = self.early_loads(f, &values, t, first, id);
        let exit = self.b.create_block();
        for (v, loads) in values.into_iter().zip(early) {
            let outer = std::mem::replace(&mut self.prefetched, loads);
            let next = self.b.create_block();
            if let Some(var) = f.var {
                let c = consts::imm(HostVal::Int(v), t);
                let bound = if self.body.local(var).mutable {
                    let r = self.b.ins().mov(t.reg_type(), c);
                    self.mark_mutable(r);
                    Operand::Reg(r)
                } else {
                    c
                };
                self.locals[var.0 as usize] = Some(Val::Scalar(bound, t));
            }
            self.loops[f.id.0 as usize] = Some((exit, next));
            let facts = self.facts_mark();
            self.assume_unrolled_var(f, v);
            self.block(&f.body);
            self.restore_facts(facts);
            self.prefetched = outer;
            self.loc(id);
            self.b.jump(next);
            self.open(next);
        }
        self.b.jump(exit);
        self.open(exit);
        Val::Unit
    }

    /// Whether a `for` loop without `#[unroll]` is unrolled anyway, as NVCC/LLVM unroll small constant loops: its
    /// bounds and step are constants (after folding), it runs at most [`AUTO_UNROLL_MAX_TRIPS`] times, and its
    /// copies, times those of the enclosing unrolled loops, stay within [`AUTO_UNROLL_BUDGET`] expressions. The
    /// trip count when it is. Unrolling keeps the semantics (the variable takes the same values, in order;
    /// `break`/`continue` jump past the last copy / to the next one) and makes the variable a constant in each
    /// copy, so that the index arithmetic derived from it folds and independent iterations (e.g. their loads)
    /// can overlap. Loops holding inline PTX are left alone (its labels would be repeated).
    fn auto_unroll(
        &self,
        f: &ForLoop,
        start: Operand,
        end: Operand,
        step: Option<Operand>,
        t: ScalarTy,
        id: ExprId,
    ) -> Option<u64> {
        let values = const_range_values(f, start, end, step, t, AUTO_UNROLL_MAX_TRIPS as usize + 1).ok()?;
        let trips = values.len() as u64;
        if trips > AUTO_UNROLL_MAX_TRIPS {
            return None;
        }
        let size = loop_body_size(self.body, f, id)?;
        (self.unroll_copies.saturating_mul(trips).saturating_mul(size) <= AUTO_UNROLL_BUDGET).then_some(trips)
    }

    /// `while c { blk }`: unrolled when its shape allows (see [`unroll`]), else as a loop.
    pub(super) fn plain_while(&mut self, lp: LoopId, c: ExprId, blk: &Block, id: ExprId) -> Val {
        match self.dyn_unrolled_while(lp, c, blk, id) {
            Some(v) => v,
            None => self.loop_while(lp, c, blk, id),
        }
    }

    /// `while c { blk }` as a loop.
    pub(super) fn loop_while(&mut self, lp: LoopId, c: ExprId, blk: &Block, id: ExprId) -> Val {
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let exit = self.b.create_block();
        self.b.jump(header);
        self.open(header);
        let cv = self.expr(c);
        self.loc(id);
        match self.scalar(cv, c) {
            Some((Operand::Imm(i), _)) => self.b.jump(if i.0 & 1 != 0 { body_b } else { exit }),
            Some((Operand::Reg(p), _)) => self.b.branch(p, body_b, exit),
            None => self.b.jump(exit),
        }
        self.loops[lp.0 as usize] = Some((exit, header));
        self.open(body_b);
        let facts = self.facts_mark();
        self.assume(c, false);
        self.block(blk);
        self.restore_facts(facts);
        self.loc(id);
        self.b.jump(header);
        self.open(exit);
        Val::Unit
    }

    /// `let mut v = a; while v < b { …; v = v op c; }` (any comparison of `v` with a literal, the update a
    /// literal `+`, `-`, `*`, `<<`, `>>` or `/` and the body's last statement, `v` assigned nowhere else in the
    /// body, no `continue` of this loop), with as few trips as [`Lowerer::auto_unroll`] takes: the body once per
    /// trip without the condition, which is known to hold before each copy and to fail after the last (the values
    /// of `v` simulated with the kernel's wrapping arithmetic). `v` stays a register updated by the copies, so
    /// `break`, `return` and the value of `v` after the loop are as before. `None`: lowered as a loop.
    fn unrolled_while(
        &mut self,
        lp: LoopId,
        c: ExprId,
        blk: &Block,
        id: ExprId,
        entry: (LocalId, ExprId),
    ) -> Option<Val> {
        let body = self.body;
        let (v, init) = entry;
        let Ty::Scalar(t) = self.types.local(v) else { return None };
        if !t.is_int() {
            return None;
        }
        let is_v = |e: ExprId| matches!(body.expr(e).kind, ExprKind::Local(l) if l == v);
        // The condition: `v cmp lit` or `lit cmp v`.
        let (cmp, lit, v_left) = match body.expr(c).kind {
            ExprKind::Binary(op, a, b) if op.is_comparison() && is_v(a) && is_int_lit(body, b) => (op, b, true),
            ExprKind::Binary(op, a, b) if op.is_comparison() && is_v(b) && is_int_lit(body, a) => (op, a, false),
            _ => return None,
        };
        // The update: the last statement.
        let last = blk.tail.or_else(|| match blk.stmts.last() {
            Some(Stmt::Expr(e)) => Some(*e),
            _ => None,
        })?;
        let (op, step) = match body.expr(last).kind {
            ExprKind::CompoundAssign(op, Place::Local(l), k) if l == v && is_int_lit(body, k) => (op, k),
            ExprKind::Assign(Place::Local(l), x) if l == v => match body.expr(x).kind {
                ExprKind::Binary(op, a, k) if is_v(a) && is_int_lit(body, k) => (op, k),
                _ => return None,
            },
            _ => return None,
        };
        if !matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Shl | BinaryOp::Shr | BinaryOp::Div)
        {
            return None;
        }
        // Nothing else assigns `v`; no `continue` of this loop (it would skip the update); no inline PTX.
        let first = c.0 + 1;
        let others = blk.stmts.iter().filter_map(|st| match st {
            Stmt::Expr(e) if *e != last => Some(*e),
            Stmt::Let { init: Some(i), .. } => Some(*i),
            _ => None,
        });
        for e in others {
            let mut assigned = Vec::new();
            checks::assigned_locals(body, e, &mut assigned);
            if assigned.contains(&v) {
                return None;
            }
        }
        let mut size = 0u64;
        for e in body.exprs.get(first as usize..id.0 as usize)? {
            size += match &e.kind {
                ExprKind::Continue(l) if *l == lp => return None,
                ExprKind::Seed(op) if matches!(**op, super::seed::SeedOp::Asm(_)) => return None,
                ExprKind::Method(Method::Math(_), ..) => MATH_WEIGHT,
                _ => 1,
            };
        }
        // The trips.
        let imm = |this: &mut Self, e: ExprId| match this.expr(e) {
            Val::Scalar(Operand::Imm(i), ty) => Some((Operand::Imm(i), ty)),
            _ => None,
        };
        let (mut cur, _) = imm(self, init)?;
        let (bound, bt) = imm(self, lit)?;
        let (k, kt) = imm(self, step)?;
        let mut trips = 0u64;
        loop {
            let holds = if v_left { fold_int(cmp, cur, bound, t, bt) } else { fold_int(cmp, bound, cur, bt, t) };
            match holds? {
                Val::Scalar(Operand::Imm(b), _) if b.0 & 1 == 0 => break,
                Val::Scalar(Operand::Imm(_), _) => {}
                _ => return None,
            }
            trips += 1;
            if trips > AUTO_UNROLL_MAX_TRIPS {
                return None;
            }
            cur = match fold_int(op, cur, k, t, kt)? {
                Val::Scalar(n @ Operand::Imm(_), _) => n,
                _ => return None,
            };
        }
        if self.unroll_copies.saturating_mul(trips).saturating_mul(size) > AUTO_UNROLL_BUDGET {
            return None;
        }
        if trips == 0 {
            // The condition (a pure comparison) fails at once.
            return Some(Val::Unit);
        }
        self.unroll_copies *= trips;
        let exit = self.b.create_block();
        for _ in 0..trips {
            let next = self.b.create_block();
            self.loops[lp.0 as usize] = Some((exit, next));
            let facts = self.facts_mark();
            self.assume(c, false);
            self.block(blk);
            self.restore_facts(facts);
            self.loc(id);
            self.b.jump(next);
            self.open(next);
        }
        self.b.jump(exit);
        self.open(exit);
        self.unroll_copies /= trips;
        Some(Val::Unit)
    }
}

/// Whether `e` is an integer literal (possibly negated).
fn is_int_lit(body: &Body, e: ExprId) -> bool {
    match body.exprs.get(e.0 as usize).map(|x| &x.kind) {
        Some(ExprKind::Lit(Lit::Int(..))) => true,
        Some(ExprKind::Unary(UnaryOp::Neg, a)) => {
            matches!(body.exprs.get(a.0 as usize).map(|x| &x.kind), Some(ExprKind::Lit(Lit::Int(..))))
        }
        _ => false,
    }
}

/// The most iterations of a `for` loop unrolled without `#[unroll]`.
const AUTO_UNROLL_MAX_TRIPS: u64 = 16;
/// The most expressions (weighted, see [`loop_body_size`]) that automatic unrolling may put in the kernel for one
/// loop, counting the copies made by enclosing unrolled loops.
const AUTO_UNROLL_BUDGET: u64 = 512;
/// What a transcendental method (an inline sequence of tens of instructions) counts for in [`loop_body_size`].
const MATH_WEIGHT: u64 = 32;

/// The number of values of a constant range (`None`: not constant, or more than 1024).
fn const_trip_count(f: &ForLoop, start: Operand, end: Operand, step: Option<Operand>, t: ScalarTy) -> Option<u64> {
    let v = const_range_values(f, start, end, step, t, 1025).ok()?;
    (v.len() <= 1024).then_some(v.len() as u64)
}

/// The largest value of a constant, non-empty range of an unsigned type.
pub(super) fn const_range_values_max(
    f: &ForLoop,
    start: Operand,
    end: Operand,
    step: Option<Operand>,
    t: ScalarTy,
) -> Option<u64> {
    let v = const_range_values(f, start, end, step, t, 1025).ok()?;
    v.iter().copied().max().and_then(|m| u64::try_from(m).ok())
}

/// Why a range is not a constant one.
enum ConstRangeError {
    Bounds,
    Step,
}

/// The values the variable of `for v in start..end` (`..=`, `.step_by(step)`) takes, when the bounds and the step
/// are constants (at most `limit` of them).
fn const_range_values(
    f: &ForLoop,
    start: Operand,
    end: Operand,
    step: Option<Operand>,
    t: ScalarTy,
    limit: usize,
) -> Result<Vec<i128>, ConstRangeError> {
    let (Operand::Imm(a), Operand::Imm(b)) = (start, end) else {
        return Err(ConstRangeError::Bounds);
    };
    let step = match step {
        None => 1,
        Some(Operand::Imm(s)) if s.0 > 0 => s.0 as i128,
        _ => return Err(ConstRangeError::Step),
    };
    let val = |i: Imm| match consts::host_val(i, t) {
        HostVal::Int(v) => v,
        _ => 0,
    };
    let (lo, hi) = (val(a), val(b));
    let hi = if f.inclusive { hi } else { hi - 1 };
    Ok(if hi < lo { Vec::new() } else { (0..).map(|k| lo + k * step).take_while(|v| *v <= hi).take(limit).collect() })
}

/// The size of the body of the `for` loop `id` in expressions (a transcendental method counts
/// [`MATH_WEIGHT`]); `None` when it holds inline PTX. `check` pushes the expressions of the body (inlined device
/// functions included) right after those of the range and the step, and the loop itself right after them, so
/// the body is exactly the expressions between.
fn loop_body_size(body: &Body, f: &ForLoop, id: ExprId) -> Option<u64> {
    let first = f.start.0.max(f.end.0).max(f.step.map_or(0, |s| s.0)) + 1;
    let mut size = 0u64;
    for e in body.exprs.get(first as usize..id.0 as usize)? {
        size += match &e.kind {
            ExprKind::Seed(op) if matches!(**op, super::seed::SeedOp::Asm(_)) => return None,
            ExprKind::Method(Method::Math(_), ..) => MATH_WEIGHT,
            _ => 1,
        };
    }
    Some(size)
}

/// `a op b` of two integer immediates, folded with the kernel's (release-mode Rust) semantics, so that indices
/// computed from `#[unroll]` variables stay constants. Division and remainder by zero and `MIN / -1` are left to
/// the instructions.
fn fold_int(op: BinaryOp, a: Operand, b: Operand, t: ScalarTy, tb: ScalarTy) -> Option<Val> {
    let (Operand::Imm(ia), Operand::Imm(ib)) = (a, b) else { return None };
    if !t.is_int() || !tb.is_int() {
        return None;
    }
    let (HostVal::Int(x), HostVal::Int(y)) = (consts::host_val(ia, t), consts::host_val(ib, tb)) else {
        return None;
    };
    let bits = t.bits();
    let cmp = |c: bool| Some(Val::Scalar(consts::imm(HostVal::Bool(c), ScalarTy::Bool), ScalarTy::Bool));
    let v = match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x.checked_mul(y)?,
        BinaryOp::Div | BinaryOp::Rem => {
            if y == 0 || (t.is_signed() && y == -1) {
                return None;
            }
            if op == BinaryOp::Div {
                x / y
            } else {
                x % y
            }
        }
        BinaryOp::BitAnd => x & y,
        BinaryOp::BitOr => x | y,
        BinaryOp::BitXor => x ^ y,
        BinaryOp::Shl => x << ((y as u32) & (bits - 1)),
        BinaryOp::Shr => {
            let s = (y as u32) & (bits - 1);
            if t.is_signed() {
                x >> s
            } else {
                let mask = if bits == 128 { -1i128 } else { (1i128 << bits) - 1 };
                (x & mask) >> s
            }
        }
        BinaryOp::Eq => return cmp(x == y),
        BinaryOp::Ne => return cmp(x != y),
        BinaryOp::Lt => return cmp(x < y),
        BinaryOp::Le => return cmp(x <= y),
        BinaryOp::Gt => return cmp(x > y),
        BinaryOp::Ge => return cmp(x >= y),
    };
    Some(Val::Scalar(consts::imm(HostVal::Int(consts::wrap_int(v, t)), t), t))
}

/// The immediate 1 of an integer register type.
fn one(rt: Type) -> Operand {
    Operand::Imm(Imm::int(1, rt))
}

/// Whether evaluating `e` can neither assign nor access memory (so the order of evaluating it against its
/// neighbours does not matter).
pub(super) fn is_pure(body: &Body, e: ExprId) -> bool {
    let mut ok = true;
    visit(body, e, &mut |k| {
        if matches!(
            k,
            ExprKind::Assign(..)
                | ExprKind::CompoundAssign(..)
                | ExprKind::Intrinsic(Intrinsic::SyncThreads)
                | ExprKind::Seed(_)
                | ExprKind::MemCall(
                    super::intrinsics::MemCall::Atomic(_) | super::intrinsics::MemCall::StoreVec(_),
                    ..
                )
                | ExprKind::Break(_)
                | ExprKind::Continue(_)
                | ExprKind::Return
                | ExprKind::Loop(..)
                | ExprKind::While(..)
                | ExprKind::For(_)
                | ExprKind::Block(_)
                | ExprKind::Inline(_)
                | ExprKind::FrameReturn(..)
                | ExprKind::If(..)
        ) {
            ok = false;
        }
        if let ExprKind::Call(c, _) = k {
            if c.has_effect() {
                ok = false;
            }
        }
    });
    ok
}

/// Whether the place's own sub-expressions (an index) are pure.
fn place_is_pure(body: &Body, p: &Place) -> bool {
    match p {
        Place::Local(_) => true,
        Place::Index(_, i) => is_pure(body, *i),
        Place::Elem(_, i, j) => is_pure(body, *i) && j.is_none_or(|j| is_pure(body, j)),
    }
}

/// Whether `e` is small, pure and cannot fault: worth evaluating eagerly on the right of `&&`/`||`.
fn is_cheap_and_safe(body: &Body, e: ExprId, budget: usize) -> bool {
    let mut count = 0usize;
    let mut ok = true;
    visit(body, e, &mut |k| {
        count += 1;
        match k {
            ExprKind::Lit(_)
            | ExprKind::Const(..)
            | ExprKind::Local(_)
            | ExprKind::Unary(..)
            | ExprKind::Cast(..)
            | ExprKind::Len(_)
            | ExprKind::Intrinsic(
                Intrinsic::ThreadIdx(_)
                | Intrinsic::BlockIdx(_)
                | Intrinsic::BlockDim(_)
                | Intrinsic::GridDim(_)
                | Intrinsic::GlobalIdxX,
            ) => {}
            ExprKind::Binary(op, ..) if !matches!(op, BinaryOp::Div | BinaryOp::Rem) => {}
            _ => ok = false,
        }
    });
    ok && count <= budget
}

/// Calls `f` on `e` and every expression below it (not descending into blocks: they are impure for our uses).
fn visit(body: &Body, e: ExprId, f: &mut dyn FnMut(&ExprKind)) {
    visit_ids(body, e, &mut |_, k| f(k));
}

/// [`visit`] with each expression's id.
fn visit_ids(body: &Body, e: ExprId, f: &mut dyn FnMut(ExprId, &ExprKind)) {
    let Some(x) = body.exprs.get(e.0 as usize) else { return };
    f(e, &x.kind);
    match &x.kind {
        ExprKind::Unary(_, a)
        | ExprKind::Cast(a, _)
        | ExprKind::Index(_, a)
        | ExprKind::Repeat(a, _, _)
        | ExprKind::HalfConv(a, _, _) => visit_ids(body, *a, f),
        ExprKind::Elem(a, b) => {
            visit_ids(body, *a, f);
            visit_ids(body, *b, f);
        }
        ExprKind::Array(elems) => {
            for a in elems {
                visit_ids(body, *a, f);
            }
        }
        ExprKind::Binary(_, a, b) | ExprKind::Logical(_, a, b) => {
            visit_ids(body, *a, f);
            visit_ids(body, *b, f);
        }
        ExprKind::Assign(p, v) | ExprKind::CompoundAssign(_, p, v) => {
            match p {
                Place::Index(_, i) => visit_ids(body, *i, f),
                Place::Elem(_, i, j) => {
                    visit_ids(body, *i, f);
                    if let Some(j) = j {
                        visit_ids(body, *j, f);
                    }
                }
                Place::Local(_) => {}
            }
            visit_ids(body, *v, f);
        }
        ExprKind::Method(_, r, args) => {
            visit_ids(body, *r, f);
            for a in args {
                visit_ids(body, *a, f);
            }
        }
        ExprKind::Call(_, args) => {
            for a in args {
                visit_ids(body, *a, f);
            }
        }
        ExprKind::MemCall(_, _, i, args) => {
            visit_ids(body, *i, f);
            for a in args {
                visit_ids(body, *a, f);
            }
        }
        _ => {}
    }
}
