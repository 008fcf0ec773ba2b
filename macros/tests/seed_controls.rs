//! The seed's controls at the PTX level: occupancy directives (and their effect, measured by ptxas), SM identity
//! and timers, acquire/release and scoped atomics, named barriers, inline PTX and their errors.

#[path = "../src/frontend/mod.rs"]
#[allow(dead_code)]
mod frontend;

use std::str::FromStr;

use proc_macro2::TokenStream;

fn ptx_with(attr: &str, src: &str) -> String {
    let item = TokenStream::from_str(src).unwrap();
    match frontend::expand::compile_kernel_with(TokenStream::from_str(attr).unwrap(), item) {
        Ok(c) => c.ptx,
        Err(e) => panic!("did not compile: {}\n{src}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")),
    }
}

fn ptx(src: &str) -> String {
    ptx_with("", src)
}

fn errors_with(attr: &str, src: &str) -> Vec<String> {
    let item = TokenStream::from_str(src).unwrap();
    match frontend::expand::compile_kernel_with(TokenStream::from_str(attr).unwrap(), item) {
        Ok(_) => panic!("expected errors:\n{src}"),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

fn errors(src: &str) -> Vec<String> {
    errors_with("", src)
}

fn assert_error(errs: &[String], needle: &str) {
    assert!(errs.iter().any(|e| e.contains(needle)), "no error containing {needle:?} in {errs:#?}");
}

/// Assembles with ptxas for sm_90 when it is available (`PTXAS` or PATH); `None` otherwise.
fn ptxas(ptx: &str, name: &str) -> Option<ptx_gen::ptxas::FunctionInfo> {
    ptx_gen::ptxas::find()?;
    let out = ptx_gen::ptxas::assemble(ptx, "sm_90").unwrap_or_else(|e| panic!("ptxas rejected:\n{e}\n{ptx}"));
    Some(out.function(name).expect("ptxas -v reports the kernel").clone())
}

// ----- 1. occupancy directives ------------------------------------------------------------------------------

#[test]
fn launch_bounds_and_max_registers_are_directives() {
    let src = "fn k(y: &mut [u32]) { y[0] = 1; }";
    let p = ptx_with("launch_bounds(max_threads = 256, min_blocks = 2)", src);
    assert!(p.contains(".maxntid 256, 1, 1"), "{p}");
    assert!(p.contains(".minnctapersm 2"), "{p}");
    let p = ptx_with("max_registers = 64", src);
    assert!(p.contains(".maxnreg 64"), "{p}");
    let p = ptx_with("target = \"sm_80\", launch_bounds(max_threads = 128), max_registers = 40", src);
    assert!(p.contains(".maxntid 128, 1, 1") && p.contains(".maxnreg 40") && p.contains(".target sm_80"), "{p}");
    ptxas(&p, "k");
}

#[test]
fn occupancy_option_errors() {
    let src = "fn k(y: &mut [u32]) { y[0] = 1; }";
    assert_error(&errors_with("launch_bounds(max_threads = 2048)", src), "`max_threads` must be an integer in 1..=1024");
    assert_error(&errors_with("launch_bounds(min_blocks = 2)", src), "`launch_bounds` needs `max_threads = N`");
    assert_error(&errors_with("launch_bounds(max_threads = 64, blocks = 2)", src), "unknown `launch_bounds` argument");
    assert_error(&errors_with("max_registers = 0", src), "`max_registers` must be an integer in 1..=255");
    assert_error(&errors_with("max_registers = 300", src), "1..=255");
    assert_error(&errors_with("max_regs = 3", src), "unknown #[ptx_kernel] option `max_regs`");
}

/// A kernel that keeps `n` loaded floats live across two passes over all of them (each product is rounded on its
/// own, so ptxas cannot shorten the live ranges by reassociating).
fn register_hungry(n: usize) -> String {
    let mut s = String::from("fn hungry(x: &[f32], y: &mut [f32]) { let i = gpu::global_idx_x() as usize * 128;\n");
    for k in 0..n {
        s += &format!("let v{k} = x[i + {k}];\n");
    }
    s += "let mut a = 0.0f32;\n";
    for k in 0..n {
        s += &format!("a = a + v{k} * v{};\n", (k + 1) % n);
    }
    s += "y[i] = a;\nlet mut b = 0.0f32;\n";
    for k in 0..n {
        s += &format!("b = b + v{k} * v{};\n", (k + 7) % n);
    }
    s += "y[i + 1] = b;\n}\n";
    s
}

#[test]
fn max_registers_caps_what_ptxas_allocates() {
    let src = register_hungry(96);
    let free = ptx(&src);
    let Some(unlimited) = ptxas(&free, "hungry") else {
        eprintln!("skipped: no ptxas (set PTXAS)");
        return;
    };
    let used = unlimited.registers.unwrap();
    assert!(used > 64, "the kernel should need more than 64 registers without a limit, ptxas used {used}");
    for cap in [32u32, 64] {
        let limited = ptx_with(&format!("max_registers = {cap}"), &src);
        let info = ptxas(&limited, "hungry").unwrap();
        let regs = info.registers.unwrap();
        assert!(regs <= cap, "max_registers = {cap}: ptxas used {regs}");
        assert!(info.spill_bytes() > 0, "with {cap} registers the kernel must spill");
    }
    // launch_bounds(256 threads, 4 blocks per SM) leaves 64K / 1024 = 64 registers a thread.
    let bounded = ptx_with("launch_bounds(max_threads = 256, min_blocks = 4)", &src);
    let regs = ptxas(&bounded, "hungry").unwrap().registers.unwrap();
    assert!(regs <= 64, "launch_bounds(256, 4): ptxas used {regs}");
    eprintln!("registers: unlimited {used}, launch_bounds(256, 4) {regs}");
}
