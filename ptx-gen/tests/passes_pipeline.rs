//! The pipeline on thousands of random valid functions: every pass keeps the function verified, and the optimised
//! function computes the same results and stores as the original on random inputs (run by a reference interpreter
//! of the integer subset).

mod passes_common;

use passes_common::*;
use ptx_gen::passes::{run_function_pipeline, MAX_ROUNDS, PASSES};
use ptx_gen::verify::verify_function;
use ptx_gen::*;

const CASES: u64 = 4000;
const INPUTS_PER_CASE: usize = 3;
const STEP_LIMIT: usize = 200_000;

/// Runs the passes round by round as the pipeline does, verifying after each one.
fn optimise_checked(f: &Function, seed: u64) -> Function {
    let mut g = f.clone();
    for round in 0..MAX_ROUNDS {
        let mut changed = false;
        for (name, pass) in PASSES {
            let before = g.clone();
            changed |= pass(&mut g);
            if let Err(errs) = verify_function(&g, None) {
                panic!(
                    "seed {seed}: after {name} (round {round}) the function no longer verifies: {}\n\nbefore:\n{}\nafter:\n{}",
                    errs[0],
                    before.display(),
                    g.display()
                );
            }
        }
        if !changed {
            break;
        }
    }
    g
}

#[test]
fn pipeline_preserves_behaviour_on_random_functions() {
    check_random_functions(0, 3);
}

/// Fewer immediates: more of the work is left to run time, and copies of mutable registers survive folding.
#[test]
fn pipeline_preserves_behaviour_on_register_heavy_functions() {
    check_random_functions(1 << 32, 12);
}

fn check_random_functions(seed_base: u64, imm_one_in: u32) {
    let (mut insts_before, mut insts_after, mut blocks_before, mut blocks_after) = (0, 0, 0, 0);
    let mut changed_outputs = 0usize;
    for seed in seed_base..seed_base + CASES {
        let mut rng = Rng::new(seed);
        let f = random_function_with(&mut rng, 40, imm_one_in);
        if let Err(errs) = verify_function(&f, None) {
            panic!("seed {seed}: the generator made an invalid function: {}\n{}", errs[0], f.display());
        }
        let g = optimise_checked(&f, seed);

        // The public entry point does exactly the same.
        let mut h = f.clone();
        run_function_pipeline(&mut h);
        assert_eq!(h, g, "seed {seed}: run_function_pipeline differs from the passes run one by one");

        for _ in 0..INPUTS_PER_CASE {
            let args: Vec<u64> = f.params.iter().map(|_| rng.int()).collect();
            let before = interpret(&f, &args, STEP_LIMIT)
                .unwrap_or_else(|e| panic!("seed {seed}: the original does not run: {e:?}\n{}", f.display()));
            let after = interpret(&g, &args, STEP_LIMIT).unwrap_or_else(|e| {
                panic!("seed {seed}: the optimised function does not run: {e:?}\n{}\n{}", f.display(), g.display())
            });
            assert_eq!(
                before,
                after,
                "seed {seed}, args {args:x?}: results differ\n\noriginal:\n{}\noptimised:\n{}",
                f.display(),
                g.display()
            );
            changed_outputs += (!before.stores.is_empty()) as usize;
        }
        insts_before += inst_count(&f);
        insts_after += inst_count(&g);
        blocks_before += f.layout.len();
        blocks_after += g.layout.len();
    }
    eprintln!(
        "{CASES} functions (1 immediate in {imm_one_in}): {insts_before} → {insts_after} instructions ({:.1}%), {blocks_before} → {blocks_after} blocks; {changed_outputs} runs stored",
        100.0 * insts_after as f64 / insts_before as f64
    );
    // The generator feeds the passes plenty of constants and copies: they must remove a good share.
    assert!(insts_after * 10 < insts_before * 9, "the pipeline removed less than 10% of the instructions");
    assert!(blocks_after < blocks_before);
}

/// A second run of the pipeline finds nothing left to do.
#[test]
fn pipeline_reaches_a_fixed_point() {
    for seed in 0..500 {
        let mut rng = Rng::new(seed ^ 0xF1F1);
        let mut f = random_function(&mut rng, 30);
        run_function_pipeline(&mut f);
        for (name, pass) in PASSES {
            let before = f.clone();
            assert!(
                !pass(&mut f),
                "seed {seed}: {name} still changes the pipeline's output\n{}\n{}",
                before.display(),
                f.display()
            );
        }
    }
}

/// What the frontend typically hands the pipeline: a bounds-checked saxpy with index arithmetic through copies and
/// constants, a branch on a constant flag, and an unused temporary.
#[test]
fn saxpy_like_kernel() {
    let mut f = Function::kernel("saxpy");
    for (name, ty) in [("a", Type::F32), ("x", Type::U64), ("y", Type::U64), ("n", Type::U32)] {
        f.add_param(name, ty);
    }
    let mut b = FunctionBuilder::new(&mut f);
    let (entry, body, fast, slow, join, exit) =
        (b.create_block(), b.create_block(), b.create_block(), b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(entry);
    let a = b.ins().ld_param(Type::F32, 0);
    let x = b.ins().ld_param(Type::U64, 1);
    let y = b.ins().ld_param(Type::U64, 2);
    let n = b.ins().ld_param(Type::U32, 3);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let ntid = b.ins().special(SpecialReg::Ntid(Dim::X));
    let ctaid = b.ins().special(SpecialReg::Ctaid(Dim::X));
    let i = b.ins().ternary(TernOp::Mad, Mode::Lo, Type::U32, ctaid, ntid, tid);
    let i_copy = b.ins().mov(Type::U32, i);
    let in_bounds = b.ins().setp(CmpOp::Lt, Type::U32, i_copy, n);
    b.branch(in_bounds, body, exit);
    b.switch_to_block(body);
    let four = b.ins().mov(Type::U32, Operand::u32(4));
    let size = b.ins().mul(Type::U32, Mode::Lo, four, Operand::u32(1));
    let off = b.ins().mul(Type::U32, Mode::Wide, i_copy, size);
    let _unused = b.ins().add(Type::U32, Mode::None, i, Operand::u32(1));
    let xg = b.ins().cvta_to_global(x);
    let yg = b.ins().cvta_to_global(y);
    let xa = b.ins().add(Type::U64, Mode::None, xg, off);
    let ya = b.ins().add(Type::U64, Mode::None, yg, off);
    let flag = b.ins().mov(Type::Pred, Operand::u32(1));
    b.branch(flag, fast, slow);
    b.switch_to_block(fast);
    let xv = b.ins().ld(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(xa));
    let yv = b.ins().ld(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(ya));
    let r = b.ins().fma(Type::F32, Mode::Rn, a, xv, yv);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(ya), r);
    b.jump(join);
    b.switch_to_block(slow);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::F32), Address::reg(ya), Operand::f32(0.0));
    b.jump(join);
    b.switch_to_block(join);
    b.jump(exit);
    b.switch_to_block(exit);
    b.ret();
    b.finish().unwrap();
    let mut m = Module::new();
    m.add_function(f);
    verify::verify_module(&m).unwrap();
    let before = m.to_string();
    passes::run_pipeline(&mut m);
    verify::verify_module(&m).unwrap();
    insta::assert_snapshot!(format!("--- before\n{before}--- after\n{m}"));
}
