#!/usr/bin/env python3
"""margins_exact.py - exact operating characteristics of t tests against a margin, compared with
trialsim's summary.json (tests/margins.sh, scenario tests/margins/t_exact.json).

usage: margins_exact.py SCENARIO.json SUMMARY.json [--shift K]

With normal outcomes and equal SDs, Student's t against a margin is exact, so its size, power
and interval coverage have closed forms - computed here with SciPy, without trialsim's code:
  non-inferiority of the difference, H0 mu1 - mu0 <= theta: T = (D - theta) / (S sqrt(2/n)) is
    noncentral t on 2n - 2 df with ncp (delta - theta) / (sigma sqrt(2/n)); reject when
    T > t_{1-level}: power = P(T > t), size (delta = theta) = level exactly;
  ratio of means, H0 mu1 <= theta mu0 (Sasabuchi; Hauschke et al.): T = (M1 - theta M0) /
    (S sqrt(1/n + theta^2/n)) is noncentral t with ncp (mu1 - theta mu0) / (sigma sqrt((1 +
    theta^2)/n)); under the null twin mu1 = theta mu0 (the SD stays the control's): size = level;
  equivalence (TOST) on [lo, hi] at one-sided level a: reject when D - t se > lo and D + t se <
    hi, se = S sqrt(2/n): P = E_S[Phi((hi - t se - delta)/tau) - Phi((lo + t se - delta)/tau)]^+
    with tau = sigma sqrt(2/n) and (2n - 2) S^2 / sigma^2 ~ chi^2_{2n-2}: one integral (quad);
  the two-sided 1 - 2 level t interval covers the true difference (or, by Fieller's theorem, the
    true ratio: the same event as the ratio test at the true ratio not rejecting on either side)
    with probability 1 - 2 level exactly.
Each simulated rate must lie within 4 SE of its exact value, SE = sqrt(p (1 - p) / trials);
--shift K moves every exact value by K SE (a self-check: with K = 10 every comparison fails).
"""
import json
import math
import sys

from scipy import integrate, stats


def exact_values(sc):
    n = sc["sample_size"] // 2
    ep = sc["endpoints"][0]
    mu0, mu1 = ep["mean"]["control"], ep["mean"]["new"]
    sd = ep["sd"]["control"]
    assert ep["sd"]["new"] == sd, "equal SDs"
    df = 2 * n - 2
    out = {}
    for a in sc["analyses"]:
        h = a.get("hypothesis")
        if not h:
            continue
        sided = a.get("sided", 2)
        alpha = a.get("alpha", sc.get("alpha", 0.05))
        level = alpha if sided == 1 else alpha / 2
        tq = stats.t.ppf(1 - level, df)
        m = h["margin"]
        r = {"coverage": 1 - 2 * level}
        if h["type"] == "non_inferiority" and h["measure"] == "mean_difference":
            tau = sd * math.sqrt(2 / n)
            r["power"] = stats.nct.sf(tq, df, (mu1 - mu0 - m) / tau)
            r["size"] = level
        elif h["type"] == "non_inferiority" and h["measure"] == "mean_ratio":
            tau = sd * math.sqrt((1 + m * m) / n)
            r["power"] = stats.nct.sf(tq, df, (mu1 - m * mu0) / tau)
            r["size"] = level
        elif h["type"] == "equivalence" and h["measure"] == "mean_difference":
            lo, hi = m
            tau = sd * math.sqrt(2 / n)

            def tost(delta):
                def f(q):  # q = chi^2_df value; S = sigma sqrt(q / df)
                    se = sd * math.sqrt(q / df) * math.sqrt(2 / n)
                    v = stats.norm.cdf((hi - tq * se - delta) / tau) - stats.norm.cdf((lo + tq * se - delta) / tau)
                    return max(v, 0.0) * stats.chi2.pdf(q, df)
                return integrate.quad(f, 0, stats.chi2.ppf(1 - 1e-15, df), limit=400, epsabs=1e-13)[0]

            r["power"] = tost(mu1 - mu0)
            r["size_lower"] = tost(lo)
            r["size_upper"] = tost(hi)
            r["size"] = max(r["size_lower"], r["size_upper"])
        out[a["id"]] = r
    return out


def main():
    args = sys.argv[1:]
    shift = 0.0
    if "--shift" in args:
        i = args.index("--shift")
        shift = float(args[i + 1])
        del args[i:i + 2]
    sc = json.load(open(args[0]))
    summ = json.load(open(args[1]))
    trials = summ["trials"]
    ex = exact_values(sc)
    bad = 0
    rows = []

    def check(what, got, p, n):
        nonlocal bad
        se = math.sqrt(p * (1 - p) / n)
        want = p + shift * se
        z = (got - want) / se
        ok = abs(z) <= 4
        bad += not ok
        rows.append("%-4s %-34s simulated %.5f exact %.5f  z %+6.2f" % ("ok" if ok else "FAIL", what, got, want, z))

    for a in summ["analyses"]:
        e = ex.get(a["analysis"])
        if e is None:
            continue
        aid = a["analysis"]
        check(aid + " power", a["power"]["estimate"], e["power"], trials)
        check(aid + " size", a["type1_error"]["estimate"], e["size"], trials)
        if "size_lower" in e:
            check(aid + " size at the lower margin", a["type1_error_lower_margin"]["estimate"], e["size_lower"], trials)
            check(aid + " size at the upper margin", a["type1_error_upper_margin"]["estimate"], e["size_upper"], trials)
        for h in ("alternative", "null"):
            iv = a[h]["interval"]
            check("%s coverage (%s)" % (aid, h), iv["coverage"]["estimate"], e["coverage"], iv["trials_with_interval"])
    print("\n".join(rows))
    if not rows:
        print("FAIL: nothing compared")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
