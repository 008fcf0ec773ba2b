//! Test kernels of the breadth features (shared memory, atomics, warp operations, fast math), each next to what it
//! computes on the CPU where that is not obvious. Shared by `exec_breadth.rs` (run on `Device::from_env()`) and
//! `breadth_ptx.rs` (snapshots and ptxas).
#![allow(dead_code, clippy::all)]

pub mod arrays;
pub mod atomics;
pub mod device;
pub mod generic;
pub mod half;
pub mod shared;
pub mod warp;

/// Every kernel's name and PTX.
pub const ALL: &[(&str, &str)] = &[
    ("block_reverse", shared::block_reverse::PTX),
    ("tile_transpose", shared::tile_transpose::PTX),
    ("dynamic_sum", shared::dynamic_sum::PTX),
    ("shared_kinds", shared::shared_kinds::PTX),
    ("fences", shared::fences::PTX),
    ("dynamic_alias", shared::dynamic_alias::PTX),
    ("atomics_u32", atomics::atomics_u32::PTX),
    ("atomics_i32", atomics::atomics_i32::PTX),
    ("atomics_u64", atomics::atomics_u64::PTX),
    ("atomics_i64", atomics::atomics_i64::PTX),
    ("atomics_f32", atomics::atomics_f32::PTX),
    ("atomics_f64", atomics::atomics_f64::PTX),
    ("shared_histogram", atomics::shared_histogram::PTX),
    ("cached_loads", atomics::cached_loads::PTX),
    ("half_atomics", atomics::half_atomics::PTX),
    ("shuffles_i32", warp::shuffles_i32::PTX),
    ("shuffles_u32", warp::shuffles_u32::PTX),
    ("shuffles_f32", warp::shuffles_f32::PTX),
    ("shuffles_i64", warp::shuffles_i64::PTX),
    ("shuffles_u64", warp::shuffles_u64::PTX),
    ("shuffles_f64", warp::shuffles_f64::PTX),
    ("votes", warp::votes::PTX),
    ("warp_reduce_f32", warp::warp_reduce_f32::PTX),
    ("warp_reduce_i64", warp::warp_reduce_i64::PTX),
    ("warp_ids", warp::warp_ids::PTX),
    ("vec4_axpy", arrays::vec4_axpy::PTX),
    ("vector_kinds", arrays::vector_kinds::PTX),
    ("local_arrays", arrays::local_arrays::PTX),
    ("vec_on_scalars", arrays::vec_on_scalars::PTX),
    ("device_calls", device::helpers::device_calls::PTX),
    ("axpy_f32", generic::axpy::axpy_f32::PTX),
    ("axpy_f64", generic::axpy::axpy_f64::PTX),
    ("block_sum_64", generic::block_sum::block_sum_64::PTX),
    ("block_sum_128", generic::block_sum::block_sum_128::PTX),
    ("half_ops", half::half_ops::PTX),
    ("half_native", half::half_native::PTX),
];
