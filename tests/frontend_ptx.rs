//! Every test kernel's PTX: an insta snapshot, and assembled by ptxas for sm_75, sm_80 and sm_90 when ptxas is
//! found (`PTXAS` or `PATH`; under `CI=true` a missing ptxas fails).

mod kernels;

#[test]
fn kernel_count() {
    assert!(kernels::ALL.len() >= 40, "only {} test kernels", kernels::ALL.len());
}

#[test]
fn ptx_snapshots() {
    for (name, ptx) in kernels::ALL {
        insta::assert_snapshot!(*name, ptx);
    }
}

#[test]
fn ptx_assembles() {
    let mut failures = Vec::new();
    for (name, ptx) in kernels::ALL {
        if let Err(e) = ptx_gen::ptxas::check_or_skip(ptx, &["sm_75", "sm_80", "sm_90"]) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "ptxas rejected:\n{}", failures.join("\n"));
}

#[test]
fn ptx_header_and_entry() {
    for (name, ptx) in kernels::ALL {
        assert!(ptx.contains(&format!(".visible .entry {name}(")), "{name}: no entry in\n{ptx}");
        assert!(ptx.contains(".target sm_52"), "{name}: unexpected target");
    }
    assert_eq!(kernels::basic::saxpy::ENTRY, "saxpy");
    assert_eq!(kernels::basic::saxpy::TARGET, "sm_52");
}
