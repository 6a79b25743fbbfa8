# table.awk - prints the benchmark table from the numbers run.sh measured (passed with -v).
# Every rate is a plain number, or NA when it was not measured or was skipped. The counting
# rules are in tests/bench/README.md.
function na(x) { return x == "" || x == "NA" }
function si(x,   a) {
  if (na(x)) return "-"
  a = x < 0 ? -x : x
  if (a >= 1e9) return sprintf("%.2fG", x / 1e9)
  if (a >= 1e6) return sprintf("%.2fM", x / 1e6)
  if (a >= 1e3) return sprintf("%.1fk", x / 1e3)
  return sprintf("%.1f", x)
}
function num(x, f) { return na(x) ? "-" : sprintf(f, x) }
function twice(x) { return na(x) ? "NA" : 2 * x }
function inv(x, k) { return (na(x) || x == 0) ? "NA" : k / x }
function line(name, thr, rate, unit, cps, nsp,   ratio) {
  ratio = (na(cps) || na(S2c) || cps == 0) ? "-" : sprintf("%.2f", S2c / cps)
  printf "%-38s %3s %10s %-6s %10s %11s %9s\n", name, thr, si(rate), unit, si(cps),
         num(nsp, "%.1f"), ratio
}
# A trialsim row: rate in trialsim trials/s; 2 cohorts per trial; patients per cohort.
function engine(name, thr, tps, pat) { line(name, thr, tps, "tr/s", twice(tps), inv(twice(tps), 1e9 / pat)) }
# A one-hypothesis baseline: its trials are cohorts.
function baseline(name, tps) { line(name, 1, tps, "tr/s", tps, inv(tps, 1e9 / ps)) }
function ratio(a, b) { return (na(a) || na(b) || b == 0) ? "-" : sprintf("%.2fx", a / b) }
function mark(ok) { return ok ? "MET" : "NOT MET" }
function L(k) { return (k in lat) && !na(lat[k]) ? lat[k] + 0 : "NA" }
# A row of the patient-level table: trials/s (a trial = alternative + null twin), cohorts/s,
# us per trial, ns per patient per trial.
function lrow(name, n, thr, tps, cohorts) {
  printf "%-36s %6s %3s %10s %10s %10s %9s\n", name, n, thr, si(tps), cohorts ? si(twice(tps)) : "-",
         num(inv(tps, 1e6), "%.1f"), num(inv(tps, 1e9 / n), "%.1f")
}
function latent_section(   n, k, f, c) {
  print ""
  print "patient-level (latent) path: scenarios/lupil2.json with sample_size N (12 sites, 3 end points,"
  print "8 analyses, 2 hierarchies), scenarios/pss2022.json, and two designs in time as shipped:"
  print "gs_three_looks.json (accrual, three looks) and lupil2_monitoring.json (site monitoring"
  print "every 25 patients); a trial = alternative + null twin"
  printf "%-36s %6s %3s %10s %10s %10s %9s\n", "row", "N", "thr", "trials/s", "cohorts/s", "us/trial", "ns/pt"
  printf "%-36s %6s %3s %10s %10s %10s %9s\n", "---", "-", "---", "--------", "---------", "--------", "-----"
  for (n = 100; n <= 10000; n *= 10) {
    lrow("trialsim lupil2.json", n, 1, L("l1_" n), 1)
    lrow("trialsim lupil2.json", n, 2, L("l2_" n), 1)
    lrow("floor lupil2 (its random numbers)", n, 1, inv(L("fl_" n), 1e9), 0)
    lrow("numpy peer np_lupil2.py", n, 1, L("np_" n), 1)
    lrow("R peer r_lupil2.R", n, 1, L("r_" n), 1)
  }
  lrow("trialsim pss2022.json", L("pn"), 1, L("p1"), 1)
  lrow("trialsim pss2022.json", L("pn"), 2, L("p2"), 1)
  lrow("floor pss2022 (its random numbers)", L("pn"), 1, inv(L("fp"), 1e9), 0)
  lrow("trialsim gs_three_looks.json", L("gs_three_looks_n"), 1, L("gs_three_looks_1"), 1)
  lrow("trialsim gs_three_looks.json", L("gs_three_looks_n"), 2, L("gs_three_looks_2"), 1)
  lrow("trialsim lupil2_monitoring.json", L("lupil2_monitoring_n"), 1, L("lupil2_monitoring_1"), 1)
  lrow("trialsim lupil2_monitoring.json", L("lupil2_monitoring_n"), 2, L("lupil2_monitoring_2"), 1)
  print ""
  print "notes: trials/s of trialsim = run.trials_per_second (run.seconds: the simulation alone);"
  print "  of a peer = trials per CPU-second of its simulation loop (one process, one core); the"
  print "  peers also simulate both hypotheses per trial, so trials/s compare equal work and"
  print "  cohorts/s = 2 x trials/s for both. ns/pt = ns per trial / N. The floor's trials/s = sets"
  print "  of one trial's draws per second: drawn once per trial, as the null twin shares them."
  if (("fl_counts" in lat) && split(lat["fl_counts"], c, "/") == 4 && c[2] != "")
    printf "  floor lupil2 at N = 100, per trial: %s normals, %s uniforms, %s bounded integers, %s seeds.\n",
           c[1], c[2], c[3], c[4]
  if (LATn != "") print "  " LATn
  print ""
  print "targets, patient-level path (issue #18; reported, not asserted):"
  for (k = 1; k <= 2; k++) {
    n = k == 1 ? 100 : 10000
    f = k == 1 ? 10 : 3
    if (na(L("l1_" n)) || na(L("np_" n)))
      printf "  lupil2.json >= %2dx numpy per CPU-s at N = %-5d not measured\n", f, n
    else
      printf "  lupil2.json >= %2dx numpy per CPU-s at N = %-5d %.2fx (R peer %s) -> %s\n", f, n,
             L("l1_" n) / L("np_" n), ratio(L("l1_" n), L("r_" n)), mark(L("l1_" n) >= f * L("np_" n))
  }
  if (!na(L("l1_100")) && !na(L("fl_100")))
    printf "  lupil2.json within 2x of its floor (1 thread, per trial): %.2fx at N = 100 (1000: %s, 10000: %s) -> %s\n",
           (1e9 / L("l1_100")) / L("fl_100"), ratio(inv(L("l1_1000"), 1e9), L("fl_1000")),
           ratio(inv(L("l1_10000"), 1e9), L("fl_10000")), mark(1e9 / L("l1_100") <= 2 * L("fl_100"))
  if (!na(L("p1")) && !na(L("fp")))
    printf "  pss2022.json within 2x of its floor (1 thread, per trial): %.2fx at N = %s -> %s\n",
           (1e9 / L("p1")) / L("fp"), L("pn"), mark(1e9 / L("p1") <= 2 * L("fp"))
  if (!na(L("l1_100")) && !na(L("l2_100")))
    printf "  2 threads >= 1.8x one (latent):         lupil2.json %.2fx at N = 100 (1000: %s, 10000: %s), pss2022.json %s -> %s\n",
           L("l2_100") / L("l1_100"), ratio(L("l2_1000"), L("l1_1000")), ratio(L("l2_10000"), L("l1_10000")),
           ratio(L("p2"), L("p1")), mark(L("l2_100") >= 1.8 * L("l1_100") && (na(L("p2")) || L("p2") >= 1.8 * L("p1")))
}
BEGIN {
  S2c = twice(S2)
  nl = split(LAT, kv, " ")
  for (i = 1; i <= nl; i++) { eq = index(kv[i], "="); lat[substr(kv[i], 1, eq - 1)] = substr(kv[i], eq + 1) }

  print "trialsim benchmark"
  printf "date %s | nproc %s | CPU %s | load average %s\n", date, nproc, cpu, load
  printf "binaries %s | scripts and scenarios %s (%s) | vector target %s\n", build, root, rev, vector
  split(load, la, " ")
  if (la[1] + 0 > 0.5)
    printf "WARNING: load average %s when the benchmark started: other work shares the %s cores,\n" \
           "  so rates (2 threads above all) and thread scaling are understated.\n", la[1], nproc
  print ""
  printf "%-38s %3s %10s %-6s %10s %11s %9s\n", "row", "thr", "rate", "unit", "cohorts/s",
         "ns/patient", "S2/row"
  printf "%-38s %3s %10s %-6s %10s %11s %9s\n", "---", "---", "----", "----", "---------",
         "----------", "------"
  engine("trialsim lupil2", 1, L1, pl)
  engine("trialsim lupil2", 2, L2, pl)
  engine("trialsim simple (S1)", 1, S1, ps)
  engine("trialsim simple (S2, the reference)", 2, S2, ps)
  if (!na(LA1)) {
    engine("trialsim lupil2, TSIM_VECTOR=avx2", 1, LA1, pl)
    engine("trialsim lupil2, TSIM_VECTOR=avx2", 2, LA2, pl)
  }
  if (!na(LG1)) {
    engine("trialsim lupil2, TSIM_VECTOR=generic", 1, LG1, pl)
    engine("trialsim lupil2, TSIM_VECTOR=generic", 2, LG2, pl)
  }
  if (pmode == "yes") {
    engine("trialsim lupil2, sampling=patient", 1, LP1, pl)
    engine("trialsim lupil2, sampling=patient", 2, LP2, pl)
    engine("trialsim simple, sampling=patient", 1, SP1, ps)
    engine("trialsim simple, sampling=patient", 2, SP2, ps)
  }
  line("floor xoshiro256++ (the engine RNG)", 1, inv(FXn, 1e9), "num/s", inv(FXt, 1e9), inv(ps, FXt))
  line("floor mt19937 (GSL default)", 1, inv(FMn, 1e9), "num/s", inv(FMt, 1e9), inv(ps, FMt))
  baseline("R hand-vectorised (simple)", RV)
  baseline("R Mediana (simple)", RM)
  baseline("R rpact getSimulationRates", RP)

  print ""
  print "notes:"
  print "  rate: trials/s as each tool counts them (tr/s), or uniforms/s for the floor (num/s)."
  print "  A trialsim trial = the alternative PLUS its null twin: two cohorts, every analysis on"
  print "  each. Every baseline simulates one hypothesis per trial. cohorts/s = trials under one"
  print "  hypothesis per second (trialsim: 2 x tr/s); every comparison with a baseline uses it."
  printf "  ns/patient = 1e9 / (cohorts/s x patients: lupil2 %d, simple %d). S2/row = cohorts/s\n", pl, ps
  print "  of trialsim simple at 2 threads / cohorts/s of the row. R and the floor use one core."
  if (pmode == "yes")
    print "  trialsim rows without sampling= use the default, \"auto\" (counts per cell when the\n" \
          "  cells average 3 or more patients: both designs here)."
  else
    print "  This trialsim has no \"sampling\" key: it always samples patient by patient."
  printf "  floor: the draws of one simple trial, %s uniforms (outcome, dropout, deviation per\n", na(FPT) ? "?" : FPT
  print "  patient) + 4 stream seedings; its cohorts/s column = such sets per second, ns/patient"
  print "  = ns per set / patients. trialsim reads one set per trial for both hypotheses (the"
  print "  null twin reuses the uniforms), so the floor is compared with trialsim per TRIAL."
  printf "  xoshiro %s ns/number, %s ns/seed; mt19937 %s ns/number, %s ns/seed (gsl_rng_set).\n",
         num(FXn, "%.2f"), num(FXs, "%.1f"), num(FMn, "%.2f"), num(FMs, "%.0f")
  print "  TSIM_VECTOR rows: lupil2 with the vector kernels of a narrower target than the"
  print "  processor's (sim/core/isa.h; \"vector target\" above is the default's): the same numbers."
  print "  R vectorised: rbinom counts per arm, pchisq on vectors (no per-patient draws)."
  print "  Mediana: one worker process, marginal rate; ITT via a user test (non-responder),"
  print "  PP = PropTest without Yates. rpact: fixed design, no dropout, one analysis."
  if (RVn != "") print "  R vectorised: " RVn
  if (RMn != "") print "  Mediana: " RMn
  if (RPn != "") print "  rpact: " RPn

  print ""
  printf "thread scaling (2 threads / 1): lupil2 %s, simple %s", ratio(L2, L1), ratio(S2, S1)
  if (pmode == "yes")
    printf "; sampling=patient: lupil2 %s, simple %s", ratio(LP2, LP1), ratio(SP2, SP1)
  print ""
  if (!na(FXt)) {
    printf "engine vs floor (1 core, simple, ns per trialsim trial = alternative + null twin):\n"
    printf "  default sampler %s ns = %s the xoshiro floor (%s ns per trial of draws)",
           num(inv(S1, 1e9), "%.0f"), ratio(inv(S1, 1e9), FXt), num(FXt, "%.0f")
    if (pmode == "yes")
      printf "\n  sampling=patient %s ns = %s the floor", num(inv(SP1, 1e9), "%.0f"), ratio(inv(SP1, 1e9), FXt)
    if (!na(FMt)) printf "\n  the mt19937 floor alone takes %.0f ns per trial", FMt
    print ""
  }

  print ""
  print "targets (issue \"Performance\"; reported, not asserted):"
  if (!na(L2)) {
    printf "  LUPIL-2 >= 5 million trials/s on 2 cores:    %s trials/s = %.3f of it", si(L2), L2 / 5e6
    if (pmode == "yes" && !na(LP2)) printf " (sampling=patient %s)", si(LP2)
    printf " -> %s\n", mark(L2 >= 5e6)
  }
  if (!na(S2) && !na(RV))
    printf "  simple >= 10x vectorised R (cohorts/s):     %.2fx at 2 threads (%.2fx at 1) -> %s\n",
           S2c / RV, 2 * S1 / RV, mark(S2c >= 10 * RV)
  else print "  simple >= 10x vectorised R:                 not measured (no R)"
  if (!na(S1) && !na(FXt)) {
    printf "  within 3x of the floor (1 core, per trial): %.2fx", (1e9 / S1) / FXt
    if (pmode == "yes" && !na(SP1)) printf " (sampling=patient %.2fx)", (1e9 / SP1) / FXt
    printf " -> %s\n", mark((1e9 / S1) <= 3 * FXt)
  }
  if (!na(L1) && !na(L2) && !na(S1) && !na(S2))
    printf "  2 threads >= 1.8x one:                      lupil2 %.2fx, simple %.2fx -> %s\n",
           L2 / L1, S2 / S1, mark(L2 >= 1.8 * L1 && S2 >= 1.8 * S1)
  if (nl > 0) latent_section()
}
