//! Variable declarations: module-level ones, and function-scope ones, which the reader hoists to module variables
//! (nvcc declares a kernel's `__shared__` arrays inside its body, as "demoted variables").

use std::collections::HashMap;

use super::cursor::Cursor;
use super::lexer::{Tok, Token};
use super::ReadError;
use crate::entity::EntityVec;
use crate::inst::Var;
use crate::ir::VarData;
use crate::types::{StateSpace, Type};

/// The most elements an initializer may list (bounds memory on hostile input; real tables are far smaller).
const MAX_INIT: usize = 1 << 24;

/// Linkage directives in front of an item.
#[derive(Default, Clone, Copy)]
pub(crate) struct Linkage {
    pub is_extern: bool,
    /// Where the linkage started (for errors about the whole item).
    pub first: Option<Token>,
}

/// Reads `{.extern} .global|.shared|.const {.align N} .ty name{[N]…}{ = init};` (the cursor on the state space;
/// linkage already read) and adds the variable to `vars` under its name.
pub(crate) fn read_variable<'a>(
    p: &mut Cursor<'a>,
    linkage: Linkage,
    vars: &mut EntityVec<Var, VarData>,
    names: &mut HashMap<&'a str, Var>,
) -> Result<Var, ReadError> {
    let space_tok = p.bump();
    let space = match p.text(space_tok) {
        ".global" => StateSpace::Global,
        ".shared" => StateSpace::Shared,
        _ => StateSpace::Const,
    };
    let mut align = None;
    let ty = loop {
        let t = p.peek();
        let text = p.text(t);
        if t.kind != Tok::Dot {
            return Err(p.expected("the variable's type such as `.u32`"));
        }
        p.bump();
        match text {
            ".align" => align = Some(alignment(p)?),
            ".v2" | ".v4" | ".v8" => return Err(p.err(t, "vector variables are not supported")),
            _ => match Type::from_name(&text[1..]) {
                Some(ty) => break ty,
                None => return Err(p.err(t, format!("unsupported variable attribute `{text}`"))),
            },
        }
    };
    let (name_tok, name) = p.expect_ident("a variable name")?;
    // Dimensions: `[4]`, `[2][3]` (flattened), or `[]` (sized by the initializer, or dynamic shared memory).
    let mut len: Option<u64> = None;
    let mut unsized_dim = false;
    while p.eat_punct(b'[') {
        if p.eat_punct(b']') {
            unsized_dim = true;
            continue;
        }
        let (n, lit) = p.literal()?;
        let dim = lit.as_u64().ok_or_else(|| p.err(n, "an array size must be a non-negative integer"))?;
        p.expect_punct(b']')?;
        len = Some(len.unwrap_or(1).checked_mul(dim).ok_or_else(|| p.err(n, "array too large"))?);
    }
    let init = if p.is_punct(b'=') {
        let eq = p.bump();
        if space == StateSpace::Shared {
            return Err(p.err(eq, "`.shared` variables cannot be initialised"));
        }
        initializer(p, ty)?
    } else {
        Vec::new()
    };
    p.expect_punct(b';')?;

    let is_dyn_smem = linkage.is_extern && space == StateSpace::Shared && unsized_dim && len.is_none();
    if linkage.is_extern && !is_dyn_smem {
        let at = linkage.first.unwrap_or(space_tok);
        return Err(p.err(
            at,
            "extern variables other than dynamic shared memory (`.extern .shared … name[]`) are not supported",
        ));
    }
    let len = if is_dyn_smem {
        Some(0)
    } else if unsized_dim {
        if len.is_some() || init.is_empty() {
            return Err(p.err(name_tok, format!("array `{name}` needs a size")));
        }
        Some(init.len() as u64)
    } else {
        len
    };
    if init.len() as u64 > len.unwrap_or(1) {
        return Err(p.err(name_tok, format!("`{name}` has more initial values than elements")));
    }
    if names.contains_key(name) {
        return Err(p.err(name_tok, format!("variable `{name}` is defined twice")));
    }
    let align = align.unwrap_or(ty.size());
    let var = vars.push(VarData { name: name.to_string(), space, ty, len, align, init });
    names.insert(name, var);
    Ok(var)
}

/// The `N` of `.align N` (a power of two).
pub(crate) fn alignment(p: &mut Cursor<'_>) -> Result<u32, ReadError> {
    let (t, n) = p.u32_literal("an alignment")?;
    if !n.is_power_of_two() {
        return Err(p.err(t, format!("alignment {n} is not a power of two")));
    }
    Ok(n)
}

/// `{v, …}` (nested braces flattened) or a single value, as raw bits of `ty`.
fn initializer(p: &mut Cursor<'_>, ty: Type) -> Result<Vec<u64>, ReadError> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    loop {
        if p.eat_punct(b'{') {
            depth += 1;
            continue;
        }
        let t = p.peek();
        if t.kind == Tok::Ident {
            return Err(p.err(t, "address initializers are not supported"));
        }
        let (t, lit) = p.literal()?;
        let imm = lit.to_imm(ty).map_err(|m| p.err(t, m))?;
        if out.len() >= MAX_INIT {
            return Err(p.err(t, format!("initializer longer than {MAX_INIT} elements")));
        }
        out.push(imm.0);
        // After a value: close any number of braces, then `,` continues, anything else ends.
        while depth > 0 && p.eat_punct(b'}') {
            depth -= 1;
        }
        if depth == 0 || !p.eat_punct(b',') {
            break;
        }
    }
    if depth > 0 {
        return Err(p.expected("`}`"));
    }
    Ok(out)
}
