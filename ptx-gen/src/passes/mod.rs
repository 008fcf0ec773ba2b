//! Optimisation passes (being written).
use crate::ir::Module;

/// Runs every pass in order on every function.
pub fn run_pipeline(_module: &mut Module) {}
