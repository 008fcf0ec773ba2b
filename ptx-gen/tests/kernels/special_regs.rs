//! Every special register the IR knows, each stored so none is dead.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut f = kernel("special_regs", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let mut out = Sink::new(global_param(&mut b, 0));
    let mut sregs = Vec::new();
    for d in [Dim::X, Dim::Y, Dim::Z] {
        sregs.extend([SpecialReg::Tid(d), SpecialReg::Ntid(d), SpecialReg::Ctaid(d), SpecialReg::Nctaid(d)]);
    }
    sregs.extend([
        SpecialReg::LaneId,
        SpecialReg::WarpId,
        SpecialReg::NWarpId,
        SpecialReg::SmId,
        SpecialReg::NSmId,
        SpecialReg::LanemaskLt,
        SpecialReg::Clock,
        SpecialReg::Clock64,
        SpecialReg::GlobalTimer,
        SpecialReg::DynamicSmemSize,
    ]);
    for s in sregs {
        let r = b.ins().special(s);
        out.reg(&mut b, r);
    }
    b.ret();
    b.finish().expect("special_regs builds");
    module(vec![f])
}
