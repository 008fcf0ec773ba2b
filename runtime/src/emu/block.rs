//! Running one thread block: its warps, scheduled cooperatively on one host thread, and its barriers.
//!
//! Each warp runs until all its paths wait, it reaches a barrier, it exits, or it uses its quantum; then the next
//! warp runs. Barrier semantics follow PTX for sm_70 and later, per thread: `bar.sync id` completes when `count`
//! threads have arrived, or without a count when every thread of the block that has not exited has. Threads
//! waiting at a reconvergence point have not arrived, so a `bar.sync` that part of a warp skips while the rest of
//! the warp waits for it to reconverge can never complete (CUDA: `__syncthreads()` in divergent code is undefined).
//! When no warp of the block can run and no barrier can complete, the block is deadlocked and the launch fails
//! with [`EmuError::Deadlock`], naming the barrier and its arrivals, instead of hanging.

use super::code::Kernel;
use super::context::{Ctx, Launch};
use super::error::{Dim3, EmuError};
use super::exec::{Stop, Warp};
use super::memory::MemCache;

/// The 16 named barriers of a block.
#[derive(Clone, Copy, Debug, Default)]
struct Barrier {
    /// Threads that arrived in the current phase.
    arrived: u32,
    /// The thread count of the current phase (`None`: every thread that has not exited).
    count: Option<u32>,
}

/// Counts of executed work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    pub warp_insts: u64,
    pub thread_insts: u64,
    pub blocks: u64,
}

impl Counters {
    pub(crate) fn add(&mut self, o: &Counters) {
        self.warp_insts += o.warp_insts;
        self.thread_insts += o.thread_insts;
        self.blocks += o.blocks;
    }
}

/// Runs blocks, one at a time, reusing its warps and shared memory between them.
pub(crate) struct BlockRunner {
    warps: Vec<Warp>,
    shared: Vec<u8>,
    /// Allocation caches of the memory instructions. They point into the launch's memory view, so a runner must
    /// not outlive its launch.
    caches: Vec<MemCache>,
    barriers: [Barrier; 16],
    pub counters: Counters,
}

impl BlockRunner {
    pub(crate) fn new() -> BlockRunner {
        BlockRunner {
            warps: Vec::new(),
            shared: Vec::new(),
            caches: Vec::new(),
            barriers: [Barrier::default(); 16],
            counters: Counters::default(),
        }
    }

    /// Runs block `block` (linear index `linear`) of the launch to completion.
    pub(crate) fn run(&mut self, l: &Launch, block: Dim3, linear: u64) -> Result<(), EmuError> {
        let k: &Kernel = l.kernel;
        let threads = l.threads();
        let nwarps = threads.div_ceil(32) as usize;
        while self.warps.len() < nwarps {
            self.warps.push(Warp::new());
        }
        for (i, w) in self.warps[..nwarps].iter_mut().enumerate() {
            let first = i as u32 * 32;
            let n = (threads - first).min(32);
            let live = if n == 32 { u32::MAX } else { (1u32 << n) - 1 };
            w.reset(i as u32, k, live);
        }
        // Shared memory is zero-filled for determinism (the GPU leaves it undefined).
        self.shared.clear();
        self.shared.resize(l.shared_bytes, 0);
        self.barriers = [Barrier::default(); 16];

        let warps = &mut self.warps[..nwarps];
        let barriers = &mut self.barriers;
        let ncaches = k.mem.len() + k.atoms.len();
        if self.caches.len() != ncaches {
            self.caches = vec![MemCache::EMPTY; ncaches];
        }
        let mut cx = Ctx { l, block, block_linear: linear, shared: &mut self.shared, caches: &mut self.caches };
        let result = schedule(&mut cx, warps, barriers);
        for w in warps.iter() {
            self.counters.warp_insts += w.issued;
            self.counters.thread_insts += w.thread_insts;
        }
        self.counters.blocks += 1;
        result
    }
}

fn live_threads(warps: &[Warp]) -> u32 {
    warps.iter().map(|w| w.live.count_ones()).sum()
}

/// Completes every barrier whose arrivals suffice, releasing its waiters.
fn check_barriers(warps: &mut [Warp], barriers: &mut [Barrier; 16]) {
    let live = live_threads(warps);
    for (id, b) in barriers.iter_mut().enumerate() {
        if b.arrived == 0 {
            continue;
        }
        let expected = b.count.unwrap_or(live);
        if b.arrived >= expected {
            *b = Barrier::default();
            for w in warps.iter_mut() {
                w.release(id as u32);
            }
        }
    }
}

fn schedule(cx: &mut Ctx, warps: &mut [Warp], barriers: &mut [Barrier; 16]) -> Result<(), EmuError> {
    let limit = cx.l.inst_limit;
    loop {
        let mut progress = false;
        for i in 0..warps.len() {
            if warps[i].done() {
                continue;
            }
            loop {
                let stop = warps[i].run(cx)?;
                if limit != u64::MAX && warps.iter().map(|w| w.issued).sum::<u64>() > limit {
                    return Err(EmuError::InstructionLimit {
                        kernel: cx.l.kernel.name.clone(),
                        block: cx.block,
                        limit,
                    });
                }
                match stop {
                    Stop::Stuck => break,
                    Stop::Done | Stop::Blocked | Stop::Yield => {
                        progress = true;
                        // Exits change how many threads a full-block barrier waits for.
                        check_barriers(warps, barriers);
                        break;
                    }
                    Stop::Arrive { id, count, threads, arrive_only: _ } => {
                        progress = true;
                        let b = &mut barriers[id as usize];
                        b.arrived += threads;
                        if b.count.is_none() {
                            b.count = count;
                        }
                        check_barriers(warps, barriers);
                        // The warp may have other paths to run, or be released already.
                    }
                }
            }
        }
        if warps.iter().all(Warp::done) {
            return Ok(());
        }
        if !progress {
            return Err(deadlock(cx, warps, barriers));
        }
    }
}

/// The error for a block in which nothing can run.
fn deadlock(cx: &Ctx, warps: &[Warp], barriers: &[Barrier; 16]) -> EmuError {
    let kernel = cx.l.kernel.name.clone();
    let live = live_threads(warps);
    let (mut at_bar, mut at_coll, mut at_join) = (0u32, 0u32, 0u32);
    for w in warps {
        let (b, c, j) = w.waiting_lanes();
        at_bar += b.count_ones();
        at_coll += c.count_ones();
        at_join += j.count_ones();
    }
    if let Some((id, b)) = barriers.iter().enumerate().find(|(_, b)| b.arrived > 0) {
        let total = cx.l.threads();
        let mut parts = vec![format!("{} exited", total - live)];
        if at_join > 0 {
            parts.push(format!("{at_join} wait to reconverge after a divergent branch"));
        }
        if at_bar > b.arrived {
            parts.push(format!("{} wait at other barriers", at_bar - b.arrived));
        }
        if at_coll > 0 {
            parts.push(format!("{at_coll} wait at warp collectives"));
        }
        return EmuError::Deadlock {
            kernel,
            block: cx.block,
            barrier: id as u32,
            arrived: b.arrived,
            expected: b.count.unwrap_or(live),
            detail: format!("of the block's {total} threads: {}", parts.join(", ")),
        };
    }
    for w in warps {
        if let Some(message) = w.collective_wait(cx.l.kernel) {
            return EmuError::Collective { kernel, block: cx.block, warp: w.index, message };
        }
    }
    EmuError::Collective {
        kernel,
        block: cx.block,
        warp: 0,
        message: format!("no thread can make progress ({at_join} wait to reconverge)"),
    }
}
