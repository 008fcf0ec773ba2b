//! IR the writer cannot write is an error naming the function (and instruction), never a panic or bad PTX.

mod kernels;

use ptx_gen::write::{write_module, WriteError};
use ptx_gen::*;

use kernels::util::*;

/// A kernel `k(u64)` whose body is `make`, ending in `ret`.
fn with_body(make: impl FnOnce(&mut FunctionBuilder)) -> Module {
    let mut f = kernel("k", &[Type::U64]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    make(&mut b);
    if !b.is_terminated() {
        b.ret();
    }
    b.finish().unwrap();
    module(vec![f])
}

/// The error, which must be `Invalid` for function `func`; returns (instruction, message).
fn invalid(m: &Module, func: &str) -> (Option<Inst>, String) {
    match write_module(m) {
        Err(e @ WriteError::Invalid { .. }) => {
            let WriteError::Invalid { func: f, inst, .. } = &e else { unreachable!() };
            assert_eq!(f, func, "{e}");
            (*inst, e.to_string())
        }
        other => panic!("expected an Invalid error for `{func}`, got {other:?}"),
    }
}

fn invalid_var(m: &Module, var: &str) -> String {
    match write_module(m) {
        Err(e @ WriteError::InvalidVar { .. }) => {
            assert!(matches!(&e, WriteError::InvalidVar { var: v, .. } if v == var), "{e}");
            e.to_string()
        }
        other => panic!("expected an InvalidVar error for `{var}`, got {other:?}"),
    }
}

#[test]
fn unknown_register_names_function_and_instruction() {
    let m = with_body(|b| {
        let x = b.ins().mov(Type::U32, Imm(1));
        b.ins().add(Type::U32, Mode::None, x, Reg(999));
    });
    let (inst, msg) = invalid(&m, "k");
    assert_eq!(inst, Some(Inst(1)));
    assert_eq!(msg, "cannot write `k` at inst1: register v999 does not exist");
}

#[test]
fn block_without_terminator() {
    let mut f = kernel("k", &[]);
    let mut b = FunctionBuilder::new(&mut f);
    let entry = b.create_block();
    b.switch_to_block(entry);
    b.ins().fence(FenceKind::Membar, Scope::Gpu);
    let m = module(vec![f]);
    let (inst, msg) = invalid(&m, "k");
    assert_eq!(inst, None);
    assert!(msg.ends_with("block0 has no terminator"), "{msg}");
}

#[test]
fn broken_layouts_and_branches() {
    // No blocks at all.
    let m = module(vec![kernel("k", &[])]);
    assert!(invalid(&m, "k").1.contains("has no blocks"));

    // A branch to a block left out of the layout, and to one that does not exist.
    let mut m = with_body(|b| {
        let dead = b.create_block();
        b.jump(dead);
        b.switch_to_block(dead);
        b.ret();
    });
    m.functions[FuncId(0)].layout.pop();
    assert!(invalid(&m, "k").1.contains("branches to block1, which is not in the layout"));
    m.functions[FuncId(0)].blocks[Block(0)].term = Some(Terminator::Jump(Block(7)));
    assert!(invalid(&m, "k").1.contains("branches to block7, which does not exist"));

    // Layouts naming a missing block or one block twice.
    let mut m = with_body(|_| {});
    m.functions[FuncId(0)].layout.push(Block(3));
    assert!(invalid(&m, "k").1.contains("the layout lists block3, which does not exist"));
    let mut m = with_body(|_| {});
    m.functions[FuncId(0)].layout.push(Block(0));
    assert!(invalid(&m, "k").1.contains("the layout lists block0 twice"));

    // A branch on a register that is not a predicate.
    let mut m = with_body(|b| {
        b.ins().mov(Type::U32, Imm(1));
    });
    let f = &mut m.functions[FuncId(0)];
    f.blocks[Block(0)].term =
        Some(Terminator::Branch { cond: Reg(0), negate: false, then_dest: Block(0), else_dest: Block(0) });
    assert!(invalid(&m, "k").1.contains("branch condition v0 is not a predicate register"));

    // A block listing an instruction that does not exist.
    let mut m = with_body(|_| {});
    m.functions[FuncId(0)].blocks[Block(0)].insts.push(Inst(42));
    assert_eq!(invalid(&m, "k").0, Some(Inst(42)));
}

/// A function body to build inside `with_body`.
type BodyFn = Box<dyn Fn(&mut FunctionBuilder)>;

#[test]
fn malformed_instructions() {
    let cases: Vec<(&str, BodyFn)> = vec![
        (
            "a 4-element access has 1 destinations",
            Box::new(|b| {
                let mut a = global(Type::F32);
                a.vec = VecWidth::V4;
                let p = global_param(b, 0);
                b.ins().ld(a, Address::reg(p));
            }),
        ),
        (
            "a 2-element access has 3 sources",
            Box::new(|b| {
                let mut a = global(Type::F32);
                a.vec = VecWidth::V2;
                let p = global_param(b, 0);
                b.ins().st_vec(a, Address::reg(p), vec![Operand::f32(1.0); 3]);
            }),
        ),
        ("bar.arrive needs a thread count", Box::new(|b| b.ins().bar(BarOp::Arrive, Imm(1), None))),
        (
            "needs a result register (PTX has no red.exch)",
            Box::new(|b| {
                let p = global_param(b, 0);
                b.ins().red(AtomOp::Exch, StateSpace::Global, Type::B32, Address::reg(p), Imm(1));
            }),
        ),
        (
            "an expected value is given exactly for `cas`",
            Box::new(|b| {
                let p = global_param(b, 0);
                b.ins().atom(
                    AtomOp::Cas,
                    StateSpace::Global,
                    MemOrder::Weak,
                    None,
                    Type::B32,
                    Address::reg(p),
                    Imm(1),
                    None,
                );
            }),
        ),
        (
            "atomics have no .volatile form",
            Box::new(|b| {
                let p = global_param(b, 0);
                b.ins().atom(
                    AtomOp::Add,
                    StateSpace::Global,
                    MemOrder::Volatile,
                    None,
                    Type::U32,
                    Address::reg(p),
                    Imm(1),
                    None,
                );
            }),
        ),
        (
            "scope .sys disagrees with the ordering's scope .cta",
            Box::new(|b| {
                let p = global_param(b, 0);
                let o = MemOrder::Relaxed(Scope::Cta);
                b.ins().atom(
                    AtomOp::Add,
                    StateSpace::Global,
                    o,
                    Some(Scope::Sys),
                    Type::U32,
                    Address::reg(p),
                    Imm(1),
                    None,
                );
            }),
        ),
        (
            "a load cannot have release semantics",
            Box::new(|b| {
                let p = global_param(b, 0);
                let mut a = global(Type::U32);
                a.order = MemOrder::Release(Scope::Gpu);
                b.ins().ld(a, Address::reg(p));
            }),
        ),
        (
            "a store cannot have acquire semantics",
            Box::new(|b| {
                let p = global_param(b, 0);
                let mut a = global(Type::U32);
                a.order = MemOrder::Acquire(Scope::Gpu);
                b.ins().st(a, Address::reg(p), Imm(0));
            }),
        ),
        (
            "`.nc` applies to loads only",
            Box::new(|b| {
                let p = global_param(b, 0);
                let mut a = global(Type::U32);
                a.nc = true;
                b.ins().st(a, Address::reg(p), Imm(0));
            }),
        ),
        (
            "`.nc` loads read .global memory only",
            Box::new(|b| {
                let p = global_param(b, 0);
                let mut a = access(StateSpace::Shared, Type::U32);
                a.nc = true;
                b.ins().ld(a, Address::reg(p));
            }),
        ),
        (
            "cvta needs a state space other than generic",
            Box::new(|b| {
                let p = global_param(b, 0);
                b.ins().cvta(true, StateSpace::Generic, p);
            }),
        ),
        (
            "parameter 5 does not exist (1 parameters)",
            Box::new(|b| {
                let d = b.new_reg(Type::U32);
                b.push(InstKind::Ld {
                    access: access(StateSpace::Param, Type::U32),
                    dsts: vec![d],
                    addr: Address::param(5),
                });
            }),
        ),
        (
            "kernel parameter 0 is addressed in .global, not .param",
            Box::new(|b| {
                b.ins().ld(global(Type::U32), Address::param(0));
            }),
        ),
        (
            "module variable var3 does not exist",
            Box::new(|b| {
                b.ins().addr_of(Var(3));
            }),
        ),
        (
            "inline asm refers to operand {2} but has 1 outputs and 1 inputs",
            Box::new(|b| {
                let r = b.new_reg(Type::U32);
                b.ins().asm("add.u32 {0}, {1}, {2};", vec![r], vec![Imm(1).into()]);
            }),
        ),
        (
            "calls fn9, which does not exist",
            Box::new(|b| {
                b.ins().call(FuncId(9), &[], vec![]);
            }),
        ),
        (
            "calls kernel `k`; only device functions can be called",
            Box::new(|b| {
                b.ins().call(FuncId(0), &[], vec![]);
            }),
        ),
    ];
    for (want, make) in cases {
        let m = with_body(|b| make(b));
        let (inst, msg) = invalid(&m, "k");
        assert!(inst.is_some(), "{want}: {msg}");
        assert!(msg.contains(want), "expected `{want}` in `{msg}`");
    }
}

#[test]
fn calls_are_checked_against_the_callee() {
    let helper = || {
        let mut f = Function::device("helper");
        f.add_param("x", Type::U32);
        f.add_return(Type::U32);
        let mut b = FunctionBuilder::new(&mut f);
        let e = b.create_block();
        b.switch_to_block(e);
        b.ret();
        b.finish().unwrap();
        f
    };
    let caller = |args: Vec<Operand>, rets: &[Type]| {
        let mut f = kernel("k", &[]);
        let mut b = FunctionBuilder::new(&mut f);
        let e = b.create_block();
        b.switch_to_block(e);
        b.ins().call(FuncId(0), rets, args);
        b.ret();
        b.finish().unwrap();
        f
    };
    let m = module(vec![helper(), caller(vec![Imm(1).into(), Imm(2).into()], &[Type::U32])]);
    assert!(invalid(&m, "k").1.contains("calls `helper` with 1 results and 2 arguments; it has 1 and 1"));
    // Callee defined after the caller: PTX needs declarations first.
    let mut m = module(vec![caller(vec![Imm(1).into()], &[Type::U32]), helper()]);
    m.functions[FuncId(0)].insts[Inst(0)].kind =
        InstKind::Call { func: FuncId(1), rets: vec![Reg(0)], args: vec![Imm(1).into()] };
    assert!(invalid(&m, "k").1.contains("defined after the caller"));
    assert!(write_module(&module(vec![helper(), caller(vec![Imm(1).into()], &[Type::U32])])).is_ok());
}

#[test]
fn device_function_signatures() {
    let device = |ty: Type| {
        let mut f = Function::device("d");
        f.add_param("p", ty);
        let mut b = FunctionBuilder::new(&mut f);
        let e = b.create_block();
        b.switch_to_block(e);
        b.ret();
        b.finish().unwrap();
        module(vec![f])
    };
    assert!(invalid(&device(Type::Pred), "d").1.contains("a device-function parameter of type pred is not supported"));
    assert!(invalid(&device(Type::U16), "d").1.contains("of type u16"));
    assert!(write_module(&device(Type::F64)).is_ok());

    let mut m = device(Type::U32);
    m.functions[FuncId(0)].params[0].reg = None;
    assert!(invalid(&m, "d").1.contains("device-function parameter 0 has no register"));
    let mut m = device(Type::U32);
    let r = m.functions[FuncId(0)].params[0].reg.unwrap();
    m.functions[FuncId(0)].returns.push(r);
    assert!(invalid(&m, "d").1.contains("bound to two parameters/results"));
    let mut m = device(Type::U32);
    m.functions[FuncId(0)].attrs.max_registers = Some(32);
    assert!(invalid(&m, "d").1.contains("apply to kernels only"));
    // A device function has no .param space to address.
    let mut m = device(Type::U32);
    let f = &mut m.functions[FuncId(0)];
    let dst = f.new_reg(Type::U32);
    let i = f.insts.push(InstData {
        kind: InstKind::Ld {
            access: MemAccess::new(StateSpace::Param, Type::U32),
            dsts: vec![dst],
            addr: Address::param(0),
        },
        loc: SrcLoc(7),
    });
    f.blocks[Block(0)].insts.push(i);
    let err = write_module(&m).unwrap_err();
    assert!(matches!(&err, WriteError::Invalid { loc: SrcLoc(7), inst: Some(_), .. }), "{err:?}");
    assert!(err.to_string().contains("device functions have no .param parameters"));
}

#[test]
fn kernel_directives() {
    let mut m = with_body(|_| {});
    let attrs = &mut m.functions[FuncId(0)].attrs;
    attrs.max_threads = Some(128);
    attrs.required_threads = Some((128, 1, 1));
    assert!(invalid(&m, "k").1.contains(".maxntid together with .reqntid"));
    let mut m = with_body(|_| {});
    m.functions[FuncId(0)].attrs.min_blocks_per_sm = Some(0);
    assert!(invalid(&m, "k").1.contains("at least 1"));
    let mut m = with_body(|_| {});
    m.functions[FuncId(0)].params.push(Param { name: "flag".into(), ty: Type::Pred, reg: None });
    assert!(invalid(&m, "k").1.contains("kernel parameter 1 is a predicate"));
}

#[test]
fn names() {
    let mut m = with_body(|_| {});
    m.functions[FuncId(0)].name = "1k".into();
    assert!(invalid(&m, "1k").1.contains("not a PTX identifier"));
    let mut m = module(vec![kernel("k", &[]), kernel("k", &[])]);
    for f in m.functions.iter_mut().map(|(_, f)| f) {
        let mut b = FunctionBuilder::new(f);
        let e = b.create_block();
        b.switch_to_block(e);
        b.ret();
    }
    assert!(invalid(&m, "k").1.contains("already used"));
}

fn var(name: &str, space: StateSpace, ty: Type, len: Option<u64>, align: u32, init: Vec<u64>) -> VarData {
    VarData { name: name.into(), space, ty, len, align, init }
}

#[test]
fn module_variables() {
    let cases = [
        (var("a b", StateSpace::Global, Type::U32, None, 4, vec![]), "not a PTX identifier"),
        (var("v", StateSpace::Local, Type::U32, None, 4, vec![]), "not .local"),
        (var("v", StateSpace::Global, Type::Pred, None, 4, vec![]), "predicates cannot be stored"),
        (var("v", StateSpace::Global, Type::U32, None, 3, vec![]), "alignment 3 is not a power of two"),
        (var("v", StateSpace::Global, Type::U32, Some(0), 4, vec![]), "only .shared variables can be unsized"),
        (var("v", StateSpace::Shared, Type::U32, Some(4), 4, vec![1]), ".shared variables cannot be initialised"),
        (var("v", StateSpace::Const, Type::U32, Some(2), 4, vec![1, 2, 3]), "3 initial values for 2 elements"),
        (var("k_param_0", StateSpace::Global, Type::U32, None, 4, vec![]), "a parameter name of kernel `k`"),
    ];
    for (data, want) in cases {
        let mut m = with_body(|_| {});
        let name = data.name.clone();
        m.add_var(data);
        let msg = invalid_var(&m, &name);
        assert!(msg.contains(want), "expected `{want}` in `{msg}`");
    }
    let mut m = with_body(|_| {});
    m.add_var(var("v", StateSpace::Global, Type::U32, None, 4, vec![]));
    m.add_var(var("v", StateSpace::Const, Type::U32, None, 4, vec![]));
    assert!(invalid_var(&m, "v").contains("used twice"));
    // `k_param_1` does not shadow anything: k has one parameter.
    let mut m = with_body(|_| {});
    m.add_var(var("k_param_1", StateSpace::Global, Type::U32, None, 4, vec![]));
    assert!(write_module(&m).is_ok());
}
