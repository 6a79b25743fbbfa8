/* isa.h - which vector instructions the engine's hot loops use.
 *
 * The per-trial kernels (sim/kernels/: the cell sampler's responder lanes, the site-specific
 * response probabilities, the counter-based draws, ...) are written once in GCC's generic vector
 * code and compiled for x86-64-v4 (AVX-512), x86-64-v3 (AVX2) and the baseline; the lanes also have an
 * AVX-512 version with population counts. They compute the same numbers on every target - the
 * same integer operations, and the same IEEE double operations lane by lane, never contracted
 * into fused multiply-adds (the build passes -ffp-contract=off) - so the choice only changes
 * the speed. It is made once per process (the first call decides) from what the processor reports,
 * unless the environment variable TSIM_VECTOR names one (avx512popcnt, avx512, avx2 or generic), which tests
 * use to compare the targets and the benchmark to measure them. A target the processor lacks
 * is never chosen, whatever TSIM_VECTOR says. */
#ifndef TSIM_ISA_H
#define TSIM_ISA_H

/* In increasing order: a kernel written for a target runs on every later one too. */
typedef enum {
  TSIM_ISA_GENERIC = 0,
  TSIM_ISA_AVX2 = 1,        /* x86-64-v3 */
  TSIM_ISA_AVX512 = 2,      /* x86-64-v4 */
  TSIM_ISA_AVX512POPCNT = 3 /* x86-64-v4 and AVX512_VPOPCNTDQ (vector population counts) */
} tsim_isa;

/* Kernels are compiled for AVX2 and AVX-512 only with GCC 12 or later on x86-64, and only when
 * the build itself targets a processor without AVX (the default): a build for a wider one
 * (-march=native, say) compiles the generic kernels for it already, and GCC could not inline
 * their bodies into targets narrower than the build's. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && !defined(__AVX__)
#define TSIM_ISA_TARGETS 1
#define TSIM_TARGET_AVX512 __attribute__((target("arch=x86-64-v4")))
#define TSIM_TARGET_AVX2 __attribute__((target("arch=x86-64-v3")))
#define TSIM_TARGET_AVX512POPCNT __attribute__((target("arch=x86-64-v4,avx512vpopcntdq")))
#else
#define TSIM_ISA_TARGETS 0
#endif

/* Kernels written with AVX-512 intrinsics (x86-64-v4's F, DQ, BW and VL) are compiled where the
 * build can target AVX-512: as an extra target (TSIM_ISA_TARGETS), or as its own instruction set
 * (-march=native on such a processor). TSIM_AVX512_KERNEL is the attribute they need;
 * kernels/dispatch.c runs them where the chosen target is AVX-512 or wider, or the build's own
 * instruction set is. */
#if TSIM_ISA_TARGETS
#define TSIM_AVX512_KERNELS 1
#define TSIM_AVX512_KERNEL TSIM_TARGET_AVX512
#elif defined(__x86_64__) && defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512BW__) && \
    defined(__AVX512VL__)
#define TSIM_AVX512_KERNELS 1
#define TSIM_AVX512_KERNEL
#else
#define TSIM_AVX512_KERNELS 0
#endif

/* The widest target the processor has (that the build can compile for). */
tsim_isa tsim_isa_best(void);
/* The target the kernels run (kernels/kernels.h's table is filled for it): the widest the
 * processor has, or TSIM_VECTOR's if it has that. The first call decides. */
tsim_isa tsim_isa_pick(void);
/* Its name: "avx512popcnt", "avx512", "avx2" or "generic" (the build's own instruction set: the
 * baseline x86-64 unless the build targets more). */
const char *tsim_isa_name(tsim_isa isa);

#endif
