use ptx_kernel::prelude::*;

#[ptx_module]
pub mod helpers {
    use ptx_kernel::prelude::*;

    /// Calls a helper declared after it.
    #[ptx_device]
    fn lerp(a: f32, b: f32, t: f32) -> f32 {
        a + scaled(b - a, t)
    }

    #[ptx_device]
    fn scaled(d: f32, t: f32) -> f32 {
        d * t
    }

    /// Early returns, a loop, a `mut` parameter.
    #[ptx_device]
    fn collatz_steps(mut n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let mut steps = 0;
        while n != 1 {
            n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
            steps += 1;
            if steps == 500 {
                return steps;
            }
        }
        steps
    }

    /// A helper with an effect (a warp reduction) and no result.
    #[ptx_device]
    fn store_sum(v: f32) {
        let _ = gpu::warp_sum(v);
    }

    /// A generic kernel inside a `#[ptx_module]`.
    #[ptx_kernel(instances(f32, f64))]
    pub fn generic_lerp<T: gpu::Float>(x: &[T], y: &mut [T], t: T) {
        let i = gpu::global_idx_x() as usize;
        if i < y.len() {
            y[i] = x[i] + (y[i] - x[i]) * t;
        }
    }

    #[ptx_kernel]
    pub fn device_calls(x: &[f32], y: &mut [f32], n: &[u32], steps: &mut [u32], t: f32) {
        let i = gpu::global_idx_x() as usize;
        if i < y.len() {
            y[i] = lerp(x[i], y[i], t) + lerp(1.0, 2.0, 0.5);
            steps[i] = collatz_steps(n[i]) + collatz_steps(7);
        }
        store_sum(1.0);
    }
}
