//! Property tests over random programs (a small LCG; no rand crate):
//! - random well-formed kernels always write, deterministically, with every register declared and every label
//!   defined once; a sample of them is assembled by ptxas;
//! - random corruptions of well-formed modules, and instructions with arbitrary fields, never make the writer
//!   (or the target computation) panic: they write or return an error.

mod kernels;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use ptx_gen::write::write_module;
use ptx_gen::*;

use kernels::util::*;

/// A 64-bit LCG (Knuth's MMIX constants), high bits out.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 16
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// A non-zero immediate of `ty`.
    fn imm(&mut self, ty: Type) -> Operand {
        let v = match ty {
            Type::F32 => (self.next() as f32 / 65536.0 - 1000.0).to_bits() as u64,
            Type::F64 => (self.next() as f64 / 1e6 - 7.0).to_bits(),
            _ => self.next() | 1,
        };
        Operand::Imm(Imm(truncate(v, ty.bits())))
    }
}

/// Registers by type, for picking well-typed operands.
struct Pools(BTreeMap<Type, Vec<Reg>>);

impl Pools {
    fn add(&mut self, r: Reg, ty: Type) {
        self.0.entry(ty).or_default().push(r);
    }
    fn reg(&self, rng: &mut Lcg, ty: Type) -> Reg {
        let v = &self.0[&ty];
        v[rng.below(v.len())]
    }
    fn op(&self, rng: &mut Lcg, ty: Type) -> Operand {
        if ty != Type::Pred && rng.chance(25) {
            rng.imm(ty)
        } else {
            Operand::Reg(self.reg(rng, ty))
        }
    }
}

const INTS: [Type; 3] = [Type::U32, Type::S32, Type::U64];
const FLOATS: [Type; 2] = [Type::F32, Type::F64];

/// A random well-formed kernel of about `len` instructions in a few blocks.
fn random_kernel(rng: &mut Lcg, len: usize) -> Module {
    let mut f = kernel("random", &[Type::U64, Type::U32]);
    let mut b = FunctionBuilder::new(&mut f);
    let nblocks = 1 + rng.below(5);
    let blocks: Vec<Block> = (0..nblocks).map(|_| b.create_block()).collect();
    b.switch_to_block(blocks[0]);
    let g = global_param(&mut b, 0);
    let n = b.ins().ld_param(Type::U32, 1);
    let mut pools = Pools(BTreeMap::new());
    pools.add(n, Type::U32);
    for (k, ty) in [Type::U32, Type::S32, Type::U64, Type::F32, Type::F64].into_iter().enumerate() {
        let r = b.ins().ld(global(ty), Address::reg_offset(g, 8 * k as i64));
        pools.add(r, ty);
    }
    let p = b.ins().setp(CmpOp::Ne, Type::U32, n, Imm(0));
    pools.add(p, Type::Pred);

    let per_block = len / nblocks + 1;
    for (bi, &block) in blocks.iter().enumerate() {
        if bi > 0 {
            b.switch_to_block(block);
        }
        for _ in 0..per_block {
            random_inst(rng, &mut b, &mut pools, g);
        }
        // Forward branches, back edges (loops) and fall-through; the last block returns or traps.
        if bi + 1 == nblocks {
            if rng.chance(90) {
                b.ret();
            } else {
                b.trap();
            }
        } else {
            match rng.below(3) {
                0 => b.jump(blocks[bi + 1]),
                1 => {
                    let target = blocks[rng.below(nblocks)];
                    let cond = pools.reg(rng, Type::Pred);
                    let negate = rng.chance(50);
                    b.terminate(Terminator::Branch { cond, negate, then_dest: target, else_dest: blocks[bi + 1] });
                }
                _ => {
                    let target = blocks[bi + 1 + rng.below(nblocks - bi - 1)];
                    b.jump(target);
                }
            }
        }
    }
    b.finish().expect("random kernels are well-formed");
    module(vec![f])
}

fn random_inst(rng: &mut Lcg, b: &mut FunctionBuilder, pools: &mut Pools, g: Reg) {
    let r = match rng.below(14) {
        0 => {
            let ty = rng.pick(&INTS);
            let op = rng.pick(&[
                BinOp::Add,
                BinOp::Sub,
                BinOp::Min,
                BinOp::Max,
                BinOp::And,
                BinOp::Or,
                BinOp::Xor,
                BinOp::Div,
                BinOp::Rem,
            ]);
            let (x, y) = (pools.op(rng, ty), pools.op(rng, ty));
            Some((b.ins().binary(op, Mode::None, ty, x, y), ty))
        }
        1 => {
            let ty = rng.pick(&INTS);
            let op = rng.pick(&[BinOp::Shl, BinOp::Shr]);
            let x = pools.op(rng, ty);
            let amount = pools.op(rng, Type::U32);
            Some((b.ins().binary(op, Mode::None, ty, x, amount), ty))
        }
        2 => {
            let ty = rng.pick(&[Type::U32, Type::S32]);
            let mode = rng.pick(&[Mode::Lo, Mode::Hi, Mode::Wide]);
            let (x, y) = (pools.op(rng, ty), pools.op(rng, ty));
            let r = b.ins().mul(ty, mode, x, y);
            // The pools hold no s64: a signed wide product stays unused.
            let rty = b.reg_type(r);
            (rty != Type::S64).then_some((r, rty))
        }
        3 => {
            let ty = rng.pick(&FLOATS);
            let op = rng.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]);
            let mode = rng.pick(&[Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp]);
            let (x, y) = (pools.op(rng, ty), pools.op(rng, ty));
            Some((b.ins().binary(op, mode, ty, x, y), ty))
        }
        4 => {
            let ty = rng.pick(&FLOATS);
            let (x, y, z) = (pools.op(rng, ty), pools.op(rng, ty), pools.op(rng, ty));
            Some((b.ins().fma(ty, Mode::Rn, x, y, z), ty))
        }
        5 => {
            let (ty, op, mode) = rng.pick(&[
                (Type::S32, UnOp::Neg, Mode::None),
                (Type::S32, UnOp::Abs, Mode::None),
                (Type::F32, UnOp::Sqrt, Mode::Rn),
                (Type::F32, UnOp::Ex2, Mode::Approx),
                (Type::F64, UnOp::Rcp, Mode::Rn),
                (Type::F64, UnOp::Neg, Mode::None),
            ]);
            let x = pools.op(rng, ty);
            Some((b.ins().unary(op, mode, ty, x), ty))
        }
        6 => {
            let ty = rng.pick(&[Type::U32, Type::U64]);
            let op = rng.pick(&[UnOp::Popc, UnOp::Clz, UnOp::Brev, UnOp::Not]);
            let x = pools.op(rng, ty);
            let r = b.ins().unary(op, Mode::None, ty, x);
            Some((r, b.reg_type(r)))
        }
        7 => {
            let ty = rng.pick(&[Type::U32, Type::S32, Type::F32, Type::F64]);
            let cmp = rng.pick(&CmpOp::ALL);
            let fits = if ty.is_float() {
                !cmp.is_unsigned_only()
            } else {
                !cmp.is_float_only() && (ty == Type::U32 || !cmp.is_unsigned_only())
            };
            let cmp = if fits { cmp } else { CmpOp::Ne };
            let (x, y) = (pools.op(rng, ty), pools.op(rng, ty));
            Some((b.ins().setp(cmp, ty, x, y), Type::Pred))
        }
        8 => {
            let ty = rng.pick(&[Type::U32, Type::S32, Type::U64, Type::F32, Type::F64]);
            let (x, y) = (pools.op(rng, ty), pools.op(rng, ty));
            let c = pools.reg(rng, Type::Pred);
            Some((b.ins().selp(ty, x, y, c), ty))
        }
        9 => {
            let (dst, src, mode) = rng.pick(&[
                (Type::F32, Type::S32, CvtMode::Rn),
                (Type::S32, Type::F32, CvtMode::Rzi),
                (Type::U64, Type::U32, CvtMode::None),
                (Type::U32, Type::U64, CvtMode::None),
                (Type::F64, Type::F32, CvtMode::None),
                (Type::F32, Type::F64, CvtMode::Rm),
                (Type::S32, Type::F64, CvtMode::Rni),
            ]);
            let x = pools.op(rng, src);
            Some((b.ins().cvt(mode, rng.chance(20) && dst.is_int() && src.is_float(), dst, src, x), dst))
        }
        10 => {
            let ty = rng.pick(&[Type::U32, Type::S32, Type::U64, Type::F32, Type::F64]);
            let off = 8 * rng.below(64) as i64;
            if rng.chance(50) {
                Some((b.ins().ld(global(ty), Address::reg_offset(g, off)), ty))
            } else {
                let v = pools.op(rng, ty);
                b.ins().st(global(ty), Address::reg_offset(g, off), v);
                None
            }
        }
        11 => {
            let mode = rng.pick(&[ShflMode::Up, ShflMode::Down, ShflMode::Bfly, ShflMode::Idx]);
            let x = pools.op(rng, Type::U32);
            let lane = Operand::u32(rng.below(32) as u32);
            let r = b.ins().shfl(mode, x, lane, Operand::u32(0x1F), Operand::u32(0xFFFF_FFFF));
            let c = b.ins().binary(BinOp::Xor, Mode::None, Type::U32, r, Imm(0));
            Some((c, Type::U32))
        }
        12 => {
            let p = pools.reg(rng, Type::Pred);
            let mode = rng.pick(&[VoteMode::All, VoteMode::Any, VoteMode::Uni, VoteMode::Ballot]);
            let r = b.ins().vote(mode, p, rng.chance(50), Operand::u32(0xFFFF_FFFF));
            if mode == VoteMode::Ballot {
                let c = b.ins().binary(BinOp::Or, Mode::None, Type::U32, r, Imm(0));
                Some((c, Type::U32))
            } else {
                Some((r, Type::Pred))
            }
        }
        _ => {
            let x = pools.op(rng, Type::U32);
            let old = b.ins().atom(
                AtomOp::Add,
                StateSpace::Global,
                MemOrder::Weak,
                None,
                Type::U32,
                Address::reg_offset(g, 512),
                x,
                None,
            );
            Some((old, Type::U32))
        }
    };
    if let Some((r, ty)) = r {
        pools.add(r, ty);
    }
}

/// Declared register ranges (`%r<5>` → ("%r", 5)) and the register names used in the body, per function.
fn check_names(ptx: &str) {
    for func in ptx.split("\n.visible .entry ").skip(1).chain(ptx.split("\n.func ").skip(1)) {
        let body = func.split("\n}\n").next().unwrap();
        let mut declared = BTreeMap::new();
        for line in body.lines().filter(|l| l.trim_start().starts_with(".reg .")) {
            let decl = line.split_whitespace().nth(2).unwrap(); // %r<5>;
            let (prefix, n) = decl.trim_end_matches(">;").split_once('<').unwrap();
            declared.insert(prefix.to_owned(), n.parse::<u32>().unwrap());
        }
        let mut labels = BTreeSet::new();
        for line in body.lines() {
            if line.starts_with("$L__") {
                assert!(labels.insert(line.trim_end_matches(':').to_owned()), "label defined twice: {line}");
            }
        }
        for line in body.lines().filter(|l| l.starts_with('\t') && !l.contains(".reg .")) {
            for (i, _) in line.match_indices('%') {
                let rest = &line[i..];
                let prefix: String = rest.chars().take_while(|c| *c == '%' || c.is_ascii_lowercase()).collect();
                let digits: String = rest[prefix.len()..].chars().take_while(char::is_ascii_digit).collect();
                if ["%p", "%rs", "%r", "%rd", "%f", "%fd"].contains(&prefix.as_str()) {
                    let n: u32 = digits.parse().unwrap_or_else(|_| panic!("bad register in `{line}`"));
                    let limit = declared.get(&prefix).copied().unwrap_or(0);
                    assert!(n >= 1 && n < limit, "`{prefix}{n}` not declared (range <{limit}>) in `{line}`");
                }
            }
            if let Some(target) =
                line.split("bra").nth(1).filter(|_| line.contains(" bra")).map(|t| t.trim().trim_end_matches(';'))
            {
                let target = target.trim_start_matches(".uni").trim();
                assert!(labels.contains(target), "branch to undefined label {target}");
            }
        }
    }
}

#[test]
fn random_well_formed_kernels_write_and_assemble() {
    let mut rng = Lcg(0x5EED_1234_ABCD_0001);
    let mut assembled = 0;
    for i in 0..200 {
        let len = 10 + rng.below(120);
        let m = random_kernel(&mut rng, len);
        let ptx = write_module(&m).unwrap_or_else(|e| panic!("program {i}: {e}"));
        assert_eq!(write_module(&m).as_deref(), Ok(ptx.as_str()), "program {i} is not deterministic");
        check_names(&ptx);
        // Every emitted register is declared exactly as many times as the IR has registers of its class.
        let f = &m.functions[FuncId(0)];
        let b32 = f.regs.values().filter(|d| d.ty.reg_class() == RegClass::B32).count();
        assert!(ptx.contains(&format!("\t.reg .b32 \t%r<{}>;", b32 + 1)), "program {i}");
        if i % 10 == 0 {
            let gpu = ["sm_75", "sm_80", "sm_90"][i / 10 % 3];
            if ptx_gen::ptxas::check_or_skip(&ptx, &[gpu]).unwrap_or_else(|e| panic!("program {i}: {e}\n{ptx}")) {
                assembled += 1;
            }
        }
    }
    if ptx_gen::ptxas::find().is_some() {
        assert_eq!(assembled, 20);
    }
}

/// Arbitrary values of every enum, for instructions with fields no frontend would produce.
fn any_type(rng: &mut Lcg) -> Type {
    rng.pick(&Type::ALL)
}

fn any_reg(rng: &mut Lcg, nregs: usize) -> Reg {
    Reg(rng.below(nregs + 3) as u32)
}

fn any_op(rng: &mut Lcg, nregs: usize) -> Operand {
    if rng.chance(50) {
        Operand::Reg(any_reg(rng, nregs))
    } else {
        Operand::Imm(Imm(rng.next() << rng.below(40)))
    }
}

fn any_scope(rng: &mut Lcg) -> Scope {
    rng.pick(&[Scope::Cta, Scope::Gpu, Scope::Sys])
}

fn any_order(rng: &mut Lcg) -> MemOrder {
    let s = any_scope(rng);
    rng.pick(&[
        MemOrder::Weak,
        MemOrder::Volatile,
        MemOrder::Relaxed(s),
        MemOrder::Acquire(s),
        MemOrder::Release(s),
        MemOrder::AcqRel(s),
    ])
}

fn any_space(rng: &mut Lcg) -> StateSpace {
    rng.pick(&[
        StateSpace::Param,
        StateSpace::Global,
        StateSpace::Shared,
        StateSpace::Local,
        StateSpace::Const,
        StateSpace::Generic,
    ])
}

fn any_addr(rng: &mut Lcg, nregs: usize) -> Address {
    let base = match rng.below(3) {
        0 => AddrBase::Reg(any_reg(rng, nregs)),
        1 => AddrBase::Var(Var(rng.below(3) as u32)),
        _ => AddrBase::Param(rng.below(4) as u32),
    };
    Address { base, offset: rng.next() as i64 - (1 << 40) }
}

fn any_access(rng: &mut Lcg) -> MemAccess {
    MemAccess {
        space: any_space(rng),
        ty: any_type(rng),
        vec: rng.pick(&[VecWidth::Scalar, VecWidth::V2, VecWidth::V4]),
        order: any_order(rng),
        cache: rng.pick(&[
            CacheOp::None,
            CacheOp::Ca,
            CacheOp::Cg,
            CacheOp::Cs,
            CacheOp::Lu,
            CacheOp::Cv,
            CacheOp::Wb,
            CacheOp::Wt,
        ]),
        nc: rng.chance(20),
        eviction: rng.pick(&[
            Eviction::None,
            Eviction::EvictNormal,
            Eviction::EvictUnchanged,
            Eviction::EvictFirst,
            Eviction::EvictLast,
            Eviction::NoAllocate,
        ]),
        prefetch: rng.pick(&[Prefetch::None, Prefetch::B64, Prefetch::B128, Prefetch::B256]),
    }
}

/// An instruction with arbitrary fields: any variant, any enum values, registers that may not exist.
fn any_inst(rng: &mut Lcg, nregs: usize, nfuncs: usize) -> InstKind {
    let r = |rng: &mut Lcg| any_reg(rng, nregs);
    let o = |rng: &mut Lcg| any_op(rng, nregs);
    let mode = |rng: &mut Lcg| {
        rng.pick(&[
            Mode::None,
            Mode::Rn,
            Mode::Rz,
            Mode::Rm,
            Mode::Rp,
            Mode::Approx,
            Mode::Full,
            Mode::Lo,
            Mode::Hi,
            Mode::Wide,
        ])
    };
    let regs = |rng: &mut Lcg| (0..rng.below(5)).map(|_| any_reg(rng, nregs)).collect::<Vec<_>>();
    let ops = |rng: &mut Lcg| (0..rng.below(5)).map(|_| any_op(rng, nregs)).collect::<Vec<_>>();
    match rng.below(23) {
        0 => InstKind::Mov { ty: any_type(rng), dst: r(rng), src: o(rng) },
        1 => InstKind::ReadSpecial {
            dst: r(rng),
            sreg: rng.pick(&[SpecialReg::Tid(Dim::Z), SpecialReg::Clock64, SpecialReg::NSmId]),
        },
        2 => InstKind::AddrOf { dst: r(rng), var: Var(rng.below(3) as u32) },
        3 => InstKind::Unary {
            op: rng.pick(&[
                UnOp::Neg,
                UnOp::Abs,
                UnOp::Not,
                UnOp::Popc,
                UnOp::Clz,
                UnOp::Brev,
                UnOp::Sqrt,
                UnOp::Rsqrt,
                UnOp::Rcp,
                UnOp::Ex2,
                UnOp::Lg2,
                UnOp::Sin,
                UnOp::Cos,
                UnOp::Tanh,
            ]),
            mode: mode(rng),
            ty: any_type(rng),
            dst: r(rng),
            src: o(rng),
        },
        4 => InstKind::Binary {
            op: rng.pick(&[
                BinOp::Add,
                BinOp::Sub,
                BinOp::Mul,
                BinOp::Div,
                BinOp::Rem,
                BinOp::Min,
                BinOp::Max,
                BinOp::And,
                BinOp::Or,
                BinOp::Xor,
                BinOp::Shl,
                BinOp::Shr,
            ]),
            mode: mode(rng),
            ty: any_type(rng),
            dst: r(rng),
            a: o(rng),
            b: o(rng),
        },
        5 => InstKind::Ternary {
            op: rng.pick(&[TernOp::Mad, TernOp::Fma, TernOp::Bfe]),
            mode: mode(rng),
            ty: any_type(rng),
            dst: r(rng),
            a: o(rng),
            b: o(rng),
            c: o(rng),
        },
        6 => InstKind::Bfi { ty: any_type(rng), dst: r(rng), f: o(rng), b: o(rng), pos: o(rng), len: o(rng) },
        7 => InstKind::Setp { cmp: rng.pick(&CmpOp::ALL), ty: any_type(rng), dst: r(rng), a: o(rng), b: o(rng) },
        8 => InstKind::Selp { ty: any_type(rng), dst: r(rng), a: o(rng), b: o(rng), cond: r(rng) },
        9 => InstKind::Cvt {
            mode: rng.pick(&CvtMode::ALL),
            sat: rng.chance(50),
            dst_ty: any_type(rng),
            src_ty: any_type(rng),
            dst: r(rng),
            src: o(rng),
        },
        10 => InstKind::Cvta { to_generic: rng.chance(50), space: any_space(rng), dst: r(rng), src: r(rng) },
        11 => InstKind::Ld { access: any_access(rng), dsts: regs(rng), addr: any_addr(rng, nregs) },
        12 => InstKind::St { access: any_access(rng), addr: any_addr(rng, nregs), srcs: ops(rng) },
        13 => InstKind::Atom {
            op: rng.pick(&[
                AtomOp::Add,
                AtomOp::Min,
                AtomOp::Max,
                AtomOp::Inc,
                AtomOp::Dec,
                AtomOp::And,
                AtomOp::Or,
                AtomOp::Xor,
                AtomOp::Exch,
                AtomOp::Cas,
            ]),
            space: any_space(rng),
            order: any_order(rng),
            scope: rng.chance(50).then(|| any_scope(rng)),
            ty: any_type(rng),
            dst: rng.chance(50).then(|| r(rng)),
            addr: any_addr(rng, nregs),
            src: o(rng),
            cmp: rng.chance(50).then(|| o(rng)),
        },
        14 => InstKind::Bar {
            op: rng.pick(&[BarOp::Sync, BarOp::Arrive]),
            id: o(rng),
            count: rng.chance(50).then(|| o(rng)),
        },
        15 => InstKind::WarpSync { mask: o(rng) },
        16 => InstKind::Fence {
            kind: rng.pick(&[FenceKind::Membar, FenceKind::AcqRel, FenceKind::Sc]),
            scope: any_scope(rng),
        },
        17 => InstKind::Shfl {
            mode: rng.pick(&[ShflMode::Up, ShflMode::Down, ShflMode::Bfly, ShflMode::Idx]),
            dst: r(rng),
            pred: rng.chance(50).then(|| r(rng)),
            src: o(rng),
            lane: o(rng),
            clamp: o(rng),
            mask: o(rng),
        },
        18 => InstKind::Vote {
            mode: rng.pick(&[VoteMode::All, VoteMode::Any, VoteMode::Uni, VoteMode::Ballot]),
            dst: r(rng),
            src: r(rng),
            negate: rng.chance(50),
            mask: o(rng),
        },
        19 => InstKind::ActiveMask { dst: r(rng) },
        20 => InstKind::Call { func: FuncId(rng.below(nfuncs + 2) as u32), rets: regs(rng), args: ops(rng) },
        _ => {
            let templates = ["{0}", "add.u32 {0}, {1}, {9};", "{ {", "}}}", "{x} {", "{99999999999999999999}", ""];
            InstKind::Asm { text: rng.pick(&templates).into(), outputs: regs(rng), inputs: ops(rng) }
        }
    }
}

/// One random corruption of `m`.
fn corrupt(rng: &mut Lcg, m: &mut Module) {
    let nfuncs = m.functions.len();
    if rng.chance(5) {
        m.target = Some(Target {
            sm: rng.below(130) as u32,
            ptx_isa: PtxIsa(rng.below(10) as u32, rng.below(10) as u32),
            arch_specific: rng.chance(30),
        });
    }
    if rng.chance(5) {
        let ty = any_type(rng);
        m.add_var(VarData {
            name: rng.pick(&["v", "tile", "random", "", "9x", "random_param_0"]).into(),
            space: any_space(rng),
            ty,
            len: rng.pick(&[None, Some(0), Some(1), Some(7)]),
            align: rng.pick(&[0, 1, 3, 4, 16]),
            init: (0..rng.below(9)).map(|_| rng.next()).collect(),
        });
    }
    let Some(fid) = m.functions.keys().nth(rng.below(nfuncs)) else { return };
    let f = &mut m.functions[fid];
    let nregs = f.regs.len();
    let nblocks = f.blocks.len();
    match rng.below(10) {
        0..=2 => {
            if !f.insts.is_empty() {
                let i = Inst(rng.below(f.insts.len()) as u32);
                f.insts[i].kind = any_inst(rng, nregs, nfuncs);
            }
        }
        3 => {
            if !f.insts.is_empty() {
                let i = Inst(rng.below(f.insts.len()) as u32);
                f.insts[i].kind.for_each_reg_mut(|r, _| {
                    if rng.chance(30) {
                        *r = Reg(rng.below(nregs + 4) as u32)
                    }
                });
            }
        }
        4 => {
            let b = Block(rng.below(nblocks + 1) as u32);
            if let Some(data) = f.blocks.get_mut(b) {
                data.term = match rng.below(4) {
                    0 => None,
                    1 => Some(Terminator::Jump(Block(rng.below(nblocks + 2) as u32))),
                    2 => Some(Terminator::Branch {
                        cond: Reg(rng.below(nregs + 2) as u32),
                        negate: rng.chance(50),
                        then_dest: Block(rng.below(nblocks + 2) as u32),
                        else_dest: Block(rng.below(nblocks + 2) as u32),
                    }),
                    _ => Some(Terminator::Trap),
                };
            }
        }
        5 => match rng.below(3) {
            0 => f.layout.push(Block(rng.below(nblocks + 2) as u32)),
            1 => {
                if !f.layout.is_empty() {
                    let k = rng.below(f.layout.len());
                    f.layout.remove(k);
                }
            }
            _ => f.layout.reverse(),
        },
        6 => {
            if let Some(data) = f.blocks.get_mut(Block(rng.below(nblocks) as u32)) {
                data.insts.push(Inst(rng.below(f.insts.len() + 3) as u32));
            }
        }
        7 => {
            f.attrs = KernelAttrs {
                max_threads: rng.chance(50).then(|| rng.below(1025) as u32),
                min_blocks_per_sm: rng.chance(50).then(|| rng.below(4) as u32),
                max_registers: rng.chance(50).then(|| rng.below(256) as u32),
                required_threads: rng.chance(30).then(|| (rng.below(64) as u32, 1, rng.below(2) as u32)),
            };
        }
        8 => {
            f.kind = if f.kind == FuncKind::Kernel { FuncKind::Device } else { FuncKind::Kernel };
        }
        _ => {
            let ty = any_type(rng);
            let reg = rng.chance(50).then(|| Reg(rng.below(nregs + 2) as u32));
            f.params.push(Param { name: "q".into(), ty, reg });
            if rng.chance(50) {
                f.returns.push(Reg(rng.below(nregs + 2) as u32));
            }
        }
    }
}

#[test]
fn corrupted_modules_never_panic() {
    let mut rng = Lcg(0xC0FF_EE00_DEAD_BEEF);
    let bases: Vec<Module> = kernels::all().into_iter().map(|(_, m)| m).collect();
    let (mut ok, mut err) = (0, 0);
    for i in 0..3000 {
        let mut m = if i % 2 == 0 { bases[rng.below(bases.len())].clone() } else { random_kernel(&mut rng, 20) };
        for _ in 0..1 + rng.below(3) {
            corrupt(&mut rng, &mut m);
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _ = ptx_gen::target::required_target(&m);
            write_module(&m)
        }));
        match result {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                err += 1
            }
            Err(_) => panic!("the writer panicked on corrupted module {i}: {m:#?}"),
        }
    }
    // Both outcomes happen: the corruptions are neither all harmless nor all fatal.
    assert!(ok > 100 && err > 100, "ok {ok}, err {err}");
}
