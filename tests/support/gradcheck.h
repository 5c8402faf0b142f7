/* The one finite-difference gradient checker, shared by every test of a
 * differentiable op or loss.
 *
 * The objective is evaluated in whatever precision the op uses (float), and
 * the difference is taken in double. A coordinate where the function has a
 * kink (hinge, ReLU, max-pool tie, max) is detected by comparing the forward
 * and backward one-sided differences and is skipped, and counted. */
#ifndef DSML_TESTS_GRADCHECK_H
#define DSML_TESTS_GRADCHECK_H

/* Returns the objective at the current value of the checked variables. */
typedef double (*gradcheck_objective)(void *ctx);

typedef struct {
    int checked;        /* coordinates compared */
    int skipped_kinks;  /* coordinates skipped as kinks */
    int failed;         /* coordinates beyond tolerance */
    double max_error;   /* largest |num - ana| / max(1, |num|, |ana|) */
    int worst_index;
    double worst_numeric, worst_analytic;
} gradcheck_result;

/* Checks analytic[i] against the central difference of f in x[i] for every
 * i < n (stride `step` to sample large tensors; 1 checks all). x is restored. */
gradcheck_result gradcheck(gradcheck_objective f, void *ctx, float *x, const float *analytic,
                           int n, int step, double eps, double tolerance);

#endif
