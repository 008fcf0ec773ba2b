//! Integer arithmetic: wrapping, division, shifts, bit operations, comparisons, for every width.

use ptx_kernel::prelude::*;

macro_rules! int_arith {
    ($kernel:ident, $reference:ident, $t:ty) => {
        /// `+ - * / %` and their mix; `b` holds no zeros and no `-1` under `MIN` (those panic).
        #[ptx_kernel]
        pub fn $kernel(a: &[$t], b: &[$t], out: &mut [$t]) {
            let i = gpu::global_idx_x() as usize;
            if 5 * i + 4 < out.len() {
                out[5 * i] = a[i] + b[i];
                out[5 * i + 1] = a[i] - b[i];
                out[5 * i + 2] = a[i] * b[i];
                out[5 * i + 3] = a[i] / b[i];
                out[5 * i + 4] = a[i] % b[i] + a[i] * 3 - b[i] / 2;
            }
        }

        pub fn $reference(a: &[$t], b: &[$t], out: &mut [$t]) {
            for i in 0..out.len() / 5 {
                out[5 * i] = a[i].wrapping_add(b[i]);
                out[5 * i + 1] = a[i].wrapping_sub(b[i]);
                out[5 * i + 2] = a[i].wrapping_mul(b[i]);
                out[5 * i + 3] = a[i].wrapping_div(b[i]);
                out[5 * i + 4] =
                    a[i].wrapping_rem(b[i]).wrapping_add(a[i].wrapping_mul(3)).wrapping_sub(b[i].wrapping_div(2));
            }
        }
    };
}

int_arith!(arith_i8, arith_i8_ref, i8);
int_arith!(arith_u8, arith_u8_ref, u8);
int_arith!(arith_i16, arith_i16_ref, i16);
int_arith!(arith_u16, arith_u16_ref, u16);
int_arith!(arith_i32, arith_i32_ref, i32);
int_arith!(arith_u32, arith_u32_ref, u32);
int_arith!(arith_i64, arith_i64_ref, i64);
int_arith!(arith_u64, arith_u64_ref, u64);

/// `& | ^ !` and negation on signed and unsigned values.
#[ptx_kernel]
pub fn bit_ops(a: &[u32], b: &[i64], c: &[i8], out32: &mut [u32], out64: &mut [i64], out8: &mut [i8]) {
    let i = gpu::global_idx_x() as usize;
    if i < a.len() {
        out32[i] = (a[i] & 0xF0F0_F0F0) | (!a[i] ^ 0x1234_5678);
        out64[i] = -(b[i] & 0x7FFF_0000_FFFF) ^ !b[i] | b[i] >> 7;
        out8[i] = !c[i] ^ -c[i] & 0x55;
    }
}

pub fn bit_ops_ref(a: &[u32], b: &[i64], c: &[i8], out32: &mut [u32], out64: &mut [i64], out8: &mut [i8]) {
    for i in 0..a.len() {
        out32[i] = (a[i] & 0xF0F0_F0F0) | (!a[i] ^ 0x1234_5678);
        out64[i] = (b[i] & 0x7FFF_0000_FFFF).wrapping_neg() ^ !b[i] | b[i] >> 7;
        out8[i] = !c[i] ^ c[i].wrapping_neg() & 0x55;
    }
}

/// Shifts by run-time amounts of other types: masked to the width like release-mode Rust.
#[ptx_kernel]
pub fn shifts(a: &[i32], s: &[u8], b: &[u64], c: &[i8], out: &mut [i64]) {
    let i = gpu::global_idx_x() as usize;
    if 6 * i + 5 < out.len() {
        out[6 * i] = (a[i] << s[i]) as i64;
        out[6 * i + 1] = (a[i] >> s[i]) as i64;
        out[6 * i + 2] = (b[i] << a[i]) as i64;
        out[6 * i + 3] = (b[i] >> (s[i] as u64)) as i64;
        out[6 * i + 4] = (c[i] << s[i]) as i64;
        out[6 * i + 5] = (c[i] >> s[i]) as i64 + ((a[i] as u32) >> s[i]) as i64;
    }
}

pub fn shifts_ref(a: &[i32], s: &[u8], b: &[u64], c: &[i8], out: &mut [i64]) {
    for i in 0..out.len() / 6 {
        let s32 = s[i] as u32;
        out[6 * i] = a[i].wrapping_shl(s32) as i64;
        out[6 * i + 1] = a[i].wrapping_shr(s32) as i64;
        out[6 * i + 2] = b[i].wrapping_shl(a[i] as u32) as i64;
        out[6 * i + 3] = b[i].wrapping_shr(s32) as i64;
        out[6 * i + 4] = c[i].wrapping_shl(s32) as i64;
        out[6 * i + 5] = (c[i].wrapping_shr(s32) as i64).wrapping_add((a[i] as u32).wrapping_shr(s32) as i64);
    }
}

/// Shifts by constants, in range (emitted as immediates).
#[ptx_kernel]
pub fn const_shifts(a: &[u16], b: &[i64], out: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let x = (a[i] << 3) as u64 | (a[i] >> 9) as u64;
        out[i] = x + (b[i] << 40) as u64 + (b[i] >> 63) as u64 + (1u64 << 63 >> 62);
    }
}

pub fn const_shifts_ref(a: &[u16], b: &[i64], out: &mut [u64]) {
    for i in 0..out.len() {
        let x = (a[i] << 3) as u64 | (a[i] >> 9) as u64;
        out[i] = x.wrapping_add((b[i] << 40) as u64).wrapping_add((b[i] >> 63) as u64).wrapping_add(1u64 << 63 >> 62);
    }
}

/// Every compound assignment, on a local and on a slice element.
#[ptx_kernel]
pub fn compound_assign(a: &[u32], b: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if 2 * i + 1 < out.len() {
        let mut x = a[i];
        let y = b[i] | 1;
        x += y;
        x -= 3;
        x *= y;
        x /= 7;
        x %= 1000;
        x &= 0xFFF;
        x |= 0x10000;
        x ^= y;
        x <<= y;
        x >>= 2;
        out[2 * i] = x;
        out[2 * i + 1] = a[i];
        out[2 * i + 1] += y;
        out[2 * i + 1] *= 5;
        out[2 * i + 1] -= y / 3;
        out[2 * i + 1] ^= 0xAAAA;
        out[2 * i + 1] >>= y;
        out[2 * i + 1] <<= 1u8;
    }
}

pub fn compound_assign_ref(a: &[u32], b: &[u32], out: &mut [u32]) {
    for i in 0..out.len() / 2 {
        let y = b[i] | 1;
        let mut x = a[i].wrapping_add(y).wrapping_sub(3).wrapping_mul(y) / 7 % 1000;
        x &= 0xFFF;
        x |= 0x10000;
        x ^= y;
        x = x.wrapping_shl(y);
        x >>= 2;
        out[2 * i] = x;
        let mut o = a[i].wrapping_add(y).wrapping_mul(5).wrapping_sub(y / 3) ^ 0xAAAA;
        o = o.wrapping_shr(y);
        o = o.wrapping_shl(1);
        out[2 * i + 1] = o;
    }
}

/// Signed and unsigned comparisons, as bits of a mask.
#[ptx_kernel]
pub fn compare_ints(a: &[i32], b: &[i32], c: &[u8], d: &[u64], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let mut m = 0u32;
        if a[i] < b[i] {
            m |= 1;
        }
        if a[i] <= b[i] {
            m |= 2;
        }
        if a[i] > b[i] {
            m |= 4;
        }
        if a[i] >= b[i] {
            m |= 8;
        }
        if a[i] == b[i] {
            m |= 16;
        }
        if a[i] != b[i] {
            m |= 32;
        }
        if (a[i] as u32) < (b[i] as u32) {
            m |= 64;
        }
        if c[i] > 127 {
            m |= 128;
        }
        if d[i] >= 1 << 63 {
            m |= 256;
        }
        if (c[i] as i8) < 0 {
            m |= 512;
        }
        out[i] = m;
    }
}

pub fn compare_ints_ref(a: &[i32], b: &[i32], c: &[u8], d: &[u64], out: &mut [u32]) {
    for i in 0..out.len() {
        let bits = [
            a[i] < b[i],
            a[i] <= b[i],
            a[i] > b[i],
            a[i] >= b[i],
            a[i] == b[i],
            a[i] != b[i],
            (a[i] as u32) < (b[i] as u32),
            c[i] > 127,
            d[i] >= 1 << 63,
            (c[i] as i8) < 0,
        ];
        out[i] = bits.iter().enumerate().map(|(k, &b)| (b as u32) << k).sum();
    }
}

/// `abs`, `min`, `max` on integers (wrapping `abs` of `MIN`).
#[ptx_kernel]
pub fn int_methods(a: &[i8], b: &[i32], c: &[u64], out8: &mut [i8], out32: &mut [i32], out64: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if i < a.len() {
        out8[i] = a[i].abs().max(-100);
        out32[i] = b[i].abs().min(b[i] / 2).max(-7);
        out64[i] = c[i].min(1 << 40).max(c[i] >> 3);
    }
}

pub fn int_methods_ref(a: &[i8], b: &[i32], c: &[u64], out8: &mut [i8], out32: &mut [i32], out64: &mut [u64]) {
    for i in 0..a.len() {
        out8[i] = a[i].wrapping_abs().max(-100);
        out32[i] = b[i].wrapping_abs().min(b[i] / 2).max(-7);
        out64[i] = c[i].min(1 << 40).max(c[i] >> 3);
    }
}
