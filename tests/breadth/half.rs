use ptx_kernel::half::{bf16, f16};
use ptx_kernel::prelude::*;

macro_rules! half_kernel {
    ($name:ident $(, $target:literal)?) => {
        /// f16 and bf16 arithmetic, negation, comparisons and conversions.
        #[ptx_kernel$((target = $target))?]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(a: &[f16], b: &[f16], c: &[bf16], d: &[bf16], s: f16, w: &[f32], out_h: &mut [f16], out_b: &mut [bf16], flags: &mut [u32], wide: &mut [f32]) {
            let i = gpu::global_idx_x() as usize;
            if i < a.len() {
                let x = a[i];
                let y = b[i];
                out_h[5 * i] = x + y;
                out_h[5 * i + 1] = x * y - s;
                out_h[5 * i + 2] = x / y;
                out_h[5 * i + 3] = -x;
                out_h[5 * i + 4] = f16::from_f32(w[i]);
                let p = c[i];
                let q = d[i];
                out_b[5 * i] = p + q;
                out_b[5 * i + 1] = p * q - bf16::from_f32(1.5);
                out_b[5 * i + 2] = p / q;
                out_b[5 * i + 3] = -p;
                out_b[5 * i + 4] = bf16::from_f32(w[i]);
                flags[i] = (x < y) as u32 | ((p >= q) as u32) << 1 | ((x == y) as u32) << 2 | ((p != q) as u32) << 3;
                wide[2 * i] = x.to_f32() + p.to_f32();
                wide[2 * i + 1] = (y.to_f64() * q.to_f64()) as f32;
            }
        }
    };
}
half_kernel!(half_ops);
half_kernel!(half_native, "sm_90");
