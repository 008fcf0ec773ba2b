//! Control flow: `if`/`else` expressions, `while`, `loop`, `for` over ranges, `break`/`continue` with labels,
//! early `return`, short-circuit `&&`/`||`.

use ptx_kernel::prelude::*;

/// `if`/`else if`/`else` as an expression and as a statement.
#[ptx_kernel]
pub fn if_chain(a: &[i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i >= out.len() {
        return;
    }
    let x = a[i];
    let class = if x < -1000 {
        -2
    } else if x < 0 {
        -1
    } else if x == 0 {
        0
    } else {
        let big = x > 1000;
        if big {
            2
        } else {
            1
        }
    };
    let mut y = class * 10;
    if x % 2 == 0 {
        y += 1;
    } else if x % 3 == 0 {
        y += 2;
    }
    out[i] = y;
}

pub fn if_chain_ref(a: &[i32], out: &mut [i32]) {
    for i in 0..out.len() {
        let x = a[i];
        let class = if x < -1000 {
            -2
        } else if x < 0 {
            -1
        } else if x == 0 {
            0
        } else if x > 1000 {
            2
        } else {
            1
        };
        let mut y = class * 10;
        if x % 2 == 0 {
            y += 1;
        } else if x % 3 == 0 {
            y += 2;
        }
        out[i] = y;
    }
}

/// `while`: Collatz steps (bounded).
#[ptx_kernel]
pub fn collatz(start: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let mut n = start[i] as u64 + 1;
        let mut steps = 0;
        while n != 1 && steps < 1000 {
            n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
            steps += 1;
        }
        out[i] = steps;
    }
}

pub fn collatz_ref(start: &[u32], out: &mut [u32]) {
    for i in 0..out.len() {
        let mut n = start[i] as u64 + 1;
        let mut steps = 0;
        while n != 1 && steps < 1000 {
            n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
            steps += 1;
        }
        out[i] = steps;
    }
}

/// `loop` with `break` and `continue`.
#[ptx_kernel]
pub fn loop_break_continue(a: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let mut k = 0u32;
        let mut acc = 0u32;
        loop {
            k += 1;
            if k > a[i] % 50 {
                break;
            }
            if k % 3 == 0 {
                continue;
            }
            acc = acc * 31 + k;
        }
        out[i] = acc;
    }
}

pub fn loop_break_continue_ref(a: &[u32], out: &mut [u32]) {
    for i in 0..out.len() {
        let mut acc = 0u32;
        for k in 1..=a[i] % 50 {
            if k % 3 != 0 {
                acc = acc.wrapping_mul(31).wrapping_add(k);
            }
        }
        out[i] = acc;
    }
}

/// `for` over `a..b` and `a..=b`, with bounds from data (possibly empty, possibly reaching `MAX`).
#[ptx_kernel]
pub fn for_ranges(lo: &[u8], hi: &[u8], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if 2 * i + 1 < out.len() {
        let mut s = 0u32;
        for k in lo[i]..hi[i] {
            s += k as u32;
        }
        out[2 * i] = s;
        let mut t = 0u32;
        for k in lo[i]..=hi[i] {
            t = t * 3 + k as u32;
        }
        out[2 * i + 1] = t;
    }
}

pub fn for_ranges_ref(lo: &[u8], hi: &[u8], out: &mut [u32]) {
    for i in 0..out.len() / 2 {
        let mut s = 0u32;
        for k in lo[i]..hi[i] {
            s += k as u32;
        }
        out[2 * i] = s;
        let mut t = 0u32;
        for k in lo[i]..=hi[i] {
            t = t.wrapping_mul(3).wrapping_add(k as u32);
        }
        out[2 * i + 1] = t;
    }
}

/// `(a..b).step_by(s)` and `(a..=b).step_by(s)` without overflowing near the type's end.
#[ptx_kernel]
pub fn step_by(lo: &[i8], step: &[u8], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if 3 * i + 2 < out.len() {
        let s = (step[i] % 40) as usize + 1;
        let mut a = 0i32;
        for k in (lo[i]..127).step_by(s) {
            a = a * 7 + k as i32;
        }
        out[3 * i] = a;
        let mut b = 0i32;
        for k in (lo[i]..=i8::MAX).step_by(s) {
            b = b * 5 + k as i32;
        }
        out[3 * i + 1] = b;
        let mut c = 0i32;
        for _ in (0..1000u64).step_by(s * 7) {
            c += 1;
        }
        out[3 * i + 2] = c;
    }
}

pub fn step_by_ref(lo: &[i8], step: &[u8], out: &mut [i32]) {
    for i in 0..out.len() / 3 {
        let s = (step[i] % 40) as usize + 1;
        let mut a = 0i32;
        for k in (lo[i]..127).step_by(s) {
            a = a.wrapping_mul(7).wrapping_add(k as i32);
        }
        out[3 * i] = a;
        let mut b = 0i32;
        for k in (lo[i]..=i8::MAX).step_by(s) {
            b = b.wrapping_mul(5).wrapping_add(k as i32);
        }
        out[3 * i + 1] = b;
        out[3 * i + 2] = (0..1000u64).step_by(s * 7).count() as i32;
    }
}

/// Nested loops with labeled `break` and `continue`.
#[ptx_kernel]
pub fn labeled_loops(a: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let limit = a[i] % 97;
        let mut found = 0u32;
        let mut count = 0u32;
        'outer: for x in 1..20u32 {
            let mut y = 0u32;
            'inner: while y < 20 {
                y += 1;
                if (x + y) % 5 == 0 {
                    continue 'inner;
                }
                if x * y == limit {
                    found = x * 100 + y;
                    break 'outer;
                }
                if y > x {
                    continue 'outer;
                }
                count += 1;
            }
        }
        out[i] = found * 1000 + count;
    }
}

pub fn labeled_loops_ref(a: &[u32], out: &mut [u32]) {
    for i in 0..out.len() {
        let limit = a[i] % 97;
        let mut found = 0u32;
        let mut count = 0u32;
        'outer: for x in 1..20u32 {
            let mut y = 0u32;
            while y < 20 {
                y += 1;
                if (x + y) % 5 == 0 {
                    continue;
                }
                if x * y == limit {
                    found = x * 100 + y;
                    break 'outer;
                }
                if y > x {
                    continue 'outer;
                }
                count += 1;
            }
        }
        out[i] = found * 1000 + count;
    }
}

/// Early `return` from inside loops.
#[ptx_kernel]
pub fn early_return(a: &[i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i >= out.len() {
        return;
    }
    out[i] = -1;
    for k in 0..64 {
        if (a[i] >> k) & 1 == 1 {
            out[i] = k;
            return;
        }
    }
    out[i] = 64;
}

pub fn early_return_ref(a: &[i32], out: &mut [i32]) {
    for i in 0..out.len() {
        out[i] = if a[i] == 0 { 64 } else { a[i].trailing_zeros() as i32 };
    }
}

/// `&&` guards a read that would be out of bounds; `||` skips its right side.
#[ptx_kernel]
pub fn short_circuit(x: &[i32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let positive = i < x.len() && x[i] > 0;
        let small = i >= x.len() || x[i] < 100;
        let both = positive && small || !positive && !small;
        out[i] = positive as u32 | (small as u32) << 1 | (both as u32) << 2;
    }
}

pub fn short_circuit_ref(x: &[i32], out: &mut [u32]) {
    for i in 0..out.len() {
        let positive = i < x.len() && x[i] > 0;
        let small = i >= x.len() || x[i] < 100;
        let both = positive && small || !positive && !small;
        out[i] = positive as u32 | (small as u32) << 1 | (both as u32) << 2;
    }
}

/// `for mut i` (a copy of the counter) and `_`.
#[ptx_kernel]
pub fn for_mut_var(a: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let mut s = 0u32;
        for mut k in 0..a[i] % 16 {
            k *= 2;
            s += k;
        }
        for _ in 0..3 {
            s += 1;
        }
        out[i] = s;
    }
}

pub fn for_mut_var_ref(a: &[u32], out: &mut [u32]) {
    for i in 0..out.len() {
        let n = a[i] % 16;
        out[i] = n * (n - n.min(1) + n.min(1)) - n + 3;
        out[i] = (0..n).map(|k| 2 * k).sum::<u32>() + 3;
    }
}

/// `for` loops over constant ranges short enough to be unrolled without `#[unroll]`: `step_by`, `..=` up to the
/// type's maximum, `continue`, `break`, labelled `break`/`continue` of an unrolled outer loop from an unrolled
/// inner one, `for mut`, a negative range, an empty one; and one too long to unroll.
#[ptx_kernel]
pub fn auto_unroll(a: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let x = a[i];
        let mut s = 0u32;
        for k in (0..32u32).step_by(8) {
            if (x >> k) & 1 == 1 {
                continue;
            }
            s = s * 3 + k;
        }
        for k in 250u8..=255 {
            if k as u32 == x % 256 {
                break;
            }
            s += k as u32;
        }
        'outer: for r in 0..4u32 {
            for c in 0..4u32 {
                if r * 4 + c == x % 20 {
                    break 'outer;
                }
                if c > r {
                    continue 'outer;
                }
                s = s * 7 + r * 4 + c;
            }
        }
        for mut k in -3i32..3 {
            k *= (x % 5) as i32;
            s ^= k as u32;
        }
        for _ in 5..2 {
            s += 1000;
        }
        for k in 0..17u32 {
            s += k * (x & 3);
        }
        out[i] = s;
    }
}

pub fn auto_unroll_ref(a: &[u32], out: &mut [u32]) {
    for i in 0..out.len() {
        let x = a[i];
        let mut s = 0u32;
        for k in (0..32u32).step_by(8) {
            if (x >> k) & 1 == 1 {
                continue;
            }
            s = s.wrapping_mul(3).wrapping_add(k);
        }
        for k in 250u8..=255 {
            if k as u32 == x % 256 {
                break;
            }
            s = s.wrapping_add(k as u32);
        }
        'outer: for r in 0..4u32 {
            for c in 0..4u32 {
                if r * 4 + c == x % 20 {
                    break 'outer;
                }
                if c > r {
                    continue 'outer;
                }
                s = s.wrapping_mul(7).wrapping_add(r * 4 + c);
            }
        }
        for mut k in -3i32..3 {
            k *= (x % 5) as i32;
            s ^= k as u32;
        }
        #[allow(clippy::reversed_empty_ranges)]
        for _ in 5..2 {
            s = s.wrapping_add(1000);
        }
        for k in 0..17u32 {
            s = s.wrapping_add(k * (x & 3));
        }
        out[i] = s;
    }
}

/// `while` loops on a counter set from a literal just before and updated by a literal step last: unrolled when
/// short (`d *= 2`, a decreasing signed counter, `>>=`, a `break`, none at all, the counter read after the loop);
/// one with `continue` and one too long stay loops.
#[ptx_kernel]
pub fn while_unroll(a: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let x = a[i];
        let mut s = x;
        let mut d = 1u32;
        while d < 32 {
            s = s * 5 + (x >> d);
            d *= 2;
        }
        let mut k = 3i32;
        while k >= -2 {
            s ^= (k * 7) as u32;
            if s % 11 == (x % 13) {
                break;
            }
            k -= 1;
        }
        let mut z = 64u32;
        while z < 32 {
            s += 1000;
            z += 1;
        }
        let mut h = 0x80u32;
        while h != 0 {
            s += h & x;
            h >>= 1;
        }
        let mut c = 0u32;
        while c < 4 {
            c += 1;
            if (x >> c) & 1 == 0 {
                continue;
            }
            s += c;
        }
        let mut n = 0u32;
        while n < 40 {
            s += n & x;
            n += 1;
        }
        out[i] = s + d + (k as u32) * 3 + z + h + c + n;
    }
}

pub fn while_unroll_ref(a: &[u32], out: &mut [u32]) {
    for i in 0..out.len() {
        let x = a[i];
        let mut s = x;
        let mut d = 1u32;
        while d < 32 {
            s = s.wrapping_mul(5).wrapping_add(x >> d);
            d *= 2;
        }
        let mut k = 3i32;
        while k >= -2 {
            s ^= (k * 7) as u32;
            if s % 11 == (x % 13) {
                break;
            }
            k -= 1;
        }
        let z = 64u32;
        let mut h = 0x80u32;
        while h != 0 {
            s = s.wrapping_add(h & x);
            h >>= 1;
        }
        let mut c = 0u32;
        while c < 4 {
            c += 1;
            if (x >> c) & 1 == 0 {
                continue;
            }
            s = s.wrapping_add(c);
        }
        let mut n = 0u32;
        while n < 40 {
            s = s.wrapping_add(n & x);
            n += 1;
        }
        out[i] = s
            .wrapping_add(d)
            .wrapping_add((k as u32).wrapping_mul(3))
            .wrapping_add(z)
            .wrapping_add(h)
            .wrapping_add(c)
            .wrapping_add(n);
    }
}

/// Strided loops over a row (`while c < cols { … x[row + c as usize] …; c += step }`), lowered in two versions: one
/// without the bounds checks, when `row + cols` fits in the slices, and the checked loop. Reads, a write through
/// `let i = row + c`, a compound assignment, and an access that is not `row + c` (checked in both).
#[ptx_kernel]
pub fn strided_rows(x: &[u32], y: &mut [u32], cols: u32) {
    let row = gpu::block_idx_x() as usize * cols as usize;
    let mut m = 0u32;
    let mut c = gpu::thread_idx_x();
    while c < cols {
        m = m.max(x[row + c as usize]);
        c += gpu::block_dim_x();
    }
    let mut c = gpu::thread_idx_x();
    while c < cols {
        let i = row + c as usize;
        y[i] = x[i] ^ m;
        y[(c as usize) + row] += x[(c as usize * 7) % x.len()];
        c += gpu::block_dim_x();
    }
}

pub fn strided_rows_ref(x: &[u32], y: &mut [u32], cols: usize, block: usize) {
    for (r, (xr, yr)) in x.chunks(cols).zip(y.chunks_mut(cols)).enumerate() {
        let _ = r;
        for t in 0..block {
            let m = (t..cols).step_by(block).map(|c| xr[c]).max().unwrap_or(0);
            for c in (t..cols).step_by(block) {
                yr[c] = (xr[c] ^ m).wrapping_add(x[(c * 7) % x.len()]);
            }
        }
    }
}

/// `while v < bound { …; v += step }` with a run-time trip count, unrolled 4× (see `lower::unroll`): an
/// order-sensitive float chain (`mul_add` on the accumulator) and the counter's final value, with trip counts 0 to
/// 18 across the threads (every remainder of 4, zero to four unrolled rounds).
#[ptx_kernel]
pub fn dyn_while_chain(x: &[f32], out: &mut [f32], ks: &mut [u32]) {
    let t = gpu::global_idx_x() as usize;
    if t < out.len() && t < ks.len() {
        let end = (t % 19) as u32;
        let mut k = (t % 3) as u32;
        let mut acc = x[t];
        while k < end {
            acc = acc.mul_add(0.75, x[t + k as usize]);
            k += 1;
        }
        out[t] = acc;
        ks[t] = k;
    }
}

pub fn dyn_while_chain_ref(x: &[f32], out: &mut [f32], ks: &mut [u32]) {
    for t in 0..out.len() {
        let end = (t % 19) as u32;
        let mut k = (t % 3) as u32;
        let mut acc = x[t];
        while k < end {
            acc = acc.mul_add(0.75, x[t + k as usize]);
            k += 1;
        }
        out[t] = acc;
        ks[t] = k;
    }
}

/// A step and a bound from parameters (`k < bound` written `bound > k`): the unrolled part needs `3 * step` to fit
/// in `u32` and to be at most `bound`; counters close to `u32::MAX` must end exactly where the loop ends them.
#[ptx_kernel]
pub fn dyn_while_step(x: &[u32], hs: &mut [u32], ks: &mut [u32], start: u32, bound: u32, step: u32) {
    let t = gpu::global_idx_x() as usize;
    if t < hs.len() && t < ks.len() {
        let mut k = start + (t % 16) as u32;
        let mut h = t as u32;
        while bound > k {
            h = (h ^ x[(k % 64) as usize]) * 31 + k;
            k = k + step;
        }
        hs[t] = h;
        ks[t] = k;
    }
}

pub fn dyn_while_step_ref(x: &[u32], hs: &mut [u32], ks: &mut [u32], start: u32, bound: u32, step: u32) {
    for t in 0..hs.len() {
        let mut k = start.wrapping_add((t % 16) as u32);
        let mut h = t as u32;
        let mut trips = 0;
        while bound > k {
            h = (h ^ x[(k % 64) as usize]).wrapping_mul(31).wrapping_add(k);
            k = k.wrapping_add(step);
            trips += 1;
            assert!(trips < 100_000, "dyn_while_step_ref: start {start} bound {bound} step {step} does not end");
        }
        hs[t] = h;
        ks[t] = k;
    }
}

/// A grid-stride loop with checked stores, a discarded atomic and a float sum per thread (in order).
#[ptx_kernel]
pub fn dyn_grid_stride(x: &[u32], y: &mut [u32], hist: &mut [u32], sums: &mut [f32]) {
    let stride = (gpu::grid_dim_x() * gpu::block_dim_x()) as usize;
    let g = gpu::global_idx_x() as usize;
    let mut acc = 0.0f32;
    let mut i = g;
    while i < x.len() {
        y[i] = x[i] * 3 + i as u32;
        gpu::atomic_add(&mut hist[(x[i] % 16) as usize], 1);
        acc += (x[i] >> 8) as f32 * 0.37;
        i += stride;
    }
    if g < sums.len() {
        sums[g] = acc;
    }
}

pub fn dyn_grid_stride_ref(x: &[u32], y: &mut [u32], hist: &mut [u32], sums: &mut [f32], threads: usize) {
    for g in 0..threads {
        let mut acc = 0.0f32;
        let mut i = g;
        while i < x.len() {
            y[i] = x[i].wrapping_mul(3).wrapping_add(i as u32);
            hist[(x[i] % 16) as usize] += 1;
            acc += (x[i] >> 8) as f32 * 0.37;
            i += threads;
        }
        if g < sums.len() {
            sums[g] = acc;
        }
    }
}

/// Loops of the unrollable shape that stay loops (each reads `x` once per iteration; the tests count the loads):
/// a barrier in the body, a warp reduction, a `break`, a signed counter, a step the loop assigns, an atomic whose
/// result is used.
#[ptx_kernel]
pub fn dyn_kept_barrier(x: &[u32], out: &mut [u32], n: u32) {
    let t = gpu::thread_idx_x() as usize;
    let mut s = 0u32;
    let mut k = 0u32;
    while k < n {
        s += x[(k as usize + t) % x.len()];
        gpu::sync_threads();
        k += 1;
    }
    if t < out.len() {
        out[t] = s;
    }
}

#[ptx_kernel]
pub fn dyn_kept_warp_sum(x: &[u32], out: &mut [u32], n: u32) {
    let t = gpu::thread_idx_x() as usize;
    let mut s = 0u32;
    let mut k = 0u32;
    while k < n {
        s += gpu::warp_sum(x[(k as usize + t) % x.len()]);
        k += 1;
    }
    if t < out.len() {
        out[t] = s;
    }
}

#[ptx_kernel]
pub fn dyn_kept_break(x: &[u32], out: &mut [u32], n: u32) {
    let t = gpu::global_idx_x() as usize;
    let mut s = 0u32;
    let mut k = 0u32;
    while k < n {
        s += x[(k as usize + t) % x.len()];
        if s > 1000 {
            break;
        }
        k += 1;
    }
    if t < out.len() {
        out[t] = s;
    }
}

#[ptx_kernel]
pub fn dyn_kept_signed(x: &[u32], out: &mut [u32], n: i32) {
    let t = gpu::global_idx_x() as usize;
    let mut s = 0u32;
    let mut k = 0i32;
    while k < n {
        s += x[(k as usize + t) % x.len()];
        k += 1;
    }
    if t < out.len() {
        out[t] = s;
    }
}

#[ptx_kernel]
pub fn dyn_kept_step(x: &[u32], out: &mut [u32], n: u32) {
    let t = gpu::global_idx_x() as usize;
    let mut s = 0u32;
    let mut k = 0u32;
    let mut step = 1u32;
    while k < n {
        s += x[(k as usize + t) % x.len()];
        step = s % 3 + 1;
        k += step;
    }
    if t < out.len() {
        out[t] = s + step;
    }
}

#[ptx_kernel]
pub fn dyn_kept_atomic(x: &[u32], out: &mut [u32], n: u32) {
    let t = gpu::global_idx_x() as usize;
    let mut s = 0u32;
    let mut k = 0u32;
    while k < n {
        s += gpu::atomic_add(&mut out[0], x[(k as usize + t) % x.len()]);
        k += 1;
    }
    if t < out.len() {
        out[t] = s;
    }
}

/// The same shape unrolled: the control for the kernels above.
#[ptx_kernel]
pub fn dyn_unrolled_sum(x: &[u32], out: &mut [u32], n: u32) {
    let t = gpu::global_idx_x() as usize;
    let mut s = 0u32;
    let mut k = 0u32;
    while k < n {
        s += x[(k as usize + t) % x.len()];
        k += 1;
    }
    if t < out.len() {
        out[t] = s;
    }
}

/// Reads in value position in an unrolled loop, `dst = if c { x[i] } else { … }`: issued before the first copy
/// (`lower::prefetch`), the `then` read under `c`, the `else` read under `!c`, indices from the copy's `let`s and a
/// bound (`m`) that is not the slice's length. The second `if` (inside an expression, a literal `else`) becomes a
/// select with its check under its condition.
#[ptx_kernel]
pub fn select_unroll(x: &[u32], y: &mut [u32], m: u32) {
    let base = gpu::global_idx_x() as usize * 4;
    let m = m as usize;
    if base + 4 <= y.len() {
        for r in 0..4 {
            let k = base + r;
            let a = if k < m { x[k] + 1 } else { x[k - m] ^ 5 };
            y[k] = a + if k >= m { x[k] * 3 } else { 7 };
        }
    }
}

pub fn select_unroll_ref(x: &[u32], y: &mut [u32], m: usize) {
    for k in 0..y.len() / 4 * 4 {
        let a = if k < m { x[k].wrapping_add(1) } else { x[k - m] ^ 5 };
        y[k] = a.wrapping_add(if k >= m { x[k].wrapping_mul(3) } else { 7 });
    }
}
