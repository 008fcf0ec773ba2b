//! Instruction-level conformance of the CPU emulator against a real GPU.
//!
//! Every group below is one generated kernel: each thread loads one case (up to three operands, 8 bytes apart in
//! three input buffers), applies every instruction variant of the group to it and stores each result's bits to
//! its own slice of the output. The same PTX text runs on `Device::cuda(0)` and on `Device::emulator()` with the
//! same inputs (random values plus edge values: NaNs with several payloads, ±inf, ±0, subnormals, halves, values
//! beyond every integer range, integer MIN/MAX, 0, -1, shift amounts 0..=70), and the results are compared:
//!
//! - bit for bit for every exact instruction (integer, `cvt`, correctly rounded `.rn/.rz/.rm/.rp` float
//!   operations, `min`/`max`, `setp`, bit operations);
//! - within a documented bound for the `.approx` instructions (PTX ISA bound of the hardware plus one ulp: the
//!   emulator computes them nearly exactly, so its distance from the GPU is the GPU's own error), reporting the
//!   largest distance observed in ulps (over every accepted result, also those accepted by an absolute or relative
//!   bound, e.g. `sin` near its zeros; results that are subnormal on both sides are accepted).
//!
//! The full table (variant, cases, mismatches, first mismatch with its inputs, the GPU's and the emulator's bits)
//! is printed before anything is asserted, so one GPU run shows every disagreement:
//!
//! ```text
//! PTX_KERNEL_DEVICE=cuda cargo test --release -p ptx-kernel-runtime --test differential_isa -- --nocapture
//! ```
//!
//! Without a CUDA device the differential test still builds and verifies every module and runs it on the emulator
//! (so the harness and the emulator's coverage are checked), then passes with a note; with
//! `PTX_KERNEL_DEVICE=cuda` set and no usable device it fails. `DIFF_ISA_TABLE=1` prints the emulator-vs-emulator
//! table too; `DIFF_ISA_DUMP=dir` writes each generated module there (e.g. to assemble them with ptxas).
//! `emulator_matches_rust_semantics` checks the harness itself against Rust's own arithmetic and casts where those
//! define the answer; `comparison_detects_differences` checks the comparison.

use std::fmt::Write as _;

use ptx_kernel_runtime::{Device, KernelModule, LaunchConfig};

// ----- types -------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum T {
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    B32,
    S64,
    U64,
    B64,
    F16,
    BF16,
    F32,
    F64,
}

use T::*;

impl T {
    fn name(self) -> &'static str {
        match self {
            S8 => "s8",
            U8 => "u8",
            S16 => "s16",
            U16 => "u16",
            S32 => "s32",
            U32 => "u32",
            B32 => "b32",
            S64 => "s64",
            U64 => "u64",
            B64 => "b64",
            F16 => "f16",
            BF16 => "bf16",
            F32 => "f32",
            F64 => "f64",
        }
    }
    /// The spelling for `ld`/`st` (half-precision moves as `.b16`).
    fn mem(self) -> &'static str {
        match self {
            F16 | BF16 => "b16",
            t => t.name(),
        }
    }
    fn bits(self) -> u32 {
        match self {
            S8 | U8 => 8,
            S16 | U16 | F16 | BF16 => 16,
            S32 | U32 | B32 | F32 => 32,
            S64 | U64 | B64 | F64 => 64,
        }
    }
    fn mask(self) -> u64 {
        if self.bits() == 64 {
            u64::MAX
        } else {
            (1u64 << self.bits()) - 1
        }
    }
    /// Register prefix of the register class holding this type.
    fn reg(self) -> &'static str {
        match self {
            S8 | U8 | S16 | U16 | F16 | BF16 => "%rs",
            S32 | U32 | B32 => "%r",
            S64 | U64 | B64 => "%rd",
            F32 => "%f",
            F64 => "%fd",
        }
    }
    fn is_signed(self) -> bool {
        matches!(self, S8 | S16 | S32 | S64)
    }
}

/// A value of type `t` from its bits, for the report.
fn show(t: T, bits: u64) -> String {
    let b = bits & t.mask();
    match t {
        F32 => format!("{:e}({b:#010x})", f32::from_bits(b as u32)),
        F64 => format!("{:e}({b:#018x})", f64::from_bits(b)),
        F16 => format!("{}({b:#06x})", half::f16::from_bits(b as u16)),
        BF16 => format!("{}({b:#06x})", half::bf16::from_bits(b as u16)),
        _ if t.is_signed() => {
            let sh = 64 - t.bits();
            format!("{}", ((b << sh) as i64) >> sh)
        }
        _ => format!("{b}"),
    }
}

// ----- groups and variants -----------------------------------------------------------------------------------

/// How a variant's results are compared.
#[derive(Clone, Copy, Debug)]
enum Check {
    /// Bit for bit.
    Exact,
    /// An `.approx` result: equal NaN-ness, and within `ulp` ulps, or within `abs` absolute, or within `rel`
    /// relative error (whichever holds). `doc` names the bound.
    Approx { f64: bool, ulp: u64, abs: f64, rel: f64, doc: &'static str },
}

struct Variant {
    /// Instruction lines; `{d}` is the result register, `{a}` `{b}` `{c}` the operands.
    text: String,
    label: String,
    out: T,
    check: Check,
}

struct Group {
    name: String,
    inputs: Vec<T>,
    variants: Vec<Variant>,
    cases: Vec<[u64; 3]>,
}

/// `op d, a` / `op d, a, b` / `op d, a, b, c` with the operands the group has.
fn simple(op: &str, nin: usize, out: T, check: Check) -> Variant {
    let ops = ["{a}", "{b}", "{c}"][..nin].join(", ");
    Variant { text: format!("{op} {{d}}, {ops};"), label: op.to_owned(), out, check }
}

/// Register of operand `k` (0..3) of type `t`; results are register 30 of their class.
fn operand_reg(t: T, k: usize) -> String {
    format!("{}{}", t.reg(), 21 + k)
}

/// The PTX module of a group: entry `entry(in0, in1, in2, out, n)`.
fn group_ptx(g: &Group, entry: &str) -> String {
    let mut s = String::new();
    s.push_str(".version 7.8\n.target sm_80\n.address_size 64\n\n");
    let _ = writeln!(s, ".visible .entry {entry}(");
    for i in 0..4 {
        let _ = writeln!(s, "\t.param .u64 {entry}_param_{i},");
    }
    let _ = writeln!(s, "\t.param .u32 {entry}_param_4\n)\n{{");
    s.push_str("\t.reg .pred \t%p<4>;\n\t.reg .b16 \t%rs<32>;\n\t.reg .b32 \t%r<32>;\n\t.reg .b64 \t%rd<32>;\n");
    s.push_str("\t.reg .f32 \t%f<32>;\n\t.reg .f64 \t%fd<32>;\n\n");
    for i in 0..4 {
        let _ = writeln!(s, "\tld.param.u64 \t%rd{}, [{entry}_param_{i}];", i + 1);
    }
    let _ = writeln!(s, "\tld.param.u32 \t%r1, [{entry}_param_4];");
    s.push_str(
        "\tmov.u32 \t%r2, %ctaid.x;\n\tmov.u32 \t%r3, %ntid.x;\n\tmov.u32 \t%r4, %tid.x;\n\
         \tmad.lo.s32 \t%r5, %r2, %r3, %r4;\n\tsetp.ge.u32 \t%p1, %r5, %r1;\n\t@%p1 bra \t$L__BB0_2;\n",
    );
    for i in 1..=4 {
        let _ = writeln!(s, "\tcvta.to.global.u64 \t%rd{}, %rd{};", i + 4, i);
    }
    s.push_str("\tmul.wide.u32 \t%rd9, %r5, 8;\n\tcvt.u64.u32 \t%rd10, %r1;\n\tshl.b64 \t%rd10, %rd10, 3;\n");
    for (k, &t) in g.inputs.iter().enumerate() {
        let _ = writeln!(s, "\tadd.s64 \t%rd11, %rd{}, %rd9;", k + 5);
        let _ = writeln!(s, "\tld.global.{} \t{}, [%rd11];", t.mem(), operand_reg(t, k));
    }
    s.push_str("\tadd.s64 \t%rd12, %rd8, %rd9;\n");
    for (i, v) in g.variants.iter().enumerate() {
        if i > 0 {
            s.push_str("\tadd.s64 \t%rd12, %rd12, %rd10;\n");
        }
        let mut text = v.text.replace("{d}", &format!("{}30", v.out.reg()));
        for (k, name) in ["{a}", "{b}", "{c}"].iter().enumerate() {
            if let Some(&t) = g.inputs.get(k) {
                text = text.replace(name, &operand_reg(t, k));
            }
        }
        for line in text.split('\n') {
            let (op, rest) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
            let _ = writeln!(s, "\t{op} \t{}", rest.trim());
        }
        let _ = writeln!(s, "\tst.global.{} \t[%rd12], {}30;", v.out.mem(), v.out.reg());
    }
    s.push_str("$L__BB0_2:\n\tret;\n}\n");
    s
}

// ----- inputs ------------------------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn f64_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

fn f32s(v: &[f32]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits() as u64).collect()
}

fn f64s(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Edge values of a type, as bits.
fn edges(t: T) -> Vec<u64> {
    match t {
        F32 => {
            let mut v = vec![
                0x7FC0_0000u64, 0xFFC0_0000, 0x7F80_0001, 0x7FBF_FFFF, 0xFFFF_FFFF, 0x7FC1_2345, 0xFF80_0ABC,
                0x0000_0001, 0x8000_0001, 0x0040_0000, 0x807F_FFFF, 0x0080_0000, 0x8080_0000,
            ];
            v.extend(f32s(&[
                0.0,
                -0.0,
                f32::INFINITY,
                f32::NEG_INFINITY,
                1.0,
                -1.0,
                0.5,
                -0.5,
                1.5,
                -1.5,
                2.5,
                -2.5,
                3.5,
                0.49999997,
                0.50000006,
                -0.99999994,
                f32::MAX,
                f32::MIN,
                1e20,
                -1e20,
                127.5,
                128.0,
                -128.5,
                -129.0,
                255.5,
                256.0,
                32767.5,
                32768.0,
                -32768.5,
                65535.5,
                65536.0,
                2147483520.0,
                2147483648.0,
                -2147483648.0,
                -2147483904.0,
                4294967040.0,
                4294967296.0,
                9.223371e18,
                9.223372e18,
                -9.223372e18,
                1.8446743e19,
                8388609.0,
                16777215.0,
                f32::EPSILON,
                3.0,
                7.0,
                1.0e-40,
            ]));
            v
        }
        F64 => {
            let mut v = vec![
                0x7FF8_0000_0000_0000u64, 0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0x7FF7_FFFF_FFFF_FFFF,
                0xFFFF_FFFF_FFFF_FFFF, 0x7FF8_0000_1234_5678, 0x0000_0000_0000_0001, 0x8000_0000_0000_0001,
                0x000F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0000,
            ];
            v.extend(f64s(&[
                0.0,
                -0.0,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1.0,
                -1.0,
                0.5,
                -0.5,
                1.5,
                -1.5,
                2.5,
                -2.5,
                3.5,
                0.49999999999999994,
                -0.5000000000000001,
                f64::MAX,
                f64::MIN,
                1e300,
                -1e300,
                1e20,
                -1e20,
                127.5,
                128.0,
                -128.5,
                -129.0,
                255.5,
                256.0,
                32767.5,
                -32768.5,
                65535.5,
                65536.0,
                2147483647.5,
                2147483648.0,
                -2147483648.5,
                -2147483649.0,
                4294967295.5,
                4294967296.0,
                9223372036854774784.0,
                9223372036854775808.0,
                -9223372036854775808.0,
                -9223372036854777856.0,
                18446744073709549568.0,
                18446744073709551616.0,
                16777217.0,
                3.4028235677973366e38,
                3.4028235677973362e38,
                1.1754942807573643e-38,
                1.401298464324817e-45,
                7.006492321624085e-46,
                f32::MAX as f64 * 2.0,
                1e-310,
                3.0,
                7.0,
            ]));
            v
        }
        F16 => vec![
            0x7E00, 0x7C01, 0xFE00, 0x7FFF, 0x7D23, 0x7C00, 0xFC00, 0x0000, 0x8000, 0x0001, 0x83FF, 0x0400, 0x3C00,
            0xBC00, 0x3800, 0xB800, 0x3E00, 0xBE00, 0x4100, 0xC100, 0x7BFF, 0xFBFF, 0x57F8, 0x5800, 0xD804, 0x5BFC,
            0x5C00, 0x3BFF, 0x4300,
        ],
        BF16 => vec![0x7FC0, 0xFFC1, 0x7F80, 0xFF80, 0x0000, 0x8000, 0x0001, 0x3F80, 0xBFC0, 0x7F7F, 0x4F00],
        _ => {
            let bits = t.bits();
            let m = t.mask();
            let (min, max) = if t.is_signed() { (1u64 << (bits - 1), m >> 1) } else { (0, m) };
            let mut v =
                vec![min, max, min.wrapping_add(1) & m, max.wrapping_sub(1) & m, 0, 1, m, m - 1, 2, 3, 7, m - 6];
            for x in [0x7Fu64, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x8000_0000, 0xFFFF_FFFF] {
                v.push(x & m);
            }
            v.dedup();
            v
        }
    }
}

/// A random value of type `t`: random bits, or for floats also moderate values with fractions (so conversions
/// to integers land in range and on halves).
fn random(t: T, rng: &mut Rng) -> u64 {
    let r = rng.next();
    match t {
        F32 => match r % 4 {
            0 | 1 => r >> 32,
            2 => {
                ((rng.below(1 << 20) as f64 - (1 << 19) as f64 + [0.0, 0.5, 0.25, 0.75][(r >> 8) as usize % 4]) as f32)
                    .to_bits() as u64
            }
            _ => {
                let e = rng.below(70) as i32;
                (rng.f64_in(-1.0, 1.0) * 2f64.powi(e)) as f32
            }
            .to_bits() as u64,
        },
        F64 => match r % 4 {
            0 | 1 => rng.next(),
            2 => (rng.below(1 << 40) as f64 - (1u64 << 39) as f64 + [0.0, 0.5, 0.25, 0.75][(r >> 8) as usize % 4])
                .to_bits(),
            _ => (rng.f64_in(-1.0, 1.0) * 2f64.powi(rng.below(70) as i32)).to_bits(),
        },
        F16 | BF16 => r & 0xFFFF,
        _ => {
            if r.is_multiple_of(3) {
                ((r >> 8) % 300) & t.mask()
            } else {
                (r >> 7) & t.mask()
            }
        }
    }
}

/// Cases for operands of types `ts`: each value alone (one operand), every pair of edge values (two operands;
/// the third cycles through its edges), then `n` random tuples where each operand is an edge value one time in
/// four.
fn cases(ts: &[T], n: usize, rng: &mut Rng) -> Vec<[u64; 3]> {
    let e: Vec<Vec<u64>> = ts.iter().map(|&t| edges(t)).collect();
    let mut out = Vec::new();
    match ts.len() {
        1 => out.extend(e[0].iter().map(|&a| [a, 0, 0])),
        _ => {
            let mut k = 0;
            for &a in &e[0] {
                for &b in &e[1] {
                    let c = if ts.len() > 2 { e[2][k % e[2].len()] } else { 0 };
                    k += 1;
                    out.push([a, b, c]);
                }
            }
        }
    }
    for _ in 0..n {
        let mut c = [0u64; 3];
        for (k, &t) in ts.iter().enumerate() {
            c[k] = if rng.below(4) == 0 { e[k][rng.below(e[k].len() as u64) as usize] } else { random(t, rng) };
        }
        out.push(c);
    }
    out
}

// ----- the variant groups ------------------------------------------------------------------------------------

const INTS: [T; 8] = [S8, S16, S32, S64, U8, U16, U32, U64];
const IROUND: [&str; 4] = ["rni", "rzi", "rmi", "rpi"];
const FROUND: [&str; 4] = ["rn", "rz", "rm", "rp"];

fn approx(f64: bool, ulp: u64, abs: f64, rel: f64, doc: &'static str) -> Check {
    Check::Approx { f64, ulp, abs, rel, doc }
}

fn groups() -> Vec<Group> {
    let mut rng = Rng(0x5EED_D1FF);
    let mut gs = Vec::new();
    let mut group = |name: &str, inputs: &[T], variants: Vec<Variant>, cases: Vec<[u64; 3]>| {
        gs.push(Group { name: name.to_owned(), inputs: inputs.to_vec(), variants, cases });
    };

    // cvt float -> int, every destination, mode, with and without .sat.
    for src in [F16, F32, F64] {
        let mut vs = Vec::new();
        for dst in INTS {
            for m in IROUND {
                for sat in ["", ".sat"] {
                    let op = format!("cvt.{m}{sat}.{}.{}", dst.name(), src.name());
                    vs.push(simple(&op, 1, dst, Check::Exact));
                }
            }
        }
        let c = cases(&[src], 3000, &mut rng);
        group(&format!("cvt float->int from {}", src.name()), &[src], vs, c);
    }

    // cvt int -> float.
    for src in [S32, U32, S64, U64] {
        let mut vs = Vec::new();
        for dst in [F32, F64] {
            for m in FROUND {
                vs.push(simple(&format!("cvt.{m}.{}.{}", dst.name(), src.name()), 1, dst, Check::Exact));
            }
        }
        let mut c = cases(&[src], 3000, &mut rng);
        // Values just around f32/f64 rounding boundaries.
        for k in [24u32, 25, 31, 53, 54, 63] {
            for d in [-3i64, -1, 0, 1, 3] {
                if k < src.bits() {
                    c.push([(1u64 << k).wrapping_add(d as u64) & src.mask(), 0, 0]);
                }
            }
        }
        group(&format!("cvt int->float from {}", src.name()), &[src], vs, c);
    }

    // float <-> float.
    {
        let mut vs = vec![simple("cvt.f64.f32", 1, F64, Check::Exact)];
        for m in FROUND {
            vs.push(simple(&format!("cvt.{m}.f16.f32"), 1, F16, Check::Exact));
        }
        for m in ["rn", "rz"] {
            vs.push(simple(&format!("cvt.{m}.bf16.f32"), 1, BF16, Check::Exact));
        }
        let c = cases(&[F32], 4000, &mut rng);
        group("cvt from f32", &[F32], vs, c);

        let mut vs = Vec::new();
        for m in FROUND {
            vs.push(simple(&format!("cvt.{m}.f32.f64"), 1, F32, Check::Exact));
        }
        vs.push(simple("cvt.rn.f16.f64", 1, F16, Check::Exact));
        let c = cases(&[F64], 4000, &mut rng);
        group("cvt from f64", &[F64], vs, c);

        let vs = vec![simple("cvt.f32.f16", 1, F32, Check::Exact), simple("cvt.f64.f16", 1, F64, Check::Exact)];
        let c = (0..=0xFFFFu64).map(|b| [b, 0, 0]).collect();
        group("cvt from f16 (all 65536)", &[F16], vs, c);
        let vs = vec![simple("cvt.f32.bf16", 1, F32, Check::Exact)];
        let c = (0..=0xFFFFu64).map(|b| [b, 0, 0]).collect();
        group("cvt from bf16 (all 65536)", &[BF16], vs, c);
    }

    // Correctly rounded float arithmetic in every rounding mode.
    for t in [F32, F64] {
        let n = t.name();
        let mut vs = Vec::new();
        for op in ["add", "sub", "mul", "div"] {
            for m in FROUND {
                vs.push(simple(&format!("{op}.{m}.{n}"), 2, t, Check::Exact));
            }
        }
        vs.push(simple(&format!("min.{n}"), 2, t, Check::Exact));
        vs.push(simple(&format!("max.{n}"), 2, t, Check::Exact));
        let c = cases(&[t, t], 8000, &mut rng);
        group(&format!("{n} binary"), &[t, t], vs, c);

        let vs = FROUND.iter().map(|m| simple(&format!("fma.{m}.{n}"), 3, t, Check::Exact)).collect();
        let mut c = cases(&[t, t, t], 8000, &mut rng);
        // Products that nearly cancel the addend.
        for _ in 0..2000 {
            let (a, b) = (random(t, &mut rng), random(t, &mut rng));
            let p = if t == F32 {
                (-(f32::from_bits(a as u32) * f32::from_bits(b as u32))).to_bits() as u64
            } else {
                (-(f64::from_bits(a) * f64::from_bits(b))).to_bits()
            };
            c.push([a, b, p]);
        }
        group(&format!("{n} fma"), &[t, t, t], vs, c);

        let mut vs = Vec::new();
        for op in ["sqrt", "rcp"] {
            for m in FROUND {
                vs.push(simple(&format!("{op}.{m}.{n}"), 1, t, Check::Exact));
            }
        }
        vs.push(simple(&format!("neg.{n}"), 1, t, Check::Exact));
        vs.push(simple(&format!("abs.{n}"), 1, t, Check::Exact));
        let c = cases(&[t], 6000, &mut rng);
        group(&format!("{n} unary"), &[t], vs, c);

        // Every comparison, NaN operands included (edge pairs cover NaN x everything).
        let vs = ["eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan"]
            .iter()
            .map(|cmp| {
                let text = format!("setp.{cmp}.{n} %p2, {{a}}, {{b}};\nselp.u32 {{d}}, 1, 0, %p2;");
                Variant { label: format!("setp.{cmp}.{n}"), text, out: U32, check: Check::Exact }
            })
            .collect();
        let mut c = cases(&[t, t], 3000, &mut rng);
        c.extend(edges(t).iter().map(|&a| [a, a, 0]));
        group(&format!("{n} setp"), &[t, t], vs, c);
    }

    // Integer division and remainder (by zero and MIN / -1 come from the edge pairs), min/max, mul.hi/lo/wide.
    for t in [S32, U32, S64, U64] {
        let n = t.name();
        let mut vs = vec![
            simple(&format!("div.{n}"), 2, t, Check::Exact),
            simple(&format!("rem.{n}"), 2, t, Check::Exact),
            simple(&format!("min.{n}"), 2, t, Check::Exact),
            simple(&format!("max.{n}"), 2, t, Check::Exact),
            simple(&format!("mul.lo.{n}"), 2, t, Check::Exact),
            simple(&format!("mul.hi.{n}"), 2, t, Check::Exact),
        ];
        if t.bits() == 32 {
            vs.push(simple(&format!("mul.wide.{n}"), 2, if t == S32 { S64 } else { U64 }, Check::Exact));
        }
        let cmps: &[&str] =
            if t.is_signed() { &["eq", "ne", "lt", "le", "gt", "ge"] } else { &["eq", "ne", "lo", "ls", "hi", "hs"] };
        for cmp in cmps {
            let text = format!("setp.{cmp}.{n} %p2, {{a}}, {{b}};\nselp.u32 {{d}}, 1, 0, %p2;");
            vs.push(Variant { label: format!("setp.{cmp}.{n}"), text, out: U32, check: Check::Exact });
        }
        let c = cases(&[t, t], 6000, &mut rng);
        group(&format!("{n} arithmetic"), &[t, t], vs, c);
    }

    // Shifts by 0..=70 and by huge amounts.
    for (t, b) in [(S32, B32), (U32, B32), (S64, B64), (U64, B64)] {
        let n = t.name();
        let mut vs = vec![simple(&format!("shr.{n}"), 2, t, Check::Exact)];
        if t.is_signed() {
            vs.push(simple(&format!("shl.{}", b.name()), 2, b, Check::Exact));
        }
        let a = cases(&[t], 200, &mut rng);
        let mut c = Vec::new();
        for (i, x) in a.iter().enumerate() {
            for s in (0..=70u64).chain([127, 128, 255, 256, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]) {
                if (i + s as usize).is_multiple_of(3) || i < edges(t).len() {
                    c.push([x[0], s, 0]);
                }
            }
        }
        group(&format!("{n} shifts"), &[t, U32], vs, c);
    }

    // Bit operations.
    for t in [B32, B64] {
        let n = t.name();
        let vs = vec![
            simple(&format!("popc.{n}"), 1, U32, Check::Exact),
            simple(&format!("clz.{n}"), 1, U32, Check::Exact),
            simple(&format!("brev.{n}"), 1, t, Check::Exact),
            simple(&format!("not.{n}"), 1, t, Check::Exact),
        ];
        let c = cases(&[t], 3000, &mut rng);
        group(&format!("{n} bit counts"), &[t], vs, c);

        let (s, u) = if t == B32 { (S32, U32) } else { (S64, U64) };
        let vs = vec![
            simple(&format!("bfe.{}", s.name()), 3, s, Check::Exact),
            simple(&format!("bfe.{}", u.name()), 3, u, Check::Exact),
        ];
        let mut c = Vec::new();
        for _ in 0..6000 {
            let pick = |rng: &mut Rng| match rng.below(4) {
                0 => [0u64, 255, 256, 300, 0xFFFF_FFFF, 63, 64, 32, 31][rng.below(9) as usize],
                _ => rng.below(71),
            };
            let (pos, len) = (pick(&mut rng), pick(&mut rng));
            c.push([random(t, &mut rng) | (rng.below(2) << (t.bits() - 1)), pos, len]);
        }
        group(&format!("{n} bfe"), &[t, U32, U32], vs, c);

        // bfi d, f, b, pos, len: pos and len packed in the third operand (pos | len << 32).
        let text = format!(
            "cvt.u32.u64 %r23, {{c}};\nshr.u64 %rd29, {{c}}, 32;\ncvt.u32.u64 %r24, %rd29;\n\
             bfi.{n} {{d}}, {{a}}, {{b}}, %r23, %r24;"
        );
        let vs = vec![Variant { label: format!("bfi.{n}"), text, out: t, check: Check::Exact }];
        let mut c = Vec::new();
        for _ in 0..6000 {
            let pick = |rng: &mut Rng| match rng.below(4) {
                0 => [0u64, 255, 256, 300, 0xFFFF_FFFF, 63, 64, 32, 31][rng.below(9) as usize],
                _ => rng.below(71),
            };
            let (pos, len) = (pick(&mut rng), pick(&mut rng));
            c.push([random(t, &mut rng), random(t, &mut rng), pos | len << 32]);
        }
        group(&format!("{n} bfi"), &[t, t, U64], vs, c);
    }

    // Approximate functions: PTX ISA bound of the hardware, plus one ulp.
    {
        let one = |op: &str, check: Check, lo: f64, hi: f64, rng: &mut Rng| {
            let mut c: Vec<[u64; 3]> = f32s(&[
                0.0,
                -0.0,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NAN,
                -1.0,
                1.0,
                0.5,
                2.0,
                f32::MIN_POSITIVE,
                1.0e-40,
            ])
            .into_iter()
            .map(|a| [a, 0, 0])
            .collect();
            for _ in 0..6000 {
                c.push([(rng.f64_in(lo, hi) as f32).to_bits() as u64, 0, 0]);
            }
            (simple(op, 1, F32, check), c)
        };
        // Positive values of every magnitude (random exponent), for sqrt/rsqrt/rcp/lg2.
        let positive = |op: &str, check: Check, rng: &mut Rng| {
            let (v, mut c) = one(op, check, 0.0, 1.0, rng);
            for x in c.iter_mut().skip(11) {
                x[0] = rng.next() & 0x7F7F_FFFF;
            }
            (v, c)
        };
        let specs: Vec<(Variant, Vec<[u64; 3]>)> = vec![
            one("ex2.approx.f32", approx(false, 3, 0.0, 0.0, "2 ulp (PTX ISA) + 1"), -130.0, 130.0, &mut rng),
            positive(
                "lg2.approx.f32",
                approx(false, 3, 2f64.powi(-21), 0.0, "2^-22 abs near 1, else 2 ulp (PTX ISA) + 1"),
                &mut rng,
            ),
            one(
                "sin.approx.f32",
                approx(false, 0, 2f64.powi(-20), 0.0, "2^-20.5 abs in -100pi..100pi (PTX ISA), taken as 2^-20"),
                -100.0 * std::f64::consts::PI,
                100.0 * std::f64::consts::PI,
                &mut rng,
            ),
            one(
                "cos.approx.f32",
                approx(false, 0, 2f64.powi(-20), 0.0, "2^-20.5 abs in -100pi..100pi (PTX ISA), taken as 2^-20"),
                -100.0 * std::f64::consts::PI,
                100.0 * std::f64::consts::PI,
                &mut rng,
            ),
            one(
                "tanh.approx.f32",
                approx(false, 2, 0.0, 2f64.powi(-10), "2^-10.987 relative (PTX ISA), taken as 2^-10"),
                -12.0,
                12.0,
                &mut rng,
            ),
            positive("rsqrt.approx.f32", approx(false, 3, 0.0, 0.0, "2^-22.9 relative (PTX ISA) + 1 ulp"), &mut rng),
            positive("rcp.approx.f32", approx(false, 2, 0.0, 0.0, "1 ulp (PTX ISA) + 1"), &mut rng),
            positive(
                "sqrt.approx.f32",
                approx(false, 3, 0.0, 0.0, "2^-23 relative (PTX ISA), taken as 3 ulp"),
                &mut rng,
            ),
        ];
        for (v, c) in specs {
            let name = format!("{} (approx)", v.label);
            group(&name, &[F32], vec![v], c);
        }

        // div.approx: 2 ulp for divisors in [2^-126, 2^126]; div.full: 2 ulp over the full range.
        let mut c = Vec::new();
        for _ in 0..8000 {
            let a = (rng.f64_in(-1.0, 1.0) * 2f64.powi(rng.below(120) as i32 - 60)) as f32;
            let b = (rng.f64_in(-1.0, 1.0) * 2f64.powi(rng.below(120) as i32 - 60)) as f32;
            c.push([a.to_bits() as u64, b.to_bits() as u64, 0]);
        }
        for (a, b) in [(1.0f32, 0.0f32), (0.0, 0.0), (f32::INFINITY, 2.0), (3.0, f32::INFINITY), (f32::NAN, 1.0)] {
            c.push([a.to_bits() as u64, b.to_bits() as u64, 0]);
        }
        let v = simple(
            "div.approx.f32",
            2,
            F32,
            approx(false, 3, f32::MIN_POSITIVE as f64, 0.0, "2 ulp (PTX ISA) + 1, or 2^-126 abs"),
        );
        group("div.approx.f32 (approx)", &[F32, F32], vec![v], c.clone());
        c.extend(cases(&[F32, F32], 4000, &mut rng));
        let v = simple(
            "div.full.f32",
            2,
            F32,
            approx(false, 3, f32::MIN_POSITIVE as f64, 0.0, "2 ulp (PTX ISA) + 1, or 2^-126 abs"),
        );
        group("div.full.f32 (approx)", &[F32, F32], vec![v], c);
    }
    gs
}

// ----- running -----------------------------------------------------------------------------------------------

/// The module of group `i`, verified.
fn module(i: usize, g: &Group) -> &'static KernelModule {
    let entry = format!("diff_isa_{i}");
    let ptx = group_ptx(g, &entry);
    if let Some(dir) = std::env::var_os("DIFF_ISA_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join(format!("{entry}.ptx")), &ptx).unwrap();
    }
    let m = ptx_gen::read::read_module(&ptx)
        .unwrap_or_else(|e| panic!("group `{}`: the generated PTX does not read back: {e}\n{ptx}", g.name));
    if let Err(e) = ptx_gen::verify::verify_module(&m) {
        panic!("group `{}`: the verifier rejects the generated PTX: {e}\n{ptx}", g.name);
    }
    let ptx: &'static str = Box::leak(ptx.into_boxed_str());
    let entry: &'static str = Box::leak(entry.into_boxed_str());
    Box::leak(Box::new(KernelModule::new(ptx, entry, 80)))
}

/// Runs group `g` on `dev`: one result vector per variant, each `cases.len()` long.
fn run(dev: &Device, m: &'static KernelModule, g: &Group) -> Vec<Vec<u64>> {
    let n = g.cases.len();
    let input = |k: usize| -> Vec<u64> {
        let mask = g.inputs.get(k).map_or(0, |t| t.mask());
        g.cases.iter().map(|c| c[k] & mask).collect()
    };
    let ins: Vec<_> = (0..3).map(|k| dev.upload(&input(k)).unwrap()).collect();
    let out = dev.alloc_zeros::<u64>(n * g.variants.len()).unwrap();
    let p = |b: &ptx_kernel_runtime::DeviceBuffer<u64>| b.device_ptr().to_ne_bytes();
    let (a0, a1, a2, a3) = (p(&ins[0]), p(&ins[1]), p(&ins[2]), p(&out));
    let nn = (n as u32).to_ne_bytes();
    m.launch(dev, LaunchConfig::for_num_elems(n as u32), &[&a0, &a1, &a2, &a3, &nn])
        .unwrap_or_else(|e| panic!("group `{}` on {dev}: {e}", g.name));
    let all = out.download().unwrap_or_else(|e| panic!("group `{}` on {dev}: {e}", g.name));
    all.chunks(n).map(|c| c.to_vec()).collect()
}

/// Position of a float on the integer line (adjacent floats differ by 1, ±0 are both 0).
fn ordinal(bits: u64, f64: bool) -> i128 {
    let (sign, mag) =
        if f64 { (bits >> 63 != 0, bits & !(1 << 63)) } else { (bits >> 31 & 1 != 0, bits & 0x7FFF_FFFF) };
    if sign {
        -(mag as i128)
    } else {
        mag as i128
    }
}

/// Whether GPU result `g` and emulator result `e` agree under `check`; the ulp distance for approx checks.
fn agree(check: Check, g: u64, e: u64) -> (bool, u64) {
    match check {
        Check::Exact => (g == e, 0),
        Check::Approx { f64, ulp, abs, rel, .. } => {
            let val = |b: u64| {
                if f64 {
                    f64::from_bits(b)
                } else {
                    f32::from_bits(b as u32) as f64
                }
            };
            let (x, y) = (val(g), val(e));
            if x.is_nan() || y.is_nan() {
                return (x.is_nan() && y.is_nan(), if x.is_nan() && y.is_nan() { 0 } else { u64::MAX });
            }
            let d = (ordinal(g, f64) - ordinal(e, f64)).unsigned_abs().min(u64::MAX as u128) as u64;
            let ok = d <= ulp
                || (x.is_finite() && y.is_finite() && ((x - y).abs() <= abs || (x - y).abs() <= rel * y.abs()));
            // Results in the subnormal range: the hardware approximations are specified for normal results.
            let ok = ok || (!f64 && x.abs() < f32::MIN_POSITIVE as f64 && y.abs() < f32::MIN_POSITIVE as f64);
            (ok, d)
        }
    }
}

struct Row {
    label: String,
    cases: usize,
    mismatches: usize,
    max_ulp: Option<u64>,
    bound: String,
    first: String,
}

fn compare(g: &Group, gpu: &[Vec<u64>], emu: &[Vec<u64>]) -> Vec<Row> {
    g.variants
        .iter()
        .enumerate()
        .map(|(v, var)| {
            let (mut bad, mut max_ulp, mut first) = (0, 0u64, String::new());
            for (i, c) in g.cases.iter().enumerate() {
                let (ge, ee) = (gpu[v][i] & var.out.mask(), emu[v][i] & var.out.mask());
                let (ok, d) = agree(var.check, ge, ee);
                if ok {
                    max_ulp = max_ulp.max(d);
                } else {
                    bad += 1;
                    if first.is_empty() {
                        let ins: Vec<String> = g.inputs.iter().enumerate().map(|(k, &t)| show(t, c[k])).collect();
                        first = format!("in ({}) gpu {} emu {}", ins.join(", "), show(var.out, ge), show(var.out, ee));
                    }
                }
            }
            let (max_ulp, bound) = match var.check {
                Check::Exact => (None, "exact".to_owned()),
                Check::Approx { doc, .. } => (Some(max_ulp), doc.to_owned()),
            };
            Row { label: var.label.clone(), cases: g.cases.len(), mismatches: bad, max_ulp, bound, first }
        })
        .collect()
}

/// `Device::cuda(0)`, or `None` (with a note) when there is none; a failure when `PTX_KERNEL_DEVICE` asks for CUDA.
fn gpu() -> Option<Device> {
    match Device::cuda(0) {
        Ok(d) => Some(d),
        Err(e) => {
            let wanted = std::env::var("PTX_KERNEL_DEVICE").unwrap_or_default();
            if wanted.trim().to_ascii_lowercase().starts_with("cuda") {
                panic!("PTX_KERNEL_DEVICE={wanted} but CUDA device 0 cannot be opened: {e}");
            }
            println!("note: differential_isa: no CUDA device ({e}); emulator side only, nothing compared");
            None
        }
    }
}

/// Runs every group on `reference` and on `emu` and compares: the printed table, exact mismatches, approx results
/// out of bound.
fn differential(
    gs: &[Group],
    modules: &[&'static KernelModule],
    reference: &Device,
    emu: &Device,
) -> (String, usize, usize) {
    let start = std::time::Instant::now();
    let mut rows = Vec::new();
    for (g, m) in gs.iter().zip(modules) {
        let (a, b) = (run(reference, m, g), run(emu, m, g));
        rows.push((g.name.clone(), compare(g, &a, &b)));
    }
    let mut report = format!("differential_isa: {reference} vs {emu} ({:.1} s)\n", start.elapsed().as_secs_f64());
    let _ = writeln!(
        report,
        "{:<26} {:>6} {:>8} {:>7}  first mismatch: inputs, gpu, emu",
        "variant", "cases", "mismatch", "max ulp"
    );
    let (mut variants, mut cases, mut exact_bad, mut approx_bad) = (0, 0, 0, 0);
    for (gname, rs) in &rows {
        let _ = writeln!(report, "-- {gname}");
        for r in rs {
            variants += 1;
            cases += r.cases;
            if r.max_ulp.is_some() {
                approx_bad += r.mismatches;
            } else {
                exact_bad += r.mismatches;
            }
            let ulp = r.max_ulp.map_or("-".to_owned(), |u| u.to_string());
            let _ = writeln!(report, "{:<26} {:>6} {:>8} {:>7}  {}", r.label, r.cases, r.mismatches, ulp, r.first);
            if r.max_ulp.is_some() {
                let _ = writeln!(report, "{:<26} (bound: {})", "", r.bound);
            }
        }
    }
    let _ = writeln!(
        report,
        "differential_isa: {variants} variants, {cases} cases compared on {reference} and the emulator; \
         {exact_bad} exact mismatches, {approx_bad} approx results out of bound"
    );
    (report, exact_bad, approx_bad)
}

#[test]
fn isa_differential() {
    let gs = groups();
    let modules: Vec<_> = gs.iter().enumerate().map(|(i, g)| module(i, g)).collect();
    let emu = Device::emulator();
    let Some(gpu) = gpu() else {
        // No GPU: still run every variant on the emulator (each must load and run there) and the comparison itself
        // against a second emulator (it must find nothing), so the harness is exercised everywhere.
        let (report, exact_bad, approx_bad) = differential(&gs, &modules, &Device::emulator(), &emu);
        if std::env::var_os("DIFF_ISA_TABLE").is_some() {
            println!("{report}");
        } else {
            println!("{}", report.lines().last().unwrap_or_default());
        }
        assert_eq!((exact_bad, approx_bad), (0, 0), "two emulators disagree:\n{report}");
        println!("note: differential_isa: nothing compared with a GPU");
        return;
    };
    let (report, exact_bad, approx_bad) = differential(&gs, &modules, &gpu, &emu);
    println!("{report}");
    assert_eq!((exact_bad, approx_bad), (0, 0), "the emulator disagrees with the GPU (table above)");
}

/// The harness against Rust's own semantics, on the emulator alone (no GPU needed): `as` casts are PTX's
/// `cvt.rzi` with saturation (NaN left out: the GPU gives 0 or the destination's MIN there, not Rust's 0 always),
/// `as f32` from f64 is `cvt.rn`, `+`/`*`/`/` are `.rn`, integer division is `div`, shifts past the width give 0
/// (logical) or the sign (arithmetic).
#[test]
fn emulator_matches_rust_semantics() {
    let gs = groups();
    let emu = Device::emulator();
    let f32v = |b: u64| f32::from_bits(b as u32);
    let f64v = f64::from_bits;
    let mut checked = 0;
    for (i, g) in gs.iter().enumerate() {
        let want: &dyn Fn(&str, &[u64; 3]) -> Option<u64> = &|label: &str, c: &[u64; 3]| -> Option<u64> {
            Some(match label {
                "cvt.rzi.s32.f32" | "cvt.rzi.sat.s32.f32" if !f32v(c[0]).is_nan() => f32v(c[0]) as i32 as u32 as u64,
                "cvt.rzi.u8.f32" if !f32v(c[0]).is_nan() => f32v(c[0]) as u8 as u64,
                "cvt.rzi.s8.f32" if !f32v(c[0]).is_nan() => f32v(c[0]) as i8 as u8 as u64,
                "cvt.rzi.u64.f32" if !f32v(c[0]).is_nan() => f32v(c[0]) as u64,
                "cvt.rzi.s64.f64" if !f64v(c[0]).is_nan() => f64v(c[0]) as i64 as u64,
                "cvt.rzi.u32.f64" if !f64v(c[0]).is_nan() => f64v(c[0]) as u32 as u64,
                "cvt.rzi.s16.f64" if !f64v(c[0]).is_nan() => f64v(c[0]) as i16 as u16 as u64,
                "cvt.rni.s64.f64" if !f64v(c[0]).is_nan() => f64v(c[0]).round_ties_even() as i64 as u64,
                "cvt.rmi.s32.f64" if !f64v(c[0]).is_nan() => f64v(c[0]).floor() as i32 as u32 as u64,
                "cvt.rpi.u16.f32" if !f32v(c[0]).is_nan() => f32v(c[0]).ceil() as u16 as u64,
                "cvt.rn.f32.s64" => (c[0] as i64 as f32).to_bits() as u64,
                "cvt.rn.f64.u64" => (c[0] as f64).to_bits(),
                "cvt.rn.f32.f64" if !f64v(c[0]).is_nan() => (f64v(c[0]) as f32).to_bits() as u64,
                "cvt.f64.f32" if !f32v(c[0]).is_nan() => (f32v(c[0]) as f64).to_bits(),
                "cvt.f32.f16" if !half::f16::from_bits(c[0] as u16).is_nan() => {
                    half::f16::from_bits(c[0] as u16).to_f32().to_bits() as u64
                }
                "cvt.rn.f16.f32" if !f32v(c[0]).is_nan() => half::f16::from_f32(f32v(c[0])).to_bits() as u64,
                "add.rn.f32" if !(f32v(c[0]) + f32v(c[1])).is_nan() => (f32v(c[0]) + f32v(c[1])).to_bits() as u64,
                "mul.rn.f64" if !(f64v(c[0]) * f64v(c[1])).is_nan() => (f64v(c[0]) * f64v(c[1])).to_bits(),
                "div.rn.f64" if !(f64v(c[0]) / f64v(c[1])).is_nan() => (f64v(c[0]) / f64v(c[1])).to_bits(),
                "fma.rn.f64" if !f64v(c[0]).mul_add(f64v(c[1]), f64v(c[2])).is_nan() => {
                    f64v(c[0]).mul_add(f64v(c[1]), f64v(c[2])).to_bits()
                }
                "sqrt.rn.f32" if !f32v(c[0]).sqrt().is_nan() => f32v(c[0]).sqrt().to_bits() as u64,
                "div.u32" if c[1] as u32 != 0 => (c[0] as u32 / c[1] as u32) as u64,
                "rem.s64" if c[1] != 0 => (c[0] as i64).wrapping_rem(c[1] as i64) as u64,
                "div.s32" if c[1] as u32 != 0 => (c[0] as i32).wrapping_div(c[1] as i32) as u32 as u64,
                "mul.hi.u64" => ((c[0] as u128 * c[1] as u128) >> 64) as u64,
                "mul.wide.s32" => ((c[0] as i32 as i64) * (c[1] as i32 as i64)) as u64,
                "shr.u32" => (c[0] as u32).checked_shr(c[1] as u32).unwrap_or(0) as u64,
                "shr.s64" => ((c[0] as i64) >> (c[1] as u32).min(63)) as u64,
                "shl.b64" => c[0].checked_shl(c[1] as u32).unwrap_or(0),
                "popc.b64" => c[0].count_ones() as u64,
                "clz.b32" => (c[0] as u32).leading_zeros() as u64,
                "brev.b32" => (c[0] as u32).reverse_bits() as u64,
                "setp.lt.f32" => (f32v(c[0]) < f32v(c[1])) as u64,
                // geu: unordered or greater-or-equal, i.e. not less-than.
                #[allow(clippy::neg_cmp_op_on_partial_ord)]
                "setp.geu.f64" => !(f64v(c[0]) < f64v(c[1])) as u64,
                "setp.nan.f32" => (f32v(c[0]).is_nan() || f32v(c[1]).is_nan()) as u64,
                "setp.hi.u64" => (c[0] > c[1]) as u64,
                _ => return None,
            })
        };
        let interesting = g.variants.iter().any(|v| g.cases.first().is_some_and(|c| want(&v.label, c).is_some()))
            || g.variants.iter().any(|v| g.cases.iter().take(50).any(|c| want(&v.label, c).is_some()));
        if !interesting {
            continue;
        }
        let m = module(i, g);
        let got = run(&emu, m, g);
        for (v, var) in g.variants.iter().enumerate() {
            for (k, c) in g.cases.iter().enumerate() {
                let masked: [u64; 3] = std::array::from_fn(|j| c[j] & g.inputs.get(j).map_or(0, |t| t.mask()));
                if let Some(w) = want(&var.label, &masked) {
                    let e = got[v][k] & var.out.mask();
                    let w = w & var.out.mask();
                    let ins: Vec<String> = g.inputs.iter().enumerate().map(|(j, &t)| show(t, masked[j])).collect();
                    assert_eq!(
                        e,
                        w,
                        "{}: inputs ({}): emulator {} vs Rust {}",
                        var.label,
                        ins.join(", "),
                        show(var.out, e),
                        show(var.out, w)
                    );
                    checked += 1;
                }
            }
        }
    }
    println!("emulator_matches_rust_semantics: {checked} results checked against Rust");
    assert!(checked > 50_000, "only {checked} results were checked");
}

/// The comparison finds what it should: a flipped bit in an exact result, an approx result past its bound, and
/// not an approx result within it.
#[test]
fn comparison_detects_differences() {
    let gs = groups();
    let emu = Device::emulator();
    let i = gs.iter().position(|g| g.name == "f32 unary").unwrap();
    let g = &gs[i];
    let base = run(&emu, module(i, g), g);
    let mut other = base.clone();
    other[0][7] ^= 1;
    let rows = compare(g, &other, &base);
    assert_eq!(rows[0].mismatches, 1, "{}", rows[0].first);
    assert!(rows[0].first.contains("gpu") && rows[1..].iter().all(|r| r.mismatches == 0));

    let i = gs.iter().position(|g| g.name == "ex2.approx.f32 (approx)").unwrap();
    let g = &gs[i];
    let base = run(&emu, module(i, g), g);
    let k = g.cases.iter().position(|c| c[0] == 2.0f32.to_bits() as u64).unwrap();
    assert_eq!(base[0][k], 4.0f32.to_bits() as u64);
    let mut near = base.clone();
    near[0][k] += 2;
    let rows = compare(g, &near, &base);
    assert_eq!((rows[0].mismatches, rows[0].max_ulp), (0, Some(2)));
    near[0][k] += 5;
    let rows = compare(g, &near, &base);
    assert_eq!(rows[0].mismatches, 1);
}
