//! The raw CUDA side of the benchmark, through cudarc: the driver API on the runtime's own (primary) context for
//! events, module loads and launches of the references; NVRTC for compiling the CUDA C++ references; cuBLAS for the
//! SGEMM ceiling. Every call's status is checked and turned into a message naming the call.
//!
//! cudarc loads libnvrtc and libcublas lazily and panics when a library or symbol is missing, so every entry into
//! those two goes through [`guard`], which turns a panic into an error message.

use std::ffi::{c_void, CString};
use std::path::PathBuf;
use std::ptr;
use std::time::Instant;

use cudarc::driver::sys::{self, CUresult};

/// `Ok` for `CUDA_SUCCESS`, else a message with the call, the error's name and the driver's description.
pub fn check(call: &str, code: CUresult) -> Result<(), String> {
    if code == CUresult::CUDA_SUCCESS {
        return Ok(());
    }
    let desc = cudarc::driver::result::DriverError(code)
        .error_string()
        .ok()
        .and_then(|s| s.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| "no description".to_owned());
    Err(format!("{call} failed: {code:?} ({desc})"))
}

/// Runs `f`, turning a panic (cudarc's reaction to a missing library or symbol) into an error naming `what`.
pub fn guard<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(format!("{what}: {msg}"))
        }
    }
}

/// Makes the primary context of CUDA device `ordinal` current on this thread and checks that it is the context the
/// runtime already made current when it opened the device (the runtime retains the primary context; so do we, so
/// the handle stays valid for the whole run).
pub fn bind_primary_context(ordinal: usize) -> Result<sys::CUcontext, String> {
    // SAFETY: plain driver calls with valid out-pointers; the driver was initialised by the runtime.
    unsafe {
        let mut current = ptr::null_mut();
        check("cuCtxGetCurrent", sys::cuCtxGetCurrent(&mut current))?;
        let mut dev = 0;
        check("cuDeviceGet", sys::cuDeviceGet(&mut dev, ordinal as i32))?;
        let mut primary = ptr::null_mut();
        check("cuDevicePrimaryCtxRetain", sys::cuDevicePrimaryCtxRetain(&mut primary, dev))?;
        if !current.is_null() && current != primary {
            return Err(format!(
                "the current context {current:?} is not device {ordinal}'s primary context {primary:?}; the benchmark \
                 expects the runtime to use the primary context"
            ));
        }
        check("cuCtxSetCurrent", sys::cuCtxSetCurrent(primary))?;
        Ok(primary)
    }
}

/// An integer attribute of device `ordinal`.
pub fn device_attribute(ordinal: usize, attr: sys::CUdevice_attribute) -> Result<i64, String> {
    // SAFETY: valid out-pointers.
    unsafe {
        let mut dev = 0;
        check("cuDeviceGet", sys::cuDeviceGet(&mut dev, ordinal as i32))?;
        let mut v = 0;
        check("cuDeviceGetAttribute", sys::cuDeviceGetAttribute(&mut v, attr, dev))?;
        Ok(v as i64)
    }
}

/// The driver's CUDA version as `major.minor` (e.g. `13.0`).
pub fn driver_version() -> Result<String, String> {
    let mut v = 0;
    // SAFETY: valid out-pointer.
    check("cuDriverGetVersion", unsafe { sys::cuDriverGetVersion(&mut v) })?;
    Ok(format!("{}.{}", v / 1000, (v % 1000) / 10))
}

/// Waits for all work on the current context.
pub fn ctx_synchronize() -> Result<(), String> {
    // SAFETY: a context is current (see `bind_primary_context`).
    check("cuCtxSynchronize", unsafe { sys::cuCtxSynchronize() })
}

/// A timing event (`cuEventCreate` with default flags), destroyed on drop.
pub struct Event(sys::CUevent);

impl Event {
    pub fn new() -> Result<Event, String> {
        let mut e = ptr::null_mut();
        // SAFETY: valid out-pointer; flags 0 = CU_EVENT_DEFAULT (timing enabled).
        check("cuEventCreate", unsafe { sys::cuEventCreate(&mut e, 0) })?;
        Ok(Event(e))
    }

    /// Records the event on the legacy default stream (stream 0), where the runtime launches our kernels.
    pub fn record(&self) -> Result<(), String> {
        // SAFETY: the event is alive; the null stream is the legacy default stream.
        check("cuEventRecord", unsafe { sys::cuEventRecord(self.0, ptr::null_mut()) })
    }

    pub fn synchronize(&self) -> Result<(), String> {
        // SAFETY: the event is alive.
        check("cuEventSynchronize", unsafe { sys::cuEventSynchronize(self.0) })
    }

    /// Seconds from `start` to `self` (both recorded and completed).
    pub fn seconds_since(&self, start: &Event) -> Result<f64, String> {
        let mut ms = 0f32;
        // SAFETY: both events are alive. `cuEventElapsedTime` (v1) is exported by every driver.
        check("cuEventElapsedTime", unsafe { sys::cuEventElapsedTime(&mut ms, start.0, self.0) })?;
        Ok(ms as f64 / 1e3)
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        // SAFETY: created by `cuEventCreate`, destroyed once.
        unsafe {
            sys::cuEventDestroy_v2(self.0);
        }
    }
}

/// Device-to-device copy of `bytes` on the legacy default stream (asynchronous, so events can bracket it).
pub fn copy_dtod_async(dst: u64, src: u64, bytes: usize) -> Result<(), String> {
    // SAFETY: the caller passes two live allocations of at least `bytes`.
    check("cuMemcpyDtoDAsync_v2", unsafe { sys::cuMemcpyDtoDAsync_v2(dst, src, bytes, ptr::null_mut()) })
}

/// Device → host copy of `out.len()` f32 from device address `src` (synchronous, on the legacy stream).
pub fn read_f32(src: u64, out: &mut [f32]) -> Result<(), String> {
    // SAFETY: the caller passes a live device range of `out.len()` f32; `out` is writable host memory of that size.
    check("cuMemcpyDtoH_v2", unsafe { sys::cuMemcpyDtoH_v2(out.as_mut_ptr().cast(), src, std::mem::size_of_val(out)) })
}

/// A PTX module loaded with `cuModuleLoadDataEx` and its one kernel.
pub struct Module {
    module: sys::CUmodule,
    pub func: sys::CUfunction,
    /// Wall seconds `cuModuleLoadDataEx` took (the driver's PTX → SASS compilation).
    pub load_seconds: f64,
    /// Registers per thread, from `CU_FUNC_ATTRIBUTE_NUM_REGS`.
    pub regs: i32,
}

impl Module {
    /// Loads `ptx` and looks up `entry`; a failed load returns the JIT error log.
    pub fn load(ptx: &str, entry: &str) -> Result<Module, String> {
        const LOG: usize = 16 * 1024;
        let image = CString::new(ptx).map_err(|_| "the PTX contains a NUL byte".to_owned())?;
        let name = CString::new(entry).map_err(|_| "the entry name contains a NUL byte".to_owned())?;
        let mut error_log = vec![0u8; LOG];
        use sys::CUjit_option::*;
        let mut options = [CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES];
        let mut values: [*mut c_void; 2] = [error_log.as_mut_ptr().cast(), LOG as *mut c_void];
        let mut module = ptr::null_mut();
        let t = Instant::now();
        // SAFETY: NUL-terminated image; the log buffer outlives the call; its size is passed by value.
        let code = unsafe {
            sys::cuModuleLoadDataEx(
                &mut module,
                image.as_ptr().cast(),
                options.len() as u32,
                options.as_mut_ptr(),
                values.as_mut_ptr(),
            )
        };
        let load_seconds = t.elapsed().as_secs_f64();
        if let Err(e) = check("cuModuleLoadDataEx", code) {
            let end = error_log.iter().position(|&b| b == 0).unwrap_or(LOG);
            return Err(format!("{e}; JIT log: {}", String::from_utf8_lossy(&error_log[..end]).trim_end()));
        }
        let mut m = Module { module, func: ptr::null_mut(), load_seconds, regs: 0 };
        // SAFETY: the module is loaded; `name` is NUL-terminated; `m` unloads the module on an early return.
        unsafe {
            check(
                &format!("cuModuleGetFunction({entry})"),
                sys::cuModuleGetFunction(&mut m.func, module, name.as_ptr()),
            )?;
            check(
                "cuFuncGetAttribute(NUM_REGS)",
                sys::cuFuncGetAttribute(&mut m.regs, sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_NUM_REGS, m.func),
            )?;
        }
        Ok(m)
    }

    /// Launches the kernel on the legacy default stream; `args` holds each parameter's bytes.
    pub fn launch(&self, grid: (u32, u32, u32), block: (u32, u32, u32), args: &[Vec<u8>]) -> Result<(), String> {
        let mut params: Vec<*mut c_void> = args.iter().map(|a| a.as_ptr() as *mut c_void).collect();
        // SAFETY: every parameter points at bytes that outlive the call (the driver copies them at launch); the
        // caller matches them to the kernel's signature and passes live device pointers.
        check("cuLaunchKernel", unsafe {
            sys::cuLaunchKernel(
                self.func,
                grid.0,
                grid.1,
                grid.2,
                block.0,
                block.1,
                block.2,
                0,
                ptr::null_mut(),
                params.as_mut_ptr(),
                ptr::null_mut(),
            )
        })
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        // SAFETY: loaded by `cuModuleLoadDataEx`, unloaded once.
        unsafe {
            sys::cuModuleUnload(self.module);
        }
    }
}

/// The `--gpu-architecture` NVRTC is given for a device of compute capability `cc`, e.g. `compute_90`.
pub fn nvrtc_arch(cc: (u32, u32)) -> String {
    format!("compute_{}{}", cc.0, cc.1)
}

/// The options every reference is compiled with: the device's virtual architecture, and no contraction of `a * b + c`
/// into an fma (Rust never fuses, so our kernels don't; the reference must round the same way to agree bit for bit).
pub fn nvrtc_options(arch: &str) -> Vec<String> {
    vec![format!("--gpu-architecture={arch}"), "--fmad=false".to_owned()]
}

/// Whether the NVRTC library can be loaded under one of the names cudarc tries.
pub fn nvrtc_present() -> bool {
    // SAFETY: only tries to dlopen candidate names.
    std::panic::catch_unwind(|| unsafe { cudarc::nvrtc::sys::is_culib_present() }).unwrap_or(false)
}

/// Whether the cuBLAS library can be loaded under one of the names cudarc tries.
pub fn cublas_present() -> bool {
    // SAFETY: only tries to dlopen candidate names.
    std::panic::catch_unwind(|| unsafe { cudarc::cublas::sys::is_culib_present() }).unwrap_or(false)
}

/// The message for a library cudarc cannot find (it tries `lib<name>.so`, `lib<name>.so.12`, …, not `.so.13`).
pub fn missing_library(name: &str) -> String {
    format!(
        "lib{name}.so could not be loaded (cudarc tries lib{name}.so, lib{name}.so.12, .11, …): put the CUDA toolkit's \
         lib64 folder, which has the unversioned lib{name}.so link, on LD_LIBRARY_PATH (e.g. \
         LD_LIBRARY_PATH=/usr/local/cuda/lib64), or link lib{name}.so to the installed lib{name}.so.13 in a folder on it"
    )
}

/// Folders searched for a versioned library (`libnvrtc.so.13`) when cudarc finds none of its names: those on
/// `LD_LIBRARY_PATH`, then the CUDA toolkit's and the system's usual ones.
pub fn library_dirs(ld_library_path: Option<&str>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        ld_library_path.unwrap_or("").split(':').filter(|d| !d.is_empty()).map(PathBuf::from).collect();
    for d in [
        "/usr/local/cuda/lib64",
        "/usr/local/cuda/targets/x86_64-linux/lib",
        "/usr/local/cuda/targets/sbsa-linux/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib64",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs
}

/// The library file `lib<name>.so.<major>[.…]` with the highest major version in the first folder of `dirs` that
/// has one (`libnvrtc.so.13`, never `libnvrtc-builtins…` or `libnvrtc.alt…`).
pub fn find_versioned(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    let prefix = format!("lib{name}.so.");
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut best: Option<(u32, usize, PathBuf)> = None;
        for e in entries.flatten() {
            let file = e.file_name();
            let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
                continue;
            };
            let Some(major) = rest.split('.').next().and_then(|m| m.parse::<u32>().ok()) else {
                continue;
            };
            // Highest major first, then the shortest name (`.so.13` over `.so.13.0.88`).
            let key = (major, usize::MAX - rest.len());
            if best.as_ref().is_none_or(|(m, l, _)| key > (*m, *l)) {
                best = Some((key.0, key.1, e.path()));
            }
        }
        if let Some((_, _, p)) = best {
            return Some(p);
        }
    }
    None
}

/// NVRTC's version as `major.minor`.
pub fn nvrtc_version() -> Result<String, String> {
    guard("NVRTC", || {
        let (mut major, mut minor) = (0, 0);
        // SAFETY: valid out-pointers.
        let r = unsafe { cudarc::nvrtc::sys::nvrtcVersion(&mut major, &mut minor) };
        r.result().map_err(|e| format!("nvrtcVersion failed: {e:?}"))?;
        Ok(format!("{major}.{minor}"))
    })
}

/// Compiles the CUDA C++ `source` to PTX with NVRTC; returns the PTX and the wall seconds of the compilation
/// (program creation, compilation, PTX extraction). Errors carry NVRTC's log.
pub fn nvrtc_compile(source: &str, name: &str, arch: &str) -> Result<(String, f64), String> {
    guard("NVRTC", || {
        let opts = cudarc::nvrtc::CompileOptions {
            options: nvrtc_options(arch),
            name: Some(format!("{name}.cu")),
            ..Default::default()
        };
        let t = Instant::now();
        let result = cudarc::nvrtc::compile_ptx_with_opts(source, opts);
        let seconds = t.elapsed().as_secs_f64();
        match result {
            Ok(ptx) => {
                let bytes = ptx.as_bytes().ok_or_else(|| "NVRTC returned no PTX image".to_owned())?;
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                Ok((String::from_utf8_lossy(&bytes[..end]).into_owned(), seconds))
            }
            Err(cudarc::nvrtc::CompileError::CompileError { nvrtc, options, log }) => Err(format!(
                "NVRTC could not compile the reference {name} ({nvrtc:?}; options {options:?}):\n{}",
                log.to_string_lossy()
            )),
            Err(e) => Err(format!("NVRTC failed on the reference {name}: {e:?}")),
        }
    })
}

/// A cuBLAS handle bound to the legacy default stream, destroyed on drop.
pub struct Cublas(cudarc::cublas::sys::cublasHandle_t);

fn cublas_check(call: &str, s: cudarc::cublas::sys::cublasStatus_t) -> Result<(), String> {
    s.result().map_err(|e| format!("{call} failed: {:?}", e.0))
}

impl Cublas {
    /// Creates the handle on the current context; returns it with the wall seconds `cublasCreate` took.
    pub fn new() -> Result<(Cublas, f64), String> {
        guard("cuBLAS", || {
            use cudarc::cublas::sys;
            let mut h = ptr::null_mut();
            let t = Instant::now();
            // SAFETY: valid out-pointer; a context is current.
            cublas_check("cublasCreate_v2", unsafe { sys::cublasCreate_v2(&mut h) })?;
            let seconds = t.elapsed().as_secs_f64();
            let handle = Cublas(h);
            // SAFETY: live handle; null = the legacy default stream, where the events are recorded.
            cublas_check("cublasSetStream_v2", unsafe { sys::cublasSetStream_v2(h, ptr::null_mut()) })?;
            // Plain FP32 (no TF32 tensor-core shortcut): the ceiling for an f32 GEMM with f32 rounding.
            cublas_check("cublasSetMathMode", unsafe {
                sys::cublasSetMathMode(h, sys::cublasMath_t::CUBLAS_DEFAULT_MATH)
            })?;
            Ok((handle, seconds))
        })
    }

    /// cuBLAS's version number (e.g. 130000 for 13.0.0).
    pub fn version(&self) -> Result<i32, String> {
        guard("cuBLAS", || {
            let mut v = 0;
            // SAFETY: live handle, valid out-pointer.
            cublas_check("cublasGetVersion_v2", unsafe { cudarc::cublas::sys::cublasGetVersion_v2(self.0, &mut v) })?;
            Ok(v)
        })
    }

    /// Enqueues C = A·B for column-major `m×k` A, `k×n` B, `m×n` C (device pointers), FP32.
    pub fn sgemm(&self, m: i32, n: i32, k: i32, a: u64, b: u64, c: u64) -> Result<(), String> {
        guard("cuBLAS", || {
            use cudarc::cublas::sys::{self, cublasOperation_t::CUBLAS_OP_N};
            let (alpha, beta) = (1.0f32, 0.0f32);
            // SAFETY: the caller passes live allocations of the stated shapes; alpha and beta are host scalars
            // (the default pointer mode).
            cublas_check("cublasSgemm_v2", unsafe {
                sys::cublasSgemm_v2(
                    self.0, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, a as usize as *const f32, m,
                    b as usize as *const f32, k, &beta, c as usize as *mut f32, m,
                )
            })
        })
    }
}

impl Drop for Cublas {
    fn drop(&mut self) {
        let h = self.0;
        let _ = std::panic::catch_unwind(move || {
            // SAFETY: created by `cublasCreate_v2`, destroyed once.
            unsafe { cudarc::cublas::sys::cublasDestroy_v2(h) }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_and_options() {
        assert_eq!(nvrtc_arch((9, 0)), "compute_90");
        assert_eq!(nvrtc_arch((8, 6)), "compute_86");
        assert_eq!(nvrtc_options("compute_90"), ["--gpu-architecture=compute_90", "--fmad=false"]);
    }

    #[test]
    fn guard_turns_panics_into_errors() {
        let r: Result<(), String> = guard("NVRTC", || panic!("Missing symbol nvrtcFoo"));
        assert_eq!(r.unwrap_err(), "NVRTC: Missing symbol nvrtcFoo");
        let r: Result<u32, String> = guard("x", || Ok(3));
        assert_eq!(r.unwrap(), 3);
    }

    #[test]
    fn finds_versioned_libraries() {
        let root = std::env::temp_dir().join(format!("bench-libs-test-{}", std::process::id()));
        let (a, b) = (root.join("a"), root.join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        for f in ["libnvrtc-builtins.so.13.0", "libnvrtc.alt.so.13", "libcublasLt.so.13", "libnvrtc.so.x"] {
            std::fs::write(a.join(f), "").unwrap();
        }
        for f in ["libnvrtc.so.12", "libnvrtc.so.13.0.88", "libnvrtc.so.13", "libcublas.so.13.0.2.14"] {
            std::fs::write(b.join(f), "").unwrap();
        }
        let dirs = vec![root.join("missing"), a.clone(), b.clone()];
        assert_eq!(find_versioned("nvrtc", &dirs), Some(b.join("libnvrtc.so.13")));
        assert_eq!(find_versioned("cublas", &dirs), Some(b.join("libcublas.so.13.0.2.14")));
        assert_eq!(find_versioned("cufft", &dirs), None);
        std::fs::remove_dir_all(&root).unwrap();
        let d = library_dirs(Some("/x::/y"));
        assert_eq!(d[..3], [PathBuf::from("/x"), PathBuf::from("/y"), PathBuf::from("/usr/local/cuda/lib64")]);
    }

    #[test]
    fn missing_library_names_the_fix() {
        let m = missing_library("nvrtc");
        assert!(m.contains("libnvrtc.so") && m.contains("LD_LIBRARY_PATH"), "{m}");
    }
}
