//! The emulator's choices where the PTX ISA leaves the GPU's answer unstated (division by zero at every width, NaN
//! results and payloads, the order of ±0 in `min`/`max`, float→int conversions of NaN), checked against the GPU:
//! the same probe kernels run on CUDA device 0 and on the emulator with the same edge-case inputs, and every result
//! is compared bit for bit. The table of disagreements is printed before anything is asserted (a run on an H200
//! with driver 580 agreed on every probe):
//!
//! ```text
//! PTX_KERNEL_DEVICE=cuda cargo test --release -p ptx-kernel-runtime --test emu_vs_gpu -- --nocapture
//! ```
//!
//! Without a GPU the probes run on the emulator alone and only the values the emulator documents are checked;
//! with `PTX_KERNEL_DEVICE=cuda` and no usable device the test fails.

use ptx_kernel_runtime::{Device, KernelModule, LaunchConfig};

/// Per case: 14 integer results of `a` and `b` (u64 inputs; 32- and 16-bit forms use the low bits).
const PROBE_INT: &str = r#"
.version 7.8
.target sm_75
.address_size 64

.visible .entry probe_int(
	.param .u64 pa,
	.param .u64 pb,
	.param .u64 pout,
	.param .u32 n
)
{
	.reg .pred 	%p<2>;
	.reg .b16 	%rs<8>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<32>;

	ld.param.u64 	%rd1, [pa];
	ld.param.u64 	%rd2, [pb];
	ld.param.u64 	%rd3, [pout];
	ld.param.u32 	%r1, [n];
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u32 	%r4, %tid.x;
	mad.lo.s32 	%r5, %r2, %r3, %r4;
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	$END;
	mul.wide.u32 	%rd4, %r5, 8;
	add.s64 	%rd5, %rd1, %rd4;
	ld.global.u64 	%rd6, [%rd5];
	add.s64 	%rd5, %rd2, %rd4;
	ld.global.u64 	%rd7, [%rd5];
	cvt.u32.u64 	%r6, %rd6;
	cvt.u32.u64 	%r7, %rd7;
	cvt.u16.u64 	%rs1, %rd6;
	cvt.u16.u64 	%rs2, %rd7;
	div.u32 	%r8, %r6, %r7;
	cvt.u64.u32 	%rd10, %r8;
	rem.u32 	%r8, %r6, %r7;
	cvt.u64.u32 	%rd11, %r8;
	div.s32 	%r8, %r6, %r7;
	cvt.u64.u32 	%rd12, %r8;
	rem.s32 	%r8, %r6, %r7;
	cvt.u64.u32 	%rd13, %r8;
	div.u64 	%rd14, %rd6, %rd7;
	rem.u64 	%rd15, %rd6, %rd7;
	div.s64 	%rd16, %rd6, %rd7;
	rem.s64 	%rd17, %rd6, %rd7;
	div.u16 	%rs3, %rs1, %rs2;
	cvt.u64.u16 	%rd18, %rs3;
	rem.u16 	%rs3, %rs1, %rs2;
	cvt.u64.u16 	%rd19, %rs3;
	div.s16 	%rs3, %rs1, %rs2;
	cvt.u64.u16 	%rd20, %rs3;
	rem.s16 	%rs3, %rs1, %rs2;
	cvt.u64.u16 	%rd21, %rs3;
	and.b32 	%r9, %r7, 127;
	shr.s32 	%r10, %r6, %r9;
	cvt.u64.u32 	%rd22, %r10;
	bfe.s32 	%r10, %r6, %r9, %r7;
	cvt.u64.u32 	%rd23, %r10;
	mul.wide.u32 	%rd8, %r5, 112;
	add.s64 	%rd9, %rd3, %rd8;
	st.global.v2.u64 	[%rd9], {%rd10, %rd11};
	st.global.v2.u64 	[%rd9+16], {%rd12, %rd13};
	st.global.v2.u64 	[%rd9+32], {%rd14, %rd15};
	st.global.v2.u64 	[%rd9+48], {%rd16, %rd17};
	st.global.v2.u64 	[%rd9+64], {%rd18, %rd19};
	st.global.v2.u64 	[%rd9+80], {%rd20, %rd21};
	st.global.v2.u64 	[%rd9+96], {%rd22, %rd23};
$END:
	ret;
}
"#;

const INT_NAMES: [&str; 14] = [
    "div.u32", "rem.u32", "div.s32", "rem.s32", "div.u64", "rem.u64", "div.s64", "rem.s64", "div.u16", "rem.u16",
    "div.s16", "rem.s16", "shr.s32 (amount b&127)", "bfe.s32 (pos b&127, len b)",
];

/// Per case: 20 float results (f32 operands in the low 32 bits of `a`/`b`, f64 operands the whole words, f16 the
/// low 16 bits).
const PROBE_FLOAT: &str = r#"
.version 7.8
.target sm_75
.address_size 64

.visible .entry probe_float(
	.param .u64 pa,
	.param .u64 pb,
	.param .u64 pout,
	.param .u32 n
)
{
	.reg .pred 	%p<2>;
	.reg .b16 	%rs<8>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<40>;
	.reg .f32 	%f<16>;
	.reg .f64 	%fd<12>;

	ld.param.u64 	%rd1, [pa];
	ld.param.u64 	%rd2, [pb];
	ld.param.u64 	%rd3, [pout];
	ld.param.u32 	%r1, [n];
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u32 	%r4, %tid.x;
	mad.lo.s32 	%r5, %r2, %r3, %r4;
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	$END;
	mul.wide.u32 	%rd4, %r5, 8;
	add.s64 	%rd5, %rd1, %rd4;
	ld.global.u64 	%rd6, [%rd5];
	add.s64 	%rd5, %rd2, %rd4;
	ld.global.u64 	%rd7, [%rd5];
	cvt.u32.u64 	%r6, %rd6;
	cvt.u32.u64 	%r7, %rd7;
	mov.b32 	%f1, %r6;
	mov.b32 	%f2, %r7;
	mov.b64 	%fd1, %rd6;
	mov.b64 	%fd2, %rd7;
	cvt.u16.u64 	%rs1, %rd6;
	cvt.u16.u64 	%rs2, %rd7;
	add.rn.f32 	%f3, %f1, %f2;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd10, %r8;
	mul.rn.f32 	%f3, %f1, %f2;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd11, %r8;
	sqrt.rn.f32 	%f3, %f1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd12, %r8;
	min.f32 	%f3, %f1, %f2;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd13, %r8;
	max.f32 	%f3, %f1, %f2;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd14, %r8;
	neg.f32 	%f3, %f1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd15, %r8;
	fma.rn.f32 	%f3, %f1, %f2, %f1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd16, %r8;
	rcp.rn.f32 	%f3, %f1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd17, %r8;
	add.rn.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd18, %fd3;
	sqrt.rn.f64 	%fd3, %fd1;
	mov.b64 	%rd19, %fd3;
	min.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd20, %fd3;
	mul.rn.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd21, %fd3;
	cvt.rzi.u64.f64 	%rd22, %fd1;
	cvt.rzi.s64.f64 	%rd23, %fd1;
	cvt.rzi.u64.f32 	%rd24, %f1;
	cvt.rzi.s64.f32 	%rd25, %f1;
	cvt.rn.f32.f64 	%f3, %fd1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd26, %r8;
	cvt.f64.f32 	%fd3, %f1;
	mov.b64 	%rd27, %fd3;
	cvt.rn.f16.f32 	%rs3, %f1;
	cvt.u64.u16 	%rd28, %rs3;
	add.rn.f16 	%rs3, %rs1, %rs2;
	cvt.u64.u16 	%rd29, %rs3;
	mul.wide.u32 	%rd8, %r5, 160;
	add.s64 	%rd9, %rd3, %rd8;
	st.global.v2.u64 	[%rd9], {%rd10, %rd11};
	st.global.v2.u64 	[%rd9+16], {%rd12, %rd13};
	st.global.v2.u64 	[%rd9+32], {%rd14, %rd15};
	st.global.v2.u64 	[%rd9+48], {%rd16, %rd17};
	st.global.v2.u64 	[%rd9+64], {%rd18, %rd19};
	st.global.v2.u64 	[%rd9+80], {%rd20, %rd21};
	st.global.v2.u64 	[%rd9+96], {%rd22, %rd23};
	st.global.v2.u64 	[%rd9+112], {%rd24, %rd25};
	st.global.v2.u64 	[%rd9+128], {%rd26, %rd27};
	st.global.v2.u64 	[%rd9+144], {%rd28, %rd29};
$END:
	ret;
}
"#;

const FLOAT_NAMES: [&str; 20] = [
    "add.rn.f32", "mul.rn.f32", "sqrt.rn.f32", "min.f32", "max.f32", "neg.f32", "fma.rn.f32 (a*b+a)", "rcp.rn.f32",
    "add.rn.f64", "sqrt.rn.f64", "min.f64", "mul.rn.f64", "cvt.rzi.u64.f64", "cvt.rzi.s64.f64", "cvt.rzi.u64.f32",
    "cvt.rzi.s64.f32", "cvt.rn.f32.f64", "cvt.f64.f32", "cvt.rn.f16.f32", "add.rn.f16",
];

/// Per case: 24 results on NaN-heavy operands (f64 whole words, f32 the low 32 bits, f16 the low 16 bits).
///
/// Not probed here because ptxas decides it: when both operands of a commutative f64 instruction are NaNs with
/// different payloads, which one the result carries depends on the operand order ptxas gives the SASS instruction
/// (`add.rn.f64 d, b, a` gave the same NaN as `add.rn.f64 d, a, b` in one kernel).
const PROBE_NAN: &str = r#"
.version 7.8
.target sm_75
.address_size 64

.visible .entry probe_nan(
	.param .u64 pa,
	.param .u64 pb,
	.param .u64 pout,
	.param .u32 n
)
{
	.reg .pred 	%p<2>;
	.reg .b16 	%rs<8>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<48>;
	.reg .f32 	%f<16>;
	.reg .f64 	%fd<12>;

	ld.param.u64 	%rd1, [pa];
	ld.param.u64 	%rd2, [pb];
	ld.param.u64 	%rd3, [pout];
	ld.param.u32 	%r1, [n];
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u32 	%r4, %tid.x;
	mad.lo.s32 	%r5, %r2, %r3, %r4;
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	$END;
	mul.wide.u32 	%rd4, %r5, 8;
	add.s64 	%rd5, %rd1, %rd4;
	ld.global.u64 	%rd6, [%rd5];
	add.s64 	%rd5, %rd2, %rd4;
	ld.global.u64 	%rd7, [%rd5];
	cvt.u32.u64 	%r6, %rd6;
	cvt.u32.u64 	%r7, %rd7;
	mov.b32 	%f1, %r6;
	mov.b32 	%f2, %r7;
	mov.b64 	%fd1, %rd6;
	mov.b64 	%fd2, %rd7;
	cvt.u16.u64 	%rs1, %rd6;
	cvt.u16.u64 	%rs2, %rd7;
	add.rn.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd10, %fd3;
	rcp.rn.f64 	%fd3, %fd1;
	mov.b64 	%rd11, %fd3;
	mul.rn.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd12, %fd3;
	fma.rn.f64 	%fd3, %fd1, %fd2, %fd2;
	mov.b64 	%rd13, %fd3;
	div.rn.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd14, %fd3;
	max.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd15, %fd3;
	neg.f64 	%fd3, %fd1;
	mov.b64 	%rd16, %fd3;
	abs.f64 	%fd3, %fd1;
	mov.b64 	%rd17, %fd3;
	fma.rn.f64 	%fd3, %fd1, %fd2, 0d3FF0000000000000;
	mov.b64 	%rd18, %fd3;
	sub.rn.f64 	%fd3, %fd1, %fd2;
	mov.b64 	%rd19, %fd3;
	abs.f32 	%f3, %f1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd20, %r8;
	min.f32 	%f3, %f1, %f2;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd21, %r8;
	add.rz.f32 	%f3, %f1, %f2;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd22, %r8;
	neg.f16 	%rs3, %rs1;
	cvt.u64.u16 	%rd23, %rs3;
	abs.f16 	%rs3, %rs1;
	cvt.u64.u16 	%rd24, %rs3;
	cvt.f32.f16 	%f3, %rs1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd25, %r8;
	cvt.rzi.s32.f64 	%r8, %fd1;
	cvt.u64.u32 	%rd26, %r8;
	cvt.rzi.u32.f64 	%r8, %fd1;
	cvt.u64.u32 	%rd27, %r8;
	cvt.rzi.s32.f32 	%r8, %f1;
	cvt.u64.u32 	%rd28, %r8;
	cvt.rzi.u32.f32 	%r8, %f1;
	cvt.u64.u32 	%rd29, %r8;
	cvt.rzi.s16.f32 	%rs3, %f1;
	cvt.u64.u16 	%rd30, %rs3;
	cvt.rn.f32.f64 	%f3, %fd1;
	mov.b32 	%r8, %f3;
	cvt.u64.u32 	%rd31, %r8;
	cvt.f64.f32 	%fd3, %f1;
	mov.b64 	%rd32, %fd3;
	sqrt.rn.f64 	%fd3, %fd1;
	mov.b64 	%rd33, %fd3;
	mul.wide.u32 	%rd8, %r5, 192;
	add.s64 	%rd9, %rd3, %rd8;
	st.global.v2.u64 	[%rd9], {%rd10, %rd11};
	st.global.v2.u64 	[%rd9+16], {%rd12, %rd13};
	st.global.v2.u64 	[%rd9+32], {%rd14, %rd15};
	st.global.v2.u64 	[%rd9+48], {%rd16, %rd17};
	st.global.v2.u64 	[%rd9+64], {%rd18, %rd19};
	st.global.v2.u64 	[%rd9+80], {%rd20, %rd21};
	st.global.v2.u64 	[%rd9+96], {%rd22, %rd23};
	st.global.v2.u64 	[%rd9+112], {%rd24, %rd25};
	st.global.v2.u64 	[%rd9+128], {%rd26, %rd27};
	st.global.v2.u64 	[%rd9+144], {%rd28, %rd29};
	st.global.v2.u64 	[%rd9+160], {%rd30, %rd31};
	st.global.v2.u64 	[%rd9+176], {%rd32, %rd33};
$END:
	ret;
}
"#;

const NAN_NAMES: [&str; 24] = [
    "add.rn.f64", "rcp.rn.f64", "mul.rn.f64", "fma.rn.f64 (a*b+b)", "div.rn.f64", "max.f64", "neg.f64", "abs.f64",
    "fma.rn.f64 (a*b+1)", "sub.rn.f64", "abs.f32", "min.f32", "add.rz.f32", "neg.f16", "abs.f16", "cvt.f32.f16",
    "cvt.rzi.s32.f64", "cvt.rzi.u32.f64", "cvt.rzi.s32.f32", "cvt.rzi.u32.f32", "cvt.rzi.s16.f32", "cvt.rn.f32.f64",
    "cvt.f64.f32", "sqrt.rn.f64",
];

fn nan_cases() -> Vec<(u64, u64)> {
    // Words whose f64, f32 (low half) and f16 (low quarter) readings are NaNs of several kinds, and numbers.
    let words = [
        0x7FF8_0000_7FC0_7E00u64, // quiet NaNs everywhere, zero payloads
        0x7FF4_0000_7FA0_7D00,    // signaling NaNs (f64, f32, f16), payloads
        0xFFFC_1234_FFC1_FE01,    // negative quiet NaNs with payloads
        0x7FF0_0000_0000_0001,    // f64 signaling NaN, f32/f16 tiny numbers
        0x7FFF_FFFF_FFFF_FFFF,    // all-ones quiet NaN
        0xFFF8_0000_0000_0000,    // the x86 default NaN
        0x4000_0000_3F80_3C00,    // 2.0 / 1.0 / 1.0
        0xC008_0000_C040_C200,    // -3.0 / -3.0 / -3.0
        0x7FF0_0000_7F80_7C00,    // +inf
        0x8000_0000_8000_8000,    // -0
        0x0000_0000_0000_0000,    // +0
    ];
    let mut v = Vec::new();
    for &a in &words {
        for &b in &words {
            v.push((a, b));
        }
    }
    v
}

static NAN: KernelModule = KernelModule::new(PROBE_NAN, "probe_nan", 75);

/// Per case: bit-field results for every (pos, len) pair of interest (`b` = pos | len << 32), 32- and 64-bit.
const PROBE_BITS: &str = r#"
.version 7.8
.target sm_75
.address_size 64

.visible .entry probe_bits(
	.param .u64 pa,
	.param .u64 pb,
	.param .u64 pout,
	.param .u32 n
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<16>;
	.reg .b64 	%rd<24>;

	ld.param.u64 	%rd1, [pa];
	ld.param.u64 	%rd2, [pb];
	ld.param.u64 	%rd3, [pout];
	ld.param.u32 	%r1, [n];
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u32 	%r4, %tid.x;
	mad.lo.s32 	%r5, %r2, %r3, %r4;
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	$END;
	mul.wide.u32 	%rd4, %r5, 8;
	add.s64 	%rd5, %rd1, %rd4;
	ld.global.u64 	%rd6, [%rd5];
	add.s64 	%rd5, %rd2, %rd4;
	ld.global.u64 	%rd7, [%rd5];
	cvt.u32.u64 	%r6, %rd7;
	shr.u64 	%rd8, %rd7, 32;
	cvt.u32.u64 	%r7, %rd8;
	cvt.u32.u64 	%r8, %rd6;
	not.b64 	%rd9, %rd6;
	not.b32 	%r9, %r8;
	bfe.u64 	%rd10, %rd6, %r6, %r7;
	bfe.s64 	%rd11, %rd6, %r6, %r7;
	bfi.b64 	%rd12, %rd6, %rd9, %r6, %r7;
	bfe.u32 	%r10, %r8, %r6, %r7;
	cvt.u64.u32 	%rd13, %r10;
	bfe.s32 	%r10, %r8, %r6, %r7;
	cvt.u64.u32 	%rd14, %r10;
	bfi.b32 	%r10, %r8, %r9, %r6, %r7;
	cvt.u64.u32 	%rd15, %r10;
	mul.wide.u32 	%rd16, %r5, 48;
	add.s64 	%rd17, %rd3, %rd16;
	st.global.v2.u64 	[%rd17], {%rd10, %rd11};
	st.global.v2.u64 	[%rd17+16], {%rd12, %rd13};
	st.global.v2.u64 	[%rd17+32], {%rd14, %rd15};
$END:
	ret;
}
"#;

const BITS_NAMES: [&str; 6] =
    ["bfe.u64", "bfe.s64", "bfi.b64 (f=a, b=!a)", "bfe.u32", "bfe.s32", "bfi.b32 (f=a, b=!a)"];

fn bits_cases() -> Vec<(u64, u64)> {
    let mut vals: Vec<u64> = (0..=70).collect();
    vals.extend([96, 127, 128, 255, 256, 257, 300, 511, 512, 0x8000_0000, 0xFFFF_FFFF]);
    let mut v = Vec::new();
    for a in [0xF3C5_A96E_1B2D_4879u64, 0x13C5_A96E_9B2D_4879] {
        for &pos in &vals {
            for &len in &vals {
                v.push((a, pos | len << 32));
            }
        }
    }
    v
}

/// Per case: conversions between float formats of NaN-heavy words, and `fma.rn.f64` with `c = a ^ 0xF0F`.
const PROBE_CVT_NAN: &str = r#"
.version 7.8
.target sm_90
.address_size 64

.visible .entry probe_cvt_nan(
	.param .u64 pa,
	.param .u64 pb,
	.param .u64 pout,
	.param .u32 n
)
{
	.reg .pred 	%p<2>;
	.reg .b16 	%rs<8>;
	.reg .b32 	%r<16>;
	.reg .b64 	%rd<24>;
	.reg .f32 	%f<8>;
	.reg .f64 	%fd<8>;

	ld.param.u64 	%rd1, [pa];
	ld.param.u64 	%rd2, [pb];
	ld.param.u64 	%rd3, [pout];
	ld.param.u32 	%r1, [n];
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u32 	%r4, %tid.x;
	mad.lo.s32 	%r5, %r2, %r3, %r4;
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	$END;
	mul.wide.u32 	%rd4, %r5, 8;
	add.s64 	%rd5, %rd1, %rd4;
	ld.global.u64 	%rd6, [%rd5];
	add.s64 	%rd5, %rd2, %rd4;
	ld.global.u64 	%rd7, [%rd5];
	mov.b64 	%fd1, %rd6;
	mov.b64 	%fd2, %rd7;
	xor.b64 	%rd8, %rd6, 3855;
	mov.b64 	%fd3, %rd8;
	cvt.u32.u64 	%r6, %rd6;
	mov.b32 	%f1, %r6;
	cvt.u16.u64 	%rs1, %rd6;
	cvt.rn.f16.f64 	%rs2, %fd1;
	cvt.u64.u16 	%rd10, %rs2;
	cvt.rn.bf16.f64 	%rs2, %fd1;
	cvt.u64.u16 	%rd11, %rs2;
	cvt.f64.f16 	%fd4, %rs1;
	mov.b64 	%rd12, %fd4;
	cvt.f64.bf16 	%fd4, %rs1;
	mov.b64 	%rd13, %fd4;
	cvt.f32.bf16 	%f2, %rs1;
	mov.b32 	%r7, %f2;
	cvt.u64.u32 	%rd14, %r7;
	cvt.rn.bf16.f32 	%rs2, %f1;
	cvt.u64.u16 	%rd15, %rs2;
	fma.rn.f64 	%fd5, %fd1, %fd2, %fd3;
	mov.b64 	%rd16, %fd5;
	fma.rn.f64 	%fd5, %fd2, %fd3, %fd1;
	mov.b64 	%rd17, %fd5;
	mul.wide.u32 	%rd18, %r5, 64;
	add.s64 	%rd19, %rd3, %rd18;
	st.global.v2.u64 	[%rd19], {%rd10, %rd11};
	st.global.v2.u64 	[%rd19+16], {%rd12, %rd13};
	st.global.v2.u64 	[%rd19+32], {%rd14, %rd15};
	st.global.v2.u64 	[%rd19+48], {%rd16, %rd17};
$END:
	ret;
}
"#;

const CVT_NAN_NAMES: [&str; 8] = [
    "cvt.rn.f16.f64", "cvt.rn.bf16.f64", "cvt.f64.f16", "cvt.f64.bf16", "cvt.f32.bf16", "cvt.rn.bf16.f32",
    "fma.rn.f64 (a, b, a^0xF0F)", "fma.rn.f64 (b, a^0xF0F, a)",
];

fn cvt_nan_cases() -> Vec<(u64, u64)> {
    let words = [
        0x7FF8_0000_7FC0_7E00u64, 0x7FF4_0000_7FA0_7D00, 0xFFFC_1234_FFC1_FE01, 0x7FF0_0000_0000_7C01,
        0x7FFF_FFFF_FFFF_FF81, 0xFFF8_0000_0000_0000, 0x4000_0000_3F80_3C00, 0x7FF0_0000_7F80_7F81,
        0x7FF0_0ABC_0000_FFC1,
    ];
    let mut v = Vec::new();
    for &a in &words {
        for &b in &words {
            v.push((a, b));
        }
    }
    v
}

static BITS: KernelModule = KernelModule::new(PROBE_BITS, "probe_bits", 75);
static CVT_NAN: KernelModule = KernelModule::new(PROBE_CVT_NAN, "probe_cvt_nan", 90);

static INT: KernelModule = KernelModule::new(PROBE_INT, "probe_int", 75);
static FLOAT: KernelModule = KernelModule::new(PROBE_FLOAT, "probe_float", 75);

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn int_cases() -> Vec<(u64, u64)> {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let specials = [0u64, 1, 7, u64::MAX, 0x8000_0000, 0x8000_0000_0000_0000, 0x8000, 0xFFFF_FFFF, 0x7FFF_FFFF];
    let mut v = Vec::new();
    for &a in &specials {
        for &b in &specials {
            v.push((a, b));
        }
    }
    for _ in 0..400 {
        let a = rng.next();
        v.push((a, 0));
        v.push((a, rng.next() >> (rng.next() % 64)));
    }
    v
}

fn float_cases() -> Vec<(u64, u64)> {
    let f = |x: f32| x.to_bits() as u64;
    let d = |x: f64| x.to_bits();
    let mut rng = Rng(0x5EED_9876_0000_0003);
    let nan32 = [0x7FC0_0000u64, 0x7FC0_0001, 0xFFC0_0000, 0x7F80_0001, 0xFFFF_FFFF, 0x7FFF_FFFF];
    let vals32 =
        [f(0.0), f(-0.0), f(1.5), f(-2.5), f(f32::INFINITY), f(f32::NEG_INFINITY), f(f32::MIN_POSITIVE / 4.0), f(1e30)];
    let mut v = Vec::new();
    // f32 operands (high halves random so that the f64 lanes see other values).
    for &a in nan32.iter().chain(&vals32) {
        for &b in nan32.iter().chain(&vals32) {
            v.push((a | (rng.next() << 32), b | (rng.next() << 32)));
        }
    }
    // f64 operands.
    let nan64 = [0x7FF8_0000_0000_0000u64, 0x7FF8_0000_0000_0001, 0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001];
    let vals64 = [d(0.0), d(-0.0), d(3.25), d(f64::INFINITY), d(f64::NEG_INFINITY), d(1e300), d(-1e19), d(2e19)];
    for &a in nan64.iter().chain(&vals64) {
        for &b in nan64.iter().chain(&vals64) {
            v.push((a, b));
        }
    }
    // f16 NaNs and random words.
    for a in [0x7E00u64, 0x7E01, 0xFE00, 0x7C01, 0x3C00, 0x8000] {
        for b in [0x7E00u64, 0x3C00, 0xFC00, 0x0000] {
            v.push((a, b));
        }
    }
    for _ in 0..300 {
        v.push((rng.next(), rng.next()));
    }
    v
}

/// Runs `m` over `cases` on `dev`; returns `per` u64 results per case.
fn run(dev: &Device, m: &'static KernelModule, cases: &[(u64, u64)], per: usize) -> Vec<u64> {
    let n = cases.len();
    let a: Vec<u64> = cases.iter().map(|c| c.0).collect();
    let b: Vec<u64> = cases.iter().map(|c| c.1).collect();
    let da = dev.upload(&a).unwrap();
    let db = dev.upload(&b).unwrap();
    let out = dev.alloc_zeros::<u64>(n * per).unwrap();
    let args = [da.device_ptr().to_ne_bytes(), db.device_ptr().to_ne_bytes(), out.device_ptr().to_ne_bytes()];
    let nb = (n as u32).to_ne_bytes();
    m.launch(dev, LaunchConfig::for_num_elems(n as u32), &[&args[0], &args[1], &args[2], &nb]).unwrap();
    out.download().unwrap()
}

/// Compares per variant; returns the printed table's rows with disagreements.
fn compare(what: &str, names: &[&str], cases: &[(u64, u64)], gpu: &[u64], emu: &[u64]) -> usize {
    let per = names.len();
    let mut bad = 0;
    println!("\n{what}: {} cases", cases.len());
    println!("| variant | mismatches | first mismatch: a, b | GPU | emulator |");
    println!("|---|---|---|---|---|");
    for (k, name) in names.iter().enumerate() {
        let mism: Vec<usize> = (0..cases.len()).filter(|&i| gpu[i * per + k] != emu[i * per + k]).collect();
        if let Some(&i) = mism.first() {
            bad += mism.len();
            let (a, b) = cases[i];
            println!(
                "| {name} | {} | {a:#x}, {b:#x} | {:#x} | {:#x} |",
                mism.len(),
                gpu[i * per + k],
                emu[i * per + k]
            );
        } else {
            println!("| {name} | 0 | | | |");
        }
    }
    bad
}

fn cuda() -> Option<Device> {
    let want = std::env::var("PTX_KERNEL_DEVICE").is_ok_and(|v| v.starts_with("cuda"));
    match Device::cuda(0) {
        Ok(d) => Some(d),
        Err(e) if want => panic!("PTX_KERNEL_DEVICE asks for CUDA but: {e}"),
        Err(e) => {
            println!("note: no CUDA device ({e}); the emulator's documented values are checked alone");
            None
        }
    }
}

#[test]
fn emulator_agrees_with_the_gpu_on_edge_cases() {
    let emu = Device::emulator();
    let (ic, fc) = (int_cases(), float_cases());
    let emu_int = run(&emu, &INT, &ic, INT_NAMES.len());
    let emu_float = run(&emu, &FLOAT, &fc, FLOAT_NAMES.len());
    let nc = nan_cases();
    let emu_nan = run(&emu, &NAN, &nc, NAN_NAMES.len());
    let bc = bits_cases();
    let emu_bits = run(&emu, &BITS, &bc, BITS_NAMES.len());
    let cc = cvt_nan_cases();
    let emu_cvt = run(&emu, &CVT_NAN, &cc, CVT_NAN_NAMES.len());
    // What the emulator documents (int.rs, float.rs, convert.rs).
    let at = |v: &[u64], per: usize, i: usize, k: usize| v[i * per + k];
    let i7_0 = ic.iter().position(|&c| c == (7, 0)).unwrap();
    let w = INT_NAMES.len();
    assert_eq!(
        (0..12).map(|k| at(&emu_int, w, i7_0, k)).collect::<Vec<_>>(),
        vec![
            0xFFFF_FFFF,
            0xFFFF_FFFF,
            0xFFFF_FFFF,
            0xFFFF_FFFF,
            u64::MAX,
            u64::MAX,
            u64::MAX,
            u64::MAX,
            0xFFFF,
            0xFFFF,
            0xFFFF,
            0xFFFF
        ]
    );
    let w = FLOAT_NAMES.len();
    let nan_case = fc.iter().position(|c| c.0 as u32 == 0x7FC0_0001 && c.1 as u32 == 0x3FC0_0000).unwrap();
    assert_eq!(at(&emu_float, w, nan_case, 0), 0x7FFF_FFFF, "NaN results are canonical");
    assert_eq!(at(&emu_float, w, nan_case, 3), 0x3FC0_0000, "min returns the non-NaN operand");

    let Some(gpu) = cuda() else { return };
    let gpu_int = run(&gpu, &INT, &ic, INT_NAMES.len());
    let gpu_float = run(&gpu, &FLOAT, &fc, FLOAT_NAMES.len());
    let gpu_nan = run(&gpu, &NAN, &nc, NAN_NAMES.len());
    let gpu_bits = run(&gpu, &BITS, &bc, BITS_NAMES.len());
    let gpu_cvt = run(&gpu, &CVT_NAN, &cc, CVT_NAN_NAMES.len());
    if std::env::var("EMU_PROBE_DUMP").is_ok() {
        for (i, (a, b)) in bc.iter().enumerate() {
            let per = BITS_NAMES.len();
            let g: Vec<String> = (0..per).map(|k| format!("{:x}", gpu_bits[i * per + k])).collect();
            println!("BITS {a:016x} {} {} {}", b & 0xFFFF_FFFF, b >> 32, g.join(" "));
        }
        for (i, (a, b)) in cc.iter().enumerate() {
            let per = CVT_NAN_NAMES.len();
            let g: Vec<String> = (0..per).map(|k| format!("{:x}", gpu_cvt[i * per + k])).collect();
            println!("CVT {a:016x} {b:016x} {}", g.join(" "));
        }
    }
    if std::env::var("EMU_PROBE_DUMP").is_ok() {
        // Every NaN-probe result, for working out the GPU's rules.
        for (i, (a, b)) in nc.iter().enumerate() {
            let per = NAN_NAMES.len();
            let g: Vec<String> = (0..per).map(|k| format!("{:x}", gpu_nan[i * per + k])).collect();
            println!("NAN {a:016x} {b:016x} {}", g.join(" "));
        }
    }
    let bad = compare("integer probes", &INT_NAMES, &ic, &gpu_int, &emu_int)
        + compare("float probes", &FLOAT_NAMES, &fc, &gpu_float, &emu_float)
        + compare("NaN probes", &NAN_NAMES, &nc, &gpu_nan, &emu_nan)
        + compare("bit-field probes", &BITS_NAMES, &bc, &gpu_bits, &emu_bits)
        + compare("NaN conversion probes", &CVT_NAN_NAMES, &cc, &gpu_cvt, &emu_cvt);
    assert_eq!(bad, 0, "the emulator disagrees with {gpu} (table above)");
}
