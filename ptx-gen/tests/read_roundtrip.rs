//! The round-trip property `write(read(write(ir))) == write(ir)` over modules built with the builder, covering every
//! instruction family and modifier, module variables, device functions and calls, directives, and the CFG shapes
//! the writer prints differently (fall-through, labelled entry, empty entry, out-of-order layout).
//!
//! Each module is also checked to verify before writing and after reading, and (when ptxas is found) to assemble,
//! so the property is exercised on valid PTX only.

use ptx_gen::read::read_module;
use ptx_gen::verify::verify_module;
use ptx_gen::write::write_module;
use ptx_gen::*;
use Type::*;

/// Writes `m`, reads it back, writes again, and compares; also verifies both IRs and assembles the text.
fn roundtrip(name: &str, m: &Module) -> String {
    if let Err(e) = verify_module(m) {
        panic!("{name}: the test module does not verify: {e}");
    }
    let text = write_module(m).unwrap_or_else(|e| panic!("{name}: write: {e}"));
    let back = read_module(&text).unwrap_or_else(|e| panic!("{name}: read: {e}\n{text}"));
    if let Err(e) = verify_module(&back) {
        panic!("{name}: the module read back does not verify: {e}\n{text}");
    }
    let again = write_module(&back).unwrap_or_else(|e| panic!("{name}: write of the read module: {e}"));
    if again != text {
        let diff: Vec<String> = text
            .lines()
            .zip(again.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  first:  {a}\n  second: {b}", i + 1))
            .collect();
        panic!("{name}: write(read(write(ir))) != write(ir)\n{}\n--- first ---\n{text}", diff.join("\n"));
    }
    // Same shape: functions, blocks, instructions.
    assert_eq!(back.functions.len(), m.functions.len(), "{name}");
    for (a, b) in m.functions.values().zip(back.functions.values()) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.layout.len(), b.layout.len(), "{name}: blocks of `{}`", a.name);
        assert_eq!(a.inst_count(), b.inst_count(), "{name}: instructions of `{}`", a.name);
        assert_eq!(a.params.len(), b.params.len());
        assert_eq!(a.attrs, b.attrs);
    }
    assert_eq!(back.vars.len(), m.vars.len());
    match ptx_gen::ptxas::check_or_skip(&text, &["sm_90"]) {
        Ok(_) => {}
        Err(e) => panic!("{name}: {e}"),
    }
    text
}

fn global(ty: Type) -> MemAccess {
    MemAccess::new(StateSpace::Global, ty)
}

/// Stores each value 8 bytes apart from `base`, so that every instruction's result is used.
struct Sink {
    base: Reg,
    next: i64,
}

impl Sink {
    fn put(&mut self, b: &mut FunctionBuilder, ty: Type, v: Reg) {
        let ty = match ty {
            Pred => {
                let w = b.ins().selp(U32, Operand::u32(1), Operand::u32(0), v);
                return self.put(b, U32, w);
            }
            F16 | BF16 => B16,
            F16x2 | BF16x2 => B32,
            t => t,
        };
        b.ins().st(global(ty), Address::reg_offset(self.base, self.next), v);
        self.next += 8;
    }
    fn reg(&mut self, b: &mut FunctionBuilder, v: Reg) {
        let ty = b.reg_type(v);
        self.put(b, ty, v);
    }
}

/// A kernel `name(out: u64, params…)` whose entry block loads every parameter and hands them to `body`, then
/// returns.
fn straight_kernel(
    name: &str,
    params: &[Type],
    body: impl FnOnce(&mut FunctionBuilder, &mut Sink, &[Reg]),
) -> Function {
    let mut f = Function::kernel(name);
    f.add_param("out", U64);
    for (i, &t) in params.iter().enumerate() {
        f.add_param(format!("p{i}"), t);
    }
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let out = b.ins().ld_param(U64, 0);
    let base = b.ins().cvta_to_global(out);
    let vals: Vec<Reg> = params.iter().enumerate().map(|(i, &t)| b.ins().ld_param(t, i as u32 + 1)).collect();
    let mut sink = Sink { base, next: 0 };
    body(&mut b, &mut sink, &vals);
    b.ret();
    b.finish().unwrap();
    f
}

fn module(funcs: Vec<Function>) -> Module {
    let mut m = Module::new();
    for f in funcs {
        m.add_function(f);
    }
    m
}

#[test]
fn integer_arithmetic() {
    let f = straight_kernel("int_arith", &[U32, S32, U64, S64, S16], |b, s, v| {
        let (a, i, q, l, h) = (v[0], v[1], v[2], v[3], v[4]);
        use BinOp::*;
        let rows: Vec<(BinOp, Mode, Type, Operand, Operand)> = vec![
            (Add, Mode::None, S32, i.into(), Operand::u32(-5i32 as u32)),
            (Add, Mode::None, U32, a.into(), Operand::u32(4_000_000_000)),
            (Sub, Mode::None, S32, Operand::u32(7), i.into()),
            (Mul, Mode::Lo, S32, i.into(), i.into()),
            (Mul, Mode::Hi, U32, a.into(), Operand::u32(0x9E37_79B9)),
            (Mul, Mode::Wide, U32, a.into(), Operand::u32(4)),
            (Mul, Mode::Wide, S32, i.into(), Operand::u32(-3i32 as u32)),
            (Mul, Mode::Wide, S16, h.into(), h.into()),
            (Div, Mode::None, S32, i.into(), Operand::u32(7)),
            (Div, Mode::None, U32, a.into(), a.into()),
            (Rem, Mode::None, S32, i.into(), Operand::u32(-9i32 as u32)),
            (Rem, Mode::None, U64, q.into(), Operand::u64(1000)),
            (Min, Mode::None, S32, i.into(), Operand::u32(0)),
            (Max, Mode::None, U32, a.into(), Operand::u32(17)),
            (Min, Mode::None, S64, l.into(), Operand::u64(-1i64 as u64)),
            (And, Mode::None, B32, a.into(), Operand::u32(0xFF)),
            (Or, Mode::None, B64, q.into(), Operand::u64(0x8000_0000_0000_0000)),
            (Xor, Mode::None, B32, a.into(), i.into()),
            (Shl, Mode::None, B32, a.into(), Operand::u32(3)),
            (Shl, Mode::None, B64, q.into(), a.into()),
            (Shr, Mode::None, S32, i.into(), Operand::u32(31)),
            (Shr, Mode::None, U64, q.into(), Operand::u32(7)),
            (Add, Mode::None, S64, l.into(), q.into()),
            (Sub, Mode::None, S16, h.into(), Operand::u32(0xFFFE)),
        ];
        for (op, mode, ty, x, y) in rows {
            let r = b.ins().binary(op, mode, ty, x, y);
            s.reg(b, r);
        }
        use UnOp::*;
        for (op, ty, x) in [
            (Neg, S32, i),
            (Abs, S32, i),
            (Not, B32, a),
            (Popc, B32, a),
            (Clz, B64, q),
            (Brev, B32, a),
            (Neg, S64, l),
            (Popc, B64, q),
        ] {
            let r = b.ins().unary(op, Mode::None, ty, x);
            s.reg(b, r);
        }
        let t = [
            b.ins().ternary(TernOp::Mad, Mode::Lo, S32, i, i, Operand::u32(1)),
            b.ins().ternary(TernOp::Mad, Mode::Hi, U32, a, Operand::u32(3), a),
            b.ins().ternary(TernOp::Mad, Mode::Wide, S32, i, i, l),
            b.ins().ternary(TernOp::Mad, Mode::Wide, U32, a, Operand::u32(8), Operand::u64(u64::MAX)),
            b.ins().ternary(TernOp::Bfe, Mode::None, U32, a, Operand::u32(8), Operand::u32(4)),
            b.ins().ternary(TernOp::Bfe, Mode::None, S64, l, a, Operand::u32(16)),
            b.ins().bfi(B32, a, i, Operand::u32(4), Operand::u32(8)),
            b.ins().bfi(B64, q, l, a, Operand::u32(3)),
        ];
        for r in t {
            s.reg(b, r);
        }
    });
    roundtrip("int_arith", &module(vec![f]));
}

#[test]
fn float_arithmetic_and_conversions() {
    let f = straight_kernel("float_arith", &[F32, F64, S32, U64, B16], |b, s, v| {
        let (x, y, i, q, h) = (v[0], v[1], v[2], v[3], v[4]);
        use BinOp::*;
        let rows: Vec<(BinOp, Mode, Type, Operand, Operand)> = vec![
            (Add, Mode::Rn, F32, x.into(), Operand::f32(1.5)),
            (Sub, Mode::Rz, F32, Operand::f32(-0.0), x.into()),
            (Mul, Mode::Rm, F32, x.into(), x.into()),
            (Mul, Mode::Rp, F32, x.into(), Operand::f32(f32::MIN_POSITIVE)),
            (Div, Mode::Rn, F32, x.into(), Operand::f32(3.0)),
            (Div, Mode::Approx, F32, x.into(), x.into()),
            (Div, Mode::Full, F32, Operand::f32(1.0), x.into()),
            (Min, Mode::None, F32, x.into(), Operand::f32(f32::INFINITY)),
            (Max, Mode::None, F32, x.into(), Operand::f32(f32::NAN)),
            (Add, Mode::Rn, F64, y.into(), Operand::f64(0.1)),
            (Mul, Mode::Rz, F64, y.into(), y.into()),
            (Div, Mode::Rn, F64, Operand::f64(-1e300), y.into()),
            (Max, Mode::None, F64, y.into(), Operand::f64(2.0)),
        ];
        for (op, mode, ty, a, c) in rows {
            let r = b.ins().binary(op, mode, ty, a, c);
            s.reg(b, r);
        }
        use UnOp::*;
        let un = [
            (Neg, Mode::None, F32, x),
            (Abs, Mode::None, F32, x),
            (Sqrt, Mode::Rn, F32, x),
            (Sqrt, Mode::Approx, F32, x),
            (Rsqrt, Mode::Approx, F32, x),
            (Rcp, Mode::Rn, F32, x),
            (Rcp, Mode::Approx, F32, x),
            (Ex2, Mode::Approx, F32, x),
            (Lg2, Mode::Approx, F32, x),
            (Sin, Mode::Approx, F32, x),
            (Cos, Mode::Approx, F32, x),
            (Tanh, Mode::Approx, F32, x),
            (Neg, Mode::None, F64, y),
            (Sqrt, Mode::Rn, F64, y),
            (Rcp, Mode::Rn, F64, y),
            (Rsqrt, Mode::Approx, F64, y),
        ];
        for (op, mode, ty, a) in un {
            let r = b.ins().unary(op, mode, ty, a);
            s.reg(b, r);
        }
        let r = b.ins().fma(F32, Mode::Rn, x, x, Operand::f32(-2.25));
        s.reg(b, r);
        let r = b.ins().fma(F64, Mode::Rz, y, Operand::f64(3.0), y);
        s.reg(b, r);
        // Every comparison, on the types that allow it.
        for cmp in CmpOp::ALL {
            let ty = if cmp.is_float_only() {
                F32
            } else if cmp.is_unsigned_only() {
                U64
            } else {
                S32
            };
            let (a, c): (Operand, Operand) = match ty {
                F32 => (x.into(), Operand::f32(0.5)),
                U64 => (q.into(), Operand::u64(99)),
                _ => (i.into(), Operand::u32(-1i32 as u32)),
            };
            let p = b.ins().setp(cmp, ty, a, c);
            s.reg(b, p);
        }
        let p = b.ins().setp(CmpOp::Lt, F64, y, Operand::f64(0.0));
        let r = b.ins().selp(F64, y, Operand::f64(-1.0), p);
        s.reg(b, r);
        let r = b.ins().selp(S32, i, Operand::u32(-7i32 as u32), p);
        s.reg(b, r);
        let r = b.ins().selp(F32, Operand::f32(2.0), x, p);
        s.reg(b, r);
        let pn = b.ins().unary(UnOp::Not, Mode::None, Pred, p);
        let pa = b.ins().binary(BinOp::And, Mode::None, Pred, p, pn);
        s.reg(b, pa);
        // Conversions: every rounding family.
        let cv = [
            (CvtMode::Rzi, false, S32, F32, Operand::from(x)),
            (CvtMode::Rni, false, S32, F32, x.into()),
            (CvtMode::Rmi, false, U32, F32, x.into()),
            (CvtMode::Rpi, false, S64, F64, y.into()),
            (CvtMode::Rzi, true, U32, F32, x.into()),
            (CvtMode::Rn, false, F32, S32, i.into()),
            (CvtMode::Rz, false, F32, U64, q.into()),
            (CvtMode::Rm, false, F64, S32, i.into()),
            (CvtMode::Rp, false, F32, F64, y.into()),
            (CvtMode::None, false, F64, F32, x.into()),
            (CvtMode::None, false, U64, U32, Operand::u32(12)),
            (CvtMode::None, false, S64, S32, i.into()),
            (CvtMode::None, false, U16, U32, i.into()),
            (CvtMode::None, false, S32, S16, h.into()),
            (CvtMode::Rn, false, F16, F32, x.into()),
            (CvtMode::None, false, F32, F16, h.into()),
            (CvtMode::Rni, false, F32, F32, x.into()),
            (CvtMode::None, true, F32, F32, x.into()),
        ];
        for (mode, sat, dt, st, src) in cv {
            let r = b.ins().cvt(mode, sat, dt, st, src);
            s.reg(b, r);
        }
    });
    roundtrip("float_arith", &module(vec![f]));
}

#[test]
fn memory_variables_and_atomics() {
    let mut m = Module::new();
    let counter = m.add_var(VarData {
        name: "counter".into(),
        space: StateSpace::Global,
        ty: U32,
        len: None,
        align: 4,
        init: vec![5],
    });
    let table = m.add_var(VarData {
        name: "table".into(),
        space: StateSpace::Global,
        ty: S16,
        len: Some(4),
        align: 8,
        init: vec![1, 0xFFFF, 3, 0x8000],
    });
    let coeffs = m.add_var(VarData {
        name: "coeffs".into(),
        space: StateSpace::Const,
        ty: F32,
        len: Some(4),
        align: 16,
        init: [1.0f32, -2.0, 0.1, f32::INFINITY].iter().map(|v| v.to_bits() as u64).collect(),
    });
    let tile = m.add_var(VarData {
        name: "tile".into(),
        space: StateSpace::Shared,
        ty: F32,
        len: Some(256),
        align: 16,
        init: vec![],
    });
    let dyn_smem = m.add_var(VarData {
        name: "dyn_smem".into(),
        space: StateSpace::Shared,
        ty: B8,
        len: Some(0),
        align: 16,
        init: vec![],
    });
    let f = straight_kernel("memory", &[U64, U32], |b, s, v| {
        let src = b.ins().cvta_to_global(v[0]);
        let n = v[1];
        let g = |ty| global(ty);
        let with = |mut a: MemAccess, e: &dyn Fn(&mut MemAccess)| {
            e(&mut a);
            a
        };
        // Loads of every flavour.
        let accesses = [
            g(F32),
            with(g(U32), &|a| a.order = MemOrder::Volatile),
            with(g(U32), &|a| a.order = MemOrder::Relaxed(Scope::Gpu)),
            with(g(U64), &|a| a.order = MemOrder::Acquire(Scope::Sys)),
            with(g(S32), &|a| a.order = MemOrder::Acquire(Scope::Cta)),
            with(g(F32), &|a| a.cache = CacheOp::Ca),
            with(g(F32), &|a| a.cache = CacheOp::Cg),
            with(g(F32), &|a| a.cache = CacheOp::Cs),
            with(g(F32), &|a| a.cache = CacheOp::Lu),
            with(g(F32), &|a| a.cache = CacheOp::Cv),
            with(g(F32), &|a| a.nc = true),
            with(g(F64), &|a| a.eviction = Eviction::EvictLast),
            with(g(F32), &|a| a.eviction = Eviction::EvictFirst),
            with(g(F32), &|a| a.eviction = Eviction::NoAllocate),
            with(g(F32), &|a| a.prefetch = Prefetch::B128),
            with(g(F32), &|a| {
                a.nc = true;
                a.eviction = Eviction::EvictNormal;
                a.prefetch = Prefetch::B256
            }),
            with(g(U8), &|_| {}),
            with(g(S8), &|a| a.prefetch = Prefetch::B64),
            with(g(B16), &|a| a.eviction = Eviction::EvictUnchanged),
            MemAccess::new(StateSpace::Generic, U32),
        ];
        for (k, acc) in accesses.into_iter().enumerate() {
            let r = b.ins().ld(acc, Address::reg_offset(src, 16 * k as i64 - 64));
            s.reg(b, r);
        }
        for (vec, ty) in [(VecWidth::V2, F32), (VecWidth::V4, F32), (VecWidth::V4, U32), (VecWidth::V2, F64)] {
            let acc = with(g(ty), &|a| {
                a.vec = vec;
                a.nc = ty == U32
            });
            let rs = b.ins().ld_vec(acc, Address::reg_offset(src, 32));
            let st_acc = with(g(ty), &|a| {
                a.vec = vec;
                a.cache = CacheOp::Cs
            });
            let ops: Vec<Operand> = rs.iter().map(|&r| r.into()).collect();
            b.ins().st_vec(st_acc, Address::reg_offset(src, -32), ops);
        }
        // Stores of every flavour.
        let x = b.ins().ld(g(F32), Address::reg(src));
        let u = b.ins().ld(g(U32), Address::reg(src));
        for acc in [
            with(g(F32), &|a| a.cache = CacheOp::Wb),
            with(g(F32), &|a| a.cache = CacheOp::Wt),
            with(g(F32), &|a| a.order = MemOrder::Release(Scope::Gpu)),
            with(g(F32), &|a| a.order = MemOrder::Relaxed(Scope::Sys)),
            with(g(F32), &|a| a.order = MemOrder::Volatile),
            with(g(F32), &|a| a.eviction = Eviction::EvictLast),
        ] {
            b.ins().st(acc, Address::reg_offset(src, 8), x);
        }
        b.ins().st(g(U32), Address::reg(src), Operand::u32(0xDEAD_BEEF));
        b.ins().st(g(F32), Address::reg(src), Operand::f32(-0.5));
        let w = b.ins().cvt(CvtMode::None, false, U16, U32, u);
        b.ins().st(g(U8), Address::reg_offset(src, 1), w);
        // Variables: by name, by address, shared and const spaces.
        let c = b.ins().ld(g(U32), Address::var(counter));
        s.reg(b, c);
        let t = b.ins().ld(g(S16), Address { base: AddrBase::Var(table), offset: 6 });
        s.reg(b, t);
        let k = b.ins().ld(MemAccess::new(StateSpace::Const, F32), Address { base: AddrBase::Var(coeffs), offset: 12 });
        s.reg(b, k);
        let sh = MemAccess::new(StateSpace::Shared, F32);
        b.ins().st(sh, Address { base: AddrBase::Var(tile), offset: 1020 }, k);
        b.ins().st(with(sh, &|a| a.order = MemOrder::Volatile), Address::var(tile), x);
        let ta = b.ins().addr_of(tile);
        let tv = b.ins().ld(sh, Address::reg_offset(ta, 4));
        s.reg(b, tv);
        let da = b.ins().addr_of(dyn_smem);
        let gen = b.ins().cvta(true, StateSpace::Shared, da);
        let back = b.ins().cvta(false, StateSpace::Shared, gen);
        let dv = b.ins().ld(MemAccess::new(StateSpace::Shared, U8), Address::reg(back));
        s.reg(b, dv);
        let gg = b.ins().cvta(true, StateSpace::Global, src);
        let gl = b.ins().ld(MemAccess::new(StateSpace::Generic, F64), Address::reg(gg));
        s.reg(b, gl);
        // Atomics: every operation, orders and scopes, reductions, compare-and-swap.
        use AtomOp::*;
        use StateSpace::{Generic, Global, Shared};
        let a = Address::reg(src);
        type Row = (AtomOp, StateSpace, MemOrder, Option<Scope>, Type, Operand, Option<Operand>);
        let rows: Vec<Row> = vec![
            (Add, Global, MemOrder::Weak, None, U32, Operand::u32(1), None),
            (Add, Global, MemOrder::Weak, None, F32, x.into(), None),
            (Add, Global, MemOrder::Relaxed(Scope::Gpu), Some(Scope::Gpu), U64, Operand::u64(1 << 40), None),
            (Add, Global, MemOrder::Acquire(Scope::Sys), None, S32, Operand::u32(-1i32 as u32), None),
            (Min, Global, MemOrder::Weak, Some(Scope::Cta), S32, n.into(), None),
            (Max, Shared, MemOrder::Release(Scope::Cta), None, U32, n.into(), None),
            (Inc, Global, MemOrder::Weak, None, U32, Operand::u32(9), None),
            (Dec, Generic, MemOrder::Weak, Some(Scope::Sys), U32, Operand::u32(9), None),
            (And, Global, MemOrder::AcqRel(Scope::Gpu), None, B32, Operand::u32(0xF0F0), None),
            (Or, Global, MemOrder::Weak, None, B64, Operand::u64(3), None),
            (Xor, Global, MemOrder::Weak, None, B32, n.into(), None),
            (Exch, Global, MemOrder::Weak, None, B32, n.into(), None),
            (Cas, Global, MemOrder::AcqRel(Scope::Sys), Some(Scope::Sys), B32, n.into(), Some(Operand::u32(0))),
            (Cas, Shared, MemOrder::Weak, None, B64, Operand::u64(7), Some(Operand::u64(u64::MAX))),
        ];
        for (op, space, order, scope, ty, src_op, cmp) in rows {
            let addr = if space == Shared { Address::var(tile) } else { a };
            let r = b.ins().atom(op, space, order, scope, ty, addr, src_op, cmp);
            s.reg(b, r);
        }
        let h = b.ins().ld(g(B16), Address::reg(src));
        let r = b.ins().atom(Add, Global, MemOrder::Weak, None, F16, a, h, None);
        s.reg(b, r);
        b.ins().red(Add, Global, U32, a, n);
        b.ins().red(Max, Shared, S32, Address::var(tile), Operand::u32(4));
        b.ins().red(Add, Global, F32, Address::reg_offset(src, 4), x);
        b.ins().red(Add, Global, BF16, Address::reg_offset(src, 2), h);
        b.push(InstKind::Atom {
            op: Or,
            space: Global,
            order: MemOrder::Release(Scope::Gpu),
            scope: Some(Scope::Gpu),
            ty: B64,
            dst: None,
            addr: a,
            src: Operand::u64(1),
            cmp: None,
        });
    });
    // `red.add.bf16` needs sm_90.
    m.target = Some(Target::sm(90));
    m.add_function(f);
    roundtrip("memory", &m);
}

#[test]
fn synchronisation_warp_ops_and_special_registers() {
    let f = straight_kernel("sync", &[U32], |b, s, v| {
        let n = v[0];
        b.ins().bar_sync();
        b.ins().bar(BarOp::Sync, Operand::u32(1), Some(Operand::u32(64)));
        b.ins().bar(BarOp::Arrive, Operand::u32(2), Some(Operand::u32(128)));
        b.ins().bar(BarOp::Sync, n, None);
        b.push(InstKind::WarpSync { mask: Operand::u32(0xFFFF_FFFF) });
        b.push(InstKind::WarpSync { mask: n.into() });
        for (kind, scope) in [
            (FenceKind::Membar, Scope::Cta),
            (FenceKind::Membar, Scope::Gpu),
            (FenceKind::Membar, Scope::Sys),
            (FenceKind::AcqRel, Scope::Gpu),
            (FenceKind::Sc, Scope::Cta),
            (FenceKind::Sc, Scope::Sys),
        ] {
            b.ins().fence(kind, scope);
        }
        for mode in [ShflMode::Up, ShflMode::Down, ShflMode::Bfly, ShflMode::Idx] {
            let r = b.ins().shfl(mode, n, Operand::u32(1), Operand::u32(31), Operand::u32(0xFFFF_FFFF));
            s.reg(b, r);
        }
        let d = b.new_reg(B32);
        let p = b.new_reg(Pred);
        b.push(InstKind::Shfl {
            mode: ShflMode::Idx,
            dst: d,
            pred: Some(p),
            src: n.into(),
            lane: n.into(),
            clamp: Operand::u32(0x1F),
            mask: n.into(),
        });
        s.reg(b, d);
        s.reg(b, p);
        for (mode, negate) in
            [(VoteMode::All, false), (VoteMode::Any, true), (VoteMode::Uni, false), (VoteMode::Ballot, true)]
        {
            let r = b.ins().vote(mode, p, negate, Operand::u32(0xFFFF_FFFF));
            s.reg(b, r);
        }
        let am = b.ins().active_mask();
        s.reg(b, am);
        use SpecialReg::*;
        let sregs = [
            Tid(Dim::X),
            Tid(Dim::Y),
            Ntid(Dim::Z),
            Ctaid(Dim::X),
            Nctaid(Dim::Y),
            LaneId,
            WarpId,
            NWarpId,
            SmId,
            NSmId,
            LanemaskLt,
            Clock,
            Clock64,
            GlobalTimer,
            DynamicSmemSize,
        ];
        for sr in sregs {
            let r = b.ins().special(sr);
            s.reg(b, r);
        }
    });
    roundtrip("sync", &module(vec![f]));
}

/// `helper(a: u32, x: f32) -> (u32, f32)` with an internal branch.
fn helper() -> Function {
    let mut f = Function::device("helper");
    let a = f.add_param("a", U32);
    let x = f.add_param("x", F32);
    let ra = f.add_return(U32);
    let rx = f.add_return(F32);
    let (a, x) = (f.params[a as usize].reg.unwrap(), f.params[x as usize].reg.unwrap());
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    let big = b.create_block();
    let small = b.create_block();
    b.switch_to_block(e);
    let p = b.ins().setp(CmpOp::Gt, U32, a, Operand::u32(100));
    b.branch(p, big, small);
    b.switch_to_block(big);
    b.ins().mov_to(ra, Operand::u32(100));
    b.ins().mov_to(rx, Operand::f32(100.0));
    b.ret();
    b.switch_to_block(small);
    let t = b.ins().add(U32, Mode::None, a, Operand::u32(1));
    b.ins().mov_to(ra, t);
    let y = b.ins().mul(F32, Mode::Rn, x, x);
    b.ins().mov_to(rx, y);
    b.ret();
    b.finish().unwrap();
    f
}

/// `sink(v: u64)`, no results, stores `v` to itself.
fn sink_fn() -> Function {
    let mut f = Function::device("sink");
    let v = f.add_param("v", U64);
    let v = f.params[v as usize].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    b.ins().st(global(U64), Address::reg(v), v);
    b.ret();
    b.finish().unwrap();
    f
}

/// `nothing()`.
fn nothing() -> Function {
    let mut f = Function::device("nothing");
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    b.ins().fence(FenceKind::Membar, Scope::Gpu);
    b.ret();
    b.finish().unwrap();
    f
}

#[test]
fn device_functions_calls_and_directives() {
    let mut k = straight_kernel("caller", &[U32, F32], |b, s, v| {
        let rets = b.ins().call(FuncId(0), &[U32, F32], vec![v[0].into(), v[1].into()]);
        s.reg(b, rets[0]);
        s.reg(b, rets[1]);
        let p = b.ins().ld_param(U64, 0);
        b.ins().call(FuncId(1), &[], vec![p.into()]);
        b.ins().call(FuncId(2), &[], vec![]);
    });
    k.attrs = KernelAttrs {
        max_threads: Some(256),
        min_blocks_per_sm: Some(2),
        max_registers: Some(64),
        required_threads: None,
    };
    let mut k2 = straight_kernel("fixed_block", &[], |b, _, _| {
        b.ins().call(FuncId(2), &[], vec![]);
    });
    k2.attrs.required_threads = Some((32, 4, 2));
    let mut m = module(vec![helper(), sink_fn(), nothing(), k, k2]);
    m.target = Some(Target { sm: 90, ptx_isa: PtxIsa(8, 0), arch_specific: true });
    let text = roundtrip("calls", &m);
    assert!(text.contains(".target sm_90a"), "{text}");
    let back = read_module(&text).unwrap();
    // Device signatures come back with their registers; results in order.
    let h = &back.functions[FuncId(0)];
    assert_eq!(h.kind, FuncKind::Device);
    assert_eq!(h.params.iter().map(|p| p.ty).collect::<Vec<_>>(), [B32, F32]);
    assert!(h.params.iter().all(|p| p.reg.is_some()));
    assert_eq!(h.returns.iter().map(|&r| h.reg_type(r).unwrap()).collect::<Vec<_>>(), [B32, F32]);
    assert_eq!(back.target, m.target);
}

#[test]
fn control_flow_shapes() {
    // 1. A loop at the entry: the entry block is a branch target, so the writer labels it `$L__BB0_0`.
    let mut f = Function::kernel("entry_loop");
    f.add_param("out", U64);
    {
        let mut b = FunctionBuilder::new(&mut f);
        let e = b.create_block();
        let exit = b.create_block();
        b.switch_to_block(e);
        let c = b.ins().special(SpecialReg::Clock);
        let p = b.ins().setp(CmpOp::Lo, U32, c, Operand::u32(1000));
        b.branch(p, e, exit);
        b.switch_to_block(exit);
        b.ret();
        b.finish().unwrap();
    }
    // 2. An empty entry block falling through to a loop header (the writer prints nothing for the entry), a
    //    negated branch whose else side is not next, a jump back, a trap, and blocks laid out out of order.
    let mut g = Function::kernel("shapes");
    g.add_param("out", U64);
    g.add_param("n", U32);
    {
        let mut b = FunctionBuilder::new(&mut g);
        let entry = b.create_block();
        let head = b.create_block();
        let body = b.create_block();
        let done = b.create_block();
        let bad = b.create_block();
        let unreachable_tail = b.create_block();
        b.switch_to_block(entry);
        b.jump(head);
        b.switch_to_block(head);
        let t = b.ins().special(SpecialReg::Tid(Dim::X));
        let n = b.ins().ld_param(U32, 1);
        let p = b.ins().setp(CmpOp::Ge, U32, t, n);
        b.terminate(Terminator::Branch { cond: p, negate: true, then_dest: body, else_dest: done });
        b.switch_to_block(body);
        let q = b.ins().setp(CmpOp::Eq, U32, t, Operand::u32(7));
        b.branch(q, bad, head);
        b.switch_to_block(done);
        let o = b.ins().ld_param(U64, 0);
        b.ins().st(global(U32), Address::reg(o), t);
        b.ret();
        b.switch_to_block(bad);
        b.trap();
        b.switch_to_block(unreachable_tail);
        b.jump(done);
        b.finish().unwrap();
    }
    // Layout: entry, head, done, body, bad, tail — `body` and `bad` after the return.
    let layout = g.layout.clone();
    g.layout = vec![layout[0], layout[1], layout[3], layout[2], layout[4], layout[5]];
    let text = roundtrip("shapes", &module(vec![f, g]));
    assert!(text.contains("$L__BB0_0:"), "the entry loop is labelled:\n{text}");
    assert!(text.contains("@!%p1 bra"), "{text}");
    assert!(text.contains("trap;"), "{text}");
}

#[test]
fn empty_and_minimal_kernels() {
    let mut f = Function::kernel("empty");
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    b.ret();
    b.finish().unwrap();
    let text = roundtrip("empty", &module(vec![f]));
    assert!(text.contains(".entry empty()"), "{text}");
}

/// Inline PTX is read back as the instructions it contains, so it is outside the round-trip property; but one read
/// turns it into ordinary instructions, and from there the property holds.
#[test]
fn inline_asm_is_read_as_instructions() {
    let f = straight_kernel("asm", &[U32], |b, s, v| {
        let d = b.new_reg(U32);
        b.ins().asm(
            "{ .reg .pred %tp;\nsetp.eq.u32 %tp, {1}, 0;\nselp.u32 {0}, 1, 2, %tp; }",
            vec![d],
            vec![v[0].into()],
        );
        s.reg(b, d);
    });
    let m = module(vec![f]);
    verify_module(&m).unwrap();
    let text = write_module(&m).unwrap();
    assert!(text.contains("// begin inline asm"), "{text}");
    let back = read_module(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    verify_module(&back).unwrap();
    let k = &back.functions[FuncId(0)];
    let kinds: Vec<&InstKind> = k.layout.iter().flat_map(|&b| k.block_insts(b)).map(|(_, d)| &d.kind).collect();
    assert!(!kinds.iter().any(|k| matches!(k, InstKind::Asm { .. })));
    assert!(kinds.iter().any(|k| matches!(k, InstKind::Setp { cmp: CmpOp::Eq, ty: U32, .. })));
    assert!(kinds.iter().any(|k| matches!(k, InstKind::Selp { ty: U32, .. })));
    // The scoped `%tp` became a register of the function.
    assert!(k.regs.values().filter(|r| r.ty == Pred).count() >= 1);
    let once = write_module(&back).unwrap();
    assert!(!once.contains("inline asm"));
    assert_eq!(once, roundtrip("asm, read once", &back));
}
