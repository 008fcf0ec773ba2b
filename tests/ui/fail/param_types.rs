use ptx_kernel::prelude::*;

#[ptx_kernel]
fn params(a: &f32, b: (u32, u32), c: Vec<f32>, d: &[String], e: u128, f: char) {}

fn main() {}
