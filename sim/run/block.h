/* block.h - the trial loop's block path, owned here whole: where every analysis of a two-arm
 * design is a two-sided Pearson or 'N-1' chi-square and nobody reads p-values or whole outcomes
 * (tsim_analysis_block_ok), a thread's trials go sample -> prepare -> counts into a block of
 * slots (analysis) -> the block's decisions (analysis, through the kernels' block_eval) -> the
 * slots' sums (the kernels' block_add) -> the tally, eight slots at a time. The same tally as
 * whole outcomes, bit for bit (tests/test_analysis.c, tests/vector.sh). Internal to run/. */
#ifndef TSIM_BLOCK_H
#define TSIM_BLOCK_H

#include <stdint.h>

#include "analysis/analysis.h"
#include "model/cohort.h"
#include "run/runner.h"

/* The longest chunk of trials tsim__block_path_chunk may take: its 64-bit sums cannot overflow
 * (a chunk adds at most chunk x 2^48 to a difference's sum). */
#define TSIM_BLOCK_CHUNK_MAX 32767

/* 1 when the block path is the faster one on this processor: with AVX-512 (kernels/kernels.h).
 * The environment variable TSIM_BLOCK = 1 or 0 takes the block path or leaves it whatever the
 * processor (the tests run the baseline kernels so). */
int tsim__block_pays(void);
/* 1 when a thread with workspace aw and tally t takes the block path: it applies to the
 * analyses, it pays, and no multiplicity procedure or p-value distribution reads whole
 * outcomes. */
int tsim__block_applies(const tsim_analysis_ws *aw, const tsim_tally *t);

typedef struct tsim_block_path tsim_block_path;
/* A thread's block path for its workspace and tally; NULL when out of memory. */
tsim_block_path *tsim__block_path_new(const tsim_analysis_ws *aw, const tsim_tally *t);
void tsim__block_path_free(tsim_block_path *b);
/* Trials first .. first + n - 1 (0 <= n <= TSIM_BLOCK_CHUNK_MAX) sampled into c, analysed in aw and
 * added to t. */
void tsim__block_path_chunk(tsim_block_path *b, tsim_cohort *c, tsim_analysis_ws *aw, tsim_tally *t,
                            uint64_t seed, long long first, long long n);
/* When the thread has no trials left: the joint rejections counted by pattern into t. */
void tsim__block_path_done(const tsim_block_path *b, tsim_tally *t);

#endif
