//! Kernel panics: the device-side panic record of a module and how the host finds it.
//!
//! A kernel compiled by `#[ptx_kernel]` with run-time checks (bounds, division) declares one module variable,
//! [`RECORD_NAME`], of [`RECORD_BYTES`] bytes, laid out as below (all little-endian). A thread that fails a check
//! claims the record with `atom.global.cas.b32 [flag], 0, 1`: only the first panic of the module writes the other
//! fields; then the thread exits (`ret`, no `trap`, so the CUDA context stays usable and the other threads finish).
//!
//! | bytes | field |
//! |---|---|
//! | 0..4 | flag (0: no panic, 1: claimed) |
//! | 4..8 | kind ([`PanicKind`] code) |
//! | 8..12 | site: index into the launcher's table of `file:line:col` strings |
//! | 16..24 | index (bounds checks) |
//! | 24..32 | length (bounds checks) |
//! | 32..44 | `%ctaid.x/y/z` |
//! | 44..56 | `%tid.x/y/z` |
//!
//! The runtime reads records only at synchronizing calls ([`Device::synchronize`](crate::Device::synchronize),
//! [`Stream::synchronize`](crate::Stream::synchronize), [`DeviceBuffer::download`](crate::DeviceBuffer::download)…):
//! a launch of a module with a record only marks the module as launched (an atomic flag; the device's list is
//! locked on the first launch since the last check), with no driver call. A set record is reset and reported as
//! [`Error::KernelPanic`](crate::Error::KernelPanic).

/// The name of the panic record's `.global` variable.
pub const RECORD_NAME: &str = "__ptx_kernel_panic";
/// The record's size in bytes (declared as `.global .align 8 .b32 __ptx_kernel_panic[16]`).
pub const RECORD_BYTES: usize = 64;

/// Byte offsets of the record's fields.
#[allow(missing_docs)]
pub mod offset {
    pub const FLAG: i64 = 0;
    pub const KIND: i64 = 4;
    pub const SITE: i64 = 8;
    pub const INDEX: i64 = 16;
    pub const LEN: i64 = 24;
    pub const CTAID: i64 = 32;
    pub const TID: i64 = 44;
}

/// What panicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum PanicKind {
    /// `x[i]` with `i >= x.len()`.
    IndexOutOfBounds = 1,
    /// `a / 0`.
    DivideByZero = 2,
    /// `a % 0`.
    RemainderByZero = 3,
    /// `MIN / -1`.
    DivideOverflow = 4,
    /// `MIN % -1`.
    RemainderOverflow = 5,
    /// `(a..b).step_by(0)`.
    StepByZero = 6,
}

impl PanicKind {
    /// The kind with code `c`.
    pub fn from_code(c: u32) -> Option<PanicKind> {
        use PanicKind::*;
        [IndexOutOfBounds, DivideByZero, RemainderByZero, DivideOverflow, RemainderOverflow, StepByZero]
            .into_iter()
            .find(|k| *k as u32 == c)
    }

    /// Rust's panic message for this kind.
    pub fn message(self, index: u64, len: u64) -> String {
        match self {
            PanicKind::IndexOutOfBounds => format!("index out of bounds: the len is {len} but the index is {index}"),
            PanicKind::DivideByZero => "attempt to divide by zero".into(),
            PanicKind::RemainderByZero => "attempt to calculate the remainder with a divisor of zero".into(),
            PanicKind::DivideOverflow => "attempt to divide with overflow".into(),
            PanicKind::RemainderOverflow => "attempt to calculate the remainder with overflow".into(),
            PanicKind::StepByZero => "assertion failed: step != 0".into(),
        }
    }
}

/// The error a set record describes, or `None` when its flag is clear.
pub(crate) fn decode(bytes: &[u8], kernel: &str, sites: &[&str]) -> Option<crate::Error> {
    let u32_at = |o: i64| u32::from_le_bytes(bytes[o as usize..o as usize + 4].try_into().unwrap());
    let u64_at = |o: i64| u64::from_le_bytes(bytes[o as usize..o as usize + 8].try_into().unwrap());
    if bytes.len() < RECORD_BYTES || u32_at(offset::FLAG) == 0 {
        return None;
    }
    let code = u32_at(offset::KIND);
    let (index, len) = (u64_at(offset::INDEX), u64_at(offset::LEN));
    let message = match PanicKind::from_code(code) {
        Some(k) => k.message(index, len),
        None => format!("unknown panic kind {code}"),
    };
    let site = u32_at(offset::SITE);
    let location = sites.get(site as usize).map_or_else(|| format!("<unknown site {site}>"), |s| (*s).to_owned());
    let xyz = |o: i64| (u32_at(o), u32_at(o + 4), u32_at(o + 8));
    Some(crate::Error::KernelPanic {
        kernel: kernel.to_owned(),
        message,
        location,
        block: xyz(offset::CTAID),
        thread: xyz(offset::TID),
    })
}
