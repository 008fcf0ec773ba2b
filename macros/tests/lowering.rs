//! The frontend as a library: literal and local inference on snippets, and the PTX features each Rust rule must
//! produce (no fusing, unordered `!=`, masked shifts, NaN fix-ups, short-circuit branches, parameter layout).

#[path = "../src/frontend/mod.rs"]
#[allow(dead_code)]
mod frontend;

use std::str::FromStr;

use frontend::types::{ScalarTy, Ty};
use proc_macro2::TokenStream;

fn ptx(src: &str) -> String {
    ptx_with("", src)
}

fn ptx_with(attr: &str, src: &str) -> String {
    let item = TokenStream::from_str(src).unwrap();
    match frontend::expand::compile_kernel_with(TokenStream::from_str(attr).unwrap(), item) {
        Ok(c) => c.ptx,
        Err(e) => panic!("did not compile: {}\n{src}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")),
    }
}

fn errors(src: &str) -> Vec<String> {
    let item = TokenStream::from_str(src).unwrap();
    frontend::expand::compile_kernel(item).expect_err("expected errors").iter().map(|e| e.to_string()).collect()
}

/// The inferred type of every `let` binding of `body`, by name (the last binding of a name wins).
fn local_types(params: &str, body: &str) -> Vec<(String, Ty)> {
    let item: syn::ItemFn = syn::parse_str(&format!("fn k({params}) {{ {body} }}")).unwrap();
    let mut errors = frontend::diag::Errors::new();
    let sig = frontend::signature::parse_signature(&item, &mut errors);
    let hir = frontend::check::check_body(&item, &sig, &mut errors);
    let types = frontend::infer::infer(&hir, &sig, &mut errors);
    assert!(errors.is_empty(), "errors in `{body}`");
    hir.locals.iter().enumerate().map(|(i, l)| (l.name.clone(), types.locals[i])).collect()
}

fn ty_of(params: &str, body: &str, name: &str) -> Ty {
    local_types(params, body).into_iter().rev().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no `{name}`")).1
}

const fn s(t: ScalarTy) -> Ty {
    Ty::Scalar(t)
}

#[test]
fn literals_take_their_type_from_context() {
    use ScalarTy::*;
    assert_eq!(ty_of("x: &[i64]", "let mut acc = 0; acc += x[0];", "acc"), s(I64));
    assert_eq!(ty_of("y: &[u8]", "let k = 200; let z = y[0] + k;", "k"), s(U8));
    assert_eq!(ty_of("", "let d = 5;", "d"), s(I32));
    assert_eq!(ty_of("", "let f = 1.5;", "f"), s(F64));
    assert_eq!(ty_of("x: &[f32]", "let j = 0; let v = x[j];", "j"), s(Usize));
    assert_eq!(ty_of("x: &[f32]", "let a = x.len(); let b = a + 1;", "b"), s(Usize));
    assert_eq!(ty_of("", "let t = gpu::thread_idx_x(); let u = t * 2;", "u"), s(U32));
    assert_eq!(ty_of("n: u32", "let mut last = 0; for i in 0..n { last = i; }", "last"), s(U32));
    assert_eq!(ty_of("", "let mut c = 0; for i in (0..10).step_by(3) { c = i; }", "c"), s(I32));
    // Deferred initialisation and annotations.
    assert_eq!(ty_of("a: i16", "let z; z = a;", "z"), s(I16));
    assert_eq!(ty_of("", "let z: u64 = 1 << 40;", "z"), s(U64));
    // A shift's amount has its own type: `x` stays u8, the literal amount is an i32.
    assert_eq!(ty_of("", "let x = 1u8; let amount = 3; let y = x << amount;", "amount"), s(I32));
    assert_eq!(ty_of("", "let x = 1u8; let amount = 3; let y = x << amount;", "y"), s(U8));
    // Shadowing gives each binding its own type.
    let all = local_types("", "let v = 1u16; let v = v as f32 * 2.0;");
    assert_eq!(all.iter().filter(|(n, _)| n == "v").map(|(_, t)| *t).collect::<Vec<_>>(), [s(U16), s(F32)]);
}

#[test]
fn path_calls_type_their_receiver_from_the_path() {
    use ScalarTy::*;
    // `T::m(x, …)` is `x.m(…)` with `x: T`, so an otherwise open receiver takes `T` rather than the default.
    assert_eq!(ty_of("", "let a = 3; let m = u64::max(a, 1);", "a"), s(U64));
    assert_eq!(ty_of("", "let r = f32::sqrt(2.0);", "r"), s(F32));
    assert_eq!(ty_of("", "let h = i8::abs(-5);", "h"), s(I8));
    assert_eq!(ty_of("", "let e = 2; let p = f64::powi(1.5, e);", "e"), s(I32));
    assert_eq!(ty_of("", "let b = 7; let c = i16::min(4, b);", "b"), s(I16));
    // Parenthesised `for` ranges are the plain ones.
    assert_eq!(ty_of("", "let mut c = 0; for j in (250u8..=255) { c = j; }", "c"), s(U8));
    assert_eq!(ty_of("", "let mut c = 0; for j in ((0..9u16)).step_by(2) { c = j; }", "c"), s(U16));
}

#[test]
fn path_calls_and_parenthesised_ranges_compile_like_the_plain_forms() {
    let same = [
        ("u64::max(a[0], b[0])", "a[0].max(b[0])", "u64"),
        ("i32::abs(a[0]).min(b[0])", "a[0].abs().min(b[0])", "i32"),
        ("f32::mul_add(a[0], b[0], 2.5)", "a[0].mul_add(b[0], 2.5)", "f32"),
        ("f64::powi(a[0], 3) + f64::powf(b[0], a[0])", "a[0].powi(3) + b[0].powf(a[0])", "f64"),
        ("f64::sqrt(2.0) * f64::hypot(a[0], b[0])", "2.0f64.sqrt() * a[0].hypot(b[0])", "f64"),
        ("u8::max(3, b[0])", "3u8.max(b[0])", "u8"),
    ];
    for (path, method, t) in same {
        let k = |e: &str| format!("fn k(a: &[{t}], b: &[{t}], y: &mut [{t}]) {{ y[0] = {e}; }}");
        assert_eq!(ptx(&k(path)), ptx(&k(method)), "`{path}` and `{method}` differ");
    }
    let k = |range: &str| {
        format!("fn k(n: u32, y: &mut [u32]) {{ let mut s = 0; for j in {range} {{ s += j; }} y[0] = s; }}")
    };
    assert_eq!(ptx(&k("(0..n)")), ptx(&k("0..n")));
    assert_eq!(ptx(&k("(3..=n)")), ptx(&k("3..=n")));
    assert_eq!(ptx(&k("((0..n)).step_by(2)")), ptx(&k("(0..n).step_by(2)")));
}

#[test]
fn path_calls_report_their_problems() {
    for (src, needle) in [
        ("u32::abs(x)", "no method `abs` on `u32`"),
        ("i32::sqrt(2)", "no method `sqrt` on `i32`"),
        ("bool::max(true, false) as u32", "no method `max` on `bool`"),
        ("f64::max(1.0) as u32", "`f64::max` takes 2 argument(s) (the receiver first), 1 given"),
        ("u32::wrapping_add(x, 1)", "`u32::wrapping_add` is not supported"),
        ("u32::max::<u32>(x, 1)", "turbofish"),
        ("u32::max(x, \"s\".len())", "string literals"),
    ] {
        let errs = errors(&format!("fn k(x: u32, y: &mut [u32]) {{ y[0] = {src}; }}"));
        assert!(errs.iter().any(|e| e.contains(needle)), "`{src}`: no error mentions {needle}: {errs:#?}");
    }
}

#[test]
fn cast_expectation_reaches_literals_like_rustc() {
    use ScalarTy::*;
    // rustc types a literal operand of `as` with the target when the kinds agree …
    assert_eq!(ty_of("", "let a = 2.5; let b = a as f32;", "a"), s(F64));
    let p = ptx("fn k(y: &mut [u64]) { y[0] = { 7 } as u64 + 16777217 as f32 as u64; }");
    assert!(!p.contains("cvt.u64.s32"), "`{{ 7 }} as u64` is a u64 literal:\n{p}");
    // … and only then: an `if` is not a literal, so its branches stay i32 (300 fits).
    assert_eq!(ty_of("c: bool", "let v = (if c { 300 } else { 2 }) as u8; let w = v;", "w"), s(U8));
    let p = ptx("fn k(c: bool, y: &mut [u8]) { y[0] = (if c { 300 } else { 2 }) as u8; }");
    assert!(p.contains("300"), "the branches are i32 values, truncated by the cast:\n{p}");
    // 16777217 is an i32 literal rounded by the cast to f32 (to 16777216).
    assert_eq!(ty_of("", "let f = 16777217 as f32;", "f"), s(F32));
}

#[test]
fn float_add_sub_mul_are_never_fused() {
    let p = ptx("fn k(a: f32, x: &[f32], y: &mut [f32]) { y[0] = a * x[0] + y[0] - x[1] * a; }");
    assert!(p.contains("mul.rn.f32") && p.contains("add.rn.f32") && p.contains("sub.rn.f32"), "{p}");
    assert!(!p.contains("fma") && !p.contains("mad"), "{p}");
    let p = ptx("fn k(x: &[f64], y: &mut [f64]) { y[0] = x[0].mul_add(x[1], x[2]); }");
    assert!(p.contains("fma.rn.f64"), "{p}");
}

#[test]
fn float_comparisons_follow_ieee_like_rust() {
    let p = ptx("fn k(x: &[f32], y: &mut [bool]) { y[0] = x[0] != x[1]; y[1] = x[0] == x[1]; y[2] = x[0] < x[1]; }");
    assert!(p.contains("setp.neu.f32") && p.contains("setp.eq.f32") && p.contains("setp.lt.f32"), "{p}");
    assert!(!p.contains("setp.ne.f32"), "ordered != would be false for NaN:\n{p}");
}

#[test]
fn shift_amounts_are_masked_unless_constant() {
    let p = ptx("fn k(x: &[u32], s: &[u64], y: &mut [u32]) { y[0] = x[0] << s[0]; }");
    assert!(p.contains("cvt.u32.u64") && p.contains("and.b32") && p.contains(", 0x1F;"), "{p}");
    let p = ptx("fn k(x: &[i64], y: &mut [i64]) { y[0] = x[0] >> 3; y[1] = x[1] << 67; }");
    assert!(p.contains("shr.s64") && p.contains(", 3;") && !p.contains("and.b32"), "{p}");
    assert!(p.contains("shl.b64") && p.contains(", 3;"), "67 is masked to 3 at compile time:\n{p}");
}

#[test]
fn float_to_int_casts_get_their_nan_fix_ups() {
    let p = ptx("fn k(x: &[f32], y: &mut [i32]) { y[0] = x[0] as i32; }");
    assert!(p.contains("cvt.rzi.s32.f32") && !p.contains("setp.nan"), "{p}");
    let p = ptx("fn k(x: &[f32], y: &mut [u64]) { y[0] = x[0] as u64; }");
    assert!(p.contains("cvt.rzi.u64.f32") && p.contains("setp.nan.f32"), "{p}");
    let p = ptx("fn k(x: &[f64], y: &mut [i8]) { y[0] = x[0] as i8; }");
    assert!(p.contains("cvt.rzi.s32.f64") && p.contains("setp.nan.f64") && p.contains("max.s32"), "{p}");
}

#[test]
fn round_is_half_away_from_zero() {
    let p = ptx("fn k(x: &[f32], y: &mut [f32]) { y[0] = x[0].round(); }");
    assert!(!p.contains("cvt.rni"), "cvt.rni rounds half to even:\n{p}");
    assert!(p.contains("cvt.rzi.f32.f32") && p.contains("0f3F000000"), "{p}");
}

#[test]
fn short_circuit_guards_the_right_side() {
    // The load of x[i] may not run when i is out of range: a branch, not `and.pred`.
    let p = ptx("fn k(x: &[i32], y: &mut [u32]) { let i = gpu::global_idx_x() as usize; if i < x.len() && x[i] > 0 { y[0] = 1; } }");
    let first_branch = p.find("bra").expect("a branch");
    let load = p.find("ld.global.nc.s32").expect("the load");
    assert!(first_branch < load, "the load comes after the branch:\n{p}");
    // A cheap, safe right side is evaluated eagerly.
    let p = ptx("fn k(a: u32, b: u32, y: &mut [u32]) { if a < 5 && b > 2 { y[0] = 1; } }");
    assert!(p.contains("and.pred"), "{p}");
}

#[test]
fn parameters_are_laid_out_as_documented() {
    let p = ptx("fn k(flag: bool, small: i8, n: usize, x: &[f32], y: &mut [bool]) { y[0] = flag; }");
    let params: Vec<&str> = p.lines().filter(|l| l.trim_start().starts_with(".param")).map(str::trim).collect();
    assert_eq!(
        params,
        [
            ".param .u32 k_param_0,", ".param .s8 k_param_1,", ".param .u64 k_param_2,", ".param .u64 k_param_3,",
            ".param .u64 k_param_4,", ".param .u64 k_param_5,", ".param .u64 k_param_6",
        ]
    );
    // Bool memory is bytes.
    assert!(p.contains("st.global.u8"), "{p}");
}

#[test]
fn explicit_target() {
    let p = ptx_with("target = \"sm_80\"", "fn k(y: &mut [u32]) { y[0] = 1; }");
    assert!(p.contains(".target sm_80"), "{p}");
    let c = frontend::expand::compile_kernel_with(
        TokenStream::from_str("target = \"sm_90a\"").unwrap(),
        TokenStream::from_str("fn k(y: &mut [u32]) { y[0] = 1; }").unwrap(),
    )
    .unwrap();
    assert_eq!((c.target_name.as_str(), c.target_sm, c.entry.as_str()), ("sm_90a", 90, "k"));
}

#[test]
fn every_problem_is_reported_once() {
    let errs = errors(
        r#"fn k(a: String, x: &[f32], y: &mut [f32]) -> u32 {
            let s = "text";
            let c = |v: f32| v;
            y[0] = match x[0] { _ => 1.0 };
            unknown_fn(3);
            0
        }"#,
    );
    assert_eq!(errs.len(), 6, "{errs:#?}");
    for needle in ["String", "cannot return", "string literals", "closures", "`match`", "unknown_fn"] {
        assert!(errs.iter().any(|e| e.contains(needle)), "no error mentions {needle}: {errs:#?}");
    }
}

#[test]
fn expansion_has_the_documented_items() {
    let item =
        TokenStream::from_str("pub(crate) fn scale(a: f32, x: &[f32], y: &mut [f32]) { y[0] = a * x[0]; }").unwrap();
    let out = frontend::expand::expand(TokenStream::new(), item).to_string();
    for needle in [
        "pub (crate) fn scale",
        "pub (crate) mod scale",
        "pub const PTX : & str",
        "pub const ENTRY : & str = \"scale\"",
        "pub const TARGET : & str = \"sm_52\"",
        "static MODULE : :: ptx_kernel :: __private :: KernelModule",
        "pub fn launch (dev : & :: ptx_kernel :: __private :: Device , cfg : :: ptx_kernel :: __private :: LaunchConfig , a : f32 , x : & :: ptx_kernel :: __private :: DeviceBuffer < f32 > , y : & mut :: ptx_kernel :: __private :: DeviceBuffer < f32 >)",
        "kernel_arg (dev) ?",
    ] {
        assert!(out.contains(needle), "no `{needle}` in\n{out}");
    }
    // On error: the errors, the function, and a stub launcher of the same signature.
    let item = TokenStream::from_str("fn bad(a: f32, y: &mut [f32]) { y[0] = match a { _ => 1.0 }; }").unwrap();
    let out = frontend::expand::expand(TokenStream::new(), item).to_string();
    assert!(out.contains("compile_error") && out.contains("fn bad") && out.contains("mod bad"), "{out}");
    assert!(out.contains("pub fn launch (dev") && out.contains("unreachable"), "{out}");
}

#[test]
fn unreachable_and_diverging_code_compiles() {
    let cases = [
        "fn k(y: &mut [u32]) { return; y[0] = 1; }",
        "fn k(y: &mut [u32]) { loop { } y[0] = 1; }",
        "fn k(y: &mut [u32]) { loop { break; y[0] = 2; } y[0] = 1; }",
        "fn k(c: bool, y: &mut [u32]) { let v = if c { 1 } else { return; }; y[0] = v; }",
        "fn k(c: bool, y: &mut [u32]) { let v: u32 = if c { return } else { 3 }; y[0] = v; }",
        "fn k(y: &mut [u32]) { let x: u32; x = 5; y[0] = x; }",
        "fn k(y: &mut [u32]) { while true { y[0] += 1; } }",
        "fn k(y: &mut [u32]) { for i in 0..10u32 { if i == 3 { continue; } if i == 7 { return; } y[0] = i; } }",
        "fn k(y: &mut [u32]) { let a = { return; }; }",
        "fn k(y: &mut [u32]) { 'a: loop { 'b: loop { break 'a; } } y[0] = 1; }",
        "fn k(y: &mut [u32]) { let _ = (); let u = gpu::sync_threads(); let w = u; }",
        "fn k() { if true { } else { } }",
        "fn k(mut n: u32, y: &mut [u32]) { while n > 0 { n -= 1; if n == 5 { break; } } y[0] = n; }",
        "fn k(y: &mut [u8]) { for k in 250u8..=255 { y[0] = k; } for k in (0u8..=255).step_by(200) { y[1] = k; } }",
    ];
    for src in cases {
        let p = ptx(src);
        assert!(p.contains(".entry k("), "{src}\n{p}");
        if let Err(e) = ptx_gen::ptxas::check_or_skip(&p, &["sm_75"]) {
            panic!("ptxas rejected {src}: {e}\n{p}");
        }
    }
}

/// The comparisons in a kernel's PTX, without the one of the panic path itself (whether it claimed the record):
/// with no other branches, the bounds checks left.
fn checks_in(ptx: &str) -> usize {
    let setps = ptx.lines().filter(|l| l.trim_start().starts_with("setp.")).count();
    setps - ptx.contains("atom.global.cas.b32") as usize
}

#[test]
fn launch_bounds_let_the_compiler_prove_shared_indices() {
    // tid < 256: (tid / 16) * 4 + 64 ≤ 124 < 128 — no check; without the bound tid may reach 1023 and the index 316.
    let src = "fn k(y: &mut [f32]) {
        let t = gpu::SharedArray::<f32, 128>::new();
        let tid = gpu::thread_idx_x() as usize;
        t[(tid / 16) * 4 + 64] = 1.0;
        gpu::sync_threads();
        if tid < y.len() { y[tid] = t[(tid % 16) * 4]; }
    }";
    assert_eq!(checks_in(&ptx_with("launch_bounds(max_threads = 256)", src)), 1, "only the guard `tid < y.len()`");
    let unbounded = ptx(src);
    assert_eq!(checks_in(&unbounded), 2, "the store's check stays without launch bounds:\n{unbounded}");
    // Division by a power of two became a shift, and the remainder a mask.
    assert!(!unbounded.contains("div.u64") && !unbounded.contains("rem.u64"), "{unbounded}");
}

#[test]
fn an_index_checked_once_is_not_checked_again_where_the_check_dominates() {
    let once = ptx("fn k(i: usize, y: &mut [u32]) { let old = y[i]; y[i] = old + 1; }");
    assert_eq!(checks_in(&once), 1, "{once}");
    // A check on the right of `&&` runs only on one path: the later access is checked again.
    let twice = ptx("fn k(c: bool, i: usize, y: &mut [u32]) { if c && y[i] > 0 { y[0] = 1; } y[i] = 2; }");
    // `c`, the check of `y[i]`, `> 0`, the check of `y[0]`, and `y[i]` checked again.
    assert_eq!(checks_in(&twice), 5, "{twice}");
    // In a branch: not after it.
    let branch = ptx("fn k(c: bool, i: usize, y: &mut [u32]) { if c { y[i] = 1; } y[i] = 2; }");
    assert_eq!(checks_in(&branch), 2 + 1, "{branch}");
}
