//! Global (device) memory: the allocations, host copies, and the snapshot a launch reads and writes through.
//!
//! Every allocation is an array of `AtomicU64` words, and every access from a kernel or the host is a relaxed
//! atomic access of the access's size (1, 2, 4 or 8 bytes, naturally aligned). On x86-64 and AArch64 those compile
//! to ordinary loads and stores, so this costs nothing, and it makes the races a GPU program may have between blocks
//! running on different host threads well-defined for the emulator itself (a torn or stale value, never undefined
//! behaviour in the host process). Atomics (`atom`, `red`) are real host atomics on the same words.
//!
//! Addresses are handed out upward from [`GLOBAL_BASE`], 256-byte aligned, with at least 256 unmapped bytes between
//! allocations and never reused, so an off-by-one access or a use after free lands outside every allocation and is
//! reported instead of silently hitting a neighbour.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use super::error::{EmuError, NearestBuffer};

/// The first device address handed out (an address that looks like a device pointer and is far from 0).
pub const GLOBAL_BASE: u64 = 0x0000_0007_0000_0000;
/// The end of the global address range: generic addresses from here on are the shared/local/const/param windows.
pub const GLOBAL_LIMIT: u64 = 0x0000_1000_0000_0000;
/// Gap kept unmapped after every allocation.
const GUARD: u64 = 256;
/// Alignment of every allocation.
const ALIGN: u64 = 256;

/// One allocation: `len` bytes at `base`, stored as atomic words.
pub(crate) struct Allocation {
    base: u64,
    len: u64,
    words: Box<[AtomicU64]>,
}

impl Allocation {
    fn new(base: u64, len: u64) -> Allocation {
        // At least one word so the pointer is always dereferenceable; `len` stays exact for bounds checks.
        let n = (len.div_ceil(8)).max(1) as usize;
        let words: Box<[AtomicU64]> = zeroed_words(n);
        Allocation { base, len, words }
    }

    fn ptr(&self) -> *mut u8 {
        self.words.as_ptr() as *mut u8
    }
}

/// `n` zeroed atomic words, allocated zeroed (calloc) so that large allocations cost no page touching up front.
fn zeroed_words(n: usize) -> Box<[AtomicU64]> {
    let Ok(layout) = std::alloc::Layout::array::<AtomicU64>(n) else {
        // More than isize::MAX bytes: the same outcome as any other impossible allocation.
        std::alloc::handle_alloc_error(std::alloc::Layout::new::<AtomicU64>());
    };
    // SAFETY: `layout` has a non-zero size (n >= 1). All-zero bytes are a valid `AtomicU64`, and the slice pointer
    // has the layout's size and alignment, so the box owns exactly what was allocated.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout) as *mut AtomicU64;
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, n))
    }
}

/// Loads `size` (1, 2, 4 or 8) bytes, little-endian, from `p`.
///
/// # Safety
/// `p .. p + size` must lie inside one live [`Allocation`] (or other memory only ever accessed atomically) and `p`
/// must be aligned to `size`.
#[inline(always)]
pub(crate) unsafe fn atomic_load(p: *mut u8, size: u32) -> u64 {
    // SAFETY: the caller guarantees bounds, alignment and that the memory is only accessed atomically.
    unsafe {
        match size {
            1 => AtomicU8::from_ptr(p).load(Relaxed) as u64,
            2 => AtomicU16::from_ptr(p as *mut u16).load(Relaxed) as u64,
            4 => AtomicU32::from_ptr(p as *mut u32).load(Relaxed) as u64,
            _ => AtomicU64::from_ptr(p as *mut u64).load(Relaxed),
        }
    }
}

/// Stores the low `size` (1, 2, 4 or 8) bytes of `v`, little-endian, at `p`.
///
/// # Safety
/// As for [`atomic_load`].
#[inline(always)]
pub(crate) unsafe fn atomic_store(p: *mut u8, size: u32, v: u64) {
    // SAFETY: as for `atomic_load`.
    unsafe {
        match size {
            1 => AtomicU8::from_ptr(p).store(v as u8, Relaxed),
            2 => AtomicU16::from_ptr(p as *mut u16).store(v as u16, Relaxed),
            4 => AtomicU32::from_ptr(p as *mut u32).store(v as u32, Relaxed),
            _ => AtomicU64::from_ptr(p as *mut u64).store(v, Relaxed),
        }
    }
}

/// Applies `f` to the `size`-byte value at `p` atomically (a compare-and-swap loop) and returns the old value.
///
/// # Safety
/// As for [`atomic_load`]; `size` is 2, 4 or 8.
#[inline]
pub(crate) unsafe fn atomic_rmw(p: *mut u8, size: u32, mut f: impl FnMut(u64) -> u64) -> u64 {
    macro_rules! rmw {
        ($atomic:ty, $t:ty) => {{
            // SAFETY: the caller guarantees bounds and alignment.
            let a = unsafe { <$atomic>::from_ptr(p as *mut $t) };
            match a.fetch_update(Relaxed, Relaxed, |old| Some(f(old as u64) as $t)) {
                Ok(old) | Err(old) => old as u64,
            }
        }};
    }
    match size {
        1 => rmw!(AtomicU8, u8),
        2 => rmw!(AtomicU16, u16),
        4 => rmw!(AtomicU32, u32),
        _ => rmw!(AtomicU64, u64),
    }
}

/// The allocations of one emulator. Shared (`Arc`) by the emulator and the modules whose `.global` variables live
/// in it.
#[derive(Default)]
pub(crate) struct GlobalMemory {
    state: Mutex<MemState>,
}

#[derive(Default)]
struct MemState {
    next: u64,
    allocs: BTreeMap<u64, Arc<Allocation>>,
}

impl MemState {
    /// The lowest address from [`GLOBAL_BASE`] with `span` free bytes before the next allocation.
    fn first_gap(&self, span: u64) -> u64 {
        let mut at = GLOBAL_BASE;
        for a in self.allocs.values() {
            if a.base.saturating_sub(at) >= span {
                return at;
            }
            let end = a.base.saturating_add(a.len.div_ceil(ALIGN).max(1).saturating_mul(ALIGN)).saturating_add(GUARD);
            at = at.max(end);
        }
        if at.saturating_add(span) <= GLOBAL_LIMIT {
            at
        } else {
            // As with any impossible allocation.
            std::alloc::handle_alloc_error(std::alloc::Layout::new::<u64>())
        }
    }
}

impl GlobalMemory {
    pub(crate) fn new() -> GlobalMemory {
        GlobalMemory { state: Mutex::new(MemState { next: GLOBAL_BASE, allocs: BTreeMap::new() }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemState> {
        // A panic while holding the lock cannot leave the map inconsistent (every update is one insert/remove).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new zero-filled allocation of `bytes` bytes.
    pub(crate) fn alloc(&self, bytes: usize) -> u64 {
        let len = bytes as u64;
        let mut s = self.lock();
        let span = len.div_ceil(ALIGN).max(1).saturating_mul(ALIGN).saturating_add(GUARD);
        let base = if s.next.saturating_add(span) <= GLOBAL_LIMIT {
            let b = s.next;
            s.next = b + span;
            b
        } else {
            // The fresh address space is used up (16 TiB of allocations): reuse a gap left by freed buffers.
            s.first_gap(span)
        };
        s.allocs.insert(base, Arc::new(Allocation::new(base, len)));
        base
    }

    /// Frees the allocation at `base` (a no-op for any other address). A launch in progress on another host thread
    /// keeps the memory alive until it ends.
    pub(crate) fn free(&self, base: u64) {
        self.lock().allocs.remove(&base);
    }

    /// The allocation holding `addr .. addr + len` and the offset of `addr` in it.
    fn find(&self, addr: u64, len: usize) -> Result<(Arc<Allocation>, u64), EmuError> {
        let s = self.lock();
        if let Some((_, a)) = s.allocs.range(..=addr).next_back() {
            let off = addr - a.base;
            if off.checked_add(len as u64).is_some_and(|end| end <= a.len) {
                return Ok((Arc::clone(a), off));
            }
        }
        let nearest = nearest(s.allocs.values().map(|a| (a.base, a.len)), addr);
        Err(EmuError::HostOutOfBounds { address: addr, len, nearest })
    }

    /// Host → device.
    pub(crate) fn write(&self, addr: u64, data: &[u8]) -> Result<(), EmuError> {
        let (a, off) = self.find(addr, data.len())?;
        // SAFETY: `find` checked that `off .. off + data.len()` lies inside the allocation, which `a` keeps alive.
        unsafe { copy_in(a.ptr().add(off as usize), data) };
        Ok(())
    }

    /// Device → host.
    pub(crate) fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), EmuError> {
        let (a, off) = self.find(addr, out.len())?;
        // SAFETY: as in `write`.
        unsafe { copy_out(a.ptr().add(off as usize), out) };
        Ok(())
    }

    /// Device → device (the ranges may overlap: the copy goes through a host buffer).
    pub(crate) fn copy(&self, dst: u64, src: u64, bytes: usize) -> Result<(), EmuError> {
        // Check both ends before moving anything, so that a bad destination leaves memory untouched.
        self.find(dst, bytes)?;
        let mut tmp = vec![0u8; bytes];
        self.read(src, &mut tmp)?;
        self.write(dst, &tmp)
    }

    /// The allocations as they are now, for one launch.
    pub(crate) fn snapshot(&self) -> MemView {
        let s = self.lock();
        let allocs: Vec<Arc<Allocation>> = s.allocs.values().cloned().collect();
        let ranges = allocs.iter().map(|a| Range { base: a.base, len: a.len, ptr: a.ptr() }).collect();
        MemView { ranges, _keep: allocs }
    }
}

/// Copies `data` to `p` with word-sized atomic stores where aligned.
///
/// # Safety
/// `p .. p + data.len()` lies inside one live allocation.
unsafe fn copy_in(p: *mut u8, data: &[u8]) {
    let mut i = 0;
    // SAFETY (all blocks): every access stays within `p .. p + data.len()` and is aligned to its size.
    unsafe {
        while i < data.len() && !(p as usize + i).is_multiple_of(8) {
            atomic_store(p.add(i), 1, data[i] as u64);
            i += 1;
        }
        while i + 8 <= data.len() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&data[i..i + 8]);
            atomic_store(p.add(i), 8, u64::from_le_bytes(w));
            i += 8;
        }
        while i < data.len() {
            atomic_store(p.add(i), 1, data[i] as u64);
            i += 1;
        }
    }
}

/// Copies from `p` into `out` with word-sized atomic loads where aligned.
///
/// # Safety
/// `p .. p + out.len()` lies inside one live allocation.
unsafe fn copy_out(p: *mut u8, out: &mut [u8]) {
    let mut i = 0;
    // SAFETY (all blocks): as in `copy_in`.
    unsafe {
        while i < out.len() && !(p as usize + i).is_multiple_of(8) {
            out[i] = atomic_load(p.add(i), 1) as u8;
            i += 1;
        }
        while i + 8 <= out.len() {
            out[i..i + 8].copy_from_slice(&atomic_load(p.add(i), 8).to_le_bytes());
            i += 8;
        }
        while i < out.len() {
            out[i] = atomic_load(p.add(i), 1) as u8;
            i += 1;
        }
    }
}

/// The buffer nearest to `addr` among `(base, len)` ranges: the one containing it, else the closest by distance
/// to either end.
pub(crate) fn nearest(ranges: impl Iterator<Item = (u64, u64)>, addr: u64) -> Option<NearestBuffer> {
    let distance = |base: u64, len: u64| -> u64 {
        if addr < base {
            base - addr
        } else {
            addr.saturating_sub(base.saturating_add(len.max(1) - 1))
        }
    };
    ranges.min_by_key(|&(base, len)| distance(base, len)).map(|(base, size)| NearestBuffer {
        base,
        size,
        offset: addr.wrapping_sub(base) as i64,
    })
}

#[derive(Clone, Copy)]
struct Range {
    base: u64,
    len: u64,
    ptr: *mut u8,
}

/// The allocations one launch sees, sorted by address. It keeps them alive, so a `free` on another host thread
/// during the launch cannot pull memory from under a running kernel.
pub(crate) struct MemView {
    ranges: Vec<Range>,
    _keep: Vec<Arc<Allocation>>,
}

// SAFETY: the raw pointers point into allocations `_keep` owns, which are only accessed through atomics.
unsafe impl Send for MemView {}
// SAFETY: as above; the view itself is immutable.
unsafe impl Sync for MemView {}

impl MemView {
    /// The allocation holding `addr .. addr + size`, as a cache entry.
    #[inline]
    pub(crate) fn lookup(&self, addr: u64, size: u32) -> Option<MemCache> {
        let i = self.ranges.partition_point(|r| r.base <= addr);
        let r = self.ranges.get(i.checked_sub(1)?)?;
        let off = addr - r.base;
        if off.checked_add(size as u64)? <= r.len {
            Some(MemCache { base: r.base, len: r.len, ptr: r.ptr })
        } else {
            None
        }
    }

    /// The buffer nearest to `addr`, for error messages.
    pub(crate) fn nearest(&self, addr: u64) -> Option<NearestBuffer> {
        nearest(self.ranges.iter().map(|r| (r.base, r.len)), addr)
    }
}

/// The last allocation a worker hit: most accesses of a warp go to the same buffer, so checking it first avoids
/// the search.
#[derive(Clone, Copy)]
pub(crate) struct MemCache {
    base: u64,
    len: u64,
    ptr: *mut u8,
}

impl MemCache {
    /// A cache that matches nothing.
    pub(crate) const EMPTY: MemCache = MemCache { base: 0, len: 0, ptr: std::ptr::null_mut() };

    /// The host pointer for `addr .. addr + size` if it lies in this allocation.
    #[inline(always)]
    pub(crate) fn get(&self, addr: u64, size: u32) -> Option<*mut u8> {
        let off = addr.wrapping_sub(self.base);
        // `off <= len - size` without overflow: len >= size is checked first.
        if self.len >= size as u64 && off <= self.len - size as u64 {
            // SAFETY: `off + size <= len`, so the pointer stays inside the allocation.
            Some(unsafe { self.ptr.add(off as usize) })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_aligned_separated_and_zeroed() {
        let m = GlobalMemory::new();
        let a = m.alloc(10);
        let b = m.alloc(0);
        let c = m.alloc(300);
        assert_eq!(a % 256, 0);
        assert!(b >= a + 256 + GUARD && c > b);
        let mut out = [1u8; 10];
        m.read(a, &mut out).unwrap();
        assert_eq!(out, [0; 10]);
        m.write(a + 3, &[7, 8, 9]).unwrap();
        m.read(a, &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 7, 8, 9, 0, 0, 0, 0]);
        assert!(matches!(m.write(a + 8, &[0; 3]), Err(EmuError::HostOutOfBounds { .. })));
        assert!(m.read(b, &mut [0u8; 1]).is_err());
        m.copy(c + 1, a, 10).unwrap();
        let mut out = [0u8; 12];
        m.read(c, &mut out).unwrap();
        assert_eq!(&out[4..7], &[7, 8, 9]);
        m.free(a);
        let e = m.read(a, &mut [0u8; 1]).unwrap_err();
        assert!(e.to_string().contains("outside every allocation"), "{e}");
    }

    #[test]
    fn exhausted_address_space_reuses_freed_gaps() {
        let m = GlobalMemory::new();
        let a = m.alloc(100);
        let b = m.alloc(100);
        m.free(a);
        m.lock().next = GLOBAL_LIMIT - 100;
        let c = m.alloc(10);
        assert_eq!(c, a, "the freed first slot is reused");
        let d = m.alloc(10);
        assert!(d > b && d < GLOBAL_LIMIT);
    }

    #[test]
    fn view_lookup_and_nearest() {
        let m = GlobalMemory::new();
        let a = m.alloc(1024);
        let b = m.alloc(64);
        let v = m.snapshot();
        assert!(v.lookup(a, 4).is_some());
        assert!(v.lookup(a + 1020, 4).is_some());
        assert!(v.lookup(a + 1021, 4).is_none());
        assert!(v.lookup(b + 60, 4).is_some());
        assert!(v.lookup(GLOBAL_BASE - 4, 4).is_none());
        let n = v.nearest(a + 1024).unwrap();
        assert_eq!((n.base, n.size, n.offset), (a, 1024, 1024));
        let n = v.nearest(b - 8).unwrap();
        assert_eq!((n.base, n.offset), (b, -8));
        let c = v.lookup(a, 4).unwrap();
        assert!(c.get(a + 1020, 4).is_some() && c.get(a + 1024, 1).is_none() && c.get(a - 1, 1).is_none());
        assert!(MemCache::EMPTY.get(0, 1).is_none());
    }
}
