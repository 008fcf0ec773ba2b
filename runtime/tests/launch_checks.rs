//! Launch validation that runs without a GPU (limits, target, arguments), on the emulator.

use ptx_kernel_runtime::{Device, DeviceLimits, Error, KernelModule, LaunchConfig};

const PTX: &str = "
.version 7.0
.target sm_52
.address_size 64
.visible .entry scale(.param .f32 a, .param .u64 x, .param .u64 n)
{
\tret;
}
";

static SCALE: KernelModule = KernelModule::new(PTX, "scale", 52);
static SCALE_SM100: KernelModule = KernelModule::new(PTX, "scale", 100);

fn cfg(grid: (u32, u32, u32), block: (u32, u32, u32), smem: u32) -> LaunchConfig {
    LaunchConfig { grid_dim: grid, block_dim: block, shared_mem_bytes: smem }
}

#[test]
fn limits_are_checked() {
    let l = DeviceLimits::EMULATOR;
    l.validate(&cfg((1, 1, 1), (1, 1, 1), 0)).unwrap();
    l.validate(&cfg((i32::MAX as u32, 65535, 65535), (1024, 1, 1), 227 * 1024)).unwrap();
    l.validate(&cfg((1, 1, 1), (16, 16, 4), 0)).unwrap();

    let invalid = |c: LaunchConfig| match l.validate(&c) {
        Err(Error::InvalidLaunch { limit, requested, max }) => (limit, requested, max),
        other => panic!("{c:?} gave {other:?}"),
    };
    assert_eq!(invalid(cfg((1, 1, 1), (2048, 1, 1), 0)), ("block dimension x", 2048, 1024));
    assert_eq!(invalid(cfg((1, 1, 1), (1, 1, 65), 0)), ("block dimension z", 65, 64));
    assert_eq!(invalid(cfg((1, 1, 1), (32, 32, 2), 0)), ("threads per block", 2048, 1024));
    assert_eq!(invalid(cfg((1, 65536, 1), (1, 1, 1), 0)), ("grid dimension y", 65536, 65535));
    assert_eq!(invalid(cfg((1, 1, 65536), (1, 1, 1), 0)), ("grid dimension z", 65536, 65535));
    assert_eq!(invalid(cfg((1 << 31, 1, 1), (1, 1, 1), 0)), ("grid dimension x", 1 << 31, (1 << 31) - 1));
    assert_eq!(
        invalid(cfg((1, 1, 1), (1, 1, 1), 227 * 1024 + 1)),
        ("dynamic shared memory bytes per block", 227 * 1024 + 1, 227 * 1024)
    );

    for (c, dim) in [
        (cfg((0, 1, 1), (1, 1, 1), 0), "grid dimension x"),
        (cfg((1, 0, 1), (1, 1, 1), 0), "grid dimension y"),
        (cfg((1, 1, 0), (1, 1, 1), 0), "grid dimension z"),
        (cfg((1, 1, 1), (0, 1, 1), 0), "block dimension x"),
        (cfg((1, 1, 1), (1, 0, 1), 0), "block dimension y"),
        (cfg((1, 1, 1), (1, 1, 0), 0), "block dimension z"),
    ] {
        match l.validate(&c) {
            Err(Error::EmptyLaunch { dim: d }) => assert_eq!(d, dim),
            other => panic!("{c:?} gave {other:?}"),
        }
    }
}

#[test]
fn messages_name_the_limit() {
    let e = DeviceLimits::EMULATOR.validate(&cfg((1, 1, 1), (32, 32, 2), 0)).unwrap_err().to_string();
    assert!(e.contains("threads per block") && e.contains("2048") && e.contains("1024"), "{e}");
    let e = DeviceLimits::EMULATOR.validate(&cfg((1, 1, 1), (1, 0, 1), 0)).unwrap_err().to_string();
    assert!(e.contains("block dimension y"), "{e}");
}

#[test]
fn launch_rejects_bad_configs_before_loading() {
    let dev = Device::emulator();
    let x = dev.alloc_zeros::<f32>(8).unwrap();
    let args: [&[u8]; 3] = [&2f32.to_ne_bytes(), &x.device_ptr().to_ne_bytes(), &8u64.to_ne_bytes()];
    let e = SCALE.launch(&dev, cfg((1, 1, 1), (2048, 1, 1), 0), &args).unwrap_err();
    assert!(matches!(e, Error::InvalidLaunch { limit: "block dimension x", requested: 2048, max: 1024 }), "{e:?}");
    let e = SCALE.launch(&dev, cfg((0, 1, 1), (32, 1, 1), 0), &args).unwrap_err();
    assert!(matches!(e, Error::EmptyLaunch { dim: "grid dimension x" }), "{e:?}");
    let stream = dev.new_stream().unwrap();
    let e = SCALE.launch_on(&stream, cfg((1, 1, 1), (32, 32, 2), 0), &args).unwrap_err();
    assert!(matches!(e, Error::InvalidLaunch { limit: "threads per block", .. }), "{e:?}");
}

#[test]
fn newer_target_than_device_is_rejected() {
    let dev = Device::emulator();
    let e = SCALE_SM100.launch(&dev, LaunchConfig::for_num_elems(8), &[]).unwrap_err();
    match &e {
        Error::UnsupportedTarget { kernel, target_sm: 100, device_sm: 90 } => assert_eq!(kernel, "scale"),
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(msg.contains("sm_100") && msg.contains("9.0") && msg.contains("scale"), "{msg}");
    assert!(matches!(SCALE_SM100.preload(&dev), Err(Error::UnsupportedTarget { .. })));
}

#[test]
fn module_accessors() {
    assert_eq!(SCALE.entry(), "scale");
    assert_eq!(SCALE.target_sm(), 52);
    assert!(SCALE.ptx().contains(".entry scale"));
}

#[test]
fn error_messages_are_sentences() {
    let e = Error::Driver {
        call: "cuLaunchKernel",
        name: "CUDA_ERROR_INVALID_VALUE".into(),
        message: "invalid argument".into(),
    };
    let m = e.to_string();
    assert!(m.contains("cuLaunchKernel") && m.contains("CUDA_ERROR_INVALID_VALUE") && m.contains("invalid argument"));
    let m = Error::ModuleLoad { entry: "k".into(), log: "ptxas fatal".into() }.to_string();
    assert!(m.contains("`k`") && m.contains("ptxas fatal"));
    let m = Error::KernelPanic {
        kernel: "k".into(),
        message: "index out of bounds: the len is 1000 but the index is 1024".into(),
        location: "examples/foo.rs:12:9".into(),
        block: (3, 0, 0),
        thread: (7, 0, 0),
    }
    .to_string();
    assert_eq!(
        m,
        "index out of bounds: the len is 1000 but the index is 1024 at examples/foo.rs:12:9 (block (3,0,0), thread (7,0,0))"
    );
}
