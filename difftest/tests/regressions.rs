//! Mismatches the differential tester found, reduced, each kept as a kernel and its host twin built from the same
//! tokens (so a panic's `file:line:col` must be the same on both), run on `Device::from_env()` (the emulator here,
//! the GPU with `PTX_KERNEL_DEVICE=cuda`) and compared with the host.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ptx_kernel::prelude::*;

/// `twin!(name, host_name, i, (params) { body })`: the kernel `name`, where `i` is the global thread index, and the
/// plain function `host_name(i, params)` whose body is the same tokens.
macro_rules! twin {
    ($name:ident, $host:ident, $i:ident, ($($p:ident: $t:ty),*) $body:block) => {
        #[ptx_kernel]
        #[allow(clippy::all, unused_parens)]
        pub fn $name($($p: $t),*) {
            let $i = gpu::global_idx_x() as usize;
            $body
        }

        #[allow(clippy::all, unused_parens, arithmetic_overflow, unconditional_panic)]
        pub fn $host($i: usize, $($p: $t),*) $body
    };
}

// The five lines: the driver's JIT for sm_90 (CUDA 13.0) fused `max.s16` and `setp.eq.s16 …, 0` into one
// VIMNMX.S16x2 whose predicate is not "result is zero", so every thread took the division-by-zero path. Values
// of 8 and 16 bits are now computed in 32-bit registers.
twin!(max_then_divide, max_then_divide_host, i, (x: &[i32], out: &mut [i32]) {
    if i < out.len() {
        let mut c: i16 = 0;
        while c < (i16::MIN % 8) {
            c += 1;
        }
        let v = i16::MAX / c.max(1);
        out[i] = v as i32 + x[i];
    }
});

// The same shape for every narrow type, with the loop's exit value and the minimum/maximum against immediates.
twin!(narrow_min_max_compare, narrow_min_max_compare_host, i, (x: &[i32], out: &mut [i32]) {
    if 4 * i + 3 < out.len() {
        let mut a: i8 = 0;
        while a < (i8::MIN % 4) {
            a += 1;
        }
        let mut b: u8 = 0;
        while b < (u8::MAX % 5) {
            b += 1;
        }
        let mut c: u16 = 0;
        while c < (u16::MAX % 2) {
            c += 1;
        }
        let d = (x[i] as i16).min(-3).max(i16::MIN + 1);
        out[4 * i] = (i8::MAX / a.max(1)) as i32 + x[i];
        out[4 * i + 1] = (u8::MAX / b.min(7).max(1)) as i32;
        out[4 * i + 2] = (u16::MAX / c.max(3)) as i32;
        out[4 * i + 3] = if d.min(0) == 0 { 1 } else { (i16::MAX / d) as i32 };
    }
});

// A panic inside parentheses: rustc reports it at the opening parenthesis, and so must the kernel.
twin!(panic_in_parens, panic_in_parens_host, i, (x: &[u32], y: &[u32], out: &mut [u32]) {
    if i < out.len() {
        out[i] = ((x[i] / y[i]) + 1);
    }
});

// `x.abs() % 127` with `x == i32::MIN`: Rust's wrapping `abs` gives MIN and the remainder -8; the JIT (ptxas 13.0
// and 13.5) treats `abs.s32` as never negative and used an unsigned remainder (8). `abs` is now `x * (x >> 31 | 1)`.
twin!(abs_then_rem, abs_then_rem_host, i, (x: &[i32], y: &[i64], out: &mut [i64]) {
    if 3 * i + 2 < out.len() && i < x.len() && i < y.len() {
        out[3 * i] = (x[i].abs() % 127) as i64;
        out[3 * i + 1] = (x[i].abs() / 3) as i64 + if x[i].abs() < 0 { 1 } else { 0 };
        out[3 * i + 2] = y[i].abs() % 1000;
    }
});

// `!v` of a `u8` on the path where `v == 0`: ptxas 13.0 folded `not.b32` + `and.b32 0xFF` to 0 there instead of
// 0xFF. The complement of an unsigned narrow value is now one `xor` with its mask.
twin!(not_where_zero, not_where_zero_host, i, (x: &[u8], y: &[u16], out: &mut [u64]) {
    if 2 * i + 1 < out.len() && i < x.len() && i < y.len() {
        let v = x[i];
        let w = y[i];
        out[2 * i] = (if v != 0u8 { (!v) / v } else { !v }) as u64;
        out[2 * i + 1] = (if w != 0u16 { (!w) % w } else { !w }) as u64;
    }
});

/// A launch's outputs and its panic (`None` when no thread panicked).
fn device_run<T: DeviceScalar + Default>(
    dev: &Device,
    launch: impl FnOnce(&Device, LaunchConfig, &mut DeviceBuffer<T>) -> ptx_kernel::Result<()>,
    out_len: usize,
    threads: u32,
) -> (Vec<T>, Option<ptx_kernel::Error>) {
    let mut out = dev.upload(&vec![T::default(); out_len]).expect("upload");
    let cfg = LaunchConfig::for_num_elems(threads);
    let err = launch(dev, cfg, &mut out).and_then(|()| dev.synchronize()).err();
    (out.download().expect("download"), err)
}

fn inputs_i32(n: usize) -> Vec<i32> {
    let mut s = 0x1234_5678_u64;
    (0..n)
        .map(|k| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match k % 5 {
                0 => i32::MIN,
                1 => -1,
                2 => i32::MAX,
                _ => (s >> 33) as i32,
            }
        })
        .collect()
}

#[test]
fn max_then_divide_agrees_with_rustc() {
    let n = 512;
    let x = inputs_i32(n);
    let dev = Device::from_env().expect("a device");
    let dx = dev.upload(&x).expect("upload");
    let (got, err) = device_run(&dev, |d, cfg, o| max_then_divide::launch(d, cfg, &dx, o), n, n as u32);
    assert!(err.is_none(), "the kernel panicked: {err:?}");
    let mut want = vec![0; n];
    for i in 0..n {
        max_then_divide_host(i, &x, &mut want);
    }
    assert_eq!(got, want);
}

#[test]
fn narrow_min_max_compare_agrees_with_rustc() {
    let n = 512;
    let x = inputs_i32(n);
    let dev = Device::from_env().expect("a device");
    let dx = dev.upload(&x).expect("upload");
    let (got, err) = device_run(&dev, |d, cfg, o| narrow_min_max_compare::launch(d, cfg, &dx, o), 4 * n, n as u32);
    assert!(err.is_none(), "the kernel panicked: {err:?}");
    let mut want = vec![0; 4 * n];
    for i in 0..n {
        narrow_min_max_compare_host(i, &x, &mut want);
    }
    assert_eq!(got, want);
}

#[test]
fn panic_location_in_parens_is_rustc_s() {
    let n = 256;
    let x: Vec<u32> = (0..n as u32).map(|k| k.wrapping_mul(2654435761)).collect();
    let y: Vec<u32> = (0..n as u32).map(|k| if k == 77 { 0 } else { k % 13 + 1 }).collect();
    let dev = Device::from_env().expect("a device");
    let (dx, dy) = (dev.upload(&x).expect("upload"), dev.upload(&y).expect("upload"));
    let (got, err) = device_run(&dev, |d, cfg, o| panic_in_parens::launch(d, cfg, &dx, &dy, o), n, n as u32);
    let Some(ptx_kernel::Error::KernelPanic { message, location, thread, block, .. }) = err else {
        panic!("expected a kernel panic, got {err:?}");
    };
    assert_eq!((block.0 * 256 + thread.0) as usize, 77);
    // The host twin's panic, caught.
    let mut want = vec![0u32; n];
    static CAUGHT: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        if let Some(l) = info.location() {
            *CAUGHT.lock().unwrap() = Some(format!("{}:{}:{}", l.file(), l.line(), l.column()));
        }
    }));
    for i in 0..n {
        let r = catch_unwind(AssertUnwindSafe(|| panic_in_parens_host(i, &x, &y, &mut want)));
        assert_eq!(r.is_err(), i == 77, "thread {i}");
    }
    std::panic::set_hook(hook);
    let host_location = CAUGHT.lock().unwrap().clone().expect("the host panicked");
    assert_eq!(message, "attempt to divide by zero");
    assert_eq!(location, host_location);
    // Every other thread's result, and the panicking thread's untouched slot.
    assert_eq!(got, want);
}

#[test]
fn abs_then_rem_agrees_with_rustc() {
    let n = 512;
    let x = inputs_i32(n);
    let y: Vec<i64> = x.iter().enumerate().map(|(k, &v)| if k % 7 == 0 { i64::MIN } else { v as i64 * 977 }).collect();
    let dev = Device::from_env().expect("a device");
    let (dx, dy) = (dev.upload(&x).expect("upload"), dev.upload(&y).expect("upload"));
    let (got, err) = device_run(&dev, |d, cfg, o| abs_then_rem::launch(d, cfg, &dx, &dy, o), 3 * n, n as u32);
    assert!(err.is_none(), "the kernel panicked: {err:?}");
    let mut want = vec![0; 3 * n];
    for i in 0..n {
        abs_then_rem_host(i, &x, &y, &mut want);
    }
    assert!(want.contains(&-8), "the inputs must hold i32::MIN");
    assert_eq!(got, want);
}

#[test]
fn not_where_zero_agrees_with_rustc() {
    let n = 512;
    let x: Vec<u8> = (0..n).map(|k| if k % 3 == 0 { 0 } else { (k * 37) as u8 }).collect();
    let y: Vec<u16> = (0..n).map(|k| if k % 4 == 1 { 0 } else { (k * 4099) as u16 }).collect();
    let dev = Device::from_env().expect("a device");
    let (dx, dy) = (dev.upload(&x).expect("upload"), dev.upload(&y).expect("upload"));
    let (got, err) = device_run(&dev, |d, cfg, o| not_where_zero::launch(d, cfg, &dx, &dy, o), 2 * n, n as u32);
    assert!(err.is_none(), "the kernel panicked: {err:?}");
    let mut want = vec![0; 2 * n];
    for i in 0..n {
        not_where_zero_host(i, &x, &y, &mut want);
    }
    assert_eq!(got, want);
}
