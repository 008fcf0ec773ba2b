//! Device buffers on the emulator (and on CUDA device 0 when there is one).

mod common;

use common::{cuda_device, Lcg};
use half::{bf16, f16};
use ptx_kernel_runtime::{Device, DeviceBuffer, DeviceScalar, Error};

fn devices(test: &str) -> Vec<Device> {
    let mut v = vec![Device::emulator()];
    v.extend(cuda_device(test));
    v
}

fn round_trip<T: DeviceScalar + PartialEq + std::fmt::Debug>(dev: &Device, data: &[T]) {
    let buf = dev.upload(data).unwrap();
    assert_eq!(buf.len(), data.len());
    assert_eq!(buf.is_empty(), data.is_empty());
    assert_eq!(buf.size_bytes(), std::mem::size_of_val(data));
    if !data.is_empty() {
        assert_ne!(buf.device_ptr(), 0);
        assert_eq!(buf.device_ptr() % 256, 0, "allocations are 256-byte aligned");
    }
    assert_eq!(buf.download().unwrap(), data, "{} on {dev}", T::NAME);
}

/// `T` from random bytes (every bit pattern is valid for these types; compare bitwise via the bytes).
fn random<T: DeviceScalar>(rng: &mut Lcg, n: usize) -> Vec<T> {
    let bytes = rng.bytes(n * std::mem::size_of::<T>());
    (0..n)
        .map(|i| unsafe { std::ptr::read_unaligned(bytes.as_ptr().add(i * std::mem::size_of::<T>()).cast()) })
        .collect()
}

#[test]
fn round_trips_every_element_type() {
    for dev in devices("round_trips_every_element_type") {
        let mut rng = Lcg(7);
        for n in [0usize, 1, 3, 255, 256, 257, 10_000] {
            round_trip(&dev, &random::<u8>(&mut rng, n));
            round_trip(&dev, &random::<u16>(&mut rng, n));
            round_trip(&dev, &random::<u32>(&mut rng, n));
            round_trip(&dev, &random::<u64>(&mut rng, n));
            round_trip(&dev, &random::<usize>(&mut rng, n));
            round_trip(&dev, &random::<i8>(&mut rng, n));
            round_trip(&dev, &random::<i16>(&mut rng, n));
            round_trip(&dev, &random::<i32>(&mut rng, n));
            round_trip(&dev, &random::<i64>(&mut rng, n));
            round_trip(&dev, &random::<isize>(&mut rng, n));
            round_trip(&dev, &random::<[u8; 4]>(&mut rng, n));
            round_trip(&dev, &random::<[i16; 2]>(&mut rng, n));
            round_trip(&dev, &random::<[u32; 4]>(&mut rng, n));
            // Floats: random finite values (NaN != NaN would defeat the comparison).
            let f: Vec<f32> = (0..n).map(|_| rng.next_f32() * 1e6).collect();
            round_trip(&dev, &f);
            round_trip(&dev, &f.iter().map(|&x| x as f64 / 3.0).collect::<Vec<_>>());
            round_trip(&dev, &f.iter().map(|&x| f16::from_f32(x / 1e3)).collect::<Vec<_>>());
            round_trip(&dev, &f.iter().map(|&x| bf16::from_f32(x)).collect::<Vec<_>>());
            round_trip(&dev, &f.iter().map(|&x| [x, -x, x * 2.0, 0.5]).collect::<Vec<_>>());
            round_trip(&dev, &f.iter().map(|&x| [f16::from_f32(x / 1e3); 2]).collect::<Vec<_>>());
        }
    }
}

#[test]
fn alloc_zeros_is_zero() {
    for dev in devices("alloc_zeros_is_zero") {
        for n in [0usize, 1, 1000, 65_537] {
            assert_eq!(dev.alloc_zeros::<u32>(n).unwrap().download().unwrap(), vec![0; n]);
            assert_eq!(dev.alloc_zeros::<[f32; 4]>(n).unwrap().download().unwrap(), vec![[0.0; 4]; n]);
        }
    }
}

#[test]
fn empty_buffers_work() {
    for dev in devices("empty_buffers_work") {
        let mut b: DeviceBuffer<f32> = dev.alloc_zeros(0).unwrap();
        assert!(b.is_empty());
        assert_eq!(b.device_ptr(), 0);
        assert_eq!(b.download().unwrap(), Vec::<f32>::new());
        b.copy_from(&[]).unwrap();
        let c = b.try_clone().unwrap();
        b.copy_from_buffer(&c).unwrap();
        assert!(matches!(b.copy_from(&[1.0]), Err(Error::LengthMismatch { expected: 0, got: 1 })));
    }
}

#[test]
fn copy_from_overwrites_and_checks_length() {
    for dev in devices("copy_from_overwrites_and_checks_length") {
        let mut rng = Lcg(11);
        let mut buf = dev.upload(&random::<u64>(&mut rng, 1000)).unwrap();
        let new = random::<u64>(&mut rng, 1000);
        buf.copy_from(&new).unwrap();
        assert_eq!(buf.download().unwrap(), new);
        let err = buf.copy_from(&new[..999]).unwrap_err();
        assert!(matches!(err, Error::LengthMismatch { expected: 1000, got: 999 }), "{err:?}");
        assert!(err.to_string().contains("1000") && err.to_string().contains("999"));
        let mut out = vec![0u64; 10];
        assert!(matches!(buf.download_into(&mut out), Err(Error::LengthMismatch { expected: 1000, got: 10 })));
        let mut out = vec![0u64; 1000];
        buf.download_into(&mut out).unwrap();
        assert_eq!(out, new);
    }
}

#[test]
fn device_to_device_copies() {
    for dev in devices("device_to_device_copies") {
        let mut rng = Lcg(3);
        let data = random::<i32>(&mut rng, 4097);
        let a = dev.upload(&data).unwrap();
        let b = a.try_clone().unwrap();
        assert_ne!(a.device_ptr(), b.device_ptr());
        assert_eq!(b.download().unwrap(), data);
        let mut c = dev.alloc_zeros::<i32>(4097).unwrap();
        c.copy_from_buffer(&a).unwrap();
        assert_eq!(c.download().unwrap(), data);
        let short = dev.alloc_zeros::<i32>(5).unwrap();
        assert!(matches!(c.copy_from_buffer(&short), Err(Error::LengthMismatch { expected: 4097, got: 5 })));
    }
}

#[test]
fn buffers_know_their_device() {
    let a = Device::emulator();
    let b = Device::emulator();
    let buf = a.upload(&[1u8, 2, 3]).unwrap();
    assert_eq!(buf.device(), &a);
    buf.check_device(&a).unwrap();
    assert_eq!(buf.kernel_arg(&a).unwrap(), buf.device_ptr().to_ne_bytes());
    assert!(matches!(buf.kernel_arg(&b), Err(Error::WrongDevice { .. })));
    let err = buf.check_device(&b).unwrap_err();
    assert!(matches!(err, Error::WrongDevice { .. }), "{err:?}");
    assert!(err.to_string().contains("emulator"), "{err}");
    let mut other = b.alloc_zeros::<u8>(3).unwrap();
    assert!(matches!(other.copy_from_buffer(&buf), Err(Error::WrongDevice { .. })));
    assert!(format!("{buf:?}").contains("DeviceBuffer<u8>[3]"));
}

#[test]
fn many_buffers_free_on_drop() {
    let dev = Device::emulator();
    for i in 0..2000usize {
        let b = dev.upload(&vec![i as u32; 1 + i % 64]).unwrap();
        assert_eq!(b.download().unwrap()[0], i as u32);
    }
}

#[test]
fn buffers_are_send_and_sync_and_outlive_their_handle() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<DeviceBuffer<f32>>();
    let buf = {
        let dev = Device::emulator();
        dev.upload(&[9u16; 17]).unwrap()
    };
    assert_eq!(std::thread::spawn(move || buf.download().unwrap()).join().unwrap(), vec![9u16; 17]);
}

#[test]
fn absurd_lengths_are_errors() {
    let dev = Device::emulator();
    assert!(matches!(dev.alloc_zeros::<u64>(usize::MAX / 2), Err(Error::AllocationTooLarge { elem: "u64", .. })));
}
