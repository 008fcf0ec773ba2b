//! TEMPORARY stand-in for `runtime/src/emu/` (the CPU emulator, written separately) with exactly the interface the
//! runtime codes against. It keeps memory so buffers can be tested, but cannot load or run PTX. Delete this file and
//! switch `lib.rs` to `mod emu;` once `runtime/src/emu/mod.rs` lands.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Errors of the emulator stand-in.
#[derive(Debug, thiserror::Error)]
pub enum EmuError {
    /// No allocation contains the accessed range.
    #[error("emulator: access of {len} bytes at address {addr:#x} is outside every allocation")]
    OutOfBounds {
        /// First byte accessed.
        addr: u64,
        /// Bytes accessed.
        len: usize,
    },
    /// This stand-in cannot run PTX.
    #[error("emulator: {0} is not available in this build (the emulator is not in the tree yet)")]
    Unsupported(&'static str),
}

/// Memory-only emulator stand-in.
#[derive(Debug, Default)]
pub struct Emulator {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    next: u64,
    allocs: BTreeMap<u64, Vec<u8>>,
}

/// A loaded module (never produced by the stand-in).
#[derive(Debug)]
pub struct EmuModule {
    _private: (),
}

impl State {
    fn find(&mut self, addr: u64, len: usize) -> Result<&mut [u8], EmuError> {
        let oob = EmuError::OutOfBounds { addr, len };
        let (&base, mem) = self.allocs.range_mut(..=addr).next_back().ok_or(oob)?;
        let off = (addr - base) as usize;
        if off + len > mem.len() {
            return Err(EmuError::OutOfBounds { addr, len });
        }
        Ok(&mut mem[off..off + len])
    }
}

impl Emulator {
    /// A fresh emulator with empty memory.
    pub fn new() -> Self {
        Emulator { state: Mutex::new(State { next: 0x1_0000, allocs: BTreeMap::new() }) }
    }
    /// Allocates zeroed memory.
    pub fn alloc(&self, bytes: usize) -> u64 {
        let mut s = self.state.lock().unwrap();
        let addr = s.next;
        s.next += (bytes.max(1) as u64).div_ceil(256) * 256 + 256;
        s.allocs.insert(addr, vec![0; bytes]);
        addr
    }
    /// Frees an allocation.
    pub fn free(&self, addr: u64) {
        self.state.lock().unwrap().allocs.remove(&addr);
    }
    /// Host → emulator memory.
    pub fn write(&self, addr: u64, data: &[u8]) -> Result<(), EmuError> {
        self.state.lock().unwrap().find(addr, data.len())?.copy_from_slice(data);
        Ok(())
    }
    /// Emulator memory → host.
    pub fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), EmuError> {
        out.copy_from_slice(self.state.lock().unwrap().find(addr, out.len())?);
        Ok(())
    }
    /// Emulator memory → emulator memory.
    pub fn copy(&self, dst: u64, src: u64, bytes: usize) -> Result<(), EmuError> {
        let mut tmp = vec![0; bytes];
        self.read(src, &mut tmp)?;
        self.write(dst, &tmp)
    }
    /// Always fails in the stand-in.
    pub fn load_module(&self, _ptx: &str) -> Result<EmuModule, EmuError> {
        Err(EmuError::Unsupported("loading PTX"))
    }
    /// Always fails in the stand-in.
    pub fn launch(
        &self,
        _module: &EmuModule,
        _entry: &str,
        _cfg: &crate::LaunchConfig,
        _args: &[&[u8]],
    ) -> Result<(), EmuError> {
        Err(EmuError::Unsupported("launching kernels"))
    }
}
