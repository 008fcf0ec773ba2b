//! Warp-level operations: lane/warp ids, shuffles, votes and reductions.
//!
//! `mask` names the lanes taking part (bit `i` = lane `i`); every lane named must execute the same call. The
//! shuffles move 32-bit values (`shfl.sync.*.b32`) and 64-bit ones as two 32-bit shuffles of their halves; they are
//! defined for i32 u32 f32 i64 u64 f64 (other types are a compile error). The lane argument follows PTX:
//! `shfl_sync` reads lane `lane` (modulo 32), `shfl_up_sync` lane `id - delta` (own value when below 0),
//! `shfl_down_sync` lane `id + delta` (own value when above 31), `shfl_xor_sync` lane `id ^ lane_mask`.

use super::host_call;

mod sealed {
    pub trait Sealed {}
}

/// Values a shuffle moves: i32 u32 f32 i64 u64 f64.
pub trait ShuffleValue: sealed::Sealed + Copy {}
macro_rules! shuffle_types {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl ShuffleValue for $t {}
    )*};
}
shuffle_types!(i32, u32, f32, i64, u64, f64);

/// This thread's lane within its warp, 0..32 (`%laneid`). Panics on the host.
#[track_caller]
pub fn lane_id() -> u32 {
    host_call("lane_id")
}

/// This thread's warp within its block: the linear thread index (`x + y * nx + z * nx * ny`) divided by 32.
/// Panics on the host.
#[track_caller]
pub fn warp_id() -> u32 {
    host_call("warp_id")
}

/// The lanes of the warp executing this call now (`activemask.b32`). Panics on the host.
#[track_caller]
pub fn active_mask() -> u32 {
    host_call("active_mask")
}

macro_rules! shuffles {
    ($($(#[$doc:meta])* $name:ident($arg:ident);)*) => {$(
        $(#[$doc])*
        ///
        /// See the [module doc](self). Panics on the host.
        #[track_caller]
        pub fn $name<T: ShuffleValue>(mask: u32, v: T, $arg: u32) -> T {
            let _ = (mask, v, $arg);
            host_call(stringify!($name))
        }
    )*};
}

shuffles! {
    /// `v` of lane `lane` (`shfl.sync.idx`).
    shfl_sync(lane);
    /// `v` of lane `lane_id() - delta` (`shfl.sync.up`).
    shfl_up_sync(delta);
    /// `v` of lane `lane_id() + delta` (`shfl.sync.down`).
    shfl_down_sync(delta);
    /// `v` of lane `lane_id() ^ lane_mask` (`shfl.sync.bfly`).
    shfl_xor_sync(lane_mask);
}

/// One bit per lane of `mask` whose `p` is true (`vote.sync.ballot.b32`). Panics on the host.
#[track_caller]
pub fn ballot_sync(mask: u32, p: bool) -> u32 {
    let _ = (mask, p);
    host_call("ballot_sync")
}

/// Whether `p` is true on every lane of `mask` (`vote.sync.all.pred`). Panics on the host.
#[track_caller]
pub fn all_sync(mask: u32, p: bool) -> bool {
    let _ = (mask, p);
    host_call("all_sync")
}

/// Whether `p` is true on some lane of `mask` (`vote.sync.any.pred`). Panics on the host.
#[track_caller]
pub fn any_sync(mask: u32, p: bool) -> bool {
    let _ = (mask, p);
    host_call("any_sync")
}

macro_rules! reductions {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// A full-warp butterfly: `shfl.sync.bfly` with lane masks 16, 8, 4, 2, 1, each followed by the operation;
        /// all 32 lanes must call it, and all get the same result. Panics on the host.
        #[track_caller]
        pub fn $name<T: ShuffleValue>(v: T) -> T {
            let _ = v;
            host_call(stringify!($name))
        }
    )*};
}

reductions! {
    /// The sum of `v` over the warp (wrapping for integers; floats add pairwise in butterfly order, `.rn`).
    warp_sum;
    /// The maximum of `v` over the warp (floats: NaN loses, as `f32::max`).
    warp_max;
    /// The minimum of `v` over the warp (floats: NaN loses, as `f32::min`).
    warp_min;
}
