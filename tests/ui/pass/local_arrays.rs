use ptx_kernel::prelude::*;

// Local arrays are part of the language now (this was a compile-fail case before they were).

#[ptx_kernel]
fn arrays(y: &mut [f32]) {
    let table = [1.0f32, 2.0, 3.0];
    let zeros = [0u8; 16];
    y[0] = table[1];
    let _ = zeros;
}

fn main() {}
