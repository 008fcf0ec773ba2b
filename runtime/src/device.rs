//! Devices: a CUDA GPU or the CPU emulator, behind one handle.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::cuda::{self, CudaBackend};
use crate::emu::Emulator;
use crate::error::{Error, Result};
use crate::launch::LoadedKernel;
use crate::LaunchConfig;

/// The environment variable read by [`Device::from_env`].
pub const DEVICE_ENV_VAR: &str = "PTX_KERNEL_DEVICE";

/// Which device to open: the parsed form of `PTX_KERNEL_DEVICE`.
///
/// ```
/// use ptx_kernel_runtime::DeviceSpec;
/// assert_eq!(DeviceSpec::parse("cuda").unwrap(), DeviceSpec::Cuda(0));
/// assert_eq!(DeviceSpec::parse("cuda:3").unwrap(), DeviceSpec::Cuda(3));
/// assert_eq!(DeviceSpec::parse("emu").unwrap(), DeviceSpec::Emulator);
/// assert!(DeviceSpec::parse("gpu").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceSpec {
    /// CUDA device with this ordinal (`cuda` = `cuda:0`).
    Cuda(usize),
    /// The CPU emulator (`emu`).
    Emulator,
}

impl DeviceSpec {
    /// Parses `cuda`, `cuda:N` or `emu` (surrounding whitespace and ASCII case are ignored); anything else is
    /// [`Error::InvalidDeviceSpec`] naming the value.
    pub fn parse(s: &str) -> Result<DeviceSpec> {
        let t = s.trim().to_ascii_lowercase();
        let invalid = || Error::InvalidDeviceSpec(s.to_owned());
        match t.as_str() {
            "cuda" => Ok(DeviceSpec::Cuda(0)),
            "emu" => Ok(DeviceSpec::Emulator),
            _ => {
                let n = t.strip_prefix("cuda:").ok_or_else(invalid)?;
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid());
                }
                n.parse().map(DeviceSpec::Cuda).map_err(|_| invalid())
            }
        }
    }

    /// Interprets the value of `PTX_KERNEL_DEVICE`: `None` (unset) or an empty value means "automatic" (`Ok(None)`).
    pub fn from_env_value(value: Option<&str>) -> Result<Option<DeviceSpec>> {
        match value {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => DeviceSpec::parse(v).map(Some),
        }
    }
}

impl FromStr for DeviceSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<DeviceSpec> {
        DeviceSpec::parse(s)
    }
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSpec::Cuda(n) => write!(f, "cuda:{n}"),
            DeviceSpec::Emulator => f.write_str("emu"),
        }
    }
}

/// Launch limits of a device, checked before every launch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceLimits {
    /// Most threads in one block (`CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK`).
    pub max_threads_per_block: u32,
    /// Largest block dimensions (x, y, z).
    pub max_block_dim: (u32, u32, u32),
    /// Largest grid dimensions (x, y, z).
    pub max_grid_dim: (u32, u32, u32),
    /// Shared memory per block available without opting in (48 KiB on current GPUs).
    pub max_shared_mem_per_block: u32,
    /// Shared memory per block available after opting in
    /// (`CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN`); the runtime opts in when a launch needs it.
    pub max_shared_mem_per_block_optin: u32,
}

impl DeviceLimits {
    /// The limits the emulator enforces: those of an sm_90 GPU (H100/H200).
    pub const EMULATOR: DeviceLimits = DeviceLimits {
        max_threads_per_block: 1024,
        max_block_dim: (1024, 1024, 64),
        max_grid_dim: (i32::MAX as u32, 65535, 65535),
        max_shared_mem_per_block: 48 * 1024,
        max_shared_mem_per_block_optin: 227 * 1024,
    };

    /// Checks `cfg` against these limits: no dimension zero, block and grid dimensions and threads per block within
    /// range, dynamic shared memory within the opt-in maximum.
    ///
    /// ```
    /// use ptx_kernel_runtime::{DeviceLimits, Error, LaunchConfig};
    /// let mut cfg = LaunchConfig::for_num_elems(100);
    /// cfg.block_dim = (2048, 1, 1);
    /// assert!(matches!(
    ///     DeviceLimits::EMULATOR.validate(&cfg),
    ///     Err(Error::InvalidLaunch { limit: "block dimension x", requested: 2048, max: 1024 })
    /// ));
    /// ```
    pub fn validate(&self, cfg: &LaunchConfig) -> Result<()> {
        let (g, b) = (cfg.grid_dim, cfg.block_dim);
        let dims = [
            ("grid dimension x", g.0, self.max_grid_dim.0),
            ("grid dimension y", g.1, self.max_grid_dim.1),
            ("grid dimension z", g.2, self.max_grid_dim.2),
            ("block dimension x", b.0, self.max_block_dim.0),
            ("block dimension y", b.1, self.max_block_dim.1),
            ("block dimension z", b.2, self.max_block_dim.2),
        ];
        for (dim, v, _) in dims {
            if v == 0 {
                return Err(Error::EmptyLaunch { dim });
            }
        }
        for (limit, v, max) in dims {
            if v > max {
                return Err(Error::InvalidLaunch { limit, requested: v as u64, max: max as u64 });
            }
        }
        let threads = cfg.threads_per_block();
        if threads > self.max_threads_per_block as u64 {
            return Err(Error::InvalidLaunch {
                limit: "threads per block",
                requested: threads,
                max: self.max_threads_per_block as u64,
            });
        }
        if cfg.shared_mem_bytes > self.max_shared_mem_per_block_optin {
            return Err(Error::InvalidLaunch {
                limit: "dynamic shared memory bytes per block",
                requested: cfg.shared_mem_bytes as u64,
                max: self.max_shared_mem_per_block_optin as u64,
            });
        }
        Ok(())
    }

    /// The checks that depend on the kernel, after [`DeviceLimits::validate`]: at most `kernel_max_threads` per block
    /// (register use can lower it below the device's limit) and `static_smem` + dynamic shared memory within the
    /// opt-in maximum.
    #[inline]
    pub(crate) fn validate_kernel(&self, cfg: &LaunchConfig, kernel_max_threads: u32, static_smem: u32) -> Result<()> {
        let threads = cfg.threads_per_block();
        if threads > kernel_max_threads as u64 {
            return Err(Error::InvalidLaunch {
                limit: "threads per block of this kernel (limited by its register use)",
                requested: threads,
                max: kernel_max_threads as u64,
            });
        }
        let smem = cfg.shared_mem_bytes as u64 + static_smem as u64;
        if smem > self.max_shared_mem_per_block_optin as u64 {
            return Err(Error::InvalidLaunch {
                limit: "shared memory bytes per block (static + dynamic)",
                requested: smem,
                max: self.max_shared_mem_per_block_optin as u64,
            });
        }
        Ok(())
    }
}

/// What a backend reports about its device when opened.
pub(crate) struct DeviceInfo {
    pub(crate) name: String,
    pub(crate) compute_capability: (u32, u32),
    pub(crate) sm_count: u32,
    pub(crate) limits: DeviceLimits,
}

/// The two backends behind [`Device`].
pub(crate) enum Backend {
    Cuda(CudaBackend),
    Emulator(Emulator),
}

/// A hasher for the small integer keys of the kernel cache (Fibonacci hashing).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KernelCache = HashMap<u64, Arc<LoadedKernel>, BuildHasherDefault<IdHasher>>;

pub(crate) struct DeviceInner {
    /// Unique per opened device (never reused); keys identity.
    pub(crate) id: u64,
    pub(crate) ordinal: usize,
    pub(crate) info: DeviceInfo,
    /// Kernels loaded on this device, keyed by `KernelModule` id.
    pub(crate) kernels: RwLock<KernelCache>,
    /// One lock per module being loaded, so two threads never JIT the same module twice while different modules
    /// load (JIT-compile) in parallel.
    pub(crate) loading: Mutex<HashMap<u64, Arc<Mutex<()>>>>,
    pub(crate) backend: Backend,
    /// Kernels with a panic record launched since the last check (see [`crate::panic`]).
    pub(crate) pending_panics: Mutex<Vec<Arc<LoadedKernel>>>,
    /// Whether `pending_panics` may be non-empty (read without the lock at every synchronizing call).
    pub(crate) any_pending: AtomicBool,
}

impl Drop for DeviceInner {
    fn drop(&mut self) {
        let kernels = std::mem::take(self.kernels.get_mut().unwrap_or_else(|e| e.into_inner()));
        if let Backend::Cuda(b) = &self.backend {
            for k in kernels.values() {
                if let Some(ck) = k.cuda() {
                    b.unload(ck);
                }
            }
        }
    }
}

static NEXT_DEVICE_ID: AtomicU64 = AtomicU64::new(1);

/// CUDA devices opened so far, by ordinal: one `Device` per GPU for the life of the process.
static CUDA_DEVICES: Mutex<Vec<(usize, Device)>> = Mutex::new(Vec::new());

/// A device kernels run on: a CUDA GPU or the CPU emulator.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`. Buffers and streams hold a clone, so the device lives as long
/// as they do. Two `Device`s are equal when they are the same device: [`Device::cuda`] returns the same device for the
/// same ordinal every time, while every [`Device::emulator`] call makes a new emulator with its own memory.
#[derive(Clone)]
pub struct Device {
    pub(crate) inner: Arc<DeviceInner>,
}

impl Device {
    /// Opens CUDA device `ordinal` (its primary context). Fails with [`Error::NoDevice`] when libcuda cannot be
    /// loaded, the driver reports no device, or `ordinal` is past the last device; never panics.
    ///
    /// The device stays open for the rest of the process; later calls return the same device.
    pub fn cuda(ordinal: usize) -> Result<Device> {
        let mut open = CUDA_DEVICES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, d)) = open.iter().find(|(o, _)| *o == ordinal) {
            return Ok(d.clone());
        }
        let (backend, info) = CudaBackend::open(ordinal)?;
        let dev = Device::new(ordinal, info, Backend::Cuda(backend));
        open.push((ordinal, dev.clone()));
        Ok(dev)
    }

    /// A new CPU emulator with its own, empty memory. It reports compute capability 9.0, enforces
    /// [`DeviceLimits::EMULATOR`], and runs every launch synchronously.
    pub fn emulator() -> Device {
        let emulator = Emulator::new();
        let info = DeviceInfo {
            name: "ptx-kernel CPU emulator".to_owned(),
            compute_capability: (9, 0),
            sm_count: emulator.sm_count(),
            limits: DeviceLimits::EMULATOR,
        };
        Device::new(0, info, Backend::Emulator(emulator))
    }

    /// Opens the device named by `PTX_KERNEL_DEVICE` (`cuda`, `cuda:N` or `emu`; see [`DeviceSpec::parse`]).
    ///
    /// When the variable is unset or empty: CUDA device 0 if the driver loads and a GPU is present, else the
    /// emulator. When it names a CUDA device that cannot be opened, that error is returned (no silent fallback).
    pub fn from_env() -> Result<Device> {
        let value = match std::env::var(DEVICE_ENV_VAR) {
            Ok(v) => Some(v),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(v)) => {
                return Err(Error::InvalidDeviceSpec(v.to_string_lossy().into_owned()))
            }
        };
        Device::from_spec(DeviceSpec::from_env_value(value.as_deref())?)
    }

    /// Opens the device `spec` names; `None` picks automatically as [`Device::from_env`] does when the variable is
    /// unset.
    pub fn from_spec(spec: Option<DeviceSpec>) -> Result<Device> {
        match spec {
            Some(DeviceSpec::Cuda(n)) => Device::cuda(n),
            Some(DeviceSpec::Emulator) => Ok(Device::emulator()),
            None => Ok(Device::cuda(0).unwrap_or_else(|_| Device::emulator())),
        }
    }

    fn new(ordinal: usize, info: DeviceInfo, backend: Backend) -> Device {
        Device {
            inner: Arc::new(DeviceInner {
                id: NEXT_DEVICE_ID.fetch_add(1, Ordering::Relaxed),
                ordinal,
                info,
                kernels: RwLock::new(KernelCache::default()),
                loading: Mutex::new(HashMap::new()),
                backend,
                pending_panics: Mutex::new(Vec::new()),
                any_pending: AtomicBool::new(false),
            }),
        }
    }

    /// The device's name, e.g. `"NVIDIA H200"` or `"ptx-kernel CPU emulator"`.
    pub fn name(&self) -> String {
        self.inner.info.name.clone()
    }

    /// Whether this is the CPU emulator.
    pub fn is_emulator(&self) -> bool {
        matches!(self.inner.backend, Backend::Emulator(_))
    }

    /// The CUDA ordinal (0 for the emulator).
    pub fn ordinal(&self) -> usize {
        self.inner.ordinal
    }

    /// Compute capability (major, minor); the emulator reports (9, 0).
    pub fn compute_capability(&self) -> (u32, u32) {
        self.inner.info.compute_capability
    }

    /// Compute capability as one number, e.g. 90 for 9.0 (compare with a kernel's `sm_XX` target).
    pub fn sm_version(&self) -> u32 {
        let (major, minor) = self.inner.info.compute_capability;
        major * 10 + minor
    }

    /// Streaming multiprocessors; on the emulator, the number of host threads it runs blocks on (every core the
    /// process may use, `std::thread::available_parallelism`; also its `%nsmid`), useful to size grid-stride
    /// launches.
    pub fn sm_count(&self) -> u32 {
        self.inner.info.sm_count
    }

    /// The launch limits enforced before every launch.
    pub fn limits(&self) -> &DeviceLimits {
        &self.inner.info.limits
    }

    /// Waits until all work queued on the device (every stream) has finished (a no-op on the emulator), then
    /// reports the first kernel panic since the last check as [`Error::KernelPanic`] (see [`crate::panic`]).
    pub fn synchronize(&self) -> Result<()> {
        match &self.inner.backend {
            Backend::Cuda(b) => b.synchronize()?,
            Backend::Emulator(_) => {}
        }
        self.check_panics()
    }

    /// Notes that `kernel` (which has a panic record) was launched.
    #[cold]
    pub(crate) fn mark_panic_pending(&self, kernel: &Arc<LoadedKernel>) {
        self.inner.pending_panics.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::clone(kernel));
        self.inner.any_pending.store(true, Ordering::Release);
    }

    /// Reads the panic records of the kernels launched since the last check (the caller has waited for them):
    /// the first one set is reset and returned as [`Error::KernelPanic`]; the records not read yet stay pending.
    #[inline]
    pub(crate) fn check_panics(&self) -> Result<()> {
        if !self.inner.any_pending.load(Ordering::Acquire) {
            return Ok(());
        }
        self.check_panics_slow()
    }

    #[cold]
    fn check_panics_slow(&self) -> Result<()> {
        let mut pending = self.inner.pending_panics.lock().unwrap_or_else(|e| e.into_inner());
        self.inner.any_pending.store(false, Ordering::Release);
        while let Some(k) = pending.pop() {
            let Some(p) = &k.panic else { continue };
            p.pending.store(false, Ordering::Release);
            let mut rec = [0u8; crate::panic::RECORD_BYTES];
            let read = self.mem_read(p.addr, &mut rec);
            if let Err(e) = read {
                self.inner.any_pending.store(!pending.is_empty(), Ordering::Release);
                return Err(e);
            }
            if let Some(err) = crate::panic::decode(&rec, p.entry, p.sites) {
                self.mem_write(p.addr, &[0u8; crate::panic::RECORD_BYTES])?;
                self.inner.any_pending.store(!pending.is_empty(), Ordering::Release);
                return Err(err);
            }
        }
        Ok(())
    }

    /// A short description for messages: `CUDA device 0 (NVIDIA H200)` or `the CPU emulator #3`.
    pub(crate) fn describe(&self) -> String {
        match &self.inner.backend {
            Backend::Cuda(_) => format!("CUDA device {} ({})", self.inner.ordinal, self.inner.info.name),
            Backend::Emulator(_) => format!("the CPU emulator #{}", self.inner.id),
        }
    }

    /// `Err(WrongDevice)` unless `other` is this device.
    pub(crate) fn expect_same(&self, other: &Device) -> Result<()> {
        if self == other {
            Ok(())
        } else {
            Err(Error::WrongDevice { expected: self.describe(), found: other.describe() })
        }
    }

    // ---- memory, used by `DeviceBuffer` ----

    pub(crate) fn mem_alloc(&self, bytes: usize, zeroed: bool) -> Result<u64> {
        debug_assert!(bytes > 0);
        match &self.inner.backend {
            Backend::Cuda(b) => b.alloc(bytes, zeroed),
            Backend::Emulator(e) => Ok(e.alloc(bytes)),
        }
    }

    pub(crate) fn mem_free(&self, addr: u64) {
        match &self.inner.backend {
            Backend::Cuda(b) => b.free(addr),
            Backend::Emulator(e) => e.free(addr),
        }
    }

    pub(crate) fn mem_write(&self, dst: u64, data: &[u8]) -> Result<()> {
        match &self.inner.backend {
            Backend::Cuda(b) => b.write(dst, data),
            Backend::Emulator(e) => Ok(e.write(dst, data)?),
        }
    }

    pub(crate) fn mem_read(&self, src: u64, out: &mut [u8]) -> Result<()> {
        match &self.inner.backend {
            Backend::Cuda(b) => b.read(src, out),
            Backend::Emulator(e) => Ok(e.read(src, out)?),
        }
    }

    pub(crate) fn mem_copy(&self, dst: u64, src: u64, bytes: usize) -> Result<()> {
        match &self.inner.backend {
            Backend::Cuda(b) => b.copy(dst, src, bytes),
            Backend::Emulator(e) => Ok(e.copy(dst, src, bytes)?),
        }
    }

    pub(crate) fn cuda_backend(&self) -> Option<&CudaBackend> {
        match &self.inner.backend {
            Backend::Cuda(b) => Some(b),
            Backend::Emulator(_) => None,
        }
    }
}

impl PartialEq for Device {
    fn eq(&self, other: &Device) -> bool {
        self.inner.id == other.inner.id
    }
}

impl Eq for Device {}

impl std::hash::Hash for Device {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.id.hash(state)
    }
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (major, minor) = self.compute_capability();
        f.debug_struct("Device")
            .field("kind", &if self.is_emulator() { "emulator" } else { "cuda" })
            .field("ordinal", &self.ordinal())
            .field("name", &self.inner.info.name)
            .field("compute_capability", &format_args!("{major}.{minor}"))
            .finish()
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Whether libcuda can be loaded on this machine (checked without panicking).
pub fn cuda_driver_present() -> bool {
    cuda::driver_present()
}
