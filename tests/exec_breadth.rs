//! The breadth kernels (shared memory, atomics, warp operations) run on `Device::from_env()` (the emulator unless
//! `PTX_KERNEL_DEVICE` says otherwise) with random inputs, against CPU references: integers exactly, floats bit for
//! bit where the operation order is fixed.
#![allow(clippy::needless_range_loop, clippy::manual_is_multiple_of)]

mod breadth;

use breadth::*;
use ptx_kernel::prelude::*;

fn dev() -> Device {
    Device::from_env().expect("a device (the emulator is always there)")
}

/// A 64-bit LCG; the high bits are the output.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
    }
    fn f32s(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| ((self.next() >> 40) as f32 / (1u64 << 24) as f32) * 200.0 - 100.0).collect()
    }
}

fn cfg(blocks: u32, threads: u32) -> LaunchConfig {
    LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (threads, 1, 1), shared_mem_bytes: 0 }
}

// ----- shared memory ---------------------------------------------------------------------------------------------

#[test]
fn block_reverse_reverses_each_block() {
    let dev = dev();
    let x = Rng::new(1).f32s(1024);
    let dx = dev.upload(&x).unwrap();
    let mut dy = dev.alloc_zeros::<f32>(1024).unwrap();
    shared::block_reverse::launch(&dev, cfg(4, 256), &dx, &mut dy).unwrap();
    let y = dy.download().unwrap();
    for b in 0..4 {
        for t in 0..256 {
            assert_eq!(y[b * 256 + t].to_bits(), x[b * 256 + 255 - t].to_bits(), "block {b} thread {t}");
        }
    }
}

#[test]
fn tile_transpose_matches_cpu() {
    let dev = dev();
    for (w, h) in [(1u32, 1u32), (33, 17), (64, 96), (100, 31)] {
        let n = (w * h) as usize;
        let x = Rng::new(w as u64 * 7 + h as u64).f32s(n);
        let dx = dev.upload(&x).unwrap();
        let mut dy = dev.upload(&vec![f32::NAN; n]).unwrap();
        let c =
            LaunchConfig { grid_dim: (w.div_ceil(32), h.div_ceil(32), 1), block_dim: (32, 8, 1), shared_mem_bytes: 0 };
        shared::tile_transpose::launch(&dev, c, &dx, &mut dy, w, h).unwrap();
        let y = dy.download().unwrap();
        for r in 0..h as usize {
            for col in 0..w as usize {
                assert_eq!(
                    y[col * h as usize + r].to_bits(),
                    x[r * w as usize + col].to_bits(),
                    "{w}x{h} at ({col}, {r})"
                );
            }
        }
    }
}

#[test]
fn dynamic_shared_follows_launch_config() {
    let dev = dev();
    let mut rng = Rng::new(3);
    for threads in [32u32, 128, 256] {
        let n = 1000usize;
        let x: Vec<u32> = (0..n).map(|_| rng.next() as u32).collect();
        let blocks = (n as u32).div_ceil(threads);
        let dx = dev.upload(&x).unwrap();
        let mut sums = dev.alloc_zeros::<u32>(blocks as usize).unwrap();
        let mut lens = dev.alloc_zeros::<u32>(blocks as usize).unwrap();
        // One spare element: `len()` is bytes / 4, whatever the block needs.
        let c = cfg(blocks, threads).with_shared_mem((threads + 1) * 4);
        shared::dynamic_sum::launch(&dev, c, &dx, &mut sums, &mut lens).unwrap();
        let (sums, lens) = (sums.download().unwrap(), lens.download().unwrap());
        for b in 0..blocks as usize {
            let want = x[b * threads as usize..((b + 1) * threads as usize).min(n)]
                .iter()
                .fold(0u32, |a, v| a.wrapping_add(*v));
            assert_eq!(sums[b], want, "threads {threads} block {b}");
            assert_eq!(lens[b], threads + 1);
        }
    }
}

#[test]
fn shared_arrays_of_several_types() {
    let dev = dev();
    let mut rng = Rng::new(4);
    let a: Vec<u8> = (0..64).map(|_| rng.next() as u8).collect();
    let b: Vec<i16> = (0..64).map(|_| rng.next() as i16).collect();
    let c: Vec<f64> = (0..64).map(|_| (rng.next() >> 11) as f64 / 1e12).collect();
    let (da, db, dc) = (dev.upload(&a).unwrap(), dev.upload(&b).unwrap(), dev.upload(&c).unwrap());
    let mut dout = dev.alloc_zeros::<f64>(64).unwrap();
    shared::shared_kinds::launch(&dev, cfg(1, 64), &da, &db, &dc, &mut dout).unwrap();
    let out = dout.download().unwrap();
    let mut sc = c.clone();
    sc[0] += 1.0;
    for t in 0..64 {
        let u = 63 - t;
        let want = a[u] as f64 + b[u] as f64 * 2.0 + sc[u] + sc[0] + 133.0;
        assert_eq!(out[t].to_bits(), want.to_bits(), "thread {t}");
    }
}

#[test]
fn fences_keep_the_values() {
    let dev = dev();
    let x: Vec<u32> = (0..100).collect();
    let dx = dev.upload(&x).unwrap();
    let mut dy = dev.alloc_zeros::<u32>(100).unwrap();
    shared::fences::launch(&dev, cfg(4, 32), &dx, &mut dy).unwrap();
    assert_eq!(dy.download().unwrap(), x);
}

// ----- atomics ---------------------------------------------------------------------------------------------------

macro_rules! int_atomics_test {
    ($test:ident, $kernel:path, $t:ty) => {
        #[test]
        fn $test() {
            let dev = dev();
            let mut rng = Rng::new(5);
            let n = 777usize;
            let mut v: Vec<$t> = (0..n).map(|_| rng.next() as $t).collect();
            v[3] = <$t>::MAX;
            v[4] = <$t>::MIN;
            let init: Vec<$t> = vec![5 as $t, 9 as $t, <$t>::MAX, <$t>::MIN, !(0 as $t), 0 as $t, 0x55 as $t, 0 as $t];
            let dv = dev.upload(&v).unwrap();
            let mut acc = dev.upload(&init).unwrap();
            let own_init: Vec<$t> = (0..3 * n).map(|k| (k as $t).wrapping_mul(3 as $t)).collect();
            let mut own = dev.upload(&own_init).unwrap();
            $kernel(&dev, cfg((n as u32).div_ceil(128), 128), &dv, &mut acc, &mut own).unwrap();
            let acc = acc.download().unwrap();
            let own = own.download().unwrap();
            let mut want = init.clone();
            for &x in &v {
                want[0] = want[0].wrapping_add(x);
                want[1] = want[1].wrapping_sub(x);
                want[2] = want[2].min(x);
                want[3] = want[3].max(x);
                want[4] &= x;
                want[5] |= x;
                want[6] ^= x;
            }
            assert_eq!(acc, want);
            for i in 0..n {
                let before = own_init[3 * i];
                // exch stored x and returned `before`; cas(x → before) succeeded (returns x); cas(x → 7) failed
                // (returns before, the value now there).
                assert_eq!(own[3 * i], before, "slot {i}");
                assert_eq!(own[3 * i + 1], v[i], "cas ok {i}");
                assert_eq!(own[3 * i + 2], before, "cas fail {i}");
            }
        }
    };
}
int_atomics_test!(atomics_u32_match_cpu, atomics::atomics_u32::launch, u32);
int_atomics_test!(atomics_i32_match_cpu, atomics::atomics_i32::launch, i32);
int_atomics_test!(atomics_u64_match_cpu, atomics::atomics_u64::launch, u64);
int_atomics_test!(atomics_i64_match_cpu, atomics::atomics_i64::launch, i64);

macro_rules! float_atomics_test {
    ($test:ident, $kernel:path, $t:ty) => {
        #[test]
        fn $test() {
            let dev = dev();
            let mut rng = Rng::new(6);
            let n = 500usize;
            // Small integers: every order of additions gives the exact sum.
            let v: Vec<$t> = (0..n).map(|_| (rng.next() % 2001) as $t - 1000.0).collect();
            let dv = dev.upload(&v).unwrap();
            let mut acc = dev.upload(&[1.0 as $t, 2.0, 0.0, 0.0]).unwrap();
            let own_init: Vec<$t> = (0..3 * n).map(|k| k as $t * 0.5).collect();
            let mut own = dev.upload(&own_init).unwrap();
            $kernel(&dev, cfg((n as u32).div_ceil(64), 64), &dv, &mut acc, &mut own).unwrap();
            let acc = acc.download().unwrap();
            let own = own.download().unwrap();
            let sum: $t = v.iter().sum();
            assert_eq!(acc, vec![1.0 + sum, 2.0 - sum, sum, -sum]);
            for i in 0..n {
                let before = own_init[3 * i];
                assert_eq!(own[3 * i], before, "slot {i}");
                assert_eq!(own[3 * i + 1], v[i], "cas ok {i}");
                assert_eq!(own[3 * i + 2], before, "cas fail {i}");
            }
        }
    };
}
float_atomics_test!(atomics_f32_match_cpu, atomics::atomics_f32::launch, f32);
float_atomics_test!(atomics_f64_match_cpu, atomics::atomics_f64::launch, f64);

#[test]
fn shared_histogram_matches_cpu() {
    let dev = dev();
    let mut rng = Rng::new(7);
    for n in [1usize, 1000, 20_000] {
        // Skewed: many collisions on a few bins.
        let data: Vec<u8> = (0..n)
            .map(|_| {
                let r = rng.next();
                if r % 3 == 0 {
                    (r >> 8) as u8 % 4
                } else {
                    (r >> 16) as u8
                }
            })
            .collect();
        let dd = dev.upload(&data).unwrap();
        let mut bins = dev.alloc_zeros::<u32>(256).unwrap();
        atomics::shared_histogram::launch(&dev, cfg(8, 128), &dd, &mut bins).unwrap();
        let mut want = vec![0u32; 256];
        for &b in &data {
            want[b as usize] += 1;
        }
        assert_eq!(bins.download().unwrap(), want, "n = {n}");
    }
}

#[test]
fn cached_loads_read_the_values() {
    let dev = dev();
    let mut rng = Rng::new(8);
    let a = rng.f32s(300);
    let b: Vec<i64> = (0..300).map(|_| (rng.next() % 1000) as i64 - 500).collect();
    let c = rng.f32s(300);
    let (da, db) = (dev.upload(&a).unwrap(), dev.upload(&b).unwrap());
    let mut dc = dev.upload(&c).unwrap();
    atomics::cached_loads::launch(&dev, LaunchConfig::for_num_elems(300), &da, &db, &mut dc).unwrap();
    let out = dc.download().unwrap();
    for i in 0..300 {
        assert_eq!(out[i].to_bits(), (a[i] + b[i] as f32 + c[i]).to_bits(), "{i}");
    }
}

// ----- warp operations -------------------------------------------------------------------------------------------

/// What lane `l` of a full warp reads in each mode (PTX semantics, width 32).
fn shfl_ref<T: Copy>(w: &[T], l: usize, lane: u32) -> [T; 4] {
    let idx = w[(lane % 32) as usize];
    let d = (lane % 8) as usize;
    let up = if l >= d { w[l - d] } else { w[l] };
    let down = if l + d < 32 { w[l + d] } else { w[l] };
    let x = w[(l ^ (lane as usize & 31)) & 31];
    [idx, up, down, x]
}

macro_rules! shuffle_test {
    ($test:ident, $kernel:path, $t:ty, $gen:expr) => {
        #[test]
        fn $test() {
            let dev = dev();
            let mut rng = Rng::new(9);
            let n = 128usize;
            let gen: fn(u64) -> $t = $gen;
            let v: Vec<$t> = (0..n).map(|_| gen(rng.next())).collect();
            let lanes: Vec<u32> = (0..n).map(|_| (rng.next() % 40) as u32).collect();
            let (dv, dl) = (dev.upload(&v).unwrap(), dev.upload(&lanes).unwrap());
            let mut out = dev.alloc_zeros::<$t>(4 * n).unwrap();
            $kernel(&dev, cfg(2, 64), &dv, &dl, &mut out).unwrap();
            let out = out.download().unwrap();
            for i in 0..n {
                let w = &v[i / 32 * 32..i / 32 * 32 + 32];
                let want = shfl_ref(w, i % 32, lanes[i]);
                for k in 0..4 {
                    assert_eq!(out[4 * i + k].to_bits(), want[k].to_bits(), "thread {i} mode {k}");
                }
            }
        }
    };
}
trait Bits {
    fn to_bits(self) -> u64;
}
macro_rules! int_bits {
    ($($t:ty),*) => {$(impl Bits for $t { fn to_bits(self) -> u64 { self as u64 } })*};
}
int_bits!(i32, u32, i64, u64);
impl Bits for f32 {
    fn to_bits(self) -> u64 {
        f32::to_bits(self) as u64
    }
}
impl Bits for f64 {
    fn to_bits(self) -> u64 {
        f64::to_bits(self)
    }
}
shuffle_test!(shuffles_i32_match_cpu, warp::shuffles_i32::launch, i32, |r| r as i32);
shuffle_test!(shuffles_u32_match_cpu, warp::shuffles_u32::launch, u32, |r| r as u32);
shuffle_test!(shuffles_f32_match_cpu, warp::shuffles_f32::launch, f32, |r| f32::from_bits(r as u32));
shuffle_test!(shuffles_i64_match_cpu, warp::shuffles_i64::launch, i64, |r| r as i64);
shuffle_test!(shuffles_u64_match_cpu, warp::shuffles_u64::launch, u64, |r| r);
shuffle_test!(shuffles_f64_match_cpu, warp::shuffles_f64::launch, f64, |r| f64::from_bits(r));

#[test]
fn votes_match_cpu() {
    let dev = dev();
    let mut rng = Rng::new(10);
    let n = 128usize;
    let mut v: Vec<u32> = (0..n).map(|_| rng.next() as u32).collect();
    // Warp 2: all divisible by 3; warp 3: none.
    for i in 64..96 {
        v[i] = 3 * (i as u32);
    }
    for i in 96..128 {
        v[i] = 3 * (i as u32) + 1;
    }
    let dv = dev.upload(&v).unwrap();
    let mut out = dev.alloc_zeros::<u32>(4 * n).unwrap();
    warp::votes::launch(&dev, cfg(1, 128), &dv, &mut out).unwrap();
    let out = out.download().unwrap();
    for w in 0..4 {
        let lanes = &v[w * 32..w * 32 + 32];
        let ballot = lanes.iter().enumerate().fold(0u32, |m, (l, x)| m | (((x % 3 == 0) as u32) << l));
        let all = lanes.iter().all(|x| x % 3 == 0) as u32;
        let any = lanes.iter().any(|x| x % 97 == 5) as u32;
        for l in 0..32 {
            let i = w * 32 + l;
            assert_eq!(out[4 * i], ballot, "ballot {i}");
            assert_eq!(out[4 * i + 1], all, "all {i}");
            assert_eq!(out[4 * i + 2], any, "any {i}");
            // The even lanes run the branch together (at least those: converged execution is not guaranteed,
            // but every lane running it is one of the even ones, and it is active).
            let m = out[4 * i + 3];
            if l % 2 == 0 {
                assert!(m & (1 << l) != 0 && m & 0xAAAA_AAAA == 0, "active mask {i}: {m:#x}");
            } else {
                assert_eq!(m, 0);
            }
        }
    }
}

/// The butterfly order of `warp_sum` etc.: after step `s`, lane `l` holds `op(v[l], v[l ^ s])`.
fn butterfly<T: Copy>(w: &[T], op: impl Fn(T, T) -> T) -> Vec<T> {
    let mut v = w.to_vec();
    for s in [16, 8, 4, 2, 1] {
        v = (0..32).map(|l| op(v[l], v[l ^ s])).collect();
    }
    v
}

#[test]
fn warp_reductions_f32_match_cpu() {
    let dev = dev();
    let v = Rng::new(11).f32s(96);
    let dv = dev.upload(&v).unwrap();
    let mut out = dev.alloc_zeros::<f32>(3 * 96).unwrap();
    warp::warp_reduce_f32::launch(&dev, cfg(1, 96), &dv, &mut out).unwrap();
    let out = out.download().unwrap();
    for w in 0..3 {
        let lanes = &v[w * 32..w * 32 + 32];
        let (s, mx, mn) = (butterfly(lanes, |a, b| a + b), butterfly(lanes, f32::max), butterfly(lanes, f32::min));
        for l in 0..32 {
            let i = w * 32 + l;
            assert_eq!(out[3 * i].to_bits(), s[l].to_bits(), "sum {i}");
            assert_eq!(out[3 * i + 1], mx[l]);
            assert_eq!(out[3 * i + 2], mn[l]);
        }
        // Every lane agrees.
        assert!(s.iter().all(|x| x.to_bits() == s[0].to_bits()));
    }
}

#[test]
fn warp_reductions_i64_match_cpu() {
    let dev = dev();
    let mut rng = Rng::new(12);
    let v: Vec<i64> = (0..64).map(|_| rng.next() as i64).collect();
    let dv = dev.upload(&v).unwrap();
    let mut out = dev.alloc_zeros::<i64>(3 * 64).unwrap();
    warp::warp_reduce_i64::launch(&dev, cfg(2, 32), &dv, &mut out).unwrap();
    let out = out.download().unwrap();
    for i in 0..64 {
        let lanes = &v[i / 32 * 32..i / 32 * 32 + 32];
        let sum = lanes.iter().fold(0i64, |a, b| a.wrapping_add(*b));
        assert_eq!(out[3 * i], sum);
        assert_eq!(out[3 * i + 1], *lanes.iter().max().unwrap());
        assert_eq!(out[3 * i + 2], *lanes.iter().min().unwrap());
    }
}

#[test]
fn lane_and_warp_ids() {
    let dev = dev();
    let c = LaunchConfig { grid_dim: (2, 1, 1), block_dim: (16, 6, 1), shared_mem_bytes: 0 };
    let mut out = dev.alloc_zeros::<u32>(2 * 192).unwrap();
    warp::warp_ids::launch(&dev, c, &mut out).unwrap();
    let out = out.download().unwrap();
    for k in 0..192 {
        let t = k % 96;
        assert_eq!(out[2 * k], (t % 32) as u32, "lane {k}");
        assert_eq!(out[2 * k + 1], (t / 32) as u32, "warp {k}");
    }
}

// ----- arrays ----------------------------------------------------------------------------------------------------

#[test]
fn vec4_axpy_matches_cpu() {
    let dev = dev();
    let mut rng = Rng::new(13);
    let n = 1001usize;
    let x: Vec<[f32; 4]> = (0..n)
        .map(|_| {
            let v = rng.f32s(4);
            [v[0], v[1], v[2], v[3]]
        })
        .collect();
    let y0: Vec<[f32; 4]> = (0..n)
        .map(|_| {
            let v = rng.f32s(4);
            [v[0], v[1], v[2], v[3]]
        })
        .collect();
    let dx = dev.upload(&x).unwrap();
    let mut dy = dev.upload(&y0).unwrap();
    arrays::vec4_axpy::launch(&dev, LaunchConfig::for_num_elems(n as u32), 1.75, &dx, &mut dy).unwrap();
    let y = dy.download().unwrap();
    for i in 0..n {
        for k in 0..4 {
            assert_eq!(y[i][k].to_bits(), (1.75 * x[i][k] + y0[i][k]).to_bits(), "{i} {k}");
        }
    }
    assert!(arrays::vec4_axpy::PTX.contains("ld.global.nc.v4.f32"));
    assert!(arrays::vec4_axpy::PTX.contains("st.global.v4.f32"));
}

#[test]
fn vector_kinds_match_cpu() {
    let dev = dev();
    let mut rng = Rng::new(14);
    let n = 300usize;
    let a: Vec<[u32; 4]> =
        (0..n).map(|_| [rng.next() as u32, rng.next() as u32, rng.next() as u32, rng.next() as u32 >> 8]).collect();
    let b: Vec<[i32; 2]> = (0..n).map(|_| [rng.next() as i32, rng.next() as i32]).collect();
    let c: Vec<[f64; 2]> =
        (0..n).map(|_| [(rng.next() >> 11) as f64 / 7.0, -((rng.next() >> 11) as f64) / 3.0]).collect();
    let d: Vec<[u8; 4]> = (0..n)
        .map(|_| {
            let r = rng.next();
            [r as u8, (r >> 8) as u8, (r >> 16) as u8, (r >> 24) as u8]
        })
        .collect();
    let (da, db, dc, dd) =
        (dev.upload(&a).unwrap(), dev.upload(&b).unwrap(), dev.upload(&c).unwrap(), dev.upload(&d).unwrap());
    let mut oa = dev.alloc_zeros::<[u32; 4]>(n).unwrap();
    let mut ob = dev.alloc_zeros::<[i32; 2]>(n).unwrap();
    let mut oc = dev.alloc_zeros::<[f64; 2]>(n).unwrap();
    let mut sums = dev.alloc_zeros::<u32>(n).unwrap();
    arrays::vector_kinds::launch(
        &dev,
        LaunchConfig::for_num_elems(n as u32),
        &da,
        &db,
        &dc,
        &dd,
        &mut oa,
        &mut ob,
        &mut oc,
        &mut sums,
    )
    .unwrap();
    let (oa, ob, oc, sums) =
        (oa.download().unwrap(), ob.download().unwrap(), oc.download().unwrap(), sums.download().unwrap());
    for i in 0..n {
        assert_eq!(oa[i], a[i]);
        assert_eq!(ob[i], [b[i][1], b[i][0]]);
        assert_eq!(oc[i], [c[i][0] + c[i][1], c[i][0] * 2.0]);
        assert_eq!(sums[i], d[i].iter().map(|&v| v as u32).sum::<u32>() + a[i][3]);
    }
}

#[test]
fn local_arrays_match_cpu() {
    let dev = dev();
    let mut rng = Rng::new(15);
    let n = 200usize;
    let x = rng.f32s(8 * n);
    let k: Vec<u32> = (0..n).map(|_| rng.next() as u32).collect();
    let (dx, dk) = (dev.upload(&x).unwrap(), dev.upload(&k).unwrap());
    let mut out = dev.alloc_zeros::<f32>(4 * n).unwrap();
    arrays::local_arrays::launch(&dev, LaunchConfig::for_num_elems(n as u32), &dx, &dk, &mut out).unwrap();
    let out = out.download().unwrap();
    for i in 0..n {
        let mut acc = [0.0f32; 8];
        for j in 0..8 {
            acc[j] = x[i * 8 + j] * 2.0;
        }
        let mut grid = [[0i32; 4]; 4];
        for r in 0..4 {
            for c in 0..4 {
                grid[r][c] = (r * 4 + c) as i32;
            }
        }
        let d = (k[i] % 8) as usize;
        let picked = acc[d];
        acc[(d + 1) % 8] += 100.0;
        let mut total = 0.0f32;
        for j in 0..8 {
            total += acc[j];
        }
        let row = grid[d % 4];
        let lit = [1.5f32, -2.0, picked];
        let mut g = grid[3][d % 4] as f32 + row[1] as f32;
        g += grid[d % 4][d % 4] as f32;
        let want = [picked, total, acc[7] + lit[0] + lit[1] + lit[2], g];
        for q in 0..4 {
            assert_eq!(out[4 * i + q].to_bits(), want[q].to_bits(), "thread {i} output {q}");
        }
    }
}

// ----- device functions ------------------------------------------------------------------------------------------

#[test]
fn device_functions_are_inlined() {
    let dev = dev();
    let mut rng = Rng::new(16);
    let n = 256usize;
    let x = rng.f32s(n);
    let y0 = rng.f32s(n);
    let ns: Vec<u32> = (0..n).map(|i| if i % 9 == 0 { 0 } else { (rng.next() % 100_000) as u32 }).collect();
    let (dx, dn) = (dev.upload(&x).unwrap(), dev.upload(&ns).unwrap());
    let mut dy = dev.upload(&y0).unwrap();
    let mut steps = dev.alloc_zeros::<u32>(n).unwrap();
    device::helpers::device_calls::launch(&dev, cfg(2, 128), &dx, &mut dy, &dn, &mut steps, 0.3).unwrap();
    let (y, steps) = (dy.download().unwrap(), steps.download().unwrap());
    let collatz = |mut n: u32| -> u32 {
        if n == 0 {
            return 0;
        }
        let mut s = 0;
        while n != 1 {
            n = if n % 2 == 0 { n / 2 } else { n.wrapping_mul(3).wrapping_add(1) };
            s += 1;
            if s == 500 {
                return s;
            }
        }
        s
    };
    for i in 0..n {
        let want = (x[i] + (y0[i] - x[i]) * 0.3) + (1.0 + (2.0f32 - 1.0) * 0.5);
        assert_eq!(y[i].to_bits(), want.to_bits(), "{i}");
        assert_eq!(steps[i], collatz(ns[i]) + collatz(7), "{i}");
    }
}

// ----- generic kernels -------------------------------------------------------------------------------------------

#[test]
fn generic_kernels_by_instance() {
    let dev = dev();
    let mut rng = Rng::new(17);
    let n = 500usize;
    let x = rng.f32s(n);
    let y0 = rng.f32s(n);
    let (dx, mut dy) = (dev.upload(&x).unwrap(), dev.upload(&y0).unwrap());
    generic::axpy::launch(&dev, LaunchConfig::for_num_elems(n as u32), 1.5f32, &dx, &mut dy).unwrap();
    let y = dy.download().unwrap();
    for i in 0..n {
        assert_eq!(y[i].to_bits(), 1.5f32.mul_add(x[i], y0[i]).to_bits());
    }
    let xd: Vec<f64> = x.iter().map(|&v| v as f64 / 3.0).collect();
    let yd: Vec<f64> = y0.iter().map(|&v| v as f64 * 7.0).collect();
    let (dx, mut dy) = (dev.upload(&xd).unwrap(), dev.upload(&yd).unwrap());
    generic::axpy::launch::<f64>(&dev, LaunchConfig::for_num_elems(n as u32), -0.25, &dx, &mut dy).unwrap();
    let y = dy.download().unwrap();
    for i in 0..n {
        assert_eq!(y[i].to_bits(), (-0.25f64).mul_add(xd[i], yd[i]).to_bits());
    }
    assert_eq!(generic::axpy::axpy_f32::ENTRY, "axpy_f32");

    let v: Vec<u32> = (0..1000).map(|_| (rng.next() as u32) >> 12).collect();
    let dv = dev.upload(&v).unwrap();
    for block in [64usize, 128] {
        let blocks = 1000usize.div_ceil(block);
        let mut sums = dev.alloc_zeros::<u32>(blocks).unwrap();
        let c = cfg(blocks as u32, block as u32);
        if block == 64 {
            generic::block_sum::launch::<64>(&dev, c, &dv, &mut sums).unwrap();
        } else {
            generic::block_sum::launch::<128>(&dev, c, &dv, &mut sums).unwrap();
        }
        let sums = sums.download().unwrap();
        for b in 0..blocks {
            let want: u32 = v[b * block..((b + 1) * block).min(1000)].iter().sum();
            assert_eq!(sums[b], want, "block {block}: {b}");
        }
    }
}

// ----- f16 / bf16 ------------------------------------------------------------------------------------------------

#[test]
fn half_types_match_the_half_crate() {
    use ptx_kernel::half::{bf16, f16};
    let dev = dev();
    let mut rng = Rng::new(18);
    let n = 2000usize;
    let gen = |rng: &mut Rng| -> f32 {
        match rng.next() % 8 {
            0 => f32::from_bits(rng.next() as u32),
            1 => [0.0, -0.0, f32::INFINITY, -1.0, 65504.0, 1e-7][(rng.next() % 6) as usize],
            _ => ((rng.next() >> 40) as f32 / (1u64 << 24) as f32) * 200.0 - 100.0,
        }
    };
    let a: Vec<f16> = (0..n).map(|_| f16::from_f32(gen(&mut rng))).collect();
    let b: Vec<f16> = (0..n).map(|_| f16::from_f32(gen(&mut rng))).collect();
    let c: Vec<bf16> = (0..n).map(|_| bf16::from_f32(gen(&mut rng))).collect();
    let d: Vec<bf16> = (0..n).map(|_| bf16::from_f32(gen(&mut rng))).collect();
    let w: Vec<f32> = (0..n).map(|_| gen(&mut rng)).collect();
    let s = f16::from_f32(0.75);
    for native in [false, true] {
        let up = |v: &Vec<_>| dev.upload(v).unwrap();
        let (da, db, dc, dd, dw) =
            (up(&a), up(&b), dev.upload(&c).unwrap(), dev.upload(&d).unwrap(), dev.upload(&w).unwrap());
        let mut oh = dev.alloc_zeros::<f16>(5 * n).unwrap();
        let mut ob = dev.alloc_zeros::<bf16>(5 * n).unwrap();
        let mut flags = dev.alloc_zeros::<u32>(n).unwrap();
        let mut wide = dev.alloc_zeros::<f32>(2 * n).unwrap();
        let c1 = LaunchConfig::for_num_elems(n as u32);
        if native {
            half::half_native::launch(&dev, c1, &da, &db, &dc, &dd, s, &dw, &mut oh, &mut ob, &mut flags, &mut wide)
                .unwrap();
        } else {
            half::half_ops::launch(&dev, c1, &da, &db, &dc, &dd, s, &dw, &mut oh, &mut ob, &mut flags, &mut wide)
                .unwrap();
        }
        let (oh, ob, flags, wide) =
            (oh.download().unwrap(), ob.download().unwrap(), flags.download().unwrap(), wide.download().unwrap());
        let same_h = |x: f16, y: f16| (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits();
        let same_b = |x: bf16, y: bf16| (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits();
        for i in 0..n {
            let (x, y, p, q) = (a[i], b[i], c[i], d[i]);
            let wh = [x + y, x * y - s, x / y, -x, f16::from_f32(w[i])];
            let wb = [p + q, p * q - bf16::from_f32(1.5), p / q, -p, bf16::from_f32(w[i])];
            for k in 0..5 {
                assert!(
                    same_h(oh[5 * i + k], wh[k]),
                    "native {native}: f16 op {k} at {i}: {x} {y}: got {} want {}",
                    oh[5 * i + k],
                    wh[k]
                );
                assert!(
                    same_b(ob[5 * i + k], wb[k]),
                    "native {native}: bf16 op {k} at {i}: {p} {q}: got {} want {}",
                    ob[5 * i + k],
                    wb[k]
                );
            }
            let f = (x < y) as u32 | ((p >= q) as u32) << 1 | ((x == y) as u32) << 2 | ((p != q) as u32) << 3;
            assert_eq!(flags[i], f, "flags {i}");
            let w0 = x.to_f32() + p.to_f32();
            let w1 = (y.to_f64() * q.to_f64()) as f32;
            assert!(wide[2 * i].to_bits() == w0.to_bits() || (w0.is_nan() && wide[2 * i].is_nan()));
            assert!(wide[2 * i + 1].to_bits() == w1.to_bits() || (w1.is_nan() && wide[2 * i + 1].is_nan()));
        }
    }
    assert!(half::half_native::PTX.contains("add.rn.f16") && half::half_native::PTX.contains("add.rn.bf16"));
    assert_eq!(half::half_ops::TARGET, "sm_52");
}

#[test]
fn vector_loads_and_stores_on_scalar_slices() {
    let dev = dev();
    let mut rng = Rng::new(19);
    let n = 300usize;
    let x = rng.f32s(4 * n);
    let p: Vec<u16> = (0..2 * n).map(|_| rng.next() as u16).collect();
    let (dx, dp) = (dev.upload(&x).unwrap(), dev.upload(&p).unwrap());
    let mut dy = dev.alloc_zeros::<f32>(4 * n).unwrap();
    let mut dq = dev.alloc_zeros::<u16>(2 * n).unwrap();
    arrays::vec_on_scalars::launch(&dev, LaunchConfig::for_num_elems(n as u32), &dx, &mut dy, &dp, &mut dq).unwrap();
    let (y, q) = (dy.download().unwrap(), dq.download().unwrap());
    for i in 0..n {
        for k in 0..4 {
            assert_eq!(y[4 * i + k].to_bits(), x[4 * i + 3 - k].to_bits());
        }
        assert_eq!([q[2 * i], q[2 * i + 1]], [p[2 * i + 1], p[2 * i]]);
    }
    assert!(
        arrays::vec_on_scalars::PTX.contains("ld.global.nc.v4.f32")
            && arrays::vec_on_scalars::PTX.contains("st.global.v2.u16")
    );
}

#[test]
fn half_atomic_adds() {
    use ptx_kernel::half::{bf16, f16};
    let dev = dev();
    let mut rng = Rng::new(20);
    let n = 100usize;
    // Small integers: every order of additions is exact.
    let vi: Vec<i32> = (0..n).map(|_| (rng.next() % 9) as i32 - 4).collect();
    let v: Vec<f16> = vi.iter().map(|&x| f16::from_f32(x as f32)).collect();
    let w: Vec<bf16> = vi.iter().map(|&x| bf16::from_f32((x / 2) as f32)).collect();
    let (dv, dw) = (dev.upload(&v).unwrap(), dev.upload(&w).unwrap());
    let mut acc = dev.upload(&[f16::from_f32(1.0), f16::from_f32(0.0)]).unwrap();
    let mut accb = dev.upload(&[bf16::from_f32(2.0)]).unwrap();
    atomics::half_atomics::launch(&dev, cfg(4, 32), &dv, &dw, &mut acc, &mut accb).unwrap();
    let (acc, accb) = (acc.download().unwrap(), accb.download().unwrap());
    let sum: i32 = vi.iter().sum();
    let sumb: i32 = vi.iter().map(|x| x / 2).sum();
    assert_eq!(acc[0].to_f32(), 1.0 + sum as f32);
    assert_eq!(accb[0].to_f32(), 2.0 + sumb as f32);
    assert_eq!(acc[1].to_f32(), sum as f32);
    assert_eq!(atomics::half_atomics::TARGET, "sm_90");
}

#[test]
fn generic_kernel_in_a_module() {
    let dev = dev();
    let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
    let y0: Vec<f64> = (0..50).map(|i| 100.0 - i as f64).collect();
    let (dx, mut dy) = (dev.upload(&x).unwrap(), dev.upload(&y0).unwrap());
    device::helpers::generic_lerp::launch(&dev, LaunchConfig::for_num_elems(50), &dx, &mut dy, 0.25f64).unwrap();
    let y = dy.download().unwrap();
    for i in 0..50 {
        assert_eq!(y[i], x[i] + (y0[i] - x[i]) * 0.25);
    }
}

#[test]
fn dynamic_shared_views_alias() {
    let dev = dev();
    let mut out = dev.alloc_zeros::<f32>(32).unwrap();
    dev.synchronize().unwrap();
    shared::dynamic_alias::launch(&dev, cfg(1, 32).with_shared_mem(32 * 4), &mut out).unwrap();
    let out = out.download().unwrap();
    for t in 0..32 {
        assert_eq!(out[t], f32::from_bits(0x3F80_0000 + t as u32) + 32.0, "{t}");
    }
}
