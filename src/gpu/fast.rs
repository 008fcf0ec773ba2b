//! Fast approximate f32 math: the PTX `.approx` instructions, one each (no range reduction, no special cases
//! beyond the hardware's). Use them where speed matters more than the last bits; the precise versions are the
//! methods (`x.exp2()`, …).
//!
//! | function | PTX | accuracy (PTX ISA) |
//! |---|---|---|
//! | `exp2(x)` | `ex2.approx.f32` | max 2 ulp (full range) |
//! | `exp(x)` | `mul.rn.f32` by log2(e), `ex2.approx.f32` | ~2 ulp + the error of the product (grows with |x|) |
//! | `log2(x)` | `lg2.approx.f32` | max 2^-22.6 absolute for x in [0.5, 2], else ~2 ulp |
//! | `sin(x)`, `cos(x)` | `sin/cos.approx.f32` | max 2^-20.5 absolute in [-π, π]; worse outside |
//! | `tanh(x)` | `tanh.approx.f32` (sm_75) | max relative 2^-11 |
//! | `rsqrt(x)` | `rsqrt.approx.f32` | max 2 ulp |
//! | `recip(x)` | `rcp.approx.f32` | max 1 ulp |
//! | `div(a, b)` | `div.approx.f32` | max 2 ulp for |b| in [2^-126, 2^126] |

use super::host_call;

macro_rules! fast_unary {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// See the [module doc](self). Panics on the host.
        #[track_caller]
        pub fn $name(x: f32) -> f32 {
            let _ = x;
            host_call(concat!("fast::", stringify!($name)))
        }
    )*};
}

fast_unary! {
    /// 2^x, approximately.
    exp2;
    /// e^x, approximately.
    exp;
    /// log2(x), approximately.
    log2;
    /// sin(x), approximately.
    sin;
    /// cos(x), approximately.
    cos;
    /// tanh(x), approximately.
    tanh;
    /// 1/sqrt(x), approximately.
    rsqrt;
    /// 1/x, approximately.
    recip;
}

/// a / b, approximately. See the [module doc](self). Panics on the host.
#[track_caller]
pub fn div(a: f32, b: f32) -> f32 {
    let _ = (a, b);
    host_call("fast::div")
}
