//! Memory accesses from a kernel: state spaces, the generic address map, bounds and alignment checks, atomics.
//!
//! Generic address map (what `cvta` converts to and from, and how a generic `ld`/`st`/`atom` finds its space):
//!
//! | generic addresses | space | space address |
//! |---|---|---|
//! | `0x1000_0000_0000 ..+ 4 GiB` | shared (of the running block) | generic − `0x1000_0000_0000` |
//! | `0x2000_0000_0000 ..+ 4 GiB` | local (of the running thread) | generic − `0x2000_0000_0000` |
//! | `0x3000_0000_0000 ..+ 4 GiB` | const (the module's bank) | generic − `0x3000_0000_0000` |
//! | `0x4000_0000_0000 ..+ 4 GiB` | param (the kernel's parameters) | generic − `0x4000_0000_0000` |
//! | everything else | global | the same |
//!
//! Global allocations start at `0x7_0000_0000` and grow upward, far below the windows. Shared addresses (what
//! `mov.u64 %rd, tile` and `cvta.to.shared` give) are offsets into the block's shared memory: static variables in
//! declaration order with their alignment, then the dynamic (`extern`) array, aligned to 16 bytes.
//!
//! Local memory is per thread, zero-filled, and grows on demand up to [`LOCAL_LIMIT`] bytes.

use std::sync::atomic::{fence, AtomicI32, AtomicI64, AtomicU32, AtomicU64, Ordering};

use ptx_gen::AtomOp;

use super::code::{AtomTy, Space};
use super::context::Ctx;
use super::error::{MemSpace, NearestBuffer};
use super::float::{arith, min_max, FOp, Round};
use super::memory::{atomic_load, atomic_rmw, atomic_store};

/// Start of the shared window.
pub(crate) const SHARED_WINDOW: u64 = super::memory::GLOBAL_LIMIT;
/// Start of the local window.
pub(crate) const LOCAL_WINDOW: u64 = 0x2000_0000_0000;
/// Start of the const window.
pub(crate) const CONST_WINDOW: u64 = 0x3000_0000_0000;
/// Start of the param window.
pub(crate) const PARAM_WINDOW: u64 = 0x4000_0000_0000;
const WINDOW_SIZE: u64 = 1 << 32;
/// Bytes of local memory a thread may use (the GPU's limit).
pub(crate) const LOCAL_LIMIT: u64 = 512 * 1024;

/// A faulting access, before the thread that made it is named.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fault {
    Bounds { space: MemSpace, addr: u64, size: u32, nearest: Option<NearestBuffer> },
    Misaligned { space: MemSpace, addr: u64, size: u32 },
}

/// The window base of a space (0 for global).
pub(crate) fn window(space: Space) -> u64 {
    match space {
        Space::Shared => SHARED_WINDOW,
        Space::Local => LOCAL_WINDOW,
        Space::Const => CONST_WINDOW,
        Space::Param => PARAM_WINDOW,
        Space::Global | Space::Generic => 0,
    }
}

/// The space and in-space address of a generic address.
#[inline(always)]
pub(crate) fn resolve(addr: u64) -> (Space, u64) {
    for (space, base) in [
        (Space::Shared, SHARED_WINDOW),
        (Space::Local, LOCAL_WINDOW),
        (Space::Const, CONST_WINDOW),
        (Space::Param, PARAM_WINDOW),
    ] {
        if addr.wrapping_sub(base) < WINDOW_SIZE {
            return (space, addr - base);
        }
    }
    (Space::Global, addr)
}

fn mem_space(space: Space) -> MemSpace {
    match space {
        Space::Global => MemSpace::Global,
        Space::Shared => MemSpace::Shared,
        Space::Local => MemSpace::Local,
        Space::Const => MemSpace::Const,
        Space::Param => MemSpace::Param,
        Space::Generic => MemSpace::Generic,
    }
}

/// `size` (1, 2, 4 or 8) bytes of `s` at `off`, little-endian. A fixed-size read per size: a variable-length copy
/// would be a call to `memcpy` per access.
#[inline(always)]
fn read_le(s: &[u8], off: usize, size: usize) -> u64 {
    fn get<const N: usize>(s: &[u8], off: usize) -> [u8; N] {
        let mut b = [0u8; N];
        b.copy_from_slice(&s[off..off + N]);
        b
    }
    match size {
        1 => s[off] as u64,
        2 => u16::from_le_bytes(get(s, off)) as u64,
        4 => u32::from_le_bytes(get(s, off)) as u64,
        _ => u64::from_le_bytes(get(s, off)),
    }
}

#[inline(always)]
fn write_le(s: &mut [u8], off: usize, size: usize, v: u64) {
    match size {
        1 => s[off] = v as u8,
        2 => s[off..off + 2].copy_from_slice(&(v as u16).to_le_bytes()),
        4 => s[off..off + 4].copy_from_slice(&(v as u32).to_le_bytes()),
        _ => s[off..off + 8].copy_from_slice(&v.to_le_bytes()),
    }
}

/// `off .. off + size` within `len` bytes, as a usize offset.
#[inline(always)]
fn in_bounds(off: u64, size: u32, len: usize) -> Option<usize> {
    let end = off.checked_add(size as u64)?;
    (end <= len as u64).then_some(off as usize)
}

fn bounds_fault(space: Space, addr: u64, size: u32, len: usize) -> Fault {
    let nearest = Some(NearestBuffer { base: 0, size: len as u64, offset: addr as i64 });
    Fault::Bounds { space: mem_space(space), addr, size, nearest }
}

impl Ctx<'_> {
    /// The host pointer of `addr .. addr + size` in global memory, trying cache `slot` first.
    #[inline(always)]
    fn global(&mut self, slot: usize, addr: u64, size: u32) -> Result<*mut u8, Fault> {
        if let Some(p) = self.caches.get(slot).and_then(|c| c.get(addr, size)) {
            return Ok(p);
        }
        let miss = || Fault::Bounds { space: MemSpace::Global, addr, size, nearest: self.l.view.nearest(addr) };
        let c = self.l.view.lookup(addr, size).ok_or_else(miss)?;
        if let Some(entry) = self.caches.get_mut(slot) {
            *entry = c;
        }
        // `lookup` checked the range, so the fresh entry matches.
        c.get(addr, size).ok_or(Fault::Bounds { space: MemSpace::Global, addr, size, nearest: None })
    }

    /// Checks the alignment of an access of `total` bytes at `addr` in `space` (after generic resolution).
    #[inline(always)]
    pub(crate) fn check_align(space: Space, addr: u64, total: u32) -> Result<(), Fault> {
        // Access sizes are powers of two (1..32 bytes).
        if addr & (total as u64).wrapping_sub(1) == 0 {
            Ok(())
        } else {
            Err(Fault::Misaligned { space: mem_space(space), addr, size: total })
        }
    }

    /// Loads `size` bytes at `addr` of `space` (not generic) as a zero-extended value.
    #[inline(always)]
    pub(crate) fn load(&mut self, slot: usize, space: Space, addr: u64, size: u32, local: &[u8]) -> Result<u64, Fault> {
        match space {
            Space::Global | Space::Generic => {
                let p = self.global(slot, addr, size)?;
                // SAFETY: `global` checked that `p .. p + size` lies in a live allocation (the launch's view keeps
                // it alive); the caller checked alignment.
                Ok(unsafe { atomic_load(p, size) })
            }
            Space::Shared => match in_bounds(addr, size, self.shared.len()) {
                Some(o) => Ok(read_le(self.shared, o, size as usize)),
                None => Err(bounds_fault(space, addr, size, self.shared.len())),
            },
            Space::Const => match in_bounds(addr, size, self.l.consts.len()) {
                Some(o) => Ok(read_le(self.l.consts, o, size as usize)),
                None => Err(bounds_fault(space, addr, size, self.l.consts.len())),
            },
            Space::Param => match in_bounds(addr, size, self.l.params.len()) {
                Some(o) => Ok(read_le(self.l.params, o, size as usize)),
                None => Err(bounds_fault(space, addr, size, self.l.params.len())),
            },
            Space::Local => match in_bounds(addr, size, LOCAL_LIMIT as usize) {
                // Never-written local memory reads as zero.
                Some(o) if o + size as usize > local.len() => {
                    let mut b = [0u8; 8];
                    let have = local.len().saturating_sub(o).min(size as usize);
                    if have > 0 {
                        b[..have].copy_from_slice(&local[o..o + have]);
                    }
                    Ok(u64::from_le_bytes(b))
                }
                Some(o) => Ok(read_le(local, o, size as usize)),
                None => Err(bounds_fault(space, addr, size, LOCAL_LIMIT as usize)),
            },
        }
    }

    /// Stores the low `size` bytes of `v` at `addr` of `space` (not generic; param space is read-only and was
    /// rejected at decode time).
    #[inline(always)]
    pub(crate) fn store(
        &mut self,
        slot: usize,
        space: Space,
        addr: u64,
        size: u32,
        v: u64,
        local: &mut Vec<u8>,
    ) -> Result<(), Fault> {
        match space {
            Space::Global | Space::Generic => {
                let p = self.global(slot, addr, size)?;
                // SAFETY: as in `load`.
                unsafe { atomic_store(p, size, v) };
                Ok(())
            }
            Space::Shared => match in_bounds(addr, size, self.shared.len()) {
                Some(o) => {
                    write_le(self.shared, o, size as usize, v);
                    Ok(())
                }
                None => Err(bounds_fault(space, addr, size, self.shared.len())),
            },
            Space::Local => match in_bounds(addr, size, LOCAL_LIMIT as usize) {
                Some(o) => {
                    if local.len() < o + size as usize {
                        // Grow in 1 KiB steps to amortise.
                        local.resize((o + size as usize).next_multiple_of(1024).min(LOCAL_LIMIT as usize), 0);
                    }
                    write_le(local, o, size as usize, v);
                    Ok(())
                }
                None => Err(bounds_fault(space, addr, size, LOCAL_LIMIT as usize)),
            },
            Space::Const | Space::Param => Err(bounds_fault(space, addr, size, 0)),
        }
    }

    /// An atomic read-modify-write of `size` bytes at `addr` of `space` (not generic); returns the old value.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn atomic(
        &mut self,
        slot: usize,
        space: Space,
        addr: u64,
        size: u32,
        op: AtomOp,
        ty: AtomTy,
        src: u64,
        cmp: u64,
        local: &mut Vec<u8>,
    ) -> Result<u64, Fault> {
        match space {
            Space::Global | Space::Generic => {
                let p = self.global(slot, addr, size)?;
                // SAFETY: as in `load`; the caller checked alignment to `size`.
                Ok(unsafe { global_atomic(p, size, op, ty, src, cmp) })
            }
            // One host thread runs a whole block, so shared and local memory need no host atomics.
            Space::Shared | Space::Local => {
                let old = self.load(slot, space, addr, size, local)?;
                self.store(slot, space, addr, size, atom_apply(op, ty, size, old, src, cmp), local)?;
                Ok(old)
            }
            Space::Const | Space::Param => Err(bounds_fault(space, addr, size, 0)),
        }
    }
}

fn size_mask(size: u32) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * size)) - 1
    }
}

/// The new value of an atomic `op` on `old` (all values are `size`-byte bit patterns).
pub(crate) fn atom_apply(op: AtomOp, ty: AtomTy, size: u32, old: u64, src: u64, cmp: u64) -> u64 {
    let m = size_mask(size);
    let bits = 8 * size;
    let sext = |v: u64| -> i64 { ((v << (64 - bits)) as i64) >> (64 - bits) };
    let new = match op {
        AtomOp::Add => match ty {
            AtomTy::Unsigned | AtomTy::Signed => old.wrapping_add(src),
            AtomTy::Float(f) => arith(FOp::Add, f, Round::Rn, old, src, 0),
            AtomTy::Packed(f) => {
                let lo = arith(FOp::Add, f, Round::Rn, old & 0xFFFF, src & 0xFFFF, 0);
                let hi = arith(FOp::Add, f, Round::Rn, (old >> 16) & 0xFFFF, (src >> 16) & 0xFFFF, 0);
                lo | hi << 16
            }
        },
        AtomOp::Min | AtomOp::Max => {
            let max = op == AtomOp::Max;
            match ty {
                AtomTy::Unsigned => {
                    let (a, b) = (old & m, src & m);
                    if (a < b) != max {
                        a
                    } else {
                        b
                    }
                }
                AtomTy::Signed => {
                    let (a, b) = (sext(old), sext(src));
                    (if (a < b) != max { a } else { b }) as u64
                }
                AtomTy::Float(f) => min_max(f, max, old & m, src & m),
                AtomTy::Packed(f) => {
                    let lo = min_max(f, max, old & 0xFFFF, src & 0xFFFF);
                    let hi = min_max(f, max, (old >> 16) & 0xFFFF, (src >> 16) & 0xFFFF);
                    lo | hi << 16
                }
            }
        }
        AtomOp::Inc => {
            let (a, b) = (old & m, src & m);
            if a >= b {
                0
            } else {
                a + 1
            }
        }
        AtomOp::Dec => {
            let (a, b) = (old & m, src & m);
            if a == 0 || a > b {
                b
            } else {
                a - 1
            }
        }
        AtomOp::And => old & src,
        AtomOp::Or => old | src,
        AtomOp::Xor => old ^ src,
        AtomOp::Exch => src,
        AtomOp::Cas => {
            if old & m == cmp & m {
                src
            } else {
                old
            }
        }
    };
    new & m
}

/// A global atomic: native host atomics where one exists, a compare-and-swap loop otherwise.
///
/// # Safety
/// `p .. p + size` lies in a live allocation and `p` is aligned to `size`.
unsafe fn global_atomic(p: *mut u8, size: u32, op: AtomOp, ty: AtomTy, src: u64, cmp: u64) -> u64 {
    const R: Ordering = Ordering::Relaxed;
    // SAFETY (every block below): the caller guarantees bounds and alignment; the memory is only accessed
    // atomically.
    unsafe {
        match (size, op, ty) {
            (4, AtomOp::Add, AtomTy::Unsigned | AtomTy::Signed) => {
                AtomicU32::from_ptr(p as *mut u32).fetch_add(src as u32, R) as u64
            }
            (8, AtomOp::Add, AtomTy::Unsigned | AtomTy::Signed) => AtomicU64::from_ptr(p as *mut u64).fetch_add(src, R),
            (4, AtomOp::And, _) => AtomicU32::from_ptr(p as *mut u32).fetch_and(src as u32, R) as u64,
            (8, AtomOp::And, _) => AtomicU64::from_ptr(p as *mut u64).fetch_and(src, R),
            (4, AtomOp::Or, _) => AtomicU32::from_ptr(p as *mut u32).fetch_or(src as u32, R) as u64,
            (8, AtomOp::Or, _) => AtomicU64::from_ptr(p as *mut u64).fetch_or(src, R),
            (4, AtomOp::Xor, _) => AtomicU32::from_ptr(p as *mut u32).fetch_xor(src as u32, R) as u64,
            (8, AtomOp::Xor, _) => AtomicU64::from_ptr(p as *mut u64).fetch_xor(src, R),
            (4, AtomOp::Exch, _) => AtomicU32::from_ptr(p as *mut u32).swap(src as u32, R) as u64,
            (8, AtomOp::Exch, _) => AtomicU64::from_ptr(p as *mut u64).swap(src, R),
            (4, AtomOp::Cas, _) => {
                match AtomicU32::from_ptr(p as *mut u32).compare_exchange(cmp as u32, src as u32, R, R) {
                    Ok(v) | Err(v) => v as u64,
                }
            }
            (8, AtomOp::Cas, _) => match AtomicU64::from_ptr(p as *mut u64).compare_exchange(cmp, src, R, R) {
                Ok(v) | Err(v) => v,
            },
            (4, AtomOp::Min, AtomTy::Unsigned) => AtomicU32::from_ptr(p as *mut u32).fetch_min(src as u32, R) as u64,
            (4, AtomOp::Max, AtomTy::Unsigned) => AtomicU32::from_ptr(p as *mut u32).fetch_max(src as u32, R) as u64,
            (8, AtomOp::Min, AtomTy::Unsigned) => AtomicU64::from_ptr(p as *mut u64).fetch_min(src, R),
            (8, AtomOp::Max, AtomTy::Unsigned) => AtomicU64::from_ptr(p as *mut u64).fetch_max(src, R),
            (4, AtomOp::Min, AtomTy::Signed) => {
                AtomicI32::from_ptr(p as *mut i32).fetch_min(src as i32, R) as u32 as u64
            }
            (4, AtomOp::Max, AtomTy::Signed) => {
                AtomicI32::from_ptr(p as *mut i32).fetch_max(src as i32, R) as u32 as u64
            }
            (8, AtomOp::Min, AtomTy::Signed) => AtomicI64::from_ptr(p as *mut i64).fetch_min(src as i64, R) as u64,
            (8, AtomOp::Max, AtomTy::Signed) => AtomicI64::from_ptr(p as *mut i64).fetch_max(src as i64, R) as u64,
            _ => atomic_rmw(p, size, |old| atom_apply(op, ty, size, old, src, cmp)),
        }
    }
}

/// The fence before a release access or after an acquire one. Every access is a relaxed host atomic, so these
/// give PTX's acquire/release message passing between blocks on different host threads.
#[inline]
pub(crate) fn order_fence(acquire: bool) {
    fence(if acquire { Ordering::Acquire } else { Ordering::Release });
}

/// `membar`/`fence` at GPU or system scope.
#[inline]
pub(crate) fn full_fence() {
    fence(Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::super::float::Fmt;
    use super::*;

    #[test]
    fn generic_windows() {
        assert_eq!(resolve(SHARED_WINDOW + 12), (Space::Shared, 12));
        assert_eq!(resolve(LOCAL_WINDOW), (Space::Local, 0));
        assert_eq!(resolve(CONST_WINDOW + 4), (Space::Const, 4));
        assert_eq!(resolve(PARAM_WINDOW + 8), (Space::Param, 8));
        assert_eq!(resolve(0x7_0000_0000), (Space::Global, 0x7_0000_0000));
        assert_eq!(resolve(SHARED_WINDOW + WINDOW_SIZE), (Space::Global, SHARED_WINDOW + WINDOW_SIZE));
        assert_eq!(resolve(0), (Space::Global, 0));
    }

    #[test]
    fn atomic_operations() {
        use AtomOp::*;
        use AtomTy::*;
        assert_eq!(atom_apply(Add, Unsigned, 4, 0xFFFF_FFFF, 2, 0), 1);
        assert_eq!(atom_apply(Min, Signed, 4, (-5i32) as u32 as u64, 3, 0), (-5i32) as u32 as u64);
        assert_eq!(atom_apply(Min, Unsigned, 4, (-5i32) as u32 as u64, 3, 0), 3);
        assert_eq!(atom_apply(Inc, Unsigned, 4, 7, 7, 0), 0);
        assert_eq!(atom_apply(Inc, Unsigned, 4, 6, 7, 0), 7);
        assert_eq!(atom_apply(Dec, Unsigned, 4, 0, 7, 0), 7);
        assert_eq!(atom_apply(Dec, Unsigned, 4, 9, 7, 0), 7);
        assert_eq!(atom_apply(Dec, Unsigned, 4, 5, 7, 0), 4);
        assert_eq!(atom_apply(Cas, Unsigned, 4, 5, 9, 5), 9);
        assert_eq!(atom_apply(Cas, Unsigned, 4, 5, 9, 6), 5);
        let f = |x: f32| x.to_bits() as u64;
        assert_eq!(atom_apply(Add, Float(Fmt::F32), 4, f(1.5), f(2.25), 0), f(3.75));
        assert_eq!(atom_apply(Max, Float(Fmt::F32), 4, f(f32::NAN), f(2.0), 0), f(2.0));
        // Packed halves add separately: (1.0, 2.0) + (0.5, 0.5).
        let packed =
            |a: f32, b: f32| half::f16::from_f32(a).to_bits() as u64 | (half::f16::from_f32(b).to_bits() as u64) << 16;
        assert_eq!(atom_apply(Add, Packed(Fmt::F16), 4, packed(1.0, 2.0), packed(0.5, 0.5), 0), packed(1.5, 2.5));
    }

    #[test]
    fn native_and_generic_global_atomics_agree() {
        let mut words = [0u64; 2];
        let p = words.as_mut_ptr() as *mut u8;
        let mut seed = 0x1234_5678u64;
        for op in [AtomOp::Add, AtomOp::Min, AtomOp::Max, AtomOp::And, AtomOp::Or, AtomOp::Xor, AtomOp::Exch] {
            for ty in [AtomTy::Unsigned, AtomTy::Signed] {
                for size in [4u32, 8] {
                    for _ in 0..200 {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        let (old, src) = (seed & size_mask(size), (seed >> 17 ^ seed << 9) & size_mask(size));
                        // SAFETY: `p` points at 16 bytes owned by this test, aligned to 8, accessed only here.
                        let got = unsafe {
                            atomic_store(p, size, old);
                            let ret = global_atomic(p, size, op, ty, src, 0);
                            (ret, atomic_load(p, size))
                        };
                        assert_eq!(got, (old, atom_apply(op, ty, size, old, src, 0)), "{op:?} {ty:?} {size}");
                    }
                }
            }
        }
    }
}
