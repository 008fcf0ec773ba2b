//! The generator of random kernels: scalar Rust in the kernel subset, printed twice per kernel — once under
//! `#[ptx_kernel]`, once as a plain host function — so rustc is the oracle for the compiled kernel.
//!
//! Used by the build script (which writes the cases the tests run) and nothing else; it depends only on `std`.
//!
//! Every kernel reads one element of each input slice per thread, runs a random body over them (integer
//! arithmetic of every width, casts, shifts, guarded and unguarded division, `if`/`while`/`for`/`loop` with labels,
//! `break`/`continue`, the exact float operations, indexing), and writes four integer results (`out_u`), four exact
//! float results (`out_f`) and one result of a transcendental method (`out_t`, compared within its documented ulp
//! bound). Loops always terminate: each has its own counter, incremented first thing in the body and never assigned
//! elsewhere, against a small bound.

use std::fmt::Write as _;

/// A 64-bit generator (SplitMix64): deterministic for a seed, good enough for choosing.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// A scalar type of the generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    I8,
    I16,
    I32,
    I64,
    Isize,
    U8,
    U16,
    U32,
    U64,
    Usize,
    F32,
    F64,
    Bool,
}

pub const INTS: [Ty; 10] = [Ty::I8, Ty::I16, Ty::I32, Ty::I64, Ty::Isize, Ty::U8, Ty::U16, Ty::U32, Ty::U64, Ty::Usize];
/// The input slices every kernel takes, in parameter order (`a_i8`, …).
pub const INPUTS: [Ty; 10] = [Ty::I8, Ty::I16, Ty::I32, Ty::I64, Ty::U8, Ty::U16, Ty::U32, Ty::U64, Ty::F32, Ty::F64];

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::I8 => "i8",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::Isize => "isize",
            Ty::U8 => "u8",
            Ty::U16 => "u16",
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            Ty::Usize => "usize",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::Bool => "bool",
        }
    }
    pub fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }
    pub fn is_int(self) -> bool {
        !self.is_float() && self != Ty::Bool
    }
    pub fn is_signed(self) -> bool {
        matches!(self, Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::Isize)
    }
    pub fn bits(self) -> u32 {
        match self {
            Ty::I8 | Ty::U8 => 8,
            Ty::I16 | Ty::U16 => 16,
            Ty::I32 | Ty::U32 | Ty::F32 => 32,
            Ty::Bool => 1,
            _ => 64,
        }
    }
}

/// One generated kernel.
pub struct Kernel {
    pub name: String,
    /// The `#[ptx_kernel]` function followed by its host copy.
    pub source: String,
    /// Lines from the kernel's body to the host copy's body: a kernel panic at `line:col` is a host panic at
    /// `line + host_line_offset:col`.
    pub host_line_offset: usize,
    /// The transcendental method whose result is `out_t`.
    pub approx: &'static str,
    /// Whether `out_t` is an f32 result (the ulp bound is counted in that type).
    pub approx_f32: bool,
}

#[derive(Clone)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    vars: Vec<Var>,
    /// Scope starts in `vars`.
    scopes: Vec<usize>,
    /// Labels of the enclosing loops (innermost last); `None` for an unlabelled loop.
    loops: Vec<Option<String>>,
    next: usize,
    /// Statements left to emit (bounds the body's size).
    budget: usize,
    depth: usize,
    out: String,
}

const IND: &str = "    ";

impl Gen<'_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push_str(IND);
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn any_ty(&mut self) -> Ty {
        match self.rng.below(20) {
            0..=11 => self.rng.pick(&INTS),
            12..=14 => Ty::F32,
            15..=17 => Ty::F64,
            _ => Ty::Bool,
        }
    }

    fn vars_of(&self, ty: Ty) -> Vec<usize> {
        (0..self.vars.len()).filter(|&k| self.vars[k].ty == ty).collect()
    }

    // ----- literals ---------------------------------------------------------------------------------------------

    fn int_lit(&mut self, ty: Ty) -> String {
        let t = ty.name();
        let bits = ty.bits();
        match self.rng.below(12) {
            0 => format!("{t}::MIN"),
            1 => format!("{t}::MAX"),
            2 => format!("0{t}"),
            3 => format!("1{t}"),
            4 if ty.is_signed() => format!("(-1{t})"),
            5 => {
                let k = self.rng.below(bits as usize - 1);
                format!("{}{t}", 1u64 << k)
            }
            6 if ty.is_signed() => format!("({t}::MIN + 1)"),
            7 => format!("({t}::MAX - 1)"),
            8 => {
                // Any value of the type, printed as the type's own literal.
                let v = self.rng.next();
                if ty.is_signed() {
                    let v = ((v << (64 - bits)) as i64) >> (64 - bits);
                    if v == i64::MIN >> (64 - bits) {
                        format!("{t}::MIN")
                    } else if v < 0 {
                        format!("({v}{t})")
                    } else {
                        format!("{v}{t}")
                    }
                } else {
                    format!("{}{t}", v >> (64 - bits))
                }
            }
            _ => {
                let v = self.rng.below(17) as i64 - if ty.is_signed() { 8 } else { 0 };
                if v < 0 {
                    format!("({v}{t})")
                } else {
                    format!("{v}{t}")
                }
            }
        }
    }

    fn float_lit(&mut self, ty: Ty) -> String {
        let t = ty.name();
        let f32_ = ty == Ty::F32;
        match self.rng.below(14) {
            0 => format!("{t}::NAN"),
            1 => format!("{t}::INFINITY"),
            2 => format!("{t}::NEG_INFINITY"),
            3 => format!("{t}::MAX"),
            4 => format!("{t}::MIN_POSITIVE"),
            5 => format!("0.0{t}"),
            6 => format!("(-0.0{t})"),
            7 => {
                // A subnormal.
                if f32_ {
                    let v = f32::from_bits((self.rng.next() as u32) & 0x007F_FFFF | 1);
                    format!("{v:e}{t}")
                } else {
                    let v = f64::from_bits(self.rng.next() & 0x000F_FFFF_FFFF_FFFF | 1);
                    format!("{v:e}{t}")
                }
            }
            8 => {
                // Near the integer types' edges, where float → int casts saturate.
                let v = self.rng.pick(&[
                    127.5, 128.0, 255.5, 256.0, 32767.5, 65535.5, 2147483520.0, 4294967040.0, 2147483648.0,
                    9.223372036854775e18, 1.8446744073709552e19, -129.0, -32769.0, -2147483904.0,
                ]);
                if v < 0.0 {
                    format!("({v:?}{t})")
                } else {
                    format!("{v:?}{t}")
                }
            }
            9 | 10 => {
                let v = (self.rng.below(4001) as f64 - 2000.0) / 8.0;
                if v < 0.0 {
                    format!("({v:?}{t})")
                } else {
                    format!("{v:?}{t}")
                }
            }
            _ => {
                let bits = self.rng.next();
                let s = if f32_ {
                    let v = f32::from_bits(bits as u32);
                    if !v.is_finite() {
                        return format!("1.25{t}");
                    }
                    format!("{v:e}")
                } else {
                    let v = f64::from_bits(bits);
                    if !v.is_finite() {
                        return format!("1.25{t}");
                    }
                    format!("{v:e}")
                };
                if s.starts_with('-') {
                    format!("({s}{t})")
                } else {
                    format!("{s}{t}")
                }
            }
        }
    }

    fn lit(&mut self, ty: Ty) -> String {
        match ty {
            Ty::Bool => if self.rng.chance(50) { "true" } else { "false" }.to_owned(),
            t if t.is_float() => self.float_lit(t),
            t => self.int_lit(t),
        }
    }

    // ----- expressions ------------------------------------------------------------------------------------------

    fn leaf(&mut self, ty: Ty) -> String {
        let vs = self.vars_of(ty);
        if !vs.is_empty() && self.rng.chance(75) {
            let k = self.rng.pick(&vs);
            return self.vars[k].name.clone();
        }
        self.lit(ty)
    }

    fn expr(&mut self, ty: Ty, depth: usize) -> String {
        if depth == 0 || self.rng.chance(25) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Bool => self.bool_expr(d),
            t if t.is_float() => self.float_expr(t, d),
            t => self.int_expr(t, d),
        }
    }

    fn cast_from_any(&mut self, ty: Ty, d: usize) -> String {
        let mut from = self.any_ty();
        if from == Ty::Bool && !ty.is_int() {
            from = Ty::I32;
        }
        let e = self.expr(from, d);
        format!("({e} as {})", ty.name())
    }

    fn int_expr(&mut self, ty: Ty, d: usize) -> String {
        let t = ty.name();
        match self.rng.below(22) {
            0..=5 => {
                let op = self.rng.pick(&["+", "-", "*", "&", "|", "^", "+", "-", "*"]);
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                format!("({a} {op} {b})")
            }
            6 | 7 => {
                let op = if self.rng.chance(50) { "<<" } else { ">>" };
                let a = self.expr(ty, d);
                let bt = self.rng.pick(&INTS);
                let b = self.expr(bt, d);
                format!("({a} {op} {b})")
            }
            8..=10 => self.division(ty, d),
            11 if ty.is_signed() => format!("(-{})", self.expr(ty, d)),
            12 => format!("(!{})", self.expr(ty, d)),
            13 | 14 => self.cast_from_any(ty, d),
            15 => {
                let m = self.rng.pick(&["min", "max"]);
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                self.method(ty, &a, m, &[&b])
            }
            16 if ty.is_signed() => {
                let a = self.expr(ty, d);
                self.method(ty, &a, "abs", &[])
            }
            17 => {
                let c = self.bool_expr(d);
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                format!("(if {c} {{ {a} }} else {{ {b} }})")
            }
            18 => {
                // An input element at a data-dependent index: in bounds, or (rarely) a possible panic.
                let src = self.rng.pick(&INPUTS);
                let it = self.rng.pick(&INTS);
                let ie = self.expr(it, d);
                let read = if self.rng.chance(95) {
                    format!("a_{}[({ie} as usize) % a_{}.len()]", src.name(), src.name())
                } else {
                    format!("a_{}[({ie} as usize) & 4095]", src.name())
                };
                if src == ty {
                    read
                } else {
                    format!("({read} as {t})")
                }
            }
            _ => self.leaf(ty),
        }
    }

    /// `/` or `%`: mostly guarded so that it cannot panic, sometimes not (then the panics are compared too).
    fn division(&mut self, ty: Ty, d: usize) -> String {
        let op = if self.rng.chance(50) { "/" } else { "%" };
        let t = ty.name();
        let a = self.expr(ty, d);
        let b = self.expr(ty, d);
        match self.rng.below(20) {
            0..=7 => format!("({a} {op} {b}.max(1{t}))"),
            8..=11 => {
                // Zero and, for signed types, MIN / -1 avoided by a run-time test.
                let guard = if ty.is_signed() {
                    format!("{b} != 0{t} && !({a} == {t}::MIN && {b} == -1{t})")
                } else {
                    format!("{b} != 0{t}")
                };
                format!("(if {guard} {{ {a} {op} {b} }} else {{ {a} }})")
            }
            12 | 13 if !ty.is_signed() => format!("({a} {op} ({b} | 1{t}))"),
            14..=17 => {
                let k = self.rng.pick(&[2i64, 3, 4, 5, 7, 8, 10, 16, 100, 127]);
                format!("({a} {op} {k}{t})")
            }
            _ => format!("({a} {op} {b})"),
        }
    }

    fn float_expr(&mut self, ty: Ty, d: usize) -> String {
        let t = ty.name();
        match self.rng.below(20) {
            0..=6 => {
                let op = self.rng.pick(&["+", "-", "*", "/"]);
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                format!("({a} {op} {b})")
            }
            7 => format!("(-{})", self.expr(ty, d)),
            8..=10 => self.cast_from_any(ty, d),
            11 => {
                let m = self.rng.pick(&["abs", "sqrt", "floor", "ceil", "round", "trunc", "recip"]);
                let a = self.expr(ty, d);
                self.method(ty, &a, m, &[])
            }
            12 => {
                // Against a non-zero literal: with two zeros Rust leaves the sign of the result unspecified.
                let m = self.rng.pick(&["min", "max"]);
                let a = self.expr(ty, d);
                let b = self.rng.pick(&["1.5", "-2.0", "0.25", "-1e10", "3e30", "-7.0e-3"]);
                self.method(ty, &a, m, &[&format!("{b}{t}")])
            }
            13 => {
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                let c = self.expr(ty, d);
                self.method(ty, &a, "mul_add", &[&b, &c])
            }
            14 => {
                let c = self.bool_expr(d);
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                format!("(if {c} {{ {a} }} else {{ {b} }})")
            }
            15 => {
                let other = if ty == Ty::F32 { Ty::F64 } else { Ty::F32 };
                format!("({} as {t})", self.expr(other, d))
            }
            _ => self.leaf(ty),
        }
    }

    /// `a.m(args)`, or as often the path form `T::m(a, args)`, which means the same.
    fn method(&mut self, ty: Ty, a: &str, m: &str, args: &[&str]) -> String {
        if self.rng.chance(35) {
            let all: Vec<&str> = std::iter::once(a).chain(args.iter().copied()).collect();
            format!("{}::{m}({})", ty.name(), all.join(", "))
        } else {
            format!("{a}.{m}({})", args.join(", "))
        }
    }

    fn bool_expr(&mut self, d: usize) -> String {
        match self.rng.below(10) {
            0..=4 => {
                let t = match self.rng.below(10) {
                    0..=6 => self.rng.pick(&INTS),
                    7 => Ty::F32,
                    _ => Ty::F64,
                };
                let op = self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                let a = self.expr(t, d);
                let b = self.expr(t, d);
                format!("({a} {op} {b})")
            }
            5 | 6 => {
                let op = if self.rng.chance(50) { "&&" } else { "||" };
                let a = self.bool_expr(d.saturating_sub(1));
                let b = self.bool_expr(d.saturating_sub(1));
                format!("({a} {op} {b})")
            }
            7 => format!("(!{})", self.bool_expr(d.saturating_sub(1))),
            _ => self.leaf(Ty::Bool),
        }
    }

    // ----- statements -------------------------------------------------------------------------------------------

    fn push_scope(&mut self) {
        self.scopes.push(self.vars.len());
    }
    fn pop_scope(&mut self) {
        let n = self.scopes.pop().unwrap_or(0);
        self.vars.truncate(n);
    }

    fn block(&mut self, indent: usize, max: usize) {
        self.push_scope();
        let n = 1 + self.rng.below(max);
        for _ in 0..n {
            if self.budget == 0 {
                break;
            }
            self.stmt(indent);
        }
        self.pop_scope();
    }

    fn stmt(&mut self, indent: usize) {
        self.budget = self.budget.saturating_sub(1);
        let nested = self.depth < 3;
        let choice = self.rng.below(100);
        match choice {
            0..=34 => {
                let ty = self.any_ty();
                let name = self.fresh("v");
                let e = self.expr(ty, 3);
                self.line(indent, &format!("let mut {name}: {} = {e};", ty.name()));
                self.vars.push(Var { name, ty, mutable: true });
            }
            35..=54 => {
                let targets: Vec<usize> = (0..self.vars.len()).filter(|&k| self.vars[k].mutable).collect();
                if targets.is_empty() {
                    return self.stmt(indent);
                }
                let k = self.rng.pick(&targets);
                let (name, ty) = (self.vars[k].name.clone(), self.vars[k].ty);
                if ty.is_int() && self.rng.chance(40) {
                    let op = self.rng.pick(&["+=", "-=", "*=", "^=", "|=", "&=", "<<=", ">>="]);
                    let rt = if op.starts_with('<') || op.starts_with('>') { self.rng.pick(&INTS) } else { ty };
                    let e = self.expr(rt, 2);
                    self.line(indent, &format!("{name} {op} {e};"));
                } else {
                    let e = self.expr(ty, 3);
                    self.line(indent, &format!("{name} = {e};"));
                }
            }
            55..=66 if nested => {
                let c = self.bool_expr(2);
                self.line(indent, &format!("if {c} {{"));
                self.depth += 1;
                self.block(indent + 1, 3);
                if self.rng.chance(50) {
                    self.line(indent, "} else {");
                    self.block(indent + 1, 3);
                }
                self.depth -= 1;
                self.line(indent, "}");
            }
            67..=74 if nested => self.while_loop(indent),
            75..=81 if nested => self.for_loop(indent),
            82..=86 if nested => self.plain_loop(indent),
            87..=91 if !self.loops.is_empty() => {
                // `break`/`continue` (to this loop or, labelled, an outer one) under a condition.
                let k = self.rng.below(self.loops.len());
                let target = match &self.loops[k] {
                    Some(l) if self.rng.chance(60) || k + 1 != self.loops.len() => format!(" {l}"),
                    _ if k + 1 == self.loops.len() => String::new(),
                    _ => return,
                };
                let kw = if self.rng.chance(50) { "break" } else { "continue" };
                let c = self.bool_expr(2);
                self.line(indent, &format!("if {c} {{ {kw}{target}; }}"));
            }
            _ => {
                let ty = self.rng.pick(&INTS);
                let name = self.fresh("v");
                let e = self.expr(ty, 4);
                self.line(indent, &format!("let {name}: {} = {e};", ty.name()));
                self.vars.push(Var { name, ty, mutable: false });
            }
        }
    }

    /// A small bound of type `ty` for a counter starting at `start`: at most 9 iterations.
    fn bound(&mut self, ty: Ty) -> String {
        let t = ty.name();
        match self.rng.below(4) {
            0 => format!("{}{t}", self.rng.below(9)),
            1 if ty.is_signed() => {
                let e = self.expr(ty, 2);
                format!("({e} % 8{t})")
            }
            _ => {
                let e = self.expr(ty, 2);
                format!("({e} & 7{t})")
            }
        }
    }

    fn label(&mut self) -> Option<String> {
        if self.rng.chance(40) {
            Some(format!("'{}", self.fresh("l")))
        } else {
            None
        }
    }

    fn loop_body(&mut self, indent: usize, label: Option<String>) {
        self.loops.push(label);
        self.depth += 1;
        self.block(indent, 4);
        self.depth -= 1;
        self.loops.pop();
    }

    fn while_loop(&mut self, indent: usize) {
        let ty = self.rng.pick(&INTS);
        let t = ty.name();
        let c = self.fresh("c");
        let start = if ty.is_signed() { self.rng.below(5) as i64 - 2 } else { self.rng.below(3) as i64 };
        let start = if start < 0 { format!("({start}{t})") } else { format!("{start}{t}") };
        let bound = self.bound(ty);
        self.line(indent, &format!("let mut {c}: {t} = {start};"));
        let label = self.label();
        let head = label.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
        self.line(indent, &format!("{head}while {c} < {bound} {{"));
        self.line(indent + 1, &format!("{c} += 1{t};"));
        // The counter is readable in the body, never assignable.
        self.vars.push(Var { name: c, ty, mutable: false });
        self.loop_body(indent + 1, label);
        self.line(indent, "}");
    }

    fn for_loop(&mut self, indent: usize) {
        let ty = self.rng.pick(&INTS);
        let t = ty.name();
        let j = self.fresh("j");
        let label = self.label();
        let head = label.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
        let range = match self.rng.below(6) {
            0 => {
                // To the type's edge, inclusive: must not overflow.
                format!("({t}::MAX - {})..={t}::MAX", self.rng.below(5))
            }
            1 if ty == Ty::Usize => format!("(0usize..{}).step_by({})", 1 + self.rng.below(12), 1 + self.rng.below(3)),
            2 => {
                let b = self.bound(ty);
                format!("0{t}..={b}")
            }
            3 => {
                // Parenthesised, as rustc accepts with a warning.
                let b = self.bound(ty);
                format!("(0{t}..{b})")
            }
            _ => {
                let b = self.bound(ty);
                format!("0{t}..{b}")
            }
        };
        self.line(indent, &format!("{head}for {j} in {range} {{"));
        self.push_scope();
        self.vars.push(Var { name: j, ty, mutable: false });
        self.loop_body(indent + 1, label);
        self.pop_scope();
        self.line(indent, "}");
    }

    fn plain_loop(&mut self, indent: usize) {
        let c = self.fresh("c");
        let n = 1 + self.rng.below(8);
        self.line(indent, &format!("let mut {c}: u32 = 0u32;"));
        let label = self.label();
        let head = label.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
        self.line(indent, &format!("{head}loop {{"));
        self.line(indent + 1, &format!("{c} += 1u32;"));
        self.line(indent + 1, &format!("if {c} > {n}u32 {{ break; }}"));
        self.vars.push(Var { name: c, ty: Ty::U32, mutable: false });
        self.loop_body(indent + 1, label);
        self.line(indent, "}");
    }
}

/// The transcendental methods and their argument shapes (`x.f()` or `x.f(y)`).
const APPROX: [(&str, usize); 12] = [
    ("exp", 0),
    ("exp2", 0),
    ("ln", 0),
    ("log2", 0),
    ("log10", 0),
    ("sin", 0),
    ("cos", 0),
    ("tan", 0),
    ("tanh", 0),
    ("powf", 1),
    ("powi", 1),
    ("hypot", 1),
];

/// The condition around every body: each input read and each result store is in bounds (so the kernel carries no
/// checks for them; the body's own indexing keeps its checks).
const GUARD: &str = "i < out_t.len() && i * 4 + 3 < out_u.len() && i * 4 + 3 < out_f.len() && i < a_i8.len() \
                     && i < a_i16.len() && i < a_i32.len() && i < a_i64.len() && i < a_u8.len() && i < a_u16.len() \
                     && i < a_u32.len() && i < a_u64.len() && i < a_f32.len() && i < a_f64.len()";

fn params() -> String {
    let mut s = String::new();
    for t in INPUTS {
        let _ = write!(s, "a_{0}: &[{0}], ", t.name());
    }
    s.push_str("out_u: &mut [u64], out_f: &mut [f64], out_t: &mut [f64]");
    s
}

/// Kernel number `index` of the stream `seed`.
pub fn kernel(seed: u64, index: usize) -> Kernel {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let mut g = Gen {
        rng: &mut rng,
        vars: Vec::new(),
        scopes: Vec::new(),
        loops: Vec::new(),
        next: 0,
        budget: 0,
        depth: 0,
        out: String::new(),
    };
    g.budget = 6 + g.rng.below(14);
    // The inputs, as the body's first variables.
    for t in INPUTS {
        let name = format!("x_{}", t.name());
        g.line(2, &format!("let {name}: {0} = a_{0}[i];", t.name()));
        g.vars.push(Var { name, ty: t, mutable: false });
    }
    while g.budget > 0 {
        g.stmt(2);
    }
    for k in 0..4 {
        let ty = g.rng.pick(&INTS);
        let e = g.expr(ty, 2);
        g.line(2, &format!("out_u[i * 4 + {k}] = ({e}) as u64;"));
    }
    for k in 0..4 {
        let ty = if g.rng.chance(50) { Ty::F32 } else { Ty::F64 };
        let e = g.expr(ty, 2);
        g.line(2, &format!("out_f[i * 4 + {k}] = ({e}) as f64;"));
    }
    let (approx, arity) = g.rng.pick(&APPROX);
    let fty = if g.rng.chance(50) { Ty::F32 } else { Ty::F64 };
    let ft = fty.name();
    // The arguments on lines of their own (where a panic in them is at the same place in both copies), then the
    // call. The f32 methods are compared with the f64 method of the host on the same argument, rounded once to
    // f32: what the documented f32 bound is measured against (glibc's f32 functions are off by an ulp or so
    // themselves). `powi` is compared with the host's own (the documented bound is bit-exact).
    let x = g.expr(fty, 2);
    g.line(2, &format!("let t_x: {ft} = {x};"));
    let (args, arity) = match (approx, arity) {
        ("powi", _) => {
            let n = g.expr(Ty::I32, 1);
            g.line(2, &format!("let t_n: i32 = ({n}) % 40i32;"));
            ("t_n".to_owned(), 1)
        }
        ("powf", _) if g.rng.chance(50) => {
            // Where pow is hardest: x ∈ (0, 50], |y| ≤ 20.
            let y = g.expr(fty, 1);
            g.line(2, &format!("let t_x: {ft} = t_x.abs().min(49.9{ft}) + 0.015625{ft};"));
            g.line(2, &format!("let t_y: {ft} = ({y}).max(-20.0{ft}).min(20.0{ft});"));
            ("t_y".to_owned(), 1)
        }
        (_, 1) => {
            let y = g.expr(fty, 1);
            g.line(2, &format!("let t_y: {ft} = {y};"));
            ("t_y".to_owned(), 1)
        }
        _ => (String::new(), 0),
    };
    let body = g.out;
    let kernel_call = format!("t_x.{approx}({args})");
    let host_call = if fty == Ty::F32 && approx != "powi" {
        let wide_args = if arity == 1 { format!("{args} as f64") } else { String::new() };
        format!("((t_x as f64).{approx}({wide_args}) as f32)")
    } else {
        kernel_call.clone()
    };
    let kernel_body = format!("{body}        out_t[i] = ({kernel_call}) as f64;\n");
    let host_body = format!("{body}        out_t[i] = ({host_call}) as f64;\n");

    let name = format!("k{index}");
    let mut source = String::new();
    // rustc rejects constant expressions that overflow or divide by zero; at run time they wrap or panic, as in
    // the kernel.
    let allow = "#[allow(warnings, arithmetic_overflow, unconditional_panic, clippy::all)]";
    let _ = writeln!(source, "#[ptx_kernel]\n{allow}\npub fn {name}({}) {{", params());
    source.push_str("    let i = gpu::global_idx_x() as usize;\n");
    source.push_str(&format!("    if {GUARD} {{\n"));
    let kernel_body_line = source.lines().count();
    source.push_str(&kernel_body);
    source.push_str("    }\n}\n\n");
    let _ = writeln!(source, "{allow}\npub fn {name}_host(i: usize, {}) {{", params());
    source.push_str(&format!("    if {GUARD} {{\n"));
    let host_body_line = source.lines().count();
    source.push_str(&host_body);
    source.push_str("    }\n}\n");
    Kernel { name, source, host_line_offset: host_body_line - kernel_body_line, approx, approx_f32: fty == Ty::F32 }
}
