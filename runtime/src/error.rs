//! The runtime's one error type.

use crate::emu::EmuError;

/// Result of every fallible runtime operation.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong loading, launching or moving data.
///
/// Every message is a full sentence that names the call, the limit or the versions involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A CUDA driver API call returned an error.
    #[error("the CUDA driver call {call} failed with {name}: {message}")]
    Driver {
        /// The driver function, e.g. `cuLaunchKernel`.
        call: &'static str,
        /// The `CUresult` name, e.g. `CUDA_ERROR_INVALID_VALUE`.
        name: String,
        /// The driver's description of the error.
        message: String,
    },

    /// No CUDA device could be opened (no libcuda, no GPU, or an ordinal past the last device).
    #[error("no CUDA device is available: {reason}")]
    NoDevice {
        /// Why, in words.
        reason: String,
    },

    /// `PTX_KERNEL_DEVICE` (or a string given to [`DeviceSpec::parse`](crate::DeviceSpec::parse)) is not understood.
    #[error(
        "the device specification {0:?} is not valid; accepted forms are `cuda` (CUDA device 0), `cuda:N` \
         (CUDA device N, e.g. `cuda:1`) and `emu` (the CPU emulator)"
    )]
    InvalidDeviceSpec(String),

    /// A grid or block dimension of a launch is zero.
    #[error("the launch configuration has {dim} = 0; every grid and block dimension must be at least 1")]
    EmptyLaunch {
        /// Which dimension, e.g. `"grid dimension x"` or `"block dimension z"`.
        dim: &'static str,
    },

    /// A launch configuration exceeds a device (or kernel) limit.
    #[error("the launch configuration requests {requested} for {limit}, but the maximum is {max}")]
    InvalidLaunch {
        /// The limit, e.g. `"threads per block"`, `"grid dimension y"`, `"shared memory bytes per block"`.
        limit: &'static str,
        /// What the launch asked for.
        requested: u64,
        /// The largest value allowed.
        max: u64,
    },

    /// The kernel was compiled for a newer architecture than the device has.
    #[error(
        "kernel `{kernel}` targets sm_{target_sm}, but the device has compute capability {}.{} (sm_{device_sm}); \
         recompile the kernel for sm_{device_sm} or older, or run it on a newer device",
        device_sm / 10,
        device_sm % 10
    )]
    UnsupportedTarget {
        /// The kernel's entry name.
        kernel: String,
        /// The kernel's target, e.g. `100` for sm_100.
        target_sm: u32,
        /// The device's compute capability as a number, e.g. `90` for 9.0.
        device_sm: u32,
    },

    /// The PTX module could not be loaded (JIT-compiled) or has no such entry.
    #[error("loading the PTX module of kernel `{entry}` failed:\n{log}")]
    ModuleLoad {
        /// The kernel's entry name.
        entry: String,
        /// The JIT compiler's error log (or the emulator's message).
        log: String,
    },

    /// A host slice's length does not match the device buffer's.
    #[error("length mismatch: the device buffer holds {expected} elements but the host data has {got}")]
    LengthMismatch {
        /// The device buffer's length.
        expected: usize,
        /// The host slice's length.
        got: usize,
    },

    /// The arguments given to a launch do not match the kernel's parameters (count or byte sizes).
    #[error("the arguments of kernel `{kernel}` do not match its parameters: {reason}")]
    InvalidArguments {
        /// The kernel's entry name.
        kernel: String,
        /// What differs, e.g. "expected 3 arguments, got 2".
        reason: String,
    },

    /// `len` elements of `elem` do not fit in the address space.
    #[error("a buffer of {len} elements of {elem} is larger than the address space")]
    AllocationTooLarge {
        /// Requested elements.
        len: usize,
        /// The element type's name.
        elem: &'static str,
    },

    /// A buffer or stream of one device was used with another.
    #[error("a buffer or stream that belongs to {found} was used with {expected}")]
    WrongDevice {
        /// The device the operation runs on.
        expected: String,
        /// The device the buffer or stream belongs to.
        found: String,
    },

    /// A kernel panicked (index out of bounds, division by zero or with overflow, …): the first panic of a kernel
    /// module since the last check, reported at the next synchronizing call on the device (see
    /// [`panic`](crate::panic)). Displayed like Rust's panic message: `index out of bounds: the len is 1000 but the
    /// index is 1024 at examples/foo.rs:12:9 (block (3,0,0), thread (7,0,0))`. The device stays usable.
    #[error(
        "{message} at {location} (block ({},{},{}), thread ({},{},{}))",
        block.0, block.1, block.2, thread.0, thread.1, thread.2
    )]
    KernelPanic {
        /// The kernel's entry name.
        kernel: String,
        /// Rust's panic message, e.g. `attempt to divide by zero`.
        message: String,
        /// `file:line:col` of the expression that panicked, as rustc prints it.
        location: String,
        /// `%ctaid` of the panicking thread.
        block: (u32, u32, u32),
        /// `%tid` of the panicking thread.
        thread: (u32, u32, u32),
    },

    /// The CPU emulator reported an error.
    #[error(transparent)]
    Emulator(#[from] EmuError),
}
