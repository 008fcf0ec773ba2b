//! What the macro emits when the kernel does not compile: the errors, the user's function, and the kernel's module
//! with a stub launcher of the same signature, so that callers of `name::launch` and users of `name::PTX` don't
//! drown the real errors in secondary ones (the approach of thiserror's `fallback.rs`).

use proc_macro2::TokenStream;
use quote::quote;

use super::codegen::{launcher_arg_names, launcher_params, original_fn};
use super::signature::KernelSig;

/// The errors as `compile_error!`s, the function, and a module whose launcher never runs (the build fails).
pub fn fallback(item: &syn::ItemFn, sig: &KernelSig, errors: Vec<syn::Error>) -> TokenStream {
    let errors = errors.into_iter().map(|e| e.to_compile_error());
    let original = original_fn(item);
    let vis = &sig.vis;
    let modname = &sig.ident;
    let entry = &sig.name;
    let params = launcher_params(sig);
    let names = launcher_arg_names(sig);
    quote! {
        #(#errors)*
        #original

        #[allow(non_snake_case, dead_code, unused_variables, clippy::too_many_arguments)]
        #vis mod #modname {
            pub const PTX: &str = "";
            pub const ENTRY: &str = #entry;
            pub const TARGET: &str = "";

            pub fn launch(#params) -> ::ptx_kernel::__private::Result<()> {
                let _ = (dev, cfg, #(#names),*);
                ::core::unreachable!("this #[ptx_kernel] did not compile")
            }

            pub fn preload(dev: &::ptx_kernel::__private::Device) -> ::ptx_kernel::__private::Result<()> {
                let _ = dev;
                ::core::unreachable!("this #[ptx_kernel] did not compile")
            }

            pub fn persistent_config(
                dev: &::ptx_kernel::__private::Device,
                block_dim: (u32, u32, u32),
                dynamic_smem: u32,
            ) -> ::ptx_kernel::__private::Result<::ptx_kernel::__private::LaunchConfig> {
                let _ = (dev, block_dim, dynamic_smem);
                ::core::unreachable!("this #[ptx_kernel] did not compile")
            }
        }
    }
}
