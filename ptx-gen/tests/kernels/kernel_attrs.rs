//! Kernel performance directives: `.maxntid` + `.minnctapersm` + `.maxnreg` on one kernel, `.reqntid` + `.maxnreg`
//! on another, and a kernel without parameters.

use super::util::*;
use ptx_gen::*;

pub fn build() -> Module {
    let mut bounded = kernel("bounded", &[Type::U64]);
    bounded.attrs = KernelAttrs {
        max_threads: Some(256),
        min_blocks_per_sm: Some(2),
        max_registers: Some(64),
        required_threads: None,
    };
    {
        let mut b = FunctionBuilder::new(&mut bounded);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let out = global_param(&mut b, 0);
        let tid = b.ins().special(SpecialReg::Tid(Dim::X));
        b.ins().st(global(Type::U32), Address::reg(out), tid);
        b.ret();
        b.finish().expect("bounded builds");
    }
    let mut exact = kernel("exact", &[Type::U64]);
    exact.attrs = KernelAttrs {
        max_threads: None,
        min_blocks_per_sm: None,
        max_registers: Some(32),
        required_threads: Some((32, 4, 2)),
    };
    {
        let mut b = FunctionBuilder::new(&mut exact);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let out = global_param(&mut b, 0);
        let z = b.ins().special(SpecialReg::Tid(Dim::Z));
        b.ins().st(global(Type::U32), Address::reg(out), z);
        b.ret();
        b.finish().expect("exact builds");
    }
    let mut empty = kernel("empty", &[]);
    {
        let mut b = FunctionBuilder::new(&mut empty);
        let entry = b.create_block();
        b.switch_to_block(entry);
        b.ret();
        b.finish().expect("empty builds");
    }
    module(vec![bounded, exact, empty])
}
