//! Launch geometry.

/// Grid and block dimensions of one kernel launch, plus dynamic shared memory.
///
/// ```
/// use ptx_kernel_runtime::LaunchConfig;
/// let cfg = LaunchConfig::for_num_elems(1000);
/// assert_eq!(cfg.grid_dim, (4, 1, 1));
/// assert_eq!(cfg.block_dim, (256, 1, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LaunchConfig {
    /// Blocks in the grid, (x, y, z).
    pub grid_dim: (u32, u32, u32),
    /// Threads in a block, (x, y, z).
    pub block_dim: (u32, u32, u32),
    /// Bytes of dynamic shared memory per block.
    pub shared_mem_bytes: u32,
}

impl LaunchConfig {
    /// Threads per block used by [`LaunchConfig::for_num_elems`].
    pub const DEFAULT_BLOCK: u32 = 256;

    /// One thread per element in 1-D, 256 threads a block, enough blocks to cover `n` (at least one).
    pub fn for_num_elems(n: u32) -> Self {
        let blocks = n.div_ceil(Self::DEFAULT_BLOCK).max(1);
        LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (Self::DEFAULT_BLOCK, 1, 1), shared_mem_bytes: 0 }
    }

    /// One thread per element of a `width` × `height` array, in `block.0` × `block.1` blocks.
    ///
    /// ```
    /// use ptx_kernel_runtime::LaunchConfig;
    /// let cfg = LaunchConfig::for_2d(100, 50, (16, 16));
    /// assert_eq!(cfg.grid_dim, (7, 4, 1));
    /// ```
    pub fn for_2d(width: u32, height: u32, block: (u32, u32)) -> Self {
        let bx = block.0.max(1);
        let by = block.1.max(1);
        LaunchConfig {
            grid_dim: (width.div_ceil(bx).max(1), height.div_ceil(by).max(1), 1),
            block_dim: (bx, by, 1),
            shared_mem_bytes: 0,
        }
    }

    /// The same launch with `bytes` of dynamic shared memory per block.
    pub fn with_shared_mem(mut self, bytes: u32) -> Self {
        self.shared_mem_bytes = bytes;
        self
    }

    /// Threads in one block.
    pub fn threads_per_block(&self) -> u64 {
        self.block_dim.0 as u64 * self.block_dim.1 as u64 * self.block_dim.2 as u64
    }

    /// Blocks in the grid.
    pub fn num_blocks(&self) -> u64 {
        self.grid_dim.0 as u64 * self.grid_dim.1 as u64 * self.grid_dim.2 as u64
    }
}
