use ptx_kernel::prelude::*;

#[ptx_kernel]
const extern "C" fn konst(y: u32) {}

fn main() {}
