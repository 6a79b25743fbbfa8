#!/usr/bin/env python3
"""np_lupil2.py - a hand-vectorised numpy peer of scenarios/lupil2.json (tests/bench).

The whole design of the shipped default scenario, as trialsim's patient-level ("latent") model
defines it (scenarios/MODEL.md, scenarios/STATISTICS.md), vectorised over a batch of trials x
patients with no per-patient Python loop. Every trial is simulated under the scenario (the
alternative) AND its null twin from the same random numbers, as trialsim does, so one trial
here is the same work as one trialsim trial: two cohorts, eight analyses and two hierarchies
on each.

Per trial:
  sites      12 logit-scale effects b_s ~ N(0, 0.3^2); anomaly rules at sites 0 and 1.
  enrolment  random: the site sizes are Multinomial(N, weights) (the same law as drawing each
             patient's site). Permuted blocks of 4 (2 + 2) stratified by site: every whole block
             puts 2 + 2 in a site, the last partial block of r = size mod 4 patients takes the
             first r of one of the 6 equally likely arrangements of {P, P, I, I}. Patients are
             exchangeable within a (site, arm) cell, so the cells' sizes are all the analyses
             need.
  missing    each cell's patients split Multinomial(0.81, 0.09, 0.10) into per protocol,
             assessed with a major deviation (10% of the assessed) and dropped out (10%), which
             is independent Bernoulli dropout and deviation per patient.
  patients   every assessed patient: 3 standard normals times the Cholesky factor of the latent
             correlation (sri4, sledai_rel, sledai_abs: -0.7, -0.7, 0.9) = x. A dropout is never
             assessed, so it needs none (itt counts it as a non-responder).
  values     sri4 responds when x0 > -qnorm(p), p = logistic(logit(pi_arm) + b_s), or the
             anomaly's response (placebo 1.0, IL-2 0.6) at sites 0 and 1, with no site effect.
             sledai_rel / sledai_abs = mu_arm + sd (x - b_s sqrt(3)/pi) (lower is better, so the
             site effect enters with a minus sign), or the anomaly's mean + sd x at sites 0 and
             1 (a forced mean gets no site effect). Null twin: the control's p, mu and sd in
             both arms, anomalies kept, the same patients, missingness and x.
  analyses   itt (everyone, dropouts non-responders), pp (not dropped, no deviation),
             pp_prespecified (pp without sites 0, 1), pp_posthoc (pp without every site where
             >= 3 per-protocol placebo patients all responded): Pearson chi-square without
             continuity correction. itt_sledai_* (complete cases) and pp_prespecified_sledai_*
             (pp without sites 0, 1): Welch's t. Reject when p < alpha (1 - 1e-7), alpha 0.05;
             a test that is undefined (empty row or column, an arm below 2) does not reject.
  hierarchies  fixed sequence itt -> itt_sledai_rel -> itt_sledai_abs, and pp_prespecified ->
             pp_prespecified_sledai_rel -> pp_prespecified_sledai_abs: member k is significant
             when it and every member before it rejects.

The patients are laid out segment by segment, a segment being one (trial, site, arm, state);
the analyses read each segment's sums (np.add.reduceat) of the responses under both hypotheses
and of x1, x1^2, x2, x2^2, from which every population's counts, means and variances follow
under both hypotheses (a cell's values are its mean plus sd x).

Usage: np_lupil2.py [--n N] [--trials T | --seconds S] [--seed S] [--batch B]
Prints a table of powers, type I errors and hierarchy rates with their standard errors, the
same as machine lines (RATE name hypothesis estimate se; DIFF name hypothesis mean se n) and
  RESULT np_lupil2 trials_per_second X cohorts_per_second Y seconds Z trials T patients N
         trials_per_elapsed_second E
where X, Y and Z are per CPU-second of the simulation (time.process_time, after a warm-up), and
E per second of elapsed time (the same on a quiet machine).
Needs numpy and scipy (scipy.special: the normal quantile, Student's t tail, the chi-square
critical value).
"""
import argparse
import sys
import time

import numpy as np
from scipy import special

NS = 12
WEIGHTS = np.array([0.15, 0.15] + [0.07] * 10)
HET_SD = 0.3
ANOM = np.zeros(NS, bool)
ANOM[[0, 1]] = True
# Arm 0 = placebo (control), arm 1 = IL-2.
P_SRI4 = np.array([0.517, 0.833])
ANOM_P = np.array([1.0, 0.6])
MU = np.array([[-42.0, -60.0], [-5.0, -7.5]])        # [sledai_rel, sledai_abs][arm]
SD = np.array([30.0, 3.5])
ANOM_MU = np.array([[-65.0, -42.0], [-8.0, -5.0]])
CORR = np.array([[1.0, -0.7, -0.7], [-0.7, 1.0, 0.9], [-0.7, 0.9, 1.0]])
CHOL = np.linalg.cholesky(CORR)
DROPOUT, DEVIATION, ALPHA = 0.10, 0.10, 0.05
ALPHA_T = ALPHA * (1 - 1e-7)  # the tie rule: p within 1e-7 (relative) of alpha does not reject
CHISQ_CRIT = special.chdtri(1, ALPHA_T)  # p < ALPHA_T exactly when X^2 exceeds it
SITE_TO_LATENT = np.sqrt(3) / np.pi
NC = NS * 2                   # cells (site, arm), index 2 s + a

# The 6 arrangements of a block {0, 0, 1, 1}; PREFIX0[k, r] = placebos among the first r.
_PAT = np.array([[0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 1], [1, 0, 1, 0], [1, 1, 0, 0]])
PREFIX0 = np.concatenate([np.zeros((6, 1), int), np.cumsum(_PAT == 0, axis=1)], axis=1)

ANALYSES = ["itt", "pp", "pp_prespecified", "pp_posthoc", "itt_sledai_rel", "itt_sledai_abs",
            "pp_prespecified_sledai_rel", "pp_prespecified_sledai_abs"]
HIER = {"hierarchy_itt": ["itt", "itt_sledai_rel", "itt_sledai_abs"],
        "hierarchy_pp_prespecified": ["pp_prespecified", "pp_prespecified_sledai_rel",
                                      "pp_prespecified_sledai_abs"]}


def pearson(x0, n0, x1, n1):
    """Reject (bool) and difference x1/n1 - x0/n0 (NaN where an arm is empty)."""
    x0, n0, x1, n1 = (np.asarray(v, float) for v in (x0, n0, x1, n1))
    N, m = n0 + n1, x0 + x1
    d = x0 * (n1 - x1) - x1 * (n0 - x0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = N * d * d / (n0 * n1 * m * (N - m))   # NaN/inf for an empty row or column
        diff = x1 / n1 - x0 / n0
    defined = (n0 > 0) & (n1 > 0) & (m > 0) & (m < N)
    return defined & (x2 > CHISQ_CRIT), np.where((n0 > 0) & (n1 > 0), diff, np.nan)


def welch(n0, s0, q0, n1, s1, q1):
    """Welch's t from each arm's n, sum and sum of squares: reject, difference of means."""
    with np.errstate(divide="ignore", invalid="ignore"):
        m0, m1 = s0 / n0, s1 / n1
        v0 = (q0 - s0 * m0) / (n0 - 1)
        v1 = (q1 - s1 * m1) / (n1 - 1)
        a0, a1 = v0 / n0, v1 / n1
        se2 = a0 + a1
        t = (m1 - m0) / np.sqrt(se2)
        df = se2 * se2 / (a0 * a0 / (n0 - 1) + a1 * a1 / (n1 - 1))
        p = 2 * special.stdtr(df, -np.abs(t))
    ok = (n0 >= 2) & (n1 >= 2)
    return ok & (p < ALPHA_T), np.where((n0 > 0) & (n1 > 0), m1 - m0, np.nan)


def params(rng, B):
    """This batch's site effects and, per (trial, cell), the sri4 thresholds -qnorm(p) and the
    SLEDAI means, [hypothesis] of (B, NC) arrays."""
    b = HET_SD * rng.standard_normal((B, NS))
    negthr, mu = [], []
    for h in range(2):  # 0 alternative, 1 null twin (the control's parameters in every arm)
        arms = [0, 1] if h == 0 else [0, 0]
        t = np.empty((B, NS, 2))
        m = np.empty((2, B, NS, 2))
        for a in range(2):
            lg = np.log(P_SRI4[arms[a]] / (1 - P_SRI4[arms[a]]))
            p = special.expit(lg + b)                          # higher is better: + b_s
            p[:, ANOM] = ANOM_P[a]                             # forced response, both twins
            t[:, :, a] = -special.ndtri(p)
            for e in range(2):                                 # lower is better: - b_s
                m[e, :, :, a] = MU[e, arms[a]] - SD[e] * b * SITE_TO_LATENT
                m[e, :, ANOM, a] = ANOM_MU[e, a]
        negthr.append(t.reshape(B, NC))
        mu.append(m.reshape(2, B, NC))
    return negthr, mu


def cells(rng, B, n):
    """Patients per (trial, cell), (B, NC): multinomial site sizes, permuted blocks of 4."""
    size = rng.multinomial(n, WEIGHTS, size=B)                 # (B, NS)
    arrangement = rng.integers(0, 6, size=(B, NS))             # of each site's last block
    pbo = 2 * (size // 4) + PREFIX0[arrangement, size % 4]
    cn = np.empty((B, NS, 2), np.int64)
    cn[:, :, 0] = pbo
    cn[:, :, 1] = size - pbo
    return cn.reshape(B, NC)


def batch(rng, B, n, acc):
    negthr, mu = params(rng, B)
    cn = cells(rng, B, n)
    # Each cell's patients by state: per protocol, assessed with a major deviation, dropped
    # out (dropout 10%, then a deviation in 10% of the rest, independently).
    st = rng.multinomial(cn.ravel(), [(1 - DROPOUT) * (1 - DEVIATION),
                                      (1 - DROPOUT) * DEVIATION, DROPOUT])  # (B NC, 3)
    cnt = st.reshape(B, NS, 2, 3)
    # The assessed patients laid out segment by segment, segment = (trial, cell, pp / dev); a
    # dropout is never assessed, so it needs no value (and counts as a non-responder in itt).
    seg_n = st[:, :2].ravel()
    A = int(seg_n.sum())
    starts = np.concatenate(([0], np.cumsum(seg_n)[:-1]))
    z = rng.standard_normal((3, A))
    sums = np.empty((6, A + 1))
    x0 = z[0]
    sums[0, :A] = x0 > np.repeat(np.repeat(negthr[0].ravel(), 2), seg_n)  # responder, alt.
    sums[1, :A] = x0 > np.repeat(np.repeat(negthr[1].ravel(), 2), seg_n)  # ... null twin
    x1 = sums[2, :A] = CHOL[1, 0] * z[0] + CHOL[1, 1] * z[1]
    x2 = sums[4, :A] = CHOL[2, 0] * z[0] + CHOL[2, 1] * z[1] + CHOL[2, 2] * z[2]
    np.multiply(x1, x1, out=sums[3, :A])
    np.multiply(x2, x2, out=sums[5, :A])
    sums[:, A] = 0  # so that an empty segment at the very end has a valid start
    seg = np.add.reduceat(sums, starts, axis=1)
    seg[:, seg_n == 0] = 0  # reduceat gives an empty segment the element at its start
    seg = seg.reshape(6, B, NS, 2, 2)
    resp = [seg[0], seg[1]]                                    # by hypothesis
    cs = [seg[2], seg[3], seg[4], seg[5]]

    keep_pp = np.array([1, 0], bool)                           # states kept per protocol
    keep_cc = np.array([1, 1], bool)                           # complete cases
    sites_all = np.ones(NS, bool)
    sites_pre = ~ANOM                                          # exclude_sites [0, 1]
    rej = {}
    diff = {}
    for h in range(2):
        # Binary: responders and patients per (trial, site, arm) of each population.
        r_pp = resp[h][:, :, :, 0]
        n_pp = cnt[:, :, :, 0]
        r_nri = resp[h][:, :, :, 0] + resp[h][:, :, :, 1]      # responders among assessed
        n_nri = cnt.sum(axis=3)                                # everyone
        post = (n_pp[:, :, 0] >= 3) & (r_pp[:, :, 0] >= n_pp[:, :, 0])  # placebo all responded
        for name, r, nn, keep in (("itt", r_nri, n_nri, sites_all),
                                  ("pp", r_pp, n_pp, sites_all),
                                  ("pp_prespecified", r_pp, n_pp, sites_pre),
                                  ("pp_posthoc", r_pp, n_pp, ~post)):
            kk = np.broadcast_to(keep, (B, NS))[:, :, None]
            x = (r * kk).sum(axis=1)
            m = (nn * kk).sum(axis=1)
            rej[name, h], diff[name, h] = pearson(x[:, 0], m[:, 0], x[:, 1], m[:, 1])
        # Continuous: per cell, n, sum and sum of squares of mu + sd x, summed over the kept.
        for e, ep in enumerate(("sledai_rel", "sledai_abs")):
            mc = mu[h][e].reshape(B, NS, 2)
            sx, sxx = cs[2 * e], cs[2 * e + 1]
            for name, states, keep in (("itt_" + ep, keep_cc, sites_all),
                                       ("pp_prespecified_" + ep, keep_pp, sites_pre)):
                nc = cnt[:, keep][:, :, :, :2][:, :, :, states].sum(axis=3)
                s1 = sx[:, keep][:, :, :, states].sum(axis=3)
                s2 = sxx[:, keep][:, :, :, states].sum(axis=3)
                mk = mc[:, keep]
                S = (nc * mk + SD[e] * s1).sum(axis=1)
                Q = (nc * mk * mk + 2 * SD[e] * mk * s1 + SD[e] ** 2 * s2).sum(axis=1)
                Nn = nc.sum(axis=1)
                rej[name, h], diff[name, h] = welch(Nn[:, 0], S[:, 0], Q[:, 0],
                                                    Nn[:, 1], S[:, 1], Q[:, 1])
    for h in range(2):
        for name in ANALYSES:
            acc["rej", name, h] += int(rej[name, h].sum())
            d = diff[name, h]
            fav = rej[name, h] & ((d > 0) if name.startswith(("itt", "pp")) and "sledai" not in name
                                  else (d < 0))
            acc["fav", name, h] += int(fav.sum())
            ok = ~np.isnan(d)
            acc["dn", name, h] += int(ok.sum())
            acc["ds", name, h] += float(d[ok].sum())
            acc["dq", name, h] += float((d[ok] ** 2).sum())
        for q, members in HIER.items():
            sig = np.ones(B, bool)
            for mname in members:
                sig &= rej[mname, h]
                acc["rej", q + "/" + mname, h] += int(sig.sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100, help="patients per trial (sample_size)")
    ap.add_argument("--trials", type=int, default=None, help="trials to simulate")
    ap.add_argument("--seconds", type=float, default=None,
                    help="simulate batches until this many CPU-seconds instead")
    ap.add_argument("--seed", type=int, default=20221)
    ap.add_argument("--batch", type=int, default=None,
                    help="trials per batch (default: about 200,000 patients per batch)")
    ap.add_argument("--quiet", action="store_true", help="only the RESULT line")
    a = ap.parse_args()
    if a.n < 1 or (a.trials is not None and a.trials < 1):
        ap.error("--n and --trials must be positive")
    if a.trials is None and a.seconds is None:
        a.trials = 10000
    B = a.batch or max(1, 200000 // a.n)
    rng = np.random.default_rng(a.seed)
    acc = {}
    keys = ANALYSES + [q + "/" + m for q, ms in HIER.items() for m in ms[1:]]
    for h in range(2):
        for name in ANALYSES:
            for k in ("rej", "fav", "dn", "ds", "dq"):
                acc[k, name, h] = 0
        for q, ms in HIER.items():
            for m in ms:
                acc["rej", q + "/" + m, h] = 0
    batch(np.random.default_rng(a.seed + 1), min(B, 64), a.n, dict(acc))  # warm-up, not counted
    done = 0
    t0 = time.process_time()
    w0 = time.perf_counter()
    while True:
        b = B if a.trials is None else min(B, a.trials - done)
        batch(rng, b, a.n, acc)
        done += b
        cpu = time.process_time() - t0
        if (a.trials is not None and done >= a.trials) or (a.trials is None and cpu >= a.seconds):
            break
    wall = time.perf_counter() - w0
    T = done
    if not a.quiet:
        print(f"np_lupil2: scenarios/lupil2.json at N = {a.n}, {T} trials (alternative + null twin), "
              f"seed {a.seed}, {cpu:.2f} CPU-s ({wall:.2f} s elapsed)")
        print(f"{'analysis':46s} {'power':>8s} {'se':>7s} {'type1':>8s} {'se':>7s}")
        for name in keys:
            rate = [acc["rej", name, h] / T for h in range(2)]
            se = [np.sqrt(r * (1 - r) / T) for r in rate]
            print(f"{name:46s} {rate[0]:8.4f} {se[0]:7.4f} {rate[1]:8.4f} {se[1]:7.4f}")
        for name in keys:
            for h, hn in enumerate(("power", "type1")):
                r = acc["rej", name, h] / T
                print(f"RATE {name} {hn} {r:.6g} {np.sqrt(r * (1 - r) / T):.6g}")
            if name in ANALYSES:
                for h, hn in enumerate(("power_favouring", "type1_favouring")):
                    r = acc["fav", name, h] / T
                    print(f"RATE {name} {hn} {r:.6g} {np.sqrt(r * (1 - r) / T):.6g}")
                for h, hn in enumerate(("alternative", "null")):
                    dn = acc["dn", name, h]
                    if dn > 1:
                        m = acc["ds", name, h] / dn
                        sd = np.sqrt(max(acc["dq", name, h] / dn - m * m, 0) * dn / (dn - 1))
                        print(f"DIFF {name} {hn} {m:.6g} {sd / np.sqrt(dn):.6g} {dn}")
    tps = T / cpu if cpu > 0 else float("nan")
    print(f"RESULT np_lupil2 trials_per_second {tps:.6g} cohorts_per_second {2 * tps:.6g} "
          f"seconds {cpu:.4g} trials {T} patients {a.n} trials_per_elapsed_second {T / wall:.6g}")


if __name__ == "__main__":
    sys.exit(main())
