//! Occupancy and persistent launches: how many blocks of a kernel fit on one SM, a grid that fills the device
//! exactly once, and the kernel's own `.maxntid` launch bound.
//!
//! A *persistent* kernel launches exactly as many blocks as can be resident at once and lets each block loop over
//! work (a grid-stride loop or an atomic work queue, see `ptx_kernel::gpu`). Because every block is resident, blocks
//! may wait for each other (spin on flags written by other blocks) without deadlocking, which an ordinary grid
//! larger than the device does not allow.
//!
//! - On CUDA the answer is `cuOccupancyMaxActiveBlocksPerMultiprocessor` (registers, shared memory, block size and
//!   the kernel's `launch_bounds`) times the device's SM count.
//! - On the emulator an "SM" is one host thread that runs one block at a time to completion (`runtime/src/emu/grid.rs`),
//!   so exactly **one block per SM** can be resident: the persistent grid is [`Device::sm_count`] blocks (the
//!   emulator's worker threads), every one of them running concurrently. `%smid` is `block index % sm_count` there.

use crate::error::{Error, Result};
use crate::launch::{strip_comments, LoadedKernel};
use crate::{Device, KernelModule, LaunchConfig};

/// The `.maxntid` of `.entry entry` in `ptx` (its first number; 3-D bounds multiply), if declared.
pub(crate) fn entry_max_ntid(ptx: &str, entry: &str) -> Option<u32> {
    let text = strip_comments(ptx);
    let mut rest = text.as_str();
    loop {
        let at = rest.find(".entry")?;
        let tail = &rest[at + ".entry".len()..];
        let name_tail = tail.trim_start();
        if let Some(after) = name_tail.strip_prefix(entry) {
            if !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                // The directives lie between the parameter list and the body.
                let body = after.find('{')?;
                let head = &after[..body];
                let head = head.rfind(')').map_or(head, |p| &head[p + 1..]);
                let d = head.find(".maxntid")?;
                let nums = &head[d + ".maxntid".len()..];
                let mut product = 1u64;
                for part in nums.split(',') {
                    let t = part.trim();
                    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
                    if digits.is_empty() {
                        break;
                    }
                    product = product.saturating_mul(digits.parse::<u64>().ok()?);
                    if digits.len() != t.len() {
                        break;
                    }
                }
                return u32::try_from(product).ok();
            }
        }
        rest = tail;
    }
}

/// Rejects a block larger than the kernel's `launch_bounds(max_threads = …)` before the driver sees it.
#[inline]
pub(crate) fn check_launch_bound(kernel: &LoadedKernel, cfg: &LaunchConfig) -> Result<()> {
    match kernel.launch_bound {
        Some(max) if cfg.threads_per_block() > max as u64 => Err(Error::InvalidLaunch {
            limit: "threads per block of this kernel (its launch_bounds(max_threads), `.maxntid` in the PTX)",
            requested: cfg.threads_per_block(),
            max: max as u64,
        }),
        _ => Ok(()),
    }
}

impl KernelModule {
    /// The kernel's declared `launch_bounds(max_threads = …)` (`.maxntid`), if any. Reads the PTX text only.
    pub fn launch_bound(&self) -> Option<u32> {
        entry_max_ntid(self.ptx(), self.entry())
    }

    /// The largest block the kernel can be launched with on `dev`: the device's limit lowered by the kernel's
    /// register use (CUDA) and by its `launch_bounds`.
    pub fn max_threads_per_block(&'static self, dev: &Device) -> Result<u32> {
        let k = dev.kernel(self)?;
        Ok(k.launch_bound.map_or(k.max_threads, |b| b.min(k.max_threads)))
    }

    /// How many blocks of `block_threads` threads with `dynamic_smem` bytes of dynamic shared memory can be
    /// resident on one SM of `dev` at once (`cuOccupancyMaxActiveBlocksPerMultiprocessor`; always 1 on the
    /// emulator, see the module doc). 0 when such a block cannot run at all.
    pub fn max_active_blocks_per_sm(&'static self, dev: &Device, block_threads: u32, dynamic_smem: u32) -> Result<u32> {
        let k = dev.kernel(self)?;
        let max = k.launch_bound.map_or(k.max_threads, |b| b.min(k.max_threads));
        if block_threads == 0 || block_threads > max {
            return Ok(0);
        }
        match (dev.cuda_backend(), k.cuda()) {
            (Some(b), Some(ck)) => {
                b.bind()?;
                use cudarc::driver::sys;
                let optin = dev.limits().max_shared_mem_per_block_optin;
                if dynamic_smem as u64 + k.static_smem as u64 > optin as u64 {
                    return Ok(0);
                }
                if dynamic_smem > dev.limits().max_shared_mem_per_block {
                    // The occupancy calculator counts a block above 48 KiB only once the function opted in (as
                    // the launch does on demand).
                    // SAFETY: as below.
                    let code = unsafe {
                        sys::cuFuncSetAttribute(
                            ck.func,
                            sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                            dynamic_smem as i32,
                        )
                    };
                    if code != sys::CUresult::CUDA_SUCCESS {
                        return Err(crate::cuda::driver_error("cuFuncSetAttribute", code));
                    }
                }
                let mut n: std::ffi::c_int = 0;
                // SAFETY: `ck.func` is a function of a module loaded on this context, which is current.
                let code = unsafe {
                    cudarc::driver::sys::cuOccupancyMaxActiveBlocksPerMultiprocessor(
                        &mut n,
                        ck.func,
                        block_threads as std::ffi::c_int,
                        dynamic_smem as usize,
                    )
                };
                if code != cudarc::driver::sys::CUresult::CUDA_SUCCESS {
                    return Err(crate::cuda::driver_error("cuOccupancyMaxActiveBlocksPerMultiprocessor", code));
                }
                Ok(n.max(0) as u32)
            }
            _ => {
                let smem = dynamic_smem as u64 + k.static_smem as u64;
                Ok(u32::from(smem <= dev.limits().max_shared_mem_per_block_optin as u64))
            }
        }
    }

    /// A launch configuration for a persistent kernel: `block_dim` threads a block (`x*y*z`), `dynamic_smem` bytes of
    /// dynamic shared memory, and exactly as many blocks as can be resident on `dev` at once
    /// (SMs × [`max_active_blocks_per_sm`](Self::max_active_blocks_per_sm)), in a 1-D grid. Every block of such a
    /// launch runs concurrently, so blocks may wait for each other. On the emulator it is one block per worker
    /// thread. An error ([`Error::InvalidLaunch`]) when not even one block fits.
    pub fn persistent_config(
        &'static self,
        dev: &Device,
        block_dim: (u32, u32, u32),
        dynamic_smem: u32,
    ) -> Result<LaunchConfig> {
        let threads = block_dim.0 as u64 * block_dim.1 as u64 * block_dim.2 as u64;
        let threads32 = u32::try_from(threads).unwrap_or(u32::MAX);
        let per_sm = self.max_active_blocks_per_sm(dev, threads32, dynamic_smem)?;
        if per_sm == 0 {
            let max = self.max_threads_per_block(dev)?;
            return Err(if threads32 > max || threads == 0 {
                Error::InvalidLaunch { limit: "threads per block of this kernel", requested: threads, max: max as u64 }
            } else {
                Error::InvalidLaunch {
                    limit: "shared memory bytes per block for one resident block (persistent launch)",
                    requested: dynamic_smem as u64,
                    max: 0,
                }
            });
        }
        let blocks = per_sm.saturating_mul(dev.sm_count().max(1));
        Ok(LaunchConfig { grid_dim: (blocks, 1, 1), block_dim, shared_mem_bytes: dynamic_smem })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_maxntid() {
        let ptx = ".version 7.0\n.target sm_52\n.address_size 64\n// .entry k() .maxntid 1 {\n\
                   .visible .entry k_other(.param .u32 a)\n.maxntid 64, 1, 1\n{ ret; }\n\
                   .visible .entry k(\n\t.param .u32 a\n)\n.maxntid 256, 1, 1\n.minnctapersm 2\n{\n\tret;\n}\n\
                   .visible .entry plain(.param .u32 a) { ret; }\n.entry cube .maxntid 8, 4, 2 { ret; }\n";
        assert_eq!(entry_max_ntid(ptx, "k"), Some(256));
        assert_eq!(entry_max_ntid(ptx, "k_other"), Some(64));
        assert_eq!(entry_max_ntid(ptx, "plain"), None);
        assert_eq!(entry_max_ntid(ptx, "cube"), Some(64));
        assert_eq!(entry_max_ntid(ptx, "missing"), None);
    }
}
