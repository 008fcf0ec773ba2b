//! Target selection: the lowest target a module needs, explicit targets honoured or refused with the instruction
//! named, and the requirement table checked against ptxas as the oracle (each feature is accepted at its target
//! and rejected one architecture or one ISA version below).

mod kernels;

use ptx_gen::ptxas;
use ptx_gen::target::{min_isa_for_sm, required_target, resolve_target, Requirement, TargetError};
use ptx_gen::write::{write_module, WriteError};
use ptx_gen::*;

use kernels::util::*;

/// The lowest target of every hand-built kernel, as the PTX ISA manual and ptxas have it.
#[test]
fn kernels_get_their_lowest_target() {
    let expected = [
        ("atomics_basic", 52, (6, 0)),
        ("atomics_scoped", 70, (6, 3)), // atom.add.noftz.f16
        ("barriers_shared", 52, (6, 0)),
        ("bf16_hopper", 90, (7, 8)),
        ("bit_ops", 52, (6, 0)),
        ("cache_ops", 52, (6, 0)),
        ("compare_select", 52, (6, 0)),
        ("control_flow", 52, (6, 0)),
        ("conversions", 52, (6, 0)),
        ("device_calls", 52, (6, 0)),
        ("eviction_prefetch", 80, (7, 4)), // .L2::256B
        ("float_f32", 52, (6, 0)),
        ("float_f64", 52, (6, 0)),
        ("half_precision", 80, (7, 0)), // min.f16
        ("inline_asm", 52, (6, 0)),
        ("int_arith", 52, (6, 0)),
        ("kernel_attrs", 52, (6, 0)),
        ("memory_order", 70, (6, 0)),
        ("memory_spaces", 52, (6, 0)),
        ("module_vars", 52, (6, 0)),
        ("saxpy", 52, (6, 0)),
        ("special_regs", 52, (6, 0)),
        ("tanh_turing", 75, (7, 0)),
        ("tensor_cores", 90, (8, 4)),     // stmatrix (sm_90), mma with FP8 inputs (PTX 8.4)
        ("warp_collectives", 52, (6, 2)), // activemask
    ];
    let all = kernels::all();
    assert_eq!(all.len(), expected.len());
    for ((name, m), (ename, sm, (major, minor))) in all.iter().zip(expected) {
        assert_eq!(*name, ename);
        let t = required_target(m);
        assert_eq!((t.sm, t.ptx_isa, t.arch_specific), (sm, PtxIsa(major, minor), false), "{name}");
        let ptx = write_module(m).unwrap();
        assert!(ptx.contains(&format!("\n.version {major}.{minor}\n.target sm_{sm}\n")), "{name}");
    }
}

/// An explicit target below what an instruction needs names the instruction, its function, what it needs and
/// what was asked for.
#[test]
fn too_low_a_target_names_the_instruction() {
    let mut m = kernels::tanh_turing::build();
    m.target = Some(Target::sm(52));
    let err = write_module(&m).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`tanh.approx.f32` in `tanh_turing` needs sm_75 (PTX ISA 7.0) for tanh.approx; the requested target is \
         sm_52 (PTX ISA 6.0)"
    );
    let WriteError::Target(TargetError::TooLow { func, inst, need, requested, .. }) = err else { panic!("{err:?}") };
    assert_eq!((func.as_str(), need.sm, need.isa, requested.sm), ("tanh_turing", 75, PtxIsa(7, 0), 52));
    let f = &m.functions[FuncId(0)];
    assert!(matches!(f.insts[inst].kind, InstKind::Unary { op: UnOp::Tanh, .. }));

    // The architecture is high enough but the ISA version is not.
    let mut m = kernels::eviction_prefetch::build();
    m.target = Some(Target { sm: 80, ptx_isa: PtxIsa(7, 0), arch_specific: false });
    let msg = write_module(&m).unwrap_err().to_string();
    assert!(
        msg.starts_with("`ld.global.L1::evict_normal.f32` in `eviction_prefetch` needs sm_70 (PTX ISA 7.4)"),
        "{msg}"
    );
    assert!(msg.ends_with("the requested target is sm_80 (PTX ISA 7.0)"), "{msg}");
}

/// A higher explicit target than needed is honoured as asked.
#[test]
fn explicit_targets_are_honoured() {
    let mut m = kernels::saxpy::build();
    m.target = Some(Target::sm(90));
    let ptx = write_module(&m).unwrap();
    assert!(ptx.contains("\n.version 7.8\n.target sm_90\n"));
    m.target = Some(Target { sm: 90, ptx_isa: PtxIsa(8, 0), arch_specific: true });
    let ptx = write_module(&m).unwrap();
    assert!(ptx.contains("\n.version 8.0\n.target sm_90a\n"));
    assert_eq!(resolve_target(&m), Ok(m.target.unwrap()));
    ptxas::check_or_skip(&ptx, &["sm_90"]).unwrap();
}

/// Targets that are malformed in themselves.
#[test]
fn inconsistent_targets_are_refused() {
    let mut m = kernels::saxpy::build();
    m.target = Some(Target { sm: 80, ptx_isa: PtxIsa(6, 0), arch_specific: false });
    assert_eq!(
        resolve_target(&m),
        Err(TargetError::IsaTooOldForSm { requested: m.target.unwrap(), need: PtxIsa(7, 0) })
    );
    assert_eq!(
        write_module(&m).unwrap_err().to_string(),
        "PTX ISA 6.0 does not know sm_80: it needs PTX ISA 7.0 or later"
    );
    m.target = Some(Target { sm: 90, ptx_isa: PtxIsa(7, 8), arch_specific: true });
    assert!(matches!(resolve_target(&m), Err(TargetError::IsaTooOldForSm { need: PtxIsa(8, 0), .. })));
    m.target = Some(Target { sm: 50, ptx_isa: PtxIsa(6, 0), arch_specific: false });
    assert!(matches!(resolve_target(&m), Err(TargetError::BelowFloor { .. })));
}

/// A one-instruction kernel for a feature, with a global pointer and a register of every class at hand.
struct Regs {
    g: Reg,
    f: Reg,
    d: Reg,
    h: Reg,
    h2: Reg,
    u: Reg,
    p: Reg,
}

fn feature_kernel(make: &dyn Fn(&mut FunctionBuilder, &Regs)) -> Module {
    let mut f = kernel("feature", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let g = global_param(&mut b, 0);
    let regs = Regs {
        g,
        f: b.ins().ld(global(Type::F32), Address::reg(g)),
        d: b.ins().ld(global(Type::F64), Address::reg_offset(g, 8)),
        h: b.ins().ld(global(Type::B16), Address::reg_offset(g, 16)),
        h2: b.ins().ld(global(Type::B32), Address::reg_offset(g, 20)),
        u: b.ins().ld(global(Type::U32), Address::reg_offset(g, 24)),
        p: b.new_reg(Type::Pred),
    };
    b.ins().mov_to(regs.p, Imm(1));
    make(&mut b, &regs);
    b.ret();
    b.finish().unwrap();
    module(vec![f])
}

/// Stores `v` so the instruction under test is live.
fn keep(b: &mut FunctionBuilder, r: &Regs, v: Reg) {
    let ty = b.reg_type(v);
    let ty = if ty == Type::Pred { return } else { ty };
    b.ins().st(global(ty), Address::reg_offset(r.g, 64), v);
}

type Make = Box<dyn Fn(&mut FunctionBuilder, &Regs)>;

/// One row per feature of the requirement table: the instruction and the (sm, PTX ISA) it needs.
fn feature_rows() -> Vec<(&'static str, u32, (u32, u32), Make)> {
    fn un(op: UnOp, mode: Mode, ty: Type, src: fn(&Regs) -> Reg) -> Make {
        Box::new(move |b, r| {
            let v = b.ins().unary(op, mode, ty, src(r));
            keep(b, r, v)
        })
    }
    fn bin(op: BinOp, mode: Mode, ty: Type, src: fn(&Regs) -> Reg) -> Make {
        Box::new(move |b, r| {
            let v = b.ins().binary(op, mode, ty, src(r), src(r));
            keep(b, r, v)
        })
    }
    fn atom(op: AtomOp, order: MemOrder, scope: Option<Scope>, ty: Type, src: fn(&Regs) -> Reg) -> Make {
        Box::new(move |b, r| {
            let cmp = (op == AtomOp::Cas).then_some(Operand::Reg(src(r)));
            let v = b.ins().atom(op, StateSpace::Global, order, scope, ty, Address::reg_offset(r.g, 32), src(r), cmp);
            keep(b, r, v)
        })
    }
    fn ld(edit: fn(&mut MemAccess)) -> Make {
        Box::new(move |b, r| {
            let mut a = global(Type::F32);
            edit(&mut a);
            let v = b.ins().ld(a, Address::reg_offset(r.g, 40));
            keep(b, r, v)
        })
    }
    let f = |r: &Regs| r.f;
    let d = |r: &Regs| r.d;
    let h = |r: &Regs| r.h;
    let h2 = |r: &Regs| r.h2;
    let u = |r: &Regs| r.u;
    vec![
        ("tanh.approx.f32", 75, (7, 0), un(UnOp::Tanh, Mode::Approx, Type::F32, f)),
        ("tanh.approx.bf16", 90, (7, 8), un(UnOp::Tanh, Mode::Approx, Type::BF16, h)),
        ("ex2.approx.f16", 75, (7, 0), un(UnOp::Ex2, Mode::Approx, Type::F16, h)),
        ("neg.f16", 53, (6, 0), un(UnOp::Neg, Mode::None, Type::F16, h)),
        ("abs.f16", 53, (6, 5), un(UnOp::Abs, Mode::None, Type::F16, h)),
        ("neg.bf16", 80, (7, 0), un(UnOp::Neg, Mode::None, Type::BF16, h)),
        ("abs.bf16x2", 80, (7, 0), un(UnOp::Abs, Mode::None, Type::BF16x2, h2)),
        ("add.rn.f16", 53, (6, 0), bin(BinOp::Add, Mode::Rn, Type::F16, h)),
        ("mul.rn.f16x2", 53, (6, 0), bin(BinOp::Mul, Mode::Rn, Type::F16x2, h2)),
        ("add.rn.bf16", 90, (7, 8), bin(BinOp::Add, Mode::Rn, Type::BF16, h)),
        ("sub.rn.bf16x2", 90, (7, 8), bin(BinOp::Sub, Mode::Rn, Type::BF16x2, h2)),
        ("min.f16", 80, (7, 0), bin(BinOp::Min, Mode::None, Type::F16, h)),
        ("max.bf16", 80, (7, 0), bin(BinOp::Max, Mode::None, Type::BF16, h)),
        (
            "fma.rn.f16",
            53,
            (6, 0),
            Box::new(|b, r| {
                let v = b.ins().fma(Type::F16, Mode::Rn, r.h, r.h, r.h);
                keep(b, r, v)
            }),
        ),
        (
            "fma.rn.bf16",
            80,
            (7, 0),
            Box::new(|b, r| {
                let v = b.ins().fma(Type::BF16, Mode::Rn, r.h, r.h, r.h);
                keep(b, r, v)
            }),
        ),
        (
            "setp.lt.f16",
            53,
            (6, 0),
            Box::new(|b, r| {
                let p = b.ins().setp(CmpOp::Lt, Type::F16, r.h, r.h);
                let v = b.ins().selp(Type::U32, Operand::u32(1), Operand::u32(0), p);
                keep(b, r, v)
            }),
        ),
        (
            "setp.lt.bf16",
            90,
            (7, 8),
            Box::new(|b, r| {
                let p = b.ins().setp(CmpOp::Lt, Type::BF16, r.h, r.h);
                let v = b.ins().selp(Type::U32, Operand::u32(1), Operand::u32(0), p);
                keep(b, r, v)
            }),
        ),
        (
            "cvt.rn.bf16.f32",
            80,
            (7, 0),
            Box::new(|b, r| {
                let v = b.ins().cvt(CvtMode::Rn, false, Type::BF16, Type::F32, r.f);
                keep(b, r, v)
            }),
        ),
        (
            "cvt.f32.bf16",
            80,
            (7, 1),
            Box::new(|b, r| {
                let v = b.ins().cvt(CvtMode::None, false, Type::F32, Type::BF16, r.h);
                keep(b, r, v)
            }),
        ),
        (
            "cvt.rn.bf16.s32",
            90,
            (7, 8),
            Box::new(|b, r| {
                let v = b.ins().cvt(CvtMode::Rn, false, Type::BF16, Type::S32, r.u);
                keep(b, r, v)
            }),
        ),
        (
            "cvta.param.u64",
            70,
            (7, 7),
            Box::new(|b, r| {
                let v = b.ins().cvta(true, StateSpace::Param, r.g);
                keep(b, r, v)
            }),
        ),
        ("ld.relaxed.gpu", 70, (6, 0), ld(|a| a.order = MemOrder::Relaxed(Scope::Gpu))),
        ("ld.acquire.sys", 70, (6, 0), ld(|a| a.order = MemOrder::Acquire(Scope::Sys))),
        ("ld.L1::evict_last", 70, (7, 4), ld(|a| a.eviction = Eviction::EvictLast)),
        ("ld.L1::no_allocate", 70, (7, 4), ld(|a| a.eviction = Eviction::NoAllocate)),
        ("ld.L2::64B", 75, (7, 4), ld(|a| a.prefetch = Prefetch::B64)),
        ("ld.L2::128B", 75, (7, 4), ld(|a| a.prefetch = Prefetch::B128)),
        ("ld.L2::256B", 80, (7, 4), ld(|a| a.prefetch = Prefetch::B256)),
        (
            "st.release.cta",
            70,
            (6, 0),
            Box::new(|b, r| {
                let mut a = global(Type::F32);
                a.order = MemOrder::Release(Scope::Cta);
                b.ins().st(a, Address::reg(r.g), r.f);
            }),
        ),
        ("atom.cta.add.u32", 60, (6, 0), atom(AtomOp::Add, MemOrder::Weak, Some(Scope::Cta), Type::U32, u)),
        ("atom.sys.exch.b32", 60, (6, 0), atom(AtomOp::Exch, MemOrder::Weak, Some(Scope::Sys), Type::B32, u)),
        ("atom.relaxed.gpu", 70, (6, 0), atom(AtomOp::Add, MemOrder::Relaxed(Scope::Gpu), None, Type::U32, u)),
        ("atom.acq_rel.sys", 70, (6, 0), atom(AtomOp::Or, MemOrder::AcqRel(Scope::Sys), None, Type::B32, u)),
        ("atom.add.f64", 60, (6, 0), atom(AtomOp::Add, MemOrder::Weak, None, Type::F64, d)),
        ("atom.add.noftz.f16x2", 60, (6, 2), atom(AtomOp::Add, MemOrder::Weak, None, Type::F16x2, h2)),
        ("atom.add.noftz.f16", 70, (6, 3), atom(AtomOp::Add, MemOrder::Weak, None, Type::F16, h)),
        ("atom.add.noftz.bf16", 90, (7, 8), atom(AtomOp::Add, MemOrder::Weak, None, Type::BF16, h)),
        ("atom.cas.b16", 70, (6, 3), atom(AtomOp::Cas, MemOrder::Weak, None, Type::B16, h)),
        ("fence.sc.gpu", 70, (6, 0), Box::new(|b, _| b.ins().fence(FenceKind::Sc, Scope::Gpu))),
        ("fence.acq_rel.cta", 70, (6, 0), Box::new(|b, _| b.ins().fence(FenceKind::AcqRel, Scope::Cta))),
        (
            "activemask",
            52,
            (6, 2),
            Box::new(|b, r| {
                let v = b.ins().active_mask();
                keep(b, r, v)
            }),
        ),
    ]
}

/// Architectures and ISA versions, in order, for stepping one below a requirement.
const SMS: [u32; 11] = [52, 53, 60, 61, 70, 72, 75, 80, 86, 89, 90];
const ISAS: [(u32, u32); 18] = [
    (6, 0),
    (6, 1),
    (6, 2),
    (6, 3),
    (6, 4),
    (6, 5),
    (7, 0),
    (7, 1),
    (7, 2),
    (7, 3),
    (7, 4),
    (7, 5),
    (7, 6),
    (7, 7),
    (7, 8),
    (8, 0),
    (8, 1),
    (8, 2),
];

/// `ptx` with its `.version`/`.target` header replaced.
fn retarget(ptx: &str, sm: u32, isa: PtxIsa) -> String {
    let mut out = String::new();
    for line in ptx.lines() {
        if line.starts_with(".version ") {
            out.push_str(&format!(".version {isa}\n"));
        } else if line.starts_with(".target ") {
            out.push_str(&format!(".target sm_{sm}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Each feature row: the writer computes the row's target; ptxas accepts the PTX there, and rejects it one
/// architecture lower and one ISA version lower (where those are still meaningful), so no row is too strict or too
/// lax.
#[test]
fn requirement_table_matches_ptxas() {
    let have_ptxas = ptxas::find().is_some();
    for (name, sm, (major, minor), make) in feature_rows() {
        let m = feature_kernel(&*make);
        let isa = PtxIsa(major, minor);
        let t = required_target(&m);
        assert_eq!((t.sm, t.ptx_isa.max(PtxIsa(6, 0))), (sm, isa.max(min_isa_for_sm(sm)).max(PtxIsa(6, 0))), "{name}");
        let ptx = write_module(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
        if !ptxas::check_or_skip(&ptx, &["sm_90"]).unwrap_or_else(|e| panic!("{name}: {e}")) {
            continue;
        }
        assert!(have_ptxas);
        if let Some(&lower) = SMS.iter().rev().find(|&&s| s < sm) {
            let v = t.ptx_isa.max(min_isa_for_sm(lower));
            let text = retarget(&ptx, lower, v);
            assert!(ptxas::assemble(&text, "sm_90").is_err(), "{name} should need sm_{sm}, but sm_{lower} takes it");
        }
        let floor = min_isa_for_sm(sm).max(PtxIsa(6, 0));
        if isa > floor {
            let &(ma, mi) = ISAS.iter().rev().find(|&&(a, b)| PtxIsa(a, b) < isa).unwrap();
            let text = retarget(&ptx, sm.max(t.sm), PtxIsa(ma, mi));
            assert!(
                ptxas::assemble(&text, "sm_90").is_err(),
                "{name} should need PTX ISA {isa}, but {ma}.{mi} takes it"
            );
        }
    }
}

/// `requirement` folds the features of one instruction, naming the one that needs the highest architecture.
#[test]
fn requirement_of_one_instruction() {
    let mut access = MemAccess::new(StateSpace::Global, Type::F32);
    access.order = MemOrder::Relaxed(Scope::Gpu);
    access.prefetch = Prefetch::B256;
    let r = ptx_gen::target::requirement(&InstKind::Ld { access, dsts: vec![Reg(0)], addr: Address::reg(Reg(1)) });
    assert_eq!((r.sm, r.isa, r.what), (80, PtxIsa(7, 4), "the .L2::256B prefetch size"));
    let plain = InstKind::Mov { ty: Type::U32, dst: Reg(0), src: Operand::u32(1) };
    assert_eq!(ptx_gen::target::requirement(&plain), Requirement::FLOOR);
    assert!(!r.is_met_by(&Target::sm(80)), "sm_80 alone means PTX ISA 7.0");
    assert!(r.is_met_by(&Target { sm: 80, ptx_isa: PtxIsa(7, 4), arch_specific: false }));
    assert!(Requirement::FLOOR.is_met_by(&Target::FLOOR));
}
