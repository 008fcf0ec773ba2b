//! Generic kernels by explicit instantiation.
//!
//! ```text
//! #[ptx_kernel(instances(f32, f64))]
//! pub fn axpy<T: gpu::Float>(a: T, x: &[T], y: &mut [T]) { … }
//! // axpy::launch::<f32>(&dev, cfg, a, &x, &mut y) — or with T inferred from the arguments
//!
//! #[ptx_kernel(instances(BLOCK = 128, BLOCK = 256))]
//! pub fn block_sum<const BLOCK: usize>(x: &[f32], y: &mut [f32]) { … }
//! // block_sum::launch::<128>(&dev, cfg, &x, &mut y)
//! ```
//!
//! Each instance is the function with the parameter substituted (a type's tokens, or the constant as a suffixed
//! literal), renamed `name_f32` / `name_128`, and compiled like any kernel into `name::name_f32` (its `PTX`,
//! `ENTRY`, `launch`). `name::launch` is generic over exactly the listed instances:
//! - one type parameter: a trait `name::Instance` implemented for each listed type (an unlisted type is a
//!   compile error naming the instances, through `#[diagnostic::on_unimplemented]`);
//! - const parameters (one or more, `instances(N = 1, N = 2)` or `instances((N = 1, M = 2), …)`): a `const`
//!   assertion that the arguments are one of the listed instances (an unlisted one fails to compile when it is
//!   instantiated), then a dispatch.
//!
//! A mix of type and const parameters, or several type parameters, is not supported.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

use super::codegen::{expansion, original_fn};
use super::fallback::fallback;
use super::signature::ident_name;

/// Whether `item` has type or const parameters.
pub fn is_generic(item: &syn::ItemFn) -> bool {
    item.sig.generics.params.iter().any(|g| !matches!(g, syn::GenericParam::Lifetime(_)))
}

/// One instance: the value of each generic parameter, in declaration order.
#[derive(Clone)]
enum Arg {
    Type(syn::Type),
    Const(syn::Ident, syn::Expr),
}

fn err(span: impl quote::ToTokens, msg: impl std::fmt::Display) -> TokenStream {
    syn::Error::new_spanned(span, msg).to_compile_error()
}

/// The attribute without `instances(…)`.
fn without_instances(attr: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut it = attr.into_iter().peekable();
    while let Some(tt) = it.next() {
        if let TokenTree::Ident(i) = &tt {
            if i == "instances" && matches!(it.peek(), Some(TokenTree::Group(_))) {
                it.next();
                if matches!(it.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
                    it.next();
                }
                continue;
            }
        }
        out.push(tt);
    }
    out.into_iter().collect()
}

/// `tokens` with every identifier in `map` replaced.
fn substitute(tokens: TokenStream, map: &[(String, TokenStream)]) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|tt| -> Vec<TokenTree> {
            match tt {
                TokenTree::Ident(i) => match map.iter().find(|(n, _)| i == n) {
                    Some((_, t)) => {
                        // Keep the user's span so errors inside the instance point at the parameter's use.
                        let mut v: Vec<TokenTree> = t.clone().into_iter().collect();
                        if v.len() == 1 {
                            v[0].set_span(i.span());
                            v
                        } else {
                            let mut g = TokenTree::Group(Group::new(proc_macro2::Delimiter::None, t.clone()));
                            g.set_span(i.span());
                            vec![g]
                        }
                    }
                    None => vec![TokenTree::Ident(i)],
                },
                TokenTree::Group(g) => {
                    let mut ng = Group::new(g.delimiter(), substitute(g.stream(), map));
                    ng.set_span(g.span());
                    vec![TokenTree::Group(ng)]
                }
                other => vec![other],
            }
        })
        .collect()
}

/// A name fragment for an instance (`f32`, `128`, `u8_4`).
fn suffix(args: &[Arg]) -> String {
    let mut s = String::new();
    for a in args {
        if !s.is_empty() {
            s.push('_');
        }
        let t = match a {
            Arg::Type(t) => quote!(#t).to_string(),
            Arg::Const(_, e) => quote!(#e).to_string(),
        };
        s.extend(t.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }));
    }
    s
}

/// The expansion of a generic kernel.
pub fn expand_generic(attr: TokenStream, item: &syn::ItemFn) -> TokenStream {
    expand_generic_with(attr, item, &super::device::Helpers::default())
}

/// [`expand_generic`] inside a `#[ptx_module]`, with its device functions.
pub fn expand_generic_with(attr: TokenStream, item: &syn::ItemFn, helpers: &super::device::Helpers) -> TokenStream {
    let mut errors = super::diag::Errors::new();
    let options = super::attr::parse_options(attr.clone(), &mut errors);
    let base_attr = without_instances(attr);
    let original = original_fn(item);
    let name = &item.sig.ident;
    let vis = &item.vis;
    let type_params: Vec<&syn::TypeParam> = item
        .sig
        .generics
        .params
        .iter()
        .filter_map(|g| if let syn::GenericParam::Type(t) = g { Some(t) } else { None })
        .collect();
    let const_params: Vec<&syn::ConstParam> = item
        .sig
        .generics
        .params
        .iter()
        .filter_map(|g| if let syn::GenericParam::Const(c) = g { Some(c) } else { None })
        .collect();
    let bail = |e: TokenStream| {
        quote! {
            #e
            #original
        }
    };
    if !errors.is_empty() {
        let e = errors.into_vec().into_iter().map(|e| e.to_compile_error());
        return bail(quote!(#(#e)*));
    }
    let Some(list) = options.instances else {
        return bail(err(
            &item.sig.generics,
            "a generic #[ptx_kernel] lists its instances, each compiled to its own PTX entry: \
             `#[ptx_kernel(instances(f32, f64))]` for a type parameter, `#[ptx_kernel(instances(N = 128, N = 256))]` \
             for const parameters",
        ));
    };
    if type_params.len() > 1 || (!type_params.is_empty() && !const_params.is_empty()) {
        return bail(err(
            &item.sig.generics,
            "generic #[ptx_kernel]s have either one type parameter or only const parameters",
        ));
    }
    // Parse the instances.
    let parsed: syn::Result<Vec<Vec<Arg>>> = (|| {
        use syn::parse::Parser;
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let exprs = if type_params.is_empty() {
            parser.parse2(list.clone())?.into_iter().collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        if !type_params.is_empty() {
            let types =
                syn::punctuated::Punctuated::<syn::Type, syn::Token![,]>::parse_terminated.parse2(list.clone())?;
            return Ok(types.into_iter().map(|t| vec![Arg::Type(t)]).collect());
        }
        let one = |e: &syn::Expr| -> syn::Result<Arg> {
            match e {
                syn::Expr::Assign(a) => match &*a.left {
                    syn::Expr::Path(p) if p.path.get_ident().is_some() => {
                        Ok(Arg::Const(p.path.get_ident().cloned().expect("checked"), (*a.right).clone()))
                    }
                    other => Err(syn::Error::new_spanned(other, "expected a const parameter's name: `N = 128`")),
                },
                other => Err(syn::Error::new_spanned(other, "expected `NAME = value` for a const parameter")),
            }
        };
        exprs
            .iter()
            .map(|e| match e {
                syn::Expr::Tuple(t) => t.elems.iter().map(one).collect(),
                syn::Expr::Paren(p) => Ok(vec![one(&p.expr)?]),
                e => Ok(vec![one(e)?]),
            })
            .collect()
    })();
    let instances = match parsed {
        Ok(v) if !v.is_empty() => v,
        Ok(_) => return bail(err(&list, "list at least one instance")),
        Err(e) => return bail(e.to_compile_error()),
    };
    // Order each const instance by the declaration, and check the names.
    let mut ordered: Vec<Vec<Arg>> = Vec::new();
    for inst in &instances {
        if type_params.is_empty() {
            let mut v = Vec::new();
            for cp in &const_params {
                match inst.iter().find(|a| matches!(a, Arg::Const(n, _) if *n == cp.ident)) {
                    Some(a) => v.push(a.clone()),
                    None => {
                        return bail(err(
                            &list,
                            format!("an instance gives no value for the const parameter `{}`", cp.ident),
                        ))
                    }
                }
            }
            if inst.len() != const_params.len() {
                return bail(err(&list, "an instance names a parameter the kernel does not have"));
            }
            ordered.push(v);
        } else {
            ordered.push(inst.clone());
        }
    }
    let base = ident_name(name);
    let mut parts = Vec::new();
    let mut inst_mods = Vec::new();
    let mut any_unsafe = false;
    for inst in &ordered {
        let map: Vec<(String, TokenStream)> = inst
            .iter()
            .zip(item.sig.generics.params.iter().filter(|g| !matches!(g, syn::GenericParam::Lifetime(_))))
            .map(|(a, g)| match (a, g) {
                (Arg::Type(t), syn::GenericParam::Type(tp)) => (tp.ident.to_string(), quote!(#t)),
                (Arg::Const(_, e), syn::GenericParam::Const(cp)) => {
                    let ty = &cp.ty;
                    // An integer literal gets the parameter's type as its suffix (`128usize`), so that it is a
                    // literal wherever the subset needs one (array lengths, shared sizes).
                    let lit = match (e, ty) {
                        (syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }), syn::Type::Path(p))
                            if i.suffix().is_empty() =>
                        {
                            p.path.get_ident().map(|t| {
                                let l = syn::LitInt::new(&format!("{}{}", i.base10_digits(), t), i.span());
                                quote!(#l)
                            })
                        }
                        _ => None,
                    };
                    (cp.ident.to_string(), lit.unwrap_or_else(|| quote!({ #e as #ty })))
                }
                _ => (String::new(), TokenStream::new()),
            })
            .collect();
        let inst_name = format_ident!("{}_{}", base, suffix(inst), span = Span::call_site());
        let mut f = item.clone();
        f.sig.generics = syn::Generics::default();
        f.sig.ident = inst_name.clone();
        f.vis = syn::parse_quote!(pub);
        f.attrs.retain(|a| !a.path().is_ident("doc"));
        let tokens = substitute(quote!(#f), &map);
        let f: syn::ItemFn = match syn::parse2(tokens) {
            Ok(f) => f,
            Err(e) => return bail(e.to_compile_error()),
        };
        let (sig, result) = super::expand::compile_fn_with(base_attr.clone(), &f, helpers);
        parts.push(match result {
            Ok(c) => {
                // An instance with `unsafe` (or without bounds checks) makes the generic launcher `unsafe` too.
                any_unsafe |= c.unsafe_launch;
                expansion(&f, &sig, &c)
            }
            Err(e) => fallback(&f, &sig, e),
        });
        inst_mods.push((inst_name, inst.clone(), sig));
    }
    // The generic launcher.
    let unsafety = if any_unsafe { quote!(unsafe) } else { TokenStream::new() };
    let safety_doc = if any_unsafe {
        quote! {
            ///
            /// # Safety
            ///
            /// The kernel uses `unsafe` (unchecked element access) or was built with `bounds_checks = false`: the
            /// caller must make sure every element it accesses without a check is in bounds.
        }
    } else {
        TokenStream::new()
    };
    let params: Vec<(syn::Ident, TokenStream)> = item
        .sig
        .inputs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let id = format_ident!("__arg{}", i);
            let ty = match a {
                syn::FnArg::Typed(t) => launcher_ty(&t.ty),
                syn::FnArg::Receiver(_) => quote!(()),
            };
            (id, ty)
        })
        .collect();
    let names: Vec<&syn::Ident> = params.iter().map(|(n, _)| n).collect();
    let list_text = ordered
        .iter()
        .map(|inst| {
            inst.iter()
                .map(|a| match a {
                    Arg::Type(t) => quote!(#t).to_string(),
                    Arg::Const(n, e) => format!("{n} = {}", quote!(#e)),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join("; ");
    let launcher = if let Some(tp) = type_params.first() {
        let t = &tp.ident;
        let self_map = vec![(t.to_string(), quote!(Self))];
        let trait_params = params.iter().map(|(n, ty)| {
            let ty = substitute(ty.clone(), &self_map);
            quote!(#n: #ty)
        });
        let fn_params = params.iter().map(|(n, ty)| quote!(#n: #ty));
        let impls = inst_mods.iter().map(|(m, inst, _)| {
            let Arg::Type(ty) = &inst[0] else { return TokenStream::new() };
            let map = vec![(t.to_string(), quote!(#ty))];
            let ps = params.iter().map(|(n, pty)| {
                let pty = substitute(pty.clone(), &map);
                quote!(#n: #pty)
            });
            quote! {
                impl Instance for #ty {
                    #[inline]
                    #[allow(unused_unsafe)]
                    #unsafety fn __launch(
                        dev: &::ptx_kernel::__private::Device,
                        cfg: ::ptx_kernel::__private::LaunchConfig,
                        #(#ps),*
                    ) -> ::ptx_kernel::__private::Result<()> {
                        unsafe { #m::launch(dev, cfg, #(#names),*) }
                    }
                }
            }
        });
        let msg = format!("`{{Self}}` is not an instance of the generic kernel `{base}`");
        let note = format!("the instances are: {list_text} (listed in #[ptx_kernel(instances(…))])");
        quote! {
            /// The types this kernel was compiled for (one PTX entry each).
            #[diagnostic::on_unimplemented(message = #msg, label = "not listed in #[ptx_kernel(instances(…))]", note = #note)]
            pub trait Instance: ::ptx_kernel::__private::DeviceScalar {
                #[doc(hidden)]
                #unsafety fn __launch(
                    dev: &::ptx_kernel::__private::Device,
                    cfg: ::ptx_kernel::__private::LaunchConfig,
                    #(#trait_params),*
                ) -> ::ptx_kernel::__private::Result<()>;
            }
            #(#impls)*
            /// Launches the instance for `T` (one of the listed types).
            #safety_doc
            #[inline]
            #[allow(unused_unsafe)]
            pub #unsafety fn launch<#t: Instance>(
                dev: &::ptx_kernel::__private::Device,
                cfg: ::ptx_kernel::__private::LaunchConfig,
                #(#fn_params),*
            ) -> ::ptx_kernel::__private::Result<()> {
                unsafe { <#t as Instance>::__launch(dev, cfg, #(#names),*) }
            }
        }
    } else {
        let cps: Vec<TokenStream> = const_params
            .iter()
            .map(|c| {
                let (n, ty) = (&c.ident, &c.ty);
                quote!(const #n: #ty)
            })
            .collect();
        let cnames: Vec<&syn::Ident> = const_params.iter().map(|c| &c.ident).collect();
        let listed = inst_mods.iter().map(|(_, inst, _)| {
            let vals = inst.iter().zip(&const_params).map(|(a, cp)| {
                let ty = &cp.ty;
                let Arg::Const(_, e) = a else { return quote!(0) };
                quote!({ #e as #ty })
            });
            quote!(impl Listed for Args<#(#vals),*> {})
        });
        let fn_params = params.iter().map(|(n, ty)| quote!(#n: #ty));
        let conds: Vec<TokenStream> = inst_mods
            .iter()
            .map(|(_, inst, _)| {
                let cs = inst.iter().zip(&const_params).map(|(a, cp)| {
                    let (n, ty) = (&cp.ident, &cp.ty);
                    let Arg::Const(_, e) = a else { return quote!(false) };
                    quote!(#n == (#e as #ty))
                });
                quote!(true #(&& #cs)*)
            })
            .collect();
        let arms = inst_mods.iter().zip(&conds).map(|((m, _, _), cond)| {
            quote! {
                if #cond {
                    return unsafe { #m::launch(dev, cfg, #(#names),*) };
                }
            }
        });
        let msg = format!("`{{Self}}`: this instantiation of the generic kernel `{base}` is not listed in #[ptx_kernel(instances(…))]");
        let note = format!("the instances are: {list_text}");
        quote! {
            /// The const arguments of an instance, as a type (see [`Listed`]).
            pub struct Args<#(#cps),*>;
            /// Implemented for the [`Args`] of exactly the listed instances.
            #[diagnostic::on_unimplemented(message = #msg, label = "not listed in #[ptx_kernel(instances(…))]", note = #note)]
            pub trait Listed {}
            #(#listed)*
            /// Launches the instance for the const arguments (one of the listed instances; another one fails to
            /// compile).
            #safety_doc
            #[inline]
            #[allow(unused_unsafe)]
            pub #unsafety fn launch<#(#cps),*>(
                dev: &::ptx_kernel::__private::Device,
                cfg: ::ptx_kernel::__private::LaunchConfig,
                #(#fn_params),*
            ) -> ::ptx_kernel::__private::Result<()>
            where
                Args<#(#cnames),*>: Listed,
            {
                #(#arms)*
                ::core::unreachable!()
            }
        }
    };
    let doc = format!("The instances of the generic `#[ptx_kernel]` `{base}` ({list_text}) and their launcher.");
    quote! {
        #original

        #[doc = #doc]
        #[allow(non_snake_case, non_camel_case_types, clippy::too_many_arguments)]
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;
            #(#parts)*
            #launcher
        }
    }
}

/// The launcher's type for a parameter of type `ty`: slices become device buffers.
fn launcher_ty(ty: &syn::Type) -> TokenStream {
    match ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Slice(s) => {
                let e = &s.elem;
                let e =
                    if matches!(&**e, syn::Type::Path(p) if p.path.is_ident("bool")) { quote!(u8) } else { quote!(#e) };
                if r.mutability.is_some() {
                    quote!(&mut ::ptx_kernel::__private::DeviceBuffer<#e>)
                } else {
                    quote!(&::ptx_kernel::__private::DeviceBuffer<#e>)
                }
            }
            other => quote!(#other),
        },
        syn::Type::Paren(p) => launcher_ty(&p.elem),
        other => quote!(#other),
    }
}
