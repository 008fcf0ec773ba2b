//! The warp interpreter: 32 lanes run each decoded instruction together under an active mask, and divergent paths
//! are kept on a reconvergence stack.
//!
//! The stack is a tree stored flat. Each entry is a path: a pc, the lanes on it, and the pc where it rejoins its
//! parent (`rpc`). When a branch splits an entry's lanes, the entry becomes a *join* waiting at the branch's
//! immediate post-dominator and its two children are inserted right above it (the taken path on top); a child
//! ends when it reaches the join's pc, and a join resumes with all its remaining lanes once no child is left above
//! it. When the split point is the entry's own reconvergence point (a loop's exit test, an early return), the
//! children simply replace the entry.
//!
//! Unlike the classic SIMT stack, any leaf entry may run, not only the top one: a path blocked at `bar.sync` or at
//! a warp collective lets its siblings run; a path that runs long ([`RELAX_QUANTUM`] instructions) while lanes wait
//! for it at its join releases them; and a path yields to the other warps after [`QUANTUM`] instructions. So
//! spin-waits between lanes (a lock held by a lane of the same warp) or warps of a block make progress, as under
//! Volta's independent thread scheduling. Lanes of different paths still meet at warp collectives (`shfl.sync`,
//! `vote.sync`, `bar.warp.sync`): a path whose member mask names live lanes of other paths waits until they arrive
//! at a collective with the same member mask, and then all of them complete it together.
//!
//! One lane's register `r` lives at `regs[r + lane]` (slots are stored as `slot * 32`), so a whole register of the
//! warp is one contiguous run of 32 values, which the arithmetic functions of [`super::alu`] process in straight
//! loops.

use ptx_gen::{ShflMode, VoteMode};

use super::access::{full_fence, order_fence, resolve, window, Fault};
use super::code::{Base, FloatFn, Inst, Kernel, MemOp, Space, EXIT, NO_SLOT};
use super::context::Ctx;
use super::convert::cvt;
use super::error::EmuError;
use super::float::{abs, approx, arith, div_approx, min_max, neg, Fmt};
use super::memory::{atomic_load, atomic_store, MemCache};

/// Instructions a path runs before it yields to the other paths and warps of its block.
pub(crate) const QUANTUM: u32 = 1 << 14;
/// Instructions a path runs, while lanes wait for it at its join, before those lanes are released (see
/// [`Warp::relax_join`]). Longer divergent stretches lose reconvergence (never correctness); a spin lock held by a
/// waiting lane costs this much spinning per hand-over.
pub(crate) const RELAX_QUANTUM: u32 = 1 << 10;

/// What a path waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Nothing: it can run.
    None,
    /// Barrier `id` (its pc is at the `bar.sync`).
    Barrier(u32),
    /// The other member lanes of the warp collective at its pc.
    Collective,
}

/// A path of a warp.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub pc: u32,
    /// Where it rejoins its parent ([`EXIT`]: only at thread exit).
    pub rpc: u32,
    pub mask: u32,
    pub depth: u32,
    /// Waiting at `pc` for its children to finish.
    pub join: bool,
    pub wait: Wait,
}

/// Why [`Warp::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Every lane has exited.
    Done,
    /// Nothing could run: no progress was made.
    Stuck,
    /// It ran, and now every remaining path waits.
    Blocked,
    /// It used its quantum.
    Yield,
    /// A path arrived at barrier `id` (it waits there unless `arrive_only`).
    Arrive { id: u32, count: Option<u32>, threads: u32, arrive_only: bool },
}

/// One warp of the block being run.
pub(crate) struct Warp {
    /// Index in the block (`%warpid`).
    pub index: u32,
    pub regs: Vec<u64>,
    pub stack: Vec<Entry>,
    /// Lanes that exist and have not exited.
    pub live: u32,
    /// Warp instructions issued (`%clock64`).
    pub issued: u64,
    /// Thread instructions executed (the sum of the active lanes of every issued instruction).
    pub thread_insts: u64,
    /// Per-lane local memory, grown on demand.
    local: Vec<Vec<u8>>,
    /// After a yield: the entry to scan below first.
    hint: Option<usize>,
}

#[inline(always)]
fn for_lanes(mask: u32, mut f: impl FnMut(usize)) {
    let mut m = mask;
    while m != 0 {
        f(m.trailing_zeros() as usize);
        m &= m - 1;
    }
}

fn sign_extend(v: u64, bits: u32) -> u64 {
    let sh = 64 - bits;
    (((v << sh) as i64) >> sh) as u64
}

fn float_lane(f: FloatFn, fmt: Fmt, x: u64, y: u64, z: u64) -> u64 {
    match f {
        FloatFn::Arith(op, r) => arith(op, fmt, r, x, y, z),
        FloatFn::Approx(a) => approx(a, fmt, x),
        FloatFn::DivApprox => div_approx(fmt, x, y),
        FloatFn::MinMax(max) => min_max(fmt, max, x, y),
        FloatFn::NegAbs(true) => abs(fmt, x),
        FloatFn::NegAbs(false) => neg(fmt, x),
    }
}

impl Warp {
    pub(crate) fn new() -> Warp {
        Warp {
            index: 0,
            regs: Vec::new(),
            stack: Vec::new(),
            live: 0,
            issued: 0,
            thread_insts: 0,
            local: (0..32).map(|_| Vec::new()).collect(),
            hint: None,
        }
    }

    /// Prepares the warp to run `k` from its start with the lanes of `live`.
    pub(crate) fn reset(&mut self, index: u32, k: &Kernel, live: u32) {
        self.index = index;
        if self.regs.len() == k.init.len() {
            // The same kernel's file from the previous block: constants are intact (nothing writes them); only
            // registers that may be read before written need their initial zero.
            for &s in &k.live_in {
                self.regs[s as usize..s as usize + 32].fill(0);
            }
        } else {
            self.regs.clear();
            self.regs.extend_from_slice(&k.init);
        }
        self.stack.clear();
        if live != 0 {
            self.stack.push(Entry { pc: 0, rpc: EXIT, mask: live, depth: 0, join: false, wait: Wait::None });
        }
        self.live = live;
        self.issued = 0;
        self.thread_insts = 0;
        for l in &mut self.local {
            l.clear();
        }
        self.hint = None;
    }

    /// Whether every lane has exited.
    pub(crate) fn done(&self) -> bool {
        self.live == 0
    }

    /// The path to run next: a leaf that is not waiting, or a join whose children are all gone.
    fn pick(&mut self) -> Option<usize> {
        self.stack.retain(|e| e.mask != 0);
        let n = self.stack.len();
        if n == 0 {
            return None;
        }
        // Normally from the top; after a yield, from below the path that yielded, wrapping around.
        let first = match self.hint.take() {
            Some(h) if h < n => h + n - 1,
            _ => n - 1,
        };
        for k in 0..n {
            let i = (first - k) % n;
            let e = self.stack[i];
            if e.wait != Wait::None {
                continue;
            }
            if e.join {
                let has_children = self.stack.get(i + 1).is_some_and(|c| c.depth > e.depth);
                if has_children {
                    continue;
                }
                self.stack[i].join = false;
            }
            return Some(i);
        }
        None
    }

    /// Splits path `ei` at a divergent branch.
    fn diverge(&mut self, ei: usize, join: u32, taken: (u32, u32), not_taken: (u32, u32)) {
        let e = self.stack[ei];
        let (rpc, depth) = if join == e.rpc { (e.rpc, e.depth) } else { (join, e.depth + 1) };
        // A side that starts at the join has arrived already: it gets no entry (so the join knows at once that only
        // the other side is outstanding). The taken side goes on top, to run first.
        let children = [not_taken, taken].into_iter().filter(move |&(pc, _)| pc != rpc).map(move |(pc, mask)| Entry {
            pc,
            rpc,
            mask,
            depth,
            join: false,
            wait: Wait::None,
        });
        if join == e.rpc {
            // The paths meet where this one ends anyway: they replace it.
            self.stack.splice(ei..=ei, children);
        } else {
            self.stack[ei] = Entry { pc: join, join: true, ..e };
            self.stack.splice(ei + 1..ei + 1, children);
        }
    }

    /// Lets the lanes waiting at the join above path `ei` go on without it. Called when `ei` used a whole quantum:
    /// it may be spinning on something those lanes are to do (a lock one of them holds), which they could never do
    /// while waiting for it to reconverge. Independent thread scheduling guarantees them progress; reconvergence is
    /// only an optimisation, so giving it up keeps every lane's execution the same. The join's other paths become
    /// its siblings and continue past the join point on their own.
    fn relax_join(&mut self, ei: usize) {
        let Some((pi, end, arrived)) = self.join_arrivals(ei) else { return };
        let p = self.stack[pi];
        self.stack[pi].mask = arrived;
        self.stack[pi].join = false;
        for e in &mut self.stack[pi + 1..end] {
            if e.depth == p.depth + 1 {
                e.rpc = p.rpc;
            }
            e.depth -= 1;
        }
    }

    /// The join above path `ei`, the end of its children in the stack, and its lanes that have arrived (are in
    /// none of its children); `None` if there is no such join or no lane has arrived.
    fn join_arrivals(&self, ei: usize) -> Option<(usize, usize, u32)> {
        let depth = self.stack.get(ei)?.depth;
        let pi = (0..ei).rev().find(|&i| self.stack[i].depth < depth)?;
        let p = self.stack[pi];
        if !p.join {
            return None;
        }
        let end = (pi + 1..self.stack.len()).find(|&i| self.stack[i].depth <= p.depth).unwrap_or(self.stack.len());
        let below = self.stack[pi + 1..end].iter().fold(0u32, |acc, e| acc | e.mask);
        let arrived = p.mask & !below;
        (arrived != 0).then_some((pi, end, arrived))
    }

    fn join_has_arrivals(&self, ei: usize) -> bool {
        // Only a path with a parent can have one; the common undiverged warp skips the scan.
        self.stack.get(ei).is_some_and(|e| e.depth > 0) && self.join_arrivals(ei).is_some()
    }

    /// Lanes of `mask` (path `ei`) exit.
    fn exit_lanes(&mut self, ei: usize, mask: u32) {
        self.live &= !mask;
        for e in &mut self.stack {
            e.mask &= !mask;
        }
        self.stack.remove(ei);
    }

    fn pred_mask(&self, p: u32, mask: u32) -> u32 {
        let lanes = &self.regs[p as usize..p as usize + 32];
        let mut t = 0u32;
        for (l, &v) in lanes.iter().enumerate() {
            t |= ((v & 1) as u32) << l;
        }
        t & mask
    }

    /// The value of a warp-uniform operand (taken from the first active lane).
    fn uniform(&self, slot: u32, mask: u32) -> u64 {
        self.regs[slot as usize + (mask.trailing_zeros() as usize & 31)]
    }

    fn member_mask(&self, inst: &Inst, mask: u32) -> u32 {
        match *inst {
            Inst::Shfl { mask: m, .. } | Inst::Vote { mask: m, .. } | Inst::WarpSync { mask: m } => {
                self.uniform(m, mask) as u32
            }
            _ => 0,
        }
    }

    fn error_thread(&self, cx: &Ctx, lane: usize) -> super::error::Dim3 {
        cx.l.tid(self.index, lane as u32)
    }

    fn fault(&self, cx: &Ctx, f: Fault, lane: usize) -> EmuError {
        let kernel = cx.l.kernel.name.clone();
        let (block, thread) = (cx.block, self.error_thread(cx, lane));
        match f {
            Fault::Bounds { space, addr, size, nearest } => {
                EmuError::OutOfBounds { kernel, block, thread, space, address: addr, size, nearest }
            }
            Fault::Misaligned { space, addr, size } => {
                EmuError::Misaligned { kernel, block, thread, space, address: addr, size }
            }
        }
    }

    fn collective_error(&self, cx: &Ctx, message: String) -> EmuError {
        EmuError::Collective { kernel: cx.l.kernel.name.clone(), block: cx.block, warp: self.index, message }
    }

    /// The address of lane `l` for a memory operand.
    #[inline(always)]
    fn address(&self, cx: &Ctx, base: Base, offset: i64, l: usize) -> u64 {
        let b = match base {
            Base::Reg(s) => self.regs[s as usize + l],
            Base::Addr(a) => a,
            Base::GlobalVar(i) => cx.l.globals.get(i as usize).copied().unwrap_or(0),
        };
        b.wrapping_add(offset as u64)
    }

    #[inline(always)]
    fn ld_lane(&mut self, cx: &mut Ctx, slot: usize, m: &MemOp, l: usize) -> Result<(), Fault> {
        let addr = self.address(cx, m.base, m.offset, l);
        let (space, a) = if m.space == Space::Generic { resolve(addr) } else { (m.space, addr) };
        Ctx::check_align(space, a, m.elem * m.count)?;
        for k in 0..m.count as usize {
            let v = cx.load(slot, space, a + (k as u64) * m.elem as u64, m.elem, &self.local[l])?;
            let v = if m.sext > 0 { sign_extend(v, m.sext) } else { v };
            self.regs[m.regs[k] as usize + l] = v & m.reg_mask;
        }
        Ok(())
    }

    #[inline(always)]
    fn st_lane(&mut self, cx: &mut Ctx, slot: usize, m: &MemOp, l: usize) -> Result<(), Fault> {
        let addr = self.address(cx, m.base, m.offset, l);
        let (space, a) = if m.space == Space::Generic { resolve(addr) } else { (m.space, addr) };
        Ctx::check_align(space, a, m.elem * m.count)?;
        for k in 0..m.count as usize {
            let v = self.regs[m.regs[k] as usize + l];
            cx.store(slot, space, a + (k as u64) * m.elem as u64, m.elem, v, &mut self.local[l])?;
        }
        Ok(())
    }

    fn exec_ld(&mut self, cx: &mut Ctx, mi: u32, mask: u32) -> Result<(), EmuError> {
        let k = cx.l.kernel;
        let Some(m) = k.mem.get(mi as usize) else {
            return Err(internal(cx, "bad memory operand"));
        };
        let slot = mi as usize;
        if !matches!(m.base, Base::Reg(_)) && m.space != Space::Local && mask != 0 {
            // A fixed address (a kernel parameter, a variable): every lane loads the same values, so load them once
            // and broadcast.
            let l = mask.trailing_zeros() as usize;
            if let Err(f) = self.ld_lane(cx, slot, m, l) {
                return Err(self.fault(cx, f, l));
            }
            for &d in &m.regs[..m.count as usize] {
                let v = [self.regs[d as usize + l]; 32];
                super::alu::write_lanes(&mut self.regs, d as usize, mask, &v);
            }
            if m.acquire {
                order_fence(true);
            }
            return Ok(());
        }
        let fast = fast_base(m);
        let mut bits = mask;
        while bits != 0 {
            let l = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if let Some(s) = fast {
                let addr = self.regs[s + l].wrapping_add(m.offset as u64);
                if let Some(p) = fast_global(cx.caches.get(slot), addr, m.elem) {
                    // SAFETY: `fast_global` checked bounds (in an allocation the launch keeps alive) and alignment.
                    let v = unsafe { atomic_load(p, m.elem) };
                    let v = if m.sext > 0 { sign_extend(v, m.sext) } else { v };
                    self.regs[m.regs[0] as usize + l] = v & m.reg_mask;
                    continue;
                }
            }
            if let Err(f) = self.ld_lane(cx, slot, m, l) {
                return Err(self.fault(cx, f, l));
            }
        }
        if m.acquire {
            order_fence(true);
        }
        Ok(())
    }

    fn exec_st(&mut self, cx: &mut Ctx, mi: u32, mask: u32) -> Result<(), EmuError> {
        let k = cx.l.kernel;
        let Some(m) = k.mem.get(mi as usize) else {
            return Err(internal(cx, "bad memory operand"));
        };
        if m.release {
            order_fence(false);
        }
        let slot = mi as usize;
        let fast = fast_base(m);
        let mut bits = mask;
        while bits != 0 {
            let l = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if let Some(s) = fast {
                let addr = self.regs[s + l].wrapping_add(m.offset as u64);
                if let Some(p) = fast_global(cx.caches.get(slot), addr, m.elem) {
                    // SAFETY: as in `exec_ld`.
                    unsafe { atomic_store(p, m.elem, self.regs[m.regs[0] as usize + l]) };
                    continue;
                }
            }
            if let Err(f) = self.st_lane(cx, slot, m, l) {
                return Err(self.fault(cx, f, l));
            }
        }
        Ok(())
    }

    fn exec_atom(&mut self, cx: &mut Ctx, ai: u32, mask: u32) -> Result<(), EmuError> {
        let k = cx.l.kernel;
        let Some(&a) = k.atoms.get(ai as usize) else {
            return Err(internal(cx, "bad atomic operand"));
        };
        let slot = k.mem.len() + ai as usize;
        if a.release {
            order_fence(false);
        }
        let mut bits = mask;
        while bits != 0 {
            let l = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let addr = self.address(cx, a.base, a.offset, l);
            let (space, at) = if a.space == Space::Generic { resolve(addr) } else { (a.space, addr) };
            let (src, cmp) = (self.regs[a.src as usize + l], self.regs[a.cmp as usize + l]);
            let r = Ctx::check_align(space, at, a.size)
                .and_then(|()| cx.atomic(slot, space, at, a.size, a.op, a.ty, src, cmp, &mut self.local[l]));
            match r {
                Ok(old) => {
                    if a.dst != NO_SLOT {
                        self.regs[a.dst as usize + l] = old;
                    }
                }
                Err(f) => return Err(self.fault(cx, f, l)),
            }
        }
        if a.acquire {
            order_fence(true);
        }
        Ok(())
    }

    /// Completes the warp collective at each part's pc, for the part's lanes, together.
    fn collective(&mut self, code: &[Inst], parts: &[(u32, u32)]) {
        let Some(&(pc0, _)) = parts.first() else { return };
        match code.get(pc0 as usize) {
            Some(Inst::Shfl { a: a0, .. }) => {
                // Source values: each participating lane's own operand; others read their register of the first
                // part's operand (an undefined value on the GPU).
                let mut src = [0u64; 32];
                src.copy_from_slice(&self.regs[*a0 as usize..*a0 as usize + 32]);
                for &(pc, m) in parts {
                    if let Some(&Inst::Shfl { a, .. }) = code.get(pc as usize) {
                        for_lanes(m, |l| src[l] = self.regs[a as usize + l]);
                    }
                }
                for &(pc, m) in parts {
                    let Some(&Inst::Shfl { mode, d, p, lane, clamp, .. }) = code.get(pc as usize) else {
                        continue;
                    };
                    for_lanes(m, |l| {
                        let (j, ok) = shfl_source(
                            mode,
                            l as u32,
                            self.regs[lane as usize + l] as u32,
                            self.regs[clamp as usize + l] as u32,
                        );
                        self.regs[d as usize + l] = src[if ok { j as usize } else { l }] & 0xFFFF_FFFF;
                        if p != NO_SLOT {
                            self.regs[p as usize + l] = ok as u64;
                        }
                    });
                }
            }
            Some(Inst::Vote { .. }) => {
                let members = parts.iter().fold(0u32, |acc, &(_, m)| acc | m);
                let mut ballot = 0u32;
                for &(pc, m) in parts {
                    if let Some(&Inst::Vote { a, negate, .. }) = code.get(pc as usize) {
                        for_lanes(m, |l| {
                            if ((self.regs[a as usize + l] & 1) != 0) != negate {
                                ballot |= 1 << l;
                            }
                        });
                    }
                }
                for &(pc, m) in parts {
                    let Some(&Inst::Vote { mode, d, .. }) = code.get(pc as usize) else {
                        continue;
                    };
                    let v = match mode {
                        VoteMode::Ballot => ballot as u64,
                        VoteMode::All => (ballot == members) as u64,
                        VoteMode::Any => (ballot != 0) as u64,
                        VoteMode::Uni => (ballot == 0 || ballot == members) as u64,
                    };
                    for_lanes(m, |l| self.regs[d as usize + l] = v);
                }
            }
            _ => {} // bar.warp.sync: meeting is all it does.
        }
    }

    /// Completes a collective every member of which has arrived (on different paths). `Ok(true)` when one fired.
    fn fire_collectives(&mut self, cx: &Ctx) -> Result<bool, EmuError> {
        let code = &cx.l.kernel.code;
        let waiting: Vec<usize> = (0..self.stack.len()).filter(|&i| self.stack[i].wait == Wait::Collective).collect();
        for &i in &waiting {
            let e = self.stack[i];
            let Some(inst) = code.get(e.pc as usize) else { continue };
            let members = self.member_mask(inst, e.mask);
            let group: Vec<usize> = waiting
                .iter()
                .copied()
                .filter(|&j| {
                    let ej = self.stack[j];
                    code.get(ej.pc as usize).is_some_and(|ij| self.member_mask(ij, ej.mask) == members)
                })
                .collect();
            let have = group.iter().fold(0u32, |acc, &j| acc | self.stack[j].mask);
            if members & self.live & !have != 0 {
                continue;
            }
            let kind = std::mem::discriminant(inst);
            if let Some(&j) = group
                .iter()
                .find(|&&j| code.get(self.stack[j].pc as usize).is_some_and(|ij| std::mem::discriminant(ij) != kind))
            {
                let text = |pc: u32| cx.l.kernel.text.get(pc as usize).map_or("?", String::as_str);
                let (t0, t1) = (text(e.pc), text(self.stack[j].pc));
                return Err(self.collective_error(
                    cx,
                    format!("lanes of member mask {members:#010x} meet at different collectives: `{t0}` and `{t1}`"),
                ));
            }
            let parts: Vec<(u32, u32)> = group.iter().map(|&j| (self.stack[j].pc, self.stack[j].mask)).collect();
            self.collective(code, &parts);
            for &j in &group {
                self.stack[j].pc += 1;
                self.stack[j].wait = Wait::None;
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// A description of the collective paths wait at, for a deadlock report (`None` if none waits).
    pub(crate) fn collective_wait(&self, k: &Kernel) -> Option<String> {
        let e = self.stack.iter().find(|e| e.wait == Wait::Collective)?;
        let inst = k.code.get(e.pc as usize)?;
        let members = self.member_mask(inst, e.mask);
        let text = k.text.get(e.pc as usize).map_or("?", String::as_str);
        Some(format!(
            "lanes {:#010x} wait at `{text}` for member lanes {:#010x}, which cannot arrive (they wait to \
             reconverge, at a barrier, or at a collective with another member mask)",
            e.mask,
            members & self.live & !e.mask
        ))
    }

    /// Lanes waiting at a barrier, at a collective, and to reconverge.
    pub(crate) fn waiting_lanes(&self) -> (u32, u32, u32) {
        let (mut bar, mut coll, mut join) = (0u32, 0u32, 0u32);
        for e in &self.stack {
            match e.wait {
                Wait::Barrier(_) => bar |= e.mask,
                Wait::Collective => coll |= e.mask,
                Wait::None if e.join => join |= e.mask,
                Wait::None => {}
            }
        }
        (bar, coll, join & !bar & !coll)
    }

    /// Releases the paths waiting at barrier `id`.
    pub(crate) fn release(&mut self, id: u32) {
        for e in &mut self.stack {
            if e.wait == Wait::Barrier(id) {
                e.wait = Wait::None;
                e.pc += 1;
            }
        }
    }

    /// Runs paths until every lane exits, every path waits, a barrier is reached, or the quantum is used.
    pub(crate) fn run(&mut self, cx: &mut Ctx) -> Result<Stop, EmuError> {
        let l = cx.l;
        let code: &[Inst] = &l.kernel.code;
        let mut progressed = false;
        let mut budget = QUANTUM;
        loop {
            let Some(ei) = self.pick() else {
                if self.stack.is_empty() {
                    return Ok(Stop::Done);
                }
                if self.fire_collectives(cx)? {
                    progressed = true;
                    continue;
                }
                return Ok(if progressed { Stop::Blocked } else { Stop::Stuck });
            };
            progressed = true;
            let Entry { mut pc, rpc, mask, .. } = self.stack[ei];
            let full = mask == u32::MAX;
            // Lanes waiting at this path's join are released after a shorter run (a spin-wait on them would
            // otherwise cost a whole quantum per hand-over).
            let mut relax = if self.join_has_arrivals(ei) { RELAX_QUANTUM } else { u32::MAX };
            loop {
                if pc == rpc {
                    // Reached the join: this path is complete.
                    self.stack.remove(ei);
                    break;
                }
                if budget == 0 || relax == 0 {
                    self.stack[ei].pc = pc;
                    self.relax_join(ei);
                    self.hint = Some(ei);
                    if budget == 0 {
                        return Ok(Stop::Yield);
                    }
                    // Run the released lanes now (the next pick starts below this path).
                    break;
                }
                budget -= 1;
                relax = relax.wrapping_sub(1);
                let Some(&inst) = code.get(pc as usize) else {
                    return Err(internal(cx, "the program counter left the code"));
                };
                self.issued += 1;
                self.thread_insts += if full { 32 } else { mask.count_ones() as u64 };
                pc += 1;
                let r = &mut self.regs;
                match inst {
                    Inst::Mov { d, a, mask: wm } => super::alu::map1(r, d as usize, a as usize, mask, |x| x & wm),
                    Inst::Un { f, d, a } => f(r, d as usize, a as usize, mask),
                    Inst::Bin { f, d, a, b } => f(r, d as usize, a as usize, b as usize, mask),
                    Inst::Tern { f, d, a, b, c } => f(r, d as usize, a as usize, b as usize, c as usize, mask),
                    Inst::Quad { f, d, a, b, c, e } => {
                        f(r, d as usize, a as usize, b as usize, c as usize, e as usize, mask)
                    }
                    Inst::Float { f, fmt, packed, d, a, b, c } => {
                        let (d, a, b, c) = (d as usize, a as usize, b as usize, c as usize);
                        for_lanes(mask, |l| {
                            let (x, y, z) = (r[a + l], r[b + l], r[c + l]);
                            r[d + l] = if packed {
                                let lo = float_lane(f, fmt, x & 0xFFFF, y & 0xFFFF, z & 0xFFFF);
                                let hi = float_lane(f, fmt, (x >> 16) & 0xFFFF, (y >> 16) & 0xFFFF, (z >> 16) & 0xFFFF);
                                (lo & 0xFFFF) | (hi & 0xFFFF) << 16
                            } else {
                                float_lane(f, fmt, x, y, z)
                            };
                        });
                    }
                    Inst::Cvt { spec, d, a } => {
                        let (d, a) = (d as usize, a as usize);
                        for_lanes(mask, |l| r[d + l] = cvt(&spec, r[a + l]));
                    }
                    Inst::Selp { d, a, b, p, mask: wm } => {
                        let (d, a, b, p) = (d as usize, a as usize, b as usize, p as usize);
                        for_lanes(mask, |l| r[d + l] = if r[p + l] & 1 != 0 { r[a + l] } else { r[b + l] } & wm);
                    }
                    Inst::Special { d, sreg } => {
                        let v = cx.special_lanes(sreg, self.index, self.issued);
                        super::alu::write_lanes(r, d as usize, mask, &v);
                    }
                    Inst::GlobalVarAddr { d, var } => {
                        let v = l.globals.get(var as usize).copied().unwrap_or(0);
                        for_lanes(mask, |lane| r[d as usize + lane] = v);
                    }
                    Inst::Cvta { d, a, to_generic, space } => {
                        let w = window(space);
                        let (d, a) = (d as usize, a as usize);
                        for_lanes(mask, |lane| {
                            r[d + lane] =
                                if to_generic { r[a + lane].wrapping_add(w) } else { r[a + lane].wrapping_sub(w) }
                        });
                    }
                    Inst::Ld(mi) => self.exec_ld(cx, mi, mask)?,
                    Inst::St(mi) => self.exec_st(cx, mi, mask)?,
                    Inst::Atom(ai) => self.exec_atom(cx, ai, mask)?,
                    Inst::Fence => full_fence(),
                    Inst::ActiveMask { d } => for_lanes(mask, |lane| r[d as usize + lane] = mask as u64),
                    Inst::Jump { target } => pc = target,
                    Inst::Branch { p, negate, then_pc, else_pc, join } => {
                        let t = self.pred_mask(p, mask) ^ if negate { mask } else { 0 };
                        if t == mask {
                            pc = then_pc;
                        } else if t == 0 {
                            pc = else_pc;
                        } else {
                            self.diverge(ei, join, (then_pc, t), (else_pc, mask & !t));
                            break;
                        }
                    }
                    Inst::Exit => {
                        self.exit_lanes(ei, mask);
                        break;
                    }
                    Inst::Trap => {
                        let lane = mask.trailing_zeros() as usize;
                        return Err(EmuError::Trap {
                            kernel: l.kernel.name.clone(),
                            block: cx.block,
                            thread: self.error_thread(cx, lane),
                        });
                    }
                    Inst::Bar { arrive, id, count } => {
                        let lane = mask.trailing_zeros() as usize;
                        let idv = self.uniform(id, mask);
                        let cnt = (count != NO_SLOT).then(|| self.uniform(count, mask));
                        let bad = if idv >= 16 {
                            Some(format!("barrier id {idv} is not in 0..15"))
                        } else if cnt == Some(0) || cnt.is_some_and(|c| c > u32::MAX as u64) {
                            Some(format!("barrier thread count {} is invalid", cnt.unwrap_or(0)))
                        } else {
                            None
                        };
                        if let Some(message) = bad {
                            return Err(EmuError::InvalidBarrier {
                                kernel: l.kernel.name.clone(),
                                block: cx.block,
                                thread: self.error_thread(cx, lane),
                                message,
                            });
                        }
                        let id = idv as u32;
                        let stop = Stop::Arrive {
                            id,
                            count: cnt.map(|c| c as u32),
                            threads: mask.count_ones(),
                            arrive_only: arrive,
                        };
                        if arrive {
                            self.stack[ei].pc = pc;
                        } else {
                            self.stack[ei].pc = pc - 1;
                            self.stack[ei].wait = Wait::Barrier(id);
                        }
                        return Ok(stop);
                    }
                    Inst::Shfl { .. } | Inst::Vote { .. } | Inst::WarpSync { .. } => {
                        let members = self.member_mask(&inst, mask);
                        if mask & !members != 0 {
                            let text = l.kernel.text.get(pc as usize - 1).map_or("?", String::as_str);
                            return Err(self.collective_error(
                                cx,
                                format!(
                                    "lanes {:#010x} execute `{text}` but are not in its member mask {members:#010x}",
                                    mask & !members
                                ),
                            ));
                        }
                        if members & self.live & !mask == 0 {
                            self.collective(code, &[(pc - 1, mask)]);
                        } else {
                            // Other member lanes are on other paths: wait for them.
                            self.stack[ei].pc = pc - 1;
                            self.stack[ei].wait = Wait::Collective;
                            break;
                        }
                    }
                }
            }
        }
    }
}

/// `shfl.sync`'s source lane and predicate for lane `l`, per the PTX ISA: `c` packs the clamp value (bits 0..4)
/// and the segment mask (bits 8..12); out-of-range sources read the lane's own value with the predicate false.
pub(crate) fn shfl_source(mode: ShflMode, l: u32, b: u32, c: u32) -> (u32, bool) {
    let bval = b & 0x1F;
    let cval = c & 0x1F;
    let seg = (c >> 8) & 0x1F;
    let max_lane = ((l & seg) | (cval & !seg)) as i32;
    let min_lane = (l & seg) as i32;
    let li = l as i32;
    let (j, ok) = match mode {
        ShflMode::Up => {
            let j = li - bval as i32;
            (j, j >= max_lane)
        }
        ShflMode::Down => {
            let j = li + bval as i32;
            (j, j <= max_lane)
        }
        ShflMode::Bfly => {
            let j = li ^ bval as i32;
            (j, j <= max_lane)
        }
        ShflMode::Idx => {
            let j = min_lane | (bval & !seg) as i32;
            (j, j <= max_lane)
        }
    };
    if ok && (0..32).contains(&j) {
        (j as u32, true)
    } else {
        (l, false)
    }
}

/// The base register of a scalar access that may go to global memory: such accesses try the allocation cache first.
#[inline(always)]
fn fast_base(m: &MemOp) -> Option<usize> {
    match (m.space, m.base, m.count) {
        (Space::Global | Space::Generic, Base::Reg(s), 1) => Some(s as usize),
        _ => None,
    }
}

/// The host pointer of an aligned global access that hits the cached allocation (generic addresses in the
/// shared/local/const/param windows never do: the windows lie far above every allocation).
#[inline(always)]
fn fast_global(cache: Option<&MemCache>, addr: u64, size: u32) -> Option<*mut u8> {
    if addr & (size as u64 - 1) != 0 {
        return None;
    }
    cache?.get(addr, size)
}

fn internal(cx: &Ctx, what: &str) -> EmuError {
    EmuError::InvalidModule { kernel: cx.l.kernel.name.clone(), message: format!("internal emulator error: {what}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_sources_follow_the_isa() {
        // Full-warp down by 1 (clamp 31): the last lane keeps its own value.
        assert_eq!(shfl_source(ShflMode::Down, 3, 1, 0x1F), (4, true));
        assert_eq!(shfl_source(ShflMode::Down, 31, 1, 0x1F), (31, false));
        // Up by 2 with clamp 0.
        assert_eq!(shfl_source(ShflMode::Up, 1, 2, 0), (1, false));
        assert_eq!(shfl_source(ShflMode::Up, 5, 2, 0), (3, true));
        // Butterfly.
        assert_eq!(shfl_source(ShflMode::Bfly, 5, 16, 0x1F), (21, true));
        // Idx in segments of 8 (segmask 0x18: width 8 → c = ((32-8) << 8) | 0x1F).
        let c = (24 << 8) | 0x1F;
        assert_eq!(shfl_source(ShflMode::Idx, 13, 2, c), (10, true));
        assert_eq!(shfl_source(ShflMode::Down, 13, 3, (24 << 8) | 0x7), (13, false)); // 16 is past segment 8..15
        assert_eq!(shfl_source(ShflMode::Down, 12, 3, (24 << 8) | 0x7), (15, true));
    }
}
