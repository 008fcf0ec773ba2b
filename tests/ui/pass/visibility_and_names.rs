// Kernels of any visibility, in modules; parameters whose names the launcher uses itself; the function stays
// callable as Rust (type-checked) and the module is reachable where the function is.
mod kernels {
    use ptx_kernel::prelude::*;

    #[ptx_kernel]
    #[allow(non_snake_case)]
    pub(crate) fn scale(dev: f32, cfg: &mut [f32], PTX: u32) {
        let i = gpu::global_idx_x() as usize;
        if i < cfg.len() {
            cfg[i] *= dev + PTX as f32;
        }
    }

    #[ptx_kernel]
    fn private_kernel(_: u32, out: &mut [u8]) {
        out[0] = 1;
    }

    pub fn private_ptx() -> &'static str {
        private_kernel::PTX
    }
}

#[allow(dead_code)]
fn launch_it(dev: &ptx_kernel::Device, buf: &mut ptx_kernel::DeviceBuffer<f32>) -> ptx_kernel::Result<()> {
    kernels::scale::launch(dev, ptx_kernel::LaunchConfig::for_num_elems(4), 1.5, buf, 3)
}

fn main() {
    assert!(kernels::scale::PTX.contains(".visible .entry scale("));
    assert!(kernels::private_ptx().contains(".visible .entry private_kernel("));
}
