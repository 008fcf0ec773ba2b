//! Registers that may be read before they are written: the registers live at a kernel's entry.
//!
//! A warp's register file is reused from block to block without being cleared (clearing it costs as much as a small
//! kernel); only these registers are zeroed when a block starts, so that even a kernel that reads a register it never
//! wrote sees 0, every time, rather than a value left by another block.
//!
//! Classic backward liveness over the blocks of the (inlined) function, with bit sets.

use ptx_gen::{Block, Function, Operand, Reg, Terminator};

/// Work above which the analysis gives up and reports every register (zeroing them all is always correct).
const MAX_BITS: usize = 1 << 26;

struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }
}

/// The registers of `f` that some path from the entry reads before writing.
pub(crate) fn live_at_entry(f: &Function) -> Vec<Reg> {
    let nregs = f.regs.len();
    let layout = &f.layout;
    let all = || (0..nregs).map(|i| Reg(i as u32)).collect();
    if nregs.saturating_mul(layout.len()) > MAX_BITS {
        return all();
    }
    let pos = |b: Block| layout.iter().position(|&x| x == b);
    // Per block: registers read before any write in the block (gen), and registers written (kill).
    let mut gen_sets = Vec::with_capacity(layout.len());
    let mut kill_sets = Vec::with_capacity(layout.len());
    let mut succs = Vec::with_capacity(layout.len());
    for &b in layout {
        let (mut g, mut k) = (Bits::new(nregs), Bits::new(nregs));
        let Some(bd) = f.blocks.get(b) else { return all() };
        for &i in &bd.insts {
            let Some(d) = f.insts.get(i) else { return all() };
            for o in d.kind.uses() {
                if let Operand::Reg(r) = o {
                    if !k.get(r.0 as usize) {
                        g.set(r.0 as usize);
                    }
                }
            }
            for r in d.kind.defs() {
                k.set(r.0 as usize);
            }
        }
        if let Some(Terminator::Branch { cond, .. }) = &bd.term {
            if !k.get(cond.0 as usize) {
                g.set(cond.0 as usize);
            }
        }
        let s: Vec<usize> =
            bd.term.as_ref().map_or(Vec::new(), |t| t.successors().into_iter().filter_map(pos).collect());
        gen_sets.push(g);
        kill_sets.push(k);
        succs.push(s);
    }
    let words = nregs.div_ceil(64);
    let mut live_in: Vec<Bits> = (0..layout.len()).map(|_| Bits::new(nregs)).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..layout.len()).rev() {
            let mut out = vec![0u64; words];
            for &s in &succs[b] {
                for (o, w) in out.iter_mut().zip(&live_in[s].0) {
                    *o |= w;
                }
            }
            for (w, o) in out.iter_mut().enumerate() {
                *o = gen_sets[b].0[w] | (*o & !kill_sets[b].0[w]);
            }
            if out != live_in[b].0 {
                live_in[b].0 = out;
                changed = true;
            }
        }
    }
    let Some(entry) = live_in.first() else {
        return Vec::new();
    };
    let mut v = Vec::new();
    for i in 0..nregs {
        if entry.get(i) {
            v.push(Reg(i as u32));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptx_gen::{CmpOp, FunctionBuilder, Mode, Operand, Type};

    #[test]
    fn reads_before_writes_on_some_path() {
        let mut f = Function::kernel("k");
        let x = f.new_reg(Type::U32); // written on one path only, read after the join
        let mut b = FunctionBuilder::new(&mut f);
        let (entry, then, join) = (b.create_block(), b.create_block(), b.create_block());
        b.switch_to_block(entry);
        let y = b.ins().mov(Type::U32, Operand::u32(3));
        let p = b.ins().setp(CmpOp::Eq, Type::U32, y, Operand::u32(3));
        b.branch(p, then, join);
        b.switch_to_block(then);
        b.ins().mov_to(x, Operand::u32(1));
        b.jump(join);
        b.switch_to_block(join);
        let _z = b.ins().add(Type::U32, Mode::None, x, y);
        b.ret();
        b.finish().unwrap();
        assert_eq!(live_at_entry(&f), vec![x]);
    }
}
