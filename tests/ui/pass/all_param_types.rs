use ptx_kernel::prelude::*;

#[ptx_kernel]
#[allow(clippy::too_many_arguments)]
pub fn every_type(
    a: i8,
    b: i16,
    c: i32,
    d: i64,
    e: isize,
    f: u8,
    g: u16,
    h: u32,
    k: u64,
    l: usize,
    m: f32,
    n: f64,
    o: bool,
    bytes: &[bool],
    out: &mut [f64],
    flags: &mut [bool],
) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() && i < flags.len() && i < bytes.len() {
        let ints = a as i64 + b as i64 + c as i64 + d + e as i64 + f as i64 + g as i64 + h as i64;
        out[i] = ints as f64 + (k + l as u64) as f64 + m as f64 + n;
        flags[i] = o ^ bytes[i];
    }
}

#[allow(dead_code, clippy::too_many_arguments)]
fn launch_it(
    dev: &Device,
    bytes: &DeviceBuffer<u8>,
    out: &mut DeviceBuffer<f64>,
    flags: &mut DeviceBuffer<u8>,
) -> ptx_kernel::Result<()> {
    let cfg = LaunchConfig::for_num_elems(16);
    every_type::launch(dev, cfg, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1.0, 2.0, true, bytes, out, flags)
}

fn main() {
    // 13 scalars and 3 slices of two parameters each.
    assert_eq!(every_type::PTX.matches(".param ").count(), 19);
    assert!(every_type::PTX.contains(".param .s8 every_type_param_0"));
    assert!(every_type::PTX.contains(".param .u32 every_type_param_12"));
}
