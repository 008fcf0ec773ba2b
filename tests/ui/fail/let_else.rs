use ptx_kernel::prelude::*;

#[ptx_kernel]
fn let_else(x: &[u32], y: &mut [u32]) {
    let Some(v) = x[0].checked_add(1) else { return };
    y[0] = v;
}

fn main() {}
