//! Control flow: a device function whose entry block is its own loop header (so the entry needs a label), a
//! kernel loop with a negated exit branch, a branch whose `then` is the next block, fall-through and explicit
//! jumps, two returns and a trap.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    // halve(n) -> u32: halves n (rounding up) until it is at most 1; the loop's header is the entry block.
    let mut halve = Function::device("halve");
    halve.add_param("n", Type::U32);
    let n = halve.params[0].reg.unwrap();
    let result = halve.add_return(Type::U32);
    {
        let mut b = FunctionBuilder::new(&mut halve);
        let head = b.create_block();
        let done = b.create_block();
        b.switch_to_block(head);
        let up = b.ins().add(Type::U32, Mode::None, n, Imm(1));
        let half = b.ins().binary(BinOp::Shr, Mode::None, Type::U32, up, Imm(1));
        b.ins().mov_to(n, half);
        let more = b.ins().setp(CmpOp::Gt, Type::U32, n, Imm(1));
        b.branch(more, head, done);
        b.switch_to_block(done);
        b.ins().mov_to(result, n);
        b.ret();
        b.finish().expect("halve builds");
    }

    let mut f = kernel("control_flow", &[Type::U64, Type::U32]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    let head = b.create_block();
    let body = b.create_block();
    let check = b.create_block();
    let store = b.create_block();
    let fail = b.create_block();
    let exit = b.create_block();

    b.switch_to_block(entry);
    let out = global_param(&mut b, 0);
    let n = b.ins().ld_param(Type::U32, 1);
    let i = b.ins().mov(Type::U32, Imm(0));
    let acc = b.ins().mov(Type::U32, Imm(0x9E37_79B9));
    b.jump(head); // falls through

    // while !(i >= n) { acc ^= halve(i); i += 1 }
    b.switch_to_block(head);
    let at_end = b.ins().setp(CmpOp::Hs, Type::U32, i, n);
    b.terminate(Terminator::Branch { cond: at_end, negate: true, then_dest: body, else_dest: check });

    b.switch_to_block(body);
    let s = b.ins().call(FuncId(0), &[Type::U32], vec![i.into()]);
    let t = b.ins().binary(BinOp::Xor, Mode::None, Type::U32, acc, s[0]);
    b.ins().mov_to(acc, t);
    let next = b.ins().add(Type::U32, Mode::None, i, Imm(1));
    b.ins().mov_to(i, next);
    b.jump(head);

    b.switch_to_block(check);
    let zero = b.ins().setp(CmpOp::Eq, Type::U32, acc, Imm(0));
    b.branch(zero, fail, store);

    b.switch_to_block(store);
    b.ins().st(global(Type::U32), Address::reg(out), acc);
    b.jump(exit);

    b.switch_to_block(fail);
    b.trap();

    b.switch_to_block(exit);
    b.ins().st(global(Type::U32), Address::reg_offset(out, 4), i);
    b.ret();
    b.finish().expect("control_flow builds");
    module(vec![halve, f])
}
