//! Warp-level collectives: `shfl.sync` in every mode (with and without the predicate result), `vote.sync` in
//! every mode (negated too), `activemask`, `bar.warp.sync`, and the lane special registers.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("warp_collectives", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let mut out = Sink::new(global_param(&mut b, 0));
    let lane = b.ins().special(SpecialReg::LaneId);
    let below = b.ins().special(SpecialReg::LanemaskLt);
    let mask = b.ins().active_mask();
    b.push(InstKind::WarpSync { mask: Operand::Reg(mask) });
    let full = Operand::u32(0xFFFF_FFFF);
    let up = b.ins().shfl(ShflMode::Up, lane, Imm(1), Imm(0), full);
    let down = b.ins().shfl(ShflMode::Down, up, Imm(2), Imm(0x1F), mask);
    let bfly = b.ins().shfl(ShflMode::Bfly, down, lane, Imm(0x1F), full);
    let idx = b.ins().shfl(ShflMode::Idx, bfly, Imm(0), Imm(0x1F), full);
    // The predicate form: was the source lane in range?
    let (dst, valid) = (b.new_reg(Type::B32), b.new_reg(Type::Pred));
    b.push(InstKind::Shfl {
        mode: ShflMode::Down,
        dst,
        pred: Some(valid),
        src: Operand::Reg(idx),
        lane: Operand::u32(16),
        clamp: Operand::u32(0x1F),
        mask: full,
    });
    let odd = b.ins().setp(CmpOp::Ne, Type::B32, below, Imm(0));
    let all = b.ins().vote(VoteMode::All, odd, false, full);
    let any = b.ins().vote(VoteMode::Any, valid, true, mask);
    let uni = b.ins().vote(VoteMode::Uni, odd, false, full);
    let ballot = b.ins().vote(VoteMode::Ballot, odd, true, full);
    b.push(InstKind::WarpSync { mask: full });
    out.regs(&mut b, &[up, down, bfly, idx, dst, valid, all, any, uni, ballot]);
    b.ret();
    b.finish().expect("warp_collectives builds");
    module(vec![f])
}
