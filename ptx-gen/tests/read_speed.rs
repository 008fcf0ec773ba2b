//! The emulator reads modules at run time, so reading must be fast: this reads a 1,000-plus-line kernel from the
//! writer and prints the time per read (no timing assertion: timings are not tests; run with `--release
//! --nocapture` to see the number that matters).

use std::time::Instant;

use ptx_gen::read::read_module;
use ptx_gen::write::write_module;
use ptx_gen::*;

/// A straight-line kernel of about `n` instructions mixing loads, arithmetic, conversions and stores.
fn big_module(n: usize) -> Module {
    let mut f = Function::kernel("big");
    f.add_param("out", Type::U64);
    f.add_param("x", Type::F32);
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let p = b.ins().ld_param(Type::U64, 0);
    let g = b.ins().cvta_to_global(p);
    let mut x = b.ins().ld_param(Type::F32, 1);
    let mut i = b.ins().special(SpecialReg::Tid(Dim::X));
    let glob = |ty| MemAccess::new(StateSpace::Global, ty);
    for k in 0..n / 8 {
        let off = (k as i64 % 64) * 4 - 128;
        let y = b.ins().ld(glob(Type::F32), Address::reg_offset(g, off));
        x = b.ins().fma(Type::F32, Mode::Rn, x, y, Operand::f32(0.5 + k as f32));
        i = b.ins().ternary(TernOp::Mad, Mode::Lo, Type::S32, i, Operand::u32(3), Operand::u32(k as u32));
        let c = b.ins().cvt(CvtMode::Rn, false, Type::F32, Type::S32, i);
        x = b.ins().add(Type::F32, Mode::Rn, x, c);
        let q = b.ins().setp(CmpOp::Lt, Type::F32, x, Operand::f32(1e6));
        x = b.ins().selp(Type::F32, x, Operand::f32(0.0), q);
        b.ins().st(glob(Type::F32), Address::reg_offset(g, off), x);
    }
    b.ret();
    b.finish().unwrap();
    let mut m = Module::new();
    m.add_function(f);
    m
}

#[test]
fn a_thousand_line_kernel_reads_quickly() {
    let m = big_module(1200);
    let text = write_module(&m).unwrap();
    let lines = text.lines().count();
    assert!(lines >= 1000, "{lines} lines");
    // Warm up, then time.
    let back = read_module(&text).unwrap();
    assert_eq!(back.functions[FuncId(0)].inst_count(), m.functions[FuncId(0)].inst_count());
    let reps = 50;
    let start = Instant::now();
    for _ in 0..reps {
        let r = read_module(&text).unwrap();
        assert_eq!(r.functions.len(), 1);
    }
    let per = start.elapsed() / reps;
    eprintln!("read_module: {lines} lines, {} bytes in {per:?} per read", text.len());
}
