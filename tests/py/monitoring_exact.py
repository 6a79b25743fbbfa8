#!/usr/bin/env python3
"""monitoring_exact.py - exact flag probabilities of site monitoring rules, against a run.

usage: python3 tests/py/monitoring_exact.py binomial  SCENARIO RESULT_DIR [--shift SE]
       python3 tests/py/monitoring_exact.py threshold SCENARIO RESULT_DIR [--shift SE]

Computes, without trialsim's code, the probability that each rule of SCENARIO's "monitoring"
flags each site, and compares it with RESULT_DIR/monitoring.csv (and, for `threshold`,
monitoring_checks.csv) of `trialsim run SCENARIO --out RESULT_DIR`: |engine - exact| must be at
most 4 standard errors, SE = sqrt(p (1 - p) / n) at the exact p over the n trials the engine
counted. --shift SE moves every exact value by SE standard errors (only to see that the
comparison fails when the engine is off: tests/monitoring.sh says where it was tried).

The scenario must be of the plain kind the enumeration assumes, and the script refuses others:
two arms (or more) of equal allocation, simple randomisation, sites drawn at random by weight,
heterogeneity_sd 0, no "visits", a binary end point with one rate per arm, dropout per arm as a
number, no dropout_mnar or correlations. Then every patient is independently at site s with
probability w_s, in arm a with probability 1/A, dropped out with probability d_a, and else a
responder with probability p_a (1 under an anomaly rule covering its site and arm); under the
null twin every arm's p is the control's. With no visits a check c (0-based) of
"every_patients": k reads exactly the first (c + 1) k patients.

binomial: one check reading all K = sample_size patients (every_patients = K). Per site s the
K patients fall independently into site s responder / non-responder, other sites responder /
non-responder, not assessed; the enumeration is over (n, N_o) assessed at s and elsewhere and
(x, X_o) responders. The rule flags when n >= min_patients, N_o >= 1 and the p-value of x of n
against p0 = X_o / N_o is below level (1 - 1e-7): "higher" P(Bin(n, p0) >= x) = binom.sf(x - 1),
"lower" binom.cdf(x), "either" R's binom.test two-sided rule (relErr 1 + 1e-7), here vectorised
and checked against scipy.stats.binomtest on every case whose p-value is within a factor 4 of
the level and on 400 others. level = alpha / (1, nsites, nsites x nchecks) by "adjust". Fails
when a p-value of any case sits within 1e-6 (relative) of the level, where the tie rule would
decide.

threshold: rules with "test": "threshold", "rate_at_least": 1, an "arm". A site is flagged by
check c iff at the first check c* <= c at which it has at least m = min_patients assessed
patients of the arm, all of them responded (responses of a site's patients are a prefix, so a
later check with more patients flags only if that one did). Per check the site's new patients
are Bin(k, w_s (1 - d_a) / A), independent between checks; jointly over sites a multinomial.
Checks per site: flagged_when_anomalous (anomalous sites), false_alarm (the others); per check:
detection (some anomalous site flagged: jointly over the anomalous sites), any_false_alarm
(jointly over the honest sites), honest_site_flagged (the honest sites' mean, whose SE is at
most the mean of their SEs).
"""
import csv
import itertools
import json
import math
import os
import sys

import numpy as np
from scipy.stats import binom, binomtest
from scipy.special import gammaln

TOL_SE = 4.0
TIE = 1e-7          # trialsim's tie rule: reject when p < level (1 - 1e-7)
NEAR = 1e-6         # no p-value of the enumeration may sit this close (relative) to the level


def die(msg):
    print(f"FAIL monitoring_exact.py: {msg}")
    sys.exit(1)


class Design:
    """The plain scenario the enumeration assumes, read from the file (refused otherwise)."""

    def __init__(self, path):
        s = json.load(open(path))
        self.s = s
        for k in ("visits", "dropout_mnar", "correlation", "subgroups", "looks", "sampling"):
            if k in s:
                die(f"{path}: \"{k}\" is outside what the enumeration covers")
        if s.get("randomization", {}).get("method") != "simple":
            die(f"{path}: needs \"randomization\": {{\"method\": \"simple\"}}")
        arms = s["arms"]
        if any(a.get("allocation", 1) != arms[0].get("allocation", 1) for a in arms):
            die(f"{path}: the arms' allocations must be equal")
        self.arms = [a["id"] for a in arms]
        self.control = next(i for i, a in enumerate(arms) if a.get("control"))
        sites = s.get("sites", {"count": 1})
        if sites.get("heterogeneity_sd", 0) != 0 or sites.get("enrollment", "random") != "random":
            die(f"{path}: needs random enrollment and heterogeneity_sd 0")
        S = sites["count"]
        w = np.array(sites.get("weights", [1.0] * S), dtype=float)
        self.w = w / w.sum()
        self.S = S
        eps = s["endpoints"]
        if len(eps) != 1 or eps[0]["type"] != "binary":
            die(f"{path}: needs one binary end point")
        self.p = [float(eps[0]["response"][a]) for a in self.arms]
        d = s.get("dropout", {})
        self.d = [float(d.get(a, 0.0)) for a in self.arms]
        self.K = int(s["sample_size"])
        mo = s["monitoring"]
        self.k = int(mo["every_patients"])
        self.C = self.K // self.k
        self.rules = mo["rules"]
        self.anom = []  # (sites, arm index, response) of enabled anomaly rules
        for an in sites.get("anomalies", []):
            if not an.get("enabled", True):
                continue
            if set(an) - {"sites", "arm", "response", "enabled"}:
                die(f"{path}: anomaly rules may only give sites, arm and response here")
            self.anom.append((set(an["sites"]), self.arms.index(an["arm"]), float(an["response"])))

    def rate(self, h, site, arm):
        """Response probability of `arm` at `site` under hypothesis h (0 alternative, 1 null)."""
        p = self.p[self.control] if h == 1 else self.p[arm]
        for sites, a, r in self.anom:  # later rules win
            if a == arm and site in sites:
                p = r
        return p

    def anomalous(self, site):
        return any(site in sites for sites, _, _ in self.anom)


def read_csv(path):
    return list(csv.DictReader(open(path)))


class Checker:
    def __init__(self, shift):
        self.shift, self.bad, self.lines = shift, 0, 0

    def check(self, what, sim, n, exact, se=None):
        """sim (a share of n trials) against exact, within 4 SE (SE = sqrt(p (1 - p) / n))."""
        if se is None:
            se = math.sqrt(exact * (1 - exact) / n)
        want = exact + self.shift * se
        if se == 0:
            ok = sim == want
            dev = "exactly" if ok else "differs"
        else:
            ok = abs(sim - want) <= TOL_SE * se
            dev = f"{(sim - want) / se:+.2f} SE"
        print(f"{'ok  ' if ok else 'FAIL'} {what}: trialsim {sim:.5f}, exact {want:.5f}, {dev} "
              f"(tolerance {TOL_SE:g} SE of {se:.2g}, {n} trials)")
        self.bad += not ok
        self.lines += 1


# ---------------------------------------------------------------------------- binomial rules

def two_sided_r(n, p0):
    """R's binom.test two-sided p-values of x = 0..n (rows) at each p0 (columns), relErr 1 + 1e-7:
    the probability of the outcomes no more likely than x (scipy.stats.binomtest's rule too)."""
    rel = 1 + 1e-7
    i = np.arange(n + 1)
    d = binom.pmf(i[None, :], n, p0[:, None])                 # [p0, i]
    cdf = binom.cdf(i[None, :], n, p0[:, None])               # P(X <= i)
    sf = binom.sf(i[None, :], n, p0[:, None])                 # P(X > i)
    m = n * p0                                                # as R and SciPy compute it
    le = d[:, None, :] <= d[:, :, None] * rel                 # [p0, x, i]: d_i <= d_x relErr
    y_lo = np.sum(le & (i[None, :] >= np.ceil(m)[:, None])[:, None, :], axis=2)   # [p0, x]
    y_hi = np.sum(le & (i[None, :] <= np.floor(m)[:, None])[:, None, :], axis=2)
    P = np.arange(len(p0))[:, None]
    x = i[None, :]
    below = cdf[P, x] + sf[P, np.clip(n - y_lo, 0, n)]                          # x < m
    above = np.where(y_hi >= 1, cdf[P, np.clip(y_hi - 1, 0, n)], 0.0) + sf[P, np.clip(x - 1, 0, n)]
    pv = np.where(x == m[:, None], 1.0, np.where(x < m[:, None], below, above))
    return np.minimum(1.0, pv).T


_grids = {}


def p_values(direction, n, No):
    """p-values of x = 0..n (rows) against p0 = X_o / N_o, X_o = 0..N_o (columns)."""
    key = (direction, n, No)
    if key not in _grids:
        x = np.arange(n + 1)[:, None]
        p0 = np.arange(No + 1) / No
        if direction == "higher":
            _grids[key] = binom.sf(x - 1, n, p0[None, :])
        elif direction == "lower":
            _grids[key] = binom.cdf(x, n, p0[None, :])
        else:
            _grids[key] = two_sided_r(n, p0)
    return _grids[key]


def binomial_sites(D, rule, level, h):
    """P(rule flags site s at its one check) under hypothesis h, for every site s."""
    A = len(D.arms)
    arms = range(A) if "arm" not in rule else [D.arms.index(rule["arm"])]
    if rule.get("measure", "response") != "response":
        die("binomial: only \"measure\": \"response\" is enumerated")
    if any(D.anomalous(t) for t in range(D.S)):
        die("binomial: no anomalies (every site's rate is the same)")
    # Per patient: P(assessed in the rule's arms and responder), P(... non-responder): the same
    # at every site.
    ar = sum((1 - D.d[a]) * D.rate(h, 0, a) for a in arms) / A
    an = sum((1 - D.d[a]) * (1 - D.rate(h, 0, a)) for a in arms) / A
    q = ar + an
    rho = ar / q
    K, mn = D.k, int(rule.get("min_patients", 1))  # the one check reads every_patients = K
    direction = rule.get("direction", "higher")
    pmf = [binom.pmf(np.arange(n + 1), n, rho) for n in range(K + 1)]
    # g[n, N_o]: P(flag | n assessed at the site, N_o at the others), the same for every site.
    g = np.zeros((K + 1, K + 1))
    for n in range(mn, K + 1):
        for No in range(1, K - n + 1):
            f = p_values(direction, n, No) < level * (1 - TIE)
            g[n, No] = float(pmf[n] @ f.astype(float) @ pmf[No])
    out = []
    for s in range(D.S):
        w = D.w[s]
        lq = [math.log(w * q) if w * q > 0 else -math.inf, math.log((1 - w) * q) if (1 - w) * q > 0 else -math.inf,
              math.log(1 - q) if q < 1 else -math.inf]
        total, flag = 0.0, 0.0
        for n in range(K + 1):
            for No in range(K - n + 1):
                r = K - n - No
                terms = [c * l if c > 0 else 0.0 for c, l in zip((n, No, r), lq)]
                pc = math.exp(gammaln(K + 1) - gammaln(n + 1) - gammaln(No + 1) - gammaln(r + 1) + sum(terms))
                total += pc
                flag += pc * g[n, No]
        if abs(total - 1) > 1e-9:
            die(f"binomial: the enumeration's probabilities sum to {total!r}")
        out.append(flag)
    return out


def check_either(level):
    """The vectorised two-sided rule against scipy.stats.binomtest on the 300 cases of the
    enumeration nearest the level and 300 others drawn with a fixed seed."""
    cases = []
    for (direction, n, No), pv in _grids.items():
        if direction == "either":
            for x in range(n + 1):
                for X in range(No + 1):
                    cases.append((abs(pv[x, X] - level) / level, x, n, X, No, pv[x, X]))
    cases.sort()
    rng = np.random.default_rng(20)
    pick = cases[:300] + [cases[300 + i] for i in rng.choice(len(cases) - 300, size=300, replace=False)]
    worst = 0.0
    for _, x, n, X, No, mine in pick:
        ref = binomtest(x, n, X / No).pvalue
        worst = max(worst, abs(mine - ref) / max(ref, 1e-300))
    ok = worst <= 1e-9
    print(f"{'ok  ' if ok else 'FAIL'} two-sided p-values against scipy.stats.binomtest: the 300 cases nearest "
          f"the level and 300 others of {len(cases)}, largest relative difference {worst:.2g}")
    return ok


def main_binomial(D, out, chk):
    if D.k != D.K:
        die("binomial: needs every_patients = sample_size (one check reading every patient)")
    summ = json.load(open(os.path.join(out, "summary.json")))
    rows = read_csv(os.path.join(out, "monitoring.csv"))
    crow = read_csv(os.path.join(out, "monitoring_checks.csv"))
    ntr = int(summ["trials"])
    for ri, rule in enumerate(D.rules):
        if rule["test"] != "binomial":
            continue
        div = {"none": 1, "sites": D.S, "sites_and_checks": D.S * D.C}[rule.get("adjust", "none")]
        level = rule["alpha"] / div
        eng = summ["monitoring"]["rules"][ri]
        if eng["id"] != rule["id"] or eng["level"] != level:
            chk.bad += 1
            print(f"FAIL {rule['id']}: summary.json's level {eng['level']!r}, expected alpha / {div} = {level!r}")
        for h, hyp in enumerate(("alternative", "null")):
            fa, exact_s = [], binomial_sites(D, rule, level, h)
            for s in range(D.S):
                exact = exact_s[s]
                row = next(r for r in rows if r["rule"] == rule["id"] and r["hypothesis"] == hyp and int(r["site"]) == s)
                n = int(row["honest_trials"])
                if n != ntr or int(row["anomalous_trials"]) != 0:
                    chk.bad += 1
                    print(f"FAIL {rule['id']} {hyp} site {s}: {row['honest_trials']} honest trials of {ntr}")
                chk.check(f"{rule['id']} ({rule.get('direction', 'higher')}, level {level:g}) {hyp} site {s} "
                          f"(weight {D.w[s]:.2f}) false alarm", float(row["false_alarm"]), n, exact)
                fa.append(float(row["false_alarm"]))
                ok = row["mean_patients_at_flag"] == "" if fa[-1] == 0 else float(row["mean_patients_at_flag"]) == D.K
                print(f"{'ok  ' if ok else 'FAIL'} {rule['id']} {hyp} site {s}: mean patients at flag "
                      f"{row['mean_patients_at_flag']!r}, the one check's {D.K}")
                chk.bad += not ok
            # The honest (trial, site) pairs are every pair: their pooled share is the sites' mean.
            c = next(r for r in crow if r["rule"] == rule["id"] and r["hypothesis"] == hyp and r["check"] == "1")
            pooled, mean = float(c["honest_site_flagged"]), sum(fa) / len(fa)
            ok = abs(pooled - mean) <= 1e-12
            print(f"{'ok  ' if ok else 'FAIL'} {rule['id']} {hyp}: honest_site_flagged {pooled!r} is the mean of the "
                  f"sites' false alarms {mean!r}")
            chk.bad += not ok
        direction = rule.get("direction", "higher")
        closest = min(float(np.min(np.abs(pv - level))) / level for (dr, n, No), pv in _grids.items()
                      if dr == direction and n >= int(rule.get("min_patients", 1)))
        ok = closest > NEAR
        print(f"{'ok  ' if ok else 'FAIL'} {rule['id']}: no p-value of the enumeration within {NEAR:g} of the level "
              f"(closest: {closest:.3g} relative), so the tie rule decides nothing")
        chk.bad += not ok
        if rule.get("direction") == "either":
            chk.bad += not check_either(level)


# ---------------------------------------------------------------------------- threshold rules

def binpmf(k, q):
    return [math.comb(k, j) * q ** j * (1 - q) ** (k - j) for j in range(k + 1)]


def site_flag_by_check(k, C, q, p, m):
    """P(a site is flagged by check c), c = 0..C-1: its new patients per check Bin(k, q), each a
    responder with probability p; flagged at the first check where it has >= m, if all respond."""
    below = {0: 1.0}  # P(cumulative count = n < m, not yet reached m)
    flagged, out = 0.0, []
    b = binpmf(k, q)
    for _ in range(C):
        nxt = {}
        for n, pn in below.items():
            for j, pj in enumerate(b):
                t = n + j
                if t >= m:
                    flagged += pn * pj * p ** t
                else:
                    nxt[t] = nxt.get(t, 0.0) + pn * pj
        below = nxt
        out.append(flagged)
    return out


def joint_none_flagged(k, C, qs, ps, m):
    """P(none of the sites (new patients per check jointly multinomial(k; qs, rest)) flagged by
    check c), c = 0..C-1. State per site: its count below m, or 'reached m and not flagged' (m)."""
    J = len(qs)
    rest = 1 - sum(qs)
    incs = []  # the joint counts of one check's k patients and their probability
    for js in itertools.product(range(k + 1), repeat=J):
        r = k - sum(js)
        if r < 0:
            continue
        lp = math.lgamma(k + 1) - math.lgamma(r + 1) - sum(math.lgamma(j + 1) for j in js)
        lp += sum(j * math.log(q) for j, q in zip(js, qs) if j) + (r * math.log(rest) if r else 0.0)
        incs.append((js, math.exp(lp)))
    state = {(0,) * J: 1.0}
    out = []
    for _ in range(C):
        nxt = {}
        for st, ps_ in state.items():
            for js, pj in incs:
                pr, new = ps_ * pj, []
                for s in range(J):
                    if st[s] >= m:
                        new.append(m)
                    elif st[s] + js[s] >= m:
                        pr *= 1 - ps[s] ** (st[s] + js[s])  # reached m: not all responded
                        new.append(m)
                    else:
                        new.append(st[s] + js[s])
                t = tuple(new)
                nxt[t] = nxt.get(t, 0.0) + pr
        state = nxt
        out.append(sum(state.values()))
    return out


def main_threshold(D, out, chk):
    summ = json.load(open(os.path.join(out, "summary.json")))
    rows = read_csv(os.path.join(out, "monitoring.csv"))
    crow = read_csv(os.path.join(out, "monitoring_checks.csv"))
    ntr = int(summ["trials"])
    A = len(D.arms)
    anom = [s for s in range(D.S) if D.anomalous(s)]
    honest = [s for s in range(D.S) if not D.anomalous(s)]
    for rule in D.rules:
        if rule["test"] != "threshold" or rule["rate_at_least"] != 1 or "arm" not in rule:
            die(f"threshold: rule {rule['id']} is not a threshold at rate 1 on one arm")
        if rule.get("measure", "response") != "response":
            die("threshold: only \"measure\": \"response\" is enumerated")
        a, m = D.arms.index(rule["arm"]), int(rule.get("min_patients", 1))
        q = [D.w[s] * (1 - D.d[a]) / A for s in range(D.S)]
        for h, hyp in enumerate(("alternative", "null")):
            p = [D.rate(h, s, a) for s in range(D.S)]
            per = [site_flag_by_check(D.k, D.C, q[s], p[s], m) for s in range(D.S)]
            for s in range(D.S):
                row = next(r for r in rows if r["rule"] == rule["id"] and r["hypothesis"] == hyp and int(r["site"]) == s)
                col, ncol = ("flagged_when_anomalous", "anomalous_trials") if s in anom else ("false_alarm", "honest_trials")
                n = int(row[ncol])
                if n != ntr:
                    chk.bad += 1
                    print(f"FAIL {rule['id']} {hyp} site {s}: {n} {ncol} of {ntr}")
                chk.check(f"{rule['id']} {hyp} site {s} ({'anomalous' if s in anom else 'honest'}, rate {p[s]:g}) "
                          f"{col}", float(row[col]), n, per[s][-1])
                # The patients randomised by the flagging check, averaged over the trials that
                # flagged the site: given their number F, the share flagged first at check c is a
                # multinomial share, so the mean's SE is sqrt(Var(k (c + 1)) / F) at the exact shares.
                F = round(float(row[col]) * n)
                first = [per[s][0]] + [per[s][c] - per[s][c - 1] for c in range(1, D.C)]
                pat = [D.k * (c + 1) for c in range(D.C)]
                mean = sum(f * v for f, v in zip(first, pat)) / per[s][-1]
                var = sum(f * (v - mean) ** 2 for f, v in zip(first, pat)) / per[s][-1]
                chk.check(f"{rule['id']} {hyp} site {s} mean patients at flag", float(row["mean_patients_at_flag"]),
                          F, mean, math.sqrt(var / F))
            det = [1 - v for v in joint_none_flagged(D.k, D.C, [q[s] for s in anom], [p[s] for s in anom], m)]
            fa = [1 - v for v in joint_none_flagged(D.k, D.C, [q[s] for s in honest], [p[s] for s in honest], m)]
            for c in range(D.C):
                r = next(r for r in crow if r["rule"] == rule["id"] and r["hypothesis"] == hyp and int(r["check"]) == c + 1)
                if anom:
                    chk.check(f"{rule['id']} {hyp} check {c + 1} ({(c + 1) * D.k} patients) detection",
                              float(r["detection"]), ntr, det[c])
                chk.check(f"{rule['id']} {hyp} check {c + 1} any false alarm", float(r["any_false_alarm"]), ntr, fa[c])
                mean = sum(per[s][c] for s in honest) / len(honest)
                se = sum(math.sqrt(per[s][c] * (1 - per[s][c]) / ntr) for s in honest) / len(honest)
                chk.check(f"{rule['id']} {hyp} check {c + 1} honest_site_flagged (SE: at most the sites' mean SE)",
                          float(r["honest_site_flagged"]), ntr, mean, se)


def main():
    args = sys.argv[1:]
    shift = 0.0
    if "--shift" in args:
        i = args.index("--shift")
        shift = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 3 or args[0] not in ("binomial", "threshold"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    D = Design(args[1])
    chk = Checker(shift)
    (main_binomial if args[0] == "binomial" else main_threshold)(D, args[2], chk)
    if chk.lines == 0:
        die("nothing compared")
    sys.exit(1 if chk.bad else 0)


if __name__ == "__main__":
    main()
