# make_data.R - writes the fixed data sets of tests/test_impute.c (tests/impute/*.csv): patients
# in rows, columns arm, base (absent in sets without a baseline), y0 .. y{V-1}; NA = missing,
# monotone. Kept for the record: the committed CSVs are the data; rerunning this with the same
# R version reproduces them (R's default generator, set.seed).
# Usage (from the repository root): Rscript tests/impute/make_data.R
gen <- function(file, arms, per_arm, V, base_mean, base_sd, p_drop, with_base = TRUE, seed) {
  set.seed(seed)
  rows <- list()
  for (a in arms) {
    for (i in seq_len(per_arm)) {
      b <- rnorm(1, base_mean, base_sd)
      mu <- 5 + a * seq(0, 1.5, length.out = V) - 0.3 * seq_len(V)
      e <- cumsum(rnorm(V, 0, 1)) * 0.6 + rnorm(V, 0, 0.8)
      y <- mu + e + if (with_base) 0.4 * (b - base_mean) / base_sd else 0
      k <- V
      for (j in seq_len(V)) if (runif(1) < p_drop) { k <- j - 1; break }
      if (k < V) y[(k + 1):V] <- NA
      rows[[length(rows) + 1]] <- c(arm = a, base = b, setNames(y, paste0("y", 0:(V - 1))))
    }
  }
  d <- as.data.frame(do.call(rbind, rows))
  if (!with_base) d$base <- NULL
  d <- d[sample(nrow(d)), ] # arms interleaved: row order within arm is what matters
  fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
  out <- apply(d, 1, function(r) paste(fmt(r), collapse = ","))
  out <- sub("^([0-9]+)\\.?[0-9]*e?[+0-9]*,", "\\1,", out) # arm as an integer
  writeLines(c(paste(names(d), collapse = ","), out), file)
}
gen("tests/impute/set1.csv", 0:1, 22, 4, 10, 2, 0.09, TRUE, 101)
gen("tests/impute/set2.csv", 0:2, 14, 3, 0, 1, 0.12, FALSE, 202)
# a baseline 3e4 away from 0 in units of its SD: R's solve(crossprod(R)) fails there and mice
# uses its ridge
gen("tests/impute/set3.csv", 0:1, 16, 3, 3e4, 1, 0.1, TRUE, 303)
