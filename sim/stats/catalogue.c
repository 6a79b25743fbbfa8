/* catalogue.c - see catalogue.h. */
#include "stats/catalogue.h"

#include <stddef.h>

const char *const tsim_test_names[] = {"pearson", "n1_chisq", "fisher", "yates", "cmh",
                                        "logistic", "binomial_exact", "welch_t", "student_t",
                                        "wilcoxon", "ancova", NULL};
