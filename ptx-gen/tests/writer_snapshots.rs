//! The hand-built kernels of `tests/kernels/`: their PTX pinned by insta snapshots, assembled by ptxas for every
//! GPU generation at or above their target, written deterministically, and together covering every instruction
//! family of the IR.

mod kernels;

use std::collections::BTreeSet;

use ptx_gen::write::write_module;
use ptx_gen::*;

/// The GPUs every snapshot is assembled for (those at or above its own `.target`).
const GPUS: [&str; 3] = ["sm_75", "sm_80", "sm_90"];

fn check(name: &str, module: Module) {
    let ptx = write_module(&module).unwrap_or_else(|e| panic!("{name}: {e}"));
    insta::assert_snapshot!(name, ptx);
    // The text depends only on the IR: a copy writes the same bytes.
    assert_eq!(write_module(&module.clone()).as_deref(), Ok(ptx.as_str()), "{name} is not deterministic");
    ptx_gen::ptxas::check_or_skip(&ptx, &GPUS).unwrap_or_else(|e| panic!("{name}: {e}"));
}

macro_rules! kernel_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), kernels::$name::build());
            }
        )*

        /// Every kernel module has a test above.
        #[test]
        fn every_kernel_module_is_tested() {
            let tested: BTreeSet<&str> = [$(stringify!($name)),*].into_iter().collect();
            let all: BTreeSet<&str> = kernels::all().into_iter().map(|(n, _)| n).collect();
            assert_eq!(tested, all);
        }
    };
}

kernel_tests!(
    atomics_basic, atomics_scoped, barriers_shared, bf16_hopper, bit_ops, cache_ops, compare_select, control_flow,
    conversions, device_calls, eviction_prefetch, float_f32, float_f64, half_precision, inline_asm, int_arith,
    kernel_attrs, memory_order, memory_spaces, module_vars, saxpy, special_regs, tanh_turing, tensor_cores,
    warp_collectives,
);

/// Everything the kernels exercise, as readable keys (`"setp.nan.f32"`, `"ld.space.local"`, …).
fn features(modules: &[(&str, Module)]) -> BTreeSet<String> {
    use InstKind::*;
    let mut seen = BTreeSet::new();
    let mut add = |s: String| {
        seen.insert(s);
    };
    for (_, m) in modules {
        for v in m.vars.values() {
            add(format!("var.{}", v.space));
            if v.len == Some(0) {
                add("var.extern".into());
            }
            if !v.init.is_empty() {
                add(format!("var.init.{}", v.space));
            }
        }
        for f in m.functions.values() {
            let a = f.attrs;
            for (set, key) in [
                (a.max_threads.is_some(), "maxntid"),
                (a.required_threads.is_some(), "reqntid"),
                (a.min_blocks_per_sm.is_some(), "minnctapersm"),
                (a.max_registers.is_some(), "maxnreg"),
            ] {
                if set {
                    add(format!("attr.{key}"));
                }
            }
            for &bl in &f.layout {
                let data = &f.blocks[bl];
                match &data.term {
                    Some(Terminator::Jump(_)) => add("term.jump".into()),
                    Some(Terminator::Branch { negate, .. }) => add(format!("term.branch.negate={negate}")),
                    Some(Terminator::Return) => add("term.ret".into()),
                    Some(Terminator::Trap) => add("term.trap".into()),
                    None => {}
                }
                for &i in &data.insts {
                    let kind = &f.insts[i].kind;
                    // The exhaustive match makes a new instruction variant fail to compile here until it is
                    // listed, and then fail `coverage` until a kernel uses it.
                    let family = match kind {
                        Mov { .. } => "mov",
                        ReadSpecial { sreg, .. } => {
                            add(format!("sreg.{}", sreg.name()));
                            "special"
                        }
                        AddrOf { .. } => "addr_of",
                        Unary { op, mode, .. } => {
                            add(format!("unary.{}.{}", op.name(), mode.name()));
                            "unary"
                        }
                        Binary { op, mode, .. } => {
                            add(format!("binary.{}.{}", op.name(), mode.name()));
                            "binary"
                        }
                        Ternary { op, mode, .. } => {
                            add(format!("ternary.{}.{}", op.name(), mode.name()));
                            "ternary"
                        }
                        Bfi { .. } => "bfi",
                        Setp { cmp, ty, .. } => {
                            add(format!("setp.{}", cmp.name()));
                            add(format!("setp.ty.{ty}"));
                            "setp"
                        }
                        Selp { .. } => "selp",
                        Cvt { mode, sat, .. } => {
                            add(format!("cvt.{}", mode.name()));
                            if *sat {
                                add("cvt.sat".into());
                            }
                            "cvt"
                        }
                        Cvta { to_generic, space, .. } => {
                            add(format!("cvta.{}.{space}", if *to_generic { "from" } else { "to" }));
                            "cvta"
                        }
                        Ld { access, .. } | St { access, .. } => {
                            let ld = matches!(kind, Ld { .. });
                            let op = if ld { "ld" } else { "st" };
                            add(format!("{op}.space.{}", access.space));
                            add(format!("{op}.vec.{}", access.vec.count()));
                            add(format!("{op}.cache.{}", access.cache.name()));
                            add(format!("{op}.evict.{}", access.eviction.name()));
                            add(format!("{op}.order.{}", order_name(access.order)));
                            if access.nc {
                                add("ld.nc".into());
                            }
                            if ld {
                                add(format!("ld.prefetch.{}", access.prefetch.name()));
                            }
                            op
                        }
                        Atom { op, dst, order, scope, .. } => {
                            let kind = if dst.is_some() { "atom" } else { "red" };
                            add(format!("{kind}.{}", op.name()));
                            add(format!("{kind}.order.{}", order_name(*order)));
                            if let Some(s) = scope {
                                add(format!("atom.scope.{}", s.name()));
                            }
                            kind
                        }
                        Bar { op, count, .. } => {
                            add(format!("bar.{op:?}.count={}", count.is_some()));
                            "bar"
                        }
                        WarpSync { .. } => "warp_sync",
                        Fence { kind, scope } => {
                            add(format!("fence.{kind:?}.{}", scope.name()));
                            "fence"
                        }
                        Shfl { mode, pred, .. } => {
                            add(format!("shfl.{}.pred={}", mode.name(), pred.is_some()));
                            "shfl"
                        }
                        Vote { mode, negate, .. } => {
                            add(format!("vote.{}", mode.name()));
                            if *negate {
                                add("vote.negate".into());
                            }
                            "vote"
                        }
                        ActiveMask { .. } => "activemask",
                        Call { rets, args, .. } => {
                            add(format!("call.rets={}.args={}", rets.len().min(2), args.len().min(2)));
                            "call"
                        }
                        Asm { .. } => "asm",
                        CvtPack { dst_fmt, src_fmt, relu, .. } => {
                            add(format!("cvt_pack.{}.{}.relu={relu}", dst_fmt.name(), src_fmt.name()));
                            "cvt_pack"
                        }
                        Mma { shape, a_ty, d_ty, .. } => {
                            add(format!("mma.{}.{}.{}", shape.name(), a_ty.name(), d_ty.name()));
                            "mma"
                        }
                        LdMatrix { count, trans, .. } => {
                            add(format!("ldmatrix.{}.trans={trans}", count.name()));
                            "ldmatrix"
                        }
                        StMatrix { count, .. } => {
                            add(format!("stmatrix.{}", count.name()));
                            "stmatrix"
                        }
                        CpAsync { cache, bytes, src_size, .. } => {
                            add(format!("cp_async.{}.{bytes}.zfill={}", cache.name(), src_size.is_some()));
                            "cp_async"
                        }
                        CpAsyncCommit => "cp_async_commit",
                        CpAsyncWait { pending } => {
                            add(format!("cp_async_wait.all={}", pending.is_none()));
                            "cp_async_wait"
                        }
                    };
                    add(format!("inst.{family}"));
                }
            }
        }
    }
    seen
}

fn order_name(o: MemOrder) -> &'static str {
    match o {
        MemOrder::Weak => "weak",
        MemOrder::Volatile => "volatile",
        MemOrder::Relaxed(_) => "relaxed",
        MemOrder::Acquire(_) => "acquire",
        MemOrder::Release(_) => "release",
        MemOrder::AcqRel(_) => "acq_rel",
    }
}

/// The kernels use every instruction family with every mode the brief of the writer lists.
#[test]
fn coverage() {
    let seen = features(&kernels::all());
    let mut want: Vec<String> = Vec::new();
    let mut w = |s: &str| want.push(s.to_owned());
    for f in [
        "mov", "special", "addr_of", "unary", "binary", "ternary", "bfi", "setp", "selp", "cvt", "cvta", "ld", "st",
        "atom", "red", "bar", "warp_sync", "fence", "shfl", "vote", "activemask", "call", "asm", "cvt_pack", "mma",
        "ldmatrix", "stmatrix", "cp_async", "cp_async_commit", "cp_async_wait",
    ] {
        w(&format!("inst.{f}"));
    }
    for u in [
        "neg.", "abs.", "not.", "popc.", "clz.", "brev.", "sqrt.rn", "sqrt.rz", "sqrt.rm", "sqrt.rp", "sqrt.approx",
        "rsqrt.approx", "rcp.rn", "rcp.approx", "ex2.approx", "lg2.approx", "sin.approx", "cos.approx", "tanh.approx",
    ] {
        w(&format!("unary.{u}"));
    }
    for bop in [
        "add.", "sub.", "mul.lo", "mul.hi", "mul.wide", "div.", "div.rn", "div.rz", "div.rm", "div.rp", "div.approx",
        "div.full", "rem.", "min.", "max.", "and.", "or.", "xor.", "shl.", "shr.", "add.rn", "add.rz", "add.rm",
        "add.rp", "sub.rn", "mul.rn", "mul.rz", "mul.rm", "mul.rp",
    ] {
        w(&format!("binary.{bop}"));
    }
    for t in ["mad.lo", "mad.hi", "mad.wide", "fma.rn", "fma.rz", "fma.rm", "fma.rp", "bfe."] {
        w(&format!("ternary.{t}"));
    }
    for c in CmpOp::ALL {
        w(&format!("setp.{}", c.name()));
    }
    for ty in ["s32", "u32", "s64", "u64", "f32", "f64", "f16", "bf16"] {
        w(&format!("setp.ty.{ty}"));
    }
    for m in CvtMode::ALL {
        w(&format!("cvt.{}", m.name()));
    }
    w("cvt.sat");
    for k in [
        "cvt_pack.bf16x2.f32.relu=false",
        "cvt_pack.f16x2.f32.relu=true",
        "cvt_pack.e4m3x2.f32.relu=false",
        "cvt_pack.e4m3x2.f32.relu=true",
        "cvt_pack.f16x2.e4m3x2.relu=false",
        "cvt_pack.e5m2x2.f16x2.relu=false",
        "cvt_pack.f16x2.e5m2x2.relu=true",
        "mma.m16n8k16.bf16.f32",
        "mma.m16n8k16.f16.f16",
        "mma.m16n8k8.tf32.f32",
        "mma.m16n8k32.e4m3.f32",
        "mma.m16n8k32.s8.s32",
        "mma.m16n8k16.u8.s32",
        "ldmatrix.x4.trans=false",
        "ldmatrix.x2.trans=true",
        "ldmatrix.x1.trans=false",
        "stmatrix.x4",
        "stmatrix.x2",
        "stmatrix.x1",
        "cp_async.ca.4.zfill=false",
        "cp_async.ca.8.zfill=false",
        "cp_async.ca.16.zfill=false",
        "cp_async.cg.16.zfill=true",
        "cp_async_wait.all=true",
        "cp_async_wait.all=false",
    ] {
        w(k);
    }
    for s in ["global", "shared", "local", "const"] {
        w(&format!("cvta.from.{s}"));
    }
    for s in ["global", "shared", "local"] {
        w(&format!("cvta.to.{s}"));
    }
    for s in ["param", "global", "shared", "local", "const", "generic"] {
        w(&format!("ld.space.{s}"));
    }
    for s in ["global", "shared", "local", "generic"] {
        w(&format!("st.space.{s}"));
    }
    for op in ["ld", "st"] {
        for v in [1, 2, 4] {
            w(&format!("{op}.vec.{v}"));
        }
        for o in ["weak", "volatile", "relaxed"] {
            w(&format!("{op}.order.{o}"));
        }
    }
    w("ld.order.acquire");
    w("st.order.release");
    for c in ["ca", "cg", "cs", "lu", "cv"] {
        w(&format!("ld.cache.{c}"));
    }
    for c in ["wb", "cg", "cs", "wt"] {
        w(&format!("st.cache.{c}"));
    }
    w("ld.nc");
    for e in ["L1::evict_normal", "L1::evict_unchanged", "L1::evict_first", "L1::evict_last", "L1::no_allocate"] {
        w(&format!("ld.evict.{e}"));
    }
    for e in ["L1::evict_normal", "L1::evict_first", "L1::evict_last", "L1::no_allocate"] {
        w(&format!("st.evict.{e}"));
    }
    for p in ["L2::64B", "L2::128B", "L2::256B"] {
        w(&format!("ld.prefetch.{p}"));
    }
    for op in ["add", "min", "max", "inc", "dec", "and", "or", "xor", "exch", "cas"] {
        w(&format!("atom.{op}"));
    }
    for op in ["add", "min", "max", "inc", "dec", "and", "or", "xor"] {
        w(&format!("red.{op}"));
    }
    for o in ["weak", "relaxed", "acquire", "release", "acq_rel"] {
        w(&format!("atom.order.{o}"));
    }
    for o in ["relaxed", "release"] {
        w(&format!("red.order.{o}"));
    }
    for s in ["cta", "gpu", "sys"] {
        w(&format!("atom.scope.{s}"));
        for k in ["Membar", "AcqRel", "Sc"] {
            w(&format!("fence.{k}.{s}"));
        }
    }
    for b in ["Sync.count=false", "Sync.count=true", "Arrive.count=true"] {
        w(&format!("bar.{b}"));
    }
    for m in ["up", "down", "bfly", "idx"] {
        w(&format!("shfl.{m}.pred=false"));
    }
    w("shfl.down.pred=true");
    for m in ["all", "any", "uni", "ballot"] {
        w(&format!("vote.{m}"));
    }
    w("vote.negate");
    w("call.rets=0.args=0");
    w("call.rets=1.args=1");
    w("call.rets=2.args=2");
    let mut sregs = vec![];
    for d in ["x", "y", "z"] {
        for s in ["tid", "ntid", "ctaid", "nctaid"] {
            sregs.push(format!("%{s}.{d}"));
        }
    }
    for s in [
        "laneid", "warpid", "nwarpid", "smid", "nsmid", "lanemask_lt", "clock", "clock64", "globaltimer",
        "dynamic_smem_size",
    ] {
        sregs.push(format!("%{s}"));
    }
    for s in sregs {
        w(&format!("sreg.{s}"));
    }
    for v in ["var.global", "var.shared", "var.const", "var.extern", "var.init.global", "var.init.const"] {
        w(v);
    }
    for a in ["maxntid", "reqntid", "minnctapersm", "maxnreg"] {
        w(&format!("attr.{a}"));
    }
    for t in ["term.jump", "term.branch.negate=true", "term.branch.negate=false", "term.ret", "term.trap"] {
        w(t);
    }
    let missing: Vec<&String> = want.iter().filter(|k| !seen.contains(*k)).collect();
    assert!(missing.is_empty(), "no kernel uses: {missing:?}");
}
