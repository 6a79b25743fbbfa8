/* linalg.h - small dense linear algebra the model needs: the Cholesky factor of a correlation
 * matrix. Depends on nothing else in sim/. */
#ifndef TSIM_LINALG_H
#define TSIM_LINALG_H

/* In-place Cholesky factorisation of the n x n symmetric matrix a (row-major): on success the
 * lower triangle holds L with L L' = a (the upper triangle is zeroed) and 0 is returned; -1
 * when a is not positive definite (a pivot <= 1e-12). */
int tsim_cholesky(double *a, int n);

#endif
