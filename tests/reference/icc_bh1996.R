# Reference values from R's multilevel package (bh1996 data set).
# Run from /work/main:  Rscript tests/reference/icc_bh1996.R
suppressPackageStartupMessages(library(multilevel))
data(bh1996, package = "multilevel")
options(digits = 10)

for (v in c("WBEING", "HRS", "LEAD")) {
  fit <- aov(as.formula(paste(v, "~ as.factor(GRP)")), data = bh1996)
  cat(sprintf("%s ICC1 = %s\n", v, format(ICC1(fit), digits = 10)))
  cat(sprintf("%s ICC2 = %s\n", v, format(ICC2(fit), digits = 10)))
}

means <- aggregate(cbind(WBEING, LEAD) ~ GRP, data = bh1996, FUN = mean)
means_WBEING <- means$WBEING
means_LEAD <- means$LEAD

ct <- cor.test(means_LEAD, means_WBEING)
cat(sprintf("pearson estimate = %s\n", format(unname(ct$estimate), digits = 10)))
cat(sprintf("pearson conf.int95 = %s %s\n",
            format(ct$conf.int[1], digits = 10), format(ct$conf.int[2], digits = 10)))
cat(sprintf("pearson p.value = %s\n", format(ct$p.value, digits = 10)))
cat(sprintf("n groups = %d\n", nrow(means)))

cs <- cor.test(means_LEAD, means_WBEING, method = "spearman", exact = FALSE)
cat(sprintf("spearman estimate = %s\n", format(unname(cs$estimate), digits = 10)))
cat(sprintf("spearman p.value = %s\n", format(cs$p.value, digits = 10)))
