//! Literal and local type inference, shadowing, block expressions, deferred initialisation.

use ptx_kernel::prelude::*;

/// Unsuffixed literals take their types from the other operand, the binding, the slice, the index.
#[ptx_kernel]
pub fn literal_inference(x: &[i64], y: &[u8], out: &mut [i64]) {
    let i = gpu::global_idx_x() as usize;
    if 4 * i + 3 < out.len() {
        // `s` becomes i64 from the `+= x[i]` below; 3_000_000_000 fits only in i64.
        let mut s = 0;
        s += x[i];
        s += 3_000_000_000;
        out[4 * i] = s;
        // `k` is a u8 (from y[i]): 200 + 100 wraps at 8 bits.
        let k = 200;
        out[4 * i + 1] = (y[i] + k + 100) as i64;
        // `d` has no other constraint: i32, so its products wrap at 32 bits.
        let mut d = 46_341;
        for _ in 0..i % 4 {
            d *= 46_341;
        }
        out[4 * i + 2] = d as i64;
        // The index literal is a usize.
        let j = 0;
        out[4 * i + 3] = x[j] + 1;
    }
}

pub fn literal_inference_ref(x: &[i64], y: &[u8], out: &mut [i64]) {
    for i in 0..out.len() / 4 {
        out[4 * i] = x[i].wrapping_add(3_000_000_000);
        out[4 * i + 1] = y[i].wrapping_add(200).wrapping_add(100) as i64;
        let mut d = 46_341i32;
        for _ in 0..i % 4 {
            d = d.wrapping_mul(46_341);
        }
        out[4 * i + 2] = d as i64;
        out[4 * i + 3] = x[0].wrapping_add(1);
    }
}

/// Float literals default to f64 where nothing else says (so `0.1 * 3.0` is computed in f64), and a literal cast
/// with `as` takes the cast's type (`0.1 as f32` is an f32 literal).
#[ptx_kernel]
pub fn float_literals(out: &mut [f32], out64: &mut [f64]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let c = 0.1;
        let scaled = (c * 3.0) as f32;
        let direct = 0.1 as f32 * 3.0;
        out[i] = scaled - direct + i as f32;
        out64[i] = c * i as f64 + 16777217 as f32 as f64;
    }
}

pub fn float_literals_ref(out: &mut [f32], out64: &mut [f64]) {
    for i in 0..out.len() {
        let c = 0.1f64;
        let scaled = (c * 3.0) as f32;
        let direct = 0.1f32 * 3.0;
        out[i] = scaled - direct + i as f32;
        out64[i] = c * i as f64 + 16777217i32 as f32 as f64;
    }
}

/// Shadowing (with other types), block expressions with their own scopes, deferred initialisation.
#[ptx_kernel]
pub fn shadowing_blocks(a: &[u16], out: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let x = a[i];
        let x = x as u32 * 3;
        let y = {
            let x = x as u64 + 1;
            let z = x * 2;
            z + x
        };
        let z: u64;
        if y % 2 == 0 {
            z = y / 2;
        } else {
            z = y * 3 + 1;
        }
        let w = {
            let mut t = z;
            t ^= 0xFF;
            t
        };
        out[i] = w + x as u64;
    }
}

pub fn shadowing_blocks_ref(a: &[u16], out: &mut [u64]) {
    for i in 0..out.len() {
        let x = a[i] as u32 * 3;
        let y = (x as u64 + 1) * 3;
        let z = if y % 2 == 0 { y / 2 } else { y * 3 + 1 };
        out[i] = (z ^ 0xFF) + x as u64;
    }
}

/// Reading a `let mut` while the right-hand side reassigns it: Rust reads the left operand first.
#[ptx_kernel]
pub fn evaluation_order(a: &[i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let mut m = a[i];
        let before = m + {
            m = m * 2;
            m
        };
        let snapshot = m;
        m += 1;
        out[i] = before * 3 + snapshot - m;
    }
}

pub fn evaluation_order_ref(a: &[i32], out: &mut [i32]) {
    for i in 0..out.len() {
        let m0 = a[i];
        let m1 = m0.wrapping_mul(2);
        let before = m0.wrapping_add(m1);
        out[i] = before.wrapping_mul(3).wrapping_add(m1).wrapping_sub(m1.wrapping_add(1));
    }
}

/// Typed literals and integer constants.
#[ptx_kernel]
pub fn typed_literals(out: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() {
        let a = 0xFFu8 as u64;
        let b = -1i16 as u16 as u64;
        let c = 1_000_000_007u64 * i as u64;
        let d = (u32::MAX as u64) + (i64::MIN as u64 >> 60) + u8::BITS as u64;
        out[i] = a + b + c + d + 0b1010 + 0o17;
    }
}

pub fn typed_literals_ref(out: &mut [u64]) {
    for i in 0..out.len() {
        let a = 0xFFu8 as u64;
        let b = -1i16 as u16 as u64;
        let c = 1_000_000_007u64.wrapping_mul(i as u64);
        let d = (u32::MAX as u64) + (i64::MIN as u64 >> 60) + u8::BITS as u64;
        out[i] = a + b + c + d + 0b1010 + 0o17;
    }
}
