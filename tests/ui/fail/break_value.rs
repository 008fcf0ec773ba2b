use ptx_kernel::prelude::*;

#[ptx_kernel]
fn breaks(y: &mut [u32]) {
    let mut k = 0u32;
    let v = loop {
        k += 1;
        if k > 10 {
            break k * 2;
        }
    };
    y[0] = v;
}

fn main() {}
