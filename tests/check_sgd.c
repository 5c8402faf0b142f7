/* Tests of the optimizer (src/nn/sgd.c): SGD with momentum and weight decay
 * against steps computed by hand, and gradient-norm clipping. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "nn/sgd.h"
#include "support/suite_run.h"

START_TEST(test_sgd_two_steps_by_hand)
{
    dsml_sgd opt;
    ck_assert_int_eq(dsml_sgd_init(&opt, 2, 0.1f, 0.9f, 0.01f), DSML_OK);
    float p[2] = {1.0f, -2.0f};
    float g1[2] = {0.5f, 0.1f}, g2[2] = {-0.2f, 0.3f};
    /* step 1: g = 0.5 + 0.01*1 = 0.51, v = 0.51, p = 1 - 0.051 = 0.949;
     *         g = 0.1 + 0.01*(-2) = 0.08, v = 0.08, p = -2 - 0.008 = -2.008 */
    dsml_sgd_step(&opt, p, g1);
    ck_assert_float_eq_tol(p[0], 0.949f, 1e-6);
    ck_assert_float_eq_tol(p[1], -2.008f, 1e-6);
    ck_assert_float_eq_tol(opt.velocity[0], 0.51f, 1e-6);
    /* step 2: g = -0.2 + 0.01*0.949 = -0.19051, v = 0.9*0.51 - 0.19051 = 0.26849,
     *         p = 0.949 - 0.026849 = 0.922151;
     *         g = 0.3 + 0.01*(-2.008) = 0.27992, v = 0.9*0.08 + 0.27992 = 0.35192,
     *         p = -2.008 - 0.035192 = -2.043192 */
    dsml_sgd_step(&opt, p, g2);
    ck_assert_float_eq_tol(opt.velocity[0], 0.26849f, 1e-6);
    ck_assert_float_eq_tol(opt.velocity[1], 0.35192f, 1e-6);
    ck_assert_float_eq_tol(p[0], 0.922151f, 1e-6);
    ck_assert_float_eq_tol(p[1], -2.043192f, 1e-6);
    ck_assert_float_eq(g2[0], -0.2f); /* gradients untouched */
    dsml_sgd_free(&opt);
    ck_assert_ptr_null(opt.velocity);
    ck_assert_int_eq(dsml_sgd_init(&opt, 2, -0.1f, 0.9f, 0.0f), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "learning rate -0.1"));
    ck_assert_int_eq(dsml_sgd_init(&opt, 2, 0.1f, NAN, 0.0f), DSML_ERR_ARG);
}
END_TEST

/* Norm 5 (3, 4, 0): clipped to 2.5 it becomes (1.5, 2, 0); a norm under the
 * limit, or exactly at it, is left alone; the norm before clipping is returned. */
START_TEST(test_clip_grad_norm_by_hand)
{
    float g[3] = {3, 4, 0};
    ck_assert_double_eq_tol(dsml_clip_grad_norm(g, 3, 2.5f), 5.0, 1e-12);
    ck_assert_float_eq_tol(g[0], 1.5f, 1e-6);
    ck_assert_float_eq_tol(g[1], 2.0f, 1e-6);
    ck_assert_float_eq(g[2], 0.0f);
    float h[2] = {-0.6f, 0.8f};
    ck_assert_double_eq_tol(dsml_clip_grad_norm(h, 2, 5.0f), 1.0, 1e-7);
    ck_assert_float_eq(h[0], -0.6f);
    ck_assert_float_eq(h[1], 0.8f);
    dsml_clip_grad_norm(h, 2, 1.0f); /* at the limit: unchanged */
    ck_assert_float_eq(h[0], -0.6f);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"sgd", 30, (const TTest *[]){test_sgd_two_steps_by_hand, NULL}},
        {"clip", 30, (const TTest *[]){test_clip_grad_norm_by_hand, NULL}},
    };
    return suite_run_cases("sgd", cases, SUITE_CASES(cases));
}
