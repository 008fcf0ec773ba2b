//! Typed device memory.

use std::fmt;
use std::marker::PhantomData;

use crate::device::Device;
use crate::error::{Error, Result};
use crate::scalar::{as_bytes, as_bytes_mut, zeroed_vec, DeviceScalar};

/// `len` elements of `T` in the memory of one device; freed on drop.
///
/// Holds a clone of its [`Device`]. Copies to and from the host are synchronous: [`DeviceBuffer::download`] first
/// waits for the kernels queued before it (on the device's default stream and on every [`Stream`](crate::Stream)).
/// An empty buffer allocates nothing and has [`device_ptr`](DeviceBuffer::device_ptr) 0.
pub struct DeviceBuffer<T: DeviceScalar> {
    device: Device,
    ptr: u64,
    len: usize,
    _elem: PhantomData<T>,
}

fn byte_len<T: DeviceScalar>(len: usize) -> Result<usize> {
    len.checked_mul(std::mem::size_of::<T>()).ok_or(Error::AllocationTooLarge { len, elem: T::NAME })
}

impl Device {
    /// Copies `data` into a new buffer on this device.
    ///
    /// ```
    /// use ptx_kernel_runtime::Device;
    /// let dev = Device::emulator();
    /// let buf = dev.upload(&[1.0f32, 2.0, 3.0]).unwrap();
    /// assert_eq!(buf.len(), 3);
    /// assert_eq!(buf.download().unwrap(), vec![1.0, 2.0, 3.0]);
    /// ```
    pub fn upload<T: DeviceScalar>(&self, data: &[T]) -> Result<DeviceBuffer<T>> {
        let mut buf = self.alloc_raw::<T>(data.len(), false)?;
        if !data.is_empty() {
            buf.write_all(data)?;
        }
        Ok(buf)
    }

    /// A new buffer of `len` zero elements.
    pub fn alloc_zeros<T: DeviceScalar>(&self, len: usize) -> Result<DeviceBuffer<T>> {
        self.alloc_raw(len, true)
    }

    fn alloc_raw<T: DeviceScalar>(&self, len: usize, zeroed: bool) -> Result<DeviceBuffer<T>> {
        let bytes = byte_len::<T>(len)?;
        let ptr = if bytes == 0 { 0 } else { self.mem_alloc(bytes, zeroed)? };
        Ok(DeviceBuffer { device: self.clone(), ptr, len, _elem: PhantomData })
    }
}

impl<T: DeviceScalar> DeviceBuffer<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Size in bytes.
    pub fn size_bytes(&self) -> usize {
        self.len * std::mem::size_of::<T>()
    }

    /// The address kernels see (256-byte aligned; 0 for an empty buffer).
    pub fn device_ptr(&self) -> u64 {
        self.ptr
    }

    /// The device that owns the memory.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// `Err(Error::WrongDevice)` unless this buffer lives on `dev`. Launchers call this for every buffer argument.
    #[inline]
    pub fn check_device(&self, dev: &Device) -> Result<()> {
        dev.expect_same(&self.device)
    }

    /// The kernel argument for this buffer on `dev`: its address as native-endian bytes, after checking that it lives
    /// on `dev` ([`Error::WrongDevice`] otherwise). Generated launchers pass the result to
    /// [`KernelModule::launch`](crate::KernelModule::launch).
    #[inline]
    pub fn kernel_arg(&self, dev: &Device) -> Result<[u8; 8]> {
        self.check_device(dev)?;
        Ok(self.ptr.to_ne_bytes())
    }

    /// Copies the buffer to a new `Vec`, after the work queued before it has finished.
    pub fn download(&self) -> Result<Vec<T>> {
        let mut out = zeroed_vec::<T>(self.len);
        self.download_into(&mut out)?;
        Ok(out)
    }

    /// Copies the buffer into `out`, whose length must equal the buffer's ([`Error::LengthMismatch`] otherwise).
    pub fn download_into(&self, out: &mut [T]) -> Result<()> {
        if out.len() != self.len {
            return Err(Error::LengthMismatch { expected: self.len, got: out.len() });
        }
        if self.len == 0 {
            return Ok(());
        }
        self.device.mem_read(self.ptr, as_bytes_mut(out))?;
        self.device.check_panics()
    }

    /// Overwrites the whole buffer with `data`, whose length must equal the buffer's ([`Error::LengthMismatch`]
    /// otherwise). Ordered after the kernels queued before it.
    pub fn copy_from(&mut self, data: &[T]) -> Result<()> {
        if data.len() != self.len {
            return Err(Error::LengthMismatch { expected: self.len, got: data.len() });
        }
        if self.len == 0 {
            return Ok(());
        }
        self.write_all(data)
    }

    /// Overwrites the whole buffer with the contents of `src` (same device, same length), device to device.
    pub fn copy_from_buffer(&mut self, src: &DeviceBuffer<T>) -> Result<()> {
        self.device.expect_same(&src.device)?;
        if src.len != self.len {
            return Err(Error::LengthMismatch { expected: self.len, got: src.len });
        }
        if self.len == 0 {
            return Ok(());
        }
        self.device.mem_copy(self.ptr, src.ptr, self.size_bytes())
    }

    /// A new buffer on the same device with the same contents.
    pub fn try_clone(&self) -> Result<DeviceBuffer<T>> {
        let mut copy = self.device.alloc_raw::<T>(self.len, false)?;
        copy.copy_from_buffer(self)?;
        Ok(copy)
    }

    fn write_all(&mut self, data: &[T]) -> Result<()> {
        self.device.mem_write(self.ptr, as_bytes(data))
    }
}

impl<T: DeviceScalar> Drop for DeviceBuffer<T> {
    fn drop(&mut self) {
        if self.ptr != 0 {
            self.device.mem_free(self.ptr);
        }
    }
}

impl<T: DeviceScalar> fmt::Debug for DeviceBuffer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceBuffer<{}>[{}] at {:#x} on {}", T::NAME, self.len, self.ptr, self.device.describe())
    }
}
