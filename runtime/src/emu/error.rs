//! The emulator's errors: every fault names the kernel, the block and the thread, and memory faults the address and
//! the nearest buffer, so that a failing kernel can be debugged from the message alone.

use std::fmt;

use ptx_gen::read::ReadError;

/// A thread or block coordinate `(x, y, z)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Dim3 {
    /// x.
    pub x: u32,
    /// y.
    pub y: u32,
    /// z.
    pub z: u32,
}

impl Dim3 {
    /// `(x, y, z)`.
    pub const fn new(x: u32, y: u32, z: u32) -> Dim3 {
        Dim3 { x, y, z }
    }
}

impl From<(u32, u32, u32)> for Dim3 {
    fn from((x, y, z): (u32, u32, u32)) -> Dim3 {
        Dim3 { x, y, z }
    }
}

impl fmt::Display for Dim3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {}, {})", self.x, self.y, self.z)
    }
}

/// The state space an access went to (after generic addresses are resolved).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemSpace {
    /// Device memory: the allocations and the module's `.global` variables.
    Global,
    /// The block's shared memory.
    Shared,
    /// The thread's local memory.
    Local,
    /// The module's constant bank.
    Const,
    /// The kernel's parameters.
    Param,
    /// A generic address that lies in no window (see the module documentation for the address map).
    Generic,
}

impl fmt::Display for MemSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MemSpace::Global => "global",
            MemSpace::Shared => "shared",
            MemSpace::Local => "local",
            MemSpace::Const => "const",
            MemSpace::Param => "param",
            MemSpace::Generic => "generic",
        })
    }
}

/// The buffer closest to a faulting address, to tell "one past the end" from "a stale pointer".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NearestBuffer {
    /// First byte of the buffer (for shared, local, const and param memory: 0, the start of that space).
    pub base: u64,
    /// Its size in bytes.
    pub size: u64,
    /// `address - base` (negative before the buffer).
    pub offset: i64,
}

impl fmt::Display for NearestBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nearest buffer {:#x} ({} bytes), offset {}", self.base, self.size, self.offset)?;
        if self.offset < 0 {
            write!(f, " ({} bytes before its start)", self.offset.unsigned_abs())
        } else if self.offset as u64 >= self.size {
            write!(f, " ({} bytes past its end)", self.offset as u64 - self.size)
        } else {
            // The access starts inside but runs past the end.
            f.write_str(" (the access runs past its end)")
        }
    }
}

fn nearest_text(n: &Option<NearestBuffer>) -> String {
    match n {
        Some(n) => format!("; {n}"),
        None => "; there is no buffer".to_owned(),
    }
}

/// What went wrong loading or running a module on the emulator.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmuError {
    /// The PTX text could not be read into the IR.
    #[error("emulator: cannot read the PTX: {0}")]
    Read(#[from] ReadError),

    /// The module uses an instruction (or a form of one) the emulator does not implement. Reported when the module
    /// is loaded, never in the middle of a launch.
    #[error("emulator: `{kernel}` uses `{instruction}`, which the emulator does not implement{}", detail_text(.detail))]
    Unsupported {
        /// The function that uses it.
        kernel: String,
        /// The instruction (opcode and modifiers, or its IR form).
        instruction: String,
        /// Why, when more can be said (e.g. "recursive call").
        detail: String,
    },

    /// The IR is malformed in a way the reader or builder let through (a register, block or variable that does not
    /// exist, a block without a terminator, …).
    #[error("emulator: `{kernel}` is malformed: {message}")]
    InvalidModule {
        /// The function at fault (empty for module-level problems).
        kernel: String,
        /// What is wrong.
        message: String,
    },

    /// `launch` named a kernel the module does not have.
    #[error("emulator: the module has no kernel `{name}` (its kernels: {available})")]
    NoSuchKernel {
        /// The requested entry.
        name: String,
        /// The kernels it has, comma-separated.
        available: String,
    },

    /// The arguments do not match the kernel's parameters.
    #[error("emulator: kernel `{kernel}`: {message}")]
    InvalidArguments {
        /// The kernel.
        kernel: String,
        /// What does not match.
        message: String,
    },

    /// The launch configuration cannot be run (a zero dimension, too many threads, …).
    #[error("emulator: kernel `{kernel}`: invalid launch configuration: {message}")]
    InvalidLaunch {
        /// The kernel.
        kernel: String,
        /// What is wrong.
        message: String,
    },

    /// The module was loaded by another emulator (its `.global` variables live in that emulator's memory).
    #[error("emulator: the module's `.global` variables cannot be placed in this emulator: {message}")]
    ForeignModule {
        /// What happened.
        message: String,
    },

    /// A kernel accessed memory outside every allocation (or outside its shared/local/const/param space).
    #[error(
        "emulator: kernel `{kernel}`: thread {thread} of block {block} accessed {size} bytes of {space} memory at \
         {address:#x}, outside {}{}",
        space_extent(*.space), nearest_text(.nearest)
    )]
    OutOfBounds {
        /// The kernel.
        kernel: String,
        /// The faulting thread's block (`%ctaid`).
        block: Dim3,
        /// The faulting thread (`%tid`).
        thread: Dim3,
        /// The space the access went to.
        space: MemSpace,
        /// The address in that space (for generic accesses: the generic address).
        address: u64,
        /// Bytes accessed.
        size: u32,
        /// The closest buffer, when there is one.
        nearest: Option<NearestBuffer>,
    },

    /// An access was not aligned to its size (the GPU faults with "misaligned address").
    #[error(
        "emulator: kernel `{kernel}`: thread {thread} of block {block} accessed {size} bytes of {space} memory at \
         {address:#x}, which is not {size}-byte aligned"
    )]
    Misaligned {
        /// The kernel.
        kernel: String,
        /// The faulting thread's block.
        block: Dim3,
        /// The faulting thread.
        thread: Dim3,
        /// The space.
        space: MemSpace,
        /// The address.
        address: u64,
        /// Bytes accessed (also the required alignment).
        size: u32,
    },

    /// The threads of a block wait on a barrier that can never complete.
    #[error(
        "emulator: kernel `{kernel}`: deadlock in block {block}: {arrived} of the {expected} threads barrier \
         {barrier} waits for have arrived, and no other thread of the block can run{}",
        detail_text(.detail)
    )]
    Deadlock {
        /// The kernel.
        kernel: String,
        /// The block.
        block: Dim3,
        /// The barrier id (0..15).
        barrier: u32,
        /// Threads that arrived.
        arrived: u32,
        /// Threads the barrier needs (its count, or every thread of the block that has not exited).
        expected: u32,
        /// Where the other threads are.
        detail: String,
    },

    /// A warp-level collective (`shfl.sync`, `vote.sync`, `bar.warp.sync`) misused: an executing lane missing from
    /// its member mask, lanes meeting at different collectives, or member lanes that never arrive.
    #[error("emulator: kernel `{kernel}`: block {block}, warp {warp}: {message}")]
    Collective {
        /// The kernel.
        kernel: String,
        /// The block.
        block: Dim3,
        /// The warp within the block.
        warp: u32,
        /// What happened.
        message: String,
    },

    /// A barrier instruction with an invalid operand (id outside 0..15, a zero thread count).
    #[error("emulator: kernel `{kernel}`: thread {thread} of block {block}: {message}")]
    InvalidBarrier {
        /// The kernel.
        kernel: String,
        /// The block.
        block: Dim3,
        /// The thread.
        thread: Dim3,
        /// What is wrong.
        message: String,
    },

    /// A block issued more warp instructions than the emulator's limit ([`super::Emulator::with_instruction_limit`]):
    /// most likely an endless loop.
    #[error(
        "emulator: kernel `{kernel}`: block {block} issued more than {limit} warp instructions (the emulator's \
         instruction limit): an endless loop?"
    )]
    InstructionLimit {
        /// The kernel.
        kernel: String,
        /// The block.
        block: Dim3,
        /// The limit.
        limit: u64,
    },

    /// A thread executed `trap`.
    #[error("emulator: kernel `{kernel}`: thread {thread} of block {block} executed `trap`")]
    Trap {
        /// The kernel.
        kernel: String,
        /// The block.
        block: Dim3,
        /// The first trapping thread.
        thread: Dim3,
    },

    /// A host copy touched memory outside every allocation.
    #[error(
        "emulator: host access of {len} bytes at {address:#x} is outside every allocation{}",
        nearest_text(.nearest)
    )]
    HostOutOfBounds {
        /// First byte.
        address: u64,
        /// Bytes.
        len: usize,
        /// The closest buffer, when there is one.
        nearest: Option<NearestBuffer>,
    },
}

fn detail_text(d: &str) -> String {
    if d.is_empty() {
        String::new()
    } else {
        format!(" ({d})")
    }
}

fn space_extent(space: MemSpace) -> &'static str {
    match space {
        MemSpace::Global => "every allocation",
        MemSpace::Shared => "the block's shared memory",
        MemSpace::Local => "the thread's local memory",
        MemSpace::Const => "the module's constant memory",
        MemSpace::Param => "the kernel's parameters",
        MemSpace::Generic => "every generic-address window",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_names_thread_and_buffer() {
        let e = EmuError::OutOfBounds {
            kernel: "k".into(),
            block: Dim3::new(1, 0, 0),
            thread: Dim3::new(3, 0, 0),
            space: MemSpace::Global,
            address: 0x7_0000_0400,
            size: 4,
            nearest: Some(NearestBuffer { base: 0x7_0000_0000, size: 1024, offset: 1024 }),
        };
        let s = e.to_string();
        assert!(s.contains("thread (3, 0, 0) of block (1, 0, 0)"), "{s}");
        assert!(s.contains("0x700000400"), "{s}");
        assert!(s.contains("0 bytes past its end"), "{s}");
    }
}
