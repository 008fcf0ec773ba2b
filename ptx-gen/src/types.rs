//! PTX scalar types and state spaces.

use std::fmt;

/// A PTX fundamental type (the `.u32` of `add.u32`), also the type of a virtual register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Pred,
    B8,
    B16,
    B32,
    B64,
    U8,
    U16,
    U32,
    U64,
    S8,
    S16,
    S32,
    S64,
    F16,
    F16x2,
    BF16,
    BF16x2,
    F32,
    F64,
}

/// The register class a value of some type lives in; the writer numbers registers per class.
///
/// 8-bit values live in 16-bit registers (PTX has no 8-bit arithmetic); f16/bf16 in `.b16`, the packed pairs in `.b32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegClass {
    Pred,
    B16,
    B32,
    B64,
    F32,
    F64,
}

impl RegClass {
    /// Every class, in declaration order.
    pub const ALL: [RegClass; 6] =
        [RegClass::Pred, RegClass::B16, RegClass::B32, RegClass::B64, RegClass::F32, RegClass::F64];

    /// The PTX register-name prefix (`%r`, `%rd`, …).
    pub fn prefix(self) -> &'static str {
        match self {
            RegClass::Pred => "%p",
            RegClass::B16 => "%rs",
            RegClass::B32 => "%r",
            RegClass::B64 => "%rd",
            RegClass::F32 => "%f",
            RegClass::F64 => "%fd",
        }
    }

    /// The type used in the `.reg` declaration.
    pub fn decl_type(self) -> Type {
        match self {
            RegClass::Pred => Type::Pred,
            RegClass::B16 => Type::B16,
            RegClass::B32 => Type::B32,
            RegClass::B64 => Type::B64,
            RegClass::F32 => Type::F32,
            RegClass::F64 => Type::F64,
        }
    }

    /// Size in bits (predicates count as 1).
    pub fn bits(self) -> u32 {
        match self {
            RegClass::Pred => 1,
            RegClass::B16 => 16,
            RegClass::B32 | RegClass::F32 => 32,
            RegClass::B64 | RegClass::F64 => 64,
        }
    }
}

impl Type {
    /// Every type.
    pub const ALL: [Type; 19] = [
        Type::Pred,
        Type::B8,
        Type::B16,
        Type::B32,
        Type::B64,
        Type::U8,
        Type::U16,
        Type::U32,
        Type::U64,
        Type::S8,
        Type::S16,
        Type::S32,
        Type::S64,
        Type::F16,
        Type::F16x2,
        Type::BF16,
        Type::BF16x2,
        Type::F32,
        Type::F64,
    ];

    /// Width in bits (a predicate is 1).
    pub fn bits(self) -> u32 {
        use Type::*;
        match self {
            Pred => 1,
            B8 | U8 | S8 => 8,
            B16 | U16 | S16 | F16 | BF16 => 16,
            B32 | U32 | S32 | F32 | F16x2 | BF16x2 => 32,
            B64 | U64 | S64 | F64 => 64,
        }
    }

    /// Width in bytes in memory (a predicate has none; reported as 1).
    pub fn size(self) -> u32 {
        self.bits().div_ceil(8)
    }

    /// `.sN`.
    pub fn is_signed(self) -> bool {
        matches!(self, Type::S8 | Type::S16 | Type::S32 | Type::S64)
    }
    /// `.uN`.
    pub fn is_unsigned(self) -> bool {
        matches!(self, Type::U8 | Type::U16 | Type::U32 | Type::U64)
    }
    /// `.bN`.
    pub fn is_bits(self) -> bool {
        matches!(self, Type::B8 | Type::B16 | Type::B32 | Type::B64)
    }
    /// Signed or unsigned integer (not `.bN`).
    pub fn is_int(self) -> bool {
        self.is_signed() || self.is_unsigned()
    }
    /// Scalar or packed floating point.
    pub fn is_float(self) -> bool {
        matches!(self, Type::F16 | Type::F16x2 | Type::BF16 | Type::BF16x2 | Type::F32 | Type::F64)
    }
    /// The packed pairs `.f16x2` and `.bf16x2`.
    pub fn is_packed(self) -> bool {
        matches!(self, Type::F16x2 | Type::BF16x2)
    }

    /// The register class holding a value of this type.
    pub fn reg_class(self) -> RegClass {
        use Type::*;
        match self {
            Pred => RegClass::Pred,
            B8 | U8 | S8 | B16 | U16 | S16 | F16 | BF16 => RegClass::B16,
            B32 | U32 | S32 | F16x2 | BF16x2 => RegClass::B32,
            F32 => RegClass::F32,
            B64 | U64 | S64 => RegClass::B64,
            F64 => RegClass::F64,
        }
    }

    /// The unsigned integer type of the same width (`.f32` → `.u32`); predicates stay predicates.
    pub fn to_unsigned(self) -> Type {
        match self.bits() {
            1 => Type::Pred,
            8 => Type::U8,
            16 => Type::U16,
            32 => Type::U32,
            _ => Type::U64,
        }
    }
    /// The signed integer type of the same width.
    pub fn to_signed(self) -> Type {
        match self.bits() {
            1 => Type::Pred,
            8 => Type::S8,
            16 => Type::S16,
            32 => Type::S32,
            _ => Type::S64,
        }
    }
    /// The `.bN` type of the same width.
    pub fn to_bits(self) -> Type {
        match self.bits() {
            1 => Type::Pred,
            8 => Type::B8,
            16 => Type::B16,
            32 => Type::B32,
            _ => Type::B64,
        }
    }
    /// The integer type of twice the width, same signedness (for `mul.wide`); `None` for 64-bit and non-integers.
    pub fn widened(self) -> Option<Type> {
        use Type::*;
        Some(match self {
            U16 => U32,
            U32 => U64,
            S16 => S32,
            S32 => S64,
            _ => return None,
        })
    }

    /// The PTX spelling without the dot (`u32`).
    pub fn name(self) -> &'static str {
        use Type::*;
        match self {
            Pred => "pred",
            B8 => "b8",
            B16 => "b16",
            B32 => "b32",
            B64 => "b64",
            U8 => "u8",
            U16 => "u16",
            U32 => "u32",
            U64 => "u64",
            S8 => "s8",
            S16 => "s16",
            S32 => "s32",
            S64 => "s64",
            F16 => "f16",
            F16x2 => "f16x2",
            BF16 => "bf16",
            BF16x2 => "bf16x2",
            F32 => "f32",
            F64 => "f64",
        }
    }

    /// Parses the PTX spelling without the dot.
    pub fn from_name(s: &str) -> Option<Type> {
        Type::ALL.into_iter().find(|t| t.name() == s)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A PTX state space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateSpace {
    Param,
    Global,
    Shared,
    Local,
    Const,
    Generic,
}

impl StateSpace {
    /// The PTX spelling without the dot; empty for generic addressing.
    pub fn name(self) -> &'static str {
        match self {
            StateSpace::Param => "param",
            StateSpace::Global => "global",
            StateSpace::Shared => "shared",
            StateSpace::Local => "local",
            StateSpace::Const => "const",
            StateSpace::Generic => "",
        }
    }
}

impl fmt::Display for StateSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if *self == StateSpace::Generic { "generic" } else { self.name() })
    }
}
