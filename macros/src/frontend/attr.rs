//! The attribute's own arguments: `#[ptx_kernel]`, `#[ptx_kernel(target = "sm_80")]`,
//! `#[ptx_kernel(bounds_checks = false)]`.

use proc_macro2::TokenStream;
use ptx_gen::Target;
use syn::parse::Parser;

use super::diag::Errors;

/// The lowest architecture the generated code is written for (`ptx_gen::Target::FLOOR`).
const MIN_SM: u32 = 52;

/// What the attribute's arguments ask for.
#[derive(Clone, Debug)]
pub struct KernelOptions {
    /// `target = "sm_XX"`; `None`: the lowest target that supports what the kernel uses.
    pub target: Option<Target>,
    /// `launch_bounds(max_threads = N, min_blocks = M)` and `max_registers = R`: `.maxntid`, `.minnctapersm`,
    /// `.maxnreg` (see [`super::seed_attr`]).
    pub kernel_attrs: ptx_gen::KernelAttrs,
    /// `bounds_checks = false`: no bounds checks (the launcher is then `unsafe`).
    pub bounds_checks: bool,
    /// `instances(…)` of a generic kernel: the list's tokens (see [`generics`](super::generics)).
    pub instances: Option<TokenStream>,
}

impl Default for KernelOptions {
    fn default() -> Self {
        KernelOptions { target: None, bounds_checks: true, instances: None, kernel_attrs: Default::default() }
    }
}

/// Parses the arguments; problems go to `errors` and the options parsed so far are returned anyway.
pub fn parse_options(attr: TokenStream, errors: &mut Errors) -> KernelOptions {
    let mut options = KernelOptions::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("target") {
            let lit: syn::LitStr = meta.value()?.parse()?;
            match parse_target(&lit.value()) {
                Ok(t) => options.target = Some(t),
                Err(msg) => return Err(syn::Error::new(lit.span(), msg)),
            }
            Ok(())
        } else if meta.path.is_ident("bounds_checks") {
            let lit: syn::LitBool = meta.value()?.parse()?;
            options.bounds_checks = lit.value;
            Ok(())
        } else if meta.path.is_ident("instances") {
            let content;
            syn::parenthesized!(content in meta.input);
            options.instances = Some(content.parse()?);
            Ok(())
        } else if super::seed_attr::is_seed_option(&meta) {
            super::seed_attr::parse_seed_option(meta, &mut options.kernel_attrs)
        } else {
            Err(meta.error(format!(
                "unknown #[ptx_kernel] option `{}` (supported: `target = \"sm_XX\"`, `instances(…)`, \
                 `bounds_checks = false`, {})",
                meta.path.get_ident().map_or_else(|| "?".to_string(), |i| i.to_string()),
                super::seed_attr::SUPPORTED
            )))
        }
    });
    if let Err(e) = parser.parse2(attr) {
        errors.push(e);
    }
    options
}

/// `"sm_80"` / `"sm_90a"` as a [`Target`], or a message saying what is accepted.
fn parse_target(s: &str) -> Result<Target, String> {
    match Target::parse(s) {
        Some(mut t) if t.sm >= MIN_SM => {
            // `sm_90a` arrived in a later PTX ISA than `sm_90` (`Target::parse` gives the one of `sm_90`).
            t.ptx_isa = t.ptx_isa.max(ptx_gen::target::min_isa_for_target(&t));
            Ok(t)
        }
        Some(t) => Err(format!(
            "target `{s}` is too old: #[ptx_kernel] targets sm_{MIN_SM} and newer (sm_{} was asked for)",
            t.sm
        )),
        None => Err(format!("`{s}` is not a GPU target (expected `sm_XX` or `sm_XXa`, e.g. `sm_80`)")),
    }
}
