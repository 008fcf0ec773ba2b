//! The checked kernel body: a small tree that holds only what the subset allows, with names resolved.
//!
//! [`check`](super::check) builds it from `syn`, rejecting everything else; [`infer`](super::infer) gives every
//! expression a type; [`lower`](super::lower) turns it into ptx-gen IR. Expressions live in one arena
//! ([`Body::exprs`]) and refer to each other by [`ExprId`]; an expression's id is also its `SrcLoc` in the IR, so a
//! late error maps back to the expression's span.

use proc_macro2::Span;

use super::diag::SpanRange;
use super::types::ScalarTy;

/// An expression of [`Body::exprs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExprId(pub u32);

/// A local variable (a `let` binding, a `for` variable or a scalar parameter) of [`Body::locals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocalId(pub u32);

/// A slice parameter, by its position among the slice parameters of the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SliceId(pub u32);

/// A shared-memory array of [`Body::shared`] (`gpu::SharedArray::<T, N>::new()` or `gpu::dynamic_shared::<T>()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SharedId(pub u32);

/// What `x[i]` indexes: a slice parameter or a shared-memory array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    Slice(SliceId),
    Shared(SharedId),
}

/// A shared-memory array: one `.shared` module variable (16-byte aligned), or the `.extern .shared` array of
/// dynamic shared memory.
#[derive(Clone, Debug)]
pub struct SharedData {
    pub name: String,
    pub elem: ScalarTy,
    /// Elements in all (`N`, or `N * M` for `SharedArray<[T; M], N>`); 0 for dynamic shared memory.
    pub len: u64,
    /// `N`: what `len()` returns.
    pub outer: u64,
    /// `gpu::dynamic_shared::<T>()`: its length follows the launch's `shared_mem_bytes`.
    pub dynamic: bool,
}

/// A loop of [`Body::loops`] (the target of `break`/`continue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LoopId(pub u32);

/// The whole body.
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub exprs: Vec<Expr>,
    pub locals: Vec<LocalData>,
    pub loops: Vec<LoopData>,
    /// Shared-memory arrays, by [`SharedId`].
    pub shared: Vec<SharedData>,
    /// Locals holding the scalar parameters, in signature order (`None` for slice parameters).
    pub param_locals: Vec<Option<LocalId>>,
    pub block: Block,
    /// Index expressions of `x.get_unchecked(i)` / `*x.get_unchecked_mut(i)`: no bounds check.
    pub unchecked: Vec<ExprId>,
    /// Receivers of path-form calls `T::m(x, …)` (checked as `x.m(…)`), with the `T` that fixes their type.
    pub path_receivers: Vec<(ExprId, ScalarTy)>,
    /// The first `unsafe` block, if any: the launcher is then an `unsafe fn`.
    pub unsafe_block: Option<Span>,
}

impl Body {
    /// The expression `id`.
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.0 as usize]
    }
    /// The local `id`.
    pub fn local(&self, id: LocalId) -> &LocalData {
        &self.locals[id.0 as usize]
    }
}

/// A local variable.
#[derive(Clone, Debug)]
pub struct LocalData {
    pub name: String,
    pub mutable: bool,
    /// The type written in `let x: T`, or the parameter's type.
    pub annotation: Option<ScalarTy>,
    pub span: Span,
}

/// What a loop is, for `continue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    While,
    Loop,
    For,
    /// The body of an inlined device function (target of its `return`s).
    Frame,
}

/// A loop.
#[derive(Clone, Debug)]
pub struct LoopData {
    pub kind: LoopKind,
    pub label: Option<String>,
    /// Whether some `break` targets it (a `loop` without one never ends: its type is `!`).
    pub has_break: bool,
    /// Frames: the device function's result type.
    pub ret: Option<ScalarTy>,
}

/// An expression and where it came from.
#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: SpanRange,
}

/// A literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// An integer literal: its value and its suffix type, if any.
    Int(u128, Option<ScalarTy>),
    /// A float literal: its decimal digits (parsed once its type is known, so an `f32` literal is rounded once, as
    /// rustc does) and its suffix type, if any.
    Float(String, Option<ScalarTy>),
    Bool(bool),
}

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `!x`: logical on `bool`, bitwise on integers.
    Not,
}

/// A binary operator other than `&&`/`||`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    /// `==` … `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }
    /// `<<` / `>>`: the amount's type is independent of the value's.
    pub fn is_shift(self) -> bool {
        matches!(self, BinaryOp::Shl | BinaryOp::Shr)
    }
    /// The Rust spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::BitAnd => "&",
            BinaryOp::BitOr => "|",
            BinaryOp::BitXor => "^",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        }
    }
}

/// `&&` or `||`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicalOp {
    And,
    Or,
}

/// A kernel-side intrinsic of `ptx_kernel::gpu`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intrinsic {
    ThreadIdx(ptx_gen::Dim),
    BlockIdx(ptx_gen::Dim),
    BlockDim(ptx_gen::Dim),
    GridDim(ptx_gen::Dim),
    GlobalIdxX,
    SyncThreads,
}

impl Intrinsic {
    /// Every intrinsic with its name in `ptx_kernel::gpu`.
    pub const ALL: [(&'static str, Intrinsic); 14] = {
        use ptx_gen::Dim::{X, Y, Z};
        [
            ("thread_idx_x", Intrinsic::ThreadIdx(X)),
            ("thread_idx_y", Intrinsic::ThreadIdx(Y)),
            ("thread_idx_z", Intrinsic::ThreadIdx(Z)),
            ("block_idx_x", Intrinsic::BlockIdx(X)),
            ("block_idx_y", Intrinsic::BlockIdx(Y)),
            ("block_idx_z", Intrinsic::BlockIdx(Z)),
            ("block_dim_x", Intrinsic::BlockDim(X)),
            ("block_dim_y", Intrinsic::BlockDim(Y)),
            ("block_dim_z", Intrinsic::BlockDim(Z)),
            ("grid_dim_x", Intrinsic::GridDim(X)),
            ("grid_dim_y", Intrinsic::GridDim(Y)),
            ("grid_dim_z", Intrinsic::GridDim(Z)),
            ("global_idx_x", Intrinsic::GlobalIdxX),
            ("sync_threads", Intrinsic::SyncThreads),
        ]
    };

    /// The intrinsic called `name`.
    pub fn from_name(name: &str) -> Option<Intrinsic> {
        Intrinsic::ALL.iter().find(|(n, _)| *n == name).map(|&(_, i)| i)
    }
}

/// A method of a scalar receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `abs` (floats and signed integers).
    Abs,
    /// `min` (floats and integers).
    Min,
    /// `max` (floats and integers).
    Max,
    Sqrt,
    MulAdd,
    Floor,
    Ceil,
    Round,
    Trunc,
    /// The transcendental functions of [`lower_math`](super::lower_math).
    Math(super::lower_math::MathFn),
}

impl Method {
    /// Every method with its name and number of arguments.
    pub const ALL: [(&'static str, Method, usize); 22] = [
        ("abs", Method::Abs, 0),
        ("min", Method::Min, 1),
        ("max", Method::Max, 1),
        ("sqrt", Method::Sqrt, 0),
        ("mul_add", Method::MulAdd, 2),
        ("floor", Method::Floor, 0),
        ("ceil", Method::Ceil, 0),
        ("round", Method::Round, 0),
        ("trunc", Method::Trunc, 0),
        ("exp", Method::Math(super::lower_math::MathFn::Exp), 0),
        ("exp2", Method::Math(super::lower_math::MathFn::Exp2), 0),
        ("ln", Method::Math(super::lower_math::MathFn::Ln), 0),
        ("log2", Method::Math(super::lower_math::MathFn::Log2), 0),
        ("log10", Method::Math(super::lower_math::MathFn::Log10), 0),
        ("sin", Method::Math(super::lower_math::MathFn::Sin), 0),
        ("cos", Method::Math(super::lower_math::MathFn::Cos), 0),
        ("tan", Method::Math(super::lower_math::MathFn::Tan), 0),
        ("tanh", Method::Math(super::lower_math::MathFn::Tanh), 0),
        ("powf", Method::Math(super::lower_math::MathFn::Powf), 1),
        ("powi", Method::Math(super::lower_math::MathFn::Powi), 1),
        ("recip", Method::Math(super::lower_math::MathFn::Recip), 0),
        ("hypot", Method::Math(super::lower_math::MathFn::Hypot), 1),
    ];

    /// The method called `name` and its argument count.
    pub fn from_name(name: &str) -> Option<(Method, usize)> {
        Method::ALL.iter().find(|(n, _, _)| *n == name).map(|&(_, m, a)| (m, a))
    }

    /// The Rust name.
    pub fn name(self) -> &'static str {
        Method::ALL.iter().find(|(_, m, _)| *m == self).map_or("?", |(n, _, _)| n)
    }

    /// Whether integers have it too (`abs` only for signed ones).
    pub fn works_on_ints(self) -> bool {
        matches!(self, Method::Abs | Method::Min | Method::Max)
    }

    /// Whether a receiver of type `t` has it.
    pub fn works_on(self, t: ScalarTy) -> bool {
        t.is_float() || (t.is_int() && self.works_on_ints() && (self != Method::Abs || t.is_signed()))
    }
}

/// Where an assignment writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Local(LocalId),
    /// `x[i]` of a slice parameter or a shared array (`t[y][x]` of a 2-D one is linearised by `check`); the index
    /// expression.
    Index(Base, ExprId),
    /// `a[i]` / `a[i][j]` of a local array.
    Elem(LocalId, ExprId, Option<ExprId>),
}

/// `for var in start..end`, `start..=end`, `(start..end).step_by(step)`.
#[derive(Clone, Debug)]
pub struct ForLoop {
    pub id: LoopId,
    /// The loop variable (`None` for `_`).
    pub var: Option<LocalId>,
    pub start: ExprId,
    pub end: ExprId,
    pub inclusive: bool,
    /// `step_by`'s argument (a `usize`).
    pub step: Option<ExprId>,
    /// `#[unroll]`: constant bounds, the body repeated once per value (the variable a constant in each copy).
    pub unroll: bool,
    pub body: Block,
}

/// An inlined device-function call.
#[derive(Clone, Debug)]
pub struct Inline {
    /// The function's name (for messages).
    pub name: String,
    /// Each parameter's local and its argument, in order (arguments are evaluated left to right first).
    pub params: Vec<(LocalId, ExprId)>,
    pub body: Block,
    /// The frame `return` leaves.
    pub frame: LoopId,
    /// The declared result type (`None`: `()`).
    pub ret: Option<ScalarTy>,
}

/// An expression.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// Something [`check`](super::check) rejected (its error is recorded); lets checking go on.
    Error,
    /// `()`.
    Unit,
    Lit(Lit),
    /// A constant of a known type: `u32::MAX`, `f32::consts::PI`, … as raw bits of the type.
    Const(ScalarTy, u64),
    Local(LocalId),
    Unary(UnaryOp, ExprId),
    Binary(BinaryOp, ExprId, ExprId),
    Logical(LogicalOp, ExprId, ExprId),
    Assign(Place, ExprId),
    CompoundAssign(BinaryOp, Place, ExprId),
    Cast(ExprId, ScalarTy),
    /// `x[i]` read.
    Index(Base, ExprId),
    /// `x.len()`.
    Len(Base),
    /// `[a, b, c]`.
    Array(Vec<ExprId>),
    /// `[x; n]` (`m == 0`) or `[[x; m]; n]`.
    Repeat(ExprId, u32, u32),
    /// `a[i]` of an array value (a local array, a vector element `x[i]`, a row `a[i]` of a 2-D array).
    Elem(ExprId, ExprId),
    /// `f16::from_f32(x)` (`Some(F32)`, to `F16`), `bf16::from_f32`, `f16::from_f64`, `x.to_f32()` / `x.to_f64()`
    /// (`None`: from the receiver's half type), `f16::to_f32(x)` (`Some(F16)`, to `F32`): conversions with `half`'s
    /// semantics (round to nearest even).
    HalfConv(ExprId, Option<ScalarTy>, ScalarTy),
    /// A call of a `#[ptx_device]` function, inlined: its body checked at this call site.
    Inline(Box<Inline>),
    /// `return v` inside an inlined device function: leaves the frame (a [`LoopId`] of kind `Frame`).
    FrameReturn(LoopId, Option<ExprId>),
    Intrinsic(Intrinsic),
    /// A `gpu::` intrinsic taking arguments (see [`super::intrinsics`]).
    Call(super::intrinsics::Call, Vec<ExprId>),
    /// A `gpu::` intrinsic whose first argument is a memory place, `&mut x[i]` / `&x[i]`: the place's base and
    /// index, then the other arguments.
    MemCall(super::intrinsics::MemCall, Base, ExprId, Vec<ExprId>),
    /// `receiver.method(args)`.
    Method(Method, ExprId, Vec<ExprId>),
    /// `if cond { then } else { else_ }`; `else_` is a `Block` or another `If` expression.
    If(ExprId, Block, Option<ExprId>),
    While(LoopId, ExprId, Block),
    Loop(LoopId, Block),
    For(Box<ForLoop>),
    Break(LoopId),
    Continue(LoopId),
    Return,
    Block(Block),
    /// An intrinsic of the seed's controls (SM identity, ordering, scoped atomics, barriers, inline PTX).
    Seed(Box<super::seed::SeedOp>),
}

/// A statement.
#[derive(Clone, Debug)]
pub enum Stmt {
    /// `let pat (: T)? (= init)?;` — `local` is `None` for `let _ = …`.
    Let { local: Option<LocalId>, init: Option<ExprId> },
    /// An expression statement (with or without `;`).
    Expr(ExprId),
}

/// `{ stmts; tail }`.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<ExprId>,
}
