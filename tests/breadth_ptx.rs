//! The breadth kernels' PTX (shared memory, atomics, warp operations, fast math): insta snapshots, and assembled by
//! ptxas for sm_75, sm_80 and sm_90 when ptxas is found (`PTXAS` or `PATH`; under `CI=true` a missing ptxas fails).

mod breadth;

#[test]
fn breadth_snapshots() {
    for (name, ptx) in breadth::ALL {
        insta::assert_snapshot!(*name, ptx);
    }
}

#[test]
fn breadth_assembles() {
    let mut failures = Vec::new();
    for (name, ptx) in breadth::ALL {
        if let Err(e) = ptx_gen::ptxas::check_or_skip(ptx, &["sm_75", "sm_80", "sm_90"]) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "ptxas rejected:\n{}", failures.join("\n"));
}
