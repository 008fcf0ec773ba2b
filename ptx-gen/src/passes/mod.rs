//! Optimisation passes, one per file, each `pub fn run(func: &mut Function) -> bool` (whether it changed anything),
//! and the pipeline that runs them in order until nothing changes.
//!
//! | pass | what it does |
//! |---|---|
//! | [`const_fold`] | evaluates instructions with constant inputs (exact PTX semantics), `selp`/branches on constants |
//! | [`copy_prop`] | reads through `mov` copies where provably safe |
//! | [`dce`] | removes side-effect-free instructions whose results are never read |
//! | [`simplify_cfg`] | removes unreachable blocks, threads jumps, merges straight-line blocks |
//! | [`range`] | decides integer comparisons from value ranges (launch bounds, special registers, arithmetic) |
//! | [`reassoc`] | moves constant terms of integer arithmetic outward and into memory operands' offsets |
//! | [`strength`] | division by constants as shifts, masks or multiply-high; 64-bit division of 32-bit values at 32 |
//!
//! The passes assume a function the verifier accepts (copy propagation relies on definite assignment): the
//! pipeline entry points verify first and leave a function that does not verify untouched, for the verifier at
//! emission to report. Called directly on any function a pass never panics, but it only preserves the meaning of
//! verified functions. Each pass keeps a verified function verified (the tests check this after every pass).

pub mod const_fold;
pub mod copy_prop;
pub mod dce;
pub mod eval;
pub mod range;
pub mod reassoc;
pub mod simplify_cfg;
pub mod strength;
mod util;

use crate::ir::{Function, Module};
use crate::verify::verify_function;

/// A pass: rewrites a function, returns whether anything changed.
pub type Pass = fn(&mut Function) -> bool;

/// The pipeline's passes, in order, with their names.
pub const PASSES: [(&str, Pass); 7] = [
    ("const_fold", const_fold::run),
    ("range", range::run),
    ("strength", strength::run),
    ("reassoc", reassoc::run),
    ("copy_prop", copy_prop::run),
    ("dce", dce::run),
    ("simplify_cfg", simplify_cfg::run),
];

/// The most rounds of the whole pipeline per function. One round usually reaches the fixed point (folding feeds
/// on its own results within a run); later rounds pick up what one pass exposes to an earlier one.
pub const MAX_ROUNDS: usize = 8;

/// Runs the pipeline on every function of `module` that verifies (in the module's context); others are left as
/// they are.
pub fn run_pipeline(module: &mut Module) {
    let valid: Vec<bool> = module.functions.values().map(|f| verify_function(f, Some(module)).is_ok()).collect();
    for ((_, f), ok) in module.functions.iter_mut().zip(valid) {
        if ok {
            optimise(f);
        }
    }
}

/// Runs the pipeline on one function if it verifies on its own (calls are not checked against their callees
/// here); otherwise leaves it as it is.
pub fn run_function_pipeline(func: &mut Function) {
    if verify_function(func, None).is_ok() {
        optimise(func);
    }
}

fn optimise(func: &mut Function) {
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (_, pass) in PASSES {
            changed |= pass(func);
        }
        if !changed {
            break;
        }
    }
}
