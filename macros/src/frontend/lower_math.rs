//! The float methods that PTX has no correctly rounded instruction for: `exp exp2 ln log2 log10 sin cos tan tanh
//! powf powi hypot` (and `recip`, which is `rcp.rn`).
//!
//! Everything is computed in f64 by inline instruction sequences (no calls); the f32 methods convert to f64, run
//! the same sequence and round once to f32 (`cvt.rn.f32.f64`), which makes them accurate to within 1 f32 ulp.
//! The f64 sequences follow fdlibm, but for `powf`:
//! - `exp`: `x = k ln2 + r` (Cody–Waite, `fma`), a degree-13 Taylor polynomial on |r| ≤ ln2/2, scaling by `2^k` as
//!   two exact power-of-two factors (gradual underflow rounds once); overflow/underflow thresholds as in libm.
//!   `exp2`: `k = rint(x)`, `r = (x - k) ln2`.
//! - `ln`: `x = 2^e m` with m in [√½, √2) (subnormals scaled by 2^54 first), fdlibm's `log` kernel (minimax in
//!   `s = f/(2+f)`), `e ln2` in two parts; `log2`/`log10` multiply by log2(e)/log10(e).
//! - `sin`/`cos`/`tan`: `x = k π/2 + r`, fdlibm's kernels on |r| ≤ π/4, the quadrant by `k mod 4`;
//!   `tan = sin/cos`. Up to |x| = 2^30 the reduction is Cody–Waite with π/2 in three parts (`fma`); above, a branch
//!   to a Payne–Hanek reduction: the significand times the 192 bits of 2/π that matter for its exponent, read from a
//!   `.const` table of 2/π's first 1216 bits (`__ptx_kernel_two_over_pi`, declared by kernels that use these), in
//!   64-bit integer arithmetic. Both are accurate to about 1 ulp of `r` over the whole finite range, hardest cases
//!   included; ±inf gives NaN. Kernels whose arguments stay below 2^30 pay one compare and branch.
//! - `tanh`: `t = expm1(2|x|)` (a Taylor series below ln2, `exp - 1` above), `t / (t + 2)`, sign copied.
//! - `powf`: `exp(y ln|x|)` in the manner of ARM's optimized-routines `pow` (also glibc's and musl's), with our
//!   own tables: `ln|x|` to about 2^-68 relative as a double-double (`x = 2^k z`, `z` in one of 128 subintervals
//!   around 1 with `ln c` and `1/c` from a `.const` table, a Taylor polynomial in `r = z/c - 1`), `y ln|x|` as a
//!   double-double, and `exp` of it with its tail (`2^(i/128)` from a second table, a Taylor polynomial on
//!   |r| ≤ ln2/256, the scaling in two steps so that subnormal results round once): measured within 0.505 ulp of
//!   the exact value over the whole range. The IEEE special cases (`x^0 = 1`, `1^y = 1`, ±0, ±inf, NaN, negative
//!   bases with integer exponents) as Rust's `powf`, by selects after the computation.
//! - `powi`: square-and-multiply in the operand's own precision, exactly as compiler-rt's `__powidf2`/`__powisf2`
//!   (what Rust's `powi` calls), so it matches the host bit for bit.
//! - `hypot`: f32 as `sqrt(x² + y²)` in f64; f64 scaled, `max · sqrt(1 + (min/max)²)`; ±inf beats NaN.
//!
//! The measured bounds (random inputs, emulator vs the host's libm) are in `ptx_kernel::gpu`'s documentation and
//! pinned by `tests/exec_math.rs`.

// fdlibm's constants are written as published.
#![allow(clippy::excessive_precision)]

use ptx_gen::{Address, BinOp, CmpOp, CvtMode, MemAccess, Mode, Operand, Reg, StateSpace, Type, UnOp};

use super::lower::Lowerer;
use super::types::ScalarTy;

/// A float method implemented here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn {
    Exp,
    Exp2,
    Ln,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Tanh,
    Powf,
    Powi,
    Recip,
    Hypot,
}

const F: Type = Type::F64;

/// Up to this |x| `sin`/`cos`/`tan` reduce with the three-part π/2 (see `sincos64`); above, Payne–Hanek.
const CODY_WAITE_MAX: f64 = 1_073_741_824.0; // 2^30

/// The name of the `.const` table of 2/π's bits that the large-argument reduction reads.
const TWO_OVER_PI_NAME: &str = "__ptx_kernel_two_over_pi";

/// The bits of 2/π = 0.A2F9836E…₁₆, 64 to a word, after one zero word: word `j ≥ 1` holds bits `64(j-1)+1 ..= 64j`
/// after the binary point. 1216 bits cover what the largest double needs (bits up to 1161) with the window's
/// fourth word. `floor(2^1216 · 2/π)`, computed with integer arithmetic from Machin's formula and with mpmath;
/// `tests::two_over_pi_table_is_two_over_pi` checks it against π.
const TWO_OVER_PI: [u64; 20] = [
    0x0000_0000_0000_0000, 0xA2F9_836E_4E44_1529, 0xFC27_57D1_F534_DDC0, 0xDB62_9599_3C43_9041, 0xFE51_63AB_DEBB_C561,
    0xB724_6E3A_424D_D2E0, 0x0649_2EEA_09D1_921C, 0xFE1D_EB1C_B129_A73E, 0xE882_35F5_2EBB_4484, 0xE99C_7026_B45F_7E41,
    0x3991_D639_8353_39F4, 0x9C84_5F8B_BDF9_283B, 0x1FF8_97FF_DE05_980F, 0xEF2F_118B_5A0A_6D1F, 0x6D36_7ECF_27CB_09B7,
    0x4F46_3F66_9E5F_EA2D, 0x7527_BAC7_EBE5_F17B, 0x3D07_39F7_8A52_92EA, 0x6BFB_5FB1_1F8D_5D08, 0x5603_3046_FC7B_6BAB,
];

/// The names of the `.const` tables that `powf` reads.
const POW_LOG_NAME: &str = "__ptx_kernel_pow_log";
const POW_EXP_NAME: &str = "__ptx_kernel_pow_exp";

/// The start of `pow`'s reduced range [OFF, 2·OFF) ≈ [0.709, 1.418) of `ln`'s argument, chosen so that 1 is the
/// middle (in bits) of its subinterval.
const POW_LOG_OFF: u64 = 0x3FE6_B000_0000_0000;

/// `pow`'s `ln` table, as bits: for subinterval `i` (bit patterns `OFF + i·2^45 ..`), `1/c` (the reciprocal of its
/// middle rounded to a multiple of 2^-7 below 1, 2^-8 above; exactly 1 for the subinterval of 1), `ln c` rounded
/// to a multiple of 2^-43, and `ln c` minus that, rounded. Computed with mpmath at 400 bits;
/// `tests::pow_tables_are_logs_and_powers_of_two` checks it.
const POW_LOG_TABLE: [u64; 384] = [
    0x3ff6800000000000, 0xbfd5d1bdbf580800, 0xbd1ca508d8e0f720, 0x3ff6600000000000, 0xbfd5767717455800,
    0xbd2362a4d5b6506d, 0x3ff6400000000000, 0xbfd51aad872df800, 0xbce684e49eb067d5, 0x3ff6200000000000,
    0xbfd4be5f95777800, 0xbd041b6993293ee0, 0x3ff6000000000000, 0xbfd4618bc21c6000, 0x3d13d82f484c84cc,
    0x3ff5e00000000000, 0xbfd404308686a800, 0x3cdc42f3ed820b3a, 0x3ff5c00000000000, 0xbfd3a64c55694800,
    0x3d20b1c686519460, 0x3ff5a00000000000, 0xbfd347dd9a988000, 0x3d25594dd4c58092, 0x3ff5800000000000,
    0xbfd2e8e2bae12000, 0x3d267b1e99b72bd8, 0x3ff5800000000000, 0xbfd2e8e2bae12000, 0x3d267b1e99b72bd8,
    0x3ff5600000000000, 0xbfd2895a13de8800, 0x3d15ca14b6cfb03f, 0x3ff5400000000000, 0xbfd22941fbcf7800,
    0xbd165a242853da76, 0x3ff5200000000000, 0xbfd1c898c1699800, 0xbd1fafbc68e75404, 0x3ff5000000000000,
    0xbfd1675cababa800, 0x3d1f1fc63382a8f0, 0x3ff4e00000000000, 0xbfd1058bf9ae4800, 0xbd26a8c4fd055a66,
    0x3ff4c00000000000, 0xbfd0a324e2739000, 0xbd0c6bee7ef4030e, 0x3ff4a00000000000, 0xbfd0402594b4d000,
    0xbcf036b89ef42d7f, 0x3ff4a00000000000, 0xbfd0402594b4d000, 0xbcf036b89ef42d7f, 0x3ff4800000000000,
    0xbfcfb9186d5e4000, 0x3d0d572aab993c87, 0x3ff4600000000000, 0xbfcef0adcbdc6000, 0x3d2b26b79c86af24,
    0x3ff4400000000000, 0xbfce27076e2af000, 0xbd172f4f543fff10, 0x3ff4200000000000, 0xbfcd5c216b4fc000,
    0x3d21ba91bbca681b, 0x3ff4200000000000, 0xbfcd5c216b4fc000, 0x3d21ba91bbca681b, 0x3ff4000000000000,
    0xbfcc8ff7c79aa000, 0x3d27794f689f8434, 0x3ff3e00000000000, 0xbfcbc286742d9000, 0x3d194eb0318bb78f,
    0x3ff3c00000000000, 0xbfcaf3c94e80c000, 0x3cba4e633fcd9066, 0x3ff3c00000000000, 0xbfcaf3c94e80c000,
    0x3cba4e633fcd9066, 0x3ff3a00000000000, 0xbfca23bc1fe2b000, 0xbd258c64dc46c1ea, 0x3ff3800000000000,
    0xbfc9525a9cf45000, 0xbd2ad1d904c1d4e3, 0x3ff3600000000000, 0xbfc87fa06520d000, 0x3d2bbdbf7fdbfa09,
    0x3ff3600000000000, 0xbfc87fa06520d000, 0x3d2bbdbf7fdbfa09, 0x3ff3400000000000, 0xbfc7ab890210e000,
    0x3d2bdb9072534a58, 0x3ff3200000000000, 0xbfc6d60fe719d000, 0xbd10e46aa3b2e266, 0x3ff3000000000000,
    0xbfc5ff3070a79000, 0xbd1e9e439f105039, 0x3ff3000000000000, 0xbfc5ff3070a79000, 0xbd1e9e439f105039,
    0x3ff2e00000000000, 0xbfc526e5e3a1b000, 0xbd20de8b90075b8f, 0x3ff2c00000000000, 0xbfc44d2b6ccb8000,
    0x3d170cc16135783c, 0x3ff2c00000000000, 0xbfc44d2b6ccb8000, 0x3d170cc16135783c, 0x3ff2a00000000000,
    0xbfc371fc201e9000, 0x3cf178864d27543a, 0x3ff2800000000000, 0xbfc29552f81ff000, 0xbd248d301771c408,
    0x3ff2800000000000, 0xbfc29552f81ff000, 0xbd248d301771c408, 0x3ff2600000000000, 0xbfc1b72ad52f6000,
    0xbd2e80a41811a396, 0x3ff2400000000000, 0xbfc0d77e7cd09000, 0x3d0a699688e85bf4, 0x3ff2400000000000,
    0xbfc0d77e7cd09000, 0x3d0a699688e85bf4, 0x3ff2200000000000, 0xbfbfec9131dbe000, 0xbd2575545ca333f2,
    0x3ff2000000000000, 0xbfbe27076e2b0000, 0x3d2a342c2af0003c, 0x3ff2000000000000, 0xbfbe27076e2b0000,
    0x3d2a342c2af0003c, 0x3ff1e00000000000, 0xbfbc5e548f5bc000, 0xbd1d0c57585fbe06, 0x3ff1c00000000000,
    0xbfba926d3a4ae000, 0x3d253935e85baac8, 0x3ff1c00000000000, 0xbfba926d3a4ae000, 0x3d253935e85baac8,
    0x3ff1a00000000000, 0xbfb8c345d631a000, 0x3d137c294d2f5668, 0x3ff1a00000000000, 0xbfb8c345d631a000,
    0x3d137c294d2f5668, 0x3ff1800000000000, 0xbfb6f0d28ae56000, 0xbd269737c93373da, 0x3ff1600000000000,
    0xbfb51b073f062000, 0x3d1f025b61c65e57, 0x3ff1600000000000, 0xbfb51b073f062000, 0x3d1f025b61c65e57,
    0x3ff1400000000000, 0xbfb341d7961be000, 0x3d2c5edaccf913df, 0x3ff1400000000000, 0xbfb341d7961be000,
    0x3d2c5edaccf913df, 0x3ff1200000000000, 0xbfb16536eea38000, 0x3d147c5e768fa309, 0x3ff1200000000000,
    0xbfb16536eea38000, 0x3d147c5e768fa309, 0x3ff1000000000000, 0xbfaf0a30c0118000, 0x3d2d599e83368e91,
    0x3ff0e00000000000, 0xbfab42dd71198000, 0x3d1c827ae5d6704c, 0x3ff0e00000000000, 0xbfab42dd71198000,
    0x3d1c827ae5d6704c, 0x3ff0c00000000000, 0xbfa77458f632c000, 0xbd2cfc4634f2a1ee, 0x3ff0c00000000000,
    0xbfa77458f632c000, 0xbd2cfc4634f2a1ee, 0x3ff0a00000000000, 0xbfa39e87b9fec000, 0x3cf502b7f526feaa,
    0x3ff0a00000000000, 0xbfa39e87b9fec000, 0x3cf502b7f526feaa, 0x3ff0800000000000, 0xbf9f829b0e780000,
    0xbd2980267c7e09e4, 0x3ff0800000000000, 0xbf9f829b0e780000, 0xbd2980267c7e09e4, 0x3ff0600000000000,
    0xbf97b91b07d58000, 0xbd288d5493faa639, 0x3ff0600000000000, 0xbf97b91b07d58000, 0xbd288d5493faa639,
    0x3ff0400000000000, 0xbf8fc0a8b0fc0000, 0xbcdf1e7cf6d3a69c, 0x3ff0400000000000, 0xbf8fc0a8b0fc0000,
    0xbcdf1e7cf6d3a69c, 0x3ff0200000000000, 0xbf7fe02a6b100000, 0xbd19e23f0dda40e4, 0x3ff0200000000000,
    0xbf7fe02a6b100000, 0xbd19e23f0dda40e4, 0x3ff0000000000000, 0x0000000000000000, 0x0000000000000000,
    0x3fefc00000000000, 0x3f80101575890000, 0xbd10c76b999d2be8, 0x3fef800000000000, 0x3f90205658938000,
    0xbd23dc5b06e2f7d2, 0x3fef400000000000, 0x3f98492528c90000, 0xbd2aa0ba325a0c34, 0x3fef000000000000,
    0x3fa0415d89e74000, 0x3d0111c05cf1d753, 0x3feec00000000000, 0x3fa466aed42e0000, 0xbd2c167375bdfd28,
    0x3feea00000000000, 0x3fa67c94f2d4c000, 0xbd029efbec19afa2, 0x3fee600000000000, 0x3faaaef2d0fb0000,
    0x3d20fc1a353bb42e, 0x3fee200000000000, 0x3faeea31c006c000, 0xbd0e113e4fc93b7b, 0x3fede00000000000,
    0x3fb1973bd1466000, 0xbd25325d560d9e9b, 0x3feda00000000000, 0x3fb3bdf5a7d1e000, 0x3d2cc85ea5db4ed7,
    0x3fed800000000000, 0x3fb4d3115d208000, 0xbcf53a2582f4e1ef, 0x3fed400000000000, 0x3fb700d30aeac000,
    0x3cec1e8da99ded32, 0x3fed000000000000, 0x3fb9335e5d594000, 0x3d23115c3abd47da, 0x3fece00000000000,
    0x3fba4e7640b1c000, 0xbd0e42b6b94407c8, 0x3feca00000000000, 0x3fbc885801bc4000, 0x3d2646d1c65aacd3,
    0x3fec800000000000, 0x3fbda72763844000, 0x3d1a89401fa71733, 0x3fec400000000000, 0x3fbfe89139dbe000,
    0xbd2534d64fa10afd, 0x3fec000000000000, 0x3fc1178e8227e000, 0x3d21ef78ce2d07f2, 0x3febe00000000000,
    0x3fc1aa2b7e23f000, 0x3d2ca78e44389934, 0x3feba00000000000, 0x3fc2d1610c868000, 0x3d039d6ccb81b4a1,
    0x3feb800000000000, 0x3fc365fcb0159000, 0x3cc62fa8234b7289, 0x3feb400000000000, 0x3fc4913d8333b000,
    0x3d25837954fdb678, 0x3feb200000000000, 0x3fc527e5e4a1b000, 0x3d2633e8e5697dc7, 0x3feb000000000000,
    0x3fc5bf406b544000, 0xbd127023eb68981c, 0x3feac00000000000, 0x3fc6f0128b757000, 0xbd25118de59c21e1,
    0x3feaa00000000000, 0x3fc7898d85445000, 0xbd1c661070914305, 0x3fea600000000000, 0x3fc8beafeb390000,
    0xbd073d54aae92cd1, 0x3fea400000000000, 0x3fc95a5adcf70000, 0x3d07f22858a0ff6f, 0x3fea200000000000,
    0x3fc9f6c407089000, 0x3d29904d6865817a, 0x3fe9e00000000000, 0x3fcb31d8575bd000, 0xbd0c358d4eace1aa,
    0x3fe9c00000000000, 0x3fcbd087383be000, 0xbd2d4bc4595412b6, 0x3fe9a00000000000, 0x3fcc6ffbc6f01000,
    0xbcf1ec72c5962bd2, 0x3fe9800000000000, 0x3fcd1037f2656000, 0xbd084a7e75b6f6e4, 0x3fe9400000000000,
    0x3fce530effe71000, 0x3cc212276041f430, 0x3fe9200000000000, 0x3fcef5ade4dd0000, 0xbcca211565bb8e11,
    0x3fe9000000000000, 0x3fcf991c6cb3b000, 0x3d1bcbecca0cdf30, 0x3fe8e00000000000, 0x3fd01eae5626c800,
    0xbd16f08c1485e94a, 0x3fe8a00000000000, 0x3fd0c42d67616000, 0x3d27188b163ceae9, 0x3fe8800000000000,
    0x3fd1178e8227e800, 0xbd2c210e63a5f01c, 0x3fe8600000000000, 0x3fd16b5ccbacf800, 0x3d2b9acdf7a51681,
    0x3fe8400000000000, 0x3fd1bf99635a6800, 0x3d2ca6ed5147bdb7, 0x3fe8200000000000, 0x3fd214456d0eb800,
    0x3d0a87deba46baea, 0x3fe8000000000000, 0x3fd269621134d800, 0x3d2c93c1df5bb3b6, 0x3fe7e00000000000,
    0x3fd2bef07cdc9000, 0x3d2a9cfa4a5004f4, 0x3fe7a00000000000, 0x3fd36b6776be1000, 0x3d116ecdb0f177c8,
    0x3fe7800000000000, 0x3fd3c25277333000, 0x3d183b54b606bd5c, 0x3fe7600000000000, 0x3fd419b423d5e800,
    0x3d08e436ec90e09d, 0x3fe7400000000000, 0x3fd4718dc271c800, 0xbd2f27ce0967d675, 0x3fe7200000000000,
    0x3fd4c9e09e173000, 0xbd2e20891b0ad8a4, 0x3fe7000000000000, 0x3fd522ae0738a000, 0x3d2ebe708164c759,
    0x3fe6e00000000000, 0x3fd57bf753c8d000, 0x3d1fadedee5d40ef, 0x3fe6c00000000000, 0x3fd5d5bddf596000,
    0xbd0a0b2a08a465dc, 0x3fe6a00000000000, 0x3fd630030b3ab000, 0xbd2db623e731ae00,
];

/// `pow`'s `exp` table, as bits: for `i` in 0..128, `t` and `bits(s) - (i << 45)` where `s (1 + t) = 2^(i/128)`,
/// `s` the rounded power and `t` the relative rest, rounded. Computed and checked like [`POW_LOG_TABLE`].
const POW_EXP_TABLE: [u64; 256] = [
    0x0000000000000000, 0x3ff0000000000000, 0x3c9b3b4f1a88bf6e, 0x3feff63da9fb3335, 0xbc7160139cd8dc5d,
    0x3fefec9a3e778061, 0xbc905e7a108766d1, 0x3fefe315e86e7f85, 0x3c8cd2523567f613, 0x3fefd9b0d3158574,
    0xbc8bce8023f98efa, 0x3fefd06b29ddf6de, 0x3c60f74e61e6c861, 0x3fefc74518759bc8, 0x3c90a3e45b33d399,
    0x3fefbe3ecac6f383, 0x3c979aa65d837b6d, 0x3fefb5586cf9890f, 0x3c8eb51a92fdeffc, 0x3fefac922b7247f7,
    0x3c3ebe3d702f9cd1, 0x3fefa3ec32d3d1a2, 0xbc6a033489906e0b, 0x3fef9b66affed31b, 0xbc9556522a2fbd0e,
    0x3fef9301d0125b51, 0xbc5080ef8c4eea55, 0x3fef8abdc06c31cc, 0xbc91c923b9d5f416, 0x3fef829aaea92de0,
    0x3c80d3e3e95c55af, 0x3fef7a98c8a58e51, 0xbc801b15eaa59348, 0x3fef72b83c7d517b, 0xbc8f1ff055de323d,
    0x3fef6af9388c8dea, 0x3c8b898c3f1353bf, 0x3fef635beb6fcb75, 0xbc96d99c7611eb26, 0x3fef5be084045cd4,
    0x3c9aecf73e3a2f60, 0x3fef54873168b9aa, 0xbc8fe782cb86389d, 0x3fef4d5022fcd91d, 0x3c8a6f4144a6c38d,
    0x3fef463b88628cd6, 0x3c807a05b0e4047d, 0x3fef3f49917ddc96, 0x3c968efde3a8a894, 0x3fef387a6e756238,
    0x3c875e18f274487d, 0x3fef31ce4fb2a63f, 0x3c80472b981fe7f2, 0x3fef2b4565e27cdd, 0xbc96b87b3f71085e,
    0x3fef24dfe1f56381, 0x3c82f7e16d09ab31, 0x3fef1e9df51fdee1, 0xbc3d219b1a6fbffa, 0x3fef187fd0dad990,
    0x3c8b3782720c0ab4, 0x3fef1285a6e4030b, 0x3c6e149289cecb8f, 0x3fef0cafa93e2f56, 0x3c834d754db0abb6,
    0x3fef06fe0a31b715, 0x3c864201e2ac744c, 0x3fef0170fc4cd831, 0x3c8fdd395dd3f84a, 0x3feefc08b26416ff,
    0xbc86a3803b8e5b04, 0x3feef6c55f929ff1, 0xbc924aedcc4b5068, 0x3feef1a7373aa9cb, 0xbc9907f81b512d8e,
    0x3feeecae6d05d866, 0xbc71d1e83e9436d2, 0x3feee7db34e59ff7, 0xbc991919b3ce1b15, 0x3feee32dc313a8e5,
    0x3c859f48a72a4c6d, 0x3feedea64c123422, 0xbc9312607a28698a, 0x3feeda4504ac801c, 0xbc58a78f4817895b,
    0x3feed60a21f72e2a, 0xbc7c2c9b67499a1b, 0x3feed1f5d950a897, 0x3c4363ed60c2ac11, 0x3feece086061892d,
    0x3c9666093b0664ef, 0x3feeca41ed1d0057, 0x3c6ecce1daa10379, 0x3feec6a2b5c13cd0, 0x3c93ff8e3f0f1230,
    0x3feec32af0d7d3de, 0x3c7690cebb7aafb0, 0x3feebfdad5362a27, 0x3c931dbdeb54e077, 0x3feebcb299fddd0d,
    0xbc8f94340071a38e, 0x3feeb9b2769d2ca7, 0xbc87deccdc93a349, 0x3feeb6daa2cf6642, 0xbc78dec6bd0f385f,
    0x3feeb42b569d4f82, 0xbc861246ec7b5cf6, 0x3feeb1a4ca5d920f, 0x3c93350518fdd78e, 0x3feeaf4736b527da,
    0x3c7b98b72f8a9b05, 0x3feead12d497c7fd, 0x3c9063e1e21c5409, 0x3feeab07dd485429, 0x3c34c7855019c6ea,
    0x3feea9268a5946b7, 0x3c9432e62b64c035, 0x3feea76f15ad2148, 0xbc8ce44a6199769f, 0x3feea5e1b976dc09,
    0xbc8c33c53bef4da8, 0x3feea47eb03a5585, 0xbc845378892be9ae, 0x3feea34634ccc320, 0xbc93cedd78565858,
    0x3feea23882552225, 0x3c5710aa807e1964, 0x3feea155d44ca973, 0xbc93b3efbf5e2228, 0x3feea09e667f3bcd,
    0xbc6a12ad8734b982, 0x3feea012750bdabf, 0xbc6367efb86da9ee, 0x3fee9fb23c651a2f, 0xbc80dc3d54e08851,
    0x3fee9f7df9519484, 0xbc781f647e5a3ecf, 0x3fee9f75e8ec5f74, 0xbc86ee4ac08b7db0, 0x3fee9f9a48a58174,
    0xbc8619321e55e68a, 0x3fee9feb564267c9, 0x3c909ccb5e09d4d3, 0x3feea0694fde5d3f, 0xbc7b32dcb94da51d,
    0x3feea11473eb0187, 0x3c94ecfd5467c06b, 0x3feea1ed0130c132, 0x3c65ebe1abd66c55, 0x3feea2f336cf4e62,
    0xbc88a1c52fb3cf42, 0x3feea427543e1a12, 0xbc9369b6f13b3734, 0x3feea589994cce13, 0xbc805e843a19ff1e,
    0x3feea71a4623c7ad, 0xbc94d450d872576e, 0x3feea8d99b4492ed, 0x3c90ad675b0e8a00, 0x3feeaac7d98a6699,
    0x3c8db72fc1f0eab4, 0x3feeace5422aa0db, 0xbc65b6609cc5e7ff, 0x3feeaf3216b5448c, 0x3c7bf68359f35f44,
    0x3feeb1ae99157736, 0xbc93091fa71e3d83, 0x3feeb45b0b91ffc6, 0xbc5da9b88b6c1e29, 0x3feeb737b0cdc5e5,
    0xbc6c23f97c90b959, 0x3feeba44cbc8520f, 0xbc92434322f4f9aa, 0x3feebd829fde4e50, 0xbc85ca6cd7668e4b,
    0x3feec0f170ca07ba, 0x3c71affc2b91ce27, 0x3feec49182a3f090, 0x3c6dd235e10a73bb, 0x3feec86319e32323,
    0xbc87c50422622263, 0x3feecc667b5de565, 0x3c8b1c86e3e231d5, 0x3feed09bec4a2d33, 0xbc91bbd1d3bcbb15,
    0x3feed503b23e255d, 0x3c90cc319cee31d2, 0x3feed99e1330b358, 0x3c8469846e735ab3, 0x3feede6b5579fdbf,
    0xbc82dfcd978e9db4, 0x3feee36bbfd3f37a, 0x3c8c1a7792cb3387, 0x3feee89f995ad3ad, 0xbc907b8f4ad1d9fa,
    0x3feeee07298db666, 0xbc55c3d956dcaeba, 0x3feef3a2b84f15fb, 0xbc90a40e3da6f640, 0x3feef9728de5593a,
    0xbc68d6f438ad9334, 0x3feeff76f2fb5e47, 0xbc91eee26b588a35, 0x3fef05b030a1064a, 0x3c74ffd70a5fddcd,
    0x3fef0c1e904bc1d2, 0xbc91bdfbfa9298ac, 0x3fef12c25bd71e09, 0x3c736eae30af0cb3, 0x3fef199bdd85529c,
    0x3c8ee3325c9ffd94, 0x3fef20ab5fffd07a, 0x3c84e08fd10959ac, 0x3fef27f12e57d14b, 0x3c63cdaf384e1a67,
    0x3fef2f6d9406e7b5, 0x3c676b2c6c921968, 0x3fef3720dcef9069, 0xbc808a1883ccb5d2, 0x3fef3f0b555dc3fa,
    0xbc8fad5d3ffffa6f, 0x3fef472d4a07897c, 0xbc900dae3875a949, 0x3fef4f87080d89f2, 0x3c74a385a63d07a7,
    0x3fef5818dcfba487, 0xbc82919e2040220f, 0x3fef60e316c98398, 0x3c8e5a50d5c192ac, 0x3fef69e603db3285,
    0x3c843a59ac016b4b, 0x3fef7321f301b460, 0xbc82d52107b43e1f, 0x3fef7c97337b9b5f, 0xbc892ab93b470dc9,
    0x3fef864614f5a129, 0x3c74b604603a88d3, 0x3fef902ee78b3ff6, 0x3c83c5ec519d7271, 0x3fef9a51fbc74c83,
    0xbc8ff7128fd391f0, 0x3fefa4afa2a490da, 0xbc8dae98e223747d, 0x3fefaf482d8e67f1, 0x3c8ec3bc41aa2008,
    0x3fefba1bee615a27, 0x3c842b94c3a9eb32, 0x3fefc52b376bba97, 0x3c8a64a931d185ee, 0x3fefd0765b6e4540,
    0xbc8e37bae43be3ed, 0x3fefdbfdad9cbe14, 0x3c77893b4d91cd9d, 0x3fefe7c1819e90d8, 0x3c5305c14160cc89,
    0x3feff3c22b8f71f1,
];

fn c(v: f64) -> Operand {
    Operand::f64(v)
}

impl Lowerer<'_, '_, '_> {
    /// `recv.f(args)` of float type `t`.
    pub(super) fn math(&mut self, f: MathFn, recv: Operand, args: &[Operand], t: ScalarTy) -> Operand {
        let rt = t.reg_type();
        let x = self.reg(recv, t);
        let arg = args.first().copied().unwrap_or(Operand::u32(0));
        if f == MathFn::Recip {
            return Operand::Reg(self.b.ins().unary(UnOp::Rcp, Mode::Rn, rt, x));
        }
        if f == MathFn::Powi {
            let n = self.reg(arg, ScalarTy::I32);
            return Operand::Reg(self.powi(x, n, rt));
        }
        if f == MathFn::Hypot && t == ScalarTy::F32 {
            // Exact squares and sum in f64 (no overflow, at most one rounding before sqrt): ≤ 1 f32 ulp.
            let y = self.reg(arg, t);
            let mut ins = self.b.ins();
            let xd = ins.cvt(CvtMode::None, false, F, Type::F32, x);
            let yd = ins.cvt(CvtMode::None, false, F, Type::F32, y);
            let yy = ins.binary(BinOp::Mul, Mode::Rn, F, yd, yd);
            let s = ins.fma(F, Mode::Rn, xd, xd, yy);
            let r = ins.unary(UnOp::Sqrt, Mode::Rn, F, s);
            let h = ins.cvt(CvtMode::Rn, false, Type::F32, F, r);
            return Operand::Reg(self.inf_wins(h, x, y, Type::F32));
        }
        let wide = |this: &mut Self, r: Reg| -> Reg {
            if t == ScalarTy::F32 {
                this.b.ins().cvt(CvtMode::None, false, F, Type::F32, r)
            } else {
                r
            }
        };
        let xd = wide(self, x);
        let yd = if matches!(f, MathFn::Powf | MathFn::Hypot) {
            let y = self.reg(arg, t);
            Some(wide(self, y))
        } else {
            None
        };
        let yd = yd.unwrap_or(xd);
        let r = match f {
            MathFn::Exp => self.exp64(xd),
            MathFn::Exp2 => self.exp2_64(xd),
            MathFn::Ln => self.ln64(xd),
            MathFn::Log2 => {
                let l = self.ln64(xd);
                self.b.ins().binary(BinOp::Mul, Mode::Rn, F, l, c(std::f64::consts::LOG2_E))
            }
            MathFn::Log10 => {
                let l = self.ln64(xd);
                self.b.ins().binary(BinOp::Mul, Mode::Rn, F, l, c(std::f64::consts::LOG10_E))
            }
            MathFn::Sin => {
                // sin(±0) = ±0 (the reduction loses the sign of zero).
                let s = self.sincos64(xd).0;
                self.keep_zero(xd, s)
            }
            MathFn::Cos => self.sincos64(xd).1,
            MathFn::Tan => {
                let (s, co) = self.sincos64(xd);
                let t = self.b.ins().binary(BinOp::Div, Mode::Rn, F, s, co);
                self.keep_zero(xd, t)
            }
            MathFn::Tanh => self.tanh64(xd),
            MathFn::Powf => self.pow64(xd, yd),
            MathFn::Hypot => self.hypot64(xd, yd),
            MathFn::Recip | MathFn::Powi => unreachable!("handled above"),
        };
        if t == ScalarTy::F32 {
            Operand::Reg(self.b.ins().cvt(CvtMode::Rn, false, Type::F32, F, r))
        } else {
            Operand::Reg(r)
        }
    }

    /// `x` itself where it is ±0, else `v`.
    fn keep_zero(&mut self, x: Reg, v: Reg) -> Reg {
        let mut ins = self.b.ins();
        let z = ins.setp(CmpOp::Eq, F, x, c(0.0));
        ins.selp(F, x, v, z)
    }

    /// `bits(x)` as a `.b64` register.
    fn bits(&mut self, x: Reg) -> Reg {
        let b = self.b.func_mut().new_reg(Type::B64);
        self.b.ins().mov_to(b, x);
        b
    }

    /// An f64 register holding the bits of the 64-bit integer register `v`.
    fn f64_from_int(&mut self, v: Reg) -> Reg {
        let f = self.b.func_mut().new_reg(F);
        self.b.push(ptx_gen::InstKind::Mov { ty: Type::B64, dst: f, src: Operand::Reg(v) });
        f
    }

    /// An f64 register holding `bits`.
    fn f64_from_bits(&mut self, bits: Reg) -> Reg {
        let f = self.b.func_mut().new_reg(F);
        self.b.ins().mov_to(f, bits);
        f
    }

    /// Horner's scheme: `c[0] + x (c[1] + x (c[2] + …))`.
    fn horner(&mut self, x: Reg, coeffs: &[f64]) -> Reg {
        let mut ins = self.b.ins();
        let n = coeffs.len();
        let mut acc = ins.mov(F, c(coeffs[n - 1]));
        for &k in coeffs[..n - 1].iter().rev() {
            acc = ins.fma(F, Mode::Rn, acc, x, c(k));
        }
        acc
    }

    /// `2^n` for an s32 `n` in [-1022, 1023].
    fn pow2(&mut self, n: Reg) -> Reg {
        let mut ins = self.b.ins();
        let e = ins.binary(BinOp::Add, Mode::None, Type::S32, n, Operand::Imm(ptx_gen::Imm::int(1023, Type::S32)));
        let e64 = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, e);
        let b = ins.binary(BinOp::Shl, Mode::None, Type::B64, e64, Operand::u32(52));
        self.f64_from_bits(b)
    }

    /// `p · 2^k` for an integral f64 `k` (clamped to [-1100, 1100]): two exact power-of-two factors, so a
    /// subnormal result is rounded once.
    fn scale(&mut self, p: Reg, k: Reg) -> Reg {
        let mut ins = self.b.ins();
        let kc = ins.binary(BinOp::Max, Mode::None, F, k, c(-1100.0));
        let kc = ins.binary(BinOp::Min, Mode::None, F, kc, c(1100.0));
        let n = ins.cvt(CvtMode::Rzi, false, Type::S32, F, kc);
        let n1 = ins.binary(BinOp::Shr, Mode::None, Type::S32, n, Operand::u32(1));
        let n2 = ins.binary(BinOp::Sub, Mode::None, Type::S32, n, n1);
        let s1 = self.pow2(n1);
        let s2 = self.pow2(n2);
        let mut ins = self.b.ins();
        let a = ins.binary(BinOp::Mul, Mode::Rn, F, p, s1);
        ins.binary(BinOp::Mul, Mode::Rn, F, a, s2)
    }

    /// e^r for |r| ≤ ln2/2 + a little: Taylor to degree 13.
    fn exp_poly(&mut self, r: Reg) -> Reg {
        let mut coeffs = [0.0f64; 14];
        let mut f = 1.0f64;
        for (i, k) in coeffs.iter_mut().enumerate() {
            if i > 0 {
                f *= i as f64;
            }
            *k = 1.0 / f;
        }
        self.horner(r, &coeffs)
    }

    /// Overflow to +inf above `hi`, underflow to 0 below `lo`.
    fn exp_limits(&mut self, x: Reg, v: Reg, hi: f64, lo: f64) -> Reg {
        let mut ins = self.b.ins();
        let big = ins.setp(CmpOp::Gt, F, x, c(hi));
        let v = ins.selp(F, c(f64::INFINITY), v, big);
        let small = ins.setp(CmpOp::Lt, F, x, c(lo));
        ins.selp(F, c(0.0), v, small)
    }

    pub(super) fn exp64(&mut self, x: Reg) -> Reg {
        const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
        const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
        let mut ins = self.b.ins();
        let k = ins.binary(BinOp::Mul, Mode::Rn, F, x, c(std::f64::consts::LOG2_E));
        let k = ins.cvt(CvtMode::Rni, false, F, F, k);
        let r = ins.fma(F, Mode::Rn, k, c(-LN2_HI), x);
        let r = ins.fma(F, Mode::Rn, k, c(-LN2_LO), r);
        let p = self.exp_poly(r);
        let v = self.scale(p, k);
        self.exp_limits(x, v, 709.782_712_893_384, -745.133_219_101_941_2)
    }

    fn exp2_64(&mut self, x: Reg) -> Reg {
        let mut ins = self.b.ins();
        let k = ins.cvt(CvtMode::Rni, false, F, F, x);
        let f = ins.binary(BinOp::Sub, Mode::Rn, F, x, k);
        let r = ins.binary(BinOp::Mul, Mode::Rn, F, f, c(std::f64::consts::LN_2));
        let p = self.exp_poly(r);
        let v = self.scale(p, k);
        self.exp_limits(x, v, 1024.0 - 1e-12, -1075.0)
    }

    /// Natural logarithm (fdlibm `__ieee754_log`).
    pub(super) fn ln64(&mut self, x: Reg) -> Reg {
        const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
        const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
        const LG: [f64; 7] = [
            6.666_666_666_666_735_130e-1, 3.999_999_999_940_941_908e-1, 2.857_142_874_366_239_149e-1,
            2.222_219_843_214_978_396e-1, 1.818_357_216_161_805_012e-1, 1.531_383_769_920_937_332e-1,
            1.479_819_860_511_658_591e-1,
        ];
        let mut ins = self.b.ins();
        // Subnormals: scale into the normal range.
        let sub = ins.setp(CmpOp::Lt, F, x, c(f64::MIN_POSITIVE));
        let xs = ins.binary(BinOp::Mul, Mode::Rn, F, x, c(18_014_398_509_481_984.0)); // 2^54
        let xs = ins.selp(F, xs, x, sub);
        let adj =
            ins.selp(Type::S32, Operand::Imm(ptx_gen::Imm::int(-54, Type::S32)), Operand::Imm(ptx_gen::Imm(0)), sub);
        let b = self.bits(xs);
        let mut ins = self.b.ins();
        let eb = ins.binary(BinOp::Shr, Mode::None, Type::U64, b, Operand::u32(52));
        let eb = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, eb);
        let eb = ins.binary(BinOp::And, Mode::None, Type::B32, eb, Operand::u32(0x7ff));
        let e = ins.binary(BinOp::Add, Mode::None, Type::S32, eb, Operand::Imm(ptx_gen::Imm::int(-1023, Type::S32)));
        let e = ins.binary(BinOp::Add, Mode::None, Type::S32, e, adj);
        let mb = ins.binary(BinOp::And, Mode::None, Type::B64, b, Operand::u64(0x000F_FFFF_FFFF_FFFF));
        let mb = ins.binary(BinOp::Or, Mode::None, Type::B64, mb, Operand::u64(0x3FF0_0000_0000_0000));
        let m = self.f64_from_bits(mb);
        let mut ins = self.b.ins();
        let big = ins.setp(CmpOp::Gt, F, m, c(std::f64::consts::SQRT_2));
        let mh = ins.binary(BinOp::Mul, Mode::Rn, F, m, c(0.5));
        let m = ins.selp(F, mh, m, big);
        let e1 = ins.binary(BinOp::Add, Mode::None, Type::S32, e, Operand::Imm(ptx_gen::Imm::int(1, Type::S32)));
        let e = ins.selp(Type::S32, e1, e, big);
        let f = ins.binary(BinOp::Sub, Mode::Rn, F, m, c(1.0));
        let two_f = ins.binary(BinOp::Add, Mode::Rn, F, f, c(2.0));
        let s = ins.binary(BinOp::Div, Mode::Rn, F, f, two_f);
        let dk = ins.cvt(CvtMode::Rn, false, F, Type::S32, e);
        let z = ins.binary(BinOp::Mul, Mode::Rn, F, s, s);
        let rp = self.horner(z, &LG);
        let mut ins = self.b.ins();
        let r = ins.binary(BinOp::Mul, Mode::Rn, F, z, rp);
        let ff = ins.binary(BinOp::Mul, Mode::Rn, F, f, f);
        let hfsq = ins.binary(BinOp::Mul, Mode::Rn, F, ff, c(0.5));
        // dk*ln2_hi - ((hfsq - (s*(hfsq+R) + dk*ln2_lo)) - f)
        let t1 = ins.binary(BinOp::Add, Mode::Rn, F, hfsq, r);
        let t2 = ins.binary(BinOp::Mul, Mode::Rn, F, dk, c(LN2_LO));
        let t3 = ins.fma(F, Mode::Rn, s, t1, t2);
        let t4 = ins.binary(BinOp::Sub, Mode::Rn, F, hfsq, t3);
        let t5 = ins.binary(BinOp::Sub, Mode::Rn, F, t4, f);
        let hi = ins.binary(BinOp::Mul, Mode::Rn, F, dk, c(LN2_HI));
        let v = ins.binary(BinOp::Sub, Mode::Rn, F, hi, t5);
        // Specials: ln(0) = -inf, ln(x < 0) = NaN, ln(inf) = inf, NaN stays.
        let zero = ins.setp(CmpOp::Eq, F, x, c(0.0));
        let v = ins.selp(F, c(f64::NEG_INFINITY), v, zero);
        let neg = ins.setp(CmpOp::Lt, F, x, c(0.0));
        let v = ins.selp(F, c(f64::NAN), v, neg);
        let inf = ins.setp(CmpOp::Eq, F, x, c(f64::INFINITY));
        let v = ins.selp(F, c(f64::INFINITY), v, inf);
        let nan = ins.setp(CmpOp::Nan, F, x, x);
        ins.selp(F, x, v, nan)
    }

    /// `(sin x, cos x)`.
    fn sincos64(&mut self, x: Reg) -> (Reg, Reg) {
        const P1: f64 = f64::from_bits(0x3FF9_21FB_5444_2D18);
        const P2: f64 = f64::from_bits(0x3C91_A626_3314_5C07);
        const P3: f64 = f64::from_bits(0xB91F_1976_B7ED_8FBC);
        const S: [f64; 6] = [
            -1.666_666_666_666_663_243_48e-1,
            8.333_333_333_322_489_461_24e-3,
            -1.984_126_982_985_794_931_34e-4,
            2.755_731_370_707_006_767_89e-6,
            -2.505_076_025_340_686_341_95e-8,
            1.589_690_995_211_550_102_21e-10,
        ];
        const C: [f64; 6] = [
            4.166_666_666_666_660_190_37e-2,
            -1.388_888_888_887_410_957_49e-3,
            2.480_158_728_947_672_941_78e-5,
            -2.755_731_435_139_066_330_35e-7,
            2.087_572_321_298_174_827_90e-9,
            -1.135_964_755_778_819_482_65e-11,
        ];
        // The reduction `x = k π/2 + r`, |r| ≤ π/4 (a little more where `k` rounds the other way), and `q = k mod 4`:
        // three-part Cody–Waite up to 2^30, Payne–Hanek above (and for ±inf, which gives NaN; NaN stays here).
        let r = self.b.func_mut().new_reg(F);
        let q = self.b.func_mut().new_reg(Type::S32);
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, F, x);
        let huge = ins.setp(CmpOp::Gt, F, ax, c(CODY_WAITE_MAX));
        let (fast, slow, join) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.branch(huge, slow, fast);
        self.open(fast);
        let mut ins = self.b.ins();
        let k = ins.binary(BinOp::Mul, Mode::Rn, F, x, c(std::f64::consts::FRAC_2_PI));
        let k = ins.cvt(CvtMode::Rni, false, F, F, k);
        // x - k P1 is exact (k = 0 below π/4; above, both are multiples of 2^-53 and the difference is below 2);
        // the two roundings after it and k (P2 + P3) ≈ k π/2 - k P1 to 2^-163 relative keep r accurate to about
        // 1 ulp for |k| < 2^30, also where x is within 2^-60 of a multiple of π/2.
        let rf = ins.fma(F, Mode::Rn, k, c(-P1), x);
        let rf = ins.fma(F, Mode::Rn, k, c(-P2), rf);
        let rf = ins.fma(F, Mode::Rn, k, c(-P3), rf);
        ins.mov_to(r, rf);
        // The quadrant: k mod 4.
        let kr = ins.binary(BinOp::Mul, Mode::Rn, F, k, c(0.25));
        let kr = ins.cvt(CvtMode::Rmi, false, F, F, kr);
        let qf = ins.fma(F, Mode::Rn, kr, c(-4.0), k);
        let qf = ins.cvt(CvtMode::Rzi, false, Type::S32, F, qf);
        ins.mov_to(q, qf);
        self.b.jump(join);
        self.open(slow);
        let (rs, qs) = self.rem_pio2_large(x);
        let mut ins = self.b.ins();
        ins.mov_to(r, rs);
        ins.mov_to(q, qs);
        self.b.jump(join);
        self.open(join);
        let mut ins = self.b.ins();
        let z = ins.binary(BinOp::Mul, Mode::Rn, F, r, r);
        // sin: r + r z (S1 + z (S2 + …))
        let sp = self.horner(z, &S);
        let mut ins = self.b.ins();
        let v = ins.binary(BinOp::Mul, Mode::Rn, F, z, r);
        let sn = ins.fma(F, Mode::Rn, v, sp, r);
        // cos: w + (((1 - w) - hz) + z z C(z)), hz = z/2, w = 1 - hz
        let cp = self.horner(z, &C);
        let mut ins = self.b.ins();
        let zz = ins.binary(BinOp::Mul, Mode::Rn, F, z, z);
        let hz = ins.binary(BinOp::Mul, Mode::Rn, F, z, c(0.5));
        let w = ins.binary(BinOp::Sub, Mode::Rn, F, c(1.0), hz);
        let t = ins.binary(BinOp::Sub, Mode::Rn, F, c(1.0), w);
        let t = ins.binary(BinOp::Sub, Mode::Rn, F, t, hz);
        let t = ins.fma(F, Mode::Rn, zz, cp, t);
        let cs = ins.binary(BinOp::Add, Mode::Rn, F, w, t);
        let nsn = ins.unary(UnOp::Neg, Mode::None, F, sn);
        let ncs = ins.unary(UnOp::Neg, Mode::None, F, cs);
        let q1 = ins.setp(CmpOp::Eq, Type::S32, q, Operand::Imm(ptx_gen::Imm(1)));
        let q2 = ins.setp(CmpOp::Eq, Type::S32, q, Operand::Imm(ptx_gen::Imm(2)));
        let q3 = ins.setp(CmpOp::Eq, Type::S32, q, Operand::Imm(ptx_gen::Imm(3)));
        // sin: q0 s, q1 c, q2 -s, q3 -c; cos: q0 c, q1 -s, q2 -c, q3 s.
        let s_ = ins.selp(F, cs, sn, q1);
        let s_ = ins.selp(F, nsn, s_, q2);
        let s_ = ins.selp(F, ncs, s_, q3);
        let c_ = ins.selp(F, nsn, cs, q1);
        let c_ = ins.selp(F, ncs, c_, q2);
        let c_ = ins.selp(F, sn, c_, q3);
        (s_, c_)
    }

    /// Payne–Hanek: `(r, k mod 4)` with `x = k π/2 + r`, |r| ≤ π/4, for finite |x| > 2^30; NaN for ±inf.
    ///
    /// With `x = m 2^(E-52)` (m the 53-bit significand), `x·2/π mod 4` only needs the bits of 2/π from `2^-(E-53)`
    /// on: earlier ones contribute multiples of 4. 192 of them (`w`, from [`TWO_OVER_PI`] at a bit offset, four
    /// `ld.const` and funnel shifts) times `m` give `x·2/π mod 4` as a fixed-point number with 2 integer and 190
    /// fraction bits (the product's low 192 bits, of which the lowest 64 are not formed: truncation error below
    /// 2^-125 in `x·2/π`). Rounding the fraction to the nearest integer gives `k`; what is left, `f` in [-½, ½), is
    /// at least 2^-62 in magnitude for every double (the closest is 6381956970095103·2^797, where |f| ≈ 2^-61.6),
    /// so it is known to 2^-64 relative; its top 64 bits, normalised with `clz`, are multiplied by π/2 in
    /// double-double and rounded once: `r` is correctly rounded up to a few 2^-64 relative.
    fn rem_pio2_large(&mut self, x: Reg) -> (Reg, Reg) {
        const PIO2_LO: f64 = 6.123_233_995_736_766_035_87e-17; // π/2 - FRAC_PI_2
        let table = self.module_var(ptx_gen::VarData {
            name: TWO_OVER_PI_NAME.to_owned(),
            space: StateSpace::Const,
            ty: Type::B64,
            len: Some(TWO_OVER_PI.len() as u64),
            align: 8,
            init: TWO_OVER_PI.to_vec(),
        });
        let u32_ = |v: u32| Operand::u32(v);
        let b = self.bits(x);
        let mut ins = self.b.ins();
        // Biased exponent e ∈ [1053, 2046] (±inf clamped to stay inside the table): the wanted bits start at bit
        // `e - 1013` of the table (whose first word is zero, for the exponents where they start before 2/π's).
        let e = ins.binary(BinOp::Shr, Mode::None, Type::U64, b, u32_(52));
        let e = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, e);
        let e = ins.binary(BinOp::And, Mode::None, Type::B32, e, u32_(0x7ff));
        let e = ins.binary(BinOp::Min, Mode::None, Type::U32, e, u32_(2046));
        let off = ins.binary(BinOp::Sub, Mode::None, Type::U32, e, u32_(1013));
        let word = ins.binary(BinOp::Shr, Mode::None, Type::U32, off, u32_(6));
        let sh = ins.binary(BinOp::And, Mode::None, Type::B32, off, u32_(63));
        // A shift by 64 gives 0 (PTX clamps the amount), so `sh = 0` needs no special case.
        let rsh = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(64), sh);
        let word = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, word);
        let wb = ins.binary(BinOp::Shl, Mode::None, Type::B64, word, u32_(3));
        let base = ins.addr_of(table);
        let at = ins.binary(BinOp::Add, Mode::None, Type::S64, base, wb);
        let load = MemAccess::new(StateSpace::Const, Type::B64);
        let u: Vec<Reg> = (0..4).map(|k| ins.ld(load, Address::reg_offset(at, 8 * k))).collect();
        let w: Vec<Reg> = (0..3)
            .map(|k| {
                let h = ins.binary(BinOp::Shl, Mode::None, Type::B64, u[k], sh);
                let l = ins.binary(BinOp::Shr, Mode::None, Type::B64, u[k + 1], rsh);
                ins.binary(BinOp::Or, Mode::None, Type::B64, h, l)
            })
            .collect();
        let m = ins.binary(BinOp::And, Mode::None, Type::B64, b, Operand::u64(0x000F_FFFF_FFFF_FFFF));
        let m = ins.binary(BinOp::Or, Mode::None, Type::B64, m, Operand::u64(1 << 52));
        // p2:p1 = (m·w) mod 2^192 without its low word: m·w2 / 2^64 + (m·w1) + (m·w0 mod 2^64)·2^64.
        let l1 = ins.binary(BinOp::Mul, Mode::Lo, Type::U64, m, w[1]);
        let h2 = ins.binary(BinOp::Mul, Mode::Hi, Type::U64, m, w[2]);
        let p1 = ins.binary(BinOp::Add, Mode::None, Type::U64, l1, h2);
        let carry = ins.setp(CmpOp::Lt, Type::U64, p1, l1);
        let carry = ins.selp(Type::U64, Operand::u64(1), Operand::u64(0), carry);
        let l0 = ins.binary(BinOp::Mul, Mode::Lo, Type::U64, m, w[0]);
        let h1 = ins.binary(BinOp::Mul, Mode::Hi, Type::U64, m, w[1]);
        let p2 = ins.binary(BinOp::Add, Mode::None, Type::U64, l0, h1);
        let p2 = ins.binary(BinOp::Add, Mode::None, Type::U64, p2, carry);
        // The fraction's 128 bits hi:lo (the top 2 bits of p2 are the integer part mod 4); as a signed number it is
        // f = fraction - 1 where the fraction is ≥ ½ (then k is one more).
        let hi = ins.binary(BinOp::Shl, Mode::None, Type::B64, p2, u32_(2));
        let t = ins.binary(BinOp::Shr, Mode::None, Type::B64, p1, u32_(62));
        let hi = ins.binary(BinOp::Or, Mode::None, Type::B64, hi, t);
        let lo = ins.binary(BinOp::Shl, Mode::None, Type::B64, p1, u32_(2));
        let k = ins.binary(BinOp::Shr, Mode::None, Type::U64, p2, u32_(62));
        let up = ins.binary(BinOp::Shr, Mode::None, Type::U64, hi, u32_(63));
        let k = ins.binary(BinOp::Add, Mode::None, Type::U64, k, up);
        let k = ins.cvt(CvtMode::None, false, Type::U32, Type::U64, k);
        let neg = ins.setp(CmpOp::Lt, Type::S64, hi, Operand::u64(0));
        // |f|: the one's complement where negative (off by 2^-128, far below what matters).
        let sg = ins.binary(BinOp::Shr, Mode::None, Type::S64, hi, u32_(63));
        let hm = ins.binary(BinOp::Xor, Mode::None, Type::B64, hi, sg);
        let lm = ins.binary(BinOp::Xor, Mode::None, Type::B64, lo, sg);
        // Normalise: the top 64 significant bits of |f| = nh·2^(-64-n).
        let n = ins.unary(UnOp::Clz, Mode::None, Type::B64, hm);
        let hn = ins.binary(BinOp::Shl, Mode::None, Type::B64, hm, n);
        let rn = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(64), n);
        let ln = ins.binary(BinOp::Shr, Mode::None, Type::B64, lm, rn);
        let nh = ins.binary(BinOp::Or, Mode::None, Type::B64, hn, ln);
        // nh = a + t exactly in doubles (53 + 11 bits); r = (a + t)·π/2 rounded once (the product's error is
        // carried by the fma), then scaled by 2^(-64-n).
        let ab = ins.binary(BinOp::And, Mode::None, Type::B64, nh, Operand::u64(!0x7ff));
        let tb = ins.binary(BinOp::And, Mode::None, Type::B64, nh, Operand::u64(0x7ff));
        let a = ins.cvt(CvtMode::Rn, false, F, Type::U64, ab);
        let t = ins.cvt(CvtMode::Rn, false, F, Type::U64, tb);
        let rh = ins.binary(BinOp::Mul, Mode::Rn, F, a, c(std::f64::consts::FRAC_PI_2));
        let nrh = ins.unary(UnOp::Neg, Mode::None, F, rh);
        let rl = ins.fma(F, Mode::Rn, a, c(std::f64::consts::FRAC_PI_2), nrh);
        let rl = ins.fma(F, Mode::Rn, a, c(PIO2_LO), rl);
        let rl = ins.fma(F, Mode::Rn, t, c(std::f64::consts::FRAC_PI_2), rl);
        let rs = ins.binary(BinOp::Add, Mode::Rn, F, rh, rl);
        let se = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(1023 - 64), n);
        let se = ins.cvt(CvtMode::None, false, Type::U64, Type::U32, se);
        let se = ins.binary(BinOp::Shl, Mode::None, Type::B64, se, u32_(52));
        let scale = self.f64_from_bits(se);
        let mut ins = self.b.ins();
        let r = ins.binary(BinOp::Mul, Mode::Rn, F, rs, scale);
        // Signs: r is negative where f is or x is (not both); k mod 4 negates with x.
        let xneg = ins.setp(CmpOp::Lt, F, x, c(0.0));
        let flip = ins.binary(BinOp::Xor, Mode::None, Type::Pred, neg, xneg);
        let nr = ins.unary(UnOp::Neg, Mode::None, F, r);
        let r = ins.selp(F, nr, r, flip);
        let nk = ins.binary(BinOp::Sub, Mode::None, Type::U32, u32_(0), k);
        let k = ins.selp(Type::U32, nk, k, xneg);
        let q = ins.binary(BinOp::And, Mode::None, Type::B32, k, u32_(3));
        let q = ins.cvt(CvtMode::None, false, Type::S32, Type::U32, q);
        // ±inf: x·0 is NaN; for finite x it adds a zero to a non-zero r.
        let r = ins.fma(F, Mode::Rn, x, c(0.0), r);
        (r, q)
    }

    fn tanh64(&mut self, x: Reg) -> Reg {
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, F, x);
        let y = ins.binary(BinOp::Add, Mode::Rn, F, ax, ax);
        // expm1(y): Taylor below ln 2 (y (1 + y/2 + y²/6 + …), to y^17/17!), exp(y) - 1 above.
        let mut coeffs = [0.0f64; 17];
        let mut f = 1.0f64;
        for (i, k) in coeffs.iter_mut().enumerate() {
            f *= (i + 1) as f64;
            *k = 1.0 / f;
        }
        let p = self.horner(y, &coeffs);
        let small = self.b.ins().binary(BinOp::Mul, Mode::Rn, F, p, y);
        let e = self.exp64(y);
        let mut ins = self.b.ins();
        let big = ins.binary(BinOp::Sub, Mode::Rn, F, e, c(1.0));
        let is_small = ins.setp(CmpOp::Lt, F, y, c(std::f64::consts::LN_2));
        let t = ins.selp(F, small, big, is_small);
        let d = ins.binary(BinOp::Add, Mode::Rn, F, t, c(2.0));
        let v = ins.binary(BinOp::Div, Mode::Rn, F, t, d);
        let huge = ins.setp(CmpOp::Gt, F, ax, c(22.0));
        let v = ins.selp(F, c(1.0), v, huge);
        // Copy the sign (tanh(-0) = -0); NaN stays NaN.
        self.copysign(v, x)
    }

    /// `|v|` with the sign of `s` (f64).
    fn copysign(&mut self, v: Reg, s: Reg) -> Reg {
        let vb = self.bits(v);
        let sb = self.bits(s);
        let mut ins = self.b.ins();
        let m = ins.binary(BinOp::And, Mode::None, Type::B64, vb, Operand::u64(0x7FFF_FFFF_FFFF_FFFF));
        let sg = ins.binary(BinOp::And, Mode::None, Type::B64, sb, Operand::u64(0x8000_0000_0000_0000));
        let o = ins.binary(BinOp::Or, Mode::None, Type::B64, m, sg);
        self.f64_from_bits(o)
    }

    /// Whether f64 `y` is an odd integer, and whether it is an integer at all.
    fn int_parity(&mut self, y: Reg) -> (Reg, Reg) {
        let mut ins = self.b.ins();
        let ty = ins.cvt(CvtMode::Rzi, false, F, F, y);
        let is_int = ins.setp(CmpOp::Eq, F, ty, y);
        let half = ins.binary(BinOp::Mul, Mode::Rn, F, y, c(0.5));
        let th = ins.cvt(CvtMode::Rzi, false, F, F, half);
        let half_frac = ins.setp(CmpOp::Ne, F, th, half);
        let odd = ins.binary(BinOp::And, Mode::None, Type::Pred, is_int, half_frac);
        (odd, is_int)
    }

    /// `x^y` (C's `pow`, which Rust's `powf` is): `exp(y ln|x|)` with `ln|x|` and the product as double-doubles
    /// ([`Self::pow_log`], [`Self::pow_exp`]), then the IEEE special cases.
    fn pow64(&mut self, x: Reg, y: Reg) -> Reg {
        let ax = self.b.ins().unary(UnOp::Abs, Mode::None, F, x);
        let (lh, ll) = self.pow_log(ax);
        // y·ln|x| = eh + el: the product's rounding error (fma) plus y times the log's tail.
        let mut ins = self.b.ins();
        let eh = ins.binary(BinOp::Mul, Mode::Rn, F, y, lh);
        let neh = ins.unary(UnOp::Neg, Mode::None, F, eh);
        let e = ins.fma(F, Mode::Rn, y, lh, neh);
        let el = ins.fma(F, Mode::Rn, y, ll, e);
        let mut v = self.pow_exp(eh, el);
        // |x| = 0 or inf, or y = ±inf: +inf where |x| > 1 and y > 0 or |x| < 1 and y < 0, else +0; 1 for |x| = 1.
        let mut ins = self.b.ins();
        let ay = ins.unary(UnOp::Abs, Mode::None, F, y);
        let yinf = ins.setp(CmpOp::Eq, F, ay, c(f64::INFINITY));
        let x0 = ins.setp(CmpOp::Eq, F, ax, c(0.0));
        let xinf = ins.setp(CmpOp::Eq, F, ax, c(f64::INFINITY));
        let edge = ins.binary(BinOp::Or, Mode::None, Type::Pred, x0, xinf);
        let edge = ins.binary(BinOp::Or, Mode::None, Type::Pred, edge, yinf);
        let gt1 = ins.setp(CmpOp::Gt, F, ax, c(1.0));
        let yneg = ins.setp(CmpOp::Lt, F, y, c(0.0));
        let up = ins.binary(BinOp::Xor, Mode::None, Type::Pred, gt1, yneg);
        let ev = ins.selp(F, c(f64::INFINITY), c(0.0), up);
        let one = ins.setp(CmpOp::Eq, F, ax, c(1.0));
        let ev = ins.selp(F, c(1.0), ev, one);
        v = ins.selp(F, ev, v, edge);
        let (odd, is_int) = self.int_parity(y);
        let xb = self.bits(x);
        let mut ins = self.b.ins();
        // A negative base (also -0 and -inf) with an odd integer exponent: negative result.
        let sign = ins.binary(BinOp::And, Mode::None, Type::B64, xb, Operand::u64(0x8000_0000_0000_0000));
        let neg_x = ins.setp(CmpOp::Ne, Type::B64, sign, Operand::u64(0));
        let flip = ins.binary(BinOp::And, Mode::None, Type::Pred, neg_x, odd);
        let nv = ins.unary(UnOp::Neg, Mode::None, F, v);
        v = ins.selp(F, nv, v, flip);
        // A finite negative base with a finite non-integer exponent, or a NaN operand: NaN.
        let xneg = ins.setp(CmpOp::Lt, F, x, c(0.0));
        let xfin = ins.setp(CmpOp::Gt, F, x, c(f64::NEG_INFINITY));
        let bad = ins.binary(BinOp::And, Mode::None, Type::Pred, xneg, xfin);
        let not_int = ins.unary(UnOp::Not, Mode::None, Type::Pred, is_int);
        let yfin = ins.setp(CmpOp::Lt, F, ay, c(f64::INFINITY));
        let bad = ins.binary(BinOp::And, Mode::None, Type::Pred, bad, not_int);
        let bad = ins.binary(BinOp::And, Mode::None, Type::Pred, bad, yfin);
        let nan = ins.setp(CmpOp::Nan, F, x, y);
        let bad = ins.binary(BinOp::Or, Mode::None, Type::Pred, bad, nan);
        v = ins.selp(F, c(f64::NAN), v, bad);
        // x^0 = 1 and 1^y = 1, even for NaN.
        let y0 = ins.setp(CmpOp::Eq, F, y, c(0.0));
        let x1 = ins.setp(CmpOp::Eq, F, x, c(1.0));
        let unit = ins.binary(BinOp::Or, Mode::None, Type::Pred, y0, x1);
        ins.selp(F, c(1.0), v, unit)
    }

    /// `ln x = h + l` (`h` the rounded sum, `l` its tail, together to about 2^-68 relative) for a finite `x > 0`;
    /// anything for other `x`.
    ///
    /// `x = 2^k z` with `z` in [`POW_LOG_OFF`, 2·`POW_LOG_OFF`), in one of 128 subintervals (7 bits of the bit
    /// pattern) whose [`POW_LOG_TABLE`] entry gives `1/c` for a `c` near its middle, a multiple of 2^-7 or 2^-8 so
    /// that `r = z/c - 1` (|r| < 2^-7.4) is one exact `fma`, and `ln c` as a multiple of 2^-43 plus its tail, so
    /// that `k ln2_hi + ln c` is exact. `ln x = k ln2 + ln c + ln(1 + r)` with `r - r²/2` summed as a double-double
    /// and the rest, `r³(1/3 - r/4 + … + r⁶/9)`, plain. The subinterval of 1 has `c = 1` (no cancellation near 1).
    fn pow_log(&mut self, x: Reg) -> (Reg, Reg) {
        const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEFA_3800); // 42 bits: k·LN2_HI is exact for |k| < 2^11
        const LN2_LO: f64 = f64::from_bits(0x3D2E_F357_93C7_6730);
        // -2 times the Taylor coefficients of ln(1 + r) from r³ on (they multiply -r³/2).
        const G: [f64; 7] = [-2.0 / 3.0, 2.0 / 4.0, -2.0 / 5.0, 2.0 / 6.0, -2.0 / 7.0, 2.0 / 8.0, -2.0 / 9.0];
        let table = self.module_var(ptx_gen::VarData {
            name: POW_LOG_NAME.to_owned(),
            space: StateSpace::Const,
            ty: Type::B64,
            len: Some(POW_LOG_TABLE.len() as u64),
            align: 8,
            init: POW_LOG_TABLE.to_vec(),
        });
        let mut ins = self.b.ins();
        // Subnormals: scaled by 2^52 into the normal range, k lowered by 52.
        let sub = ins.setp(CmpOp::Lt, F, x, c(f64::MIN_POSITIVE));
        let xs = ins.binary(BinOp::Mul, Mode::Rn, F, x, c(4_503_599_627_370_496.0)); // 2^52
        let xs = ins.selp(F, xs, x, sub);
        let adj =
            ins.selp(Type::S32, Operand::Imm(ptx_gen::Imm::int(-52, Type::S32)), Operand::Imm(ptx_gen::Imm(0)), sub);
        let ix = self.bits(xs);
        let mut ins = self.b.ins();
        let tmp = ins.binary(BinOp::Sub, Mode::None, Type::S64, ix, Operand::u64(POW_LOG_OFF));
        let i = ins.binary(BinOp::Shr, Mode::None, Type::U64, tmp, Operand::u32(45));
        let i = ins.binary(BinOp::And, Mode::None, Type::B64, i, Operand::u64(127));
        let k = ins.binary(BinOp::Shr, Mode::None, Type::S64, tmp, Operand::u32(52));
        let k = ins.cvt(CvtMode::None, false, Type::S32, Type::S64, k);
        let k = ins.binary(BinOp::Add, Mode::None, Type::S32, k, adj);
        let kd = ins.cvt(CvtMode::Rn, false, F, Type::S32, k);
        let top = ins.binary(BinOp::And, Mode::None, Type::B64, tmp, Operand::u64(0xFFF << 52));
        let iz = ins.binary(BinOp::Sub, Mode::None, Type::S64, ix, top);
        let z = self.f64_from_int(iz);
        let mut ins = self.b.ins();
        let off = ins.binary(BinOp::Mul, Mode::Lo, Type::U64, i, Operand::u64(24));
        let base = ins.addr_of(table);
        let at = ins.binary(BinOp::Add, Mode::None, Type::S64, base, off);
        let load = MemAccess::new(StateSpace::Const, F);
        let invc = ins.ld(load, Address::reg_offset(at, 0));
        let logc = ins.ld(load, Address::reg_offset(at, 8));
        let logctail = ins.ld(load, Address::reg_offset(at, 16));
        let r = ins.fma(F, Mode::Rn, z, invc, c(-1.0));
        // k ln2 + ln c + r: t2 + lo1 + lo2 (t1 exact, t2 with its error lo2 since |t1| ≥ |r| or t1 = 0).
        let t1 = ins.fma(F, Mode::Rn, kd, c(LN2_HI), logc);
        let t2 = ins.binary(BinOp::Add, Mode::Rn, F, t1, r);
        let lo1 = ins.fma(F, Mode::Rn, kd, c(LN2_LO), logctail);
        let d = ins.binary(BinOp::Sub, Mode::Rn, F, t1, t2);
        let lo2 = ins.binary(BinOp::Add, Mode::Rn, F, d, r);
        // - r²/2: hi = t2 - r²/2 rounded, lo3 the product's error, lo4 the sum's.
        let ar = ins.binary(BinOp::Mul, Mode::Rn, F, r, c(-0.5));
        let ar2 = ins.binary(BinOp::Mul, Mode::Rn, F, r, ar);
        let hi = ins.binary(BinOp::Add, Mode::Rn, F, t2, ar2);
        let nar2 = ins.unary(UnOp::Neg, Mode::None, F, ar2);
        let lo3 = ins.fma(F, Mode::Rn, ar, r, nar2);
        let d = ins.binary(BinOp::Sub, Mode::Rn, F, t2, hi);
        let lo4 = ins.binary(BinOp::Add, Mode::Rn, F, d, ar2);
        let ar3 = ins.binary(BinOp::Mul, Mode::Rn, F, r, ar2);
        let g = self.horner(r, &G);
        let mut ins = self.b.ins();
        let p = ins.binary(BinOp::Mul, Mode::Rn, F, ar3, g);
        let lo = ins.binary(BinOp::Add, Mode::Rn, F, lo1, lo2);
        let lo = ins.binary(BinOp::Add, Mode::Rn, F, lo, lo3);
        let lo = ins.binary(BinOp::Add, Mode::Rn, F, lo, lo4);
        let lo = ins.binary(BinOp::Add, Mode::Rn, F, lo, p);
        let h = ins.binary(BinOp::Add, Mode::Rn, F, hi, lo);
        let d = ins.binary(BinOp::Sub, Mode::Rn, F, hi, h);
        let l = ins.binary(BinOp::Add, Mode::Rn, F, d, lo);
        (h, l)
    }

    /// `exp(h + l)` for `|l|` below about 2^-40 |h| (+inf above 1000, 0 below -1000), correctly rounded but for
    /// about 2^-60 relative, subnormal results rounded once.
    ///
    /// `h + l = (128 e + i) ln2/128 + r` (|r| ≤ ln2/256; `ln2/128` in two parts, the first product exact);
    /// `2^(i/128) = s (1 + t)` from [`POW_EXP_TABLE`]; `exp(h + l) = 2^e s (1 + t + expm1 r)` with `expm1 r` a
    /// degree-6 Taylor polynomial. The sum is scaled by `2^e` in two steps so that no intermediate overflows
    /// and a subnormal result rounds once: for `e ≥ 0` `s·2^(e-1009)` then `2^1009`; for `e < 0`
    /// `s·2^(e+1022)`, rounded to the subnormal precision by adding and subtracting 1 as a double-double where
    /// the result is below 1, then `2^-1022`.
    fn pow_exp(&mut self, h: Reg, l: Reg) -> Reg {
        const INV_LN2_N: f64 = 184.664_965_233_787_3; // 128/ln2
        const LN2_HI_N: f64 = f64::from_bits(0x3F76_2E42_FEFA_39EF); // ln2/128
        const LN2_LO_N: f64 = 1.811_755_323_317_421_5e-19; // ln2/128 - LN2_HI_N
        let table = self.module_var(ptx_gen::VarData {
            name: POW_EXP_NAME.to_owned(),
            space: StateSpace::Const,
            ty: Type::B64,
            len: Some(POW_EXP_TABLE.len() as u64),
            align: 8,
            init: POW_EXP_TABLE.to_vec(),
        });
        let mut ins = self.b.ins();
        let z = ins.binary(BinOp::Mul, Mode::Rn, F, h, c(INV_LN2_N));
        let kd = ins.cvt(CvtMode::Rni, false, F, F, z);
        let ki = ins.cvt(CvtMode::Rzi, false, Type::S64, F, kd);
        let r = ins.fma(F, Mode::Rn, kd, c(-LN2_HI_N), h);
        let r = ins.fma(F, Mode::Rn, kd, c(-LN2_LO_N), r);
        let r = ins.binary(BinOp::Add, Mode::Rn, F, r, l);
        let i = ins.binary(BinOp::And, Mode::None, Type::B64, ki, Operand::u64(127));
        let off = ins.binary(BinOp::Shl, Mode::None, Type::B64, i, Operand::u32(4));
        let base = ins.addr_of(table);
        let at = ins.binary(BinOp::Add, Mode::None, Type::S64, base, off);
        let t = ins.ld(MemAccess::new(StateSpace::Const, F), Address::reg_offset(at, 0));
        let sb = ins.ld(MemAccess::new(StateSpace::Const, Type::B64), Address::reg_offset(at, 8));
        // The table holds bits(s) - (i << 45), so adding ki << 45 = (e << 52) + (i << 45) gives s·2^e's bits
        // (the exponent out of range here; the scaling below brings it back).
        let top = ins.binary(BinOp::Shl, Mode::None, Type::B64, ki, Operand::u32(45));
        let sb = ins.binary(BinOp::Add, Mode::None, Type::S64, sb, top);
        let r2 = ins.binary(BinOp::Mul, Mode::Rn, F, r, r);
        let q = self.horner(r, &[1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0]);
        let mut ins = self.b.ins();
        let m = ins.fma(F, Mode::Rn, r2, q, r);
        let m = ins.binary(BinOp::Add, Mode::Rn, F, m, t);
        let neg = ins.setp(CmpOp::Lt, Type::S64, ki, Operand::Imm(ptx_gen::Imm(0)));
        let adj = ins.selp(Type::B64, Operand::u64(1022 << 52), Operand::u64((-1009i64 << 52) as u64), neg);
        let sb = ins.binary(BinOp::Add, Mode::None, Type::S64, sb, adj);
        let s = self.f64_from_int(sb);
        let mut ins = self.b.ins();
        let v = ins.fma(F, Mode::Rn, s, m, s);
        // Below 1 (a subnormal result): v's rounding error, then (1 + v + err) rounded at 2^-52, minus 1.
        let d = ins.binary(BinOp::Sub, Mode::Rn, F, s, v);
        let err = ins.fma(F, Mode::Rn, s, m, d);
        let one_v = ins.binary(BinOp::Add, Mode::Rn, F, v, c(1.0));
        let d = ins.binary(BinOp::Sub, Mode::Rn, F, c(1.0), one_v);
        let d = ins.binary(BinOp::Add, Mode::Rn, F, d, v);
        let err = ins.binary(BinOp::Add, Mode::Rn, F, d, err);
        let w = ins.binary(BinOp::Add, Mode::Rn, F, one_v, err);
        let w = ins.binary(BinOp::Sub, Mode::Rn, F, w, c(1.0));
        let tiny = ins.setp(CmpOp::Lt, F, v, c(1.0));
        let tiny = ins.binary(BinOp::And, Mode::None, Type::Pred, tiny, neg);
        let v = ins.selp(F, w, v, tiny);
        let f = ins.selp(F, c(f64::from_bits(1 << 52)), c(f64::from_bits((1023 + 1009) << 52)), neg);
        let v = ins.binary(BinOp::Mul, Mode::Rn, F, v, f);
        let big = ins.setp(CmpOp::Gt, F, h, c(1000.0));
        let v = ins.selp(F, c(f64::INFINITY), v, big);
        let small = ins.setp(CmpOp::Lt, F, h, c(-1000.0));
        ins.selp(F, c(0.0), v, small)
    }

    fn hypot64(&mut self, x: Reg, y: Reg) -> Reg {
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, F, x);
        let ay = ins.unary(UnOp::Abs, Mode::None, F, y);
        let hi = ins.binary(BinOp::Max, Mode::None, F, ax, ay);
        let lo = ins.binary(BinOp::Min, Mode::None, F, ax, ay);
        let q = ins.binary(BinOp::Div, Mode::Rn, F, lo, hi);
        let s = ins.fma(F, Mode::Rn, q, q, c(1.0));
        let r = ins.unary(UnOp::Sqrt, Mode::Rn, F, s);
        let v = ins.binary(BinOp::Mul, Mode::Rn, F, hi, r);
        let zero = ins.setp(CmpOp::Eq, F, hi, c(0.0));
        let v = ins.selp(F, c(0.0), v, zero);
        // NaN in either operand gives NaN (min/max would drop it) unless the other is infinite.
        let xn = ins.setp(CmpOp::Nan, F, x, x);
        let yn = ins.setp(CmpOp::Nan, F, y, y);
        let n = ins.binary(BinOp::Or, Mode::None, Type::Pred, xn, yn);
        let v = ins.selp(F, c(f64::NAN), v, n);
        self.inf_wins(v, x, y, F)
    }

    /// `v`, or +inf when `x` or `y` is infinite (hypot's rule, NaN included).
    fn inf_wins(&mut self, v: Reg, x: Reg, y: Reg, t: Type) -> Reg {
        let inf = if t == F { c(f64::INFINITY) } else { Operand::f32(f32::INFINITY) };
        let mut ins = self.b.ins();
        let ax = ins.unary(UnOp::Abs, Mode::None, t, x);
        let ay = ins.unary(UnOp::Abs, Mode::None, t, y);
        let xi = ins.setp(CmpOp::Eq, t, ax, inf);
        let yi = ins.setp(CmpOp::Eq, t, ay, inf);
        let i = ins.binary(BinOp::Or, Mode::None, Type::Pred, xi, yi);
        ins.selp(t, inf, v, i)
    }

    /// `x.powi(n)` as compiler-rt's `__powi[sd]f2`: `r = 1; loop { if n odd { r *= x }; n /= 2; if n == 0
    /// { break } x *= x }; if n < 0 { 1 / r } else { r }`, in `rt`'s precision.
    fn powi(&mut self, x: Reg, n: Reg, rt: Type) -> Reg {
        let one = if rt == F { c(1.0) } else { Operand::f32(1.0) };
        let r = self.b.ins().mov(rt, one);
        let a = self.b.ins().mov(rt, x);
        let b = self.b.ins().mov(Type::S32, n);
        let head = self.b.create_block();
        let step = self.b.create_block();
        let done = self.b.create_block();
        self.b.jump(head);
        self.open(head);
        let mut ins = self.b.ins();
        let bit = ins.binary(BinOp::And, Mode::None, Type::B32, b, Operand::u32(1));
        let odd = ins.setp(CmpOp::Ne, Type::B32, bit, Operand::u32(0));
        let ra = ins.binary(BinOp::Mul, Mode::Rn, rt, r, a);
        let rn = ins.selp(rt, ra, r, odd);
        ins.mov_to(r, rn);
        let half = ins.binary(BinOp::Div, Mode::None, Type::S32, b, Operand::Imm(ptx_gen::Imm::int(2, Type::S32)));
        ins.mov_to(b, half);
        let zero = ins.setp(CmpOp::Eq, Type::S32, b, Operand::Imm(ptx_gen::Imm(0)));
        self.b.branch(zero, done, step);
        self.open(step);
        let aa = self.b.ins().binary(BinOp::Mul, Mode::Rn, rt, a, a);
        self.b.ins().mov_to(a, aa);
        self.b.jump(head);
        self.open(done);
        let mut ins = self.b.ins();
        let neg = ins.setp(CmpOp::Lt, Type::S32, n, Operand::Imm(ptx_gen::Imm(0)));
        let inv = ins.binary(BinOp::Div, Mode::Rn, rt, one, r);
        ins.selp(rt, inv, r, neg)
    }
}

#[cfg(test)]
mod tests {
    use super::{POW_EXP_TABLE, POW_LOG_OFF, POW_LOG_TABLE, TWO_OVER_PI};

    /// Little-endian base-2^32 naturals, enough for a fixed-point check.
    type Big = Vec<u32>;

    fn div_small(a: &Big, d: u64) -> Big {
        let mut q = vec![0; a.len()];
        let mut rem = 0u64;
        for i in (0..a.len()).rev() {
            let cur = (rem << 32) | a[i] as u64;
            q[i] = (cur / d) as u32;
            rem = cur % d;
        }
        q
    }

    /// `a + s·b` for `s = ±1` (the result must be non-negative).
    fn add_signed(a: &mut Big, b: &Big, s: i64) {
        let mut carry = 0i64;
        for i in 0..a.len() {
            let v = a[i] as i64 + s * b[i] as i64 + carry;
            a[i] = v.rem_euclid(1 << 32) as u32;
            carry = v.div_euclid(1 << 32);
        }
        assert_eq!(carry, 0, "a negative result");
    }

    fn mul(a: &Big, b: &Big) -> Big {
        let mut p = vec![0u64; a.len() + b.len() + 1];
        for (i, &x) in a.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &y) in b.iter().enumerate() {
                let v = p[i + j] + x as u64 * y as u64 + carry;
                p[i + j] = v & 0xFFFF_FFFF;
                carry = v >> 32;
            }
            p[i + b.len()] += carry;
        }
        p.into_iter().map(|v| v as u32).collect()
    }

    /// `atan(1/x)·2^(32·frac)` by its series.
    fn atan_inv(x: u64, frac: usize) -> Big {
        let mut t: Big = vec![0; frac + 1];
        t[frac] = 1;
        t = div_small(&t, x);
        let mut sum = t.clone();
        for k in 1.. {
            t = div_small(&t, x * x);
            if t.iter().all(|&v| v == 0) {
                break;
            }
            add_signed(&mut sum, &div_small(&t, 2 * k + 1), if k % 2 == 1 { -1 } else { 1 });
        }
        sum
    }

    /// The table against π from Machin's formula, π = 16 atan(1/5) - 4 atan(1/239), in 1440-bit fixed point:
    /// (the table as a fraction) · π = 2 to within the table's truncation, π·2^-1216.
    #[test]
    fn two_over_pi_table_is_two_over_pi() {
        let frac = 45; // limbs of π's fraction
        let mut pi = vec![0u32; frac + 1];
        for _ in 0..16 {
            add_signed(&mut pi, &atan_inv(5, frac), 1);
        }
        for _ in 0..4 {
            add_signed(&mut pi, &atan_inv(239, frac), -1);
        }
        // The table's 1216 bits after the zero word, little-endian: value·2^1216.
        let t: Big = TWO_OVER_PI[1..].iter().rev().flat_map(|&w| [w as u32, (w >> 32) as u32]).collect();
        assert_eq!(t.len(), 38);
        // t·π has 38 + 45 fraction limbs (units 2^-2656); 2 - t·π must be below 2^-1214 = 2^1442 units, so in the
        // limbs below 46 (π's series truncation adds about 2^-1430).
        let p = mul(&t, &pi);
        let mut diff = vec![0u32; p.len()];
        diff[38 + frac] = 2;
        add_signed(&mut diff, &p, -1);
        assert!(diff[frac + 1..].iter().all(|&v| v == 0), "2 - table·π ≥ 2^-1214: the table is not 2/π's bits");
    }

    /// A double-double `(hi, lo)`, `|lo| ≤ ulp(hi)/2`, for checking the `pow` tables to about 2^-100.
    type Dd = (f64, f64);

    fn dd_add(a: Dd, b: Dd) -> Dd {
        let s = a.0 + b.0;
        let bb = s - a.0;
        let e = (a.0 - (s - bb)) + (b.0 - bb) + a.1 + b.1;
        let h = s + e;
        (h, e - (h - s))
    }

    fn dd_mul(a: Dd, b: Dd) -> Dd {
        let p = a.0 * b.0;
        let e = a.0.mul_add(b.0, -p) + (a.0 * b.1 + a.1 * b.0);
        let h = p + e;
        (h, e - (h - p))
    }

    /// `e^t` for |t| < 1 by its Taylor series.
    fn dd_exp(t: Dd) -> Dd {
        let (mut sum, mut term): (Dd, Dd) = ((1.0, 0.0), (1.0, 0.0));
        for n in 1..40 {
            term = dd_mul(term, t);
            // term / n: the quotient's error corrected once.
            let q = term.0 / n as f64;
            let r = (-q).mul_add(n as f64, term.0) + term.1;
            term = dd_add((q, 0.0), (r / n as f64, 0.0));
            sum = dd_add(sum, term);
        }
        sum
    }

    /// The `pow` tables: each `ln` entry's `1/c` makes `z/c - 1` exact and below 2^-7 on its subinterval, `ln c`'s
    /// first part is a multiple of 2^-43 and `e^(ln c) · (1/c) = 1` to 2^-93; each `exp` entry's `s (1 + t)` raised
    /// to the 128th power is `2^i` to 2^-88 (128 times the entry's error, 2^-97 at most, plus the squarings').
    #[test]
    fn pow_tables_are_logs_and_powers_of_two() {
        for i in 0..128u64 {
            let (invc, logc, tail) = (
                f64::from_bits(POW_LOG_TABLE[3 * i as usize]),
                f64::from_bits(POW_LOG_TABLE[3 * i as usize + 1]),
                f64::from_bits(POW_LOG_TABLE[3 * i as usize + 2]),
            );
            assert_eq!((invc * 256.0).fract(), 0.0, "ln entry {i}: 1/c is not a multiple of 2^-8");
            assert_eq!((logc * 2f64.powi(43)).fract(), 0.0, "ln entry {i}: ln c is not a multiple of 2^-43");
            for b in [POW_LOG_OFF + (i << 45), POW_LOG_OFF + ((i + 1) << 45) - 1] {
                let z = f64::from_bits(b);
                let r = z.mul_add(invc, -1.0);
                assert!(r.abs() < 2f64.powi(-7), "ln entry {i}: |z/c - 1| = {r:e} at z = {z:e}");
                // Exact: with z·(1/c) = p + e (p - 1 exact), r is p - 1 + e unrounded.
                let p = z * invc;
                assert_eq!(r - (p - 1.0), z.mul_add(invc, -p), "ln entry {i}: z/c - 1 is rounded at z = {z:e}");
            }
            let one = dd_mul(dd_exp((logc, tail)), (invc, 0.0));
            let err = (one.0 - 1.0) + one.1;
            assert!(err.abs() < 2f64.powi(-93), "ln entry {i}: e^(ln c)/c - 1 = {err:e}");
            let t = f64::from_bits(POW_EXP_TABLE[2 * i as usize]);
            let s = f64::from_bits(POW_EXP_TABLE[2 * i as usize + 1].wrapping_add(i << 45));
            assert!(t.abs() <= 2f64.powi(-53), "exp entry {i}: s is not 2^(i/128) rounded");
            let mut p = dd_add((s, 0.0), dd_mul((s, 0.0), (t, 0.0)));
            for _ in 0..7 {
                p = dd_mul(p, p);
            }
            let err = (p.0 / 2f64.powi(i as i32) - 1.0) + p.1 / 2f64.powi(i as i32);
            assert!(err.abs() < 2f64.powi(-88), "exp entry {i}: (s (1 + t))^128 / 2^i - 1 = {err:e}");
        }
    }
}
