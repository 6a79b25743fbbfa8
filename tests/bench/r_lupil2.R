# r_lupil2.R - a hand-vectorised base-R peer of scenarios/lupil2.json (tests/bench).
#
# The same program as np_lupil2.py (read its header for the model, which is trialsim's
# patient-level model of the shipped default scenario): every trial under the scenario AND its
# null twin from the same random numbers, eight analyses and two fixed-sequence hierarchies on
# each, so one trial here is the same work as one trialsim trial (two cohorts). Base R only,
# vectorised over a batch of trials: the site sizes are rmultinom draws, the permuted blocks of 4
# stratified by site become each site's arm split (whole blocks 2 + 2, the last partial block the
# first r of one of the 6 arrangements of {P, P, I, I}), each (site, arm) cell's dropouts are
# rbinom(n, 0.1) and its deviations rbinom(assessed, 0.1); every assessed patient gets three
# correlated normals (Cholesky), and the analyses read sums per (trial, site, arm, state) of the
# responses and of x and x^2 of the two SLEDAI dimensions (cumsum differences over patients laid
# out segment by segment), from which every population's counts, means and variances follow.
#
# Usage: Rscript r_lupil2.R [--n N] [--trials T | --seconds S] [--seed S] [--batch B] [--quiet]
# Prints the powers, type I errors and hierarchy rates with standard errors, machine lines
# (RATE name hypothesis estimate se; DIFF name hypothesis mean se n) and
#   RESULT r_lupil2 trials_per_second X cohorts_per_second Y seconds Z trials T patients N
#          trials_per_elapsed_second E
# with X, Y and Z per CPU-second (user + system time of the simulation, after a warm-up) and E
# per second of elapsed time (the same on a quiet machine).

args <- commandArgs(TRUE)
opt <- list(n = 100, trials = NA, seconds = NA, seed = 20221, batch = NA, quiet = FALSE)
i <- 1
while (i <= length(args)) {
  a <- args[i]
  if (a == "--quiet") { opt$quiet <- TRUE; i <- i + 1; next }
  key <- sub("^--", "", a)
  if (!(key %in% c("n", "trials", "seconds", "seed", "batch")) || i == length(args))
    stop("usage: Rscript r_lupil2.R [--n N] [--trials T | --seconds S] [--seed S] [--batch B] [--quiet]")
  opt[[key]] <- as.numeric(args[i + 1])
  i <- i + 2
}
if (is.na(opt$trials) && is.na(opt$seconds)) opt$trials <- 10000
n <- as.integer(opt$n)
B0 <- if (is.na(opt$batch)) max(1L, as.integer(200000 %/% n)) else as.integer(opt$batch)

NS <- 12L
W <- c(0.15, 0.15, rep(0.07, 10))
HET_SD <- 0.3
ANOM <- 1:2                                   # sites 0 and 1
P_SRI4 <- c(0.517, 0.833)                     # arm 1 placebo (control), arm 2 IL-2
ANOM_P <- c(1.0, 0.6)
MU <- rbind(c(-42, -60), c(-5.0, -7.5))       # [sledai_rel / sledai_abs, arm]
SD <- c(30, 3.5)
ANOM_MU <- rbind(c(-65, -42), c(-8.0, -5.0))
CORR <- matrix(c(1, -0.7, -0.7, -0.7, 1, 0.9, -0.7, 0.9, 1), 3)
L <- t(chol(CORR))                            # lower triangular
DROPOUT <- 0.10; DEVIATION <- 0.10; ALPHA <- 0.05
ALPHA_T <- ALPHA * (1 - 1e-7)                 # p within 1e-7 (relative) of alpha: not rejected
CHISQ_CRIT <- qchisq(ALPHA_T, 1, lower.tail = FALSE)
SITE_TO_LATENT <- sqrt(3) / pi
PAT <- rbind(c(0, 0, 1, 1), c(0, 1, 0, 1), c(0, 1, 1, 0), c(1, 0, 0, 1), c(1, 0, 1, 0), c(1, 1, 0, 0))
PREFIX0 <- cbind(0, t(apply(PAT == 0, 1, cumsum)))  # placebos among the first r of arrangement k

ANALYSES <- c("itt", "pp", "pp_prespecified", "pp_posthoc", "itt_sledai_rel", "itt_sledai_abs",
              "pp_prespecified_sledai_rel", "pp_prespecified_sledai_abs")
HIER <- list(hierarchy_itt = c("itt", "itt_sledai_rel", "itt_sledai_abs"),
             hierarchy_pp_prespecified = c("pp_prespecified", "pp_prespecified_sledai_rel",
                                           "pp_prespecified_sledai_abs"))
FAV_HIGHER <- c(TRUE, TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, FALSE)  # sri4 higher is better

pearson <- function(x0, n0, x1, n1) {
  N <- n0 + n1; m <- x0 + x1
  d <- as.double(x0) * (n1 - x1) - as.double(x1) * (n0 - x0)
  x2 <- N * d * d / (as.double(n0) * n1 * m * (N - m))   # NaN/Inf: an empty row or column
  ok <- n0 > 0 & n1 > 0
  list(reject = ok & m > 0 & m < N & x2 > CHISQ_CRIT, diff = ifelse(ok, x1 / n1 - x0 / n0, NA))
}

welch <- function(n0, s0, q0, n1, s1, q1) {
  m0 <- s0 / n0; m1 <- s1 / n1
  v0 <- (q0 - s0 * m0) / (n0 - 1); v1 <- (q1 - s1 * m1) / (n1 - 1)
  a0 <- v0 / n0; a1 <- v1 / n1
  se2 <- a0 + a1
  t <- suppressWarnings((m1 - m0) / sqrt(se2))   # NaN where an arm has fewer than 2
  df <- se2 * se2 / (a0 * a0 / (n0 - 1) + a1 * a1 / (n1 - 1))
  ok <- n0 >= 2 & n1 >= 2
  p <- suppressWarnings(2 * pt(-abs(t), df))      # rejected only where it is defined
  list(reject = ok & !is.na(p) & p < ALPHA_T, diff = ifelse(n0 > 0 & n1 > 0, m1 - m0, NA))
}

# Sums over the sites of x[site, arm, trial] where keep[site, trial] (or keep[site]): [arm, trial].
site_sum <- function(x, keep) {
  if (is.matrix(keep)) x <- x * as.vector(keep[, rep(seq_len(ncol(keep)), each = 2)])
  else x <- x[keep, , , drop = FALSE]
  colSums(x, dims = 1)
}

sim_batch <- function(B, acc) {
  # Site effects and this batch's parameters per cell, arrays [site, arm, trial] by hypothesis.
  b <- matrix(rnorm(NS * B, 0, HET_SD), NS, B)
  negthr <- list(); mu <- list()
  for (h in 1:2) {
    arms <- if (h == 1) c(1, 2) else c(1, 1)   # the null twin: the control's in every arm
    t3 <- array(0, c(NS, 2, B)); m3 <- list(array(0, c(NS, 2, B)), array(0, c(NS, 2, B)))
    for (a in 1:2) {
      p <- plogis(qlogis(P_SRI4[arms[a]]) + b)           # higher is better: + b_s
      p[ANOM, ] <- ANOM_P[a]
      t3[, a, ] <- -qnorm(p)
      for (e in 1:2) {                                   # lower is better: - b_s
        m <- MU[e, arms[a]] - SD[e] * b * SITE_TO_LATENT
        m[ANOM, ] <- ANOM_MU[e, a]
        m3[[e]][, a, ] <- m
      }
    }
    negthr[[h]] <- t3; mu[[h]] <- m3
  }
  # Cells: multinomial site sizes, each site's arm split by permuted blocks of 4.
  size <- rmultinom(B, n, W)                              # [site, trial]
  k <- matrix(sample.int(6L, NS * B, replace = TRUE), NS, B)
  pbo <- 2L * (size %/% 4L) + PREFIX0[cbind(as.vector(k), as.vector(size %% 4L) + 1L)]
  cn <- array(0L, c(NS, 2, B)); cn[, 1, ] <- pbo; cn[, 2, ] <- size - pbo
  drop <- rbinom(length(cn), cn, DROPOUT)
  dev <- rbinom(length(cn), cn - drop, DEVIATION)
  pp <- cn - drop - dev
  dim(drop) <- dim(dev) <- dim(pp) <- c(NS, 2, B)
  # The assessed patients, segment by segment: (state pp / dev, site, arm, trial).
  seg_n <- as.vector(rbind(as.vector(pp), as.vector(dev)))
  A <- sum(seg_n)
  z0 <- rnorm(A); z1 <- rnorm(A); z2 <- rnorm(A)
  x1 <- L[2, 1] * z0 + L[2, 2] * z1
  x2 <- L[3, 1] * z0 + L[3, 2] * z1 + L[3, 3] * z2
  ra <- z0 > rep(rep(as.vector(negthr[[1]]), each = 2), seg_n)
  rn <- z0 > rep(rep(as.vector(negthr[[2]]), each = 2), seg_n)
  ends <- cumsum(seg_n); begins <- ends - seg_n
  segsum <- function(v) { cs <- c(0, cumsum(v)); s <- cs[ends + 1] - cs[begins + 1]; dim(s) <- c(2, NS, 2, B); s }
  R <- list(segsum(ra), segsum(rn))
  X <- list(list(segsum(x1), segsum(x1 * x1)), list(segsum(x2), segsum(x2 * x2)))
  pre <- !(seq_len(NS) %in% ANOM)                         # exclude_sites [0, 1]
  everyone <- rep(TRUE, NS)
  rej <- list(); dif <- list()
  for (h in 1:2) {
    r_pp <- R[[h]][1, , , ]; r_dev <- R[[h]][2, , , ]
    dim(r_pp) <- dim(r_dev) <- c(NS, 2, B)
    post <- !(pp[, 1, ] >= 3 & r_pp[, 1, ] >= pp[, 1, ])  # placebo: >= 3, all responded
    tests <- list(itt = list(r_pp + r_dev, cn, everyone), pp = list(r_pp, pp, everyone),
                  pp_prespecified = list(r_pp, pp, pre), pp_posthoc = list(r_pp, pp, post))
    for (nm in names(tests)) {
      x <- site_sum(tests[[nm]][[1]], tests[[nm]][[3]])
      m <- site_sum(tests[[nm]][[2]], tests[[nm]][[3]])
      o <- pearson(x[1, ], m[1, ], x[2, ], m[2, ])
      rej[[paste(nm, h)]] <- o$reject; dif[[paste(nm, h)]] <- o$diff
    }
    for (e in 1:2) {
      ep <- c("sledai_rel", "sledai_abs")[e]
      mc <- mu[[h]][[e]]
      for (pop in 1:2) {                                  # complete cases / pp without 0, 1
        s1 <- X[[e]][[1]][1, , , ]; s2 <- X[[e]][[2]][1, , , ]; nc <- pp
        if (pop == 1) { s1 <- s1 + X[[e]][[1]][2, , , ]; s2 <- s2 + X[[e]][[2]][2, , , ]; nc <- pp + dev }
        dim(s1) <- dim(s2) <- c(NS, 2, B)
        keep <- if (pop == 1) everyone else pre
        S <- site_sum(nc * mc + SD[e] * s1, keep)
        Q <- site_sum(nc * mc * mc + 2 * SD[e] * mc * s1 + SD[e]^2 * s2, keep)
        Nn <- site_sum(nc, keep)
        o <- welch(Nn[1, ], S[1, ], Q[1, ], Nn[2, ], S[2, ], Q[2, ])
        nm <- paste0(if (pop == 1) "itt_" else "pp_prespecified_", ep)
        rej[[paste(nm, h)]] <- o$reject; dif[[paste(nm, h)]] <- o$diff
      }
    }
  }
  for (h in 1:2) {
    for (j in seq_along(ANALYSES)) {
      nm <- ANALYSES[j]; r <- rej[[paste(nm, h)]]; d <- dif[[paste(nm, h)]]
      key <- paste(nm, h)
      fav <- r & if (FAV_HIGHER[j]) d > 0 else d < 0
      ok <- !is.na(d)
      acc$rej[key] <- acc$rej[key] + sum(r)
      acc$fav[key] <- acc$fav[key] + sum(fav, na.rm = TRUE)
      acc$dn[key] <- acc$dn[key] + sum(ok)
      acc$ds[key] <- acc$ds[key] + sum(d[ok])
      acc$dq[key] <- acc$dq[key] + sum(d[ok]^2)
    }
    for (q in names(HIER)) {
      sig <- rep(TRUE, B)
      for (m in HIER[[q]]) {
        sig <- sig & rej[[paste(m, h)]]
        key <- paste0(q, "/", m, " ", h)
        acc$rej[key] <- acc$rej[key] + sum(sig)
      }
    }
  }
  acc
}

keys_h <- c(outer(c(ANALYSES, unlist(lapply(names(HIER), function(q) paste0(q, "/", HIER[[q]])))),
                  1:2, paste))
zero <- setNames(numeric(length(keys_h)), keys_h)
acc <- list(rej = zero, fav = zero, dn = zero, ds = zero, dq = zero)
set.seed(opt$seed + 1); invisible(sim_batch(min(B0, 64L), acc))   # warm-up, not counted
set.seed(opt$seed)
done <- 0
cpu <- function() { p <- proc.time(); p[["user.self"]] + p[["sys.self"]] }
t0 <- cpu(); w0 <- proc.time()[["elapsed"]]
repeat {
  B <- if (is.na(opt$trials)) B0 else as.integer(min(B0, opt$trials - done))
  acc <- sim_batch(B, acc)
  done <- done + B
  el <- cpu() - t0
  if ((!is.na(opt$trials) && done >= opt$trials) || (is.na(opt$trials) && el >= opt$seconds)) break
}
wall <- proc.time()[["elapsed"]] - w0
T <- done
show <- c(ANALYSES, unlist(lapply(names(HIER), function(q) paste0(q, "/", HIER[[q]][-1]))))
if (!opt$quiet) {
  cat(sprintf("r_lupil2: scenarios/lupil2.json at N = %d, %d trials (alternative + null twin), seed %d, %.2f CPU-s (%.2f s elapsed)\n",
              n, as.integer(T), as.integer(opt$seed), el, wall))
  cat(sprintf("%-46s %8s %7s %8s %7s\n", "analysis", "power", "se", "type1", "se"))
  for (nm in show) {
    r <- acc$rej[paste(nm, 1:2)] / T
    cat(sprintf("%-46s %8.4f %7.4f %8.4f %7.4f\n", nm, r[1], sqrt(r[1] * (1 - r[1]) / T),
                r[2], sqrt(r[2] * (1 - r[2]) / T)))
  }
  for (nm in show) {
    hn <- c("power", "type1")
    for (h in 1:2) {
      r <- acc$rej[[paste(nm, h)]] / T
      cat(sprintf("RATE %s %s %.6g %.6g\n", nm, hn[h], r, sqrt(r * (1 - r) / T)))
    }
    if (nm %in% ANALYSES) {
      for (h in 1:2) {
        r <- acc$fav[[paste(nm, h)]] / T
        cat(sprintf("RATE %s %s_favouring %.6g %.6g\n", nm, hn[h], r, sqrt(r * (1 - r) / T)))
      }
      for (h in 1:2) {
        key <- paste(nm, h); dn <- acc$dn[[key]]
        if (dn > 1) {
          m <- acc$ds[[key]] / dn
          s <- sqrt(max(acc$dq[[key]] / dn - m * m, 0) * dn / (dn - 1))
          cat(sprintf("DIFF %s %s %.6g %.6g %d\n", nm, c("alternative", "null")[h], m, s / sqrt(dn), as.integer(dn)))
        }
      }
    }
  }
}
cat(sprintf("RESULT r_lupil2 trials_per_second %.6g cohorts_per_second %.6g seconds %.4g trials %d patients %d trials_per_elapsed_second %.6g\n",
            T / el, 2 * T / el, el, as.integer(T), n, T / wall))
