//! Every instruction family with its modifiers: one PTX line → the exact `InstKind` the reader must produce.

use ptx_gen::read::read_module;
use ptx_gen::*;

// Register numbering of the test kernel (declared below): classes in declaration order, each range from 1.
fn p(n: u32) -> Reg {
    Reg(n - 1)
}
fn rs(n: u32) -> Reg {
    Reg(3 + n - 1)
}
fn r(n: u32) -> Reg {
    Reg(6 + n - 1)
}
fn rd(n: u32) -> Reg {
    Reg(13 + n - 1)
}
fn f(n: u32) -> Reg {
    Reg(20 + n - 1)
}
fn fd(n: u32) -> Reg {
    Reg(27 + n - 1)
}
fn o(reg: Reg) -> Operand {
    Operand::Reg(reg)
}
fn imm(v: u64) -> Operand {
    Operand::Imm(Imm(v))
}
const GVAR: Var = Var(0);
const SMEM: Var = Var(1);

/// Reads a kernel whose entry block is `rows` (one instruction each) and compares instruction by instruction.
fn check(rows: &[(&str, InstKind)]) {
    let mut body = String::new();
    for (text, _) in rows {
        body.push('\t');
        body.push_str(text);
        body.push_str(";\n");
    }
    let src = format!(
        ".version 7.8\n.target sm_80\n.address_size 64\n\n\
         .global .align 4 .u32 gvar[4];\n.shared .align 4 .f32 smem[64];\n\n\
         .visible .entry k(\n\t.param .u64 k_param_0,\n\t.param .u32 k_param_1\n)\n{{\n\
         \t.reg .pred %p<4>;\n\t.reg .b16 %rs<4>;\n\t.reg .b32 %r<8>;\n\t.reg .b64 %rd<8>;\n\
         \t.reg .f32 %f<8>;\n\t.reg .f64 %fd<4>;\n\n{body}\tret;\n}}\n\n\
         .func (.reg .b32 %ret0) dev(.reg .b32 %arg0, .reg .f32 %arg1)\n{{\n\tmov.b32 %ret0, %arg0;\n\tret;\n}}\n\n\
         .func noargs()\n{{\n\tret;\n}}\n\n.func sink(.reg .b32 %a)\n{{\n\tret;\n}}\n"
    );
    let m = read_module(&src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let k = &m.functions[FuncId(0)];
    // 30 declared registers (`%r0` and friends are created only when named, after them).
    assert!(k.regs.len() >= 30, "registers of the test kernel");
    assert_eq!(k.reg_type(r(7)), Some(Type::B32));
    assert_eq!(k.reg_type(fd(3)), Some(Type::F64));
    assert_eq!(k.layout.len(), 1);
    let got: Vec<&InstKind> = k.block_insts(k.layout[0]).map(|(_, d)| &d.kind).collect();
    assert_eq!(got.len(), rows.len());
    for ((text, want), got) in rows.iter().zip(got) {
        assert_eq!(got, want, "`{text}`");
    }
}

fn mov(ty: Type, dst: Reg, src: Operand) -> InstKind {
    InstKind::Mov { ty, dst, src }
}

#[test]
fn mov_and_special_registers() {
    use SpecialReg::*;
    let sp = |dst, sreg| InstKind::ReadSpecial { dst, sreg };
    check(&[
        ("mov.u32 %r1, %r2", mov(Type::U32, r(1), o(r(2)))),
        ("mov.b32 %r1, 0xFFFFFFFF", mov(Type::B32, r(1), imm(0xFFFF_FFFF))),
        ("mov.s32 %r1, -5", mov(Type::S32, r(1), imm(0xFFFF_FFFB))),
        ("mov.u64 %rd7, 0x1F", mov(Type::U64, rd(7), imm(31))),
        ("mov.f32 %f1, 0f3F800000", mov(Type::F32, f(1), Operand::f32(1.0))),
        ("mov.f32 %f1, 1.5", mov(Type::F32, f(1), Operand::f32(1.5))),
        ("mov.f32 %f1, -0f3F800000", mov(Type::F32, f(1), Operand::f32(-1.0))),
        ("mov.f64 %fd1, 0d3FF0000000000000", mov(Type::F64, fd(1), Operand::f64(1.0))),
        ("mov.f64 %fd3, -2.5e-1", mov(Type::F64, fd(3), Operand::f64(-0.25))),
        ("mov.pred %p3, 0x1", mov(Type::Pred, p(3), imm(1))),
        ("mov.b16 %rs1, 0x3C00", mov(Type::B16, rs(1), imm(0x3C00))),
        ("mov.f16 %rs2, 0x3C00", mov(Type::F16, rs(2), imm(0x3C00))),
        ("mov.u32 %r1, %tid.x", sp(r(1), Tid(Dim::X))),
        ("mov.u32 %r1, %ntid.y", sp(r(1), Ntid(Dim::Y))),
        ("mov.u32 %r1, %ctaid.z", sp(r(1), Ctaid(Dim::Z))),
        ("mov.u32 %r1, %nctaid.x", sp(r(1), Nctaid(Dim::X))),
        ("mov.u32 %r1, %laneid", sp(r(1), LaneId)),
        ("mov.u32 %r1, %warpid", sp(r(1), WarpId)),
        ("mov.u32 %r1, %nwarpid", sp(r(1), NWarpId)),
        ("mov.u32 %r1, %smid", sp(r(1), SmId)),
        ("mov.u32 %r1, %nsmid", sp(r(1), NSmId)),
        ("mov.b32 %r1, %lanemask_lt", sp(r(1), LanemaskLt)),
        ("mov.u32 %r1, %clock", sp(r(1), Clock)),
        ("mov.u64 %rd1, %clock64", sp(rd(1), Clock64)),
        ("mov.u64 %rd1, %globaltimer", sp(rd(1), GlobalTimer)),
        ("mov.u32 %r1, %dynamic_smem_size", sp(r(1), DynamicSmemSize)),
        ("mov.u64 %rd2, gvar", InstKind::AddrOf { dst: rd(2), var: GVAR }),
        ("mov.u64 %rd2, smem", InstKind::AddrOf { dst: rd(2), var: SMEM }),
        ("mov.u32 %r0, %r7", mov(Type::U32, Reg(30), o(r(7)))),
    ]);
}

#[test]
fn unary_ops() {
    let un = |op, mode, ty, dst, src| InstKind::Unary { op, mode, ty, dst, src };
    use UnOp::*;
    check(&[
        ("neg.s32 %r1, %r2", un(Neg, Mode::None, Type::S32, r(1), o(r(2)))),
        ("neg.s32 %r1, 7", un(Neg, Mode::None, Type::S32, r(1), imm(7))),
        ("abs.f32 %f1, %f2", un(Abs, Mode::None, Type::F32, f(1), o(f(2)))),
        ("not.b32 %r1, %r2", un(Not, Mode::None, Type::B32, r(1), o(r(2)))),
        ("not.pred %p1, %p2", un(Not, Mode::None, Type::Pred, p(1), o(p(2)))),
        ("popc.b32 %r1, %r2", un(Popc, Mode::None, Type::B32, r(1), o(r(2)))),
        ("clz.b64 %r1, %rd2", un(Clz, Mode::None, Type::B64, r(1), o(rd(2)))),
        ("brev.b32 %r1, %r2", un(Brev, Mode::None, Type::B32, r(1), o(r(2)))),
        ("sqrt.rn.f32 %f1, %f2", un(Sqrt, Mode::Rn, Type::F32, f(1), o(f(2)))),
        ("sqrt.approx.f32 %f1, %f2", un(Sqrt, Mode::Approx, Type::F32, f(1), o(f(2)))),
        ("rsqrt.approx.f64 %fd1, %fd2", un(Rsqrt, Mode::Approx, Type::F64, fd(1), o(fd(2)))),
        ("rcp.rn.f64 %fd1, %fd2", un(Rcp, Mode::Rn, Type::F64, fd(1), o(fd(2)))),
        ("rcp.rz.f32 %f1, 0f40000000", un(Rcp, Mode::Rz, Type::F32, f(1), Operand::f32(2.0))),
        ("ex2.approx.f32 %f1, %f2", un(Ex2, Mode::Approx, Type::F32, f(1), o(f(2)))),
        ("lg2.approx.f32 %f1, %f2", un(Lg2, Mode::Approx, Type::F32, f(1), o(f(2)))),
        ("sin.approx.f32 %f1, %f2", un(Sin, Mode::Approx, Type::F32, f(1), o(f(2)))),
        ("cos.approx.f32 %f1, %f2", un(Cos, Mode::Approx, Type::F32, f(1), o(f(2)))),
        ("tanh.approx.f32 %f1, %f2", un(Tanh, Mode::Approx, Type::F32, f(1), o(f(2)))),
    ]);
}

#[test]
fn binary_ops() {
    let bin = |op, mode, ty, dst, a, b| InstKind::Binary { op, mode, ty, dst, a, b };
    use BinOp::*;
    use Mode::None as N;
    check(&[
        ("add.s32 %r1, %r2, -1", bin(Add, N, Type::S32, r(1), o(r(2)), imm(0xFFFF_FFFF))),
        ("add.u32 %r1, %r2, 4294967295", bin(Add, N, Type::U32, r(1), o(r(2)), imm(0xFFFF_FFFF))),
        ("add.rn.f32 %f1, %f2, %f3", bin(Add, Mode::Rn, Type::F32, f(1), o(f(2)), o(f(3)))),
        ("add.s64 %rd1, %rd2, %rd3", bin(Add, N, Type::S64, rd(1), o(rd(2)), o(rd(3)))),
        (
            "sub.rz.f64 %fd1, %fd2, 0d4000000000000000",
            bin(Sub, Mode::Rz, Type::F64, fd(1), o(fd(2)), Operand::f64(2.0)),
        ),
        ("sub.s16 %rs1, %rs2, -2", bin(Sub, N, Type::S16, rs(1), o(rs(2)), imm(0xFFFE))),
        ("mul.lo.s32 %r1, %r2, %r3", bin(Mul, Mode::Lo, Type::S32, r(1), o(r(2)), o(r(3)))),
        ("mul.hi.u32 %r1, %r2, %r3", bin(Mul, Mode::Hi, Type::U32, r(1), o(r(2)), o(r(3)))),
        ("mul.wide.u32 %rd1, %r2, 4", bin(Mul, Mode::Wide, Type::U32, rd(1), o(r(2)), imm(4))),
        ("mul.wide.s32 %rd1, %r2, -4", bin(Mul, Mode::Wide, Type::S32, rd(1), o(r(2)), imm(0xFFFF_FFFC))),
        ("mul.rm.f32 %f1, %f2, %f3", bin(Mul, Mode::Rm, Type::F32, f(1), o(f(2)), o(f(3)))),
        ("mul.rp.f64 %fd1, %fd2, %fd3", bin(Mul, Mode::Rp, Type::F64, fd(1), o(fd(2)), o(fd(3)))),
        ("div.s32 %r1, %r2, %r3", bin(Div, N, Type::S32, r(1), o(r(2)), o(r(3)))),
        ("div.u64 %rd1, %rd2, %rd3", bin(Div, N, Type::U64, rd(1), o(rd(2)), o(rd(3)))),
        ("div.rn.f32 %f1, %f2, %f3", bin(Div, Mode::Rn, Type::F32, f(1), o(f(2)), o(f(3)))),
        ("div.approx.f32 %f1, %f2, %f3", bin(Div, Mode::Approx, Type::F32, f(1), o(f(2)), o(f(3)))),
        ("div.full.f32 %f1, %f2, %f3", bin(Div, Mode::Full, Type::F32, f(1), o(f(2)), o(f(3)))),
        ("rem.s32 %r1, %r2, 10", bin(Rem, N, Type::S32, r(1), o(r(2)), imm(10))),
        ("min.f32 %f1, %f2, %f3", bin(Min, N, Type::F32, f(1), o(f(2)), o(f(3)))),
        ("max.u32 %r1, %r2, %r3", bin(Max, N, Type::U32, r(1), o(r(2)), o(r(3)))),
        ("and.b32 %r1, %r2, 0xFF", bin(And, N, Type::B32, r(1), o(r(2)), imm(0xFF))),
        ("or.b64 %rd1, %rd2, %rd3", bin(Or, N, Type::B64, rd(1), o(rd(2)), o(rd(3)))),
        ("xor.pred %p1, %p2, %p3", bin(Xor, N, Type::Pred, p(1), o(p(2)), o(p(3)))),
        ("shl.b32 %r1, %r2, 3", bin(Shl, N, Type::B32, r(1), o(r(2)), imm(3))),
        ("shl.b64 %rd1, %rd2, %r3", bin(Shl, N, Type::B64, rd(1), o(rd(2)), o(r(3)))),
        ("shr.s32 %r1, %r2, 31", bin(Shr, N, Type::S32, r(1), o(r(2)), imm(31))),
        ("shr.u64 %rd1, %rd2, 63", bin(Shr, N, Type::U64, rd(1), o(rd(2)), imm(63))),
    ]);
}

#[test]
fn ternary_bfi_setp_selp() {
    let tern = |op, mode, ty, dst, a, b, c| InstKind::Ternary { op, mode, ty, dst, a, b, c };
    use TernOp::*;
    let mut rows = vec![
        ("mad.lo.s32 %r1, %r2, %r3, %r4", tern(Mad, Mode::Lo, Type::S32, r(1), o(r(2)), o(r(3)), o(r(4)))),
        ("mad.hi.u32 %r1, %r2, 3, 5", tern(Mad, Mode::Hi, Type::U32, r(1), o(r(2)), imm(3), imm(5))),
        // The addend of mad.wide has the doubled type: -1 is 64 bits of ones.
        ("mad.wide.s32 %rd1, %r2, %r3, -1", tern(Mad, Mode::Wide, Type::S32, rd(1), o(r(2)), o(r(3)), imm(u64::MAX))),
        (
            "fma.rn.f32 %f1, %f2, %f3, 0f3F800000",
            tern(Fma, Mode::Rn, Type::F32, f(1), o(f(2)), o(f(3)), Operand::f32(1.0)),
        ),
        ("fma.rz.f64 %fd1, %fd2, %fd3, %fd1", tern(Fma, Mode::Rz, Type::F64, fd(1), o(fd(2)), o(fd(3)), o(fd(1)))),
        ("bfe.u32 %r1, %r2, 8, 4", tern(Bfe, Mode::None, Type::U32, r(1), o(r(2)), imm(8), imm(4))),
        ("bfe.s64 %rd1, %rd2, %r3, 16", tern(Bfe, Mode::None, Type::S64, rd(1), o(rd(2)), o(r(3)), imm(16))),
        (
            "bfi.b32 %r1, %r2, %r3, 4, 8",
            InstKind::Bfi { ty: Type::B32, dst: r(1), f: o(r(2)), b: o(r(3)), pos: imm(4), len: imm(8) },
        ),
        ("selp.b32 %r1, %r2, 5, %p1", InstKind::Selp { ty: Type::B32, dst: r(1), a: o(r(2)), b: imm(5), cond: p(1) }),
        (
            "selp.f32 %f1, 0f00000000, %f2, %p2",
            InstKind::Selp { ty: Type::F32, dst: f(1), a: Operand::f32(0.0), b: o(f(2)), cond: p(2) },
        ),
        (
            "setp.lt.s32 %p1, %r1, -1",
            InstKind::Setp { cmp: CmpOp::Lt, ty: Type::S32, dst: p(1), a: o(r(1)), b: imm(0xFFFF_FFFF) },
        ),
    ];
    let texts: Vec<String> = CmpOp::ALL.iter().map(|c| format!("setp.{}.f32 %p2, %f1, %f2", c.name())).collect();
    for (c, t) in CmpOp::ALL.iter().zip(&texts) {
        rows.push((t, InstKind::Setp { cmp: *c, ty: Type::F32, dst: p(2), a: o(f(1)), b: o(f(2)) }));
    }
    check(&rows);
}

#[test]
fn conversions() {
    let cvt = |mode, sat, dst_ty, src_ty, dst, src| InstKind::Cvt { mode, sat, dst_ty, src_ty, dst, src };
    let cvta = |to_generic, space, dst, src| InstKind::Cvta { to_generic, space, dst, src };
    let texts: Vec<String> = CvtMode::ALL
        .iter()
        .map(|m| {
            if *m == CvtMode::None {
                "cvt.s32.f32 %r1, %f1".into()
            } else {
                format!("cvt.{}.s32.f32 %r1, %f1", m.name())
            }
        })
        .collect();
    let mut rows: Vec<(&str, InstKind)> = CvtMode::ALL
        .iter()
        .zip(&texts)
        .map(|(m, t)| (t.as_str(), cvt(*m, false, Type::S32, Type::F32, r(1), o(f(1)))))
        .collect();
    rows.extend([
        ("cvt.rzi.sat.u32.f32 %r1, %f2", cvt(CvtMode::Rzi, true, Type::U32, Type::F32, r(1), o(f(2)))),
        ("cvt.sat.f32.f32 %f1, %f2", cvt(CvtMode::None, true, Type::F32, Type::F32, f(1), o(f(2)))),
        ("cvt.u64.u32 %rd1, %r1", cvt(CvtMode::None, false, Type::U64, Type::U32, rd(1), o(r(1)))),
        ("cvt.rn.f32.s32 %f1, -3", cvt(CvtMode::Rn, false, Type::F32, Type::S32, f(1), imm(0xFFFF_FFFD))),
        ("cvt.f64.f32 %fd1, %f1", cvt(CvtMode::None, false, Type::F64, Type::F32, fd(1), o(f(1)))),
        ("cvt.rn.f16.f32 %rs1, %f1", cvt(CvtMode::Rn, false, Type::F16, Type::F32, rs(1), o(f(1)))),
        ("cvt.u8.u32 %rs1, %r1", cvt(CvtMode::None, false, Type::U8, Type::U32, rs(1), o(r(1)))),
        ("cvta.to.global.u64 %rd1, %rd2", cvta(false, StateSpace::Global, rd(1), rd(2))),
        ("cvta.global.u64 %rd1, %rd2", cvta(true, StateSpace::Global, rd(1), rd(2))),
        ("cvta.shared.u64 %rd1, %rd2", cvta(true, StateSpace::Shared, rd(1), rd(2))),
        ("cvta.to.shared.u64 %rd1, %rd2", cvta(false, StateSpace::Shared, rd(1), rd(2))),
        ("cvta.local.u64 %rd1, %rd2", cvta(true, StateSpace::Local, rd(1), rd(2))),
        ("cvta.to.const.u64 %rd1, %rd2", cvta(false, StateSpace::Const, rd(1), rd(2))),
    ]);
    check(&rows);
}

fn acc(space: StateSpace, ty: Type) -> MemAccess {
    MemAccess::new(space, ty)
}

#[test]
fn loads_and_stores() {
    let ld = |access, dsts: Vec<Reg>, addr| InstKind::Ld { access, dsts, addr };
    let st = |access, addr, srcs: Vec<Operand>| InstKind::St { access, addr, srcs };
    let g = StateSpace::Global;
    let with = |mut a: MemAccess, edit: &dyn Fn(&mut MemAccess)| {
        edit(&mut a);
        a
    };
    check(&[
        ("ld.param.u64 %rd1, [k_param_0]", ld(acc(StateSpace::Param, Type::U64), vec![rd(1)], Address::param(0))),
        ("ld.param.u32 %r1, [k_param_1]", ld(acc(StateSpace::Param, Type::U32), vec![r(1)], Address::param(1))),
        ("ld.global.f32 %f1, [%rd1]", ld(acc(g, Type::F32), vec![f(1)], Address::reg(rd(1)))),
        ("ld.global.f32 %f1, [%rd1+16]", ld(acc(g, Type::F32), vec![f(1)], Address::reg_offset(rd(1), 16))),
        ("ld.global.f32 %f1, [%rd1+-16]", ld(acc(g, Type::F32), vec![f(1)], Address::reg_offset(rd(1), -16))),
        ("ld.global.f32 %f1, [%rd1-8]", ld(acc(g, Type::F32), vec![f(1)], Address::reg_offset(rd(1), -8))),
        ("ld.global.f32 %f1, [%rd1+0x10]", ld(acc(g, Type::F32), vec![f(1)], Address::reg_offset(rd(1), 16))),
        (
            "ld.shared.f32 %f1, [smem+8]",
            ld(acc(StateSpace::Shared, Type::F32), vec![f(1)], Address { base: AddrBase::Var(SMEM), offset: 8 }),
        ),
        ("ld.global.u32 %r1, [gvar]", ld(acc(g, Type::U32), vec![r(1)], Address::var(GVAR))),
        ("ld.u32 %r1, [%rd2]", ld(acc(StateSpace::Generic, Type::U32), vec![r(1)], Address::reg(rd(2)))),
        ("ld.local.u8 %rs1, [%rd1]", ld(acc(StateSpace::Local, Type::U8), vec![rs(1)], Address::reg(rd(1)))),
        (
            "ld.volatile.global.u32 %r1, [%rd1]",
            ld(with(acc(g, Type::U32), &|a| a.order = MemOrder::Volatile), vec![r(1)], Address::reg(rd(1))),
        ),
        (
            "ld.relaxed.gpu.global.u32 %r1, [%rd1]",
            ld(with(acc(g, Type::U32), &|a| a.order = MemOrder::Relaxed(Scope::Gpu)), vec![r(1)], Address::reg(rd(1))),
        ),
        (
            "ld.acquire.sys.u32 %r1, [%rd1]",
            ld(
                with(acc(StateSpace::Generic, Type::U32), &|a| a.order = MemOrder::Acquire(Scope::Sys)),
                vec![r(1)],
                Address::reg(rd(1)),
            ),
        ),
        ("ld.weak.global.u32 %r1, [%rd1]", ld(acc(g, Type::U32), vec![r(1)], Address::reg(rd(1)))),
        (
            "ld.global.cg.u32 %r1, [%rd1]",
            ld(with(acc(g, Type::U32), &|a| a.cache = CacheOp::Cg), vec![r(1)], Address::reg(rd(1))),
        ),
        (
            "ld.global.ca.u32 %r1, [%rd1]",
            ld(with(acc(g, Type::U32), &|a| a.cache = CacheOp::Ca), vec![r(1)], Address::reg(rd(1))),
        ),
        (
            "ld.global.lu.u32 %r1, [%rd1]",
            ld(with(acc(g, Type::U32), &|a| a.cache = CacheOp::Lu), vec![r(1)], Address::reg(rd(1))),
        ),
        (
            "ld.global.cv.u32 %r1, [%rd1]",
            ld(with(acc(g, Type::U32), &|a| a.cache = CacheOp::Cv), vec![r(1)], Address::reg(rd(1))),
        ),
        (
            "ld.global.cs.v4.f32 {%f1, %f2, %f3, %f4}, [%rd1]",
            ld(
                with(acc(g, Type::F32), &|a| {
                    a.cache = CacheOp::Cs;
                    a.vec = VecWidth::V4
                }),
                vec![f(1), f(2), f(3), f(4)],
                Address::reg(rd(1)),
            ),
        ),
        (
            "ld.global.nc.L1::evict_last.L2::128B.v2.u32 {%r1, %r2}, [%rd1+8]",
            ld(
                with(acc(g, Type::U32), &|a| {
                    a.nc = true;
                    a.eviction = Eviction::EvictLast;
                    a.prefetch = Prefetch::B128;
                    a.vec = VecWidth::V2
                }),
                vec![r(1), r(2)],
                Address::reg_offset(rd(1), 8),
            ),
        ),
        (
            "ld.global.L1::no_allocate.L2::64B.f64 %fd1, [%rd1]",
            ld(
                with(acc(g, Type::F64), &|a| {
                    a.eviction = Eviction::NoAllocate;
                    a.prefetch = Prefetch::B64
                }),
                vec![fd(1)],
                Address::reg(rd(1)),
            ),
        ),
        (
            "ld.global.L1::evict_normal.L2::256B.f32 %f1, [%rd1]",
            ld(
                with(acc(g, Type::F32), &|a| {
                    a.eviction = Eviction::EvictNormal;
                    a.prefetch = Prefetch::B256
                }),
                vec![f(1)],
                Address::reg(rd(1)),
            ),
        ),
        ("st.global.f32 [%rd1], %f1", st(acc(g, Type::F32), Address::reg(rd(1)), vec![o(f(1))])),
        ("st.global.u32 [%rd1+4], 7", st(acc(g, Type::U32), Address::reg_offset(rd(1), 4), vec![imm(7)])),
        ("st.global.u8 [%rd1], %rs1", st(acc(g, Type::U8), Address::reg(rd(1)), vec![o(rs(1))])),
        (
            "st.shared.v2.f32 [%rd1], {%f1, %f2}",
            st(
                with(acc(StateSpace::Shared, Type::F32), &|a| a.vec = VecWidth::V2),
                Address::reg(rd(1)),
                vec![o(f(1)), o(f(2))],
            ),
        ),
        (
            "st.global.v4.u32 [%rd1], {%r1, %r2, 0, %r4}",
            st(
                with(acc(g, Type::U32), &|a| a.vec = VecWidth::V4),
                Address::reg(rd(1)),
                vec![o(r(1)), o(r(2)), imm(0), o(r(4))],
            ),
        ),
        (
            "st.release.gpu.global.u32 [%rd1], %r1",
            st(
                with(acc(g, Type::U32), &|a| a.order = MemOrder::Release(Scope::Gpu)),
                Address::reg(rd(1)),
                vec![o(r(1))],
            ),
        ),
        (
            "st.relaxed.cta.shared.u64 [smem], %rd2",
            st(
                with(acc(StateSpace::Shared, Type::U64), &|a| a.order = MemOrder::Relaxed(Scope::Cta)),
                Address::var(SMEM),
                vec![o(rd(2))],
            ),
        ),
        (
            "st.volatile.shared.u32 [%rd1], %r1",
            st(
                with(acc(StateSpace::Shared, Type::U32), &|a| a.order = MemOrder::Volatile),
                Address::reg(rd(1)),
                vec![o(r(1))],
            ),
        ),
        (
            "st.global.wb.u32 [%rd1], %r1",
            st(with(acc(g, Type::U32), &|a| a.cache = CacheOp::Wb), Address::reg(rd(1)), vec![o(r(1))]),
        ),
        (
            "st.global.wt.L1::evict_first.f32 [%rd1], %f1",
            st(
                with(acc(g, Type::F32), &|a| {
                    a.cache = CacheOp::Wt;
                    a.eviction = Eviction::EvictFirst
                }),
                Address::reg(rd(1)),
                vec![o(f(1))],
            ),
        ),
        (
            "st.global.L1::evict_unchanged.f32 [%rd1], 0f3F800000",
            st(
                with(acc(g, Type::F32), &|a| a.eviction = Eviction::EvictUnchanged),
                Address::reg(rd(1)),
                vec![Operand::f32(1.0)],
            ),
        ),
    ]);
}

#[test]
fn atomics() {
    #[allow(clippy::too_many_arguments)]
    fn atom(
        op: AtomOp,
        space: StateSpace,
        order: MemOrder,
        scope: Option<Scope>,
        ty: Type,
        dst: Option<Reg>,
        addr: Address,
        src: Operand,
        cmp: Option<Operand>,
    ) -> InstKind {
        InstKind::Atom { op, space, order, scope, ty, dst, addr, src, cmp }
    }
    use AtomOp::*;
    use StateSpace::{Generic, Global, Shared};
    let a = Address::reg(rd(1));
    let w = MemOrder::Weak;
    check(&[
        ("atom.global.add.u32 %r1, [%rd1], 1", atom(Add, Global, w, None, Type::U32, Some(r(1)), a, imm(1), None)),
        (
            "atom.global.add.f32 %f1, [%rd1+4], %f2",
            atom(Add, Global, w, None, Type::F32, Some(f(1)), Address::reg_offset(rd(1), 4), o(f(2)), None),
        ),
        (
            "atom.shared.cas.b32 %r1, [%rd1], %r2, %r3",
            atom(Cas, Shared, w, None, Type::B32, Some(r(1)), a, o(r(3)), Some(o(r(2)))),
        ),
        (
            "atom.global.cas.b64 %rd2, [gvar], 0, %rd3",
            atom(Cas, Global, w, None, Type::B64, Some(rd(2)), Address::var(GVAR), o(rd(3)), Some(imm(0))),
        ),
        (
            "atom.acq_rel.gpu.global.exch.b64 %rd2, [%rd1], %rd3",
            atom(
                Exch,
                Global,
                MemOrder::AcqRel(Scope::Gpu),
                Some(Scope::Gpu),
                Type::B64,
                Some(rd(2)),
                a,
                o(rd(3)),
                None,
            ),
        ),
        (
            "atom.relaxed.sys.global.min.s32 %r1, [%rd1], -7",
            atom(
                Min,
                Global,
                MemOrder::Relaxed(Scope::Sys),
                Some(Scope::Sys),
                Type::S32,
                Some(r(1)),
                a,
                imm(0xFFFF_FFF9),
                None,
            ),
        ),
        // A `.sem` without a scope is at `.gpu` scope.
        (
            "atom.acquire.global.max.u32 %r1, [%rd1], %r2",
            atom(Max, Global, MemOrder::Acquire(Scope::Gpu), None, Type::U32, Some(r(1)), a, o(r(2)), None),
        ),
        (
            "atom.cta.shared.inc.u32 %r1, [%rd1], 9",
            atom(Inc, Shared, w, Some(Scope::Cta), Type::U32, Some(r(1)), a, imm(9), None),
        ),
        ("atom.dec.u32 %r1, [%rd1], 9", atom(Dec, Generic, w, None, Type::U32, Some(r(1)), a, imm(9), None)),
        (
            "atom.global.and.b32 %r1, [%rd1], 0xF0",
            atom(And, Global, w, None, Type::B32, Some(r(1)), a, imm(0xF0), None),
        ),
        ("atom.global.or.b32 %r1, [%rd1], %r2", atom(Or, Global, w, None, Type::B32, Some(r(1)), a, o(r(2)), None)),
        (
            "atom.global.xor.b64 %rd2, [%rd1], %rd3",
            atom(Xor, Global, w, None, Type::B64, Some(rd(2)), a, o(rd(3)), None),
        ),
        ("red.global.add.u32 [%rd1], %r1", atom(Add, Global, w, None, Type::U32, None, a, o(r(1)), None)),
        (
            "red.release.gpu.global.add.u64 [%rd1], 5",
            atom(Add, Global, MemOrder::Release(Scope::Gpu), Some(Scope::Gpu), Type::U64, None, a, imm(5), None),
        ),
        (
            "red.shared.max.s32 [smem+4], %r1",
            atom(
                Max,
                Shared,
                w,
                None,
                Type::S32,
                None,
                Address { base: AddrBase::Var(SMEM), offset: 4 },
                o(r(1)),
                None,
            ),
        ),
    ]);
}

#[test]
fn synchronisation_and_warp_ops() {
    let bar = |op, id, count| InstKind::Bar { op, id, count };
    let fence = |kind, scope| InstKind::Fence { kind, scope };
    let shfl = |mode, dst, pred, src, lane, clamp, mask| InstKind::Shfl { mode, dst, pred, src, lane, clamp, mask };
    let vote = |mode, dst, src, negate, mask| InstKind::Vote { mode, dst, src, negate, mask };
    let all = imm(0xFFFF_FFFF);
    check(&[
        ("bar.sync 0", bar(BarOp::Sync, imm(0), None)),
        ("bar.sync 1, 64", bar(BarOp::Sync, imm(1), Some(imm(64)))),
        ("bar.sync %r1", bar(BarOp::Sync, o(r(1)), None)),
        ("bar.arrive 1, 64", bar(BarOp::Arrive, imm(1), Some(imm(64)))),
        ("barrier.sync 0", bar(BarOp::Sync, imm(0), None)),
        ("barrier.sync.aligned 2, %r1", bar(BarOp::Sync, imm(2), Some(o(r(1))))),
        ("barrier.arrive 3, 32", bar(BarOp::Arrive, imm(3), Some(imm(32)))),
        ("bar.warp.sync 0xFFFFFFFF", InstKind::WarpSync { mask: all }),
        ("bar.warp.sync -1", InstKind::WarpSync { mask: all }),
        ("bar.warp.sync %r3", InstKind::WarpSync { mask: o(r(3)) }),
        ("membar.cta", fence(FenceKind::Membar, Scope::Cta)),
        ("membar.gl", fence(FenceKind::Membar, Scope::Gpu)),
        ("membar.sys", fence(FenceKind::Membar, Scope::Sys)),
        ("fence.acq_rel.gpu", fence(FenceKind::AcqRel, Scope::Gpu)),
        ("fence.acq_rel.cta", fence(FenceKind::AcqRel, Scope::Cta)),
        ("fence.sc.sys", fence(FenceKind::Sc, Scope::Sys)),
        ("fence.sc.cta", fence(FenceKind::Sc, Scope::Cta)),
        (
            "shfl.sync.bfly.b32 %r1, %r2, 0x10, 0x1F, 0xFFFFFFFF",
            shfl(ShflMode::Bfly, r(1), None, o(r(2)), imm(16), imm(31), all),
        ),
        (
            "shfl.sync.idx.b32 %r1|%p1, %r2, %r3, 31, -1",
            shfl(ShflMode::Idx, r(1), Some(p(1)), o(r(2)), o(r(3)), imm(31), all),
        ),
        ("shfl.sync.up.b32 %r1, %r2, 1, 0, %r5", shfl(ShflMode::Up, r(1), None, o(r(2)), imm(1), imm(0), o(r(5)))),
        (
            "shfl.sync.down.b32 %r1 | %p2, %r2, 4, 31, -1",
            shfl(ShflMode::Down, r(1), Some(p(2)), o(r(2)), imm(4), imm(31), all),
        ),
        ("vote.sync.all.pred %p1, %p2, 0xFFFFFFFF", vote(VoteMode::All, p(1), p(2), false, all)),
        ("vote.sync.any.pred %p1, !%p2, %r1", vote(VoteMode::Any, p(1), p(2), true, o(r(1)))),
        ("vote.sync.uni.pred %p3, %p1, -1", vote(VoteMode::Uni, p(3), p(1), false, all)),
        ("vote.sync.ballot.b32 %r1, !%p1, -1", vote(VoteMode::Ballot, r(1), p(1), true, all)),
        ("activemask.b32 %r7", InstKind::ActiveMask { dst: r(7) }),
    ]);
}

#[test]
fn calls_resolve_forward_and_type_immediates_by_callee() {
    let call = |func, rets, args| InstKind::Call { func, rets, args };
    check(&[
        ("call.uni (%r1), dev, (%r2, %f1)", call(FuncId(1), vec![r(1)], vec![o(r(2)), o(f(1))])),
        // Immediates take the callee's parameter types: .b32 then .f32.
        ("call (%r1), dev, (-1, 1.5)", call(FuncId(1), vec![r(1)], vec![imm(0xFFFF_FFFF), Operand::f32(1.5)])),
        ("call.uni noargs", call(FuncId(2), vec![], vec![])),
        ("call.uni noargs, ()", call(FuncId(2), vec![], vec![])),
        ("call sink, (%r3)", call(FuncId(3), vec![], vec![o(r(3))])),
    ]);
}
