//! Whole kernels on the emulator, from PTX text, against CPU references on random data: memory, shared memory and
//! barriers, warp shuffles and votes, atomics across blocks, divergence, device functions, special registers.

mod emu_util;

use emu_util::*;
use ptx_kernel_runtime::emu::Emulator;

const VADD: &str = r#"
.visible .entry vadd(
	.param .u64 vadd_param_0,
	.param .u64 vadd_param_1,
	.param .u64 vadd_param_2,
	.param .u32 vadd_param_3
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<6>;
	.reg .b64 	%rd<11>;
	.reg .f32 	%f<4>;

	ld.param.u64 	%rd1, [vadd_param_0];
	ld.param.u64 	%rd2, [vadd_param_1];
	ld.param.u64 	%rd3, [vadd_param_2];
	ld.param.u32 	%r2, [vadd_param_3];
	mov.u32 	%r3, %ctaid.x;
	mov.u32 	%r4, %ntid.x;
	mov.u32 	%r5, %tid.x;
	mad.lo.s32 	%r1, %r3, %r4, %r5;
	setp.ge.u32 	%p1, %r1, %r2;
	@%p1 bra 	$L__BB0_2;
	cvta.to.global.u64 	%rd4, %rd1;
	mul.wide.u32 	%rd5, %r1, 4;
	add.s64 	%rd6, %rd4, %rd5;
	cvta.to.global.u64 	%rd7, %rd2;
	add.s64 	%rd8, %rd7, %rd5;
	ld.global.f32 	%f1, [%rd8];
	ld.global.f32 	%f2, [%rd6];
	add.rn.f32 	%f3, %f2, %f1;
	cvta.to.global.u64 	%rd9, %rd3;
	add.s64 	%rd10, %rd9, %rd5;
	st.global.f32 	[%rd10], %f3;
$L__BB0_2:
	ret;
}
"#;

#[test]
fn vector_add_matches_cpu() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(VADD));
    let mut rng = Rng::new(1);
    for n in [1usize, 31, 32, 1000, 65_537] {
        let a: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
        let b: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
        let (da, db, dc) = (upload(&emu, &a), upload(&emu, &b), zeros::<f32>(&emu, n));
        let blocks = (n as u32).div_ceil(256);
        launch(&emu, &m, "vadd", cfg1(blocks, 256), &[Arg::U64(da), Arg::U64(db), Arg::U64(dc), Arg::U32(n as u32)])
            .unwrap();
        let c: Vec<f32> = download(&emu, dc, n);
        for i in 0..n {
            assert_eq!(c[i].to_bits(), (a[i] + b[i]).to_bits(), "element {i} of {n}");
        }
    }
}

#[test]
fn work_counters_count_active_lanes() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(VADD));
    let n = 100usize;
    let (da, db, dc) = (zeros::<f32>(&emu, n), zeros::<f32>(&emu, n), zeros::<f32>(&emu, n));
    let args: Vec<Vec<u8>> =
        vec![da.to_le_bytes().into(), db.to_le_bytes().into(), dc.to_le_bytes().into(), 100u32.to_le_bytes().into()];
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    let s = emu.launch_with_stats(&m, "vadd", &cfg1(1, 128), &refs).unwrap();
    assert_eq!(s.blocks, 1);
    // 10 instructions before the branch for all 128 threads, 11 more for the 100 in range, `ret` for all.
    assert_eq!(s.thread_instructions, 128 * 10 + 100 * 11 + 128);
    // Warps 0..2 run 22 instructions; warp 3 (threads 96..127) diverges: its 4 lanes in range run the body, and
    // both paths run `ret` (the paths meet only at exit).
    assert_eq!(s.warp_instructions, 3 * 22 + 23);
}

const BLOCK_SUM: &str = r#"
.shared .align 4 .u32 sdata[256];

.visible .entry block_sum(
	.param .u64 p_in,
	.param .u64 p_out
)
{
	.reg .pred 	%p<4>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<12>;

	ld.param.u64 	%rd1, [p_in];
	ld.param.u64 	%rd2, [p_out];
	cvta.to.global.u64 	%rd1, %rd1;
	cvta.to.global.u64 	%rd2, %rd2;
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mad.lo.s32 	%r4, %r2, %r3, %r1;
	mul.wide.u32 	%rd3, %r4, 4;
	add.s64 	%rd4, %rd1, %rd3;
	ld.global.u32 	%r5, [%rd4];
	mov.u64 	%rd5, sdata;
	mul.wide.u32 	%rd6, %r1, 4;
	add.s64 	%rd7, %rd5, %rd6;
	st.shared.u32 	[%rd7], %r5;
	bar.sync 	0;
	shr.u32 	%r6, %r3, 1;
$LOOP:
	setp.eq.u32 	%p1, %r6, 0;
	@%p1 bra 	$DONE;
	setp.ge.u32 	%p2, %r1, %r6;
	@%p2 bra 	$SKIP;
	mul.wide.u32 	%rd8, %r6, 4;
	add.s64 	%rd9, %rd7, %rd8;
	ld.shared.u32 	%r7, [%rd9];
	ld.shared.u32 	%r8, [%rd7];
	add.s32 	%r8, %r8, %r7;
	st.shared.u32 	[%rd7], %r8;
$SKIP:
	bar.sync 	0;
	shr.u32 	%r6, %r6, 1;
	bra.uni 	$LOOP;
$DONE:
	setp.ne.u32 	%p3, %r1, 0;
	@%p3 bra 	$END;
	ld.shared.u32 	%r9, [sdata];
	mul.wide.u32 	%rd10, %r2, 4;
	add.s64 	%rd11, %rd2, %rd10;
	st.global.u32 	[%rd11], %r9;
$END:
	ret;
}
"#;

#[test]
fn block_reduction_with_shared_memory_and_barriers() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(BLOCK_SUM));
    assert_eq!(m.static_shared_bytes("block_sum"), Some(1024));
    let mut rng = Rng::new(2);
    for threads in [256u32, 64, 32] {
        let blocks = 37u32;
        let n = (blocks * threads) as usize;
        let data: Vec<u32> = (0..n).map(|_| rng.u32()).collect();
        let (din, dout) = (upload(&emu, &data), zeros::<u32>(&emu, blocks as usize));
        launch(&emu, &m, "block_sum", cfg1(blocks, threads), &[Arg::U64(din), Arg::U64(dout)]).unwrap();
        let got: Vec<u32> = download(&emu, dout, blocks as usize);
        for b in 0..blocks as usize {
            let want =
                data[b * threads as usize..(b + 1) * threads as usize].iter().fold(0u32, |s, &x| s.wrapping_add(x));
            assert_eq!(got[b], want, "block {b} of {threads}-thread blocks");
        }
    }
}

const WARP_SUM: &str = r#"
.visible .entry warp_sum(
	.param .u64 p_in,
	.param .u64 p_out
)
{
	.reg .pred 	%p<3>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<8>;

	ld.param.u64 	%rd1, [p_in];
	ld.param.u64 	%rd2, [p_out];
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mad.lo.s32 	%r4, %r2, %r3, %r1;
	mul.wide.u32 	%rd3, %r4, 4;
	add.s64 	%rd4, %rd1, %rd3;
	ld.global.u32 	%r5, [%rd4];
	mov.u32 	%r10, 16;
$L:
	shfl.sync.down.b32 	%r11, %r5, %r10, 0x1F, 0xFFFFFFFF;
	add.s32 	%r5, %r5, %r11;
	shr.u32 	%r10, %r10, 1;
	setp.ne.u32 	%p1, %r10, 0;
	@%p1 bra 	$L;
	mov.u32 	%r6, %laneid;
	setp.ne.u32 	%p2, %r6, 0;
	@%p2 bra 	$END;
	shr.u32 	%r7, %r4, 5;
	mul.wide.u32 	%rd5, %r7, 4;
	add.s64 	%rd6, %rd2, %rd5;
	st.global.u32 	[%rd6], %r5;
$END:
	ret;
}
"#;

#[test]
fn warp_shuffle_reduction() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(WARP_SUM));
    let mut rng = Rng::new(3);
    let n = 128 * 32;
    let data: Vec<u32> = (0..n).map(|_| rng.u32()).collect();
    let (din, dout) = (upload(&emu, &data), zeros::<u32>(&emu, n / 32));
    launch(&emu, &m, "warp_sum", cfg1(16, 256), &[Arg::U64(din), Arg::U64(dout)]).unwrap();
    let got: Vec<u32> = download(&emu, dout, n / 32);
    for (w, chunk) in data.chunks(32).enumerate() {
        assert_eq!(got[w], chunk.iter().fold(0u32, |s, &x| s.wrapping_add(x)), "warp {w}");
    }
}

/// Every shuffle mode with CUDA's width encodings, and the predicate output; per thread: 4 values + 4 predicates.
const SHFL_MODES: &str = r#"
.visible .entry shfl_modes(
	.param .u64 p_in,
	.param .u64 p_src,
	.param .u64 p_out
)
{
	.reg .pred 	%p<5>;
	.reg .b32 	%r<20>;
	.reg .b64 	%rd<10>;

	ld.param.u64 	%rd1, [p_in];
	ld.param.u64 	%rd2, [p_src];
	ld.param.u64 	%rd3, [p_out];
	mov.u32 	%r1, %tid.x;
	mul.wide.u32 	%rd4, %r1, 4;
	add.s64 	%rd5, %rd1, %rd4;
	ld.global.u32 	%r2, [%rd5];
	add.s64 	%rd6, %rd2, %rd4;
	ld.global.u32 	%r3, [%rd6];
	shfl.sync.up.b32 	%r4|%p1, %r2, 3, 0, 0xFFFFFFFF;
	shfl.sync.down.b32 	%r5|%p2, %r2, 5, 0x101F, 0xFFFFFFFF;
	shfl.sync.bfly.b32 	%r6|%p3, %r2, 6, 0x181F, 0xFFFFFFFF;
	shfl.sync.idx.b32 	%r7|%p4, %r2, %r3, 0x1F, 0xFFFFFFFF;
	mul.wide.u32 	%rd7, %r1, 32;
	add.s64 	%rd8, %rd3, %rd7;
	st.global.v4.u32 	[%rd8], {%r4, %r5, %r6, %r7};
	selp.u32 	%r8, 1, 0, %p1;
	selp.u32 	%r9, 1, 0, %p2;
	selp.u32 	%r10, 1, 0, %p3;
	selp.u32 	%r11, 1, 0, %p4;
	st.global.v4.u32 	[%rd8+16], {%r8, %r9, %r10, %r11};
	ret;
}
"#;

#[test]
fn shuffle_modes_follow_cuda_semantics() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(SHFL_MODES));
    let mut rng = Rng::new(4);
    let vals: Vec<u32> = (0..32).map(|_| rng.u32()).collect();
    let srcs: Vec<u32> = (0..32).map(|_| rng.below(64)).collect();
    let (dv, ds, dout) = (upload(&emu, &vals), upload(&emu, &srcs), zeros::<u32>(&emu, 32 * 8));
    launch(&emu, &m, "shfl_modes", cfg1(1, 32), &[Arg::U64(dv), Arg::U64(ds), Arg::U64(dout)]).unwrap();
    let out: Vec<u32> = download(&emu, dout, 32 * 8);
    for lane in 0..32usize {
        // CUDA: __shfl_up_sync(.., 3, 32), __shfl_down_sync(.., 5, 16), __shfl_xor_sync(.., 6, 8),
        // __shfl_sync(.., src, 32).
        let up = if lane >= 3 { (vals[lane - 3], 1) } else { (vals[lane], 0) };
        let down = if lane % 16 + 5 < 16 { (vals[lane + 5], 1) } else { (vals[lane], 0) };
        let x = lane ^ 6;
        let seg_end = (lane / 8) * 8 + 7;
        let bfly = if x <= seg_end { (vals[x], 1) } else { (vals[lane], 0) };
        let idx = (vals[srcs[lane] as usize % 32], 1);
        let got = &out[lane * 8..lane * 8 + 8];
        assert_eq!([got[0], got[4]], [up.0, up.1], "up, lane {lane}");
        assert_eq!([got[1], got[5]], [down.0, down.1], "down, lane {lane}");
        assert_eq!([got[2], got[6]], [bfly.0, bfly.1], "bfly, lane {lane}");
        assert_eq!([got[3], got[7]], [idx.0, idx.1], "idx, lane {lane}");
    }
}

const VOTE: &str = r#"
.visible .entry vote(
	.param .u64 p_in,
	.param .u64 p_out
)
{
	.reg .pred 	%p<6>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<8>;

	ld.param.u64 	%rd1, [p_in];
	ld.param.u64 	%rd2, [p_out];
	mov.u32 	%r1, %tid.x;
	mul.wide.u32 	%rd3, %r1, 4;
	add.s64 	%rd4, %rd1, %rd3;
	ld.global.u32 	%r2, [%rd4];
	and.b32 	%r3, %r2, 1;
	setp.ne.u32 	%p1, %r3, 0;
	activemask.b32 	%r9;
	vote.sync.ballot.b32 	%r4, %p1, %r9;
	vote.sync.all.pred 	%p2, %p1, %r9;
	vote.sync.any.pred 	%p3, !%p1, %r9;
	vote.sync.uni.pred 	%p4, %p1, %r9;
	selp.u32 	%r5, 1, 0, %p2;
	selp.u32 	%r6, 1, 0, %p3;
	selp.u32 	%r7, 1, 0, %p4;
	mul.wide.u32 	%rd5, %r1, 16;
	add.s64 	%rd6, %rd2, %rd5;
	st.global.v4.u32 	[%rd6], {%r4, %r5, %r6, %r7};
	ret;
}
"#;

#[test]
fn ballot_and_votes_including_a_partial_warp() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(VOTE));
    let mut rng = Rng::new(5);
    for (threads, pattern) in [(64u32, 0u32), (48, 0), (64, 1), (64, 2)] {
        let vals: Vec<u32> = (0..threads)
            .map(|i| match pattern {
                0 => rng.u32(),
                1 => 1,
                _ => {
                    if i < 32 {
                        0
                    } else {
                        rng.u32()
                    }
                }
            })
            .collect();
        let (dv, dout) = (upload(&emu, &vals), zeros::<u32>(&emu, threads as usize * 4));
        launch(&emu, &m, "vote", cfg1(1, threads), &[Arg::U64(dv), Arg::U64(dout)]).unwrap();
        let out: Vec<u32> = download(&emu, dout, threads as usize * 4);
        for t in 0..threads as usize {
            let w = t / 32;
            let lanes = (threads as usize - w * 32).min(32);
            let members = if lanes == 32 { u32::MAX } else { (1u32 << lanes) - 1 };
            let ballot = (0..lanes).filter(|&l| vals[w * 32 + l] & 1 == 1).fold(0u32, |b, l| b | 1 << l);
            let want = [
                ballot,
                (ballot == members) as u32,
                (ballot != members) as u32,
                (ballot == 0 || ballot == members) as u32,
            ];
            assert_eq!(&out[t * 4..t * 4 + 4], &want, "thread {t} of {threads}, pattern {pattern}");
        }
    }
}

/// A 256-bin histogram: a grid-stride loop over bytes, per-block bins in shared memory (shared atomics), merged
/// with `red.global.add`, plus a global count of odd bytes with `atom.global.add` whose old values are returned.
const HISTOGRAM: &str = r#"
.shared .align 4 .u32 bins[256];

.visible .entry histogram(
	.param .u64 p_data,
	.param .u32 p_n,
	.param .u64 p_bins,
	.param .u64 p_odd
)
{
	.reg .pred 	%p<4>;
	.reg .b32 	%r<20>;
	.reg .b64 	%rd<12>;

	ld.param.u64 	%rd1, [p_data];
	ld.param.u32 	%r1, [p_n];
	ld.param.u64 	%rd2, [p_bins];
	ld.param.u64 	%rd3, [p_odd];
	mov.u32 	%r2, %tid.x;
	mov.u64 	%rd4, bins;
	mul.wide.u32 	%rd5, %r2, 4;
	add.s64 	%rd6, %rd4, %rd5;
	st.shared.u32 	[%rd6], 0;
	bar.sync 	0;
	mov.u32 	%r3, %ctaid.x;
	mov.u32 	%r4, %ntid.x;
	mad.lo.s32 	%r5, %r3, %r4, %r2;
	mov.u32 	%r6, %nctaid.x;
	mul.lo.s32 	%r7, %r6, %r4;
$LOOP:
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	$MERGE;
	cvt.u64.u32 	%rd7, %r5;
	add.s64 	%rd8, %rd1, %rd7;
	ld.global.u8 	%r8, [%rd8];
	mul.wide.u32 	%rd9, %r8, 4;
	add.s64 	%rd10, %rd4, %rd9;
	atom.shared.add.u32 	%r9, [%rd10], 1;
	and.b32 	%r10, %r8, 1;
	setp.eq.u32 	%p2, %r10, 0;
	@%p2 bra 	$NEXT;
	atom.global.add.u32 	%r11, [%rd3], 1;
$NEXT:
	add.s32 	%r5, %r5, %r7;
	bra.uni 	$LOOP;
$MERGE:
	bar.sync 	0;
	ld.shared.u32 	%r12, [%rd6];
	add.s64 	%rd11, %rd2, %rd5;
	red.global.add.u32 	[%rd11], %r12;
	ret;
}
"#;

#[test]
fn histogram_with_shared_and_global_atomics_across_blocks() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(HISTOGRAM));
    let mut rng = Rng::new(6);
    let n = 300_001usize;
    let data: Vec<u8> = (0..n).map(|_| (rng.u32() % 251) as u8).collect();
    let (dd, dbins, dodd) = (upload(&emu, &data), zeros::<u32>(&emu, 256), zeros::<u32>(&emu, 1));
    launch(&emu, &m, "histogram", cfg1(61, 256), &[Arg::U64(dd), Arg::U32(n as u32), Arg::U64(dbins), Arg::U64(dodd)])
        .unwrap();
    let mut want = vec![0u32; 256];
    for &b in &data {
        want[b as usize] += 1;
    }
    assert_eq!(download::<u32>(&emu, dbins, 256), want);
    assert_eq!(download::<u32>(&emu, dodd, 1)[0], data.iter().filter(|&&b| b & 1 == 1).count() as u32);
}

/// Per-thread data-dependent loops (Collatz steps) under nested divergence, and a device function.
const COLLATZ: &str = r#"
.func (.reg .b32 %ret0) step(.reg .b32 %arg0)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<4>;

	and.b32 	%r1, %arg0, 1;
	setp.eq.u32 	%p1, %r1, 0;
	@%p1 bra 	$EVEN;
	mad.lo.s32 	%ret0, %arg0, 3, 1;
	ret;
$EVEN:
	shr.u32 	%ret0, %arg0, 1;
	ret;
}

.visible .entry collatz(
	.param .u64 p_in,
	.param .u64 p_out
)
{
	.reg .pred 	%p<3>;
	.reg .b32 	%r<10>;
	.reg .b64 	%rd<6>;

	ld.param.u64 	%rd1, [p_in];
	ld.param.u64 	%rd2, [p_out];
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mad.lo.s32 	%r4, %r2, %r3, %r1;
	mul.wide.u32 	%rd3, %r4, 4;
	add.s64 	%rd4, %rd1, %rd3;
	ld.global.u32 	%r5, [%rd4];
	mov.u32 	%r6, 0;
$LOOP:
	setp.le.u32 	%p1, %r5, 1;
	@%p1 bra 	$DONE;
	call.uni (%r5), step, (%r5);
	add.s32 	%r6, %r6, 1;
	bra.uni 	$LOOP;
$DONE:
	add.s64 	%rd5, %rd2, %rd3;
	st.global.u32 	[%rd5], %r6;
	ret;
}
"#;

#[test]
fn divergent_loops_and_device_calls() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(COLLATZ));
    let mut rng = Rng::new(7);
    let n = 4096;
    let data: Vec<u32> = (0..n).map(|_| 1 + rng.below(100_000)).collect();
    let (din, dout) = (upload(&emu, &data), zeros::<u32>(&emu, n));
    launch(&emu, &m, "collatz", cfg1(16, 256), &[Arg::U64(din), Arg::U64(dout)]).unwrap();
    let got: Vec<u32> = download(&emu, dout, n);
    for (i, &x) in data.iter().enumerate() {
        let (mut v, mut steps) = (x as u64, 0u32);
        while v > 1 {
            v = if v % 2 == 0 { v / 2 } else { 3 * v + 1 };
            steps += 1;
        }
        assert_eq!(got[i], steps, "collatz({x})");
    }
}

const SPECIALS: &str = r#"
.visible .entry specials(
	.param .u64 p_out
)
{
	.reg .b32 	%r<20>;
	.reg .b64 	%rd<8>;

	ld.param.u64 	%rd1, [p_out];
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %tid.y;
	mov.u32 	%r3, %tid.z;
	mov.u32 	%r4, %ntid.x;
	mov.u32 	%r5, %ntid.y;
	mov.u32 	%r6, %ctaid.x;
	mov.u32 	%r7, %ctaid.y;
	mov.u32 	%r8, %ctaid.z;
	mov.u32 	%r9, %nctaid.x;
	mov.u32 	%r10, %nctaid.y;
	mov.u32 	%r11, %laneid;
	mov.u32 	%r12, %warpid;
	mov.u32 	%r13, %lanemask_lt;
	mov.u32 	%r14, %ntid.z;
	// linear thread = x + ntid.x*(y + ntid.y*z); linear block likewise; slot = block*threads + thread
	mad.lo.s32 	%r15, %r3, %r5, %r2;
	mad.lo.s32 	%r15, %r15, %r4, %r1;
	mad.lo.s32 	%r16, %r8, %r10, %r7;
	mad.lo.s32 	%r16, %r16, %r9, %r6;
	mul.lo.s32 	%r17, %r4, %r5;
	mul.lo.s32 	%r17, %r17, %r14;
	mad.lo.s32 	%r18, %r16, %r17, %r15;
	mul.wide.u32 	%rd2, %r18, 32;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.v4.u32 	[%rd3], {%r1, %r2, %r3, %r11};
	st.global.v4.u32 	[%rd3+16], {%r12, %r13, %r6, %r8};
	ret;
}
"#;

#[test]
fn special_registers_in_3d() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(SPECIALS));
    let (block, grid) = ((5u32, 3u32, 4u32), (3u32, 2u32, 2u32));
    let threads = (block.0 * block.1 * block.2) as usize;
    let total = threads * (grid.0 * grid.1 * grid.2) as usize;
    let dout = zeros::<u32>(&emu, total * 8);
    launch(&emu, &m, "specials", cfg(grid, block), &[Arg::U64(dout)]).unwrap();
    let out: Vec<u32> = download(&emu, dout, total * 8);
    for bz in 0..grid.2 {
        for by in 0..grid.1 {
            for bx in 0..grid.0 {
                let blin = (bx + grid.0 * (by + grid.1 * bz)) as usize;
                for t in 0..threads {
                    let (x, y, z) =
                        (t as u32 % block.0, (t as u32 / block.0) % block.1, t as u32 / (block.0 * block.1));
                    let lane = t as u32 % 32;
                    let want = [x, y, z, lane, t as u32 / 32, (1u32 << lane) - 1, bx, bz];
                    let at = (blin * threads + t) * 8;
                    assert_eq!(&out[at..at + 8], &want, "block ({bx},{by},{bz}) thread {t}");
                }
            }
        }
    }
}

/// Dynamic shared memory (an `extern` array after a static one): reverse each block's slice.
const DYN_SMEM: &str = r#"
.shared .align 8 .u64 pad;
.extern .shared .align 16 .b8 dyn[];

.visible .entry reverse(
	.param .u64 p_data
)
{
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<12>;

	ld.param.u64 	%rd1, [p_data];
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %ntid.x;
	mov.u32 	%r3, %ctaid.x;
	mad.lo.s32 	%r4, %r3, %r2, %r1;
	mul.wide.u32 	%rd2, %r4, 4;
	add.s64 	%rd3, %rd1, %rd2;
	ld.global.u32 	%r5, [%rd3];
	mov.u64 	%rd4, dyn;
	cvta.shared.u64 	%rd5, %rd4;
	mul.wide.u32 	%rd6, %r1, 4;
	add.s64 	%rd7, %rd5, %rd6;
	st.u32 	[%rd7], %r5;
	st.shared.u64 	[pad], %rd4;
	bar.sync 	0;
	sub.s32 	%r6, %r2, %r1;
	sub.s32 	%r6, %r6, 1;
	mul.wide.u32 	%rd8, %r6, 4;
	add.s64 	%rd9, %rd4, %rd8;
	ld.shared.u32 	%r7, [%rd9];
	mov.u32 	%r8, %dynamic_smem_size;
	add.s32 	%r7, %r7, %r8;
	st.global.u32 	[%rd3], %r7;
	ret;
}
"#;

#[test]
fn dynamic_shared_memory_and_generic_addresses() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(DYN_SMEM));
    let mut rng = Rng::new(8);
    let (threads, blocks) = (128u32, 9u32);
    let data: Vec<u32> = (0..threads * blocks).map(|_| rng.u32()).collect();
    let dd = upload(&emu, &data);
    let c = cfg1(blocks, threads).with_shared_mem(threads * 4);
    launch(&emu, &m, "reverse", c, &[Arg::U64(dd)]).unwrap();
    let got: Vec<u32> = download(&emu, dd, data.len());
    for b in 0..blocks as usize {
        for t in 0..threads as usize {
            let src = data[b * threads as usize + (threads as usize - 1 - t)];
            assert_eq!(got[b * threads as usize + t], src.wrapping_add(threads * 4), "block {b} thread {t}");
        }
    }
    // Too little dynamic shared memory: the generic store past its end is reported in shared space.
    let e = launch(&emu, &m, "reverse", cfg1(1, threads).with_shared_mem(64), &[Arg::U64(dd)]).unwrap_err();
    assert!(e.to_string().contains("shared memory"), "{e}");
}

/// `.global` and `.const` variables with initialisers: a counter bumped by every thread, a lookup table.
const MODULE_VARS: &str = r#"
.global .align 4 .u32 counter = 1000;
.const .align 4 .u32 table[4] = {10, 20, 30, 40};

.visible .entry vars(
	.param .u64 p_out
)
{
	.reg .b32 	%r<10>;
	.reg .b64 	%rd<8>;

	ld.param.u64 	%rd1, [p_out];
	mov.u32 	%r1, %tid.x;
	and.b32 	%r2, %r1, 3;
	mul.wide.u32 	%rd2, %r2, 4;
	mov.u64 	%rd3, table;
	add.s64 	%rd4, %rd3, %rd2;
	ld.const.u32 	%r3, [%rd4];
	atom.global.add.u32 	%r4, [counter], %r3;
	mul.wide.u32 	%rd5, %r1, 4;
	add.s64 	%rd6, %rd1, %rd5;
	st.global.u32 	[%rd6], %r3;
	ret;
}

.visible .entry read_counter(
	.param .u64 p_out
)
{
	.reg .b32 	%r<2>;
	.reg .b64 	%rd<2>;

	ld.param.u64 	%rd1, [p_out];
	ld.global.u32 	%r1, [counter];
	st.global.u32 	[%rd1], %r1;
	ret;
}
"#;

#[test]
fn module_global_and_const_variables() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(MODULE_VARS));
    let dout = zeros::<u32>(&emu, 64);
    for round in 1..=2u32 {
        launch(&emu, &m, "vars", cfg1(1, 64), &[Arg::U64(dout)]).unwrap();
        let got: Vec<u32> = download(&emu, dout, 64);
        assert!(got.iter().enumerate().all(|(i, &v)| v == 10 * (1 + i as u32 % 4)));
        let dc = zeros::<u32>(&emu, 1);
        launch(&emu, &m, "read_counter", cfg1(1, 1), &[Arg::U64(dc)]).unwrap();
        assert_eq!(download::<u32>(&emu, dc, 1)[0], 1000 + round * 16 * 100);
    }
    // Another emulator gets its own copy of the variables.
    let other = Emulator::new();
    let dc = zeros::<u32>(&other, 1);
    launch(&other, &m, "read_counter", cfg1(1, 1), &[Arg::U64(dc)]).unwrap();
    assert_eq!(download::<u32>(&other, dc, 1)[0], 1000);
}

/// Warp 0 spins on a shared flag that warp 1 sets: the emulator must switch warps during the spin.
const SPIN: &str = r#"
.shared .align 4 .u32 flag;

.visible .entry spin(
	.param .u64 p_out
)
{
	.reg .pred 	%p<3>;
	.reg .b32 	%r<6>;
	.reg .b64 	%rd<3>;

	ld.param.u64 	%rd1, [p_out];
	mov.u32 	%r1, %tid.x;
	setp.lt.u32 	%p1, %r1, 32;
	@%p1 bra 	$WAIT;
	st.volatile.shared.u32 	[flag], 7;
	ret;
$WAIT:
	ld.volatile.shared.u32 	%r2, [flag];
	setp.eq.u32 	%p2, %r2, 0;
	@%p2 bra 	$WAIT;
	mul.wide.u32 	%rd2, %r1, 4;
	add.s64 	%rd2, %rd1, %rd2;
	st.global.u32 	[%rd2], %r2;
	ret;
}
"#;

#[test]
fn spin_waits_between_warps_progress() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(SPIN));
    let dout = zeros::<u32>(&emu, 32);
    launch(&emu, &m, "spin", cfg1(3, 64), &[Arg::U64(dout)]).unwrap();
    assert_eq!(download::<u32>(&emu, dout, 32), vec![7; 32]);
}

/// Lanes on the two sides of a divergent branch meet at full-mask shuffles in different places (independent
/// thread scheduling): each half reads the other half's value.
const DIVERGENT_SHFL: &str = r#"
.visible .entry halves(
	.param .u64 p_out
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<8>;
	.reg .b64 	%rd<4>;

	ld.param.u64 	%rd1, [p_out];
	mov.u32 	%r1, %laneid;
	mul.lo.s32 	%r2, %r1, 1000;
	setp.lt.u32 	%p1, %r1, 16;
	@%p1 bra 	$LOW;
	add.s32 	%r3, %r2, 7;
	shfl.sync.bfly.b32 	%r4, %r3, 16, 0x1F, 0xFFFFFFFF;
	bra.uni 	$END;
$LOW:
	add.s32 	%r3, %r2, 1;
	shfl.sync.bfly.b32 	%r4, %r3, 16, 0x1F, 0xFFFFFFFF;
$END:
	mul.wide.u32 	%rd2, %r1, 4;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u32 	[%rd3], %r4;
	ret;
}
"#;

#[test]
fn divergent_paths_meet_at_collectives() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(DIVERGENT_SHFL));
    let dout = zeros::<u32>(&emu, 32);
    launch(&emu, &m, "halves", cfg1(1, 32), &[Arg::U64(dout)]).unwrap();
    let got: Vec<u32> = download(&emu, dout, 32);
    for l in 0..32u32 {
        let src = l ^ 16;
        assert_eq!(got[l as usize], src * 1000 + if src < 16 { 1 } else { 7 }, "lane {l}");
    }
}

#[test]
fn launches_from_many_host_threads_share_memory_safely() {
    let emu = std::sync::Arc::new(Emulator::new());
    let m = std::sync::Arc::new(load(&emu, &ptx(VADD)));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (emu, m) = (emu.clone(), m.clone());
            std::thread::spawn(move || {
                let mut rng = Rng::new(100 + t);
                let n = 5000;
                let a: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
                let (da, dc) = (upload(&emu, &a), zeros::<f32>(&emu, n));
                for _ in 0..5 {
                    let args = [Arg::U64(da), Arg::U64(da), Arg::U64(dc), Arg::U32(n as u32)];
                    launch(&emu, &m, "vadd", cfg1(20, 256), &args).unwrap();
                }
                let c: Vec<f32> = download(&emu, dc, n);
                assert!(c.iter().zip(&a).all(|(c, a)| *c == a + a));
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

/// A register written only in block 0 and read in every block: blocks reuse register files, but registers that may
/// be read before written start at zero in every block.
const UNINIT: &str = r#"
.visible .entry uninit(
	.param .u64 p_out
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<4>;
	.reg .b64 	%rd<4>;

	ld.param.u64 	%rd1, [p_out];
	mov.u32 	%r1, %ctaid.x;
	setp.ne.u32 	%p1, %r1, 0;
	@%p1 bra 	$READ;
	mov.u32 	%r2, 5;
$READ:
	mov.u32 	%r3, %tid.x;
	mad.lo.s32 	%r3, %r1, 64, %r3;
	mul.wide.u32 	%rd2, %r3, 4;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u32 	[%rd3], %r2;
	ret;
}
"#;

#[test]
fn registers_read_before_written_start_at_zero_in_every_block() {
    let emu = Emulator::new().with_workers(1);
    let m = load(&emu, &ptx(UNINIT));
    let blocks = 8;
    let dout = zeros::<u32>(&emu, 64 * blocks);
    launch(&emu, &m, "uninit", cfg1(blocks as u32, 64), &[Arg::U64(dout)]).unwrap();
    let got: Vec<u32> = download(&emu, dout, 64 * blocks);
    assert!(got[..64].iter().all(|&v| v == 5));
    assert!(got[64..].iter().all(|&v| v == 0), "a later block saw block 0's register");
}

/// A spin lock taken by every thread (lanes of one warp contend for it): the lane holding it must progress while
/// its warp-mates spin, as independent thread scheduling guarantees.
const SPIN_LOCK: &str = r#"
.visible .entry locked_count(
	.param .u64 p_lock,
	.param .u64 p_count
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<6>;
	.reg .b64 	%rd<3>;

	ld.param.u64 	%rd1, [p_lock];
	ld.param.u64 	%rd2, [p_count];
$SPIN:
	atom.global.cas.b32 	%r1, [%rd1], 0, 1;
	setp.ne.u32 	%p1, %r1, 0;
	@%p1 bra 	$SPIN;
	membar.gl;
	ld.volatile.global.u32 	%r2, [%rd2];
	add.s32 	%r2, %r2, 1;
	st.volatile.global.u32 	[%rd2], %r2;
	membar.gl;
	atom.global.exch.b32 	%r3, [%rd1], 0;
	ret;
}
"#;

#[test]
fn spin_lock_within_a_warp_makes_progress() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(SPIN_LOCK));
    let (lock, count) = (zeros::<u32>(&emu, 1), zeros::<u32>(&emu, 1));
    launch(&emu, &m, "locked_count", cfg1(2, 64), &[Arg::U64(lock), Arg::U64(count)]).unwrap();
    assert_eq!(download::<u32>(&emu, count, 1)[0], 128);
    assert_eq!(download::<u32>(&emu, lock, 1)[0], 0);
}
