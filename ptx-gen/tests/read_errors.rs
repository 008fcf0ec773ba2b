//! Errors: each names the offending token, at its exact line and column.

use ptx_gen::read::{read_module, ReadError};

const HEAD: &str = ".version 7.8\n.target sm_80\n.address_size 64\n";

/// Reads a kernel whose body is `body` (the body's first line is line 8) and returns the error.
fn body_err(body: &str) -> ReadError {
    let src = format!(
        "{HEAD}.visible .entry k(.param .u64 k_param_0)\n{{\n\t.reg .pred %p<3>;\n\t.reg .b32 %r<5>;\n{body}\n}}\n"
    );
    match read_module(&src) {
        Ok(_) => panic!("expected an error for\n{src}"),
        Err(e) => e,
    }
}

fn err(src: &str) -> ReadError {
    match read_module(src) {
        Ok(_) => panic!("expected an error for\n{src}"),
        Err(e) => e,
    }
}

#[track_caller]
fn expect(e: ReadError, line: u32, col: u32, message: &str) {
    assert_eq!(e, ReadError { line, col, message: message.into() });
}

#[test]
fn display_is_line_col_message() {
    let e = body_err("\tfoo.bar %r1;");
    assert_eq!(e.to_string(), "8:2: unknown instruction `foo.bar`");
}

#[test]
fn instructions() {
    expect(body_err("\tfoo.bar %r1;"), 8, 2, "unknown instruction `foo.bar`");
    expect(
        body_err("\tadd.u32 %r1, %r1, 1;\n   wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16 {%r1}, 0, 0, 0;"),
        9,
        4,
        "unsupported instruction `wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16`",
    );
    expect(body_err("\tprmt.b32 %r1, %r2, %r3, 0x3210;"), 8, 2, "unsupported instruction `prmt.b32`");
    expect(body_err("\t@%p1 add.s32 %r1, %r1, 1;"), 8, 2, "predicated instructions other than bra are not supported");
    expect(body_err("\t@!%p1 ret;"), 8, 2, "predicated instructions other than bra are not supported");
    expect(body_err("\tadd.ftz.f32 %r1, %r1, %r2;"), 8, 5, "unsupported modifier `.ftz` in `add.ftz.f32`");
    expect(body_err("\tadd.sat.s32 %r1, %r1, %r2;"), 8, 5, "unsupported modifier `.sat` in `add.sat.s32`");
    expect(body_err("\tadd.rn.rn.f32 %r1, %r1, %r2;"), 8, 8, "unsupported modifier `.rn` in `add.rn.rn.f32`");
    expect(body_err("\tadd %r1, %r1, %r2;"), 8, 2, "missing type in `add`");
    expect(body_err("\tcvt.f32 %r1, %r2;"), 8, 2, "`cvt.f32` needs a destination and a source type");
    expect(body_err("\tsetp.s32 %p1, %r1, %r2;"), 8, 2, "missing comparison in `setp.s32`");
    expect(body_err("\tshfl.sync.bfly.b16 %r1, %r2, 1, 31, -1;"), 8, 2, "`shfl.sync.bfly.b16` needs the type `.b32`");
    expect(
        body_err("\tshfl.bfly.b32 %r1, %r2, 1, 31;"),
        8,
        2,
        "unsupported instruction `shfl.bfly.b32` (use shfl.sync)",
    );
    expect(
        body_err("\tld.relaxed.global.u32 %r1, [%rd1];"),
        8,
        2,
        "missing scope (`.cta`, `.gpu` or `.sys`) in `ld.relaxed.global.u32`",
    );
    expect(body_err("\tst.global.nc.u32 [%r1], %r2;"), 8, 11, "unsupported modifier `.nc` in `st.global.nc.u32`");
    expect(
        body_err("\tld.global.L2::cache_hint.u32 %r1, [%r1], %r2;"),
        8,
        11,
        "unsupported modifier `.L2::cache_hint` in `ld.global.L2::cache_hint.u32`",
    );
    expect(body_err("\tred.global.cas.b32 [%r1], %r2;"), 8, 2, "`red` has no `.cas` (use `atom.cas`)");
    expect(body_err("\tbar.arrive 1;"), 8, 14, "expected `,` and a thread count (bar.arrive needs one), found `;`");
    expect(
        body_err("\tsetp.eq.s32 %p1|%p2, %r1, %r2;"),
        8,
        17,
        "setp with two predicate results (`p|q`) is not supported",
    );
    expect(body_err("\tmov.b64 {%r1, %r2}, %rd1;"), 8, 10, "vector operands of mov (unpacking) are not supported");
}

#[test]
fn operands() {
    expect(body_err("\tadd.u32 %r1, %r9, 1;"), 8, 15, "undeclared register `%r9`");
    expect(body_err("\tadd.u32 %r1, %tid.x, 1;"), 8, 15, "special register `%tid` can only be the source of `mov`");
    expect(
        body_err("\tadd.u32 %r1, k_param_0, 1;"),
        8,
        15,
        "`k_param_0` is a kernel parameter, not a register (read it with `ld.param`)",
    );
    expect(body_err("\tmov.u32 %r1, %envreg3;"), 8, 15, "undeclared register `%envreg3`");
    expect(body_err("\tmov.u32 %r1, %lanemask_eq;"), 8, 15, "unsupported special register `%lanemask_eq`");
    expect(body_err("\tmov.u64 %r1, %tid.w;"), 8, 19, "expected `.x`, `.y` or `.z` after `%tid`, found `.w`");
    expect(body_err("\tmov.u64 %r1, %tid.x;"), 8, 15, "`%tid.x` is 32-bit; read it with `mov.u32`");
    expect(
        body_err("\tmov.u32 %r1, k_param_0;"),
        8,
        15,
        "taking the address of kernel parameter `k_param_0` is not supported",
    );
    expect(
        body_err("\tmov.f32 %r1, 1;"),
        8,
        15,
        "an integer literal cannot be a .f32 operand (write 1.0 or 0f3F800000)",
    );
    expect(body_err("\tmov.u32 %r1, 1.5;"), 8, 15, "a float literal cannot be a .u32 operand");
    expect(body_err("\tmov.f32 %r1, 0f3F80;"), 8, 15, "malformed f32 literal `0f3F80` (expected 0f and 8 hex digits)");
    expect(body_err("\tmov.u32 %r1, 0x;"), 8, 15, "malformed number `0x`");
    expect(body_err("\tmov.u32 %r1, 99999999999999999999;"), 8, 15, "malformed number `99999999999999999999`");
    expect(body_err("\tmov.pred %p1, 2;"), 8, 16, "a predicate literal must be 0 or 1");
    expect(body_err("\tld.global.u32 %r1, [nowhere];"), 8, 22, "undeclared register, parameter or variable `nowhere`");
    expect(body_err("\tld.global.u32 %r1, [0x100];"), 8, 22, "absolute addresses are not supported");
    expect(body_err("\tld.global.v2.u32 {%r1}, [%r2];"), 8, 23, "expected `,`, found `}`");
    expect(body_err("\tadd.u32 %r1, %r1 %r2;"), 8, 19, "expected `,`, found `%r2`");
    expect(body_err("\tadd.u32 %r1, %r1, %r2"), 9, 1, "expected `;`, found `}`");
    expect(body_err("\tvote.sync.ballot.pred %p1, %p2, -1;"), 8, 2, "`vote.sync.ballot.pred` needs the type `.b32`");
}

#[test]
fn blocks_and_labels() {
    expect(body_err("\tbra L9;\nL1:\n\tret;"), 8, 6, "label `L9` is not defined");
    expect(body_err("L1:\n\tret;\nL1:\n\tret;"), 10, 1, "label `L1` is defined twice");
    expect(
        body_err("\tret;\n\t.local .align 4 .b8 depot[16];"),
        9,
        2,
        "`.local` declarations inside a function body are not supported",
    );
    expect(body_err("\t.reg .b32 %r<5>;"), 8, 12, "register range `%r<…>` is declared twice");
    expect(
        body_err("\t.reg .b32 %big<2000000>;"),
        8,
        12,
        "register range `%big<2000000>` is too large (at most 1048576)",
    );
    expect(body_err("\t.reg .v4 .b32 %v;"), 8, 7, "vector registers (`.v4`) are not supported");
    expect(body_err("\t.maxntid 4;"), 8, 2, "unexpected `.maxntid` in a function body");
    expect(body_err("\t, add.u32 %r1, %r1, 1;"), 8, 2, "expected an instruction, a label or a declaration, found `,`");
    expect(
        err(&format!("{HEAD}.entry k()\n{{\n\tret;\n")),
        7,
        1,
        "unexpected end of input: the function body has no closing `}`",
    );
}

#[test]
fn module_items() {
    expect(err(".version 7.8\n.target sm_80\n.address_size 32\n"), 3, 15, "only `.address_size 64` is supported");
    expect(err(".version seven\n"), 1, 10, "expected a version such as `7.0`, found `seven`");
    expect(err(".target compute_80\n"), 1, 9, "unsupported target `compute_80`");
    expect(err(".target sm_80, texmode_magic\n"), 1, 16, "unsupported target option `texmode_magic`");
    expect(err(".target sm_80\n.target sm_90\n"), 2, 1, "`.target` given twice");
    expect(err("entry k() {}\n"), 1, 1, "expected a directive such as `.entry`, found `entry`");
    expect(
        err(".visible .version 7.0\n"),
        1,
        10,
        "expected `.entry`, `.func` or a variable after linkage, found `.version`",
    );
    expect(
        err(".extern .global .u32 x;\n"),
        1,
        1,
        "extern variables other than dynamic shared memory (`.extern .shared … name[]`) are not supported",
    );
    expect(err(".shared .u32 x = 1;\n"), 1, 16, "`.shared` variables cannot be initialised");
    expect(err(".global .u32 x[];\n"), 1, 14, "array `x` needs a size");
    expect(err(".global .u32 x[2] = {1, 2, 3};\n"), 1, 14, "`x` has more initial values than elements");
    expect(err(".global .align 3 .u32 x;\n"), 1, 16, "alignment 3 is not a power of two");
    expect(err(".global .u32 x;\n.global .u32 x;\n"), 2, 14, "variable `x` is defined twice");
    expect(err(".global .u64 p = generic(x);\n"), 1, 18, "address initializers are not supported");
    expect(err(".global .v4 .f32 x;\n"), 1, 9, "vector variables are not supported");
    expect(err(".local .u32 x;\n"), 1, 1, "`.local` is not supported");
    expect(err(".entry k(.param .u64 a[2]) { ret; }\n"), 1, 23, "array (by-value struct) parameters are not supported");
    expect(err(".entry k(.reg .u64 a) { ret; }\n"), 1, 10, "kernel parameters must be `.param`");
    expect(
        err(".func f(.param .b32 a) { ret; }\n"),
        1,
        9,
        "`.param` parameters of device functions are not supported (use `.reg`)",
    );
    expect(err(".func f() .maxntid 32 { ret; }\n"), 1, 11, "`.maxntid` applies to kernels (`.entry`) only");
    expect(err(".entry k() .maxclusterrank 2 { ret; }\n"), 1, 12, "unsupported function directive `.maxclusterrank`");
    expect(err(".entry k() { ret; }\n.entry k() { ret; }\n"), 2, 8, "function `k` is defined twice");
}

#[test]
fn calls() {
    let src = |call: &str| {
        format!(
            "{HEAD}.func (.reg .b32 %ret0) f(.reg .b32 %arg0)\n{{\n\tmov.b32 %ret0, %arg0;\n\tret;\n}}\n\
             .func g(.reg .b32 %a);\n\
             .entry k()\n{{\n\t.reg .b32 %r<3>;\n{call}\n\tret;\n}}\n"
        )
    };
    expect(err(&src("\tcall.uni (%r1), h, (%r2);")), 13, 18, "undefined function `h`");
    expect(
        err(&src("\tcall.uni g, (%r2);")),
        13,
        11,
        "function `g` is declared but not defined (extern functions are not supported)",
    );
    expect(
        err(&src("\tcall.uni (%r1), f, (%r2, %r1);")),
        13,
        18,
        "call to `f` with 1 result(s) and 2 argument(s); `f` has 1 and 1",
    );
    expect(err(&src("\tcall.uni (%r1), k, (%r2);")), 13, 18, "`k` is a kernel and cannot be called");
    expect(err(&src("\tcall.uni (%r1), %r2, (%r2);")), 13, 18, "indirect calls are not supported");
    expect(err(&src("\tcall.uni (%r1), f, (%r2), proto;")), 13, 26, "calls through a prototype are not supported");
    expect(err(&src("\tcall.uni (%r1), f, (1.5);")), 13, 22, "a float literal cannot be a .b32 operand");
}

#[test]
fn lexical() {
    expect(err(".version 7.0\n/* never closed\n"), 2, 1, "unterminated `/*` comment");
    expect(err(".version 7.0 #\n"), 1, 14, "unexpected character `#`");
    expect(err(".version 7.0\n.pragma \"open\n"), 2, 9, "unterminated string");
    expect(err(".version 7.0\n.target sm_80 é\n"), 2, 15, "unexpected character `é`");
    expect(err(". version"), 1, 1, "unexpected `.`");
}
