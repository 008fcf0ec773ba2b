//! The kernel's signature: which Rust function signatures are kernels, and what their parameters become.
//!
//! A kernel is `fn name(params)` with any visibility, returning nothing, not `async`/`unsafe`/`const`/`extern`,
//! without type or const generic parameters (lifetimes are fine). Each parameter is `name: T` (or `mut name: T`,
//! or `_: T`) with `T` a scalar or a slice reference `&[S]` / `&mut [S]` of a scalar.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;

use super::diag::Errors;
use super::types::{ParamTy, ScalarTy, SUPPORTED_SCALARS};

/// A checked signature. Built even when some parameters are rejected (they get `ty: None`) so that the fallback
/// expansion can still offer a launcher of the same arity.
#[derive(Clone, Debug)]
pub struct KernelSig {
    /// The function's identifier (the `.entry` name and the generated module's name).
    pub ident: syn::Ident,
    /// The identifier as a string without a raw-identifier prefix.
    pub name: String,
    pub vis: syn::Visibility,
    pub params: Vec<KernelParam>,
}

/// One parameter.
#[derive(Clone, Debug)]
pub struct KernelParam {
    /// The binding (`None` for `_` or a pattern we rejected).
    pub ident: Option<syn::Ident>,
    pub mutable: bool,
    /// `None` when the type is not supported (the error is recorded).
    pub ty: Option<ParamTy>,
    /// The whole `pat: ty`.
    pub span: Span,
}

impl KernelSig {
    /// The slice parameters, in order, with their element type and mutability.
    pub fn slices(&self) -> impl Iterator<Item = (usize, &KernelParam, ScalarTy, bool)> {
        self.params.iter().enumerate().filter_map(|(i, p)| match p.ty {
            Some(ParamTy::Slice { elem, mutable, .. }) => Some((i, p, elem, mutable)),
            _ => None,
        })
    }
}

/// The message listing what parameters may be.
pub fn supported_params() -> String {
    format!("supported: the scalars {SUPPORTED_SCALARS}, and slices `&[T]` / `&mut [T]` of them")
}

/// Checks the signature of `item`, recording every problem in `errors`.
pub fn parse_signature(item: &syn::ItemFn, errors: &mut Errors) -> KernelSig {
    let sig = &item.sig;
    if let Some(c) = &sig.constness {
        errors.spanned(c, "a #[ptx_kernel] function cannot be `const`: kernels run on the GPU when launched");
    }
    if let Some(a) = &sig.asyncness {
        errors.spanned(a, "a #[ptx_kernel] function cannot be `async`: write a plain `fn`");
    }
    if let Some(u) = &sig.unsafety {
        errors.spanned(
            u,
            "a #[ptx_kernel] function cannot be `unsafe fn`: write a safe `fn` (the generated launcher is safe)",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(abi, "a #[ptx_kernel] function cannot have an `extern` ABI: the macro chooses the PTX ABI");
    }
    if let Some(v) = &sig.variadic {
        errors.spanned(v, "a #[ptx_kernel] function cannot be variadic");
    }
    for g in &sig.generics.params {
        match g {
            syn::GenericParam::Lifetime(_) => {}
            syn::GenericParam::Type(_) | syn::GenericParam::Const(_) => errors.spanned(
                g,
                "a generic #[ptx_kernel] lists its instances, each compiled to its own PTX entry: \
                 `#[ptx_kernel(instances(f32, f64))]` for a type parameter, `#[ptx_kernel(instances(N = 128, \
                 N = 256))]` for const parameters (lifetime parameters need nothing)",
            ),
        }
    }
    if let Some(w) = &sig.generics.where_clause {
        if !w.predicates.is_empty() {
            errors.spanned(w, "`where` clauses are not supported in #[ptx_kernel] functions");
        }
    }
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        let unit = matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty());
        if !unit {
            errors.spanned(
                &sig.output,
                "a #[ptx_kernel] function cannot return a value: kernels return `()`; write results into a \
                 `&mut [T]` parameter",
            );
        }
    }
    let name = ident_name(&sig.ident);
    if !name.is_ascii() {
        errors.spanned(&sig.ident, "a #[ptx_kernel] function's name must be ASCII: it becomes a PTX identifier");
    }
    let params = sig.inputs.iter().map(|arg| parse_param(arg, errors)).collect();
    KernelSig { ident: sig.ident.clone(), name, vis: item.vis.clone(), params }
}

/// `ident` without a `r#` prefix.
pub fn ident_name(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

fn parse_param(arg: &syn::FnArg, errors: &mut Errors) -> KernelParam {
    let pat_ty = match arg {
        syn::FnArg::Receiver(r) => {
            errors.spanned(r, "a #[ptx_kernel] function cannot take `self`: write a free function");
            return KernelParam { ident: None, mutable: false, ty: None, span: r.span() };
        }
        syn::FnArg::Typed(t) => t,
    };
    let (ident, mutable) = match &*pat_ty.pat {
        syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
            (Some(p.ident.clone()), p.mutability.is_some())
        }
        syn::Pat::Wild(_) => (None, false),
        other => {
            errors.spanned(
                other,
                "parameter patterns are not supported in #[ptx_kernel] functions (supported: `name: T`, \
                 `mut name: T` and `_: T`)",
            );
            (None, false)
        }
    };
    let ty = parse_param_type(&pat_ty.ty, errors);
    KernelParam { ident, mutable, ty, span: pat_ty.span() }
}

/// The type of a parameter, or `None` (error recorded).
fn parse_param_type(ty: &syn::Type, errors: &mut Errors) -> Option<ParamTy> {
    match ty {
        syn::Type::Reference(r) => {
            let elem = match &*r.elem {
                syn::Type::Slice(s) => &*s.elem,
                other => {
                    errors.spanned(
                        ty,
                        format!(
                            "references to single values (`&{}`) are not supported as kernel parameters: pass \
                             the value itself, or a slice `&[T]` / `&mut [T]` ({})",
                            type_string(other),
                            supported_params()
                        ),
                    );
                    return None;
                }
            };
            if let syn::Type::Array(a) = elem {
                return parse_vector_elem(a, r.mutability.is_some(), errors);
            }
            match scalar_type(elem) {
                Some(elem) => Some(ParamTy::Slice { elem, mutable: r.mutability.is_some(), lanes: 0 }),
                None => {
                    errors.spanned(
                        elem,
                        format!(
                            "unsupported slice element type `{}` in a #[ptx_kernel] parameter (slice elements \
                             are the scalars {SUPPORTED_SCALARS})",
                            type_string(elem)
                        ),
                    );
                    None
                }
            }
        }
        syn::Type::Paren(p) => parse_param_type(&p.elem, errors),
        syn::Type::Group(g) => parse_param_type(&g.elem, errors),
        other => match scalar_type(other) {
            Some(s) => Some(ParamTy::Scalar(s)),
            None => {
                let heap = is_heap_type(other);
                errors.spanned(
                    other,
                    format!(
                        "unsupported parameter type `{}` in a #[ptx_kernel] function{} ({})",
                        type_string(other),
                        if heap { ": heap types don't exist on the GPU; pass a slice of a device buffer" } else { "" },
                        supported_params()
                    ),
                );
                None
            }
        },
    }
}

/// `[T; 2]` / `[T; 4]` as a slice element: moved by one vector access, so at most 16 bytes.
fn parse_vector_elem(a: &syn::TypeArray, mutable: bool, errors: &mut Errors) -> Option<ParamTy> {
    let lanes = match &a.len {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse::<u32>().ok(),
        _ => None,
    };
    match (scalar_type(&a.elem).filter(|t| *t != ScalarTy::Bool), lanes) {
        (Some(elem), Some(lanes @ (2 | 4))) if elem.mem_size() * lanes <= 16 => {
            Some(ParamTy::Slice { elem, mutable, lanes })
        }
        _ => {
            errors.spanned(
                a,
                format!(
                    "unsupported slice element type `{}` in a #[ptx_kernel] parameter: array elements are `[T; 2]` or \
                     `[T; 4]` of a non-bool scalar, 16 bytes at most (one vector load/store), e.g. `&[[f32; 4]]`",
                    type_string(&syn::Type::Array(a.clone()))
                ),
            );
            None
        }
    }
}

/// A scalar type written as a plain path (`u32`, `f32`, …), also through `core::primitive::u32`-style paths.
pub fn scalar_type(ty: &syn::Type) -> Option<ScalarTy> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            if !last.arguments.is_none() {
                return None;
            }
            let names: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
            let last_name = names.last().map(String::as_str).unwrap_or("");
            if matches!(last_name, "f16" | "bf16") {
                // `f16`, `half::f16`, `ptx_kernel::half::f16` (the `half` crate's types).
                let ok = match names.len() {
                    1 => true,
                    2 => names[0] == "half",
                    3 => names[0] == "ptx_kernel" && names[1] == "half",
                    _ => false,
                };
                return if ok { ScalarTy::from_name(last_name) } else { None };
            }
            let prefix_ok = p.path.segments.len() == 1 || {
                let n = names.len();
                n == 3 && (names[0] == "core" || names[0] == "std") && names[1] == "primitive"
            };
            if !prefix_ok {
                return None;
            }
            ScalarTy::from_name(&last.ident.to_string())
        }
        syn::Type::Paren(p) => scalar_type(&p.elem),
        syn::Type::Group(g) => scalar_type(&g.elem),
        _ => None,
    }
}

/// `Vec<…>`, `Box<…>`, `String` and friends: worth a specific hint.
pub fn is_heap_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            matches!(s.ident.to_string().as_str(), "Vec" | "Box" | "String" | "Rc" | "Arc" | "HashMap" | "VecDeque")
        }),
        syn::Type::Reference(r) => matches!(&*r.elem, syn::Type::Path(p) if p.path.is_ident("str")),
        _ => false,
    }
}

/// A type as users write it (`Vec<f32>`, not the token stream's `Vec < f32 >`).
pub fn type_string(ty: &syn::Type) -> String {
    let s = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        // Drop the spaces the token printer puts around `<`, `>`, `::`, `&`, before `,`, `;` and `]`, and after `[`.
        let drop = c == ' '
            && (matches!(prev, '<' | '&' | '[' | ':' | '(') || matches!(next, '<' | '>' | ',' | ';' | ']' | ':' | ')'));
        if !drop {
            out.push(c);
        }
        prev = c;
    }
    out
}
