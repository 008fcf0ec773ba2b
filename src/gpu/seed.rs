//! The seed's controls: SM identity and time, memory ordering, scoped atomics, named barriers and inline PTX.
//!
//! Host stubs: each panics when called outside a kernel, like the rest of [`gpu`](super).

use super::host_call;

/// The memory scope of an ordered access or an atomic: which threads it synchronises with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The threads of the same block (`.cta`).
    Block,
    /// Every thread of the device (`.gpu`), the default of [`load_acquire`] / [`store_release`].
    Device,
    /// The device and the host and other devices (`.sys`).
    System,
}

/// The memory semantics of an `_ordered` atomic (`.relaxed`, `.acquire`, `.release`, `.acq_rel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    Relaxed,
    Acquire,
    Release,
    AcqRel,
}

/// The index of the SM this thread runs on, `0..nsmid()` (`%smid`). Not necessarily contiguous, and a block may
/// in principle migrate (in practice it does not); use it for statistics and placement, not for correctness. On the
/// emulator it is `block linear index % nsmid()`.
#[track_caller]
pub fn smid() -> u32 {
    host_call("smid")
}

/// One more than the largest SM index (`%nsmid`); on the emulator the number of host threads running blocks.
#[track_caller]
pub fn nsmid() -> u32 {
    host_call("nsmid")
}

/// This SM's cycle counter (`%clock64`): compare values read on the same SM only.
#[track_caller]
pub fn clock64() -> u64 {
    host_call("clock64")
}

/// The global nanosecond timer (`%globaltimer`), comparable across SMs (its resolution is about a microsecond on
/// current GPUs). On the emulator, nanoseconds since the emulator was created.
#[track_caller]
pub fn global_timer() -> u64 {
    host_call("global_timer")
}

/// Reads `*x` with acquire semantics at device scope (`ld.acquire.gpu.global`, sm_70): writes made visible by the
/// [`store_release`] that wrote the value read are visible to this thread afterwards.
#[track_caller]
pub fn load_acquire<T: Copy>(x: &T) -> T {
    let _ = x;
    host_call("load_acquire")
}

/// [`load_acquire`] at an explicit scope (`ld.acquire.{cta,gpu,sys}`).
#[track_caller]
pub fn load_acquire_scoped<T: Copy>(x: &T, scope: Scope) -> T {
    let _ = (x, scope);
    host_call("load_acquire_scoped")
}

/// Writes `*x = v` with release semantics at device scope (`st.release.gpu.global`, sm_70): this thread's earlier
/// writes are visible to whoever acquires the value.
#[track_caller]
pub fn store_release<T: Copy>(x: &mut T, v: T) {
    let _ = (x, v);
    host_call("store_release")
}

/// [`store_release`] at an explicit scope.
#[track_caller]
pub fn store_release_scoped<T: Copy>(x: &mut T, v: T, scope: Scope) {
    let _ = (x, v, scope);
    host_call("store_release_scoped")
}

/// A fence with acquire-release semantics at `scope` (`fence.acq_rel.{cta,gpu,sys}`, sm_70).
#[track_caller]
pub fn fence_scoped(scope: Scope) {
    let _ = scope;
    host_call("fence_scoped")
}

macro_rules! scoped_atomics {
    ($($op:literal $ptx:literal, $scoped:ident, $ordered:ident;)*) => {$(
        #[doc = concat!("Atomically `", $op, "`s `v` into `*x` at `scope` with relaxed semantics and returns the old \
                         value (`atom.relaxed.<scope>.{global,shared}.", $ptx, "`, sm_70).")]
        #[track_caller]
        pub fn $scoped<T: Copy>(x: &mut T, v: T, scope: Scope) -> T {
            let _ = (x, v, scope);
            host_call(stringify!($scoped))
        }
        #[doc = concat!("Atomically `", $op, "`s `v` into `*x` with the given semantics at `scope` and returns the \
                         old value (`atom.<sem>.<scope>.{global,shared}.", $ptx, "`, sm_70).")]
        #[track_caller]
        pub fn $ordered<T: Copy>(x: &mut T, v: T, order: Ordering, scope: Scope) -> T {
            let _ = (x, v, order, scope);
            host_call(stringify!($ordered))
        }
    )*};
}

scoped_atomics! {
    "add" "add", atomic_add_scoped, atomic_add_ordered;
    "sub" "add` of `-v", atomic_sub_scoped, atomic_sub_ordered;
    "min" "min", atomic_min_scoped, atomic_min_ordered;
    "max" "max", atomic_max_scoped, atomic_max_ordered;
    "and" "and", atomic_and_scoped, atomic_and_ordered;
    "or" "or", atomic_or_scoped, atomic_or_ordered;
    "xor" "xor", atomic_xor_scoped, atomic_xor_ordered;
    "exch" "exch", atomic_exch_scoped, atomic_exch_ordered;
}

/// Compare-and-swap at `scope`, relaxed: if `*x == expected` it becomes `new`; returns the old value
/// (`atom.relaxed.<scope>.global.cas`).
#[track_caller]
pub fn atomic_cas_scoped<T: Copy>(x: &mut T, expected: T, new: T, scope: Scope) -> T {
    let _ = (x, expected, new, scope);
    host_call("atomic_cas_scoped")
}

/// Compare-and-swap with the given semantics at `scope` (`atom.<sem>.<scope>.global.cas`).
#[track_caller]
pub fn atomic_cas_ordered<T: Copy>(x: &mut T, expected: T, new: T, order: Ordering, scope: Scope) -> T {
    let _ = (x, expected, new, order, scope);
    host_call("atomic_cas_ordered")
}

/// Named barrier `id` (0..16; 0 is the one [`sync_threads`](super::sync_threads) uses): waits until `threads`
/// threads (a multiple of 32, counting the warps that [`barrier_arrive`] at it) have arrived (`bar.sync id, threads`).
/// Whole warps arrive: every thread of a warp that reaches it must reach the same barrier.
#[track_caller]
pub fn barrier_sync(id: u32, threads: u32) {
    let _ = (id, threads);
    host_call("barrier_sync")
}

/// Arrives at named barrier `id` without waiting (`bar.arrive id, threads`): the producer's side of a
/// producer/consumer pair whose consumers [`barrier_sync`] with the same `threads`.
#[track_caller]
pub fn barrier_arrive(id: u32, threads: u32) {
    let _ = (id, threads);
    host_call("barrier_arrive")
}

#[doc(hidden)]
#[track_caller]
pub unsafe fn __asm_host() {
    host_call("ptx_asm!")
}

#[doc(hidden)]
#[track_caller]
pub fn __asm_value<T>() -> T {
    host_call("ptx_asm!")
}

/// Inline PTX, inside `unsafe`: `gpu::ptx_asm!("template", operands…)`.
///
/// ```
/// use ptx_kernel::prelude::*;
///
/// #[ptx_kernel]
/// pub fn add3(x: &[u32], y: &mut [u32]) {
///     let i = gpu::global_idx_x() as usize;
///     if i < y.len() {
///         let z: u32;
///         unsafe { gpu::ptx_asm!("add.u32 {0}, {1}, {2};", out(u32) z, in(u32) x[i], in(u32) 3) };
///         y[i] = z;
///     }
/// }
/// assert!(add3::PTX.contains("add.u32"));
/// ```
///
/// Operands, numbered `{0}`, `{1}`, … in the order written (`{{`/`}}` are literal braces):
/// - `in(T) expr`: a value, copied into a fresh register of PTX type `T`;
/// - `out(T) place`: a fresh register the text writes, stored to `place` (a local or `x[i]`) afterwards;
/// - `inout(T) place`: a register holding `place`'s value that the text may update, stored back afterwards.
///
/// `T` is `i16 i32 i64 u16 u32 u64 f32 f64` (`isize`/`usize` are 64-bit). Every operand must appear in the
/// template; the template's lines are copied into the kernel's PTX with the placeholders replaced by register
/// names, so the text may declare its own registers inside a `{{ … }}` scope. The compiler checks nothing inside
/// the text: ptxas does when the module is loaded (or the emulator, which runs the instructions its PTX reader
/// knows and refuses the module, naming the instruction, otherwise).
///
/// A kernel with an `unsafe` block gets an `unsafe fn launch`: the caller vouches for what the PTX does.
///
/// On the host the macro type-checks its operands and panics.
#[macro_export]
#[doc(hidden)]
macro_rules! __ptx_asm {
    ($template:literal $(, $($rest:tt)*)?) => {{
        let _: &str = $template;
        $crate::gpu::__asm_host();
        $crate::__ptx_asm_operands!($($($rest)*)?);
    }};
}

#[macro_export]
#[doc(hidden)]
macro_rules! __ptx_asm_operands {
    () => {};
    (in($ty:ty) $e:expr $(, $($rest:tt)*)?) => {
        let _: $ty = $e;
        $crate::__ptx_asm_operands!($($($rest)*)?);
    };
    (out($ty:ty) $p:expr $(, $($rest:tt)*)?) => {
        $p = $crate::gpu::__asm_value::<$ty>();
        $crate::__ptx_asm_operands!($($($rest)*)?);
    };
    (inout($ty:ty) $p:expr $(, $($rest:tt)*)?) => {
        $p = { let _: $ty = $p; $crate::gpu::__asm_value::<$ty>() };
        $crate::__ptx_asm_operands!($($($rest)*)?);
    };
}

#[doc(inline)]
pub use crate::__ptx_asm as ptx_asm;
