//! One test per verifier invariant: a minimal violation is rejected with a message naming the problem, and the
//! closest valid form is accepted.

use ptx_gen::verify::{check_inst_kind, verify_function, verify_module, VerifyError};
use ptx_gen::*;

// ----- helpers ---------------------------------------------------------------------------------------------------

/// A kernel with one `u64` parameter and registers of `tys`; checks `make(regs)` alone.
fn check(tys: &[Type], make: impl FnOnce(&[Reg]) -> InstKind) -> Result<(), String> {
    let mut f = Function::kernel("k");
    f.add_param("p", Type::U64);
    let regs: Vec<Reg> = tys.iter().map(|&t| f.new_reg(t)).collect();
    check_inst_kind(&f, None, &make(&regs))
}

#[track_caller]
fn rejects(tys: &[Type], needle: &str, make: impl FnOnce(&[Reg]) -> InstKind) {
    match check(tys, make) {
        Ok(()) => panic!("accepted; expected an error containing {needle:?}"),
        Err(e) => assert!(e.contains(needle), "error {e:?} does not contain {needle:?}"),
    }
}

#[track_caller]
fn accepts(tys: &[Type], make: impl FnOnce(&[Reg]) -> InstKind) {
    if let Err(e) = check(tys, make) {
        panic!("rejected: {e}");
    }
}

fn rg(regs: &[Reg], i: usize) -> Operand {
    Operand::Reg(regs[i])
}

fn bin(op: BinOp, mode: Mode, ty: Type, regs: &[Reg]) -> InstKind {
    InstKind::Binary { op, mode, ty, dst: regs[0], a: rg(regs, 1), b: rg(regs, 2) }
}

fn cvt(mode: CvtMode, dst_ty: Type, src_ty: Type, regs: &[Reg]) -> InstKind {
    InstKind::Cvt { mode, sat: false, dst_ty, src_ty, dst: regs[0], src: rg(regs, 1) }
}

fn reasons(f: &Function) -> Vec<String> {
    match verify_function(f, None) {
        Ok(()) => vec![],
        Err(errs) => errs.iter().map(|e| e.to_string()).collect(),
    }
}

#[track_caller]
fn assert_one_error(f: &Function, needle: &str) {
    let rs = reasons(f);
    assert!(
        rs.iter().any(|r| r.contains(needle)),
        "expected an error containing {needle:?}, got {rs:#?}\n{}",
        f.display()
    );
}

/// A device function `f(a: u32) -> u32` built by `body`, which must end its blocks.
fn device(body: impl FnOnce(&mut FunctionBuilder, Reg, Reg)) -> Function {
    let mut f = Function::device("f");
    f.add_param("a", Type::U32);
    let ret = f.add_return(Type::U32);
    let a = f.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    body(&mut b, a, ret);
    b.finish().unwrap();
    f
}

// ----- operand types ---------------------------------------------------------------------------------------------

#[test]
fn integer_instructions_reject_float_registers_and_vice_versa() {
    use Type::*;
    rejects(&[U32, F32, U32], "v1 is a f32 register", |r| bin(BinOp::Add, Mode::None, U32, r));
    rejects(&[F32, U32, F32], "v1 is a u32 register", |r| bin(BinOp::Add, Mode::Rn, F32, r));
    // `.bN` registers go with any type of their width, s32 with u32.
    accepts(&[F32, B32, F32], |r| bin(BinOp::Add, Mode::Rn, F32, r));
    accepts(&[U32, S32, B32], |r| bin(BinOp::Add, Mode::None, U32, r));
    rejects(&[U64, U32, U64], "v1 is a u32 register", |r| bin(BinOp::Add, Mode::None, U64, r));
    rejects(&[F16, BF16, F16], "v1 is a bf16 register", |r| bin(BinOp::Add, Mode::Rn, F16, r));
}

#[test]
fn mov_bits_types_reinterpret_but_integer_types_do_not() {
    use Type::*;
    accepts(&[F32, U32], |r| InstKind::Mov { ty: B32, dst: r[0], src: rg(r, 1) });
    rejects(&[F32, U32], "cannot hold a .u32 result", |r| InstKind::Mov { ty: U32, dst: r[0], src: rg(r, 1) });
    rejects(&[U32, U64], "v1 is a u64 register", |r| InstKind::Mov { ty: B32, dst: r[0], src: rg(r, 1) });
    // The writer spells half-precision moves as .b16, so their immediates are fine.
    accepts(&[F16], |r| InstKind::Mov { ty: F16, dst: r[0], src: Operand::u32(0x3C00) });
}

#[test]
fn predicates_only_where_predicates_go() {
    use Type::*;
    rejects(&[U32, Pred, U32], "v1 is a pred register", |r| bin(BinOp::Add, Mode::None, U32, r));
    rejects(&[U32, U32, U32], "cannot hold a .pred result", |r| InstKind::Setp {
        cmp: CmpOp::Eq,
        ty: U32,
        dst: r[0],
        a: rg(r, 1),
        b: rg(r, 2),
    });
    rejects(&[U32, U32, U32, U32], "condition v3 is a u32 register", |r| InstKind::Selp {
        ty: U32,
        dst: r[0],
        a: rg(r, 1),
        b: rg(r, 2),
        cond: r[3],
    });
    rejects(&[Pred], "immediate 0x2 does not fit .pred", |_| InstKind::Mov {
        ty: Pred,
        dst: Reg(0),
        src: Operand::u32(2),
    });
}

#[test]
fn shift_amounts_are_u32() {
    use Type::*;
    accepts(&[B64, B64, U32], |r| bin(BinOp::Shl, Mode::None, B64, r));
    rejects(&[B64, B64, U64], "shift amount v2 is a u64 register", |r| bin(BinOp::Shl, Mode::None, B64, r));
    rejects(&[B32, B32], "does not fit .u32", |r| InstKind::Binary {
        op: BinOp::Shl,
        mode: Mode::None,
        ty: B32,
        dst: r[0],
        a: rg(r, 1),
        b: Operand::u64(1 << 32),
    });
}

#[test]
fn immediates_fit_their_type() {
    use Type::*;
    rejects(&[U16, U16], "0x10000 does not fit .u16", |r| InstKind::Binary {
        op: BinOp::Add,
        mode: Mode::None,
        ty: U16,
        dst: r[0],
        a: rg(r, 1),
        b: Operand::u32(0x1_0000),
    });
    // Negative values are stored truncated: -1 of .s32 is 0xFFFFFFFF.
    accepts(&[S32, S32], |r| InstKind::Binary {
        op: BinOp::Add,
        mode: Mode::None,
        ty: S32,
        dst: r[0],
        a: rg(r, 1),
        b: Operand::Imm(Imm::int(-1, S32)),
    });
    rejects(&[S32, S32], "does not fit .s32", |r| InstKind::Binary {
        op: BinOp::Add,
        mode: Mode::None,
        ty: S32,
        dst: r[0],
        a: rg(r, 1),
        b: Operand::u64(u64::MAX),
    });
    rejects(&[F16, F16], "cannot be an immediate of type .f16", |r| InstKind::Binary {
        op: BinOp::Add,
        mode: Mode::Rn,
        ty: F16,
        dst: r[0],
        a: rg(r, 1),
        b: Operand::u32(0x3C00),
    });
}

// ----- modifiers -------------------------------------------------------------------------------------------------

#[test]
fn rounding_and_multiply_modes() {
    use Type::*;
    for m in [Mode::None, Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp] {
        accepts(&[F32, F32, F32], |r| bin(BinOp::Add, m, F32, r));
        accepts(&[F64, F64, F64], |r| bin(BinOp::Mul, m, F64, r));
    }
    rejects(&[F32, F32, F32], "does not take .approx", |r| bin(BinOp::Add, Mode::Approx, F32, r));
    rejects(&[F16, F16, F16], "does not take .rz", |r| bin(BinOp::Add, Mode::Rz, F16, r));
    rejects(&[U32, U32, U32], "`mul.u32` does not take no modifier", |r| bin(BinOp::Mul, Mode::None, U32, r));
    accepts(&[U64, U32, U32], |r| bin(BinOp::Mul, Mode::Wide, U32, r));
    rejects(&[U64, U64, U64], "`mul.wide` takes 16- or 32-bit", |r| bin(BinOp::Mul, Mode::Wide, U64, r));
    rejects(&[S32, S32, S32], "does not take .rn", |r| bin(BinOp::Add, Mode::Rn, S32, r));
    rejects(&[F32, F32, F32], "`div.f32` does not take no modifier", |r| bin(BinOp::Div, Mode::None, F32, r));
    accepts(&[F32, F32, F32], |r| bin(BinOp::Div, Mode::Full, F32, r));
    rejects(&[F64, F64, F64], "`div.f64` does not take .approx", |r| bin(BinOp::Div, Mode::Approx, F64, r));
    rejects(&[F32, F32, F32, F32], "`fma.f32` does not take no modifier", |r| InstKind::Ternary {
        op: TernOp::Fma,
        mode: Mode::None,
        ty: F32,
        dst: r[0],
        a: rg(r, 1),
        b: rg(r, 2),
        c: rg(r, 3),
    });
    rejects(&[F64, F64], "`sqrt.f64` does not take .approx", |r| InstKind::Unary {
        op: UnOp::Sqrt,
        mode: Mode::Approx,
        ty: F64,
        dst: r[0],
        src: rg(r, 1),
    });
    rejects(&[U8, U8, U8], "`add` does not take .u8", |r| bin(BinOp::Add, Mode::None, U8, r));
    rejects(&[U32, U32], "`neg` does not take .u32", |r| InstKind::Unary {
        op: UnOp::Neg,
        mode: Mode::None,
        ty: U32,
        dst: r[0],
        src: rg(r, 1),
    });
}

#[test]
fn setp_comparisons_match_the_type() {
    use Type::*;
    let setp = |cmp, ty| move |r: &[Reg]| InstKind::Setp { cmp, ty, dst: r[0], a: rg(r, 1), b: rg(r, 2) };
    accepts(&[Pred, U32, U32], setp(CmpOp::Lo, U32));
    rejects(&[Pred, S32, S32], "unsigned comparison", setp(CmpOp::Lo, S32));
    rejects(&[Pred, S32, S32], "float comparison", setp(CmpOp::Equ, S32));
    rejects(&[Pred, B32, B32], "compare only eq/ne", setp(CmpOp::Lt, B32));
    accepts(&[Pred, F32, F32], setp(CmpOp::Nan, F32));
    rejects(&[Pred, Pred, Pred], "`setp` does not take .pred", setp(CmpOp::Eq, Pred));
}

#[test]
fn cvt_rounding_rules() {
    use Type::*;
    rejects(&[S32, F32], "float-to-integer conversions need .rni", |r| cvt(CvtMode::None, S32, F32, r));
    accepts(&[S32, F32], |r| cvt(CvtMode::Rzi, S32, F32, r));
    rejects(&[F32, S32], "integer-to-float conversions need .rn", |r| cvt(CvtMode::None, F32, S32, r));
    rejects(&[F32, F64], "narrowing float conversions need", |r| cvt(CvtMode::None, F32, F64, r));
    rejects(&[F64, F32], "widening float conversions take no rounding", |r| cvt(CvtMode::Rn, F64, F32, r));
    accepts(&[F32, F32], |r| cvt(CvtMode::Rni, F32, F32, r));
    rejects(&[S32, S32], "integer-to-integer conversions take no rounding", |r| cvt(CvtMode::Rni, S32, S32, r));
    rejects(&[B32, U32], "`cvt` does not take .b32", |r| cvt(CvtMode::None, B32, U32, r));
    // Destination/source registers follow the types, but integers may sit in wider integer registers.
    rejects(&[F32, U32], "which cannot hold a .s32 value", |r| cvt(CvtMode::None, S32, U32, r));
    accepts(&[U32, U16], |r| cvt(CvtMode::None, U8, U16, r));
    rejects(&[U32, U32], "v1 is a u32 register", |r| cvt(CvtMode::None, U32, U64, r));
}

// ----- memory ----------------------------------------------------------------------------------------------------

fn ld(access: MemAccess, dsts: &[Reg], base: Reg) -> InstKind {
    InstKind::Ld { access, dsts: dsts.to_vec(), addr: Address::reg(base) }
}

fn st(access: MemAccess, srcs: &[Reg], base: Reg) -> InstKind {
    InstKind::St { access, addr: Address::reg(base), srcs: srcs.iter().map(|&r| Operand::Reg(r)).collect() }
}

#[test]
fn vector_accesses_have_one_register_per_element_and_at_most_16_bytes() {
    use Type::*;
    let mut a = MemAccess::new(StateSpace::Global, F32);
    a.vec = VecWidth::V4;
    accepts(&[U64, F32, F32, F32, F32], |r| ld(a, &r[1..], r[0]));
    rejects(&[U64, F32, F32, F32], "4-element load has 3 destination", |r| ld(a, &r[1..], r[0]));
    let mut d = MemAccess::new(StateSpace::Global, F64);
    d.vec = VecWidth::V4;
    rejects(&[U64, F64, F64, F64, F64], "at most 16 bytes", |r| ld(d, &r[1..], r[0]));
    // Narrow loads into wider integer registers, as PTX allows.
    accepts(&[U64, U32], |r| ld(MemAccess::new(StateSpace::Global, U8), &r[1..], r[0]));
    rejects(&[U64, F32], "cannot hold a .u8 value", |r| ld(MemAccess::new(StateSpace::Global, U8), &r[1..], r[0]));
    rejects(&[U32, U32], "address register v0 is a u32", |r| {
        ld(MemAccess::new(StateSpace::Global, U32), &r[1..], r[0])
    });
}

#[test]
fn orders_cache_operators_and_nc() {
    use Type::*;
    let g = MemAccess::new(StateSpace::Global, U32);
    let with = |f: &dyn Fn(&mut MemAccess)| {
        let mut a = g;
        f(&mut a);
        a
    };
    rejects(&[U64, U32], "stores cannot be .acquire", |r| {
        st(with(&|a| a.order = MemOrder::Acquire(Scope::Gpu)), &r[1..], r[0])
    });
    rejects(&[U64, U32], "loads cannot be .release", |r| {
        ld(with(&|a| a.order = MemOrder::Release(Scope::Gpu)), &r[1..], r[0])
    });
    accepts(&[U64, U32], |r| ld(with(&|a| a.order = MemOrder::Acquire(Scope::Gpu)), &r[1..], r[0]));
    rejects(&[U64, U32], "cannot be combined with a memory order", |r| {
        ld(
            with(&|a| {
                a.order = MemOrder::Volatile;
                a.cache = CacheOp::Cg
            }),
            &r[1..],
            r[0],
        )
    });
    rejects(&[U64, U32], "does not take the cache operator .ca", |r| {
        st(with(&|a| a.cache = CacheOp::Ca), &r[1..], r[0])
    });
    accepts(&[U64, U32], |r| ld(with(&|a| a.nc = true), &r[1..], r[0]));
    rejects(&[U64, U32], ".nc loads need global space", |r| {
        ld(
            with(&|a| {
                a.nc = true;
                a.space = StateSpace::Shared
            }),
            &r[1..],
            r[0],
        )
    });
    rejects(&[U64, U32], "stores cannot be .nc", |r| st(with(&|a| a.nc = true), &r[1..], r[0]));
    rejects(&[U64, U32], "eviction priorities need global", |r| {
        ld(
            with(&|a| {
                a.eviction = Eviction::EvictLast;
                a.space = StateSpace::Shared
            }),
            &r[1..],
            r[0],
        )
    });
    rejects(&[U64, U32], "stores cannot prefetch", |r| st(with(&|a| a.prefetch = Prefetch::B128), &r[1..], r[0]));
    rejects(&[U64, U32], "cannot store to .const", |r| st(with(&|a| a.space = StateSpace::Const), &r[1..], r[0]));
    rejects(&[U64, Pred], "cannot move predicates", |r| ld(MemAccess::new(StateSpace::Global, Pred), &r[1..], r[0]));
}

#[test]
fn kernel_parameters_are_read_by_ld_param_in_range() {
    use Type::*;
    let ldp = |index: u32, offset: i64, ty: Type| {
        move |r: &[Reg]| InstKind::Ld {
            access: MemAccess::new(StateSpace::Param, ty),
            dsts: vec![r[0]],
            addr: Address { base: AddrBase::Param(index), offset },
        }
    };
    accepts(&[U64], ldp(0, 0, U64));
    accepts(&[U32], ldp(0, 4, U32));
    rejects(&[U32], "parameter 1 does not exist", ldp(1, 0, U32));
    rejects(&[U64], "outside parameter 0", ldp(0, 4, U64));
    rejects(&[U64], "only be read by `ld.param`", |r| InstKind::Ld {
        access: MemAccess::new(StateSpace::Global, U64),
        dsts: vec![r[0]],
        addr: Address::param(0),
    });
    rejects(&[U64, U64], "name the parameter", |r| ld(MemAccess::new(StateSpace::Param, U64), &r[..1], r[1]));
    // Device functions have register parameters only.
    let mut f = Function::device("d");
    f.add_param("x", U64);
    let d = f.new_reg(U64);
    let k = InstKind::Ld { access: MemAccess::new(StateSpace::Param, U64), dsts: vec![d], addr: Address::param(0) };
    assert!(check_inst_kind(&f, None, &k).unwrap_err().contains("device functions have no .param"));
}

#[test]
fn variables_exist_match_the_space_and_bound_accesses() {
    let mut m = Module::new();
    let var = m.add_var(VarData {
        name: "tile".into(),
        space: StateSpace::Shared,
        ty: Type::F32,
        len: Some(4),
        align: 4,
        init: vec![],
    });
    let mut f = Function::kernel("k");
    let d = f.new_reg(Type::F32);
    let a = f.new_reg(Type::U64);
    let load = |space, offset| InstKind::Ld {
        access: MemAccess::new(space, Type::F32),
        dsts: vec![d],
        addr: Address { base: AddrBase::Var(var), offset },
    };
    assert_eq!(check_inst_kind(&f, Some(&m), &load(StateSpace::Shared, 12)), Ok(()));
    assert_eq!(check_inst_kind(&f, Some(&m), &load(StateSpace::Generic, 0)), Ok(()));
    assert!(check_inst_kind(&f, Some(&m), &load(StateSpace::Shared, 16)).unwrap_err().contains("outside var0"));
    assert!(check_inst_kind(&f, Some(&m), &load(StateSpace::Global, 0)).unwrap_err().contains("is in .shared space"));
    let addr_of_missing = InstKind::AddrOf { dst: a, var: Var(7) };
    assert!(check_inst_kind(&f, Some(&m), &addr_of_missing).unwrap_err().contains("var7 does not exist"));
}

#[test]
fn atomics() {
    use Type::*;
    let atom = |op, ty, dst: bool, cmp: bool, order| {
        move |r: &[Reg]| InstKind::Atom {
            op,
            space: StateSpace::Global,
            order,
            scope: None,
            ty,
            dst: dst.then_some(r[1]),
            addr: Address::reg(r[0]),
            src: Operand::Reg(r[2]),
            cmp: cmp.then_some(Operand::Reg(r[3])),
        }
    };
    let w = MemOrder::Weak;
    accepts(&[U64, U32, U32, U32], atom(AtomOp::And, U32, true, false, w));
    rejects(&[U64, U16, U16, U16], "`atom.and` does not take .u16", atom(AtomOp::And, U16, true, false, w));
    accepts(&[U64, F32, F32, F32], atom(AtomOp::And, F32, true, false, w));
    accepts(&[U64, F32, F32, F32], atom(AtomOp::Exch, F32, true, false, w));
    rejects(&[U64, S64, S64, S64], "`atom.add` does not take .s64", atom(AtomOp::Add, S64, true, false, w));
    rejects(&[U64, S32, S32, S32], "`atom.inc` does not take .s32", atom(AtomOp::Inc, S32, true, false, w));
    rejects(&[U64, B32, B32, B32], "`cas` needs a compare operand", atom(AtomOp::Cas, B32, true, false, w));
    rejects(&[U64, B32, B32, B32], "there is no `red.cas`", atom(AtomOp::Cas, B32, false, true, w));
    rejects(
        &[U64, U32, U32, U32],
        "`red` cannot be .acquire",
        atom(AtomOp::Add, U32, false, false, MemOrder::Acquire(Scope::Gpu)),
    );
    rejects(
        &[U64, U32, U32, U32],
        "atomics cannot be .volatile",
        atom(AtomOp::Add, U32, true, false, MemOrder::Volatile),
    );
    rejects(&[U64, U32, U32], "contradicts", |r| InstKind::Atom {
        op: AtomOp::Add,
        space: StateSpace::Global,
        order: MemOrder::Relaxed(Scope::Gpu),
        scope: Some(Scope::Cta),
        ty: U32,
        dst: Some(r[1]),
        addr: Address::reg(r[0]),
        src: Operand::Reg(r[2]),
        cmp: None,
    });
    rejects(&[U64, U32, U32], "atomics need global, shared or generic", |r| InstKind::Atom {
        op: AtomOp::Add,
        space: StateSpace::Local,
        order: MemOrder::Weak,
        scope: None,
        ty: U32,
        dst: Some(r[1]),
        addr: Address::reg(r[0]),
        src: Operand::Reg(r[2]),
        cmp: None,
    });
}

// ----- synchronisation and warps ---------------------------------------------------------------------------------

#[test]
fn barriers_shuffles_and_votes() {
    use Type::*;
    rejects(&[], "barrier id 16 is out of range", |_| InstKind::Bar {
        op: BarOp::Sync,
        id: Operand::u32(16),
        count: None,
    });
    rejects(&[], "not a positive multiple of 32", |_| InstKind::Bar {
        op: BarOp::Sync,
        id: Operand::u32(1),
        count: Some(Operand::u32(33)),
    });
    rejects(&[], "`bar.arrive` needs a thread count", |_| InstKind::Bar {
        op: BarOp::Arrive,
        id: Operand::u32(1),
        count: None,
    });
    let shfl = |r: &[Reg]| InstKind::Shfl {
        mode: ShflMode::Down,
        dst: r[0],
        pred: None,
        src: Operand::Reg(r[1]),
        lane: Operand::u32(1),
        clamp: Operand::u32(31),
        mask: Operand::Reg(r[2]),
    };
    accepts(&[F32, F32, U32], shfl);
    rejects(&[U64, U64, U32], "v1 is a u64 register", shfl);
    rejects(&[U32, U32, F32], "member mask v2 is a f32 register", shfl);
    let vote = |mode| {
        move |r: &[Reg]| InstKind::Vote { mode, dst: r[0], src: r[1], negate: true, mask: Operand::u32(u32::MAX) }
    };
    accepts(&[U32, Pred], vote(VoteMode::Ballot));
    rejects(&[Pred, U32], "voted predicate v1 is a u32 register", vote(VoteMode::Any));
    rejects(&[Pred, Pred], "cannot hold a .b32 result", vote(VoteMode::Ballot));
}

#[test]
fn inline_asm_placeholders_name_operands() {
    use Type::*;
    accepts(&[U32, U32], |r| InstKind::Asm {
        text: "add.u32 {0}, {1}, 1;".into(),
        outputs: vec![r[0]],
        inputs: vec![rg(r, 1)],
    });
    rejects(&[U32, U32], "names {2} but has 2 operands", |r| InstKind::Asm {
        text: "add.u32 {0}, {1}, {2};".into(),
        outputs: vec![r[0]],
        inputs: vec![rg(r, 1)],
    });
}

// ----- calls and the call graph ----------------------------------------------------------------------------------

/// `callee(x: u32) -> f32` and a kernel calling it with `args`/`rets` registers of the given types.
fn call_module(args: &[Type], rets: &[Type]) -> Module {
    let mut m = Module::new();
    let mut callee = Function::device("callee");
    callee.add_param("x", Type::U32);
    let ret = callee.add_return(Type::F32);
    let x = callee.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut callee);
    let e = b.create_block();
    b.switch_to_block(e);
    let v = b.ins().cvt(CvtMode::Rn, false, Type::F32, Type::U32, x);
    b.ins().mov_to(ret, v);
    b.ret();
    b.finish().unwrap();
    let id = m.add_function(callee);
    let mut k = Function::kernel("k");
    let mut b = FunctionBuilder::new(&mut k);
    let e = b.create_block();
    b.switch_to_block(e);
    let args: Vec<Operand> = args.iter().map(|&t| Operand::Reg(b.ins().mov(t, Operand::u32(0)))).collect();
    b.ins().call(id, rets, args);
    b.ret();
    b.finish().unwrap();
    m.add_function(k);
    m
}

#[test]
fn calls_match_the_callee() {
    assert_eq!(verify_module(&call_module(&[Type::U32], &[Type::F32])), Ok(()));
    let e = verify_module(&call_module(&[Type::U32, Type::U32], &[Type::F32])).unwrap_err();
    assert!(e.reason().contains("takes 1 arguments, given 2"), "{e}");
    let e = verify_module(&call_module(&[Type::U32], &[])).unwrap_err();
    assert!(e.reason().contains("returns 1 values, 0 result"), "{e}");
    let e = verify_module(&call_module(&[Type::U64], &[Type::F32])).unwrap_err();
    assert!(e.reason().contains("argument 0 v0 is a u64 register"), "{e}");
    let e = verify_module(&call_module(&[Type::U32], &[Type::U32])).unwrap_err();
    assert!(e.reason().contains("returns .f32 there"), "{e}");
    // Calling a kernel, or a function that does not exist.
    let mut m = call_module(&[Type::U32], &[Type::F32]);
    m.functions[FuncId(0)].kind = FuncKind::Kernel;
    assert!(verify_module_reasons(&m).iter().any(|r| r.contains("only device functions can be called")));
    let mut m = call_module(&[Type::U32], &[Type::F32]);
    let k = &mut m.functions[FuncId(1)];
    let call = k.blocks[Block(0)].insts[1];
    if let InstKind::Call { func, .. } = &mut k.insts[call].kind {
        *func = FuncId(9);
    }
    assert!(verify_module_reasons(&m).iter().any(|r| r.contains("fn9 does not exist")));
}

fn verify_module_reasons(m: &Module) -> Vec<String> {
    ptx_gen::verify::verify_module_all(m).err().unwrap_or_default().iter().map(|e| e.to_string()).collect()
}

fn caller(name: &str, callee: FuncId) -> Function {
    let mut f = Function::device(name);
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    b.ins().call(callee, &[], vec![]);
    b.ret();
    b.finish().unwrap();
    f
}

#[test]
fn recursion_and_declaration_order() {
    let mut m = Module::new();
    m.add_function(caller("a", FuncId(1)));
    m.add_function(caller("b", FuncId(0)));
    let e = verify_module(&m).unwrap_err();
    assert_eq!(e.reason(), "recursion is not supported: `a` calls `b` calls `a`");
    let mut m = Module::new();
    m.add_function(caller("a", FuncId(0)));
    assert!(verify_module(&m).unwrap_err().reason().contains("`a` calls `a`"));
    let mut m = Module::new();
    m.add_function(caller("a", FuncId(1)));
    m.add_function(caller("b", FuncId(2)));
    m.add_function(Function::device("c"));
    m.functions[FuncId(2)] = {
        let mut f = Function::device("c");
        let mut b = FunctionBuilder::new(&mut f);
        let e = b.create_block();
        b.switch_to_block(e);
        b.ret();
        b.finish().unwrap();
        f
    };
    let e = verify_module(&m).unwrap_err();
    assert!(e.reason().contains("`a` calls `b`, which comes later in the module"), "{e}");
}

// ----- blocks and layout -----------------------------------------------------------------------------------------

fn straight() -> Function {
    device(|b, a, ret| {
        let e = b.create_block();
        b.switch_to_block(e);
        let v = b.ins().add(Type::U32, Mode::None, a, Operand::u32(1));
        b.ins().mov_to(ret, v);
        b.ret();
    })
}

#[test]
fn layout_and_block_structure() {
    assert!(reasons(&straight()).is_empty());
    let mut f = straight();
    f.layout.clear();
    assert_one_error(&f, "the layout is empty");
    let mut f = straight();
    f.layout.push(Block(0));
    assert_one_error(&f, "lists block0 twice");
    let mut f = straight();
    f.layout.push(Block(5));
    assert_one_error(&f, "lists block5, which does not exist");
    let mut f = straight();
    f.blocks[Block(0)].term = None;
    assert_one_error(&f, "has no terminator");
    let mut f = straight();
    f.blocks[Block(0)].term = Some(Terminator::Jump(Block(3)));
    assert_one_error(&f, "branches to block3, which does not exist");
    let mut f = straight();
    let extra = f.blocks.push(BlockData { insts: vec![], term: Some(Terminator::Return), term_loc: SrcLoc::NONE });
    f.blocks[Block(0)].term = Some(Terminator::Jump(extra));
    assert_one_error(&f, "not in the layout");
    let mut f = straight();
    let i = f.blocks[Block(0)].insts[0];
    f.blocks[Block(0)].insts.push(i);
    assert_one_error(&f, "which block0 already lists");
    let mut f = straight();
    f.blocks[Block(0)].insts.push(Inst(40));
    assert_one_error(&f, "lists inst40, which does not exist");
}

#[test]
fn branch_conditions_are_predicates() {
    let f = device(|b, a, ret| {
        let (e, t) = (b.create_block(), b.create_block());
        b.switch_to_block(e);
        b.ins().mov_to(ret, a);
        b.branch(a, t, t);
        b.switch_to_block(t);
        b.ret();
    });
    assert_one_error(&f, "the branch condition v0 is a u32 register, not a predicate");
}

// ----- definite assignment ---------------------------------------------------------------------------------------

#[test]
fn reads_before_assignment_are_rejected() {
    let f = device(|b, _a, ret| {
        let e = b.create_block();
        b.switch_to_block(e);
        let x = b.new_reg(Type::U32);
        let y = b.ins().add(Type::U32, Mode::None, x, Operand::u32(1));
        b.ins().mov_to(ret, y);
        b.ret();
    });
    assert_one_error(&f, "v2 is read before it is assigned on some path from the entry");
}

/// `x` assigned on the then-path only (or on both when `both`), read after the join.
fn diamond(both: bool) -> Function {
    device(|b, a, ret| {
        let (e, t, el, j) = (b.create_block(), b.create_block(), b.create_block(), b.create_block());
        b.switch_to_block(e);
        let x = b.new_reg(Type::U32);
        let p = b.ins().setp(CmpOp::Lt, Type::U32, a, Operand::u32(10));
        b.branch(p, t, el);
        b.switch_to_block(t);
        b.ins().mov_to(x, Operand::u32(1));
        b.jump(j);
        b.switch_to_block(el);
        if both {
            b.ins().mov_to(x, Operand::u32(2));
        }
        b.jump(j);
        b.switch_to_block(j);
        b.ins().mov_to(ret, x);
        b.ret();
    })
}

#[test]
fn assignment_must_happen_on_every_path() {
    assert_one_error(&diamond(false), "v2 is read before it is assigned on some path");
    assert!(reasons(&diamond(true)).is_empty());
}

#[test]
fn loops_and_unreachable_blocks() {
    // while (i < a) { x = i; i++ } return x: x is unassigned when the loop runs zero times.
    let while_loop = |assign_before: bool| {
        device(move |b, a, ret| {
            let (e, h, body, exit) = (b.create_block(), b.create_block(), b.create_block(), b.create_block());
            b.switch_to_block(e);
            let i = b.ins().mov(Type::U32, Operand::u32(0));
            let x = b.new_reg(Type::U32);
            if assign_before {
                b.ins().mov_to(x, Operand::u32(7));
            }
            b.jump(h);
            b.switch_to_block(h);
            let p = b.ins().setp(CmpOp::Lt, Type::U32, i, a);
            b.branch(p, body, exit);
            b.switch_to_block(body);
            b.ins().mov_to(x, i);
            b.push(InstKind::Binary {
                op: BinOp::Add,
                mode: Mode::None,
                ty: Type::U32,
                dst: i,
                a: Operand::Reg(i),
                b: Operand::u32(1),
            });
            b.jump(h);
            b.switch_to_block(exit);
            b.ins().mov_to(ret, x);
            b.ret();
        })
    };
    assert_one_error(&while_loop(false), "v3 is read before it is assigned");
    assert!(reasons(&while_loop(true)).is_empty());
    // An unreachable block may read anything: it never runs.
    let f = device(|b, _a, ret| {
        let (e, dead) = (b.create_block(), b.create_block());
        b.switch_to_block(e);
        b.ins().mov_to(ret, Operand::u32(0));
        b.ret();
        b.switch_to_block(dead);
        let x = b.new_reg(Type::U32);
        b.ins().mov_to(ret, x);
        b.ret();
    });
    assert!(reasons(&f).is_empty(), "{:?}", reasons(&f));
}

#[test]
fn results_must_be_assigned_before_ret() {
    let f = device(|b, a, ret| {
        let (e, t, el) = (b.create_block(), b.create_block(), b.create_block());
        b.switch_to_block(e);
        let p = b.ins().setp(CmpOp::Eq, Type::U32, a, Operand::u32(0));
        b.branch(p, t, el);
        b.switch_to_block(t);
        b.ins().mov_to(ret, a);
        b.ret();
        b.switch_to_block(el);
        b.ret();
    });
    let errs = verify_function(&f, None).unwrap_err();
    assert_eq!(errs.len(), 1);
    match &errs[0] {
        VerifyError::Terminator { block, text, reason, .. } => {
            assert_eq!(*block, Block(2));
            assert_eq!(text, "ret");
            assert!(reason.contains("result register v1 is not assigned"), "{reason}");
        }
        e => panic!("unexpected {e:?}"),
    }
}

// ----- signatures, names, variables ------------------------------------------------------------------------------

#[test]
fn signatures() {
    let mut f = straight();
    f.kind = FuncKind::Kernel;
    assert_one_error(&f, "kernels return nothing");
    assert_one_error(&f, "kernel parameter 0 (`a`) is bound to v0");
    let mut f = straight();
    f.params[0].reg = None;
    assert_one_error(&f, "has no register; device parameters are registers");
    let mut f = straight();
    f.params[0].ty = Type::U64;
    assert_one_error(&f, "has type .u64 but its register v0 is u32");
    let mut f = straight();
    f.returns.push(f.params[0].reg.unwrap());
    assert_one_error(&f, "already a parameter or result");
    let mut f = straight();
    f.attrs.max_threads = Some(128);
    assert_one_error(&f, "for kernels only");
    let mut f = straight();
    f.name = "9lives".into();
    assert_one_error(&f, "not a valid PTX identifier");
    let mut k = Function::kernel("k");
    k.attrs.required_threads = Some((64, 32, 1));
    let mut b = FunctionBuilder::new(&mut k);
    let e = b.create_block();
    b.switch_to_block(e);
    b.ret();
    b.finish().unwrap();
    assert_one_error(&k, "asks for 2048 threads");
}

#[test]
fn module_names_and_variables() {
    let var =
        |name: &str, space, ty, len, align, init: Vec<u64>| VarData { name: name.into(), space, ty, len, align, init };
    let mut m = Module::new();
    m.add_var(var("a", StateSpace::Global, Type::U32, Some(2), 4, vec![1, 2]));
    m.add_var(var("b", StateSpace::Const, Type::U16, Some(4), 2, vec![1]));
    m.add_var(var("dyn", StateSpace::Shared, Type::B8, Some(0), 16, vec![]));
    assert_eq!(verify_module(&m), Ok(()));
    let bad = [
        (var("a", StateSpace::Global, Type::U32, None, 4, vec![]), "already used by var0"),
        (var("c", StateSpace::Global, Type::U32, None, 2, vec![]), "alignment 2 is not a power of two at least"),
        (var("c", StateSpace::Global, Type::U32, Some(0), 4, vec![]), "only .shared variables can be unsized"),
        (var("c", StateSpace::Shared, Type::U32, Some(1), 4, vec![1]), "only .global and .const variables"),
        (var("c", StateSpace::Global, Type::U32, Some(1), 4, vec![1, 2]), "2 initial values for 1 elements"),
        (var("c", StateSpace::Global, Type::U8, None, 1, vec![256]), "initial value 0x100 does not fit .u8"),
        (var("c", StateSpace::Local, Type::U32, None, 4, vec![]), "live in .global, .shared or .const"),
        (var("c", StateSpace::Global, Type::Pred, None, 1, vec![]), "cannot be predicates"),
        (var("", StateSpace::Global, Type::U32, None, 4, vec![]), "not a valid PTX identifier"),
    ];
    for (v, needle) in bad {
        let mut m2 = m.clone();
        m2.add_var(v);
        let e = verify_module(&m2).unwrap_err();
        assert!(matches!(e, VerifyError::Module { .. }) && e.reason().contains(needle), "{e} vs {needle}");
    }
    let mut m2 = m.clone();
    m2.add_function(straight());
    m2.functions[FuncId(0)].name = "dyn".into();
    assert!(verify_module(&m2).unwrap_err().reason().contains("already used by var2"));
}

// ----- messages --------------------------------------------------------------------------------------------------

#[test]
fn errors_name_the_function_instruction_location_and_reason() {
    let mut f = Function::kernel("saxpy");
    let x = f.new_reg(Type::U32);
    let y = f.new_reg(Type::F32);
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    b.set_srcloc(SrcLoc(42));
    b.ins().mov_to(x, Operand::u32(3));
    b.push(InstKind::Binary {
        op: BinOp::Add,
        mode: Mode::Rn,
        ty: Type::F32,
        dst: y,
        a: Operand::Reg(x),
        b: Operand::f32(1.5),
    });
    b.ret();
    b.finish().unwrap();
    let errs = verify_function(&f, None).unwrap_err();
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert_eq!(
        e.to_string(),
        "in `saxpy`: `v1:f32 = add.rn.f32 v0, 1.5` (loc 42): operand a v0 is a u32 register, which a .f32 operand cannot use"
    );
    assert_eq!(e.loc(), Some(SrcLoc(42)));
    assert_eq!(e.func(), Some("saxpy"));
    match e {
        VerifyError::Inst { inst, .. } => assert_eq!(*inst, Inst(1)),
        _ => panic!("{e:?}"),
    }
}

#[test]
fn verify_function_collects_every_error_and_verify_module_returns_the_first() {
    let mut f = straight();
    f.blocks[Block(0)].insts.push(Inst(40));
    f.blocks[Block(0)].insts.push(Inst(41));
    let errs = verify_function(&f, None).unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:#?}");
    let mut m = Module::new();
    m.add_function(f);
    assert_eq!(verify_module(&m).unwrap_err(), errs[0]);
}
