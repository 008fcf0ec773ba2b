//! The verifier's legality tables against NVIDIA's assembler: thousands of instruction forms (every family, type,
//! modifier and memory qualifier), each checked by the verifier; every form it accepts is written by the PTX writer
//! and must assemble with `ptxas`. Forms it rejects that ptxas would take are listed, and must be the IR's
//! deliberate restrictions (below). Skipped without ptxas (env `PTXAS` or `PATH`), unless `CI=true`.

use std::collections::BTreeMap;

use ptx_gen::verify::check_inst_kind;
use ptx_gen::write::write_module;
use ptx_gen::*;

/// An instruction form: a description and a builder of the instruction in a fresh kernel.
struct Form {
    name: String,
    build: Box<dyn Fn(&mut Function) -> InstKind>,
}

fn form(name: String, build: impl Fn(&mut Function) -> InstKind + 'static) -> Form {
    Form { name, build: Box::new(build) }
}

fn reg(f: &mut Function, ty: Type) -> Reg {
    f.new_reg(ty)
}

fn op(f: &mut Function, ty: Type) -> Operand {
    Operand::Reg(f.new_reg(ty))
}

const MODES: [Mode; 10] =
    [Mode::None, Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp, Mode::Approx, Mode::Full, Mode::Lo, Mode::Hi, Mode::Wide];

fn arith_forms() -> Vec<Form> {
    let mut forms = Vec::new();
    let unops = [
        UnOp::Neg,
        UnOp::Abs,
        UnOp::Not,
        UnOp::Popc,
        UnOp::Clz,
        UnOp::Brev,
        UnOp::Sqrt,
        UnOp::Rsqrt,
        UnOp::Rcp,
        UnOp::Ex2,
        UnOp::Lg2,
        UnOp::Sin,
        UnOp::Cos,
        UnOp::Tanh,
    ];
    for o in unops {
        for ty in Type::ALL {
            for mode in MODES {
                forms.push(form(format!("{}.{}.{ty}", o.name(), mode.name()), move |f| {
                    let dty = if matches!(o, UnOp::Popc | UnOp::Clz) { Type::U32 } else { ty };
                    InstKind::Unary { op: o, mode, ty, dst: reg(f, dty), src: op(f, ty) }
                }));
            }
        }
    }
    let binops = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Rem,
        BinOp::Min,
        BinOp::Max,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
        BinOp::Shl,
        BinOp::Shr,
    ];
    for o in binops {
        for ty in Type::ALL {
            for mode in MODES {
                forms.push(form(format!("{}.{}.{ty}", o.name(), mode.name()), move |f| {
                    let dty = if mode == Mode::Wide { ty.widened().unwrap_or(ty) } else { ty };
                    let bty = if matches!(o, BinOp::Shl | BinOp::Shr) { Type::U32 } else { ty };
                    InstKind::Binary { op: o, mode, ty, dst: reg(f, dty), a: op(f, ty), b: op(f, bty) }
                }));
            }
        }
    }
    for o in [TernOp::Mad, TernOp::Fma, TernOp::Bfe] {
        for ty in Type::ALL {
            for mode in MODES {
                forms.push(form(format!("{}.{}.{ty}", o.name(), mode.name()), move |f| {
                    let wide = if mode == Mode::Wide { ty.widened().unwrap_or(ty) } else { ty };
                    let (bt, ct) = if o == TernOp::Bfe { (Type::U32, Type::U32) } else { (ty, wide) };
                    InstKind::Ternary { op: o, mode, ty, dst: reg(f, wide), a: op(f, ty), b: op(f, bt), c: op(f, ct) }
                }));
            }
        }
    }
    for ty in Type::ALL {
        forms.push(form(format!("bfi.{ty}"), move |f| InstKind::Bfi {
            ty,
            dst: reg(f, ty),
            f: op(f, ty),
            b: op(f, ty),
            pos: op(f, Type::U32),
            len: Operand::u32(3),
        }));
        forms.push(form(format!("selp.{ty}"), move |f| InstKind::Selp {
            ty,
            dst: reg(f, ty),
            a: op(f, ty),
            b: op(f, ty),
            cond: reg(f, Type::Pred),
        }));
        forms.push(form(format!("mov.{ty}"), move |f| InstKind::Mov { ty, dst: reg(f, ty), src: op(f, ty) }));
        forms.push(form(format!("mov.{ty} imm"), move |f| InstKind::Mov { ty, dst: reg(f, ty), src: Operand::u32(1) }));
        for cmp in CmpOp::ALL {
            forms.push(form(format!("setp.{}.{ty}", cmp.name()), move |f| InstKind::Setp {
                cmp,
                ty,
                dst: reg(f, Type::Pred),
                a: op(f, ty),
                b: op(f, ty),
            }));
        }
    }
    for mode in CvtMode::ALL {
        for sat in [false, true] {
            for dst_ty in Type::ALL {
                for src_ty in Type::ALL {
                    forms.push(form(format!("cvt.{}.sat={sat}.{dst_ty}.{src_ty}", mode.name()), move |f| {
                        InstKind::Cvt { mode, sat, dst_ty, src_ty, dst: reg(f, dst_ty), src: op(f, src_ty) }
                    }));
                }
            }
        }
    }
    forms
}

fn mem_forms() -> Vec<Form> {
    let mut forms = Vec::new();
    let spaces = [StateSpace::Global, StateSpace::Shared, StateSpace::Local, StateSpace::Const, StateSpace::Generic];
    let orders = [
        MemOrder::Weak,
        MemOrder::Volatile,
        MemOrder::Relaxed(Scope::Gpu),
        MemOrder::Acquire(Scope::Cta),
        MemOrder::Release(Scope::Sys),
        MemOrder::AcqRel(Scope::Gpu),
    ];
    let caches =
        [CacheOp::None, CacheOp::Ca, CacheOp::Cg, CacheOp::Cs, CacheOp::Lu, CacheOp::Cv, CacheOp::Wb, CacheOp::Wt];
    let ld = |access: MemAccess| {
        move |f: &mut Function| {
            let rt = builder::reg_type_for_mem(access.ty);
            let dsts = (0..access.vec.count()).map(|_| reg(f, rt)).collect();
            InstKind::Ld { access, dsts, addr: Address::reg_offset(reg(f, Type::U64), 16) }
        }
    };
    let st = |access: MemAccess| {
        move |f: &mut Function| {
            let rt = builder::reg_type_for_mem(access.ty);
            let srcs = (0..access.vec.count()).map(|_| op(f, rt)).collect();
            InstKind::St { access, addr: Address::reg(reg(f, Type::U64)), srcs }
        }
    };
    for ty in Type::ALL {
        for vec in [VecWidth::Scalar, VecWidth::V2, VecWidth::V4] {
            let mut a = MemAccess::new(StateSpace::Global, ty);
            a.vec = vec;
            forms.push(form(format!("ld.global.{vec:?}.{ty}"), ld(a)));
            forms.push(form(format!("st.global.{vec:?}.{ty}"), st(a)));
        }
    }
    for space in spaces {
        for order in orders {
            for cache in caches {
                for nc in [false, true] {
                    let mut a = MemAccess::new(space, Type::U32);
                    a.order = order;
                    a.cache = cache;
                    a.nc = nc;
                    let name = format!("{space:?}.{order:?}.{cache:?}.nc={nc}");
                    forms.push(form(format!("ld.{name}"), ld(a)));
                    forms.push(form(format!("st.{name}"), st(a)));
                }
            }
            for eviction in [Eviction::EvictLast, Eviction::NoAllocate, Eviction::EvictFirst] {
                let mut a = MemAccess::new(space, Type::U32);
                a.order = order;
                a.eviction = eviction;
                forms.push(form(format!("ld.{space:?}.{order:?}.{eviction:?}"), ld(a)));
                forms.push(form(format!("st.{space:?}.{order:?}.{eviction:?}"), st(a)));
            }
            for prefetch in [Prefetch::B64, Prefetch::B128, Prefetch::B256] {
                let mut a = MemAccess::new(space, Type::U32);
                a.order = order;
                a.prefetch = prefetch;
                forms.push(form(format!("ld.{space:?}.{order:?}.{prefetch:?}"), ld(a)));
            }
        }
    }
    let atom_ops = [
        AtomOp::Add,
        AtomOp::Min,
        AtomOp::Max,
        AtomOp::Inc,
        AtomOp::Dec,
        AtomOp::And,
        AtomOp::Or,
        AtomOp::Xor,
        AtomOp::Exch,
        AtomOp::Cas,
    ];
    let atom = move |o: AtomOp, space, order, scope, ty: Type, with_dst: bool| {
        move |f: &mut Function| InstKind::Atom {
            op: o,
            space,
            order,
            scope,
            ty,
            dst: with_dst.then(|| reg(f, ty)),
            addr: Address::reg(reg(f, Type::U64)),
            src: op(f, ty),
            cmp: (o == AtomOp::Cas).then(|| op(f, ty)),
        }
    };
    for o in atom_ops {
        for ty in Type::ALL {
            for d in [true, false] {
                let name = format!("{}.{}.{ty}", if d { "atom" } else { "red" }, o.name());
                forms.push(form(name, atom(o, StateSpace::Global, MemOrder::Weak, None, ty, d)));
            }
        }
    }
    for (o, ty) in [(AtomOp::Add, Type::U32), (AtomOp::Cas, Type::B32), (AtomOp::Exch, Type::B64)] {
        for space in spaces {
            for order in orders {
                for scope in [None, Some(Scope::Gpu), Some(Scope::Cta)] {
                    for d in [true, false] {
                        let name =
                            format!("{}.{}.{space:?}.{order:?}.{scope:?}", if d { "atom" } else { "red" }, o.name());
                        forms.push(form(name, atom(o, space, order, scope, ty, d)));
                    }
                }
            }
        }
    }
    for space in [StateSpace::Global, StateSpace::Shared, StateSpace::Local, StateSpace::Const, StateSpace::Param] {
        for to_generic in [false, true] {
            forms.push(form(format!("cvta.{space:?}.to_generic={to_generic}"), move |f| InstKind::Cvta {
                to_generic,
                space,
                dst: reg(f, Type::U64),
                src: reg(f, Type::U64),
            }));
        }
    }
    forms
}

fn sync_forms() -> Vec<Form> {
    let mut forms = Vec::new();
    for (id, count) in [(0, None), (15, None), (16, None), (1, Some(64)), (1, Some(33)), (2, Some(1024))] {
        for bop in [BarOp::Sync, BarOp::Arrive] {
            forms.push(form(format!("bar.{bop:?} {id} {count:?}"), move |_| InstKind::Bar {
                op: bop,
                id: Operand::u32(id),
                count: count.map(Operand::u32),
            }));
        }
    }
    for kind in [FenceKind::Membar, FenceKind::AcqRel, FenceKind::Sc] {
        for scope in [Scope::Cta, Scope::Gpu, Scope::Sys] {
            forms.push(form(format!("fence.{kind:?}.{scope:?}"), move |_| InstKind::Fence { kind, scope }));
        }
    }
    for ty in [Type::B32, Type::U32, Type::F32, Type::U64, Type::B16] {
        for mode in [ShflMode::Up, ShflMode::Down, ShflMode::Bfly, ShflMode::Idx] {
            forms.push(form(format!("shfl.{mode:?}.{ty}"), move |f| InstKind::Shfl {
                mode,
                dst: reg(f, ty),
                pred: Some(reg(f, Type::Pred)),
                src: op(f, ty),
                lane: Operand::u32(1),
                clamp: Operand::u32(31),
                mask: op(f, Type::U32),
            }));
        }
        forms.push(form(format!("activemask {ty}"), move |f| InstKind::ActiveMask { dst: reg(f, ty) }));
        forms.push(form(format!("warpsync {ty}"), move |f| InstKind::WarpSync { mask: op(f, ty) }));
        for mode in [VoteMode::All, VoteMode::Any, VoteMode::Uni, VoteMode::Ballot] {
            forms.push(form(format!("vote.{mode:?}.{ty}"), move |f| InstKind::Vote {
                mode,
                dst: reg(f, ty),
                src: reg(f, Type::Pred),
                negate: true,
                mask: Operand::u32(u32::MAX),
            }));
        }
    }
    forms
}

/// Forms the verifier rejects on purpose although ptxas takes them (checked against ptxas by this test):
/// - `mad` on floats: the IR fuses float multiply-adds only through `fma`;
/// - `fma.rz/rm/rp` on bf16 (sm_90 only, and no frontend needs it);
/// - `setp` on packed types, whose real form writes two predicates (`p|q`), which the IR's one destination cannot;
/// - `cvt` between f16 and bf16 without a rounding mode (which rounding would apply is unspecified), and widening
///   bf16 conversions with one (they are exact).
fn deliberate(name: &str) -> bool {
    let prefixes = ["mad.rn.f", "mad.rz.f", "mad.rm.f", "mad.rp.f", "fma.rz.bf16", "fma.rm.bf16", "fma.rp.bf16"];
    prefixes.iter().any(|p| name.starts_with(p))
        || (name.starts_with("setp.") && name.ends_with("16x2"))
        || name.starts_with("cvt..sat=false.f16.bf16")
        || name.starts_with("cvt..sat=false.bf16.f16")
        || (name.starts_with("cvt.r") && (name.ends_with(".f32.bf16") || name.ends_with(".f64.bf16")))
}

/// Assembles the kernels (one per chunk of forms) and returns, per chunk, the set of form positions ptxas rejects.
fn assemble(chunks: &[Vec<(String, Function, InstKind)>]) -> Option<Vec<BTreeMap<usize, String>>> {
    let mut m = Module::new();
    for (ci, chunk) in chunks.iter().enumerate() {
        let mut k = Function::kernel(format!("k{ci}"));
        k.add_param("p", Type::U64);
        let mut regs = Vec::new();
        for (_, f, _) in chunk {
            regs.push(k.regs.len());
            for (_, r) in f.regs.iter() {
                k.new_reg(r.ty);
            }
        }
        let mut b = FunctionBuilder::new(&mut k);
        let e = b.create_block();
        b.switch_to_block(e);
        for ((_, _, kind), &base) in chunk.iter().zip(&regs) {
            let mut kind = kind.clone();
            kind.for_each_reg_mut(|r, _| r.0 += base as u32);
            b.push(kind);
        }
        b.ret();
        b.finish().unwrap();
        m.add_function(k);
    }
    let ptx = write_module(&m).unwrap_or_else(|e| panic!("the writer refused: {e}"));
    let target = ptx_gen::ptxas::ptx_target(&ptx).unwrap_or("sm_90").to_owned();
    let gpu = if target.starts_with("sm_") { target.clone() } else { "sm_90".into() };
    let out = match ptx_gen::ptxas::assemble(&ptx, &gpu) {
        Ok(_) => String::new(),
        Err(ptx_gen::ptxas::PtxasError::NotFound) => return None,
        Err(e) => e.to_string(),
    };
    // Map each instruction line of the text to (chunk, position).
    let lines: Vec<&str> = ptx.lines().collect();
    let mut where_: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let mut current: Option<(usize, usize)> = None;
    for (i, l) in lines.iter().enumerate() {
        if let Some(rest) = l.strip_prefix(".visible .entry k") {
            let ci: usize = rest.split('(').next().unwrap().parse().unwrap();
            current = Some((ci, 0));
            continue;
        }
        let t = l.trim();
        if let Some((ci, pos)) = current.as_mut() {
            if l.starts_with('\t') && !t.starts_with(".reg") && !t.starts_with(".param") && !t.starts_with("ret;") {
                where_.insert(i + 1, (*ci, *pos));
                *pos += 1;
            }
        }
    }
    let mut bad = vec![BTreeMap::new(); chunks.len()];
    for l in out.lines() {
        let Some(rest) = l.split(", line ").nth(1) else { continue };
        let Ok(line) = rest.split(';').next().unwrap().trim().parse::<usize>() else { continue };
        match where_.get(&line) {
            Some(&(ci, pos)) => {
                let msg = l.split("error").nth(1).unwrap_or(l).trim_start_matches([' ', ':']).to_owned();
                bad[ci].insert(pos, format!("{msg} [{}]", lines[line - 1].trim()));
            }
            None => {
                panic!("ptxas error outside any instruction: {l}\n{}", lines.get(line.wrapping_sub(1)).unwrap_or(&""))
            }
        }
    }
    Some(bad)
}

#[test]
fn every_form_the_verifier_accepts_assembles() {
    if ptx_gen::ptxas::find().is_none() {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "ptxas is required under CI=true");
        eprintln!("note: ptxas not found; skipping");
        return;
    }
    let forms: Vec<Form> = arith_forms().into_iter().chain(mem_forms()).chain(sync_forms()).collect();
    let (mut accepted, mut rejected) = (Vec::new(), Vec::new());
    for fm in &forms {
        let mut f = Function::kernel("k");
        f.add_param("p", Type::U64);
        let kind = (fm.build)(&mut f);
        match check_inst_kind(&f, None, &kind) {
            Ok(()) => accepted.push((fm.name.clone(), f, kind)),
            Err(_) => {
                // Only forms the writer can spell say anything about ptxas.
                let mut m = Module::new();
                let mut k = f.clone();
                let mut b = FunctionBuilder::new(&mut k);
                let e = b.create_block();
                b.switch_to_block(e);
                b.push(kind.clone());
                b.ret();
                m.add_function(k);
                if write_module(&m).is_ok() {
                    rejected.push((fm.name.clone(), f, kind));
                }
            }
        }
    }
    let chunk = |v: Vec<(String, Function, InstKind)>| -> Vec<Vec<(String, Function, InstKind)>> {
        let mut out: Vec<Vec<_>> = Vec::new();
        for x in v {
            if out.last().is_none_or(|c| c.len() >= 400) {
                out.push(Vec::new());
            }
            out.last_mut().unwrap().push(x);
        }
        out
    };
    let (acc_chunks, rej_chunks) = (chunk(accepted), chunk(rejected));
    let Some(acc_bad) = assemble(&acc_chunks) else { return };
    let mut failures = Vec::new();
    for (ci, bad) in acc_bad.iter().enumerate() {
        for (&pos, msg) in bad {
            failures.push(format!("{}: {msg}", acc_chunks[ci][pos].0));
        }
    }
    let n_acc: usize = acc_chunks.iter().map(Vec::len).sum();
    let n_rej: usize = rej_chunks.iter().map(Vec::len).sum();
    assert!(
        failures.is_empty(),
        "{} of {n_acc} accepted forms do not assemble:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The other direction: rejected forms ptxas takes anyway must be deliberate.
    let rej_bad = assemble(&rej_chunks).unwrap();
    let mut lenient = Vec::new();
    for (ci, chunk) in rej_chunks.iter().enumerate() {
        for (pos, (name, f, kind)) in chunk.iter().enumerate() {
            if !rej_bad[ci].contains_key(&pos) && !deliberate(name) {
                let why = check_inst_kind(f, None, kind).unwrap_err();
                lenient.push(format!("{name}: {why}"));
            }
        }
    }
    eprintln!(
        "{} forms: {n_acc} accepted (all assemble), {n_rej} rejected and writable, {} of those taken by ptxas",
        forms.len(),
        lenient.len()
    );
    assert!(lenient.is_empty(), "the verifier rejects forms ptxas takes:\n{}", lenient.join("\n"));
}
