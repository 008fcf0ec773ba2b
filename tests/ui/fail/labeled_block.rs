use ptx_kernel::prelude::*;

#[ptx_kernel]
fn labeled(y: &mut [u32]) {
    let v = 'b: {
        if y.len() > 3 {
            break 'b 1;
        }
        2
    };
    y[0] = v;
}

fn main() {}
