//! Basic blocks from a flat statement list: labels, branches and fall-through.
//!
//! Rules (PTX has no blocks, only labels and branches):
//! - a label starts a block; a block that reaches the next label without a terminator falls through
//!   (`Jump` to the label's block);
//! - `@p bra A` directly followed by `bra B` is one `Branch { then: A, else: B }`; followed by a label `L`, it is
//!   `Branch { then: A, else: L }`; followed by anything else, the else side is a new unlabelled block that starts
//!   right there;
//! - an instruction after a terminator and before any label starts a new (unreachable) unlabelled block;
//! - when the body starts with a label, that label's block is the entry only if it is the writer's label for the
//!   entry (`$L__BB{f}_0`, which the writer prints only when something branches to the entry); any other first
//!   label gets an empty entry block falling through to it. Both keep the writer's layout when reading its text:
//!   the writer omits an empty entry block that falls through, and its next block is `$L__BB{f}_1`;
//! - the end of the body returns (ptxas treats running off the end of a function as `ret`).
//!
//! Blocks are numbered in layout order once the body is complete, whatever order labels were first named in.

use std::collections::HashMap;

use super::lexer::Token;
use crate::inst::{Block, Inst, Reg, SrcLoc, Terminator};
use crate::ir::{BlockData, Function};

/// A terminator over raw block indices.
#[derive(Clone, Copy)]
enum RawTerm {
    Jump(usize),
    Branch { cond: Reg, negate: bool, then_dest: usize, else_dest: usize },
    Return,
    Trap,
}

struct RawBlock<'a> {
    insts: Vec<Inst>,
    term: Option<RawTerm>,
    /// Whether the block's label was defined (unlabelled blocks are defined when created).
    defined: bool,
    /// The label and where it was first named, for "label not defined".
    label: Option<(&'a str, Token)>,
}

/// Where the next statement goes.
#[derive(Clone, Copy)]
enum Cur {
    /// After a terminator (or at the start): the next instruction opens a new block.
    Closed,
    Open(usize),
    /// `@p bra then` ended `block`; its else side is decided by the next statement.
    Pending {
        block: usize,
        cond: Reg,
        negate: bool,
        then_dest: usize,
    },
}

/// An error of the CFG builder: a message and the token it is about.
pub(crate) struct CfgError {
    pub tok: Token,
    pub message: String,
}

/// Builds the blocks of one function body statement by statement.
pub(crate) struct CfgBuilder<'a> {
    blocks: Vec<RawBlock<'a>>,
    labels: HashMap<&'a str, usize>,
    layout: Vec<usize>,
    cur: Cur,
    /// The writer's label for this function's entry block.
    entry_label: String,
}

impl<'a> CfgBuilder<'a> {
    /// An empty body of the function at `func_index` in its module.
    pub fn new(func_index: usize) -> CfgBuilder<'a> {
        CfgBuilder {
            blocks: Vec::new(),
            labels: HashMap::new(),
            layout: Vec::new(),
            cur: Cur::Closed,
            entry_label: format!("$L__BB{func_index}_0"),
        }
    }

    fn new_block(&mut self, defined: bool, label: Option<(&'a str, Token)>) -> usize {
        self.blocks.push(RawBlock { insts: Vec::new(), term: None, defined, label });
        self.blocks.len() - 1
    }

    /// The block named `name` (created undefined on a forward reference).
    pub fn label_ref(&mut self, name: &'a str, tok: Token) -> usize {
        if let Some(&b) = self.labels.get(name) {
            return b;
        }
        let b = self.new_block(false, Some((name, tok)));
        self.labels.insert(name, b);
        b
    }

    /// `name:` — ends the current block and starts the label's.
    pub fn define_label(&mut self, name: &'a str, tok: Token) -> Result<(), CfgError> {
        let b = self.label_ref(name, tok);
        if self.blocks[b].defined {
            return Err(CfgError { tok, message: format!("label `{name}` is defined twice") });
        }
        if self.layout.is_empty() && name != self.entry_label {
            // The body starts with a label other than the writer's entry label: an empty entry falls through to it.
            self.open();
        }
        self.end_with_successor(b);
        self.blocks[b].defined = true;
        self.layout.push(b);
        self.cur = Cur::Open(b);
        Ok(())
    }

    /// Ends the current block (if any) with a transfer to `next`: a fall-through, or the else side of a pending
    /// conditional branch.
    fn end_with_successor(&mut self, next: usize) {
        match self.cur {
            Cur::Closed => {}
            Cur::Open(b) => self.blocks[b].term = Some(RawTerm::Jump(next)),
            Cur::Pending { block, cond, negate, then_dest } => {
                self.blocks[block].term = Some(RawTerm::Branch { cond, negate, then_dest, else_dest: next })
            }
        }
        self.cur = Cur::Closed;
    }

    /// The open block, creating an unlabelled one if there is none.
    fn open(&mut self) -> usize {
        if let Cur::Open(b) = self.cur {
            return b;
        }
        let b = self.new_block(true, None);
        self.end_with_successor(b);
        self.layout.push(b);
        self.cur = Cur::Open(b);
        b
    }

    /// Appends an instruction.
    pub fn push_inst(&mut self, inst: Inst) {
        let b = self.open();
        self.blocks[b].insts.push(inst);
    }

    /// `bra target`.
    pub fn jump(&mut self, target: usize) {
        match self.cur {
            Cur::Pending { .. } => self.end_with_successor(target),
            _ => {
                let b = self.open();
                self.blocks[b].term = Some(RawTerm::Jump(target));
                self.cur = Cur::Closed;
            }
        }
    }

    /// `@{!}cond bra then_dest`.
    pub fn cond_branch(&mut self, cond: Reg, negate: bool, then_dest: usize) {
        let block = self.open();
        self.cur = Cur::Pending { block, cond, negate, then_dest };
    }

    /// `ret` / `exit`.
    pub fn ret(&mut self) {
        self.terminate(RawTerm::Return);
    }

    /// `trap`.
    pub fn trap(&mut self) {
        self.terminate(RawTerm::Trap);
    }

    fn terminate(&mut self, term: RawTerm) {
        let b = self.open();
        self.blocks[b].term = Some(term);
        self.cur = Cur::Closed;
    }

    /// Ends the body and stores the blocks and layout into `func`.
    pub fn finish(mut self, func: &mut Function) -> Result<(), CfgError> {
        match self.cur {
            Cur::Closed if !self.layout.is_empty() => {}
            // Running off the end of the body (or an empty body) returns.
            _ => self.ret(),
        }
        // Only a reference creates an undefined block, so an undefined block always has its label.
        if let Some((name, tok)) = self.blocks.iter().filter(|b| !b.defined).find_map(|b| b.label) {
            return Err(CfgError { tok, message: format!("label `{name}` is not defined") });
        }
        // Every block is defined, hence in the layout exactly once: number blocks by layout position.
        let mut number = vec![0u32; self.blocks.len()];
        for (pos, &raw) in self.layout.iter().enumerate() {
            number[raw] = pos as u32;
        }
        let map = |raw: usize| Block(number[raw]);
        for &raw in &self.layout {
            let rb = &mut self.blocks[raw];
            let term = rb.term.map(|t| match t {
                RawTerm::Jump(d) => Terminator::Jump(map(d)),
                RawTerm::Branch { cond, negate, then_dest, else_dest } => {
                    Terminator::Branch { cond, negate, then_dest: map(then_dest), else_dest: map(else_dest) }
                }
                RawTerm::Return => Terminator::Return,
                RawTerm::Trap => Terminator::Trap,
            });
            let block =
                func.blocks.push(BlockData { insts: std::mem::take(&mut rb.insts), term, term_loc: SrcLoc::NONE });
            func.layout.push(block);
        }
        Ok(())
    }
}
