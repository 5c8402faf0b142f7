/* Tests of the splits (src/data/split.c): the seeded DML and hashing
 * protocols (sizes per class, disjointness, determinism, the documented
 * hash), the official and zero-shot splits, the multi-label one, and the
 * choice of a default. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/dataset.h"
#include "data/split.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/suite_run.h"

static void count_per_class(const int32_t *labels, const int *list, int n, int counts[10])
{
    memset(counts, 0, sizeof(int) * 10);
    for (int i = 0; i < n; i++) counts[labels[list[i]]]++;
}

START_TEST(test_split_dml_protocol)
{
    int n;
    int32_t *labels = make_labels(&n);
    dsml_split s, again, other;
    ck_assert_int_eq(dsml_split_dml(&s, labels, n, 10, 20, 50, 10, 1234), DSML_OK);
    ck_assert_int_eq(s.n_query, 200);
    ck_assert_int_eq(s.n_database, n - 200);
    ck_assert_int_eq(s.n_train, 400);
    ck_assert_int_eq(s.n_validation, 100);
    int counts[10];
    count_per_class(labels, s.query, s.n_query, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 20);
    count_per_class(labels, s.database, s.n_database, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 110 + 7 * c);
    count_per_class(labels, s.train, s.n_train, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 40);
    count_per_class(labels, s.validation, s.n_validation, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 10);

    /* queries and database partition the pool; train and validation are
     * disjoint parts of the database */
    char *role = calloc((size_t)n, 1);
    for (int i = 0; i < s.n_query; i++) { ck_assert_int_eq(role[s.query[i]], 0); role[s.query[i]] = 'q'; }
    for (int i = 0; i < s.n_database; i++) { ck_assert_int_eq(role[s.database[i]], 0); role[s.database[i]] = 'd'; }
    for (int i = 0; i < n; i++) ck_assert_int_ne(role[i], 0);
    for (int i = 0; i < s.n_train; i++) { ck_assert_int_eq(role[s.train[i]], 'd'); role[s.train[i]] = 't'; }
    for (int i = 0; i < s.n_validation; i++) {
        ck_assert_int_eq(role[s.validation[i]], 'd');
        role[s.validation[i]] = 'v';
    }
    free(role);
    for (int i = 1; i < s.n_database; i++) ck_assert_int_lt(s.database[i - 1], s.database[i]);

    /* deterministic in the seed, and sensitive to it */
    ck_assert_int_eq(dsml_split_dml(&again, labels, n, 10, 20, 50, 10, 1234), DSML_OK);
    ck_assert_str_eq(again.hash, s.hash);
    ck_assert_int_eq(memcmp(again.train, s.train, sizeof(int) * 400), 0);
    ck_assert_int_eq(memcmp(again.query, s.query, sizeof(int) * 200), 0);
    ck_assert_int_eq(dsml_split_dml(&other, labels, n, 10, 20, 50, 10, 1235), DSML_OK);
    ck_assert_str_ne(other.hash, s.hash);
    int same = 0;
    for (int i = 0; i < 200; i++) same += other.query[i] == s.query[i];
    ck_assert_int_lt(same, 100);
    dsml_split_free(&other);
    /* the hash follows the documented definition */
    dsml_sha256 h;
    dsml_sha256_init(&h);
    dsml_sha256_update(&h, "dsml-split-1\n", 13);
    const int *lists[4] = {s.query, s.database, s.train, s.validation};
    int sizes[4] = {s.n_query, s.n_database, s.n_train, s.n_validation};
    for (int l = 0; l < 4; l++) {
        uint32_t count = (uint32_t)sizes[l];
        dsml_sha256_update(&h, &count, 4); /* x86: little-endian */
        for (int i = 0; i < sizes[l]; i++) {
            uint32_t v = (uint32_t)lists[l][i];
            dsml_sha256_update(&h, &v, 4);
        }
    }
    char hex[65];
    dsml_sha256_final_hex(&h, hex);
    ck_assert_str_eq(hex, s.hash);
    /* no validation: training set of T per class, validation empty */
    ck_assert_int_eq(dsml_split_dml(&other, labels, n, 10, 20, 50, 0, 1234), DSML_OK);
    ck_assert_int_eq(other.n_train, 500);
    ck_assert_int_eq(other.n_validation, 0);
    ck_assert_str_ne(other.hash, s.hash);
    dsml_split_free(&other);
    dsml_split_free(&again);
    dsml_split_free(&s);
    ck_assert_ptr_null(s.train);
    free(labels);
}
END_TEST

START_TEST(test_split_hashing_protocol)
{
    int n;
    int32_t *labels = make_labels(&n);
    dsml_split s;
    ck_assert_int_eq(dsml_split_hashing(&s, labels, n, 10, 30, 9), DSML_OK);
    ck_assert_int_eq(s.n_query, 300);
    ck_assert_int_eq(s.n_database, n - 300);
    ck_assert_int_eq(s.n_train, n - 300);
    ck_assert_int_eq(s.n_validation, 0);
    ck_assert_int_eq(memcmp(s.train, s.database, sizeof(int) * (size_t)s.n_train), 0);
    int counts[10];
    count_per_class(labels, s.query, s.n_query, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 30);
    char *seen = calloc((size_t)n, 1);
    for (int i = 0; i < s.n_query; i++) seen[s.query[i]]++;
    for (int i = 0; i < s.n_database; i++) seen[s.database[i]]++;
    for (int i = 0; i < n; i++) ck_assert_int_eq(seen[i], 1);
    free(seen);
    dsml_split_free(&s);
    free(labels);
}
END_TEST

START_TEST(test_split_errors)
{
    int n;
    int32_t *labels = make_labels(&n);
    dsml_split s;
    /* class 0 has 130 images: 100 queries + 50 training images do not fit */
    expect_error(dsml_split_dml(&s, labels, n, 10, 100, 50, 0, 1), DSML_ERR_ARG,
                 "class 0 has 130 images, the split needs 150 (100 queries + 50 training images)");
    ck_assert_ptr_null(s.query);
    expect_error(dsml_split_dml(&s, labels, n, 10, 10, 20, 20, 1), DSML_ERR_ARG, "0 <= V < T");
    expect_error(dsml_split_hashing(&s, labels, n, 10, 130, 1), DSML_ERR_ARG, "class 0 has 130 images");
    labels[5] = 10;
    expect_error(dsml_split_dml(&s, labels, n, 10, 10, 20, 0, 1), DSML_ERR_ARG, "image 5: label 10, expected 0..9");
    free(labels);
}
END_TEST

START_TEST(test_split_paper_and_zero_shot)
{
    /* 8 images, classes 0..3, official train flags */
    const int32_t labels[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    const uint8_t train[8] = {1, 1, 0, 0, 1, 0, 1, 0};
    dsml_split s;
    ck_assert_int_eq(dsml_split_official(&s, train, 8), 0);
    ck_assert_int_eq(s.n_train, 4);
    ck_assert_int_eq(s.n_query, 4);
    ck_assert_int_eq(s.n_database, 4);
    ck_assert_int_eq(s.query_is_database, 1);
    ck_assert_str_eq(s.kind, "paper");
    static const int test_idx[4] = {2, 3, 5, 7}, train_idx[4] = {0, 1, 4, 6};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(s.query[i], test_idx[i]);
        ck_assert_int_eq(s.database[i], test_idx[i]);
        ck_assert_int_eq(s.train[i], train_idx[i]);
    }
    int self[4];
    dsml_split_query_db_index(&s, self);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(self[i], i);
    char paper_hash[65];
    memcpy(paper_hash, s.hash, 65);
    dsml_split_free(&s);

    ck_assert_int_eq(dsml_split_zero_shot(&s, labels, 8, 4, 2), 0);
    static const int zs_test[4] = {2, 3, 6, 7}, zs_train[4] = {0, 1, 4, 5};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(s.query[i], zs_test[i]);
        ck_assert_int_eq(s.database[i], zs_test[i]);
        ck_assert_int_eq(s.train[i], zs_train[i]);
    }
    ck_assert_str_eq(s.kind, "zero-shot");
    ck_assert_str_ne(s.hash, paper_hash);
    dsml_split_free(&s);

    const uint8_t all_train[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    expect_error(dsml_split_official(&s, all_train, 8), DSML_ERR_ARG, "0 test and 8 training images");
    expect_error(dsml_split_zero_shot(&s, labels, 8, 4, 4), DSML_ERR_ARG, "4 training classes of 4");

    /* a query that is not in the database gets -1 */
    dsml_split dml;
    ck_assert_int_eq(dsml_split_hashing(&dml, labels, 8, 4, 1, 7), 0);
    int idx[4];
    dsml_split_query_db_index(&dml, idx);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(idx[i], -1);
    dsml_split_free(&dml);
}
END_TEST

START_TEST(test_split_multilabel)
{
    /* 12 images, 3 labels; image i has label i%3, and also label 0 when i%4 == 1 */
    uint64_t bits[12];
    for (int i = 0; i < 12; i++) bits[i] = (uint64_t)1 << (i % 3) | (i % 4 == 1 ? 1u : 0u);
    dsml_split a, b, c;
    ck_assert_int_eq(dsml_split_multilabel(&a, bits, 12, 3, 2, 42), 0);
    ck_assert_int_eq(a.n_query, 6);
    ck_assert_int_eq(a.n_database, 6);
    ck_assert_int_eq(a.n_train, 6);
    ck_assert_int_eq(a.query_is_database, 0);
    ck_assert_str_eq(a.kind, "multi-label");
    int in_query[12] = {0}, per_label[3] = {0};
    for (int q = 0; q < a.n_query; q++) {
        ck_assert_int_eq(in_query[a.query[q]], 0); /* distinct */
        in_query[a.query[q]] = 1;
    }
    for (int i = 0; i < a.n_database; i++) {
        ck_assert_int_eq(in_query[a.database[i]], 0);
        ck_assert_int_eq(a.database[i], a.train[i]);
    }
    /* every label has at least 2 queries carrying it */
    for (int q = 0; q < a.n_query; q++)
        for (int k = 0; k < 3; k++) per_label[k] += (int)(bits[a.query[q]] >> k & 1);
    for (int k = 0; k < 3; k++) ck_assert_int_ge(per_label[k], 2);
    ck_assert_int_eq(dsml_split_multilabel(&b, bits, 12, 3, 2, 42), 0);
    ck_assert_str_eq(a.hash, b.hash); /* seeded */
    ck_assert_int_eq(dsml_split_multilabel(&c, bits, 12, 3, 2, 43), 0);
    int differs = strcmp(a.hash, c.hash) != 0;
    dsml_split_free(&a);
    dsml_split_free(&b);
    dsml_split_free(&c);
    ck_assert_msg(differs, "another seed should draw other queries");
    expect_error(dsml_split_multilabel(&a, bits, 12, 3, 4, 1), DSML_ERR_ARG, "fewer queries than images");
    uint64_t few[12];
    for (int i = 0; i < 12; i++) few[i] = i < 10 ? 1 : 2;
    expect_error(dsml_split_multilabel(&a, few, 12, 2, 3, 1), DSML_ERR_ARG, "label 1 has 2 images");
    few[3] = 0;
    expect_error(dsml_split_multilabel(&a, few, 12, 2, 1, 1), DSML_ERR_ARG, "image 3: label bits 0x0");
}
END_TEST

START_TEST(test_split_make_defaults)
{
    dsml_dataset ds;
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(&ds, "t", 8, 1, 1, 1, 4, &pixels, &labels), 0);
    for (int i = 0; i < 8; i++) labels[i] = i % 4;
    dsml_split_request req = {DSML_SPLIT_DEFAULT, 1, 1, 0, 5};
    dsml_split s;
    dsml_split_kind used;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(used, DSML_SPLIT_DML);
    dsml_split_free(&s);
    req.kind = DSML_SPLIT_PAPER;
    expect_error(dsml_split_make(&s, &ds, &req, NULL), DSML_ERR_ARG, "official train/test split");
    /* an official split makes paper the default */
    ds.split_names = calloc(2, sizeof *ds.split_names);
    ds.owned_split = calloc(8, 1);
    strcpy(ds.split_names[0], "test");
    strcpy(ds.split_names[1], "train");
    for (int i = 0; i < 8; i++) ds.owned_split[i] = i < 4;
    ds.split = ds.owned_split;
    ds.n_splits = 2;
    req.kind = DSML_SPLIT_DEFAULT;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(used, DSML_SPLIT_PAPER);
    ck_assert_int_eq(s.n_train, 4);
    ck_assert_int_eq(s.train[3], 3);
    dsml_split_free(&s);
    req.kind = DSML_SPLIT_ZERO_SHOT;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(s.n_train, 4); /* classes 0 and 1 */
    ck_assert_int_eq(s.train[1], 1);
    ck_assert_int_eq(s.train[2], 4);
    dsml_split_free(&s);
    /* label bits make the multi-label split the default */
    ds.owned_label_bits = calloc(8, sizeof(uint64_t));
    for (int i = 0; i < 8; i++) ds.owned_label_bits[i] = 1u << (i % 2);
    ds.label_bits = ds.owned_label_bits;
    ds.n_labels = 2;
    ds.n_splits = 0;
    req.kind = DSML_SPLIT_DEFAULT;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(used, DSML_SPLIT_HASHING);
    ck_assert_int_eq(s.n_query, 2);
    ck_assert_str_eq(s.kind, "multi-label");
    dsml_split_free(&s);
    dsml_dataset_free(&ds);
    dsml_split_kind k;
    ck_assert_int_eq(dsml_split_kind_parse("zero-shot", &k), 0);
    ck_assert_int_eq(k, DSML_SPLIT_ZERO_SHOT);
    ck_assert_str_eq(dsml_split_kind_name(DSML_SPLIT_PAPER), "paper");
    expect_error(dsml_split_kind_parse("random", &k), DSML_ERR_ARG, "split 'random'");
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"dml", 30, (const TTest *[]){test_split_dml_protocol, NULL}},
        {"hashing", 30, (const TTest *[]){test_split_hashing_protocol, test_split_errors, NULL}},
        {"official", 30, (const TTest *[]){test_split_paper_and_zero_shot, NULL}},
        {"multilabel", 30, (const TTest *[]){test_split_multilabel, NULL}},
        {"default", 30, (const TTest *[]){test_split_make_defaults, NULL}},
    };
    return suite_run_cases("split", cases, SUITE_CASES(cases));
}
