# Reference values for issue 13 (power, ICC intervals, awg), from R's pwr, psych and multilevel.
# Run from this directory: Rscript issue13_reference.R > issue13_reference.json
suppressMessages({library(pwr); library(psych); library(multilevel); library(jsonlite); library(lme4)})

power <- list(
  power_r033_n35_rel = pwr.r.test(n = 35, r = 0.33 * sqrt(0.6 * 0.4))$power,
  power_r030_n84 = pwr.r.test(n = 84, r = 0.30)$power,
  power_r050_n20 = pwr.r.test(n = 20, r = 0.50)$power,
  n_r030 = pwr.r.test(r = 0.30, power = 0.8)$n,
  n_r050 = pwr.r.test(r = 0.50, power = 0.8)$n,
  n_r010 = pwr.r.test(r = 0.10, power = 0.8)$n,
  n_r033_rel = pwr.r.test(r = 0.33 * sqrt(0.6 * 0.4), power = 0.8)$n,
  critical_n35 = { t <- qt(0.975, 33); t / sqrt(t^2 + 33) },
  critical_n20 = { t <- qt(0.975, 18); t / sqrt(t^2 + 18) }
)

# Eight teams of five: answers (j * 3 + i * 7) %% 5 + 1 shifted by team, a balanced one-way design.
teams <- rep(1:8, each = 5)
member <- rep(1:5, times = 8)
answers <- ((teams * 3 + member * 7 + teams * member) %% 5) + 1 + (teams %% 3 == 0)
answers <- pmin(answers, 5)
wide <- matrix(answers, nrow = 8, byrow = TRUE)
icc <- psych::ICC(wide, lmer = FALSE)$results
icc_out <- list(
  answers = answers, teams = teams,
  icc1 = icc$ICC[1], icc1_lower = icc$`lower bound`[1], icc1_upper = icc$`upper bound`[1],
  icc1k = icc$ICC[4], icc1k_lower = icc$`lower bound`[4], icc1k_upper = icc$`upper bound`[4]
)

# awg on teams built to hit every branch of multilevel::awg.
awg_answers <- c(5, 5, 5, 5,        # all at the top: 1
                 1, 1, 1,           # all at the bottom: 1
                 5, 5, 5, 4,        # mean above (H(k-1)+L)/k: NA
                 2, 4, 3, 5, 1,     # an ordinary team
                 3,                 # one answer in the middle: NA
                 4, 4, 5, 3, 4, 2,  # another ordinary team
                 5, 1)              # one answer at each end: NA, as for any team of one
awg_groups <- c(rep("a", 4), rep("b", 3), rep("c", 4), rep("d", 5), "e", rep("f", 6), "g", "h")
awg_result <- awg(awg_answers, awg_groups, range = c(1, 5))
awg_out <- list(answers = awg_answers, groups = awg_groups, labels = as.character(awg_result$grpid),
                awg = awg_result$a.wg)

# Cross-lagged paths over twelve teams: each later score on the other's earlier one, its own earlier one held.
e1 <- c(3.1, 3.4, 2.9, 3.8, 3.5, 4.0, 3.2, 3.6, 2.7, 3.9, 3.3, 3.7)
c1 <- c(3.6, 3.9, 3.5, 4.1, 3.8, 4.2, 3.4, 4.0, 3.3, 4.3, 3.7, 3.9)
e2 <- c(3.2, 3.3, 3.1, 3.9, 3.4, 4.1, 3.3, 3.5, 2.9, 3.8, 3.5, 3.8)
c2 <- c(3.5, 4.0, 3.4, 4.2, 3.9, 4.4, 3.6, 3.9, 3.2, 4.2, 3.8, 4.1)
path <- function(y2, x1, y1) {
  m <- lm(scale(y2) ~ scale(x1) + scale(y1))
  list(coefficient = unname(coef(m)[2]), lower = confint(m)[2, 1], upper = confint(m)[2, 2],
       pvalue = summary(m)$coefficients[2, 4])
}
lagged_out <- list(e1 = e1, c1 = c1, e2 = e2, c2 = c2,
                   employee_then_customer = path(c2, e1, c1), customer_then_employee = path(e2, c1, e1))

# REML random-intercept ICC on unequal teams (lme4::lmer, tight tolerances), and on teams whose ANOVA ICC(1) is
# negative, where REML stops at a between-team variance of 0.
reml_fit <- function(y, g) {
  m <- lmer(y ~ 1 + (1 | g), REML = TRUE,
            control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 1e-2, rhoend = 1e-12)))
  v <- as.data.frame(VarCorr(m))$vcov
  list(answers = y, groups = g, between = v[1], within = v[2], icc = v[1] / sum(v), mean = unname(fixef(m)[1]),
       anova_icc1 = multilevel::ICC1(aov(y ~ as.factor(g))))
}
sizes <- c(3, 7, 4, 12, 5, 9, 6, 2, 10, 8)
reml_groups <- rep(seq_along(sizes), times = sizes)
reml_answers <- ((seq_along(reml_groups) * 3) %% 4) + 1 + (reml_groups %% 3 == 0) + (reml_groups %% 4 == 1)
reml_answers <- pmin(reml_answers, 5)
flat_groups <- rep(1:6, times = c(4, 5, 3, 6, 4, 5))
flat_answers <- c(1, 5, 3, 3,  2, 4, 3, 5, 1,  3, 1, 5,  2, 4, 3, 3, 5, 1,  1, 5, 4, 2,  3, 2, 4, 1, 5)
reml_out <- list(unequal = reml_fit(reml_answers, reml_groups), boundary = reml_fit(flat_answers, flat_groups))

cat(toJSON(list(power = power, icc = icc_out, awg = awg_out, lagged = lagged_out, reml = reml_out), digits = NA, auto_unbox = TRUE, na = "null",
           pretty = TRUE))
