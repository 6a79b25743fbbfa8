/* block.c - the trial loop's block path (analysis/analysis.h's tsim_analysis_eval_block and
 * run/block.c's chunk sums): every chi-square decision of a trial at once, and a trial's slots
 * added to a chunk's sums. Each has one body in GCC's generic vector code, compiled for the
 * build's own instruction set (the reference) and for AVX-512. */
#include <stdint.h>
#include <string.h>

#include "kernels/variants.h"

/* ---- block_eval: every comparison of a trial at once --------------------------------------------
 * What analysis.c's finish_two does for one outcome, for eight slots at a time in GCC's generic vector code:
 * the same IEEE operations on the same numbers (counts below 2^53 are exact in doubles, and so
 * are the cross products of counts below 10^7), so the same decisions and differences bit for
 * bit, whatever the target (isa.h). A slot within the tolerance of the chi-square's critical
 * value is marked, and decided afterwards by its p-value, as tsim_decide_chisq does
 * (analysis.c's tsim_analysis_block_finish).
 * The body is a macro, as the lanes' (cellsample.c), so that each target compiles it in its own
 * context: as an always-inline function compiled for the baseline first, GCC 12 gives its
 * comparisons the baseline's vector types and then splits them into scalar ones inside the
 * AVX-512 kernel (ten times the instructions). */
#define BLOCK_BODY                                                                                \
  for (int i = 0; i < b->nslots; i += 8) {                                                        \
    tsim_s64x8 x0, n0, x1, n1, hi;                                                                \
    tsim_f64x8 crit, tol, nm1;                                                                    \
    memcpy(&x0, b->x0 + i, sizeof x0);                                                            \
    memcpy(&n0, b->n0 + i, sizeof n0);                                                            \
    memcpy(&x1, b->x1 + i, sizeof x1);                                                            \
    memcpy(&n1, b->n1 + i, sizeof n1);                                                            \
    memcpy(&hi, k->higher + i, sizeof hi);                                                    \
    memcpy(&crit, k->crit + i, sizeof crit);                                                  \
    memcpy(&tol, k->tol + i, sizeof tol);                                                     \
    memcpy(&nm1, k->nm1 + i, sizeof nm1);                                                     \
    const tsim_f64x8 fx0 = __builtin_convertvector(x0, tsim_f64x8);                               \
    const tsim_f64x8 fn0 = __builtin_convertvector(n0, tsim_f64x8);                               \
    const tsim_f64x8 fx1 = __builtin_convertvector(x1, tsim_f64x8);                               \
    const tsim_f64x8 fn1 = __builtin_convertvector(n1, tsim_f64x8);                               \
    const tsim_s64x8 m = x0 + x1, n = n0 + n1;                                                    \
    const tsim_s64x8 defined = (n0 > 0) & (n1 > 0), testable = defined & (m > 0) & (m < n);       \
    const tsim_f64x8 fm = fx0 + fx1, fn = fn0 + fn1;                                              \
    /* tsim_decide_chisq: (N - [N-1]) d^2 against crit n0 n1 m (N - m). */                        \
    const tsim_f64x8 dd = fx0 * (fn1 - fx1) - fx1 * (fn0 - fx0);                                  \
    const tsim_f64x8 lhs = (fn - nm1) * dd * dd;                                                  \
    const tsim_f64x8 rhs = crit * (fn0 * fn1 * fm * (fn - fm));                                   \
    const tsim_f64x8 gap = lhs - rhs;                                                             \
    const tsim_s64x8 gap_abs = (tsim_s64x8)gap & INT64_MAX; /* the bits of |lhs - rhs| */         \
    tsim_f64x8 gap_f;                                                                             \
    memcpy(&gap_f, &gap_abs, sizeof gap_f);                                                       \
    const tsim_s64x8 far = gap_f > tol * rhs;                                                     \
    const tsim_s64x8 reject = testable & far & (lhs > rhs);                                       \
    /* rate_diff, and 0 where an arm is empty. */                                                 \
    const tsim_f64x8 q = (fx1 * fn0 - fx0 * fn1) / (fn0 * fn1);                                   \
    tsim_s64x8 qbits;                                                                             \
    memcpy(&qbits, &q, sizeof qbits);                                                             \
    qbits &= defined;                                                                             \
    tsim_f64x8 diff;                                                                              \
    memcpy(&diff, &qbits, sizeof diff);                                                           \
    const tsim_s64x8 favouring = reject & ((hi & (diff > 0)) | (~hi & (diff < 0)));               \
    const tsim_s64x8 near = testable & ~far;                                                      \
    const tsim_s64x8 r1 = reject & 1, f1 = favouring & 1, d1 = defined & 1;                       \
    memcpy(b->reject + i, &r1, sizeof r1);                                                        \
    memcpy(b->favouring + i, &f1, sizeof f1);                                                     \
    memcpy(b->defined + i, &d1, sizeof d1);                                                       \
    memcpy(b->diff + i, &diff, sizeof diff);                                                      \
    memcpy(b->near + i, &near, sizeof near);                                                      \
  }

/* The build's own instruction set (AVX-512 in a build for it), and AVX-512: the block path runs
 * only with AVX-512 (run/block.c tsim__block_pays); the baseline kernel serves the tests elsewhere. */
void tsim__block_eval_generic(const tsim_block_consts *k, tsim_outcome_block *b) { BLOCK_BODY }
#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX512 void tsim__block_eval_avx512(const tsim_block_consts *k, tsim_outcome_block *b) { BLOCK_BODY }
#endif

/* ---- block_add: a trial's slots added to a chunk's sums (run/block.c) ------------------------
 * A trial's slots added to the chunk's sums, eight at a time in GCC's generic vector code: the
 * same integers as the tally's (run/runner.c's tally_add) (the fixed point's IEEE operations lane by lane, the clamp by
 * comparisons, copysign by its bits), on every target (isa.h). A macro, so that each target
 * compiles it in its own context (see BLOCK_BODY). */
#define BLOCK_ADD_BODY                                                                            \
  for (int i = 0; i < b->nslots; i += 8) {                                                        \
    tsim_s64x8 v, acc, n0, n1;                                                                    \
    tsim_f64x8 d, scale;                                                                          \
    ACC_ADD(reject, b->reject)                                                                    \
    ACC_ADD(favouring, b->favouring)                                                              \
    ACC_ADD(defined, b->defined)                                                                  \
    ACC_ADD(n0, b->n0)                                                                            \
    ACC_ADD(n1, b->n1)                                                                            \
    ACC_ADD(dropped, b->sites_dropped)                                                            \
    memcpy(&n0, b->n0 + i, sizeof n0);                                                            \
    memcpy(&n1, b->n1 + i, sizeof n1);                                                            \
    v = (n0 + n1) * (n0 + n1);                                                                    \
    ACC_ADD_V(n_sq)                                                                               \
    memcpy(&d, b->diff + i, sizeof d);                                                            \
    memcpy(&scale, a->scale + i, sizeof scale);                                                   \
    d *= scale;                                                                                   \
    const tsim_f64x8 big = d * 0 + TSIM_FIXED_SCALE;                                              \
    const tsim_s64x8 above = d > big, below = d < -big;                                           \
    d = SELECT(above, big, SELECT(below, -big, d));                                               \
    v = __builtin_convertvector(d + HALF_SIGNED(d), tsim_s64x8);                                  \
    ACC_ADD_V(diff)                                                                               \
    d = d * d / TSIM_FIXED_SCALE;                                                                 \
    v = __builtin_convertvector(d + HALF_SIGNED(d), tsim_s64x8);                                  \
    ACC_ADD_V(diff_sq)                                                                            \
  }
/* a->FIELD[i .. i + 7] += v, or += the slots' SRC[i .. i + 7]. */
#define ACC_ADD_V(field)                                                                          \
  memcpy(&acc, a->field + i, sizeof acc);                                                         \
  acc += v;                                                                                       \
  memcpy(a->field + i, &acc, sizeof acc);
#define ACC_ADD(field, src)                                                                       \
  memcpy(&v, (src) + i, sizeof v);                                                                \
  ACC_ADD_V(field)
/* Lane by lane: m (-1 or 0) ? x : y, on doubles. */
#define SELECT(m, x, y) ((tsim_f64x8)(((m) & (tsim_s64x8)(x)) | (~(m) & (tsim_s64x8)(y))))
/* copysign(0.5, x), lane by lane. */
#define HALF_SIGNED(x) ((tsim_f64x8)(((tsim_s64x8)(x) & INT64_MIN) | (tsim_s64x8)((x) * 0 + 0.5)))

/* AVX-512, where the block path runs (run/block.c tsim__block_pays), and the build's own instruction
 * set (AVX-512 in a build for it; the baseline when a test forces the block path). */
void tsim__block_add_generic(tsim_block_sums *a, const tsim_outcome_block *b) { BLOCK_ADD_BODY }
#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX512 void tsim__block_add_avx512(tsim_block_sums *a, const tsim_outcome_block *b) { BLOCK_ADD_BODY }
#endif

