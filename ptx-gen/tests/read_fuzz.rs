//! The reader never panics: 30,000 random mutations of valid PTX (byte edits, insertions of PTX-ish fragments,
//! deletions, duplications, line swaps, splices, truncations, huge numbers), each read under `catch_unwind`.
//! Every error must point inside the text. Deterministic (fixed seeds), so a failure reproduces.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ptx_gen::read::read_module;
use ptx_gen::write::write_module;
use ptx_gen::*;

/// SplitMix64: small, fast, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const HAND_WRITTEN: &str = r#"// a module with every construct the reader knows
.version 7.8
.target sm_80, debug
.address_size 64

.global .align 8 .b8 bytes[3] = {1, 2, 255};
.const .f64 halves[] = {0.5, -1.5, 0d4000000000000000};
.extern .shared .align 16 .b8 smem[];

.func (.reg .b32 %ret0) helper(.reg .b32 %arg0, .reg .f32 %arg1)
{
	.reg .b32 	%r<2>;
	cvt.rzi.s32.f32 	%r1, %arg1; /* comment */
	add.s32 	%ret0, %r1, %arg0;
	ret;
}

.visible .entry k(.param .u64 .ptr .global .align 16 k_param_0, .param .u32 k_param_1)
.maxntid 16, 16
{
	.reg .pred %p<4>;
	.reg .b16 %rs<3>;
	.reg .b32 %r<9>;
	.reg .b64 %rd<9>;
	.reg .f32 %f<5>;
	.shared .align 4 .f32 tile[64];
	.loc 1 2 3
	ld.param.u64 %rd1, [k_param_0];
	ld.param.u32 %r1, [k_param_1+0];
	cvta.to.global.u64 %rd2, %rd1;
	mov.u32 %r2, %tid.x;
	mov.u64 %rd3, tile;
	setp.ge.u32 %p1, %r2, %r1;
	@%p1 bra DONE;
	bra.uni BODY;
BODY:
	mul.wide.u32 %rd4, %r2, 4;
	add.s64 %rd5, %rd2, %rd4;
	ld.global.nc.L1::evict_last.v2.f32 {%f1, %f2}, [%rd5+-8];
	fma.rn.f32 %f3, %f1, %f2, 0f3F800000;
	st.shared.f32 [tile+4], %f3;
	atom.acq_rel.gpu.global.cas.b32 %r3, [%rd5], %r2, 7;
	red.global.add.u32 [%rd5], -1;
	bar.sync 1, 64;
	shfl.sync.bfly.b32 %r4|%p2, %r3, 0x10, 0x1F, 0xFFFFFFFF;
	vote.sync.ballot.b32 %r5, !%p2, -1;
	// begin inline asm
	{ .reg .pred %t; setp.eq.u32 %t, %r5, 0; selp.u32 %r6, 1, 2, %t; }
	// end inline asm
	call.uni (%r7), helper, (%r6, %f3);
	cvt.rn.f16.f32 %rs1, %f3;
	membar.gl;
	fence.sc.sys;
	@!%p2 bra BODY;
DONE:
	exit;
}
"#;

/// A module from the writer, with the writer's exact spelling.
fn written_seed() -> String {
    let mut f = Function::kernel("w");
    f.add_param("out", Type::U64);
    f.add_param("n", Type::U32);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    let body = b.create_block();
    let exit = b.create_block();
    b.switch_to_block(entry);
    let p = b.ins().ld_param(Type::U64, 0);
    let g = b.ins().cvta_to_global(p);
    let n = b.ins().ld_param(Type::U32, 1);
    let t = b.ins().special(SpecialReg::Tid(Dim::X));
    let c = b.ins().setp(CmpOp::Lo, Type::U32, t, n);
    b.branch(c, body, exit);
    b.switch_to_block(body);
    let off = b.ins().mul(Type::U32, Mode::Wide, t, Operand::u32(8));
    let a = b.ins().add(Type::U64, Mode::None, g, off);
    let x = b.ins().ld(MemAccess::new(StateSpace::Global, Type::F64), Address::reg(a));
    let y = b.ins().fma(Type::F64, Mode::Rn, x, Operand::f64(0.25), Operand::f64(-3.0));
    b.ins().st(MemAccess::new(StateSpace::Global, Type::F64), Address::reg_offset(a, -8), y);
    let z = b.ins().cvt(CvtMode::Rzi, false, Type::S32, Type::F64, y);
    let w = b.ins().binary(BinOp::Shr, Mode::None, Type::S32, z, Operand::u32(3));
    b.ins().atom(
        AtomOp::Add,
        StateSpace::Global,
        MemOrder::Relaxed(Scope::Gpu),
        None,
        Type::U32,
        Address::reg(a),
        w,
        None,
    );
    b.jump(exit);
    b.switch_to_block(exit);
    b.ret();
    b.finish().unwrap();
    let mut m = Module::new();
    m.add_function(f);
    write_module(&m).unwrap()
}

/// Fragments worth inserting: PTX punctuation, keywords, numbers at the edges of their types, odd characters.
const FRAGMENTS: &[&str] = &[
    "{", "}", "[", "]", "(", ")", ";", ",", ":", "@", "!", "|", "<", ">", "=", "+", "-", ".", "%", "$", "\"", "/*",
    "*/", "//", "\n", "\t", " ", "é", "\u{0}", "%r1", "%r0", "%p1", "%rd99", "%tid", ".x", ".u32", ".f32", ".v4",
    ".reg", ".param", ".shared", ".entry", ".func", ".global", ".b8", ".align", "0", "-0", "0x", "0f", "0d",
    "0fFFFFFFFF", "0d7FF8000000000000", "1.5e-3", "1e999", "18446744073709551615", "18446744073709551616",
    "-9223372036854775809", "4294967296", "<4000000000>", "<1048577>", "[0]", "[18446744073709551615]", "bra",
    "bra.uni L", "ret;", "exit;", "trap;", "call.uni", "$L__BB0_0:", "L:", "mov.u32", "ld.global", ".L1::evict_last",
    ".L2::128B", ".ftz", ".sat", ".rn", ".wide", "wgmma.mma_async", "{ .reg .b32 %x; }", "// begin inline asm\n",
];

fn mutate(rng: &mut Rng, seeds: &[&str], text: &str) -> String {
    let mut s: Vec<u8> = text.as_bytes().to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let len = s.len();
        match rng.below(9) {
            0 if len > 0 => {
                // Delete a short range.
                let at = rng.below(len);
                let n = 1 + rng.below(16.min(len - at));
                s.drain(at..at + n);
            }
            1 => {
                let at = rng.below(len + 1);
                let frag = FRAGMENTS[rng.below(FRAGMENTS.len())];
                s.splice(at..at, frag.bytes());
            }
            2 if len > 0 => {
                // Replace one byte with any printable ASCII byte.
                let at = rng.below(len);
                s[at] = 0x20 + rng.below(0x5F) as u8;
            }
            3 if len > 0 => {
                // Duplicate a range somewhere else.
                let at = rng.below(len);
                let n = 1 + rng.below(64.min(len - at));
                let chunk: Vec<u8> = s[at..at + n].to_vec();
                let to = rng.below(len + 1);
                s.splice(to..to, chunk);
            }
            4 => {
                // Truncate.
                let at = rng.below(len + 1);
                s.truncate(at);
            }
            5 => {
                // Swap two lines.
                let text = String::from_utf8_lossy(&s).into_owned();
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.len() > 1 {
                    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(a, b);
                }
                s = lines.join("\n").into_bytes();
            }
            6 => {
                // Splice in a slice of another seed.
                let other = seeds[rng.below(seeds.len())].as_bytes();
                let at = rng.below(other.len());
                let n = 1 + rng.below(200.min(other.len() - at));
                let to = rng.below(len + 1);
                s.splice(to..to, other[at..at + n].iter().copied());
            }
            7 if len > 0 => {
                // Replace a digit run with a huge number.
                let at = rng.below(len);
                if let Some(p) = s[at..].iter().position(u8::is_ascii_digit) {
                    let start = at + p;
                    let end = start + s[start..].iter().take_while(|b| b.is_ascii_digit()).count();
                    let big = ["4294967295", "99999999999999999999", "1048576", "65536", "0"][rng.below(5)];
                    s.splice(start..end, big.bytes());
                }
            }
            _ => {
                // Flip a bit (the result may not be UTF-8; the lossy conversion below keeps it a string).
                if len > 0 {
                    let at = rng.below(len);
                    s[at] ^= 1 << rng.below(8);
                }
            }
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}

#[test]
fn random_mutations_never_panic() {
    let written = written_seed();
    let seeds: [&str; 2] = [HAND_WRITTEN, &written];
    for (i, seed) in seeds.iter().enumerate() {
        if let Err(e) = read_module(seed) {
            panic!("seed {i} must read: {e}");
        }
    }
    let mut rng = Rng(0x5EED_F00D);
    let (mut ok, mut errors, mut panics, mut downstream_panics) = (0usize, 0usize, Vec::new(), Vec::new());
    const CASES: usize = 30_000;
    for case in 0..CASES {
        let seed = seeds[case % seeds.len()];
        let input = mutate(&mut rng, &seeds, seed);
        match catch_unwind(AssertUnwindSafe(|| read_module(&input))) {
            Ok(Ok(m)) => {
                ok += 1;
                // Downstream of the reader, the verifier and the writer see this IR too: neither may panic.
                let downstream = catch_unwind(AssertUnwindSafe(|| {
                    let _ = ptx_gen::verify::verify_module(&m);
                    let _ = write_module(&m);
                }));
                if downstream.is_err() {
                    downstream_panics.push((case, input.clone()));
                }
            }
            Ok(Err(e)) => {
                errors += 1;
                let lines = input.split('\n').count() as u32;
                assert!(e.line >= 1 && e.line <= lines && e.col >= 1, "case {case}: {e} outside the text:\n{input}");
                assert!(!e.message.is_empty());
            }
            Err(_) => panics.push((case, input)),
        }
    }
    eprintln!("{CASES} mutated inputs: {ok} read, {errors} rejected, {} panics", panics.len());
    if let Some((case, input)) = panics.first() {
        panic!("{} of {CASES} inputs panicked; first (case {case}):\n{input}", panics.len());
    }
    if let Some((case, input)) = downstream_panics.first() {
        panic!("verify or write panicked on {} modules read; first (case {case}):\n{input}", downstream_panics.len());
    }
    // Both outcomes happen, so the mutations are neither all fatal nor all harmless.
    assert!(ok > CASES / 50, "{ok} read");
    assert!(errors > CASES / 2, "{errors} rejected");
}

#[test]
fn hostile_shapes() {
    let deep_braces = format!(".entry k() {}{}", "{".repeat(100_000), "}".repeat(100_000));
    let deep_init = format!(".global .u32 x[1] = {}1{};", "{".repeat(100_000), "}".repeat(100_000));
    let many_regs = format!(".entry k() {{ {} }}", ".reg .b32 %r<1048576>;".replace("%r", "%a").repeat(4));
    for (name, src) in [("deep braces", deep_braces), ("deep initializer", deep_init), ("many registers", many_regs)] {
        match catch_unwind(|| read_module(&src)) {
            Ok(_) => {}
            Err(_) => panic!("{name} panicked"),
        }
    }
    assert!(read_module("").unwrap().functions.is_empty());
    assert!(read_module("\u{feff}").is_err());
}
