//! Loading PTX modules once per device and launching their entry: the layer `#[ptx_kernel]`'s generated code calls.

use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::cuda::{CudaKernel, CudaStream};
use crate::device::{Backend, Device};
use crate::emu::EmuModule;
use crate::error::{Error, Result};
use crate::LaunchConfig;

static NEXT_MODULE_ID: AtomicU64 = AtomicU64::new(1);

/// One kernel: its PTX module text, entry name and target, plus the key of its per-device cache.
///
/// Generated code keeps one in a `static` (it must be a `static`, not a `const`: the module is cached per device
/// under an id the first launch assigns) and launches through it:
///
/// ```no_run
/// # use ptx_kernel_runtime::{Device, KernelModule, LaunchConfig};
/// static PTX: &str = ".version 7.0\n.target sm_52\n.address_size 64\n.visible .entry fill(.param .u64 p, .param .u32 n)\n{\n ret;\n}\n";
/// static FILL: KernelModule = KernelModule::new(PTX, "fill", 52);
/// # fn main() -> ptx_kernel_runtime::Result<()> {
/// let dev = Device::from_env()?;
/// let buf = dev.alloc_zeros::<u32>(1000)?;
/// FILL.launch(&dev, LaunchConfig::for_num_elems(1000),
///             &[&buf.device_ptr().to_ne_bytes(), &(buf.len() as u32).to_ne_bytes()])?;
/// # Ok(()) }
/// ```
///
/// The module is loaded (JIT-compiled by the driver, or decoded by the emulator) on the first launch on each device
/// and cached in that device; later launches take a read lock, check the configuration and launch, without
/// allocating (up to 32 arguments).
#[derive(Debug)]
pub struct KernelModule {
    ptx: &'static str,
    entry: &'static str,
    target_sm: u32,
    id: AtomicU64,
    /// `file:line:col` of each check site when the module has a panic record (see [`crate::panic`]).
    panic_sites: Option<&'static [&'static str]>,
}

impl KernelModule {
    /// A kernel: the module text `ptx`, its `.entry` named `entry`, compiled for `sm_{target_sm}` (e.g. 75).
    pub const fn new(ptx: &'static str, entry: &'static str, target_sm: u32) -> Self {
        KernelModule { ptx, entry, target_sm, id: AtomicU64::new(0), panic_sites: None }
    }

    /// This kernel, whose module declares the panic record [`panic::RECORD_NAME`](crate::panic::RECORD_NAME) with
    /// check sites `sites` (site id → `file:line:col`): launches mark the module, and the next synchronizing call
    /// on the device reports a panic as [`Error::KernelPanic`].
    pub const fn with_panic_sites(self, sites: &'static [&'static str]) -> Self {
        KernelModule { panic_sites: Some(sites), ..self }
    }

    /// The check sites, when the module has a panic record.
    pub fn panic_sites(&self) -> Option<&'static [&'static str]> {
        self.panic_sites
    }

    /// The PTX text.
    pub fn ptx(&self) -> &'static str {
        self.ptx
    }

    /// The entry's name.
    pub fn entry(&self) -> &'static str {
        self.entry
    }

    /// The target architecture, e.g. 75 for sm_75.
    pub fn target_sm(&self) -> u32 {
        self.target_sm
    }

    /// This module's cache key, assigned on first use.
    #[inline]
    fn key(&self) -> u64 {
        let id = self.id.load(Ordering::Relaxed);
        if id != 0 {
            return id;
        }
        let fresh = NEXT_MODULE_ID.fetch_add(1, Ordering::Relaxed);
        match self.id.compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => fresh,
            Err(won) => won,
        }
    }

    /// Loads the module on `dev` now (otherwise the first launch does), e.g. to keep JIT time out of a measurement.
    /// Checks the target against the device first ([`Error::UnsupportedTarget`]); load errors are
    /// [`Error::ModuleLoad`] with the JIT log.
    pub fn preload(&'static self, dev: &Device) -> Result<()> {
        dev.kernel(self).map(drop)
    }

    /// What the driver's JIT compiler logged when it loaded the module on `dev` (loading it now if needed): warnings
    /// and, where the driver gives them, resource notes. Empty on the emulator.
    pub fn jit_info_log(&'static self, dev: &Device) -> Result<String> {
        Ok(dev.kernel(self)?.cuda().map(|k| k.info_log.clone()).unwrap_or_default())
    }

    /// Launches the kernel on `dev`'s default stream with `args`, one byte slice per parameter in order (scalars as
    /// `to_ne_bytes()`, buffers as `device_ptr().to_ne_bytes()`).
    ///
    /// Asynchronous on CUDA (a later [`DeviceBuffer::download`](crate::DeviceBuffer::download) or
    /// [`Device::synchronize`] waits), synchronous on the emulator. Before launching it checks the configuration
    /// against the device's limits ([`Error::EmptyLaunch`], [`Error::InvalidLaunch`]), the kernel's target
    /// ([`Error::UnsupportedTarget`]), the kernel's own limits (threads per block, static + dynamic shared memory),
    /// and the arguments against the parameters declared in the PTX ([`Error::InvalidArguments`]). Dynamic shared
    /// memory above 48 KiB is opted into automatically.
    ///
    /// This is the low-level entry used by generated launchers: the caller is responsible for pointer arguments
    /// addressing live memory of `dev` (see [`DeviceBuffer::check_device`](crate::DeviceBuffer::check_device)).
    #[inline]
    pub fn launch(&'static self, dev: &Device, cfg: LaunchConfig, args: &[&[u8]]) -> Result<()> {
        dev.limits().validate(&cfg)?;
        let kernel = dev.kernel(self)?;
        self.launch_loaded(dev, &kernel, ptr::null_mut(), &cfg, args)
    }

    /// [`KernelModule::launch`] on `stream` (of the stream's device). CUDA launches on different streams may
    /// overlap; on the emulator streams are synchronous.
    #[inline]
    pub fn launch_on(&'static self, stream: &Stream, cfg: LaunchConfig, args: &[&[u8]]) -> Result<()> {
        let dev = &stream.device;
        dev.limits().validate(&cfg)?;
        let kernel = dev.kernel(self)?;
        let raw = stream.cuda.as_ref().map_or(ptr::null_mut(), |s| s.0);
        self.launch_loaded(dev, &kernel, raw, &cfg, args)
    }

    #[inline]
    fn launch_loaded(
        &self,
        dev: &Device,
        kernel: &Arc<LoadedKernel>,
        stream: cudarc::driver::sys::CUstream,
        cfg: &LaunchConfig,
        args: &[&[u8]],
    ) -> Result<()> {
        crate::occupancy::check_launch_bound(kernel, cfg)?;
        dev.limits().validate_kernel(cfg, kernel.max_threads, kernel.static_smem)?;
        if let Some(params) = &kernel.params {
            if params.len() != args.len() || params.iter().zip(args).any(|(&p, a)| p as usize != a.len()) {
                return Err(self.argument_error(params, args));
            }
        }
        match (&dev.inner.backend, &kernel.kind) {
            // SAFETY: arguments match the declared parameter sizes (checked above when the PTX could be read);
            // pointer validity is the generated launcher's contract.
            (Backend::Cuda(b), LoadedKind::Cuda(k)) => unsafe { b.launch(k, cfg, stream, args)? },
            (Backend::Emulator(e), LoadedKind::Emulator(m)) => e.launch(m, self.entry, cfg, args)?,
            _ => unreachable!("a device caches only kernels of its own backend"),
        }
        if let Some(p) = &kernel.panic {
            // Only the first launch since the last check takes the device's lock.
            if !p.pending.load(Ordering::Relaxed) && !p.pending.swap(true, Ordering::AcqRel) {
                dev.mark_panic_pending(kernel);
            }
        }
        Ok(())
    }

    #[cold]
    fn argument_error(&self, params: &[u32], args: &[&[u8]]) -> Error {
        let reason = if params.len() != args.len() {
            format!("the PTX declares {} parameter(s) but {} argument(s) were given", params.len(), args.len())
        } else {
            let (i, (p, a)) = params.iter().zip(args).enumerate().find(|(_, (&p, a))| p as usize != a.len()).unwrap();
            format!("parameter {i} is {p} byte(s) but argument {i} is {} byte(s)", a.len())
        };
        Error::InvalidArguments { kernel: self.entry.to_owned(), reason }
    }
}

/// A kernel loaded on one device.
pub(crate) struct LoadedKernel {
    kind: LoadedKind,
    /// Byte size of each parameter, read from the PTX; `None` when the declaration could not be read.
    params: Option<Box<[u32]>>,
    pub(crate) max_threads: u32,
    pub(crate) static_smem: u32,
    /// The entry's `.maxntid` (its `launch_bounds(max_threads = …)`), read from the PTX.
    pub(crate) launch_bound: Option<u32>,
    /// The module's panic record, when it has one.
    pub(crate) panic: Option<PanicSlot>,
}

/// Where a loaded module's panic record lives, and whether it was launched since the last check.
pub(crate) struct PanicSlot {
    pub(crate) addr: u64,
    pub(crate) pending: AtomicBool,
    pub(crate) entry: &'static str,
    pub(crate) sites: &'static [&'static str],
}

enum LoadedKind {
    Cuda(CudaKernel),
    Emulator(EmuModule),
}

impl PanicSlot {
    fn new(addr: u64, m: &'static KernelModule, sites: &'static [&'static str]) -> PanicSlot {
        PanicSlot { addr, pending: AtomicBool::new(false), entry: m.entry, sites }
    }
}

impl LoadedKernel {
    pub(crate) fn cuda(&self) -> Option<&CudaKernel> {
        match &self.kind {
            LoadedKind::Cuda(k) => Some(k),
            LoadedKind::Emulator(_) => None,
        }
    }
}

impl Device {
    /// The kernel `m` loaded on this device: a read-locked lookup, or a load on the first call.
    #[inline]
    pub(crate) fn kernel(&self, m: &'static KernelModule) -> Result<Arc<LoadedKernel>> {
        let key = m.key();
        {
            let cache = self.inner.kernels.read().unwrap_or_else(|e| e.into_inner());
            if let Some(k) = cache.get(&key) {
                return Ok(Arc::clone(k));
            }
        }
        self.load_kernel(m, key)
    }

    #[cold]
    fn load_kernel(&self, m: &'static KernelModule, key: u64) -> Result<Arc<LoadedKernel>> {
        let device_sm = self.sm_version();
        if m.target_sm > device_sm {
            return Err(Error::UnsupportedTarget { kernel: m.entry.to_owned(), target_sm: m.target_sm, device_sm });
        }
        let module_lock = {
            let mut loading = self.inner.loading.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(loading.entry(key).or_default())
        };
        let _loading = module_lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = self.inner.kernels.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(Arc::clone(k));
        }
        let loaded = self.load_kernel_now(m, key);
        self.inner.loading.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        loaded
    }

    /// Loads `m` (the caller holds its module lock) and caches it under `key`.
    fn load_kernel_now(&self, m: &'static KernelModule, key: u64) -> Result<Arc<LoadedKernel>> {
        let loaded = match &self.inner.backend {
            Backend::Cuda(b) => {
                let k = b.load(m.ptx, m.entry)?;
                let params = entry_param_sizes(m.ptx, m.entry).map(Vec::into_boxed_slice);
                let panic = match m.panic_sites {
                    Some(sites) => Some(PanicSlot::new(b.global_address(&k, crate::panic::RECORD_NAME)?, m, sites)),
                    None => None,
                };
                LoadedKernel {
                    panic,
                    max_threads: k.max_threads,
                    static_smem: k.static_smem,
                    kind: LoadedKind::Cuda(k),
                    params,
                    launch_bound: crate::occupancy::entry_max_ntid(m.ptx, m.entry),
                }
            }
            Backend::Emulator(e) => {
                let load_error = |log: String| Error::ModuleLoad { entry: m.entry.to_owned(), log };
                let module = e.load_module(m.ptx).map_err(|err| load_error(err.to_string()))?;
                let Some(params) = module.param_sizes(m.entry) else {
                    let names: Vec<&str> = module.kernel_names().collect();
                    return Err(load_error(format!(
                        "the module loaded but has no `.entry {}` (its entries: {})",
                        m.entry,
                        if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                    )));
                };
                let params = params.into_iter().map(|p| u32::try_from(p).unwrap_or(u32::MAX)).collect();
                let static_smem = module.static_shared_bytes(m.entry).unwrap_or(0);
                let panic = match m.panic_sites {
                    Some(sites) => {
                        let addr = module.global_address(e, crate::panic::RECORD_NAME)?.ok_or_else(|| {
                            load_error(format!("the module has no `.global {}`", crate::panic::RECORD_NAME))
                        })?;
                        Some(PanicSlot::new(addr, m, sites))
                    }
                    None => None,
                };
                LoadedKernel {
                    panic,
                    max_threads: self.limits().max_threads_per_block,
                    static_smem: u32::try_from(static_smem).unwrap_or(u32::MAX),
                    kind: LoadedKind::Emulator(module),
                    params: Some(params),
                    launch_bound: crate::occupancy::entry_max_ntid(m.ptx, m.entry),
                }
            }
        };
        let loaded = Arc::new(loaded);
        self.inner.kernels.write().unwrap_or_else(|e| e.into_inner()).insert(key, Arc::clone(&loaded));
        Ok(loaded)
    }

    /// A new stream on this device. On CUDA, work on different streams may overlap; streams are created blocking,
    /// so buffer copies (on the default stream) still wait for them. On the emulator every stream is synchronous.
    pub fn new_stream(&self) -> Result<Stream> {
        let cuda = match self.cuda_backend() {
            Some(b) => Some(b.new_stream()?),
            None => None,
        };
        Ok(Stream { device: self.clone(), cuda })
    }
}

/// A queue of launches on one device; see [`Device::new_stream`] and [`KernelModule::launch_on`].
pub struct Stream {
    device: Device,
    cuda: Option<CudaStream>,
}

impl Stream {
    /// The device the stream belongs to.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Waits until the work queued on this stream has finished (a no-op on the emulator), then reports a kernel
    /// panic of the device ([`Error::KernelPanic`]) if there was one.
    pub fn synchronize(&self) -> Result<()> {
        if let (Some(s), Some(b)) = (&self.cuda, self.device.cuda_backend()) {
            b.stream_synchronize(s)?;
        }
        self.device.check_panics()
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let (Some(s), Some(b)) = (&self.cuda, self.device.cuda_backend()) {
            b.destroy_stream(s);
        }
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stream on {}", self.device.describe())
    }
}

/// Byte sizes of the parameters of `.entry entry` in `ptx`, in order; `None` if the entry or a parameter
/// declaration cannot be read (then arguments are not checked).
pub(crate) fn entry_param_sizes(ptx: &str, entry: &str) -> Option<Vec<u32>> {
    let text = strip_comments(ptx);
    let mut rest = text.as_str();
    let after = loop {
        let at = rest.find(".entry")?;
        let tail = &rest[at + ".entry".len()..];
        let tail_trim = tail.trim_start();
        if tail.len() != tail_trim.len() {
            if let Some(after_name) = tail_trim.strip_prefix(entry) {
                if !after_name.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                    break after_name.trim_start();
                }
            }
        }
        rest = tail;
    };
    let Some(list) = after.strip_prefix('(') else {
        return Some(Vec::new()); // `.entry name {` or `.entry name .maxntid …`: no parameters
    };
    let list = &list[..list.find(')')?];
    if list.trim().is_empty() {
        return Some(Vec::new());
    }
    list.split(',').map(param_size).collect()
}

/// The size of one `.param [.ptr …] [.align N] .TYPE name[[N]]` declaration.
fn param_size(decl: &str) -> Option<u32> {
    let tokens: Vec<&str> = decl.split_whitespace().collect();
    if tokens.first() != Some(&".param") {
        return None;
    }
    let ty = tokens[1..].iter().find_map(|t| scalar_size(t))?;
    let name = tokens.last()?;
    let count = match name.find('[') {
        None => 1,
        Some(open) => name[open + 1..].strip_suffix(']')?.trim().parse::<u32>().ok()?,
    };
    ty.checked_mul(count)
}

fn scalar_size(t: &str) -> Option<u32> {
    Some(match t {
        ".b8" | ".u8" | ".s8" => 1,
        ".b16" | ".u16" | ".s16" | ".f16" | ".bf16" => 2,
        ".b32" | ".u32" | ".s32" | ".f32" | ".f16x2" | ".bf16x2" => 4,
        ".b64" | ".u64" | ".s64" | ".f64" => 8,
        _ => return None,
    })
}

pub(crate) fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let line = rest.find("//");
        let block = rest.find("/*");
        match (line, block) {
            (Some(l), b) if b.is_none_or(|b| l < b) => {
                out.push_str(&rest[..l]);
                rest = &rest[l..];
                rest = rest.find('\n').map_or("", |n| &rest[n..]);
            }
            (_, Some(b)) => {
                out.push_str(&rest[..b]);
                out.push(' ');
                rest = rest[b + 2..].find("*/").map_or("", |e| &rest[b + 2 + e + 2..]);
            }
            (_, None) => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PTX: &str = "
.version 7.0
.target sm_52
.address_size 64
// .entry decoy(.param .u8 x)
.visible .entry saxpy_x(.param .u32 a) { ret; }
.visible .entry saxpy(
\t.param .f32 saxpy_param_0,   /* a */
\t.param .u64 .ptr .global .align 4 saxpy_param_1,
\t.param .align 16 .b8 saxpy_param_2[24],
\t.param .u16 saxpy_param_3
)
{
\tret;
}
.entry empty { ret; }
.entry empty2() { ret; }
";

    #[test]
    fn reads_param_sizes() {
        assert_eq!(entry_param_sizes(PTX, "saxpy"), Some(vec![4, 8, 24, 2]));
        assert_eq!(entry_param_sizes(PTX, "saxpy_x"), Some(vec![4]));
        assert_eq!(entry_param_sizes(PTX, "empty"), Some(vec![]));
        assert_eq!(entry_param_sizes(PTX, "empty2"), Some(vec![]));
        assert_eq!(entry_param_sizes(PTX, "decoy"), None);
        assert_eq!(entry_param_sizes(PTX, "missing"), None);
        assert_eq!(entry_param_sizes(".entry k(.param .weird x) {}", "k"), None);
    }

    #[test]
    fn module_keys_are_stable_and_distinct() {
        static A: KernelModule = KernelModule::new("", "a", 52);
        static B: KernelModule = KernelModule::new("", "b", 52);
        let (a, b) = (A.key(), B.key());
        assert_ne!(a, b);
        assert_eq!(a, A.key());
    }
}
