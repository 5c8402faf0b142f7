/* Tests of the P x K class-balanced batch sampler (src/data/sampler.c):
 * class-grouped batches from the list given, seeded; every image of a class
 * drawn equally often; bad sizes and labels. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "data/sampler.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/suite_run.h"

START_TEST(test_sampler_batches_are_class_grouped)
{
    int n;
    int32_t *labels = make_labels(&n);
    /* the sampler sees the even images only */
    int m = 0, *indices = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i += 2) indices[m++] = i;
    const int P = 4, K = 3;
    dsml_sampler s, t;
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, m, 10, P, K, 77), DSML_OK);
    ck_assert_int_eq(dsml_sampler_init(&t, labels, indices, m, 10, P, K, 77), DSML_OK);
    ck_assert_int_eq(dsml_sampler_batches_per_epoch(&s), m / 12);
    int bi[12], bl[12], ti[12], tl[12];
    for (int b = 0; b < 200; b++) {
        dsml_sampler_next(&s, bi, bl);
        dsml_sampler_next(&t, ti, tl);
        ck_assert_int_eq(memcmp(bi, ti, sizeof bi), 0);
        ck_assert_int_eq(memcmp(bl, tl, sizeof bl), 0);
        for (int p = 0; p < P; p++) {
            for (int k = 0; k < K; k++) {
                int row = p * K + k;
                ck_assert_int_eq(bi[row] % 2, 0);               /* from the list given */
                ck_assert_int_eq(bl[row], labels[bi[row]]);
                ck_assert_int_eq(bl[row], bl[p * K]);            /* class-grouped */
                for (int j = 0; j < row; j++) ck_assert_int_ne(bi[j], bi[row]); /* distinct */
            }
            for (int q = 0; q < p; q++) ck_assert_int_ne(bl[q * K], bl[p * K]); /* P distinct classes */
        }
    }
    dsml_sampler_free(&t);
    /* another seed, other batches */
    ck_assert_int_eq(dsml_sampler_init(&t, labels, indices, m, 10, P, K, 78), DSML_OK);
    dsml_sampler_next(&s, bi, bl);
    dsml_sampler_next(&t, ti, tl);
    ck_assert_int_ne(memcmp(bi, ti, sizeof bi), 0);
    dsml_sampler_free(&t);
    dsml_sampler_free(&s);
    ck_assert_ptr_null(s.members);
    free(indices);
    free(labels);
}
END_TEST

START_TEST(test_sampler_covers_every_image_evenly)
{
    /* 6 classes of 13, 17, 20, 25, 30, 41 images; K = 4 does not divide most */
    const int sizes[6] = {13, 17, 20, 25, 30, 41};
    int32_t labels[146];
    int indices[146], n = 0;
    for (int c = 0; c < 6; c++)
        for (int j = 0; j < sizes[c]; j++) { labels[n] = c; indices[n] = n; n++; }
    dsml_sampler s;
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, n, 6, 3, 4, 5), DSML_OK);
    int seen[146] = {0}, class_draws[6] = {0}, bi[12], bl[12];
    for (int b = 0; b < 3000; b++) {
        dsml_sampler_next(&s, bi, bl);
        for (int r = 0; r < 12; r++) seen[bi[r]]++;
        for (int p = 0; p < 3; p++) class_draws[bl[p * 4]]++;
    }
    /* each class is drawn in about half of the batches (3 of 6) */
    for (int c = 0; c < 6; c++) {
        ck_assert_int_gt(class_draws[c], 1350);
        ck_assert_int_lt(class_draws[c], 1650);
    }
    /* within a class every image is seen equally often, up to one walk */
    for (int i = 0; i < n; i++) {
        int c = labels[i];
        double expect = 4.0 * class_draws[c] / sizes[c];
        ck_assert_double_eq_tol(seen[i], expect, 1.01);
    }
    dsml_sampler_free(&s);

    /* K = 2 (N-pair): anchor and positive on adjacent rows */
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, n, 6, 6, 2, 5), DSML_OK);
    ck_assert_int_eq(dsml_sampler_batches_per_epoch(&s), 146 / 12);
    dsml_sampler_next(&s, bi, bl);
    for (int p = 0; p < 6; p++) {
        ck_assert_int_eq(bl[2 * p], bl[2 * p + 1]);
        ck_assert_int_ne(bi[2 * p], bi[2 * p + 1]);
    }
    dsml_sampler_free(&s);
}
END_TEST

START_TEST(test_sampler_errors)
{
    int32_t labels[10] = {0, 0, 0, 1, 1, 1, 2, 2, 3, 3};
    int indices[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    dsml_sampler s;
    expect_error(dsml_sampler_init(&s, labels, indices, 10, 4, 3, 3, 1), DSML_ERR_ARG,
                 "2 classes have at least K=3 images, P=3 needed");
    ck_assert_ptr_null(s.members);
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, 10, 4, 4, 2, 1), DSML_OK);
    dsml_sampler_free(&s);
    expect_error(dsml_sampler_init(&s, labels, indices, 10, 3, 2, 2, 1), DSML_ERR_ARG, "label 3, expected 0..2");
    expect_error(dsml_sampler_init(&s, labels, indices, 10, 4, 0, 2, 1), DSML_ERR_ARG, "P=0");
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"batches", 30, (const TTest *[]){test_sampler_batches_are_class_grouped, NULL}},
        {"coverage", 30, (const TTest *[]){test_sampler_covers_every_image_evenly, NULL}},
        {"errors", 30, (const TTest *[]){test_sampler_errors, NULL}},
    };
    return suite_run_cases("sampler", cases, SUITE_CASES(cases));
}
