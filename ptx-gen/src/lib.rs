//! ptx-gen
