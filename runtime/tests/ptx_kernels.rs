//! Hand-written PTX launched through `KernelModule`: on CUDA device 0 when there is one (skipped with a note
//! otherwise; a failure when `PTX_KERNEL_DEVICE=cuda`), and on the CPU emulator.

mod common;

use common::{cuda_device, Lcg};
use ptx_kernel_runtime::{Device, Error, KernelModule, LaunchConfig};

const VADD_PTX: &str = r#"
.version 7.0
.target sm_52
.address_size 64

// c[i] = a[i] + b[i] for i < n
.visible .entry vadd(
	.param .u64 vadd_a,
	.param .u64 vadd_b,
	.param .u64 vadd_c,
	.param .u64 vadd_n
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<4>;
	.reg .f32 	%f<4>;
	.reg .b64 	%rd<12>;

	ld.param.u64 	%rd1, [vadd_a];
	ld.param.u64 	%rd2, [vadd_b];
	ld.param.u64 	%rd3, [vadd_c];
	ld.param.u64 	%rd4, [vadd_n];
	mov.u32 	%r1, %ctaid.x;
	mov.u32 	%r2, %ntid.x;
	mov.u32 	%r3, %tid.x;
	mul.wide.u32 	%rd5, %r1, %r2;
	cvt.u64.u32 	%rd6, %r3;
	add.s64 	%rd5, %rd5, %rd6;
	setp.ge.u64 	%p1, %rd5, %rd4;
	@%p1 bra 	DONE;
	shl.b64 	%rd7, %rd5, 2;
	cvta.to.global.u64 	%rd8, %rd1;
	add.s64 	%rd8, %rd8, %rd7;
	cvta.to.global.u64 	%rd9, %rd2;
	add.s64 	%rd9, %rd9, %rd7;
	cvta.to.global.u64 	%rd10, %rd3;
	add.s64 	%rd10, %rd10, %rd7;
	ld.global.f32 	%f1, [%rd8];
	ld.global.f32 	%f2, [%rd9];
	add.rn.f32 	%f3, %f1, %f2;
	st.global.f32 	[%rd10], %f3;
DONE:
	ret;
}
"#;

/// Fills `words` u32 of dynamic shared memory with `i * 3 + 1`, then writes them reversed to `out`.
const SMEM_PTX: &str = r#"
.version 7.0
.target sm_52
.address_size 64
.extern .shared .align 16 .b8 smem[];

.visible .entry smem_reverse(
	.param .u64 smem_reverse_out,
	.param .u32 smem_reverse_words
)
{
	.reg .pred 	%p<3>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<8>;

	ld.param.u64 	%rd1, [smem_reverse_out];
	cvta.to.global.u64 	%rd1, %rd1;
	ld.param.u32 	%r1, [smem_reverse_words];
	mov.u32 	%r2, %tid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u64 	%rd4, smem;
	mov.u32 	%r5, %r2;
FILL:
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	FILLED;
	mul.lo.s32 	%r6, %r5, 3;
	add.s32 	%r6, %r6, 1;
	mul.wide.u32 	%rd5, %r5, 4;
	add.s64 	%rd5, %rd5, %rd4;
	st.shared.u32 	[%rd5], %r6;
	add.s32 	%r5, %r5, %r3;
	bra.uni 	FILL;
FILLED:
	bar.sync 	0;
	mov.u32 	%r5, %r2;
COPY:
	setp.ge.u32 	%p2, %r5, %r1;
	@%p2 bra 	DONE;
	sub.s32 	%r8, %r1, 1;
	sub.s32 	%r8, %r8, %r5;
	mul.wide.u32 	%rd6, %r8, 4;
	add.s64 	%rd6, %rd6, %rd4;
	ld.shared.u32 	%r10, [%rd6];
	mul.wide.u32 	%rd2, %r5, 4;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u32 	[%rd3], %r10;
	add.s32 	%r5, %r5, %r3;
	bra.uni 	COPY;
DONE:
	ret;
}
"#;

/// Declares 40000 bytes of static shared memory; thread t stores 4t there, reads it back and writes it to out[t].
const STATIC_SMEM_PTX: &str = r#"
.version 7.0
.target sm_52
.address_size 64

.visible .entry static_smem(.param .u64 static_smem_out)
{
	.reg .b32 	%r<4>;
	.reg .b64 	%rd<5>;
	.shared .align 4 .b8 stat[40000];

	ld.param.u64 	%rd1, [static_smem_out];
	cvta.to.global.u64 	%rd1, %rd1;
	mov.u32 	%r1, %tid.x;
	shl.b32 	%r1, %r1, 2;
	cvt.u64.u32 	%rd2, %r1;
	mov.u64 	%rd4, stat;
	add.s64 	%rd4, %rd4, %rd2;
	st.shared.u32 	[%rd4], %r1;
	bar.sync 	0;
	ld.shared.u32 	%r3, [%rd4];
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u32 	[%rd3], %r3;
	ret;
}
"#;

/// Not valid PTX: an instruction with a missing operand and an undeclared register.
const BROKEN_PTX: &str = r#"
.version 7.0
.target sm_52
.address_size 64

.visible .entry broken(.param .u64 broken_p)
{
	.reg .f32 	%f<3>;
	add.rn.f32 	%f1, %f2;
	mov.u32 	%nosuch, 1;
	ret;
}
"#;

static VADD: KernelModule = KernelModule::new(VADD_PTX, "vadd", 52);
static VADD_MISSING_ENTRY: KernelModule = KernelModule::new(VADD_PTX, "no_such_entry", 52);
static SMEM_REVERSE: KernelModule = KernelModule::new(SMEM_PTX, "smem_reverse", 52);
static STATIC_SMEM: KernelModule = KernelModule::new(STATIC_SMEM_PTX, "static_smem", 52);
static BROKEN: KernelModule = KernelModule::new(BROKEN_PTX, "broken", 52);
static PROBE: KernelModule = KernelModule::new(
    ".version 7.0\n.target sm_52\n.address_size 64\n.visible .entry probe()\n{\n\tret;\n}\n",
    "probe",
    52,
);

/// The devices to run on: CUDA device 0 if present, and the emulator.
fn devices(test: &str) -> Vec<Device> {
    let mut v: Vec<Device> = cuda_device(test).into_iter().collect();
    v.push(Device::emulator());
    v
}

fn vadd(
    dev: &Device,
    a: &ptx_kernel_runtime::DeviceBuffer<f32>,
    b: &ptx_kernel_runtime::DeviceBuffer<f32>,
    c: &mut ptx_kernel_runtime::DeviceBuffer<f32>,
) -> ptx_kernel_runtime::Result<()> {
    for buf in [a, b, &*c] {
        buf.check_device(dev)?;
    }
    let n = c.len() as u64;
    VADD.launch(
        dev,
        LaunchConfig::for_num_elems(n as u32),
        &[
            &a.device_ptr().to_ne_bytes(),
            &b.device_ptr().to_ne_bytes(),
            &c.device_ptr().to_ne_bytes(),
            &n.to_ne_bytes(),
        ],
    )
}

#[test]
fn vector_add_matches_cpu() {
    for dev in devices("vector_add_matches_cpu") {
        let mut rng = Lcg(42);
        for n in [1usize, 255, 256, 257, 100_000, 1 << 20] {
            let x: Vec<f32> = (0..n).map(|_| rng.next_f32() * 1000.0).collect();
            let y: Vec<f32> = (0..n).map(|_| rng.next_f32()).collect();
            let a = dev.upload(&x).unwrap();
            let b = dev.upload(&y).unwrap();
            let mut c = dev.alloc_zeros::<f32>(n).unwrap();
            vadd(&dev, &a, &b, &mut c).unwrap();
            let got = c.download().unwrap();
            for i in 0..n {
                assert_eq!(got[i].to_bits(), (x[i] + y[i]).to_bits(), "element {i} of {n} on {dev}");
            }
        }
        println!("{dev}: JIT info log: {:?}", VADD.jit_info_log(&dev).unwrap());
    }
}

#[test]
fn repeated_and_streamed_launches() {
    for dev in devices("repeated_and_streamed_launches") {
        let n = 4096;
        let a = dev.upload(&vec![1.0f32; n]).unwrap();
        let mut acc = dev.alloc_zeros::<f32>(n).unwrap();
        let mut tmp = dev.alloc_zeros::<f32>(n).unwrap();
        for _ in 0..100 {
            vadd(&dev, &a, &acc, &mut tmp).unwrap();
            std::mem::swap(&mut acc, &mut tmp);
        }
        assert_eq!(acc.download().unwrap(), vec![100.0; n]);

        let s1 = dev.new_stream().unwrap();
        let s2 = dev.new_stream().unwrap();
        let c1 = dev.alloc_zeros::<f32>(n).unwrap();
        let c2 = dev.alloc_zeros::<f32>(n).unwrap();
        let nn = (n as u64).to_ne_bytes();
        for (s, c) in [(&s1, &c1), (&s2, &c2)] {
            let args: [&[u8]; 4] =
                [&a.device_ptr().to_ne_bytes(), &acc.device_ptr().to_ne_bytes(), &c.device_ptr().to_ne_bytes(), &nn];
            VADD.launch_on(s, LaunchConfig::for_num_elems(n as u32), &args).unwrap();
        }
        s1.synchronize().unwrap();
        s2.synchronize().unwrap();
        assert_eq!(c1.download().unwrap(), vec![101.0; n]);
        assert_eq!(c2.download().unwrap(), vec![101.0; n]);
        dev.synchronize().unwrap();
    }
}

#[test]
fn launches_from_many_threads() {
    for dev in devices("launches_from_many_threads") {
        std::thread::scope(|s| {
            for t in 0..4u32 {
                let dev = dev.clone();
                s.spawn(move || {
                    let n = 10_000 + t as usize;
                    let a = dev.upload(&vec![t as f32; n]).unwrap();
                    let b = dev.upload(&vec![0.5f32; n]).unwrap();
                    let mut c = dev.alloc_zeros::<f32>(n).unwrap();
                    for _ in 0..20 {
                        vadd(&dev, &a, &b, &mut c).unwrap();
                    }
                    assert_eq!(c.download().unwrap(), vec![t as f32 + 0.5; n]);
                });
            }
        });
    }
}

#[test]
fn dynamic_shared_memory_above_48k() {
    for dev in devices("dynamic_shared_memory_above_48k") {
        let limits = *dev.limits();
        for bytes in [1024u32, 48 * 1024, 100 * 1024, limits.max_shared_mem_per_block_optin] {
            let words = bytes / 4;
            let out = dev.alloc_zeros::<u32>(words as usize).unwrap();
            let cfg = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (256, 1, 1), shared_mem_bytes: bytes };
            SMEM_REVERSE.launch(&dev, cfg, &[&out.device_ptr().to_ne_bytes(), &words.to_ne_bytes()]).unwrap();
            let got = out.download().unwrap();
            for (i, &g) in got.iter().enumerate() {
                assert_eq!(g, (words - 1 - i as u32) * 3 + 1, "word {i} with {bytes} bytes of shared memory on {dev}");
            }
        }
        let too_much = limits.max_shared_mem_per_block_optin + 4;
        let out = dev.alloc_zeros::<u32>(1).unwrap();
        let cfg = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (32, 1, 1), shared_mem_bytes: too_much };
        let e = SMEM_REVERSE.launch(&dev, cfg, &[&out.device_ptr().to_ne_bytes(), &1u32.to_ne_bytes()]).unwrap_err();
        assert!(matches!(e, Error::InvalidLaunch { requested, .. } if requested == too_much as u64), "{e:?}");
    }
}

#[test]
fn static_plus_dynamic_shared_memory_is_checked() {
    for dev in devices("static_plus_dynamic_shared_memory_is_checked") {
        let out = dev.alloc_zeros::<u32>(32).unwrap();
        let args: [&[u8]; 1] = [&out.device_ptr().to_ne_bytes()];
        let block = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (32, 1, 1), shared_mem_bytes: 0 };
        STATIC_SMEM.launch(&dev, block, &args).unwrap();
        assert_eq!(out.download().unwrap(), (0..32).map(|t| 4 * t).collect::<Vec<u32>>());
        let dynamic = dev.limits().max_shared_mem_per_block_optin - 1024;
        let e = STATIC_SMEM.launch(&dev, block.with_shared_mem(dynamic), &args).unwrap_err();
        match e {
            Error::InvalidLaunch { limit, requested, .. } => {
                assert!(limit.contains("static + dynamic"), "{limit}");
                assert!(requested >= dynamic as u64 + 40000);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn invalid_configurations_are_typed_errors() {
    for dev in devices("invalid_configurations_are_typed_errors") {
        let n = 64usize;
        let a = dev.upload(&vec![1.0f32; n]).unwrap();
        let nn = (n as u64).to_ne_bytes();
        let p = a.device_ptr().to_ne_bytes();
        let args: [&[u8]; 4] = [&p, &p, &p, &nn];
        let launch = |grid, block| {
            VADD.launch(&dev, LaunchConfig { grid_dim: grid, block_dim: block, shared_mem_bytes: 0 }, &args)
        };
        let e = launch((1, 1, 1), (32, 32, 2)).unwrap_err();
        assert!(matches!(e, Error::InvalidLaunch { limit: "threads per block", requested: 2048, .. }), "{e:?}");
        let e = launch((1, 1, 1), (2048, 1, 1)).unwrap_err();
        assert!(matches!(e, Error::InvalidLaunch { limit: "block dimension x", requested: 2048, .. }), "{e:?}");
        let e = launch((1, 70_000, 1), (32, 1, 1)).unwrap_err();
        assert!(matches!(e, Error::InvalidLaunch { limit: "grid dimension y", requested: 70_000, max: 65535 }));
        let e = launch((0, 1, 1), (32, 1, 1)).unwrap_err();
        assert!(matches!(e, Error::EmptyLaunch { dim: "grid dimension x" }), "{e:?}");
        // The device is still usable afterwards.
        launch((1, 1, 1), (64, 1, 1)).unwrap();
        assert_eq!(a.download().unwrap(), vec![2.0; n]);
    }
}

#[test]
fn target_newer_than_device_is_rejected() {
    for dev in devices("target_newer_than_device_is_rejected") {
        let device_sm = dev.sm_version();
        let newer: &'static KernelModule = Box::leak(Box::new(KernelModule::new(VADD_PTX, "vadd", device_sm + 10)));
        let e = newer.launch(&dev, LaunchConfig::for_num_elems(1), &[]).unwrap_err();
        match &e {
            Error::UnsupportedTarget { kernel, target_sm, device_sm: d } => {
                assert_eq!((kernel.as_str(), *target_sm, *d), ("vadd", device_sm + 10, device_sm))
            }
            other => panic!("{other:?}"),
        }
        println!("{dev}: {e}");
    }
}

#[test]
fn malformed_ptx_reports_the_jit_log() {
    for dev in devices("malformed_ptx_reports_the_jit_log") {
        let out = dev.alloc_zeros::<u64>(1).unwrap();
        let e = BROKEN.launch(&dev, LaunchConfig::for_num_elems(1), &[&out.device_ptr().to_ne_bytes()]).unwrap_err();
        match &e {
            Error::ModuleLoad { entry, log } => {
                assert_eq!(entry, "broken");
                assert!(!log.trim().is_empty());
                if !dev.is_emulator() {
                    assert!(log.contains("error"), "JIT log lacks an error line: {log}");
                }
            }
            other => panic!("{other:?}"),
        }
        println!("{dev}: {e}");
        // Not cached: a second launch reports the same error.
        assert!(matches!(BROKEN.preload(&dev), Err(Error::ModuleLoad { .. })));
    }
}

#[test]
fn missing_entry_is_a_load_error() {
    for dev in devices("missing_entry_is_a_load_error") {
        let e = VADD_MISSING_ENTRY.preload(&dev).unwrap_err();
        assert!(
            matches!(&e, Error::ModuleLoad { entry, log } if entry == "no_such_entry" && log.contains("no_such_entry")),
            "{e:?}"
        );
        println!("{dev}: {e}");
    }
}

#[test]
fn arguments_are_checked_against_the_ptx() {
    for dev in devices("arguments_are_checked_against_the_ptx") {
        let a = dev.upload(&[1.0f32; 4]).unwrap();
        let p = a.device_ptr().to_ne_bytes();
        let e = VADD.launch(&dev, LaunchConfig::for_num_elems(4), &[&p, &p, &p]).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArguments { kernel, reason } if kernel == "vadd" && reason.contains("4 parameter"))
        );
        let e = VADD.launch(&dev, LaunchConfig::for_num_elems(4), &[&p, &p, &p, &4u32.to_ne_bytes()]).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArguments { reason, .. } if reason.contains("parameter 3 is 8 byte(s)")),
            "{e}"
        );
    }
}

/// A kernel with 40 `u32` parameters after the output pointer: out[0] = fold(acc * 3 + p_i).
fn sum40_ptx() -> String {
    let mut ptx =
        String::from(".version 7.0\n.target sm_52\n.address_size 64\n.visible .entry sum40(\n\t.param .u64 out");
    for i in 0..40 {
        ptx.push_str(&format!(",\n\t.param .u32 p{i}"));
    }
    ptx.push_str("\n)\n{\n\t.reg .b32 %r<42>;\n\t.reg .b64 %rd<3>;\n\tld.param.u64 %rd1, [out];\n\tcvta.to.global.u64 %rd2, %rd1;\n\tmov.u32 %r41, 0;\n");
    for i in 0..40 {
        ptx.push_str(&format!(
            "\tld.param.u32 %r{i}, [p{i}];\n\tmul.lo.s32 %r41, %r41, 3;\n\tadd.s32 %r41, %r41, %r{i};\n"
        ));
    }
    ptx.push_str("\tst.global.u32 [%rd2], %r41;\n\tret;\n}\n");
    ptx
}

#[test]
fn more_than_32_arguments() {
    // 40 u32 parameters: exercises the heap fallback of the argument array.
    let ptx = sum40_ptx();
    let module: &'static KernelModule =
        Box::leak(Box::new(KernelModule::new(Box::leak(ptx.into_boxed_str()), "sum40", 52)));
    for dev in devices("more_than_32_arguments") {
        let out = dev.alloc_zeros::<u32>(1).unwrap();
        let vals: Vec<[u8; 4]> = (0..40u32).map(|i| (i * 7 + 1).to_ne_bytes()).collect();
        let ptr = out.device_ptr().to_ne_bytes();
        let mut args: Vec<&[u8]> = vec![&ptr];
        args.extend(vals.iter().map(|v| &v[..]));
        module
            .launch(&dev, LaunchConfig { grid_dim: (1, 1, 1), block_dim: (1, 1, 1), shared_mem_bytes: 0 }, &args)
            .unwrap();
        let want = (0..40u32).fold(0u32, |acc, i| acc.wrapping_mul(3).wrapping_add(i * 7 + 1));
        assert_eq!(out.download().unwrap(), vec![want]);
    }
}

#[test]
fn buffers_of_another_device_are_rejected() {
    let Some(dev) = cuda_device("buffers_of_another_device_are_rejected") else { return };
    let emu = Device::emulator();
    let a = emu.upload(&[1.0f32; 8]).unwrap();
    let b = dev.upload(&[1.0f32; 8]).unwrap();
    let mut c = dev.alloc_zeros::<f32>(8).unwrap();
    let e = vadd(&dev, &a, &b, &mut c).unwrap_err();
    assert!(matches!(&e, Error::WrongDevice { .. }), "{e:?}");
    println!("{e}");
}

#[test]
fn cuda_device_properties() {
    let Some(dev) = cuda_device("cuda_device_properties") else { return };
    assert!(!dev.is_emulator());
    assert_eq!(Device::cuda(0).unwrap(), dev, "one Device per ordinal");
    let (major, minor) = dev.compute_capability();
    assert!(major >= 5);
    assert_eq!(dev.sm_version(), major * 10 + minor);
    assert!(dev.sm_count() > 0);
    let l = dev.limits();
    assert_eq!(l.max_threads_per_block, 1024);
    assert!(l.max_shared_mem_per_block_optin >= l.max_shared_mem_per_block);
    println!("{dev:?}, {} SMs, {l:?}", dev.sm_count());
}

/// Every PTX fixture above assembles with `ptxas` (from `PTXAS`, else `PATH`, else the workspace's `.tools/`),
/// except the deliberately broken one. Skipped with a note when no ptxas is found (a failure under `CI=true`).
#[test]
fn fixtures_assemble_with_ptxas() {
    let candidates =
        [std::env::var("PTXAS").ok(), Some("ptxas".to_owned()), Some("/work/tools/nvidia/cu13/bin/ptxas".to_owned())];
    let Some(ptxas) = candidates
        .into_iter()
        .flatten()
        .find(|p| std::process::Command::new(p).arg("--version").output().map(|o| o.status.success()).unwrap_or(false))
    else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but no ptxas found (set PTXAS)");
        eprintln!("note: skipping fixtures_assemble_with_ptxas: no ptxas found (set PTXAS)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("ptx-kernel-runtime-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sum40 = sum40_ptx();
    let fixtures = [
        ("vadd", VADD_PTX, true),
        ("smem", SMEM_PTX, true),
        ("static_smem", STATIC_SMEM_PTX, true),
        ("sum40", sum40.as_str(), true),
        ("probe", PROBE.ptx(), true),
        ("broken", BROKEN_PTX, false),
    ];
    for (name, ptx, valid) in fixtures {
        let path = dir.join(format!("{name}.ptx"));
        std::fs::write(&path, ptx).unwrap();
        let out = std::process::Command::new(&ptxas)
            .args(["-arch", "sm_90", "-o"])
            .arg(dir.join(format!("{name}.cubin")))
            .arg(&path)
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), valid, "ptxas on fixture {name}: {log}");
        if let Some(count_dir) = std::env::var_os("PTXAS_COUNT_DIR").filter(|d| !d.is_empty() && valid) {
            std::fs::write(std::path::Path::new(&count_dir).join(format!("runtime-fixture-{name}")), "").ok();
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn emulator_faults_are_emulator_errors() {
    // vadd told that n is larger than its buffers: the emulator bounds-checks every access.
    let dev = Device::emulator();
    let a = dev.upload(&[1.0f32; 100]).unwrap();
    let n = 1000u64;
    let p = a.device_ptr().to_ne_bytes();
    let e = VADD.launch(&dev, LaunchConfig::for_num_elems(n as u32), &[&p, &p, &p, &n.to_ne_bytes()]).unwrap_err();
    assert!(matches!(e, Error::Emulator(_)), "{e:?}");
    let msg = e.to_string();
    assert!(msg.starts_with("emulator:") && msg.contains("vadd"), "{msg}");
    println!("{msg}");
}
