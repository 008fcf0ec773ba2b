use ptx_kernel::prelude::*;

#[ptx_module]
mod kernels {
    use ptx_kernel::prelude::*;

    #[ptx_device]
    fn fact(n: u32) -> u32 {
        if n == 0 { 1 } else { n * fact(n - 1) }
    }

    #[ptx_device]
    fn ping(n: u32) -> u32 {
        pong(n)
    }

    #[ptx_device]
    fn pong(n: u32) -> u32 {
        ping(n)
    }

    #[ptx_kernel]
    pub fn recursive(y: &mut [u32]) {
        y[0] = fact(5) + ping(1);
    }
}

fn main() {}
