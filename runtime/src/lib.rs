//! Loads and launches ptx-kernel modules.
mod config;
pub use config::LaunchConfig;
