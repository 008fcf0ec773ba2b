//! Helpers shared by the examples (and by tests/exec_examples.rs, which runs every example's kernel).
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*), so examples need no `rand` dependency.
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (any value; zero is remapped).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [-1, 1).
    pub fn f32(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
    /// `n` values uniform in [-1, 1).
    pub fn f32_vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.f32()).collect()
    }
}

/// The median of `reps` timings of `f` (after one warm-up call), each ending with `sync`.
pub fn median_time(
    reps: usize,
    mut f: impl FnMut() -> ptx_kernel::Result<()>,
    mut sync: impl FnMut() -> ptx_kernel::Result<()>,
) -> ptx_kernel::Result<Duration> {
    f()?;
    sync()?;
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        f()?;
        sync()?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// A one-line description of a device, e.g. `NVIDIA H200 (cuda:0, sm_90)`.
pub fn describe(dev: &ptx_kernel::Device) -> String {
    let (major, minor) = dev.compute_capability();
    if dev.is_emulator() {
        format!("{} (runs the PTX on the CPU; reports sm_{major}{minor})", dev.name())
    } else {
        format!("{} (cuda:{}, sm_{major}{minor})", dev.name(), dev.ordinal())
    }
}
