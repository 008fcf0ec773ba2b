//! Bounds for generic kernels (`#[ptx_kernel(instances(f32, f64))] fn k<T: gpu::Float>(…)`).
//!
//! rustc type-checks the generic function as written, so its type parameter needs a bound that provides what the
//! body uses; each listed instance is then compiled with the concrete type. [`Number`] gives the arithmetic,
//! comparison and compound-assignment operators of every numeric scalar; [`Float`] adds the float methods the
//! kernel subset lowers (`abs min max sqrt mul_add floor ceil round trunc exp exp2 ln log2 log10 sin cos tan tanh
//! powf powi recip hypot`).

use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// The operators every numeric scalar has.
pub trait Number:
    Copy
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + 'static
{
}

macro_rules! numbers {
    ($($t:ty),*) => {$(impl Number for $t {})*};
}
numbers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

macro_rules! float_trait {
    ($($name:ident($($arg:ident: $aty:ty),*);)*) => {
        /// `f32` and `f64`: the operators and the float methods of the kernel subset.
        pub trait Float: Number + Neg<Output = Self> {
            $(
                #[doc = concat!("The inherent `", stringify!($name), "`.")]
                fn $name(self, $($arg: $aty),*) -> Self;
            )*
        }
        impl Float for f32 {
            $(fn $name(self, $($arg: $aty),*) -> Self { f32::$name(self, $($arg),*) })*
        }
        impl Float for f64 {
            $(fn $name(self, $($arg: $aty),*) -> Self { f64::$name(self, $($arg),*) })*
        }
    };
}

float_trait! {
    abs();
    min(other: Self);
    max(other: Self);
    sqrt();
    mul_add(a: Self, b: Self);
    floor();
    ceil();
    round();
    trunc();
    exp();
    exp2();
    ln();
    log2();
    log10();
    sin();
    cos();
    tan();
    tanh();
    powf(n: Self);
    powi(n: i32);
    recip();
    hypot(other: Self);
}
