//! Faults are typed errors naming what went wrong, never panics or hangs: deadlocks, out-of-bounds and misaligned
//! accesses, traps, warp-collective misuse, unsupported or malformed modules, bad launches.

mod emu_util;

use emu_util::*;
use ptx_gen::{
    BinOp, Function, FunctionBuilder, InstKind, MemAccess, Mode, Module, Operand, Reg, StateSpace, Terminator, Type,
};
use ptx_kernel_runtime::emu::{Dim3, EmuError, EmuModule, Emulator, MemSpace, NearestBuffer};

/// `bar.sync` reached by threads 0..15 only, while the rest of their warp waits to reconverge after it.
const DIVERGENT_BARRIER: &str = r#"
.visible .entry divergent_barrier(
	.param .u64 p_out
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<3>;
	.reg .b64 	%rd<4>;

	ld.param.u64 	%rd1, [p_out];
	mov.u32 	%r1, %tid.x;
	setp.ge.u32 	%p1, %r1, 16;
	@%p1 bra 	$AFTER;
	bar.sync 	0;
$AFTER:
	mul.wide.u32 	%rd2, %r1, 4;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u32 	[%rd3], %r1;
	ret;
}
"#;

#[test]
fn barrier_in_divergent_code_is_a_deadlock_not_a_hang() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(DIVERGENT_BARRIER));
    let out = zeros::<u32>(&emu, 64);
    let e = launch(&emu, &m, "divergent_barrier", cfg1(2, 64), &[Arg::U64(out)]).unwrap_err();
    match &e {
        EmuError::Deadlock { kernel, barrier, arrived, expected, block, .. } => {
            assert_eq!(kernel, "divergent_barrier");
            assert_eq!((*barrier, *arrived, *expected), (0, 16, 32));
            assert_eq!(*block, Dim3::new(0, 0, 0), "the lowest failing block is reported");
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(text.contains("16 of the 32 threads barrier 0"), "{text}");
    assert!(text.contains("wait to reconverge"), "{text}");
}

const NAMED_BARRIER: &str = r#"
.visible .entry named(
	.param .u64 p_out
)
{
	bar.sync 	1, 64;
	ret;
}
"#;

#[test]
fn named_barrier_whose_count_cannot_be_met() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(NAMED_BARRIER));
    let e = launch(&emu, &m, "named", cfg1(1, 32), &[Arg::U64(0)]).unwrap_err();
    assert!(matches!(e, EmuError::Deadlock { barrier: 1, arrived: 32, expected: 64, .. }), "{e:?}");
    // With 64 threads the same kernel completes.
    launch(&emu, &m, "named", cfg1(1, 64), &[Arg::U64(0)]).unwrap();
}

/// `if (i >= n) return;` before a barrier: exited threads no longer count.
const EARLY_EXIT: &str = r#"
.shared .align 4 .u32 s[64];

.visible .entry early_exit(
	.param .u64 p_out,
	.param .u32 p_n
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<8>;
	.reg .b64 	%rd<8>;

	ld.param.u64 	%rd1, [p_out];
	ld.param.u32 	%r2, [p_n];
	mov.u32 	%r1, %tid.x;
	setp.ge.u32 	%p1, %r1, %r2;
	@%p1 bra 	$RET;
	mov.u64 	%rd2, s;
	mul.wide.u32 	%rd3, %r1, 4;
	add.s64 	%rd4, %rd2, %rd3;
	mul.lo.s32 	%r3, %r1, 3;
	st.shared.u32 	[%rd4], %r3;
	bar.sync 	0;
	add.s32 	%r4, %r1, 1;
	rem.u32 	%r4, %r4, %r2;
	mul.wide.u32 	%rd5, %r4, 4;
	add.s64 	%rd6, %rd2, %rd5;
	ld.shared.u32 	%r5, [%rd6];
	add.s64 	%rd7, %rd1, %rd3;
	st.global.u32 	[%rd7], %r5;
$RET:
	ret;
}
"#;

#[test]
fn early_exit_before_a_barrier_works() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(EARLY_EXIT));
    for n in [50u32, 64, 33, 1] {
        let out = zeros::<u32>(&emu, 64);
        launch(&emu, &m, "early_exit", cfg1(1, 64), &[Arg::U64(out), Arg::U32(n)]).unwrap();
        let got: Vec<u32> = download(&emu, out, 64);
        for t in 0..64u32 {
            let want = if t < n { ((t + 1) % n) * 3 } else { 0 };
            assert_eq!(got[t as usize], want, "thread {t}, n = {n}");
        }
    }
}

const VADD: &str = r#"
.visible .entry vadd(
	.param .u64 a,
	.param .u64 b,
	.param .u64 c,
	.param .u32 n
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<6>;
	.reg .b64 	%rd<11>;
	.reg .f32 	%f<4>;

	ld.param.u64 	%rd1, [a];
	ld.param.u64 	%rd2, [b];
	ld.param.u64 	%rd3, [c];
	ld.param.u32 	%r2, [n];
	mov.u32 	%r3, %ctaid.x;
	mov.u32 	%r4, %ntid.x;
	mov.u32 	%r5, %tid.x;
	mad.lo.s32 	%r1, %r3, %r4, %r5;
	setp.ge.u32 	%p1, %r1, %r2;
	@%p1 bra 	$END;
	mul.wide.u32 	%rd5, %r1, 4;
	add.s64 	%rd6, %rd1, %rd5;
	add.s64 	%rd8, %rd2, %rd5;
	ld.global.f32 	%f1, [%rd8];
	ld.global.f32 	%f2, [%rd6];
	add.rn.f32 	%f3, %f2, %f1;
	add.s64 	%rd10, %rd3, %rd5;
	st.global.f32 	[%rd10], %f3;
$END:
	ret;
}
"#;

#[test]
fn out_of_bounds_names_the_thread_and_the_nearest_buffer() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(VADD));
    let mut rng = Rng::new(11);
    let len = 1000usize;
    let a: Vec<f32> = (0..len).map(|_| rng.f32()).collect();
    let (da, db, dc) = (upload(&emu, &a), upload(&emu, &a), zeros::<f32>(&emu, len));
    let n = len as u32 + 5;
    let e =
        launch(&emu, &m, "vadd", cfg1(n.div_ceil(256), 256), &[Arg::U64(da), Arg::U64(db), Arg::U64(dc), Arg::U32(n)])
            .unwrap_err();
    let want = EmuError::OutOfBounds {
        kernel: "vadd".into(),
        block: Dim3::new(3, 0, 0),
        thread: Dim3::new(232, 0, 0),
        space: MemSpace::Global,
        address: db + 4000,
        size: 4,
        nearest: Some(NearestBuffer { base: db, size: 4000, offset: 4000 }),
    };
    assert_eq!(e, want);
    let text = e.to_string();
    assert!(text.contains("thread (232, 0, 0) of block (3, 0, 0)"), "{text}");
    assert!(text.contains("0 bytes past its end"), "{text}");
    // Elements before the fault were computed: a launch stops, it does not roll back.
    let c: Vec<f32> = download(&emu, dc, 10);
    assert_eq!(c[0], a[0] + a[0]);

    // A freed buffer is outside every allocation too.
    emu.free(db);
    let e =
        launch(&emu, &m, "vadd", cfg1(1, 32), &[Arg::U64(da), Arg::U64(db), Arg::U64(dc), Arg::U32(32)]).unwrap_err();
    assert!(matches!(e, EmuError::OutOfBounds { address, .. } if address == db), "{e:?}");
    // A null pointer.
    let e =
        launch(&emu, &m, "vadd", cfg1(1, 32), &[Arg::U64(0), Arg::U64(da), Arg::U64(dc), Arg::U32(32)]).unwrap_err();
    assert!(matches!(e, EmuError::OutOfBounds { address: 0, thread: Dim3 { x: 0, .. }, .. }), "{e:?}");
}

const MISALIGNED: &str = r#"
.visible .entry misaligned(
	.param .u64 p
)
{
	.reg .b32 	%r<2>;
	.reg .b64 	%rd<2>;

	ld.param.u64 	%rd1, [p];
	ld.global.u32 	%r1, [%rd1+2];
	ld.global.v4.u32 	{%r1, %r1, %r1, %r1}, [%rd1+8];
	ret;
}
"#;

#[test]
fn misaligned_accesses_are_reported() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(MISALIGNED));
    let buf = zeros::<u32>(&emu, 64);
    let e = launch(&emu, &m, "misaligned", cfg1(1, 1), &[Arg::U64(buf)]).unwrap_err();
    assert!(matches!(e, EmuError::Misaligned { address, size: 4, .. } if address == buf + 2), "{e:?}");
    let e = launch(&emu, &m, "misaligned", cfg1(1, 1), &[Arg::U64(buf - 2)]).unwrap_err();
    assert!(matches!(e, EmuError::Misaligned { address, size: 16, .. } if address == buf + 6), "{e:?}");
}

const TRAP: &str = r#"
.visible .entry trapper()
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<2>;

	mov.u32 	%r1, %tid.x;
	setp.ne.u32 	%p1, %r1, 37;
	@%p1 bra 	$OK;
	trap;
$OK:
	ret;
}
"#;

#[test]
fn trap_names_the_thread() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(TRAP));
    let e = launch(&emu, &m, "trapper", cfg1(2, 64), &[]).unwrap_err();
    assert_eq!(e, EmuError::Trap { kernel: "trapper".into(), block: Dim3::new(0, 0, 0), thread: Dim3::new(37, 0, 0) });
}

const BAD_MEMBER_MASK: &str = r#"
.visible .entry bad_mask()
{
	.reg .b32 	%r<3>;

	mov.u32 	%r1, %laneid;
	shfl.sync.idx.b32 	%r2, %r1, 0, 0x1F, 0x0000FFFF;
	ret;
}
"#;

const COLLECTIVE_NEVER_MET: &str = r#"
.visible .entry lonely()
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<3>;

	mov.u32 	%r1, %laneid;
	setp.ge.u32 	%p1, %r1, 16;
	@%p1 bra 	$AFTER;
	shfl.sync.idx.b32 	%r2, %r1, 0, 0x1F, 0xFFFFFFFF;
$AFTER:
	add.s32 	%r1, %r1, 1;
	ret;
}
"#;

#[test]
fn warp_collective_misuse() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(BAD_MEMBER_MASK));
    let e = launch(&emu, &m, "bad_mask", cfg1(1, 32), &[]).unwrap_err();
    assert!(matches!(&e, EmuError::Collective { message, .. } if message.contains("not in its member mask")), "{e:?}");
    // A partial warp with exactly its lanes in the mask is fine.
    launch(&emu, &m, "bad_mask", cfg1(1, 16), &[]).unwrap();

    let m = load(&emu, &ptx(COLLECTIVE_NEVER_MET));
    let e = launch(&emu, &m, "lonely", cfg1(1, 32), &[]).unwrap_err();
    assert!(matches!(&e, EmuError::Collective { message, .. } if message.contains("cannot arrive")), "{e:?}");
}

const BAD_BARRIER_ID: &str = r#"
.visible .entry bad_id()
{
	.reg .b32 	%r<2>;

	mov.u32 	%r1, 20;
	bar.sync 	%r1;
	ret;
}
"#;

#[test]
fn barrier_ids_are_checked() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(BAD_BARRIER_ID));
    let e = launch(&emu, &m, "bad_id", cfg1(1, 32), &[]).unwrap_err();
    assert!(matches!(&e, EmuError::InvalidBarrier { message, .. } if message.contains("20")), "{e:?}");
}

/// A kernel with one entry block holding `kinds` then `ret`.
fn module_with(kinds: Vec<InstKind>, regs: &[Type]) -> Module {
    let mut f = Function::kernel("k");
    for &t in regs {
        f.new_reg(t);
    }
    let mut b = FunctionBuilder::new(&mut f);
    let e = b.create_block();
    b.switch_to_block(e);
    for k in kinds {
        b.push(k);
    }
    b.ret();
    b.finish().unwrap();
    let mut m = Module::new();
    m.add_function(f);
    m
}

#[test]
fn unsupported_instructions_fail_at_load() {
    let asm = InstKind::Asm { text: "brkpt;".into(), outputs: vec![], inputs: vec![] };
    let e = EmuModule::from_ir(&module_with(vec![asm], &[])).unwrap_err();
    assert!(matches!(&e, EmuError::Unsupported { kernel, .. } if kernel == "k"), "{e:?}");
    // `rem` of floats does not exist.
    let rem = InstKind::Binary {
        op: BinOp::Rem,
        mode: Mode::None,
        ty: Type::F32,
        dst: Reg(0),
        a: Operand::f32(1.0),
        b: Operand::f32(2.0),
    };
    let e = EmuModule::from_ir(&module_with(vec![rem], &[Type::F32])).unwrap_err();
    match &e {
        EmuError::Unsupported { kernel, instruction, .. } => {
            assert_eq!(kernel, "k");
            assert!(instruction.contains("rem"), "{instruction}");
        }
        other => panic!("{other:?}"),
    }
    // Integer add with a rounding mode.
    let add = InstKind::Binary {
        op: BinOp::Add,
        mode: Mode::Rz,
        ty: Type::U32,
        dst: Reg(0),
        a: Operand::u32(1),
        b: Operand::u32(2),
    };
    assert!(matches!(EmuModule::from_ir(&module_with(vec![add], &[Type::U32])), Err(EmuError::Unsupported { .. })));
}

#[test]
fn malformed_ir_is_an_error_not_a_panic() {
    // A register that does not exist.
    let mov = InstKind::Mov { ty: Type::U32, dst: Reg(99), src: Operand::u32(1) };
    let e = EmuModule::from_ir(&module_with(vec![mov], &[])).unwrap_err();
    assert!(matches!(&e, EmuError::InvalidModule { message, .. } if message.contains("v99")), "{e:?}");
    // A load from a parameter that does not exist.
    let ld = InstKind::Ld {
        access: MemAccess::new(StateSpace::Param, Type::U32),
        dsts: vec![Reg(0)],
        addr: ptx_gen::Address::param(3),
    };
    assert!(matches!(EmuModule::from_ir(&module_with(vec![ld], &[Type::U32])), Err(EmuError::InvalidModule { .. })));
    // A block without a terminator, and a branch to a block outside the layout.
    let mut f = Function::kernel("k");
    let mut b = FunctionBuilder::new(&mut f);
    let e0 = b.create_block();
    b.switch_to_block(e0);
    b.finish().unwrap();
    let mut m = Module::new();
    m.add_function(f.clone());
    assert!(matches!(EmuModule::from_ir(&m), Err(EmuError::InvalidModule { .. })));
    f.blocks[e0].term = Some(Terminator::Jump(ptx_gen::Block(7)));
    let mut m = Module::new();
    m.add_function(f);
    assert!(matches!(EmuModule::from_ir(&m), Err(EmuError::InvalidModule { .. })));
    // An empty function.
    let mut m = Module::new();
    m.add_function(Function::kernel("empty"));
    assert!(matches!(EmuModule::from_ir(&m), Err(EmuError::InvalidModule { .. })));
}

const RECURSIVE: &str = r#"
.func (.reg .b32 %ret0) fact(.reg .b32 %arg0)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<4>;

	setp.le.u32 	%p1, %arg0, 1;
	@%p1 bra 	$BASE;
	sub.s32 	%r1, %arg0, 1;
	call.uni (%r2), fact, (%r1);
	mul.lo.s32 	%ret0, %r2, %arg0;
	ret;
$BASE:
	mov.u32 	%ret0, 1;
	ret;
}

.visible .entry k()
{
	.reg .b32 	%r<3>;

	mov.u32 	%r1, 5;
	call.uni (%r2), fact, (%r1);
	ret;
}
"#;

#[test]
fn recursion_is_unsupported() {
    let emu = Emulator::new();
    let e = emu.load_module(&ptx(RECURSIVE)).unwrap_err();
    assert!(matches!(&e, EmuError::Unsupported { detail, .. } if detail.contains("recursive")), "{e:?}");
}

#[test]
fn unreadable_ptx_is_a_read_error() {
    let emu = Emulator::new();
    let e = emu
        .load_module(".version 7.0\n.target sm_75\n.address_size 64\n.visible .entry k(\n{\n\tfrobnicate;\n}\n")
        .unwrap_err();
    assert!(matches!(e, EmuError::Read(_)), "{e:?}");
    assert!(e.to_string().starts_with("emulator: cannot read the PTX"), "{e}");
}

#[test]
fn launch_arguments_and_configuration_are_checked() {
    let emu = Emulator::new();
    let m = load(&emu, &ptx(VADD));
    let e = launch(&emu, &m, "nope", cfg1(1, 1), &[]).unwrap_err();
    assert!(matches!(&e, EmuError::NoSuchKernel { name, available } if name == "nope" && available == "vadd"), "{e:?}");
    let e = launch(&emu, &m, "vadd", cfg1(1, 1), &[Arg::U64(0)]).unwrap_err();
    assert!(matches!(&e, EmuError::InvalidArguments { message, .. } if message.contains("4 parameter")), "{e:?}");
    let e = launch(&emu, &m, "vadd", cfg1(1, 1), &[Arg::U64(0), Arg::U64(0), Arg::U64(0), Arg::U64(0)]).unwrap_err();
    assert!(
        matches!(&e, EmuError::InvalidArguments { message, .. } if message.contains("parameter 3 is 4 byte")),
        "{e:?}"
    );
    let args = [Arg::U64(0), Arg::U64(0), Arg::U64(0), Arg::U32(0)];
    assert!(matches!(launch(&emu, &m, "vadd", cfg1(0, 32), &args), Err(EmuError::InvalidLaunch { .. })));
    assert!(matches!(launch(&emu, &m, "vadd", cfg1(1, 2048), &args), Err(EmuError::InvalidLaunch { .. })));
    // The hardware's grid and block limits, which the compiler's range analysis relies on.
    for (grid, block) in [((1 << 31, 1, 1), (32, 1, 1)), ((1, 65536, 1), (32, 1, 1)), ((1, 1, 1), (1, 1, 128))] {
        let e = launch(&emu, &m, "vadd", cfg(grid, block), &args).unwrap_err();
        assert!(matches!(&e, EmuError::InvalidLaunch { .. }), "{grid:?} {block:?}: {e:?}");
    }
    // .maxntid and .reqntid as the driver enforces them.
    let bounded =
        ptx(&VADD.replace(".entry vadd(", ".entry vadd_bounded(").replace(")\n{", ")\n.maxntid 128, 1, 1\n{"));
    let exact = ptx(&VADD.replace(".entry vadd(", ".entry vadd_exact(").replace(")\n{", ")\n.reqntid 64, 2, 1\n{"));
    let (mb, me) = (load(&emu, &bounded), load(&emu, &exact));
    let e = launch(&emu, &mb, "vadd_bounded", cfg1(1, 256), &args).unwrap_err();
    assert!(matches!(&e, EmuError::InvalidLaunch { message, .. } if message.contains(".maxntid")), "{e:?}");
    launch(&emu, &mb, "vadd_bounded", cfg1(2, 128), &args).unwrap();
    let e = launch(&emu, &me, "vadd_exact", cfg1(1, 128), &args).unwrap_err();
    assert!(matches!(&e, EmuError::InvalidLaunch { message, .. } if message.contains(".reqntid")), "{e:?}");
    launch(&emu, &me, "vadd_exact", cfg((1, 1, 1), (64, 2, 1)), &args).unwrap();
    // n = 0: every thread exits at once.
    launch(&emu, &m, "vadd", cfg1(4, 1024), &args).unwrap();
    assert_eq!(m.param_sizes("vadd"), Some(vec![8, 8, 8, 4]));
    assert_eq!(m.kernel_names().collect::<Vec<_>>(), vec!["vadd"]);
}

#[test]
fn host_copies_are_bounds_checked() {
    let emu = Emulator::new();
    let a = emu.alloc(100);
    assert!(matches!(emu.write(a + 90, &[0; 11]), Err(EmuError::HostOutOfBounds { .. })));
    let e = emu.read(a + 100, &mut [0; 1]).unwrap_err();
    assert!(e.to_string().contains("0 bytes past its end"), "{e}");
    emu.write(a + 90, &[1; 10]).unwrap();
    let b = emu.alloc(100);
    emu.copy(b, a + 50, 50).unwrap();
    let mut out = [0u8; 50];
    emu.read(b, &mut out).unwrap();
    assert!(out[..40].iter().all(|&x| x == 0) && out[40..].iter().all(|&x| x == 1));
    assert!(emu.copy(b + 60, a, 50).is_err());
}
