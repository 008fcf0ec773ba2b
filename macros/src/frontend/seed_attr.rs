//! The occupancy options of the attribute: `launch_bounds(max_threads = N, min_blocks = M)` and
//! `max_registers = R`, written to the kernel as `.maxntid N, 1, 1`, `.minnctapersm M` and `.maxnreg R`.
//!
//! - `max_threads` (1..=1024) promises ptxas that no launch uses more threads per block; ptxas then budgets
//!   registers so that a block of that size fits, and the runtime rejects a larger launch
//!   (`Error::InvalidLaunch`) before the driver sees it.
//! - `min_blocks` (needs `max_threads`, as in CUDA's `__launch_bounds__`) asks ptxas to fit that many blocks on one
//!   SM, which caps registers per thread at 64K / (`max_threads` × `min_blocks`).
//! - `max_registers` (1..=255) caps registers per thread directly (`.maxnreg`; ptxas rounds it to its allocation
//!   granularity and never goes below what the kernel needs to exist: spills go to local memory).

use syn::meta::ParseNestedMeta;

/// For the "unknown option" message.
pub const SUPPORTED: &str = "`launch_bounds(max_threads = N, min_blocks = M)`, `max_registers = N`";

/// Whether `meta` names one of this module's options.
pub fn is_seed_option(meta: &ParseNestedMeta<'_>) -> bool {
    meta.path.is_ident("launch_bounds") || meta.path.is_ident("max_registers")
}

/// Parses `launch_bounds(…)` or `max_registers = N` into `attrs`.
pub fn parse_seed_option(meta: ParseNestedMeta<'_>, attrs: &mut ptx_gen::KernelAttrs) -> syn::Result<()> {
    if meta.path.is_ident("max_registers") {
        let lit: syn::LitInt = meta.value()?.parse()?;
        let n = bounded(&lit, 1, 255, "max_registers")?;
        if attrs.max_registers.replace(n).is_some() {
            return Err(syn::Error::new(lit.span(), "`max_registers` is given twice"));
        }
        return Ok(());
    }
    // launch_bounds(max_threads = N[, min_blocks = M])
    let outer = meta.path.clone();
    let mut max_threads = None;
    let mut min_blocks: Option<(u32, proc_macro2::Span)> = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("max_threads") {
            let lit: syn::LitInt = inner.value()?.parse()?;
            max_threads = Some(bounded(&lit, 1, 1024, "max_threads")?);
            Ok(())
        } else if inner.path.is_ident("min_blocks") {
            let lit: syn::LitInt = inner.value()?.parse()?;
            min_blocks = Some((bounded(&lit, 1, 32, "min_blocks")?, lit.span()));
            Ok(())
        } else {
            Err(inner
                .error("unknown `launch_bounds` argument (supported: `max_threads = N` (1..=1024), `min_blocks = M`)"))
        }
    })?;
    let Some(t) = max_threads else {
        return Err(syn::Error::new_spanned(
            outer,
            "`launch_bounds` needs `max_threads = N` (threads per block, 1..=1024), e.g. \
             `launch_bounds(max_threads = 256, min_blocks = 2)`",
        ));
    };
    attrs.max_threads = Some(t);
    if let Some((m, _)) = min_blocks {
        attrs.min_blocks_per_sm = Some(m);
    }
    Ok(())
}

/// The literal's value, required to lie in `lo..=hi`.
fn bounded(lit: &syn::LitInt, lo: u32, hi: u32, what: &str) -> syn::Result<u32> {
    match lit.base10_parse::<u64>() {
        Ok(v) if (lo as u64..=hi as u64).contains(&v) => Ok(v as u32),
        _ => Err(syn::Error::new(lit.span(), format!("`{what}` must be an integer in {lo}..={hi}"))),
    }
}

/// The items the generated module gets for persistent launches (next to `launch`; `MODULE` is its `KernelModule`).
pub fn module_items() -> proc_macro2::TokenStream {
    quote::quote! {
        /// The kernel's [`KernelModule`](::ptx_kernel::KernelModule) (occupancy queries, preloading, JIT log).
        pub fn module() -> &'static ::ptx_kernel::__private::KernelModule {
            &MODULE
        }

        /// A launch configuration that fills `dev` exactly once with blocks of `block_dim` threads and
        /// `dynamic_smem` bytes of dynamic shared memory (SM count × resident blocks per SM; on the emulator one
        /// block per worker thread), so every block runs concurrently: see
        /// [`KernelModule::persistent_config`](::ptx_kernel::KernelModule::persistent_config).
        pub fn persistent_config(
            dev: &::ptx_kernel::__private::Device,
            block_dim: (u32, u32, u32),
            dynamic_smem: u32,
        ) -> ::ptx_kernel::__private::Result<::ptx_kernel::__private::LaunchConfig> {
            MODULE.persistent_config(dev, block_dim, dynamic_smem)
        }
    }
}
