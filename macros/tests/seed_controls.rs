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
    assert_error(
        &errors_with("launch_bounds(max_threads = 2048)", src),
        "`max_threads` must be an integer in 1..=1024",
    );
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

// ----- 2. SM identity and time ------------------------------------------------------------------------------

#[test]
fn sm_identity_and_timers() {
    let p = ptx("fn k(s: &mut [u32], t: &mut [u64]) {
            let b = gpu::block_idx_x() as usize;
            s[2 * b] = gpu::smid();
            s[2 * b + 1] = gpu::nsmid();
            let c0 = gpu::clock64();
            let g0: u64 = gpu::global_timer();
            t[2 * b] = gpu::clock64() - c0;
            t[2 * b + 1] = gpu::global_timer() - g0;
        }");
    for reg in ["%smid", "%nsmid", "%clock64", "%globaltimer"] {
        assert!(p.contains(reg), "{reg} missing:\n{p}");
    }
    ptxas(&p, "k");
    assert_error(&errors("fn k(s: &mut [u32]) { s[0] = gpu::smid(3); }"), "`gpu::smid()` takes no arguments");
    assert_error(&errors("fn k(s: &mut [u32]) { s[0] = gpu::clock64(); }"), "mismatched types");
}

// ----- 4. memory ordering and scoped atomics ----------------------------------------------------------------

#[test]
fn acquire_release_and_scoped_atomics() {
    let p = ptx("fn k(flags: &mut [u32], data: &mut [f32], c: &mut [u64]) {
            let i = gpu::global_idx_x() as usize;
            data[i] = 1.5;
            gpu::store_release(&mut flags[i], 1);
            gpu::store_release_scoped(&mut flags[i + 1], 2u32, gpu::Scope::Block);
            let f = gpu::load_acquire(&flags[i + 2]);
            let g = gpu::load_acquire_scoped(&flags[i + 3], gpu::Scope::System);
            let old = gpu::atomic_add_scoped(&mut flags[0], f + g, gpu::Scope::Block);
            gpu::atomic_max_ordered(&mut flags[1], old, gpu::Ordering::AcqRel, gpu::Scope::Device);
            let o = gpu::atomic_cas_ordered(&mut flags[2], 0, 5, gpu::Ordering::Acquire, gpu::Scope::System);
            gpu::atomic_add_scoped(&mut data[0], 2.0, gpu::Scope::Device);
            gpu::atomic_exch_scoped(&mut c[0], o as u64, gpu::Scope::Block);
            gpu::fence_scoped(gpu::Scope::Device);
        }");
    for want in [
        "st.release.gpu.global.u32",
        "st.release.cta.global.u32",
        "ld.acquire.gpu.global.u32",
        "ld.acquire.sys.global.u32",
        "atom.relaxed.cta.global.add.u32",
        "atom.acq_rel.gpu.global.max.u32",
        "atom.acquire.sys.global.cas.b32",
        "atom.relaxed.gpu.global.add.f32",
        "atom.relaxed.cta.global.exch.b64",
        "fence.acq_rel.gpu",
        ".target sm_70",
    ] {
        assert!(p.contains(want), "{want} missing:\n{p}");
    }
    ptxas(&p, "k");
    let e = errors("fn k(x: &mut [u32]) { gpu::store_release(&x[0], 1); }");
    assert_error(&e, "expected `&mut x[i]`");
    let e = errors("fn k(x: &mut [u32]) { gpu::atomic_add_scoped(&mut x[0], 1, 3); }");
    assert_error(&e, "expected a scope written out");
    let e = errors("fn k(x: &mut [u32]) { gpu::atomic_add_ordered(&mut x[0], 1, gpu::Scope::Block); }");
    assert_error(&e, "takes 4 argument(s)");
    let e = errors("fn k(x: &mut [u8]) { gpu::atomic_add_scoped(&mut x[0], 1, gpu::Scope::Block); }");
    assert_error(&e, "`atomic_add` does not exist for `u8` elements");
    let e = errors("fn k(x: &[u32]) { gpu::atomic_or_scoped(&mut x[0], 1, gpu::Scope::Block); }");
    assert_error(&e, "declare it `&mut [T]`");
    let e = errors("fn k(x: &mut [u32], y: &mut [f32]) { y[0] = gpu::load_acquire(&x[0]); }");
    assert_error(&e, "mismatched types");
}

// ----- 7. named barriers ------------------------------------------------------------------------------------

#[test]
fn named_barriers() {
    let p = ptx("fn k(y: &mut [u32]) {
            let w = gpu::thread_idx_x() / 32;
            if w == 0 { gpu::barrier_arrive(1, 64); } else { gpu::barrier_sync(1, 64); }
            gpu::barrier_sync(2, gpu::block_dim_x());
            y[0] = w;
        }");
    assert!(p.contains("bar.arrive \t1, 64;") || p.contains("bar.arrive 1, 64;"), "{p}");
    assert!(p.contains("bar.sync \t1, 64;") || p.contains("bar.sync 1, 64;"), "{p}");
    ptxas(&p, "k");
    assert_error(&errors("fn k() { gpu::barrier_sync(1); }"), "takes 2 argument(s)");
}

// ----- 3. inline PTX ----------------------------------------------------------------------------------------

#[test]
fn inline_ptx() {
    let p = ptx(
        "fn k(x: &[u32], y: &mut [u32], f: &mut [f32]) {
            let i = gpu::global_idx_x() as usize;
            let z: u32;
            unsafe { gpu::ptx_asm!(\"add.u32 {0}, {1}, {2};\", out(u32) z, in(u32) x[i], in(u32) 7) };
            let mut acc = z;
            unsafe {
                gpu::ptx_asm!(\"mad.lo.u32 {1}, {1}, {0}, {1};\", in(u32) 3, inout(u32) acc);
                gpu::ptx_asm!(\"{{ .reg .f32 t; mov.f32 t, {1}; add.rn.f32 {0}, t, t; }}\", out(f32) f[i], in(f32) 1.25f32);
            }
            y[i] = acc;
        }",
    );
    assert!(p.contains("// begin inline asm"), "{p}");
    if std::env::var_os("SHOW").is_some() {
        eprintln!("{p}");
    }
    assert!(p.contains("{ .reg .f32 t;"), "{p}");
    ptxas(&p, "k");
    let e = errors(
        "fn k(y: &mut [u32]) { let z: u32; unsafe { gpu::ptx_asm!(\"mov.u32 {0}, {x};\", out(u32) z) }; y[0] = z; }",
    );
    assert_error(&e, "unknown placeholder `{x}`");
    let e = errors("fn k(y: &mut [u32]) { let z: u32; unsafe { gpu::ptx_asm!(\"mov.u32 {0}, 1;\", out(u32) z, in(u32) 3) }; y[0] = z; }");
    assert_error(&e, "operand 1 is never used");
    let e = errors("fn k(y: &mut [u32]) { let z: u32; gpu::ptx_asm!(\"mov.u32 {0}, 1;\", out(u32) z); y[0] = z; }");
    assert_error(&e, "must be inside an `unsafe` block");
    let e = errors("fn k(y: &mut [u32], a: f32) { let z: u32; unsafe { gpu::ptx_asm!(\"mov.u32 {0}, {1};\", out(u32) z, in(u32) a) }; y[0] = z; }");
    assert_error(&e, "mismatched types");
    let e = errors("fn k(y: &mut [u32]) { unsafe { gpu::ptx_asm!(\"mov.u32 {0}, 1;\", out(bool) y[0]) }; }");
    assert_error(&e, "cannot be a `ptx_asm!` operand");
    let e = errors("fn k(y: &mut [u32]) { unsafe { gpu::ptx_asm!(\"mov.u32 {0}, 1;\", sideways(u32) y[0]) }; }");
    assert_error(&e, "unknown operand kind `sideways`");
    let e = errors("fn k(y: &mut [u32]) { unsafe { gpu::ptx_asm!(\"mov.u32 {3}, 1;\", out(u32) y[0]) }; }");
    assert_error(&e, "placeholder `{3}` has no operand");
    let e = errors("fn k(y: &mut [u32]) { unsafe { gpu::ptx_asm!(template, out(u32) y[0]) }; }");
    assert_error(&e, "string literal template");
}
