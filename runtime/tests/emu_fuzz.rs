//! The emulator never panics on malformed input: kernels read from PTX are mutated at random (registers, types,
//! modes, branch targets, addresses, state spaces, terminators) and loaded; those that load are launched under an
//! instruction limit. Every outcome must be `Ok` or a typed error — never a panic, and never the "internal emulator
//! error" the launcher reports when it catches one.

mod emu_util;

use emu_util::*;
use ptx_gen::{
    AddrBase, Block, CmpOp, CvtMode, InstKind, MemOrder, Mode, Module, Reg, StateSpace, Terminator, Type, VecWidth,
};
use ptx_kernel_runtime::emu::{EmuError, EmuModule, Emulator};

/// Kernels with loops, shared memory, barriers, shuffles, atomics, device calls and conversions; every parameter is
/// a pointer to a buffer or a u32.
const SEEDS: &[&str] = &[
    r#"
.shared .align 4 .u32 s[64];
.func (.reg .b32 %ret0) twice(.reg .b32 %arg0)
{
	add.s32 	%ret0, %arg0, %arg0;
	ret;
}
.visible .entry k(
	.param .u64 p0,
	.param .u32 p1
)
{
	.reg .pred 	%p<4>;
	.reg .b16 	%rs<3>;
	.reg .b32 	%r<12>;
	.reg .b64 	%rd<8>;
	.reg .f32 	%f<4>;

	ld.param.u64 	%rd1, [p0];
	ld.param.u32 	%r1, [p1];
	mov.u32 	%r2, %tid.x;
	and.b32 	%r2, %r2, 63;
	mul.wide.u32 	%rd2, %r2, 4;
	add.s64 	%rd3, %rd1, %rd2;
	ld.global.u32 	%r3, [%rd3];
	mov.u64 	%rd4, s;
	add.s64 	%rd5, %rd4, %rd2;
	st.shared.u32 	[%rd5], %r3;
	bar.sync 	0;
	mov.u32 	%r4, 0;
$LOOP:
	setp.ge.u32 	%p1, %r4, %r1;
	@%p1 bra 	$DONE;
	shfl.sync.bfly.b32 	%r5, %r3, 1, 0x1F, 0xFFFFFFFF;
	add.s32 	%r3, %r3, %r5;
	call.uni (%r3), twice, (%r3);
	cvt.rn.f32.u32 	%f1, %r3;
	mul.rn.f32 	%f2, %f1, 0f3F000000;
	cvt.rzi.u32.f32 	%r3, %f2;
	add.s32 	%r4, %r4, 1;
	bra.uni 	$LOOP;
$DONE:
	atom.global.add.u32 	%r6, [%rd1], %r3;
	ld.shared.u32 	%r7, [%rd5];
	vote.sync.ballot.b32 	%r8, %p1, 0xFFFFFFFF;
	cvt.u16.u32 	%rs1, %r8;
	cvt.u32.u16 	%r9, %rs1;
	add.s32 	%r9, %r9, %r7;
	st.global.u32 	[%rd3], %r9;
	ret;
}
"#,
    r#"
.visible .entry vec(
	.param .u64 p0,
	.param .u64 p1,
	.param .u32 p2
)
{
	.reg .pred 	%p<3>;
	.reg .b32 	%r<10>;
	.reg .b64 	%rd<10>;
	.reg .f32 	%f<10>;
	.reg .f64 	%fd<4>;

	ld.param.u64 	%rd1, [p0];
	ld.param.u64 	%rd2, [p1];
	ld.param.u32 	%r1, [p2];
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u32 	%r4, %tid.x;
	mad.lo.s32 	%r5, %r2, %r3, %r4;
	and.b32 	%r5, %r5, 255;
	setp.ge.u32 	%p1, %r5, %r1;
	@%p1 bra 	$END;
	mul.wide.u32 	%rd3, %r5, 16;
	add.s64 	%rd4, %rd1, %rd3;
	ld.global.v4.f32 	{%f1, %f2, %f3, %f4}, [%rd4];
	fma.rn.f32 	%f5, %f1, %f2, %f3;
	div.rn.f32 	%f6, %f5, %f4;
	sqrt.rn.f32 	%f7, %f6;
	cvt.f64.f32 	%fd1, %f7;
	add.rz.f64 	%fd2, %fd1, %fd1;
	cvt.rn.f32.f64 	%f8, %fd2;
	setp.lt.f32 	%p2, %f8, %f1;
	selp.f32 	%f9, %f8, %f1, %p2;
	add.s64 	%rd5, %rd2, %rd3;
	st.global.v4.f32 	[%rd5], {%f9, %f8, %f7, %f6};
$END:
	ret;
}
"#,
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

const MODES: [Mode; 10] =
    [Mode::None, Mode::Rn, Mode::Rz, Mode::Rm, Mode::Rp, Mode::Approx, Mode::Full, Mode::Lo, Mode::Hi, Mode::Wide];
const SPACES: [StateSpace; 6] = [
    StateSpace::Param,
    StateSpace::Global,
    StateSpace::Shared,
    StateSpace::Local,
    StateSpace::Const,
    StateSpace::Generic,
];

/// One random change to one instruction or terminator of one function.
fn mutate(m: &mut Module, rng: &mut Rng) {
    let nf = m.functions.len();
    let Some((_, f)) = m.functions.iter_mut().nth(rng.below(nf)) else { return };
    let nregs = f.regs.len();
    let nblocks = f.blocks.len();
    if rng.below(8) == 0 {
        // A terminator.
        let Some((_, b)) = f.blocks.iter_mut().nth(rng.below(nblocks)) else { return };
        b.term = match rng.below(5) {
            0 => None,
            1 => Some(Terminator::Jump(Block(rng.below(nblocks + 2) as u32))),
            2 => Some(Terminator::Return),
            3 => Some(Terminator::Trap),
            _ => Some(Terminator::Branch {
                cond: Reg(rng.below(nregs + 2) as u32),
                negate: rng.below(2) == 0,
                then_dest: Block(rng.below(nblocks + 1) as u32),
                else_dest: Block(rng.below(nblocks + 1) as u32),
            }),
        };
        return;
    }
    let ni = f.insts.len();
    let Some((_, inst)) = f.insts.iter_mut().nth(rng.below(ni)) else { return };
    let ty = rng.pick(&Type::ALL);
    match rng.below(6) {
        0 => {
            // One register operand.
            let target = rng.below(8);
            let mut k = 0;
            let new = Reg(rng.below(nregs + 3) as u32);
            inst.kind.for_each_reg_mut(|r, _| {
                if k == target {
                    *r = new;
                }
                k += 1;
            });
        }
        1 => match &mut inst.kind {
            InstKind::Mov { ty: t, .. }
            | InstKind::Unary { ty: t, .. }
            | InstKind::Binary { ty: t, .. }
            | InstKind::Ternary { ty: t, .. }
            | InstKind::Setp { ty: t, .. }
            | InstKind::Selp { ty: t, .. }
            | InstKind::Bfi { ty: t, .. }
            | InstKind::Atom { ty: t, .. } => *t = ty,
            InstKind::Cvt { dst_ty, src_ty, .. } => {
                if rng.below(2) == 0 {
                    *dst_ty = ty
                } else {
                    *src_ty = ty
                }
            }
            InstKind::Ld { access, .. } | InstKind::St { access, .. } => access.ty = ty,
            _ => {}
        },
        2 => match &mut inst.kind {
            InstKind::Unary { mode, .. } | InstKind::Binary { mode, .. } | InstKind::Ternary { mode, .. } => {
                *mode = rng.pick(&MODES)
            }
            InstKind::Cvt { mode, sat, .. } => {
                *mode = rng.pick(&CvtMode::ALL);
                *sat = rng.below(2) == 0;
            }
            InstKind::Setp { cmp, .. } => *cmp = rng.pick(&CmpOp::ALL),
            _ => {}
        },
        3 => match &mut inst.kind {
            InstKind::Ld { access, addr, .. } | InstKind::St { access, addr, .. } => {
                match rng.below(4) {
                    0 => access.space = rng.pick(&SPACES),
                    1 => access.vec = rng.pick(&[VecWidth::Scalar, VecWidth::V2, VecWidth::V4]),
                    2 => addr.offset = rng.next() as i64 >> rng.below(64),
                    _ => access.order = rng.pick(&[MemOrder::Weak, MemOrder::Volatile]),
                }
                if rng.below(4) == 0 {
                    addr.base = AddrBase::Param(rng.below(4) as u32);
                }
            }
            InstKind::Atom { space, .. } => *space = rng.pick(&SPACES),
            InstKind::Cvta { space, .. } => *space = rng.pick(&SPACES),
            _ => {}
        },
        4 => {
            // Swap with another instruction's kind.
            let other = f_inst_kind(m, rng);
            if let Some(k) = other {
                if let Some((_, f)) = m.functions.iter_mut().nth(rng.below(nf)) {
                    let ni = f.insts.len();
                    if let Some((_, inst)) = f.insts.iter_mut().nth(rng.below(ni)) {
                        inst.kind = k;
                    }
                }
            }
        }
        _ => {
            // A variable or call target that may not exist.
            match &mut inst.kind {
                InstKind::AddrOf { var, .. } => var.0 = rng.below(4) as u32,
                InstKind::Call { func, .. } => func.0 = rng.below(4) as u32,
                InstKind::Ld { addr, .. } | InstKind::St { addr, .. } => {
                    addr.base = AddrBase::Var(ptx_gen::Var(rng.below(3) as u32))
                }
                _ => {}
            }
        }
    }
}

fn f_inst_kind(m: &Module, rng: &mut Rng) -> Option<InstKind> {
    let (_, f) = m.functions.iter().nth(rng.below(m.functions.len()))?;
    let (_, i) = f.insts.iter().nth(rng.below(f.insts.len()))?;
    Some(i.kind.clone())
}

#[test]
fn mutated_kernels_never_panic_the_emulator() {
    let emu = Emulator::new().with_workers(1).with_instruction_limit(20_000);
    let seeds: Vec<Module> = SEEDS.iter().map(|s| ptx_gen::read::read_module(&ptx(s)).unwrap()).collect();
    // EMU_FUZZ_SEED and EMU_FUZZ_CASES explore further than the default run.
    let seed = std::env::var("EMU_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0xF00D_5EED_0000_0001u64);
    let mut rng = Rng(seed | 1);
    let buf = zeros::<u8>(&emu, 1 << 16);
    let (mut loaded, mut ran, mut errors) = (0, 0, 0);
    let default_cases = if cfg!(debug_assertions) { 1500 } else { 15000 };
    let cases = std::env::var("EMU_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    for case in 0..cases {
        let mut m = seeds[case % seeds.len()].clone();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut m, &mut rng);
        }
        let module = match EmuModule::from_ir(&m) {
            Ok(module) => module,
            Err(e) => {
                assert!(!e.to_string().contains("internal"), "case {case}: {e}");
                continue;
            }
        };
        loaded += 1;
        for name in module.kernel_names().map(str::to_owned).collect::<Vec<_>>() {
            let sizes = module.param_sizes(&name).unwrap_or_default();
            let args: Vec<Vec<u8>> = sizes
                .iter()
                .map(|&s| match s {
                    8 => buf.to_le_bytes().to_vec(),
                    4 => 3u32.to_le_bytes().to_vec(),
                    n => vec![1; n],
                })
                .collect();
            let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
            match emu.launch(&module, &name, &cfg1(2, 64), &refs) {
                Ok(()) => ran += 1,
                Err(e) => {
                    errors += 1;
                    assert!(!e.to_string().contains("internal emulator error"), "case {case}: {e}");
                    // Typed errors only; the Display impl must not panic either.
                    let _ = matches!(e, EmuError::InstructionLimit { .. });
                }
            }
        }
    }
    println!("{cases} mutants: {loaded} loaded, {ran} launches ran, {errors} launches failed with typed errors");
    assert!(loaded > cases / 10, "too few mutants load ({loaded}); the mutations are too destructive to test launches");
}
