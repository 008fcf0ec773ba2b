//! The tensor-core and asynchronous-copy rows of the instruction table: `mma`, `ldmatrix`, `stmatrix`,
//! `cp.async` and its group markers, and the packed forms of `cvt`.

use super::body::BodyCx;
use super::inst::{Mods, Stmt};
use super::ReadError;
use crate::inst::*;
use crate::types::Type;

impl<'a> BodyCx<'a, '_> {
    /// Whether a `cvt`'s modifiers name a packed form (`cvt.rn.satfinite.e4m3x2.f32`, `cvt.rn.bf16x2.f32`).
    pub(super) fn is_cvt_pack(m: &Mods<'a>) -> bool {
        let names: Vec<&str> = m.names().collect();
        let fp8 = names.iter().any(|n| PackedFmt::from_name(n).is_some_and(PackedFmt::is_fp8));
        let two_f32 = names.iter().rposition(|n| *n == "f32").is_some_and(|i| {
            i > 0 && matches!(names[i - 1], "f16x2" | "bf16x2") && names.iter().filter(|n| **n == "f32").count() == 1
        });
        fp8 || two_f32 || names.contains(&"satfinite") || names.contains(&"relu")
    }

    /// `cvt.rn{.satfinite}{.relu}.dst.src d, a{, b}`.
    pub(super) fn cvt_pack(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        if !m.take("rn") {
            return Err(m.err(self.p, format!("`{}`: the packed conversions round with .rn", m.full(self.p))));
        }
        let satfinite = m.take("satfinite");
        let relu = m.take("relu");
        let (Some(dst_fmt), Some(src_fmt)) = (m.take_map(PackedFmt::from_name), m.take_map(PackedFmt::from_name))
        else {
            return Err(m.err(self.p, format!("`{}` needs a destination and a source format", m.full(self.p))));
        };
        m.finish(self.p)?;
        let dst = self.reg()?;
        let mut srcs = Vec::new();
        for _ in 0..if src_fmt == PackedFmt::F32 { 2 } else { 1 } {
            self.comma()?;
            srcs.push(self.operand(src_fmt.reg_type())?);
        }
        self.end()?;
        Ok(Stmt::Inst(InstKind::CvtPack { dst_fmt, src_fmt, satfinite, relu, dst, srcs }))
    }

    /// `mma.sync.aligned.shape.row.col{.satfinite}.dty.aty.bty.cty {d}, {a}, {b}, {c}`.
    pub(super) fn mma(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        if !(m.take("sync") && m.take("aligned")) {
            return Err(m.err(self.p, format!("`{}`: only mma.sync.aligned is supported", m.full(self.p))));
        }
        let Some(shape) = m.take_map(MmaShape::from_name) else {
            return Err(m.err(self.p, format!("unsupported or missing shape in `{}`", m.full(self.p))));
        };
        if !(m.take("row") && m.take("col")) {
            return Err(m.err(self.p, format!("`{}`: mma needs the .row.col layouts", m.full(self.p))));
        }
        let satfinite = m.take("satfinite");
        let mut tys = [MmaType::F32; 4];
        for t in &mut tys {
            *t = m
                .take_map(MmaType::from_name)
                .ok_or_else(|| m.err(self.p, format!("`{}` needs four types (D, A, B, C)", m.full(self.p))))?;
        }
        m.finish(self.p)?;
        let [d_ty, a_ty, b_ty, c_ty] = tys;
        let lists = self.reg_lists::<4>()?;
        self.end()?;
        let [d, a, b, c] = lists;
        Ok(Stmt::Inst(InstKind::Mma { shape, d_ty, a_ty, b_ty, c_ty, satfinite, d, a, b, c }))
    }

    /// `ldmatrix.sync.aligned.m8n8.xN{.trans}.shared{::cta}.b16 {d}, [a]` and `stmatrix… [a], {s}`.
    pub(super) fn matrix(&mut self, m: &mut Mods<'a>, store: bool) -> Result<Stmt<'a>, ReadError> {
        let name = if store { "stmatrix" } else { "ldmatrix" };
        if !(m.take("sync") && m.take("aligned") && m.take("m8n8")) {
            return Err(m.err(self.p, format!("`{}`: only {name}.sync.aligned.m8n8 is supported", m.full(self.p))));
        }
        let Some(count) = m.take_map(MatrixCount::from_name) else {
            return Err(m.err(self.p, format!("missing .x1/.x2/.x4 in `{}`", m.full(self.p))));
        };
        let trans = m.take("trans");
        if !(m.take("shared") || m.take("shared::cta")) {
            return Err(m.err(self.p, format!("`{}`: {name} addresses .shared memory", m.full(self.p))));
        }
        m.ty_exactly(self.p, Type::B16)?;
        m.finish(self.p)?;
        let kind = if store {
            let addr = self.address()?;
            self.comma()?;
            let [srcs] = self.reg_lists::<1>()?;
            InstKind::StMatrix { count, trans, addr, srcs }
        } else {
            let [dsts] = self.reg_lists::<1>()?;
            self.comma()?;
            let addr = self.address()?;
            InstKind::LdMatrix { count, trans, dsts, addr }
        };
        self.end()?;
        Ok(Stmt::Inst(kind))
    }

    /// `cp.async.{ca,cg}.shared{::cta}.global{.L2::NB} [d], [s], n{, src_size}`, `cp.async.commit_group`,
    /// `cp.async.wait_group n`, `cp.async.wait_all`.
    pub(super) fn cp(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        if !m.take("async") {
            return Err(m.err(self.p, format!("unsupported instruction `{}` (only cp.async)", m.full(self.p))));
        }
        let kind = if m.take("commit_group") {
            m.finish(self.p)?;
            InstKind::CpAsyncCommit
        } else if m.take("wait_all") {
            m.finish(self.p)?;
            InstKind::CpAsyncWait { pending: None }
        } else if m.take("wait_group") {
            m.finish(self.p)?;
            let (_, n) = self.p.u32_literal("the number of pending groups")?;
            InstKind::CpAsyncWait { pending: Some(n) }
        } else {
            let Some(cache) = m.take_map(|s| CacheOp::from_name(s).filter(|c| matches!(c, CacheOp::Ca | CacheOp::Cg)))
            else {
                return Err(m.err(self.p, format!("`{}` needs .ca or .cg", m.full(self.p))));
            };
            if !((m.take("shared") || m.take("shared::cta")) && m.take("global")) {
                return Err(m.err(self.p, format!("`{}`: cp.async copies .shared.global", m.full(self.p))));
            }
            let prefetch = m.take_map(|s| Prefetch::from_name(s).filter(|p| *p != Prefetch::None));
            m.finish(self.p)?;
            let dst = self.address()?;
            self.comma()?;
            let src = self.address()?;
            self.comma()?;
            let (_, bytes) = self.p.u32_literal("the copy size")?;
            let src_size = if self.p.eat_punct(b',') { Some(self.operand(Type::U32)?) } else { None };
            InstKind::CpAsync { cache, prefetch: prefetch.unwrap_or(Prefetch::None), bytes, dst, src, src_size }
        };
        self.end()?;
        Ok(Stmt::Inst(kind))
    }

    /// `N` comma-separated register lists `{%r1, …}` of any length.
    fn reg_lists<const N: usize>(&mut self) -> Result<[Vec<Reg>; N], ReadError> {
        let mut out: [Vec<Reg>; N] = std::array::from_fn(|_| Vec::new());
        for (i, list) in out.iter_mut().enumerate() {
            if i > 0 {
                self.comma()?;
            }
            self.p.expect_punct(b'{')?;
            loop {
                list.push(self.reg()?);
                if !self.p.eat_punct(b',') {
                    break;
                }
            }
            self.p.expect_punct(b'}')?;
        }
        Ok(out)
    }
}
