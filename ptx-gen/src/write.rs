//! The PTX writer: a [`Module`] as the PTX text described in `docs/ptx-text.md`.
//!
//! One [`PtxWriter`]: `write_*` methods emit items (header, variables, functions, blocks, instructions), `put_*`
//! methods emit fragments (registers, immediates, addresses, labels). Every opcode comes from one table,
//! [`put_opcode`], an exhaustive `match` over [`InstKind`] in the spirit of tinygrad's `asm_for_op`; the operands
//! from one more `match` in [`PtxWriter::write_inst`]. Adding an instruction means one row in each.
//!
//! Names are derived, never taken from the IR's strings, so the text depends only on the IR's structure:
//! - registers are renumbered per class from 1 in IR order (`%r1`, `%rd1`, …) and declared as ranges
//!   (`.reg .b32 %r<5>;`); device-function parameters and results are `%argN` / `%retN`;
//! - kernel parameters are `{kernel}_param_{N}` (the nvcc convention, which cannot collide with anything);
//! - blocks are `$L__BB{f}_{n}`, `f` the function's index in the module and `n` the block's layout position.
//!
//! Type spellings: PTX has no `.f16`/`.bf16` forms of its data-movement instructions and no 8-bit `mov`/`selp`, and
//! its bitwise instructions take only `.bN` types. Where the IR names such a type, the writer spells the type of the
//! same width and register class that PTX does accept (`ld.global.b16` for an f16 load, `and.b32` for an `and` of
//! u32): the same bits move, so the spelling is lossless, and the frontend need not know PTX's gaps.
//!
//! The writer never panics. IR it cannot write (a register the function does not have, a block without a
//! terminator, `bar.arrive` without a thread count, …) is a [`WriteError`] naming the function and the
//! instruction. It checks only what it needs in order to write; type rules are the verifier's.

use std::fmt::{self, Write as _};

use crate::entity::EntityRef;
use crate::inst::*;
use crate::ir::{FuncKind, Function, KernelAttrs, Module, VarData};
use crate::target::{resolve_target, Target, TargetError};
use crate::types::{RegClass, StateSpace, Type};

/// Why a module could not be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// The requested target lacks something the module uses.
    Target(TargetError),
    /// A function (or one of its instructions) cannot be written.
    Invalid {
        /// The function's name.
        func: String,
        /// The instruction at fault, if it is one.
        inst: Option<Inst>,
        /// The instruction's source location ([`SrcLoc::NONE`] when none).
        loc: SrcLoc,
        /// What is wrong.
        what: String,
    },
    /// A module variable cannot be written.
    InvalidVar {
        /// The variable's name.
        var: String,
        /// What is wrong.
        what: String,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Target(e) => fmt::Display::fmt(e, f),
            WriteError::Invalid { func, inst, what, .. } => write!(f, "cannot write `{func}`{}: {what}", at_inst(inst)),
            WriteError::InvalidVar { var, what } => write!(f, "cannot write module variable `{var}`: {what}"),
        }
    }
}

impl std::error::Error for WriteError {
    // `Target` is transparent: it shows as the `TargetError` itself, so its source is that error's source.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Target(e) => std::error::Error::source(e),
            WriteError::Invalid { .. } | WriteError::InvalidVar { .. } => None,
        }
    }
}

impl From<TargetError> for WriteError {
    fn from(e: TargetError) -> Self {
        WriteError::Target(e)
    }
}

fn at_inst(inst: &Option<Inst>) -> String {
    inst.map(|i| format!(" at {i}")).unwrap_or_default()
}

/// Writes `module` as PTX text, for [`resolve_target`]'s target.
pub fn write_module(module: &Module) -> Result<String, WriteError> {
    PtxWriter::new(module)?.finish()
}

/// The opcode and modifiers of `kind` as the writer spells them (`tanh.approx.f32`), for messages. For an
/// instruction the writer would reject, the spelling up to the problem (`atom`), which still names it.
pub fn opcode_text(kind: &InstKind) -> String {
    let mut s = String::new();
    let _ = put_opcode(&mut s, kind);
    s
}

/// A fragment that could not be written: what is wrong, without the function/instruction context.
type Frag = Result<(), String>;

/// How a register is named in the function being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegName {
    /// `%r3`: a body register, numbered from 1 per class.
    Num(RegClass, u32),
    /// `%arg0`: a device-function parameter.
    Arg(u32),
    /// `%ret0`: a device-function result.
    Ret(u32),
}

/// Writes one module. See the [module documentation](self) for the conventions.
pub struct PtxWriter<'m> {
    module: &'m Module,
    target: Target,
    out: String,
    // State of the function being written, reset by `write_function`.
    func: Option<(usize, &'m Function)>,
    reg_names: Vec<Option<RegName>>,
    /// Layout position of every block (`None`: not emitted).
    block_pos: Vec<Option<u32>>,
}

impl<'m> PtxWriter<'m> {
    /// A writer for `module`; fails when its requested target is too low for it.
    pub fn new(module: &'m Module) -> Result<PtxWriter<'m>, WriteError> {
        let target = resolve_target(module)?;
        Ok(PtxWriter { module, target, out: String::new(), func: None, reg_names: Vec::new(), block_pos: Vec::new() })
    }

    /// The target the module is written for.
    pub fn target(&self) -> Target {
        self.target
    }

    /// Writes the whole module and returns its text.
    pub fn finish(mut self) -> Result<String, WriteError> {
        // About 40 bytes per instruction; reserving avoids most regrowth.
        let insts: usize = self.module.functions.values().map(|f| f.insts.len()).sum();
        self.out.reserve(512 + 40 * insts);
        self.check_names()?;
        self.write_header();
        for data in self.module.vars.values() {
            self.write_var(data)?;
        }
        if !self.module.vars.is_empty() {
            self.out.push('\n');
        }
        for (i, (_, func)) in self.module.functions.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            self.write_function(i, func)?;
        }
        Ok(self.out)
    }

    // ----- items -----------------------------------------------------------------------------------------------

    /// `.version`, `.target`, `.address_size`.
    pub fn write_header(&mut self) {
        let t = self.target;
        self.put_fmt(format_args!(
            "//\n// Generated by ptx-kernel\n//\n\n.version {}\n.target {}\n.address_size 64\n\n",
            t.ptx_isa,
            t.name()
        ));
    }

    /// One module variable: `.global .align 4 .u32 counter = 5;`.
    pub fn write_var(&mut self, data: &VarData) -> Result<(), WriteError> {
        let bad = |what: String| WriteError::InvalidVar { var: data.name.clone(), what };
        if !matches!(data.space, StateSpace::Global | StateSpace::Shared | StateSpace::Const) {
            return Err(bad(format!("a module variable lives in .global, .shared or .const, not .{}", data.space)));
        }
        if data.ty == Type::Pred {
            return Err(bad("predicates cannot be stored in memory".into()));
        }
        if !data.align.is_power_of_two() {
            return Err(bad(format!("alignment {} is not a power of two", data.align)));
        }
        let extern_array = data.len == Some(0);
        if extern_array && data.space != StateSpace::Shared {
            return Err(bad("only .shared variables can be unsized extern arrays".into()));
        }
        if !data.init.is_empty() {
            if data.space == StateSpace::Shared {
                return Err(bad(".shared variables cannot be initialised".into()));
            }
            let capacity = data.len.unwrap_or(1);
            if data.init.len() as u64 > capacity {
                return Err(bad(format!("{} initial values for {} elements", data.init.len(), capacity)));
            }
        }
        let ty = mem_type(data.ty);
        if extern_array {
            self.out.push_str(".extern ");
        }
        self.put_fmt(format_args!(".{} .align {} .{} {}", data.space.name(), data.align, ty.name(), data.name));
        match data.len {
            None => {}
            Some(0) => self.out.push_str("[]"),
            Some(n) => self.put_fmt(format_args!("[{n}]")),
        }
        if !data.init.is_empty() {
            self.out.push_str(" = ");
            if data.len.is_some() {
                self.out.push('{');
            }
            for (i, &v) in data.init.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                put_imm(&mut self.out, Imm(v), ty);
            }
            if data.len.is_some() {
                self.out.push('}');
            }
        }
        self.out.push_str(";\n");
        Ok(())
    }

    /// One kernel or device function: signature, directives, register declarations and body.
    pub fn write_function(&mut self, index: usize, func: &'m Function) -> Result<(), WriteError> {
        self.func = Some((index, func));
        self.name_registers(func)?;
        self.lay_out_blocks(func)?;
        match func.kind {
            FuncKind::Kernel => self.write_kernel_signature(func)?,
            FuncKind::Device => self.write_device_signature(func)?,
        }
        self.write_directives(func)?;
        self.out.push_str("{\n");
        self.write_reg_decls();
        for (pos, &block) in func.layout.iter().enumerate() {
            self.write_block(func, pos, block)?;
        }
        self.out.push_str("}\n");
        Ok(())
    }

    /// `.visible .entry name(\n\t.param .u64 name_param_0,\n…)`.
    fn write_kernel_signature(&mut self, func: &Function) -> Result<(), WriteError> {
        self.put_fmt(format_args!(".visible .entry {}(", func.name));
        for (i, p) in func.params.iter().enumerate() {
            if p.ty == Type::Pred {
                return Err(self.invalid(None, format!("kernel parameter {i} is a predicate")));
            }
            let sep = if i + 1 < func.params.len() { "," } else { "" };
            self.put_fmt(format_args!("\n\t.param .{} {}_param_{i}{sep}", mem_type(p.ty).name(), func.name));
        }
        if !func.params.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(")\n");
        Ok(())
    }

    /// `.func (.reg .b32 %ret0) name(.reg .b32 %arg0, …)`.
    fn write_device_signature(&mut self, func: &Function) -> Result<(), WriteError> {
        self.out.push_str(".func ");
        if !func.returns.is_empty() {
            self.out.push('(');
            for (i, &r) in func.returns.iter().enumerate() {
                let class = self.abi_class(func, r, "result")?;
                let sep = if i > 0 { ", " } else { "" };
                self.put_fmt(format_args!("{sep}.reg .{} %ret{i}", class.decl_type().name()));
            }
            self.out.push_str(") ");
        }
        self.put_fmt(format_args!("{}(", func.name));
        for (i, p) in func.params.iter().enumerate() {
            let Some(r) = p.reg else {
                return Err(self.invalid(None, format!("device-function parameter {i} has no register")));
            };
            let class = self.abi_class(func, r, "parameter")?;
            let sep = if i > 0 { ", " } else { "" };
            self.put_fmt(format_args!("{sep}.reg .{} %arg{i}", class.decl_type().name()));
        }
        self.out.push_str(")\n");
        Ok(())
    }

    /// The class of a device parameter/result register; ptxas's calling convention has no predicate or 16-bit ones.
    fn abi_class(&self, func: &Function, r: Reg, role: &str) -> Result<RegClass, WriteError> {
        let Some(ty) = func.reg_type(r) else {
            return Err(self.invalid(None, format!("{role} register {r} does not exist")));
        };
        let class = ty.reg_class();
        if matches!(class, RegClass::Pred | RegClass::B16) {
            return Err(self.invalid(
                None,
                format!(
                    "a device-function {role} of type {ty} is not supported by ptxas's calling convention \
                     (pass predicates and 8/16-bit values widened to 32 bits)"
                ),
            ));
        }
        Ok(class)
    }

    /// `.maxntid`, `.reqntid`, `.minnctapersm`, `.maxnreg`.
    fn write_directives(&mut self, func: &Function) -> Result<(), WriteError> {
        let a = func.attrs;
        if a == KernelAttrs::default() {
            return Ok(());
        }
        if func.kind == FuncKind::Device {
            return Err(self.invalid(None, "performance directives apply to kernels only".into()));
        }
        if a.max_threads.is_some() && a.required_threads.is_some() {
            return Err(self.invalid(None, "ptxas rejects .maxntid together with .reqntid".into()));
        }
        let zero = [a.max_threads, a.min_blocks_per_sm, a.max_registers].contains(&Some(0))
            || a.required_threads.is_some_and(|(x, y, z)| x == 0 || y == 0 || z == 0);
        if zero {
            return Err(self.invalid(None, "performance directives must be at least 1".into()));
        }
        if let Some(n) = a.max_threads {
            self.put_fmt(format_args!(".maxntid {n}, 1, 1\n"));
        }
        if let Some((x, y, z)) = a.required_threads {
            self.put_fmt(format_args!(".reqntid {x}, {y}, {z}\n"));
        }
        if let Some(n) = a.min_blocks_per_sm {
            self.put_fmt(format_args!(".minnctapersm {n}\n"));
        }
        if let Some(n) = a.max_registers {
            self.put_fmt(format_args!(".maxnreg {n}\n"));
        }
        Ok(())
    }

    /// `\t.reg .b32 \t%r<5>;` per class that has body registers, then a blank line.
    fn write_reg_decls(&mut self) {
        let mut counts = [0u32; RegClass::ALL.len()];
        for name in self.reg_names.iter().flatten() {
            if let RegName::Num(class, _) = name {
                counts[class_index(*class)] += 1;
            }
        }
        for class in RegClass::ALL {
            let n = counts[class_index(class)];
            if n > 0 {
                self.put_fmt(format_args!("\t.reg .{} \t{}<{}>;\n", class.decl_type().name(), class.prefix(), n + 1));
            }
        }
        if counts.iter().any(|&n| n > 0) {
            self.out.push('\n');
        }
    }

    /// A block: its label (unless it is an unreferenced entry), instructions and terminator.
    fn write_block(&mut self, func: &Function, pos: usize, block: Block) -> Result<(), WriteError> {
        let data = &func.blocks[block]; // `lay_out_blocks` checked that it exists
        if pos > 0 || self.is_branch_target(func, block) {
            self.put_label(block);
            self.out.push_str(":\n");
        }
        for &inst in &data.insts {
            let Some(idata) = func.insts.get(inst) else {
                return Err(self.invalid(Some(inst), format!("{block} lists {inst}, which does not exist")));
            };
            self.write_inst(inst, &idata.kind).map_err(|what| self.invalid_at(inst, idata.loc, what))?;
        }
        let Some(term) = &data.term else {
            return Err(self.invalid(None, format!("{block} has no terminator")));
        };
        self.write_terminator(func, pos, term).map_err(|what| WriteError::Invalid {
            func: func.name.clone(),
            inst: None,
            loc: data.term_loc,
            what: format!("terminator of {block}: {what}"),
        })
    }

    /// `bra.uni`, `@%p bra`, `ret`, `trap`; a jump to the next block in the layout is a fall-through.
    fn write_terminator(&mut self, func: &Function, pos: usize, term: &Terminator) -> Frag {
        let next = func.layout.get(pos + 1).copied();
        match term {
            Terminator::Jump(dest) => {
                self.check_block(*dest)?;
                if next != Some(*dest) {
                    self.out.push_str("\tbra.uni \t");
                    self.put_label(*dest);
                    self.out.push_str(";\n");
                }
            }
            Terminator::Branch { cond, negate, then_dest, else_dest } => {
                self.check_block(*then_dest)?;
                self.check_block(*else_dest)?;
                if func.reg_type(*cond) != Some(Type::Pred) {
                    return Err(format!("branch condition {cond} is not a predicate register"));
                }
                self.out.push_str(if *negate { "\t@!" } else { "\t@" });
                self.put_reg(*cond)?;
                self.out.push_str(" bra \t");
                self.put_label(*then_dest);
                self.out.push_str(";\n");
                if next != Some(*else_dest) {
                    self.out.push_str("\tbra.uni \t");
                    self.put_label(*else_dest);
                    self.out.push_str(";\n");
                }
            }
            Terminator::Return => self.out.push_str("\tret;\n"),
            Terminator::Trap => self.out.push_str("\ttrap;\n"),
        }
        Ok(())
    }

    /// One instruction line: `\t{opcode} \t{operands};`. Inline asm is a bracketed group of lines.
    pub fn write_inst(&mut self, _inst: Inst, kind: &InstKind) -> Frag {
        use InstKind::*;
        if let Asm { text, outputs, inputs } = kind {
            return self.write_asm(text, outputs, inputs);
        }
        self.out.push('\t');
        put_opcode(&mut self.out, kind)?;
        // Fences and the async-copy group markers have no operands (`membar.gl;`).
        if !matches!(kind, Fence { .. } | CpAsyncCommit | CpAsyncWait { pending: None }) {
            self.out.push_str(" \t");
        }
        match kind {
            Mov { ty, dst, src } => {
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_operand(*src, move_type(*ty))?;
            }
            ReadSpecial { dst, sreg } => {
                self.put_reg(*dst)?;
                self.put_sep();
                self.out.push_str(&sreg.name());
            }
            AddrOf { dst, var } => {
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_var(*var)?;
            }
            Unary { op, ty, dst, src, .. } => {
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_operand(*src, arith_type(Op::Un(*op), *ty))?;
            }
            Binary { op, ty, dst, a, b, .. } => {
                // `mul.wide` sources have the narrow type too; shift amounts are always `.u32`.
                let ty = arith_type(Op::Bin(*op), *ty);
                let b_ty = if matches!(op, BinOp::Shl | BinOp::Shr) { Type::U32 } else { ty };
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_operand(*a, ty)?;
                self.put_sep();
                self.put_operand(*b, b_ty)?;
            }
            Ternary { op, mode, ty, dst, a, b, c } => {
                let (b_ty, c_ty) = match (op, mode) {
                    (TernOp::Bfe, _) => (Type::U32, Type::U32),
                    (TernOp::Mad, Mode::Wide) => (*ty, ty.widened().unwrap_or(*ty)),
                    _ => (*ty, *ty),
                };
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_operand(*a, *ty)?;
                self.put_sep();
                self.put_operand(*b, b_ty)?;
                self.put_sep();
                self.put_operand(*c, c_ty)?;
            }
            Bfi { ty, dst, f, b, pos, len } => {
                let ty = bits_type(*ty);
                self.put_reg(*dst)?;
                for (op, t) in [(f, ty), (b, ty), (pos, Type::U32), (len, Type::U32)] {
                    self.put_sep();
                    self.put_operand(*op, t)?;
                }
            }
            Setp { ty, dst, a, b, .. } => {
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_operand(*a, *ty)?;
                self.put_sep();
                self.put_operand(*b, *ty)?;
            }
            Selp { ty, dst, a, b, cond } => {
                let ty = move_type(*ty);
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_operand(*a, ty)?;
                self.put_sep();
                self.put_operand(*b, ty)?;
                self.put_sep();
                self.put_reg(*cond)?;
            }
            Cvt { src_ty, dst, src, .. } => {
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_operand(*src, *src_ty)?;
            }
            Cvta { dst, src, .. } => {
                self.put_reg(*dst)?;
                self.put_sep();
                self.put_reg(*src)?;
            }
            Ld { access, dsts, addr } => {
                check_vec_len(access, dsts.len(), "destinations")?;
                if access.vec == VecWidth::Scalar {
                    self.put_reg(dsts[0])?; // length checked above
                } else {
                    self.out.push('{');
                    for (i, &d) in dsts.iter().enumerate() {
                        if i > 0 {
                            self.put_sep();
                        }
                        self.put_reg(d)?;
                    }
                    self.out.push('}');
                }
                self.put_sep();
                self.put_address(addr, access.space)?;
            }
            St { access, addr, srcs } => {
                check_vec_len(access, srcs.len(), "sources")?;
                let ty = mem_type(access.ty);
                self.put_address(addr, access.space)?;
                self.put_sep();
                if access.vec == VecWidth::Scalar {
                    self.put_operand(srcs[0], ty)?; // length checked above
                } else {
                    self.out.push('{');
                    for (i, &s) in srcs.iter().enumerate() {
                        if i > 0 {
                            self.put_sep();
                        }
                        self.put_operand(s, ty)?;
                    }
                    self.out.push('}');
                }
            }
            Atom { op, space, ty, dst, addr, src, cmp, .. } => {
                let ty = atom_type(*op, *ty);
                if let Some(d) = dst {
                    self.put_reg(*d)?;
                    self.put_sep();
                }
                self.put_address(addr, *space)?;
                if let Some(c) = cmp {
                    self.put_sep();
                    self.put_operand(*c, ty)?;
                }
                self.put_sep();
                self.put_operand(*src, ty)?;
            }
            Bar { id, count, .. } => {
                self.put_operand(*id, Type::U32)?;
                if let Some(c) = count {
                    self.put_sep();
                    self.put_operand(*c, Type::U32)?;
                }
            }
            WarpSync { mask } => self.put_operand(*mask, Type::B32)?,
            Fence { .. } => {}
            ActiveMask { dst } => self.put_reg(*dst)?,
            Shfl { dst, pred, src, lane, clamp, mask, .. } => {
                self.put_reg(*dst)?;
                if let Some(p) = pred {
                    self.out.push('|');
                    self.put_reg(*p)?;
                }
                for op in [src, lane, clamp, mask] {
                    self.put_sep();
                    self.put_operand(*op, Type::B32)?;
                }
            }
            Vote { dst, src, negate, mask, .. } => {
                self.put_reg(*dst)?;
                self.put_sep();
                if *negate {
                    self.out.push('!');
                }
                self.put_reg(*src)?;
                self.put_sep();
                self.put_operand(*mask, Type::B32)?;
            }
            Call { func, rets, args } => self.put_call(*func, rets, args)?,
            Asm { .. } => {} // written above
            CvtPack { src_fmt, dst, srcs, .. } => {
                self.put_reg(*dst)?;
                for s in srcs {
                    self.put_sep();
                    self.put_operand(*s, src_fmt.reg_type())?;
                }
            }
            Mma { d, a, b, c, .. } => {
                for (i, list) in [d, a, b, c].into_iter().enumerate() {
                    if i > 0 {
                        self.put_sep();
                    }
                    self.put_reg_list(list)?;
                }
            }
            LdMatrix { dsts, addr, .. } => {
                self.put_reg_list(dsts)?;
                self.put_sep();
                self.put_address(addr, StateSpace::Shared)?;
            }
            StMatrix { addr, srcs, .. } => {
                self.put_address(addr, StateSpace::Shared)?;
                self.put_sep();
                self.put_reg_list(srcs)?;
            }
            CpAsync { bytes, dst, src, src_size, .. } => {
                self.put_address(dst, StateSpace::Shared)?;
                self.put_sep();
                self.put_address(src, StateSpace::Global)?;
                self.put_fmt(format_args!(", {bytes}"));
                if let Some(n) = src_size {
                    self.put_sep();
                    self.put_operand(*n, Type::U32)?;
                }
            }
            CpAsyncCommit | CpAsyncWait { pending: None } => {}
            CpAsyncWait { pending: Some(n) } => self.put_fmt(format_args!("{n}")),
        }
        self.out.push_str(";\n");
        Ok(())
    }

    /// Inline PTX between `// begin inline asm` and `// end inline asm`, `{N}` replaced by operand N (outputs first).
    fn write_asm(&mut self, text: &str, outputs: &[Reg], inputs: &[Operand]) -> Frag {
        self.out.push_str("\t// begin inline asm\n");
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            self.out.push('\t');
            let mut rest = line;
            while let Some(open) = rest.find('{') {
                self.out.push_str(&rest[..open]);
                let after = &rest[open + 1..];
                let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                // `{N}` is a placeholder; any other brace is PTX's own (a `{ .reg … }` scope).
                if digits > 0 && after.as_bytes().get(digits) == Some(&b'}') {
                    let n: usize =
                        after[..digits].parse().map_err(|_| format!("asm operand `{{{}}}`", &after[..digits]))?;
                    if let Some(&r) = outputs.get(n) {
                        self.put_reg(r)?;
                    } else if let Some(&op) = n.checked_sub(outputs.len()).and_then(|i| inputs.get(i)) {
                        // An untyped immediate: hexadecimal reads the same for every integer type.
                        self.put_operand(op, Type::B64)?;
                    } else {
                        return Err(format!(
                            "inline asm refers to operand {{{n}}} but has {} outputs and {} inputs",
                            outputs.len(),
                            inputs.len()
                        ));
                    }
                    rest = &after[digits + 1..];
                } else {
                    self.out.push('{');
                    rest = after;
                }
            }
            self.out.push_str(rest);
            self.out.push('\n');
        }
        self.out.push_str("\t// end inline asm\n");
        Ok(())
    }

    // ----- fragments -------------------------------------------------------------------------------------------

    /// Formatted text (writing into a `String` cannot fail).
    fn put_fmt(&mut self, args: fmt::Arguments<'_>) {
        let _ = self.out.write_fmt(args);
    }

    /// The operand separator.
    /// `{%r1, %r2}`: a register list (vector operands, MMA fragments).
    fn put_reg_list(&mut self, regs: &[Reg]) -> Frag {
        self.out.push('{');
        for (i, &r) in regs.iter().enumerate() {
            if i > 0 {
                self.put_sep();
            }
            self.put_reg(r)?;
        }
        self.out.push('}');
        Ok(())
    }

    fn put_sep(&mut self) {
        self.out.push_str(", ");
    }

    /// A register by its PTX name.
    pub fn put_reg(&mut self, r: Reg) -> Frag {
        match self.reg_names.get(r.index()).copied().flatten() {
            Some(RegName::Num(class, n)) => {
                self.out.push_str(class.prefix());
                self.put_fmt(format_args!("{n}"));
            }
            Some(RegName::Arg(n)) => self.put_fmt(format_args!("%arg{n}")),
            Some(RegName::Ret(n)) => self.put_fmt(format_args!("%ret{n}")),
            None => return Err(format!("register {r} does not exist")),
        }
        Ok(())
    }

    /// A register, or an immediate spelled as a value of `ty`.
    pub fn put_operand(&mut self, op: Operand, ty: Type) -> Frag {
        match op {
            Operand::Reg(r) => self.put_reg(r),
            Operand::Imm(imm) => {
                put_imm(&mut self.out, imm, ty);
                Ok(())
            }
        }
    }

    /// A module variable by name.
    fn put_var(&mut self, var: Var) -> Frag {
        let Some(data) = self.module.vars.get(var) else {
            return Err(format!("module variable {var} does not exist"));
        };
        self.out.push_str(&data.name);
        Ok(())
    }

    /// `[%rd1]`, `[%rd1+16]`, `[%rd1+-16]`, `[name+8]`, `[kernel_param_0]`.
    pub fn put_address(&mut self, addr: &Address, space: StateSpace) -> Frag {
        self.out.push('[');
        match addr.base {
            AddrBase::Reg(r) => self.put_reg(r)?,
            AddrBase::Var(v) => self.put_var(v)?,
            AddrBase::Param(i) => {
                let Some((_, func)) = self.func else { return Err("no function".into()) };
                if func.kind != FuncKind::Kernel {
                    return Err("device functions have no .param parameters; use the parameter's register".into());
                }
                if space != StateSpace::Param {
                    return Err(format!("kernel parameter {i} is addressed in .{space}, not .param"));
                }
                if i as usize >= func.params.len() {
                    return Err(format!("parameter {i} does not exist ({} parameters)", func.params.len()));
                }
                self.put_fmt(format_args!("{}_param_{i}", func.name));
            }
        }
        if addr.offset != 0 {
            self.put_fmt(format_args!("+{}", addr.offset));
        }
        self.out.push(']');
        Ok(())
    }

    /// `$L__BB{f}_{n}`.
    fn put_label(&mut self, block: Block) {
        let f = self.func.map_or(0, |(i, _)| i);
        let n = self.block_pos.get(block.index()).copied().flatten().unwrap_or(0);
        self.put_fmt(format_args!("$L__BB{f}_{n}"));
    }

    /// `(%r1, %f1), callee, (%r2, 7)` with the empty groups left out.
    fn put_call(&mut self, callee: FuncId, rets: &[Reg], args: &[Operand]) -> Frag {
        let Some(target) = self.module.functions.get(callee) else {
            return Err(format!("calls {callee}, which does not exist"));
        };
        if target.kind != FuncKind::Device {
            return Err(format!("calls kernel `{}`; only device functions can be called", target.name));
        }
        let caller = self.func.map_or(0, |(i, _)| i);
        if callee.index() > caller {
            return Err(format!(
                "calls `{}`, which is defined after the caller (PTX needs it declared first)",
                target.name
            ));
        }
        if rets.len() != target.returns.len() || args.len() != target.params.len() {
            return Err(format!(
                "calls `{}` with {} results and {} arguments; it has {} and {}",
                target.name,
                rets.len(),
                args.len(),
                target.returns.len(),
                target.params.len()
            ));
        }
        if !rets.is_empty() {
            self.out.push('(');
            for (i, &r) in rets.iter().enumerate() {
                if i > 0 {
                    self.put_sep();
                }
                self.put_reg(r)?;
            }
            self.out.push_str("), ");
        }
        self.out.push_str(&target.name);
        if !args.is_empty() {
            self.out.push_str(", (");
            for (i, (&a, p)) in args.iter().zip(&target.params).enumerate() {
                if i > 0 {
                    self.put_sep();
                }
                // Spelled by the declared class (`.reg .b32 %arg0`), the only type the text records, so that
                // reading the text back gives the same spelling.
                self.put_operand(a, p.ty.reg_class().decl_type())?;
            }
            self.out.push(')');
        }
        Ok(())
    }

    // ----- per-function set-up and checks ----------------------------------------------------------------------

    /// Names every register: parameters and results of device functions by role, the rest per class from 1.
    fn name_registers(&mut self, func: &Function) -> Result<(), WriteError> {
        self.reg_names.clear();
        self.reg_names.resize(func.regs.len(), None);
        if func.kind == FuncKind::Device {
            for (i, p) in func.params.iter().enumerate() {
                if let Some(r) = p.reg {
                    self.claim(r, RegName::Arg(i as u32))?;
                }
            }
            for (i, &r) in func.returns.iter().enumerate() {
                self.claim(r, RegName::Ret(i as u32))?;
            }
        }
        let mut next = [1u32; RegClass::ALL.len()];
        for (r, data) in func.regs.iter() {
            if self.reg_names[r.index()].is_none() {
                let class = data.ty.reg_class();
                let n = &mut next[class_index(class)];
                self.reg_names[r.index()] = Some(RegName::Num(class, *n));
                *n += 1;
            }
        }
        Ok(())
    }

    /// Gives `r` a parameter/result name, refusing a register that already has one (one register cannot be two
    /// parameters, or a parameter and a result).
    fn claim(&mut self, r: Reg, name: RegName) -> Result<(), WriteError> {
        match self.reg_names.get_mut(r.index()) {
            None => Err(self.invalid(None, format!("parameter/result register {r} does not exist"))),
            Some(Some(_)) => Err(self.invalid(None, format!("register {r} is bound to two parameters/results"))),
            Some(slot) => {
                *slot = Some(name);
                Ok(())
            }
        }
    }

    /// Records every block's layout position; the layout must list existing blocks, each once, entry first.
    fn lay_out_blocks(&mut self, func: &Function) -> Result<(), WriteError> {
        if func.layout.is_empty() {
            return Err(self.invalid(None, "has no blocks (a function needs at least its entry block)".into()));
        }
        self.block_pos.clear();
        self.block_pos.resize(func.blocks.len(), None);
        for (pos, &b) in func.layout.iter().enumerate() {
            match self.block_pos.get_mut(b.index()) {
                None => return Err(self.invalid(None, format!("the layout lists {b}, which does not exist"))),
                Some(Some(_)) => return Err(self.invalid(None, format!("the layout lists {b} twice"))),
                Some(slot) => *slot = Some(pos as u32),
            }
        }
        Ok(())
    }

    /// A branch target must be laid out (blocks left out of the layout are dead and have no label).
    fn check_block(&self, b: Block) -> Frag {
        match self.block_pos.get(b.index()) {
            Some(Some(_)) => Ok(()),
            Some(None) => Err(format!("branches to {b}, which is not in the layout")),
            None => Err(format!("branches to {b}, which does not exist")),
        }
    }

    /// Whether some terminator of `func` branches to `block` (the entry block needs a label only then).
    fn is_branch_target(&self, func: &Function, block: Block) -> bool {
        func.layout.iter().filter_map(|&b| func.blocks.get(b)).any(|d| match &d.term {
            Some(Terminator::Jump(t)) => *t == block,
            Some(Terminator::Branch { then_dest, else_dest, .. }) => *then_dest == block || *else_dest == block,
            _ => false,
        })
    }

    /// Function and variable names must be PTX identifiers and unique, and must not be a kernel's parameter name.
    fn check_names(&self) -> Result<(), WriteError> {
        let mut seen = std::collections::HashSet::new();
        for v in self.module.vars.values() {
            if !is_identifier(&v.name) {
                return Err(WriteError::InvalidVar {
                    var: v.name.clone(),
                    what: "the name is not a PTX identifier".into(),
                });
            }
            if !seen.insert(v.name.as_str()) {
                return Err(WriteError::InvalidVar { var: v.name.clone(), what: "the name is used twice".into() });
            }
        }
        for f in self.module.functions.values() {
            let bad = |what: &str| WriteError::Invalid {
                func: f.name.clone(),
                inst: None,
                loc: SrcLoc::NONE,
                what: what.into(),
            };
            if !is_identifier(&f.name) {
                return Err(bad("the name is not a PTX identifier"));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(bad("the name is already used by another function or variable"));
            }
        }
        for f in self.module.functions.values().filter(|f| f.kind == FuncKind::Kernel) {
            for v in self.module.vars.values() {
                let shadows = v
                    .name
                    .strip_prefix(f.name.as_str())
                    .and_then(|s| s.strip_prefix("_param_"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n < f.params.len());
                if shadows {
                    return Err(WriteError::InvalidVar {
                        var: v.name.clone(),
                        what: format!("the name is a parameter name of kernel `{}`", f.name),
                    });
                }
            }
        }
        Ok(())
    }

    fn invalid(&self, inst: Option<Inst>, what: String) -> WriteError {
        let func = self.func.map(|(_, f)| f.name.clone()).unwrap_or_default();
        WriteError::Invalid { func, inst, loc: SrcLoc::NONE, what }
    }

    fn invalid_at(&self, inst: Inst, loc: SrcLoc, what: String) -> WriteError {
        let func = self.func.map(|(_, f)| f.name.clone()).unwrap_or_default();
        WriteError::Invalid { func, inst: Some(inst), loc, what }
    }
}

// ----- the mnemonic table ------------------------------------------------------------------------------------------

/// An arithmetic operator, for [`arith_type`].
#[derive(Clone, Copy)]
enum Op {
    Un(UnOp),
    Bin(BinOp),
}

/// The opcode and modifiers of `kind` (`ld.global.nc.v4.f32`, `atom.acq_rel.gpu.global.cas.b32`), or why PTX has
/// no spelling for it.
pub fn put_opcode(out: &mut String, kind: &InstKind) -> Frag {
    use InstKind::*;
    let dot = |out: &mut String, s: &str| {
        if !s.is_empty() {
            out.push('.');
            out.push_str(s);
        }
    };
    if let Cvta { space: StateSpace::Generic, .. } = kind {
        return Err("cvta needs a state space other than generic".into());
    }
    out.push_str(kind.mnemonic());
    match kind {
        Mov { ty, .. } => {
            dot(out, move_type(*ty).name());
        }
        ReadSpecial { sreg, .. } => {
            dot(out, sreg.ty().name());
        }
        AddrOf { .. } => out.push_str(".u64"),
        Unary { op, mode, ty, .. } => {
            dot(out, mode.name());
            dot(out, arith_type(Op::Un(*op), *ty).name());
        }
        Binary { op, mode, ty, .. } => {
            dot(out, mode.name());
            dot(out, arith_type(Op::Bin(*op), *ty).name());
        }
        Ternary { mode, ty, .. } => {
            dot(out, mode.name());
            dot(out, ty.name());
        }
        Bfi { ty, .. } => {
            dot(out, bits_type(*ty).name());
        }
        Setp { cmp, ty, .. } => {
            dot(out, cmp.name());
            dot(out, ty.name());
        }
        Selp { ty, .. } => {
            dot(out, move_type(*ty).name());
        }
        Cvt { mode, sat, dst_ty, src_ty, .. } => {
            dot(out, mode.name());
            if *sat {
                out.push_str(".sat");
            }
            dot(out, dst_ty.name());
            dot(out, src_ty.name());
        }
        Cvta { space, .. } => {
            dot(out, space.name());
            out.push_str(".u64");
        }
        Ld { access, .. } => {
            match access.order {
                MemOrder::Release(_) | MemOrder::AcqRel(_) => return Err("a load cannot have release semantics".into()),
                order => put_order(out, order),
            }
            dot(out, access.space.name());
            dot(out, access.cache.name());
            if access.nc {
                if access.space != StateSpace::Global {
                    return Err("`.nc` loads read .global memory only".into());
                }
                out.push_str(".nc");
            }
            dot(out, access.eviction.name());
            dot(out, access.prefetch.name());
            put_vec(out, access.vec);
            dot(out, mem_type(access.ty).name());
        }
        St { access, .. } => {
            match access.order {
                MemOrder::Acquire(_) | MemOrder::AcqRel(_) => {
                    return Err("a store cannot have acquire semantics".into())
                }
                order => put_order(out, order),
            }
            if access.nc {
                return Err("`.nc` applies to loads only".into());
            }
            if access.prefetch != Prefetch::None {
                return Err("L2 prefetch hints apply to loads only".into());
            }
            dot(out, access.space.name());
            dot(out, access.cache.name());
            dot(out, access.eviction.name());
            put_vec(out, access.vec);
            dot(out, mem_type(access.ty).name());
        }
        Atom { op, space, order, scope, ty, dst, cmp, .. } => {
            let reduction = dst.is_none();
            if reduction && matches!(op, AtomOp::Exch | AtomOp::Cas) {
                return Err(format!("`{}` needs a result register (PTX has no red.{})", op.name(), op.name()));
            }
            if (*op == AtomOp::Cas) != cmp.is_some() {
                return Err("an expected value is given exactly for `cas`".into());
            }
            let order_scope = match order {
                MemOrder::Weak => None,
                MemOrder::Volatile => return Err("atomics have no .volatile form".into()),
                MemOrder::Acquire(_) | MemOrder::AcqRel(_) if reduction => {
                    return Err("a reduction (red) cannot have acquire semantics".into())
                }
                MemOrder::Relaxed(s) | MemOrder::Acquire(s) | MemOrder::Release(s) | MemOrder::AcqRel(s) => Some(*s),
            };
            if let (Some(a), Some(b)) = (order_scope, scope) {
                if a != *b {
                    return Err(format!("scope .{} disagrees with the ordering's scope .{}", b.name(), a.name()));
                }
            }
            put_order(out, *order);
            if order_scope.is_none() {
                if let Some(s) = scope {
                    dot(out, s.name());
                }
            }
            dot(out, space.name());
            dot(out, op.name());
            // Half-precision atomic adds exist only in the no-flush-to-zero form, which PTX makes explicit.
            if *op == AtomOp::Add && matches!(ty, Type::F16 | Type::F16x2 | Type::BF16 | Type::BF16x2) {
                out.push_str(".noftz");
            }
            dot(out, atom_type(*op, *ty).name());
        }
        Bar { op, count, .. } => {
            if *op == BarOp::Arrive && count.is_none() {
                return Err("bar.arrive needs a thread count".into());
            }
        }
        WarpSync { .. } => {}
        Fence { kind, scope } => match kind {
            FenceKind::Membar => {
                out.push('.');
                out.push_str(match scope {
                    Scope::Cta => "cta",
                    Scope::Gpu => "gl",
                    Scope::Sys => "sys",
                });
            }
            FenceKind::AcqRel | FenceKind::Sc => dot(out, scope.name()),
        },
        Shfl { mode, .. } => {
            dot(out, mode.name());
            out.push_str(".b32");
        }
        Vote { mode, .. } => {
            dot(out, mode.name());
            out.push_str(if *mode == VoteMode::Ballot { ".b32" } else { ".pred" });
        }
        ActiveMask { .. } => out.push_str(".b32"),
        Call { .. } | Asm { .. } => {}
        CvtPack { dst_fmt, src_fmt, satfinite, relu, .. } => {
            out.push_str(".rn");
            // PTX orders the two flags differently for the FP8 and the 16-bit destinations.
            if dst_fmt.is_fp8() {
                if !*satfinite {
                    return Err("conversions to FP8 are .satfinite in PTX".into());
                }
                out.push_str(".satfinite");
                if *relu {
                    out.push_str(".relu");
                }
            } else {
                if *relu {
                    out.push_str(".relu");
                }
                if *satfinite {
                    out.push_str(".satfinite");
                }
            }
            dot(out, dst_fmt.name());
            dot(out, src_fmt.name());
        }
        Mma { shape, d_ty, a_ty, b_ty, c_ty, satfinite, .. } => {
            dot(out, shape.name());
            out.push_str(".row.col");
            if *satfinite {
                out.push_str(".satfinite");
            }
            for t in [d_ty, a_ty, b_ty, c_ty] {
                dot(out, t.name());
            }
        }
        LdMatrix { count, trans, .. } | StMatrix { count, trans, .. } => {
            out.push_str(".m8n8");
            dot(out, count.name());
            if *trans {
                out.push_str(".trans");
            }
            out.push_str(".shared.b16");
        }
        CpAsync { cache, prefetch, bytes, .. } => {
            match (cache, bytes) {
                (CacheOp::Ca, 4 | 8 | 16) | (CacheOp::Cg, 16) => {}
                (CacheOp::Ca | CacheOp::Cg, _) => {
                    return Err(format!("cp.async.{} cannot copy {bytes} bytes", cache.name()))
                }
                _ => return Err("cp.async takes .ca or .cg".into()),
            }
            dot(out, cache.name());
            out.push_str(".shared.global");
            dot(out, prefetch.name());
        }
        CpAsyncCommit | CpAsyncWait { .. } => {}
    }
    Ok(())
}

/// `.volatile`, `.relaxed.gpu`, … (nothing for weak accesses).
fn put_order(out: &mut String, order: MemOrder) {
    let (sem, scope) = match order {
        MemOrder::Weak => return,
        MemOrder::Volatile => {
            out.push_str(".volatile");
            return;
        }
        MemOrder::Relaxed(s) => ("relaxed", s),
        MemOrder::Acquire(s) => ("acquire", s),
        MemOrder::Release(s) => ("release", s),
        MemOrder::AcqRel(s) => ("acq_rel", s),
    };
    out.push('.');
    out.push_str(sem);
    out.push('.');
    out.push_str(scope.name());
}

/// `.v2` / `.v4`.
fn put_vec(out: &mut String, vec: VecWidth) {
    match vec {
        VecWidth::Scalar => {}
        VecWidth::V2 => out.push_str(".v2"),
        VecWidth::V4 => out.push_str(".v4"),
    }
}

/// An immediate of type `ty`: `.sN` signed decimal, `.uN` unsigned decimal, `.bN`/predicates/f16/bf16 hex,
/// `.f32` `0fXXXXXXXX`, `.f64` `0dXXXXXXXXXXXXXXXX` — exact bits, never a rounded decimal.
pub fn put_imm(out: &mut String, imm: Imm, ty: Type) {
    let bits = truncate(imm.0, ty.bits());
    let _ = match ty {
        Type::F32 => write!(out, "0f{bits:08X}"),
        Type::F64 => write!(out, "0d{bits:016X}"),
        t if t.is_signed() => write!(out, "{}", imm.as_i64(t)),
        t if t.is_unsigned() => write!(out, "{bits}"),
        _ => write!(out, "0x{bits:X}"),
    };
}

/// The type `mov`/`selp` spell: PTX has no f16/bf16 or 8-bit forms, so the same-width bits type stands in.
fn move_type(ty: Type) -> Type {
    match ty {
        Type::U8 => Type::U16,
        Type::S8 => Type::S16,
        Type::B8 => Type::B16,
        t => mem_type(t),
    }
}

/// The type `ld`/`st`, variables and kernel parameters spell: half-precision types as their bits.
fn mem_type(ty: Type) -> Type {
    match ty {
        Type::F16 | Type::BF16 => Type::B16,
        Type::F16x2 | Type::BF16x2 => Type::B32,
        t => t,
    }
}

/// The `.bN` type of the same width (predicates stay predicates).
fn bits_type(ty: Type) -> Type {
    ty.to_bits()
}

/// The type an arithmetic instruction spells: bitwise operations (`and`, `not`, `shl`, `popc`, …) take only
/// `.bN` (or `.pred`); the rest keep the IR's type.
fn arith_type(op: Op, ty: Type) -> Type {
    let bitwise = match op {
        Op::Un(u) => matches!(u, UnOp::Not | UnOp::Popc | UnOp::Clz | UnOp::Brev),
        Op::Bin(b) => matches!(b, BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Shl),
    };
    if bitwise {
        bits_type(ty)
    } else {
        ty
    }
}

/// The type an atomic spells: bitwise and exchange operations take `.bN`; arithmetic keeps the IR's type.
fn atom_type(op: AtomOp, ty: Type) -> Type {
    match op {
        AtomOp::And | AtomOp::Or | AtomOp::Xor | AtomOp::Exch | AtomOp::Cas => bits_type(ty),
        _ => ty,
    }
}

/// A load/store names one register or operand per vector element.
fn check_vec_len(access: &MemAccess, n: usize, what: &str) -> Frag {
    if n == access.vec.count() {
        Ok(())
    } else {
        Err(format!("a {}-element access has {n} {what}", access.vec.count()))
    }
}

/// Index of a class in [`RegClass::ALL`].
fn class_index(class: RegClass) -> usize {
    match class {
        RegClass::Pred => 0,
        RegClass::B16 => 1,
        RegClass::B32 => 2,
        RegClass::B64 => 3,
        RegClass::F32 => 4,
        RegClass::F64 => 5,
    }
}

/// A name usable for a PTX function or variable: `[A-Za-z_][A-Za-z0-9_$]*`, not `_` alone and not PTX's predefined
/// `WARP_SZ` (ptxas: "syntax error"). PTX also allows names starting with `$` or `%`, which the writer keeps for its
/// labels and registers.
fn is_identifier(s: &str) -> bool {
    if s == "WARP_SZ" {
        return false;
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        Some('_') if s.len() > 1 => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imm(v: u64, ty: Type) -> String {
        let mut s = String::new();
        put_imm(&mut s, Imm(v), ty);
        s
    }

    #[test]
    fn immediates_are_exact_and_typed() {
        assert_eq!(imm(0xFFFF_FFFF, Type::S32), "-1");
        assert_eq!(imm(0xFFFF_FFFF, Type::U32), "4294967295");
        assert_eq!(imm(0x1F, Type::B32), "0x1F");
        assert_eq!(imm(0, Type::B32), "0x0");
        assert_eq!(imm(1, Type::Pred), "0x1");
        assert_eq!(imm(1.0f32.to_bits() as u64, Type::F32), "0f3F800000");
        assert_eq!(imm(1.0f64.to_bits(), Type::F64), "0d3FF0000000000000");
        assert_eq!(imm(0x3C00, Type::F16), "0x3C00");
        assert_eq!(imm(0x8000_0000_0000_0000, Type::S64), "-9223372036854775808");
        assert_eq!(imm(u64::MAX, Type::U64), "18446744073709551615");
        // Raw bits wider than the type are read at the type's width.
        assert_eq!(imm(0x1_0000_0005, Type::U32), "5");
        assert_eq!(imm(0xFF80, Type::S8), "-128");
        // Every f32 survives the round trip through its text, NaN payloads included.
        let mut x = 0x9E37_79B9u32;
        for _ in 0..1000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let text = imm(x as u64, Type::F32);
            assert_eq!(u32::from_str_radix(&text[2..], 16), Ok(x));
        }
    }

    #[test]
    fn lossless_type_spellings() {
        assert_eq!(move_type(Type::F16), Type::B16);
        assert_eq!(move_type(Type::U8), Type::U16);
        assert_eq!(mem_type(Type::BF16x2), Type::B32);
        assert_eq!(mem_type(Type::U8), Type::U8);
        assert_eq!(arith_type(Op::Bin(BinOp::And), Type::U32), Type::B32);
        assert_eq!(arith_type(Op::Bin(BinOp::Shr), Type::S32), Type::S32);
        assert_eq!(arith_type(Op::Un(UnOp::Not), Type::Pred), Type::Pred);
        assert_eq!(atom_type(AtomOp::Cas, Type::U64), Type::B64);
        assert_eq!(atom_type(AtomOp::Min, Type::S32), Type::S32);
    }

    #[test]
    fn identifiers() {
        for ok in ["saxpy", "_k", "a1_b$", "Kernel"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "_", "1a", "%r1", "$L", "a-b", "a b", "é", "WARP_SZ"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }

    fn opcode(kind: InstKind) -> Result<String, String> {
        let mut s = String::new();
        put_opcode(&mut s, &kind).map(|()| s)
    }

    #[test]
    fn opcodes_follow_ptx_modifier_order() {
        let (r, a) = (Reg(0), Address::reg(Reg(1)));
        let mut access = MemAccess::new(StateSpace::Global, Type::F32);
        access.cache = CacheOp::Ca;
        access.nc = true;
        access.prefetch = Prefetch::B128;
        access.vec = VecWidth::V2;
        assert_eq!(
            opcode(InstKind::Ld { access, dsts: vec![r, r], addr: a }).as_deref(),
            Ok("ld.global.ca.nc.L2::128B.v2.f32")
        );
        let mut access = MemAccess::new(StateSpace::Shared, Type::F16);
        access.order = MemOrder::Release(Scope::Cta);
        assert_eq!(
            opcode(InstKind::St { access, addr: a, srcs: vec![Operand::Reg(r)] }).as_deref(),
            Ok("st.release.cta.shared.b16")
        );
        let atom = |op, order, scope, ty, dst: Option<Reg>, cmp: Option<Operand>| InstKind::Atom {
            op,
            space: StateSpace::Global,
            order,
            scope,
            ty,
            dst,
            addr: a,
            src: Operand::u32(1),
            cmp,
        };
        assert_eq!(
            opcode(atom(AtomOp::Cas, MemOrder::AcqRel(Scope::Gpu), None, Type::U32, Some(r), Some(Operand::u32(0))))
                .as_deref(),
            Ok("atom.acq_rel.gpu.global.cas.b32")
        );
        assert_eq!(
            opcode(atom(AtomOp::Add, MemOrder::Weak, Some(Scope::Sys), Type::F16, None, None)).as_deref(),
            Ok("red.sys.global.add.noftz.f16")
        );
        assert!(opcode(atom(AtomOp::Exch, MemOrder::Weak, None, Type::B32, None, None)).is_err());
        assert!(opcode(atom(AtomOp::Add, MemOrder::Relaxed(Scope::Cta), Some(Scope::Gpu), Type::U32, Some(r), None))
            .is_err());
        assert!(opcode(atom(AtomOp::Add, MemOrder::Weak, None, Type::U32, Some(r), Some(Operand::u32(0)))).is_err());
        assert_eq!(opcode(InstKind::Fence { kind: FenceKind::Membar, scope: Scope::Gpu }).as_deref(), Ok("membar.gl"));
        assert_eq!(
            opcode(InstKind::Cvt {
                mode: CvtMode::Rzi,
                sat: true,
                dst_ty: Type::S32,
                src_ty: Type::F32,
                dst: r,
                src: Operand::Reg(r)
            })
            .as_deref(),
            Ok("cvt.rzi.sat.s32.f32")
        );
    }
}
