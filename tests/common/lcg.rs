//! Random kernel inputs shared by the execution tests (`exec_frontend.rs`, `differential_suite.rs`), so that
//! both draw the same values: random bits with each type's edge values mixed in, never all zero.
#![allow(dead_code)]

/// A 64-bit LCG (Knuth's MMIX constants); the high bits are the output.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
    }
    /// `n` values: mostly random bits, with the type's edge values every so often.
    pub fn ints<T: Copy>(&mut self, n: usize, from_bits: impl Fn(u64) -> T, edges: &[T]) -> Vec<T> {
        (0..n)
            .map(|i| {
                let r = self.next();
                if i % 7 == 3 && !edges.is_empty() {
                    edges[(r as usize) % edges.len()]
                } else if i % 5 == 1 {
                    // Small values, where wrapping and signs are interesting too.
                    from_bits(r % 17)
                } else {
                    from_bits(r)
                }
            })
            .collect()
    }
    pub fn f32s(&mut self, n: usize) -> Vec<f32> {
        let edges = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -2.5,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            3e9,
            -3e9,
            1e20,
            255.5,
            65535.9,
            -128.7,
            2147483520.0,
            8388609.0,
            f32::MIN_POSITIVE / 4.0,
        ];
        (0..n)
            .map(|i| {
                let r = self.next();
                match i % 4 {
                    0 => edges[(r as usize) % edges.len()],
                    1 => f32::from_bits(r as u32),
                    _ => ((r >> 11) as f64 / (1u64 << 53) as f64 * 2000.0 - 1000.0) as f32,
                }
            })
            .collect()
    }
    pub fn f64s(&mut self, n: usize) -> Vec<f64> {
        let edges = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            2.5,
            -3.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1.8e19,
            -9.3e18,
            1e300,
            4294967295.7,
            127.9,
            -32768.5,
        ];
        (0..n)
            .map(|i| {
                let r = self.next();
                match i % 4 {
                    0 => edges[(r as usize) % edges.len()],
                    1 => f64::from_bits(r),
                    _ => (r >> 11) as f64 / (1u64 << 53) as f64 * 2e6 - 1e6,
                }
            })
            .collect()
    }
}
