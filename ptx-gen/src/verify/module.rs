//! Module-level checks: names, variables, and the call graph (callees exist, are declared before their callers,
//! and nothing recurses).

use std::collections::HashMap;

use super::{is_ptx_identifier, VerifyError};
use crate::display::var_display;
use crate::entity::EntityRef;
use crate::inst::{FuncId, InstKind};
use crate::ir::{Function, Module};
use crate::types::{StateSpace, Type};

/// Appends every module-level problem to `errs`.
pub(crate) fn check(module: &Module, errs: &mut Vec<VerifyError>) {
    let mut fail = |reason: String| errs.push(VerifyError::Module { reason });

    let mut names: HashMap<&str, String> = HashMap::new();
    for (v, data) in module.vars.iter() {
        let what = format!("{v} (`{}`)", var_display(data));
        if !is_ptx_identifier(&data.name) {
            fail(format!("{what}: `{}` is not a valid PTX identifier", data.name));
        }
        if let Some(prev) = names.insert(&data.name, format!("{v}")) {
            fail(format!("{what}: the name `{}` is already used by {prev}", data.name));
        }
        if !matches!(data.space, StateSpace::Global | StateSpace::Shared | StateSpace::Const) {
            fail(format!("{what}: module variables live in .global, .shared or .const space"));
        }
        if data.ty == Type::Pred {
            fail(format!("{what}: variables cannot be predicates"));
        }
        if !data.align.is_power_of_two() || data.align < data.ty.size() {
            fail(format!(
                "{what}: alignment {} is not a power of two at least the element size {}",
                data.align,
                data.ty.size()
            ));
        }
        if data.len == Some(0) && data.space != StateSpace::Shared {
            fail(format!("{what}: only .shared variables can be unsized (dynamic shared memory)"));
        }
        if !data.init.is_empty() {
            if !matches!(data.space, StateSpace::Global | StateSpace::Const) {
                fail(format!("{what}: only .global and .const variables can have initial values"));
            }
            // Fewer values than elements is PTX's partial initialiser: the rest are zero.
            let count = data.len.unwrap_or(1);
            if data.init.len() as u64 > count {
                fail(format!("{what}: {} initial values for {count} elements", data.init.len()));
            }
            if let Some(&v) = data.init.iter().find(|&&v| crate::inst::truncate(v, data.ty.bits()) != v) {
                fail(format!("{what}: initial value 0x{v:X} does not fit .{}", data.ty));
            }
        }
    }
    for (id, f) in module.functions.iter() {
        if let Some(prev) = names.insert(&f.name, format!("{id}")) {
            fail(format!("{id} (`{}`): the name is already used by {prev}", f.name));
        }
    }

    call_graph(module, &mut fail);
}

fn callees(f: &Function) -> impl Iterator<Item = FuncId> + '_ {
    f.layout.iter().filter_map(|&b| f.blocks.get(b)).flat_map(|b| b.insts.iter()).filter_map(|&i| {
        match f.insts.get(i).map(|d| &d.kind) {
            Some(InstKind::Call { func, .. }) => Some(*func),
            _ => None,
        }
    })
}

fn call_graph(module: &Module, fail: &mut dyn FnMut(String)) {
    let n = module.functions.len();
    let edges: Vec<Vec<FuncId>> = module
        .functions
        .values()
        .map(|f| {
            let mut c: Vec<FuncId> = callees(f).filter(|c| c.index() < n).collect();
            c.sort();
            c.dedup();
            c
        })
        .collect();

    // Recursion: an iterative depth-first search with colours (0 new, 1 on the stack, 2 done).
    let mut colour = vec![0u8; n];
    let mut reported = false;
    for root in 0..n {
        if colour[root] != 0 || reported {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        colour[root] = 1;
        while let Some(&mut (f, ref mut next)) = stack.last_mut() {
            if let Some(&c) = edges[f].get(*next) {
                *next += 1;
                match colour[c.index()] {
                    0 => {
                        colour[c.index()] = 1;
                        stack.push((c.index(), 0));
                    }
                    1 => {
                        let start = stack.iter().position(|&(g, _)| g == c.index()).unwrap_or(0);
                        let cycle: Vec<String> = stack[start..]
                            .iter()
                            .map(|&(g, _)| module.functions[FuncId::new(g)].name.clone())
                            .chain(std::iter::once(module.functions[c].name.clone()))
                            .map(|s| format!("`{s}`"))
                            .collect();
                        fail(format!("recursion is not supported: {}", cycle.join(" calls ")));
                        reported = true;
                        break;
                    }
                    _ => {}
                }
            } else {
                colour[f] = 2;
                stack.pop();
            }
        }
    }
    if reported {
        return;
    }
    // PTX needs a function declared before its first call, and the writer emits in module order.
    for (id, f) in module.functions.iter() {
        for c in &edges[id.index()] {
            if c.index() > id.index() {
                fail(format!(
                    "`{}` calls `{}`, which comes later in the module (add device functions before their callers)",
                    f.name, module.functions[*c].name
                ));
            }
        }
    }
}
