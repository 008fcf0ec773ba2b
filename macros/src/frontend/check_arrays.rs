//! Checking local arrays (`[a, b, c]`, `[x; N]`, `[[x; M]; N]`, `a[i]`, `a[i][j]`), elements of vector slices
//! (`x[i][k]` of a `&[[f32; 4]]`), and the `#[unroll]` marker of `for` loops.

use super::check::{strip_parens, Binding, Checker};
use super::diag::SpanRange;
use super::hir::*;

/// Scalars a local array may hold (they live in registers).
pub const MAX_ARRAY: u64 = 256;

impl Checker<'_> {
    /// The binding at the root of `a[i][j]…` and the number of index levels.
    fn index_root(&self, ix: &syn::ExprIndex) -> (Option<Binding>, usize) {
        let mut depth = 1;
        let mut e = strip_parens(&ix.expr);
        while let syn::Expr::Index(inner) = e {
            depth += 1;
            e = strip_parens(&inner.expr);
        }
        match e {
            syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                (self.lookup(&p.path.segments[0].ident.to_string()), depth)
            }
            _ => (None, depth),
        }
    }

    /// Whether `ix` reads an element of an array *value* (a local array, a row, or an element of a vector slice's
    /// element), rather than indexing memory.
    pub(super) fn is_value_index(&self, ix: &syn::ExprIndex) -> bool {
        match self.index_root(ix) {
            (Some(Binding::Local(_)), _) => true,
            (Some(Binding::Slice(_)), d) => d >= 2,
            (Some(Binding::Shared(_, None)), d) => d >= 2,
            (Some(Binding::Shared(_, Some(_))), d) => d >= 3,
            _ => false,
        }
    }

    /// `a[i] = …` / `a[i][j] = …` of a local array; `None` when `ix` is not rooted at a local.
    pub(super) fn array_place(&mut self, ix: &syn::ExprIndex) -> Option<Option<Place>> {
        let (root, depth) = self.index_root(ix);
        match root {
            Some(Binding::Local(l)) => Some(match (depth, strip_parens(&ix.expr)) {
                (1, _) => {
                    self.no_range(&ix.index)?;
                    let i = self.expr(&ix.index);
                    Some(Place::Elem(l, i, None))
                }
                (2, syn::Expr::Index(inner)) => {
                    self.no_range(&inner.index)?;
                    self.no_range(&ix.index)?;
                    let i = self.expr(&inner.index);
                    let j = self.expr(&ix.index);
                    Some(Place::Elem(l, i, Some(j)))
                }
                _ => {
                    self.errors.spanned(ix, "local arrays have at most two dimensions: `a[i]` or `a[i][j]`");
                    None
                }
            }),
            Some(Binding::Slice(_)) if depth >= 2 => {
                self.errors.spanned(
                    ix,
                    "the elements of a slice of arrays are written whole (one vector store): `y[i] = [a, b, c, d]` \
                     or `y[i] = v`",
                );
                Some(None)
            }
            _ => None,
        }
    }

    /// `[a, b, c]`.
    pub(super) fn array_literal(&mut self, a: &syn::ExprArray) -> ExprId {
        let span = SpanRange { start: a.bracket_token.span.open(), end: a.bracket_token.span.close() };
        if a.elems.is_empty() {
            return self.reject(a, "empty arrays are not supported in #[ptx_kernel] functions");
        }
        if a.elems.len() as u64 > MAX_ARRAY {
            return self.reject(a, format!("local arrays hold at most {MAX_ARRAY} elements (they live in registers)"));
        }
        if let Some(nested) =
            a.elems.iter().find(|e| matches!(strip_parens(e), syn::Expr::Array(_) | syn::Expr::Repeat(_)))
        {
            return self
                .reject(nested, "nested array literals are not supported: write `[[x; M]; N]` and assign elements");
        }
        let elems = a.elems.iter().map(|e| self.expr(e)).collect();
        self.push(ExprKind::Array(elems), span)
    }

    /// `[x; N]` and `[[x; M]; N]`.
    pub(super) fn repeat_literal(&mut self, r: &syn::ExprRepeat) -> ExprId {
        let span = SpanRange { start: r.bracket_token.span.open(), end: r.bracket_token.span.close() };
        let Some(n) = const_len(&r.len) else {
            return self.reject(&*r.len, "an array length must be an integer literal in #[ptx_kernel] functions");
        };
        let (value, m) = match strip_parens(&r.expr) {
            syn::Expr::Repeat(inner) => match const_len(&inner.len) {
                Some(m) => (&*inner.expr, m),
                None => {
                    return self
                        .reject(&*inner.len, "an array length must be an integer literal in #[ptx_kernel] functions")
                }
            },
            syn::Expr::Array(a) => {
                return self.reject(a, "nested array literals are not supported: write `[[x; M]; N]`")
            }
            e => (e, 0),
        };
        if n == 0 || (matches!(strip_parens(&r.expr), syn::Expr::Repeat(_)) && m == 0) {
            return self.reject(r, "empty arrays are not supported in #[ptx_kernel] functions");
        }
        if n.saturating_mul(m.max(1)) > MAX_ARRAY {
            return self.reject(r, format!("local arrays hold at most {MAX_ARRAY} elements (they live in registers)"));
        }
        if matches!(strip_parens(value), syn::Expr::Repeat(_)) {
            return self.reject(value, "local arrays have at most two dimensions");
        }
        let v = self.expr(value);
        self.push(ExprKind::Repeat(v, n as u32, m as u32), span)
    }

    /// Whether the attributes mark a `for` loop `#[unroll]` (other attributes are reported).
    pub(super) fn unroll_attr(&mut self, attrs: &[syn::Attribute]) -> bool {
        let mut unroll = false;
        for a in attrs {
            if a.path().is_ident("unroll") && matches!(a.meta, syn::Meta::Path(_)) {
                unroll = true;
            } else {
                self.errors.spanned(a, "the only attribute on a `for` loop in #[ptx_kernel] functions is `#[unroll]`");
            }
        }
        unroll
    }
}

/// An array length: an integer literal.
fn const_len(e: &syn::Expr) -> Option<u64> {
    match strip_parens(e) {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse::<u64>().ok(),
        _ => None,
    }
}

impl Checker<'_> {
    /// `f16::from_f32(x)`, `bf16::from_f32(x)`, `f16::from_f64(x)`, `f16::to_f32(x)`, `bf16::to_f64(x)`, …
    /// (also `half::f16::…`).
    pub(super) fn half_from(&mut self, call: &syn::ExprCall, span: SpanRange) -> Option<ExprId> {
        use super::types::ScalarTy;
        let syn::Expr::Path(fp) = &*call.func else { return None };
        let names: Vec<String> = fp.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let n = names.len();
        if n < 2 || fp.qself.is_some() {
            return None;
        }
        let half = match names[n - 2].as_str() {
            "f16" => ScalarTy::F16,
            "bf16" => ScalarTy::BF16,
            _ => return None,
        };
        let prefix_ok = match n {
            2 => true,
            3 => names[0] == "half",
            4 => names[0] == "ptx_kernel" && names[1] == "half",
            _ => false,
        };
        let (from, to) = match names[n - 1].as_str() {
            "from_f32" => (ScalarTy::F32, half),
            "from_f64" if half == ScalarTy::F16 => (ScalarTy::F64, half),
            // The path form of `x.to_f32()`: `x` has the path's type.
            "to_f32" => (half, ScalarTy::F32),
            "to_f64" => (half, ScalarTy::F64),
            other => {
                return Some(self.reject(
                    fp,
                    format!(
                        "`{}::{other}` is not supported in #[ptx_kernel] functions (supported: `f16::from_f32`, \
                         `f16::from_f64`, `bf16::from_f32`, and `x.to_f32()` / `x.to_f64()`, also written \
                         `f16::to_f32(x)`)",
                        names[n - 2]
                    ),
                ))
            }
        };
        if !prefix_ok {
            return None;
        }
        if call.args.len() != 1 {
            return Some(self.reject(call, "this conversion takes one argument"));
        }
        let x = self.expr(&call.args[0]);
        Some(self.push(ExprKind::HalfConv(x, Some(from), to), span))
    }
}
