use ptx_kernel::prelude::*;

#[ptx_kernel]
fn many(x: &[f32], y: &mut [f32]) -> u32 {
    let i = gpu::global_idx_x() as usize;
    let s = "no strings";
    let c = |v: f32| v;
    y[i] = match i {
        0 => x[0],
        _ => c(x[1]),
    };
    let _ = s;
    0
}

fn main() {}
