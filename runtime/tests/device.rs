//! Device selection and properties; runs everywhere (no GPU needed).

mod common;

use ptx_kernel_runtime::{cuda_driver_present, Device, DeviceSpec, Error};

#[test]
fn parses_device_specs() {
    assert_eq!(DeviceSpec::parse("cuda").unwrap(), DeviceSpec::Cuda(0));
    assert_eq!(DeviceSpec::parse("cuda:0").unwrap(), DeviceSpec::Cuda(0));
    assert_eq!(DeviceSpec::parse("cuda:12").unwrap(), DeviceSpec::Cuda(12));
    assert_eq!(DeviceSpec::parse(" CUDA:1 ").unwrap(), DeviceSpec::Cuda(1));
    assert_eq!(DeviceSpec::parse("emu").unwrap(), DeviceSpec::Emulator);
    assert_eq!("emu".parse::<DeviceSpec>().unwrap(), DeviceSpec::Emulator);
    for bad in ["", "gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:+1", "cuda1", "cuda:1:2", "emulator", "cpu", "cuda: 1"] {
        match DeviceSpec::parse(bad) {
            Err(Error::InvalidDeviceSpec(v)) => assert_eq!(v, bad),
            other => panic!("{bad:?} parsed as {other:?}"),
        }
    }
}

#[test]
fn invalid_spec_message_names_value_and_forms() {
    let msg = DeviceSpec::parse("gpu0").unwrap_err().to_string();
    for part in ["\"gpu0\"", "`cuda`", "`cuda:N`", "`emu`"] {
        assert!(msg.contains(part), "{msg:?} lacks {part}");
    }
}

#[test]
fn env_value_unset_or_empty_means_automatic() {
    assert_eq!(DeviceSpec::from_env_value(None).unwrap(), None);
    assert_eq!(DeviceSpec::from_env_value(Some("")).unwrap(), None);
    assert_eq!(DeviceSpec::from_env_value(Some("  ")).unwrap(), None);
    assert_eq!(DeviceSpec::from_env_value(Some("cuda:2")).unwrap(), Some(DeviceSpec::Cuda(2)));
    assert!(matches!(DeviceSpec::from_env_value(Some("nope")), Err(Error::InvalidDeviceSpec(_))));
    assert_eq!(DeviceSpec::Cuda(3).to_string(), "cuda:3");
    assert_eq!(DeviceSpec::Emulator.to_string(), "emu");
}

#[test]
fn cuda_without_driver_is_an_error_not_a_panic() {
    let r = Device::cuda(0);
    if !cuda_driver_present() {
        match r {
            Err(Error::NoDevice { reason }) => assert!(reason.contains("libcuda"), "{reason}"),
            other => panic!("expected NoDevice, got {other:?}"),
        }
    } else {
        eprintln!("note: libcuda is present here; Device::cuda(0) gave {r:?}");
    }
    // An ordinal past any machine's last device is always an error (NoDevice or a driver error), never a panic.
    assert!(Device::cuda(4096).is_err());
}

#[test]
fn automatic_selection_falls_back_to_emulator() {
    let dev = Device::from_spec(None).unwrap();
    if Device::cuda(0).is_err() {
        assert!(dev.is_emulator());
    } else {
        assert!(!dev.is_emulator());
    }
    assert!(Device::from_spec(Some(DeviceSpec::Emulator)).unwrap().is_emulator());
}

#[test]
fn from_env_follows_the_variable() {
    // Reads the real environment without changing it (tests run in parallel).
    let dev = Device::from_env();
    match std::env::var("PTX_KERNEL_DEVICE").ok().filter(|v| !v.trim().is_empty()) {
        None => assert!(dev.is_ok(), "automatic selection never fails: {dev:?}"),
        Some(v) => match DeviceSpec::parse(&v) {
            Ok(spec) => assert_eq!(dev.is_ok(), Device::from_spec(Some(spec)).is_ok()),
            Err(_) => assert!(matches!(dev, Err(Error::InvalidDeviceSpec(_)))),
        },
    }
}

#[test]
fn emulator_properties() {
    let dev = Device::emulator();
    assert!(dev.is_emulator());
    assert_eq!(dev.compute_capability(), (9, 0));
    assert_eq!(dev.sm_version(), 90);
    assert_eq!(dev.ordinal(), 0);
    assert!(dev.sm_count() >= 1);
    assert!(dev.name().contains("emulator"));
    assert_eq!(dev.limits().max_threads_per_block, 1024);
    dev.synchronize().unwrap();
    let clone = dev.clone();
    assert_eq!(clone, dev);
    assert_ne!(Device::emulator(), dev, "every emulator is its own device");
    assert!(format!("{dev:?}").contains("emulator"));
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Device>();
}

#[test]
fn streams_on_the_emulator_are_synchronous() {
    let dev = Device::emulator();
    let s = dev.new_stream().unwrap();
    assert_eq!(s.device(), &dev);
    s.synchronize().unwrap();
}
