//! Device functions and modules: `#[ptx_module] mod m { #[ptx_device] fn helper(…) -> T { … } #[ptx_kernel] fn k(…) { … } }`.
//!
//! A proc macro sees only the item it is attached to, so helpers and the kernels calling them are written in one
//! inline module under `#[ptx_module]`, which sees all of them: it compiles every `#[ptx_kernel]` of the module
//! with the module's `#[ptx_device]` functions available. A call `helper(args)` is **inlined**: the helper's body
//! is checked at the call site with its parameters bound to the arguments (evaluated left to right, once), so its
//! literals and locals are typed per call, and `return v` leaves the inlined body. Helpers may call other helpers
//! (in any order of declaration); recursion, direct or not, is a compile error (there is no call stack to grow).
//! Helper parameters are scalars (`name: T`, `mut name: T`); the result a scalar or `()`. The helpers stay in the
//! module as ordinary Rust functions, so host code can call them too.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

use super::check::{expr_range, Binding, Checker};
use super::codegen::{expansion, strip_unroll};
use super::diag::SpanRange;
use super::fallback::fallback;
use super::hir::*;
use super::signature::{scalar_type, type_string};

/// The `#[ptx_device]` functions of a module, by name.
pub type Helpers = BTreeMap<String, syn::ItemFn>;

fn has_attr(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.path().is_ident(name) || a.path().segments.last().is_some_and(|s| s.ident == name))
}

fn take_attr(attrs: &mut Vec<syn::Attribute>, name: &str) -> Option<syn::Attribute> {
    let pos = attrs
        .iter()
        .position(|a| a.path().is_ident(name) || a.path().segments.last().is_some_and(|s| s.ident == name))?;
    Some(attrs.remove(pos))
}

/// The expansion of `#[ptx_module] mod name { … }`.
pub fn expand_module(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut m: syn::ItemMod = match syn::parse2(item.clone()) {
        Ok(m) => m,
        Err(e) => {
            let msg = syn::Error::new(
                e.span(),
                format!("#[ptx_module] applies to an inline module, `mod name {{ … }}` ({e})"),
            )
            .to_compile_error();
            return quote!(#msg #item);
        }
    };
    let mut errors = Vec::new();
    if !attr.is_empty() {
        errors.push(syn::Error::new_spanned(&attr, "#[ptx_module] takes no arguments").to_compile_error());
    }
    let Some((brace, items)) = m.content.take() else {
        let msg = syn::Error::new_spanned(&m, "#[ptx_module] needs an inline module with its items: `mod name { … }`")
            .to_compile_error();
        return quote!(#msg #m);
    };
    let mut helpers = Helpers::new();
    for it in &items {
        if let syn::Item::Fn(f) = it {
            if has_attr(&f.attrs, "ptx_device") {
                let mut f = f.clone();
                take_attr(&mut f.attrs, "ptx_device");
                helpers.insert(f.sig.ident.to_string(), f);
            }
        }
    }
    let mut out = Vec::new();
    for it in items {
        match it {
            syn::Item::Fn(mut f) if has_attr(&f.attrs, "ptx_kernel") => {
                let a = take_attr(&mut f.attrs, "ptx_kernel").expect("checked above");
                let args = match &a.meta {
                    syn::Meta::List(l) => l.tokens.clone(),
                    _ => TokenStream::new(),
                };
                if super::generics::is_generic(&f) {
                    out.push(super::generics::expand_generic_with(args, &f, &helpers));
                    continue;
                }
                let (sig, result) = super::expand::compile_fn_with(args, &f, &helpers);
                out.push(match result {
                    Ok(c) => expansion(&f, &sig, &c),
                    Err(e) => fallback(&f, &sig, e),
                });
            }
            syn::Item::Fn(mut f) if has_attr(&f.attrs, "ptx_device") => {
                take_attr(&mut f.attrs, "ptx_device");
                check_helper_signature(&f, &mut errors);
                let f = strip_unroll(quote!(#f));
                out.push(quote! {
                    #[allow(dead_code, clippy::needless_range_loop)]
                    #f
                });
            }
            other => out.push(quote!(#other)),
        }
    }
    let attrs = &m.attrs;
    let vis = &m.vis;
    let ident = &m.ident;
    let _ = brace;
    quote! {
        #(#errors)*
        #(#attrs)*
        #vis mod #ident {
            #(#out)*
        }
    }
}

/// A helper's signature: scalar parameters, a scalar or unit result, no generics.
fn check_helper_signature(f: &syn::ItemFn, errors: &mut Vec<TokenStream>) {
    let mut err =
        |node: &dyn quote::ToTokens, msg: String| errors.push(syn::Error::new_spanned(node, msg).to_compile_error());
    if !f.sig.generics.params.is_empty() {
        err(&f.sig.generics, "#[ptx_device] functions cannot be generic".into());
    }
    for a in &f.sig.inputs {
        match a {
            syn::FnArg::Typed(t) if scalar_type(&t.ty).is_some() => {}
            syn::FnArg::Typed(t) => err(
                &t.ty,
                format!(
                    "unsupported #[ptx_device] parameter type `{}`: device functions take scalars",
                    type_string(&t.ty)
                ),
            ),
            syn::FnArg::Receiver(r) => err(r, "#[ptx_device] functions cannot take `self`".into()),
        }
    }
    if let syn::ReturnType::Type(_, t) = &f.sig.output {
        if scalar_type(t).is_none() && !matches!(&**t, syn::Type::Tuple(tt) if tt.elems.is_empty()) {
            err(
                t,
                format!(
                    "unsupported #[ptx_device] result type `{}`: device functions return a scalar or `()`",
                    type_string(t)
                ),
            );
        }
    }
}

impl Checker<'_> {
    /// `helper(args)` of a `#[ptx_device]` function: its body inlined here.
    pub(super) fn device_call(&mut self, call: &syn::ExprCall, span: SpanRange) -> Option<ExprId> {
        let syn::Expr::Path(fp) = &*call.func else { return None };
        if fp.qself.is_some() || fp.path.segments.len() != 1 || !fp.path.segments[0].arguments.is_none() {
            return None;
        }
        let name = fp.path.segments[0].ident.to_string();
        let helpers = self.helpers;
        let helper = helpers.get(&name)?;
        // A local of the same name shadows nothing here (locals aren't callable), so the helper it is.
        if self.inline_stack.contains(&name) {
            let chain = self.inline_stack.join(" → ");
            return Some(self.reject(
                call,
                format!(
                    "recursion is not supported in #[ptx_device] functions: `{name}` calls itself ({chain} → {name}); \
                     device functions are inlined, so write the recursion as a loop"
                ),
            ));
        }
        if call.args.len() != helper.sig.inputs.len() {
            for a in &call.args {
                self.expr(a);
            }
            return Some(self.reject(
                call,
                format!("`{name}` takes {} argument(s), {} given", helper.sig.inputs.len(), call.args.len()),
            ));
        }
        // Arguments in the caller's scope, left to right.
        let args: Vec<ExprId> = call.args.iter().map(|a| self.expr(a)).collect();
        let ret = match &helper.sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, t) => scalar_type(t),
        };
        // The helper's body sees only its parameters: a fresh scope stack, no enclosing loops.
        let saved_scopes = std::mem::replace(&mut self.scopes, vec![Vec::new()]);
        let saved_loops = std::mem::take(&mut self.loop_stack);
        self.inline_stack.push(name.clone());
        let frame = self.new_loop(LoopKind::Frame, None);
        self.body.loops[frame.0 as usize].ret = ret;
        let mut params = Vec::new();
        for (a, &arg) in helper.sig.inputs.iter().zip(&args) {
            let syn::FnArg::Typed(t) = a else { continue };
            let ty = scalar_type(&t.ty);
            let (ident, mutable) = match &*t.pat {
                syn::Pat::Ident(p) => (Some(p.ident.clone()), p.mutability.is_some()),
                _ => (None, false),
            };
            let lname = ident.as_ref().map_or_else(|| "_".to_string(), |i| i.to_string());
            let local = self.new_local(lname, mutable, ty, t.span());
            if let Some(ident) = &ident {
                self.bind(ident, Binding::Local(local));
            }
            params.push((local, arg));
        }
        self.frames.push(frame);
        let body = self.block(&helper.block);
        self.frames.pop();
        self.inline_stack.pop();
        self.scopes = saved_scopes;
        self.loop_stack = saved_loops;
        Some(self.push(ExprKind::Inline(Box::new(Inline { name, params, body, frame, ret })), span))
    }

    /// `return` / `return v` inside an inlined device function.
    pub(super) fn frame_return(&mut self, r: &syn::ExprReturn, e: &syn::Expr) -> Option<ExprId> {
        let frame = *self.frames.last()?;
        let v = r.expr.as_ref().map(|v| self.expr(v));
        Some(self.push(ExprKind::FrameReturn(frame, v), expr_range(e)))
    }
}
