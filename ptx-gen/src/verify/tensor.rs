//! Checks of the tensor-core and asynchronous-copy instructions: fragment register counts and classes per
//! [`MmaForm`], legal shape/type combinations, packed-conversion forms, and `cp.async` sizes and state spaces.

use super::inst::{imm_fits, Check, InstChecker};
use crate::inst::*;
use crate::types::{StateSpace, Type};

impl InstChecker<'_> {
    /// `mma.sync`: a shape/type PTX has, and one register of the right class per fragment element pair.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_mma(
        &self,
        shape: MmaShape,
        (d_ty, a_ty, b_ty, c_ty): (MmaType, MmaType, MmaType, MmaType),
        satfinite: bool,
        d: &[Reg],
        a: &[Reg],
        b: &[Reg],
        c: &[Reg],
    ) -> Check {
        use MmaType::*;
        let same_family = match (a_ty, b_ty) {
            (E4M3 | E5M2, E4M3 | E5M2) | (S8 | U8, S8 | U8) => true,
            (x, y) => x == y,
        };
        let form = MmaForm::of(shape, a_ty).filter(|_| same_family).ok_or_else(|| {
            format!("PTX has no `mma.{}` with .{} and .{} multiplicands", shape.name(), a_ty.name(), b_ty.name())
        })?;
        if !form.accumulators.contains(&d_ty) || !form.accumulators.contains(&c_ty) {
            let allowed: Vec<_> = form.accumulators.iter().map(|t| format!(".{}", t.name())).collect();
            return Err(format!(
                "`mma.{}` of .{} accumulates in {} (C is .{}, D is .{})",
                shape.name(),
                a_ty.name(),
                allowed.join(" or "),
                c_ty.name(),
                d_ty.name()
            ));
        }
        // f16 inputs may mix f16 and f32 accumulators; everything else has C and D of one type.
        if d_ty != c_ty && a_ty != F16 {
            return Err(format!("C (.{}) and D (.{}) must have the same type here", c_ty.name(), d_ty.name()));
        }
        if satfinite && d_ty != S32 {
            return Err("`.satfinite` applies to integer MMA only".into());
        }
        self.fragment("A", a, form.a_regs, Type::B32)?;
        self.fragment("B", b, form.b_regs, Type::B32)?;
        let acc = |t: MmaType| if t == F32 { Type::F32 } else { Type::B32 };
        self.fragment("C", c, MmaForm::acc_regs(c_ty), acc(c_ty))?;
        self.fragment("D", d, MmaForm::acc_regs(d_ty), acc(d_ty))
    }

    fn fragment(&self, what: &str, regs: &[Reg], want: usize, ty: Type) -> Check {
        if regs.len() != want {
            return Err(format!("fragment {what} has {} registers per lane; this form needs {want}", regs.len()));
        }
        for &r in regs {
            self.src_reg(r, ty, &format!("fragment {what} register"))?;
        }
        Ok(())
    }

    /// `ldmatrix` / `stmatrix`: one `.b32` register per matrix and a shared-memory address.
    pub(super) fn check_matrix(&self, count: MatrixCount, regs: &[Reg], addr: &Address, store: bool) -> Check {
        if regs.len() != count.count() {
            return Err(format!(
                "`{}.{}` moves {} registers per lane, not {}",
                if store { "stmatrix" } else { "ldmatrix" },
                count.name(),
                count.count(),
                regs.len()
            ));
        }
        for &r in regs {
            self.src_reg(r, Type::B32, "matrix register")?;
        }
        self.addr(addr, StateSpace::Shared, 16)
    }

    /// `cp.async`: `.ca` copies 4, 8 or 16 bytes, `.cg` 16; shared destination, global source.
    pub(super) fn check_cp_async(
        &self,
        cache: CacheOp,
        prefetch: Prefetch,
        bytes: u32,
        dst: &Address,
        src: &Address,
        src_size: Option<Operand>,
    ) -> Check {
        match (cache, bytes) {
            (CacheOp::Ca, 4 | 8 | 16) | (CacheOp::Cg, 16) => {}
            (CacheOp::Ca | CacheOp::Cg, _) => {
                return Err(format!(
                    "`cp.async.{}` copies {} bytes, not {bytes}",
                    cache.name(),
                    if cache == CacheOp::Ca { "4, 8 or 16" } else { "16" }
                ))
            }
            _ => return Err(format!("`cp.async` takes .ca or .cg, not .{}", cache.name())),
        }
        if prefetch == Prefetch::B256 && bytes != 16 {
            return Err("the .L2::256B prefetch size needs a 16-byte copy".into());
        }
        if let Some(n) = src_size {
            self.src(n, Type::U32, "source size")?;
            if let Operand::Imm(Imm(v)) = n {
                if v > u64::from(bytes) {
                    return Err(format!("source size {v} exceeds the copy size {bytes}"));
                }
            }
        }
        self.addr(dst, StateSpace::Shared, bytes)?;
        self.addr(src, StateSpace::Global, bytes)
    }

    /// The packed `cvt` forms PTX has.
    pub(super) fn check_cvt_pack(
        &self,
        dst_fmt: PackedFmt,
        src_fmt: PackedFmt,
        satfinite: bool,
        dst: Reg,
        srcs: &[Operand],
    ) -> Check {
        use PackedFmt::*;
        let legal = match (dst_fmt, src_fmt) {
            (F16x2 | BF16x2, F32) => true,
            (E4M3x2 | E5M2x2, F32 | F16x2) => satfinite,
            (F16x2, E4M3x2 | E5M2x2) => !satfinite,
            _ => false,
        };
        if !legal {
            return Err(format!(
                "PTX has no `cvt.rn{}.{}.{}`",
                if satfinite { ".satfinite" } else { "" },
                dst_fmt.name(),
                src_fmt.name()
            ));
        }
        let want = if src_fmt == F32 { 2 } else { 1 };
        if srcs.len() != want {
            return Err(format!("`cvt` from .{} takes {want} sources, not {}", src_fmt.name(), srcs.len()));
        }
        for &s in srcs {
            match s {
                Operand::Reg(r) => self.src_reg(r, src_fmt.reg_type(), "source")?,
                Operand::Imm(i) if src_fmt == F32 => imm_fits(i, Type::F32, "source")?,
                Operand::Imm(_) => return Err(format!("a .{} source must be a register", src_fmt.name())),
            }
        }
        self.dst(dst, dst_fmt.reg_type(), "destination")
    }
}
