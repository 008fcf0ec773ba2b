//! Modules, functions, blocks and registers: the containers around [`InstKind`].
//!
//! A function is a flat CFG: blocks in a layout order, each a list of instructions and one explicit
//! [`Terminator`]. Registers are typed and mutable (no SSA, no phis): PTX registers are virtual and `ptxas`
//! allocates them, so a Rust `let mut` is one register assigned many times.

use crate::entity::EntityVec;
use crate::inst::{Block, FuncId, Inst, InstKind, Reg, SrcLoc, Terminator, Var};
use crate::target::Target;
use crate::types::{StateSpace, Type};

/// A PTX module: variables and functions, with an optional explicitly requested target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    /// The target the user asked for; `None` means "the lowest that supports what the module uses".
    pub target: Option<Target>,
    pub vars: EntityVec<Var, VarData>,
    pub functions: EntityVec<FuncId, Function>,
}

impl Module {
    /// An empty module with no requested target.
    pub fn new() -> Module {
        Module::default()
    }
    /// Adds a module variable.
    pub fn add_var(&mut self, data: VarData) -> Var {
        self.vars.push(data)
    }
    /// Adds a function (declare device functions before the functions that call them; the writer emits in order).
    pub fn add_function(&mut self, f: Function) -> FuncId {
        self.functions.push(f)
    }
    /// The function called `name`.
    pub fn function_by_name(&self, name: &str) -> Option<FuncId> {
        self.functions.iter().find(|(_, f)| f.name == name).map(|(id, _)| id)
    }
}

/// A module-level variable.
#[derive(Clone, Debug, PartialEq)]
pub struct VarData {
    pub name: String,
    /// `.global`, `.shared` or `.const`.
    pub space: StateSpace,
    /// Element type.
    pub ty: Type,
    /// Number of elements; `None` for a scalar, `Some(0)` for an unsized `extern` array (dynamic shared memory).
    pub len: Option<u64>,
    /// Alignment in bytes (a power of two, at least the element size).
    pub align: u32,
    /// Initial values as raw bits per element (`.global`/`.const` only); empty means zero/uninitialised.
    pub init: Vec<u64>,
}

impl VarData {
    /// Size in bytes (0 for an unsized extern array).
    pub fn size_bytes(&self) -> u64 {
        self.ty.size() as u64 * self.len.unwrap_or(1)
    }
}

/// Kernel or device function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FuncKind {
    /// `.visible .entry`: launched from the host; parameters in `.param` space, read with `ld.param`.
    Kernel,
    /// `.func`: called from kernels; parameters and results are registers.
    Device,
}

/// A kernel or device-function parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Type,
    /// Device functions: the register that holds the argument. Kernels: `None` (the value is read with `ld.param`).
    pub reg: Option<Reg>,
}

/// Performance directives of a kernel (`.maxntid`, `.minnctapersm`, `.maxnreg`, `.reqntid`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelAttrs {
    pub max_threads: Option<u32>,
    pub min_blocks_per_sm: Option<u32>,
    pub max_registers: Option<u32>,
    pub required_threads: Option<(u32, u32, u32)>,
}

/// The data of a virtual register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegData {
    pub ty: Type,
}

/// The data of a basic block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockData {
    pub insts: Vec<Inst>,
    /// `None` only while the block is being built; the verifier rejects it afterwards.
    pub term: Option<Terminator>,
    /// Where the terminator came from.
    pub term_loc: SrcLoc,
}

/// The data of an instruction.
#[derive(Clone, Debug, PartialEq)]
pub struct InstData {
    pub kind: InstKind,
    pub loc: SrcLoc,
}

/// A kernel or device function.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub name: String,
    pub kind: FuncKind,
    pub params: Vec<Param>,
    /// Device functions: registers holding the results at `ret`.
    pub returns: Vec<Reg>,
    pub attrs: KernelAttrs,
    pub regs: EntityVec<Reg, RegData>,
    pub blocks: EntityVec<Block, BlockData>,
    pub insts: EntityVec<Inst, InstData>,
    /// Block order for emission; the first is the entry. Blocks not listed are dead and not emitted.
    pub layout: Vec<Block>,
}

impl Function {
    /// An empty function.
    pub fn new(name: impl Into<String>, kind: FuncKind) -> Function {
        Function {
            name: name.into(),
            kind,
            params: Vec::new(),
            returns: Vec::new(),
            attrs: KernelAttrs::default(),
            regs: EntityVec::new(),
            blocks: EntityVec::new(),
            insts: EntityVec::new(),
            layout: Vec::new(),
        }
    }
    /// An empty kernel (`.entry`).
    pub fn kernel(name: impl Into<String>) -> Function {
        Function::new(name, FuncKind::Kernel)
    }
    /// An empty device function (`.func`).
    pub fn device(name: impl Into<String>) -> Function {
        Function::new(name, FuncKind::Device)
    }

    /// A fresh register of type `ty`.
    pub fn new_reg(&mut self, ty: Type) -> Reg {
        self.regs.push(RegData { ty })
    }
    /// The type of `r`, if `r` exists.
    pub fn reg_type(&self, r: Reg) -> Option<Type> {
        self.regs.get(r).map(|d| d.ty)
    }

    /// Adds a parameter and returns its index. Device functions get a register bound to it (see [`Param::reg`]).
    pub fn add_param(&mut self, name: impl Into<String>, ty: Type) -> u32 {
        let reg = match self.kind {
            FuncKind::Kernel => None,
            FuncKind::Device => Some(self.new_reg(ty)),
        };
        self.params.push(Param { name: name.into(), ty, reg });
        (self.params.len() - 1) as u32
    }
    /// Adds a result register (device functions).
    pub fn add_return(&mut self, ty: Type) -> Reg {
        let r = self.new_reg(ty);
        self.returns.push(r);
        r
    }

    /// The entry block.
    pub fn entry(&self) -> Option<Block> {
        self.layout.first().copied()
    }

    /// Instructions of `block`, in order.
    pub fn block_insts(&self, block: Block) -> impl Iterator<Item = (Inst, &InstData)> {
        self.blocks[block].insts.iter().map(move |&i| (i, &self.insts[i]))
    }

    /// Number of instructions reachable through the layout (terminators counted).
    pub fn inst_count(&self) -> usize {
        self.layout.iter().map(|&b| self.blocks[b].insts.len() + 1).sum()
    }
}
