//! Every test kernel run on `Device::from_env()` (the CPU emulator unless `PTX_KERNEL_DEVICE` says otherwise, e.g.
//! `PTX_KERNEL_DEVICE=cuda` on a GPU machine) with random inputs (a fixed-seed LCG, never all zero, edge values
//! mixed in), compared with its CPU reference: integers exactly, floats bit for bit (any NaN matches any NaN, and
//! ±0 match since their order in `min`/`max` is unspecified).

mod kernels;

use kernels::*;
use ptx_kernel::prelude::*;

// ----- inputs ------------------------------------------------------------------------------------------------

#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;

macro_rules! gen_int {
    ($name:ident, $t:ty) => {
        fn $name(rng: &mut Lcg, n: usize) -> Vec<$t> {
            rng.ints(
                n,
                |b| b as $t,
                &[<$t>::MIN, <$t>::MAX, 0 as $t, 1 as $t, (0 as $t).wrapping_sub(1), <$t>::MAX / 2],
            )
        }
    };
}
gen_int!(gen_i8, i8);
gen_int!(gen_u8, u8);
gen_int!(gen_i16, i16);
gen_int!(gen_u16, u16);
gen_int!(gen_i32, i32);
gen_int!(gen_u32, u32);
gen_int!(gen_i64, i64);
gen_int!(gen_u64, u64);

/// Divisors: never zero (division by zero panics, in kernels too: see `ptx_kernel::gpu`).
fn nonzero<T: Copy + PartialEq + Default>(v: Vec<T>, three: T) -> Vec<T> {
    v.into_iter().map(|x| if x == T::default() { three } else { x }).collect()
}

// ----- comparison --------------------------------------------------------------------------------------------

trait Same {
    fn same(&self, other: &Self) -> bool;
}
macro_rules! same_exact {
    ($($t:ty),*) => {$(impl Same for $t { fn same(&self, other: &Self) -> bool { self == other } })*};
}
same_exact!(i8, u8, i16, u16, i32, u32, i64, u64, isize, bool);
impl Same for f32 {
    // Bit-exact, except that any NaN matches any NaN and ±0 match (their order in min/max is unspecified).
    fn same(&self, other: &Self) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan()) || (*self == 0.0 && *other == 0.0)
    }
}
impl Same for f64 {
    fn same(&self, other: &Self) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan()) || (*self == 0.0 && *other == 0.0)
    }
}

#[track_caller]
fn check<T: Same + std::fmt::Debug>(kernel: &str, got: &[T], want: &[T], inputs: &dyn Fn(usize) -> String) {
    assert_eq!(got.len(), want.len(), "{kernel}: length");
    let bad: Vec<usize> = (0..got.len()).filter(|&i| !got[i].same(&want[i])).collect();
    if let Some(&i) = bad.first() {
        panic!(
            "{kernel}: {} of {} outputs differ; first at [{i}]: got {:?}, want {:?} (inputs: {})",
            bad.len(),
            got.len(),
            got[i],
            want[i],
            inputs(i)
        );
    }
}

/// Distance in ulps (±0 are 0 apart; NaN is 0 from NaN and farthest from anything else).
trait Ulps: Copy {
    fn ulps(self, other: Self) -> u64;
}
macro_rules! ulps {
    ($($f:ty: $i:ty),*) => {$(impl Ulps for $f {
        fn ulps(self, other: Self) -> u64 {
            if self.is_nan() || other.is_nan() {
                return if self.is_nan() && other.is_nan() { 0 } else { u64::MAX };
            }
            // The bits as integers ordered like the floats.
            let key = |v: $f| {
                let b = v.to_bits() as $i;
                (if b < 0 { <$i>::MIN - b } else { b }) as i64
            };
            key(self).abs_diff(key(other))
        }
    })*};
}
ulps!(f32: i32, f64: i64);

/// `check` for results within `bounds[i % bounds.len()]` ulps of the host's (transcendental methods).
#[track_caller]
fn check_ulps<T: Ulps + std::fmt::Debug>(
    kernel: &str,
    got: &[T],
    want: &[T],
    bounds: &[u64],
    inputs: &dyn Fn(usize) -> String,
) {
    assert_eq!(got.len(), want.len(), "{kernel}: length");
    let bad: Vec<usize> = (0..got.len()).filter(|&i| got[i].ulps(want[i]) > bounds[i % bounds.len()]).collect();
    if let Some(&i) = bad.first() {
        panic!(
            "{kernel}: {} of {} outputs differ by more than their bound; first at [{i}]: got {:?}, want {:?}, {} \
             ulps apart (inputs: {})",
            bad.len(),
            got.len(),
            got[i],
            want[i],
            got[i].ulps(want[i]),
            inputs(i)
        );
    }
}

// ----- device ------------------------------------------------------------------------------------------------

/// The device the tests run on (after checking that the smallest kernel launches).
fn device() -> Option<Device> {
    let dev = Device::from_env().expect("device");
    basic::noop::launch(&dev, LaunchConfig::for_num_elems(1)).expect("launching the empty kernel");
    Some(dev)
}

const N: usize = 1000;

fn cfg(n: usize) -> LaunchConfig {
    LaunchConfig::for_num_elems(n as u32)
}

// ----- basic -------------------------------------------------------------------------------------------------

#[test]
fn exec_basic() -> ptx_kernel::Result<()> {
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(1);

    let x = rng.f32s(N);
    let y0 = rng.f32s(N);
    let (dx, mut dy) = (dev.upload(&x)?, dev.upload(&y0)?);
    basic::saxpy::launch(&dev, cfg(N), 1.7, &dx, &mut dy)?;
    let mut want = y0.clone();
    basic::saxpy_ref(1.7, &x, &mut want);
    check("saxpy", &dy.download()?, &want, &|i| format!("x={} y={}", x[i], y0[i]));

    let a = gen_u8(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut db = dev.alloc_zeros::<u8>(N - 10)?;
    basic::copy_u8::launch(&dev, cfg(N), &da, &mut db)?;
    let mut want = vec![0u8; N - 10];
    basic::copy_u8_ref(&a, &mut want);
    check("copy_u8", &db.download()?, &want, &|i| format!("x={}", a[i]));

    let mut d = dev.alloc_zeros::<i64>(N)?;
    basic::fill_i64::launch(&dev, cfg(N), &mut d, -0x1234_5678_9ABC)?;
    let mut want = vec![0; N];
    basic::fill_i64_ref(&mut want, -0x1234_5678_9ABC);
    check("fill_i64", &d.download()?, &want, &|_| String::new());

    for add in [true, false] {
        let x = gen_i32(&mut rng, N);
        let o = gen_i32(&mut rng, N);
        let (dx, mut d) = (dev.upload(&x)?, dev.upload(&o)?);
        basic::bool_param::launch(&dev, cfg(N), add, &dx, &mut d)?;
        let mut want = o.clone();
        basic::bool_param_ref(add, &x, &mut want);
        check("bool_param", &d.download()?, &want, &|i| format!("add={add} x={} out={}", x[i], o[i]));
    }

    // Bool slices are byte buffers; any non-zero byte reads as true.
    let a = gen_u8(&mut rng, N);
    let b = gen_u8(&mut rng, N);
    let (da, dbb) = (dev.upload(&a)?, dev.upload(&b)?);
    let mut d = dev.alloc_zeros::<u8>(4 * N)?;
    basic::bool_logic::launch(&dev, cfg(N), &da, &dbb, &mut d)?;
    let (ab, bb): (Vec<bool>, Vec<bool>) = (a.iter().map(|&v| v != 0).collect(), b.iter().map(|&v| v != 0).collect());
    let mut want = vec![false; 4 * N];
    basic::bool_logic_ref(&ab, &bb, &mut want);
    let got: Vec<bool> = d
        .download()?
        .iter()
        .map(|&v| {
            assert!(v <= 1, "bool_logic wrote {v}");
            v == 1
        })
        .collect();
    check("bool_logic", &got, &want, &|i| format!("a={} b={}", a[i / 4], b[i / 4]));

    let (grid, block) = ((3u32, 2u32, 2u32), (4u32, 2u32, 3u32));
    let total = 12 * (grid.0 * grid.1 * grid.2 * block.0 * block.1 * block.2) as usize;
    let mut d = dev.alloc_zeros::<u32>(total)?;
    let c = LaunchConfig { grid_dim: grid, block_dim: block, shared_mem_bytes: 0 };
    basic::geometry::launch(&dev, c, &mut d)?;
    let mut want = vec![0; total];
    basic::geometry_ref(grid, block, &mut want);
    check("geometry", &d.download()?, &want, &|i| format!("word {i}"));

    let (w, h) = (37u32, 29u32);
    let x = rng.f32s((w * h) as usize);
    let dx = dev.upload(&x)?;
    let mut d = dev.alloc_zeros::<f32>((w * h) as usize)?;
    basic::transpose::launch(&dev, LaunchConfig::for_2d(w, h, (16, 16)), w, h, &dx, &mut d)?;
    let mut want = vec![0.0; (w * h) as usize];
    basic::transpose_ref(w, h, &x, &mut want);
    check("transpose", &d.download()?, &want, &|i| format!("[{i}]"));

    let (dx, dy) = (dev.upload(&gen_u16(&mut rng, 77))?, dev.upload(&rng.f64s(5))?);
    let mut d = dev.alloc_zeros::<u64>(N)?;
    basic::lengths::launch(&dev, cfg(N), &dx, &dy, &mut d)?;
    let mut want = vec![0; N];
    basic::lengths_ref(&[0; 77], &[0.0; 5], &mut want);
    check("lengths", &d.download()?, &want, &|_| String::new());

    // One block, so the barrier covers every thread that exchanges.
    let n = 256;
    let x = gen_i32(&mut rng, n);
    let dx = dev.upload(&x)?;
    let mut scratch = dev.alloc_zeros::<i32>(n)?;
    let mut d = dev.alloc_zeros::<i32>(n)?;
    basic::neighbour_exchange::launch(&dev, cfg(n), &dx, &mut scratch, &mut d)?;
    let mut want = vec![0; n];
    basic::neighbour_exchange_ref(&x, &mut want);
    check("neighbour_exchange", &d.download()?, &want, &|i| format!("x={}", x[i ^ 1]));

    let mut d = dev.alloc_zeros::<isize>(N)?;
    basic::mut_params::launch(&dev, cfg(N), -123_456_789_012, 1 << 40, &mut d)?;
    let mut want = vec![0; N];
    basic::mut_params_ref(-123_456_789_012, 1 << 40, &mut want);
    check("mut_params", &d.download()?, &want, &|_| String::new());
    Ok(())
}

// ----- integers ----------------------------------------------------------------------------------------------

macro_rules! exec_arith {
    ($test:ident, $kernel:ident, $reference:ident, $gen:ident, $t:ty) => {
        #[test]
        fn $test() -> ptx_kernel::Result<()> {
            let Some(dev) = device() else { return Ok(()) };
            let mut rng = Lcg::new(stringify!($kernel).len() as u64 * 97);
            let a = $gen(&mut rng, N);
            let mut b = nonzero($gen(&mut rng, N), 3 as $t);
            // `MIN / -1` panics in Rust (and in kernels: see tests/exec_safety.rs); keep -1 for the other dividends.
            #[allow(unused_comparisons)]
            for (x, y) in a.iter().zip(b.iter_mut()) {
                if *x == <$t>::MIN && <$t>::MIN < 0 && *y == (0 as $t).wrapping_sub(1) {
                    *y = 3 as $t;
                }
            }
            let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
            let mut d = dev.alloc_zeros::<$t>(5 * N)?;
            ints::$kernel::launch(&dev, cfg(N), &da, &db, &mut d)?;
            let mut want = vec![0 as $t; 5 * N];
            ints::$reference(&a, &b, &mut want);
            check(stringify!($kernel), &d.download()?, &want, &|i| format!("a={} b={}", a[i / 5], b[i / 5]));
            Ok(())
        }
    };
}

exec_arith!(exec_arith_i8, arith_i8, arith_i8_ref, gen_i8, i8);
exec_arith!(exec_arith_u8, arith_u8, arith_u8_ref, gen_u8, u8);
exec_arith!(exec_arith_i16, arith_i16, arith_i16_ref, gen_i16, i16);
exec_arith!(exec_arith_u16, arith_u16, arith_u16_ref, gen_u16, u16);
exec_arith!(exec_arith_i32, arith_i32, arith_i32_ref, gen_i32, i32);
exec_arith!(exec_arith_u32, arith_u32, arith_u32_ref, gen_u32, u32);
exec_arith!(exec_arith_i64, arith_i64, arith_i64_ref, gen_i64, i64);
exec_arith!(exec_arith_u64, arith_u64, arith_u64_ref, gen_u64, u64);

#[test]
fn exec_int_ops() -> ptx_kernel::Result<()> {
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(7);

    let (a, b, c) = (gen_u32(&mut rng, N), gen_i64(&mut rng, N), gen_i8(&mut rng, N));
    let (da, db, dc) = (dev.upload(&a)?, dev.upload(&b)?, dev.upload(&c)?);
    let (mut o32, mut o64, mut o8) = (dev.alloc_zeros(N)?, dev.alloc_zeros(N)?, dev.alloc_zeros(N)?);
    ints::bit_ops::launch(&dev, cfg(N), &da, &db, &dc, &mut o32, &mut o64, &mut o8)?;
    let (mut w32, mut w64, mut w8) = (vec![0; N], vec![0; N], vec![0; N]);
    ints::bit_ops_ref(&a, &b, &c, &mut w32, &mut w64, &mut w8);
    check("bit_ops u32", &o32.download()?, &w32, &|i| format!("a={}", a[i]));
    check("bit_ops i64", &o64.download()?, &w64, &|i| format!("b={}", b[i]));
    check("bit_ops i8", &o8.download()?, &w8, &|i| format!("c={}", c[i]));

    let (a, s, b, c) = (gen_i32(&mut rng, N), gen_u8(&mut rng, N), gen_u64(&mut rng, N), gen_i8(&mut rng, N));
    let (da, ds, db, dc) = (dev.upload(&a)?, dev.upload(&s)?, dev.upload(&b)?, dev.upload(&c)?);
    let mut d = dev.alloc_zeros::<i64>(6 * N)?;
    ints::shifts::launch(&dev, cfg(N), &da, &ds, &db, &dc, &mut d)?;
    let mut want = vec![0; 6 * N];
    ints::shifts_ref(&a, &s, &b, &c, &mut want);
    check("shifts", &d.download()?, &want, &|i| format!("a={} s={} b={} c={}", a[i / 6], s[i / 6], b[i / 6], c[i / 6]));

    let (a, b) = (gen_u16(&mut rng, N), gen_i64(&mut rng, N));
    let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
    let mut d = dev.alloc_zeros::<u64>(N)?;
    ints::const_shifts::launch(&dev, cfg(N), &da, &db, &mut d)?;
    let mut want = vec![0; N];
    ints::const_shifts_ref(&a, &b, &mut want);
    check("const_shifts", &d.download()?, &want, &|i| format!("a={} b={}", a[i], b[i]));

    let (a, b) = (gen_u32(&mut rng, N), gen_u32(&mut rng, N));
    let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
    let mut d = dev.alloc_zeros::<u32>(2 * N)?;
    ints::compound_assign::launch(&dev, cfg(N), &da, &db, &mut d)?;
    let mut want = vec![0; 2 * N];
    ints::compound_assign_ref(&a, &b, &mut want);
    check("compound_assign", &d.download()?, &want, &|i| format!("a={} b={}", a[i / 2], b[i / 2]));

    let (a, mut b, c, dd) = (gen_i32(&mut rng, N), gen_i32(&mut rng, N), gen_u8(&mut rng, N), gen_u64(&mut rng, N));
    for k in (0..N).step_by(9) {
        b[k] = a[k]; // equal pairs too
    }
    let (da, db, dc, ddd) = (dev.upload(&a)?, dev.upload(&b)?, dev.upload(&c)?, dev.upload(&dd)?);
    let mut d = dev.alloc_zeros::<u32>(N)?;
    ints::compare_ints::launch(&dev, cfg(N), &da, &db, &dc, &ddd, &mut d)?;
    let mut want = vec![0; N];
    ints::compare_ints_ref(&a, &b, &c, &dd, &mut want);
    check("compare_ints", &d.download()?, &want, &|i| format!("a={} b={} c={} d={}", a[i], b[i], c[i], dd[i]));

    let (a, b, c) = (gen_i8(&mut rng, N), gen_i32(&mut rng, N), gen_u64(&mut rng, N));
    let (da, db, dc) = (dev.upload(&a)?, dev.upload(&b)?, dev.upload(&c)?);
    let (mut o8, mut o32, mut o64) = (dev.alloc_zeros(N)?, dev.alloc_zeros(N)?, dev.alloc_zeros(N)?);
    ints::int_methods::launch(&dev, cfg(N), &da, &db, &dc, &mut o8, &mut o32, &mut o64)?;
    let (mut w8, mut w32, mut w64) = (vec![0; N], vec![0; N], vec![0; N]);
    ints::int_methods_ref(&a, &b, &c, &mut w8, &mut w32, &mut w64);
    check("int_methods i8", &o8.download()?, &w8, &|i| format!("a={}", a[i]));
    check("int_methods i32", &o32.download()?, &w32, &|i| format!("b={}", b[i]));
    check("int_methods u64", &o64.download()?, &w64, &|i| format!("c={}", c[i]));
    Ok(())
}

// ----- casts -------------------------------------------------------------------------------------------------

#[test]
fn exec_casts() -> ptx_kernel::Result<()> {
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(11);

    let a = gen_i64(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<i64>(10 * N)?;
    casts::int_casts::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; 10 * N];
    casts::int_casts_ref(&a, &mut want);
    check("int_casts", &d.download()?, &want, &|i| format!("a={} (output {})", a[i / 10], i % 10));

    let (a, b, c) = (gen_i8(&mut rng, N), gen_u8(&mut rng, N), gen_i16(&mut rng, N));
    let (da, db, dc) = (dev.upload(&a)?, dev.upload(&b)?, dev.upload(&c)?);
    let mut d = dev.alloc_zeros::<u64>(4 * N)?;
    casts::widen_small::launch(&dev, cfg(N), &da, &db, &dc, &mut d)?;
    let mut want = vec![0; 4 * N];
    casts::widen_small_ref(&a, &b, &c, &mut want);
    check("widen_small", &d.download()?, &want, &|i| format!("a={} b={} c={}", a[i / 4], b[i / 4], c[i / 4]));

    let x = rng.f32s(N);
    let dx = dev.upload(&x)?;
    let (mut d, mut du) = (dev.alloc_zeros::<i64>(8 * N)?, dev.alloc_zeros::<u64>(2 * N)?);
    casts::f32_to_int::launch(&dev, cfg(N), &dx, &mut d, &mut du)?;
    let (mut want, mut want_u) = (vec![0; 8 * N], vec![0; 2 * N]);
    casts::f32_to_int_ref(&x, &mut want, &mut want_u);
    check("f32_to_int", &d.download()?, &want, &|i| format!("x={:e} (output {})", x[i / 8], i % 8));
    check("f32_to_int u64", &du.download()?, &want_u, &|i| format!("x={:e}", x[i / 2]));

    let x = rng.f64s(N);
    let dx = dev.upload(&x)?;
    let (mut d, mut du) = (dev.alloc_zeros::<i64>(8 * N)?, dev.alloc_zeros::<u64>(2 * N)?);
    casts::f64_to_int::launch(&dev, cfg(N), &dx, &mut d, &mut du)?;
    let (mut want, mut want_u) = (vec![0; 8 * N], vec![0; 2 * N]);
    casts::f64_to_int_ref(&x, &mut want, &mut want_u);
    check("f64_to_int", &d.download()?, &want, &|i| format!("x={:e} (output {})", x[i / 8], i % 8));
    check("f64_to_int u64", &du.download()?, &want_u, &|i| format!("x={:e}", x[i / 2]));

    let (a, b) = (gen_i64(&mut rng, N), gen_u64(&mut rng, N));
    let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
    let (mut o32, mut o64) = (dev.alloc_zeros::<f32>(4 * N)?, dev.alloc_zeros::<f64>(4 * N)?);
    casts::int_to_float::launch(&dev, cfg(N), &da, &db, &mut o32, &mut o64)?;
    let (mut w32, mut w64) = (vec![0.0; 4 * N], vec![0.0; 4 * N]);
    casts::int_to_float_ref(&a, &b, &mut w32, &mut w64);
    check("int_to_float f32", &o32.download()?, &w32, &|i| format!("a={} b={}", a[i / 4], b[i / 4]));
    check("int_to_float f64", &o64.download()?, &w64, &|i| format!("a={} b={}", a[i / 4], b[i / 4]));

    let (a, b) = (rng.f32s(N), rng.f64s(N));
    let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
    let (mut o32, mut o64) = (dev.alloc_zeros::<f32>(N)?, dev.alloc_zeros::<f64>(N)?);
    casts::float_casts::launch(&dev, cfg(N), &da, &db, &mut o32, &mut o64)?;
    let (mut w32, mut w64) = (vec![0.0; N], vec![0.0; N]);
    casts::float_casts_ref(&a, &b, &mut w32, &mut w64);
    check("float_casts f32", &o32.download()?, &w32, &|i| format!("a={:e} b={:e}", a[i], b[i]));
    check("float_casts f64", &o64.download()?, &w64, &|i| format!("a={:e}", a[i]));

    let a = gen_i32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u64>(N)?;
    casts::bool_casts::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    casts::bool_casts_ref(&a, &mut want);
    check("bool_casts", &d.download()?, &want, &|i| format!("a={}", a[i]));
    Ok(())
}

// ----- floats ------------------------------------------------------------------------------------------------

#[test]
fn exec_floats() -> ptx_kernel::Result<()> {
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(13);

    let (a, b, c) = (rng.f32s(N), rng.f32s(N), rng.f32s(N));
    let (da, db, dc) = (dev.upload(&a)?, dev.upload(&b)?, dev.upload(&c)?);
    let mut d = dev.alloc_zeros::<f32>(5 * N)?;
    floats::float_arith_f32::launch(&dev, cfg(N), &da, &db, &dc, &mut d)?;
    let mut want = vec![0.0; 5 * N];
    floats::float_arith_f32_ref(&a, &b, &c, &mut want);
    check("float_arith_f32", &d.download()?, &want, &|i| format!("a={:e} b={:e} c={:e}", a[i / 5], b[i / 5], c[i / 5]));

    let (a, b, c) = (rng.f64s(N), rng.f64s(N), rng.f64s(N));
    let (da, db, dc) = (dev.upload(&a)?, dev.upload(&b)?, dev.upload(&c)?);
    let mut d = dev.alloc_zeros::<f64>(4 * N)?;
    floats::float_arith_f64::launch(&dev, cfg(N), &da, &db, &dc, &mut d)?;
    let mut want = vec![0.0; 4 * N];
    floats::float_arith_f64_ref(&a, &b, &c, &mut want);
    check("float_arith_f64", &d.download()?, &want, &|i| format!("a={:e} b={:e} c={:e}", a[i / 4], b[i / 4], c[i / 4]));

    let (a, b) = (rng.f32s(N), rng.f32s(N));
    let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
    let mut d = dev.alloc_zeros::<f32>(9 * N)?;
    floats::float_methods_f32::launch(&dev, cfg(N), &da, &db, &mut d)?;
    let mut want = vec![0.0; 9 * N];
    floats::float_methods_f32_ref(&a, &b, &mut want);
    check("float_methods_f32", &d.download()?, &want, &|i| {
        format!("a={:e} b={:e} (method {})", a[i / 9], b[i / 9], i % 9)
    });

    let (a, b) = (rng.f64s(N), rng.f64s(N));
    let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
    let mut d = dev.alloc_zeros::<f64>(9 * N)?;
    floats::float_methods_f64::launch(&dev, cfg(N), &da, &db, &mut d)?;
    let mut want = vec![0.0; 9 * N];
    floats::float_methods_f64_ref(&a, &b, &mut want);
    check("float_methods_f64", &d.download()?, &want, &|i| {
        format!("a={:e} b={:e} (method {})", a[i / 9], b[i / 9], i % 9)
    });

    let mut d = dev.alloc_zeros::<f32>(200)?;
    floats::round_halves::launch(&dev, cfg(200), &mut d)?;
    let mut want = vec![0.0; 200];
    floats::round_halves_ref(&mut want);
    check("round_halves", &d.download()?, &want, &|i| format!("i={i}"));

    let (a, mut b) = (rng.f32s(N), rng.f32s(N));
    for k in (0..N).step_by(6) {
        b[k] = a[k];
    }
    let (da, db) = (dev.upload(&a)?, dev.upload(&b)?);
    let mut d = dev.alloc_zeros::<u32>(N)?;
    floats::compare_floats::launch(&dev, cfg(N), &da, &db, &mut d)?;
    let mut want = vec![0; N];
    floats::compare_floats_ref(&a, &b, &mut want);
    check("compare_floats", &d.download()?, &want, &|i| format!("a={:e} b={:e}", a[i], b[i]));

    let x = rng.f64s(N);
    let dx = dev.upload(&x)?;
    let (mut d, mut d32) = (dev.alloc_zeros::<f64>(4 * N)?, dev.alloc_zeros::<f32>(N)?);
    floats::float_consts::launch(&dev, cfg(N), &dx, &mut d, &mut d32)?;
    let (mut want, mut want32) = (vec![0.0; 4 * N], vec![0.0; N]);
    floats::float_consts_ref(&x, &mut want, &mut want32);
    check("float_consts f64", &d.download()?, &want, &|i| format!("x={:e}", x[i / 4]));
    check("float_consts f32", &d32.download()?, &want32, &|i| format!("x={:e}", x[i]));
    Ok(())
}

// ----- control flow ------------------------------------------------------------------------------------------

#[test]
fn exec_control() -> ptx_kernel::Result<()> {
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(17);

    let a: Vec<i32> =
        gen_i32(&mut rng, N).into_iter().enumerate().map(|(i, v)| if i % 3 == 0 { v % 2000 } else { v }).collect();
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<i32>(N)?;
    control::if_chain::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    control::if_chain_ref(&a, &mut want);
    check("if_chain", &d.download()?, &want, &|i| format!("a={}", a[i]));

    let s: Vec<u32> = gen_u32(&mut rng, N).into_iter().map(|v| v % 100_000).collect();
    let ds = dev.upload(&s)?;
    let mut d = dev.alloc_zeros::<u32>(N)?;
    control::collatz::launch(&dev, cfg(N), &ds, &mut d)?;
    let mut want = vec![0; N];
    control::collatz_ref(&s, &mut want);
    check("collatz", &d.download()?, &want, &|i| format!("start={}", s[i]));

    let a = gen_u32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u32>(N)?;
    control::loop_break_continue::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    control::loop_break_continue_ref(&a, &mut want);
    check("loop_break_continue", &d.download()?, &want, &|i| format!("a={}", a[i]));

    let (lo, hi) = (gen_u8(&mut rng, N), gen_u8(&mut rng, N));
    let (dl, dh) = (dev.upload(&lo)?, dev.upload(&hi)?);
    let mut d = dev.alloc_zeros::<u32>(2 * N)?;
    control::for_ranges::launch(&dev, cfg(N), &dl, &dh, &mut d)?;
    let mut want = vec![0; 2 * N];
    control::for_ranges_ref(&lo, &hi, &mut want);
    check("for_ranges", &d.download()?, &want, &|i| format!("lo={} hi={}", lo[i / 2], hi[i / 2]));

    let (lo, st) = (gen_i8(&mut rng, N), gen_u8(&mut rng, N));
    let (dl, ds) = (dev.upload(&lo)?, dev.upload(&st)?);
    let mut d = dev.alloc_zeros::<i32>(3 * N)?;
    control::step_by::launch(&dev, cfg(N), &dl, &ds, &mut d)?;
    let mut want = vec![0; 3 * N];
    control::step_by_ref(&lo, &st, &mut want);
    check("step_by", &d.download()?, &want, &|i| format!("lo={} step={}", lo[i / 3], st[i / 3]));

    let a = gen_u32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u32>(N)?;
    control::labeled_loops::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    control::labeled_loops_ref(&a, &mut want);
    check("labeled_loops", &d.download()?, &want, &|i| format!("a={}", a[i]));

    let a = gen_i32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<i32>(N)?;
    control::early_return::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    control::early_return_ref(&a, &mut want);
    check("early_return", &d.download()?, &want, &|i| format!("a={}", a[i]));

    // `x` is shorter than `out`: `&&` must keep the read of x[i] from running past its end.
    let x = gen_i32(&mut rng, N / 2);
    let dx = dev.upload(&x)?;
    let mut d = dev.alloc_zeros::<u32>(N)?;
    control::short_circuit::launch(&dev, cfg(N), &dx, &mut d)?;
    let mut want = vec![0; N];
    control::short_circuit_ref(&x, &mut want);
    check("short_circuit", &d.download()?, &want, &|i| format!("x={:?}", x.get(i)));

    let a = gen_u32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u32>(N)?;
    control::for_mut_var::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    control::for_mut_var_ref(&a, &mut want);
    check("for_mut_var", &d.download()?, &want, &|i| format!("a={}", a[i]));

    let a = gen_u32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u32>(N)?;
    control::auto_unroll::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    control::auto_unroll_ref(&a, &mut want);
    check("auto_unroll", &d.download()?, &want, &|i| format!("a={}", a[i]));

    let a = gen_u32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u32>(N)?;
    control::while_unroll::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    control::while_unroll_ref(&a, &mut want);
    check("while_unroll", &d.download()?, &want, &|i| format!("a={}", a[i]));

    // 37 rows of 100 (blocks of 32 threads: strides that do not divide the row).
    let (rows, cols) = (37usize, 100usize);
    let a = gen_u32(&mut rng, rows * cols);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u32>(rows * cols)?;
    let rcfg = LaunchConfig { grid_dim: (rows as u32, 1, 1), block_dim: (32, 1, 1), shared_mem_bytes: 0 };
    control::strided_rows::launch(&dev, rcfg, &da, &mut d, cols as u32)?;
    let mut want = vec![0; rows * cols];
    control::strided_rows_ref(&a, &mut want, cols, 32);
    check("strided_rows", &d.download()?, &want, &|i| format!("a={}", a[i]));

    // Reads in value position in an unrolled loop (issued early): both arms, `m` inside a thread's 4 elements.
    let a = gen_u32(&mut rng, N);
    let da = dev.upload(&a)?;
    for m in [0, 1, N / 2 + 2, N] {
        let mut d = dev.alloc_zeros::<u32>(N - 2)?;
        control::select_unroll::launch(&dev, cfg(N / 4), &da, &mut d, m as u32)?;
        let mut want = vec![0; N - 2];
        control::select_unroll_ref(&a, &mut want, m);
        check("select_unroll", &d.download()?, &want, &|i| format!("m={m} a={}", a[i]));
    }
    Ok(())
}

// ----- `while` loops unrolled with a run-time trip count (`lower::unroll`) -----------------------------------

/// The PTX of `kernel` has `want` copies of the load `ld` (one per copy of the loop body).
#[track_caller]
fn copies(kernel: &str, ptx: &str, ld: &str, want: usize) {
    assert_eq!(ptx.matches(ld).count(), want, "{kernel}: copies of `{ld}`:\n{ptx}");
}

#[test]
fn exec_dyn_unroll() -> ptx_kernel::Result<()> {
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(0xD7A);

    // Trip counts 0..=18 (every remainder of 4), a float chain and the counter's final value. Two versions
    // (`lower::version`): the unrolled one without checks (4 copies + the rest), the checked one a plain loop.
    copies("dyn_while_chain", control::dyn_while_chain::PTX, "ld.global.nc.f32", 1 + 4 + 1 + 1);
    let x = rng.f32s(N + 19);
    let dx = dev.upload(&x)?;
    let mut d = dev.alloc_zeros::<f32>(N)?;
    let mut dk = dev.alloc_zeros::<u32>(N)?;
    control::dyn_while_chain::launch(&dev, cfg(N), &dx, &mut d, &mut dk)?;
    let (mut want, mut wk) = (vec![0.0; N], vec![0; N]);
    control::dyn_while_chain_ref(&x, &mut want, &mut wk);
    check("dyn_while_chain", &d.download()?, &want, &|i| format!("t={i}"));
    check("dyn_while_chain (k)", &dk.download()?, &wk, &|i| format!("t={i}"));

    // Steps and bounds from parameters, counters near u32::MAX (bounds chosen so that no `k + step` wraps, as a
    // loop that ends needs): 3 * step too large for u32 (0x6000_0000), just above the bound, equal to it, below.
    let x = gen_u32(&mut rng, 64);
    let dx = dev.upload(&x)?;
    let m = u32::MAX;
    let cases: &[(u32, u32, u32)] = &[
        (0, 0, 1),
        (0, 1, 1),
        (0, 20, 1),
        (0, 37, 3),
        (5, 100, 7),
        (0, 40, 0x7fff_ffff),
        (0, 0xa000_0000, 0x6000_0000),
        (0, 0xc000_0000, 0x4000_0000),
        (1, 0xc000_0000, 0x4000_0000),
        (0x10, 0xc000_0000, 0x4000_0000),
        (3, 1000, 1),
        (0, 1000, 13),
        (m - 40, m, 1),
        (m - 40, m - 2, 3),
        (m - 60, m - 4, 5),
        (m - 100, m - 96, 1),
        (m - 16, m - 15, 1),
        (0, 0x5555_5556, 0x2aaa_aaab),
        (0, 0x8000_0001, 0x2aaa_aaab),
        (0, 0x8000_0002, 0x2aaa_aaab),
    ];
    for &(start, bound, step) in cases {
        let mut dh = dev.alloc_zeros::<u32>(64)?;
        let mut dk = dev.alloc_zeros::<u32>(64)?;
        control::dyn_while_step::launch(&dev, cfg(64), &dx, &mut dh, &mut dk, start, bound, step)?;
        let (mut wh, mut wk) = (vec![0; 64], vec![0; 64]);
        control::dyn_while_step_ref(&x, &mut wh, &mut wk, start, bound, step);
        let what = format!("dyn_while_step(start {start:#x}, bound {bound:#x}, step {step:#x})");
        check(&what, &dh.download()?, &wh, &|i| format!("t={i}"));
        check(&what, &dk.download()?, &wk, &|i| format!("t={i}"));
    }

    // A grid-stride loop over 96 threads: 0 to 11 iterations per thread, checked stores, atomics, float sums.
    copies("dyn_grid_stride", control::dyn_grid_stride::PTX, "atom.global.add.u32", 5);
    for n in [0usize, 1, 95, 96, 97, 191, 192, 193, 287, 383, 384, 385, 479, 1000, 1061] {
        let x = gen_u32(&mut rng, n);
        let dx = dev.upload(&x)?;
        let mut dy = dev.alloc_zeros::<u32>(n)?;
        let mut dh = dev.alloc_zeros::<u32>(16)?;
        let mut ds = dev.alloc_zeros::<f32>(96)?;
        let gcfg = LaunchConfig { grid_dim: (3, 1, 1), block_dim: (32, 1, 1), shared_mem_bytes: 0 };
        control::dyn_grid_stride::launch(&dev, gcfg, &dx, &mut dy, &mut dh, &mut ds)?;
        let (mut wy, mut wh, mut ws) = (vec![0; n], vec![0; 16], vec![0.0; 96]);
        control::dyn_grid_stride_ref(&x, &mut wy, &mut wh, &mut ws, 96);
        let what = format!("dyn_grid_stride(n = {n})");
        check(&what, &dy.download()?, &wy, &|i| format!("x={}", x[i]));
        check(&what, &dh.download()?, &wh, &|i| format!("bin {i}"));
        check(&what, &ds.download()?, &ws, &|i| format!("thread {i}"));
    }

    // Loops that stay loops: one load each; the same loop without the obstacle has five.
    copies("dyn_unrolled_sum", control::dyn_unrolled_sum::PTX, "ld.global.nc.u32", 5);
    copies("dyn_kept_barrier", control::dyn_kept_barrier::PTX, "ld.global.nc.u32", 1);
    copies("dyn_kept_warp_sum", control::dyn_kept_warp_sum::PTX, "ld.global.nc.u32", 1);
    copies("dyn_kept_break", control::dyn_kept_break::PTX, "ld.global.nc.u32", 1);
    copies("dyn_kept_signed", control::dyn_kept_signed::PTX, "ld.global.nc.u32", 1);
    copies("dyn_kept_step", control::dyn_kept_step::PTX, "ld.global.nc.u32", 1);
    copies("dyn_kept_atomic", control::dyn_kept_atomic::PTX, "ld.global.nc.u32", 1);
    let x = gen_u32(&mut rng, 77);
    let dx = dev.upload(&x)?;
    for n in [0u32, 1, 2, 3, 4, 5, 9, 30] {
        let mut d = dev.alloc_zeros::<u32>(64)?;
        control::dyn_unrolled_sum::launch(&dev, cfg(64), &dx, &mut d, n)?;
        let want: Vec<u32> =
            (0..64).map(|t| (0..n as usize).fold(0u32, |s, k| s.wrapping_add(x[(k + t) % x.len()]))).collect();
        check(&format!("dyn_unrolled_sum(n = {n})"), &d.download()?, &want, &|i| format!("t={i}"));
    }
    Ok(())
}

// ----- literals and bindings ---------------------------------------------------------------------------------

#[test]
fn exec_literals() -> ptx_kernel::Result<()> {
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(19);

    let (x, y) = (gen_i64(&mut rng, N), gen_u8(&mut rng, N));
    let (dx, dy) = (dev.upload(&x)?, dev.upload(&y)?);
    let mut d = dev.alloc_zeros::<i64>(4 * N)?;
    literals::literal_inference::launch(&dev, cfg(N), &dx, &dy, &mut d)?;
    let mut want = vec![0; 4 * N];
    literals::literal_inference_ref(&x, &y, &mut want);
    check("literal_inference", &d.download()?, &want, &|i| format!("x={} y={} (output {})", x[i / 4], y[i / 4], i % 4));

    let (mut d, mut d64) = (dev.alloc_zeros::<f32>(N)?, dev.alloc_zeros::<f64>(N)?);
    literals::float_literals::launch(&dev, cfg(N), &mut d, &mut d64)?;
    let (mut want, mut want64) = (vec![0.0; N], vec![0.0; N]);
    literals::float_literals_ref(&mut want, &mut want64);
    check("float_literals f32", &d.download()?, &want, &|i| format!("i={i}"));
    check("float_literals f64", &d64.download()?, &want64, &|i| format!("i={i}"));

    let a = gen_u16(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<u64>(N)?;
    literals::shadowing_blocks::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    literals::shadowing_blocks_ref(&a, &mut want);
    check("shadowing_blocks", &d.download()?, &want, &|i| format!("a={}", a[i]));

    let a = gen_i32(&mut rng, N);
    let da = dev.upload(&a)?;
    let mut d = dev.alloc_zeros::<i32>(N)?;
    literals::evaluation_order::launch(&dev, cfg(N), &da, &mut d)?;
    let mut want = vec![0; N];
    literals::evaluation_order_ref(&a, &mut want);
    check("evaluation_order", &d.download()?, &want, &|i| format!("a={}", a[i]));

    let mut d = dev.alloc_zeros::<u64>(N)?;
    literals::typed_literals::launch(&dev, cfg(N), &mut d)?;
    let mut want = vec![0; N];
    literals::typed_literals_ref(&mut want);
    check("typed_literals", &d.download()?, &want, &|i| format!("i={i}"));
    Ok(())
}

// ----- other spellings ---------------------------------------------------------------------------------------

#[test]
fn exec_path_calls() -> ptx_kernel::Result<()> {
    use ptx_kernel::half::{bf16, f16};
    let Some(dev) = device() else { return Ok(()) };
    let mut rng = Lcg::new(23);

    let (a, b, c, d) = (gen_i32(&mut rng, N), gen_u64(&mut rng, N), gen_i16(&mut rng, N), gen_u8(&mut rng, N));
    let (x, y) = (rng.f32s(N), rng.f64s(N));
    let h: Vec<f16> = gen_u16(&mut rng, N).into_iter().map(f16::from_bits).collect();
    let g: Vec<bf16> = gen_u16(&mut rng, N).into_iter().map(bf16::from_bits).collect();
    let (da, db, dc, dd) = (dev.upload(&a)?, dev.upload(&b)?, dev.upload(&c)?, dev.upload(&d)?);
    let (dx, dy, dh, dg) = (dev.upload(&x)?, dev.upload(&y)?, dev.upload(&h)?, dev.upload(&g)?);
    let (mut oi, mut of, mut od) = (dev.alloc_zeros::<i64>(8 * N)?, dev.alloc_zeros(6 * N)?, dev.alloc_zeros(7 * N)?);
    let (mut ou, mut ot) = (dev.alloc_zeros::<f32>(6 * N)?, dev.alloc_zeros::<f64>(7 * N)?);
    syntax::path_calls::launch(
        &dev,
        cfg(N),
        &da,
        &db,
        &dc,
        &dd,
        &dx,
        &dy,
        &dh,
        &dg,
        &mut oi,
        &mut of,
        &mut od,
        &mut ou,
        &mut ot,
    )?;
    let (mut wi, mut wf, mut wd) = (vec![0; 8 * N], vec![0.0; 6 * N], vec![0.0; 7 * N]);
    let (mut wu, mut wt) = (vec![0.0; 6 * N], vec![0.0; 7 * N]);
    syntax::path_calls_ref(&a, &b, &c, &d, &x, &y, &h, &g, &mut wi, &mut wf, &mut wd, &mut wu, &mut wt);
    check("path_calls ints and ranges", &oi.download()?, &wi, &|i| {
        format!("a={} b={} c={} d={} (output {})", a[i / 8], b[i / 8], c[i / 8], d[i / 8], i % 8)
    });
    check("path_calls f32", &of.download()?, &wf, &|i| format!("x={:e} (output {})", x[i / 6], i % 6));
    check("path_calls f64", &od.download()?, &wd, &|i| {
        format!("y={:e} h={} g={} (output {})", y[i / 7], h[i / 7], g[i / 7], i % 7)
    });
    // The transcendental methods are within their documented bounds of the exact value (tests/exec_math.rs), so
    // within that plus one ulp of the host's libm.
    check_ulps("path_calls f32 math", &ou.download()?, &wu, &[2], &|i| format!("x={:e} (output {})", x[i / 6], i % 6));
    check_ulps("path_calls f64 math", &ot.download()?, &wt, &[2, 2, 3, 2, 4, 9, 3], &|i| {
        format!("y={:e} (output {})", y[i / 7], i % 7)
    });
    Ok(())
}
