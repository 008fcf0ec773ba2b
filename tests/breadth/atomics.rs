use ptx_kernel::prelude::*;

macro_rules! int_atomics {
    ($name:ident, $t:ty) => {
        /// Every integer atomic on `acc` (8 slots: one per operation), with values `v`; `old[i]` sums the old
        /// values returned, wrapping (order-independent: every thread's contribution is commutative where the
        /// test checks the slot; the `old` values are checked only for `cas` on a private slot).
        #[ptx_kernel]
        pub fn $name(v: &[$t], acc: &mut [$t], own: &mut [$t]) {
            let i = gpu::global_idx_x() as usize;
            if i < v.len() {
                let x = v[i];
                gpu::atomic_add(&mut acc[0], x);
                gpu::atomic_sub(&mut acc[1], x);
                gpu::atomic_min(&mut acc[2], x);
                gpu::atomic_max(&mut acc[3], x);
                gpu::atomic_and(&mut acc[4], x);
                gpu::atomic_or(&mut acc[5], x);
                gpu::atomic_xor(&mut acc[6], x);
                // A private slot: exchange, then compare-and-swap (once succeeding, once failing).
                let before = gpu::atomic_exch(&mut own[3 * i], x);
                let ok = gpu::atomic_cas(&mut own[3 * i], x, before);
                let fail = gpu::atomic_cas(&mut own[3 * i], x, 7);
                own[3 * i + 1] = ok;
                own[3 * i + 2] = fail;
            }
        }
    };
}
int_atomics!(atomics_u32, u32);
int_atomics!(atomics_i32, i32);
int_atomics!(atomics_u64, u64);
int_atomics!(atomics_i64, i64);

macro_rules! float_atomics {
    ($name:ident, $t:ty) => {
        /// Float add/sub into shared accumulators of small integers (exact in any order), then exch/cas on a private
        /// slot.
        #[ptx_kernel]
        pub fn $name(v: &[$t], acc: &mut [$t], own: &mut [$t]) {
            let i = gpu::global_idx_x() as usize;
            let s = gpu::SharedArray::<$t, 2>::new();
            let t = gpu::thread_idx_x();
            if t == 0 {
                s[0] = 0.0;
                s[1] = 0.0;
            }
            gpu::sync_threads();
            if i < v.len() {
                let x = v[i];
                gpu::atomic_add(&mut acc[0], x);
                gpu::atomic_sub(&mut acc[1], x);
                gpu::atomic_add(&mut s[0], x);
                gpu::atomic_sub(&mut s[1], x);
                let before = gpu::atomic_exch(&mut own[3 * i], x);
                let ok = gpu::atomic_cas(&mut own[3 * i], x, before);
                let fail = gpu::atomic_cas(&mut own[3 * i], x, 7.0);
                own[3 * i + 1] = ok;
                own[3 * i + 2] = fail;
            }
            gpu::sync_threads();
            if t == 0 {
                gpu::atomic_add(&mut acc[2], s[0]);
                gpu::atomic_add(&mut acc[3], s[1]);
            }
        }
    };
}
float_atomics!(atomics_f32, f32);
float_atomics!(atomics_f64, f64);

/// A 256-bin histogram of bytes: per-block bins in shared memory, merged into the global ones.
#[ptx_kernel]
pub fn shared_histogram(data: &[u8], bins: &mut [u32]) {
    let local = gpu::SharedArray::<u32, 256>::new();
    let t = gpu::thread_idx_x() as usize;
    let mut k = t;
    while k < 256 {
        local[k] = 0;
        k += gpu::block_dim_x() as usize;
    }
    gpu::sync_threads();
    let stride = (gpu::grid_dim_x() * gpu::block_dim_x()) as usize;
    let mut i = gpu::global_idx_x() as usize;
    while i < data.len() {
        gpu::atomic_add(&mut local[data[i] as usize], 1);
        i += stride;
    }
    gpu::sync_threads();
    let mut k = t;
    while k < 256 {
        if local[k] != 0 {
            gpu::atomic_add(&mut bins[k], local[k]);
        }
        k += gpu::block_dim_x() as usize;
    }
}

/// `load_nc` and `load_streaming` on read-only and writable slices.
#[ptx_kernel]
pub fn cached_loads(a: &[f32], b: &[i64], c: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < a.len() {
        let x = gpu::load_nc(&a[i]);
        let y = gpu::load_streaming(&b[i]);
        let z = gpu::load_nc(&c[i]);
        c[i] = x + y as f32 + z;
    }
}

/// Atomic add of f16 and bf16 (global and shared).
#[ptx_kernel]
pub fn half_atomics(
    v: &[ptx_kernel::half::f16],
    w: &[ptx_kernel::half::bf16],
    acc: &mut [ptx_kernel::half::f16],
    accb: &mut [ptx_kernel::half::bf16],
) {
    let s = gpu::SharedArray::<ptx_kernel::half::f16, 1>::new();
    let i = gpu::global_idx_x() as usize;
    if gpu::thread_idx_x() == 0 {
        s[0] = v[0] - v[0];
    }
    gpu::sync_threads();
    if i < v.len() {
        gpu::atomic_add(&mut acc[0], v[i]);
        gpu::atomic_add(&mut accb[0], w[i]);
        gpu::atomic_add(&mut s[0], v[i]);
    }
    gpu::sync_threads();
    if gpu::thread_idx_x() == 0 {
        gpu::atomic_add(&mut acc[1], s[0]);
    }
}
