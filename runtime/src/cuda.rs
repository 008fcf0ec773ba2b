//! The CUDA backend: a thin layer over the driver API (`cudarc::driver::sys`), loaded dynamically.
//!
//! Each [`CudaBackend`] owns a retained primary context of one device and binds it to the calling thread before every
//! driver call (`cuCtxGetCurrent`, plus `cuCtxSetCurrent` only when another context is current). Work goes to the
//! legacy default stream unless a [`Stream`](crate::Stream) is given; streams are created blocking, so the synchronous
//! copies used by buffers (`cuMemcpy*_v2` on the legacy stream) wait for kernels on every stream first.

use std::ffi::{c_void, CStr, CString};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

use cudarc::driver::sys::{self, CUresult};

use crate::device::{DeviceInfo, DeviceLimits};
use crate::error::{Error, Result};
use crate::LaunchConfig;

/// Bytes of each JIT log buffer handed to `cuModuleLoadDataEx`.
const JIT_LOG_BYTES: usize = 16 * 1024;

/// Kernel parameters passed without touching the heap; longer lists fall back to a `Vec`.
pub(crate) const STACK_PARAMS: usize = 32;

/// The `Error::Driver` for a failed call.
pub(crate) fn driver_error(call: &'static str, code: CUresult) -> Error {
    let name = format!("{code:?}");
    let message = cudarc::driver::result::DriverError(code)
        .error_string()
        .ok()
        .and_then(|s| s.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| "no description available".to_owned());
    Error::Driver { call, name, message }
}

#[inline]
fn check(call: &'static str, code: CUresult) -> Result<()> {
    if code == CUresult::CUDA_SUCCESS {
        Ok(())
    } else {
        Err(driver_error(call, code))
    }
}

/// One CUDA device with its retained primary context.
pub(crate) struct CudaBackend {
    device: sys::CUdevice,
    ctx: sys::CUcontext,
}

// SAFETY: a CUDA context handle may be used from any thread (it is bound per call), and the driver API is
// thread-safe.
unsafe impl Send for CudaBackend {}
unsafe impl Sync for CudaBackend {}

/// Whether the driver library can be loaded (without panicking when it can't). Probed once per process.
pub(crate) fn driver_present() -> bool {
    static PRESENT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    // SAFETY: only tries to dlopen the candidate names.
    *PRESENT.get_or_init(|| std::panic::catch_unwind(|| unsafe { sys::is_culib_present() }).unwrap_or(false))
}

impl CudaBackend {
    /// Opens device `ordinal`: loads libcuda, initialises the driver, retains the primary context, reads the
    /// device's attributes. Never panics: a missing library or symbol becomes `Error::NoDevice`.
    pub(crate) fn open(ordinal: usize) -> Result<(CudaBackend, DeviceInfo)> {
        if !driver_present() {
            return Err(Error::NoDevice {
                reason: "the CUDA driver library (libcuda.so) could not be loaded; is an NVIDIA driver installed \
                         and on the library path?"
                    .to_owned(),
            });
        }
        match std::panic::catch_unwind(|| Self::open_unguarded(ordinal)) {
            Ok(r) => r,
            Err(payload) => {
                let what = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown panic".to_owned());
                Err(Error::NoDevice { reason: format!("the CUDA driver library could not be used: {what}") })
            }
        }
    }

    fn open_unguarded(ordinal: usize) -> Result<(CudaBackend, DeviceInfo)> {
        // SAFETY: plain driver API calls with valid out-pointers.
        unsafe {
            match sys::cuInit(0) {
                CUresult::CUDA_SUCCESS => {}
                CUresult::CUDA_ERROR_NO_DEVICE => {
                    return Err(Error::NoDevice { reason: "the CUDA driver reports no CUDA-capable device".into() })
                }
                code => return Err(driver_error("cuInit", code)),
            }
            let mut count = 0;
            check("cuDeviceGetCount", sys::cuDeviceGetCount(&mut count))?;
            if ordinal >= count as usize {
                return Err(Error::NoDevice {
                    reason: format!("CUDA device {ordinal} was requested but the driver reports {count} device(s)"),
                });
            }
            let mut device = 0;
            check("cuDeviceGet", sys::cuDeviceGet(&mut device, ordinal as i32))?;
            let mut ctx = ptr::null_mut();
            check("cuDevicePrimaryCtxRetain", sys::cuDevicePrimaryCtxRetain(&mut ctx, device))?;
            let backend = CudaBackend { device, ctx };
            backend.bind()?;

            let attr = |a: sys::CUdevice_attribute| -> Result<u32> {
                let mut v = 0;
                check("cuDeviceGetAttribute", sys::cuDeviceGetAttribute(&mut v, a, device))?;
                Ok(v.max(0) as u32)
            };
            use sys::CUdevice_attribute::*;
            let limits = DeviceLimits {
                max_threads_per_block: attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK)?,
                max_block_dim: (
                    attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X)?,
                    attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y)?,
                    attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z)?,
                ),
                max_grid_dim: (
                    attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X)?,
                    attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y)?,
                    attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z)?,
                ),
                max_shared_mem_per_block: attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK)?,
                max_shared_mem_per_block_optin: attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)?,
            };
            let cc = (
                attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
                attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
            );
            let sm_count = attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?;
            let mut name = [0 as std::ffi::c_char; 256];
            check("cuDeviceGetName", sys::cuDeviceGetName(name.as_mut_ptr(), name.len() as i32, device))?;
            let name = CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned();
            Ok((backend, DeviceInfo { name, compute_capability: cc, sm_count, limits }))
        }
    }

    /// Makes this device's context current on the calling thread.
    #[inline]
    pub(crate) fn bind(&self) -> Result<()> {
        let mut cur = ptr::null_mut();
        // SAFETY: valid out-pointer; `self.ctx` is retained for `self`'s lifetime.
        unsafe {
            check("cuCtxGetCurrent", sys::cuCtxGetCurrent(&mut cur))?;
            if cur != self.ctx {
                check("cuCtxSetCurrent", sys::cuCtxSetCurrent(self.ctx))?;
            }
        }
        Ok(())
    }

    /// Allocates `bytes` (> 0) of device memory, zero-filled when `zeroed`.
    pub(crate) fn alloc(&self, bytes: usize, zeroed: bool) -> Result<u64> {
        debug_assert!(bytes > 0);
        self.bind()?;
        let mut p = 0;
        // SAFETY: valid out-pointer; the memset covers exactly the new allocation.
        unsafe {
            check("cuMemAlloc_v2", sys::cuMemAlloc_v2(&mut p, bytes))?;
            if zeroed {
                if let Err(e) = check("cuMemsetD8_v2", sys::cuMemsetD8_v2(p, 0, bytes)) {
                    sys::cuMemFree_v2(p);
                    return Err(e);
                }
            }
        }
        Ok(p)
    }

    /// Frees memory from [`CudaBackend::alloc`]; errors (e.g. a sticky error of an earlier launch) are ignored.
    pub(crate) fn free(&self, ptr: u64) {
        if self.bind().is_ok() {
            // SAFETY: `ptr` came from `cuMemAlloc_v2` on this context and is freed once (by its owner's Drop).
            unsafe {
                sys::cuMemFree_v2(ptr);
            }
        }
    }

    /// Host → device, synchronous with respect to the host buffer.
    pub(crate) fn write(&self, dst: u64, src: &[u8]) -> Result<()> {
        self.bind()?;
        // SAFETY: the caller guarantees `dst..dst+src.len()` lies in one allocation.
        unsafe { check("cuMemcpyHtoD_v2", sys::cuMemcpyHtoD_v2(dst, src.as_ptr().cast(), src.len())) }
    }

    /// Device → host; waits for earlier work on the legacy stream and every blocking stream.
    pub(crate) fn read(&self, src: u64, dst: &mut [u8]) -> Result<()> {
        self.bind()?;
        // SAFETY: the caller guarantees `src..src+dst.len()` lies in one allocation.
        unsafe { check("cuMemcpyDtoH_v2", sys::cuMemcpyDtoH_v2(dst.as_mut_ptr().cast(), src, dst.len())) }
    }

    /// Device → device, ordered on the legacy stream.
    pub(crate) fn copy(&self, dst: u64, src: u64, bytes: usize) -> Result<()> {
        self.bind()?;
        // SAFETY: the caller guarantees both ranges lie in allocations of this device.
        unsafe { check("cuMemcpyDtoD_v2", sys::cuMemcpyDtoD_v2(dst, src, bytes)) }
    }

    /// Waits for all work on the device.
    pub(crate) fn synchronize(&self) -> Result<()> {
        self.bind()?;
        // SAFETY: a context is current.
        unsafe { check("cuCtxSynchronize", sys::cuCtxSynchronize()) }
    }

    /// The device address of the module variable `name` of `kernel`'s module.
    pub(crate) fn global_address(&self, kernel: &CudaKernel, name: &str) -> Result<u64> {
        let cname = CString::new(name).map_err(|_| Error::ModuleLoad {
            entry: name.to_owned(),
            log: "the variable name contains a NUL byte".into(),
        })?;
        self.bind()?;
        let (mut ptr, mut bytes) = (0, 0usize);
        // SAFETY: `kernel.module` is loaded; valid out-pointers; NUL-terminated name.
        check("cuModuleGetGlobal_v2", unsafe {
            sys::cuModuleGetGlobal_v2(&mut ptr, &mut bytes, kernel.module, cname.as_ptr())
        })?;
        Ok(ptr)
    }

    /// JIT-loads `ptx` and looks up `entry`. Failures return the JIT error log.
    pub(crate) fn load(&self, ptx: &str, entry: &str) -> Result<CudaKernel> {
        let load_err = |log: String| Error::ModuleLoad { entry: entry.to_owned(), log };
        let image = CString::new(ptx).map_err(|_| load_err("the PTX text contains a NUL byte".into()))?;
        let name = CString::new(entry).map_err(|_| load_err("the entry name contains a NUL byte".into()))?;
        self.bind()?;
        let mut error_log = vec![0u8; JIT_LOG_BYTES];
        let mut info_log = vec![0u8; JIT_LOG_BYTES];
        use sys::CUjit_option::*;
        let mut options = [
            CU_JIT_ERROR_LOG_BUFFER,
            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
            CU_JIT_INFO_LOG_BUFFER,
            CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES,
        ];
        let mut values: [*mut c_void; 4] = [
            error_log.as_mut_ptr().cast(),
            JIT_LOG_BYTES as *mut c_void,
            info_log.as_mut_ptr().cast(),
            JIT_LOG_BYTES as *mut c_void,
        ];
        let mut module = ptr::null_mut();
        // SAFETY: NUL-terminated image; option values follow the driver's conventions (sizes passed by value).
        let code = unsafe {
            sys::cuModuleLoadDataEx(
                &mut module,
                image.as_ptr().cast(),
                options.len() as u32,
                options.as_mut_ptr(),
                values.as_mut_ptr(),
            )
        };
        let text = |buf: &[u8]| {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            String::from_utf8_lossy(&buf[..end]).trim_end().to_owned()
        };
        if code != CUresult::CUDA_SUCCESS {
            let Error::Driver { name, message, .. } = driver_error("cuModuleLoadDataEx", code) else { unreachable!() };
            let log = text(&error_log);
            let log = if log.is_empty() {
                format!("cuModuleLoadDataEx returned {name} ({message}) with an empty JIT log")
            } else {
                format!("cuModuleLoadDataEx returned {name} ({message}); JIT log:\n{log}")
            };
            return Err(load_err(log));
        }
        let info_log = text(&info_log);
        let unload = |module| {
            // SAFETY: `module` was just loaded and is not used afterwards.
            unsafe { sys::cuModuleUnload(module) };
        };
        let mut func = ptr::null_mut();
        // SAFETY: `module` is loaded; `name` is NUL-terminated.
        match unsafe { sys::cuModuleGetFunction(&mut func, module, name.as_ptr()) } {
            CUresult::CUDA_SUCCESS => {}
            CUresult::CUDA_ERROR_NOT_FOUND => {
                unload(module);
                return Err(load_err(format!("the module loaded but has no `.entry {entry}`")));
            }
            code => {
                unload(module);
                return Err(driver_error("cuModuleGetFunction", code));
            }
        }
        let fattr = |a: sys::CUfunction_attribute| -> Result<u32> {
            let mut v = 0;
            // SAFETY: `func` is valid while `module` is loaded.
            check("cuFuncGetAttribute", unsafe { sys::cuFuncGetAttribute(&mut v, a, func) })?;
            Ok(v.max(0) as u32)
        };
        use sys::CUfunction_attribute::*;
        let attrs = (|| {
            Ok::<_, Error>((
                fattr(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK)?,
                fattr(CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES)?,
                fattr(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)?,
            ))
        })();
        let (max_threads, static_smem, max_dynamic_smem) = match attrs {
            Ok(a) => a,
            Err(e) => {
                unload(module);
                return Err(e);
            }
        };
        Ok(CudaKernel {
            module,
            func,
            max_threads,
            static_smem,
            max_dynamic_smem: AtomicU32::new(max_dynamic_smem),
            info_log,
        })
    }

    /// Enqueues `kernel` on `stream` (null: the legacy default stream). Asynchronous.
    ///
    /// # Safety
    /// `args` must match the kernel's parameters in number and size, and every pointer argument must address memory
    /// of this device that stays valid until the kernel has finished.
    #[inline]
    pub(crate) unsafe fn launch(
        &self,
        kernel: &CudaKernel,
        cfg: &LaunchConfig,
        stream: sys::CUstream,
        args: &[&[u8]],
    ) -> Result<()> {
        self.bind()?;
        if cfg.shared_mem_bytes > kernel.max_dynamic_smem.load(Ordering::Relaxed) {
            check(
                "cuFuncSetAttribute",
                sys::cuFuncSetAttribute(
                    kernel.func,
                    sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    cfg.shared_mem_bytes as i32,
                ),
            )?;
            kernel.max_dynamic_smem.fetch_max(cfg.shared_mem_bytes, Ordering::Relaxed);
        }
        let mut stack = [ptr::null_mut::<c_void>(); STACK_PARAMS];
        let mut heap = Vec::new();
        let params: &mut [*mut c_void] = if args.len() <= STACK_PARAMS {
            for (slot, a) in stack.iter_mut().zip(args) {
                *slot = a.as_ptr() as *mut c_void;
            }
            &mut stack[..args.len()]
        } else {
            heap.extend(args.iter().map(|a| a.as_ptr() as *mut c_void));
            &mut heap
        };
        let (g, b) = (cfg.grid_dim, cfg.block_dim);
        check(
            "cuLaunchKernel",
            sys::cuLaunchKernel(
                kernel.func,
                g.0,
                g.1,
                g.2,
                b.0,
                b.1,
                b.2,
                cfg.shared_mem_bytes,
                stream,
                params.as_mut_ptr(),
                ptr::null_mut(),
            ),
        )
    }

    /// Creates a blocking stream (ordered with the legacy default stream).
    pub(crate) fn new_stream(&self) -> Result<CudaStream> {
        self.bind()?;
        let mut s = ptr::null_mut();
        // SAFETY: valid out-pointer; flags 0 = CU_STREAM_DEFAULT.
        unsafe { check("cuStreamCreate", sys::cuStreamCreate(&mut s, 0))? };
        Ok(CudaStream(s))
    }

    /// Waits for the work queued on `stream`.
    pub(crate) fn stream_synchronize(&self, stream: &CudaStream) -> Result<()> {
        self.bind()?;
        // SAFETY: the stream is alive (owned by the caller).
        unsafe { check("cuStreamSynchronize", sys::cuStreamSynchronize(stream.0)) }
    }

    /// Destroys `stream` (its queued work still completes).
    pub(crate) fn destroy_stream(&self, stream: &CudaStream) {
        if self.bind().is_ok() {
            // SAFETY: called once, from the owning `Stream`'s Drop.
            unsafe {
                sys::cuStreamDestroy_v2(stream.0);
            }
        }
    }

    /// Unloads a module (from `CudaKernel`'s owner).
    pub(crate) fn unload(&self, kernel: &CudaKernel) {
        if self.bind().is_ok() {
            // SAFETY: called once, when the kernel is dropped from the device's cache.
            unsafe {
                sys::cuModuleUnload(kernel.module);
            }
        }
    }
}

impl Drop for CudaBackend {
    fn drop(&mut self) {
        // SAFETY: balances the retain in `open`.
        unsafe {
            sys::cuDevicePrimaryCtxRelease_v2(self.device);
        }
    }
}

/// A loaded CUDA module and its one entry.
pub(crate) struct CudaKernel {
    module: sys::CUmodule,
    pub(crate) func: sys::CUfunction,
    /// Largest block this function can run with (may be below the device's limit when it uses many registers).
    pub(crate) max_threads: u32,
    /// Bytes of statically declared shared memory.
    pub(crate) static_smem: u32,
    /// Current `CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES`, raised on demand.
    max_dynamic_smem: AtomicU32,
    /// What the JIT compiler said on success (warnings, register usage when verbose).
    pub(crate) info_log: String,
}

// SAFETY: module and function handles are plain driver handles usable from any thread.
unsafe impl Send for CudaKernel {}
unsafe impl Sync for CudaKernel {}

/// An owned `CUstream`.
pub(crate) struct CudaStream(pub(crate) sys::CUstream);

// SAFETY: stream handles may be used from any thread.
unsafe impl Send for CudaStream {}
unsafe impl Sync for CudaStream {}
