//! Targets: which `.target sm_XX` and `.version X.Y` a module needs.

use std::fmt;

/// A PTX ISA version (`.version 7.8` is `PtxIsa(7, 8)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PtxIsa(pub u32, pub u32);

impl fmt::Display for PtxIsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// A compilation target: the GPU architecture (`sm`, e.g. 80 for `sm_80`) and the PTX ISA version.
///
/// `arch_specific` selects the `sm_90a`-style targets whose instructions (wgmma, …) run only on that exact chip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub sm: u32,
    pub ptx_isa: PtxIsa,
    pub arch_specific: bool,
}

impl Target {
    /// The floor every module starts from: sm_52 / PTX 6.0, runnable on every GPU a current driver supports.
    pub const FLOOR: Target = Target { sm: 52, ptx_isa: PtxIsa(6, 0), arch_specific: false };

    /// `sm_XX` with the lowest PTX ISA version that knows that architecture (at least 6.0).
    pub fn sm(sm: u32) -> Target {
        Target { sm, ptx_isa: min_isa_for_sm(sm).max(PtxIsa(6, 0)), arch_specific: false }
    }

    /// The `.target` name (`sm_80`, `sm_90a`).
    pub fn name(&self) -> String {
        format!("sm_{}{}", self.sm, if self.arch_specific { "a" } else { "" })
    }

    /// Parses `sm_80` / `sm_90a`.
    pub fn parse(s: &str) -> Option<Target> {
        let rest = s.strip_prefix("sm_")?;
        let (digits, arch_specific) = match rest.strip_suffix('a') {
            Some(d) => (d, true),
            None => (rest, false),
        };
        let sm: u32 = digits.parse().ok()?;
        if !(20..=200).contains(&sm) {
            return None;
        }
        let mut t = Target::sm(sm);
        t.arch_specific = arch_specific;
        Some(t)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (PTX ISA {})", self.name(), self.ptx_isa)
    }
}

/// The first PTX ISA version that accepts `.target sm_XX`.
pub fn min_isa_for_sm(sm: u32) -> PtxIsa {
    match sm {
        0..=53 => PtxIsa(4, 0),
        54..=62 => PtxIsa(5, 0),
        63..=70 => PtxIsa(6, 0),
        71..=72 => PtxIsa(6, 1),
        73..=75 => PtxIsa(6, 3),
        76..=80 => PtxIsa(7, 0),
        81..=86 => PtxIsa(7, 1),
        87 => PtxIsa(7, 4),
        88..=89 => PtxIsa(7, 8),
        90 => PtxIsa(7, 8),
        91..=100 => PtxIsa(8, 6),
        101..=120 => PtxIsa(8, 7),
        _ => PtxIsa(9, 0),
    }
}
