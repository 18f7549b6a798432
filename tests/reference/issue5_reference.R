# Reference values for issue 5 (multilevel agreement indices, reliability,
# multiple testing, correlation tests, partial r, relative weights).
# Run from repository root:  Rscript tests/reference/issue5_reference.R
suppressPackageStartupMessages({
  library(multilevel)   # rwg, rwg.j, awg, ad.m, ICC1, ICC2, data lq2002
  library(psych)        # alpha, alpha.ci, r.test, partial.r, corr.p
  library(jsonlite)
})
outdir <- "tests/reference"
num <- function(x) unname(as.numeric(x))
named <- function(values, groups) { v <- as.list(num(values)); names(v) <- as.character(groups); v }

# ---------------------------------------------------------------- 1. lq2002
data(lq2002, package = "multilevel")
items <- c("TSIG01", "TSIG02", "TSIG03")
lq <- lq2002[, c("COMPID", items)]
lq <- lq[order(lq$COMPID), ]
write.csv(lq, file.path(outdir, "lq2002.csv"), row.names = FALSE)

r_rwg   <- rwg(lq$TSIG01, lq$COMPID, ranvar = 2)
r_rwgj  <- rwg.j(lq[, items], lq$COMPID, ranvar = 2)
r_awg   <- awg(lq$TSIG01, lq$COMPID, range = c(1, 5))
r_awgj  <- awg(lq[, items], lq$COMPID, range = c(1, 5))   # matrix: mean of per-item awg (na.rm)
r_admn  <- ad.m(lq$TSIG01, lq$COMPID, type = "mean")
r_admd  <- ad.m(lq$TSIG01, lq$COMPID, type = "median")
aovmod  <- aov(TSIG01 ~ as.factor(COMPID), data = lq)
icc1 <- ICC1(aovmod); icc2 <- ICC2(aovmod)

grp_sorted <- sort(unique(lq$COMPID))
first20 <- as.character(grp_sorted[1:20])
pick <- function(df, col) { v <- df[[col]]; names(v) <- as.character(df$grpid); named(v[first20], first20) }

lq_out <- list(
  source = "multilevel::lq2002, columns COMPID, TSIG01, TSIG02, TSIG03; rows sorted by COMPID",
  n_rows = nrow(lq), n_groups = length(grp_sorted), groups_listed = first20,
  rwg = pick(r_rwg, "rwg"), rwg_gsize = pick(r_rwg, "gsize"),
  rwg_j = pick(r_rwgj, "rwg.j"),
  awg = pick(r_awg, "a.wg"), awg_j = pick(r_awgj, "a.wg"),
  ad_mean = pick(r_admn, "AD.M"), ad_median = pick(r_admd, "AD.M"),
  icc1 = num(icc1), icc2 = num(icc2)
)

# ---------------------------------------------------------------- 2. alpha
a <- psych::alpha(lq[, items])
alpha_out <- list(
  alpha = num(a$total$raw_alpha), std_alpha = num(a$total$std.alpha),
  alpha_ci_low = num(a$feldt$lower.ci), alpha_ci_high = num(a$feldt$upper.ci),
  n_obs = nrow(lq), n_var = num(a$nvar),
  ci_source = "psych::alpha(...)$feldt, i.e. psych::alpha.ci(raw_alpha, n.obs, n.var), p.val=0.05 (Feldt F-based)"
)

# ---------------------------------------------------------------- 3. BH
p <- c(0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.04, 0.9, 0.0001, 0.07)
bh_out <- list(p = p, bh = num(p.adjust(p, method = "BH")))

# ---------------------------------------------------------------- 4. r.test
rt1  <- psych::r.test(n = 40, r12 = 0.45, r34 = 0.15, r23 = 0.5, r13 = 0.4, r14 = 0.2, r24 = 0.35)
rt1u <- psych::r.test(n = 40, r12 = 0.45, r34 = 0.15, r23 = 0.5, r13 = 0.4, r14 = 0.2, r24 = 0.35, pooled = FALSE)
rt2  <- psych::r.test(n = 40, r12 = 0.45, r13 = 0.2, r23 = 0.3)
rtest_out <- list(
  r_test_z = num(rt1$z), r_test_p = num(rt1$p), r_test_label = rt1$Test,
  r_test_note = "psych default pooled=TRUE (Steiger 1980 pooled r); two-tailed",
  r_test_z_unpooled = num(rt1u$z), r_test_p_unpooled = num(rt1u$p),
  r_test_overlap_t = num(rt2$t), r_test_overlap_p = num(rt2$p), r_test_overlap_df = 37,
  r_test_overlap_label = rt2$Test
)

# ---------------------------------------------------------------- 5. partial r
set.seed(42); n <- 30
size <- round(runif(30, 5, 40))
x <- rnorm(30) + 0.02 * size
y <- 0.5 * x + rnorm(30) + 0.03 * size
pdat <- data.frame(x = x, y = y, size = size)
write.csv(pdat, file.path(outdir, "partial.csv"), row.names = FALSE)
pr_psych <- psych::partial.r(pdat, c("x", "y"), "size")["x", "y"]
pr_lm <- cor(resid(lm(x ~ size, pdat)), resid(lm(y ~ size, pdat)))
dfp <- n - 3
tp <- pr_psych * sqrt(dfp / (1 - pr_psych^2))
pp <- 2 * pt(-abs(tp), dfp)
pp_corrp <- psych::corr.p(matrix(c(1, pr_psych, pr_psych, 1), 2, dimnames = list(c("x", "y"), c("x", "y"))), n = n - 1, adjust = "none")$p[1, 2]
partial_out <- list(
  n = n, partial_r = num(pr_psych), partial_r_lm_residuals = num(pr_lm),
  t = num(tp), df = dfp, p = num(pp), p_corr_p_n_minus_1 = num(pp_corrp),
  method = "psych::partial.r(data, c('x','y'), 'size'); cross-checked by correlating lm residuals; p from two-tailed t test with n-3 df (equals psych::corr.p with n=n-1)"
)

# ---------------------------------------------------------------- 6. relative weights
# No Debian package provides Johnson's (2000) relative weights (r-cran-yhat not packaged);
# implemented directly from Johnson (2000).
set.seed(7); n6 <- 60
f <- rnorm(n6)
X1 <- 0.8 * f + rnorm(n6, sd = 0.6)
X2 <- 0.7 * f + rnorm(n6, sd = 0.7)
X3 <- 0.5 * f + rnorm(n6, sd = 0.9)
X4 <- 0.3 * f + rnorm(n6, sd = 1.0)
yv <- 0.5 * X1 + 0.3 * X2 + 0.2 * X3 + 0.1 * X4 + rnorm(n6)
rwdat <- data.frame(X1, X2, X3, X4, y = yv)
write.csv(rwdat, file.path(outdir, "relweights.csv"), row.names = FALSE)
Rxx <- cor(rwdat[, 1:4]); rxy <- cor(rwdat[, 1:4], rwdat$y)
e <- eigen(Rxx, symmetric = TRUE)
Lambda <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
beta <- solve(Lambda, rxy)
raw_w <- as.vector((Lambda^2) %*% (beta^2))
R2 <- as.vector(t(rxy) %*% solve(Rxx, rxy))
R2_lm <- summary(lm(y ~ X1 + X2 + X3 + X4, rwdat))$r.squared
rw_out <- list(
  predictors = colnames(Rxx), raw_weights = num(raw_w), rescaled_weights = num(raw_w / R2),
  r2 = R2, r2_lm = R2_lm, sum_raw_weights = sum(raw_w),
  method = "Johnson (2000) implemented in R: Lambda = V sqrt(D) V', beta = solve(Lambda, r_xy), w = Lambda^2 %*% beta^2"
)

# ---------------------------------------------------------------- write
out <- list(
  versions = list(R = R.version.string, multilevel = as.character(packageVersion("multilevel")),
                  psych = as.character(packageVersion("psych")), jsonlite = as.character(packageVersion("jsonlite"))),
  lq2002 = lq_out, alpha = alpha_out, p_adjust = bh_out, r_test = rtest_out,
  partial = partial_out, relative_weights = rw_out
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE),
           file.path(outdir, "issue5_reference.json"))
cat("wrote", file.path(outdir, "issue5_reference.json"), "\n")
