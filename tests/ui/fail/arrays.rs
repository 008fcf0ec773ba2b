use ptx_kernel::prelude::*;

#[ptx_kernel]
fn arrays(y: &mut [f32]) {
    let table = [[1.0f32, 2.0], [3.0, 4.0]];
    let big = [0u8; 1000];
    let cube = [[[0u32; 2]; 2]; 2];
    y[0] = table[1][0] + big[3] as f32 + cube[0][0][0] as f32;
}

fn main() {}
