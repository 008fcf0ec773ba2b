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

#[test]
fn guards_remove_checks() {
    use kernels::safety::*;
    for (name, ptx, sites) in [
        ("guard_if", guard_if::PTX, guard_if::PANIC_SITES),
        ("guard_early_return", guard_early_return::PTX, guard_early_return::PANIC_SITES),
        ("guard_for", guard_for::PTX, guard_for::PANIC_SITES),
        ("unchecked_access", unchecked_access::PTX, unchecked_access::PANIC_SITES),
        ("guard_scaled", guard_scaled::PTX, guard_scaled::PANIC_SITES),
        ("guard_quotient", guard_quotient::PTX, guard_quotient::PANIC_SITES),
    ] {
        assert!(sites.is_empty(), "{name}: checks left at {sites:?}");
        assert!(!ptx.contains("__ptx_kernel_panic") && !ptx.contains("trap"), "{name}:\n{ptx}");
    }
    assert_eq!(checked_index::PANIC_SITES.len(), 2);
    assert_eq!(quotient_kept::PANIC_SITES.len(), 3, "{:?}", quotient_kept::PANIC_SITES);
    // saxpy guards `y[i]` with `i < y.len()`; `x[i]` keeps its check.
    assert_eq!(kernels::basic::saxpy::PANIC_SITES.len(), 1);
    // `a[i] / b[i]`: zero and overflow; `a[i] % 7`: nothing.
    assert_eq!(checked_div::PANIC_SITES.len(), 2);
    assert!(checked_div::PTX.contains("atom.global.cas.b32"));
    assert!(checked_div::PANIC_SITES.iter().all(|s| s.starts_with("tests/kernels/safety.rs:")));
}

#[test]
fn value_position_reads_issued_early() {
    // `a = if k < m { x[k] + 1 } else { x[k - m] ^ 5 }; y[k] = a + if k >= m { x[k] * 3 } else { 7 }` unrolled 4
    // times: the three reads of every copy (12) are issued, predicated, before the first copy's store; each copy
    // keeps its checks of `x`'s length (4 × 3 sites) and of `y[k]` (4: `base + 4 <= y.len()` does not prove
    // `base + r`). The second `if` is a select (`selp`), its check `and`ed with `k >= m`.
    let ptx = kernels::control::select_unroll::PTX;
    let early = &ptx[..ptx.find("st.global").unwrap()];
    assert_eq!(early.matches("ld.global.nc.u32").count(), 12, "{ptx}");
    assert_eq!(ptx.matches("ld.global").count(), 12, "{ptx}");
    assert_eq!(ptx.matches("selp.u32").count(), 4, "{ptx}");
    assert_eq!(kernels::control::select_unroll::PANIC_SITES.len(), 16);
}
