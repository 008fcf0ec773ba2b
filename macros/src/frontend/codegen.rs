//! The expansion: the user's function, kept for rustc, and `mod <name>` with the PTX and a typed launcher.
//!
//! ```text
//! #[allow(dead_code)]
//! pub fn saxpy(a: f32, x: &[f32], y: &mut [f32]) { … }          // as written
//!
//! pub mod saxpy {
//!     pub const PTX: &str = "…";
//!     pub const ENTRY: &str = "saxpy";
//!     pub const TARGET: &str = "sm_52";
//!     static MODULE: KernelModule = KernelModule::new(PTX, ENTRY, 52);
//!     pub fn launch(dev: &Device, cfg: LaunchConfig, a: f32, x: &DeviceBuffer<f32>, y: &mut DeviceBuffer<f32>)
//!         -> Result<()> { … }
//!     pub fn preload(dev: &Device) -> Result<()> { … }
//! }
//! ```
//!
//! Functions and modules live in different namespaces, so `fn saxpy` and `mod saxpy` coexist. Generated code names
//! everything through `::ptx_kernel::__private`, so it works whatever the user imported.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use super::signature::{KernelParam, KernelSig};
use super::types::{ParamTy, ScalarTy};

/// What a successful compilation produced.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The complete PTX module text.
    pub ptx: String,
    /// The `.entry` name.
    pub entry: String,
    /// The `.target` name (`sm_52`).
    pub target_name: String,
    /// The architecture number (52).
    pub target_sm: u32,
    /// `file:line:col` of each run-time check site, by site id (empty: no panic record).
    pub sites: Vec<String>,
    /// Bounds checks elided because a guard proved them.
    pub elided_checks: usize,
    /// Whether the launcher is `unsafe fn` (the body uses `unsafe`, or bounds checks are off).
    pub unsafe_launch: bool,
}

/// Names generated code uses inside the kernel's module; a parameter with one of them is renamed.
const RESERVED: [&str; 8] = ["PTX", "ENTRY", "TARGET", "MODULE", "PANIC_SITES", "launch", "dev", "cfg"];

/// The launcher's name for parameter `i`.
fn arg_ident(p: &KernelParam, i: usize) -> syn::Ident {
    match &p.ident {
        Some(id) if !RESERVED.contains(&id.to_string().as_str()) => {
            let mut id = id.clone();
            id.set_span(Span::call_site());
            id
        }
        _ => format_ident!("__arg{}", i),
    }
}

fn scalar_tokens(t: ScalarTy) -> TokenStream {
    if t.is_half() {
        let id = format_ident!("{}", t.name());
        return quote!(::ptx_kernel::half::#id);
    }
    let id = format_ident!("{}", t.name());
    quote!(#id)
}

/// The launcher's type of parameter `p` (`None`: unsupported, the fallback takes `impl Sized`).
fn launcher_type(p: &KernelParam) -> Option<TokenStream> {
    Some(match p.ty? {
        ParamTy::Scalar(t) => scalar_tokens(t),
        ParamTy::Slice { elem, mutable, lanes } => {
            // `bool` is not a device scalar (a device could write any byte): a bool slice is a byte buffer.
            let e = if elem == ScalarTy::Bool { quote!(u8) } else { scalar_tokens(elem) };
            let e = if lanes == 0 {
                e
            } else {
                let n = proc_macro2::Literal::usize_unsuffixed(lanes as usize);
                quote!([#e; #n])
            };
            if mutable {
                quote!(&mut ::ptx_kernel::__private::DeviceBuffer<#e>)
            } else {
                quote!(&::ptx_kernel::__private::DeviceBuffer<#e>)
            }
        }
    })
}

/// The launcher's parameter list: `dev, cfg, args…`; unsupported parameters (fallback only) take `impl Sized`.
pub fn launcher_params(sig: &KernelSig) -> TokenStream {
    let params = sig.params.iter().enumerate().map(|(i, p)| {
        let name = arg_ident(p, i);
        let ty = launcher_type(p).unwrap_or_else(|| quote!(impl ::core::marker::Sized));
        quote!(#name: #ty)
    });
    quote! {
        dev: &::ptx_kernel::__private::Device,
        cfg: ::ptx_kernel::__private::LaunchConfig,
        #(#params),*
    }
}

/// The names of the launcher's parameters, for `let _ = (…)` in a stub.
pub fn launcher_arg_names(sig: &KernelSig) -> Vec<syn::Ident> {
    sig.params.iter().enumerate().map(|(i, p)| arg_ident(p, i)).collect()
}

/// The user's function, kept as written (without the `#[unroll]` markers, which only the macro knows) and marked
/// as allowed to be unused.
pub fn original_fn(item: &syn::ItemFn) -> TokenStream {
    let item = strip_unroll(quote!(#item));
    quote! {
        #[allow(dead_code, clippy::needless_range_loop, clippy::manual_memcpy)]
        #item
    }
}

/// `tokens` without `#[unroll]` attributes (at any depth).
pub fn strip_unroll(tokens: TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let mut out: Vec<TokenTree> = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        if let TokenTree::Punct(p) = &tt {
            if p.as_char() == '#' {
                if let Some(TokenTree::Group(g)) = iter.peek() {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    let is_unroll = g.delimiter() == Delimiter::Bracket
                        && inner.len() == 1
                        && matches!(&inner[0], TokenTree::Ident(i) if i == "unroll");
                    if is_unroll {
                        iter.next();
                        continue;
                    }
                }
            }
        }
        match tt {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), strip_unroll(g.stream()));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// The doc comment of the generated module.
fn module_doc(sig: &KernelSig) -> String {
    format!(
        "PTX and launcher of the `#[ptx_kernel]` function `{0}`.\n\nCall `{0}::launch(&dev, cfg, …)` \
         with the kernel's arguments: scalars by value, `&[T]` as `&DeviceBuffer<T>`, `&mut [T]` as \
         `&mut DeviceBuffer<T>`.",
        sig.name
    )
}

/// The full expansion of a kernel that compiled.
pub fn expansion(item: &syn::ItemFn, sig: &KernelSig, c: &Compiled) -> TokenStream {
    let original = original_fn(item);
    let vis = &sig.vis;
    let modname = &sig.ident;
    let doc = module_doc(sig);
    let ptx = &c.ptx;
    let entry = &c.entry;
    let target_name = &c.target_name;
    let sm = c.target_sm;
    let params = launcher_params(sig);
    let seed_items = super::seed_attr::module_items();
    let mut prep = Vec::new();
    let mut args = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let name = arg_ident(p, i);
        match p.ty {
            Some(ParamTy::Scalar(t)) => {
                let bytes = format_ident!("__bytes{}", i);
                let value = match t {
                    ScalarTy::Bool => quote!((#name as u32)),
                    // Pointer-sized integers are `.u64`/`.s64` in PTX whatever the host's width.
                    ScalarTy::Usize => quote!((#name as u64)),
                    ScalarTy::Isize => quote!((#name as i64)),
                    _ => quote!(#name),
                };
                prep.push(quote!(let #bytes = #value.to_ne_bytes();));
                args.push(quote!(&#bytes));
            }
            Some(ParamTy::Slice { .. }) => {
                let ptr = format_ident!("__ptr{}", i);
                let len = format_ident!("__len{}", i);
                prep.push(quote! {
                    let #ptr = #name.kernel_arg(dev)?;
                    let #len = (#name.len() as u64).to_ne_bytes();
                });
                args.push(quote!(&#ptr));
                args.push(quote!(&#len));
            }
            None => {}
        }
    }
    let sites = &c.sites;
    let module_init = if sites.is_empty() {
        quote!(::ptx_kernel::__private::KernelModule::new(PTX, ENTRY, #sm))
    } else {
        quote!(::ptx_kernel::__private::KernelModule::new(PTX, ENTRY, #sm).with_panic_sites(PANIC_SITES))
    };
    let launch_doc = if c.unsafe_launch {
        quote! {
            /// Launches the kernel on `dev` with the launch configuration `cfg`. Buffers must belong to `dev`.
            ///
            /// # Safety
            ///
            /// The kernel uses `unsafe` (unchecked element access) or was built with `bounds_checks = false`: the
            /// caller must make sure that every element it accesses without a check is in bounds for the
            /// buffers and the launch configuration given, as for the `unsafe` code in the kernel's body.
        }
    } else {
        quote! {
            /// Launches the kernel on `dev` with the launch configuration `cfg`. Buffers must belong to `dev`.
            /// A kernel panic (index out of bounds, division by zero, …) is reported as
            /// `Error::KernelPanic` by the next synchronizing call on `dev`.
        }
    };
    let unsafety = if c.unsafe_launch { quote!(unsafe) } else { quote!() };
    quote! {
        #original

        #[doc = #doc]
        #[allow(non_snake_case, clippy::too_many_arguments)]
        #vis mod #modname {
            /// The PTX module text (one `.entry`).
            pub const PTX: &str = #ptx;
            /// The name of the `.entry` in [`PTX`].
            pub const ENTRY: &str = #entry;
            /// The `.target` of [`PTX`].
            pub const TARGET: &str = #target_name;

            /// `file:line:col` of each run-time check (bounds, division) of the kernel, by the site id its panic
            /// record holds.
            pub const PANIC_SITES: &[&str] = &[#(#sites),*];

            static MODULE: ::ptx_kernel::__private::KernelModule = #module_init;

            #launch_doc
            #[inline]
            pub #unsafety fn launch(#params) -> ::ptx_kernel::__private::Result<()> {
                #(#prep)*
                MODULE.launch(dev, cfg, &[#(#args),*])
            }

            /// Loads the kernel on `dev` now (the driver JIT-compiles its PTX), so that the first launch does not
            /// pay for it; several threads may preload different kernels at once.
            pub fn preload(dev: &::ptx_kernel::__private::Device) -> ::ptx_kernel::__private::Result<()> {
                MODULE.preload(dev)
            }

            #seed_items
        }
    }
}
