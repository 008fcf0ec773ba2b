//! The `#[ptx_kernel]` attribute of ptx-kernel: compiles a Rust function to a PTX kernel at build time.
//!
//! Use it through the facade crate, `ptx_kernel::ptx_kernel` (or `ptx_kernel::prelude::*`); its documentation and
//! that of `ptx_kernel::gpu` describe the subset. This crate is thin: the attribute is one call into
//! `frontend::expand::expand`, and `frontend` (see its module doc) holds the compiler, also reachable from this
//! crate's tests as a plain module.

// The library entry points (`compile_kernel`, …) are used by the tests, not by the attribute.
#[allow(dead_code)]
mod frontend;

use proc_macro::TokenStream;

/// Compiles a Rust function to a PTX kernel at build time; see `ptx_kernel::ptx_kernel`.
#[proc_macro_attribute]
pub fn ptx_kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    frontend::expand::expand(attr.into(), item.into()).into()
}

/// An inline module whose `#[ptx_kernel]` functions may call its `#[ptx_device]` functions; see
/// `ptx_kernel::ptx_module`.
#[proc_macro_attribute]
pub fn ptx_module(attr: TokenStream, item: TokenStream) -> TokenStream {
    frontend::device::expand_module(attr.into(), item.into()).into()
}

/// Marks a device function inside a `#[ptx_module]` (which consumes the attribute); on its own it leaves the
/// function as it is. See `ptx_kernel::ptx_module`.
#[proc_macro_attribute]
pub fn ptx_device(attr: TokenStream, item: TokenStream) -> TokenStream {
    let _ = attr;
    item
}
