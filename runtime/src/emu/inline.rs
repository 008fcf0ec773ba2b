//! Device-function calls, inlined into the kernel at decode time.
//!
//! The interpreter has no call stack: every `call` is replaced by the callee's body, with fresh registers for the
//! callee's, `mov`s of the arguments into its parameter registers, and at each of its `ret`s `mov`s of its result
//! registers into the call's and a jump to the instructions after the call. Reconvergence then needs nothing
//! special (the post-dominator analysis sees one flat CFG), and a call costs nothing at run time. Recursion cannot
//! be inlined and is reported as unsupported, as is a kernel that grows past [`MAX_INSTS`] instructions.

use std::collections::HashMap;
use std::rc::Rc;

use ptx_gen::{
    Block, BlockData, FuncId, FuncKind, Function, InstData, InstKind, Module, Operand, Reg, SrcLoc, Terminator,
};

use super::error::EmuError;

/// The most instructions a kernel may have after inlining.
pub(crate) const MAX_INSTS: usize = 1 << 20;

/// `module.functions[root]` with every call inlined (transitively).
pub(crate) fn inline_calls(module: &Module, root: FuncId) -> Result<Function, EmuError> {
    let Some(root_fn) = module.functions.get(root) else {
        return Err(EmuError::InvalidModule {
            kernel: String::new(),
            message: format!("function {root} does not exist"),
        });
    };
    let mut f = root_fn.clone();
    let name = f.name.clone();
    let invalid = |message: String| EmuError::InvalidModule { kernel: name.clone(), message };
    // The chain of functions each inlined block came from, to detect recursion.
    let mut chains: HashMap<Block, Rc<Vec<FuncId>>> = HashMap::new();
    let root_chain = Rc::new(vec![root]);
    let mut work: Vec<Block> = f.layout.clone();
    let mut total = f.insts.len();
    while let Some(b) = work.pop() {
        let Some(bd) = f.blocks.get(b) else { continue };
        let call = bd.insts.iter().enumerate().find_map(|(k, &i)| match f.insts.get(i).map(|d| &d.kind) {
            Some(InstKind::Call { func, rets, args }) => Some((k, *func, rets.clone(), args.clone())),
            _ => None,
        });
        let Some((k, callee_id, rets, args)) = call else {
            continue;
        };
        let Some(callee) = module.functions.get(callee_id) else {
            return Err(invalid(format!("{b} calls function {callee_id}, which does not exist")));
        };
        if callee.kind == FuncKind::Kernel {
            return Err(invalid(format!(
                "{b} calls the kernel `{}` (only device functions can be called)",
                callee.name
            )));
        }
        let chain = chains.get(&b).cloned().unwrap_or_else(|| Rc::clone(&root_chain));
        if chain.contains(&callee_id) {
            return Err(EmuError::Unsupported {
                kernel: name.clone(),
                instruction: format!("call.uni {}", callee.name),
                detail: "a recursive call: the emulator inlines device functions".into(),
            });
        }
        total += callee.insts.len() + callee.params.len() + callee.returns.len() + 1;
        if total > MAX_INSTS {
            return Err(EmuError::Unsupported {
                kernel: name.clone(),
                instruction: format!("call.uni {}", callee.name),
                detail: format!("more than {MAX_INSTS} instructions after inlining device functions"),
            });
        }
        if args.len() != callee.params.len() || rets.len() != callee.returns.len() {
            return Err(invalid(format!(
                "a call of `{}` passes {} arguments and takes {} results; it has {} parameters and {} results",
                callee.name,
                args.len(),
                rets.len(),
                callee.params.len(),
                callee.returns.len()
            )));
        }
        let Some(callee_entry) = callee.entry() else {
            return Err(invalid(format!("the called function `{}` has no blocks", callee.name)));
        };

        // Fresh registers and blocks for the callee.
        let reg_map: Vec<Reg> = callee.regs.values().map(|rd| f.new_reg(rd.ty)).collect();
        let block_map: Vec<Block> = callee.blocks.keys().map(|_| f.blocks.push(BlockData::default())).collect();
        let map_reg = |r: Reg| -> Result<Reg, EmuError> {
            reg_map.get(r.0 as usize).copied().ok_or_else(|| EmuError::InvalidModule {
                kernel: callee.name.clone(),
                message: format!("register {r} does not exist"),
            })
        };
        let map_block = |t: Block| -> Result<Block, EmuError> {
            block_map.get(t.0 as usize).copied().ok_or_else(|| EmuError::InvalidModule {
                kernel: callee.name.clone(),
                message: format!("{t} does not exist"),
            })
        };

        // Split the calling block: [before, param movs] -> callee -> [after].
        let (after_insts, term, term_loc, call_inst, mut before) = {
            let bd = &f.blocks[b];
            (bd.insts[k + 1..].to_vec(), bd.term.clone(), bd.term_loc, bd.insts[k], bd.insts[..k].to_vec())
        };
        let after = f.blocks.push(BlockData { insts: after_insts, term, term_loc });
        let call_loc = f.insts.get(call_inst).map_or(SrcLoc::NONE, |d| d.loc);
        for (p, arg) in callee.params.iter().zip(&args) {
            let Some(preg) = p.reg else {
                return Err(EmuError::InvalidModule {
                    kernel: callee.name.clone(),
                    message: format!("parameter `{}` has no register", p.name),
                });
            };
            let kind = InstKind::Mov { ty: p.ty, dst: map_reg(preg)?, src: *arg };
            before.push(f.insts.push(InstData { kind, loc: call_loc }));
        }
        let entry = map_block(callee_entry)?;
        let data = &mut f.blocks[b];
        data.insts = before;
        data.term = Some(Terminator::Jump(entry));

        // Copy the callee's blocks.
        for (cb, cbd) in callee.blocks.iter() {
            let mut insts = Vec::with_capacity(cbd.insts.len() + rets.len());
            for &i in &cbd.insts {
                let Some(src) = callee.insts.get(i) else {
                    return Err(EmuError::InvalidModule {
                        kernel: callee.name.clone(),
                        message: format!("{i} does not exist"),
                    });
                };
                let mut kind = src.kind.clone();
                let mut bad = None;
                kind.for_each_reg_mut(|r, _| match reg_map.get(r.0 as usize) {
                    Some(&n) => *r = n,
                    None => bad = Some(*r),
                });
                if let Some(r) = bad {
                    return Err(EmuError::InvalidModule {
                        kernel: callee.name.clone(),
                        message: format!("{i} uses register {r}, which does not exist"),
                    });
                }
                insts.push(f.insts.push(InstData { kind, loc: src.loc }));
            }
            let term = match &cbd.term {
                None => None,
                Some(Terminator::Jump(t)) => Some(Terminator::Jump(map_block(*t)?)),
                Some(Terminator::Branch { cond, negate, then_dest, else_dest }) => Some(Terminator::Branch {
                    cond: map_reg(*cond)?,
                    negate: *negate,
                    then_dest: map_block(*then_dest)?,
                    else_dest: map_block(*else_dest)?,
                }),
                Some(Terminator::Trap) => Some(Terminator::Trap),
                Some(Terminator::Return) => {
                    for (&dst, &r) in rets.iter().zip(&callee.returns) {
                        let ty = callee.reg_type(r).ok_or_else(|| EmuError::InvalidModule {
                            kernel: callee.name.clone(),
                            message: format!("result register {r} does not exist"),
                        })?;
                        let kind = InstKind::Mov { ty, dst, src: Operand::Reg(map_reg(r)?) };
                        insts.push(f.insts.push(InstData { kind, loc: cbd.term_loc }));
                    }
                    Some(Terminator::Jump(after))
                }
            };
            let nb = map_block(cb)?;
            f.blocks[nb] = BlockData { insts, term, term_loc: cbd.term_loc };
        }

        // Lay the callee out right after the calling block, then the rest of the calling block.
        let pos = f.layout.iter().position(|&x| x == b).map_or(f.layout.len(), |p| p + 1);
        let mut inserted = Vec::with_capacity(callee.layout.len() + 1);
        for &cb in &callee.layout {
            inserted.push(map_block(cb)?);
        }
        inserted.push(after);
        f.layout.splice(pos..pos, inserted.iter().copied());

        let mut inner = (*chain).clone();
        inner.push(callee_id);
        let inner = Rc::new(inner);
        for &nb in &inserted[..inserted.len() - 1] {
            chains.insert(nb, Rc::clone(&inner));
        }
        chains.insert(after, chain);
        work.extend(inserted);
    }
    Ok(f)
}
