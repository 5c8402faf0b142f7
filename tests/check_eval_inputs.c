/* Tests of `dsml eval`'s library side (src/eval/eval_inputs.c, eval_run.c):
 * the SNR ranking (rows centred, then Euclidean order) against a brute-force
 * ranking by the paper's d_S(q, x) = var(x - q) / var(q) with ties broken by
 * database index, with and without a database; reading .npy, .npz members and
 * embeddings.bin; and every refusal naming its file. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "data/npy.h"
#include "eval/eval_inputs.h"
#include "eval/eval_run.h"
#include "results/embeddings.h"
#include "support/archive_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

#define D 4 /* small integers in 4 columns: row means are multiples of 1/4, every value exact, ties frequent */

/* Population variance of x - q over D columns, in double (exact here). */
static double var_diff(const float *x, const float *q)
{
    double mean = 0, sq = 0;
    for (int k = 0; k < D; k++) mean += (double)x[k] - q[k];
    mean /= D;
    for (int k = 0; k < D; k++) sq += ((double)x[k] - q[k] - mean) * ((double)x[k] - q[k] - mean);
    return sq / D;
}

/* Recall@1, 2, 4, 8 and MAP of the brute-force SNR ranking: for each query,
 * the database sorted by (d_S, index), the query's own row (self[q] >= 0)
 * left out. Queries without a relevant item are left out, as the evaluator does. */
static void brute_force_snr(const float *q, const int *ql, int nq, const float *db, const int *dl, int ndb,
                            const int *self, double recall[4], double *map)
{
    double *dist = malloc(sizeof *dist * (size_t)ndb);
    int *order = malloc(sizeof *order * (size_t)ndb);
    int scored = 0;
    memset(recall, 0, 4 * sizeof *recall);
    *map = 0;
    for (int i = 0; i < nq; i++) {
        double vq = 0, mq = 0;
        for (int k = 0; k < D; k++) mq += q[i * D + k];
        mq /= D;
        for (int k = 0; k < D; k++) vq += (q[i * D + k] - mq) * (q[i * D + k] - mq);
        vq /= D;
        ck_assert(vq > 0);
        int n = 0;
        for (int j = 0; j < ndb; j++) {
            if (self && self[i] == j) continue;
            dist[j] = var_diff(db + j * D, q + i * D) / vq;
            /* insertion by (distance, index): j is larger than every index placed so far */
            int at = n++;
            while (at > 0 && dist[order[at - 1]] > dist[j]) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = j;
        }
        int relevant = 0, hits = 0, first = -1;
        double ap = 0;
        for (int r = 0; r < n; r++)
            if (dl[order[r]] == ql[i]) {
                relevant++;
                if (first < 0) first = r;
            }
        if (!relevant) continue;
        for (int r = 0; r < n; r++)
            if (dl[order[r]] == ql[i]) ap += (double)++hits / (r + 1);
        *map += ap / relevant;
        for (int c = 0; c < 4; c++) recall[c] += first < (1 << c);
        scored++;
    }
    for (int c = 0; c < 4; c++) recall[c] /= scored;
    *map /= scored;
    free(dist);
    free(order);
}

/* Random small-integer rows; every third database row repeats an earlier one (exact ties). */
static void fill(float *x, int n, dsml_rng *rng, int repeat)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < D; k++) {
            x[i * D + k] = (float)((int)(dsml_rng_next(rng) % 7) - 3);
            if (repeat && i >= 3 && i % 3 == 0) x[i * D + k] = x[(i / 3) * D + k];
        }
    for (int i = 0; i < n; i++) x[i * D] += 10.0f * (x[i * D + 1] == x[i * D]); /* no constant row */
}

static float *copy_floats(const float *x, size_t n)
{
    float *c = malloc(sizeof *c * n);
    memcpy(c, x, sizeof *c * n);
    return c;
}

static int *copy_ints(const int *x, size_t n)
{
    int *c = malloc(sizeof *c * n);
    memcpy(c, x, sizeof *c * n);
    return c;
}

static void check_snr(const dsml_eval_report *r, const double recall[4], double map)
{
    for (int c = 0; c < 4; c++) ck_assert_double_eq_tol(r->snr.recall[c], recall[c], 1e-12);
    ck_assert_double_eq_tol(r->snr.map, map, 1e-12);
}

START_TEST(test_snr_brute_force)
{
    enum { NQ = 40, NDB = 150 };
    dsml_rng rng;
    dsml_rng_seed_stream(&rng, 7, 1);
    float q[NQ * D], db[NDB * D];
    int ql[NQ], dl[NDB];
    fill(q, NQ, &rng, 0);
    fill(db, NDB, &rng, 1);
    for (int i = 0; i < NQ; i++) ql[i] = (int)(dsml_rng_next(&rng) % 3);
    for (int i = 0; i < NDB; i++) dl[i] = (int)(dsml_rng_next(&rng) % 3);
    double recall[4], map;
    dsml_eval_options opt = {.rankings = DSML_EVAL_SNR | DSML_EVAL_COSINE, .f1_at = 5000};
    dsml_eval_report r;

    /* with a database */
    brute_force_snr(q, ql, NQ, db, dl, NDB, NULL, recall, &map);
    dsml_eval_inputs in = {.has_database = 1};
    in.query = (dsml_eval_side){.n = NQ, .d = D, .x = copy_floats(q, NQ * D), .classes = copy_ints(ql, NQ)};
    in.database = (dsml_eval_side){.n = NDB, .d = D, .x = copy_floats(db, NDB * D), .classes = copy_ints(dl, NDB)};
    ck_assert_int_eq(dsml_eval_inputs_finish(&in), DSML_OK);
    ck_assert_int_eq(dsml_eval_run(&in, &opt, &r), DSML_OK);
    check_snr(&r, recall, map);
    ck_assert_int_eq(r.n_database, NDB);
    /* snr worked on a copy (cosine followed), cosine in place: the rows are now unit rows */
    double norm = 0;
    for (int k = 0; k < D; k++) norm += (double)in.query.x[k] * in.query.x[k];
    ck_assert_double_eq_tol(norm, 1.0, 1e-6);
    dsml_eval_inputs_free(&in);

    /* without a database: the queries rank each other, each left out of its own ranking */
    int self[NQ];
    for (int i = 0; i < NQ; i++) self[i] = i;
    brute_force_snr(q, ql, NQ, q, ql, NQ, self, recall, &map);
    dsml_eval_inputs alone = {0};
    alone.query = (dsml_eval_side){.n = NQ, .d = D, .x = copy_floats(q, NQ * D), .classes = copy_ints(ql, NQ)};
    ck_assert_int_eq(dsml_eval_inputs_finish(&alone), DSML_OK);
    opt.rankings = DSML_EVAL_SNR;
    ck_assert_int_eq(dsml_eval_run(&alone, &opt, &r), DSML_OK);
    check_snr(&r, recall, map);
    ck_assert_int_eq(r.n_database, NQ);
    /* snr alone centres in place */
    double sum = 0;
    for (int k = 0; k < D; k++) sum += alone.query.x[k];
    ck_assert_double_eq_tol(sum, 0.0, 1e-6);
    dsml_eval_inputs_free(&alone);
}
END_TEST

START_TEST(test_rankings_parse)
{
    unsigned set;
    ck_assert_int_eq(dsml_eval_rankings_parse("euclidean,snr,cosine,hamming", &set), DSML_OK);
    ck_assert_uint_eq(set, DSML_EVAL_EUCLIDEAN | DSML_EVAL_SNR | DSML_EVAL_COSINE | DSML_EVAL_HAMMING);
    ck_assert_int_eq(dsml_eval_rankings_parse("snr", &set), DSML_OK);
    ck_assert_uint_eq(set, DSML_EVAL_SNR);
    expect_error(dsml_eval_rankings_parse("euclidean,l1", &set), DSML_ERR_ARG, "ranking 'l1' in 'euclidean,l1'");
    expect_error(dsml_eval_rankings_parse("snr,", &set), DSML_ERR_ARG, "ranking '' in 'snr,'");
    float x[4] = {1, 2, 3, 6};
    dsml_eval_center_rows(x, 2, 2);
    ck_assert_float_eq(x[0], -0.5f);
    ck_assert_float_eq(x[1], 0.5f);
    ck_assert_float_eq(x[2], -1.5f);
    ck_assert_float_eq(x[3], 1.5f);
}
END_TEST

/* A version 1.0 .npy with the header given, then data. */
static void write_raw(const char *path, const char *descr, const char *shape, const void *data, size_t size)
{
    char header[128];
    int len = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }\n", descr,
                       shape);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)len, 0};
    bytes b = {0};
    bytes_add(&b, pre, 10);
    bytes_add(&b, header, (size_t)len);
    bytes_add(&b, data, size);
    file_write(path, b.data, b.size);
    free(b.data);
}

START_TEST(test_read_npy_and_labels)
{
    ck_assert_ptr_nonnull(testdir_make("eval-read"));
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const int32_t cls[3] = {0, 2, 1};
    char path[3][512];
    snprintf(path[0], sizeof path[0], "%s", testdir_path("x.npy"));
    snprintf(path[1], sizeof path[1], "%s", testdir_path("l.npy"));
    snprintf(path[2], sizeof path[2], "%s", testdir_path("m.npy"));
    ck_assert_int_eq(dsml_npy_write_f32(path[0], x, 2, (const int64_t[]){3, 2}), DSML_OK);
    ck_assert_int_eq(dsml_npy_write_i32(path[1], cls, 1, (const int64_t[]){3}), DSML_OK);
    /* a bool multi-label matrix 3 x 70: bits spread over two words */
    unsigned char bits[3 * 70] = {0};
    bits[0] = bits[69] = 1;      /* row 0: labels 0 and 69 */
    bits[70 + 64] = 1;           /* row 1: label 64 */
    write_raw(path[2], "|b1", "(3, 70)", bits, sizeof bits);

    dsml_eval_inputs in = {0};
    ck_assert_int_eq(dsml_eval_read_embeddings(path[0], "query", &in.query), DSML_OK);
    ck_assert_int_eq(in.query.n, 3);
    ck_assert_int_eq(in.query.d, 2);
    ck_assert_int_eq(dsml_eval_read_labels(path[1], "query_labels", &in.query), DSML_OK);
    ck_assert_int_eq(in.query.classes[1], 2);
    dsml_eval_inputs_free(&in);

    ck_assert_int_eq(dsml_eval_read_embeddings(path[0], "query", &in.query), DSML_OK);
    ck_assert_int_eq(dsml_eval_read_labels(path[2], "query_labels", &in.query), DSML_OK);
    ck_assert_ptr_null(in.query.classes);
    ck_assert_int_eq(in.query.words, 2);
    ck_assert_int_eq(in.query.width, 70);
    ck_assert_uint_eq(in.query.sets[0], 1);
    ck_assert_uint_eq(in.query.sets[1], (uint64_t)1 << 5);
    ck_assert_uint_eq(in.query.sets[2], 0);
    ck_assert_uint_eq(in.query.sets[3], 1);
    ck_assert_uint_eq(in.query.sets[4] | in.query.sets[5], 0);
    ck_assert_int_eq(dsml_eval_inputs_finish(&in), DSML_OK);
    ck_assert_ptr_eq(in.database.sets, in.query.sets);
    ck_assert_int_eq(in.query_db_index[2], 2);
    dsml_eval_inputs_free(&in);
    testdir_done(1);
}
END_TEST

/* One refusal: the embeddings `emb` (or NULL) then the labels `lab` fail with `fragment`. */
static void expect_refused(const char *emb, const char *lab, int code, const char *fragment)
{
    dsml_eval_inputs in = {0};
    int rc = dsml_eval_read_embeddings(emb, "query", &in.query);
    if (!rc && lab) rc = dsml_eval_read_labels(lab, "query_labels", &in.query);
    expect_error(rc, code, fragment);
    dsml_eval_inputs_free(&in);
}

START_TEST(test_refusals)
{
    ck_assert_ptr_nonnull(testdir_make("eval-refuse"));
    char p[8][512];
    const char *names[8] = {"x.npy", "v.npy", "nan.npy", "neg.npy", "few.npy", "i.npy", "fl.npy", "two.npy"};
    for (int i = 0; i < 8; i++) snprintf(p[i], sizeof p[i], "%s", testdir_path(names[i]));
    const float x[6] = {1, 2, 3, 4, 5, 6}, nan6[6] = {1, 2, 3, 4, NAN, 6};
    const int32_t neg[3] = {0, -1, 2}, few[2] = {0, 1}, ints[6] = {0};
    const unsigned char two[6] = {0, 1, 2, 0, 1, 0};
    dsml_npy_write_f32(p[0], x, 2, (const int64_t[]){3, 2});
    dsml_npy_write_f32(p[1], x, 1, (const int64_t[]){6});
    dsml_npy_write_f32(p[2], nan6, 2, (const int64_t[]){3, 2});
    dsml_npy_write_i32(p[3], neg, 1, (const int64_t[]){3});
    dsml_npy_write_i32(p[4], few, 1, (const int64_t[]){2});
    dsml_npy_write_i32(p[5], ints, 2, (const int64_t[]){3, 2});
    dsml_npy_write_f32(p[6], x, 1, (const int64_t[]){3});
    write_raw(p[7], "|u1", "(3, 2)", two, sizeof two);
    expect_refused(p[1], NULL, DSML_ERR_FORMAT, "v.npy: a float array of 1 dimension (6 x 1), expected float "
                   "embeddings N x d");
    expect_refused(p[5], NULL, DSML_ERR_FORMAT, "i.npy: an integer array of 2 dimensions (3 x 2), expected float");
    expect_refused(p[2], NULL, DSML_ERR_NUMERIC, "nan.npy: row 2, column 0 is nan, expected a finite number");
    expect_refused(p[0], p[3], DSML_ERR_FORMAT, "neg.npy: row 1 has label -1, expected a class >= 0");
    expect_refused(p[0], p[4], DSML_ERR_FORMAT, "few.npy: 2 rows of labels, expected 3 (the rows of");
    expect_refused(p[0], p[6], DSML_ERR_FORMAT, "fl.npy: a float array of 1 dimensions, expected integer labels");
    expect_refused(p[0], p[7], DSML_ERR_FORMAT, "two.npy: row 1, column 0 is 2, expected 0 or 1");
    expect_refused(testdir_path("none.npy"), NULL, DSML_ERR_IO, "none.npy: cannot open");

    /* query and database that disagree */
    dsml_eval_inputs in = {.has_database = 1};
    ck_assert_int_eq(dsml_eval_read_embeddings(p[0], "query", &in.query), DSML_OK);
    ck_assert_int_eq(dsml_eval_read_labels(p[5], "query_labels", &in.query), DSML_OK); /* 3 x 2 zeros: sets */
    ck_assert_int_eq(dsml_eval_read_embeddings(p[0], "database", &in.database), DSML_OK);
    ck_assert_int_eq(dsml_eval_read_labels(p[7], "database_labels", &in.database), DSML_ERR_FORMAT);
    write_raw(p[7], "|u1", "(3, 3)", (const unsigned char[9]){1, 0, 0, 0, 1, 0, 0, 0, 1}, 9);
    ck_assert_int_eq(dsml_eval_read_labels(p[7], "database_labels", &in.database), DSML_OK);
    expect_error(dsml_eval_inputs_finish(&in), DSML_ERR_FORMAT, "two.npy: 3 label columns, but /");
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "i.npy has 2"));
    dsml_eval_inputs_free(&in);
    in = (dsml_eval_inputs){.has_database = 1};
    ck_assert_int_eq(dsml_eval_read_embeddings(p[0], "query", &in.query), DSML_OK);
    ck_assert_int_eq(dsml_eval_read_embeddings(p[5 - 4], "database", &in.database), DSML_ERR_FORMAT); /* 1-D */
    dsml_npy_write_f32(p[1], x, 2, (const int64_t[]){2, 3});
    ck_assert_int_eq(dsml_eval_read_embeddings(p[1], "database", &in.database), DSML_OK);
    expect_error(dsml_eval_inputs_finish(&in), DSML_ERR_FORMAT, "v.npy: embeddings of size 3, but the queries (");
    dsml_eval_inputs_free(&in);
    testdir_done(1);
}
END_TEST

START_TEST(test_npz_members)
{
    ck_assert_ptr_nonnull(testdir_make("eval-npz"));
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const int32_t cls[3] = {4, 0, 4};
    dsml_npy_write_f32(testdir_path("q.npy"), x, 2, (const int64_t[]){3, 2});
    dsml_npy_write_i32(testdir_path("l.npy"), cls, 1, (const int64_t[]){3});
    bytes q = file_read(testdir_path("q.npy")), l = file_read(testdir_path("l.npy"));
    archive_member m[3] = {{"query.npy", q.data, q.size, NULL}, {"query_labels.npy", l.data, l.size, NULL},
                           {"other.npy", q.data, q.size, NULL}};
    char zip[512], spec[600];
    snprintf(zip, sizeof zip, "%s", testdir_path("e.npz"));
    archive_write_members(zip, m, 3, TEST_ARCHIVE_ZIP);
    dsml_eval_inputs in = {0};
    ck_assert_int_eq(dsml_eval_read_embeddings(zip, "query", &in.query), DSML_OK);
    ck_assert_int_eq(dsml_eval_read_labels(zip, "query_labels", &in.query), DSML_OK);
    ck_assert_int_eq(in.query.classes[0], 4);
    ck_assert_float_eq(in.query.x[5], 6.0f);
    dsml_eval_inputs_free(&in);
    snprintf(spec, sizeof spec, "%s:other", zip);
    ck_assert_int_eq(dsml_eval_read_embeddings(spec, "query", &in.query), DSML_OK);
    ck_assert_str_eq(in.query.source + strlen(in.query.source) - 15, "e.npz:other.npy");
    dsml_eval_inputs_free(&in);
    snprintf(spec, sizeof spec, "%s:database", zip);
    expect_error(dsml_eval_read_embeddings(spec, "query", &in.query), DSML_ERR_FORMAT,
                 "e.npz: no member 'database.npy' (the archive holds: query.npy, query_labels.npy, other.npy)");
    snprintf(spec, sizeof spec, "%s:query_labels.npy", zip);
    expect_error(dsml_eval_read_embeddings(spec, "query", &in.query), DSML_ERR_FORMAT,
                 "e.npz:query_labels.npy: an integer array of 1 dimension");
    dsml_eval_inputs_free(&in);
    free(q.data);
    free(l.data);
    testdir_done(1);
}
END_TEST

/* embeddings.bin: a query is left out where its image is in the database. */
START_TEST(test_run_embeddings)
{
    ck_assert_ptr_nonnull(testdir_make("eval-bin"));
    const float q[4] = {1, 0, 0, 1}, db[6] = {1, 0, 0, 1, 1, 1};
    const int ql[2] = {0, 1}, qi[2] = {17, 5}, dl[3] = {1, 0, 1}, di[3] = {5, 17, 9};
    const char *path = testdir_path("embeddings.bin");
    ck_assert_int_eq(dsml_embeddings_write(path, 2, q, ql, qi, 2, db, dl, di, 3), DSML_OK);
    dsml_eval_inputs in = {0};
    ck_assert_int_eq(dsml_eval_read_run_embeddings(path, &in), DSML_OK);
    ck_assert_int_eq(dsml_eval_inputs_finish(&in), DSML_OK);
    ck_assert_int_eq(in.query_db_index[0], 1);
    ck_assert_int_eq(in.query_db_index[1], 0);
    ck_assert_int_eq(in.database.classes[2], 1);
    dsml_eval_inputs_free(&in);
    const int other[3] = {6, 7, 8};
    ck_assert_int_eq(dsml_embeddings_write(path, 2, q, ql, qi, 2, db, dl, other, 3), DSML_OK);
    ck_assert_int_eq(dsml_eval_read_run_embeddings(path, &in), DSML_OK);
    ck_assert_int_eq(in.query_db_index[0], -1);
    ck_assert_int_eq(in.query_db_index[1], -1);
    dsml_eval_inputs_free(&in);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"snr", 30, (const TTest *[]){test_snr_brute_force, test_rankings_parse, NULL}},
        {"inputs", 30, (const TTest *[]){test_read_npy_and_labels, test_refusals, test_npz_members,
                                         test_run_embeddings, NULL}},
    };
    return suite_run_cases("eval_inputs", cases, SUITE_CASES(cases));
}
