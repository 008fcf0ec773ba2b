//! The instruction table: an opcode and its modifiers to an [`InstKind`] (or a call, branch or terminator).
//!
//! Modifiers are matched by name, not by position: each family takes the modifiers it knows from the list
//! ([`Mods`]) and whatever is left over is an error naming it (`unsupported modifier `.ftz` in `add.ftz.f32``).
//! So a modifier the IR cannot represent is never silently dropped: `.ftz`, `.sat` on arithmetic, `.cc`,
//! `.L2::cache_hint`, `.shared::cluster` … are all errors, because ignoring them would make the emulator run
//! something other than what the GPU runs. Combinations that are well-formed text but invalid PTX (`add.wide.f32`)
//! are read as written and left to the verifier.
//!
//! The only order that matters is that of the two types of `cvt` (destination first, as in PTX).

use super::body::{BodyCx, RawArg};
use super::cursor::Cursor;
use super::lexer::{Tok, Token};
use super::ReadError;
use crate::inst::*;
use crate::types::{StateSpace, Type};

/// One statement after its opcode has been read.
pub(crate) enum Stmt<'a> {
    Inst(InstKind),
    /// Several instructions for one PTX instruction the IR spells in steps.
    Insts(Vec<InstKind>),
    /// A call; the callee is resolved once the whole module has been read.
    Call {
        rets: Vec<Reg>,
        callee: &'a str,
        callee_tok: Token,
        args: Vec<(Token, RawArg)>,
    },
    /// `bra{.uni} target`.
    Bra {
        target: &'a str,
        tok: Token,
    },
    /// `ret` or `exit`.
    Ret,
    Trap,
}

/// PTX instructions the IR does not have (so that they are reported as unsupported, not unknown).
const UNSUPPORTED_OPS: &[&str] = &[
    "addc", "alloca", "applypriority", "bfind", "bmsk", "brkpt", "brx", "clusterlaunchcontrol", "cnot", "copysign",
    "createpolicy", "discard", "dp2a", "dp4a", "elect", "fns", "getctarank", "griddepcontrol", "isspacep", "istypep",
    "ldu", "lop3", "mad24", "madc", "mapa", "match", "mbarrier", "movmatrix", "mul24", "multimem", "nanosleep",
    "pmevent", "prefetch", "prefetchu", "prmt", "redux", "sad", "set", "setmaxnreg", "shf", "slct", "stackrestore",
    "stacksave", "subc", "suld", "suq", "sured", "sust", "szext", "tcgen05", "tensormap", "testp", "tex", "tld4",
    "txq", "vabsdiff", "vabsdiff2", "vabsdiff4", "vadd", "vadd2", "vadd4", "vavrg2", "vavrg4", "vmad", "vmax", "vmax2",
    "vmax4", "vmin", "vmin2", "vmin4", "vset", "vset2", "vset4", "vshl", "vshr", "vsub", "vsub2", "vsub4", "wgmma",
    "wmma",
];

/// The modifiers of one instruction, taken one by one by name.
pub(super) struct Mods<'a> {
    items: Vec<(&'a str, Token, bool)>,
    op: Token,
    last: Token,
}

impl<'a> Mods<'a> {
    /// Every modifier's name, in order.
    pub(super) fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.items.iter().map(|(n, _, _)| *n)
    }

    /// Takes the first unused modifier equal to `name`.
    pub(super) fn take(&mut self, name: &str) -> bool {
        self.take_map(|m| (m == name).then_some(())).is_some()
    }

    /// Takes the first unused modifier that `f` recognises.
    pub(super) fn take_map<T>(&mut self, f: impl Fn(&str) -> Option<T>) -> Option<T> {
        for (m, _, used) in &mut self.items {
            if !*used {
                if let Some(v) = f(m) {
                    *used = true;
                    return Some(v);
                }
            }
        }
        None
    }

    /// Takes the first unused type modifier.
    fn take_type(&mut self) -> Option<Type> {
        self.take_map(type_from)
    }

    /// The whole opcode as written (`ld.global.v4.f32`).
    pub(super) fn full(&self, p: &Cursor<'a>) -> &'a str {
        p.span_text(self.op, self.last)
    }

    /// An error at the opcode.
    pub(super) fn err(&self, p: &Cursor<'a>, message: impl Into<String>) -> ReadError {
        p.err(self.op, message)
    }

    /// A required type.
    fn ty(&mut self, p: &Cursor<'a>) -> Result<Type, ReadError> {
        match self.take_type() {
            Some(t) => Ok(t),
            None => Err(self.err(p, format!("missing type in `{}`", self.full(p)))),
        }
    }

    /// A required type that must be `want` (`shfl.sync.…` is always `.b32`).
    pub(super) fn ty_exactly(&mut self, p: &Cursor<'a>, want: Type) -> Result<(), ReadError> {
        match self.take_type() {
            Some(t) if t == want => Ok(()),
            _ => Err(self.err(p, format!("`{}` needs the type `.{want}`", self.full(p)))),
        }
    }

    /// Errors on the first modifier no one took.
    pub(super) fn finish(&self, p: &Cursor<'a>) -> Result<(), ReadError> {
        match self.items.iter().find(|(_, _, used)| !used) {
            Some((m, t, _)) => Err(p.err(*t, format!("unsupported modifier `.{m}` in `{}`", self.full(p)))),
            None => Ok(()),
        }
    }
}

/// A type's spelling without the dot (a `match`, which is faster than [`Type::from_name`]'s scan).
fn type_from(s: &str) -> Option<Type> {
    use Type::*;
    Some(match s {
        "pred" => Pred,
        "b8" => B8,
        "b16" => B16,
        "b32" => B32,
        "b64" => B64,
        "u8" => U8,
        "u16" => U16,
        "u32" => U32,
        "u64" => U64,
        "s8" => S8,
        "s16" => S16,
        "s32" => S32,
        "s64" => S64,
        "f16" => F16,
        "f16x2" => F16x2,
        "bf16" => BF16,
        "bf16x2" => BF16x2,
        "f32" => F32,
        "f64" => F64,
        _ => return None,
    })
}

fn mode_from(s: &str) -> Option<Mode> {
    Mode::from_name(s).filter(|m| *m != Mode::None)
}

fn cvt_mode_from(s: &str) -> Option<CvtMode> {
    CvtMode::ALL.into_iter().find(|m| *m != CvtMode::None && m.name() == s)
}

fn cmp_from(s: &str) -> Option<CmpOp> {
    CmpOp::ALL.into_iter().find(|c| c.name() == s)
}

fn scope_from(s: &str) -> Option<Scope> {
    Scope::from_name(s)
}

/// A state space modifier (generic addressing has none).
fn space_from(s: &str) -> Option<StateSpace> {
    Some(match s {
        "global" => StateSpace::Global,
        "shared" | "shared::cta" => StateSpace::Shared,
        "local" => StateSpace::Local,
        "const" => StateSpace::Const,
        "param" => StateSpace::Param,
        _ => return None,
    })
}

fn cache_from(s: &str) -> Option<CacheOp> {
    CacheOp::from_name(s).filter(|c| *c != CacheOp::None)
}

fn eviction_from(s: &str) -> Option<Eviction> {
    Eviction::from_name(s).filter(|e| *e != Eviction::None)
}

fn prefetch_from(s: &str) -> Option<Prefetch> {
    Prefetch::from_name(s).filter(|p| *p != Prefetch::None)
}

fn atom_op_from(s: &str) -> Option<AtomOp> {
    AtomOp::from_name(s)
}

/// An ordering keyword that takes a scope.
#[derive(Clone, Copy)]
enum Sem {
    Relaxed,
    Acquire,
    Release,
    AcqRel,
}

fn sem_from(s: &str) -> Option<Sem> {
    Some(match s {
        "relaxed" => Sem::Relaxed,
        "acquire" => Sem::Acquire,
        "release" => Sem::Release,
        "acq_rel" => Sem::AcqRel,
        _ => return None,
    })
}

impl Sem {
    fn with(self, scope: Scope) -> MemOrder {
        match self {
            Sem::Relaxed => MemOrder::Relaxed(scope),
            Sem::Acquire => MemOrder::Acquire(scope),
            Sem::Release => MemOrder::Release(scope),
            Sem::AcqRel => MemOrder::AcqRel(scope),
        }
    }
}

impl<'a> BodyCx<'a, '_> {
    /// Reads one instruction, from its opcode to its `;`.
    pub(crate) fn parse_stmt(&mut self) -> Result<Stmt<'a>, ReadError> {
        let op_tok = self.p.bump();
        let op = self.p.text(op_tok);
        let mut items = Vec::new();
        let mut last = op_tok;
        while self.p.peek().kind == Tok::Dot {
            last = self.p.bump();
            items.push((&self.p.text(last)[1..], last, false));
        }
        let mut m = Mods { items, op: op_tok, last };
        // The arithmetic opcodes are their enums' spellings.
        if let Some(u) = UnOp::from_name(op) {
            return self.unary(u, &mut m);
        }
        if let Some(b) = BinOp::from_name(op) {
            return self.binary(b, &mut m);
        }
        if let Some(t) = TernOp::from_name(op) {
            return self.ternary(t, &mut m);
        }
        match op {
            "mov" => self.mov(&mut m),
            "bfi" => self.bfi(&mut m),
            "setp" => self.setp(&mut m),
            "selp" => self.selp(&mut m),
            "cvt" if Self::is_cvt_pack(&m) => self.cvt_pack(&mut m),
            "cvt" => self.cvt(&mut m),
            "mma" => self.mma(&mut m),
            "ldmatrix" => self.matrix(&mut m, false),
            "stmatrix" => self.matrix(&mut m, true),
            "cp" => self.cp(&mut m),
            "cvta" => self.cvta(&mut m),
            "ld" => self.ld(&mut m),
            "st" => self.st(&mut m),
            "atom" => self.atom(&mut m, true),
            "red" => self.atom(&mut m, false),
            "bar" | "barrier" => self.bar(op, &mut m),
            "membar" => self.membar(&mut m),
            "fence" => self.fence(&mut m),
            "shfl" => self.shfl(&mut m),
            "vote" => self.vote(&mut m),
            "activemask" => {
                m.ty_exactly(self.p, Type::B32)?;
                m.finish(self.p)?;
                let dst = self.reg()?;
                self.end()?;
                Ok(Stmt::Inst(InstKind::ActiveMask { dst }))
            }
            "call" => self.call(&mut m),
            "bra" => {
                m.take("uni");
                m.finish(self.p)?;
                let (tok, target) = self.p.expect_ident("a label")?;
                self.end()?;
                Ok(Stmt::Bra { target, tok })
            }
            "ret" | "exit" => {
                if op == "ret" {
                    m.take("uni");
                }
                m.finish(self.p)?;
                self.end()?;
                Ok(Stmt::Ret)
            }
            "trap" => {
                m.finish(self.p)?;
                self.end()?;
                Ok(Stmt::Trap)
            }
            _ => {
                let full = m.full(self.p);
                let what = if UNSUPPORTED_OPS.contains(&op) { "unsupported" } else { "unknown" };
                Err(m.err(self.p, format!("{what} instruction `{full}`")))
            }
        }
    }

    /// `mov.ty d, src`: a register, an immediate, a special register or a variable's address.
    fn mov(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        if self.p.is_punct(b'{') {
            return Err(self.p.err(self.p.peek(), "vector operands of mov (unpacking) are not supported"));
        }
        let dst = self.reg()?;
        self.comma()?;
        let t = self.p.peek();
        if let Some(sreg) = self.special()? {
            if sreg.ty().bits() != ty.bits() {
                return Err(self.p.err(
                    t,
                    format!("`{}` is {}-bit; read it with `mov.{}`", sreg.name(), sreg.ty().bits(), sreg.ty()),
                ));
            }
            self.end()?;
            return Ok(Stmt::Inst(InstKind::ReadSpecial { dst, sreg }));
        }
        if t.kind == Tok::Punct(b'{') {
            return Err(self.p.err(t, "vector operands of mov (packing) are not supported"));
        }
        if t.kind == Tok::Ident && self.regs.lookup(self.func, self.p.text(t)).is_none() {
            let name = self.p.text(t);
            if let Some(&var) = self.vars.get(name) {
                let shared = self.var_data.get(var).map(|d| d.space) == Some(StateSpace::Shared);
                // `mov.u32 %r, var` of a shared variable: its 32-bit shared-window address (nvcc writes it), read
                // as the 64-bit address truncated.
                if ty.bits() == 32 && shared {
                    self.p.bump();
                    self.end()?;
                    let wide = self.func.new_reg(Type::U64);
                    let narrow = InstKind::Cvt {
                        mode: CvtMode::None,
                        sat: false,
                        dst_ty: Type::U32,
                        src_ty: Type::U64,
                        dst,
                        src: Operand::Reg(wide),
                    };
                    return Ok(Stmt::Insts(vec![InstKind::AddrOf { dst: wide, var }, narrow]));
                }
                if ty.bits() != 64 {
                    return Err(self.p.err(t, format!("the address of `{name}` is 64-bit; take it with `mov.u64`")));
                }
                self.p.bump();
                self.end()?;
                return Ok(Stmt::Inst(InstKind::AddrOf { dst, var }));
            }
            if self.param_index(name).is_some() {
                return Err(self.p.err(t, format!("taking the address of kernel parameter `{name}` is not supported")));
            }
        }
        let src = self.operand(ty)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Mov { ty, dst, src }))
    }

    fn unary(&mut self, op: UnOp, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let mode = m.take_map(mode_from).unwrap_or(Mode::None);
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        let dst = self.reg()?;
        self.comma()?;
        let src = self.operand(ty)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Unary { op, mode, ty, dst, src }))
    }

    fn binary(&mut self, op: BinOp, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let mode = m.take_map(mode_from).unwrap_or(Mode::None);
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        // Shift amounts are `.u32` whatever the shifted type.
        let b_ty = if matches!(op, BinOp::Shl | BinOp::Shr) { Type::U32 } else { ty };
        let dst = self.reg()?;
        self.comma()?;
        let a = self.operand(ty)?;
        self.comma()?;
        let b = self.operand(b_ty)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Binary { op, mode, ty, dst, a, b }))
    }

    fn ternary(&mut self, op: TernOp, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let mode = m.take_map(mode_from).unwrap_or(Mode::None);
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        let (b_ty, c_ty) = match op {
            TernOp::Bfe => (Type::U32, Type::U32),
            // `mad.wide.s32 d, a, b, c`: the addend has the product's (doubled) type.
            TernOp::Mad if mode == Mode::Wide => (ty, ty.widened().unwrap_or(ty)),
            _ => (ty, ty),
        };
        let dst = self.reg()?;
        self.comma()?;
        let a = self.operand(ty)?;
        self.comma()?;
        let b = self.operand(b_ty)?;
        self.comma()?;
        let c = self.operand(c_ty)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Ternary { op, mode, ty, dst, a, b, c }))
    }

    fn bfi(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        let dst = self.reg()?;
        self.comma()?;
        let f = self.operand(ty)?;
        self.comma()?;
        let b = self.operand(ty)?;
        self.comma()?;
        let pos = self.operand(Type::U32)?;
        self.comma()?;
        let len = self.operand(Type::U32)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Bfi { ty, dst, f, b, pos, len }))
    }

    fn setp(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let Some(cmp) = m.take_map(cmp_from) else {
            return Err(m.err(self.p, format!("missing comparison in `{}`", m.full(self.p))));
        };
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        let dst = self.reg()?;
        if self.p.is_punct(b'|') {
            return Err(self.p.err(self.p.peek(), "setp with two predicate results (`p|q`) is not supported"));
        }
        self.comma()?;
        let a = self.operand(ty)?;
        self.comma()?;
        let b = self.operand(ty)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Setp { cmp, ty, dst, a, b }))
    }

    fn selp(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        let dst = self.reg()?;
        self.comma()?;
        let a = self.operand(ty)?;
        self.comma()?;
        let b = self.operand(ty)?;
        self.comma()?;
        let cond = self.reg()?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Selp { ty, dst, a, b, cond }))
    }

    fn cvt(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let mode = m.take_map(cvt_mode_from).unwrap_or(CvtMode::None);
        let sat = m.take("sat");
        let dst_ty = m.ty(self.p)?;
        let src_ty = match m.take_type() {
            Some(t) => t,
            None => return Err(m.err(self.p, format!("`{}` needs a destination and a source type", m.full(self.p)))),
        };
        m.finish(self.p)?;
        let dst = self.reg()?;
        self.comma()?;
        let src = self.operand(src_ty)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Cvt { mode, sat, dst_ty, src_ty, dst, src }))
    }

    fn cvta(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let to_generic = !m.take("to");
        let Some(space) = m.take_map(space_from) else {
            return Err(m.err(self.p, format!("missing state space in `{}`", m.full(self.p))));
        };
        m.ty_exactly(self.p, Type::U64)?;
        m.finish(self.p)?;
        let dst = self.reg()?;
        self.comma()?;
        let t = self.p.peek();
        if t.kind == Tok::Ident && self.vars.contains_key(self.p.text(t)) {
            return Err(self.p.err(t, "cvta of a variable is not supported (take its address with `mov.u64` first)"));
        }
        let src = self.reg()?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Cvta { to_generic, space, dst, src }))
    }

    /// The modifiers of `ld`/`st`.
    fn access(&mut self, m: &mut Mods<'a>, load: bool) -> Result<MemAccess, ReadError> {
        let order = if m.take("volatile") {
            MemOrder::Volatile
        } else if let Some(sem) = m.take_map(sem_from) {
            match m.take_map(scope_from) {
                Some(scope) => sem.with(scope),
                None => {
                    return Err(
                        m.err(self.p, format!("missing scope (`.cta`, `.gpu` or `.sys`) in `{}`", m.full(self.p)))
                    )
                }
            }
        } else {
            m.take("weak");
            MemOrder::Weak
        };
        let space = m.take_map(space_from).unwrap_or(StateSpace::Generic);
        let cache = m.take_map(cache_from).unwrap_or(CacheOp::None);
        let nc = load && m.take("nc");
        let eviction = m.take_map(eviction_from).unwrap_or(Eviction::None);
        let prefetch = if load { m.take_map(prefetch_from).unwrap_or(Prefetch::None) } else { Prefetch::None };
        let vec = if m.take("v2") {
            VecWidth::V2
        } else if m.take("v4") {
            VecWidth::V4
        } else {
            VecWidth::Scalar
        };
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        Ok(MemAccess { space, ty, vec, order, cache, nc, eviction, prefetch })
    }

    fn ld(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let access = self.access(m, true)?;
        let dsts = self.regs(access.vec.count())?;
        self.comma()?;
        let addr = self.address()?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Ld { access, dsts, addr }))
    }

    fn st(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let access = self.access(m, false)?;
        let addr = self.address()?;
        self.comma()?;
        let srcs = self.operands(access.ty, access.vec.count())?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::St { access, addr, srcs }))
    }

    /// `atom{.sem}{.scope}{.space}.op.ty d, [a], b{, c}` and `red{…}.op.ty [a], b`.
    fn atom(&mut self, m: &mut Mods<'a>, has_dst: bool) -> Result<Stmt<'a>, ReadError> {
        let sem = m.take_map(sem_from);
        let scope = m.take_map(scope_from);
        let space = m.take_map(space_from).unwrap_or(StateSpace::Generic);
        let Some(op) = m.take_map(atom_op_from) else {
            return Err(m.err(self.p, format!("missing operation in `{}`", m.full(self.p))));
        };
        // `.noftz` is how PTX spells half-precision atomic adds; the IR's (and the emulator's) are never flushed.
        m.take("noftz");
        let ty = m.ty(self.p)?;
        m.finish(self.p)?;
        if !has_dst && op == AtomOp::Cas {
            return Err(m.err(self.p, "`red` has no `.cas` (use `atom.cas`)"));
        }
        // PTX: a `.sem` without a `.scope` is at `.gpu` scope.
        let order = sem.map_or(MemOrder::Weak, |s| s.with(scope.unwrap_or(Scope::Gpu)));
        let dst = if has_dst {
            let d = self.reg()?;
            self.comma()?;
            Some(d)
        } else {
            None
        };
        let addr = self.address()?;
        self.comma()?;
        let b = self.operand(ty)?;
        // `atom.cas d, [a], cmp, new`: the IR's `src` is the new value.
        let (src, cmp) = if op == AtomOp::Cas {
            self.comma()?;
            (self.operand(ty)?, Some(b))
        } else {
            (b, None)
        };
        self.end()?;
        Ok(Stmt::Inst(InstKind::Atom { op, space, order, scope, ty, dst, addr, src, cmp }))
    }

    /// `bar.sync a{, b}`, `bar.arrive a, b`, `barrier.sync{.aligned} a{, b}`, `bar.warp.sync mask`.
    fn bar(&mut self, op_name: &str, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        if op_name == "bar" && m.take("warp") {
            if !m.take("sync") {
                return Err(m.err(self.p, format!("unknown instruction `{}`", m.full(self.p))));
            }
            m.finish(self.p)?;
            let mask = self.operand(Type::B32)?;
            self.end()?;
            return Ok(Stmt::Inst(InstKind::WarpSync { mask }));
        }
        let op = if m.take("sync") {
            BarOp::Sync
        } else if m.take("arrive") {
            BarOp::Arrive
        } else {
            let full = m.full(self.p);
            return Err(m.err(self.p, format!("unsupported instruction `{full}`")));
        };
        // `bar.sync` is `barrier.sync.aligned`; the IR (and the emulator) do not distinguish the two.
        m.take("aligned");
        m.finish(self.p)?;
        let id = self.operand(Type::U32)?;
        let count = if self.p.eat_punct(b',') { Some(self.operand(Type::U32)?) } else { None };
        if op == BarOp::Arrive && count.is_none() {
            return Err(self.p.expected("`,` and a thread count (bar.arrive needs one)"));
        }
        self.end()?;
        Ok(Stmt::Inst(InstKind::Bar { op, id, count }))
    }

    fn membar(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        let scope = m.take_map(|s| match s {
            "cta" => Some(Scope::Cta),
            "gl" => Some(Scope::Gpu),
            "sys" => Some(Scope::Sys),
            _ => None,
        });
        let Some(scope) = scope else {
            return Err(m.err(self.p, format!("unsupported instruction `{}`", m.full(self.p))));
        };
        m.finish(self.p)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Fence { kind: FenceKind::Membar, scope }))
    }

    fn fence(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        // `fence.scope` alone is `fence.acq_rel.scope`.
        let kind = if m.take("sc") {
            FenceKind::Sc
        } else {
            m.take("acq_rel");
            FenceKind::AcqRel
        };
        let Some(scope) = m.take_map(scope_from) else {
            return Err(m.err(self.p, format!("unsupported instruction `{}`", m.full(self.p))));
        };
        m.finish(self.p)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Fence { kind, scope }))
    }

    fn shfl(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        if !m.take("sync") {
            return Err(m.err(self.p, format!("unsupported instruction `{}` (use shfl.sync)", m.full(self.p))));
        }
        let mode = m.take_map(ShflMode::from_name);
        let Some(mode) = mode else {
            return Err(m.err(self.p, format!("missing mode in `{}`", m.full(self.p))));
        };
        m.ty_exactly(self.p, Type::B32)?;
        m.finish(self.p)?;
        let dst = self.reg()?;
        let pred = if self.p.eat_punct(b'|') { Some(self.reg()?) } else { None };
        self.comma()?;
        let src = self.operand(Type::B32)?;
        self.comma()?;
        let lane = self.operand(Type::B32)?;
        self.comma()?;
        let clamp = self.operand(Type::B32)?;
        self.comma()?;
        let mask = self.operand(Type::B32)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Shfl { mode, dst, pred, src, lane, clamp, mask }))
    }

    fn vote(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        if !m.take("sync") {
            return Err(m.err(self.p, format!("unsupported instruction `{}` (use vote.sync)", m.full(self.p))));
        }
        let mode = m.take_map(VoteMode::from_name);
        let Some(mode) = mode else {
            return Err(m.err(self.p, format!("missing mode in `{}`", m.full(self.p))));
        };
        m.ty_exactly(self.p, if mode == VoteMode::Ballot { Type::B32 } else { Type::Pred })?;
        m.finish(self.p)?;
        let dst = self.reg()?;
        self.comma()?;
        let negate = self.p.eat_punct(b'!');
        let src = self.reg()?;
        self.comma()?;
        let mask = self.operand(Type::B32)?;
        self.end()?;
        Ok(Stmt::Inst(InstKind::Vote { mode, dst, src, negate, mask }))
    }

    /// `call{.uni} {(rets),} name{, (args)};`
    fn call(&mut self, m: &mut Mods<'a>) -> Result<Stmt<'a>, ReadError> {
        m.take("uni");
        m.finish(self.p)?;
        let mut rets = Vec::new();
        if self.p.eat_punct(b'(') {
            if !self.p.eat_punct(b')') {
                loop {
                    rets.push(self.reg()?);
                    if self.p.eat_punct(b')') {
                        break;
                    }
                    self.comma()?;
                }
            }
            self.comma()?;
        }
        let (callee_tok, callee) = self.p.expect_ident("a function name")?;
        if self.regs.lookup(self.func, callee).is_some() {
            return Err(self.p.err(callee_tok, "indirect calls are not supported"));
        }
        let mut args = Vec::new();
        if self.p.eat_punct(b',') {
            self.p.expect_punct(b'(')?;
            if !self.p.eat_punct(b')') {
                loop {
                    args.push(self.raw_arg()?);
                    if self.p.eat_punct(b')') {
                        break;
                    }
                    self.comma()?;
                }
            }
            if self.p.is_punct(b',') {
                return Err(self.p.err(self.p.peek(), "calls through a prototype are not supported"));
            }
        }
        self.end()?;
        Ok(Stmt::Call { rets, callee, callee_tok, args })
    }
}

#[cfg(test)]
mod tests {
    use super::type_from;
    use crate::types::Type;

    #[test]
    fn type_table_matches_the_ir_spellings() {
        for t in Type::ALL {
            assert_eq!(type_from(t.name()), Some(t));
        }
        assert_eq!(type_from("f128"), None);
    }
}
