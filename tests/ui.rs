//! The attribute's diagnostics (compile-fail cases with their `.stderr`) and a few programs that must build and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
