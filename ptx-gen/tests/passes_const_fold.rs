//! Constant folding: before/after snapshots, and the evaluator's PTX semantics pinned value by value and against
//! the host's IEEE arithmetic on random inputs.

mod passes_common;

use passes_common::Rng;
use ptx_gen::passes::{const_fold, eval};
use ptx_gen::verify::verify_function;
use ptx_gen::*;

fn before_after(f: &Function, pass: fn(&mut Function) -> bool) -> String {
    verify_function(f, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], f.display()));
    let mut g = f.clone();
    let changed = pass(&mut g);
    verify_function(&g, None).unwrap_or_else(|e| panic!("{}\n{}", e[0], g.display()));
    format!("changed: {changed}\n--- before\n{}--- after\n{}", f.display(), g.display())
}

/// `f(a: u32) -> u32`, built by `body` (which assigns `ret` and ends every block).
fn device(body: impl FnOnce(&mut FunctionBuilder, Reg, Reg)) -> Function {
    let mut f = Function::device("f");
    f.add_param("a", Type::U32);
    let ret = f.add_return(Type::U32);
    let a = f.params[0].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    body(&mut b, a, ret);
    b.finish().unwrap();
    f
}

fn imm(v: u32) -> Operand {
    Operand::u32(v)
}

#[test]
fn folds_a_chain_of_integer_operations_in_one_run() {
    let f = device(|b, a, ret| {
        let e = b.create_block();
        b.switch_to_block(e);
        let x = b.ins().add(Type::U32, Mode::None, imm(3), imm(4));
        let y = b.ins().mul(Type::U32, Mode::Lo, x, imm(0x1000_0001));
        let big = b.ins().binary(BinOp::Shl, Mode::None, Type::B32, y, imm(33));
        let m = b.ins().mov(Type::S32, Operand::Imm(Imm::int(-8, Type::S32)));
        let sign = b.ins().binary(BinOp::Shr, Mode::None, Type::S32, m, imm(40));
        let w = b.ins().mul(Type::U32, Mode::Wide, y, imm(16));
        let lo = b.ins().cvt(CvtMode::None, false, Type::U32, Type::U64, w);
        let s = b.ins().add(Type::U32, Mode::None, big, sign);
        let t = b.ins().add(Type::U32, Mode::None, s, lo);
        // Depends on the parameter: stays.
        let u = b.ins().add(Type::U32, Mode::None, t, a);
        b.ins().mov_to(ret, u);
        b.ret();
    });
    insta::assert_snapshot!(before_after(&f, const_fold::run));
}

#[test]
fn folds_comparisons_selects_and_branches_on_constants() {
    let f = device(|b, a, ret| {
        let (e, t, el, j) = (b.create_block(), b.create_block(), b.create_block(), b.create_block());
        b.switch_to_block(e);
        let p = b.ins().setp(CmpOp::Lt, Type::S32, Operand::Imm(Imm::int(-1, Type::S32)), imm(1));
        let q = b.ins().setp(CmpOp::Lo, Type::U32, Operand::Imm(Imm::int(-1, Type::U32)), imm(1));
        let v = b.ins().selp(Type::U32, a, imm(9), q);
        b.ins().mov_to(ret, v);
        b.branch(p, t, el);
        b.switch_to_block(t);
        b.jump(j);
        b.switch_to_block(el);
        b.ins().mov_to(ret, imm(0));
        b.jump(j);
        b.switch_to_block(j);
        b.ret();
    });
    insta::assert_snapshot!(before_after(&f, const_fold::run));
}

#[test]
fn constants_known_in_another_block_are_used_but_reassigned_ones_are_not() {
    let f = device(|b, a, ret| {
        let (e, next) = (b.create_block(), b.create_block());
        b.switch_to_block(e);
        let once = b.ins().mov(Type::U32, imm(5));
        let twice = b.ins().mov(Type::U32, imm(6));
        b.ins().mov_to(twice, a);
        b.jump(next);
        b.switch_to_block(next);
        // `once` has a single assignment: known here. `twice` was reassigned from `a`: unknown.
        let x = b.ins().add(Type::U32, Mode::None, once, imm(1));
        let y = b.ins().add(Type::U32, Mode::None, twice, x);
        b.ins().mov_to(ret, y);
        b.ret();
    });
    insta::assert_snapshot!(before_after(&f, const_fold::run));
}

#[test]
fn leaves_what_it_cannot_reproduce_exactly() {
    let f = device(|b, a, ret| {
        let e = b.create_block();
        b.switch_to_block(e);
        let z = b.ins().div(Type::U32, Mode::None, imm(7), imm(0));
        let approx = b.ins().div(Type::F32, Mode::Approx, Operand::f32(1.0), Operand::f32(3.0));
        let unrounded = b.ins().add(Type::F32, Mode::None, Operand::f32(1.0), Operand::f32(2.0));
        let toward_zero = b.ins().add(Type::F32, Mode::Rz, Operand::f32(1.0), Operand::f32(1e-9));
        let nan = b.ins().sub(Type::F32, Mode::Rn, Operand::f32(f32::INFINITY), Operand::f32(f32::INFINITY));
        let s = b.ins().add(Type::F32, Mode::Rn, approx, unrounded);
        let s = b.ins().add(Type::F32, Mode::Rn, s, toward_zero);
        let s = b.ins().add(Type::F32, Mode::Rn, s, nan);
        let c = b.ins().cvt(CvtMode::Rzi, false, Type::U32, Type::F32, s);
        let r = b.ins().add(Type::U32, Mode::None, z, c);
        let r = b.ins().add(Type::U32, Mode::None, r, a);
        b.ins().mov_to(ret, r);
        b.ret();
    });
    let mut g = f.clone();
    assert!(!const_fold::run(&mut g), "nothing here may fold:\n{}", g.display());
    assert_eq!(g, f);
}

// ----- the evaluator ----------------------------------------------------------------------------------------------

#[test]
fn integer_semantics_match_ptx() {
    use Type::*;
    let b = |op, mode, ty, x: i64, y: i64| eval::binary(op, mode, ty, x as u64, y as u64);
    let m = Mode::None;
    // Shifts: amounts are .u32; at or past the width, 0 or the sign.
    assert_eq!(b(BinOp::Shl, m, B32, 1, 31), Some(0x8000_0000));
    assert_eq!(b(BinOp::Shl, m, B32, 1, 32), Some(0));
    assert_eq!(b(BinOp::Shl, m, B64, 1, 0x1_0000_0000), Some(1), "the amount is read as .u32");
    assert_eq!(b(BinOp::Shr, m, S32, -8, 1), Some(0xFFFF_FFFC));
    assert_eq!(b(BinOp::Shr, m, S32, -8, 200), Some(0xFFFF_FFFF));
    assert_eq!(b(BinOp::Shr, m, S16, 0x4000, 99), Some(0));
    assert_eq!(b(BinOp::Shr, m, U32, -8, 32), Some(0));
    // Wrapping arithmetic and the halves of products.
    assert_eq!(b(BinOp::Add, m, U32, u32::MAX as i64, 2), Some(1));
    assert_eq!(b(BinOp::Sub, m, S16, -32768, 1), Some(0x7FFF));
    assert_eq!(b(BinOp::Mul, Mode::Hi, S32, -2, 3), Some(0xFFFF_FFFF));
    assert_eq!(b(BinOp::Mul, Mode::Hi, U32, -2, 3), Some(2));
    assert_eq!(b(BinOp::Mul, Mode::Wide, S16, -2, 3), Some((-6i32) as u32 as u64));
    assert_eq!(b(BinOp::Mul, Mode::Hi, U64, -1, -1), Some(u64::MAX - 1));
    // Division: by zero never folds; MIN / -1 wraps (measured on the H200); MIN % -1 does not fold.
    assert_eq!(b(BinOp::Div, m, U32, 7, 0), None);
    assert_eq!(b(BinOp::Rem, m, S32, 7, 0), None);
    assert_eq!(b(BinOp::Div, m, S32, i32::MIN as i64, -1), Some(0x8000_0000));
    assert_eq!(b(BinOp::Rem, m, S32, i32::MIN as i64, -1), None);
    assert_eq!(b(BinOp::Div, m, S32, -7, 2), Some((-3i32) as u32 as u64));
    assert_eq!(b(BinOp::Rem, m, S32, -7, 2), Some((-1i32) as u32 as u64));
    assert_eq!(b(BinOp::Min, m, S32, -1, 1), Some(0xFFFF_FFFF));
    assert_eq!(b(BinOp::Min, m, U32, -1, 1), Some(1));
    // Predicates.
    assert_eq!(eval::binary(BinOp::Xor, m, Pred, 1, 1), Some(0));
    assert_eq!(eval::unary(UnOp::Not, m, Pred, 0), Some(1));
    // Unary.
    assert_eq!(eval::unary(UnOp::Abs, m, S32, i32::MIN as u32 as u64), None);
    assert_eq!(eval::unary(UnOp::Neg, m, S32, 5), Some((-5i32) as u32 as u64));
    assert_eq!(eval::unary(UnOp::Popc, m, B64, u64::MAX), Some(64));
    assert_eq!(eval::unary(UnOp::Clz, m, B32, 1), Some(31));
    assert_eq!(eval::unary(UnOp::Clz, m, B32, 0), Some(32));
    assert_eq!(eval::unary(UnOp::Brev, m, B32, 1), Some(0x8000_0000));
    assert_eq!(eval::unary(UnOp::Not, m, B16, 0x00FF), Some(0xFF00));
    // bfe: sign-extends the field for .sN, reads bits past the top as the sign/zero.
    assert_eq!(eval::ternary(TernOp::Bfe, m, S32, 0x0000_0F00, 8, 4), Some(0xFFFF_FFFF));
    assert_eq!(eval::ternary(TernOp::Bfe, m, U32, 0x0000_0F00, 8, 4), Some(0xF));
    assert_eq!(eval::ternary(TernOp::Bfe, m, S32, 0x8000_0000, 28, 8), Some(0xFFFF_FFF8));
    assert_eq!(eval::ternary(TernOp::Bfe, m, U32, 0xFFFF_FFFF, 0, 0), Some(0));
    assert_eq!(eval::ternary(TernOp::Bfe, m, U32, 0xFFFF_FFFF, 0x104, 0x1008), Some(0xFF), "pos and len mod 256");
    assert_eq!(eval::bfi(B32, 0xF, 0xFFFF_0000, 4, 8), Some(0xFFFF_00F0));
    assert_eq!(eval::bfi(B32, 0xFF, 0, 28, 8), Some(0xF000_0000));
    assert_eq!(eval::ternary(TernOp::Mad, Mode::Hi, U32, 0x8000_0000, 4, 1), Some(3));
    assert_eq!(eval::ternary(TernOp::Mad, Mode::Wide, U32, u32::MAX as u64, 2, 2), Some(0x2_0000_0000));
    // Integer conversions: truncation, extension by the source's signedness, .sat clamps.
    assert_eq!(eval::cvt(CvtMode::None, false, U32, S16, 0x8000), Some(0xFFFF_8000));
    assert_eq!(eval::cvt(CvtMode::None, false, U16, U64, 0x1_2345), Some(0x2345));
    assert_eq!(eval::cvt(CvtMode::None, true, U16, S32, (-5i32) as u32 as u64), Some(0));
    assert_eq!(eval::cvt(CvtMode::None, true, S16, U32, 70_000), Some(0x7FFF));
    assert_eq!(eval::cvt(CvtMode::None, false, U8, U32, 7), None, "8-bit results live in wider registers");
}

#[test]
fn float_conversions_round_and_saturate_like_ptx() {
    use Type::*;
    let f = |v: f32| v.to_bits() as u64;
    let d = |v: f64| v.to_bits();
    assert_eq!(eval::cvt(CvtMode::Rzi, false, S32, F32, f(3e9)), Some(i32::MAX as u64));
    assert_eq!(eval::cvt(CvtMode::Rzi, false, S32, F32, f(f32::NEG_INFINITY)), Some(i32::MIN as u32 as u64));
    assert_eq!(eval::cvt(CvtMode::Rzi, false, U32, F32, f(-1.5)), Some(0));
    assert_eq!(eval::cvt(CvtMode::Rzi, false, U64, F64, d(1e30)), Some(u64::MAX));
    assert_eq!(eval::cvt(CvtMode::Rzi, false, S32, F32, f(f32::NAN)), None, "the GPU's NaN conversions vary");
    assert_eq!(eval::cvt(CvtMode::Rni, false, S32, F32, f(2.5)), Some(2), "cvt.rni rounds half to even");
    assert_eq!(eval::cvt(CvtMode::Rni, false, S32, F32, f(-3.5)), Some((-4i32) as u32 as u64));
    assert_eq!(eval::cvt(CvtMode::Rmi, false, S16, F64, d(-0.5)), Some(0xFFFF));
    assert_eq!(eval::cvt(CvtMode::Rpi, false, U16, F32, f(65535.5)), Some(0xFFFF));
    assert_eq!(eval::cvt(CvtMode::Rn, false, F32, S64, i64::MAX as u64), Some(f(9.223372e18)));
    assert_eq!(eval::cvt(CvtMode::Rn, false, F32, U32, 16_777_217), Some(f(16_777_216.0)), "ties to even");
    assert_eq!(eval::cvt(CvtMode::Rz, false, F32, U32, 16_777_217), None);
    assert_eq!(eval::cvt(CvtMode::Rn, false, F32, F64, d(1.0 + 1e-12)), Some(f(1.0)));
    assert_eq!(eval::cvt(CvtMode::Rn, false, F32, F64, d(1e300)), Some(f(f32::INFINITY)));
    assert_eq!(eval::cvt(CvtMode::None, false, F64, F32, f(0.1)), Some(d(0.1f32 as f64)));
    assert_eq!(eval::cvt(CvtMode::Rni, false, F32, F32, f(-2.5)), Some(f(-2.0)));
    assert_eq!(eval::cvt(CvtMode::None, true, F32, F32, f(2.5)), None, ".sat on floats clamps: not folded");
    assert_eq!(eval::cvt(CvtMode::Rn, false, F16, F32, f(1.0)), None);
}

#[test]
fn min_max_follow_ptx_nan_and_zero_rules() {
    let f = |v: f32| v.to_bits() as u64;
    let mm = |op, a, b| eval::binary(op, Mode::None, Type::F32, a, b);
    assert_eq!(mm(BinOp::Min, f(1.0), f(f32::NAN)), Some(f(1.0)));
    assert_eq!(mm(BinOp::Max, f(f32::NAN), f(-2.0)), Some(f(-2.0)));
    assert_eq!(mm(BinOp::Min, f(f32::NAN), f(f32::NAN)), None);
    assert_eq!(mm(BinOp::Min, f(-0.0), f(0.0)), None, "the order of ±0 is not promised");
    assert_eq!(mm(BinOp::Max, f(-1.0), f(3.0)), Some(f(3.0)));
    assert_eq!(mm(BinOp::Min, f(f32::NEG_INFINITY), f(3.0)), Some(f(f32::NEG_INFINITY)));
}

/// A random finite-or-infinite float with a spread of exponents (never all-zero bits).
fn rand_f32(rng: &mut Rng) -> f32 {
    loop {
        let v = match rng.below(4) {
            0 => f32::from_bits(rng.next_u64() as u32),
            1 => (rng.next_u64() % 2001) as f32 / 16.0 - 62.5,
            2 => f32::from_bits((rng.next_u64() as u32) & 0x807F_FFFF), // subnormals
            _ => rng.pick(&[1.0, -1.0, f32::MAX, f32::MIN_POSITIVE, f32::INFINITY, 3.0, 0.1]),
        };
        if !v.is_nan() && v.to_bits() != 0 {
            return v;
        }
    }
}

fn rand_f64(rng: &mut Rng) -> f64 {
    loop {
        let v = match rng.below(3) {
            0 => f64::from_bits(rng.next_u64()),
            1 => (rng.next_u64() % 2001) as f64 / 16.0 - 62.5,
            _ => f64::from_bits(rng.next_u64() & 0x800F_FFFF_FFFF_FFFF),
        };
        if !v.is_nan() && v.to_bits() != 0 {
            return v;
        }
    }
}

#[test]
fn rn_float_folds_equal_ieee_round_to_nearest_on_random_inputs() {
    let mut rng = Rng::new(77);
    let (mut folded, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let (x, y, z) = (rand_f32(&mut rng), rand_f32(&mut rng), rand_f32(&mut rng));
        let (xb, yb, zb) = (x.to_bits() as u64, y.to_bits() as u64, z.to_bits() as u64);
        let cases: [(Option<u64>, f32); 6] = [
            (eval::binary(BinOp::Add, Mode::Rn, Type::F32, xb, yb), x + y),
            (eval::binary(BinOp::Sub, Mode::Rn, Type::F32, xb, yb), x - y),
            (eval::binary(BinOp::Mul, Mode::Rn, Type::F32, xb, yb), x * y),
            (eval::binary(BinOp::Div, Mode::Rn, Type::F32, xb, yb), x / y),
            (eval::ternary(TernOp::Fma, Mode::Rn, Type::F32, xb, yb, zb), x.mul_add(y, z)),
            (eval::unary(UnOp::Sqrt, Mode::Rn, Type::F32, xb), x.sqrt()),
        ];
        for (got, want) in cases {
            if want.is_nan() {
                assert_eq!(got, None, "NaN results must not fold ({x:e}, {y:e}, {z:e})");
                refused += 1;
            } else {
                assert_eq!(got, Some(want.to_bits() as u64), "({x:e}, {y:e}, {z:e})");
                folded += 1;
            }
        }
        let (a, b) = (rand_f64(&mut rng), rand_f64(&mut rng));
        let got = eval::binary(BinOp::Mul, Mode::Rn, Type::F64, a.to_bits(), b.to_bits());
        let want = a * b;
        assert_eq!(got, (!want.is_nan()).then_some(want.to_bits()));
        // Other roundings, approximations and NaN inputs never fold.
        assert_eq!(eval::binary(BinOp::Add, Mode::Rz, Type::F32, xb, yb), None);
        assert_eq!(eval::binary(BinOp::Add, Mode::None, Type::F32, xb, yb), None);
        assert_eq!(eval::binary(BinOp::Div, Mode::Approx, Type::F32, xb, yb), None);
        assert_eq!(eval::binary(BinOp::Add, Mode::Rn, Type::F32, xb, f32::NAN.to_bits() as u64), None);
        assert_eq!(eval::unary(UnOp::Ex2, Mode::Approx, Type::F32, xb), None);
    }
    assert!(folded > 100_000 && refused > 0, "{folded} folded, {refused} refused");
}

#[test]
fn random_integer_folds_agree_with_the_reference_interpreter() {
    // The evaluator against the test interpreter, instruction by instruction, on random operands and types.
    let mut rng = Rng::new(99);
    let ops = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Min,
        BinOp::Max,
        BinOp::Div,
        BinOp::Rem,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
        BinOp::Shl,
        BinOp::Shr,
    ];
    let mut checked = 0;
    for _ in 0..20_000 {
        let ty = rng.pick(&passes_common::INT_TYPES);
        let op = rng.pick(&ops);
        let bitwise = matches!(op, BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Shl);
        if (bitwise && !ty.is_bits()) || (!bitwise && op != BinOp::Shr && !ty.is_int()) {
            continue;
        }
        let (x, y) = (rng.int(), rng.int());
        let y = if matches!(op, BinOp::Shl | BinOp::Shr) { y % 80 } else { y };
        let mut f = Function::device("f");
        let r = f.add_return(ty);
        let mut b = FunctionBuilder::new(&mut f);
        let e = b.create_block();
        b.switch_to_block(e);
        let bt = if matches!(op, BinOp::Shl | BinOp::Shr) { Type::U32 } else { ty };
        let xa = b.ins().mov(ty, Operand::Imm(Imm(truncate(x, ty.bits()))));
        let ya = b.ins().mov(bt, Operand::Imm(Imm(truncate(y, bt.bits()))));
        b.push(InstKind::Binary { op, mode: Mode::None, ty, dst: r, a: Operand::Reg(xa), b: Operand::Reg(ya) });
        b.ret();
        b.finish().unwrap();
        verify_function(&f, None).unwrap();
        let want = passes_common::interpret(&f, &[], 100).unwrap().returns[0];
        let got = eval::binary(op, Mode::None, ty, truncate(x, ty.bits()), truncate(y, bt.bits()));
        if let Some(got) = got {
            assert_eq!(got, want, "{op:?}.{ty} {x:#x}, {y:#x}");
            checked += 1;
        } else {
            assert!(matches!(op, BinOp::Div | BinOp::Rem), "{op:?}.{ty} {x:#x}, {y:#x} refused");
        }
    }
    assert!(checked > 10_000, "{checked}");
}
