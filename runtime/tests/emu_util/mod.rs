//! Helpers shared by the emulator tests: a deterministic random generator, typed upload/download, PTX loading.
#![allow(dead_code)]

use ptx_kernel_runtime::emu::{EmuError, EmuModule, Emulator};
use ptx_kernel_runtime::LaunchConfig;

/// xorshift64*: deterministic, never all zeros.
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn u32(&mut self) -> u32 {
        (self.u64() >> 32) as u32
    }
    pub fn below(&mut self, n: u32) -> u32 {
        self.u32() % n
    }
    /// A finite f32 of moderate magnitude.
    pub fn f32(&mut self) -> f32 {
        (self.u32() as f32 / u32::MAX as f32 - 0.5) * 2000.0
    }
    /// Any f32 bit pattern (NaNs, infinities and subnormals included).
    pub fn f32_bits(&mut self) -> f32 {
        f32::from_bits(self.u32())
    }
}

/// A value that crosses the host/device boundary as little-endian bytes.
pub trait Elem: Copy + Default {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(b: &[u8]) -> Self;
}

macro_rules! elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(b);
                <$t>::from_le_bytes(a)
            }
        }
    )*};
}
elem!(u8, u16, u32, u64, i32, i64, f32, f64);

/// Copies `data` into a new allocation.
pub fn upload<T: Elem>(emu: &Emulator, data: &[T]) -> u64 {
    let mut bytes = Vec::with_capacity(data.len() * T::SIZE);
    for &v in data {
        v.put(&mut bytes);
    }
    let a = emu.alloc(bytes.len());
    emu.write(a, &bytes).unwrap();
    a
}

/// A new zero-filled allocation of `n` elements.
pub fn zeros<T: Elem>(emu: &Emulator, n: usize) -> u64 {
    emu.alloc(n * T::SIZE)
}

/// `n` elements at `addr`.
pub fn download<T: Elem>(emu: &Emulator, addr: u64, n: usize) -> Vec<T> {
    let mut bytes = vec![0u8; n * T::SIZE];
    emu.read(addr, &mut bytes).unwrap();
    bytes.chunks_exact(T::SIZE).map(T::get).collect()
}

/// Loads PTX, panicking with the error's message (tests want the text).
pub fn load(emu: &Emulator, ptx: &str) -> EmuModule {
    match emu.load_module(ptx) {
        Ok(m) => m,
        Err(e) => panic!("load failed: {e}\n{ptx}"),
    }
}

/// `.version`/`.target`/`.address_size` followed by `body`.
pub fn ptx(body: &str) -> String {
    format!(".version 7.8\n.target sm_80\n.address_size 64\n\n{body}")
}

pub fn cfg(grid: (u32, u32, u32), block: (u32, u32, u32)) -> LaunchConfig {
    LaunchConfig { grid_dim: grid, block_dim: block, shared_mem_bytes: 0 }
}

pub fn cfg1(grid: u32, block: u32) -> LaunchConfig {
    cfg((grid, 1, 1), (block, 1, 1))
}

/// Launches with arguments given as u64 pointers/values and u32s, in order.
pub fn launch(emu: &Emulator, m: &EmuModule, entry: &str, c: LaunchConfig, args: &[Arg]) -> Result<(), EmuError> {
    let bytes: Vec<Vec<u8>> = args.iter().map(Arg::bytes).collect();
    let refs: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
    emu.launch(m, entry, &c, &refs)
}

/// A kernel argument.
pub enum Arg {
    U64(u64),
    U32(u32),
    F32(f32),
}

impl Arg {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Arg::U64(v) => v.to_le_bytes().to_vec(),
            Arg::U32(v) => v.to_le_bytes().to_vec(),
            Arg::F32(v) => v.to_le_bytes().to_vec(),
        }
    }
}
