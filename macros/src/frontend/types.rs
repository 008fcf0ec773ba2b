//! The Rust types a kernel can use, and how each one is represented in PTX.
//!
//! | Rust | register (`ptx_gen::Type`) | in memory | as a kernel parameter |
//! |---|---|---|---|
//! | `i8` / `u8` | `.s32` / `.u32`, kept sign-/zero-extended from 8 bits | `.s8` / `.u8` | `.s8` / `.u8` |
//! | `i16` / `u16` | `.s32` / `.u32`, kept sign-/zero-extended from 16 bits | `.s16` / `.u16` | same |
//! | `i32` / `u32` | `.s32` / `.u32` | same | same |
//! | `i64` `isize` / `u64` `usize` | `.s64` / `.u64` | same | same |
//! | `f32` / `f64` | `.f32` / `.f64` | same | same |
//! | `bool` | `.pred` | `.u8` (0 or 1) | `.u32` (0 or 1) |
//!
//! 8- and 16-bit values live in 32-bit registers and are computed on with 32-bit instructions (as LLVM's NVPTX back
//! end legalises them); the lowering re-normalises them after every operation that can leave their range, which
//! gives exactly Rust's wrapping results. No 16-bit integer instruction is emitted: the driver's JIT compiler for
//! sm_90 (CUDA 13.0) miscompiles some of them (`docs/differential-testing.md`). Loads, stores and parameters keep the
//! narrow memory type (`ld.global.s16` into a 32-bit register sign-extends). `ptx_asm!` operands of 16-bit types
//! are 16-bit registers ([`ScalarTy::asm_reg_type`]), converted at the statement's edges.

use std::fmt;

use ptx_gen::Type;

/// A scalar type of the kernel subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarTy {
    I8,
    I16,
    I32,
    I64,
    Isize,
    U8,
    U16,
    U32,
    U64,
    Usize,
    F32,
    F64,
    Bool,
    /// `half::f16`.
    F16,
    /// `half::bf16`.
    BF16,
}

/// The spelling users read in messages: every supported scalar type.
pub const SUPPORTED_SCALARS: &str = "i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, bool";

impl ScalarTy {
    /// Every scalar type.
    pub const ALL: [ScalarTy; 15] = [
        ScalarTy::I8,
        ScalarTy::I16,
        ScalarTy::I32,
        ScalarTy::I64,
        ScalarTy::Isize,
        ScalarTy::U8,
        ScalarTy::U16,
        ScalarTy::U32,
        ScalarTy::U64,
        ScalarTy::Usize,
        ScalarTy::F32,
        ScalarTy::F64,
        ScalarTy::Bool,
        ScalarTy::F16,
        ScalarTy::BF16,
    ];

    /// The type named `name` (`"u32"`), if it is one of ours.
    pub fn from_name(name: &str) -> Option<ScalarTy> {
        ScalarTy::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The Rust spelling.
    pub fn name(self) -> &'static str {
        match self {
            ScalarTy::I8 => "i8",
            ScalarTy::I16 => "i16",
            ScalarTy::I32 => "i32",
            ScalarTy::I64 => "i64",
            ScalarTy::Isize => "isize",
            ScalarTy::U8 => "u8",
            ScalarTy::U16 => "u16",
            ScalarTy::U32 => "u32",
            ScalarTy::U64 => "u64",
            ScalarTy::Usize => "usize",
            ScalarTy::F32 => "f32",
            ScalarTy::F64 => "f64",
            ScalarTy::Bool => "bool",
            ScalarTy::F16 => "f16",
            ScalarTy::BF16 => "bf16",
        }
    }

    /// Signed or unsigned integer.
    pub fn is_int(self) -> bool {
        !self.is_float() && !self.is_half() && self != ScalarTy::Bool
    }
    /// `half::f16` or `half::bf16` (not [`is_float`](Self::is_float): they have no literals, no `as` casts and
    /// no methods besides the conversions).
    pub fn is_half(self) -> bool {
        matches!(self, ScalarTy::F16 | ScalarTy::BF16)
    }
    /// Signed integer.
    pub fn is_signed(self) -> bool {
        matches!(self, ScalarTy::I8 | ScalarTy::I16 | ScalarTy::I32 | ScalarTy::I64 | ScalarTy::Isize)
    }
    /// `f32` or `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, ScalarTy::F32 | ScalarTy::F64)
    }

    /// Width in bits of the Rust type (`usize`/`isize` are 64-bit on every target PTX has; `bool` is 1).
    pub fn bits(self) -> u32 {
        match self {
            ScalarTy::Bool => 1,
            ScalarTy::I8 | ScalarTy::U8 => 8,
            ScalarTy::F16 | ScalarTy::BF16 => 16,
            ScalarTy::I16 | ScalarTy::U16 => 16,
            ScalarTy::I32 | ScalarTy::U32 | ScalarTy::F32 => 32,
            ScalarTy::I64 | ScalarTy::Isize | ScalarTy::U64 | ScalarTy::Usize | ScalarTy::F64 => 64,
        }
    }

    /// The type of the register holding a value (8- and 16-bit integers widen to 32; `bool` is a predicate).
    pub fn reg_type(self) -> Type {
        match self {
            ScalarTy::I8 | ScalarTy::I16 => Type::S32,
            ScalarTy::U8 | ScalarTy::U16 => Type::U32,
            ScalarTy::I32 => Type::S32,
            ScalarTy::U32 => Type::U32,
            ScalarTy::I64 | ScalarTy::Isize => Type::S64,
            ScalarTy::U64 | ScalarTy::Usize => Type::U64,
            ScalarTy::F32 => Type::F32,
            ScalarTy::F64 => Type::F64,
            ScalarTy::Bool => Type::Pred,
            ScalarTy::F16 => Type::F16,
            ScalarTy::BF16 => Type::BF16,
        }
    }

    /// Whether a value of this integer type is narrower than its register (8 and 16 bits), so that it is kept
    /// sign- or zero-extended and re-normalised after operations that can leave its range.
    pub fn is_narrow_int(self) -> bool {
        self.is_int() && self.bits() < self.reg_type().bits()
    }

    /// The register type of a `ptx_asm!` operand: the value's own width (`.s16` for `i16`), as the text expects.
    pub fn asm_reg_type(self) -> Type {
        match self {
            ScalarTy::I16 => Type::S16,
            ScalarTy::U16 => Type::U16,
            t => t.reg_type(),
        }
    }

    /// The register a load of this type's memory (or parameter) form writes: the value's register, or for `bool`
    /// the `.u32` register its byte is tested in.
    pub fn load_reg_type(self) -> Type {
        match self {
            ScalarTy::Bool => Type::U32,
            t => t.reg_type(),
        }
    }

    /// The element type in memory (`bool` is a byte).
    pub fn mem_type(self) -> Type {
        match self {
            ScalarTy::I8 => Type::S8,
            ScalarTy::U8 | ScalarTy::Bool => Type::U8,
            ScalarTy::I16 => Type::S16,
            ScalarTy::U16 => Type::U16,
            t => t.reg_type(),
        }
    }

    /// Bytes per element in memory.
    pub fn mem_size(self) -> u32 {
        self.mem_type().size()
    }

    /// The `.param` type of a scalar kernel parameter (`bool` is a `.u32` holding 0 or 1).
    pub fn param_type(self) -> Type {
        match self {
            ScalarTy::Bool => Type::U32,
            ScalarTy::F16 | ScalarTy::BF16 => Type::B16,
            t => t.mem_type(),
        }
    }
}

impl fmt::Display for ScalarTy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of a kernel parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamTy {
    /// A scalar passed by value.
    Scalar(ScalarTy),
    /// `&[elem]` or `&mut [elem]` (`lanes == 0`), or `&[[elem; lanes]]` with 2 or 4 lanes of at most 16 bytes in
    /// all (moved by one vector load or store): two PTX parameters, the address and the length (both `.u64`).
    Slice { elem: ScalarTy, mutable: bool, lanes: u32 },
}

/// A fixed-size array value: `[elem; n]` (`m == 0`) or `[[elem; m]; n]`, held in registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrTy {
    pub elem: ScalarTy,
    pub n: u32,
    pub m: u32,
}

impl ArrTy {
    /// `[elem; n]`.
    pub fn new(elem: ScalarTy, n: u32) -> ArrTy {
        ArrTy { elem, n, m: 0 }
    }
    /// Scalars in all.
    pub fn total(self) -> u32 {
        self.n * self.m.max(1)
    }
    /// The type of `a[i]`: the element, or a row.
    pub fn item(self) -> Ty {
        if self.m == 0 {
            Ty::Scalar(self.elem)
        } else {
            Ty::Array(ArrTy::new(self.elem, self.m))
        }
    }
}

impl fmt::Display for ArrTy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.m == 0 {
            write!(f, "[{}; {}]", self.elem, self.n)
        } else {
            write!(f, "[[{}; {}]; {}]", self.elem, self.m, self.n)
        }
    }
}

/// The type of an expression after inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Scalar(ScalarTy),
    /// A fixed-size array (local arrays, elements of `&[[T; N]]` slices).
    Array(ArrTy),
    /// `()`: statements, assignments, loops, `if` without `else`.
    Unit,
    /// `!`: `return`, `break`, `continue`, and blocks that end in one.
    Never,
}

impl Ty {
    /// The scalar type, if this is one.
    pub fn scalar(self) -> Option<ScalarTy> {
        match self {
            Ty::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Scalar(s) => f.write_str(s.name()),
            Ty::Array(a) => write!(f, "{a}"),
            Ty::Unit => f.write_str("()"),
            Ty::Never => f.write_str("!"),
        }
    }
}
