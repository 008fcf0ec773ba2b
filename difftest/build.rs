//! Writes `$OUT_DIR/cases.rs`: `DIFFTEST_KERNELS` random kernels (default 300) of the stream `DIFFTEST_SEED`
//! (default below; decimal or `0x` hex), from number `DIFFTEST_FIRST` on (default 0), each with its host copy, and
//! the table `CASES` the harness runs. rustc slows down more than linearly on one crate of many thousand kernels,
//! so a large run is built as shards of a few thousand (`DIFFTEST_FIRST=0, 2000, 4000, …`) of the same stream.

#[path = "gen/mod.rs"]
mod gen;

use std::fmt::Write as _;

const DEFAULT_SEED: u64 = 0x5EED_2026_1204;
const DEFAULT_KERNELS: usize = 300;

fn env_number(name: &str) -> Option<u64> {
    println!("cargo:rerun-if-env-changed={name}");
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
        None => v.replace('_', "").parse(),
    };
    match parsed {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v} is not a number"),
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=gen/mod.rs");
    let seed = env_number("DIFFTEST_SEED").unwrap_or(DEFAULT_SEED);
    let count = env_number("DIFFTEST_KERNELS").map_or(DEFAULT_KERNELS, |n| n as usize);
    let first = env_number("DIFFTEST_FIRST").unwrap_or(0) as usize;
    // Large runs leave the sources out of the binary (the generator prints any kernel again from the seed).
    let with_sources = env_number("DIFFTEST_NO_SOURCES").is_none_or(|v| v == 0);

    let mut out = String::new();
    let _ = writeln!(out, "pub const SEED: u64 = {seed:#x};");
    let mut table = String::from("pub static CASES: &[Case] = &[\n");
    let args = gen::INPUTS.iter().map(|t| format!("&a.{}", t.name())).collect::<Vec<_>>().join(", ");
    for index in first..first + count {
        let k = gen::kernel(seed, index);
        out.push_str(&k.source);
        out.push('\n');
        let _ = writeln!(
            table,
            "    Case {{ name: {name:?}, source: {src:?}, ptx: {name}::PTX, host_line_offset: {off}, approx: {approx:?}, \
             approx_f32: {f32_}, \
             launch: |dev, cfg, a, o| {name}::launch(dev, cfg, {args}, &mut o.u, &mut o.f, &mut o.t), \
             host: |i, a, o| {name}_host(i, {args}, &mut o.u, &mut o.f, &mut o.t), preload: {name}::preload }},",
            name = k.name,
            src = if with_sources { k.source.as_str() } else { "" },
            off = k.host_line_offset,
            approx = k.approx,
            f32_ = k.approx_f32,
        );
    }
    table.push_str("];\n");
    out.push_str(&table);
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(std::path::Path::new(&dir).join("cases.rs"), out).expect("writing cases.rs");
}
