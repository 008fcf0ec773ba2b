//! Value ranges: every transfer function is sound (random operands drawn from random ranges, evaluated with exact
//! PTX semantics, always land in the computed range); comparisons are decided only when the ranges fix them; the
//! passes remove the bounds check that launch bounds prove and keep the one they don't; division by powers of two
//! and 64-bit division of 32-bit values are rewritten and compute the same results.

mod passes_common;

use passes_common::*;
use ptx_gen::passes::range::{self, Range};
use ptx_gen::passes::{eval, run_function_pipeline, strength};
use ptx_gen::verify::verify_function;
use ptx_gen::*;

/// A random range of a `bits`-wide integer: small, near a power of two, near the top, exact, or everything.
fn random_range(rng: &mut Rng, bits: u32) -> Range {
    let max = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let point = |rng: &mut Rng| -> u64 {
        match rng.below(5) {
            0 => rng.below(40) as u64,
            1 => {
                let k = rng.below(bits as usize) as u32;
                (1u64 << k).wrapping_add(rng.below(5) as u64).wrapping_sub(2) & max
            }
            2 => max - rng.below(40) as u64,
            3 => (1u64 << (bits - 1)).wrapping_add(rng.below(9) as u64).wrapping_sub(4) & max,
            _ => rng.next_u64() & max,
        }
    };
    match rng.below(6) {
        0 => Range::full(bits),
        1 => Range::exact(point(rng)),
        _ => {
            let (a, b) = (point(rng), point(rng));
            Range { lo: a.min(b), hi: a.max(b) }
        }
    }
}

/// A value in `r`: an end point or a random one inside.
fn sample(rng: &mut Rng, r: Range) -> u64 {
    match rng.below(4) {
        0 => r.lo,
        1 => r.hi,
        _ => {
            let span = r.hi - r.lo;
            if span == u64::MAX {
                rng.next_u64()
            } else {
                r.lo + rng.next_u64() % (span + 1)
            }
        }
    }
}

const INT_TYPES: [Type; 6] = [Type::U32, Type::S32, Type::B32, Type::U64, Type::S64, Type::B64];

#[test]
fn binary_ranges_hold_every_value_the_operation_can_produce() {
    use BinOp::*;
    let ops = [Add, Sub, Mul, Div, Rem, Min, Max, And, Or, Xor, Shl, Shr];
    let mut rng = Rng::new(0x5a17);
    let (mut checked, mut narrow) = (0u64, 0u64);
    for case in 0..60_000u64 {
        let op = rng.pick(&ops);
        let ty = rng.pick(&INT_TYPES);
        let mode = if op == Mul { rng.pick(&[Mode::Lo, Mode::Wide, Mode::Hi]) } else { Mode::None };
        let w = ty.bits();
        let bw = if matches!(op, Shl | Shr) { 32 } else { w };
        let (ra, rb) = (random_range(&mut rng, w), random_range(&mut rng, bw));
        let got = range::binary(op, mode, ty, ra, rb);
        let rw = if mode == Mode::Wide { 2 * w } else { w };
        narrow += (got != Range::full(rw)) as u64;
        for _ in 0..8 {
            let (a, b) = (sample(&mut rng, ra), sample(&mut rng, rb));
            // `None`: not a valid PTX form, or division by zero (not modelled).
            let Some(v) = eval::binary(op, mode, ty, a, b) else {
                continue;
            };
            checked += 1;
            assert!(
                got.contains(v),
                "case {case}: {}.{}.{} a={a:#x} in {ra:?}, b={b:#x} in {rb:?} gives {v:#x}, outside {got:?}",
                op.name(),
                mode.name(),
                ty.name()
            );
        }
    }
    assert!(checked > 200_000, "only {checked} evaluations");
    assert!(narrow > 10_000, "the ranges are almost never useful ({narrow})");
}

#[test]
fn mad_and_conversion_ranges_hold_every_value() {
    let mut rng = Rng::new(0xc0de);
    let mut checked = 0u64;
    for case in 0..30_000u64 {
        let ty = rng.pick(&[Type::U32, Type::S32, Type::U64, Type::S64]);
        let mode = if ty.bits() == 32 { rng.pick(&[Mode::Lo, Mode::Wide]) } else { Mode::Lo };
        let w = ty.bits();
        let rw = if mode == Mode::Wide { 2 * w } else { w };
        let (ra, rb, rc) = (random_range(&mut rng, w), random_range(&mut rng, w), random_range(&mut rng, rw));
        let got = range::mad(mode, ty, ra, rb, rc);
        for _ in 0..6 {
            let (a, b, c) = (sample(&mut rng, ra), sample(&mut rng, rb), sample(&mut rng, rc));
            let Some(v) = eval::ternary(TernOp::Mad, mode, ty, a, b, c) else {
                continue;
            };
            checked += 1;
            assert!(
                got.contains(v),
                "case {case}: mad.{}.{} {a:#x} {b:#x} {c:#x} = {v:#x} outside {got:?}",
                mode.name(),
                ty.name()
            );
        }
        let (src, dst) = (rng.pick(&INT_TYPES), rng.pick(&INT_TYPES));
        let sat = rng.chance(1, 3) && dst.is_int() && src.is_int();
        let r = random_range(&mut rng, src.bits());
        let got = range::convert(r, sat, dst, src);
        for _ in 0..6 {
            let a = sample(&mut rng, r);
            let Some(v) = eval::cvt(CvtMode::None, sat, dst, src, a) else {
                continue;
            };
            checked += 1;
            let v = v & if dst.bits() == 64 { u64::MAX } else { (1 << dst.bits()) - 1 };
            assert!(
                got.contains(v),
                "case {case}: cvt.{}{}.{} of {a:#x} in {r:?} = {v:#x} outside {got:?}",
                if sat { "sat." } else { "" },
                dst.name(),
                src.name()
            );
        }
    }
    assert!(checked > 100_000, "only {checked} evaluations");
}

#[test]
fn comparisons_are_decided_only_when_the_ranges_fix_them() {
    use CmpOp::*;
    let mut rng = Rng::new(77);
    let mut decided = 0;
    for _ in 0..40_000 {
        let cmp = rng.pick(&[Eq, Ne, Lt, Le, Gt, Ge, Lo, Ls, Hi, Hs]);
        let (ra, rb) = (random_range(&mut rng, 64), random_range(&mut rng, 64));
        let Some(d) = range::decide(cmp, ra, rb) else {
            continue;
        };
        decided += 1;
        for _ in 0..8 {
            let (a, b) = (sample(&mut rng, ra), sample(&mut rng, rb));
            let v = eval::setp(cmp, Type::U64, a, b).expect("an unsigned comparison");
            assert_eq!(v != 0, d, "{cmp:?} {a:#x} {b:#x} with {ra:?} {rb:?}");
        }
    }
    assert!(decided > 2_000, "{decided}");
}

/// `out[(tid.x / 16) * 4 + 64]` checked against 1024, as the frontend writes a bounds check on a shared tile, in
/// a kernel with the given `.maxntid`: how many `setp` survive the pipeline.
fn checks_left(max_threads: Option<u32>) -> usize {
    let mut f = Function::kernel("k");
    f.add_param("out", Type::U64);
    f.attrs.max_threads = max_threads;
    let mut b = FunctionBuilder::new(&mut f);
    let (entry, ok, oob) = (b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(entry);
    let p = b.ins().ld_param(Type::U64, 0);
    let g = b.ins().cvta_to_global(p);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let t64 = b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, tid);
    let ty = b.ins().div(Type::U64, Mode::None, t64, Operand::u64(16));
    let x = b.ins().mul(Type::U64, Mode::Lo, ty, Operand::u64(4));
    let i = b.ins().add(Type::U64, Mode::None, x, Operand::u64(64));
    let bad = b.ins().setp(CmpOp::Ge, Type::U64, i, Operand::u64(1024));
    b.branch(bad, oob, ok);
    b.switch_to_block(oob);
    b.trap();
    b.switch_to_block(ok);
    let off = b.ins().mul(Type::U64, Mode::Lo, i, Operand::u64(4));
    let a = b.ins().add(Type::U64, Mode::None, g, off);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::U32), Address::reg(a), Operand::Reg(tid));
    b.ret();
    b.finish().expect("a valid kernel");
    verify_function(&f, None).unwrap();
    run_function_pipeline(&mut f);
    verify_function(&f, None).unwrap();
    f.layout
        .iter()
        .flat_map(|&b| f.blocks[b].insts.clone())
        .filter(|&i| matches!(f.insts[i].kind, InstKind::Setp { .. }))
        .count()
}

#[test]
fn launch_bounds_prove_a_tile_index_in_bounds() {
    // 256 threads: the index is at most 15 * 4 + 64 = 124.
    assert_eq!(checks_left(Some(256)), 0);
    // 1024 threads: up to 63 * 4 + 64 = 316, still below 1024.
    assert_eq!(checks_left(None), 0);
    // Without a bound the check of a larger index must stay: see the next test.
}

#[test]
fn a_check_that_can_fail_stays() {
    let mut f = Function::kernel("k");
    f.add_param("out", Type::U64);
    let mut b = FunctionBuilder::new(&mut f);
    let (entry, ok, oob) = (b.create_block(), b.create_block(), b.create_block());
    b.switch_to_block(entry);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    // tid * 2 reaches 2046 with 1024 threads: the check against 1024 can fail.
    let i = b.ins().mul(Type::U32, Mode::Lo, tid, Operand::u32(2));
    let bad = b.ins().setp(CmpOp::Ge, Type::U32, i, Operand::u32(1024));
    b.branch(bad, oob, ok);
    b.switch_to_block(oob);
    b.trap();
    b.switch_to_block(ok);
    b.ret();
    b.finish().unwrap();
    let mut g = f.clone();
    assert!(!range::run(&mut g));
    // With `.maxntid 512` it cannot.
    f.attrs.max_threads = Some(512);
    assert!(range::run(&mut f));
}

#[test]
fn division_becomes_shifts_masks_and_32_bit_division() {
    let mut f = Function::device("d");
    let x = f.add_param("x", Type::U32) as usize;
    let y = f.add_param("y", Type::U32) as usize;
    let (x, y) = (f.params[x].reg.expect("a register parameter"), f.params[y].reg.expect("a register parameter"));
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let x64 = b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, x);
    let y64 = b.ins().cvt(CvtMode::None, false, Type::U64, Type::U32, y);
    let q = b.ins().div(Type::U64, Mode::None, x64, Operand::u64(32));
    let r = b.ins().binary(BinOp::Rem, Mode::None, Type::U64, x64, Operand::u64(8));
    let yy = b.ins().binary(BinOp::Or, Mode::None, Type::U64, y64, Operand::u64(1));
    let d = b.ins().div(Type::U64, Mode::None, x64, yy);
    let m = b.ins().binary(BinOp::Rem, Mode::None, Type::U64, x64, yy);
    let s1 = b.ins().add(Type::U64, Mode::None, q, r);
    let s2 = b.ins().add(Type::U64, Mode::None, d, m);
    let out = b.ins().add(Type::U64, Mode::None, s1, s2);
    b.func_mut().returns.push(out);
    b.ret();
    b.finish().unwrap();
    verify_function(&f, None).unwrap();
    let mut g = f.clone();
    assert!(strength::run(&mut g));
    verify_function(&g, None).unwrap();
    let text = g.display().to_string();
    assert!(!text.contains("div.u64") && !text.contains("rem.u64"), "{text}");
    assert!(
        text.contains("shr.u64") && text.contains("and.b64") && text.contains("div.u32") && text.contains("rem.u32"),
        "{text}"
    );
    let mut rng = Rng::new(9);
    for _ in 0..2000 {
        let args = [rng.int() & 0xffff_ffff, rng.int() & 0xffff_ffff];
        assert_eq!(interpret(&f, &args, 1000).unwrap(), interpret(&g, &args, 1000).unwrap(), "{args:x?}");
    }
}

#[test]
fn signed_division_is_reduced_only_when_the_dividend_is_non_negative() {
    let build = |mask: bool| {
        let mut f = Function::device("d");
        let x = f.add_param("x", Type::S32) as usize;
        let x = f.params[x].reg.expect("a register parameter");
        let mut b = FunctionBuilder::new(&mut f);
        let e = b.create_block();
        b.switch_to_block(e);
        let v = if mask { b.ins().binary(BinOp::And, Mode::None, Type::B32, x, Operand::u32(0xffff)) } else { x };
        let v = b.ins().mov(Type::S32, v);
        let q = b.ins().div(Type::S32, Mode::None, v, Operand::u32(4));
        b.func_mut().returns.push(q);
        b.ret();
        b.finish().unwrap();
        f
    };
    let mut neg = build(false);
    assert!(!strength::run(&mut neg), "-7 / 4 is -1, not -2: no shift");
    let mut pos = build(true);
    assert!(strength::run(&mut pos));
    assert!(pos.display().to_string().contains("shr.s32"));
}
