//! Arithmetic bit for bit as the GPU computes it, checked through whole kernels on random inputs (specials mixed
//! in): integer division by zero and overflow, shifts past the width, high/wide products, bit fields; f32/f64
//! round-to-nearest operations against the host's IEEE arithmetic with the GPU's NaN rules; directed rounding;
//! f16; `cvt` saturation and NaN. (The GPU's values where the PTX ISA is silent were measured on an H200 by
//! `emu_vs_gpu.rs`.)

mod emu_util;

use emu_util::*;
use ptx_kernel_runtime::emu::Emulator;

/// Prologue: `%r1` = global index, `%p1` = out of range; parameters a, b, c, out, n.
const HEAD: &str = r#"
	ld.param.u64 	%rd1, [pa];
	ld.param.u64 	%rd2, [pb];
	ld.param.u64 	%rd3, [pc];
	ld.param.u64 	%rd4, [pout];
	ld.param.u32 	%r2, [n];
	mov.u32 	%r3, %ctaid.x;
	mov.u32 	%r4, %ntid.x;
	mov.u32 	%r5, %tid.x;
	mad.lo.s32 	%r1, %r3, %r4, %r5;
	setp.ge.u32 	%p1, %r1, %r2;
	@%p1 bra 	$END;
"#;

fn kernel(name: &str, regs: &str, body: &str) -> String {
    ptx(&format!(
        ".visible .entry {name}(\n\t.param .u64 pa,\n\t.param .u64 pb,\n\t.param .u64 pc,\n\t.param .u64 pout,\n\t.param .u32 n\n)\n{{\n{regs}\n{HEAD}\n{body}\n$END:\n\tret;\n}}\n"
    ))
}

/// Runs `entry` over `n` elements with inputs a, b, c (any element type) and `out_per` outputs of `O` each.
fn run<A: Elem, O: Elem>(ptx: &str, entry: &str, a: &[A], b: &[A], c: &[A], out_per: usize) -> Vec<O> {
    let emu = Emulator::new();
    let m = load(&emu, ptx);
    let n = a.len();
    let (da, db, dc) = (upload(&emu, a), upload(&emu, b), upload(&emu, c));
    let dout = zeros::<O>(&emu, n * out_per);
    let args = [Arg::U64(da), Arg::U64(db), Arg::U64(dc), Arg::U64(dout), Arg::U32(n as u32)];
    launch(&emu, &m, entry, cfg1((n as u32).div_ceil(128), 128), &args).unwrap();
    download(&emu, dout, n * out_per)
}

const INT32: &str = r#"
	mul.wide.u32 	%rd5, %r1, 4;
	add.s64 	%rd6, %rd1, %rd5;
	ld.global.u32 	%r6, [%rd6];
	add.s64 	%rd6, %rd2, %rd5;
	ld.global.u32 	%r7, [%rd6];
	div.s32 	%r10, %r6, %r7;
	rem.s32 	%r11, %r6, %r7;
	div.u32 	%r12, %r6, %r7;
	rem.u32 	%r13, %r6, %r7;
	and.b32 	%r8, %r7, 63;
	shl.b32 	%r14, %r6, %r8;
	shr.u32 	%r15, %r6, %r8;
	shr.s32 	%r16, %r6, %r8;
	mul.hi.s32 	%r17, %r6, %r7;
	mul.hi.u32 	%r18, %r6, %r7;
	shr.u32 	%r9, %r7, 8;
	and.b32 	%r9, %r9, 63;
	bfe.s32 	%r19, %r6, %r8, %r9;
	shr.u32 	%r8, %r7, 16;
	shr.u32 	%r9, %r7, 24;
	bfi.b32 	%r20, %r7, %r6, %r8, %r9;
	popc.b32 	%r21, %r6;
	clz.b32 	%r22, %r6;
	brev.b32 	%r23, %r6;
	min.s32 	%r24, %r6, %r7;
	max.u32 	%r25, %r6, %r7;
	mul.wide.u32 	%rd7, %r1, 64;
	add.s64 	%rd8, %rd4, %rd7;
	st.global.v4.u32 	[%rd8], {%r10, %r11, %r12, %r13};
	st.global.v4.u32 	[%rd8+16], {%r14, %r15, %r16, %r17};
	st.global.v4.u32 	[%rd8+32], {%r18, %r19, %r20, %r21};
	st.global.v4.u32 	[%rd8+48], {%r22, %r23, %r24, %r25};
"#;

/// PTX's `bfe` written from the ISA's pseudo-code, independently of the emulator's.
fn bfe_ref(a: u32, pos: u32, len: u32, signed: bool) -> u32 {
    let (pos, len) = (pos & 0xFF, len & 0xFF);
    if len == 0 {
        return 0;
    }
    let sbit = signed && (a >> (pos + len - 1).min(31)) & 1 == 1;
    (0..32).fold(0u32, |d, i| {
        let bit = if i < len && pos + i <= 31 { (a >> (pos + i)) & 1 == 1 } else { sbit };
        d | (bit as u32) << i
    })
}

fn bfi_ref(f: u32, b: u32, pos: u32, len: u32) -> u32 {
    let (pos, len) = (pos & 0xFF, len & 0xFF);
    let mut d = b;
    for i in 0..len {
        if pos + i > 31 {
            break;
        }
        d = (d & !(1 << (pos + i))) | (((f >> i) & 1) << (pos + i));
    }
    d
}

#[test]
fn int32_operations_match_the_gpu_table() {
    let src = kernel("int32", ".reg .pred %p<2>;\n.reg .b32 %r<30>;\n.reg .b64 %rd<10>;", INT32);
    let mut rng = Rng::new(21);
    let n = 20_000;
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    for i in 0..n {
        let (x, y) = match i % 8 {
            0 => (rng.u32(), 0),
            1 => (i32::MIN as u32, u32::MAX),
            2 => (rng.u32(), u32::MAX),
            3 => (rng.u32() >> rng.below(32), rng.u32() >> rng.below(32)),
            _ => (rng.u32(), rng.u32()),
        };
        a.push(x);
        b.push(y);
    }
    let out: Vec<u32> = run(&src, "int32", &a, &b, &b, 16);
    for i in 0..n {
        let (x, y) = (a[i], b[i]);
        let (xs, ys) = (x as i32, y as i32);
        let amount = y & 63;
        let want = [
            if ys == 0 { u32::MAX } else { xs.wrapping_div(ys) as u32 },
            if ys == 0 { u32::MAX } else { xs.wrapping_rem(ys) as u32 },
            x.checked_div(y).unwrap_or(u32::MAX),
            x.checked_rem(y).unwrap_or(u32::MAX),
            x.checked_shl(amount).unwrap_or(0),
            x.checked_shr(amount).unwrap_or(0),
            (xs >> amount.min(31)) as u32,
            ((xs as i64 * ys as i64) >> 32) as u32,
            ((x as u64 * y as u64) >> 32) as u32,
            bfe_ref(x, y & 63, (y >> 8) & 63, true),
            bfi_ref(y, x, y >> 16, y >> 24),
            x.count_ones(),
            x.leading_zeros(),
            x.reverse_bits(),
            xs.min(ys) as u32,
            x.max(y),
        ];
        assert_eq!(&out[i * 16..i * 16 + 16], &want, "a = {x:#x}, b = {y:#x}");
    }
    // The pinned values of DESIGN.md, spelled out.
    let k = |x: i32, y: i32| {
        let r: Vec<u32> = run(&src, "int32", &[x as u32], &[y as u32], &[0], 16);
        (r[0] as i32, r[1] as i32, r[2], r[3])
    };
    assert_eq!(k(7, 0), (-1, -1, u32::MAX, u32::MAX));
    assert_eq!(k(i32::MIN, -1), (i32::MIN, 0, 0, i32::MIN as u32));
}

const INT64: &str = r#"
	mul.wide.u32 	%rd5, %r1, 8;
	add.s64 	%rd6, %rd1, %rd5;
	ld.global.u64 	%rd10, [%rd6];
	add.s64 	%rd6, %rd2, %rd5;
	ld.global.u64 	%rd11, [%rd6];
	div.s64 	%rd12, %rd10, %rd11;
	rem.s64 	%rd13, %rd10, %rd11;
	div.u64 	%rd14, %rd10, %rd11;
	rem.u64 	%rd15, %rd10, %rd11;
	mul.hi.s64 	%rd16, %rd10, %rd11;
	mul.hi.u64 	%rd17, %rd10, %rd11;
	cvt.u32.u64 	%r6, %rd11;
	and.b32 	%r6, %r6, 127;
	shr.s64 	%rd18, %rd10, %r6;
	cvt.u32.u64 	%r7, %rd10;
	mul.wide.s32 	%rd19, %r7, %r6;
	mul.wide.u32 	%rd7, %r1, 64;
	add.s64 	%rd8, %rd4, %rd7;
	st.global.v2.u64 	[%rd8], {%rd12, %rd13};
	st.global.v2.u64 	[%rd8+16], {%rd14, %rd15};
	st.global.v2.u64 	[%rd8+32], {%rd16, %rd17};
	st.global.v2.u64 	[%rd8+48], {%rd18, %rd19};
"#;

#[test]
fn int64_operations() {
    let src = kernel("int64", ".reg .pred %p<2>;\n.reg .b32 %r<10>;\n.reg .b64 %rd<20>;", INT64);
    let mut rng = Rng::new(22);
    let n = 10_000;
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    for i in 0..n {
        let (x, y) = match i % 6 {
            0 => (rng.u64(), 0),
            1 => (i64::MIN as u64, u64::MAX),
            2 => (rng.u64() >> rng.below(64), rng.u64() >> rng.below(64)),
            _ => (rng.u64(), rng.u64()),
        };
        a.push(x);
        b.push(y);
    }
    let out: Vec<u64> = run(&src, "int64", &a, &b, &b, 8);
    for i in 0..n {
        let (x, y) = (a[i], b[i]);
        let (xs, ys) = (x as i64, y as i64);
        let amount = (y & 127) as u32;
        let want = [
            if ys == 0 { u64::MAX } else { xs.wrapping_div(ys) as u64 },
            if ys == 0 { u64::MAX } else { xs.wrapping_rem(ys) as u64 },
            x.checked_div(y).unwrap_or(u64::MAX),
            x.checked_rem(y).unwrap_or(u64::MAX),
            ((xs as i128 * ys as i128) >> 64) as u64,
            ((x as u128 * y as u128) >> 64) as u64,
            (xs >> amount.min(63)) as u64,
            (x as u32 as i32 as i64 * amount as i64) as u64,
        ];
        assert_eq!(&out[i * 8..i * 8 + 8], &want, "a = {x:#x}, b = {y:#x}");
    }
}

const F32: &str = r#"
	mul.wide.u32 	%rd5, %r1, 4;
	add.s64 	%rd6, %rd1, %rd5;
	ld.global.f32 	%f1, [%rd6];
	add.s64 	%rd6, %rd2, %rd5;
	ld.global.f32 	%f2, [%rd6];
	add.s64 	%rd6, %rd3, %rd5;
	ld.global.f32 	%f3, [%rd6];
	add.rn.f32 	%f4, %f1, %f2;
	sub.rn.f32 	%f5, %f1, %f2;
	mul.rn.f32 	%f6, %f1, %f2;
	div.rn.f32 	%f7, %f1, %f2;
	fma.rn.f32 	%f8, %f1, %f2, %f3;
	sqrt.rn.f32 	%f9, %f1;
	min.f32 	%f10, %f1, %f2;
	max.f32 	%f11, %f1, %f2;
	mul.rz.f32 	%f12, %f1, %f2;
	mul.rm.f32 	%f13, %f1, %f2;
	mul.rp.f32 	%f14, %f1, %f2;
	rcp.rn.f32 	%f15, %f1;
	mul.wide.u32 	%rd7, %r1, 48;
	add.s64 	%rd8, %rd4, %rd7;
	st.global.v4.f32 	[%rd8], {%f4, %f5, %f6, %f7};
	st.global.v4.f32 	[%rd8+16], {%f8, %f9, %f10, %f11};
	st.global.v4.f32 	[%rd8+32], {%f12, %f13, %f14, %f15};
"#;

/// The GPU's result bits for a host-computed f32: NaN results are canonical.
fn gpu32(v: f32) -> u32 {
    if v.is_nan() {
        0x7FFF_FFFF
    } else {
        v.to_bits()
    }
}

/// Directed rounding of an exact f64 (here: a product of two f32) to f32, written independently: truncate with the
/// host's conversion, then step.
fn directed(x: f64, mode: char) -> u32 {
    if x.is_nan() {
        return 0x7FFF_FFFF;
    }
    let n = x as f32; // round to nearest
    let toward_zero = if (n as f64).abs() > x.abs() { n.next_toward_zero() } else { n };
    let r = match mode {
        'z' => toward_zero,
        'm' => {
            if (n as f64) > x {
                n.next_down()
            } else {
                n
            }
        }
        _ => {
            if (n as f64) < x {
                n.next_up()
            } else {
                n
            }
        }
    };
    // Overflow: rz and the mode away from the infinity stop at MAX.
    let r = if r.is_infinite() && x.is_finite() {
        match mode {
            'z' => f32::MAX.copysign(r),
            'm' if r > 0.0 => f32::MAX,
            'p' if r < 0.0 => -f32::MAX,
            _ => r,
        }
    } else {
        r
    };
    r.to_bits()
}

trait NextTowardZero {
    fn next_toward_zero(self) -> Self;
}
impl NextTowardZero for f32 {
    fn next_toward_zero(self) -> f32 {
        if self > 0.0 {
            self.next_down()
        } else {
            self.next_up()
        }
    }
}

fn min_ref(a: f32, b: f32, max: bool) -> u32 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0x7FFF_FFFF,
        (true, false) => b.to_bits(),
        (false, true) => a.to_bits(),
        _ if a == b => {
            // ±0: -0 is the smaller.
            let neg = a.is_sign_negative() || b.is_sign_negative();
            let pos = a.is_sign_positive() || b.is_sign_positive();
            if max {
                if pos {
                    a.abs().to_bits()
                } else {
                    a.to_bits()
                }
            } else if neg {
                (-a.abs()).to_bits()
            } else {
                a.to_bits()
            }
        }
        _ => (if (a < b) != max { a } else { b }).to_bits(),
    }
}

#[test]
fn f32_operations_are_bit_exact() {
    let src = kernel("f32ops", ".reg .pred %p<2>;\n.reg .b32 %r<8>;\n.reg .b64 %rd<10>;\n.reg .f32 %f<16>;", F32);
    let mut rng = Rng::new(23);
    let n = 30_000;
    let mut gen = |i: usize| match i % 4 {
        0 => rng.f32_bits(),
        1 => rng.f32(),
        2 => rng.f32() * 1e-40, // subnormal range
        _ => rng.f32() * 1e35,  // overflow range
    };
    let a: Vec<f32> = (0..n).map(&mut gen).collect();
    let b: Vec<f32> = (0..n).map(|i| gen(i + 1)).collect();
    let c: Vec<f32> = (0..n).map(|i| gen(i + 2)).collect();
    let out: Vec<u32> = run(&src, "f32ops", &a, &b, &c, 12);
    for i in 0..n {
        let (x, y, z) = (a[i], b[i], c[i]);
        let p = x as f64 * y as f64; // exact
        let want = [
            gpu32(x + y),
            gpu32(x - y),
            gpu32(x * y),
            gpu32(x / y),
            gpu32(x.mul_add(y, z)),
            gpu32(x.sqrt()),
            min_ref(x, y, false),
            min_ref(x, y, true),
            directed(p, 'z'),
            directed(p, 'm'),
            directed(p, 'p'),
            gpu32(1.0 / x),
        ];
        assert_eq!(&out[i * 12..i * 12 + 12], &want, "x = {x:e} ({:#x}), y = {y:e}, z = {z:e}", x.to_bits());
    }
}

const F64: &str = r#"
	mul.wide.u32 	%rd5, %r1, 8;
	add.s64 	%rd6, %rd1, %rd5;
	ld.global.f64 	%fd1, [%rd6];
	add.s64 	%rd6, %rd2, %rd5;
	ld.global.f64 	%fd2, [%rd6];
	add.s64 	%rd6, %rd3, %rd5;
	ld.global.f64 	%fd3, [%rd6];
	add.rn.f64 	%fd4, %fd1, %fd2;
	sub.rn.f64 	%fd5, %fd1, %fd2;
	mul.rn.f64 	%fd6, %fd1, %fd2;
	div.rn.f64 	%fd7, %fd1, %fd2;
	fma.rn.f64 	%fd8, %fd1, %fd2, %fd3;
	sqrt.rn.f64 	%fd9, %fd1;
	add.rm.f64 	%fd10, %fd1, %fd2;
	add.rp.f64 	%fd11, %fd1, %fd2;
	mul.wide.u32 	%rd7, %r1, 64;
	add.s64 	%rd8, %rd4, %rd7;
	st.global.v2.f64 	[%rd8], {%fd4, %fd5};
	st.global.v2.f64 	[%rd8+16], {%fd6, %fd7};
	st.global.v2.f64 	[%rd8+32], {%fd8, %fd9};
	st.global.v2.f64 	[%rd8+48], {%fd10, %fd11};
"#;

/// The GPU's f64 result bits (measured on an H200, `emu_vs_gpu.rs`): a NaN result is the first NaN operand in
/// `order`, quieted, or the default NaN `0xFFF8000000000000`.
fn gpu64(v: f64, order: &[f64]) -> u64 {
    if !v.is_nan() {
        return v.to_bits();
    }
    order.iter().find(|o| o.is_nan()).map_or(0xFFF8_0000_0000_0000, |o| o.to_bits() | 1 << 51)
}

#[test]
fn f64_operations_are_bit_exact() {
    let src = kernel("f64ops", ".reg .pred %p<2>;\n.reg .b32 %r<8>;\n.reg .b64 %rd<10>;\n.reg .f64 %fd<12>;", F64);
    let mut rng = Rng::new(24);
    let n = 20_000;
    let mut gen = |i: usize| match i % 3 {
        0 => f64::from_bits(rng.u64()),
        _ => (rng.u32() as f64 - 2e9) * 1e-3,
    };
    let a: Vec<f64> = (0..n).map(&mut gen).collect();
    let b: Vec<f64> = (0..n).map(|i| gen(i + 1)).collect();
    let c: Vec<f64> = (0..n).map(|i| gen(i + 2)).collect();
    let out: Vec<u64> = run(&src, "f64ops", &a, &b, &c, 8);
    for i in 0..n {
        let (x, y, z) = (a[i], b[i], c[i]);
        let want = [
            gpu64(x + y, &[y, x]),
            gpu64(x - y, &[y, x]),
            gpu64(x * y, &[y, x]),
            gpu64(x / y, &[x, y]),
            gpu64(x.mul_add(y, z), &[y, z, x]),
            gpu64(x.sqrt(), &[x]),
        ];
        assert_eq!(&out[i * 8..i * 8 + 6], &want, "x = {x:e}, y = {y:e}, z = {z:e}");
        // Directed sums bracket the exact sum within one ulp.
        let (rm, rp) = (f64::from_bits(out[i * 8 + 6]), f64::from_bits(out[i * 8 + 7]));
        let s = x + y;
        if s.is_finite() {
            assert!(rm <= s && s <= rp && (rm == rp || rm.next_up() == rp), "x = {x:e}, y = {y:e}: {rm:e} {rp:e}");
            let exact_is_s = (s - x == y) && (s - y == x);
            if exact_is_s {
                assert_eq!(rm, rp, "exact sum {x:e} + {y:e}");
            }
        }
    }
}

const CVT: &str = r#"
	mul.wide.u32 	%rd5, %r1, 4;
	add.s64 	%rd6, %rd1, %rd5;
	ld.global.f32 	%f1, [%rd6];
	cvt.rzi.s32.f32 	%r10, %f1;
	cvt.rzi.u32.f32 	%r11, %f1;
	cvt.rni.s32.f32 	%r12, %f1;
	cvt.rmi.s32.f32 	%r13, %f1;
	cvt.rpi.s32.f32 	%r14, %f1;
	cvt.rzi.s16.f32 	%rs1, %f1;
	cvt.s32.s16 	%r15, %rs1;
	cvt.rn.f16.f32 	%rs2, %f1;
	cvt.u32.u16 	%r16, %rs2;
	cvt.rn.bf16.f32 	%rs3, %f1;
	cvt.u32.u16 	%r17, %rs3;
	cvt.rzi.s64.f32 	%rd10, %f1;
	cvt.rzi.u64.f32 	%rd11, %f1;
	cvt.f64.f32 	%fd1, %f1;
	cvt.rn.f32.f64 	%f2, %fd1;
	mov.b32 	%r18, %f2;
	cvt.rzi.f32.f32 	%f3, %f1;
	mov.b32 	%r19, %f3;
	cvt.sat.f32.f32 	%f4, %f1;
	mov.b32 	%r20, %f4;
	cvt.rzi.sat.u8.f32 	%rs4, %f1;
	cvt.u32.u16 	%r21, %rs4;
	mov.b64 	%rd12, %fd1;
	mul.wide.u32 	%rd7, %r1, 80;
	add.s64 	%rd8, %rd4, %rd7;
	st.global.v4.u32 	[%rd8], {%r10, %r11, %r12, %r13};
	st.global.v4.u32 	[%rd8+16], {%r14, %r15, %r16, %r17};
	st.global.v4.u32 	[%rd8+32], {%r18, %r19, %r20, %r21};
	st.global.v2.u64 	[%rd8+48], {%rd10, %rd11};
	st.global.u64 	[%rd8+64], %rd12;
"#;

#[test]
fn float_to_int_conversions_saturate_and_map_nan() {
    let src = kernel(
        "cvt",
        ".reg .pred %p<2>;\n.reg .b16 %rs<5>;\n.reg .b32 %r<22>;\n.reg .b64 %rd<13>;\n.reg .f32 %f<5>;\n.reg .f64 %fd<2>;",
        CVT,
    );
    let mut rng = Rng::new(25);
    let specials =
        [f32::NAN, -f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.5, 1.5, 2.5, -2.5, 255.5, 256.0, -1.0];
    let n = 20_000;
    let a: Vec<f32> = (0..n)
        .map(|i| match i % 3 {
            0 => specials[i / 3 % specials.len()],
            1 => rng.f32_bits(),
            _ => rng.f32() * 1e7,
        })
        .collect();
    let out: Vec<u32> = run(&src, "cvt", &a, &a, &a, 20);
    for (i, &x) in a.iter().enumerate() {
        let o = &out[i * 20..i * 20 + 20];
        let u64_of = |k: usize| o[k] as u64 | (o[k + 1] as u64) << 32;
        assert_eq!(o[0] as i32, x as i32, "rzi.s32 {x}");
        assert_eq!(o[1], x as u32, "rzi.u32 {x}");
        assert_eq!(o[2] as i32, x.round_ties_even() as i32, "rni.s32 {x}");
        assert_eq!(o[3] as i32, x.floor() as i32, "rmi.s32 {x}");
        assert_eq!(o[4] as i32, x.ceil() as i32, "rpi.s32 {x}");
        assert_eq!(o[5] as i32, x as i16 as i32, "rzi.s16 {x}");
        let h = half::f16::from_f32(x);
        let want_h = if h.is_nan() { 0x7FFF } else { h.to_bits() as u32 };
        assert_eq!(o[6], want_h, "f16 {x}");
        let bh = half::bf16::from_f32(x);
        let want_bh = if bh.is_nan() { 0x7FFF } else { bh.to_bits() as u32 };
        assert_eq!(o[7], want_bh, "bf16 {x}");
        // NaN payloads survive the round trip through f64, quieted.
        let round_trip = if x.is_nan() { x.to_bits() | 0x40_0000 } else { x.to_bits() };
        assert_eq!(o[8], round_trip, "f32 -> f64 -> f32 {x}");
        assert_eq!(o[9], gpu32(x.trunc()), "rzi.f32 {x}");
        let sat = if x.is_nan() || x <= 0.0 { 0.0 } else { x.min(1.0) };
        assert_eq!(o[10], sat.to_bits(), "sat {x}");
        assert_eq!(o[11], x as u8 as u32, "rzi.sat.u8 {x}");
        // Measured on an H200: 64-bit results of NaN are 0x8000000000000000 (s64 as well as u64), unlike Rust.
        let want_s64 = if x.is_nan() { i64::MIN } else { x as i64 };
        assert_eq!(u64_of(12) as i64, want_s64, "rzi.s64 {x}");
        // DESIGN.md: cvt.rzi.u64.f32 gives 0x8000000000000000 for NaN, unlike Rust.
        let want_u64 = if x.is_nan() { 1 << 63 } else { x as u64 };
        assert_eq!(u64_of(14), want_u64, "rzi.u64 {x}");
        let bits = x.to_bits() as u64;
        let wide = if x.is_nan() {
            ((bits & 0x8000_0000) << 32) | 0x7FF8_0000_0000_0000 | ((bits & 0x7F_FFFF) << 29)
        } else {
            (x as f64).to_bits()
        };
        assert_eq!(u64_of(16), wide, "f64 {x}");
    }
}

const INT_TO_FLOAT: &str = r#"
	mul.wide.u32 	%rd5, %r1, 8;
	add.s64 	%rd6, %rd1, %rd5;
	ld.global.u64 	%rd10, [%rd6];
	cvt.rn.f32.s64 	%f1, %rd10;
	cvt.rn.f32.u64 	%f2, %rd10;
	cvt.rz.f32.u64 	%f3, %rd10;
	cvt.rp.f32.u64 	%f4, %rd10;
	cvt.rn.f64.s64 	%fd1, %rd10;
	cvt.u32.u64 	%r6, %rd10;
	cvt.rn.f32.s32 	%f5, %r6;
	cvt.rn.f32.u32 	%f6, %r6;
	cvt.rn.f64.u32 	%fd2, %r6;
	mul.wide.u32 	%rd7, %r1, 48;
	add.s64 	%rd8, %rd4, %rd7;
	st.global.v4.f32 	[%rd8], {%f1, %f2, %f3, %f4};
	st.global.v2.f32 	[%rd8+16], {%f5, %f6};
	st.global.v2.f64 	[%rd8+32], {%fd1, %fd2};
"#;

#[test]
fn int_to_float_conversions_round_once() {
    let src = kernel(
        "i2f",
        ".reg .pred %p<2>;\n.reg .b32 %r<8>;\n.reg .b64 %rd<12>;\n.reg .f32 %f<8>;\n.reg .f64 %fd<4>;",
        INT_TO_FLOAT,
    );
    let mut rng = Rng::new(26);
    let n = 20_000;
    let a: Vec<u64> = (0..n).map(|i| rng.u64() >> (i % 64)).collect();
    let out: Vec<u32> = run(&src, "i2f", &a, &a, &a, 12);
    for (i, &x) in a.iter().enumerate() {
        let o = &out[i * 12..i * 12 + 12];
        assert_eq!(o[0], (x as i64 as f32).to_bits(), "s64 {x}");
        assert_eq!(o[1], (x as f32).to_bits(), "u64 {x}");
        // Directed: the neighbours of the nearest value that bracket x, compared exactly in integers.
        let rn = x as f32;
        let (lo, hi) = if (rn as u128) > x as u128 {
            (rn.next_down(), rn)
        } else if (rn as u128) < x as u128 {
            (rn, rn.next_up())
        } else {
            (rn, rn)
        };
        assert_eq!(o[2], lo.to_bits(), "rz.u64 {x}");
        assert_eq!(o[3], hi.to_bits(), "rp.u64 {x}");
        assert_eq!(o[4], (x as u32 as i32 as f32).to_bits(), "s32 {x}");
        assert_eq!(o[5], (x as u32 as f32).to_bits(), "u32 {x}");
        let f64_of = |k: usize| f64::from_bits(o[k] as u64 | (o[k + 1] as u64) << 32);
        assert_eq!(f64_of(8), x as i64 as f64, "f64.s64 {x}");
        assert_eq!(f64_of(10), x as u32 as f64, "f64.u32 {x}");
    }
}

const F16: &str = r#"
	mul.wide.u32 	%rd5, %r1, 2;
	add.s64 	%rd6, %rd1, %rd5;
	ld.global.b16 	%rs1, [%rd6];
	add.s64 	%rd6, %rd2, %rd5;
	ld.global.b16 	%rs2, [%rd6];
	add.rn.f16 	%rs3, %rs1, %rs2;
	mul.rn.f16 	%rs4, %rs1, %rs2;
	sub.rn.bf16 	%rs5, %rs1, %rs2;
	max.f16 	%rs6, %rs1, %rs2;
	mul.wide.u32 	%rd7, %r1, 8;
	add.s64 	%rd8, %rd4, %rd7;
	st.global.v4.b16 	[%rd8], {%rs3, %rs4, %rs5, %rs6};
"#;

#[test]
fn half_precision_arithmetic_rounds_once() {
    use half::{bf16, f16};
    let src = kernel("f16ops", ".reg .pred %p<2>;\n.reg .b16 %rs<8>;\n.reg .b32 %r<8>;\n.reg .b64 %rd<10>;", F16);
    let mut rng = Rng::new(27);
    let n = 20_000;
    let a: Vec<u16> = (0..n).map(|_| rng.u32() as u16).collect();
    let b: Vec<u16> = (0..n).map(|_| rng.u32() as u16).collect();
    let out: Vec<u16> = run(&src, "f16ops", &a, &b, &a, 4);
    let canon = |v: u16, nan: bool| if nan { 0x7FFF } else { v };
    for i in 0..n {
        let (x, y) = (f16::from_bits(a[i]), f16::from_bits(b[i]));
        // Sums and products of f16 are exact in f64, so one rounding from f64 is the correctly rounded result.
        let add = f16::from_f64(x.to_f64() + y.to_f64());
        let mul = f16::from_f64(x.to_f64() * y.to_f64());
        let (bx, by) = (bf16::from_bits(a[i]), bf16::from_bits(b[i]));
        let sub = bf16::from_f64(bx.to_f64() - by.to_f64());
        let o = &out[i * 4..i * 4 + 4];
        assert_eq!(o[0], canon(add.to_bits(), add.is_nan()), "{x} + {y}");
        assert_eq!(o[1], canon(mul.to_bits(), mul.is_nan()), "{x} * {y}");
        // bf16 differences of far-apart operands are not exact in f64 only beyond its range; these are.
        assert_eq!(o[2], canon(sub.to_bits(), sub.is_nan()), "{bx} - {by} (bf16)");
        let max = match (x.is_nan(), y.is_nan()) {
            (true, true) => 0x7FFF,
            (true, false) => b[i],
            (false, true) => a[i],
            _ if x.to_f64() == y.to_f64() => {
                if x.is_sign_positive() {
                    a[i]
                } else {
                    b[i]
                }
            }
            _ => {
                if x > y {
                    a[i]
                } else {
                    b[i]
                }
            }
        };
        assert_eq!(o[3], max, "max({x}, {y})");
    }
}
