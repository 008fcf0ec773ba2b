//! Helpers shared by the hand-built kernels.

use ptx_gen::*;

/// A module of `funcs`, in order (callees first), with the target left to the writer.
pub fn module(funcs: Vec<Function>) -> Module {
    let mut m = Module::new();
    for f in funcs {
        m.add_function(f);
    }
    m
}

/// A kernel with one parameter per type in `params`.
pub fn kernel(name: &str, params: &[Type]) -> Function {
    let mut f = Function::kernel(name);
    for (i, &ty) in params.iter().enumerate() {
        f.add_param(format!("p{i}"), ty);
    }
    f
}

/// Loads pointer parameter `index` and converts it to a global address.
pub fn global_param(b: &mut FunctionBuilder, index: u32) -> Reg {
    let p = b.ins().ld_param(Type::U64, index);
    b.ins().cvta_to_global(p)
}

/// A global access of `ty`.
pub fn global(ty: Type) -> MemAccess {
    MemAccess::new(StateSpace::Global, ty)
}

/// An access of `ty` in `space`.
pub fn access(space: StateSpace, ty: Type) -> MemAccess {
    MemAccess::new(space, ty)
}

/// Stores results 8 bytes apart into a global buffer, so that every instruction under test is observable.
pub struct Sink {
    base: Reg,
    next: i64,
}

impl Sink {
    /// A sink writing at `base` (a global address).
    pub fn new(base: Reg) -> Sink {
        Sink { base, next: 0 }
    }

    /// Stores `v` as a `ty`.
    pub fn put(&mut self, b: &mut FunctionBuilder, ty: Type, v: impl Into<Operand>) {
        b.ins().st(global(ty), Address::reg_offset(self.base, self.next), v);
        self.next += 8;
    }

    /// Stores the register `r` with its own type.
    pub fn reg(&mut self, b: &mut FunctionBuilder, r: Reg) {
        let ty = b.reg_type(r);
        if ty == Type::Pred {
            let v = b.ins().selp(Type::U32, Operand::u32(1), Operand::u32(0), r);
            self.put(b, Type::U32, v);
        } else {
            self.put(b, ty, r);
        }
    }

    /// Stores every register of `regs`.
    pub fn regs(&mut self, b: &mut FunctionBuilder, regs: &[Reg]) {
        for &r in regs {
            self.reg(b, r);
        }
    }
}
