//! Fuzzing the verifier, the textual form and the passes with mutated functions: out-of-range registers, blocks,
//! instructions, variables and functions, wrong types and modifiers, broken layouts, arbitrary instructions of
//! every family. Nothing may panic; whatever still verifies must stay verified through the pipeline and compute
//! the same results.

mod passes_common;

use passes_common::*;
use ptx_gen::passes::{run_function_pipeline, run_pipeline, PASSES};
use ptx_gen::verify::{verify_function, verify_module, verify_module_all};
use ptx_gen::*;

const CASES: u64 = 12_000;

fn any_type(rng: &mut Rng) -> Type {
    rng.pick(&Type::ALL)
}

fn any_reg(rng: &mut Rng, f: &Function) -> Reg {
    Reg(rng.below(f.regs.len() + 3) as u32)
}

fn any_operand(rng: &mut Rng, f: &Function) -> Operand {
    if rng.chance(1, 2) {
        Operand::Reg(any_reg(rng, f))
    } else {
        Operand::Imm(Imm(rng.int()))
    }
}

fn any_mode(rng: &mut Rng) -> Mode {
    rng.pick(&Mode::ALL)
}

fn any_space(rng: &mut Rng) -> StateSpace {
    rng.pick(&[
        StateSpace::Param,
        StateSpace::Global,
        StateSpace::Shared,
        StateSpace::Local,
        StateSpace::Const,
        StateSpace::Generic,
    ])
}

fn any_scope(rng: &mut Rng) -> Scope {
    rng.pick(&Scope::ALL)
}

fn any_order(rng: &mut Rng) -> MemOrder {
    let s = any_scope(rng);
    rng.pick(&[
        MemOrder::Weak,
        MemOrder::Volatile,
        MemOrder::Relaxed(s),
        MemOrder::Acquire(s),
        MemOrder::Release(s),
        MemOrder::AcqRel(s),
    ])
}

fn any_address(rng: &mut Rng, f: &Function) -> Address {
    let base = match rng.below(3) {
        0 => AddrBase::Reg(any_reg(rng, f)),
        1 => AddrBase::Var(Var(rng.below(3) as u32)),
        _ => AddrBase::Param(rng.below(3) as u32),
    };
    Address { base, offset: rng.pick(&[0, 4, 8, -8, i64::MAX, i64::MIN]) }
}

fn any_access(rng: &mut Rng) -> MemAccess {
    MemAccess {
        space: any_space(rng),
        ty: any_type(rng),
        vec: rng.pick(&[VecWidth::Scalar, VecWidth::V2, VecWidth::V4]),
        order: any_order(rng),
        cache: rng.pick(&CacheOp::ALL),
        nc: rng.chance(1, 4),
        eviction: rng.pick(&Eviction::ALL),
        prefetch: rng.pick(&Prefetch::ALL),
    }
}

/// An arbitrary instruction of any family, with random (often invalid) fields.
fn any_inst(rng: &mut Rng, f: &Function) -> InstKind {
    let ty = any_type(rng);
    let dst = any_reg(rng, f);
    match rng.below(20) {
        0 => InstKind::Mov { ty, dst, src: any_operand(rng, f) },
        1 => InstKind::ReadSpecial { dst, sreg: rng.pick(&[SpecialReg::Tid(Dim::X), SpecialReg::Clock64]) },
        2 => InstKind::AddrOf { dst, var: Var(rng.below(3) as u32) },
        3 => InstKind::Unary { op: rng.pick(&UnOp::ALL), mode: any_mode(rng), ty, dst, src: any_operand(rng, f) },
        4 => InstKind::Binary {
            op: rng.pick(&BinOp::ALL),
            mode: any_mode(rng),
            ty,
            dst,
            a: any_operand(rng, f),
            b: any_operand(rng, f),
        },
        5 => InstKind::Ternary {
            op: rng.pick(&TernOp::ALL),
            mode: any_mode(rng),
            ty,
            dst,
            a: any_operand(rng, f),
            b: any_operand(rng, f),
            c: any_operand(rng, f),
        },
        6 => InstKind::Bfi {
            ty,
            dst,
            f: any_operand(rng, f),
            b: any_operand(rng, f),
            pos: any_operand(rng, f),
            len: any_operand(rng, f),
        },
        7 => InstKind::Setp { cmp: rng.pick(&CmpOp::ALL), ty, dst, a: any_operand(rng, f), b: any_operand(rng, f) },
        8 => InstKind::Selp { ty, dst, a: any_operand(rng, f), b: any_operand(rng, f), cond: any_reg(rng, f) },
        9 => InstKind::Cvt {
            mode: rng.pick(&CvtMode::ALL),
            sat: rng.chance(1, 2),
            dst_ty: ty,
            src_ty: any_type(rng),
            dst,
            src: any_operand(rng, f),
        },
        10 => InstKind::Cvta { to_generic: rng.chance(1, 2), space: any_space(rng), dst, src: any_reg(rng, f) },
        11 => {
            let n = rng.below(5);
            InstKind::Ld {
                access: any_access(rng),
                dsts: (0..n).map(|_| any_reg(rng, f)).collect(),
                addr: any_address(rng, f),
            }
        }
        12 => {
            let n = rng.below(5);
            InstKind::St {
                access: any_access(rng),
                addr: any_address(rng, f),
                srcs: (0..n).map(|_| any_operand(rng, f)).collect(),
            }
        }
        13 => InstKind::Atom {
            op: rng.pick(&AtomOp::ALL),
            space: any_space(rng),
            order: any_order(rng),
            scope: if rng.chance(1, 2) { Some(any_scope(rng)) } else { None },
            ty,
            dst: if rng.chance(2, 3) { Some(dst) } else { None },
            addr: any_address(rng, f),
            src: any_operand(rng, f),
            cmp: if rng.chance(1, 2) { Some(any_operand(rng, f)) } else { None },
        },
        14 => InstKind::Bar {
            op: rng.pick(&[BarOp::Sync, BarOp::Arrive]),
            id: any_operand(rng, f),
            count: if rng.chance(1, 2) { Some(any_operand(rng, f)) } else { None },
        },
        15 => InstKind::Shfl {
            mode: rng.pick(&ShflMode::ALL),
            dst,
            pred: if rng.chance(1, 2) { Some(any_reg(rng, f)) } else { None },
            src: any_operand(rng, f),
            lane: any_operand(rng, f),
            clamp: any_operand(rng, f),
            mask: any_operand(rng, f),
        },
        16 => InstKind::Vote {
            mode: rng.pick(&VoteMode::ALL),
            dst,
            src: any_reg(rng, f),
            negate: rng.chance(1, 2),
            mask: any_operand(rng, f),
        },
        17 => InstKind::Call {
            func: FuncId(rng.below(4) as u32),
            rets: (0..rng.below(3)).map(|_| any_reg(rng, f)).collect(),
            args: (0..rng.below(3)).map(|_| any_operand(rng, f)).collect(),
        },
        18 => InstKind::Asm {
            text: rng.pick(&["mov.u32 {0}, {1};", "{9}", "{", "{}{0", "nop;"]).into(),
            outputs: (0..rng.below(2)).map(|_| any_reg(rng, f)).collect(),
            inputs: (0..rng.below(2)).map(|_| any_operand(rng, f)).collect(),
        },
        _ => match rng.below(3) {
            0 => InstKind::ActiveMask { dst },
            1 => InstKind::Fence { kind: FenceKind::Sc, scope: any_scope(rng) },
            _ => InstKind::WarpSync { mask: any_operand(rng, f) },
        },
    }
}

/// Changes one field of an existing instruction.
fn tweak_inst(rng: &mut Rng, f: &Function, kind: &mut InstKind) {
    match rng.below(4) {
        0 => {
            // Re-point one register (def or use).
            let mut regs = Vec::new();
            kind.for_each_reg_mut(|r, _| regs.push(*r));
            if !regs.is_empty() {
                let k = rng.below(regs.len());
                let mut i = 0;
                let new = any_reg(rng, f);
                kind.for_each_reg_mut(|r, _| {
                    if i == k {
                        *r = new;
                    }
                    i += 1;
                });
            }
        }
        1 => match kind {
            InstKind::Mov { ty, .. }
            | InstKind::Unary { ty, .. }
            | InstKind::Binary { ty, .. }
            | InstKind::Ternary { ty, .. }
            | InstKind::Bfi { ty, .. }
            | InstKind::Setp { ty, .. }
            | InstKind::Selp { ty, .. } => *ty = any_type(rng),
            InstKind::Cvt { dst_ty, src_ty, .. } => {
                if rng.chance(1, 2) {
                    *dst_ty = any_type(rng)
                } else {
                    *src_ty = any_type(rng)
                }
            }
            InstKind::St { access, .. } | InstKind::Ld { access, .. } => *access = any_access(rng),
            _ => {}
        },
        2 => match kind {
            InstKind::Unary { mode, .. } | InstKind::Binary { mode, .. } | InstKind::Ternary { mode, .. } => {
                *mode = any_mode(rng)
            }
            InstKind::Setp { cmp, .. } => *cmp = rng.pick(&CmpOp::ALL),
            InstKind::Cvt { mode, sat, .. } => {
                *mode = rng.pick(&CvtMode::ALL);
                *sat = rng.chance(1, 2);
            }
            _ => {}
        },
        _ => *kind = any_inst(rng, f),
    }
}

fn any_block(rng: &mut Rng, f: &Function) -> Block {
    Block(rng.below(f.blocks.len() + 2) as u32)
}

/// Applies one random mutation.
fn mutate(rng: &mut Rng, f: &mut Function) {
    // Mutate only through layout entries that name existing blocks (others are already broken enough).
    let nblocks = f.blocks.len();
    f.layout.retain(|b| (b.0 as usize) < nblocks);
    let nb = f.layout.len();
    match rng.below(16) {
        0..=4 if !f.insts.is_empty() => {
            let i = Inst(rng.below(f.insts.len()) as u32);
            let mut kind = f.insts[i].kind.clone();
            tweak_inst(rng, f, &mut kind);
            f.insts[i].kind = kind;
        }
        5 if !f.regs.is_empty() => {
            let r = Reg(rng.below(f.regs.len()) as u32);
            f.regs[r].ty = any_type(rng);
        }
        6 if nb > 0 => {
            let b = f.layout[rng.below(nb)];
            let t = any_block(rng, f);
            let e = any_block(rng, f);
            let cond = any_reg(rng, f);
            f.blocks[b].term = match rng.below(5) {
                0 => None,
                1 => Some(Terminator::Jump(t)),
                2 => Some(Terminator::Branch { cond, negate: rng.chance(1, 2), then_dest: t, else_dest: e }),
                3 => Some(Terminator::Trap),
                _ => Some(Terminator::Return),
            };
        }
        7 => match rng.below(5) {
            0 => f.layout.clear(),
            1 => {
                let b = any_block(rng, f);
                f.layout.push(b)
            }
            2 if nb > 0 => {
                f.layout.remove(rng.below(nb));
            }
            3 if nb > 1 => f.layout.swap(0, rng.below(nb)),
            _ => f.layout.reverse(),
        },
        8 if nb > 0 => {
            // Insert an instruction id (maybe one another block lists, maybe out of range).
            let b = f.layout[rng.below(nb)];
            let i = Inst(rng.below(f.insts.len() + 2) as u32);
            let pos = rng.below(f.blocks[b].insts.len() + 1);
            f.blocks[b].insts.insert(pos, i);
        }
        9 if nb > 0 => {
            let b = f.layout[rng.below(nb)];
            let n = f.blocks[b].insts.len();
            if n > 1 {
                f.blocks[b].insts.swap(rng.below(n), rng.below(n));
            } else if n == 1 {
                f.blocks[b].insts.clear();
            }
        }
        10 => {
            // A new arbitrary instruction somewhere.
            if nb > 0 {
                let kind = any_inst(rng, f);
                let i = f.insts.push(InstData { kind, loc: SrcLoc(rng.below(100) as u32) });
                let b = f.layout[rng.below(nb)];
                let pos = rng.below(f.blocks[b].insts.len() + 1);
                f.blocks[b].insts.insert(pos, i);
            }
        }
        11 if !f.params.is_empty() => {
            let p = rng.below(f.params.len());
            match rng.below(3) {
                0 => f.params[p].reg = None,
                1 => f.params[p].reg = Some(any_reg(rng, f)),
                _ => f.params[p].ty = any_type(rng),
            }
        }
        12 => {
            f.kind = if f.kind == FuncKind::Kernel { FuncKind::Device } else { FuncKind::Kernel };
        }
        13 => {
            let r = any_reg(rng, f);
            if rng.chance(1, 2) {
                f.returns.push(r)
            } else {
                f.returns.pop();
            }
        }
        14 => f.attrs.max_threads = Some(rng.below(2048) as u32),
        _ => {
            // Replace an operand by an immediate or a register of another type.
            if !f.insts.is_empty() {
                let i = Inst(rng.below(f.insts.len()) as u32);
                let replacement = any_operand(rng, f);
                if let InstKind::Binary { b, .. } | InstKind::Setp { b, .. } | InstKind::Selp { b, .. } =
                    &mut f.insts[i].kind
                {
                    *b = replacement;
                }
            }
        }
    }
}

/// A module around `f`: a callee before it, a kernel after it, and variables, so that calls and addresses can be
/// checked in context.
fn module_around(f: Function, rng: &mut Rng) -> Module {
    let mut m = Module::new();
    m.add_var(VarData {
        name: "g".into(),
        space: StateSpace::Global,
        ty: Type::U32,
        len: Some(4),
        align: 4,
        init: vec![1, 2],
    });
    m.add_var(VarData {
        name: "s".into(),
        space: StateSpace::Shared,
        ty: Type::B8,
        len: Some(0),
        align: 16,
        init: vec![],
    });
    let mut callee = Function::device("callee");
    callee.add_param("x", Type::U32);
    let r = callee.add_return(Type::U32);
    let x = callee.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut callee);
    let e = b.create_block();
    b.switch_to_block(e);
    b.ins().mov_to(r, x);
    b.ret();
    b.finish().unwrap();
    m.add_function(callee);
    m.add_function(f);
    let mut k = Function::kernel("k");
    k.add_param("p", Type::U64);
    let mut b = FunctionBuilder::new(&mut k);
    let e = b.create_block();
    b.switch_to_block(e);
    let a = b.ins().ld_param(Type::U64, 0);
    let t = b.ins().cvt(CvtMode::None, false, Type::U32, Type::U64, a);
    // Usually a valid call; sometimes one to a random function (wrong signature, itself, out of range).
    let callee = if rng.chance(3, 4) { FuncId(0) } else { FuncId(rng.below(4) as u32) };
    let v = b.ins().call(callee, &[Type::U32], vec![Operand::Reg(t)]);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::U32), Address::reg(a), v[0]);
    b.ret();
    b.finish().unwrap();
    m.add_function(k);
    m
}

#[test]
fn mutated_functions_never_panic_and_valid_ones_stay_correct() {
    let (mut still_valid, mut rejected, mut module_errors) = (0usize, 0usize, 0usize);
    for seed in 0..CASES {
        let mut rng = Rng::new(seed ^ 0xFA11_0000);
        let original = random_function(&mut rng, 12);
        let mut f = original.clone();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut f);
        }

        // Nothing panics: the textual form, both verifier entry points, each pass alone, the pipeline.
        let _ = f.display().to_string();
        for i in f.insts.keys() {
            let _ = ptx_gen::display::inst_display(&f, i);
        }
        let verdict = verify_function(&f, None);
        for (_, pass) in PASSES {
            let mut g = f.clone();
            pass(&mut g);
            let _ = g.display().to_string();
        }
        let mut optimised = f.clone();
        run_function_pipeline(&mut optimised);
        let mut m = module_around(f.clone(), &mut rng);
        let _ = m.to_string();
        let module_verdict = verify_module(&m);
        if module_verdict.is_err() {
            module_errors += 1;
        }
        // A module with a valid kernel calling the valid callee is valid exactly when `f` is.
        if m.functions[FuncId(2)].insts.values().any(|d| matches!(d.kind, InstKind::Call { func: FuncId(0), .. })) {
            assert_eq!(
                module_verdict.is_ok(),
                verify_function(&m.functions[FuncId(1)], Some(&m)).is_ok(),
                "seed {seed}: module and function verdicts disagree"
            );
        }
        let _ = verify_module_all(&m);
        run_pipeline(&mut m);

        match verdict {
            Err(errs) => {
                rejected += 1;
                assert!(!errs.is_empty());
                for e in &errs {
                    assert!(!e.to_string().is_empty());
                }
                assert_eq!(optimised, f, "seed {seed}: the pipeline changed a function that does not verify");
            }
            Ok(()) => {
                still_valid += 1;
                if let Err(errs) = verify_function(&optimised, None) {
                    panic!(
                        "seed {seed}: the pipeline broke a valid function: {}\nbefore:\n{}\nafter:\n{}",
                        errs[0],
                        f.display(),
                        optimised.display()
                    );
                }
                // Where the mutated function is still in the interpreter's subset, the results agree.
                for _ in 0..2 {
                    let args: Vec<u64> = f.params.iter().map(|_| rng.int()).collect();
                    if let Ok(before) = interpret(&f, &args, 100_000) {
                        let after = interpret(&optimised, &args, 100_000);
                        assert_eq!(
                            Ok(before),
                            after,
                            "seed {seed}: results differ\nbefore:\n{}\nafter:\n{}",
                            f.display(),
                            optimised.display()
                        );
                    }
                }
            }
        }
    }
    eprintln!(
        "{CASES} mutated functions: {rejected} rejected, {still_valid} still valid; {module_errors} modules rejected"
    );
    assert!(rejected > CASES as usize / 2, "the mutations are too gentle");
    assert!(still_valid > 100, "no mutated function survived: the valid path is untested");
}
