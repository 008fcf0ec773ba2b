//! Bitwise logic on integers and predicates, shifts (signed, unsigned, register and immediate amounts), popc,
//! clz, brev, bfe and bfi.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("bit_ops", &[Type::U64, Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let src = global_param(&mut b, 0);
    let mut out = Sink::new(global_param(&mut b, 1));
    let x = b.ins().ld(global(Type::U32), Address::reg(src));
    let y = b.ins().ld(global(Type::B32), Address::reg_offset(src, 4));
    let s = b.ins().ld(global(Type::S32), Address::reg_offset(src, 8));
    let w = b.ins().ld(global(Type::U64), Address::reg_offset(src, 16));
    let sw = b.ins().ld(global(Type::S64), Address::reg_offset(src, 24));

    let and = b.ins().binary(BinOp::And, Mode::None, Type::U32, x, y);
    let or = b.ins().binary(BinOp::Or, Mode::None, Type::B32, and, Imm(0x8000_0001));
    let xor = b.ins().binary(BinOp::Xor, Mode::None, Type::B32, or, x);
    let not = b.ins().unary(UnOp::Not, Mode::None, Type::B32, xor);
    let and64 = b.ins().binary(BinOp::And, Mode::None, Type::B64, w, Imm(0xFFFF_0000_FFFF));
    let xor64 = b.ins().binary(BinOp::Xor, Mode::None, Type::U64, and64, w);
    let not64 = b.ins().unary(UnOp::Not, Mode::None, Type::B64, xor64);
    out.regs(&mut b, &[and, or, xor, not, and64, xor64, not64]);

    let amount = b.ins().binary(BinOp::And, Mode::None, Type::B32, y, Imm(31));
    let shl = b.ins().binary(BinOp::Shl, Mode::None, Type::B32, x, amount);
    let shl_imm = b.ins().binary(BinOp::Shl, Mode::None, Type::U32, x, Imm(3));
    let shr_u = b.ins().binary(BinOp::Shr, Mode::None, Type::U32, x, amount);
    let shr_s = b.ins().binary(BinOp::Shr, Mode::None, Type::S32, s, amount);
    let shr_b = b.ins().binary(BinOp::Shr, Mode::None, Type::B32, y, Imm(7));
    let shl64 = b.ins().binary(BinOp::Shl, Mode::None, Type::B64, w, amount);
    let shr64 = b.ins().binary(BinOp::Shr, Mode::None, Type::S64, sw, Imm(63));
    let shr64u = b.ins().binary(BinOp::Shr, Mode::None, Type::U64, w, amount);
    out.regs(&mut b, &[shl, shl_imm, shr_u, shr_s, shr_b, shl64, shr64, shr64u]);

    let popc = b.ins().unary(UnOp::Popc, Mode::None, Type::B32, x);
    let popc64 = b.ins().unary(UnOp::Popc, Mode::None, Type::B64, w);
    let clz = b.ins().unary(UnOp::Clz, Mode::None, Type::B32, y);
    let clz64 = b.ins().unary(UnOp::Clz, Mode::None, Type::U64, w);
    let brev = b.ins().unary(UnOp::Brev, Mode::None, Type::B32, x);
    let brev64 = b.ins().unary(UnOp::Brev, Mode::None, Type::B64, w);
    out.regs(&mut b, &[popc, popc64, clz, clz64, brev, brev64]);

    let bfe_u = b.ins().ternary(TernOp::Bfe, Mode::None, Type::U32, x, Imm(4), Imm(12));
    let bfe_s = b.ins().ternary(TernOp::Bfe, Mode::None, Type::S32, s, amount, popc);
    let bfe_u64 = b.ins().ternary(TernOp::Bfe, Mode::None, Type::U64, w, Imm(40), Imm(20));
    let bfe_s64 = b.ins().ternary(TernOp::Bfe, Mode::None, Type::S64, sw, amount, Imm(9));
    let bfi = b.ins().bfi(Type::B32, x, y, Imm(8), Imm(8));
    let bfi64 = b.ins().bfi(Type::B64, w, Imm(0x1234_5678_9ABC), amount, Imm(16));
    out.regs(&mut b, &[bfe_u, bfe_s, bfe_u64, bfe_s64, bfi, bfi64]);

    // Predicate logic.
    let p = b.ins().setp(CmpOp::Ne, Type::U32, x, Imm(0));
    let q = b.ins().setp(CmpOp::Lt, Type::S32, s, Imm(0));
    let pand = b.ins().binary(BinOp::And, Mode::None, Type::Pred, p, q);
    let por = b.ins().binary(BinOp::Or, Mode::None, Type::Pred, pand, p);
    let pxor = b.ins().binary(BinOp::Xor, Mode::None, Type::Pred, por, q);
    let pnot = b.ins().unary(UnOp::Not, Mode::None, Type::Pred, pxor);
    let pconst = b.ins().mov(Type::Pred, Imm(1));
    let pall = b.ins().binary(BinOp::And, Mode::None, Type::Pred, pnot, pconst);
    out.regs(&mut b, &[pand, por, pxor, pall]);
    b.ret();
    b.finish().expect("bit_ops builds");
    module(vec![f])
}
