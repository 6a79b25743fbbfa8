#!/usr/bin/env Rscript
# ni_reference.R - independent reference values for the non-inferiority and equivalence tests of
# binary end points (issue #21), computed from the published formulas with base R only. rpact,
# when installed, is used for cross-checks that change nothing in the output.
#
# Usage: Rscript tests/r/ni_reference.R > tests/r/ni_reference.csv
# (tests/r/check_ni.sh regenerates the file and compares it with the committed one.) The script
# stops with an error, and prints no CSV, if any check below fails. About 25 s of one core.
#
# Conventions. Experimental arm x1 of n1, control x0 of n0, a response is good (higher is
# better). theta is p1 - p0 (measure rd), p1 / p0 (rr) or the odds ratio
# p1 (1 - p0) / (p0 (1 - p1)) (or). Non-inferiority: H0 theta <= theta0 against H1 theta > theta0;
# p_value is the one-sided upper tail of the z statistic, P(Z >= z) = pnorm(z, lower = FALSE).
# lower, upper: the two-sided interval at level conf (its lower bound above theta0 is the
# one-sided test at (1 - conf) / 2; an equivalence test at alpha uses conf = 1 - 2 alpha, the
# 0.90 cases below). Equivalence p-values are two of these one-sided tests, not listed.
#
# Output: CSV on stdout, header
#   case,method,measure,x1,n1,x0,n0,theta0,conf,p_value,lower,upper
# numbers to 17 significant digits (sprintf("%.17g", x), which reads back to the same double).
#   NA : the method gives no such number (newcombe: no p-value; fm: no interval).
#   NaN: the method's formula is 0/0 for this table (see the edge tables below).
#   Inf: an interval open at the top (ratio measures).
# One row per case and method/measure: fm rd, fm rr, mn rd, mn rr, mn or, wald rd, newcombe rd;
# theta0 is the case's margin on that measure (newcombe: the rd margin its interval is held to).
#
# The methods (N = n1 + n0, p1 = x1/n1, p0 = x0/n0, z_c = qnorm((1 + conf) / 2)):
#  fm  Farrington & Manning (1990), Statistics in Medicine 9:1447-1454, the score test of a
#      non-zero null difference or a non-unity null ratio:
#        rd: z = (p1 - p0 - theta0) / sqrt(P1 (1 - P1) / n1 + P0 (1 - P0) / n0)
#        rr: z = (p1 - theta0 p0) / sqrt(P1 (1 - P1) / n1 + theta0^2 P0 (1 - P0) / n0)
#      with (P1, P0) the maximum likelihood estimates restricted to theta = theta0: rd from the
#      cubic in P1 solved with the trigonometric formula (the same as in Miettinen & Nurminen
#      1985's appendix), rr from the quadratic in P0. No interval.
#  mn  Miettinen & Nurminen (1985), Statistics in Medicine 4:213-226: the same statistics with
#      the variance multiplied by N / (N - 1), for rd and rr as above, and for the odds ratio
#        or: z = (x1 - n1 P1) sqrt((1 / (n1 P1 (1 - P1)) + 1 / (n0 P0 (1 - P0))) (N - 1) / N)
#      (x1 - n1 P1 is the score of the log odds ratio, (1/(n1 P1 Q1) + 1/(n0 P0 Q0))^-1 its
#      variance), P0 the root in [0, 1] of their quadratic, P1 = psi P0 / (1 + P0 (psi - 1)).
#      The interval: every theta whose two-sided test is not rejected, -z_c <= z(theta) <= z_c,
#      its ends found with uniroot (to 1e-15 absolute on rd, 1e-14 on the log of a ratio).
#  wald  rd only: z = (p1 - p0 - theta0) / se, se = sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0)
#      (unpooled), interval p1 - p0 -/+ z_c se, not clipped to [-1, 1].
#  newcombe  rd only, Newcombe (1998), Statistics in Medicine 17:873-890, method 10 (the hybrid
#      score interval): with [l_i, u_i] the Wilson score interval of p_i,
#        lower = p1 - p0 - sqrt((p1 - l1)^2 + (u0 - p0)^2)
#        upper = p1 - p0 + sqrt((u1 - p1)^2 + (p0 - l0)^2),
#      the Wilson interval from its formula (checked against prop.test), exactly 0 at x = 0 and
#      1 at x = n.
#
# The restricted estimates. Along each null curve the log-likelihood has one maximum (rd, rr:
# it is concave in p0; or: concave in logit p0), so the restricted estimate is where its
# derivative changes sign, or an end of the feasible range when it does not. The script computes
# it twice, from the closed forms above (clamped into the feasible range, which rounding can
# leave by 1e-16) and by bisection on the sign of the derivative to the last bit, on every table
# and every theta it evaluates (about 10 000). They differ by 8.7e-11 at most, near the end of
# the range (10/10 vs 0/10 at a difference of 0.996, in an interval search: the trigonometric
# solution loses digits there), by 1.4e-15 at most at the cases' margins. The output uses the
# bisection; computed once with the closed forms instead, every number of the CSV moved by
# 3.3e-13 relative at most. For an implementation of the closed forms: the odds ratio's root is
# exactly 0 when x1 + x0 = 0 and 1 when x1 + x0 = N, but the formula gives 1 - 1e-16 there and
# a finite z from rounding: such a table is 0/0 and must be decided before (NaN here).
#
# Edge tables (x = 0 or x = n in an arm), what each method gives (the edge_* cases):
#  - fm/mn rd: always defined for theta0 in (-1, 0): the restricted estimate may sit on the
#    boundary (x1 = x0 = 0: P1 = 0, P0 = -theta0; x1 = n1, x0 = n0: P0 = 1, P1 = 1 + theta0), the
#    variance stays positive, z is finite. The interval is inside [-1, 1] and ends at 1 when
#    p1 - p0 = 1 (x1 = n1, x0 = 0), at -1 when p1 - p0 = -1.
#  - fm/mn rr: x1 = x0 = 0 is 0/0 (P1 = P0 = 0): p NaN, interval [0, Inf). x1 = 0: lower 0;
#    x0 = 0: upper Inf (z > 0 for every theta0). x1 = n1, x0 = n0: finite (P0 = 1, P1 = theta0).
#  - mn or: x1 = x0 = 0 and x1 = n1, x0 = n0 are 0/0 (P1 = P0 = 0 or 1): p NaN, interval
#    [0, Inf). x1 = 0 or x0 = n0: lower 0; x1 = n1 or x0 = 0: upper Inf.
#  - wald rd: both arms at 0% or both at 100%: se = 0, z = +Inf, p = 0 and the interval is the
#    point [0, 0]: the Wald test "shows" non-inferiority from no information. x1 = n1, x0 = 0:
#    p = 0, interval [1, 1]; x1 = 0, x0 = n0: p = 1, interval [-1, -1].
#  - newcombe rd: always defined, inside [-1, 1].
#  edge_x1_0 has p1 - p0 = theta0 exactly (z = 0, p = 0.5 for fm, mn and wald rd).
#
# Validation (the stopifnot() calls below; the script fails if one does not hold):
#  1. Published intervals, to the digits printed (|ours - printed| <= half a unit of the last
#     printed digit):
#     - Newcombe (1998), Table II, its eight examples (a)-(h), 95%, 4 decimals: method 10
#       (newcombe), method 6 (Miettinen-Nurminen, mn rd) and method 5 (Mee: the score interval
#       without N / (N - 1), i.e. the fm rd test inverted), and method 1 (Wald) for (a), (b),
#       (g). The paper could not be read here; its numbers are as transcribed, identically, in
#       two independent public test suites (mergeron_extra's proportions tests, Python: all
#       eight examples; lumen's binomDiffCI tests, R, from the SAS reproduction in WUSS 2016
#       paper 127, p. 9: examples (a), (b), (g)), and for methods 10 and 6 of example (d) in
#       ratesci's tests/testthat/test3.R; method 10 as in this repository's test_stattest.c.
#     - WUSS 2016 paper 127, p. 9 (SAS PROC FREQ), an HIV trial, 84/101 vs 89/105, 4 decimals:
#       Wald, Mee, Miettinen-Nurminen, Newcombe (as transcribed in lumen's tests).
#     - Fagerland & Newcombe (2013), Statistics in Medicine 32:2823-2836, three examples, 3
#       decimals: Miettinen-Nurminen intervals for rr and or (as transcribed in ratesci's
#       tests/testthat/test3.R; the paper could not be read here).
#     - Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables,
#       chapter 4 examples, 4 decimals: mn rd (0/16 vs 15/72), mn rr, Mee, Newcombe and Wald
#       (7/34 vs 1/34), mn or (9/13 vs 4/14), as printed by the book's R package
#       contingencytables (its tests/testthat/test-ch4.R).
#     Not found: a worked example with numbers from Miettinen & Nurminen (1985) or Farrington &
#     Manning (1990) themselves. The fm rd test is checked through its inverted interval
#     (Newcombe's method 5) and against rpact (3); fm rr through mn rr (the same statistic
#     times sqrt(N / (N - 1))) and rpact's restricted estimate (3).
#  2. Internal: Wilson limits against prop.test (1e-14); closed-form restricted estimates
#     against bisection (1e-9); each free interval end has |z| = z_c (1e-9); p-value and
#     interval agree (p < (1 - conf) / 2 exactly when lower > theta0; mn and wald); swapping
#     the arms mirrors the mn intervals (rd: -[upper, lower]; rr, or: 1 / [upper, lower]) and
#     swapping responders and non-responders inverts the or interval (1e-9); z decreases in
#     theta on a grid (fm and mn, all three measures, every case).
#  3. rpact (when installed; skipped with a note on stderr otherwise), a one-look design
#     getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1) and thetaH0 = the rd margin:
#     getStageResults's z (its Farrington-Manning test) equals the fm rd z to 1e-12 (relative
#     above 1) on every case (its p-value is 1 - pnorm(z): compared to 1e-13 absolute); its
#     internal restricted estimate for a ratio (.getFarringtonManningValuesRatio) equals ours at
#     the rr margin to 1e-12; getAnalysisResults's repeated confidence interval (the fm rd test
#     inverted to rpact's tolerance, 1e-6) equals ours to 2e-6, except where p1 - p0 = +-1
#     (rpact's search stops short of the end or fails). rpact 3.3.4: z to 1.1e-14, estimates to
#     1.2e-15, intervals to 1.9e-7 on 21 of the 23 cases.

options(warn = 2)

fmt <- function(v) sprintf("%.17g", v) # NA, NaN, Inf as written; no padding (formatC pads)
zcrit <- function(conf) qnorm((1 + conf) / 2)

# ---- Wilson score interval, from its formula --------------------------------------------------
wilson <- function(x, n, z) {
  c0 <- (x + z^2 / 2) / (n + z^2)
  h <- z * sqrt(x * (n - x) / n + z^2 / 4) / (n + z^2)
  c(if (x == 0) 0 else c0 - h, if (x == n) 1 else c0 + h)
}

# ---- restricted maximum likelihood estimates --------------------------------------------------
# x / p with 0 / 0 read as 0: a zero count contributes nothing to the score.
ratio0 <- function(x, p) if (x == 0) 0 else x / p

# The maximiser of a unimodal log-likelihood over [lo, hi] from its derivative's sign s(p0):
# bisection until the two ends are adjacent doubles.
argmax_sign <- function(s, lo, hi) {
  if (lo >= hi) return(lo)
  slo <- s(lo)
  if (!is.nan(slo) && slo <= 0) return(lo)
  shi <- s(hi)
  if (!is.nan(shi) && shi >= 0) return(hi)
  repeat {
    mid <- lo + (hi - lo) / 2
    if (mid <= lo || mid >= hi) break
    sm <- s(mid)
    if (sm > 0) lo <- mid else if (sm < 0) hi <- mid else return(mid)
  }
  if (abs(s(lo)) <= abs(s(hi))) lo else hi
}

# rd, null p1 - p0 = d: p0 in [max(0, -d), min(1, 1 - d)], p1 = p0 + d.
mle_rd_bisect <- function(x1, n1, x0, n0, d) {
  s <- function(p0) {
    p1 <- p0 + d
    ratio0(x1, p1) - ratio0(n1 - x1, 1 - p1) + ratio0(x0, p0) - ratio0(n0 - x0, 1 - p0)
  }
  p0 <- argmax_sign(s, max(0, -d), min(1, 1 - d))
  c(p0 + d, p0)
}
# Farrington & Manning (1990) / Miettinen & Nurminen (1985): the cubic in P1 solved with the
# trigonometric formula; theta = n0 / n1 (their N2 / N1), s0 = d.
mle_rd_closed <- function(x1, n1, x0, n0, d) {
  p1 <- x1 / n1; p0 <- x0 / n0; th <- n0 / n1
  a <- 1 + th
  b <- -(1 + th + p1 + th * p0 + d * (th + 2))
  c <- d^2 + d * (2 * p1 + th + 1) + p1 + th * p0
  dd <- -p1 * d * (1 + d)
  v <- b^3 / (3 * a)^3 - b * c / (6 * a^2) + dd / (2 * a)
  u2 <- b^2 / (3 * a)^2 - c / (3 * a)
  if (v == 0 || u2 <= 0) {
    P1 <- -b / (3 * a) # w = pi / 2 (v = 0), or a triple root (u = 0)
  } else {
    u <- sign(v) * sqrt(u2)
    w <- (pi + acos(max(-1, min(1, v / u^3)))) / 3
    P1 <- 2 * u * cos(w) - b / (3 * a)
  }
  P1 <- min(max(P1, max(0, d)), min(1, 1 + d)) # rounding can step just outside the range
  c(P1, P1 - d)
}

# rr, null p1 = r p0: p0 in [0, min(1, 1 / r)].
mle_rr_bisect <- function(x1, n1, x0, n0, r) {
  s <- function(p0) {
    ratio0(x1 + x0, p0) - r * ratio0(n1 - x1, 1 - r * p0) - ratio0(n0 - x0, 1 - p0)
  }
  p0 <- argmax_sign(s, 0, min(1, 1 / r))
  c(r * p0, p0)
}
# Farrington & Manning (1990): a P0^2 + b P0 + c = 0, the smaller root.
mle_rr_closed <- function(x1, n1, x0, n0, r) {
  a <- (n1 + n0) * r
  b <- -(n1 * r + x1 + n0 + x0 * r)
  c <- x1 + x0
  P0 <- (-b - sqrt(b^2 - 4 * a * c)) / (2 * a)
  P0 <- min(max(P0, 0), min(1, 1 / r))
  c(r * P0, P0)
}

# or, null odds ratio psi: the score of logit p0 is m - n1 P1 - n0 P0 (m = x1 + x0), decreasing.
or_p1 <- function(p0, psi) if (p0 >= 1) 1 else psi * p0 / (1 + p0 * (psi - 1))
mle_or_bisect <- function(x1, n1, x0, n0, psi) {
  m <- x1 + x0
  p0 <- argmax_sign(function(p0) m - n1 * or_p1(p0, psi) - n0 * p0, 0, 1)
  c(or_p1(p0, psi), p0)
}
# Miettinen & Nurminen (1985): n0 (psi - 1) P0^2 + (n1 psi + n0 - m (psi - 1)) P0 - m = 0, the
# root in [0, 1]; written without cancellation (b > 0 whenever psi < 1).
mle_or_closed <- function(x1, n1, x0, n0, psi) {
  m <- x1 + x0
  if (psi == 1) return(c(m, m) / (n1 + n0))
  a <- n0 * (psi - 1); b <- n1 * psi + n0 - m * (psi - 1)
  disc <- b^2 + 4 * a * m
  P0 <- if (b > 0) 2 * m / (b + sqrt(disc)) else (-b + sqrt(disc)) / (2 * a)
  P0 <- min(max(P0, 0), 1)
  c(or_p1(P0, psi), P0)
}

# Every restricted estimate goes through here: the bisection's value is returned, after the
# closed form (clamped into the feasible range) was compared with it.
closed_checked <- 0L
closed_max_diff <- 0
mle <- function(measure, x1, n1, x0, n0, theta) {
  f_b <- switch(measure, rd = mle_rd_bisect, rr = mle_rr_bisect, or = mle_or_bisect)
  f_c <- switch(measure, rd = mle_rd_closed, rr = mle_rr_closed, or = mle_or_closed)
  pb <- f_b(x1, n1, x0, n0, theta)
  pc <- f_c(x1, n1, x0, n0, theta)
  diff <- max(abs(pb - pc))
  if (!(is.finite(diff) && diff <= 1e-9)) {
    stop(sprintf("closed form %s (%d/%d, %d/%d, theta %.17g): %.17g %.17g, bisection %.17g %.17g",
                 measure, x1, n1, x0, n0, theta, pc[1], pc[2], pb[1], pb[2]))
  }
  closed_checked <<- closed_checked + 1L
  closed_max_diff <<- max(closed_max_diff, diff)
  pb
}

# ---- score statistics -------------------------------------------------------------------------
# z of the score test of theta = theta0 (fm: mn = FALSE; mn: mn = TRUE), decreasing in theta0.
score_z <- function(measure, x1, n1, x0, n0, theta, mn) {
  N <- n1 + n0
  f <- if (mn) N / (N - 1) else 1
  P <- mle(measure, x1, n1, x0, n0, theta)
  v1 <- P[1] * (1 - P[1]) / n1
  v0 <- P[2] * (1 - P[2]) / n0
  switch(measure,
    rd = (x1 / n1 - x0 / n0 - theta) / sqrt((v1 + v0) * f),
    rr = (x1 / n1 - theta * x0 / n0) / sqrt((v1 + theta^2 * v0) * f),
    or = {
      D <- x1 - n1 * P[1]
      info <- 1 / (n1 * P[1] * (1 - P[1])) + 1 / (n0 * P[2] * (1 - P[2])) # Inf at P in {0, 1}
      if (D == 0 && is.infinite(info)) NaN else D * sqrt(info / f)
    })
}

estimate <- function(measure, x1, n1, x0, n0) {
  p1 <- x1 / n1; p0 <- x0 / n0
  switch(measure, rd = p1 - p0, rr = p1 / p0,
         or = (x1 * (n0 - x0)) / (x0 * (n1 - x1)))
}

# The score interval: theta with -z_c <= z(theta) <= z_c; z decreases in theta.
score_ci <- function(measure, x1, n1, x0, n0, conf, mn) {
  zc <- zcrit(conf)
  est <- estimate(measure, x1, n1, x0, n0)
  zf <- function(theta) score_z(measure, x1, n1, x0, n0, theta, mn)
  clamp <- function(z) max(-1e3, min(1e3, z))
  if (measure == "rd") {
    lo <- if (est <= -1) -1 else
      uniroot(function(t) clamp(zf(t)) - zc, c(-1, est), f.lower = clamp(zf(-1)) - zc,
              f.upper = -zc, tol = 1e-15, maxiter = 10000)$root
    hi <- if (est >= 1) 1 else
      uniroot(function(t) clamp(zf(t)) + zc, c(est, 1), f.lower = zc,
              f.upper = clamp(zf(1)) + zc, tol = 1e-15, maxiter = 10000)$root
    return(c(lo, hi))
  }
  if (is.nan(est)) return(c(0, Inf)) # 0/0 table: no information on the ratio
  g_lo <- function(t) clamp(zf(exp(t))) - zc
  g_hi <- function(t) clamp(zf(exp(t))) + zc
  # lower end: z(theta) = z_c below the estimate; 0 when the estimate is 0
  # (at the estimate z = 0 by its numerator, also where the variance is 0 there: not evaluated)
  lo <- if (est == 0) 0 else {
    if (is.finite(est)) {
      b <- log(est); gb <- -zc
    } else {
      b <- 0; step <- 1
      while ((gb <- g_lo(b)) >= 0) { b <- b + step; step <- 2 * step; stopifnot(b < 700) }
    }
    a <- b - 1; step <- 1
    while ((ga <- g_lo(a)) <= 0 && a > -700) { a <- a - step; step <- 2 * step }
    if (a <= -700) 0 else
      exp(uniroot(g_lo, c(a, b), f.lower = ga, f.upper = gb, tol = 1e-14, maxiter = 10000)$root)
  }
  # upper end: z(theta) = -z_c above the estimate; Inf when the estimate is Inf
  hi <- if (is.infinite(est)) Inf else {
    if (est > 0) {
      a <- log(est); ga <- zc
    } else {
      a <- 0; step <- 1
      while ((ga <- g_hi(a)) <= 0) { a <- a - step; step <- 2 * step; stopifnot(a > -700) }
    }
    b <- a + 1; step <- 1
    while ((gb <- g_hi(b)) >= 0 && b < 700) { b <- b + step; step <- 2 * step }
    if (b >= 700) Inf else
      exp(uniroot(g_hi, c(a, b), f.lower = ga, f.upper = gb, tol = 1e-14, maxiter = 10000)$root)
  }
  c(lo, hi)
}

wald_rd <- function(x1, n1, x0, n0, theta0, conf) {
  p1 <- x1 / n1; p0 <- x0 / n0
  se <- sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
  est <- p1 - p0
  z <- (est - theta0) / se
  c(p = pnorm(z, lower.tail = FALSE), lo = est - zcrit(conf) * se, hi = est + zcrit(conf) * se)
}

newcombe_rd <- function(x1, n1, x0, n0, conf) {
  z <- zcrit(conf)
  p1 <- x1 / n1; p0 <- x0 / n0
  w1 <- wilson(x1, n1, z); w0 <- wilson(x0, n0, z)
  c(p1 - p0 - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2),
    p1 - p0 + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2))
}

score_p <- function(measure, x1, n1, x0, n0, theta0, mn)
  pnorm(score_z(measure, x1, n1, x0, n0, theta0, mn), lower.tail = FALSE)

# ---- 1. published intervals -------------------------------------------------------------------
near <- function(got, printed, digits) all(abs(got - printed) <= 0.5 * 10^-digits + 1e-12)
check_pub <- function(what, got, printed, digits) {
  if (!near(got, printed, digits)) {
    stop(sprintf("%s: got %.6f %.6f, printed %s", what, got[1], got[2],
                 paste(printed, collapse = " ")))
  }
}

# Newcombe (1998), Table II, 95%: x1, n1, x0, n0 (x1/n1 - x0/n0), then the lower and upper
# limits of method 10 (Newcombe), method 6 (Miettinen-Nurminen) and method 5 (Mee).
newcombe_table2 <- read.csv(text = "
ex,x1,n1,x0,n0,m10_lo,m10_hi,m6_lo,m6_hi,m5_lo,m5_hi
a,56,70,48,80,0.0524,0.3339,0.0528,0.3382,0.0533,0.3377
b,9,10,3,10,0.1705,0.8090,0.1700,0.8406,0.1821,0.8370
c,6,7,2,7,0.0582,0.8062,0.0342,0.8534,0.0544,0.8478
d,5,56,0,29,-0.0381,0.1926,-0.0326,0.1933,-0.0313,0.1926
e,0,10,0,20,-0.1611,0.2775,-0.1658,0.2844,-0.1611,0.2775
f,0,10,0,10,-0.2775,0.2775,-0.2879,0.2879,-0.2775,0.2775
g,10,10,0,20,0.6791,1.0000,0.7156,1.0000,0.7225,1.0000
h,10,10,0,10,0.6075,1.0000,0.6636,1.0000,0.6777,1.0000
", stringsAsFactors = FALSE)
for (k in seq_len(nrow(newcombe_table2))) {
  e <- newcombe_table2[k, ]
  what <- sprintf("Newcombe 1998 Table II (%s) %d/%d - %d/%d", e$ex, e$x1, e$n1, e$x0, e$n0)
  check_pub(paste(what, "method 10"), newcombe_rd(e$x1, e$n1, e$x0, e$n0, 0.95),
            c(e$m10_lo, e$m10_hi), 4)
  check_pub(paste(what, "method 6 (MN)"), score_ci("rd", e$x1, e$n1, e$x0, e$n0, 0.95, TRUE),
            c(e$m6_lo, e$m6_hi), 4)
  check_pub(paste(what, "method 5 (Mee)"), score_ci("rd", e$x1, e$n1, e$x0, e$n0, 0.95, FALSE),
            c(e$m5_lo, e$m5_hi), 4)
}
# Newcombe (1998) Table II, method 1 (Wald), as in the SAS reproduction (WUSS 2016, p. 9).
check_pub("Newcombe (a) Wald", wald_rd(56, 70, 48, 80, 0, 0.95)[2:3], c(0.0575, 0.3425), 4)
check_pub("Newcombe (b) Wald", wald_rd(9, 10, 3, 10, 0, 0.95)[2:3], c(0.2605, 0.9395), 4)
check_pub("Newcombe (g) Wald", wald_rd(10, 10, 0, 20, 0, 0.95)[2:3], c(1, 1), 4)

# WUSS 2016 paper 127, p. 9: HIV trial 84/101 vs 89/105, 95%.
check_pub("WUSS 2016 HIV Wald", wald_rd(84, 101, 89, 105, 0, 0.95)[2:3], c(-0.1162, 0.0843), 4)
check_pub("WUSS 2016 HIV Mee", score_ci("rd", 84, 101, 89, 105, 0.95, FALSE), c(-0.1188, 0.0857), 4)
check_pub("WUSS 2016 HIV MN", score_ci("rd", 84, 101, 89, 105, 0.95, TRUE), c(-0.1191, 0.0860), 4)
check_pub("WUSS 2016 HIV Newcombe", newcombe_rd(84, 101, 89, 105, 0.95), c(-0.1177, 0.0851), 4)

# Fagerland & Newcombe (2013): MN intervals for rr and or, 95%, 3 decimals.
fn2013 <- list(list(c(24, 73, 53, 65), rr = c(0.280, 0.560), or = c(0.050, 0.245)),
               list(c(29, 55, 11, 11), rr = c(0.397, 0.742), or = c(0, 0.417)),
               list(c(7, 18, 1, 18), rr = c(1.296, 42.544), or = c(1.416, 76.428)))
for (e in fn2013) {
  t <- e[[1]]
  what <- sprintf("Fagerland & Newcombe 2013 %d/%d vs %d/%d", t[1], t[2], t[3], t[4])
  check_pub(paste(what, "MN rr"), score_ci("rr", t[1], t[2], t[3], t[4], 0.95, TRUE), e$rr, 3)
  check_pub(paste(what, "MN or"), score_ci("or", t[1], t[2], t[3], t[4], 0.95, TRUE), e$or, 3)
}

# Fagerland, Lydersen & Laake (2017), chapter 4 examples (contingencytables), 95%, 4 decimals.
check_pub("FLL 2017 Ritland 0/16 vs 15/72 MN rd", score_ci("rd", 0, 16, 15, 72, 0.95, TRUE),
          c(-0.3164, -0.0056), 4)
check_pub("FLL 2017 Perondi 7/34 vs 1/34 MN rr", score_ci("rr", 7, 34, 1, 34, 0.95, TRUE),
          c(1.2086, 43.0330), 4)
check_pub("FLL 2017 9/13 vs 4/14 MN or", score_ci("or", 9, 13, 4, 14, 0.95, TRUE),
          c(1.0934, 28.9419), 4)
check_pub("FLL 2017 Perondi Mee", score_ci("rd", 7, 34, 1, 34, 0.95, FALSE), c(0.0284, 0.3439), 4)
check_pub("FLL 2017 Perondi Newcombe", newcombe_rd(7, 34, 1, 34, 0.95), c(0.0189, 0.3404), 4)
check_pub("FLL 2017 Perondi Wald", wald_rd(7, 34, 1, 34, 0, 0.95)[2:3], c(0.0292, 0.3238), 4)

# ---- the cases ----------------------------------------------------------------------------------
# name, x1, n1, x0, n0, rd margin, rr margin, or margin, conf
cases <- read.csv(text = "
case,x1,n1,x0,n0,rd,rr,or,conf
ni_100_80v82,80,100,82,100,-0.10,0.90,0.60,0.95
ni_250_85v85,212,250,213,250,-0.10,0.90,0.60,0.95
ni_500_95v96,473,500,480,500,-0.05,0.90,0.50,0.95
ni_500_90v90,452,500,449,500,-0.05,0.90,0.70,0.95
ni_300v150_69v72,207,300,108,150,-0.15,0.80,0.60,0.95
ni_20_70v75,14,20,15,20,-0.20,0.70,0.50,0.95
ni_40_50v60,20,40,24,40,-0.20,0.70,0.50,0.95
ni_400_05v05,22,400,20,400,-0.05,0.70,0.50,0.95
ni_200_10v12,19,200,24,200,-0.05,0.70,0.60,0.95
ni_150_31v29,47,150,44,150,-0.10,0.80,0.70,0.95
ni_60v40_30v35,18,60,14,40,-0.15,0.70,0.50,0.95
eq_200_60v62,121,200,124,200,-0.10,0.85,0.65,0.90
eq_350_45v45,158,350,157,350,-0.10,0.80,0.70,0.90
ni_120_55v65,66,120,78,120,-0.10,0.80,0.60,0.975
newcombe_a_56of70v48of80,56,70,48,80,-0.10,0.90,0.60,0.95
edge_x1_0,0,30,3,30,-0.10,0.70,0.50,0.95
edge_x0_0,5,30,0,30,-0.05,0.80,0.60,0.95
edge_both_0,0,25,0,25,-0.10,0.80,0.50,0.95
edge_x1_n1,40,40,35,40,-0.10,0.90,0.60,0.95
edge_x0_n0,36,40,40,40,-0.15,0.85,0.60,0.95
edge_both_n,50,50,50,50,-0.05,0.90,0.50,0.95
edge_x1_n1_x0_0,20,20,0,20,-0.10,0.90,0.80,0.95
edge_x1_0_x0_n0,0,20,20,20,-0.10,0.90,0.80,0.95
", stringsAsFactors = FALSE)

rows <- list()
add <- function(cs, method, measure, theta0, p, ci) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = cs$case, method = method, measure = measure, x1 = cs$x1, n1 = cs$n1, x0 = cs$x0,
    n0 = cs$n0, theta0 = theta0, conf = cs$conf, p_value = p, lower = ci[1], upper = ci[2],
    stringsAsFactors = FALSE)
}
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  x1 <- cs$x1; n1 <- cs$n1; x0 <- cs$x0; n0 <- cs$n0; conf <- cs$conf
  add(cs, "fm", "rd", cs$rd, score_p("rd", x1, n1, x0, n0, cs$rd, FALSE), c(NA, NA))
  add(cs, "fm", "rr", cs$rr, score_p("rr", x1, n1, x0, n0, cs$rr, FALSE), c(NA, NA))
  for (m in c("rd", "rr", "or")) {
    add(cs, "mn", m, cs[[m]], score_p(m, x1, n1, x0, n0, cs[[m]], TRUE),
        score_ci(m, x1, n1, x0, n0, conf, TRUE))
  }
  w <- wald_rd(x1, n1, x0, n0, cs$rd, conf)
  add(cs, "wald", "rd", cs$rd, w[["p"]], w[c("lo", "hi")])
  add(cs, "newcombe", "rd", cs$rd, NA, newcombe_rd(x1, n1, x0, n0, conf))
}
out <- do.call(rbind, rows)

# ---- 2. internal checks -------------------------------------------------------------------------
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  for (conf in c(cs$conf, 0.8)) {
    z <- zcrit(conf)
    for (x in c(cs$x1, cs$x0)) {
      n <- if (x == cs$x1) cs$n1 else cs$n0
      ours <- wilson(x, n, z)
      r <- suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = conf)$conf.int)
      stopifnot(abs(ours - r) <= 1e-14)
    }
  }
}
for (j in seq_len(nrow(out))) {
  r <- out[j, ]
  if (r$method != "mn" && r$method != "wald") next
  # the test at (1 - conf) / 2 and the interval's lower bound decide alike
  if (!is.nan(r$p_value)) {
    stopifnot((r$p_value < (1 - r$conf) / 2) == (r$lower > r$theta0))
  }
  if (r$method != "mn") next
  zc <- zcrit(r$conf)
  # the ends have |z| = z_c (where they are not an end of the parameter range)
  lo_free <- r$lower > (if (r$measure == "rd") -1 else 0)
  hi_free <- r$upper < (if (r$measure == "rd") 1 else Inf)
  if (lo_free) stopifnot(abs(score_z(r$measure, r$x1, r$n1, r$x0, r$n0, r$lower, TRUE) - zc) < 1e-9)
  if (hi_free) stopifnot(abs(score_z(r$measure, r$x1, r$n1, r$x0, r$n0, r$upper, TRUE) + zc) < 1e-9)
  # swapping the arms mirrors the interval; responders <-> non-responders inverts the or's
  sw <- score_ci(r$measure, r$x0, r$n0, r$x1, r$n1, r$conf, TRUE)
  mirror <- switch(r$measure, rd = -rev(sw), rr = 1 / rev(sw), or = 1 / rev(sw))
  stopifnot(abs(mirror - c(r$lower, r$upper)) <= 1e-9 * pmax(1, abs(mirror)) |
              (is.infinite(mirror) & is.infinite(c(r$lower, r$upper))))
  if (r$measure == "or") {
    fl <- score_ci("or", r$n1 - r$x1, r$n1, r$n0 - r$x0, r$n0, r$conf, TRUE)
    inv <- 1 / rev(fl)
    stopifnot(abs(inv - c(r$lower, r$upper)) <= 1e-9 * pmax(1, abs(inv)) |
                (is.infinite(inv) & is.infinite(c(r$lower, r$upper))))
  }
}
# z decreases in theta (so the interval is the one range where |z| <= z_c)
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  for (m in c("rd", "rr", "or")) {
    grid <- if (m == "rd") seq(-0.98, 0.98, length.out = 50) else exp(seq(-4, 4, length.out = 50))
    for (mn in c(FALSE, TRUE)) {
      z <- sapply(grid, function(t) score_z(m, cs$x1, cs$n1, cs$x0, cs$n0, t, mn))
      z <- z[!is.nan(z)]
      k <- length(z)
      stopifnot(all(z[-1] <= z[-k] + 1e-12 * pmax(1, abs(z[-1]))))
    }
  }
}

# ---- 3. rpact ------------------------------------------------------------------------------------
# rpact's p-value is 1 - pnorm(z), which keeps only ~1e-16 absolute: the z statistics are compared.
if (requireNamespace("rpact", quietly = TRUE)) {
  quiet <- function(expr) { # rpact prints progress on stdout, and warns from acos on some edges
    old <- options(warn = 0); on.exit(options(old))
    invisible(utils::capture.output(v <- suppressWarnings(expr)))
    v
  }
  design <- rpact::getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1)
  worst_z <- 0; worst_rr <- 0; worst_ci <- 0; ci_compared <- 0; ci_not <- character(0)
  for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    ds <- rpact::getDataset(events1 = cs$x1, events2 = cs$x0, sampleSizes1 = cs$n1,
                            sampleSizes2 = cs$n0)
    sr <- quiet(rpact::getStageResults(design, dataInput = ds, thetaH0 = cs$rd,
                                       directionUpper = TRUE))
    zr <- sr$overallTestStatistics[1]
    zo <- score_z("rd", cs$x1, cs$n1, cs$x0, cs$n0, cs$rd, FALSE)
    rel <- abs(zr - zo) / max(1, abs(zo))
    stopifnot(rel <= 1e-12, abs(sr$overallPValues[1] - pnorm(zo, lower.tail = FALSE)) <= 1e-13)
    worst_z <- max(worst_z, rel)
    # rpact's analysis has no ratio test; its (internal) restricted estimate for a ratio margin,
    # a quadratic in P1 rather than P0, is compared where the function exists
    if (exists(".getFarringtonManningValuesRatio", envir = asNamespace("rpact"))) {
      ml <- get(".getFarringtonManningValuesRatio", envir = asNamespace("rpact"))(
        rate1 = cs$x1 / cs$n1, rate2 = cs$x0 / cs$n0, theta = cs$rr, allocation = cs$n1 / cs$n0)
      P <- mle("rr", cs$x1, cs$n1, cs$x0, cs$n0, cs$rr)
      stopifnot(abs(ml - P) <= 1e-12)
      worst_rr <- max(worst_rr, abs(ml - P))
    }
    ar <- quiet(rpact::getAnalysisResults(design, dataInput = ds, thetaH0 = cs$rd,
                                          directionUpper = TRUE))
    rci <- c(ar$repeatedConfidenceIntervalLowerBounds[1],
             ar$repeatedConfidenceIntervalUpperBounds[1])
    mee <- score_ci("rd", cs$x1, cs$n1, cs$x0, cs$n0, 0.95, FALSE)
    if (anyNA(rci) || abs(cs$x1 / cs$n1 - cs$x0 / cs$n0) == 1) {
      # rpact's search stops short of -1 or 1, or fails (NaN from acos) there
      ci_not <- c(ci_not, sprintf("%s (rpact %.7f %.7f, ours %.7f %.7f)", cs$case, rci[1], rci[2],
                                  mee[1], mee[2]))
      next
    }
    stopifnot(abs(rci - mee) <= 2e-6)
    worst_ci <- max(worst_ci, abs(rci - mee))
    ci_compared <- ci_compared + 1
  }
  stopifnot(ci_compared >= nrow(cases) - 2)
  message(sprintf(paste0("ni_reference.R: rpact %s: fm rd z equal on all %d cases (to %.1e, ",
                         "relative above 1), the restricted estimates at the rr margin to %.1e; ",
                         "its 95%% interval equals the inverted fm rd test on %d cases (to %.1e); ",
                         "not compared: %s"),
                  packageVersion("rpact"), nrow(cases), worst_z, worst_rr, ci_compared, worst_ci,
                  paste(ci_not, collapse = "; ")))
} else {
  message("ni_reference.R: rpact not installed, its cross-check skipped")
}

stopifnot(closed_checked > 1000)
message(sprintf(paste0("ni_reference.R: closed forms checked on %d restricted estimates (max ",
                       "difference from the bisection %.1e)"), closed_checked, closed_max_diff))

# ---- output --------------------------------------------------------------------------------------
cat("case,method,measure,x1,n1,x0,n0,theta0,conf,p_value,lower,upper\n")
for (j in seq_len(nrow(out))) {
  r <- out[j, ]
  cat(paste(c(r$case, r$method, r$measure, sprintf("%d", as.integer(c(r$x1, r$n1, r$x0, r$n0))),
              fmt(c(r$theta0, r$conf, r$p_value, r$lower, r$upper))), collapse = ","), "\n",
      sep = "")
}
