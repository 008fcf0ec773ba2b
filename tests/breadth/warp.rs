use ptx_kernel::prelude::*;

macro_rules! shuffles {
    ($name:ident, $t:ty) => {
        /// Each shuffle mode with a per-thread lane argument; out[4 * i + k] for mode k.
        #[ptx_kernel]
        pub fn $name(v: &[$t], lanes: &[u32], out: &mut [$t]) {
            let i = gpu::global_idx_x() as usize;
            let x = v[i];
            let l = lanes[i];
            out[4 * i] = gpu::shfl_sync(0xFFFF_FFFF, x, l);
            out[4 * i + 1] = gpu::shfl_up_sync(0xFFFF_FFFF, x, l % 8);
            out[4 * i + 2] = gpu::shfl_down_sync(0xFFFF_FFFF, x, l % 8);
            out[4 * i + 3] = gpu::shfl_xor_sync(0xFFFF_FFFF, x, l);
        }
    };
}
shuffles!(shuffles_i32, i32);
shuffles!(shuffles_u32, u32);
shuffles!(shuffles_f32, f32);
shuffles!(shuffles_i64, i64);
shuffles!(shuffles_u64, u64);
shuffles!(shuffles_f64, f64);

/// Ballot, all, any and the active mask (full warps, and a divergent branch for the active mask).
#[ptx_kernel]
pub fn votes(v: &[u32], out: &mut [u32]) {
    let i = gpu::global_idx_x() as usize;
    let p = v[i] % 3 == 0;
    out[4 * i] = gpu::ballot_sync(0xFFFF_FFFF, p);
    out[4 * i + 1] = gpu::all_sync(0xFFFF_FFFF, p) as u32;
    out[4 * i + 2] = gpu::any_sync(0xFFFF_FFFF, v[i] % 97 == 5) as u32;
    let mut m = 0u32;
    if gpu::lane_id() % 2 == 0 {
        m = gpu::active_mask();
    }
    out[4 * i + 3] = m;
}

/// `warp_sum`, `warp_max` and `warp_min` of f32 (out[3 * i + k]).
#[ptx_kernel]
pub fn warp_reduce_f32(v: &[f32], out: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    let x = v[i];
    out[3 * i] = gpu::warp_sum(x);
    out[3 * i + 1] = gpu::warp_max(x);
    out[3 * i + 2] = gpu::warp_min(x);
}

/// `warp_sum`, `warp_max` and `warp_min` of i64 (wrapping sum).
#[ptx_kernel]
pub fn warp_reduce_i64(v: &[i64], out: &mut [i64]) {
    let i = gpu::global_idx_x() as usize;
    let x = v[i];
    out[3 * i] = gpu::warp_sum(x);
    out[3 * i + 1] = gpu::warp_max(x);
    out[3 * i + 2] = gpu::warp_min(x);
}

/// `lane_id` and `warp_id` on a 2-D block.
#[ptx_kernel]
pub fn warp_ids(out: &mut [u32]) {
    let t = (gpu::thread_idx_y() * gpu::block_dim_x() + gpu::thread_idx_x()) as usize;
    let b = (gpu::block_idx_x() * gpu::block_dim_x() * gpu::block_dim_y()) as usize;
    out[2 * (b + t)] = gpu::lane_id();
    out[2 * (b + t) + 1] = gpu::warp_id();
}
