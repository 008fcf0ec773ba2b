//! The hand-built kernels of the writer's tests (every instruction family): each verifies, the pipeline keeps it
//! verified and writable, and (when ptxas is found) the optimised PTX assembles.

#[path = "kernels/mod.rs"]
mod kernels;

use ptx_gen::passes::run_pipeline;
use ptx_gen::verify::verify_module_all;
use ptx_gen::write::write_module;

#[test]
fn every_kernel_module_verifies() {
    let mut failures = Vec::new();
    for (name, m) in kernels::all() {
        if let Err(errs) = verify_module_all(&m) {
            for e in errs {
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn pipeline_keeps_kernel_modules_valid_and_assemblable() {
    let mut assembled = 0;
    for (name, mut m) in kernels::all() {
        let before = m.clone();
        run_pipeline(&mut m);
        if let Err(errs) = verify_module_all(&m) {
            panic!("{name}: the optimised module does not verify: {}\n\nbefore:\n{before}\nafter:\n{m}", errs[0]);
        }
        let ptx =
            write_module(&m).unwrap_or_else(|e| panic!("{name}: the optimised module cannot be written: {e}\n{m}"));
        if ptx_gen::ptxas::check_or_skip(&ptx, &["sm_75", "sm_80", "sm_90"])
            .unwrap_or_else(|e| panic!("{name}: {e}\n{ptx}"))
        {
            assembled += 1;
        }
    }
    eprintln!("{assembled} optimised modules assembled by ptxas");
}
