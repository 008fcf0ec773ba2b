//! Loads and launches ptx-kernel modules.
//!
//! This crate is the run-time half of ptx-kernel: `#[ptx_kernel]` turns a Rust function into PTX text at build time,
//! and the launcher it generates calls into this crate to get that PTX onto a device and run it. One API covers two
//! backends:
//!
//! - **CUDA** — the NVIDIA driver API through `cudarc`, with `libcuda` loaded at run time (no CUDA toolkit is needed
//!   to build, and a machine without a driver gets an error, not a crash). Launches are asynchronous on the device's
//!   default stream; [`DeviceBuffer::download`] and [`Device::synchronize`] wait.
//! - **The CPU emulator** — runs the same PTX text by reading it back into the IR and interpreting it, so tests
//!   exercise the emitted PTX on machines without a GPU. Launches are synchronous.
//!
//! [`Device::from_env`] picks one: `PTX_KERNEL_DEVICE=cuda`, `cuda:N` or `emu`, or, when unset, the first GPU if there
//! is one and the emulator otherwise.
//!
//! ```
//! use ptx_kernel_runtime::prelude::*;
//!
//! # fn main() -> ptx_kernel_runtime::Result<()> {
//! let dev = Device::emulator();
//! let mut buf = dev.upload(&[1u32, 2, 3])?;
//! buf.copy_from(&[4, 5, 6])?;
//! assert_eq!(buf.download()?, vec![4, 5, 6]);
//! # Ok(()) }
//! ```
//!
//! Kernels are launched through a [`KernelModule`] (normally written by the macro), which loads its module once per
//! device, checks the launch configuration against the device's limits, and enqueues the launch without allocating.
#![warn(missing_docs)]

mod buffer;
mod config;
mod cuda;
mod device;
pub mod emu;
mod error;
mod launch;
mod occupancy;
pub mod panic;
mod scalar;

pub use buffer::DeviceBuffer;
pub use config::LaunchConfig;
pub use device::{cuda_driver_present, Device, DeviceLimits, DeviceSpec, DEVICE_ENV_VAR};
pub use emu::EmuError;
pub use error::{Error, Result};
pub use launch::{KernelModule, Stream};
pub use scalar::DeviceScalar;

/// The names most programs need: `use ptx_kernel_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{Device, DeviceBuffer, DeviceScalar, Error, LaunchConfig, Result};
}
