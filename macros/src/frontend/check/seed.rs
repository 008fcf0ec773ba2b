//! Checking the seed's intrinsics (see [`frontend::seed`](super::super::seed)): calls of `gpu::…` functions,
//! `gpu::ptx_asm!`, and `unsafe` blocks.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use super::super::seed::*;
use super::*;

/// `ptx_asm!`'s arguments as written.
struct AsmArgs {
    template: syn::LitStr,
    operands: Vec<AsmArg>,
}

struct AsmArg {
    dir: syn::Ident,
    ty: syn::Type,
    expr: syn::Expr,
}

impl Parse for AsmArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let template: syn::LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "`ptx_asm!` takes a string literal template first, e.g. `\"add.u32 {0}, {1}, {2};\"`",
            )
        })?;
        let mut operands = Vec::new();
        while !input.is_empty() {
            input.parse::<syn::Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let dir: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
            let content;
            syn::parenthesized!(content in input);
            let ty: syn::Type = content.parse()?;
            let expr: syn::Expr = input.parse()?;
            operands.push(AsmArg { dir, ty, expr });
        }
        Ok(AsmArgs { template, operands })
    }
}

impl Checker<'_> {
    /// `unsafe { … }`: an ordinary block that may contain inline PTX.
    pub(super) fn unsafe_block(&mut self, u: &syn::ExprUnsafe) -> ExprId {
        // Allowed for unchecked element access and inline PTX; the launcher becomes `unsafe fn`.
        self.body.unsafe_block.get_or_insert(u.unsafe_token.span);
        self.unsafe_depth += 1;
        let block = self.block(&u.block);
        self.unsafe_depth -= 1;
        self.push(
            ExprKind::Block(block),
            SpanRange { start: u.unsafe_token.span, end: u.block.brace_token.span.close() },
        )
    }

    /// `gpu::ptx_asm!(…)`; `None` when `mac` is another macro.
    pub(super) fn seed_macro(&mut self, mac: &syn::Macro) -> Option<ExprId> {
        let segs: Vec<String> = mac.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let is_asm = matches!(segs.as_slice(), [g, m] if g == "gpu" && m == "ptx_asm")
            || matches!(segs.as_slice(), [p, g, m] if p == "ptx_kernel" && g == "gpu" && m == "ptx_asm");
        if !is_asm {
            return None;
        }
        let span = SpanRange { start: mac.path.span(), end: mac.delimiter.span().close() };
        let args: AsmArgs = match mac.parse_body() {
            Ok(a) => a,
            Err(e) => {
                self.errors.push(e);
                return Some(self.push(ExprKind::Error, span));
            }
        };
        if self.unsafe_depth == 0 {
            self.errors.at(
                span,
                "`gpu::ptx_asm!` must be inside an `unsafe` block: the compiler cannot check what inline PTX does",
            );
        }
        let mut operands = Vec::new();
        let mut ok = true;
        for a in &args.operands {
            let dir = match a.dir.to_string().as_str() {
                "in" => AsmDir::In,
                "out" => AsmDir::Out,
                "inout" => AsmDir::InOut,
                other => {
                    self.errors.spanned(
                        &a.dir,
                        format!("unknown operand kind `{other}` in `ptx_asm!` (supported: `in(T) value`, `out(T) place`, `inout(T) place`)"),
                    );
                    ok = false;
                    continue;
                }
            };
            let ty = match scalar_type(&a.ty) {
                Some(t) if !matches!(t, ScalarTy::Bool | ScalarTy::U8 | ScalarTy::I8) => t,
                _ => {
                    self.errors.spanned(
                        &a.ty,
                        format!(
                            "`{}` cannot be a `ptx_asm!` operand: operands are registers of type i16, i32, i64, u16, \
                             u32, u64, f32 or f64 (isize/usize are 64-bit)",
                            a.ty.to_token_stream()
                        ),
                    );
                    ok = false;
                    continue;
                }
            };
            let span = SpanRange { start: a.dir.span(), end: super::last_span(&a.expr) };
            let (value, place) = match dir {
                AsmDir::In => (Some(self.expr(&a.expr)), None),
                _ => match self.place(&a.expr) {
                    Some(p) => (None, Some(p)),
                    None => {
                        ok = false;
                        continue;
                    }
                },
            };
            operands.push(AsmOperand { dir, ty, value, place, span });
        }
        let pieces = match parse_template(&args.template.value(), args.operands.len()) {
            Ok(p) => p,
            Err(msg) => {
                self.errors.spanned(&args.template, msg);
                return Some(self.push(ExprKind::Error, span));
            }
        };
        // Every operand must appear in the template, as in `asm!`.
        for (k, a) in args.operands.iter().enumerate() {
            if !pieces.contains(&AsmPiece::Operand(k)) {
                self.errors.at(
                    SpanRange { start: a.dir.span(), end: super::last_span(&a.expr) },
                    format!("operand {k} is never used in the `ptx_asm!` template (refer to it as `{{{k}}}`)"),
                );
                ok = false;
            }
        }
        if !ok {
            return Some(self.push(ExprKind::Error, span));
        }
        Some(self.push(ExprKind::Seed(Box::new(SeedOp::Asm(AsmBlock { pieces, operands }))), span))
    }

    /// A call of `gpu::<last>(…)` that is one of the seed's intrinsics; `None` for other names.
    pub(super) fn seed_call(&mut self, last: &str, call: &syn::ExprCall, span: SpanRange) -> Option<ExprId> {
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        let no_args = |this: &mut Self, op: SeedOp| -> ExprId {
            if !args.is_empty() {
                return this.reject(&call.args, format!("`gpu::{last}()` takes no arguments"));
            }
            this.push(ExprKind::Seed(Box::new(op)), span)
        };
        use ptx_gen::SpecialReg as S;
        let id = match last {
            "smid" => no_args(self, SeedOp::Special(S::SmId)),
            "nsmid" => no_args(self, SeedOp::Special(S::NSmId)),
            "clock64" => no_args(self, SeedOp::Special(S::Clock64)),
            "global_timer" => no_args(self, SeedOp::Special(S::GlobalTimer)),
            "load_acquire" | "load_acquire_scoped" => {
                let scoped = last.ends_with("_scoped");
                if !self.arity(call, last, if scoped { 2 } else { 1 }, "`&x[i]`") {
                    return Some(self.push(ExprKind::Error, span));
                }
                let scope = if scoped { self.scope_arg(args[1]) } else { Some(ptx_gen::Scope::Gpu) };
                let elem = self.element_ref(args[0], false);
                match (elem, scope) {
                    (Some((base, index)), Some(scope)) => {
                        self.push(ExprKind::Seed(Box::new(SeedOp::LoadAcquire { base, index, scope })), span)
                    }
                    _ => self.push(ExprKind::Error, span),
                }
            }
            "store_release" | "store_release_scoped" => {
                let scoped = last.ends_with("_scoped");
                if !self.arity(call, last, if scoped { 3 } else { 2 }, "`&mut x[i], value`") {
                    return Some(self.push(ExprKind::Error, span));
                }
                let elem = self.element_ref(args[0], true);
                let value = self.expr(args[1]);
                let scope = if scoped { self.scope_arg(args[2]) } else { Some(ptx_gen::Scope::Gpu) };
                match (elem, scope) {
                    (Some((base, index)), Some(scope)) => {
                        self.push(ExprKind::Seed(Box::new(SeedOp::StoreRelease { base, index, value, scope })), span)
                    }
                    _ => self.push(ExprKind::Error, span),
                }
            }
            "fence_scoped" => {
                if !self.arity(call, last, 1, "a `gpu::Scope`") {
                    return Some(self.push(ExprKind::Error, span));
                }
                match self.scope_arg(args[0]) {
                    Some(s) => self.push(ExprKind::Seed(Box::new(SeedOp::Fence(s))), span),
                    None => self.push(ExprKind::Error, span),
                }
            }
            "barrier_sync" | "barrier_arrive" => {
                if !self.arity(call, last, 2, "a barrier id (0..16) and a thread count (a multiple of 32)") {
                    return Some(self.push(ExprKind::Error, span));
                }
                let id = self.expr(args[0]);
                let count = self.expr(args[1]);
                self.push(
                    ExprKind::Seed(Box::new(SeedOp::Barrier { arrive: last == "barrier_arrive", id, count })),
                    span,
                )
            }
            _ => return self.atomic_call(last, call, &args, span),
        };
        Some(id)
    }

    /// `atomic_<op>_scoped(&mut x[i], [expected,] v, scope)` / `atomic_<op>_ordered(…, ordering, scope)`.
    fn atomic_call(
        &mut self,
        last: &str,
        call: &syn::ExprCall,
        args: &[&syn::Expr],
        span: SpanRange,
    ) -> Option<ExprId> {
        let rest = last.strip_prefix("atomic_")?;
        let (opname, ordered) = if let Some(o) = rest.strip_suffix("_scoped") {
            (o, false)
        } else if let Some(o) = rest.strip_suffix("_ordered") {
            (o, true)
        } else {
            return None;
        };
        let &(_, op) = ATOMIC_OPS.iter().find(|(n, _)| *n == opname)?;
        let is_cas = op == ptx_gen::AtomOp::Cas;
        let n = 3 + usize::from(is_cas) + usize::from(ordered);
        let shape = match (is_cas, ordered) {
            (false, false) => "`&mut x[i], value, gpu::Scope::…`",
            (false, true) => "`&mut x[i], value, gpu::Ordering::…, gpu::Scope::…`",
            (true, false) => "`&mut x[i], expected, new, gpu::Scope::…`",
            (true, true) => "`&mut x[i], expected, new, gpu::Ordering::…, gpu::Scope::…`",
        };
        if !self.arity(call, last, n, shape) {
            return Some(self.push(ExprKind::Error, span));
        }
        let elem = self.element_ref(args[0], true);
        let (cmp, value) = if is_cas {
            let c = self.expr(args[1]);
            (Some(c), self.expr(args[2]))
        } else {
            (None, self.expr(args[1]))
        };
        let order = if ordered { self.ordering_arg(args[n - 2]) } else { Some(Ordering::Relaxed) };
        let scope = self.scope_arg(args[n - 1]);
        Some(match (elem, order, scope) {
            (Some((base, index)), Some(order), Some(scope)) => self.push(
                ExprKind::Seed(Box::new(SeedOp::Atomic {
                    op,
                    negate: opname == "sub",
                    base,
                    index,
                    value,
                    cmp,
                    order,
                    scope,
                })),
                span,
            ),
            _ => self.push(ExprKind::Error, span),
        })
    }

    /// Checks the argument count; reports under the arguments (or the call) otherwise.
    fn arity(&mut self, call: &syn::ExprCall, name: &str, n: usize, shape: &str) -> bool {
        if call.args.len() == n {
            return true;
        }
        let msg = format!("`gpu::{name}` takes {n} argument(s): {shape}");
        if call.args.is_empty() {
            self.errors.spanned(call, msg);
        } else {
            self.errors.spanned(&call.args, msg);
        }
        for a in &call.args {
            self.expr(a);
        }
        false
    }

    /// `&x[i]` / `&mut x[i]` of a slice parameter or a shared array (`&mut t[y][x]` too).
    fn element_ref(&mut self, e: &syn::Expr, mutable: bool) -> Option<(Base, ExprId)> {
        let want = if mutable { "`&mut x[i]`" } else { "`&x[i]`" };
        let r = match strip_parens(e) {
            syn::Expr::Reference(r) if r.mutability.is_some() == mutable || !mutable => r,
            other => {
                self.errors.spanned(
                    other,
                    format!("expected {want}: a reference to an element of a slice parameter or a shared array"),
                );
                return None;
            }
        };
        let syn::Expr::Index(ix) = strip_parens(&r.expr) else {
            self.errors.spanned(
                &*r.expr,
                format!("expected {want}: a reference to an element of a slice parameter or a shared array"),
            );
            return None;
        };
        let (base, index) = self.index_place(ix)?;
        if let Base::Slice(sl) = base {
            if mutable && !self.slice_mutable.get(sl.0 as usize).copied().unwrap_or(true) {
                self.errors.spanned(r, "this writes to a `&[T]` parameter, which is read-only: declare it `&mut [T]`");
                return None;
            }
        }
        Some((base, index))
    }

    /// `gpu::Scope::Block` / `Device` / `System` (a constant path).
    fn scope_arg(&mut self, e: &syn::Expr) -> Option<ptx_gen::Scope> {
        let found = last_path_pair(e).filter(|(ty, _)| ty == "Scope").and_then(|(_, v)| scope_from_name(&v));
        if found.is_none() {
            self.errors.spanned(
                e,
                "expected a scope written out: `gpu::Scope::Block`, `gpu::Scope::Device` or `gpu::Scope::System`",
            );
        }
        found
    }

    /// `gpu::Ordering::Relaxed` / `Acquire` / `Release` / `AcqRel`.
    fn ordering_arg(&mut self, e: &syn::Expr) -> Option<Ordering> {
        let found = last_path_pair(e).filter(|(ty, _)| ty == "Ordering").and_then(|(_, v)| ordering_from_name(&v));
        if found.is_none() {
            self.errors.spanned(
                e,
                "expected an ordering written out: `gpu::Ordering::Relaxed`, `Acquire`, `Release` or `AcqRel`",
            );
        }
        found
    }
}

/// The last two segments of a path expression (`gpu::Scope::Block` → `("Scope", "Block")`).
fn last_path_pair(e: &syn::Expr) -> Option<(String, String)> {
    let syn::Expr::Path(p) = strip_parens(e) else { return None };
    let segs: Punctuated<_, syn::Token![::]> = p.path.segments.clone();
    let n = segs.len();
    if n < 2 {
        return None;
    }
    Some((segs[n - 2].ident.to_string(), segs[n - 1].ident.to_string()))
}
