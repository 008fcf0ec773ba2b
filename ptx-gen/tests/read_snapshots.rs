//! The reader on the writer's real output: the writer's hand-built kernels (`tests/kernels`, every instruction
//! family) through `write(read(write(ir))) == write(ir)`, and every PTX snapshot in the repository (the writer's
//! here, the macro frontend's in the root crate) through `write(read(text)) == text`.

mod kernels;

use std::path::Path;

use ptx_gen::read::read_module;
use ptx_gen::verify::verify_module;
use ptx_gen::write::write_module;
use ptx_gen::*;

/// `again == text`, ignoring trailing whitespace.
fn same_text(text: &str, again: &str) -> bool {
    text.trim_end() == again.trim_end()
}

fn has_asm(m: &Module) -> bool {
    m.functions.values().any(|f| f.insts.values().any(|i| matches!(i.kind, InstKind::Asm { .. })))
}

#[test]
fn writer_kernels_round_trip() {
    let all = kernels::all();
    assert!(all.len() >= 20);
    for (name, m) in all {
        let text = write_module(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = read_module(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        if let Err(e) = verify_module(&back) {
            panic!("{name}: the module read back does not verify: {e}\n{text}");
        }
        let again = write_module(&back).unwrap_or_else(|e| panic!("{name}: {e}"));
        if has_asm(&m) {
            // Inline PTX comes back as ordinary instructions: from the first read on, the text is stable.
            assert!(!again.contains("inline asm"));
            assert_eq!(write_module(&read_module(&again).unwrap()).unwrap(), again, "{name}");
        } else {
            assert!(same_text(&text, &again), "{name}: write(read(write(ir))) != write(ir)\n{text}\n---\n{again}");
        }
    }
}

/// The PTX of an insta snapshot file (after its `---` header).
fn snapshot_body(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[end + 5..])
}

fn check_snapshots(dir: &Path, prefix: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix) && n.ends_with(".snap"))
        })
        .collect();
    paths.sort();
    let mut n = 0;
    for path in paths {
        let file = std::fs::read_to_string(&path).unwrap();
        let Some(ptx) = snapshot_body(&file) else { continue };
        if !ptx.contains(".address_size") {
            continue; // not a PTX snapshot
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let m = read_module(ptx).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Err(e) = verify_module(&m) {
            panic!("{name}: does not verify after reading: {e}");
        }
        let again = write_module(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
        if ptx.contains("// begin inline asm") {
            assert!(!again.contains("inline asm"), "{name}");
        } else {
            assert!(same_text(ptx, &again), "{name}: write(read(text)) != text\n{ptx}\n---\n{again}");
        }
        n += 1;
    }
    n
}

#[test]
fn every_ptx_snapshot_reads_back_to_itself() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let writer = check_snapshots(&here.join("tests/snapshots"), "writer_snapshots__");
    assert!(writer >= 20, "{writer} writer snapshots");
    // The macro frontend's snapshots live in the root crate; checked when this crate sits in its workspace.
    let frontend = check_snapshots(&here.join("../tests/snapshots"), "frontend_ptx__");
    eprintln!("{writer} writer snapshots and {frontend} frontend snapshots read back to themselves");
}
