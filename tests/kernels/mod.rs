//! The frontend's test kernels: every construct of the subset, each next to a CPU reference computing the same
//! thing (the execution tests compare the two on random inputs).
#![allow(dead_code, clippy::all)]

pub mod basic;
pub mod casts;
pub mod control;
pub mod floats;
pub mod ints;
pub mod literals;
pub mod safety;

/// Every kernel's name and PTX.
pub const ALL: &[(&str, &str)] = &[
    ("saxpy", basic::saxpy::PTX),
    ("guard_if", safety::guard_if::PTX),
    ("guard_early_return", safety::guard_early_return::PTX),
    ("guard_for", safety::guard_for::PTX),
    ("checked_index", safety::checked_index::PTX),
    ("checked_div", safety::checked_div::PTX),
    ("unchecked_access", safety::unchecked_access::PTX),
    ("guard_scaled", safety::guard_scaled::PTX),
    ("copy_u8", basic::copy_u8::PTX),
    ("fill_i64", basic::fill_i64::PTX),
    ("bool_param", basic::bool_param::PTX),
    ("bool_logic", basic::bool_logic::PTX),
    ("geometry", basic::geometry::PTX),
    ("transpose", basic::transpose::PTX),
    ("lengths", basic::lengths::PTX),
    ("noop", basic::noop::PTX),
    ("neighbour_exchange", basic::neighbour_exchange::PTX),
    ("mut_params", basic::mut_params::PTX),
    ("arith_i8", ints::arith_i8::PTX),
    ("arith_u8", ints::arith_u8::PTX),
    ("arith_i16", ints::arith_i16::PTX),
    ("arith_u16", ints::arith_u16::PTX),
    ("arith_i32", ints::arith_i32::PTX),
    ("arith_u32", ints::arith_u32::PTX),
    ("arith_i64", ints::arith_i64::PTX),
    ("arith_u64", ints::arith_u64::PTX),
    ("bit_ops", ints::bit_ops::PTX),
    ("shifts", ints::shifts::PTX),
    ("const_shifts", ints::const_shifts::PTX),
    ("compound_assign", ints::compound_assign::PTX),
    ("compare_ints", ints::compare_ints::PTX),
    ("int_methods", ints::int_methods::PTX),
    ("int_casts", casts::int_casts::PTX),
    ("widen_small", casts::widen_small::PTX),
    ("f32_to_int", casts::f32_to_int::PTX),
    ("f64_to_int", casts::f64_to_int::PTX),
    ("int_to_float", casts::int_to_float::PTX),
    ("float_casts", casts::float_casts::PTX),
    ("bool_casts", casts::bool_casts::PTX),
    ("float_arith_f32", floats::float_arith_f32::PTX),
    ("float_arith_f64", floats::float_arith_f64::PTX),
    ("float_methods_f32", floats::float_methods_f32::PTX),
    ("float_methods_f64", floats::float_methods_f64::PTX),
    ("round_halves", floats::round_halves::PTX),
    ("compare_floats", floats::compare_floats::PTX),
    ("float_consts", floats::float_consts::PTX),
    ("if_chain", control::if_chain::PTX),
    ("collatz", control::collatz::PTX),
    ("loop_break_continue", control::loop_break_continue::PTX),
    ("for_ranges", control::for_ranges::PTX),
    ("step_by", control::step_by::PTX),
    ("labeled_loops", control::labeled_loops::PTX),
    ("early_return", control::early_return::PTX),
    ("short_circuit", control::short_circuit::PTX),
    ("for_mut_var", control::for_mut_var::PTX),
    ("auto_unroll", control::auto_unroll::PTX),
    ("while_unroll", control::while_unroll::PTX),
    ("strided_rows", control::strided_rows::PTX),
    ("select_unroll", control::select_unroll::PTX),
    ("literal_inference", literals::literal_inference::PTX),
    ("float_literals", literals::float_literals::PTX),
    ("shadowing_blocks", literals::shadowing_blocks::PTX),
    ("evaluation_order", literals::evaluation_order::PTX),
    ("typed_literals", literals::typed_literals::PTX),
];
