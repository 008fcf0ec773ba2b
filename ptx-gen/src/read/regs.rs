//! Register names: `.reg` declarations, their `{ … }` scopes, and lookup of a name to its IR register.
//!
//! A range `.reg .b32 %r<5>;` declares `%r0` … `%r4`. The IR registers for `%r1` … `%r4` are created at the
//! declaration, in order, so that a module read from the writer's text has its registers in the writer's numbering
//! (the writer numbers each class from 1 in IR order and declares `<count + 1>`): reading and writing again gives
//! the same names. `%r0`, which the writer never uses, gets its register only when something names it, so that it
//! does not shift that numbering. A range is stored as one entry (prefix, count, first register), not one map entry
//! per name, so a large range costs one `RegData` byte per register and nothing more.

use std::collections::HashMap;

use crate::inst::Reg;
use crate::ir::Function;
use crate::types::Type;

/// The most registers one range declaration may declare (ptxas itself allocates far fewer; this bounds memory).
pub(crate) const MAX_RANGE: u32 = 1 << 20;
/// The most registers one function may declare (so that a short text cannot make the reader allocate gigabytes).
pub(crate) const MAX_FUNC_REGS: usize = 1 << 22;

/// One `%prefix<count>` declaration.
struct RegRange {
    ty: Type,
    count: u32,
    /// The IR index of `%prefix1`; `%prefixN` is `first + N - 1`.
    first: u32,
    /// `%prefix0`, created on first use.
    zero: Option<Reg>,
}

/// The names declared in one `{ … }` scope.
#[derive(Default)]
struct Scope<'a> {
    singles: HashMap<&'a str, Reg>,
    ranges: HashMap<&'a str, RegRange>,
}

/// The stack of register scopes of one function body.
pub(crate) struct RegScopes<'a> {
    scopes: Vec<Scope<'a>>,
}

impl<'a> RegScopes<'a> {
    /// One (outermost) scope, for the parameters and the body's top level.
    pub fn new() -> RegScopes<'a> {
        RegScopes { scopes: vec![Scope::default()] }
    }

    /// Enters a `{` block.
    pub fn push(&mut self) {
        self.scopes.push(Scope::default());
    }

    /// Leaves a `}` block (never the outermost scope).
    pub fn pop(&mut self) {
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    /// Declares the single register `name` of type `ty` in the innermost scope.
    pub fn declare(&mut self, func: &mut Function, name: &'a str, ty: Type) -> Result<Reg, String> {
        if self.lookup_in(self.scopes.len() - 1, func, name).is_some() {
            return Err(format!("register `{name}` is declared twice"));
        }
        let reg = func.new_reg(ty);
        self.innermost().singles.insert(name, reg);
        Ok(reg)
    }

    /// Declares `prefix0` … `prefix{count-1}` of type `ty` in the innermost scope.
    pub fn declare_range(&mut self, func: &mut Function, prefix: &'a str, count: u32, ty: Type) -> Result<(), String> {
        if count > MAX_RANGE {
            return Err(format!("register range `{prefix}<{count}>` is too large (at most {MAX_RANGE})"));
        }
        if func.regs.len() + count as usize > MAX_FUNC_REGS {
            return Err(format!("too many registers in one function (at most {MAX_FUNC_REGS})"));
        }
        if self.innermost().ranges.contains_key(prefix) {
            return Err(format!("register range `{prefix}<…>` is declared twice"));
        }
        let first = func.regs.len() as u32;
        for _ in 1..count {
            func.new_reg(ty);
        }
        self.innermost().ranges.insert(prefix, RegRange { ty, count, first, zero: None });
        Ok(())
    }

    /// The register called `name`, innermost scope first.
    pub fn lookup(&mut self, func: &mut Function, name: &str) -> Option<Reg> {
        (0..self.scopes.len()).rev().find_map(|i| self.lookup_in(i, func, name))
    }

    fn innermost(&mut self) -> &mut Scope<'a> {
        // `pop` never removes the outermost scope, so there is always one.
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    fn lookup_in(&mut self, scope: usize, func: &mut Function, name: &str) -> Option<Reg> {
        let s = &mut self.scopes[scope];
        if let Some(&r) = s.singles.get(name) {
            return Some(r);
        }
        if s.ranges.is_empty() {
            return None;
        }
        // `%rd12` is `%rd` number 12; a prefix may itself end in digits (`%x1<3>` declares `%x10`…), so try every
        // split of the trailing digits, longest prefix last, the usual case (`%r` + `12`) first.
        let digits_start = name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        for split in digits_start..name.len() {
            let (prefix, num) = name.split_at(split);
            if num.len() > 1 && num.starts_with('0') {
                continue;
            }
            let Some(range) = s.ranges.get_mut(prefix) else { continue };
            let Ok(n) = num.parse::<u32>() else { continue };
            if n >= range.count {
                continue;
            }
            if n == 0 {
                let ty = range.ty;
                return Some(*range.zero.get_or_insert_with(|| func.new_reg(ty)));
            }
            return Some(Reg(range.first + n - 1));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_number_from_one_and_zero_is_lazy() {
        let mut f = Function::kernel("k");
        let mut s = RegScopes::new();
        s.declare_range(&mut f, "%p", 3, Type::Pred).unwrap();
        s.declare_range(&mut f, "%r", 5, Type::B32).unwrap();
        assert_eq!(f.regs.len(), 6);
        assert_eq!(s.lookup(&mut f, "%p2"), Some(Reg(1)));
        assert_eq!(s.lookup(&mut f, "%r1"), Some(Reg(2)));
        assert_eq!(s.lookup(&mut f, "%r4"), Some(Reg(5)));
        assert_eq!(s.lookup(&mut f, "%r5"), None);
        assert_eq!(s.lookup(&mut f, "%r01"), None);
        assert_eq!(f.reg_type(Reg(5)), Some(Type::B32));
        let zero = s.lookup(&mut f, "%r0").unwrap();
        assert_eq!(zero, Reg(6));
        assert_eq!(s.lookup(&mut f, "%r0"), Some(zero));
        assert_eq!(s.lookup(&mut f, "%rd1"), None);
    }

    #[test]
    fn scopes_shadow_and_pop() {
        let mut f = Function::kernel("k");
        let mut s = RegScopes::new();
        let outer = s.declare(&mut f, "%x", Type::F32).unwrap();
        s.push();
        let inner = s.declare(&mut f, "%x", Type::B32).unwrap();
        assert_eq!(s.lookup(&mut f, "%x"), Some(inner));
        assert!(s.declare(&mut f, "%x", Type::B32).is_err());
        s.pop();
        assert_eq!(s.lookup(&mut f, "%x"), Some(outer));
        s.pop();
        assert_eq!(s.lookup(&mut f, "%x"), Some(outer));
    }

    #[test]
    fn prefix_ending_in_digit() {
        let mut f = Function::kernel("k");
        let mut s = RegScopes::new();
        s.declare_range(&mut f, "%x1", 3, Type::B32).unwrap();
        assert_eq!(s.lookup(&mut f, "%x12"), Some(Reg(1)));
        assert!(s.declare_range(&mut f, "%y", MAX_RANGE + 1, Type::B32).is_err());
        for i in 0..4 {
            s.declare_range(&mut f, ["%a", "%b", "%c", "%d"][i], MAX_RANGE, Type::B32).unwrap();
        }
        assert!(s.declare_range(&mut f, "%e", MAX_RANGE, Type::B32).unwrap_err().contains("too many registers"));
    }
}
