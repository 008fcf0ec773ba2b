//! The PTX reader: text to a [`Module`], so that the emulator runs the exact PTX text the macro emits.
//!
//! It reads everything the writer emits (docs/ptx-text.md) and ordinary hand-written, nvcc- and LLVM-style PTX
//! around it: comments anywhere, any whitespace, any register and label names, `.reg .ty %name<N>;` ranges and
//! single registers, `{ … }` scopes (inline asm's among them: its instructions are read as ordinary
//! instructions), linkage directives, `.param` attributes, performance directives, module variables with
//! initialisers (and function-scope `.shared` arrays, hoisted to the module), and `.loc`/`.file`/`.pragma` (skipped).
//!
//! Stages, one file each:
//! - `lexer`: bytes to tokens (no regex, one pass; line and column computed only for errors);
//! - `lit`: numeric literals and their bits as an operand of a given type;
//! - `module`: items and signatures, then call resolution (a call may name a function defined later);
//!   `var`: variable declarations (function-scope ones, nvcc's "demoted variables", are hoisted to the module);
//! - `body`: the statement loop of a function body; `regs`: register declarations and scopes;
//!   `operand`: operand syntax; `inst`: the instruction table; `cfg`: blocks from labels and branches.
//!
//! What the IR cannot represent is an error naming the token, never silently dropped: predicated instructions
//! other than `bra`, `.ftz` and other modifiers the IR has no field for, `.param` parameters of device functions,
//! vector registers, `.local` and `.param` declarations in bodies, instructions the IR does not have.
//!
//! Choices worth knowing:
//! - a register's IR type is its declared type as written (`.reg .b32 %r<5>;` gives `B32` registers);
//! - registers of a range are created at their declaration, class by class in declaration order and numerically
//!   within a range, and `%r0` only when named, so that `write(read(write(ir))) == write(ir)`;
//! - `exit` reads as `Return`; running off the end of a body returns; a body starting with a label other than the
//!   writer's entry label `$L__BB{f}_0` gets an empty entry block falling through to it (see `cfg`);
//! - `.maxntid X, Y, Z` is stored as the product `X·Y·Z` (the IR keeps one number);
//! - `atom.sem` without a scope is at `.gpu` scope, as PTX defines it;
//! - instructions carry [`SrcLoc::NONE`](crate::SrcLoc::NONE): PTX text carries no macro source locations;
//! - the reader checks syntax and names, not types: `add.f32` on a `.b32` register is read as written and left to
//!   the verifier (run it before executing a module that was not produced by the writer).

mod body;
mod cfg;
mod cursor;
mod inst;
mod lexer;
mod lit;
mod module;
mod operand;
mod regs;
mod tensor;
mod var;

use crate::ir::Module;

/// Text the reader cannot read, with its 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ReadError {}

/// Reads PTX text into a [`Module`].
pub fn read_module(text: &str) -> Result<Module, ReadError> {
    let toks = lexer::tokenize(text)?;
    let mut cursor = cursor::Cursor::new(text, toks);
    module::parse_module(&mut cursor)
}
