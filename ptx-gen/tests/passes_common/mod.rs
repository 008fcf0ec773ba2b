//! Shared by the pass and verifier tests: a deterministic random generator of valid functions and a small reference
//! interpreter of the integer subset of the IR.
#![allow(dead_code)]

use ptx_gen::*;

/// A 64-bit linear congruential generator (Knuth's MMIX constants), output mixed so that low bits are usable.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u32, den: u32) -> bool {
        (self.next_u64() % den as u64) < num as u64
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// An interesting integer: small, near a power of two, extreme, or random.
    pub fn int(&mut self) -> u64 {
        match self.below(6) {
            0 => self.below(8) as u64,
            1 => (self.below(8) as u64).wrapping_neg(),
            2 => 1u64 << self.below(64),
            3 => (1u64 << self.below(64)).wrapping_sub(1),
            _ => self.next_u64(),
        }
    }
}

/// Integer register types the generator computes in.
pub const INT_TYPES: [Type; 8] =
    [Type::U16, Type::S16, Type::U32, Type::S32, Type::B32, Type::U64, Type::S64, Type::B64];

/// Generates a random valid device function `f(p0..pk) -> (r0, r1)` of the integer subset: arithmetic over
/// parameters and immediates, reassigned "variables", stores through a pointer parameter, if/else diamonds, counted
/// loops and early returns. Every register is assigned before it is read on every path.
pub fn random_function(rng: &mut Rng, max_stmts: usize) -> Function {
    random_function_with(rng, max_stmts, 3)
}

/// [`random_function`] where an operand is an immediate with probability 1 / `imm_one_in` (when a register of
/// the type is available).
pub fn random_function_with(rng: &mut Rng, max_stmts: usize, imm_one_in: u32) -> Function {
    generate(rng, max_stmts, imm_one_in, false)
}

/// A random function that uses its whole statement budget (top-level regions until it is spent): for sizing.
pub fn random_function_filled(rng: &mut Rng, stmts: usize, imm_one_in: u32) -> Function {
    generate(rng, stmts, imm_one_in, true)
}

fn generate(rng: &mut Rng, max_stmts: usize, imm_one_in: u32, fill: bool) -> Function {
    let mut f = Function::device("f");
    let nparams = 1 + rng.below(4);
    for i in 0..nparams {
        let ty = rng.pick(&[Type::U32, Type::S32, Type::U64, Type::S64, Type::B32]);
        f.add_param(format!("p{i}"), ty);
    }
    f.add_param("ptr", Type::U64);
    let nrets = 1 + rng.below(2);
    for _ in 0..nrets {
        let ty = rng.pick(&[Type::U32, Type::S64, Type::U64, Type::S32]);
        f.add_return(ty);
    }
    let params: Vec<Reg> = f.params.iter().filter_map(|p| p.reg).collect();
    let ptr = *params.last().unwrap();
    let returns = f.returns.clone();
    let mut g = Gen {
        rng: rng.clone(),
        avail: params[..params.len() - 1].to_vec(),
        vars: Vec::new(),
        ptr,
        returns,
        budget: max_stmts,
        imm_one_in,
    };
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    // A few mutable variables, initialised on entry.
    for _ in 0..1 + g.rng.below(3) {
        let ty = g.rng.pick(&INT_TYPES);
        let v = b.new_reg(ty);
        let src = g.operand(&b, ty);
        b.push(InstKind::Mov { ty, dst: v, src });
        g.vars.push(v);
        g.avail.push(v);
    }
    g.region(&mut b, 0);
    while fill && g.budget > 0 && !b.is_terminated() {
        g.region(&mut b, 0);
    }
    if !b.is_terminated() {
        g.ret(&mut b);
    }
    b.finish().expect("the generator misused the builder");
    *rng = g.rng;
    f
}

struct Gen {
    rng: Rng,
    /// Registers assigned on every path to the current point.
    avail: Vec<Reg>,
    /// Mutable variables (assigned on entry, reassigned anywhere).
    vars: Vec<Reg>,
    ptr: Reg,
    returns: Vec<Reg>,
    budget: usize,
    imm_one_in: u32,
}

impl Gen {
    /// A register of a type compatible with `ty`, or an immediate.
    fn operand(&mut self, b: &FunctionBuilder, ty: Type) -> Operand {
        let cands: Vec<Reg> =
            self.avail.iter().copied().filter(|&r| ptx_gen::verify::reg_compatible(ty, b.reg_type(r))).collect();
        if cands.is_empty() || self.rng.chance(1, self.imm_one_in) {
            Operand::Imm(Imm(truncate(self.rng.int(), ty.bits())))
        } else {
            Operand::Reg(self.rng.pick(&cands))
        }
    }

    /// A register compatible with `ty` (materialised with a `mov` when none is available).
    fn reg(&mut self, b: &mut FunctionBuilder, ty: Type) -> Reg {
        match self.operand(b, ty) {
            Operand::Reg(r) => r,
            o => {
                let r = b.ins().mov(ty, o);
                self.avail.push(r);
                r
            }
        }
    }

    /// Where a result of type `ty` goes: a fresh register, or sometimes a compatible variable (reassignment).
    fn dest(&mut self, b: &mut FunctionBuilder, ty: Type) -> Reg {
        let vars: Vec<Reg> = self
            .vars
            .iter()
            .copied()
            .filter(|&v| {
                let vt = b.reg_type(v);
                ptx_gen::verify::reg_compatible(ty, vt) && vt.reg_class() == ty.reg_class()
            })
            .collect();
        if !vars.is_empty() && self.rng.chance(1, 4) {
            self.rng.pick(&vars)
        } else {
            let r = b.new_reg(ty);
            self.avail.push(r);
            r
        }
    }

    fn ret(&mut self, b: &mut FunctionBuilder) {
        for r in self.returns.clone() {
            let ty = b.reg_type(r);
            let src = self.operand(b, ty);
            b.push(InstKind::Mov { ty, dst: r, src });
        }
        b.ret();
    }

    /// A sequence of statements ending unterminated (or terminated by an early return).
    fn region(&mut self, b: &mut FunctionBuilder, depth: usize) {
        let n = 1 + self.rng.below(6);
        for _ in 0..n {
            if self.budget == 0 || b.is_terminated() {
                return;
            }
            self.budget -= 1;
            match self.rng.below(20) {
                0..=1 if depth < 3 => self.if_else(b, depth),
                2 if depth < 2 => self.counted_loop(b, depth),
                3 if depth > 0 && self.rng.chance(1, 3) => self.ret(b),
                4 => {
                    let ty = self.rng.pick(&[Type::U32, Type::U64, Type::B16, Type::S32]);
                    let v = self.operand(b, ty);
                    let off = 8 * self.rng.below(4) as i64;
                    b.ins().st(MemAccess::new(StateSpace::Global, ty), Address::reg_offset(self.ptr, off), v);
                }
                _ => self.simple(b),
            }
        }
    }

    fn if_else(&mut self, b: &mut FunctionBuilder, depth: usize) {
        let cond = self.condition(b);
        let (then_b, else_b, join) = (b.create_block(), b.create_block(), b.create_block());
        b.branch(cond, then_b, else_b);
        let saved = self.avail.len();
        b.switch_to_block(then_b);
        self.region(b, depth + 1);
        if !b.is_terminated() {
            b.jump(join);
        }
        self.avail.truncate(saved);
        b.switch_to_block(else_b);
        if self.rng.chance(1, 2) {
            self.region(b, depth + 1);
        }
        if !b.is_terminated() {
            b.jump(join);
        }
        self.avail.truncate(saved);
        b.switch_to_block(join);
    }

    fn counted_loop(&mut self, b: &mut FunctionBuilder, depth: usize) {
        let trips = 1 + self.rng.below(4) as u64;
        let i = b.ins().mov(Type::U32, Operand::u32(0));
        let (body, exit) = (b.create_block(), b.create_block());
        b.jump(body);
        b.switch_to_block(body);
        let saved = self.avail.len();
        self.region(b, depth + 1);
        if !b.is_terminated() {
            b.push(InstKind::Binary {
                op: BinOp::Add,
                mode: Mode::None,
                ty: Type::U32,
                dst: i,
                a: Operand::Reg(i),
                b: Operand::u32(1),
            });
            let p = b.ins().setp(CmpOp::Lt, Type::U32, i, Operand::u32(trips as u32));
            b.branch(p, body, exit);
        }
        self.avail.truncate(saved);
        b.switch_to_block(exit);
    }

    fn condition(&mut self, b: &mut FunctionBuilder) -> Reg {
        let ty = self.rng.pick(&[Type::U32, Type::S32, Type::U64, Type::S64, Type::B32]);
        let cmps: &[CmpOp] = if ty.is_bits() {
            &[CmpOp::Eq, CmpOp::Ne]
        } else if ty.is_unsigned() {
            &[
                CmpOp::Eq,
                CmpOp::Ne,
                CmpOp::Lt,
                CmpOp::Le,
                CmpOp::Gt,
                CmpOp::Ge,
                CmpOp::Lo,
                CmpOp::Ls,
                CmpOp::Hi,
                CmpOp::Hs,
            ]
        } else {
            &[CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge]
        };
        let cmp = self.rng.pick(cmps);
        let a = self.operand(b, ty);
        let c = self.operand(b, ty);
        let p = b.ins().setp(cmp, ty, a, c);
        if self.rng.chance(1, 4) {
            // Combine with another predicate, or negate.
            let q = b.ins().setp(CmpOp::Ne, ty, c, a);
            let op = self.rng.pick(&[BinOp::And, BinOp::Or, BinOp::Xor]);
            return b.ins().binary(op, Mode::None, Type::Pred, p, q);
        }
        p
    }

    /// One straight-line instruction.
    fn simple(&mut self, b: &mut FunctionBuilder) {
        let ty = self.rng.pick(&INT_TYPES);
        let arith = ty.is_int();
        let bits32_64 = matches!(ty.bits(), 32 | 64);
        let kind = match self.rng.below(13) {
            0 | 1 if arith => {
                let op = self.rng.pick(&[BinOp::Add, BinOp::Sub, BinOp::Min, BinOp::Max, BinOp::Div, BinOp::Rem]);
                let (a, c) = (self.operand(b, ty), self.operand(b, ty));
                let dst = self.dest(b, ty);
                InstKind::Binary { op, mode: Mode::None, ty, dst, a, b: c }
            }
            2 if arith => {
                let mode = if ty.bits() < 64 {
                    self.rng.pick(&[Mode::Lo, Mode::Hi, Mode::Wide])
                } else {
                    self.rng.pick(&[Mode::Lo, Mode::Hi])
                };
                let (a, c) = (self.operand(b, ty), self.operand(b, ty));
                let dty = if mode == Mode::Wide { ty.widened().unwrap() } else { ty };
                let add = self.operand(b, dty);
                let dst = self.dest(b, dty);
                if self.rng.chance(1, 2) {
                    InstKind::Ternary { op: TernOp::Mad, mode, ty, dst, a, b: c, c: add }
                } else {
                    InstKind::Binary { op: BinOp::Mul, mode, ty, dst, a, b: c }
                }
            }
            3 | 4 => {
                let op = self.rng.pick(&[BinOp::And, BinOp::Or, BinOp::Xor, BinOp::Shl, BinOp::Shr]);
                let a = self.operand(b, ty);
                let c = if matches!(op, BinOp::Shl | BinOp::Shr) {
                    match self.rng.below(3) {
                        0 => Operand::u32(self.rng.below(ty.bits() as usize + 8) as u32),
                        _ => self.operand(b, Type::U32),
                    }
                } else {
                    self.operand(b, ty)
                };
                let dst = self.dest(b, ty);
                InstKind::Binary { op, mode: Mode::None, ty, dst, a, b: c }
            }
            5 => {
                let op = if ty.is_signed() {
                    self.rng.pick(&[UnOp::Neg, UnOp::Abs, UnOp::Not])
                } else if bits32_64 {
                    self.rng.pick(&[UnOp::Not, UnOp::Popc, UnOp::Clz, UnOp::Brev])
                } else {
                    UnOp::Not
                };
                let a = self.operand(b, ty);
                let dty = if matches!(op, UnOp::Popc | UnOp::Clz) { Type::U32 } else { ty };
                let dst = self.dest(b, dty);
                InstKind::Unary { op, mode: Mode::None, ty, dst, src: a }
            }
            6 if bits32_64 => {
                let ety = if ty.bits() == 32 {
                    self.rng.pick(&[Type::U32, Type::S32])
                } else {
                    self.rng.pick(&[Type::U64, Type::S64])
                };
                let a = self.operand(b, ety);
                let (pos, len) = (self.shift_like(b), self.shift_like(b));
                let dst = self.dest(b, ety);
                InstKind::Ternary { op: TernOp::Bfe, mode: Mode::None, ty: ety, dst, a, b: pos, c: len }
            }
            7 if bits32_64 => {
                let (fo, base) = (self.operand(b, ty), self.operand(b, ty));
                let (pos, len) = (self.shift_like(b), self.shift_like(b));
                let dst = self.dest(b, ty);
                InstKind::Bfi { ty, dst, f: fo, b: base, pos, len }
            }
            8 => {
                let cond = self.condition(b);
                let (a, c) = (self.operand(b, ty), self.operand(b, ty));
                let dst = self.dest(b, ty);
                InstKind::Selp { ty, dst, a, b: c, cond }
            }
            9 => {
                let dst_ty = self.rng.pick(&[Type::U16, Type::S16, Type::U32, Type::S32, Type::U64, Type::S64]);
                let src_ty = self.rng.pick(&[Type::U16, Type::S16, Type::U32, Type::S32, Type::U64, Type::S64]);
                let src = self.operand(b, src_ty);
                let dst = self.dest(b, dst_ty);
                // ptxas refuses `.sat` where the destination holds every source value.
                let fits = (dst_ty.is_signed() == src_ty.is_signed() && dst_ty.bits() >= src_ty.bits())
                    || (dst_ty.is_signed() && dst_ty.bits() > src_ty.bits());
                let sat = !fits && self.rng.chance(1, 2);
                InstKind::Cvt { mode: CvtMode::None, sat, dst_ty, src_ty, dst, src }
            }
            10 => {
                // A copy, the food of copy propagation.
                let src = self.operand(b, ty);
                let dst = self.dest(b, ty);
                InstKind::Mov { ty, dst, src }
            }
            _ => {
                let op = if arith { self.rng.pick(&[BinOp::Add, BinOp::Sub]) } else { BinOp::Xor };
                let (a, c) = (self.operand(b, ty), self.operand(b, ty));
                let dst = self.dest(b, ty);
                InstKind::Binary { op, mode: Mode::None, ty, dst, a, b: c }
            }
        };
        b.push(kind);
    }

    fn shift_like(&mut self, b: &mut FunctionBuilder) -> Operand {
        if self.rng.chance(2, 3) {
            Operand::u32(self.rng.below(72) as u32)
        } else {
            self.operand(b, Type::U32)
        }
    }
}

/// What running a function did: its results and its stores, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub returns: Vec<u64>,
    /// (address, bytes, value)
    pub stores: Vec<(u64, u32, u64)>,
}

/// Why the interpreter stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Read a register nobody assigned (the verifier should have refused the function).
    Undefined(String),
    /// The instruction is outside the interpreter's integer subset.
    Unsupported(String),
    /// Ran too long.
    StepLimit,
    /// `trap`.
    Trap,
    /// The IR is malformed where the interpreter needed it.
    Malformed(String),
}

fn sx(v: u64, bits: u32) -> i128 {
    if bits >= 64 {
        v as i64 as i128
    } else {
        (((v << (64 - bits)) as i64) >> (64 - bits)) as i128
    }
}

fn val(v: u64, ty: Type) -> i128 {
    if ty.is_signed() {
        sx(v, ty.bits())
    } else {
        truncate(v, ty.bits()) as i128
    }
}

/// Runs a device function of the integer subset on `args` (one per parameter, raw bits).
pub fn interpret(func: &Function, args: &[u64], step_limit: usize) -> Result<Outcome, Stop> {
    let mut regs: Vec<Option<u64>> = vec![None; func.regs.len()];
    for (p, &a) in func.params.iter().zip(args) {
        let r = p.reg.ok_or_else(|| Stop::Malformed("kernel".into()))?;
        *regs.get_mut(r.0 as usize).ok_or_else(|| Stop::Malformed("param reg".into()))? =
            Some(truncate(a, p.ty.bits()));
    }
    let mut stores = Vec::new();
    let mut block = func.entry().ok_or_else(|| Stop::Malformed("no entry".into()))?;
    let mut steps = 0usize;
    loop {
        let data = func.blocks.get(block).ok_or_else(|| Stop::Malformed(format!("{block}")))?;
        for &i in &data.insts {
            steps += 1;
            if steps > step_limit {
                return Err(Stop::StepLimit);
            }
            let kind = &func.insts.get(i).ok_or_else(|| Stop::Malformed(format!("{i}")))?.kind;
            exec(kind, &mut regs, &mut stores)?;
        }
        steps += 1;
        if steps > step_limit {
            return Err(Stop::StepLimit);
        }
        match data.term.as_ref().ok_or_else(|| Stop::Malformed("no terminator".into()))? {
            Terminator::Jump(t) => block = *t,
            Terminator::Branch { cond, negate, then_dest, else_dest } => {
                let c = read_reg(&regs, *cond)? & 1 != 0;
                block = if c != *negate { *then_dest } else { *else_dest };
            }
            Terminator::Return => {
                let width = |r: Reg| func.reg_type(r).map_or(64, |t| t.bits());
                let returns = func
                    .returns
                    .iter()
                    .map(|&r| read_reg(&regs, r).map(|v| truncate(v, width(r))))
                    .collect::<Result<_, _>>()?;
                return Ok(Outcome { returns, stores });
            }
            Terminator::Trap => return Err(Stop::Trap),
        }
    }
}

fn read_reg(regs: &[Option<u64>], r: Reg) -> Result<u64, Stop> {
    regs.get(r.0 as usize).copied().flatten().ok_or_else(|| Stop::Undefined(format!("{r}")))
}

fn read(regs: &[Option<u64>], o: Operand, ty: Type) -> Result<u64, Stop> {
    Ok(truncate(
        match o {
            Operand::Imm(i) => i.0,
            Operand::Reg(r) => read_reg(regs, r)?,
        },
        ty.bits(),
    ))
}

fn write(regs: &mut [Option<u64>], r: Reg, v: u64, ty: Type) -> Result<(), Stop> {
    *regs.get_mut(r.0 as usize).ok_or_else(|| Stop::Malformed(format!("{r}")))? = Some(truncate(v, ty.bits()));
    Ok(())
}

/// The exact product of two values of at most 64 bits (signed or unsigned), as 128 bits.
fn full_product(x: i128, y: i128) -> u128 {
    let neg = (x < 0) != (y < 0);
    let m = x.unsigned_abs() * y.unsigned_abs(); // < 2^128: both magnitudes are below 2^64
    if neg {
        m.wrapping_neg()
    } else {
        m
    }
}

fn unsupported(kind: &InstKind) -> Stop {
    Stop::Unsupported(format!("{kind:?}"))
}

fn int_like(t: Type) -> bool {
    (t.is_int() || t.is_bits() || t == Type::Pred) && t.bits() != 8
}

fn exec(kind: &InstKind, regs: &mut [Option<u64>], stores: &mut Vec<(u64, u32, u64)>) -> Result<(), Stop> {
    use InstKind::*;
    match *kind {
        Mov { ty, dst, src } if int_like(ty) => {
            let v = read(regs, src, ty)?;
            write(regs, dst, v, ty)
        }
        Unary { op, mode: Mode::None, ty, dst, src } if int_like(ty) => {
            let bits = ty.bits();
            let a = read(regs, src, ty)?;
            let (r, rty) = match op {
                UnOp::Neg => ((-val(a, ty)) as u64, ty),
                UnOp::Abs => (val(a, ty).unsigned_abs() as u64, ty),
                UnOp::Not => (!a, ty),
                UnOp::Popc => (a.count_ones() as u64, Type::U32),
                UnOp::Clz => ((0..bits).rev().take_while(|&i| (a >> i) & 1 == 0).count() as u64, Type::U32),
                UnOp::Brev => ((0..bits).fold(0u64, |acc, i| acc | (((a >> i) & 1) << (bits - 1 - i))), ty),
                _ => return Err(unsupported(kind)),
            };
            write(regs, dst, r, rty)
        }
        Binary { op, mode, ty, dst, a, b } if int_like(ty) => {
            let bits = ty.bits();
            let x = read(regs, a, ty)?;
            let shift = matches!(op, BinOp::Shl | BinOp::Shr);
            let y = read(regs, b, if shift { Type::U32 } else { ty })?;
            let (vx, vy) = (val(x, ty), val(y, ty));
            let mut rty = ty;
            let r: u64 = match op {
                BinOp::Add => (vx + vy) as u64,
                BinOp::Sub => (vx - vy) as u64,
                BinOp::Mul => {
                    let p = full_product(vx, vy);
                    match mode {
                        Mode::Lo => p as u64,
                        Mode::Hi => (p >> bits) as u64,
                        Mode::Wide => {
                            rty = ty.widened().ok_or_else(|| unsupported(kind))?;
                            p as u64
                        }
                        _ => return Err(unsupported(kind)),
                    }
                }
                // The GPU's values for division by zero; MIN / -1 wraps.
                BinOp::Div => {
                    if vy == 0 {
                        u64::MAX
                    } else {
                        let q = vx / vy;
                        q as u64
                    }
                }
                BinOp::Rem => {
                    if vy == 0 {
                        u64::MAX
                    } else {
                        (vx % vy) as u64
                    }
                }
                BinOp::Min => vx.min(vy) as u64,
                BinOp::Max => vx.max(vy) as u64,
                BinOp::And => x & y,
                BinOp::Or => x | y,
                BinOp::Xor => x ^ y,
                BinOp::Shl => {
                    if y >= bits as u64 {
                        0
                    } else {
                        x << y
                    }
                }
                BinOp::Shr => {
                    let s = y.min(bits as u64 - 1) as u32;
                    if ty.is_signed() {
                        (vx >> s) as u64
                    } else if y >= bits as u64 {
                        0
                    } else {
                        x >> y
                    }
                }
            };
            write(regs, dst, r, rty)
        }
        Ternary { op: TernOp::Mad, mode, ty, dst, a, b, c } if ty.is_int() => {
            let bits = ty.bits();
            let (x, y) = (val(read(regs, a, ty)?, ty), val(read(regs, b, ty)?, ty));
            let p = full_product(x, y);
            let (r, rty) = match mode {
                Mode::Lo => (p as u64, ty),
                Mode::Hi => ((p >> bits) as u64, ty),
                Mode::Wide => (p as u64, ty.widened().ok_or_else(|| unsupported(kind))?),
                _ => return Err(unsupported(kind)),
            };
            let z = read(regs, c, rty)?;
            write(regs, dst, r.wrapping_add(z), rty)
        }
        Ternary { op: TernOp::Bfe, mode: Mode::None, ty, dst, a, b, c } if ty.is_int() => {
            let bits = ty.bits() as u64;
            let x = read(regs, a, ty)?;
            let pos = read(regs, b, Type::U32)? & 0xff;
            let len = read(regs, c, Type::U32)? & 0xff;
            let sbit = if ty.is_unsigned() || len == 0 { 0 } else { (x >> (pos + len - 1).min(bits - 1)) & 1 };
            let mut d = 0u64;
            for i in 0..bits {
                let bit = if i < len && pos + i < bits { (x >> (pos + i)) & 1 } else { sbit };
                d |= bit << i;
            }
            write(regs, dst, d, ty)
        }
        Bfi { ty, dst, f, b, pos, len } if int_like(ty) => {
            let bits = ty.bits() as u64;
            let x = read(regs, f, ty)?;
            let mut d = read(regs, b, ty)?;
            let p = read(regs, pos, Type::U32)? & 0xff;
            let l = read(regs, len, Type::U32)? & 0xff;
            for i in 0..l {
                if p + i >= bits {
                    break;
                }
                d = (d & !(1 << (p + i))) | (((x >> i) & 1) << (p + i));
            }
            write(regs, dst, d, ty)
        }
        Setp { cmp, ty, dst, a, b } if int_like(ty) => {
            let (x, y) = (val(read(regs, a, ty)?, ty), val(read(regs, b, ty)?, ty));
            let r = match cmp {
                CmpOp::Eq => x == y,
                CmpOp::Ne => x != y,
                CmpOp::Lt | CmpOp::Lo => x < y,
                CmpOp::Le | CmpOp::Ls => x <= y,
                CmpOp::Gt | CmpOp::Hi => x > y,
                CmpOp::Ge | CmpOp::Hs => x >= y,
                _ => return Err(unsupported(kind)),
            };
            write(regs, dst, r as u64, Type::Pred)
        }
        Selp { ty, dst, a, b, cond } if int_like(ty) => {
            let c = read_reg(regs, cond)? & 1 != 0;
            let v = if c { read(regs, a, ty)? } else { read(regs, b, ty)? };
            write(regs, dst, v, ty)
        }
        Cvt { mode: CvtMode::None, sat, dst_ty, src_ty, dst, src } if dst_ty.is_int() && src_ty.is_int() => {
            let v = val(read(regs, src, src_ty)?, src_ty);
            let v = if sat {
                let (lo, hi) = if dst_ty.is_signed() {
                    (-(1i128 << (dst_ty.bits() - 1)), (1i128 << (dst_ty.bits() - 1)) - 1)
                } else {
                    (0, (1i128 << dst_ty.bits()) - 1)
                };
                v.clamp(lo, hi)
            } else {
                v
            };
            // A destination register wider than the type holds the value extended by the destination's signedness.
            let v = val(v as u64, dst_ty);
            write(regs, dst, v as u64, Type::U64)
        }
        St { access, addr: Address { base: AddrBase::Reg(base), offset }, ref srcs } => {
            let a = read_reg(regs, base)?.wrapping_add(offset as u64);
            for (k, &s) in srcs.iter().enumerate() {
                let v = read(regs, s, access.ty)?;
                stores.push((a + (k as u64) * access.ty.size() as u64, access.ty.size(), v));
            }
            Ok(())
        }
        _ => Err(unsupported(kind)),
    }
}

/// Instructions in the layout (terminators not counted).
pub fn inst_count(f: &Function) -> usize {
    f.layout.iter().filter_map(|&b| f.blocks.get(b)).map(|b| b.insts.len()).sum()
}
