//! Helpers shared by the runtime's integration tests.
#![allow(dead_code)]

use ptx_kernel_runtime::Device;

/// A small deterministic generator (64-bit LCG, Knuth's constants), so tests need no `rand`.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0
    }
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    /// Uniform in [-1, 1).
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u32() as u8).collect()
    }
}

/// CUDA device 0, or `None` with a printed note when there is none. When `PTX_KERNEL_DEVICE` asks for CUDA, a
/// missing device is a failure rather than a skip.
pub fn cuda_device(test: &str) -> Option<Device> {
    match Device::cuda(0) {
        Ok(dev) => Some(dev),
        Err(e) => {
            let wanted = std::env::var("PTX_KERNEL_DEVICE").map(|v| v.trim().starts_with("cuda")).unwrap_or(false);
            if wanted {
                panic!("PTX_KERNEL_DEVICE asks for CUDA but no device could be opened: {e}");
            }
            eprintln!("note: skipping {test}: no CUDA device ({e})");
            None
        }
    }
}
