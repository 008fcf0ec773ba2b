//! Emulator throughput: thread-instructions per second on arithmetic-heavy, memory-bound, barrier-heavy and
//! divergent kernels, and the time of a 2^20-element vector add. Prints a table; run in release mode:
//!
//! ```text
//! cargo run --release -p ptx-kernel-runtime --example emu_bench
//! ```

use std::time::{Duration, Instant};

use ptx_kernel_runtime::emu::{EmuModule, Emulator, LaunchStats};
use ptx_kernel_runtime::LaunchConfig;

const HEADER: &str = ".version 7.8\n.target sm_80\n.address_size 64\n";

/// 16 dependent-chain arithmetic instructions per iteration (f32 fma/mul/add, u32 mad/xor/shift), `iters` times.
const ARITH: &str = r#"
.visible .entry arith(
	.param .u64 p_out,
	.param .u32 p_iters
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<16>;
	.reg .b64 	%rd<4>;
	.reg .f32 	%f<8>;

	ld.param.u64 	%rd1, [p_out];
	ld.param.u32 	%r1, [p_iters];
	mov.u32 	%r2, %tid.x;
	mov.u32 	%r3, %ctaid.x;
	mov.u32 	%r4, %ntid.x;
	mad.lo.s32 	%r5, %r3, %r4, %r2;
	cvt.rn.f32.u32 	%f1, %r5;
	mov.f32 	%f2, 0f3F800000;
	mov.u32 	%r6, %r5;
	mov.u32 	%r7, 0;
$LOOP:
	fma.rn.f32 	%f2, %f2, 0f3F7FFFF0, %f1;
	mul.rn.f32 	%f3, %f2, 0f3F000000;
	add.rn.f32 	%f1, %f3, 0f3F800000;
	fma.rn.f32 	%f4, %f1, %f3, %f2;
	mad.lo.s32 	%r6, %r6, 1664525, 1013904223;
	xor.b32 	%r8, %r6, %r5;
	shr.u32 	%r9, %r8, 7;
	add.s32 	%r6, %r6, %r9;
	mul.rn.f32 	%f2, %f4, 0f3F000000;
	shl.b32 	%r10, %r6, 3;
	and.b32 	%r11, %r10, 255;
	add.s32 	%r5, %r5, %r11;
	add.s32 	%r7, %r7, 1;
	setp.lt.u32 	%p1, %r7, %r1;
	@%p1 bra 	$LOOP;
	mov.b32 	%r12, %f2;
	add.s32 	%r12, %r12, %r6;
	add.s32 	%r12, %r12, %r5;
	mad.lo.s32 	%r13, %r3, %r4, %r2;
	mul.wide.u32 	%rd2, %r13, 4;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u32 	[%rd3], %r12;
	ret;
}
"#;

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

/// Shared-memory tree reduction: a barrier per level.
const REDUCE: &str = r#"
.shared .align 4 .f32 sdata[256];

.visible .entry reduce(
	.param .u64 p_in,
	.param .u64 p_out
)
{
	.reg .pred 	%p<4>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<12>;
	.reg .f32 	%f<4>;

	ld.param.u64 	%rd1, [p_in];
	ld.param.u64 	%rd2, [p_out];
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mad.lo.s32 	%r4, %r2, %r3, %r1;
	mul.wide.u32 	%rd3, %r4, 4;
	add.s64 	%rd4, %rd1, %rd3;
	ld.global.f32 	%f1, [%rd4];
	mov.u64 	%rd5, sdata;
	mul.wide.u32 	%rd6, %r1, 4;
	add.s64 	%rd7, %rd5, %rd6;
	st.shared.f32 	[%rd7], %f1;
	bar.sync 	0;
	shr.u32 	%r6, %r3, 1;
$LOOP:
	setp.eq.u32 	%p1, %r6, 0;
	@%p1 bra 	$DONE;
	setp.ge.u32 	%p2, %r1, %r6;
	@%p2 bra 	$SKIP;
	mul.wide.u32 	%rd8, %r6, 4;
	add.s64 	%rd9, %rd7, %rd8;
	ld.shared.f32 	%f2, [%rd9];
	ld.shared.f32 	%f3, [%rd7];
	add.rn.f32 	%f3, %f3, %f2;
	st.shared.f32 	[%rd7], %f3;
$SKIP:
	bar.sync 	0;
	shr.u32 	%r6, %r6, 1;
	bra.uni 	$LOOP;
$DONE:
	setp.ne.u32 	%p3, %r1, 0;
	@%p3 bra 	$END;
	ld.shared.f32 	%f1, [sdata];
	mul.wide.u32 	%rd10, %r2, 4;
	add.s64 	%rd11, %rd2, %rd10;
	st.global.f32 	[%rd11], %f1;
$END:
	ret;
}
"#;

/// Every lane loops a different number of times (tid % 32 + 1 iterations of 4 instructions).
const DIVERGENT: &str = r#"
.visible .entry divergent(
	.param .u64 p_out
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<10>;
	.reg .b64 	%rd<4>;

	ld.param.u64 	%rd1, [p_out];
	mov.u32 	%r1, %tid.x;
	and.b32 	%r2, %r1, 31;
	add.s32 	%r2, %r2, 1;
	mov.u32 	%r3, 0;
	mov.u32 	%r4, 0;
$LOOP:
	mad.lo.s32 	%r4, %r4, 31, %r3;
	add.s32 	%r3, %r3, 1;
	setp.lt.u32 	%p1, %r3, %r2;
	@%p1 bra 	$LOOP;
	mov.u32 	%r5, %ctaid.x;
	mov.u32 	%r6, %ntid.x;
	mad.lo.s32 	%r7, %r5, %r6, %r1;
	mul.wide.u32 	%rd2, %r7, 4;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u32 	[%rd3], %r4;
	ret;
}
"#;

fn load(emu: &Emulator, body: &str) -> EmuModule {
    emu.load_module(&format!("{HEADER}{body}")).unwrap_or_else(|e| panic!("{e}"))
}

/// CPU seconds this process has used (user + system), from `/proc/self/stat` on Linux (clock ticks of 10 ms);
/// `None` elsewhere. On a shared machine wall time measures the neighbours too; CPU time does not.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Timings of `reps` launches (after one warm-up): the best wall time (the least disturbed by other load), the
/// mean CPU time, and one launch's stats.
fn time(reps: usize, mut f: impl FnMut() -> LaunchStats) -> (Duration, Option<f64>, LaunchStats) {
    let stats = f();
    let cpu0 = cpu_seconds();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    let cpu = cpu0.zip(cpu_seconds()).map(|(a, b)| (b - a) / reps as f64);
    times.sort();
    (times[0], cpu, stats)
}

fn row(name: &str, cfg: &LaunchConfig, t: Duration, cpu: Option<f64>, s: &LaunchStats) {
    let secs = t.as_secs_f64();
    let per_cpu =
        cpu.filter(|&c| c > 0.0).map_or("n/a".to_owned(), |c| format!("{:.1}", s.thread_instructions as f64 / c / 1e6));
    println!(
        "| {name:<32} | {:>5} x {:<4} | {:>11} | {:>9.2} | {:>12.1} | {:>12} | {:>12.1} |",
        cfg.grid_dim.0,
        cfg.block_dim.0,
        s.thread_instructions,
        secs * 1e3,
        s.thread_instructions as f64 / secs / 1e6,
        per_cpu,
        s.warp_instructions as f64 / secs / 1e6,
    );
}

fn bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn main() {
    // EMU_WORKERS=1 measures one core.
    let workers = std::env::var("EMU_WORKERS").ok().and_then(|v| v.parse().ok());
    let emu = match workers {
        Some(n) => Emulator::new().with_workers(n),
        None => Emulator::new(),
    };
    println!(
        "emulator benchmark: {} host threads (wall-clock columns include other load on the machine)\n",
        emu.sm_count()
    );
    println!(
        "| kernel                           | grid x block | thread insts |  wall ms  | M thr-inst/s | per CPU-sec  | M warp-inst/s |"
    );
    println!(
        "|----------------------------------|--------------|-------------|-----------|--------------|--------------|--------------|"
    );

    // EMU_ONLY=name runs one kernel (arith, vadd, reduce, divergent), for profiling.
    let only = std::env::var("EMU_ONLY").ok();
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);

    // Arithmetic-heavy.
    if run("arith") {
        let m = load(&emu, ARITH);
        let cfg = LaunchConfig::for_num_elems(1 << 16);
        let out = emu.alloc(4 << 16);
        let iters = 200u32;
        let (out_b, it_b) = (out.to_le_bytes(), iters.to_le_bytes());
        let (t, cpu, s) = time(5, || emu.launch_with_stats(&m, "arith", &cfg, &[&out_b, &it_b]).unwrap());
        row("arithmetic (16 ops x 200)", &cfg, t, cpu, &s);
    }

    // Vector add, 2^20 elements.
    let n = 1usize << 20;
    let mut vadd_ms = f64::NAN;
    if run("vadd") {
        let m = load(&emu, VADD);
        let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..n).map(|i| 3.0 - i as f32).collect();
        let (da, db, dc) = (emu.alloc(4 * n), emu.alloc(4 * n), emu.alloc(4 * n));
        emu.write(da, &bytes(&a)).unwrap();
        emu.write(db, &bytes(&b)).unwrap();
        let cfg = LaunchConfig::for_num_elems(n as u32);
        let args = [da.to_le_bytes(), db.to_le_bytes(), dc.to_le_bytes()];
        let nb = (n as u32).to_le_bytes();
        let (t, cpu, s) =
            time(9, || emu.launch_with_stats(&m, "vadd", &cfg, &[&args[0], &args[1], &args[2], &nb]).unwrap());
        row("vector add 2^20", &cfg, t, cpu, &s);
        let mut check = vec![0u8; 4 * n];
        emu.read(dc, &mut check).unwrap();
        let ok =
            check.chunks_exact(4).enumerate().all(|(i, c)| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) == a[i] + b[i]);
        assert!(ok, "vector add result mismatch");
        vadd_ms = t.as_secs_f64() * 1e3;
    }

    // Shared-memory reduction.
    if run("reduce") {
        let m = load(&emu, REDUCE);
        let da = emu.alloc(4 * n);
        let cfg = LaunchConfig::for_num_elems(n as u32);
        let dout = emu.alloc(4 * cfg.grid_dim.0 as usize);
        let (pin, pout) = (da.to_le_bytes(), dout.to_le_bytes());
        let (t, cpu, s) = time(5, || emu.launch_with_stats(&m, "reduce", &cfg, &[&pin, &pout]).unwrap());
        row("smem reduction 2^20 (bar.sync)", &cfg, t, cpu, &s);
    }

    // Divergent loops.
    if run("divergent") {
        let m = load(&emu, DIVERGENT);
        let cfg = LaunchConfig::for_num_elems(1 << 18);
        let dout = emu.alloc(4 << 18);
        let pout = dout.to_le_bytes();
        let (t, cpu, s) = time(5, || emu.launch_with_stats(&m, "divergent", &cfg, &[&pout]).unwrap());
        row("divergent loops (1..32 iters)", &cfg, t, cpu, &s);
    }

    println!("\nvector add of 2^20 f32: {vadd_ms:.2} ms per launch (best wall time; target: <= 500 ms)");
}
