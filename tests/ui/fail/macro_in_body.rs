use ptx_kernel::prelude::*;

#[ptx_kernel]
fn prints(x: &[f32]) {
    println!("{}", x[0]);
    assert!(x.len() > 0);
}

fn main() {}
