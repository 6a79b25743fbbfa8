#!/usr/bin/env python3
"""ni_exact.py - exact power, size (and interval coverage) of non-inferiority tests of a risk difference in a small
two-arm trial, by enumerating every outcome: the independent reference for trialsim's
non-inferiority numbers (tests/ni_exact.sh). Shares no code with trialsim: the p-values are
written here from the papers, with Python's standard library, numpy and SciPy.

usage: python3 tests/py/ni_exact.py exact SCENARIO.json          exact rates as JSON
       python3 tests/py/ni_exact.py compare SCENARIO.json DIR [--shift K]
                                    DIR/summary.json against them (within 4 SE; --shift K
                                    moves every exact value K SE, to see the check fail)
       python3 tests/py/ni_exact.py selftest                     the enumerator checked alone
       python3 tests/py/ni_exact.py check ROOT SCENARIO.json...  selftest, then compare each
                                    SCENARIO with ROOT/<its name> (what tests/ni_exact.sh runs)

The trial (what the scenario must be; anything else is refused, exit 2): two arms, fixed
randomisation (arm a gets floor(N w_a / sum w), the remainder one each to the first arms in file
order), one site, no site effects, one binary end point with one response probability per arm,
dropout per arm (a number; independent of the response), no deviation, no visits. A patient
responds with probability p and drops out with probability d, independently:
  ITT, missing "non_responder": each patient counts as a responder with probability p (1 - d),
    so the arm's responders are Binomial(n, p (1 - d)) of n analysed;
  missing "exclude" (completers): m completers ~ Binomial(n, 1 - d), then x ~ Binomial(m, p).
P(reject) is the sum, over every pair of arm results, of the product of the two arms'
probabilities where the test rejects. Arm results less probable than 1e-16 are left out; their
total probability is reported ("dropped") and bounds the error of every rate.

The tests, H0: p1 - p0 <= theta0 (theta0 = the margin, < 0; higher is better):
  Wald  z = (p1^ - p0^ - theta0) / sqrt(p0^ (1 - p0^)/n0 + p1^ (1 - p1^)/n1), rates x/n. A zero
        standard error (both rates 0 or 1) makes z = +inf or -inf by the sign of the numerator
        (0/0, est = theta0, has no test: not rejected).
  FM    Farrington & Manning (1990, Stat Med 9:1447): the same numerator over
        sqrt(p0~ (1 - p0~)/n0 + p1~ (1 - p1~)/n1), (p0~, p1~ = p0~ + theta0) the maximum-likelihood
        estimates restricted to the null boundary. Found here by bisection on the derivative of
        the restricted log-likelihood, which is strictly concave on the feasible range
        [max(0, -theta0), min(1, 1 - theta0)] (a sum of logs of affine functions), so the
        bisection converges to the maximum, at an edge of the range if need be. `selftest`
        checks it against the closed form of the cubic (Miettinen & Nurminen 1985; Farrington &
        Manning 1990) and against published Miettinen-Nurminen intervals (MN = FM with the
        variance times N/(N-1)).
  MN    Miettinen & Nurminen (1985, Stat Med 4:213): FM's statistic with the variance times
        N/(N-1). Its two-sided 1 - 2 level interval is {theta: |z(theta)| < z_c}, z_c =
        Phi^-1(1 - level), so its coverage of the true difference (the margin under the null
        twin) is the probability of the tables with |z(true)| < z_c (z at 0/0, a table without
        information, counting as 0: its interval is the whole range), over the tables where both
        arms have analysed patients; compared with summary.json's interval coverage.
  p = 1 - Phi(z); an arm with no analysed patient has no test (not rejected). The one-sided
  level is the analysis's alpha with "sided": 1, alpha/2 otherwise. Decision as trialsim's
  tsim_reject: reject when p < level (1 - 1e-7). Tables whose p lies within a relative 1e-6 of
  the level would make the tie rule matter: their probability is reported ("near_tie") and is
  0 in every shipped scenario.

The null twin: the experimental arm's response is the control's + theta0; nothing else changes.
Equivalence (Miettinen-Nurminen only; margins lo < hi): H0 theta <= lo or theta >= hi, by the two
one-sided tests, p = max(1 - Phi(z(lo)), Phi(z(hi))); a null twin at each margin, each one's size
compared with summary.json's type1_error_lower_margin and _upper_margin, and the coverage of the
null trialsim reports (the one that rejected strictly more often, else the lower's).
"""
import json
import math
import sys

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr
from scipy.stats import binom, norm

REL_TIE = 1e-7      # trialsim's relative tie allowance in the decision rule
NEAR_TIE = 1e-6     # a p this close (relatively) to the level is reported
CUT = 1e-16         # arm results below this probability are left out (and counted)
SHORT = {"farrington_manning": "FM", "wald": "Wald", "miettinen_nurminen": "MN"}
ZTEST = {"farrington_manning": "farrington_manning", "wald": "wald", "miettinen_nurminen": "mn"}


def fail(msg):
  print("ni_exact.py: " + msg, file=sys.stderr)
  sys.exit(2)


# ---- one arm's results -------------------------------------------------------------------

def arm_pmf(n, p, d, missing):
  """Every result (x responders of m analysed) of an arm of n with its probability, as arrays
  (x, m, prob), nothing left out."""
  if missing == "non_responder":
    x = np.arange(n + 1)
    return x, np.full(n + 1, n), binom.pmf(x, n, p * (1.0 - d))
  if missing == "exclude":
    xs, ms, prs = [], [], []
    pm = binom.pmf(np.arange(n + 1), n, 1.0 - d)
    for mm in range(n + 1):
      x = np.arange(mm + 1)
      xs.append(x)
      ms.append(np.full(mm + 1, mm))
      prs.append(pm[mm] * binom.pmf(x, mm, p))
    return np.concatenate(xs), np.concatenate(ms), np.concatenate(prs)
  fail("missing '%s' is not enumerated" % missing)


def arm_dists(n, pds, missing):
  """The results of an arm under several (p, d): (x, m, [prob per (p, d)], [dropped per
  (p, d)]), keeping the results at least CUT probable under one of them."""
  x = m = None
  prs = []
  for p, d in pds:
    x, m, pr = arm_pmf(n, p, d, missing)
    prs.append(pr)
  keep = np.max(prs, axis=0) >= CUT
  return x[keep], m[keep], [pr[keep] for pr in prs], [float(pr[~keep].sum()) for pr in prs]


def arm_dist(n, p, d, missing):
  """One (p, d): (x, m, prob, dropped)."""
  x, m, prs, dropped = arm_dists(n, [(p, d)], missing)
  return x, m, prs[0], dropped[0]


# ---- the tests ---------------------------------------------------------------------------

def restricted_mle(x0, n0, x1, n1, theta0, iters=64):
  """(p0~, p1~): the maximum of the log-likelihood with p1 = p0 + theta0, by bisection.
  Arrays in, arrays out; n0, n1 > 0."""
  x0, n0, x1, n1 = (np.asarray(a, dtype=float) for a in (x0, n0, x1, n1))
  shape = np.broadcast(x0, n0, x1, n1).shape
  lo = np.full(shape, max(0.0, -theta0))
  hi = np.full(shape, min(1.0, 1.0 - theta0))
  for _ in range(iters):
    mid = 0.5 * (lo + hi)
    q = mid + theta0
    # Terms with a zero count are 0 (the limit of 0 log 0); mid is strictly inside the range.
    with np.errstate(divide="ignore", invalid="ignore"):
      g = (np.where(x0 > 0, x0 / mid, 0.0) - np.where(n0 - x0 > 0, (n0 - x0) / (1.0 - mid), 0.0)
           + np.where(x1 > 0, x1 / q, 0.0) - np.where(n1 - x1 > 0, (n1 - x1) / (1.0 - q), 0.0))
    up = g > 0
    done = mid == lo  # interval can shrink no further
    lo = np.where(up, mid, lo)
    hi = np.where(up, hi, mid)
    if np.all(done | (hi - lo <= 0)):
      break
  p0t = 0.5 * (lo + hi)
  return p0t, p0t + theta0


def restricted_mle_closed(x0, n0, x1, n1, theta0):
  """The closed form of the same maximum (Farrington & Manning 1990, section 2, as in
  Miettinen & Nurminen 1985 appendix): the root of the score's cubic by its trigonometric
  solution. Group 1 experimental, 2 control, theta = n2/n1, s = theta0 = p1 - p2. Only for the
  self-test."""
  p1h, p2h = x1 / n1, x0 / n0
  th = n0 / n1
  s = theta0
  a = 1.0 + th
  b = -(1.0 + th + p1h + th * p2h + s * (th + 2.0))
  c = s * s + s * (2.0 * p1h + th + 1.0) + p1h + th * p2h
  d = -p1h * s * (1.0 + s)
  v = b ** 3 / (27.0 * a ** 3) - b * c / (6.0 * a * a) + d / (2.0 * a)
  u = np.sign(v) * np.sqrt(b * b / (9.0 * a * a) - c / (3.0 * a))
  with np.errstate(divide="ignore", invalid="ignore"):
    r = np.clip(np.where(u != 0, v / u ** 3, 0.0), -1.0, 1.0)
  w = (math.pi + np.arccos(r)) / 3.0
  p1t = 2.0 * u * np.cos(w) - b / (3.0 * a)
  return p1t - s, p1t


def z_stat(test, x0, n0, x1, n1, theta0, mle=restricted_mle):
  """z of the test (arrays); NaN where there is no test. mle: the restricted MLE's route."""
  x0, n0, x1, n1 = (np.asarray(a, dtype=float) for a in (x0, n0, x1, n1))
  ok = (n0 > 0) & (n1 > 0)
  m0, m1 = np.where(ok, n0, 1.0), np.where(ok, n1, 1.0)
  r0, r1 = x0 / m0, x1 / m1
  num = r1 - r0 - theta0
  if test == "wald":
    var = r0 * (1.0 - r0) / m0 + r1 * (1.0 - r1) / m1
  elif test in ("farrington_manning", "mn"):
    p0t, p1t = mle(x0, m0, x1, m1, theta0)
    var = p0t * (1.0 - p0t) / m0 + p1t * (1.0 - p1t) / m1
    if test == "mn":
      var = var * (m0 + m1) / (m0 + m1 - 1.0)
  else:
    fail("test '%s' is not enumerated" % test)
  with np.errstate(divide="ignore", invalid="ignore"):
    z = np.where(var > 0, num / np.sqrt(np.where(var > 0, var, 1.0)),
                 np.where(num > 0, np.inf, np.where(num < 0, -np.inf, np.nan)))
  return np.where(ok, z, np.nan)


def p_value(test, x0, n0, x1, n1, theta0, mle=restricted_mle):
  """One-sided p = 1 - Phi(z); NaN where there is no test."""
  return ndtr(-z_stat(test, x0, n0, x1, n1, theta0, mle))


def p_values_fast(test, x0, n0, x1, n1, theta0, level):
  """p_value for many tables at once: FM's restricted MLE by the closed form (fast), then by
  bisection (the authority) wherever the p-value lies within a relative 1e-3 of the level or is
  not a number, so that every decision is the bisection's. (The closed form is within 4e-9 of
  the bisection on every table the self-test lists, which moves p by far less than 1e-3.)"""
  if test == "wald":
    return p_value(test, x0, n0, x1, n1, theta0)
  with np.errstate(invalid="ignore", divide="ignore"):
    pv = p_value(test, x0, n0, x1, n1, theta0, restricted_mle_closed)
    redo = ~(np.abs(pv / level - 1.0) >= 1e-3)
  if np.any(redo):
    pv[redo] = p_value(test, x0[redo], n0[redo], x1[redo], n1[redo], theta0)
  return pv


# ---- the trial ---------------------------------------------------------------------------

def exact_rejects(n0, n1, missing, test, theta0, level, rates, fast=True):
  """Exact P(reject) and its bookkeeping for each (p0, p1, d0, d1) of rates: the tables and
  their decisions are listed once, then weighted by each rate's probabilities. fast:
  p_values_fast, else bisection everywhere."""
  xa, ma, pa, da = arm_dists(n0, [(r[0], r[2]) for r in rates], missing)
  xb, mb, pb, db = arm_dists(n1, [(r[1], r[3]) for r in rates], missing)
  X0, X1 = np.meshgrid(xa, xb, indexing="ij")
  M0, M1 = np.meshgrid(ma, mb, indexing="ij")
  if isinstance(theta0, tuple):
    pv = tost_p(X0, M0, X1, M1, theta0[0], theta0[1], level)
  else:
    pv = p_values_fast(test, X0, M0, X1, M1, theta0, level) if fast else \
        p_value(test, X0, M0, X1, M1, theta0)
  with np.errstate(invalid="ignore"):
    rej = pv < level * (1.0 - REL_TIE)
    near = np.abs(pv / level - 1.0) < NEAR_TIE
  none = np.isnan(pv)
  valid = (M0 > 0) & (M1 > 0)
  covers = {}
  if test == "mn":  # the interval's coverage of each rate's true difference p1 - p0
    for r in rates:
      t = r[1] - r[0]
      if t not in covers:
        covers[t] = mn_covered(X0, M0, X1, M1, t, level)
  out = []
  for i in range(len(rates)):
    def mass(mask):  # sum of P over the tables of mask, P the product of the arms' probabilities
      return float(np.einsum("i,ij,j->", pa[i], mask.astype(float), pb[i]))
    res = {"reject": mass(rej), "total": float(pa[i].sum() * pb[i].sum()),
           "dropped": da[i] + db[i], "near_tie": mass(near), "no_test": mass(none),
           "tables": int(pv.size)}
    if covers:
      cov, close = covers[rates[i][1] - rates[i][0]]
      res.update(cover=mass(cov & valid), valid=mass(valid), near_cover=mass(close & valid))
    out.append(res)
  return out


def tost_p(x0, n0, x1, n1, lo, hi, level):
  """Equivalence on the risk difference by Miettinen-Nurminen's two one-sided tests (Schuirmann
  1987): H0 theta <= lo or theta >= hi; p = max(1 - Phi(z(lo)), Phi(z(hi))), NaN when either is.
  The closed-form restricted MLE first, bisection where a p lies within a relative 1e-3 of the
  level (as p_values_fast)."""
  out = []
  for th, sign in ((lo, -1.0), (hi, 1.0)):
    with np.errstate(invalid="ignore", divide="ignore"):
      z = z_stat("mn", x0, n0, x1, n1, th, restricted_mle_closed)
      p = ndtr(sign * z)
      redo = ~(np.abs(p / level - 1.0) >= 1e-3)
      if np.any(redo):
        p[redo] = ndtr(sign * z_stat("mn", x0[redo], n0[redo], x1[redo], n1[redo], th))
    out.append(p)
  with np.errstate(invalid="ignore"):
    return np.where(np.isnan(out[0]) | np.isnan(out[1]), np.nan, np.maximum(out[0], out[1]))


def mn_covered(x0, n0, x1, n1, theta, level):
  """Whether the two-sided 1 - 2 level Miettinen-Nurminen interval {theta: |z(theta)| < z_c}
  (MN 1985) holds theta, on every table: |z(theta)| < z_c, z_c = Phi^-1(1 - level), where z at
  0/0 (no information) is 0, so the table's interval holds every value. The closed-form
  restricted MLE first, then bisection where |z| lies within a relative 1e-3 of z_c; (covered,
  near): near marks |z| within a relative NEAR_TIE of z_c, where the bounds' last digits would
  decide."""
  zc = float(norm.isf(level))
  with np.errstate(invalid="ignore", divide="ignore"):
    z = z_stat("mn", x0, n0, x1, n1, theta, restricted_mle_closed)
    redo = ~(np.abs(np.abs(z) / zc - 1.0) >= 1e-3) & ~np.isnan(z)
    if np.any(redo):
      z[redo] = z_stat("mn", x0[redo], n0[redo], x1[redo], n1[redo], theta)
    covered = ~(np.abs(z) >= zc)
    near = np.abs(np.abs(z) / zc - 1.0) < NEAR_TIE
  return covered, near


def exact_reject(n0, n1, p0, p1, d0, d1, missing, test, theta0, level, fast=True):
  """One design."""
  return exact_rejects(n0, n1, missing, test, theta0, level, [(p0, p1, d0, d1)], fast)[0]


def arm_sizes(n, weights):
  tot = sum(weights)
  sizes = [int(math.floor(n * w / tot)) for w in weights]
  for i in range(n - sum(sizes)):
    sizes[i] += 1
  return sizes


def scenario_designs(path):
  """Every NI analysis of the scenario as a design to enumerate, under both hypotheses."""
  try:
    with open(path) as f:
      s = json.load(f)
  except (OSError, ValueError) as e:
    fail("%s: %s" % (path, e))
  allowed = {"name", "description", "arms", "sample_size", "randomization", "endpoints",
             "dropout", "analyses", "alpha", "trials", "seed", "sampling"}
  extra = set(s) - allowed
  if extra:
    fail("%s: keys not enumerated: %s" % (path, ", ".join(sorted(extra))))
  if s.get("randomization", {"method": "fixed"}) != {"method": "fixed"}:
    fail("%s: $.randomization: only fixed randomisation is enumerated" % path)
  arms = s["arms"]
  if len(arms) != 2:
    fail("%s: $.arms: two arms needed" % path)
  ids = [a["id"] for a in arms]
  ctl = [a["id"] for a in arms if a.get("control")]
  if len(ctl) != 1:
    fail("%s: $.arms: one control needed" % path)
  ctl = ctl[0]
  exp = [i for i in ids if i != ctl][0]
  sizes = dict(zip(ids, arm_sizes(int(s["sample_size"]), [a.get("allocation", 1) for a in arms])))
  eps = {e["id"]: e for e in s["endpoints"]}
  drop = s.get("dropout", {})
  for a, v in drop.items():
    if not isinstance(v, (int, float)):
      fail("%s: $.dropout.%s: a number needed" % (path, a))
  out = []
  for an in s["analyses"]:
    h = an.get("hypothesis")
    if not h or h.get("type") not in ("non_inferiority", "equivalence") or h.get("measure") != "risk_difference":
      continue
    eqv = h["type"] == "equivalence"
    if eqv and an.get("test") != "miettinen_nurminen":
      fail("%s: analysis %s: equivalence is enumerated for miettinen_nurminen only" % (path, an["id"]))
    extra = set(an) - {"id", "endpoint", "population", "missing", "test", "hypothesis",
                       "alpha", "sided"}
    if extra or an.get("population") != "itt":
      fail("%s: analysis %s: only ITT populations without %s are enumerated"
           % (path, an["id"], ", ".join(sorted(extra)) or "other keys"))
    e = eps[an["endpoint"]]
    if e.get("type") != "binary" or set(e) - {"id", "type", "response"}:
      fail("%s: end point %s: one binary end point with a response per arm needed"
           % (path, e["id"]))
    r = e["response"]
    if not all(isinstance(r[a], (int, float)) for a in ids):
      fail("%s: end point %s: one response probability per arm needed" % (path, e["id"]))
    alpha = an.get("alpha", s.get("alpha", 0.05))
    level = alpha if an.get("sided", 2) == 1 else alpha / 2.0
    theta0 = (float(h["margin"][0]), float(h["margin"][1])) if eqv else float(h["margin"])
    if an["test"] not in ZTEST:
      fail("%s: analysis %s: test %s is not enumerated" % (path, an["id"], an["test"]))
    base = {"analysis": an["id"], "test": an["test"], "ztest": ZTEST[an["test"]], "missing": an.get("missing"),
            "n0": sizes[ctl], "n1": sizes[exp], "d0": float(drop.get(ctl, 0.0)),
            "d1": float(drop.get(exp, 0.0)), "theta0": theta0, "level": level,
            "trials": int(s.get("trials", 10000))}
    p0 = float(r[ctl])
    out.append(dict(base, hypothesis="alternative", p0=p0, p1=float(r[exp])))
    if eqv:  # a null twin at each margin
      out.append(dict(base, hypothesis="null_lower", p0=p0, p1=p0 + theta0[0]))
      out.append(dict(base, hypothesis="null_upper", p0=p0, p1=p0 + theta0[1]))
    else:
      out.append(dict(base, hypothesis="null", p0=p0, p1=p0 + theta0))
  if not out:
    fail("%s: no non-inferiority analysis of a risk difference" % path)
  return out


def exact_all(designs):
  """exact_rejects for every design, the designs that differ only in their rates together."""
  keys = ("n0", "n1", "missing", "ztest", "theta0", "level")
  groups = {}
  for i, dz in enumerate(designs):
    groups.setdefault(tuple(dz[k] for k in keys), []).append(i)
  out = [None] * len(designs)
  for key, idx in groups.items():
    res = exact_rejects(*key, [tuple(designs[i][k] for k in ("p0", "p1", "d0", "d1")) for i in idx])
    for i, r in zip(idx, res):
      out[i] = r
  return out


def cmd_exact(path):
  designs = scenario_designs(path)
  rows = [dict(dz, **ex) for dz, ex in zip(designs, exact_all(designs))]
  json.dump(rows, sys.stdout, indent=1)
  print()
  return 0


def cmd_compare(path, outdir, shift=0.0):
  try:
    with open(outdir + "/summary.json") as f:
      summ = json.load(f)
  except (OSError, ValueError) as e:
    fail("%s/summary.json: %s" % (outdir, e))
  got = {a["analysis"]: a for a in summ["analyses"]}
  trials = int(summ["trials"])
  bad = 0
  print("%-22s %-11s %-6s %7s %5s %9s %9s %8s %6s" % (
      "analysis", "hypothesis", "p1", "level", "test", "exact", "trialsim", "SE", "z"))
  designs = scenario_designs(path)
  for dz, ex in zip(designs, exact_all(designs)):
    if abs(ex["total"] + ex["dropped"] - 1.0) > 1e-9 or ex["dropped"] > 1e-9:
      print("  enumeration lost probability: total %r dropped %r" % (ex["total"], ex["dropped"]))
      bad += 1
    if ex["near_tie"] > 0:
      print("  %s: tables of probability %r lie within 1e-6 of the level" % (
          dz["analysis"], ex["near_tie"]))
      bad += 1
    a = got.get(dz["analysis"])
    if a is None:
      print("  %s: not in %s/summary.json" % (dz["analysis"], outdir))
      bad += 1
      continue
    # What trialsim says it tested: the level, the margin, the arm sizes (exact in ITT; in
    # completers the mean within 4 SE of n (1 - d)).
    h = a.get("hypothesis") or {}
    eqv = isinstance(dz["theta0"], tuple)
    margin = list(dz["theta0"]) if eqv else dz["theta0"]
    if (h.get("type") != ("equivalence" if eqv else "non_inferiority") or h.get("measure") != "risk_difference"
        or h.get("margin") != margin or a.get("test") != dz["test"]
        or not abs(h.get("level", math.nan) / dz["level"] - 1.0) < 1e-12):
      print("  %s: summary.json says test %s, hypothesis %s; expected %s at margin %r, level %r"
            % (dz["analysis"], a.get("test"), json.dumps(h), dz["test"], dz["theta0"], dz["level"]))
      bad += 1
    # Equivalence: each margin's size is reported apart; the null block (and its coverage) is the
    # null that rejected strictly more often, else the lower margin's.
    hyp = dz["hypothesis"]
    reported = hyp
    if eqv and hyp != "alternative":
      upper_more = a["type1_error_upper_margin"]["estimate"] > a["type1_error_lower_margin"]["estimate"]
      reported = "null" if (hyp == "null_upper") == upper_more else None
    r = a["null" if hyp.startswith("null") else hyp]
    for key, n, d in (("mean_n_control", dz["n0"], dz["d0"]), ("mean_n_arm", dz["n1"], dz["d1"])):
      want = n if dz["missing"] == "non_responder" else n * (1.0 - d)
      sd = 0.0 if dz["missing"] == "non_responder" else math.sqrt(n * d * (1.0 - d) / trials)
      if not abs(r[key] - want) <= max(4.0 * sd, 1e-9 * n):
        print("  %s %s: %s %r, expected %r (SE %.2g)" % (dz["analysis"], dz["hypothesis"], key,
                                                         r[key], want, sd))
        bad += 1
    sim = a["type1_error_%s_margin" % hyp[5:]]["estimate"] if eqv and hyp != "alternative" else r["reject"]["estimate"]
    p = ex["reject"]
    se = math.sqrt(p * (1.0 - p) / trials)
    p += shift * se  # --shift: the comparison seen to fail
    z = (sim - p) / se if se > 0 else (0.0 if sim == p else math.inf)
    ok = abs(z) <= 4.0
    bad += not ok
    print("%-22s %-11s %-6.4g %7.4g %5s %9.6f %9.6f %8.6f %+6.2f%s" % (
        dz["analysis"], dz["hypothesis"], dz["p1"], dz["level"], SHORT.get(dz["test"], dz["test"]), p, sim, se, z,
        "" if ok else "  <- beyond 4 SE"))
    if "cover" in ex and reported is not None:
      # The interval's coverage of the true difference (the margin under the null twin), over
      # the trials with an interval.
      iv = r.get("interval") or {}
      if not abs(iv.get("true_value", math.nan) - (dz["p1"] - dz["p0"])) <= 1e-12:
        print("  %s %s: the interval's true value %r, expected %r" % (dz["analysis"], hyp, iv.get("true_value"),
                                                                      dz["p1"] - dz["p0"]))
        bad += 1
      n_int = iv.get("trials_with_interval", 0)
      want_n = trials * ex["valid"] / ex["total"]
      if ex["near_cover"] > 0:
        print("  %s: tables of probability %r have |z| within 1e-6 of z_c at the true value" % (
            dz["analysis"], ex["near_cover"]))
        bad += 1
      v = min(1.0, ex["valid"] / ex["total"])
      sd_n = math.sqrt(trials * v * (1.0 - v))
      if not abs(n_int - want_n) <= max(4.0 * sd_n, 1e-9 * trials):
        print("  %s %s: %r trials with an interval, expected %r" % (dz["analysis"], dz["hypothesis"], n_int, want_n))
        bad += 1
      c = ex["cover"] / ex["valid"]
      sim = (iv.get("coverage") or {}).get("estimate", math.nan)
      se = math.sqrt(c * (1.0 - c) / max(n_int, 1))
      c += shift * se
      z = (sim - c) / se if se > 0 else (0.0 if sim == c else math.inf)
      ok = abs(z) <= 4.0
      bad += not ok
      print("%-22s %-11s %-6.4g %7.4g %5s %9.6f %9.6f %8.6f %+6.2f%s" % (
          dz["analysis"], dz["hypothesis"], dz["p1"], dz["level"], "cover", c, sim, se, z,
          "" if ok else "  <- beyond 4 SE"))
  return 1 if bad else 0


# ---- self-test ---------------------------------------------------------------------------

def brute_arm(n, p, d, missing):
  """An arm's distribution by listing every patient's outcome (drop out, or stay and respond
  or not): 3^n sequences. {(x, m): prob}."""
  out = {}
  probs = (d, (1 - d) * p, (1 - d) * (1 - p))  # dropout, completer responder, non-responder
  for code in range(3 ** n):
    pr, x, m, c = 1.0, 0, 0, code
    for _ in range(n):
      k = c % 3
      c //= 3
      pr *= probs[k]
      if k == 1:
        x += 1
      if k > 0:
        m += 1
    key = (x, n) if missing == "non_responder" else (x, m)
    out[key] = out.get(key, 0.0) + pr
  return out


def mn_bound(x0, n0, x1, n1, lower, conf=0.95):
  """The Miettinen-Nurminen interval's bound (for the self-test): the theta0 where the z of the
  MN statistic (falling in theta0) is +z (lower) or -z (upper), by Brent's method."""
  zc = float(norm.isf((1 - conf) / 2)) * (1 if lower else -1)
  est = x1 / n1 - x0 / n0
  lo, hi = (-1 + 1e-12, est) if lower else (est, 1 - 1e-12)
  return brentq(lambda th: float(z_stat("mn", x0, n0, x1, n1, th)) - zc, lo, hi, xtol=1e-12)


def cmd_selftest():
  bad = 0

  def check(ok, what):
    nonlocal bad
    print(("ok    " if ok else "FAIL  ") + what)
    bad += not ok

  # 1. Arm distributions against the listing of every patient's outcome.
  for n, p, d in ((5, 0.7, 0.2), (7, 0.35, 0.1), (6, 0.9, 0.0)):
    for missing in ("non_responder", "exclude"):
      x, m, pr, dropped = arm_dist(n, p, d, missing)
      got = {(int(a), int(b)): float(c) for a, b, c in zip(x, m, pr)}
      ref = brute_arm(n, p, d, missing)
      err = max(abs(got.get(k, 0.0) - ref.get(k, 0.0)) for k in set(got) | set(ref))
      check(err < 1e-14 and abs(sum(ref.values()) - 1) < 1e-12,
            "arm n=%d p=%g d=%g %s: every patient's outcome listed, max diff %.1e"
            % (n, p, d, missing, err))

  # 2. The restricted MLE by bisection against the closed form, every table of small arms.
  #    Where the maximum is on an edge of the feasible range (p0~ or p1~ = 0 or 1) the cubic
  #    has two close roots and its trigonometric solution keeps only about half the digits
  #    (3.8e-9 on 3/12 vs 0/20 at -0.1, where the bisection gives the edge 0.1 exactly).
  worst, worst_edge = 0.0, 0.0
  for n0, n1 in ((10, 10), (12, 20), (30, 17)):
    X0, X1 = np.meshgrid(np.arange(n0 + 1), np.arange(n1 + 1), indexing="ij")
    for th in (-0.3, -0.15, -0.1, -0.05, 0.1):
      a0, a1 = restricted_mle(X0, n0, X1, n1, th)
      c0, c1 = restricted_mle_closed(X0.astype(float), n0, X1.astype(float), n1, th)
      diff = np.maximum(np.abs(a0 - c0), np.abs(a1 - c1))
      edge = (np.minimum(a0, a1) < 1e-6) | (np.maximum(a0, a1) > 1 - 1e-6)
      worst = max(worst, float(np.max(np.where(edge, 0.0, diff))))
      worst_edge = max(worst_edge, float(np.max(np.where(edge, diff, 0.0))))
  check(worst < 1e-12 and worst_edge < 1e-8,
        "restricted MLE: bisection = closed-form cubic on every table, max diff %.1e inside the "
        "range, %.1e at its edges" % (worst, worst_edge))
  x0, n0, x1, n1, th = 3, 11, 9, 13, -0.1
  p0t, _ = restricted_mle(x0, n0, x1, n1, th)
  grid = np.linspace(max(0, -th) + 1e-9, min(1, 1 - th) - 1e-9, 200001)
  ll = (x0 * np.log(grid) + (n0 - x0) * np.log(1 - grid) + x1 * np.log(grid + th)
        + (n1 - x1) * np.log(1 - grid - th))
  check(abs(float(grid[np.argmax(ll)]) - float(p0t)) < 1e-5,
        "restricted MLE is the grid maximum of the likelihood (3/11 vs 9/13, -0.1)")

  # 3. Published Miettinen-Nurminen intervals (FM's statistic, variance x N/(N-1)), to the
  #    printed 4 decimals: Newcombe (1998, Stat Med 17:873) Table II (a) 56/70 - 48/80,
  #    method 6: 0.0528 to 0.3382; Fagerland, Lydersen & Laake (2017) ch. 4, Ritland et al.
  #    0/16 - 15/72: -0.3164 to -0.0056.
  for (x1, n1, x0, n0, lo_pub, hi_pub) in ((56, 70, 48, 80, 0.0528, 0.3382),
                                           (0, 16, 15, 72, -0.3164, -0.0056)):
    lo, hi = mn_bound(x0, n0, x1, n1, True), mn_bound(x0, n0, x1, n1, False)
    check(abs(lo - lo_pub) <= 5e-5 and abs(hi - hi_pub) <= 5e-5,
          "MN interval %d/%d - %d/%d: %.4f to %.4f (published %.4f to %.4f)"
          % (x1, n1, x0, n0, lo, hi, lo_pub, hi_pub))
  # The coverage rule (mn_covered, |z(theta)| < z_c) against those bounds: inside just within
  #    each bound and at the estimate, outside just beyond.
  for (x1, n1, x0, n0) in ((56, 70, 48, 80), (0, 16, 15, 72)):
    lo, hi = mn_bound(x0, n0, x1, n1, True), mn_bound(x0, n0, x1, n1, False)
    ths = [lo - 1e-6, lo + 1e-6, x1 / n1 - x0 / n0, hi - 1e-6, hi + 1e-6]
    got = [bool(mn_covered(np.array([x0]), np.array([n0]), np.array([x1]), np.array([n1]), t, 0.025)[0][0])
           for t in ths]
    check(got == [False, True, True, True, False],
          "MN coverage rule at %d/%d - %d/%d: %s just outside, inside, at the estimate, inside, outside"
          % (x1, n1, x0, n0, got))
  # Wald interval, Newcombe (1998) Table II (a) method 1: 0.0575 to 0.3425, where z = -/+1.96;
  #    a bound rounded to 4 decimals moves z by up to 5e-5 / se, se = 0.0727.
  zc = float(norm.isf(0.025))
  se = math.sqrt(0.8 * 0.2 / 70 + 0.6 * 0.4 / 80)
  for th, want in ((0.0575, zc), (0.3425, -zc)):
    z = float(z_stat("wald", 48, 80, 56, 70, th))
    check(abs(z - want) <= 5e-5 / se,
          "Wald z of 56/70 - 48/80 at the published bound %.4f: %.5f" % (th, z))

  # 4. Whole designs: the total probability is 1, and the exact rate agrees with a brute-force
  #    Monte Carlo of patients (numpy's generator, patient by patient) within 4 SE.
  rng = np.random.default_rng(20240611)
  reps = 200000
  for (n0, n1, p0, p1, d0, d1, missing, test, th, level) in (
      (20, 20, 0.8, 0.8, 0.0, 0.0, "non_responder", "farrington_manning", -0.1, 0.025),
      (20, 20, 0.7, 0.6, 0.0, 0.0, "non_responder", "farrington_manning", -0.1, 0.025),
      (15, 25, 0.75, 0.65, 0.1, 0.2, "exclude", "farrington_manning", -0.1, 0.05),
      (18, 18, 0.9, 0.75, 0.1, 0.1, "non_responder", "wald", -0.15, 0.025),
      (18, 18, 0.9, 0.75, 0.1, 0.1, "exclude", "wald", -0.15, 0.025)):
    ex = exact_reject(n0, n1, p0, p1, d0, d1, missing, test, th, level)
    check(abs(ex["total"] + ex["dropped"] - 1) < 1e-12 and ex["dropped"] < 1e-12,
          "total probability %.15f (+ dropped %.1e)" % (ex["total"], ex["dropped"]))
    arms = []
    for n, p, d in ((n0, p0, d0), (n1, p1, d1)):
      stay = rng.random((reps, n)) >= d
      resp = rng.random((reps, n)) < p
      x = (stay & resp).sum(axis=1)
      m = np.full(reps, n) if missing == "non_responder" else stay.sum(axis=1)
      arms.append((x, m))
    pv = p_value(test, arms[0][0], arms[0][1], arms[1][0], arms[1][1], th)
    with np.errstate(invalid="ignore"):
      mc = float(np.mean(pv < level * (1 - REL_TIE)))
    p = ex["reject"]
    se = math.sqrt(p * (1 - p) / reps)
    check(abs(mc - p) <= 4 * se,
          "%s %s %d:%d p %g/%g d %g/%g margin %g: exact %.5f, patients simulated %.5f (%+.2f SE)"
          % (test, missing, n0, n1, p0, p1, d0, d1, th, p, mc, (mc - p) / se))

  # 5. The fast route (closed form, bisection near the level) decides every table as the
  #    bisection does: the same rate to the last bit.
  for th, level in ((-0.1, 0.025), (-0.15, 0.05)):
    args = (25, 30, 0.7, 0.65, 0.15, 0.1, "exclude", "farrington_manning", th, level)
    a, b = exact_reject(*args), exact_reject(*args, fast=False)
    check(a["reject"] == b["reject"], "FM 25:30 completers margin %g level %g: closed form + "
          "bisection %.17g, bisection only %.17g" % (th, level, a["reject"], b["reject"]))

  # 6. The checks can fail: the exact rate with the level off by 10% is far from the one above.
  a = exact_reject(40, 40, 0.8, 0.7, 0, 0, "non_responder", "farrington_manning", -0.1, 0.025)
  b = exact_reject(40, 40, 0.8, 0.7, 0, 0, "non_responder", "farrington_manning", -0.1, 0.0275)
  check(abs(a["reject"] - b["reject"]) > 4 * math.sqrt(a["reject"] * (1 - a["reject"]) / 2e5),
        "a level 10%% higher moves the size by more than 4 SE of 200,000 trials (%.5f -> %.5f)"
        % (a["reject"], b["reject"]))
  return 1 if bad else 0


def cmd_check(root, paths):
  """selftest, then every SCENARIO against ROOT/<its file name without .json>."""
  print("== the enumerator checked alone")
  bad = cmd_selftest()
  for path in paths:
    name = path.rsplit("/", 1)[-1]
    name = name[:-5] if name.endswith(".json") else name
    print("== " + name)
    bad |= cmd_compare(path, root + "/" + name)
  print("every rate within 4 SE of its exact value" if not bad else "FAILED")
  return 1 if bad else 0


def main(argv):
  if len(argv) == 2 and argv[1] == "selftest":
    return cmd_selftest()
  if len(argv) >= 4 and argv[1] == "check":
    return cmd_check(argv[2], argv[3:])
  if len(argv) == 3 and argv[1] == "exact":
    return cmd_exact(argv[2])
  if len(argv) in (4, 6) and argv[1] == "compare" and (len(argv) == 4 or argv[4] == "--shift"):
    return cmd_compare(argv[2], argv[3], float(argv[5]) if len(argv) == 6 else 0.0)
  print(__doc__.split("\n\n")[1], file=sys.stderr)
  return 2


if __name__ == "__main__":
  sys.exit(main(sys.argv))
