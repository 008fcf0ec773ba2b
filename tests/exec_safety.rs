//! Kernel panics end to end: each panic kind on `Device::from_env()` (the emulator here; the GPU with
//! `PTX_KERNEL_DEVICE=cuda`) reports the exact Rust message with the source location, block and thread at the next
//! synchronizing call, and the device stays usable. `cuda_*` tests run the same on CUDA device 0 and skip without
//! one.

use ptx_kernel::prelude::*;

#[ptx_kernel]
pub fn oob_read(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        y[i] = x[i] * 2.0;
    }
}

/// An unrolled loop whose reads are issued before its copies (`lower::prefetch`): the third read fails, after two
/// copies have stored.
#[ptx_kernel]
pub fn oob_read_unrolled(x: &[u32], y: &mut [u32]) {
    if gpu::global_idx_x() == 0 {
        for k in 0..4 {
            y[k] = x[k] + 1;
        }
    }
}

/// The same with the reads in value position, `dst = if c { x[i] } else { 0 }` (`c` not about `x`'s length): the
/// third copy's read fails when `n` lets it run.
#[ptx_kernel]
pub fn oob_select_unrolled(x: &[u32], y: &mut [u32], n: u32) {
    if gpu::global_idx_x() == 0 {
        for k in 0..4 {
            let i = k * 2;
            y[k] = if i < n as usize { x[i] + 1 } else { 0 };
        }
    }
}

/// A guard on a `mut` local stops proving once the local is assigned: the second read is checked.
#[ptx_kernel]
pub fn killed_guard(x: &[u32], out: &mut [u32]) {
    let mut i = gpu::global_idx_x() as usize;
    if i < x.len() && i < out.len() {
        let a = x[i];
        i += 1;
        let b = x[i];
        out[i - 1] = a + b;
    }
}

/// The same in a loop: a nested loop assigns the local the `while` condition is about.
#[ptx_kernel]
pub fn killed_guard_loop(x: &[u32], out: &mut [u32]) {
    let mut k = gpu::global_idx_x() as usize;
    while k < x.len() {
        let mut n = 0;
        while n < 2 {
            k += 1;
            n += 1;
        }
        out[0] = x[k];
    }
}

/// A `while` with a run-time trip count, unrolled 4× (see `lower::unroll`); `k < n` proves neither access, so
/// each round checks its copies' accesses first and leaves the rest to the plain loop when one fails: the first
/// failing access is the one reported, after the earlier iterations stored.
#[ptx_kernel]
pub fn oob_while_unrolled(x: &[u32], y: &mut [u32], n: u32) {
    if gpu::global_idx_x() == 0 {
        let mut k = 0u32;
        while k < n {
            y[k as usize] = x[k as usize] + 1;
            k += 1;
        }
    }
}

/// The same loop, not unrolled (a condition of another shape): the reference.
#[ptx_kernel]
#[allow(clippy::nonminimal_bool)] // the negated condition is the point: a shape the unroller does not take
pub fn oob_while_plain(x: &[u32], y: &mut [u32], n: u32) {
    if gpu::global_idx_x() == 0 {
        let mut k = 0u32;
        while !(k >= n) {
            y[k as usize] = x[k as usize] + 1;
            k += 1;
        }
    }
}

/// A strided row loop (two versions, see `lower::version`): when `row + cols` does not fit in `x`, the checked
/// version runs and fails at the first index past the end, after the earlier iterations stored.
#[ptx_kernel]
pub fn row_loop(x: &[u32], y: &mut [u32], cols: u32) {
    let row = gpu::block_idx_x() as usize * cols as usize;
    let mut c = gpu::thread_idx_x();
    while c < cols {
        let i = row + c as usize;
        y[i] = x[i] + 1;
        c += gpu::block_dim_x();
    }
}

/// Rows of a 32×33 shared tile written in an unrolled loop (two versions, see `lower::version`: the tile index's
/// largest value for the launch's block size is tested before the loop): 32×8 blocks take the version without
/// checks, a block one row taller the checked one, which fails at the last copy of its ninth row.
#[ptx_kernel]
pub fn tile_rows(x: &[f32], y: &mut [f32]) {
    let tile = gpu::SharedArray::<[f32; 33], 32>::new();
    let tx = gpu::thread_idx_x();
    let ty = gpu::thread_idx_y();
    for j in (0..32u32).step_by(8) {
        tile[(ty + j) as usize][tx as usize] = (ty + j) as f32;
    }
    gpu::sync_threads();
    let i = (ty * 32 + tx) as usize;
    if i < y.len() {
        y[i] = tile[ty as usize][tx as usize] + x[0];
    }
}

/// Row-major 2-D accesses `r * w + c` under `c < w && r < h` in an unrolled loop (two versions, see
/// `lower::version`: `h * w <= len` is tested before the loop for each slice).
#[ptx_kernel]
pub fn grid_copy(x: &[u32], y: &mut [u32], w: u32, h: u32) {
    let c = gpu::thread_idx_x();
    let r0 = gpu::thread_idx_y();
    for k in 0..2u32 {
        let r = r0 * 2 + k;
        if c < w && r < h {
            y[(r as usize) * (w as usize) + c as usize] = x[(r as usize) * (w as usize) + c as usize] + 1;
        }
    }
}

#[ptx_kernel]
pub fn oob_write(y: &mut [u32], n: u32) {
    let i = gpu::global_idx_x();
    if i < n {
        y[i as usize] = i;
    }
}

#[ptx_kernel]
pub fn divide(a: &[i32], b: &[i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() && i < a.len() && i < b.len() {
        out[i] = a[i] / b[i];
    }
}

#[ptx_kernel]
pub fn remainder(a: &[i32], b: &[i32], out: &mut [i32]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() && i < a.len() && i < b.len() {
        out[i] = a[i] % b[i];
    }
}

#[ptx_kernel]
pub fn divide_u64(a: &[u64], d: u64, out: &mut [u64]) {
    let i = gpu::global_idx_x() as usize;
    if i < out.len() && i < a.len() {
        out[i] = a[i] / d;
    }
}

/// Threads that panic exit; the others still meet at the barrier.
#[ptx_kernel]
pub fn panic_then_barrier(x: &[u32], out: &mut [u32]) {
    let t = gpu::thread_idx_x() as usize;
    let v = x[t];
    gpu::sync_threads();
    if t < out.len() {
        out[t] = v + 1;
    }
}

/// Unchecked access: the launcher is `unsafe`.
#[ptx_kernel]
pub fn copy_unchecked(x: &[f32], y: &mut [f32]) {
    let i = gpu::global_idx_x() as usize;
    if i < y.len() {
        unsafe {
            *y.get_unchecked_mut(i) = *x.get_unchecked(i);
        }
    }
}

#[ptx_kernel(bounds_checks = false)]
pub fn scale_nochecks(x: &mut [f32], s: f32) {
    let i = gpu::global_idx_x() as usize;
    if i < x.len() {
        x[i] *= s;
    }
}

/// A shared array indexed past its 64 elements by threads 64..: the check covers shared memory too.
#[ptx_kernel]
pub fn shared_oob(out: &mut [u32]) {
    let tile = gpu::SharedArray::<u32, 64>::new();
    let t = gpu::thread_idx_x() as usize;
    tile[t] = t as u32;
    if t < out.len() {
        out[t] = 1;
    }
}

/// An atomic on an element past the end.
#[ptx_kernel]
pub fn atomic_oob(counts: &mut [u32], x: &[u32]) {
    let i = gpu::global_idx_x() as usize;
    if i < x.len() {
        gpu::atomic_add(&mut counts[x[i] as usize], 1);
    }
}

const FILE: &str = file!();

fn line_of(needle: &str) -> u32 {
    let src = include_str!("exec_safety.rs");
    src.lines().position(|l| l.contains(needle)).map(|p| p as u32 + 1).expect(needle)
}

fn col_of(needle: &str, pat: &str) -> usize {
    let src = include_str!("exec_safety.rs");
    let l = src.lines().find(|l| l.contains(needle)).unwrap();
    l.find(pat).unwrap() + 1
}

fn run_all(dev: &Device) {
    // OOB read: x has 1000 elements, y 1030; thread 1024 = block 4 thread 0 with 256-thread blocks… use 128.
    let x = dev.upload(&vec![1.0f32; 1000]).unwrap();
    let mut y = dev.alloc_zeros::<f32>(1030).unwrap();
    oob_read::launch(
        dev,
        LaunchConfig { grid_dim: (9, 1, 1), block_dim: (128, 1, 1), shared_mem_bytes: 0 },
        &x,
        &mut y,
    )
    .unwrap();
    let err = dev.synchronize().unwrap_err();
    let line = line_of("y[i] = x[i] * 2.0;");
    let col = col_of("y[i] = x[i] * 2.0;", "x[i]");
    // The first panic is some thread with index in 1000..1030; which one is a race.
    let Error::KernelPanic { ref kernel, ref message, ref location, block, thread } = err else { panic!("{err}") };
    assert_eq!(kernel, "oob_read");
    assert_eq!(location, &format!("{FILE}:{line}:{col}"));
    let idx = block.0 * 128 + thread.0;
    assert!((1000..1030).contains(&idx), "{err}");
    assert_eq!(message, &format!("index out of bounds: the len is 1000 but the index is {idx}"));
    assert_eq!(
        err.to_string(),
        format!(
            "index out of bounds: the len is 1000 but the index is {idx} at {FILE}:{line}:{col} (block ({},0,0), thread ({},0,0))",
            block.0, thread.0
        )
    );
    // Reset: the next check is clean, and the in-bounds part was written.
    dev.synchronize().unwrap();
    assert_eq!(y.download().unwrap()[..1000], vec![2.0f32; 1000][..]);

    // An unrolled loop with its reads issued early: the copies before the failing read have stored, the others
    // not; the panic is the third read's.
    let ptx = oob_read_unrolled::PTX;
    let early = &ptx[..ptx.find("st.global").unwrap()];
    assert_eq!(early.matches("ld.global.nc.u32").count(), 4, "the reads are not issued first:\n{ptx}");
    let x = dev.upload(&[10u32, 20]).unwrap();
    let mut y = dev.alloc_zeros::<u32>(4).unwrap();
    oob_read_unrolled::launch(dev, LaunchConfig::for_num_elems(1), &x, &mut y).unwrap();
    let (line, col) = (line_of("y[k] = x[k] + 1;"), col_of("y[k] = x[k] + 1;", "x[k]"));
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("index out of bounds: the len is 2 but the index is 2 at {FILE}:{line}:{col} (block (0,0,0), thread (0,0,0))")
    );
    assert_eq!(y.download().unwrap(), vec![11, 21, 0, 0]);

    // The same in value position (each `if` a select): the early loads are made only where `i < n` and
    // `i < x.len()`; the copy's check (`i < n` and `i >= x.len()`) still fails at the third read, with its index,
    // after two copies stored; with `n = 3` nothing fails.
    let ptx = oob_select_unrolled::PTX;
    let early = &ptx[..ptx.find("st.global").unwrap()];
    assert_eq!(early.matches("ld.global.nc.u32").count(), 4, "the reads are not issued first:\n{ptx}");
    // 4 selects in each of the loop's two versions (`y[k]` proven or checked, see `lower::version`).
    assert_eq!(ptx.matches("selp.u32").count(), 8, "{ptx}");
    let x = dev.upload(&[10u32, 20, 30, 40]).unwrap();
    let mut y = dev.upload(&[9u32; 4]).unwrap();
    oob_select_unrolled::launch(dev, LaunchConfig::for_num_elems(1), &x, &mut y, 8).unwrap();
    let (line, col) = (line_of("y[k] = if i < n as usize"), col_of("y[k] = if i < n as usize", "x[i]"));
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("index out of bounds: the len is 4 but the index is 4 at {FILE}:{line}:{col} (block (0,0,0), thread (0,0,0))")
    );
    assert_eq!(y.download().unwrap(), vec![11, 31, 9, 9]);
    oob_select_unrolled::launch(dev, LaunchConfig::for_num_elems(1), &x, &mut y, 3).unwrap();
    dev.synchronize().unwrap();
    assert_eq!(y.download().unwrap(), vec![11, 31, 0, 0]);

    // Facts about `mut` locals die with an assignment: the checks after it stay and fail.
    let one = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (1, 1, 1), shared_mem_bytes: 0 };
    let x = dev.upload(&[5u32, 7]).unwrap();
    let mut out = dev.alloc_zeros::<u32>(2).unwrap();
    killed_guard::launch(
        dev,
        LaunchConfig { grid_dim: (1, 1, 1), block_dim: (2, 1, 1), shared_mem_bytes: 0 },
        &x,
        &mut out,
    )
    .unwrap();
    let (line, col) = (line_of("let b = x[i];"), col_of("let b = x[i];", "x[i]"));
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("index out of bounds: the len is 2 but the index is 2 at {FILE}:{line}:{col} (block (0,0,0), thread (1,0,0))")
    );
    assert_eq!(out.download().unwrap(), vec![12, 0]);
    killed_guard_loop::launch(dev, one, &x, &mut out).unwrap();
    let (line, col) = (line_of("out[0] = x[k];"), col_of("out[0] = x[k];", "x[k]"));
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("index out of bounds: the len is 2 but the index is 2 at {FILE}:{line}:{col} (block (0,0,0), thread (0,0,0))")
    );

    // The row loop (one thread): in bounds, the fast version; one element short, the checked one, which stops at
    // index 3.
    let x = dev.upload(&[1u32, 2, 3, 4]).unwrap();
    let mut y = dev.alloc_zeros::<u32>(4).unwrap();
    row_loop::launch(dev, one, &x, &mut y, 4).unwrap();
    assert_eq!(y.download().unwrap(), vec![2, 3, 4, 5]);
    let x = dev.upload(&[1u32, 2, 3]).unwrap();
    let mut y = dev.alloc_zeros::<u32>(4).unwrap();
    row_loop::launch(dev, one, &x, &mut y, 4).unwrap();
    let (line, col) = (line_of("y[i] = x[i] + 1;"), col_of("y[i] = x[i] + 1;", "x[i]"));
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("index out of bounds: the len is 3 but the index is 3 at {FILE}:{line}:{col} (block (0,0,0), thread (0,0,0))")
    );
    assert_eq!(y.download().unwrap(), vec![2, 3, 4, 0]);

    // The shared tile: 32×8 threads, no check in the loop, right values; 32×9, the checked loop, and one of the 32
    // threads of row 8 fails at index 32 * 33 + tx.
    let x = dev.upload(&[0.5f32]).unwrap();
    let mut y = dev.alloc_zeros::<f32>(256).unwrap();
    let blocks = |rows| LaunchConfig { grid_dim: (1, 1, 1), block_dim: (32, rows, 1), shared_mem_bytes: 0 };
    tile_rows::launch(dev, blocks(8), &x, &mut y).unwrap();
    let want: Vec<f32> = (0..256).map(|i| (i / 32) as f32 + 0.5).collect();
    assert_eq!(y.download().unwrap(), want);
    tile_rows::launch(dev, blocks(9), &x, &mut y).unwrap();
    let err = dev.synchronize().unwrap_err();
    let line = line_of("tile[(ty + j) as usize][tx as usize] = (ty + j) as f32;");
    let Error::KernelPanic { ref message, ref location, thread, .. } = err else { panic!("{err}") };
    assert_eq!(location, &format!("{FILE}:{line}:9"), "{err}");
    assert_eq!(thread.1, 8, "{err}");
    assert_eq!(message, &format!("index out of bounds: the len is 1056 but the index is {}", 1056 + thread.0), "{err}");
    // The checks of the tile loop are in its checked version only (one per copy: 4), the reads after the barrier
    // keep theirs (2).
    assert_eq!(tile_rows::PANIC_SITES.len(), 6, "{:?}", tile_rows::PANIC_SITES);

    // The 2-D copy: 4×4 fits (no check runs), a 15-element x does not: the checked version stops at its last
    // element, in the one thread that reads it.
    let grid = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (4, 2, 1), shared_mem_bytes: 0 };
    let x = dev.upload(&(0..16u32).collect::<Vec<_>>()).unwrap();
    let mut y = dev.alloc_zeros::<u32>(16).unwrap();
    grid_copy::launch(dev, grid, &x, &mut y, 4, 4).unwrap();
    assert_eq!(y.download().unwrap(), (1..17u32).collect::<Vec<_>>());
    let x = dev.upload(&(0..15u32).collect::<Vec<_>>()).unwrap();
    let mut y = dev.alloc_zeros::<u32>(16).unwrap();
    grid_copy::launch(dev, grid, &x, &mut y, 4, 4).unwrap();
    let needle = "y[(r as usize) * (w as usize) + c as usize] = x[(r as usize) * (w as usize) + c as usize] + 1;";
    let (line, col) = (line_of(needle), col_of(needle, "x[(r"));
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("index out of bounds: the len is 15 but the index is 15 at {FILE}:{line}:{col} (block (0,0,0), thread (3,1,0))")
    );
    let mut want: Vec<u32> = (1..16u32).collect();
    want.push(0);
    assert_eq!(y.download().unwrap(), want);

    // OOB write, reported by download; exactly one thread fails.
    let mut y = dev.alloc_zeros::<u32>(1000).unwrap();
    oob_write::launch(dev, LaunchConfig::for_num_elems(1001), &mut y, 1001).unwrap();
    let err = y.download().unwrap_err();
    let (line, col) = (line_of("y[i as usize] = i;"), col_of("y[i as usize] = i;", "y[i"));
    let bt = LaunchConfig::for_num_elems(1001).block_dim.0;
    assert_eq!(
        err.to_string(),
        format!(
            "index out of bounds: the len is 1000 but the index is 1000 at {FILE}:{line}:{col} (block ({},0,0), thread ({},0,0))",
            1000 / bt,
            1000 % bt
        )
    );
    assert!(y.download().unwrap().iter().enumerate().all(|(i, &v)| v == i as u32));

    // Division by zero and overflow.
    let a = dev.upload(&[7i32, i32::MIN, 9, 10]).unwrap();
    let b0 = dev.upload(&[1i32, 1, 0, 2]).unwrap();
    let bo = dev.upload(&[1i32, -1, 3, 2]).unwrap();
    let mut out = dev.alloc_zeros::<i32>(4).unwrap();
    let cfg = LaunchConfig::for_num_elems(4);
    let (dl, dc) = (line_of("out[i] = a[i] / b[i];"), col_of("out[i] = a[i] / b[i];", "a[i] /"));
    let (rl, rc) = (line_of("out[i] = a[i] % b[i];"), col_of("out[i] = a[i] % b[i];", "a[i] %"));
    divide::launch(dev, cfg, &a, &b0, &mut out).unwrap();
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("attempt to divide by zero at {FILE}:{dl}:{dc} (block (0,0,0), thread (2,0,0))")
    );
    divide::launch(dev, cfg, &a, &bo, &mut out).unwrap();
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("attempt to divide with overflow at {FILE}:{dl}:{dc} (block (0,0,0), thread (1,0,0))")
    );
    remainder::launch(dev, cfg, &a, &b0, &mut out).unwrap();
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("attempt to calculate the remainder with a divisor of zero at {FILE}:{rl}:{rc} (block (0,0,0), thread (2,0,0))")
    );
    remainder::launch(dev, cfg, &a, &bo, &mut out).unwrap();
    assert_eq!(
        dev.synchronize().unwrap_err().to_string(),
        format!("attempt to calculate the remainder with overflow at {FILE}:{rl}:{rc} (block (0,0,0), thread (1,0,0))")
    );
    let au = dev.upload(&[5u64, 6]).unwrap();
    let mut ou = dev.alloc_zeros::<u64>(2).unwrap();
    divide_u64::launch(dev, LaunchConfig::for_num_elems(2), &au, 0, &mut ou).unwrap();
    assert!(dev.synchronize().unwrap_err().to_string().starts_with("attempt to divide by zero at "));

    // A later launch on the same device succeeds.
    let b1 = dev.upload(&[1i32, 2, 3, 4]).unwrap();
    divide::launch(dev, cfg, &a, &b1, &mut out).unwrap();
    assert_eq!(out.download().unwrap(), vec![7, i32::MIN / 2, 3, 2]);

    // Exited threads don't hold the barrier up.
    let x = dev.upload(&[1u32; 100]).unwrap();
    let mut out = dev.alloc_zeros::<u32>(128).unwrap();
    panic_then_barrier::launch(
        dev,
        LaunchConfig { grid_dim: (1, 1, 1), block_dim: (128, 1, 1), shared_mem_bytes: 0 },
        &x,
        &mut out,
    )
    .unwrap();
    let err = out.download().unwrap_err().to_string();
    assert!(err.starts_with("index out of bounds: the len is 100 but the index is 1"), "{err}");
    let got = out.download().unwrap();
    assert!(got[..100].iter().all(|&v| v == 2) && got[100..].iter().all(|&v| v == 0));

    // Shared memory and atomics are checked too.
    let mut out = dev.alloc_zeros::<u32>(128).unwrap();
    shared_oob::launch(dev, LaunchConfig { grid_dim: (2, 1, 1), block_dim: (65, 1, 1), shared_mem_bytes: 0 }, &mut out)
        .unwrap();
    let (l, c) = (line_of("tile[t] = t as u32;"), col_of("tile[t] = t as u32;", "tile[t]"));
    let err = dev.synchronize().unwrap_err().to_string();
    assert!(
        err == format!(
            "index out of bounds: the len is 64 but the index is 64 at {FILE}:{l}:{c} (block (0,0,0), thread (64,0,0))"
        ) || err
            == format!(
            "index out of bounds: the len is 64 but the index is 64 at {FILE}:{l}:{c} (block (1,0,0), thread (64,0,0))"
        ),
        "{err}"
    );
    let mut counts = dev.alloc_zeros::<u32>(4).unwrap();
    let xs = dev.upload(&[0u32, 1, 9, 3]).unwrap();
    atomic_oob::launch(dev, LaunchConfig::for_num_elems(4), &mut counts, &xs).unwrap();
    let (l, c) = (line_of("gpu::atomic_add(&mut counts"), col_of("gpu::atomic_add(&mut counts", "gpu::atomic_add"));
    // (An intrinsic on a place reports the call's location.)
    let err = counts.download().unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "index out of bounds: the len is 4 but the index is 9 at {FILE}:{l}:{c} (block (0,0,0), thread (2,0,0))"
        )
    );
    assert_eq!(counts.download().unwrap(), vec![1, 1, 0, 1]);

    // Unchecked variants still compute.
    let x = dev.upload(&[3.0f32; 64]).unwrap();
    let mut y = dev.alloc_zeros::<f32>(64).unwrap();
    // SAFETY: every index the kernel touches is below y.len() == x.len().
    unsafe { copy_unchecked::launch(dev, LaunchConfig::for_num_elems(64), &x, &mut y).unwrap() };
    // SAFETY: the kernel guards its only access.
    unsafe { scale_nochecks::launch(dev, LaunchConfig::for_num_elems(64), &mut y, 2.0).unwrap() };
    assert_eq!(y.download().unwrap(), vec![6.0f32; 64]);
}

/// The panic record is per module and per device, and `Device::cuda(0)` is one device for the whole process: two
/// tests launching the same kernels on it at once would read each other's panics. Tests that may share a CUDA
/// device take this lock.
static SHARED_DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn panics_on_from_env_device() {
    let _one_at_a_time = SHARED_DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    run_all(&Device::from_env().unwrap());
}

#[test]
fn panics_on_the_emulator() {
    run_all(&Device::emulator());
}

#[test]
fn panics_on_cuda() {
    let _one_at_a_time = SHARED_DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    match Device::cuda(0) {
        Ok(dev) => run_all(&dev),
        Err(e) => eprintln!("skipped: no CUDA device ({e})"),
    }
}

/// Out-of-bounds accesses in every copy of an unrolled `while` and in its remainder loop: the same panic (the first
/// failing access, read or store, with its index) and the same stores before it as the loop not unrolled.
#[test]
fn panics_in_unrolled_while() {
    assert_eq!(oob_while_unrolled::PTX.matches("ld.global.nc.u32").count(), 5, "{}", oob_while_unrolled::PTX);
    assert_eq!(oob_while_plain::PTX.matches("ld.global.nc.u32").count(), 1, "{}", oob_while_plain::PTX);
    // The copies' checks are made at the top of each round (`lower::unroll`): the only panic sites are the two of
    // the remainder loop, which runs the rest of the loop when one of them fails.
    assert_eq!(oob_while_unrolled::PANIC_SITES.len(), 2, "{:?}", oob_while_unrolled::PANIC_SITES);
    let dev = Device::emulator();
    let read = (line_of("y[k as usize] = x[k as usize] + 1;"), col_of("y[k as usize] = x[k as usize] + 1;", "x[k"));
    let store = (read.0, col_of("y[k as usize] = x[k as usize] + 1;", "y[k"));
    let plain_line = line_of("while !(k >= n) {") + 1;
    // (x's length, y's length, n): the read fails at k = x.len() (each remainder of 4: copies 0 to 3 of a round,
    // or the remainder loop when fewer than 4 iterations are left), or the store at k = y.len(), or nothing.
    let mut cases = Vec::new();
    for xl in 0..10u32 {
        cases.push((xl, 16, 12));
        cases.push((xl, 16, xl + 1));
        cases.push((xl, 16, xl + 3));
    }
    for yl in 0..10u32 {
        cases.push((16, yl, 12));
    }
    cases.push((16, 16, 16));
    for (xl, yl, n) in cases {
        let x: Vec<u32> = (0..xl).map(|i| 10 * i + 7).collect();
        let mut outcomes = Vec::new();
        for unrolled in [true, false] {
            let dx = dev.upload(&x).unwrap();
            let mut dy = dev.alloc_zeros::<u32>(yl as usize).unwrap();
            let cfg = LaunchConfig::for_num_elems(1);
            if unrolled {
                oob_while_unrolled::launch(&dev, cfg, &dx, &mut dy, n).unwrap();
            } else {
                oob_while_plain::launch(&dev, cfg, &dx, &mut dy, n).unwrap();
            }
            let err = dev.synchronize().err().map(|e| e.to_string());
            outcomes.push((err, dy.download().unwrap()));
        }
        let fail = n.min(xl.min(yl));
        let want_err = (fail < n).then(|| {
            let ((l, c), len) = if xl <= yl { (read, xl) } else { (store, yl) };
            let at = format!("{FILE}:{l}:{c} (block (0,0,0), thread (0,0,0))");
            format!("index out of bounds: the len is {len} but the index is {len} at {at}")
        });
        let want_y: Vec<u32> = (0..yl).map(|i| if i < fail { 10 * i + 8 } else { 0 }).collect();
        let what = format!("x.len() = {xl}, y.len() = {yl}, n = {n}");
        assert_eq!(outcomes[0].0, want_err, "unrolled, {what}");
        assert_eq!(outcomes[0].1, want_y, "unrolled, {what}");
        let plain_err = want_err.map(|e| e.replace(&format!(":{}:", read.0), &format!(":{plain_line}:")));
        assert_eq!(outcomes[1].0, plain_err, "plain, {what}");
        assert_eq!(outcomes[1].1, want_y, "plain, {what}");
    }
}

#[test]
fn no_checks_under_guards() {
    // `x[i]` after `i += 1` and `out[i - 1]` keep their checks, `x[i]` and `out` under the guard… only `x[i]`
    // before the assignment is free.
    assert_eq!(killed_guard::PANIC_SITES.len(), 2, "{:?}", killed_guard::PANIC_SITES);
    assert_eq!(killed_guard_loop::PANIC_SITES.len(), 2, "{:?}", killed_guard_loop::PANIC_SITES);
    // The 2-D copy's checks (x and y, two copies) are only in its checked version.
    assert_eq!(grid_copy::PANIC_SITES.len(), 4, "{:?}", grid_copy::PANIC_SITES);
    // The row loop's two checks are only in its checked version.
    assert_eq!(row_loop::PANIC_SITES.len(), 2, "{:?}", row_loop::PANIC_SITES);
    // A guard on another value (`i < n`) proves nothing: one check.
    assert_eq!(oob_write::PANIC_SITES.len(), 1);
    // `i < out.len() && i < a.len() && i < b.len()`: the three accesses are free, the division is checked.
    assert_eq!(divide::PANIC_SITES.len(), 2, "{:?}", divide::PANIC_SITES);
    assert!(copy_unchecked::PANIC_SITES.is_empty());
    assert!(scale_nochecks::PANIC_SITES.is_empty());
    // `x[i]` under `i < y.len()` is checked (other slice); `y[i]` is not.
    assert_eq!(oob_read::PANIC_SITES.len(), 1);
    assert!(oob_read::PTX.contains("atom.global.cas.b32"));
    assert!(!oob_read::PTX.contains("trap"));
}
