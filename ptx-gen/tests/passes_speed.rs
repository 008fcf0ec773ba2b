//! How long verification and the pipeline take on ~200-instruction functions. A measurement, not a test: it is
//! ignored by default and asserts nothing about time. Run it in release:
//!
//! ```text
//! cargo test --release -p ptx-gen --test passes_speed -- --ignored --nocapture
//! ```

mod passes_common;

use std::time::Instant;

use passes_common::*;
use ptx_gen::passes::{run_function_pipeline, PASSES};
use ptx_gen::verify::verify_function;
use ptx_gen::Function;

/// Random valid functions of about `target` instructions.
fn functions(target: usize, count: usize) -> Vec<Function> {
    let mut out = Vec::new();
    let mut seed = 0u64;
    // Statements average about 1.25 instructions; keep the functions within a quarter of the target.
    while out.len() < count && seed < 2_000 {
        seed += 1;
        let mut rng = Rng::new(seed);
        let f = random_function_filled(&mut rng, target * 4 / 5, 8);
        let n = inst_count(&f);
        if n >= target * 3 / 4 && n <= target * 5 / 4 {
            out.push(f);
        }
    }
    if out.len() < count {
        let sizes: Vec<usize> =
            (1..20).map(|s| inst_count(&random_function_filled(&mut Rng::new(s), target * 4 / 5, 8))).collect();
        panic!("the generator cannot make functions of about {target} instructions: sizes {sizes:?}");
    }
    out
}

/// Microseconds per call: the fastest of several passes over all functions (the minimum is the measurement least
/// disturbed by other processes on a shared machine).
fn time_per_call(fs: &[Function], mut run: impl FnMut(&Function)) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..30 {
        let start = Instant::now();
        for f in fs {
            run(f);
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    best * 1e6 / fs.len() as f64
}

#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn verify_and_pipeline_time_on_200_instruction_functions() {
    let fs = functions(200, 50);
    let insts: usize = fs.iter().map(inst_count).sum::<usize>() / fs.len();
    let blocks: usize = fs.iter().map(|f| f.layout.len()).sum::<usize>() / fs.len();
    eprintln!("{} functions, {insts} instructions and {blocks} blocks on average", fs.len());
    let v = time_per_call(&fs, |f| assert!(verify_function(f, None).is_ok()));
    eprintln!("verify_function:        {v:8.1} µs");
    for (name, pass) in PASSES {
        let t = time_per_call(&fs, |f| {
            let mut g = f.clone();
            pass(&mut g);
        });
        eprintln!("{name:<24}{t:8.1} µs (one run, clone included)");
    }
    let rounds: usize = fs
        .iter()
        .map(|f| {
            let mut g = f.clone();
            let mut n = 0;
            loop {
                n += 1;
                let mut changed = false;
                for (_, pass) in PASSES {
                    changed |= pass(&mut g);
                }
                if !changed {
                    break n;
                }
            }
        })
        .sum();
    eprintln!(
        "rounds to the fixed point: {:.2} on average (the last changes nothing)",
        rounds as f64 / fs.len() as f64
    );
    let c = time_per_call(&fs, |f| {
        let _ = f.clone();
    });
    eprintln!("clone alone:            {c:8.1} µs");
    let p = time_per_call(&fs, |f| {
        let mut g = f.clone();
        run_function_pipeline(&mut g);
    });
    eprintln!("run_function_pipeline:  {p:8.1} µs (verify + passes to the fixed point, clone included)");
    let both = time_per_call(&fs, |f| {
        let mut g = f.clone();
        run_function_pipeline(&mut g);
        assert!(verify_function(&g, None).is_ok());
    });
    eprintln!("pipeline + verify:      {both:8.1} µs");
}
