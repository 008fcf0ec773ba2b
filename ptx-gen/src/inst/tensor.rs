//! The modifiers of the tensor-core and asynchronous-copy instructions: MMA shapes and element types, the
//! packed-conversion formats, and the register counts a fragment has per lane (PTX ISA §9.7.14, "Warp Level
//! Matrix Multiply-Accumulate Instructions", and §9.7.9.25, `cp.async`).

use crate::types::{RegClass, Type};

/// The shape of one warp-level `mma.sync`: `M×N×K`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MmaShape {
    M16N8K8,
    M16N8K16,
    M16N8K32,
}

impl MmaShape {
    /// The PTX spelling (`m16n8k16`).
    pub fn name(self) -> &'static str {
        match self {
            MmaShape::M16N8K8 => "m16n8k8",
            MmaShape::M16N8K16 => "m16n8k16",
            MmaShape::M16N8K32 => "m16n8k32",
        }
    }
    /// `(M, N, K)`.
    pub fn mnk(self) -> (u32, u32, u32) {
        match self {
            MmaShape::M16N8K8 => (16, 8, 8),
            MmaShape::M16N8K16 => (16, 8, 16),
            MmaShape::M16N8K32 => (16, 8, 32),
        }
    }
}

/// The element type of an MMA operand (`.bf16` of `mma….f32.bf16.bf16.f32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MmaType {
    F16,
    BF16,
    /// TensorFloat-32: an f32 register whose low 13 fraction bits the tensor core ignores.
    TF32,
    /// OCP FP8 E4M3 (sm_89).
    E4M3,
    /// OCP FP8 E5M2 (sm_89).
    E5M2,
    S8,
    U8,
    F32,
    S32,
}

impl MmaType {
    /// The PTX spelling.
    pub fn name(self) -> &'static str {
        match self {
            MmaType::F16 => "f16",
            MmaType::BF16 => "bf16",
            MmaType::TF32 => "tf32",
            MmaType::E4M3 => "e4m3",
            MmaType::E5M2 => "e5m2",
            MmaType::S8 => "s8",
            MmaType::U8 => "u8",
            MmaType::F32 => "f32",
            MmaType::S32 => "s32",
        }
    }
    /// Bits per element.
    pub fn bits(self) -> u32 {
        match self {
            MmaType::E4M3 | MmaType::E5M2 | MmaType::S8 | MmaType::U8 => 8,
            MmaType::F16 | MmaType::BF16 => 16,
            MmaType::TF32 | MmaType::F32 | MmaType::S32 => 32,
        }
    }
}

/// What a shape and its multiplicand type are: the register count per lane of A, B and C/D, and the accumulator
/// types PTX allows. `None` when PTX has no such `mma` (e.g. `m16n8k32` of `.bf16`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmaForm {
    /// `.b32` registers of A per lane.
    pub a_regs: usize,
    /// `.b32` registers of B per lane.
    pub b_regs: usize,
    /// The accumulator types C and D may have.
    pub accumulators: &'static [MmaType],
}

impl MmaForm {
    /// The form of `shape` with multiplicands of `ab` (A and B of the same width; FP8 and 8-bit integers may mix
    /// signedness or format, which the verifier checks separately).
    pub fn of(shape: MmaShape, ab: MmaType) -> Option<MmaForm> {
        use MmaType::*;
        const FLOAT: &[MmaType] = &[F32];
        const HALF: &[MmaType] = &[F32, F16];
        const INT: &[MmaType] = &[S32];
        let (a_regs, b_regs, accumulators) = match (shape, ab) {
            (MmaShape::M16N8K8, F16 | BF16) => (2, 1, if ab == F16 { HALF } else { FLOAT }),
            (MmaShape::M16N8K8, TF32) => (4, 2, FLOAT),
            (MmaShape::M16N8K16, F16) => (4, 2, HALF),
            (MmaShape::M16N8K16, BF16) => (4, 2, FLOAT),
            (MmaShape::M16N8K16, S8 | U8) => (2, 1, INT),
            (MmaShape::M16N8K32, E4M3 | E5M2) => (4, 2, FLOAT),
            (MmaShape::M16N8K32, S8 | U8) => (4, 2, INT),
            _ => return None,
        };
        Some(MmaForm { a_regs, b_regs, accumulators })
    }

    /// Registers of C (and D) per lane for accumulator type `acc`: four f32/s32, or two packed f16x2.
    pub fn acc_regs(acc: MmaType) -> usize {
        if acc == MmaType::F16 {
            2
        } else {
            4
        }
    }

    /// The register class an accumulator register of type `acc` lives in.
    pub fn acc_class(acc: MmaType) -> RegClass {
        if acc == MmaType::F32 {
            RegClass::F32
        } else {
            RegClass::B32
        }
    }
}

/// A format of `cvt`'s packed forms (`cvt.rn.satfinite.e4m3x2.f32 d, a, b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PackedFmt {
    /// Two f32 sources (a source format only).
    F32,
    F16x2,
    BF16x2,
    /// Two OCP FP8 E4M3 values in a `.b16` register.
    E4M3x2,
    /// Two OCP FP8 E5M2 values in a `.b16` register.
    E5M2x2,
}

impl PackedFmt {
    /// The PTX spelling.
    pub fn name(self) -> &'static str {
        match self {
            PackedFmt::F32 => "f32",
            PackedFmt::F16x2 => "f16x2",
            PackedFmt::BF16x2 => "bf16x2",
            PackedFmt::E4M3x2 => "e4m3x2",
            PackedFmt::E5M2x2 => "e5m2x2",
        }
    }
    /// The register type holding one value of the format (two f32 sources are each `.f32`).
    pub fn reg_type(self) -> Type {
        match self {
            PackedFmt::F32 => Type::F32,
            PackedFmt::F16x2 => Type::F16x2,
            PackedFmt::BF16x2 => Type::BF16x2,
            PackedFmt::E4M3x2 | PackedFmt::E5M2x2 => Type::B16,
        }
    }
    /// The FP8 formats.
    pub fn is_fp8(self) -> bool {
        matches!(self, PackedFmt::E4M3x2 | PackedFmt::E5M2x2)
    }
}

/// The number of 8×8 matrices an `ldmatrix`/`stmatrix` moves (`.x1`, `.x2`, `.x4`): one `.b32` register each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatrixCount {
    X1,
    X2,
    X4,
}

impl MatrixCount {
    /// The PTX spelling.
    pub fn name(self) -> &'static str {
        match self {
            MatrixCount::X1 => "x1",
            MatrixCount::X2 => "x2",
            MatrixCount::X4 => "x4",
        }
    }
    /// Matrices (and registers per lane).
    pub fn count(self) -> usize {
        match self {
            MatrixCount::X1 => 1,
            MatrixCount::X2 => 2,
            MatrixCount::X4 => 4,
        }
    }
}

crate::inst::spelled!(MmaShape: M16N8K8, M16N8K16, M16N8K32);
crate::inst::spelled!(MmaType: F16, BF16, TF32, E4M3, E5M2, S8, U8, F32, S32);
crate::inst::spelled!(PackedFmt: F32, F16x2, BF16x2, E4M3x2, E5M2x2);
crate::inst::spelled!(MatrixCount: X1, X2, X4);
