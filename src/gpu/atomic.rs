//! Atomic read-modify-write on global and shared memory.
//!
//! The first argument is a place: `&mut x[i]` of a `&mut [T]` parameter, or of a shared array
//! (`&mut tile[i]`, `&mut t2[y][x]`); each returns the value the place held before. Lowered to `atom.global.*` /
//! `atom.shared.*` (no memory-order qualifier: relaxed, device scope for global memory, block scope for shared).
//!
//! | function | types | PTX |
//! |---|---|---|
//! | `atomic_add(p, v)` | i32 u32 i64 u64 f32 f64 (f64 needs sm_60), f16 (sm_70), bf16 (sm_90) | `atom.add.{s32,u32,u64,f32,f64}` (i64 as `.u64`), `atom.add.noftz.{f16,bf16}` |
//! | `atomic_sub(p, v)` | same | `atom.add` of `-v` (wrapping for integers) |
//! | `atomic_min/max(p, v)` | i32 u32 i64 u64 | `atom.{min,max}.{s32,u32,s64,u64}` |
//! | `atomic_and/or/xor(p, v)` | i32 u32 i64 u64 | `atom.{and,or,xor}.b{32,64}` |
//! | `atomic_exch(p, v)` | i32 u32 i64 u64 f32 f64 | `atom.exch.b{32,64}` |
//! | `atomic_cas(p, expected, new)` | i32 u32 i64 u64 f32 f64 | `atom.cas.b{32,64}`: stores `new` if the place's bits equal `expected`'s |
//!
//! Float atomic min/max and bitwise ops don't exist in PTX: build them with `atomic_cas` in a loop.

use super::host_call;

mod sealed {
    pub trait Sealed {}
}

/// Types with atomic add/sub/exch/cas: i32 u32 i64 u64 f32 f64.
pub trait AtomicValue: sealed::Sealed + Copy {}
/// Types with atomic min/max/and/or/xor: i32 u32 i64 u64.
pub trait AtomicInt: AtomicValue {}
/// Types with atomic add: the [`AtomicValue`]s and `half::f16` (sm_70) / `half::bf16` (sm_90).
pub trait AtomicAddValue: sealed::Sealed + Copy {}
impl<T: AtomicValue> AtomicAddValue for T {}
impl sealed::Sealed for half::f16 {}
impl sealed::Sealed for half::bf16 {}
impl AtomicAddValue for half::f16 {}
impl AtomicAddValue for half::bf16 {}

macro_rules! atomic_types {
    ($($t:ty: $($tr:ident)*;)*) => {$(
        impl sealed::Sealed for $t {}
        $(impl $tr for $t {})*
    )*};
}
atomic_types! {
    i32: AtomicValue AtomicInt;
    u32: AtomicValue AtomicInt;
    i64: AtomicValue AtomicInt;
    u64: AtomicValue AtomicInt;
    f32: AtomicValue;
    f64: AtomicValue;
}

macro_rules! atomics {
    ($($(#[$doc:meta])* $name:ident: $bound:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// Returns the old value. See the [module doc](self) for types and PTX. Panics on the host.
        #[track_caller]
        pub fn $name<T: $bound>(place: &mut T, v: T) -> T {
            let _ = (place, v);
            host_call(stringify!($name))
        }
    )*};
}

/// `*place += v` atomically (wrapping for integers, rounded to nearest for floats; `f16` needs sm_70 and `bf16`
/// sm_90: `atom.add.noftz.f16/bf16`).
///
/// Returns the old value. See the [module doc](self) for types and PTX. Panics on the host.
#[track_caller]
pub fn atomic_add<T: AtomicAddValue>(place: &mut T, v: T) -> T {
    let _ = (place, v);
    host_call("atomic_add")
}

atomics! {
    /// `*place -= v` atomically (as the addition of `-v`).
    atomic_sub: AtomicValue;
    /// `*place = min(*place, v)` atomically.
    atomic_min: AtomicInt;
    /// `*place = max(*place, v)` atomically.
    atomic_max: AtomicInt;
    /// `*place &= v` atomically.
    atomic_and: AtomicInt;
    /// `*place |= v` atomically.
    atomic_or: AtomicInt;
    /// `*place ^= v` atomically.
    atomic_xor: AtomicInt;
    /// `*place = v` atomically.
    atomic_exch: AtomicValue;
}

/// If `*place` has the bits of `expected`, stores `new`; atomically. Returns the old value (compare it with
/// `expected` bit for bit to know whether the store happened). Panics on the host.
#[track_caller]
pub fn atomic_cas<T: AtomicValue>(place: &mut T, expected: T, new: T) -> T {
    let _ = (place, expected, new);
    host_call("atomic_cas")
}

/// Reads `*place` through the read-only non-coherent cache (`ld.global.nc`). `place` is `&x[i]` of a slice
/// parameter; the data must not be written by any thread during the launch. (Every `&[T]` parameter is already
/// read this way.) Panics on the host.
#[track_caller]
pub fn load_nc<T: Copy>(place: &T) -> T {
    let _ = place;
    host_call("load_nc")
}

/// Reads `*place` as streaming data that is not kept in L1 (`ld.global.nc.L1::no_allocate`, sm_70): for data read
/// once. Same rules as [`load_nc`]. Panics on the host.
#[track_caller]
pub fn load_streaming<T: Copy>(place: &T) -> T {
    let _ = place;
    host_call("load_streaming")
}

/// `N` consecutive elements starting at `place`, in one vector load (`ld.global.v2/v4` / `ld.shared.v2/v4`):
/// `place` is `&x[i]` of a slice parameter or a shared array (`&tile[y][x]`); 16 bytes at most, and the address
/// must be aligned to the vector's size (e.g. `i` a multiple of 4 for `load_vec4` of a 16-byte-aligned array).
/// Panics on the host.
#[track_caller]
pub fn load_vec4<T: Copy>(place: &T) -> [T; 4] {
    let _ = place;
    host_call("load_vec4")
}

/// Two consecutive elements in one vector load; see [`load_vec4`]. Panics on the host.
#[track_caller]
pub fn load_vec2<T: Copy>(place: &T) -> [T; 2] {
    let _ = place;
    host_call("load_vec2")
}

/// Stores `v` to `N` consecutive elements starting at `place` in one vector store; same rules as [`load_vec4`].
/// Panics on the host.
#[track_caller]
pub fn store_vec4<T: Copy>(place: &mut T, v: [T; 4]) {
    let _ = (place, v);
    host_call("store_vec4")
}

/// Stores two consecutive elements in one vector store; see [`store_vec4`]. Panics on the host.
#[track_caller]
pub fn store_vec2<T: Copy>(place: &mut T, v: [T; 2]) {
    let _ = (place, v);
    host_call("store_vec2")
}
