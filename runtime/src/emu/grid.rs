//! Running the blocks of a grid in parallel: one host thread per available core, each taking the next block index
//! from a shared atomic counter (so uneven blocks balance themselves), each with its own [`BlockRunner`].
//!
//! The first failing block stops the launch: the other threads finish the block they are running and take no new
//! one. The error reported is that of the lowest-numbered block that failed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use super::block::{BlockRunner, Counters};
use super::context::Launch;
use super::error::{Dim3, EmuError};

/// Runs every block of `l` on up to `workers` host threads; returns the work counters.
pub(crate) fn run_grid(l: &Launch, workers: usize) -> Result<Counters, EmuError> {
    let g = l.nctaid;
    let total = g.x as u64 * g.y as u64 * g.z as u64;
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let failure: Mutex<Option<(u64, EmuError)>> = Mutex::new(None);
    let counters = Mutex::new(Counters::default());

    let work = || {
        let mut runner = BlockRunner::new();
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= total {
                break;
            }
            let gx = g.x as u64;
            let gy = g.y as u64;
            let block = Dim3 { x: (i % gx) as u32, y: ((i / gx) % gy) as u32, z: (i / (gx * gy)) as u32 };
            // A panic would be a bug in the emulator; report it as an error of this launch rather than tearing
            // down the host program.
            let r = catch_unwind(AssertUnwindSafe(|| runner.run(l, block, i))).unwrap_or_else(|p| {
                let what = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".into());
                // The runner's state is unknown after a panic: start from a fresh one.
                runner = BlockRunner::new();
                Err(EmuError::InvalidModule {
                    kernel: l.kernel.name.clone(),
                    message: format!("internal emulator error in block {block}: {what}"),
                })
            });
            if let Err(e) = r {
                stop.store(true, Ordering::Relaxed);
                let mut f = failure.lock().unwrap_or_else(|e| e.into_inner());
                if f.as_ref().is_none_or(|(j, _)| i < *j) {
                    *f = Some((i, e));
                }
                break;
            }
        }
        counters.lock().unwrap_or_else(|e| e.into_inner()).add(&runner.counters);
    };

    let threads = (workers.max(1) as u64).min(total) as usize;
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
    if let Some((_, e)) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(counters.into_inner().unwrap_or_else(|e| e.into_inner()))
}
