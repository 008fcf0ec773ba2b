//! Hand-built kernels that together use every instruction family of the IR (checked by `coverage` in
//! `writer_snapshots.rs`). Each module is a `build() -> Module`.
#![allow(dead_code)]

pub mod atomics_basic;
pub mod atomics_scoped;
pub mod barriers_shared;
pub mod bf16_hopper;
pub mod bit_ops;
pub mod cache_ops;
pub mod compare_select;
pub mod control_flow;
pub mod conversions;
pub mod device_calls;
pub mod eviction_prefetch;
pub mod float_f32;
pub mod float_f64;
pub mod half_precision;
pub mod inline_asm;
pub mod int_arith;
pub mod kernel_attrs;
pub mod memory_order;
pub mod memory_spaces;
pub mod module_vars;
pub mod saxpy;
pub mod special_regs;
pub mod tanh_turing;
pub mod tensor_cores;
pub mod util;
pub mod warp_collectives;

use ptx_gen::Module;

/// Every kernel module, by name.
pub fn all() -> Vec<(&'static str, Module)> {
    vec![
        ("atomics_basic", atomics_basic::build()),
        ("atomics_scoped", atomics_scoped::build()),
        ("barriers_shared", barriers_shared::build()),
        ("bf16_hopper", bf16_hopper::build()),
        ("bit_ops", bit_ops::build()),
        ("cache_ops", cache_ops::build()),
        ("compare_select", compare_select::build()),
        ("control_flow", control_flow::build()),
        ("conversions", conversions::build()),
        ("device_calls", device_calls::build()),
        ("eviction_prefetch", eviction_prefetch::build()),
        ("float_f32", float_f32::build()),
        ("float_f64", float_f64::build()),
        ("half_precision", half_precision::build()),
        ("inline_asm", inline_asm::build()),
        ("int_arith", int_arith::build()),
        ("kernel_attrs", kernel_attrs::build()),
        ("memory_order", memory_order::build()),
        ("memory_spaces", memory_spaces::build()),
        ("module_vars", module_vars::build()),
        ("saxpy", saxpy::build()),
        ("special_regs", special_regs::build()),
        ("tanh_turing", tanh_turing::build()),
        ("tensor_cores", tensor_cores::build()),
        ("warp_collectives", warp_collectives::build()),
    ]
}
