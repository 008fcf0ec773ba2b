//! Panic-freedom of the frontend: generated kernels (type-aware, so most compile and reach lowering, the passes and
//! the writer) and token-level mutations of the test kernels (which hit every error path) are fed to
//! `compile_kernel` and `expand` as plain library calls; each must give PTX or errors, never a panic.
//!
//! `FUZZ_CASES` overrides the number of cases (default 100,000 in a release build,
//! `cargo test --release -p ptx-kernel-macros --test fuzz_frontend`, and 10,000 in a debug one); the time and the
//! counts are printed. `FUZZ_SHOW_ERRORS=1` prints the first rejected kernels, `FUZZ_NO_MUTATION=1` leaves the
//! generated ones unmutated (then nearly all of them should compile: a rejection is a frontend or generator bug).

// `*rng.pick(..)` is needed for inference where clippy suggests auto-deref.
#![allow(clippy::explicit_auto_deref)]

#[path = "../src/frontend/mod.rs"]
#[allow(dead_code)]
mod frontend;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;
use std::time::Instant;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// A 64-bit LCG; `below(n)` is uniform enough for choosing.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 31)).wrapping_mul(0x94D0_49BB_1331_11EB) ^ (x >> 29)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ----- a type-aware generator of kernels ----------------------------------------------------------------------

const INTS: [&str; 10] = ["i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize"];
const FLOATS: [&str; 2] = ["f32", "f64"];

fn is_float(t: &str) -> bool {
    FLOATS.contains(&t)
}

struct Var {
    name: String,
    ty: &'static str,
    mutable: bool,
}

struct Slice {
    name: String,
    elem: &'static str,
    mutable: bool,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    vars: Vec<Var>,
    slices: Vec<Slice>,
    next_name: usize,
    loop_depth: usize,
    budget: usize,
}

impl Gen<'_> {
    fn fresh(&mut self) -> String {
        self.next_name += 1;
        format!("v{}", self.next_name)
    }

    fn scalar_type(&mut self) -> &'static str {
        match self.rng.below(10) {
            0..=5 => *self.rng.pick::<&str>(&INTS),
            6..=8 => *self.rng.pick::<&str>(&FLOATS),
            _ => "bool",
        }
    }

    fn literal(&mut self, ty: &str) -> String {
        let r = self.rng.next();
        let suffix = if self.rng.chance(30) { ty.to_string() } else { String::new() };
        match ty {
            "bool" => {
                if r.is_multiple_of(2) {
                    "true".into()
                } else {
                    "false".into()
                }
            }
            "f32" | "f64" => {
                let v = [0.0, 0.5, 1.0, 2.5, 1e10, 3.25e-3, 123.456][self.rng.below(7)];
                format!("{v:?}{suffix}")
            }
            "i8" | "u8" => format!("{}{suffix}", r % 100),
            _ => format!("{}{suffix}", [0, 1, 7, 255, 65_535, 1 << 20, 3_000_000][self.rng.below(7)]),
        }
    }

    /// An expression of type `ty` (most of the time; sometimes deliberately not).
    fn expr(&mut self, ty: &'static str, depth: usize) -> String {
        if self.budget == 0 || depth > 4 {
            return self.leaf(ty);
        }
        self.budget -= 1;
        let int = INTS.contains(&ty);
        let float = is_float(ty);
        match self.rng.below(14) {
            0 | 1 => self.leaf(ty),
            2 if int || float => {
                let ops: &[&str] =
                    if float { &["+", "-", "*", "/"] } else { &["+", "-", "*", "/", "%", "&", "|", "^"] };
                let op = *self.rng.pick(ops);
                format!("({} {op} {})", self.expr(ty, depth + 1), self.expr(ty, depth + 1))
            }
            3 if int => {
                let at = *self.rng.pick(&INTS);
                let op = if self.rng.chance(50) { "<<" } else { ">>" };
                format!("({} {op} {})", self.expr(ty, depth + 1), self.expr(at, depth + 1))
            }
            4 => {
                let from = self.scalar_type();
                let from = if ty != "bool" && from == "bool" && float { "i32" } else { from };
                if ty == "bool" {
                    let t = self.scalar_type();
                    let op = *self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                    format!("({} {op} {})", self.expr(t, depth + 1), self.expr(t, depth + 1))
                } else {
                    format!("(({}) as {ty})", self.expr(from, depth + 1))
                }
            }
            5 => format!(
                "if {} {{ {} }} else {{ {} }}",
                self.expr("bool", depth + 1),
                self.expr(ty, depth + 1),
                self.expr(ty, depth + 1)
            ),
            // Methods, a third of the time in path form (`f32::sqrt(x)`, `u8::max(x, y)`).
            6 if float => {
                let m = *self.rng.pick(&["abs", "sqrt", "floor", "ceil", "round", "trunc"]);
                let x = self.leaf(ty);
                if self.rng.chance(33) {
                    format!("{ty}::{m}({x})")
                } else {
                    format!("{x}.{m}()")
                }
            }
            7 if float || int => {
                let m = *self.rng.pick(&["min", "max"]);
                let (x, y) = (self.leaf(ty), self.expr(ty, depth + 1));
                if self.rng.chance(33) {
                    format!("{ty}::{m}({x}, {y})")
                } else {
                    format!("{x}.{m}({y})")
                }
            }
            8 if float => {
                let (x, y, z) = (self.leaf(ty), self.expr(ty, depth + 1), self.expr(ty, depth + 1));
                if self.rng.chance(33) {
                    format!("{ty}::mul_add({x}, {y}, {z})")
                } else {
                    format!("{x}.mul_add({y}, {z})")
                }
            }
            9 if ty == "bool" => {
                let op = *self.rng.pick(&["&&", "||", "&", "|", "^"]);
                format!("({} {op} {})", self.expr("bool", depth + 1), self.expr("bool", depth + 1))
            }
            10 if int || ty == "bool" => format!("!{}", self.leaf(ty)),
            11 if ty.starts_with('i') || float => format!("-{}", self.leaf(ty)),
            12 => self.block_expr(ty, depth + 1),
            _ => self.leaf(ty),
        }
    }

    fn block_expr(&mut self, ty: &'static str, depth: usize) -> String {
        let name = self.fresh();
        let t = self.scalar_type();
        let init = self.expr(t, depth + 1);
        let tail = self.expr(ty, depth + 1);
        format!("{{ let {name}: {t} = {init}; {tail} }}")
    }

    fn leaf(&mut self, ty: &'static str) -> String {
        let candidates: Vec<usize> = (0..self.vars.len()).filter(|&i| self.vars[i].ty == ty).collect();
        let slices: Vec<usize> = (0..self.slices.len()).filter(|&i| self.slices[i].elem == ty).collect();
        match self.rng.below(6) {
            0 | 1 if !candidates.is_empty() => self.vars[*self.rng.pick(&candidates)].name.clone(),
            2 if !slices.is_empty() => {
                let s = self.slices[*self.rng.pick(&slices)].name.clone();
                format!("{s}[{}]", self.index())
            }
            3 if ty == "usize" && !self.slices.is_empty() => {
                let k = self.rng.below(self.slices.len());
                format!("{}.len()", self.slices[k].name)
            }
            4 if ty == "u32" => {
                let f = *self.rng.pick(&["thread_idx_x", "block_idx_y", "block_dim_x", "grid_dim_z", "global_idx_x"]);
                let prefix = if self.rng.chance(50) { "gpu" } else { "ptx_kernel::gpu" };
                format!("{prefix}::{f}()")
            }
            _ => self.literal(ty),
        }
    }

    fn index(&mut self) -> String {
        let usizes: Vec<String> = self.vars.iter().filter(|v| v.ty == "usize").map(|v| v.name.clone()).collect();
        if !usizes.is_empty() && self.rng.chance(70) {
            self.rng.pick(&usizes).clone()
        } else {
            format!("{}", self.rng.below(8))
        }
    }

    fn stmt(&mut self, depth: usize, out: &mut String) {
        if self.budget == 0 {
            return;
        }
        self.budget -= 1;
        match self.rng.below(12) {
            0..=2 => {
                let ty = self.scalar_type();
                let name = self.fresh();
                let mutable = self.rng.chance(50);
                let init = self.expr(ty, 0);
                let ann = if self.rng.chance(50) { format!(": {ty}") } else { String::new() };
                out.push_str(&format!("let {}{name}{ann} = {init};\n", if mutable { "mut " } else { "" }));
                self.vars.push(Var { name, ty, mutable });
            }
            3 | 4 => {
                let muts: Vec<usize> = (0..self.vars.len()).filter(|&i| self.vars[i].mutable).collect();
                if let Some(&k) = muts.get(self.rng.below(muts.len().max(1))) {
                    let (name, ty) = (self.vars[k].name.clone(), self.vars[k].ty);
                    let op =
                        if ty == "bool" { "=" } else { *self.rng.pick(&["=", "+=", "-=", "*=", "<<=", "|=", "/="]) };
                    let op = if is_float(ty) && matches!(op, "<<=" | "|=") { "=" } else { op };
                    let rhs_ty = if op == "<<=" { *self.rng.pick(&INTS) } else { ty };
                    out.push_str(&format!("{name} {op} {};\n", self.expr(rhs_ty, 0)));
                }
            }
            5 => {
                let muts: Vec<usize> = (0..self.slices.len()).filter(|&i| self.slices[i].mutable).collect();
                if let Some(&k) = muts.get(self.rng.below(muts.len().max(1))) {
                    let (name, elem) = (self.slices[k].name.clone(), self.slices[k].elem);
                    let idx = self.index();
                    out.push_str(&format!("{name}[{idx}] = {};\n", self.expr(elem, 0)));
                }
            }
            6 if depth < 3 => {
                let c = self.expr("bool", 0);
                out.push_str(&format!("if {c} {{\n"));
                self.body(depth + 1, out);
                if self.rng.chance(50) {
                    out.push_str("} else {\n");
                    self.body(depth + 1, out);
                }
                out.push_str("}\n");
            }
            7 if depth < 3 => {
                let t = *self.rng.pick(&INTS);
                let var = self.fresh();
                // Parenthesised: a block as a range's end would swallow the loop body.
                let (a, b) = (format!("({})", self.expr(t, 2)), format!("({})", self.expr(t, 2)));
                let range = match self.rng.below(3) {
                    0 => format!("{a}..{b}"),
                    1 => format!("{a}..={b}"),
                    _ => format!("({a}..{b}).step_by({})", self.expr("usize", 2)),
                };
                // Redundant parentheses, which rustc accepts with a warning.
                let range = if self.rng.chance(20) { format!("({range})") } else { range };
                let label = if self.rng.chance(20) { "'outer: " } else { "" };
                out.push_str(&format!("{label}for {var} in {range} {{\n"));
                let saved = self.vars.len();
                self.vars.push(Var { name: var, ty: t, mutable: false });
                self.loop_depth += 1;
                self.body(depth + 1, out);
                self.loop_depth -= 1;
                self.vars.truncate(saved);
                out.push_str("}\n");
            }
            8 if depth < 3 => {
                let kind = self.rng.below(2);
                if kind == 0 {
                    out.push_str(&format!("while {} {{\n", self.expr("bool", 0)));
                } else {
                    out.push_str("loop {\n");
                }
                self.loop_depth += 1;
                self.body(depth + 1, out);
                self.loop_depth -= 1;
                if kind == 1 {
                    out.push_str("break;\n");
                }
                out.push_str("}\n");
            }
            9 if self.loop_depth > 0 => {
                let c = self.expr("bool", 1);
                let what = *self.rng.pick(&["break", "continue"]);
                out.push_str(&format!("if {c} {{ {what}; }}\n"));
            }
            10 => out.push_str(if self.rng.chance(50) { "gpu::sync_threads();\n" } else { "if false { return; }\n" }),
            _ => {
                let t = self.scalar_type();
                out.push_str(&format!("let _ = {};\n", self.expr(t, 0)));
            }
        }
    }

    fn body(&mut self, depth: usize, out: &mut String) {
        let saved = self.vars.len();
        for _ in 0..1 + self.rng.below(4) {
            self.stmt(depth, out);
        }
        self.vars.truncate(saved);
    }
}

/// A random kernel as source text.
fn generate(rng: &mut Rng, k: usize) -> String {
    let mut g = Gen { rng, vars: Vec::new(), slices: Vec::new(), next_name: 0, loop_depth: 0, budget: 60 };
    let mut params = Vec::new();
    for p in 0..g.rng.below(5) {
        let name = format!("p{p}");
        if g.rng.chance(50) {
            let elem = g.scalar_type();
            let mutable = g.rng.chance(60);
            params.push(format!("{name}: &{}[{elem}]", if mutable { "mut " } else { "" }));
            g.slices.push(Slice { name, elem, mutable });
        } else {
            let ty = g.scalar_type();
            let mutable = g.rng.chance(20);
            params.push(format!("{}{name}: {ty}", if mutable { "mut " } else { "" }));
            g.vars.push(Var { name, ty, mutable });
        }
    }
    let mut body = String::new();
    g.body(0, &mut body);
    format!("pub fn kernel_{k}({}) {{\n{body}}}", params.join(", "))
}

// ----- token-level mutation ------------------------------------------------------------------------------------

/// The `#[ptx_kernel]` functions of the root crate's test kernels (those written out, not through `macro_rules!`).
fn seed_kernels() -> Vec<TokenStream> {
    let sources = [
        include_str!("../../tests/kernels/basic.rs"),
        include_str!("../../tests/kernels/ints.rs"),
        include_str!("../../tests/kernels/casts.rs"),
        include_str!("../../tests/kernels/floats.rs"),
        include_str!("../../tests/kernels/control.rs"),
        include_str!("../../tests/kernels/literals.rs"),
        include_str!("../../tests/breadth/shared.rs"),
        include_str!("../../tests/breadth/atomics.rs"),
        include_str!("../../tests/breadth/warp.rs"),
        include_str!("../../tests/breadth/arrays.rs"),
        include_str!("../../tests/breadth/generic.rs"),
    ];
    let mut out = Vec::new();
    for src in sources {
        let file = syn::parse_file(src).expect("test kernels parse");
        for item in file.items {
            if let syn::Item::Fn(mut f) = item {
                if f.attrs.iter().any(|a| a.path().is_ident("ptx_kernel")) {
                    f.attrs.retain(|a| !a.path().is_ident("ptx_kernel"));
                    out.push(quote::quote!(#f));
                }
            }
        }
    }
    out
}

fn random_token(rng: &mut Rng) -> TokenTree {
    let span = Span::call_site();
    match rng.below(4) {
        0 => {
            let words = [
                "x", "i", "y", "u8", "i64", "f32", "bool", "usize", "gpu", "len", "match", "loop", "as", "mut", "let",
                "for", "in", "if", "else", "while", "break", "continue", "return", "step_by", "sqrt", "true", "Vec",
                "self", "fn", "struct", "move", "unsafe", "thread_idx_x", "sync_threads", "MAX", "consts", "PI", "_",
            ];
            TokenTree::Ident(Ident::new(*rng.pick(&words), span))
        }
        1 => {
            let puncts =
                ['+', '-', '*', '/', '%', '&', '|', '^', '!', '<', '>', '=', ';', ',', '.', ':', '?', '#', '\''];
            let spacing = if rng.chance(50) { Spacing::Alone } else { Spacing::Joint };
            TokenTree::Punct(Punct::new(*rng.pick(&puncts), spacing))
        }
        2 => {
            let lits = [
                "0",
                "1u8",
                "2.5",
                "\"s\"",
                "'c'",
                "1e40f32",
                "255",
                "0.0",
                "4294967296",
                "0xFF_u16",
                "1_000i64",
                "340282366920938463463374607431768211455",
                "1e309",
                "-1",
                "b'a'",
                "0b1010",
                "1.5f64",
                "7usize",
            ];
            TokenTree::Literal(Literal::from_str(*rng.pick(&lits)).unwrap_or_else(|_| Literal::u8_suffixed(1)))
        }
        _ => {
            let delim = *rng.pick(&[Delimiter::Parenthesis, Delimiter::Bracket, Delimiter::Brace, Delimiter::None]);
            TokenTree::Group(Group::new(delim, TokenStream::new()))
        }
    }
}

/// Expressions spliced in by [`mutate`]: unsupported constructs, edge literals, and supported but ill-typed ones.
const SNIPPETS: [&str; 56] = [
    "|v: f32| v * 2.0",
    "match x { _ => 1 }",
    "\"text\"",
    "'c'",
    "&y",
    "*p",
    "t.0",
    "(1, 2)",
    "[0u8; 4]",
    "Vec::new()",
    "String::from(\"s\")",
    "Box::new(1)",
    "x.iter().sum::<f32>()",
    "helper(3)",
    "println!(\"{}\", 1)",
    "async { 1 }",
    "unsafe { 1 }",
    "loop { break 5 }",
    "0..10",
    "x[1..2]",
    "Some(3)?",
    "{ let (a, b) = (1, 2); a }",
    "if let Some(v) = w { v } else { 0 }",
    "S { a: 1 }",
    "u128::MAX",
    "1u128",
    "f32::NAN",
    "std::f64::consts::PI",
    "i8::MIN",
    "(-128i8).abs()",
    "(2.5f32).round()",
    "(1.0f64).mul_add(2.0, 3.0)",
    "true as u8",
    "3.7 as u64",
    "-1 as usize",
    "1 << 40",
    "gpu::thread_idx_y()",
    "gpu::sync_threads()",
    "ptx_kernel::gpu::nope()",
    "x.len()",
    "gpu::SharedArray::<f32, 4>::new()",
    "gpu::SharedArray::<[u8; 3], 2>::new()",
    "gpu::dynamic_shared::<u16>()",
    "gpu::atomic_add(&mut y[0], 1)",
    "gpu::atomic_cas(&mut y[1], 2, 3)",
    "gpu::shfl_xor_sync(0xFFFF_FFFF, 1.5f64, 3)",
    "gpu::warp_sum(7i64)",
    "gpu::ballot_sync(1, true)",
    "gpu::load_vec4(&x[0])",
    "gpu::store_vec2(&mut y[0], [1, 2])",
    "[1.0f32, 2.0, 3.0][2]",
    "[[0u32; 3]; 2][1][2]",
    "#[unroll] for k in 0..4 { y[k] = 1; }",
    "half::f16::from_f32(0.5).to_f32()",
    "(2.0f32).powf(0.5).exp().ln().sin()",
    "gpu::fast::tanh(0.3)",
];

/// `ts` with a few random token edits (delete, duplicate, replace, swap, insert, change a group's delimiter).
fn mutate(ts: TokenStream, rng: &mut Rng, rate: usize) -> TokenStream {
    let mut tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if let TokenTree::Group(g) = &tokens[i] {
            let inner = mutate(g.stream(), rng, rate);
            let delim = if rng.below(2000) < rate {
                *rng.pick(&[Delimiter::Parenthesis, Delimiter::Bracket, Delimiter::Brace])
            } else {
                g.delimiter()
            };
            let mut ng = Group::new(delim, inner);
            ng.set_span(g.span());
            tokens[i] = TokenTree::Group(ng);
        }
        // Replace a value (ident or literal) by a whole expression from outside (or inside) the subset: keeps the
        // function parseable more often, so that the checker's rejections are exercised.
        if matches!(tokens[i], TokenTree::Ident(_) | TokenTree::Literal(_)) && rng.below(1000) < rate * 3 {
            let snippet = TokenStream::from_str(*rng.pick(&SNIPPETS)).expect("snippet lexes");
            let n = snippet.clone().into_iter().count();
            tokens.splice(i..i + 1, snippet);
            i += n;
            continue;
        }
        // Structural edits mostly break the syntax: rarer.
        if rng.below(3000) < rate {
            match rng.below(5) {
                0 => {
                    tokens.remove(i);
                    continue;
                }
                1 => {
                    let t = tokens[i].clone();
                    tokens.insert(i, t);
                    i += 1;
                }
                2 => tokens[i] = random_token(rng),
                3 if i + 1 < tokens.len() => tokens.swap(i, i + 1),
                _ => tokens.insert(i, random_token(rng)),
            }
        }
        i += 1;
    }
    tokens.into_iter().collect()
}

// ----- the test --------------------------------------------------------------------------------------------------

#[derive(Default, Debug)]
struct Tally {
    ptx: usize,
    errors: usize,
    unparsable: usize,
    panics: usize,
    first_panics: Vec<String>,
}

fn run_case(tally: &mut Tally, attr: TokenStream, item: TokenStream, also_expand: bool) {
    let parses = syn::parse2::<syn::ItemFn>(item.clone()).is_ok();
    let source = item.clone();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let compiled = frontend::expand::compile_kernel_with(attr.clone(), item.clone());
        if also_expand {
            let tokens = frontend::expand::expand(attr, item);
            assert!(!tokens.is_empty(), "expand returned nothing");
        }
        compiled
    }));
    match result {
        Ok(Ok(c)) => {
            assert!(c.ptx.contains(".entry"), "PTX without an entry:\n{}", c.ptx);
            tally.ptx += 1;
        }
        Ok(Err(errs)) => {
            assert!(!errs.is_empty(), "an error result with no errors for:\n{source}");
            if std::env::var("FUZZ_SHOW_ERRORS").is_ok() && parses && tally.errors < 8 {
                println!("--- {}\n{}", errs[0], source);
            }
            if !parses {
                tally.unparsable += 1;
            } else {
                tally.errors += 1;
            }
        }
        Err(p) => {
            tally.panics += 1;
            if tally.first_panics.len() < 5 {
                let msg =
                    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
                tally.first_panics.push(format!("{}\n--- input:\n{source}", msg.unwrap_or_default()));
            }
        }
    }
}

#[test]
fn no_panics_on_generated_and_mutated_kernels() {
    // 100,000 cases take about a minute in a release build; a debug build runs a tenth of them by default.
    let default_cases = if cfg!(debug_assertions) { 10_000 } else { 100_000 };
    let cases: usize = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    let seeds = seed_kernels();
    assert!(seeds.len() >= 30, "only {} seed kernels", seeds.len());
    // Silence the default hook while panics are being counted.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let mut rng = Rng(0x5EED);
    let mut generated = Tally::default();
    let mut mutated = Tally::default();
    for k in 0..cases {
        let attr =
            if rng.chance(3) { TokenStream::from_str("target = \"sm_80\"").unwrap() } else { TokenStream::new() };
        if k % 2 == 0 {
            let src = generate(&mut rng, k);
            let mut item = TokenStream::from_str(&src).expect("generated source lexes");
            if rng.chance(25) && std::env::var("FUZZ_NO_MUTATION").is_err() {
                item = mutate(item, &mut rng, 4);
            }
            run_case(&mut generated, attr, item, k % 64 == 0);
        } else {
            let seed = seeds[rng.below(seeds.len())].clone();
            let rate = 1 + rng.below(8);
            let item = mutate(seed, &mut rng, rate);
            run_case(&mut mutated, attr, item, k % 16 == 1);
        }
    }
    std::panic::set_hook(hook);
    let elapsed = start.elapsed();
    println!(
        "{cases} cases in {:.1} s ({:.0} µs each)\n  generated: {generated:?}\n  mutated:   {mutated:?}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / cases as f64
    );
    let panics: Vec<String> = generated.first_panics.iter().chain(&mutated.first_panics).cloned().collect();
    assert_eq!(generated.panics + mutated.panics, 0, "panics:\n{}", panics.join("\n=====\n"));
    // The generator must reach the back end, and the mutations the error paths.
    assert!(generated.ptx * 4 > cases / 2, "too few generated kernels compiled: {generated:?}");
    assert!(mutated.errors > cases / 20, "too few mutated kernels were rejected: {mutated:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [200, 300] {
        let src = format!("fn deep(y: &mut [i32]) {{ y[0] = {}1{}; }}", "(".repeat(depth), ")".repeat(depth));
        // syn itself recurses while parsing; run on a thread with the 8 MiB stack rustc gives proc macros.
        let result = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || frontend::expand::compile_kernel(TokenStream::from_str(&src).unwrap()).is_ok())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(result, depth < frontend::check::MAX_DEPTH, "depth {depth}");
    }
    let terms = vec!["1"; 400].join(" + ");
    let src = format!("fn long(y: &mut [i32]) {{ y[0] = {terms}; }}");
    let errs = frontend::expand::compile_kernel(TokenStream::from_str(&src).unwrap()).unwrap_err();
    assert!(errs[0].to_string().contains("nested too deeply"), "{}", errs[0]);
}

#[test]
fn generated_kernels_parse() {
    let mut rng = Rng(42);
    for k in 0..300 {
        let src = generate(&mut rng, k);
        if let Err(e) = syn::parse_str::<syn::ItemFn>(&src) {
            panic!("generated kernel does not parse ({e}):\n{src}");
        }
    }
}
