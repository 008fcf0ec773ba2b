//! Compile-time benchmark of the ptx-gen pipeline: builds a kernel of about 200 instructions with the
//! `FunctionBuilder`, then times each phase (build, verify, passes, write) over many iterations and prints the
//! median and 90th percentile per phase. The goal is under 1 ms in total, so that `#[ptx_kernel]` adds nothing a
//! user would notice to a build.
//!
//! Run with `cargo run --release -p ptx-gen --example bench_compile [iterations]`.

use std::time::{Duration, Instant};

use ptx_gen::*;

/// A blocked polynomial-evaluation kernel: bounds check, 16 loads, a Horner chain of fma per element with
/// compare/select clamping, a reduction, stores, and a loop over 4 tiles. About 200 instructions.
fn build() -> Module {
    let mut f = Function::kernel("poly_eval");
    let x_ptr = f.add_param("x", Type::U64);
    let y_ptr = f.add_param("y", Type::U64);
    let n_param = f.add_param("n", Type::U32);
    let lo_param = f.add_param("lo", Type::F32);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    let head = b.create_block();
    let body = b.create_block();
    let exit = b.create_block();

    b.switch_to_block(entry);
    let x = b.ins().ld_param(Type::U64, x_ptr);
    let x = b.ins().cvta_to_global(x);
    let y = b.ins().ld_param(Type::U64, y_ptr);
    let y = b.ins().cvta_to_global(y);
    let n = b.ins().ld_param(Type::U32, n_param);
    let lo = b.ins().ld_param(Type::F32, lo_param);
    let tid = b.ins().special(SpecialReg::Tid(Dim::X));
    let ntid = b.ins().special(SpecialReg::Ntid(Dim::X));
    let ctaid = b.ins().special(SpecialReg::Ctaid(Dim::X));
    let gid = b.ins().ternary(TernOp::Mad, Mode::Lo, Type::U32, ctaid, ntid, tid);
    let base = b.ins().mul(Type::U32, Mode::Lo, gid, Operand::u32(64));
    let tile = b.ins().mov(Type::U32, Operand::u32(0));
    let acc = b.ins().mov(Type::F32, Operand::f32(0.0));
    b.jump(head);

    b.switch_to_block(head);
    let done = b.ins().setp(CmpOp::Ge, Type::U32, tile, Operand::u32(4));
    b.branch(done, exit, body);

    b.switch_to_block(body);
    let start = b.ins().ternary(TernOp::Mad, Mode::Lo, Type::U32, tile, Operand::u32(16), base);
    let in_range = b.ins().setp(CmpOp::Lt, Type::U32, start, n);
    let off = b.ins().mul(Type::U32, Mode::Wide, start, Operand::u32(4));
    let px = b.ins().add(Type::U64, Mode::None, x, off);
    let py = b.ins().add(Type::U64, Mode::None, y, off);
    let access = MemAccess::new(StateSpace::Global, Type::F32);
    let coeffs = [0.5f32, -1.25, 2.0, 0.75, -0.125, 3.5];
    for k in 0..16 {
        let v = b.ins().ld(access, Address::reg_offset(px, 4 * k));
        let mut h = b.ins().mov(Type::F32, Operand::f32(coeffs[0]));
        for &c in &coeffs[1..] {
            h = b.ins().fma(Type::F32, Mode::Rn, h, v, Operand::f32(c));
        }
        let below = b.ins().setp(CmpOp::Lt, Type::F32, h, lo);
        let clamped = b.ins().selp(Type::F32, lo, h, below);
        let out = b.ins().selp(Type::F32, clamped, Operand::f32(0.0), in_range);
        b.ins().st(access, Address::reg_offset(py, 4 * k), out);
        let sum = b.ins().add(Type::F32, Mode::Rn, acc, out);
        b.ins().mov_to(acc, sum);
    }
    let next = b.ins().add(Type::U32, Mode::None, tile, Operand::u32(1));
    b.ins().mov_to(tile, next);
    b.jump(head);

    b.switch_to_block(exit);
    let slot = b.ins().mul(Type::U32, Mode::Wide, gid, Operand::u32(4));
    let pacc = b.ins().add(Type::U64, Mode::None, y, slot);
    b.ins().red(AtomOp::Add, StateSpace::Global, Type::F32, Address::reg(pacc), acc);
    b.ret();
    b.finish().expect("the benchmark kernel builds");
    let mut m = Module::new();
    m.add_function(f);
    m
}

/// Median and 90th percentile, in microseconds.
fn stats(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.9))
}

fn main() {
    let iterations: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let mut phases: [(&str, Vec<Duration>); 5] =
        [("build", vec![]), ("verify", vec![]), ("passes", vec![]), ("write", vec![]), ("total", vec![])];
    let insts_before: usize = build().functions.values().map(Function::inst_count).sum();
    let (mut insts_after, mut ptx_bytes) = (0, 0);
    for _ in 0..iterations {
        let t0 = Instant::now();
        let mut m = build();
        let t1 = Instant::now();
        if let Err(e) = verify::verify_module(&m) {
            eprintln!("the benchmark kernel does not verify: {e}");
            std::process::exit(1);
        }
        let t2 = Instant::now();
        passes::run_pipeline(&mut m);
        let t3 = Instant::now();
        let ptx = match write::write_module(&m) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("the benchmark kernel does not write: {e}");
                std::process::exit(1);
            }
        };
        let t4 = Instant::now();
        for (i, d) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0].into_iter().enumerate() {
            phases[i].1.push(d);
        }
        insts_after = m.functions.values().map(Function::inst_count).sum();
        ptx_bytes = ptx.len();
    }
    println!("poly_eval: {insts_before} instructions built, {insts_after} after passes, {ptx_bytes} bytes of PTX");
    println!("{iterations} iterations");
    println!();
    println!("| phase  | median (µs) | p90 (µs) |");
    println!("|--------|------------:|---------:|");
    let mut total_median = 0.0;
    for (name, samples) in phases.iter_mut() {
        let (median, p90) = stats(samples);
        println!("| {name:<6} | {median:>11.1} | {p90:>8.1} |");
        if *name == "total" {
            total_median = median;
        }
    }
    println!();
    let verdict = if total_median <= 1000.0 { "met" } else { "missed" };
    println!("target: total ≤ 1000 µs — {verdict} ({total_median:.1} µs)");
}
