//! Running NVIDIA's `ptxas` on PTX text: the proof that what the writer emits is PTX the driver will accept.
//!
//! Tests anywhere in the workspace use this module:
//! - [`find`] locates `ptxas` (env `PTXAS`, else `ptxas` on `PATH`);
//! - [`assemble`] runs `ptxas --gpu-name sm_XX -v` on a string and returns its output, with the `-v` report
//!   parsed into [`FunctionInfo`] (registers, spills, stack);
//! - [`check_or_skip`] is what a test calls: it assembles for each GPU at or above the PTX's own `.target`, and when
//!   ptxas is missing it skips with a note, unless env `CI` is `true`, where a missing ptxas is an error so that CI
//!   cannot pass without having checked anything.
//!
//! When env `PTXAS_COUNT_DIR` names a directory, every successful assembly leaves one empty marker file there, so a
//! CI script can count how many PTX files were really assembled.
//!
//! Temporary files get unique names (process id, a counter and the time) and are removed when the call returns.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// What a successful `ptxas` run printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PtxasOutput {
    /// The `--gpu-name` it assembled for.
    pub gpu: String,
    pub stdout: String,
    /// ptxas prints its `-v` report and its warnings here.
    pub stderr: String,
    /// The `-v` report, one entry per function.
    pub info: Vec<FunctionInfo>,
}

impl PtxasOutput {
    /// The report for the function called `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionInfo> {
        self.info.iter().find(|f| f.name == name)
    }
    /// ptxas's warnings (`ptxas warning : …` lines).
    pub fn warnings(&self) -> impl Iterator<Item = &str> {
        self.stderr.lines().chain(self.stdout.lines()).filter(|l| l.starts_with("ptxas warning"))
    }
}

/// One function's resource report from `ptxas -v`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionInfo {
    pub name: String,
    /// A kernel (`.entry`) rather than a device function.
    pub entry: bool,
    /// Registers per thread ("Used N registers"); `None` for device functions, which ptxas does not report alone.
    pub registers: Option<u32>,
    /// Bytes of stack frame per thread.
    pub stack_frame: u32,
    /// Bytes stored to local memory because registers ran out.
    pub spill_stores: u32,
    /// Bytes loaded back from those spills.
    pub spill_loads: u32,
    /// Bytes of static shared memory ("N bytes smem").
    pub shared_bytes: u32,
    /// Named barriers used ("used N barriers"), when reported.
    pub barriers: Option<u32>,
}

impl FunctionInfo {
    /// Spill traffic in bytes (stores plus loads): zero when the function fits its register budget.
    pub fn spill_bytes(&self) -> u32 {
        self.spill_stores + self.spill_loads
    }
}

/// Why PTX could not be checked.
#[derive(Debug)]
pub enum PtxasError {
    /// No ptxas (only an error for [`assemble`], and for [`check_or_skip`] when env `CI` is `true`).
    NotFound,
    /// A GPU name ptxas would not take.
    BadGpu { gpu: String },
    /// ptxas could not be started.
    Spawn { path: PathBuf, source: std::io::Error },
    /// A temporary or marker file could not be written.
    Io { path: PathBuf, source: std::io::Error },
    /// ptxas ran and rejected the PTX; `diagnostics` quotes each line it complains about.
    Rejected { gpu: String, status: Option<i32>, diagnostics: String },
}

impl std::fmt::Display for PtxasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PtxasError::NotFound => f.write_str(
                "ptxas was not found: set PTXAS to its path or put it on PATH (with CI=true a missing ptxas is an error)",
            ),
            PtxasError::BadGpu { gpu } => write!(f, "`{gpu}` is not a GPU name (expected sm_XX or sm_XXa)"),
            PtxasError::Spawn { path, source } => write!(f, "could not run {}: {source}", path.display()),
            PtxasError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            PtxasError::Rejected { gpu, status, diagnostics } => {
                write!(f, "ptxas rejected the PTX for {gpu} (exit status {status:?}):\n{diagnostics}")
            }
        }
    }
}

impl std::error::Error for PtxasError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PtxasError::Spawn { source, .. } | PtxasError::Io { source, .. } => Some(source),
            PtxasError::NotFound | PtxasError::BadGpu { .. } | PtxasError::Rejected { .. } => None,
        }
    }
}

/// The `ptxas` to use: env `PTXAS` when set and non-empty, else the first `ptxas` file on `PATH`.
pub fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PTXAS").filter(|p| !p.is_empty()) {
        // Returned even when it does not exist: a wrong PTXAS should fail loudly, not fall back to a skip.
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("ptxas")).find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// Whether `gpu` is `sm_XX` or `sm_XXa` (XX two or three digits).
fn is_gpu_name(gpu: &str) -> bool {
    let Some(rest) = gpu.strip_prefix("sm_") else { return false };
    let digits = rest.strip_suffix('a').unwrap_or(rest);
    (2..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A file name no other call, thread or process is using: process id, a counter and the time.
fn unique_name(ext: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("ptx-gen-{}-{n}-{nanos}{ext}", std::process::id())
}

/// Removes its files when dropped, so that an early return or a panic leaves nothing behind.
struct TempFiles(Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = fs::remove_file(p);
        }
    }
}

/// Creates `path`, failing if it exists (so two callers never share a file), and writes `bytes`.
fn create_new(path: &Path, bytes: &[u8]) -> Result<(), PtxasError> {
    let io = |source| PtxasError::Io { path: path.to_owned(), source };
    let mut f = OpenOptions::new().write(true).create_new(true).open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)
}

/// Runs `ptxas --gpu-name {gpu} -v -o <tmp> <tmp>` on `ptx`.
pub fn assemble(ptx: &str, gpu: &str) -> Result<PtxasOutput, PtxasError> {
    if !is_gpu_name(gpu) {
        return Err(PtxasError::BadGpu { gpu: gpu.to_owned() });
    }
    let ptxas = find().ok_or(PtxasError::NotFound)?;
    let dir = std::env::temp_dir();
    let input = dir.join(unique_name(".ptx"));
    let output = dir.join(unique_name(".cubin"));
    let _cleanup = TempFiles(vec![input.clone(), output.clone()]);
    create_new(&input, ptx.as_bytes())?;
    let run = Command::new(&ptxas)
        .arg("--gpu-name")
        .arg(gpu)
        .arg("-v")
        .arg("-o")
        .arg(&output)
        .arg(&input)
        .output()
        .map_err(|source| PtxasError::Spawn { path: ptxas.clone(), source })?;
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    if !run.status.success() {
        let text = format!("{stdout}{stderr}");
        return Err(PtxasError::Rejected {
            gpu: gpu.to_owned(),
            status: run.status.code(),
            diagnostics: annotate(&text, ptx, &input),
        });
    }
    if let Some(count_dir) = std::env::var_os("PTXAS_COUNT_DIR").filter(|d| !d.is_empty()) {
        create_new(&Path::new(&count_dir).join(unique_name(".ok")), b"")?;
    }
    let info = parse_info(&format!("{stdout}\n{stderr}"));
    Ok(PtxasOutput { gpu: gpu.to_owned(), stdout, stderr, info })
}

/// ptxas's messages with the temporary file's name dropped and each `line N` followed by that PTX line.
fn annotate(messages: &str, ptx: &str, input: &Path) -> String {
    let lines: Vec<&str> = ptx.lines().collect();
    let file = input.display().to_string();
    let mut out = String::new();
    for msg in messages.lines() {
        out.push_str(&msg.replace(&file, "<ptx>"));
        out.push('\n');
        let n = msg
            .split_once(", line ")
            .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|d| d.parse::<usize>().ok());
        if let Some(line) = n.and_then(|n| n.checked_sub(1)).and_then(|i| lines.get(i)) {
            out.push_str("    | ");
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The `.target` of a PTX text (`sm_80`, `sm_90a`), if it has one.
pub fn ptx_target(ptx: &str) -> Option<&str> {
    ptx.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(".target"))
        .and_then(|rest| rest.split(|c: char| c.is_whitespace() || c == ',').find(|s| !s.is_empty()))
}

/// The GPUs of `gpus` that can run PTX of `ptx`'s `.target`: those at or above it. An architecture-specific
/// target (`sm_90a`) assembles only for itself. When none of `gpus` qualifies, the target itself is used, so a
/// check never silently covers nothing.
pub fn gpus_for(ptx: &str, gpus: &[&str]) -> Vec<String> {
    let sm = |g: &str| g.strip_prefix("sm_").map(|d| d.trim_end_matches('a')).and_then(|d| d.parse::<u32>().ok());
    let Some(target) = ptx_target(ptx) else {
        return gpus.iter().map(|g| g.to_string()).collect();
    };
    if target.ends_with('a') {
        return vec![target.to_owned()];
    }
    let min = sm(target).unwrap_or(0);
    let chosen: Vec<String> = gpus.iter().filter(|g| sm(g).is_some_and(|s| s >= min)).map(|g| g.to_string()).collect();
    if chosen.is_empty() {
        vec![target.to_owned()]
    } else {
        chosen
    }
}

/// Assembles `ptx` for each of [`gpus_for`]`(ptx, gpus)`. Returns `Ok(true)` when ptxas ran, `Ok(false)` (after a
/// note on stderr) when it is not installed, and [`PtxasError::NotFound`] instead when env `CI` is `true`.
pub fn check_or_skip(ptx: &str, gpus: &[&str]) -> Result<bool, PtxasError> {
    if find().is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return Err(PtxasError::NotFound);
        }
        eprintln!("note: ptxas not found (set PTXAS or put it on PATH); skipping the ptxas check");
        return Ok(false);
    }
    for gpu in gpus_for(ptx, gpus) {
        assemble(ptx, &gpu)?;
    }
    Ok(true)
}

/// Parses the report of `ptxas -v`:
///
/// ```text
/// ptxas info    : Compiling entry function 'k' for 'sm_80'
/// ptxas info    : Function properties for k
///     552 bytes stack frame, 588 bytes spill stores, 748 bytes spill loads
/// ptxas info    : Used 24 registers, used 0 barriers, 552 bytes cumulative stack size, 360 bytes cmem[0]
/// ```
///
/// "Used …" belongs to the function last named by "Compiling entry function"; "Function properties for" names the
/// function of the line after it. Unknown lines are ignored, so newer ptxas versions degrade gracefully.
pub fn parse_info(text: &str) -> Vec<FunctionInfo> {
    let mut infos: Vec<FunctionInfo> = Vec::new();
    let mut compiling: Option<usize> = None;
    let mut properties_of: Option<usize> = None;
    let index_of = |infos: &mut Vec<FunctionInfo>, name: &str| -> usize {
        match infos.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => {
                infos.push(FunctionInfo { name: name.to_owned(), ..FunctionInfo::default() });
                infos.len() - 1
            }
        }
    };
    for line in text.lines() {
        let body = line.split_once(':').map(|(head, rest)| (head.trim(), rest.trim()));
        match body {
            Some(("ptxas info", rest)) => {
                properties_of = None;
                if let Some(r) = rest.strip_prefix("Compiling entry function '") {
                    let name = r.split('\'').next().unwrap_or_default();
                    let i = index_of(&mut infos, name);
                    infos[i].entry = true;
                    compiling = Some(i);
                } else if let Some(name) = rest.strip_prefix("Function properties for ") {
                    properties_of = Some(index_of(&mut infos, name.trim()));
                } else if rest.starts_with("Used ") {
                    if let Some(i) = compiling {
                        let f = &mut infos[i];
                        for part in rest.split(',').map(str::trim) {
                            let mut words = part.split_whitespace();
                            let (Some(first), Some(second)) = (words.next(), words.next()) else { continue };
                            let (num, unit) = if first == "Used" || first == "used" {
                                (second, words.next().unwrap_or_default())
                            } else {
                                (first, second)
                            };
                            let Ok(n) = num.parse::<u32>() else { continue };
                            match (unit, words.next()) {
                                ("registers", _) => f.registers = Some(n),
                                ("barriers", _) => f.barriers = Some(n),
                                ("bytes", Some("smem")) => f.shared_bytes = n,
                                _ => {}
                            }
                        }
                    }
                }
            }
            _ => {
                // The indented line after "Function properties for X".
                if let Some(i) = properties_of.take() {
                    let f = &mut infos[i];
                    for part in line.split(',').map(str::trim) {
                        let n = part.split_whitespace().next().and_then(|w| w.parse::<u32>().ok());
                        match (n, part.split_whitespace().skip(1).collect::<Vec<_>>().join(" ").as_str()) {
                            (Some(n), "bytes stack frame") => f.stack_frame = n,
                            (Some(n), "bytes spill stores") => f.spill_stores = n,
                            (Some(n), "bytes spill loads") => f.spill_loads = n,
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    infos
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from ptxas 13 (`-v`, sm_80): a kernel forced to spill by `.maxnreg 24`, and a device function.
    const REPORT: &str = "\
ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function 'k' for 'sm_80'
ptxas info    : Function properties for k
    552 bytes stack frame, 588 bytes spill stores, 748 bytes spill loads
ptxas info    : Used 24 registers, used 0 barriers, 552 bytes cumulative stack size, 360 bytes cmem[0]
ptxas info    : Compile time = 15.934 ms
ptxas info    : Compiling entry function 'tiled' for 'sm_80'
ptxas info    : Function properties for tiled
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 6 registers, used 1 barriers, 1024 bytes smem, 352 bytes cmem[0]
ptxas info    : Function properties for helper
    16 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
";

    #[test]
    fn parses_registers_spills_and_shared_memory() {
        let info = parse_info(REPORT);
        assert_eq!(info.len(), 3);
        let k = &info[0];
        assert_eq!((k.name.as_str(), k.entry, k.registers), ("k", true, Some(24)));
        assert_eq!((k.stack_frame, k.spill_stores, k.spill_loads, k.spill_bytes()), (552, 588, 748, 1336));
        assert_eq!(k.barriers, Some(0));
        let t = &info[1];
        assert_eq!((t.registers, t.barriers, t.shared_bytes, t.spill_bytes()), (Some(6), Some(1), 1024, 0));
        let h = &info[2];
        assert_eq!((h.name.as_str(), h.entry, h.registers, h.stack_frame), ("helper", false, None, 16));
    }

    #[test]
    fn parses_the_older_report_format() {
        let old = "ptxas info    : Compiling entry function 'saxpy' for 'sm_52'\n\
                   ptxas info    : Used 8 registers, 344 bytes cmem[0]\n";
        let info = parse_info(old);
        assert_eq!(info[0].registers, Some(8));
        assert_eq!(info[0].barriers, None);
        assert!(parse_info("garbage\n: :\nptxas info : Used x registers").is_empty());
    }

    #[test]
    fn gpu_names() {
        for ok in ["sm_75", "sm_90a", "sm_100", "sm_120a"] {
            assert!(is_gpu_name(ok), "{ok}");
        }
        for bad in ["sm75", "sm_7", "sm_1000", "compute_80", "sm_80 -o /x", ""] {
            assert!(!is_gpu_name(bad), "{bad}");
        }
        assert!(matches!(assemble("", "--help"), Err(PtxasError::BadGpu { .. })));
    }

    #[test]
    fn chooses_gpus_at_or_above_the_target() {
        let ptx = |t: &str| format!("//\n.version 7.8\n.target {t}\n.address_size 64\n");
        let all = ["sm_75", "sm_80", "sm_90"];
        assert_eq!(gpus_for(&ptx("sm_52"), &all), all);
        assert_eq!(gpus_for(&ptx("sm_80"), &all), ["sm_80", "sm_90"]);
        assert_eq!(gpus_for(&ptx("sm_90a"), &all), ["sm_90a"]);
        assert_eq!(gpus_for(&ptx("sm_100"), &all), ["sm_100"]);
        assert_eq!(gpus_for("no target", &all), all);
        assert_eq!(ptx_target(&ptx("sm_75")), Some("sm_75"));
    }

    #[test]
    fn diagnostics_quote_the_offending_line() {
        let ptx = ".version 7.0\n.target sm_75\n  add.f16 %rs1, %rs2, 0x3C00;\n";
        let msg = "ptxas /tmp/x.ptx, line 3; error   : Arguments mismatch for instruction 'add'\n";
        let text = annotate(msg, ptx, Path::new("/tmp/x.ptx"));
        assert_eq!(
            text,
            "ptxas <ptx>, line 3; error   : Arguments mismatch for instruction 'add'\n    |   add.f16 %rs1, %rs2, 0x3C00;\n"
        );
    }

    #[test]
    fn unique_names_differ() {
        let names: std::collections::HashSet<String> = (0..100).map(|_| unique_name(".ptx")).collect();
        assert_eq!(names.len(), 100);
    }
}
