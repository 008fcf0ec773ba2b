use ptx_kernel::prelude::*;

#[ptx_kernel]
fn strings(out: &mut [u8]) {
    let s = "hello";
    let _ = s;
    out[0] = b'h';
}

fn main() {}
