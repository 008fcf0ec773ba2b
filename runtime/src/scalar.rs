//! Element types that can live in device memory.

mod sealed {
    pub trait Sealed {}
}

/// A plain-old-data element type of a [`DeviceBuffer`](crate::DeviceBuffer).
///
/// Implemented for `u8 u16 u32 u64 usize i8 i16 i32 i64 isize f32 f64`, [`half::f16`], [`half::bf16`], and for
/// `[T; 2]` and `[T; 4]` of the scalars of at most four bytes (vector elements for 8- and 16-byte accesses).
/// Every bit pattern of these types is a valid value and none has padding, so they are copied to and from the device
/// as raw bytes. `bool` is deliberately absent: a device could hand back a byte other than 0 or 1.
///
/// The trait is sealed: the runtime's memory safety depends on the list above.
pub trait DeviceScalar: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The Rust spelling of the type, for messages (e.g. `"f32"`, `"[f16; 4]"`).
    const NAME: &'static str;
}

macro_rules! scalars {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl DeviceScalar for $t {
            const NAME: &'static str = $name;
        }
    )*};
}

scalars! {
    u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64", usize => "usize",
    i8 => "i8", i16 => "i16", i32 => "i32", i64 => "i64", isize => "isize",
    f32 => "f32", f64 => "f64", half::f16 => "f16", half::bf16 => "bf16",
}

macro_rules! vectors {
    ($($t:ty => $n2:literal, $n4:literal);* $(;)?) => {$(
        impl sealed::Sealed for [$t; 2] {}
        impl DeviceScalar for [$t; 2] {
            const NAME: &'static str = $n2;
        }
        impl sealed::Sealed for [$t; 4] {}
        impl DeviceScalar for [$t; 4] {
            const NAME: &'static str = $n4;
        }
    )*};
}

vectors! {
    u8 => "[u8; 2]", "[u8; 4]";
    u16 => "[u16; 2]", "[u16; 4]";
    u32 => "[u32; 2]", "[u32; 4]";
    i8 => "[i8; 2]", "[i8; 4]";
    i16 => "[i16; 2]", "[i16; 4]";
    i32 => "[i32; 2]", "[i32; 4]";
    f32 => "[f32; 2]", "[f32; 4]";
    half::f16 => "[f16; 2]", "[f16; 4]";
    half::bf16 => "[bf16; 2]", "[bf16; 4]";
}

// 64-bit lanes: two make the 16 bytes of one vector access.
macro_rules! vectors2 {
    ($($t:ty => $n2:literal);* $(;)?) => {$(
        impl sealed::Sealed for [$t; 2] {}
        impl DeviceScalar for [$t; 2] {
            const NAME: &'static str = $n2;
        }
    )*};
}

vectors2! {
    u64 => "[u64; 2]";
    i64 => "[i64; 2]";
    f64 => "[f64; 2]";
}

/// The bytes of a slice of device scalars.
pub(crate) fn as_bytes<T: DeviceScalar>(data: &[T]) -> &[u8] {
    // SAFETY: `T` is one of the padding-free POD types listed above (the trait is sealed).
    unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), std::mem::size_of_val(data)) }
}

/// The bytes of a mutable slice of device scalars.
pub(crate) fn as_bytes_mut<T: DeviceScalar>(data: &mut [T]) -> &mut [u8] {
    // SAFETY: as in `as_bytes`; besides, every bit pattern is a valid `T`, so any bytes may be written.
    unsafe { std::slice::from_raw_parts_mut(data.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(data)) }
}

/// A vector of `n` zero values.
pub(crate) fn zeroed_vec<T: DeviceScalar>(n: usize) -> Vec<T> {
    let mut v = Vec::<T>::with_capacity(n);
    // SAFETY: all-zero bytes are a valid value of every `DeviceScalar`; the capacity is `n`.
    unsafe {
        std::ptr::write_bytes(v.as_mut_ptr(), 0, n);
        v.set_len(n);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bytes() {
        assert_eq!(<f32 as DeviceScalar>::NAME, "f32");
        assert_eq!(<[half::bf16; 4] as DeviceScalar>::NAME, "[bf16; 4]");
        assert_eq!(as_bytes(&[1u32, 2]), &[1u32.to_ne_bytes(), 2u32.to_ne_bytes()].concat()[..]);
        let mut v = [0u16; 2];
        as_bytes_mut(&mut v).copy_from_slice(&[0xff; 4]);
        assert_eq!(v, [0xffff; 2]);
        let z: Vec<[f32; 4]> = zeroed_vec(3);
        assert_eq!(z, vec![[0.0; 4]; 3]);
    }
}
