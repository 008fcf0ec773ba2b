//! The pipeline: attribute options → signature → checked body → types → IR → passes → verify → target → PTX, and
//! the expansion (or the fallback with every error).

use proc_macro2::{Span, TokenStream};
use quote::quote;

use super::attr::parse_options;
use super::check::check_body_with;
use super::codegen::{expansion, Compiled};
use super::diag::{error_at, Errors, SpanRange};
use super::fallback::fallback;
use super::hir::Body;
use super::infer::infer;
use super::lower::{lower_kernel_with_vars, CheckOptions};
use super::signature::{parse_signature, KernelSig};

/// The attribute's expansion of `item` with arguments `attr`. Never panics on any input: what cannot be compiled
/// becomes `compile_error!`s under the offending tokens plus a fallback with the same names.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let msg = syn::Error::new(
                e.span(),
                format!("#[ptx_kernel] applies to a function, `fn name(params) {{ … }}` ({e})"),
            )
            .to_compile_error();
            return quote!(#msg #item);
        }
    };
    if super::generics::is_generic(&item_fn) {
        return super::generics::expand_generic(attr, &item_fn);
    }
    let (sig, result) = compile_fn(attr, &item_fn);
    match result {
        Ok(c) => expansion(&item_fn, &sig, &c),
        Err(errors) => fallback(&item_fn, &sig, errors),
    }
}

/// Compiles `item` (a whole `fn`, without the attribute) to PTX with default options.
pub fn compile_kernel(item: TokenStream) -> Result<String, Vec<syn::Error>> {
    compile_kernel_with(TokenStream::new(), item).map(|c| c.ptx)
}

/// Compiles `item` with the attribute arguments `attr` (`target = "sm_80"`).
pub fn compile_kernel_with(attr: TokenStream, item: TokenStream) -> Result<Compiled, Vec<syn::Error>> {
    let item_fn: syn::ItemFn = syn::parse2(item).map_err(|e| vec![e])?;
    compile_fn(attr, &item_fn).1
}

/// The signature (always, for the fallback) and the compilation result.
pub fn compile_fn(attr: TokenStream, item: &syn::ItemFn) -> (KernelSig, Result<Compiled, Vec<syn::Error>>) {
    compile_fn_with(attr, item, &super::device::Helpers::default())
}

/// [`compile_fn`] with the `#[ptx_device]` functions of the enclosing `#[ptx_module]`.
pub fn compile_fn_with(
    attr: TokenStream,
    item: &syn::ItemFn,
    helpers: &super::device::Helpers,
) -> (KernelSig, Result<Compiled, Vec<syn::Error>>) {
    let mut errors = Errors::new();
    let options = parse_options(attr, &mut errors);
    let sig = parse_signature(item, &mut errors);
    let body = check_body_with(item, &sig, helpers, &mut errors);
    if !errors.is_empty() {
        // Types of a body with rejected parts would only add secondary errors.
        return (sig, Err(errors.into_vec()));
    }
    let types = infer(&body, &sig, &mut errors);
    if !errors.is_empty() {
        return (sig, Err(errors.into_vec()));
    }
    super::uniformity::check_uniformity(&body, &mut errors);
    if !errors.is_empty() {
        return (sig, Err(errors.into_vec()));
    }
    let check_options = CheckOptions { bounds_checks: options.bounds_checks };
    let (func, vars, report) =
        lower_kernel_with_vars(&sig, &body, &types, options.target.map(|t| t.sm), check_options, &mut errors);
    let mut func = func;
    func.attrs = options.kernel_attrs;
    if !errors.is_empty() {
        return (sig, Err(errors.into_vec()));
    }
    let mut module = ptx_gen::Module::new();
    module.target = options.target;
    for v in vars {
        module.add_var(v);
    }
    module.add_function(func);
    let result = emit(&mut module, &body, sig.ident.span()).map(|mut c| {
        c.sites = report.sites.iter().map(|s| site_location(s.span)).collect();
        c.elided_checks = report.elided;
        c.unsafe_launch = body.unsafe_block.is_some() || !options.bounds_checks;
        c
    });
    (sig, result)
}

/// `file:line:col` of `span` as rustc prints panic locations (the path as given to rustc, 1-based line and column).
pub fn site_location(span: Span) -> String {
    let start = span.start();
    format!("{}:{}:{}", span.file(), start.line, start.column + 1)
}

/// Passes, verification, target resolution and writing; late errors map back to spans through `SrcLoc`s.
fn emit(module: &mut ptx_gen::Module, body: &Body, fallback_span: Span) -> Result<Compiled, Vec<syn::Error>> {
    let span_of = |loc: ptx_gen::SrcLoc| -> SpanRange {
        if loc.is_none() {
            SpanRange::single(fallback_span)
        } else {
            body.exprs.get(loc.0 as usize).map_or(SpanRange::single(fallback_span), |e| e.span)
        }
    };
    let internal = |what: String| {
        vec![syn::Error::new(fallback_span, format!("internal error in #[ptx_kernel]: {what} (please report this)"))]
    };
    ptx_gen::passes::run_pipeline(module);
    // A verifier error is a frontend bug: say so, under the expression the instruction came from.
    ptx_gen::verify::verify_module_all(module).map_err(|errs| {
        errs.iter()
            .map(|e| {
                let span = e.loc().map_or(SpanRange::single(fallback_span), span_of);
                error_at(
                    span,
                    format!("internal error in #[ptx_kernel]: the generated IR is invalid: {e} (please report this)"),
                )
            })
            .collect::<Vec<_>>()
    })?;
    let target = ptx_gen::target::resolve_target(module).map_err(|e| {
        let span = match &e {
            ptx_gen::target::TargetError::TooLow { loc, .. } => span_of(*loc),
            #[allow(unreachable_patterns)]
            _ => SpanRange::single(fallback_span),
        };
        vec![error_at(span, format!("{e}"))]
    })?;
    let ptx = ptx_gen::write::write_module(module).map_err(|e| internal(format!("writing PTX failed: {e}")))?;
    let entry = module.functions.values().next().map(|f| f.name.clone()).unwrap_or_default();
    Ok(Compiled {
        ptx,
        entry,
        target_name: target.name(),
        target_sm: target.sm,
        sites: Vec::new(),
        elided_checks: 0,
        unsafe_launch: false,
    })
}
