use ptx_kernel::prelude::*;

#[ptx_kernel(target = "sm_80")]
fn on_ampere(x: &[f64], y: &mut [f64]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = x[i].sqrt();
    }
}

fn main() {
    assert_eq!(on_ampere::TARGET, "sm_80");
    assert!(on_ampere::PTX.contains(".target sm_80"));
}
