//! # ptx-gen
//!
//! The compiler core of ptx-kernel: an IR close to PTX, a builder, a verifier, optimisation passes, a PTX writer
//! and a PTX reader. An ordinary library: no syn, quote or proc_macro, so it can be unit-tested, fuzzed,
//! benchmarked, and used at run time to build kernels programmatically.

pub mod builder;
pub mod cfg;
pub mod display;
pub mod entity;
pub mod inst;
pub mod ir;
pub mod target;
pub mod types;

pub use builder::{BuildError, FunctionBuilder, Ins};
pub use entity::{EntityRef, EntityVec};
pub use inst::*;
pub use ir::*;
pub use target::{PtxIsa, Target};
pub use types::{RegClass, StateSpace, Type};

pub mod passes;
pub mod ptxas;
pub mod read;
pub mod verify;
pub mod write;
