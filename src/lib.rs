//! ptx-kernel facade
pub use ptx_kernel_macros::ptx_kernel;
