//! The compiler behind `#[ptx_kernel]`, as an ordinary module.
//!
//! A proc-macro crate can export nothing but macros, so the logic lives here and is reached two ways: the
//! attribute in `lib.rs` calls [`expand::expand`], and the crate's own tests compile this directory as a module of
//! the test crate (`#[path = "../src/frontend/mod.rs"] mod frontend;`) to call [`expand::compile_kernel`] and
//! [`expand::expand`] as plain functions (the fuzz test and the expansion benchmark do this). So the modules refer
//! to each other only through `super::`, never `crate::`.
//!
//! The pipeline, one module per stage:
//! - [`attr`]: the attribute's arguments (`target = "sm_80"`; occupancy options in [`seed_attr`]);
//! - [`signature`]: which signatures are kernels, and the parameters' types;
//! - [`check`]: the subset, building the [`hir`] tree with names resolved;
//! - [`infer`]: types of literals and locals, as rustc infers them, and validation of operators and casts;
//! - [`lower`] (with [`consts`] for immediates): the ptx-gen IR;
//! - [`expand`]: running ptx-gen's passes, verifier, target resolution and writer;
//! - [`codegen`] and [`fallback`]: the tokens of the expansion.

pub mod attr;
pub mod check;
pub mod check_arrays;
pub mod check_shared;
pub mod codegen;
pub mod consts;
pub mod device;
pub mod diag;
pub mod expand;
pub mod fallback;
pub mod generics;
pub mod hir;
pub mod infer;
pub mod intrinsics;
pub mod lower;
pub mod lower_arrays;
pub mod lower_half;
pub mod lower_intrinsics;
pub mod lower_math;
pub mod seed;
pub mod seed_attr;
pub mod signature;
pub mod types;
pub mod uniformity;
