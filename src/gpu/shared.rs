//! Shared memory, barriers and fences.
//!
//! ```ignore
//! let tile = gpu::SharedArray::<f32, 256>::new();          // one `.shared .align 16 .f32 …[256]` per declaration
//! let t2 = gpu::SharedArray::<[f32; 33], 32>::new();       // 2-D: `t2[y][x]`, stored row-major (y * 33 + x)
//! let dynamic = gpu::dynamic_shared::<f32>();              // `.extern .shared`: `dynamic.len()` follows
//!                                                          // `LaunchConfig::shared_mem_bytes` (%dynamic_smem_size)
//! tile[i] = x; gpu::sync_threads(); let y = tile[j];
//! ```
//!
//! A shared array is declared with `let name = …;` (the binding needs no `mut`) and then only indexed (`name[i]`,
//! `name[i] = v`, `name[i] += v`, `&mut name[i]` for atomics) or measured (`name.len()`). Its element type is a
//! scalar other than `bool` (a row `[T; M]` for 2-D arrays); the length is an integer literal, and a block's static
//! shared memory is at most 48 KiB. Every declaration is one allocation for the whole block, wherever it appears
//! in the body (inside a loop too), 16-byte aligned. All `dynamic_shared` declarations of a kernel alias the same
//! memory, which starts 16-byte aligned. Shared memory is not initialised, and indexing is not bounds-checked.

use core::marker::PhantomData;
use core::ops::{Index, IndexMut};

use super::host_call;

/// A block-wide array in shared memory: `gpu::SharedArray::<T, N>::new()` inside a kernel (see the module doc).
pub struct SharedArray<T, const N: usize> {
    _elems: PhantomData<[T; N]>,
}

impl<T, const N: usize> SharedArray<T, N> {
    /// Declares the array; inside a kernel it is lowered to a `.shared` module variable. Panics on the host.
    #[track_caller]
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> &'static mut SharedArray<T, N> {
        host_call("SharedArray::new")
    }

    /// The number of elements, `N`.
    pub fn len(&self) -> usize {
        N
    }

    /// Whether `N` is 0 (a kernel's shared arrays never are).
    pub fn is_empty(&self) -> bool {
        N == 0
    }
}

impl<T, const N: usize> Index<usize> for SharedArray<T, N> {
    type Output = T;
    #[track_caller]
    fn index(&self, _: usize) -> &T {
        host_call("SharedArray::index")
    }
}

impl<T, const N: usize> IndexMut<usize> for SharedArray<T, N> {
    #[track_caller]
    fn index_mut(&mut self, _: usize) -> &mut T {
        host_call("SharedArray::index_mut")
    }
}

/// The block's dynamic shared memory as a slice of `T`: `len()` is `shared_mem_bytes / size_of::<T>()` of the
/// launch's [`LaunchConfig`](crate::LaunchConfig) (read from `%dynamic_smem_size`). Lowered to one
/// `.extern .shared .align 16` array per kernel. Panics on the host.
#[track_caller]
pub fn dynamic_shared<T>() -> &'static mut [T] {
    host_call("dynamic_shared")
}

/// Waits until every non-exited thread of the warp named in `mask` has reached it (`bar.warp.sync mask`). Panics
/// on the host.
#[track_caller]
pub fn sync_warp(mask: u32) {
    let _ = mask;
    host_call("sync_warp")
}

/// Orders this thread's memory accesses as seen by the threads of its block (`membar.cta`). Panics on the host.
#[track_caller]
pub fn fence_block() {
    host_call("fence_block")
}

/// Orders this thread's memory accesses as seen by every thread of the device (`membar.gl`). Panics on the host.
#[track_caller]
pub fn fence_device() {
    host_call("fence_device")
}

/// Orders this thread's memory accesses as seen by the device and the host (`membar.sys`). Panics on the host.
#[track_caller]
pub fn fence_system() {
    host_call("fence_system")
}
