//! Division by constants as multiplications: the plans of `strength::magic` are exact for every dividend up to
//! their bound (exhaustively at 8 bits, by sampling at 10, 32 and 64 bits), a plain multiplier is chosen whenever
//! one exists, and the rewritten functions (`div`/`rem`, `.u32`/`.u64`, signed with a non-negative dividend,
//! narrowed 64-bit, dividends bounded by their ranges) compute `a / c` and `a % c` for every kind of dividend and
//! divisor; a kernel dividing a `u64` by 96 assembles without a division.

mod passes_common;

use passes_common::*;
use ptx_gen::passes::strength::{self, magic, Magic};
use ptx_gen::passes::{run_function_pipeline, run_pipeline};
use ptx_gen::verify::verify_function;
use ptx_gen::write::write_module;
use ptx_gen::*;

fn max_of(bits: u32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// What a plan computes for `n`, in `bits`-bit arithmetic as the emitted instructions do.
fn apply(plan: Magic, bits: u32, d: u64, n: u64) -> u64 {
    let mul_hi = |x: u64, m: u64| ((x as u128 * m as u128) >> bits) as u64;
    match plan {
        Magic::Compare => (n >= d) as u64,
        Magic::Mul { pre, m, post } => mul_hi(n >> pre, m) >> post,
        Magic::FixUp { m, post } => {
            let t = mul_hi(n, m);
            assert!(t <= n, "mul.hi(n, m) above n");
            ((((n - t) >> 1) + t) & max_of(bits)) >> post
        }
    }
}

fn check_plan(bits: u32, d: u64, nmax: u64, n: u64) -> Magic {
    let plan = magic(bits, d, nmax).unwrap_or_else(|| panic!("no plan for {bits} bits, d = {d}, nmax = {nmax}"));
    if let Magic::Mul { m, .. } | Magic::FixUp { m, .. } = plan {
        assert!(m <= max_of(bits), "{plan:?} does not fit {bits} bits");
    }
    assert_eq!(apply(plan, bits, d, n), n / d, "{bits} bits, {n} / {d} with {plan:?} (made for n ≤ {nmax})");
    plan
}

#[test]
fn plans_are_exact_for_every_8_bit_dividend_and_plain_when_possible() {
    let bits = 8;
    let (mut checked, mut plans) = (0u64, [0u64; 4]);
    for d in 3..=255u64 {
        if d.is_power_of_two() {
            continue;
        }
        for nmax in 0..=255u64 {
            let plan = magic(bits, d, nmax).unwrap();
            for n in 0..=nmax {
                check_plan(bits, d, nmax, n);
                checked += 1;
            }
            plans[match plan {
                Magic::Compare => 0,
                Magic::Mul { pre: 0, .. } => 1,
                Magic::Mul { .. } => 2,
                Magic::FixUp { .. } => 3,
            }] += 1;
            // When it needs more than a multiplication and a shift, none exists: no m < 2^8 at any p.
            if !matches!(plan, Magic::Mul { pre: 0, .. } | Magic::Compare) {
                for p in bits..bits + 8 {
                    let m = (1u64 << p).div_ceil(d);
                    let works = m <= 255 && (0..=nmax).all(|n| (n * m) >> p == n / d);
                    assert!(!works, "d = {d}, nmax = {nmax}: {plan:?} although m = {m}, p = {p} is exact");
                }
            }
        }
    }
    eprintln!("{checked} quotients; plans compare/mul/pre-shift/fix-up: {plans:?}");
    assert!(plans.iter().all(|&c| c > 100), "{plans:?}");
    // The classic full-range plans.
    assert_eq!(magic(8, 7, 255), Some(Magic::FixUp { m: 37, post: 2 }));
    assert_eq!(magic(32, 3, u32::MAX as u64), Some(Magic::Mul { pre: 0, m: 0xAAAA_AAAB, post: 1 }));
    assert_eq!(magic(64, 96, u64::MAX), Some(Magic::Mul { pre: 0, m: 0xAAAA_AAAA_AAAA_AAAB, post: 6 }));
    assert!(matches!(magic(64, 7, u64::MAX), Some(Magic::FixUp { post: 2, .. })));
    assert_eq!(magic(64, 1 << 10, 99), None, "powers of two are shifts");
}

#[test]
fn plans_are_exact_for_sampled_10_bit_bounds() {
    let mut rng = Rng::new(10);
    let mut checked = 0u64;
    for d in 3..1024u64 {
        if d.is_power_of_two() {
            continue;
        }
        for _ in 0..12 {
            let nmax = if rng.chance(1, 3) { 1023 } else { rng.below(1024) as u64 };
            for n in 0..=nmax {
                check_plan(10, d, nmax, n);
                checked += 1;
            }
        }
    }
    assert!(checked > 5_000_000, "{checked}");
}

/// Divisors worth trying at `bits` bits: small, specific, near powers of two and the top, and random.
fn divisor(rng: &mut Rng, bits: u32) -> u64 {
    const SPECIFIC: [u64; 24] = [
        3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 25, 60, 96, 100, 125, 641, 1000, 1337, 65535, 65537, 1_000_003, 6_700_417,
        0x7fff_ffff, 0xAAAA_AAAB,
    ];
    let max = max_of(bits);
    let d = match rng.below(9) {
        0 => 3 + rng.below(200) as u64,
        1 => rng.pick(&SPECIFIC),
        2 => (1u64 << rng.below(bits as usize)).wrapping_add(rng.below(5) as u64).wrapping_sub(2),
        3 => (1u64 << (bits - 1)).wrapping_add(rng.below(9) as u64).wrapping_sub(4),
        4 => max - rng.below(4) as u64,
        5 => rng.next_u64() >> rng.below(bits as usize),
        6 => (rng.next_u64() | 1) >> (64 - bits) >> rng.below(8),
        7 => (rng.below(1 << 16) as u64) << rng.below(bits as usize - 16),
        _ => rng.next_u64(),
    } & max;
    if d < 3 || d.is_power_of_two() {
        3 + rng.below(1000) as u64 * 2
    } else {
        d
    }
}

/// A dividend of at most `nmax` that is hard for division by `d`: 0, small, the top, near multiples of `d`, or
/// random.
fn dividend(rng: &mut Rng, d: u64, nmax: u64) -> u64 {
    let near = |rng: &mut Rng, v: u64| v.wrapping_add(rng.below(5) as u64).wrapping_sub(2);
    let v = match rng.below(9) {
        0 => 0,
        1 => rng.below(1000) as u64,
        2 => nmax - (rng.below(1000) as u64).min(nmax),
        3 => near(rng, d),
        4 => {
            // Near k·d for a random k with k·d ≤ nmax.
            let k = rng.next_u64() % (nmax / d).max(1).saturating_add(1);
            near(rng, k.wrapping_mul(d))
        }
        5 => near(rng, (nmax / d) * d),
        6 => rng.next_u64() >> rng.below(64),
        _ => rng.next_u64(),
    };
    if v > nmax {
        v % nmax.saturating_add(1).max(1)
    } else {
        v
    }
}

#[test]
fn plans_are_exact_for_sampled_32_and_64_bit_divisors_and_bounds() {
    let mut rng = Rng::new(3264);
    let mut checked = 0u64;
    for case in 0..40_000 {
        let bits = if case % 2 == 0 { 32 } else { 64 };
        let d = divisor(&mut rng, bits);
        let nmax = if rng.chance(1, 2) { max_of(bits) } else { dividend(&mut rng, d, max_of(bits)) };
        for _ in 0..50 {
            check_plan(bits, d, nmax, dividend(&mut rng, d, nmax));
            checked += 1;
        }
        check_plan(bits, d, nmax, nmax);
    }
    assert!(checked >= 2_000_000, "{checked}");
}

/// How a test function obtains its dividend from the parameters `x: u64`, `y: u32`.
#[derive(Clone, Copy, Debug)]
enum Source {
    /// `x` at 64 bits.
    U64,
    /// `min(x, k)`: bounded by the range.
    U64Min(u64),
    /// `y` at 32 bits.
    U32,
    /// `min(y, k)`.
    U32Min(u64),
    /// `y` converted to 64 bits: a 64-bit division of a 32-bit value.
    U64OfU32,
    /// `x & (2^63 − 1)` as `.s64`: signed, known non-negative.
    S64Masked,
    /// `y & (2^31 − 1)` as `.s32`.
    S32Masked,
}

impl Source {
    fn ty(self) -> Type {
        match self {
            Source::U64 | Source::U64Min(_) | Source::U64OfU32 => Type::U64,
            Source::U32 | Source::U32Min(_) => Type::U32,
            Source::S64Masked => Type::S64,
            Source::S32Masked => Type::S32,
        }
    }
    /// The dividend for arguments `x`, `y`.
    fn value(self, x: u64, y: u64) -> u64 {
        match self {
            Source::U64 => x,
            Source::U64Min(k) => x.min(k),
            Source::U32 | Source::U64OfU32 => y,
            Source::U32Min(k) => y.min(k),
            Source::S64Masked => x & (u64::MAX >> 1),
            Source::S32Masked => y & 0x7fff_ffff,
        }
    }
}

/// `f(x: u64, y: u32) -> (n / d, n % d)` with `n` from `src`.
fn div_rem_function(src: Source, d: u64) -> Function {
    let mut f = Function::device("f");
    let x = f.add_param("x", Type::U64) as usize;
    let y = f.add_param("y", Type::U32) as usize;
    let (x, y) = (f.params[x].reg.unwrap(), f.params[y].reg.unwrap());
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let n = match src {
        Source::U64 => x,
        Source::U64Min(k) => b.ins().binary(BinOp::Min, Mode::None, Type::U64, x, Operand::u64(k)),
        Source::U32 => y,
        Source::U32Min(k) => b.ins().binary(BinOp::Min, Mode::None, Type::U32, y, Operand::u32(k as u32)),
        Source::U64OfU32 => b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, y),
        Source::S64Masked => {
            let m = b.ins().binary(BinOp::And, Mode::None, Type::B64, x, Operand::u64(u64::MAX >> 1));
            b.ins().mov(Type::S64, m)
        }
        Source::S32Masked => {
            let m = b.ins().binary(BinOp::And, Mode::None, Type::B32, y, Operand::u32(0x7fff_ffff));
            b.ins().mov(Type::S32, m)
        }
    };
    let ty = src.ty();
    let imm = Operand::Imm(Imm(d));
    let q = b.ins().div(ty, Mode::None, n, imm);
    let r = b.ins().binary(BinOp::Rem, Mode::None, ty, n, imm);
    b.func_mut().returns.extend([q, r]);
    b.ret();
    b.finish().unwrap();
    f
}

/// Whether `f` still divides.
fn divides(f: &Function) -> bool {
    f.layout
        .iter()
        .flat_map(|&b| &f.blocks[b].insts)
        .any(|&i| matches!(f.insts[i].kind, InstKind::Binary { op: BinOp::Div | BinOp::Rem, .. }))
}

#[test]
fn division_by_constants_is_exact_after_the_rewrite() {
    let mut rng = Rng::new(0xd17);
    let (mut functions, mut evaluations, mut longest) = (0u64, 0u64, 0usize);
    for case in 0..6000 {
        let src = match case % 7 {
            0 => Source::U64,
            1 => Source::U64Min(rng.next_u64() >> rng.below(64)),
            2 => Source::U32,
            3 => Source::U32Min(rng.next_u64() >> (32 + rng.below(32))),
            4 => Source::U64OfU32,
            5 => Source::S64Masked,
            _ => Source::S32Masked,
        };
        let bits = match src {
            Source::U32 | Source::U32Min(_) | Source::U64OfU32 => 32,
            Source::S64Masked => 63,
            Source::S32Masked => 31,
            _ => 64,
        };
        let d = divisor(&mut rng, bits);
        let f = div_rem_function(src, d);
        verify_function(&f, None).unwrap();
        let mut g = f.clone();
        assert!(strength::run(&mut g), "{src:?} by {d} not rewritten\n{}", f.display());
        verify_function(&g, None).unwrap_or_else(|e| panic!("{src:?} by {d}: {}\n{}", e[0], g.display()));
        assert!(!divides(&g), "{src:?} by {d} still divides:\n{}", g.display());
        assert!(!strength::run(&mut g.clone()), "{src:?} by {d}: the rewrite is rewritten again");
        // Each of the two divisions became at most 8 instructions (a narrowed remainder with the fix-up).
        longest = longest.max(inst_count(&g) - inst_count(&f) + 2);
        // And through the whole pipeline.
        let mut h = f.clone();
        run_function_pipeline(&mut h);
        assert!(!divides(&h), "{src:?} by {d}: the pipeline left a division:\n{}", h.display());
        functions += 1;
        let nmax = match src {
            Source::U64 => u64::MAX,
            Source::U64Min(k) | Source::U32Min(k) => k,
            _ => max_of(bits),
        };
        for _ in 0..40 {
            let n = dividend(&mut rng, d, nmax);
            // Arguments that produce `n` (and random bits elsewhere where they do not matter).
            let (x, y) = match src {
                Source::U64 | Source::U64Min(_) => (n, rng.next_u64() & 0xffff_ffff),
                Source::S64Masked => (n | (rng.next_u64() << 63), rng.next_u64() & 0xffff_ffff),
                Source::S32Masked => (rng.next_u64(), n | ((rng.next_u64() & 1) << 31)),
                _ => (rng.next_u64(), n),
            };
            let x = if matches!(src, Source::U64Min(_)) && rng.chance(1, 4) { rng.next_u64() } else { x };
            let n = src.value(x, y);
            let want = vec![n / d, n % d];
            for (what, func) in [("strength", &g), ("pipeline", &h)] {
                let got = interpret(func, &[x, y], 1000).unwrap();
                assert_eq!(
                    got.returns,
                    want,
                    "{what}: {src:?}: {n} / {d} (x = {x:#x}, y = {y:#x})\n{}",
                    func.display()
                );
                evaluations += 1;
            }
        }
    }
    eprintln!("{functions} functions, {evaluations} evaluations, at most {longest} instructions for both divisions");
    assert!(longest <= 16, "{longest}");
}

#[test]
fn signed_division_of_a_possibly_negative_dividend_stays() {
    let mut f = Function::device("f");
    let x = f.add_param("x", Type::S64) as usize;
    let x = f.params[x].reg.unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let q = b.ins().div(Type::S64, Mode::None, x, Operand::u64(96));
    b.func_mut().returns.push(q);
    b.ret();
    b.finish().unwrap();
    assert!(!strength::run(&mut f), "-97 / 96 is -1");
}

/// `out[0] = (n + 95) / 96`, `out[1] = n % 96`, `out[2] = m / 7` (`.u32`): the ceiling division of a `usize` that
/// ptxas turns into a call of its 64-bit division routine.
fn ceil_div_kernel() -> Module {
    let mut f = Function::kernel("ceil_div");
    f.add_param("out", Type::U64);
    f.add_param("n", Type::U64);
    f.add_param("m", Type::U32);
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let p = b.ins().ld_param(Type::U64, 0);
    let out = b.ins().cvta_to_global(p);
    let n = b.ins().ld_param(Type::U64, 1);
    let m = b.ins().ld_param(Type::U32, 2);
    let n95 = b.ins().add(Type::U64, Mode::None, n, Operand::u64(95));
    let q = b.ins().div(Type::U64, Mode::None, n95, Operand::u64(96));
    let r = b.ins().binary(BinOp::Rem, Mode::None, Type::U64, n, Operand::u64(96));
    let q7 = b.ins().div(Type::U32, Mode::None, m, Operand::u32(7));
    let g = |t| MemAccess::new(StateSpace::Global, t);
    b.ins().st(g(Type::U64), Address::reg(out), q);
    b.ins().st(g(Type::U64), Address::reg_offset(out, 8), r);
    b.ins().st(g(Type::U32), Address::reg_offset(out, 16), q7);
    b.ret();
    b.finish().unwrap();
    let mut module = Module::new();
    module.add_function(f);
    module
}

#[test]
fn a_kernel_dividing_by_96_assembles_without_a_division() {
    let mut m = ceil_div_kernel();
    let before = write_module(&m).unwrap();
    run_pipeline(&mut m);
    let ptx = write_module(&m).unwrap();
    // For reading the SASS (`ptxas`, `cuobjdump -sass`) by hand.
    if let Some(dir) = std::env::var_os("DIV_PTX_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("ceil_div_before.ptx"), &before).unwrap();
        std::fs::write(dir.join("ceil_div_after.ptx"), &ptx).unwrap();
    }
    assert!(!ptx.contains("div.") && !ptx.contains("rem.") && !ptx.contains("call"), "{ptx}");
    assert!(ptx.contains("mul.hi.u64") && ptx.contains("12297829382473034411") && ptx.contains("mul.hi.u32"), "{ptx}");
    ptx_gen::ptxas::check_or_skip(&ptx, &["sm_75", "sm_80", "sm_90"]).unwrap_or_else(|e| panic!("{e}\n{ptx}"));
}

/// Every shape of the rewrite in one kernel, each result stored: the 65-bit multiplier (`/ 7`), the pre-shift
/// (`/ 14`), the comparison (`/ (2^63 + 5)`), a 64-bit division of a 32-bit value (`/ 1000`, `% 1000`), a signed
/// one of a non-negative value and a remainder whose dividend the range bounds (`min(n, 5000) % 12`).
fn div_shapes_kernel() -> Module {
    let mut f = Function::kernel("div_shapes");
    f.add_param("out", Type::U64);
    f.add_param("n", Type::U64);
    f.add_param("m", Type::U32);
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let p = b.ins().ld_param(Type::U64, 0);
    let out = b.ins().cvta_to_global(p);
    let n = b.ins().ld_param(Type::U64, 1);
    let m = b.ins().ld_param(Type::U32, 2);
    let m64 = b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, m);
    let masked = b.ins().binary(BinOp::And, Mode::None, Type::B64, n, Operand::u64(u64::MAX >> 1));
    let signed = b.ins().mov(Type::S64, masked);
    let bounded = b.ins().binary(BinOp::Min, Mode::None, Type::U64, n, Operand::u64(5000));
    let big = (1u64 << 63) + 5;
    let mut results = Vec::new();
    for (op, ty, a, d) in [
        (BinOp::Div, Type::U64, n, 7),
        (BinOp::Rem, Type::U64, n, 7),
        (BinOp::Div, Type::U64, n, 14),
        (BinOp::Div, Type::U64, n, big),
        (BinOp::Rem, Type::U64, n, big),
        (BinOp::Div, Type::U64, m64, 1000),
        (BinOp::Rem, Type::U64, m64, 1000),
        (BinOp::Div, Type::S64, signed, 96),
        (BinOp::Rem, Type::U64, bounded, 12),
        (BinOp::Rem, Type::U32, m, 97),
    ] {
        results.push(b.ins().binary(op, Mode::None, ty, a, Operand::Imm(Imm(d))));
    }
    for (i, r) in results.into_iter().enumerate() {
        let ty = b.reg_type(r);
        b.ins().st(MemAccess::new(StateSpace::Global, ty), Address::reg_offset(out, 8 * i as i64), r);
    }
    b.ret();
    b.finish().unwrap();
    let mut module = Module::new();
    module.add_function(f);
    module
}

#[test]
fn every_shape_of_the_rewrite_assembles() {
    assert!(matches!(magic(64, 14, u64::MAX), Some(Magic::Mul { pre: 1, .. })));
    assert!(matches!(magic(64, 12, 5000), Some(Magic::Mul { pre: 0, .. })));
    assert!(matches!(magic(32, 97, u32::MAX as u64), Some(Magic::FixUp { .. })));
    let mut m = div_shapes_kernel();
    let before = write_module(&m).unwrap();
    run_pipeline(&mut m);
    let ptx = write_module(&m).unwrap();
    if let Some(dir) = std::env::var_os("DIV_PTX_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("div_shapes_before.ptx"), &before).unwrap();
        std::fs::write(dir.join("div_shapes_after.ptx"), &ptx).unwrap();
    }
    assert!(!ptx.contains("div.") && !ptx.contains("rem.") && !ptx.contains("call"), "{ptx}");
    for op in ["mul.hi.u64", "mul.hi.u32", "setp.hs.u64", "selp.u64", "mad.lo.u64", "mad.lo.u32", "cvt.u32.u64"] {
        assert!(ptx.contains(op), "no {op}:\n{ptx}");
    }
    ptx_gen::ptxas::check_or_skip(&ptx, &["sm_75", "sm_80", "sm_90"]).unwrap_or_else(|e| panic!("{e}\n{ptx}"));
}
