//! Checking the breadth features: shared-memory declarations, indexing (1-D and 2-D), and the `gpu::` intrinsics
//! with arguments ([`Call`]s and [`MemCall`]s on a memory place).

use quote::ToTokens;

use super::check::{expr_range, path_string, strip_parens, Binding, Checker};
use super::diag::SpanRange;
use super::hir::*;
use super::intrinsics::{Call, MemCall};
use super::signature::{scalar_type, type_string};
use super::types::ScalarTy;

/// Static shared memory per block that a kernel may declare (the limit without an opt-in).
pub const MAX_STATIC_SHARED: u64 = 48 * 1024;

/// A shared-memory declaration found in a `let` initialiser.
pub enum SharedDecl<'a> {
    /// `gpu::SharedArray::<T, N>::new()`: the generic arguments.
    Static { call: &'a syn::ExprCall, args: Option<&'a syn::AngleBracketedGenericArguments> },
    /// `gpu::dynamic_shared::<T>()`.
    Dynamic { call: &'a syn::ExprCall, args: Option<&'a syn::AngleBracketedGenericArguments> },
}

/// The path's segment names without a leading `ptx_kernel::`.
fn gpu_path(path: &syn::Path) -> Vec<&syn::PathSegment> {
    let segs: Vec<&syn::PathSegment> = path.segments.iter().collect();
    if segs.first().is_some_and(|s| s.ident == "ptx_kernel") {
        segs[1..].to_vec()
    } else {
        segs
    }
}

fn angle(seg: &syn::PathSegment) -> Option<&syn::AngleBracketedGenericArguments> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => Some(a),
        _ => None,
    }
}

/// Recognises `gpu::SharedArray::<T, N>::new()` and `gpu::dynamic_shared::<T>()` (also without `gpu::`).
pub fn shared_decl(e: &syn::Expr) -> Option<SharedDecl<'_>> {
    let syn::Expr::Call(call) = strip_parens(e) else { return None };
    let syn::Expr::Path(fp) = &*call.func else { return None };
    if fp.qself.is_some() {
        return None;
    }
    let segs = gpu_path(&fp.path);
    let names: Vec<String> = segs.iter().map(|s| s.ident.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    match names.as_slice() {
        ["gpu", "SharedArray", "new"] | ["SharedArray", "new"] => {
            Some(SharedDecl::Static { call, args: angle(segs[segs.len() - 2]) })
        }
        ["gpu", "dynamic_shared"] | ["dynamic_shared"] => {
            Some(SharedDecl::Dynamic { call, args: angle(segs[segs.len() - 1]) })
        }
        _ => None,
    }
}

/// The message for an unsupported shared element type.
fn bad_elem(ty: &syn::Type) -> String {
    format!(
        "unsupported shared-memory element type `{}` (supported: the scalars i8, i16, i32, i64, isize, u8, u16, \
         u32, u64, usize, f32, f64, f16, bf16, and arrays `[T; M]` of them for a 2-D array)",
        type_string(ty)
    )
}

/// A constant array length or shared-array size: an integer literal (`256`, `256usize`, `{ 256 }`).
fn const_len(e: &syn::Expr) -> Option<u64> {
    match strip_parens(e) {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse::<u64>().ok(),
        syn::Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
            syn::Stmt::Expr(e, None) => const_len(e),
            _ => None,
        },
        _ => None,
    }
}

impl Checker<'_> {
    /// `let name = gpu::SharedArray::<T, N>::new();` / `let name = gpu::dynamic_shared::<T>();`.
    pub(super) fn shared_local(&mut self, local: &syn::Local, decl: SharedDecl<'_>) {
        let pat = match &local.pat {
            syn::Pat::Type(pt) => &*pt.pat,
            p => p,
        };
        let ident = match pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            other => {
                self.errors.spanned(
                    other,
                    "a shared array is bound to a name: `let tile = gpu::SharedArray::<f32, 256>::new();`",
                );
                return;
            }
        };
        let (call, args, dynamic) = match decl {
            SharedDecl::Static { call, args } => (call, args, false),
            SharedDecl::Dynamic { call, args } => (call, args, true),
        };
        if !call.args.is_empty() {
            self.errors.spanned(&call.args, "this takes no arguments");
        }
        let usage = if dynamic {
            "`gpu::dynamic_shared::<T>()` with one element type, e.g. `gpu::dynamic_shared::<f32>()`"
        } else {
            "`gpu::SharedArray::<T, N>::new()` with an element type and a constant length, e.g. \
             `gpu::SharedArray::<f32, 256>::new()` or `gpu::SharedArray::<[f32; 33], 32>::new()`"
        };
        let Some(args) = args else {
            self.errors.spanned(&*call.func, format!("write the type arguments: {usage}"));
            self.bind(&ident, Binding::Poisoned);
            return;
        };
        let list: Vec<&syn::GenericArgument> = args.args.iter().collect();
        let want = if dynamic { 1 } else { 2 };
        if list.len() != want {
            self.errors.spanned(args, format!("expected {want} type argument(s): {usage}"));
            self.bind(&ident, Binding::Poisoned);
            return;
        }
        let syn::GenericArgument::Type(elem_ty) = list[0] else {
            self.errors.spanned(list[0], format!("expected the element type here: {usage}"));
            self.bind(&ident, Binding::Poisoned);
            return;
        };
        // The element: a scalar, or `[scalar; M]` (static arrays only).
        let (elem, row) = match elem_ty {
            syn::Type::Array(a) if !dynamic => {
                let inner = scalar_type(&a.elem).filter(|t| *t != ScalarTy::Bool);
                match (inner, const_len(&a.len)) {
                    (Some(t), Some(m)) if m > 0 => (Some(t), Some(m)),
                    (None, _) => {
                        self.errors.spanned(&*a.elem, bad_elem(&a.elem));
                        (None, None)
                    }
                    (_, _) => {
                        self.errors.spanned(
                            &a.len,
                            "the row length of a 2-D shared array must be a positive integer literal, e.g. `[f32; 33]`",
                        );
                        (None, None)
                    }
                }
            }
            t => match scalar_type(t).filter(|t| *t != ScalarTy::Bool) {
                Some(s) => (Some(s), None),
                None => {
                    self.errors.spanned(t, bad_elem(t));
                    (None, None)
                }
            },
        };
        let len = if dynamic {
            Some(0)
        } else {
            let n = match list[1] {
                syn::GenericArgument::Const(e) => const_len(e),
                _ => None,
            };
            match n {
                Some(n) if n > 0 => Some(n),
                _ => {
                    self.errors.spanned(
                        list[1],
                        format!(
                            "the length of a shared array must be a constant: a positive integer literal (`{}` is \
                             not); shared memory is allocated when the kernel is compiled (for a size chosen at \
                             launch, use `gpu::dynamic_shared::<T>()` and `LaunchConfig::shared_mem_bytes`)",
                            list[1].to_token_stream()
                        ),
                    );
                    None
                }
            }
        };
        let (Some(elem), Some(len)) = (elem, len) else {
            self.bind(&ident, Binding::Poisoned);
            return;
        };
        let total = len.saturating_mul(row.unwrap_or(1));
        if total.saturating_mul(elem.mem_size() as u64) > MAX_STATIC_SHARED {
            self.errors.spanned(
                args,
                format!(
                    "this shared array takes {} bytes: static shared memory is limited to {MAX_STATIC_SHARED} \
                     bytes per block (use `gpu::dynamic_shared::<T>()` for more)",
                    total.saturating_mul(elem.mem_size() as u64)
                ),
            );
            self.bind(&ident, Binding::Poisoned);
            return;
        }
        self.body.shared.push(SharedData { name: ident.to_string(), elem, len: total, outer: len, dynamic });
        let id = SharedId(self.body.shared.len() as u32 - 1);
        self.bind(&ident, Binding::Shared(id, row));
    }

    /// `x[i]` of a slice or a shared array, and `t[y][x]` of a 2-D shared array (linearised to `y * M + x`).
    pub(super) fn index_place(&mut self, ix: &syn::ExprIndex) -> Option<(Base, ExprId)> {
        if let syn::Expr::Index(inner) = strip_parens(&ix.expr) {
            if let syn::Expr::Path(p) = strip_parens(&inner.expr) {
                if p.path.segments.len() == 1 {
                    let name = p.path.segments[0].ident.to_string();
                    if let Some(Binding::Shared(s, Some(row))) = self.lookup(&name) {
                        self.no_range(&inner.index)?;
                        self.no_range(&ix.index)?;
                        let y = self.expr(&inner.index);
                        let x = self.expr(&ix.index);
                        let sy = expr_range(&inner.index);
                        let c = self.push(ExprKind::Const(ScalarTy::Usize, row), sy);
                        let m = self.push(ExprKind::Binary(BinaryOp::Mul, y, c), sy);
                        let whole = SpanRange { start: sy.start, end: ix.bracket_token.span.close() };
                        return Some((Base::Shared(s), self.push(ExprKind::Binary(BinaryOp::Add, m, x), whole)));
                    }
                }
            }
        }
        let (base, row) = self.slice_base(&ix.expr)?;
        if row.is_some() {
            self.errors.spanned(
                &*ix.expr,
                "this is a 2-D shared array: index an element, `t[y][x]` (rows are not values in #[ptx_kernel])",
            );
            return None;
        }
        self.no_range(&ix.index)?;
        let index = self.expr(&ix.index);
        Some((base, index))
    }

    pub(super) fn no_range(&mut self, index: &syn::Expr) -> Option<()> {
        if let syn::Expr::Range(_) = index {
            self.errors.spanned(
                index,
                "sub-slicing (`x[a..b]`) is not supported in #[ptx_kernel] functions: index single elements, `x[i]`",
            );
            return None;
        }
        Some(())
    }

    /// A call of one of the [`Call`]/[`MemCall`] intrinsics (or a misplaced shared declaration); `None` when the
    /// path is none of them.
    pub(super) fn breadth_call(&mut self, call: &syn::ExprCall, fp: &syn::ExprPath, span: SpanRange) -> Option<ExprId> {
        if fp.qself.is_some() {
            return None;
        }
        let segs = gpu_path(&fp.path);
        if segs.first().is_none_or(|s| s.ident != "gpu") || segs.len() < 2 {
            if shared_decl(&syn::Expr::Call(call.clone())).is_some() {
                return Some(self.misplaced_shared(call));
            }
            return None;
        }
        let rest = segs[1..].iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::");
        if rest == "dynamic_shared" || rest.starts_with("SharedArray") {
            return Some(self.misplaced_shared(call));
        }
        if let Some(c) = Call::from_path(&rest) {
            if segs.iter().any(|s| !s.arguments.is_none()) {
                return Some(
                    self.reject(fp, format!("`gpu::{rest}` takes no type arguments: the types follow its arguments")),
                );
            }
            let (params, _) = c.signature();
            let args: Vec<ExprId> = call.args.iter().map(|a| self.expr(a)).collect();
            if args.len() != params.len() {
                return Some(
                    self.reject(
                        call,
                        format!("`gpu::{rest}` takes {} argument(s), {} given", params.len(), args.len()),
                    ),
                );
            }
            return Some(self.push(ExprKind::Call(c, args), span));
        }
        let m = MemCall::from_name(&rest)?;
        if segs.iter().any(|s| !s.arguments.is_none()) {
            return Some(self.reject(fp, format!("`gpu::{rest}` takes no type arguments: the type is the place's")));
        }
        let (params, _) = m.signature();
        if call.args.len() != params.len() + 1 {
            for a in call.args.iter().skip(1) {
                self.expr(a);
            }
            return Some(self.reject(
                call,
                format!("`gpu::{rest}` takes {} argument(s), {} given", params.len() + 1, call.args.len()),
            ));
        }
        let place_arg = &call.args[0];
        let want = if m.writes() { "&mut x[i]" } else { "&x[i]" };
        let where_ = if m.allows_shared() {
            "of a `&mut [T]` parameter or of a shared array"
        } else {
            "of a slice parameter (global memory)"
        };
        let msg = format!(
            "the first argument of `gpu::{rest}` must be a place in {} memory: `{want}` {where_}",
            if m.allows_shared() { "global or shared" } else { "global" }
        );
        let place = match strip_parens(place_arg) {
            syn::Expr::Reference(r) => match strip_parens(&r.expr) {
                syn::Expr::Index(ix) => {
                    if m.writes() && r.mutability.is_none() {
                        self.errors.spanned(r, format!("`gpu::{rest}` writes its place: pass `&mut …`, not `&…`"));
                        None
                    } else {
                        self.index_place(ix)
                    }
                }
                other => {
                    self.errors.spanned(other, &msg);
                    None
                }
            },
            other => {
                self.errors.spanned(other, &msg);
                None
            }
        };
        let others: Vec<ExprId> = call.args.iter().skip(1).map(|a| self.expr(a)).collect();
        let Some((base, index)) = place else { return Some(self.push(ExprKind::Error, span)) };
        match base {
            Base::Slice(s) if m.writes() && !self.slice_mutable.get(s.0 as usize).copied().unwrap_or(true) => {
                return Some(self.reject(
                    place_arg,
                    format!("`gpu::{rest}` writes its place, and a `&[T]` parameter is read-only: make it `&mut [T]`"),
                ));
            }
            Base::Shared(_) if !m.allows_shared() => {
                return Some(self.reject(
                    place_arg,
                    format!("`gpu::{rest}` reads global memory (a slice parameter), not a shared array"),
                ));
            }
            _ => {}
        }
        Some(self.push(ExprKind::MemCall(m, base, index, others), span))
    }

    fn misplaced_shared(&mut self, call: &syn::ExprCall) -> ExprId {
        let p = match &*call.func {
            syn::Expr::Path(p) => path_string(&p.path),
            _ => String::new(),
        };
        self.reject(
            call,
            format!(
                "`{p}` declares shared memory: use it only to initialise a `let`, e.g. \
                 `let tile = gpu::SharedArray::<f32, 256>::new();` or `let s = gpu::dynamic_shared::<f32>();`"
            ),
        )
    }
}
