use ptx_kernel::prelude::*;

/// `y[i] = a * x[i] + y[i]` on float4 elements: one `ld.global.nc.v4.f32`, one `ld.global.v4.f32`, one
/// `st.global.v4.f32` per thread.
#[ptx_kernel]
pub fn vec4_axpy(a: f32, x: &[[f32; 4]], y: &mut [[f32; 4]]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        let v = x[i];
        let w = y[i];
        y[i] = [a * v[0] + w[0], a * v[1] + w[1], a * v[2] + w[2], a * v[3] + w[3]];
    }
}

/// Vector elements of several types: copies, element reads, the cache-hinted loads, `x[i][k]`.
#[ptx_kernel]
pub fn vector_kinds(
    a: &[[u32; 4]],
    b: &[[i32; 2]],
    c: &[[f64; 2]],
    d: &[[u8; 4]],
    out_a: &mut [[u32; 4]],
    out_b: &mut [[i32; 2]],
    out_c: &mut [[f64; 2]],
    sums: &mut [u32],
) {
    let i = gpu::global_idx_x() as usize;
    if i < a.len() {
        let va = gpu::load_nc(&a[i]);
        out_a[i] = va;
        let vb = gpu::load_streaming(&b[i]);
        out_b[i] = [vb[1], vb[0]];
        let vc = c[i];
        out_c[i] = [vc[0] + vc[1], vc[0] * 2.0];
        sums[i] = d[i][0] as u32 + d[i][1] as u32 + d[i][2] as u32 + d[i][3] as u32 + a[i][3];
    }
}

/// Local arrays: `[x; N]`, literals, 2-D, constant indices after `#[unroll]`, dynamic indices, compound
/// assignment, copies and rows.
#[ptx_kernel]
pub fn local_arrays(x: &[f32], k: &[u32], out: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i * 8 + 8 <= x.len() {
        let mut acc = [0.0f32; 8];
        #[unroll]
        for j in 0..8 {
            acc[j] = x[i * 8 + j] * 2.0;
        }
        let mut grid = [[0i32; 4]; 4];
        #[unroll]
        for r in 0..4 {
            #[unroll]
            for c in 0..4 {
                grid[r][c] = (r * 4 + c) as i32;
            }
        }
        let d = (k[i] % 8) as usize;
        // A dynamic read and a dynamic write.
        let picked = acc[d];
        acc[(d + 1) % 8] += 100.0;
        // A loop that is not unrolled (a `for` over a constant range this short would be, and so would this
        // `while` with its step last): dynamic indices.
        let mut total = 0.0f32;
        let mut j = 0;
        while j < 8 {
            j += 1;
            total += acc[j - 1];
        }
        let row = grid[d % 4];
        let copy = acc;
        let lit = [1.5f32, -2.0, picked];
        let mut g = grid[3][d % 4] as f32 + row[1] as f32;
        g += grid[d % 4][d % 4] as f32;
        out[i * 4] = picked;
        out[i * 4 + 1] = total;
        out[i * 4 + 2] = copy[7] + lit[0] + lit[1] + lit[2];
        out[i * 4 + 3] = g;
    }
}

/// `load_vec4` / `store_vec4` / `load_vec2` on scalar slices: reverses each group of 4, swaps each pair.
#[ptx_kernel]
pub fn vec_on_scalars(x: &[f32], y: &mut [f32], p: &[u16], q: &mut [u16]) {
    let i = gpu::global_idx_x() as usize;
    if 4 * i + 4 <= x.len() {
        let v = gpu::load_vec4(&x[4 * i]);
        gpu::store_vec4(&mut y[4 * i], [v[3], v[2], v[1], v[0]]);
        let w = gpu::load_vec2(&p[2 * i]);
        gpu::store_vec2(&mut q[2 * i], [w[1], w[0]]);
    }
}
