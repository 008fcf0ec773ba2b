//! Control-flow analyses shared by the verifier, the passes and later analyses (safety, the emulator):
//! successors and predecessors, reverse postorder, reachability, the dominator tree, and an allocation-free visit of
//! an instruction's registers.
//!
//! Every analysis here is total: it never panics on a malformed function. Branch targets that do not exist or are
//! not in the layout are ignored (the verifier reports them), duplicate layout entries count once, and blocks that are
//! not reachable from the entry have no dominator and dominate nothing.
//!
//! ```
//! use ptx_gen::{CmpOp, Function, FunctionBuilder, Operand, Type};
//! use ptx_gen::cfg::{ControlFlowGraph, DominatorTree};
//! let mut f = Function::device("f");
//! let mut b = FunctionBuilder::new(&mut f);
//! let (entry, then, join) = (b.create_block(), b.create_block(), b.create_block());
//! b.switch_to_block(entry);
//! let p = b.ins().setp(CmpOp::Eq, Type::U32, Operand::u32(1), Operand::u32(2));
//! b.branch(p, then, join);
//! b.switch_to_block(then);
//! b.jump(join);
//! b.switch_to_block(join);
//! b.ret();
//! let cfg = ControlFlowGraph::new(&f);
//! let dom = DominatorTree::new(&cfg);
//! assert_eq!(cfg.predecessors(join), &[entry, then]);
//! assert!(dom.dominates(entry, join));
//! assert!(!dom.dominates(then, join));
//! assert_eq!(dom.idom(join), Some(entry));
//! ```

use crate::entity::EntityRef;
use crate::inst::{Block, Inst, InstKind, Reg, Terminator};
use crate::ir::Function;

/// A fixed-size set of small indices (registers, blocks), one bit each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitSet {
    words: Vec<u64>,
    len: usize,
}

impl BitSet {
    /// An empty set able to hold `0..len`.
    pub fn new(len: usize) -> BitSet {
        BitSet { words: vec![0; len.div_ceil(64)], len }
    }
    /// The set holding all of `0..len`.
    pub fn full(len: usize) -> BitSet {
        let mut s = BitSet { words: vec![u64::MAX; len.div_ceil(64)], len };
        s.clear_tail();
        s
    }
    /// The capacity given at creation.
    pub fn capacity(&self) -> usize {
        self.len
    }
    // Keeps the bits past `len` zero so that equality and iteration stay exact.
    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }
    /// Adds `i`; returns whether it was absent. Indices past the capacity are ignored (returns false).
    pub fn insert(&mut self, i: usize) -> bool {
        if i >= self.len {
            return false;
        }
        let (w, bit) = (i / 64, 1u64 << (i % 64));
        let absent = self.words[w] & bit == 0;
        self.words[w] |= bit;
        absent
    }
    /// Removes `i`; returns whether it was present.
    pub fn remove(&mut self, i: usize) -> bool {
        if i >= self.len {
            return false;
        }
        let (w, bit) = (i / 64, 1u64 << (i % 64));
        let present = self.words[w] & bit != 0;
        self.words[w] &= !bit;
        present
    }
    /// Whether `i` is in the set (false past the capacity).
    pub fn contains(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] & (1u64 << (i % 64)) != 0
    }
    /// Adds every element of `other`; returns whether the set changed. Sets of different capacity combine over the
    /// common prefix.
    pub fn union_with(&mut self, other: &BitSet) -> bool {
        let mut changed = false;
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            let n = *a | b;
            changed |= n != *a;
            *a = n;
        }
        self.clear_tail();
        changed
    }
    /// Keeps only the elements also in `other`; returns whether the set changed.
    pub fn intersect_with(&mut self, other: &BitSet) -> bool {
        let mut changed = false;
        for (i, a) in self.words.iter_mut().enumerate() {
            let n = *a & other.words.get(i).copied().unwrap_or(0);
            changed |= n != *a;
            *a = n;
        }
        changed
    }
    /// Removes every element of `other`.
    pub fn subtract(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }
    /// Adds everything in `0..capacity`.
    pub fn fill(&mut self) {
        self.words.iter_mut().for_each(|w| *w = u64::MAX);
        self.clear_tail();
    }
    /// Removes everything.
    pub fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
    }
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }
    /// The elements, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + t)
            })
        })
    }
}

/// One bit set per row (per block, say) in a single allocation, for dataflow analyses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitMatrix {
    words: usize,
    cols: usize,
    data: Vec<u64>,
}

impl BitMatrix {
    /// `rows` empty sets able to hold `0..cols`.
    pub fn new(rows: usize, cols: usize) -> BitMatrix {
        let words = cols.div_ceil(64);
        BitMatrix { words, cols, data: vec![0; rows * words] }
    }
    fn row(&self, r: usize) -> &[u64] {
        self.data.get(r * self.words..(r + 1) * self.words).unwrap_or(&[])
    }
    /// Whether row `r` holds `i`.
    pub fn contains(&self, r: usize, i: usize) -> bool {
        i < self.cols && self.row(r).get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }
    /// Adds row `r` to `set`.
    pub fn union_row_into(&self, r: usize, set: &mut BitSet) {
        for (a, b) in set.words.iter_mut().zip(self.row(r)) {
            *a |= b;
        }
    }
    /// Keeps in `set` only what row `r` holds.
    pub fn intersect_row_into(&self, r: usize, set: &mut BitSet) {
        let row = self.row(r);
        for (i, a) in set.words.iter_mut().enumerate() {
            *a &= row.get(i).copied().unwrap_or(0);
        }
    }
    /// Makes row `r` equal to `set`; returns whether it changed.
    pub fn set_row(&mut self, r: usize, set: &BitSet) -> bool {
        let Some(row) = self.data.get_mut(r * self.words..(r + 1) * self.words) else { return false };
        let mut changed = false;
        for (i, w) in row.iter_mut().enumerate() {
            let v = set.words.get(i).copied().unwrap_or(0);
            changed |= *w != v;
            *w = v;
        }
        changed
    }
    /// Puts everything in `0..cols` in row `r`.
    pub fn fill_row(&mut self, r: usize) {
        let full = BitSet::full(self.cols);
        self.set_row(r, &full);
    }
    /// Row `r` as a set.
    pub fn row_set(&self, r: usize) -> BitSet {
        let mut s = BitSet::new(self.cols);
        self.union_row_into(r, &mut s);
        s
    }
}

const UNREACHABLE: u32 = u32::MAX;

/// Successors, predecessors and reverse postorder of the blocks in a function's layout.
#[derive(Clone, Debug)]
pub struct ControlFlowGraph {
    entry: Option<Block>,
    // Edges in compressed form (one allocation each): block i's successors are
    // `succ_list[succ_start[i]..succ_start[i + 1]]`, and likewise for predecessors.
    succ_start: Vec<u32>,
    succ_list: Vec<Block>,
    pred_start: Vec<u32>,
    pred_list: Vec<Block>,
    in_layout: Vec<bool>,
    rpo: Vec<Block>,
    rpo_index: Vec<u32>,
}

impl ControlFlowGraph {
    /// Computes the graph of `func`'s layout.
    pub fn new(func: &Function) -> ControlFlowGraph {
        let n = func.blocks.len();
        let mut in_layout = vec![false; n];
        for &b in &func.layout {
            if let Some(slot) = in_layout.get_mut(b.index()) {
                *slot = true;
            }
        }
        let entry = func.entry().filter(|b| b.index() < n);
        // Each laid-out block's edges to laid-out blocks, once per block even if the layout repeats it.
        let mut seen = vec![false; n];
        let mut edges: Vec<(Block, Block)> = Vec::with_capacity(2 * func.layout.len());
        for &b in &func.layout {
            let Some(data) = func.blocks.get(b) else { continue };
            if std::mem::replace(&mut seen[b.index()], true) {
                continue;
            }
            let targets = match data.term {
                Some(Terminator::Jump(t)) => [Some(t), None],
                Some(Terminator::Branch { then_dest, else_dest, .. }) => [Some(then_dest), Some(else_dest)],
                _ => [None, None],
            };
            for s in targets.into_iter().flatten() {
                if in_layout.get(s.index()).copied().unwrap_or(false) {
                    edges.push((b, s));
                }
            }
        }
        let (succ_start, succ_list) = compress(n, edges.iter().copied());
        let (pred_start, pred_list) = compress(n, edges.iter().map(|&(b, s)| (s, b)));
        let mut cfg = ControlFlowGraph {
            entry,
            succ_start,
            succ_list,
            pred_start,
            pred_list,
            in_layout,
            rpo: Vec::new(),
            rpo_index: Vec::new(),
        };
        let (rpo, rpo_index) = reverse_postorder(entry, &cfg, n);
        cfg.rpo = rpo;
        cfg.rpo_index = rpo_index;
        cfg
    }

    /// The entry block (the first in the layout), if it exists.
    pub fn entry(&self) -> Option<Block> {
        self.entry
    }
    /// Successors of `b` in the layout, in terminator order (a branch with equal targets lists it twice).
    pub fn successors(&self, b: Block) -> &[Block] {
        slice(&self.succ_start, &self.succ_list, b)
    }
    /// Predecessors of `b` among the layout's blocks, reachable or not, one entry per edge.
    pub fn predecessors(&self, b: Block) -> &[Block] {
        slice(&self.pred_start, &self.pred_list, b)
    }
    /// Whether `b` is listed in the layout.
    pub fn in_layout(&self, b: Block) -> bool {
        self.in_layout.get(b.index()).copied().unwrap_or(false)
    }
    /// The blocks reachable from the entry, in reverse postorder (the entry first; a block before its successors
    /// except along back edges).
    pub fn reverse_postorder(&self) -> &[Block] {
        &self.rpo
    }
    /// Whether `b` is reachable from the entry.
    pub fn is_reachable(&self, b: Block) -> bool {
        self.rpo_index(b).is_some()
    }
    /// The position of `b` in [`reverse_postorder`](Self::reverse_postorder).
    pub fn rpo_index(&self, b: Block) -> Option<usize> {
        match self.rpo_index.get(b.index()) {
            Some(&i) if i != UNREACHABLE => Some(i as usize),
            _ => None,
        }
    }
    /// Number of block slots (the function's block count, not only the layout).
    pub fn block_capacity(&self) -> usize {
        self.in_layout.len()
    }
}

/// Groups `(from, to)` pairs by `from` (stable, so terminator order is kept): offsets and targets.
fn compress(n: usize, pairs: impl Iterator<Item = (Block, Block)> + Clone) -> (Vec<u32>, Vec<Block>) {
    let mut start = vec![0u32; n + 1];
    for (from, _) in pairs.clone() {
        start[from.index() + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut list = vec![Block(0); start[n] as usize];
    for (from, to) in pairs {
        list[next[from.index()] as usize] = to;
        next[from.index()] += 1;
    }
    (start, list)
}

fn slice<'a>(start: &[u32], list: &'a [Block], b: Block) -> &'a [Block] {
    match (start.get(b.index()), start.get(b.index() + 1)) {
        (Some(&s), Some(&e)) => &list[s as usize..e as usize],
        _ => &[],
    }
}

// Iterative depth-first search, so that deep CFGs cannot overflow the stack.
fn reverse_postorder(entry: Option<Block>, cfg: &ControlFlowGraph, n: usize) -> (Vec<Block>, Vec<u32>) {
    let mut post = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    if let Some(e) = entry {
        let mut stack: Vec<(Block, usize)> = vec![(e, 0)];
        visited[e.index()] = true;
        while let Some(&mut (b, ref mut next)) = stack.last_mut() {
            if let Some(&s) = cfg.successors(b).get(*next) {
                *next += 1;
                if !visited[s.index()] {
                    visited[s.index()] = true;
                    stack.push((s, 0));
                }
            } else {
                post.push(b);
                stack.pop();
            }
        }
    }
    post.reverse();
    let mut index = vec![UNREACHABLE; n];
    for (i, b) in post.iter().enumerate() {
        index[b.index()] = i as u32;
    }
    (post, index)
}

/// The dominator tree of the reachable blocks (Cooper, Harvey & Kennedy, "A Simple, Fast Dominance Algorithm"),
/// with preorder/postorder numbers so that [`dominates`](Self::dominates) is O(1).
#[derive(Clone, Debug)]
pub struct DominatorTree {
    idom: Vec<Option<Block>>,
    children: Vec<Vec<Block>>,
    pre: Vec<u32>,
    post: Vec<u32>,
}

impl DominatorTree {
    /// Computes the dominator tree of `cfg`.
    pub fn new(cfg: &ControlFlowGraph) -> DominatorTree {
        let n = cfg.block_capacity();
        let rpo = cfg.reverse_postorder();
        // Immediate dominators by RPO index; the entry is its own during the iteration.
        let mut idom: Vec<u32> = vec![UNREACHABLE; rpo.len()];
        if !rpo.is_empty() {
            idom[0] = 0;
        }
        let mut changed = true;
        while changed {
            changed = false;
            for (i, &b) in rpo.iter().enumerate().skip(1) {
                let mut new_idom = UNREACHABLE;
                for &p in cfg.predecessors(b) {
                    let Some(pi) = cfg.rpo_index(p) else { continue };
                    if idom[pi] == UNREACHABLE {
                        continue;
                    }
                    new_idom = if new_idom == UNREACHABLE { pi as u32 } else { intersect(&idom, pi as u32, new_idom) };
                }
                if new_idom != idom[i] {
                    idom[i] = new_idom;
                    changed = true;
                }
            }
        }
        let mut tree_idom = vec![None; n];
        let mut children = vec![Vec::new(); n];
        for (i, &b) in rpo.iter().enumerate().skip(1) {
            if idom[i] != UNREACHABLE {
                let d = rpo[idom[i] as usize];
                tree_idom[b.index()] = Some(d);
                children[d.index()].push(b);
            }
        }
        // Pre/post numbering of the tree: a dominates b iff pre[a] <= pre[b] and post[b] <= post[a].
        let mut pre = vec![UNREACHABLE; n];
        let mut post = vec![UNREACHABLE; n];
        if let Some(&root) = rpo.first() {
            let (mut pc, mut qc) = (0u32, 0u32);
            let mut stack: Vec<(Block, usize)> = vec![(root, 0)];
            pre[root.index()] = pc;
            pc += 1;
            while let Some(&mut (b, ref mut next)) = stack.last_mut() {
                if let Some(&c) = children[b.index()].get(*next) {
                    *next += 1;
                    pre[c.index()] = pc;
                    pc += 1;
                    stack.push((c, 0));
                } else {
                    post[b.index()] = qc;
                    qc += 1;
                    stack.pop();
                }
            }
        }
        DominatorTree { idom: tree_idom, children, pre, post }
    }

    /// The immediate dominator of `b`; `None` for the entry and for unreachable blocks.
    pub fn idom(&self, b: Block) -> Option<Block> {
        self.idom.get(b.index()).copied().flatten()
    }
    /// The blocks `b` immediately dominates.
    pub fn children(&self, b: Block) -> &[Block] {
        self.children.get(b.index()).map_or(&[], Vec::as_slice)
    }
    /// Whether `b` is reachable (in the tree).
    pub fn is_reachable(&self, b: Block) -> bool {
        self.pre.get(b.index()).is_some_and(|&p| p != UNREACHABLE)
    }
    /// Whether every path from the entry to `b` passes through `a` (reflexive). False when either is unreachable.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return false;
        }
        let (ai, bi) = (a.index(), b.index());
        self.pre[ai] <= self.pre[bi] && self.post[bi] <= self.post[ai]
    }
    /// `dominates(a, b) && a != b`.
    pub fn strictly_dominates(&self, a: Block, b: Block) -> bool {
        a != b && self.dominates(a, b)
    }
    /// Whether the program point `a` dominates `b`, each given as (block, index of the instruction in the block;
    /// the block's instruction count for its terminator). Within one block the earlier point dominates.
    pub fn point_dominates(&self, a: (Block, usize), b: (Block, usize)) -> bool {
        if a.0 == b.0 {
            self.is_reachable(a.0) && a.1 <= b.1
        } else {
            self.strictly_dominates(a.0, b.0)
        }
    }
}

fn intersect(idom: &[u32], mut a: u32, mut b: u32) -> u32 {
    while a != b {
        while a > b {
            a = idom[a as usize];
        }
        while b > a {
            b = idom[b as usize];
        }
    }
    a
}

/// Where each instruction sits in the layout: `(block, index in the block)`, `None` for instructions that are in no
/// layout block. An instruction listed twice (a malformed function) keeps its first position.
pub fn inst_positions(func: &Function) -> Vec<Option<(Block, usize)>> {
    let mut pos = vec![None; func.insts.len()];
    for &b in &func.layout {
        let Some(data) = func.blocks.get(b) else { continue };
        for (i, &inst) in data.insts.iter().enumerate() {
            if let Some(slot @ None) = pos.get_mut(inst.index()) {
                *slot = Some((b, i));
            }
        }
    }
    pos
}

/// The position of one instruction (see [`inst_positions`]); a linear scan, for one-off queries.
pub fn inst_position(func: &Function, inst: Inst) -> Option<(Block, usize)> {
    func.layout.iter().find_map(|&b| {
        let i = func.blocks.get(b)?.insts.iter().position(|&x| x == inst)?;
        Some((b, i))
    })
}

/// Calls `f(reg, is_def)` for every register operand of `kind`, uses (address bases included) before definitions,
/// in the order of [`InstKind::visit_operands`] — without allocating, for analyses that visit every instruction.
pub fn visit_regs(kind: &InstKind, f: impl FnMut(Reg, bool)) {
    kind.for_each_reg(f)
}
