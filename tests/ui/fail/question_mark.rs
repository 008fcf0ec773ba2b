use ptx_kernel::prelude::*;

#[ptx_kernel]
fn question(x: &[u32], y: &mut [u32]) {
    let v: u32 = x[0].checked_add(1)?;
    y[0] = v;
}

fn main() {}
