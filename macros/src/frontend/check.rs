//! Checking the body against the subset and building the [`hir`](super::hir) tree.
//!
//! Everything outside the subset is rejected here, under its own tokens, with a message that says what is supported
//! instead; checking goes on after an error (the rejected node becomes [`ExprKind::Error`]) so that one build
//! reports every problem. Names are resolved here too: locals (with shadowing and block scopes), slice
//! parameters, loop labels, intrinsics of `ptx_kernel::gpu` and constants such as `u32::MAX`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;

use super::diag::{Errors, SpanRange};
use super::hir::*;
use super::signature::{is_heap_type, scalar_type, type_string, KernelSig};
use super::types::{ParamTy, ScalarTy, SUPPORTED_SCALARS};

mod seed;

/// What a name refers to.
#[derive(Clone, Copy, Debug)]
pub(super) enum Binding {
    Local(LocalId),
    Slice(SliceId),
    /// A shared-memory array (`let t = gpu::SharedArray::<f32, 256>::new();`), with its inner row length when it
    /// is 2-D.
    Shared(SharedId, Option<u64>),
    /// A parameter whose type was rejected: uses of it are not reported again.
    Poisoned,
}

/// The intrinsics, for messages.
fn intrinsic_list() -> &'static str {
    "`gpu::thread_idx_x()`, `block_idx_x()`, `block_dim_x()`, `grid_dim_x()` and their `_y`/`_z`, \
     `global_idx_x()`, `sync_threads()`"
}

const METHODS_SUPPORTED: &str = "supported: `len()` on slice parameters and shared arrays; `abs`, `min`, `max`, \
                                 `sqrt`, `mul_add`, `floor`, `ceil`, `round`, `trunc`, `exp`, `exp2`, `ln`, `log2`, \
                                 `log10`, `sin`, `cos`, `tan`, `tanh`, `powf`, `powi`, `recip`, `hypot` on floats; \
                                 `abs`, `min`, `max` on integers";

/// Checks `item`'s body (its signature already checked into `sig`) and builds the tree.
pub fn check_body(item: &syn::ItemFn, sig: &KernelSig, errors: &mut Errors) -> Body {
    check_body_with(item, sig, &super::device::Helpers::default(), errors)
}

/// [`check_body`] with the `#[ptx_device]` functions the body may call (inlined).
pub fn check_body_with(
    item: &syn::ItemFn,
    sig: &KernelSig,
    helpers: &super::device::Helpers,
    errors: &mut Errors,
) -> Body {
    let slice_mutable = sig.slices().map(|(_, _, _, m)| m).collect();
    let mut c = Checker {
        body: Body::default(),
        depth: 0,
        scopes: vec![Vec::new()],
        loop_stack: Vec::new(),
        slice_mutable,
        helpers,
        inline_stack: Vec::new(),
        frames: Vec::new(),
        errors,
        unsafe_depth: 0,
    };
    let mut slice_index = 0u32;
    for p in &sig.params {
        let binding = match p.ty {
            Some(ParamTy::Scalar(ty)) => {
                let name = p.ident.as_ref().map_or_else(|| "_".to_string(), |i| i.to_string());
                let local = c.new_local(name, p.mutable, Some(ty), p.span);
                c.body.param_locals.push(Some(local));
                Binding::Local(local)
            }
            Some(ParamTy::Slice { .. }) => {
                c.body.param_locals.push(None);
                slice_index += 1;
                Binding::Slice(SliceId(slice_index - 1))
            }
            None => {
                c.body.param_locals.push(None);
                Binding::Poisoned
            }
        };
        if let Some(ident) = &p.ident {
            c.bind(ident, binding);
        }
    }
    let block = c.block(&item.block);
    c.body.block = block;
    c.body
}

/// How deep expressions and blocks may nest.
pub const MAX_DEPTH: usize = 256;

pub(super) struct Checker<'e> {
    pub(super) body: Body,
    /// Current nesting of expressions and blocks.
    depth: usize,
    /// Innermost scope last; a name's latest binding wins (shadowing).
    pub(super) scopes: Vec<Vec<(String, Binding)>>,
    /// Enclosing loops, innermost last.
    pub(super) loop_stack: Vec<LoopId>,
    /// Whether each slice parameter is `&mut [T]`, by [`SliceId`].
    pub(super) slice_mutable: Vec<bool>,
    /// The device functions that calls may inline.
    pub(super) helpers: &'e super::device::Helpers,
    /// Device functions being inlined, outermost first (a name already here is recursion).
    pub(super) inline_stack: Vec<String>,
    /// The frames of the device functions being inlined, innermost last.
    pub(super) frames: Vec<LoopId>,
    pub(super) errors: &'e mut Errors,
    /// Enclosing `unsafe` blocks (inline PTX needs one).
    unsafe_depth: usize,
}

impl Checker<'_> {
    pub(super) fn push(&mut self, kind: ExprKind, span: impl Into<SpanRange>) -> ExprId {
        let span = span.into();
        self.body.exprs.push(Expr { kind, span });
        ExprId(self.body.exprs.len() as u32 - 1)
    }

    /// Records an error under `node` and returns an error expression in its place.
    pub(super) fn reject(&mut self, node: &dyn ToTokens, msg: impl std::fmt::Display) -> ExprId {
        self.errors.spanned(node, msg);
        self.push(ExprKind::Error, SpanRange::of(node))
    }

    pub(super) fn new_local(
        &mut self,
        name: String,
        mutable: bool,
        annotation: Option<ScalarTy>,
        span: Span,
    ) -> LocalId {
        self.body.locals.push(LocalData { name, mutable, annotation, span });
        LocalId(self.body.locals.len() as u32 - 1)
    }

    pub(super) fn bind(&mut self, ident: &syn::Ident, b: Binding) {
        let name = ident.to_string();
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name, b));
        }
    }

    pub(super) fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|(n, _)| n == name).map(|&(_, b)| b)
    }

    pub(super) fn new_loop(&mut self, kind: LoopKind, label: Option<&syn::Label>) -> LoopId {
        let label = label.map(|l| l.name.ident.to_string());
        self.body.loops.push(LoopData { kind, label, has_break: false, ret: None });
        LoopId(self.body.loops.len() as u32 - 1)
    }

    pub(super) fn block(&mut self, block: &syn::Block) -> Block {
        self.scopes.push(Vec::new());
        let mut out = Block::default();
        let n = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            match stmt {
                syn::Stmt::Local(local) => self.local(local, &mut out),
                syn::Stmt::Expr(e, semi) => {
                    let id = self.expr(e);
                    if semi.is_none() && i + 1 == n {
                        out.tail = Some(id);
                    } else {
                        out.stmts.push(Stmt::Expr(id));
                    }
                }
                syn::Stmt::Item(item) => {
                    self.errors.spanned(
                        item,
                        "items (fn, struct, use, const, …) are not supported inside #[ptx_kernel] functions: \
                         declare locals with `let`, and use literals or constants like `u32::MAX`",
                    );
                }
                syn::Stmt::Macro(m) => match self.seed_macro(&m.mac) {
                    Some(id) => out.stmts.push(Stmt::Expr(id)),
                    None => self.errors.spanned(&m.mac, macro_message(&m.mac)),
                },
            }
        }
        self.scopes.pop();
        out
    }

    fn local(&mut self, local: &syn::Local, out: &mut Block) {
        if let Some(init) = &local.init {
            if let Some((_, diverge)) = &init.diverge {
                self.errors
                    .spanned(&**diverge, "`let … else` is not supported in #[ptx_kernel] functions: use `if`/`else`");
            }
        }
        if let Some(init) = &local.init {
            if let Some(decl) = super::check_shared::shared_decl(&init.expr) {
                self.shared_local(local, decl);
                return;
            }
        }
        // The initialiser is checked before the new name is bound: `let x = x + 1` reads the old `x`.
        let init = local.init.as_ref().map(|i| self.expr(&i.expr));
        let (pat, annotation) = match &local.pat {
            syn::Pat::Type(pt) => {
                let ann = match scalar_type(&pt.ty) {
                    Some(t) => Some(t),
                    None => {
                        self.errors.spanned(&*pt.ty, unsupported_type_message(&pt.ty, "local variables"));
                        None
                    }
                };
                (&*pt.pat, ann)
            }
            p => (p, None),
        };
        match pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let name = p.ident.to_string();
                let id = self.new_local(name, p.mutability.is_some(), annotation, p.ident.span());
                self.bind(&p.ident, Binding::Local(id));
                out.stmts.push(Stmt::Let { local: Some(id), init });
            }
            syn::Pat::Wild(_) => out.stmts.push(Stmt::Let { local: None, init }),
            other => {
                self.errors.spanned(
                    other,
                    "this pattern is not supported in #[ptx_kernel] functions (supported: `let x`, `let mut x`, \
                     `let x: T`, `let _`; kernel values are scalars, so there are no tuples or structs to \
                     destructure)",
                );
                // Bind the names anyway so that their uses are not reported as unknown.
                let mut names = Vec::new();
                collect_pat_idents(other, &mut names);
                for ident in names {
                    self.bind(&ident, Binding::Poisoned);
                }
            }
        }
    }

    /// Checks one expression, refusing nesting deeper than [`MAX_DEPTH`] (inference and lowering recurse over the
    /// tree; a pathological input must give an error, not a stack overflow).
    pub(super) fn expr(&mut self, e: &syn::Expr) -> ExprId {
        if self.depth >= MAX_DEPTH {
            return self.reject(
                e,
                format!("this expression is nested too deeply for #[ptx_kernel] (more than {MAX_DEPTH} levels)"),
            );
        }
        self.depth += 1;
        let id = self.expr_inner(e);
        self.depth -= 1;
        id
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> ExprId {
        match e {
            syn::Expr::Lit(l) => self.lit(&l.lit),
            syn::Expr::Paren(p) => {
                // rustc reports a panic inside `( … )` at the opening parenthesis (its HIR gives the inner
                // expression the parenthesised span), so the panic sites do too.
                let id = self.expr(&p.expr);
                if let Some(e) = self.body.exprs.get_mut(id.0 as usize) {
                    e.span = SpanRange::of(p);
                }
                id
            }
            syn::Expr::Group(g) => self.expr(&g.expr),
            syn::Expr::Path(p) => self.path_expr(p),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) && self.unchecked_call(&u.expr).is_some() => {
                // `*x.get_unchecked(i)`.
                self.expr(&u.expr)
            }
            syn::Expr::Unary(u) => {
                let op = match u.op {
                    syn::UnOp::Neg(_) => UnaryOp::Neg,
                    syn::UnOp::Not(_) => UnaryOp::Not,
                    _ => {
                        return self.reject(
                            e,
                            "dereferencing is not supported in #[ptx_kernel] functions: kernel values are \
                             scalars; read slice elements with `x[i]`",
                        )
                    }
                };
                let inner = self.expr(&u.expr);
                self.push(ExprKind::Unary(op, inner), expr_range(e))
            }
            syn::Expr::Binary(b) => self.binary(b),
            syn::Expr::Assign(a) => {
                let place = self.place(&a.left);
                let value = self.expr(&a.right);
                match place {
                    Some(p) => self.push(ExprKind::Assign(p, value), expr_range(e)),
                    None => self.push(ExprKind::Error, expr_range(e)),
                }
            }
            syn::Expr::Cast(c) => {
                let inner = self.expr(&c.expr);
                match scalar_type(&c.ty) {
                    Some(t) => self.push(ExprKind::Cast(inner, t), expr_range(e)),
                    None => self.reject(&*c.ty, unsupported_type_message(&c.ty, "casts")),
                }
            }
            syn::Expr::Index(ix) => {
                if self.is_value_index(ix) {
                    let base = self.expr(&ix.expr);
                    if self.no_range(&ix.index).is_none() {
                        return self.push(ExprKind::Error, expr_range(e));
                    }
                    let index = self.expr(&ix.index);
                    return self.push(ExprKind::Elem(base, index), expr_range(e));
                }
                match self.index_place(ix) {
                    Some((base, index)) => self.push(ExprKind::Index(base, index), expr_range(e)),
                    None => self.push(ExprKind::Error, expr_range(e)),
                }
            }
            syn::Expr::Call(call) => self.call(call),
            syn::Expr::MethodCall(m) => self.method_call(m),
            syn::Expr::Block(b) => {
                if let Some(label) = &b.label {
                    return self.reject(
                        label,
                        "labeled blocks are not supported in #[ptx_kernel] functions: use a labeled `loop` \
                         with `break 'label`",
                    );
                }
                let block = self.block(&b.block);
                self.push(ExprKind::Block(block), expr_range(e))
            }
            syn::Expr::If(i) => self.if_expr(i),
            syn::Expr::While(w) => {
                if let syn::Expr::Let(l) = &*w.cond {
                    return self.reject(
                        l,
                        "`while let` is not supported in #[ptx_kernel] functions: kernel values are scalars; use \
                         `while cond`",
                    );
                }
                let cond = self.expr(&w.cond);
                let id = self.new_loop(LoopKind::While, w.label.as_ref());
                self.loop_stack.push(id);
                let body = self.block(&w.body);
                self.loop_stack.pop();
                self.push(ExprKind::While(id, cond, body), expr_range(e))
            }
            syn::Expr::Loop(l) => {
                let id = self.new_loop(LoopKind::Loop, l.label.as_ref());
                self.loop_stack.push(id);
                let body = self.block(&l.body);
                self.loop_stack.pop();
                self.push(ExprKind::Loop(id, body), expr_range(e))
            }
            syn::Expr::ForLoop(f) => self.for_loop(f),
            syn::Expr::Break(b) => {
                if let Some(v) = &b.expr {
                    return self.reject(
                        &**v,
                        "`break` with a value is not supported in #[ptx_kernel] functions: assign the value to a \
                         `let mut` declared before the loop, then `break`",
                    );
                }
                match self.loop_target(b.label.as_ref(), e) {
                    Some(id) => {
                        self.body.loops[id.0 as usize].has_break = true;
                        self.push(ExprKind::Break(id), expr_range(e))
                    }
                    None => self.push(ExprKind::Error, expr_range(e)),
                }
            }
            syn::Expr::Continue(c) => match self.loop_target(c.label.as_ref(), e) {
                Some(id) => self.push(ExprKind::Continue(id), expr_range(e)),
                None => self.push(ExprKind::Error, expr_range(e)),
            },
            syn::Expr::Return(r) => {
                if let Some(id) = self.frame_return(r, e) {
                    return id;
                }
                if let Some(v) = &r.expr {
                    if !matches!(&**v, syn::Expr::Tuple(t) if t.elems.is_empty()) {
                        return self.reject(
                            &**v,
                            "a #[ptx_kernel] function returns nothing: write results into a `&mut [T]` parameter \
                             and `return;`",
                        );
                    }
                }
                self.push(ExprKind::Return, expr_range(e))
            }
            syn::Expr::Tuple(t) if t.elems.is_empty() => self.push(ExprKind::Unit, expr_range(e)),
            syn::Expr::Tuple(_) => self.reject(
                e,
                "tuples are not supported in #[ptx_kernel] functions: kernel values are scalars; use one `let` \
                 per value",
            ),
            syn::Expr::Closure(_) => {
                self.reject(e, "closures are not supported in #[ptx_kernel] functions: write the code inline")
            }
            syn::Expr::Match(m) => self.reject(
                &m.match_token,
                "`match` is not supported in #[ptx_kernel] functions: use `if` / `else if` / `else`",
            ),
            syn::Expr::Reference(_) => self.reject(
                e,
                "references are not supported in #[ptx_kernel] functions: use values directly (slices come only \
                 from the kernel's parameters)",
            ),
            syn::Expr::Struct(_) => self.reject(
                e,
                format!(
                    "struct literals are not supported in #[ptx_kernel] functions: kernel values are the scalars \
                     {SUPPORTED_SCALARS}"
                ),
            ),
            syn::Expr::Array(a) => self.array_literal(a),
            syn::Expr::Repeat(r) => self.repeat_literal(r),
            syn::Expr::Field(_) => {
                self.reject(e, "field access is not supported in #[ptx_kernel] functions: kernel values are scalars")
            }
            syn::Expr::Range(_) => self.reject(
                e,
                "ranges are only supported as the iterator of a `for` loop in #[ptx_kernel] functions: \
                 `for i in a..b`, `a..=b` or `(a..b).step_by(s)`",
            ),
            syn::Expr::Macro(m) => match self.seed_macro(&m.mac) {
                Some(id) => id,
                None => self.reject(&m.mac, macro_message(&m.mac)),
            },
            syn::Expr::Unsafe(u) => self.unsafe_block(u),
            syn::Expr::Async(_) | syn::Expr::Await(_) => {
                self.reject(e, "`async`/`.await` is not supported in #[ptx_kernel] functions")
            }
            syn::Expr::Try(_) | syn::Expr::TryBlock(_) => self.reject(
                e,
                "the `?` operator is not supported in #[ptx_kernel] functions: kernels have no `Result`; use \
                 `if` and `return`",
            ),
            syn::Expr::Let(_) => self.reject(
                e,
                "`let` expressions (`if let`, `while let`) are not supported in #[ptx_kernel] functions: use a \
                 boolean condition",
            ),
            syn::Expr::Const(_) => {
                self.reject(e, "`const` blocks are not supported in #[ptx_kernel] functions: write the value")
            }
            syn::Expr::Infer(_) => self.reject(e, "`_` is not an expression"),
            syn::Expr::Yield(_) => self.reject(e, "`yield` is not supported in #[ptx_kernel] functions"),
            _ => self.reject(e, "this expression is not supported in #[ptx_kernel] functions"),
        }
    }

    fn lit(&mut self, lit: &syn::Lit) -> ExprId {
        let span = lit.span();
        let kind = match lit {
            syn::Lit::Int(i) => {
                let suffix = i.suffix();
                match suffix {
                    "f32" | "f64" => {
                        ExprKind::Lit(Lit::Float(i.base10_digits().to_string(), ScalarTy::from_name(suffix)))
                    }
                    _ => {
                        let ty = if suffix.is_empty() {
                            None
                        } else {
                            match ScalarTy::from_name(suffix).filter(|t| t.is_int()) {
                                Some(t) => Some(t),
                                None => {
                                    return self.reject(
                                        lit,
                                        format!(
                                            "integer literals of type `{suffix}` are not supported in \
                                             #[ptx_kernel] functions (supported: {SUPPORTED_SCALARS})"
                                        ),
                                    )
                                }
                            }
                        };
                        match i.base10_parse::<u128>() {
                            Ok(v) => ExprKind::Lit(Lit::Int(v, ty)),
                            Err(err) => {
                                self.errors.push(err);
                                ExprKind::Error
                            }
                        }
                    }
                }
            }
            syn::Lit::Float(f) => {
                let suffix = f.suffix();
                let ty = match suffix {
                    "" => None,
                    "f32" => Some(ScalarTy::F32),
                    "f64" => Some(ScalarTy::F64),
                    _ => {
                        return self.reject(
                            lit,
                            format!("float literals of type `{suffix}` are not supported (supported: f32, f64)"),
                        )
                    }
                };
                ExprKind::Lit(Lit::Float(f.base10_digits().to_string(), ty))
            }
            syn::Lit::Bool(b) => ExprKind::Lit(Lit::Bool(b.value)),
            syn::Lit::Str(_) | syn::Lit::ByteStr(_) | syn::Lit::CStr(_) => {
                return self.reject(
                    lit,
                    "string literals are not supported in #[ptx_kernel] functions: kernel values are scalars \
                     (supported literals: integers, floats, `true`, `false`)",
                )
            }
            syn::Lit::Char(_) | syn::Lit::Byte(_) => {
                return self.reject(
                    lit,
                    "character and byte literals are not supported in #[ptx_kernel] functions: write the number \
                     (e.g. `65u8`)",
                )
            }
            _ => return self.reject(lit, "this literal is not supported in #[ptx_kernel] functions"),
        };
        self.push(kind, span)
    }

    fn path_expr(&mut self, p: &syn::ExprPath) -> ExprId {
        let span = SpanRange::of(p);
        if p.qself.is_none() && p.path.leading_colon.is_none() && p.path.segments.len() == 1 {
            let seg = &p.path.segments[0];
            if seg.arguments.is_none() {
                let name = seg.ident.to_string();
                return match self.lookup(&name) {
                    Some(Binding::Local(l)) => self.push(ExprKind::Local(l), span),
                    Some(Binding::Slice(_)) => self.reject(
                        p,
                        format!(
                            "the slice `{name}` can only be indexed (`{name}[i]`) or measured (`{name}.len()`) in \
                             #[ptx_kernel] functions"
                        ),
                    ),
                    Some(Binding::Shared(..)) => self.reject(
                        p,
                        format!(
                            "the shared array `{name}` can only be indexed (`{name}[i]`) or measured \
                             (`{name}.len()`) in #[ptx_kernel] functions"
                        ),
                    ),
                    Some(Binding::Poisoned) => self.push(ExprKind::Error, span),
                    None => self.reject(
                        p,
                        format!(
                            "cannot find `{name}` in this #[ptx_kernel] function: kernels can use their parameters, \
                             their locals, literals and constants such as `u32::MAX` or `f32::consts::PI`"
                        ),
                    ),
                };
            }
        }
        match constant(&p.path) {
            Some((ty, bits)) => self.push(ExprKind::Const(ty, bits), span),
            None => self.reject(
                p,
                format!(
                    "`{}` is not supported in #[ptx_kernel] functions: kernels can use their parameters, their \
                     locals, literals and constants such as `u32::MAX`, `f32::EPSILON` or `f32::consts::PI`",
                    path_string(&p.path)
                ),
            ),
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> ExprId {
        use syn::BinOp as B;
        let span = expr_range_binary(b);
        let compound = match b.op {
            B::AddAssign(_) => Some(BinaryOp::Add),
            B::SubAssign(_) => Some(BinaryOp::Sub),
            B::MulAssign(_) => Some(BinaryOp::Mul),
            B::DivAssign(_) => Some(BinaryOp::Div),
            B::RemAssign(_) => Some(BinaryOp::Rem),
            B::BitAndAssign(_) => Some(BinaryOp::BitAnd),
            B::BitOrAssign(_) => Some(BinaryOp::BitOr),
            B::BitXorAssign(_) => Some(BinaryOp::BitXor),
            B::ShlAssign(_) => Some(BinaryOp::Shl),
            B::ShrAssign(_) => Some(BinaryOp::Shr),
            _ => None,
        };
        if let Some(op) = compound {
            // Rust evaluates the right operand of a primitive compound assignment first.
            let value = self.expr(&b.right);
            return match self.place(&b.left) {
                Some(place) => self.push(ExprKind::CompoundAssign(op, place, value), span),
                None => self.push(ExprKind::Error, span),
            };
        }
        let logical = match b.op {
            B::And(_) => Some(LogicalOp::And),
            B::Or(_) => Some(LogicalOp::Or),
            _ => None,
        };
        let lhs = self.expr(&b.left);
        let rhs = self.expr(&b.right);
        if let Some(op) = logical {
            return self.push(ExprKind::Logical(op, lhs, rhs), span);
        }
        let op = match b.op {
            B::Add(_) => BinaryOp::Add,
            B::Sub(_) => BinaryOp::Sub,
            B::Mul(_) => BinaryOp::Mul,
            B::Div(_) => BinaryOp::Div,
            B::Rem(_) => BinaryOp::Rem,
            B::BitAnd(_) => BinaryOp::BitAnd,
            B::BitOr(_) => BinaryOp::BitOr,
            B::BitXor(_) => BinaryOp::BitXor,
            B::Shl(_) => BinaryOp::Shl,
            B::Shr(_) => BinaryOp::Shr,
            B::Eq(_) => BinaryOp::Eq,
            B::Ne(_) => BinaryOp::Ne,
            B::Lt(_) => BinaryOp::Lt,
            B::Le(_) => BinaryOp::Le,
            B::Gt(_) => BinaryOp::Gt,
            B::Ge(_) => BinaryOp::Ge,
            _ => return self.reject(&b.op, "this operator is not supported in #[ptx_kernel] functions"),
        };
        self.push(ExprKind::Binary(op, lhs, rhs), span)
    }

    /// The target of an assignment.
    fn place(&mut self, e: &syn::Expr) -> Option<Place> {
        match e {
            syn::Expr::Paren(p) => self.place(&p.expr),
            syn::Expr::Group(g) => self.place(&g.expr),
            syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 && p.path.leading_colon.is_none() => {
                let name = p.path.segments[0].ident.to_string();
                match self.lookup(&name) {
                    Some(Binding::Local(l)) => Some(Place::Local(l)),
                    Some(Binding::Slice(_)) => {
                        self.errors.spanned(
                            p,
                            format!(
                                "cannot assign to the slice `{name}` itself: assign to its elements, `{name}[i] = …`"
                            ),
                        );
                        None
                    }
                    Some(Binding::Shared(..)) => {
                        self.errors.spanned(
                            p,
                            format!("cannot assign to the shared array `{name}` itself: assign to its elements"),
                        );
                        None
                    }
                    Some(Binding::Poisoned) => None,
                    None => {
                        self.errors.spanned(p, format!("cannot find `{name}` in this #[ptx_kernel] function"));
                        None
                    }
                }
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                // `*x.get_unchecked_mut(i) = v`.
                match self.unchecked_call(&u.expr) {
                    Some((m, true)) => {
                        let (slice, _) = self.slice_base(&m.receiver)?;
                        let index = self.expr(&m.args[0]);
                        self.body.unchecked.push(index);
                        Some(Place::Index(slice, index))
                    }
                    _ => {
                        self.errors.spanned(
                            e,
                            "#[ptx_kernel] functions can only assign through `*x.get_unchecked_mut(i)`; assign to \
                             local variables (`x = …`) and slice elements (`x[i] = …`)",
                        );
                        None
                    }
                }
            }
            syn::Expr::Index(ix) => {
                if let Some(p) = self.array_place(ix) {
                    return p;
                }
                let (base, index) = self.index_place(ix)?;
                Some(Place::Index(base, index))
            }
            other => {
                self.errors.spanned(
                    other,
                    "#[ptx_kernel] functions can only assign to local variables (`x = …`) and slice elements \
                     (`x[i] = …`)",
                );
                None
            }
        }
    }

    /// `x.get_unchecked(i)` (`false`) or `x.get_unchecked_mut(i)` (`true`) on a slice parameter `x`.
    fn unchecked_call<'x>(&self, e: &'x syn::Expr) -> Option<(&'x syn::ExprMethodCall, bool)> {
        let syn::Expr::MethodCall(m) = e else { return None };
        let mutable = match m.method.to_string().as_str() {
            "get_unchecked" => false,
            "get_unchecked_mut" => true,
            _ => return None,
        };
        let name = as_simple_name(&m.receiver)?;
        match (self.lookup(&name), m.args.len(), &m.turbofish) {
            (Some(Binding::Slice(_)), 1, None) => Some((m, mutable)),
            _ => None,
        }
    }

    /// The slice parameter or shared array a `base[i]` indexes (with a 2-D shared array's row length).
    pub(super) fn slice_base(&mut self, base: &syn::Expr) -> Option<(Base, Option<u64>)> {
        let inner = match base {
            syn::Expr::Paren(p) => return self.slice_base(&p.expr),
            syn::Expr::Group(g) => return self.slice_base(&g.expr),
            syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => p,
            other => {
                self.errors.spanned(
                    other,
                    "only slice parameters and shared arrays can be indexed in #[ptx_kernel] functions",
                );
                return None;
            }
        };
        let name = inner.path.segments[0].ident.to_string();
        match self.lookup(&name) {
            Some(Binding::Slice(s)) => Some((Base::Slice(s), None)),
            Some(Binding::Shared(s, row)) => Some((Base::Shared(s), row)),
            Some(Binding::Poisoned) => None,
            Some(Binding::Local(_)) => {
                self.errors.spanned(
                    inner,
                    format!("`{name}` is a scalar: only slice parameters (`&[T]`, `&mut [T]`) can be indexed"),
                );
                None
            }
            None => {
                self.errors.spanned(inner, format!("cannot find `{name}` in this #[ptx_kernel] function"));
                None
            }
        }
    }

    fn call(&mut self, call: &syn::ExprCall) -> ExprId {
        let span = SpanRange { start: call.span(), end: call.paren_token.span.close() };
        if let Some(id) = self.device_call(call, span) {
            return id;
        }
        if let Some(id) = self.half_from(call, span) {
            return id;
        }
        if let Some(id) = self.path_method_call(call, span) {
            return id;
        }
        let syn::Expr::Path(fp) = &*call.func else {
            return self.reject(
                &*call.func,
                format!(
                    "only the intrinsics of `ptx_kernel::gpu` can be called in #[ptx_kernel] functions ({})",
                    intrinsic_list()
                ),
            );
        };
        let segs: Vec<String> = fp.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let last = segs.last().cloned().unwrap_or_default();
        let prefix = &segs[..segs.len().saturating_sub(1)];
        let gpu_prefix = fp.qself.is_none()
            && fp.path.segments.iter().all(|s| s.arguments.is_none())
            && (prefix == ["gpu"] || prefix == ["ptx_kernel", "gpu"]);
        if gpu_prefix {
            if let Some(id) = self.seed_call(&last, call, span) {
                return id;
            }
        }
        if let Some(id) = self.breadth_call(call, fp, span) {
            return id;
        }
        if let (true, Some(intr)) = (gpu_prefix, Intrinsic::from_name(&last)) {
            if !call.args.is_empty() {
                return self.reject(&call.args, format!("`gpu::{last}()` takes no arguments"));
            }
            return self.push(ExprKind::Intrinsic(intr), span);
        }
        if prefix.is_empty() && Intrinsic::from_name(&last).is_some() {
            return self.reject(
                fp,
                format!("call intrinsics through their module in #[ptx_kernel] functions: `gpu::{last}()`"),
            );
        }
        let heap = segs.iter().any(|s| matches!(s.as_str(), "Vec" | "Box" | "String" | "Rc" | "Arc" | "HashMap"));
        let msg = if heap {
            format!(
                "`{}` is not supported in #[ptx_kernel] functions: heap types (Vec, Box, String, …) don't exist on \
                 the GPU; pass data in slice parameters",
                path_string(&fp.path)
            )
        } else {
            format!(
                "calls to `{}` are not supported in #[ptx_kernel] functions: only the intrinsics of \
                 `ptx_kernel::gpu` can be called ({}); write the code inline",
                path_string(&fp.path),
                intrinsic_list()
            )
        };
        // Check the arguments anyway, to report their problems too.
        for a in &call.args {
            self.expr(a);
        }
        self.reject(fp, msg)
    }

    fn method_call(&mut self, m: &syn::ExprMethodCall) -> ExprId {
        let span = SpanRange { start: m.receiver.span(), end: m.paren_token.span.close() };
        let name = m.method.to_string();
        if let Some(t) = &m.turbofish {
            return self.reject(t, "turbofish (`::<T>`) is not supported on methods in #[ptx_kernel] functions");
        }
        // `x.len()` on a slice parameter or a shared array.
        if let Some(slice_name) = as_simple_name(&m.receiver) {
            let base = match self.lookup(&slice_name) {
                Some(Binding::Slice(s)) => Some(Base::Slice(s)),
                Some(Binding::Shared(s, _)) => Some(Base::Shared(s)),
                _ => None,
            };
            if let Some(base) = base {
                if name == "len" && m.args.is_empty() {
                    return self.push(ExprKind::Len(base), span);
                }
                if (name == "get_unchecked" || name == "get_unchecked_mut")
                    && m.args.len() == 1
                    && matches!(base, Base::Slice(_))
                {
                    // rustc requires `unsafe` around it; the value is the element (`*` or auto-deref).
                    let index = self.expr(&m.args[0]);
                    self.body.unchecked.push(index);
                    return self.push(ExprKind::Index(base, index), span);
                }
                return self.reject(
                    &m.method,
                    format!(
                        "`{slice_name}.{name}(…)` is not supported: slices support `{slice_name}.len()` and \
                         indexing `{slice_name}[i]` in #[ptx_kernel] functions{}",
                        if matches!(name.as_str(), "iter" | "iter_mut" | "into_iter") {
                            " (iterate over indices: `for i in 0..x.len()`)"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }
        if (name == "to_f32" || name == "to_f64") && m.args.is_empty() && m.turbofish.is_none() {
            let recv = self.expr(&m.receiver);
            let to = if name == "to_f32" { ScalarTy::F32 } else { ScalarTy::F64 };
            return self.push(ExprKind::HalfConv(recv, None, to), span);
        }
        if name == "step_by" {
            return self.reject(
                &m.method,
                "`step_by` is only supported as a `for` loop's iterator: `for i in (a..b).step_by(s)`",
            );
        }
        let Some((method, arity)) = Method::from_name(&name) else {
            // The receiver's own problems are reported too.
            self.expr(&m.receiver);
            return self.reject(
                &m.method,
                format!("method `{name}` is not supported in #[ptx_kernel] functions ({METHODS_SUPPORTED})"),
            );
        };
        let receiver = self.expr(&m.receiver);
        let args: Vec<ExprId> = m.args.iter().map(|a| self.expr(a)).collect();
        if args.len() != arity {
            return self.reject(&m.method, format!("`{name}` takes {arity} argument(s), {} given", args.len()));
        }
        self.push(ExprKind::Method(method, receiver, args), span)
    }

    /// `T::m(x, args…)` for a scalar type `T`: exactly `x.m(args…)` with `x` of type `T` (so `f64::sqrt(2.0)` and
    /// `u64::max(3, b)` type their literal receiver from the path), desugared here so that the later stages see
    /// the method form. `None` when the callee is not `T::name` with `T` a scalar type.
    fn path_method_call(&mut self, call: &syn::ExprCall, span: SpanRange) -> Option<ExprId> {
        let syn::Expr::Path(fp) = &*call.func else { return None };
        let segs: Vec<&syn::PathSegment> = fp.path.segments.iter().collect();
        let [ty_seg, m_seg] = segs[..] else { return None };
        if fp.qself.is_some() || fp.path.leading_colon.is_some() {
            return None;
        }
        let ty = ScalarTy::from_name(&ty_seg.ident.to_string())?;
        let name = m_seg.ident.to_string();
        // The arguments' own problems are reported whatever is wrong with the call.
        let args: Vec<ExprId> = call.args.iter().map(|a| self.expr(a)).collect();
        if !ty_seg.arguments.is_none() || !m_seg.arguments.is_none() {
            return Some(self.reject(fp, "turbofish (`::<T>`) is not supported on methods in #[ptx_kernel] functions"));
        }
        let Some((method, arity)) = Method::from_name(&name) else {
            return Some(self.reject(
                fp,
                format!("`{ty}::{name}` is not supported in #[ptx_kernel] functions ({METHODS_SUPPORTED})"),
            ));
        };
        if !method.works_on(ty) {
            return Some(self.reject(fp, format!("no method `{name}` on `{ty}` in #[ptx_kernel] functions")));
        }
        if args.len() != arity + 1 {
            return Some(self.reject(
                fp,
                format!("`{ty}::{name}` takes {} argument(s) (the receiver first), {} given", arity + 1, args.len()),
            ));
        }
        self.body.path_receivers.push((args[0], ty));
        Some(self.push(ExprKind::Method(method, args[0], args[1..].to_vec()), span))
    }

    fn if_expr(&mut self, i: &syn::ExprIf) -> ExprId {
        if let syn::Expr::Let(l) = &*i.cond {
            return self.reject(
                l,
                "`if let` is not supported in #[ptx_kernel] functions: kernel values are scalars; use a boolean \
                 condition",
            );
        }
        let cond = self.expr(&i.cond);
        let then = self.block(&i.then_branch);
        let else_ = i.else_branch.as_ref().map(|(_, e)| self.expr(e));
        self.push(ExprKind::If(cond, then, else_), SpanRange { start: i.if_token.span, end: last_span_if(i) })
    }

    fn for_loop(&mut self, f: &syn::ExprForLoop) -> ExprId {
        let span = SpanRange { start: f.span(), end: f.body.brace_token.span.close() };
        // The iterator: a range, or a parenthesised range with `.step_by(s)`; rustc accepts redundant parentheses
        // around either (`for i in (0..n)`, with an `unused_parens` warning).
        let (range, step) = match strip_parens(&f.expr) {
            syn::Expr::Range(r) => (r, None),
            syn::Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 && m.turbofish.is_none() => {
                match strip_parens(&m.receiver) {
                    syn::Expr::Range(r) => (r, Some(&m.args[0])),
                    other => {
                        return self.reject(other, "`step_by` needs a range receiver: `(a..b).step_by(s)`");
                    }
                }
            }
            other => {
                return self.reject(
                    other,
                    "#[ptx_kernel] `for` loops iterate over integer ranges: `a..b`, `a..=b` or \
                     `(a..b).step_by(s)` (to visit a slice, loop over its indices `0..x.len()`)",
                )
            }
        };
        let (Some(start), Some(end)) = (&range.start, &range.end) else {
            return self.reject(range, "a `for` range needs both ends in #[ptx_kernel] functions: `a..b` or `a..=b`");
        };
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        let start = self.expr(start);
        let end = self.expr(end);
        let step = step.map(|s| self.expr(s));
        let unroll = self.unroll_attr(&f.attrs);
        let id = self.new_loop(LoopKind::For, f.label.as_ref());
        self.scopes.push(Vec::new());
        let var = match &*f.pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let local = self.new_local(p.ident.to_string(), p.mutability.is_some(), None, p.ident.span());
                self.bind(&p.ident, Binding::Local(local));
                Some(local)
            }
            syn::Pat::Wild(_) => None,
            other => {
                self.errors.spanned(other, "a `for` loop variable must be a name (`i`, `mut i`) or `_`");
                None
            }
        };
        self.loop_stack.push(id);
        let body = self.block(&f.body);
        self.loop_stack.pop();
        self.scopes.pop();
        self.push(ExprKind::For(Box::new(ForLoop { id, var, start, end, inclusive, step, body, unroll })), span)
    }

    /// The loop a `break`/`continue` (with an optional label) refers to.
    fn loop_target(&mut self, label: Option<&syn::Lifetime>, e: &syn::Expr) -> Option<LoopId> {
        match label {
            None => match self.loop_stack.last() {
                Some(&id) => Some(id),
                None => {
                    self.errors.spanned(e, "`break`/`continue` outside of a loop");
                    None
                }
            },
            Some(l) => {
                let name = l.ident.to_string();
                let found = self
                    .loop_stack
                    .iter()
                    .rev()
                    .find(|id| self.body.loops[id.0 as usize].label.as_deref() == Some(name.as_str()))
                    .copied();
                if found.is_none() {
                    self.errors.spanned(l, format!("no enclosing loop is labeled `'{name}`"));
                }
                found
            }
        }
    }
}

/// The message for a macro invocation.
fn macro_message(mac: &syn::Macro) -> String {
    format!(
        "macros (`{}!`) are not supported in #[ptx_kernel] functions: the attribute sees the body before macros \
         are expanded (there is no printing or panicking on the GPU yet)",
        path_string(&mac.path)
    )
}

/// The message for a type that is not a scalar, where `what` says where it was written.
fn unsupported_type_message(ty: &syn::Type, what: &str) -> String {
    let heap = if is_heap_type(ty) { " (heap types like Vec, Box and String don't exist on the GPU)" } else { "" };
    format!(
        "unsupported type `{}` in {what} of a #[ptx_kernel] function{heap}: the supported types are the scalars \
         {SUPPORTED_SCALARS}",
        type_string(ty)
    )
}

/// `a::b::c`.
pub(super) fn path_string(p: &syn::Path) -> String {
    let s = p.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::");
    if p.leading_colon.is_some() {
        format!("::{s}")
    } else {
        s
    }
}

pub(super) fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        e => e,
    }
}

/// The name of a plain one-segment path expression.
fn as_simple_name(e: &syn::Expr) -> Option<String> {
    match strip_parens(e) {
        syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 && p.path.leading_colon.is_none() => {
            Some(p.path.segments[0].ident.to_string())
        }
        _ => None,
    }
}

fn collect_pat_idents(p: &syn::Pat, out: &mut Vec<syn::Ident>) {
    match p {
        syn::Pat::Ident(i) => out.push(i.ident.clone()),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|e| collect_pat_idents(e, out)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|e| collect_pat_idents(e, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| collect_pat_idents(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|e| collect_pat_idents(e, out)),
        syn::Pat::Type(t) => collect_pat_idents(&t.pat, out),
        syn::Pat::Reference(r) => collect_pat_idents(&r.pat, out),
        syn::Pat::Paren(p) => collect_pat_idents(&p.pat, out),
        _ => {}
    }
}

/// `u32::MAX`, `f32::EPSILON`, `f32::consts::PI`, `std::f64::consts::E`, …: the type and raw bits.
fn constant(path: &syn::Path) -> Option<(ScalarTy, u64)> {
    if path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (ty, name) = match segs.as_slice() {
        [ty, name] => (ScalarTy::from_name(ty)?, *name),
        [ty, "consts", name] | ["std" | "core", ty, "consts", name] => {
            let ty = ScalarTy::from_name(ty).filter(|t| t.is_float())?;
            return float_const(ty, name).map(|bits| (ty, bits));
        }
        _ => return None,
    };
    if ty.is_int() {
        if name == "BITS" {
            return Some((ScalarTy::U32, ty.bits() as u64));
        }
        let bits = ty.bits();
        let v: u64 = match (name, ty.is_signed()) {
            ("MAX", false) => u64::MAX >> (64 - bits),
            ("MIN", false) => 0,
            ("MAX", true) => (u64::MAX >> (64 - bits)) >> 1,
            // Stored as the type's own bits, sign-extended to 64.
            ("MIN", true) => (i64::MIN >> (64 - bits)) as u64,
            _ => return None,
        };
        return Some((ty, v));
    }
    if ty.is_float() {
        let f32_bits = |v: f32| v.to_bits() as u64;
        let bits = match (ty, name) {
            (ScalarTy::F32, "MAX") => f32_bits(f32::MAX),
            (ScalarTy::F32, "MIN") => f32_bits(f32::MIN),
            (ScalarTy::F32, "EPSILON") => f32_bits(f32::EPSILON),
            (ScalarTy::F32, "MIN_POSITIVE") => f32_bits(f32::MIN_POSITIVE),
            (ScalarTy::F32, "INFINITY") => f32_bits(f32::INFINITY),
            (ScalarTy::F32, "NEG_INFINITY") => f32_bits(f32::NEG_INFINITY),
            (ScalarTy::F32, "NAN") => f32_bits(f32::NAN),
            (ScalarTy::F64, "MAX") => f64::MAX.to_bits(),
            (ScalarTy::F64, "MIN") => f64::MIN.to_bits(),
            (ScalarTy::F64, "EPSILON") => f64::EPSILON.to_bits(),
            (ScalarTy::F64, "MIN_POSITIVE") => f64::MIN_POSITIVE.to_bits(),
            (ScalarTy::F64, "INFINITY") => f64::INFINITY.to_bits(),
            (ScalarTy::F64, "NEG_INFINITY") => f64::NEG_INFINITY.to_bits(),
            (ScalarTy::F64, "NAN") => f64::NAN.to_bits(),
            _ => return None,
        };
        return Some((ty, bits));
    }
    None
}

/// The `consts` module of `f32`/`f64`.
fn float_const(ty: ScalarTy, name: &str) -> Option<u64> {
    macro_rules! table {
        ($($n:ident),*) => {
            match (ty, name) {
                $(
                    (ScalarTy::F32, stringify!($n)) => Some(std::f32::consts::$n.to_bits() as u64),
                    (ScalarTy::F64, stringify!($n)) => Some(std::f64::consts::$n.to_bits()),
                )*
                _ => None,
            }
        };
    }
    table!(
        PI, TAU, E, SQRT_2, FRAC_1_SQRT_2, LN_2, LN_10, LOG2_E, LOG10_E, LOG2_10, LOG10_2, FRAC_PI_2, FRAC_PI_3,
        FRAC_PI_4, FRAC_PI_6, FRAC_PI_8, FRAC_1_PI, FRAC_2_PI, FRAC_2_SQRT_PI
    )
}

/// First and last token of an expression, without building its token stream (which would make checking quadratic).
pub(super) fn expr_range(e: &syn::Expr) -> SpanRange {
    SpanRange { start: e.span(), end: last_span(e) }
}

fn expr_range_binary(b: &syn::ExprBinary) -> SpanRange {
    SpanRange { start: b.left.span(), end: last_span(&b.right) }
}

fn last_span_if(i: &syn::ExprIf) -> Span {
    match &i.else_branch {
        Some((_, e)) => last_span(e),
        None => i.then_branch.brace_token.span.close(),
    }
}

/// The span of the last token of `e`, following the right spine of the tree.
fn last_span(e: &syn::Expr) -> Span {
    use syn::Expr as E;
    match e {
        E::Binary(b) => last_span(&b.right),
        E::Assign(a) => last_span(&a.right),
        E::Unary(u) => last_span(&u.expr),
        E::Cast(c) => SpanRange::of(&*c.ty).end,
        E::Paren(p) => p.paren_token.span.close(),
        E::Group(g) => last_span(&g.expr),
        E::Call(c) => c.paren_token.span.close(),
        E::MethodCall(m) => m.paren_token.span.close(),
        E::Index(i) => i.bracket_token.span.close(),
        E::Block(b) => b.block.brace_token.span.close(),
        E::Unsafe(u) => u.block.brace_token.span.close(),
        E::If(i) => last_span_if(i),
        E::While(w) => w.body.brace_token.span.close(),
        E::Loop(l) => l.body.brace_token.span.close(),
        E::ForLoop(f) => f.body.brace_token.span.close(),
        E::Range(r) => r.end.as_deref().map_or_else(|| r.span(), last_span),
        E::Return(r) => r.expr.as_deref().map_or(r.return_token.span, last_span),
        E::Break(b) => b.expr.as_deref().map_or_else(|| b.span(), last_span),
        E::Path(p) => p.path.segments.last().map_or_else(|| p.span(), |s| s.ident.span()),
        E::Field(f) => match &f.member {
            syn::Member::Named(n) => n.span(),
            syn::Member::Unnamed(i) => i.span,
        },
        E::Tuple(t) => t.paren_token.span.close(),
        E::Array(a) => a.bracket_token.span.close(),
        E::Repeat(r) => r.bracket_token.span.close(),
        E::Struct(s) => s.brace_token.span.close(),
        E::Match(m) => m.brace_token.span.close(),
        E::Closure(c) => last_span(&c.body),
        E::Reference(r) => last_span(&r.expr),
        E::Try(t) => t.question_token.span,
        _ => e.span(),
    }
}
