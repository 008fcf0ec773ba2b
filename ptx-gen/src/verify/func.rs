//! Function-level checks: the signature, the layout, blocks and terminators, then every instruction, then definite
//! assignment.

use super::inst::{reg_compatible, InstChecker};
use super::{assign, is_ptx_identifier, VerifyError};
use crate::cfg::ControlFlowGraph;
use crate::display::{inst_kind_display, term_display};
use crate::entity::EntityRef;
use crate::inst::{Block, Terminator};
use crate::ir::{FuncKind, Function, KernelAttrs, Module};
use crate::types::Type;

/// Appends every problem of `func` to `errs`.
pub(crate) fn check(func: &Function, module: Option<&Module>, errs: &mut Vec<VerifyError>) {
    let start = errs.len();
    let fail = |errs: &mut Vec<VerifyError>, reason: String| {
        errs.push(VerifyError::Function { func: func.name.clone(), reason });
    };

    signature(func, errs);

    // The layout: non-empty, existing blocks, no duplicates.
    if func.layout.is_empty() {
        fail(errs, "the layout is empty (a function needs at least an entry block)".into());
    }
    let mut in_layout = vec![false; func.blocks.len()];
    for &b in &func.layout {
        match in_layout.get_mut(b.index()) {
            None => fail(errs, format!("the layout lists {b}, which does not exist ({} blocks)", func.blocks.len())),
            Some(seen) if *seen => fail(errs, format!("the layout lists {b} twice")),
            Some(seen) => *seen = true,
        }
    }

    // Blocks: a terminator whose targets are laid-out blocks; instructions that exist and appear once.
    let mut owner: Vec<Option<Block>> = vec![None; func.insts.len()];
    let checker = InstChecker { func, module };
    let mut visited = vec![false; func.blocks.len()];
    for &b in &func.layout {
        let Some(data) = func.blocks.get(b) else { continue };
        if std::mem::replace(&mut visited[b.index()], true) {
            continue;
        }
        let block_err = |errs: &mut Vec<VerifyError>, reason: String| {
            errs.push(VerifyError::Block { func: func.name.clone(), block: b, reason });
        };
        for &inst in &data.insts {
            match owner.get_mut(inst.index()) {
                None => {
                    block_err(errs, format!("lists {inst}, which does not exist ({} instructions)", func.insts.len()));
                    continue;
                }
                Some(Some(other)) => {
                    block_err(errs, format!("lists {inst}, which {other} already lists"));
                    continue;
                }
                Some(o) => *o = Some(b),
            }
            let idata = &func.insts[inst];
            if let Err(reason) = checker.check(&idata.kind) {
                errs.push(VerifyError::Inst {
                    func: func.name.clone(),
                    inst,
                    text: inst_kind_display(func, &idata.kind),
                    loc: idata.loc,
                    reason,
                });
            }
        }
        let Some(term) = &data.term else {
            block_err(errs, "has no terminator".into());
            continue;
        };
        let term_err = |errs: &mut Vec<VerifyError>, reason: String| {
            errs.push(VerifyError::Terminator {
                func: func.name.clone(),
                block: b,
                text: term_display(term),
                loc: data.term_loc,
                reason,
            });
        };
        for s in term.successors() {
            match in_layout.get(s.index()) {
                None => term_err(errs, format!("branches to {s}, which does not exist ({} blocks)", func.blocks.len())),
                Some(false) => term_err(errs, format!("branches to {s}, which is not in the layout")),
                Some(true) => {}
            }
        }
        if let Terminator::Branch { cond, .. } = term {
            match func.reg_type(*cond) {
                None => term_err(errs, format!("{cond} does not exist ({} registers)", func.regs.len())),
                Some(Type::Pred) => {}
                Some(t) => term_err(errs, format!("the branch condition {cond} is a {t} register, not a predicate")),
            }
        }
    }

    // Definite assignment only on an otherwise sound function: on a broken one it would mostly echo the errors above.
    if errs.len() == start {
        let cfg = ControlFlowGraph::new(func);
        assign::check(func, &cfg, errs);
    }
}

fn signature(func: &Function, errs: &mut Vec<VerifyError>) {
    let mut fail = |reason: String| errs.push(VerifyError::Function { func: func.name.clone(), reason });
    if !is_ptx_identifier(&func.name) {
        fail(format!("`{}` is not a valid PTX identifier", func.name));
    }
    match func.kind {
        FuncKind::Kernel => {
            if !func.returns.is_empty() {
                fail("kernels return nothing; device functions have results".into());
            }
            for (i, p) in func.params.iter().enumerate() {
                if let Some(r) = p.reg {
                    fail(format!(
                        "kernel parameter {i} (`{}`) is bound to {r}; kernels read parameters with ld.param",
                        p.name
                    ));
                }
                if p.ty == Type::Pred {
                    fail(format!("kernel parameter {i} (`{}`) is a predicate; pass it as an integer", p.name));
                }
            }
            attrs(&func.attrs, &mut fail);
        }
        FuncKind::Device => {
            if func.attrs != KernelAttrs::default() {
                fail(
                    "performance directives (.maxntid, .reqntid, .minnctapersm, .maxnreg) are for kernels only".into(),
                );
            }
            let mut bound = vec![false; func.regs.len()];
            let mut bind = |r: crate::inst::Reg, what: String, fail: &mut dyn FnMut(String)| match bound
                .get_mut(r.index())
            {
                None => fail(format!("{what} is bound to {r}, which does not exist ({} registers)", func.regs.len())),
                Some(b) if *b => fail(format!("{what} is bound to {r}, which is already a parameter or result")),
                Some(b) => *b = true,
            };
            for (i, p) in func.params.iter().enumerate() {
                let what = format!("parameter {i} (`{}`)", p.name);
                let Some(r) = p.reg else {
                    fail(format!("{what} has no register; device parameters are registers"));
                    continue;
                };
                bind(r, what.clone(), &mut fail);
                if let Some(rt) = func.reg_type(r) {
                    if !(reg_compatible(p.ty, rt) && rt.reg_class() == p.ty.reg_class()) {
                        fail(format!("{what} has type .{} but its register {r} is {rt}", p.ty));
                    }
                }
            }
            for (i, &r) in func.returns.iter().enumerate() {
                bind(r, format!("result {i}"), &mut fail);
            }
        }
    }
}

fn attrs(a: &KernelAttrs, fail: &mut dyn FnMut(String)) {
    let positive = |v: Option<u32>, name: &str, fail: &mut dyn FnMut(String)| {
        if v == Some(0) {
            fail(format!("`.{name}` must be positive"));
        }
    };
    positive(a.max_threads, "maxntid", fail);
    positive(a.min_blocks_per_sm, "minnctapersm", fail);
    positive(a.max_registers, "maxnreg", fail);
    if let Some((x, y, z)) = a.required_threads {
        let total = x as u64 * y as u64 * z as u64;
        if total == 0 || total > 1024 {
            fail(format!("`.reqntid {x}, {y}, {z}` asks for {total} threads (1..=1024)"));
        }
    }
    if let Some(n) = a.max_threads {
        if n > 1024 {
            fail(format!("`.maxntid {n}` exceeds 1024 threads per block"));
        }
    }
}
