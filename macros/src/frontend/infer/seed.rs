//! Types of the seed's intrinsics (see [`frontend::seed`](super::super::seed)).

use super::super::seed::*;
use super::*;

impl Inferer<'_, '_> {
    /// The type of `op` (expression `id`), constraining its operands.
    pub(super) fn seed_expr(&mut self, op: &SeedOp, id: ExprId) -> It {
        let span = self.span(id);
        match op {
            SeedOp::Special(s) => {
                let t = if s.ty() == ptx_gen::Type::U64 { ScalarTy::U64 } else { ScalarTy::U32 };
                It::Known(Ty::Scalar(t))
            }
            SeedOp::LoadAcquire { base, index, .. } => self.place(Place::Index(*base, *index)),
            SeedOp::StoreRelease { base, index, value, .. } => {
                let tv = self.expr(*value);
                let tp = self.place(Place::Index(*base, *index));
                let sv = self.span(*value);
                self.unify(tp, tv, sv);
                UNIT
            }
            SeedOp::Atomic { op, negate, base, index, value, cmp, .. } => {
                let tp = self.place(Place::Index(*base, *index));
                for v in cmp.iter().chain(std::iter::once(value)) {
                    let tv = self.expr(*v);
                    let sv = self.span(*v);
                    self.unify(tp, tv, sv);
                }
                if let It::Known(Ty::Scalar(elem)) = self.shallow(tp) {
                    if atom_type(*op, elem).is_none() {
                        self.errors.at(
                            span,
                            format!(
                                "`atomic_{}` does not exist for `{}` elements in PTX",
                                if *negate { "sub" } else { op.name() },
                                elem.name()
                            ),
                        );
                    }
                }
                tp
            }
            SeedOp::Fence(_) => UNIT,
            SeedOp::Barrier { id: bar, count, .. } => {
                for e in [*bar, *count] {
                    let t = self.expr(e);
                    let s = self.span(e);
                    self.unify(t, It::Known(Ty::Scalar(ScalarTy::U32)), s);
                }
                UNIT
            }
            SeedOp::Asm(a) => {
                for o in &a.operands {
                    let want = It::Known(Ty::Scalar(o.ty));
                    let got = match (o.value, o.place) {
                        (Some(v), _) => self.expr(v),
                        (None, Some(p)) => self.place(p),
                        (None, None) => continue,
                    };
                    self.unify(want, got, o.span);
                }
                UNIT
            }
        }
    }
}
