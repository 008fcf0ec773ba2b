//! Reassociation: constant terms of address arithmetic end in the memory operand's offset, the results are the
//! same on random inputs, and nothing is read through a register assigned more than once.

mod passes_common;

use passes_common::*;
use ptx_gen::passes::{reassoc, run_function_pipeline};
use ptx_gen::verify::verify_function;
use ptx_gen::*;

/// `st [base + ((i * 4 + 64 + k) << 2)], i` for k = 0 and 128, as the frontend writes a tile access `t[k + 64 + i * 4]`.
fn tile_stores() -> Function {
    let mut f = Function::device("d");
    let base = f.add_param("base", Type::U64) as usize;
    let i = f.add_param("i", Type::U64) as usize;
    let (base, i) = (f.params[base].reg.unwrap(), f.params[i].reg.unwrap());
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    for k in [0u64, 128] {
        let x = b.ins().mul(Type::U64, Mode::Lo, i, Operand::u64(4));
        let y = b.ins().add(Type::U64, Mode::None, Operand::u64(64), x);
        let z = b.ins().add(Type::U64, Mode::None, Operand::u64(k), y);
        let off = b.ins().binary(BinOp::Shl, Mode::None, Type::U64, z, Operand::u32(2));
        let a = b.ins().add(Type::U64, Mode::None, base, off);
        b.ins().st(MemAccess::new(StateSpace::Global, Type::U32), Address::reg(a), Operand::Reg(i));
    }
    b.ret();
    b.finish().unwrap();
    verify_function(&f, None).unwrap();
    f
}

/// `y = m + 64; m = m + 1; st [base + (y << 2)], m` with `m` assigned twice: reading `m` where `y` is read would
/// see the new value.
fn reassigned_between() -> Function {
    let mut f = Function::device("d");
    let base = f.add_param("base", Type::U64) as usize;
    let i = f.add_param("i", Type::U64) as usize;
    let (base, i) = (f.params[base].reg.unwrap(), f.params[i].reg.unwrap());
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    let m = b.ins().mov(Type::U64, i);
    let y = b.ins().add(Type::U64, Mode::None, m, Operand::u64(64));
    let m1 = b.ins().add(Type::U64, Mode::None, m, Operand::u64(1));
    b.ins().mov_to(m, Operand::Reg(m1));
    let off = b.ins().binary(BinOp::Shl, Mode::None, Type::U64, y, Operand::u32(2));
    let a = b.ins().add(Type::U64, Mode::None, base, off);
    b.ins().st(MemAccess::new(StateSpace::Global, Type::U64), Address::reg(a), Operand::Reg(m));
    b.ret();
    b.finish().unwrap();
    verify_function(&f, None).unwrap();
    f
}

#[test]
fn constant_terms_end_in_the_address_offset() {
    let f = tile_stores();
    let mut g = f.clone();
    run_function_pipeline(&mut g);
    let text = g.display().to_string();
    assert!(text.contains("+256]") && text.contains("+768]"), "{text}");
    let mut rng = Rng::new(3);
    for _ in 0..500 {
        let args = [rng.int(), rng.int()];
        assert_eq!(interpret(&f, &args, 1000).unwrap(), interpret(&g, &args, 1000).unwrap(), "{args:x?}");
    }
}

#[test]
fn registers_assigned_twice_are_not_read_through() {
    let f = reassigned_between();
    let mut g = f.clone();
    reassoc::run(&mut g);
    run_function_pipeline(&mut g);
    verify_function(&g, None).unwrap();
    let mut rng = Rng::new(4);
    for _ in 0..500 {
        let args = [rng.int(), rng.int()];
        let (want, got) = (interpret(&f, &args, 1000).unwrap(), interpret(&g, &args, 1000).unwrap());
        assert_eq!(want, got, "{args:x?}\n{}", g.display());
    }
}
