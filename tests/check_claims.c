/* Tests of the decisive verdicts of claims.md (src/report/stats.h, claims.h,
 * runs.h's arm views, provenance.h): Student's t CDF and quantile against
 * values scipy computed, TOST inside / straddling the margin, Holm on the
 * textbook example, the raw and corrected verdicts of a family, the
 * grouping by equations arm (a common triplet run counted in the paper arm),
 * provenance verdicts for an official / copied / unverifiable source, and
 * `dsml tables` end to end with both arms, --equivalence-margin and
 * --manifests. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/manifest.h"
#include "report/claims.h"
#include "report/provenance.h"
#include "report/runs.h"
#include "report/stats.h"
#include "results/account.h"
#include "support/run_cmd.h"
#include "support/run_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* ---- Student's t ---------------------------------------------------------------- */

START_TEST(test_t_cdf_against_scipy)
{
    /* scipy.stats.t.cdf(t, dof), computed once with scipy 1.x */
    static const struct { double t; int dof; double cdf; } cdf[] = {
        {1.0, 1, 0.7500000000000002},   {2.0, 2, 0.908248290463863},    {-1.5, 3, 0.11529193262241141},
        {2.5, 10, 0.9842765778816956},  {0.3, 30, 0.6168769473578236},  {4.0, 2, 0.9714045207910317},
        {-3.0, 5, 0.015049623948731284}, {1.96, 100, 0.9736105493168852},
    };
    for (size_t i = 0; i < sizeof cdf / sizeof cdf[0]; i++)
        ck_assert_msg(fabs(dsml_stats_t_cdf(cdf[i].t, cdf[i].dof) - cdf[i].cdf) < 1e-12, "cdf(%g, %d) = %.17g, "
                      "expected %.17g", cdf[i].t, cdf[i].dof, dsml_stats_t_cdf(cdf[i].t, cdf[i].dof), cdf[i].cdf);
    ck_assert_double_eq(dsml_stats_t_cdf(0.0, 7), 0.5);
    ck_assert(isnan(dsml_stats_t_cdf(1.0, 0)));
    /* scipy.stats.t.ppf(p, dof) */
    static const struct { double p; int dof; double q; } ppf[] = {
        {0.95, 2, 2.919985580355516},  {0.95, 1, 6.313751514800932},   {0.975, 2, 4.302652729911275},
        {0.95, 10, 1.8124611228107335}, {0.975, 31, 2.0395134463964077}, {0.975, 1000, 1.9623390808264074},
    };
    for (size_t i = 0; i < sizeof ppf / sizeof ppf[0]; i++) {
        ck_assert_double_eq_tol(dsml_stats_t_quantile(ppf[i].p, ppf[i].dof), ppf[i].q, 1e-9);
        ck_assert_double_eq_tol(dsml_stats_t_quantile(1 - ppf[i].p, ppf[i].dof), -ppf[i].q, 1e-9);
        /* the two are inverses (scipy's ppf itself is good to about 1e-10 in t) */
        double q = dsml_stats_t_quantile(ppf[i].p, ppf[i].dof);
        ck_assert_double_eq_tol(dsml_stats_t_cdf(q, ppf[i].dof), ppf[i].p, 1e-14);
    }
    /* closed forms: dof 1 (Cauchy) 1/2 + atan(t) / pi; dof 2: 1/2 + t / (2 sqrt(2 + t^2)) */
    for (double t = -20; t <= 20; t += 0.37) {
        ck_assert_double_eq_tol(dsml_stats_t_cdf(t, 1), 0.5 + atan(t) / M_PI, 1e-14);
        ck_assert_double_eq_tol(dsml_stats_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-14);
    }
    ck_assert(isnan(dsml_stats_t_quantile(1.0, 3)));
    /* scipy.special.betainc(a, b, x) */
    ck_assert_double_eq_tol(dsml_stats_betainc(2.5, 0.5, 0.3), 0.01892712407194565, 1e-14);
    ck_assert_double_eq_tol(dsml_stats_betainc(1.0, 3.0, 0.4), 0.784, 1e-14);
    ck_assert_double_eq_tol(dsml_stats_betainc(5, 5, 0.7), 0.90119134, 1e-12);
    ck_assert(isnan(dsml_stats_betainc(1, 1, 1.5)));
}
END_TEST

/* ---- equivalence (TOST) and the p of the difference ------------------------------ */

/* A paired difference of three seeds with differences d1, d2, d3. */
static dsml_diff paired3(double d1, double d2, double d3)
{
    int seeds[3] = {1, 2, 3};
    double v[3] = {d1, d2, d3};
    dsml_sample snr = {.n = 3}, euc = {.n = 3};
    for (int i = 0; i < 3; i++) {
        snr.seeds[i] = euc.seeds[i] = seeds[i];
        snr.values[i] = v[i];
        euc.values[i] = 0;
    }
    dsml_diff d;
    ck_assert_int_eq(dsml_stats_diff(&snr, &euc, &d), DSML_OK);
    return d;
}

START_TEST(test_tost_inside_and_straddling)
{
    /* differences 0.1, 0.2, 0.3: mean 0.2, se 0.1 / sqrt 3 = 0.0577, dof 2; 90% interval
     * 0.2 +- 2.92 * 0.0577 = [0.031, 0.369]; 95% interval [-0.048, 0.448] includes 0 */
    dsml_diff d = paired3(0.1, 0.2, 0.3);
    ck_assert_double_eq_tol(d.se, 0.05773502691896258, 1e-12);
    ck_assert_int_eq(dsml_stats_equivalent(&d, 1.0), 1); /* inside (-1, 1) */
    ck_assert_int_eq(dsml_stats_equivalent(&d, 0.4), 1); /* inside (-0.4, 0.4) */
    ck_assert_int_eq(dsml_stats_equivalent(&d, 0.3), 0); /* straddles +0.3 */
    ck_assert_int_eq(dsml_stats_equivalent(&d, 0.0368), 0); /* -delta inside the interval on the left too */
    /* scipy: max(t.sf((0.2 + m) / se, 2), t.cdf((0.2 - m) / se, 2)) */
    ck_assert_double_eq_tol(dsml_stats_p_tost(&d, 1.0), 0.0025839966261930435, 1e-12);
    ck_assert_double_eq_tol(dsml_stats_p_tost(&d, 0.3), 0.11270166537925834, 1e-12);
    ck_assert_double_eq_tol(dsml_stats_p_diff(&d), 0.07417990022744853, 1e-12); /* 2 t.sf(0.2 / se, 2) */
    /* p < 0.05 exactly when the 90% interval is inside: on both sides of the boundary 0.2 + 0.16859 */
    ck_assert_double_lt(dsml_stats_p_tost(&d, 0.3686), 0.05);
    ck_assert_double_gt(dsml_stats_p_tost(&d, 0.3685), 0.05);
    ck_assert_int_eq(dsml_stats_equivalent(&d, 0.3686), 1);
    ck_assert_int_eq(dsml_stats_equivalent(&d, 0.3685), 0);
    /* the verdict: 95% includes 0, so equivalence decides */
    ck_assert_int_eq(dsml_verdict_decide(1.0, &d, 1.0), DSML_VERDICT_EQUIVALENT);
    ck_assert_int_eq(dsml_verdict_decide(1.0, &d, 0.3), DSML_VERDICT_INCONCLUSIVE);
    /* no interval (one seed): no p at all */
    dsml_diff one = {.has_ci = 0, .mean = 0.1};
    ck_assert(isnan(dsml_stats_p_tost(&one, 1.0)));
    ck_assert(isnan(dsml_stats_p_diff(&one)));
    ck_assert_int_eq(dsml_stats_equivalent(&one, 1e9), 0);
    /* identical differences (se = 0): the interval is the point */
    dsml_diff flat = paired3(0.5, 0.5, 0.5);
    ck_assert_double_eq(dsml_stats_p_diff(&flat), 0.0);
    ck_assert_double_eq(dsml_stats_p_tost(&flat, 1.0), 0.0);
    ck_assert_double_eq(dsml_stats_p_tost(&flat, 0.5), 1.0);
}
END_TEST

/* ---- Holm ------------------------------------------------------------------------- */

START_TEST(test_holm_textbook)
{
    /* Holm (1979) as Wikipedia's example gives it: p = 0.01, 0.04, 0.03, 0.005 at alpha 0.05.
     * Sorted: 0.005 < 0.05/4 rejects, 0.01 < 0.05/3 rejects, 0.03 >= 0.05/2 stops: H1 and H4
     * rejected, H2 and H3 not (though each is below 0.05 alone). */
    double p[4] = {0.01, 0.04, 0.03, 0.005};
    int reject[4];
    dsml_stats_holm(p, 4, 0.05, reject);
    ck_assert_int_eq(reject[0], 1);
    ck_assert_int_eq(reject[1], 0);
    ck_assert_int_eq(reject[2], 0);
    ck_assert_int_eq(reject[3], 1);
    /* all below their thresholds: all rejected (0.04 < 0.05 / 1 at the last step) */
    double q[4] = {0.001, 0.04, 0.012, 0.02};
    dsml_stats_holm(q, 4, 0.05, reject);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(reject[i], 1);
    /* no test (NaN) is not in the family: m = 2, so 0.02 < 0.025 and 0.024 < 0.05 (with m = 3 neither) */
    double r[3] = {NAN, 0.02, 0.024};
    dsml_stats_holm(r, 3, 0.05, reject);
    ck_assert_int_eq(reject[0], 0);
    ck_assert_int_eq(reject[1], 1);
    ck_assert_int_eq(reject[2], 1);
    /* ties: both compared in turn, both rejected here */
    double t[2] = {0.02, 0.02};
    dsml_stats_holm(t, 2, 0.05, reject);
    ck_assert_int_eq(reject[0] + reject[1], 2);
}
END_TEST

/* A claim with the given p's (the interval's mean gives the direction). */
static dsml_claim claim_with(double paper_diff, double mean, double p_diff, double p_tost, dsml_verdict raw)
{
    dsml_claim c;
    memset(&c, 0, sizeof c);
    c.paper_diff = paper_diff;
    c.run = 1;
    c.d.has_ci = 1;
    c.d.mean = mean;
    c.p_diff = p_diff;
    c.p_tost = p_tost;
    c.raw = c.holm = raw;
    return c;
}

START_TEST(test_claims_holm_family)
{
    dsml_claim c[6];
    c[0] = claim_with(1.0, 3.0, 0.001, 0.99, DSML_VERDICT_REPRODUCED);   /* survives: 0.001 < 0.05 / 5 */
    c[1] = claim_with(1.0, 2.0, 0.03, 0.9, DSML_VERDICT_REPRODUCED);     /* raw only: 0.03 >= 0.05 / 3 */
    c[2] = claim_with(1.0, -2.0, 0.004, 0.99, DSML_VERDICT_CONTRADICTED); /* survives: 0.004 < 0.05 / 4 */
    c[3] = claim_with(1.0, 0.1, 0.6, 0.002, DSML_VERDICT_EQUIVALENT);    /* survives: 0.002 < 0.05 / 5 */
    c[4] = claim_with(1.0, 0.2, 0.5, 0.04, DSML_VERDICT_EQUIVALENT);     /* raw only: 0.04 >= 0.05 / 4 */
    memset(&c[5], 0, sizeof c[5]);                                        /* not run: outside the family */
    c[5].paper_diff = 1.0;
    dsml_claim_test(&c[5], 1.0);
    ck_assert_int_eq(c[5].raw, DSML_VERDICT_NOT_RUN);
    ck_assert(isnan(c[5].p_diff));
    dsml_claims_holm(c, 6, 0.05);
    ck_assert_int_eq(c[0].holm, DSML_VERDICT_REPRODUCED);
    ck_assert_int_eq(c[1].holm, DSML_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(c[2].holm, DSML_VERDICT_CONTRADICTED);
    ck_assert_int_eq(c[3].holm, DSML_VERDICT_EQUIVALENT);
    ck_assert_int_eq(c[4].holm, DSML_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(c[5].holm, DSML_VERDICT_NOT_RUN);
    /* a family of one: Holm is the raw test */
    dsml_claim one = claim_with(-1.0, 2.0, 0.049, 0.9, DSML_VERDICT_CONTRADICTED);
    dsml_claims_holm(&one, 1, 0.05);
    ck_assert_int_eq(one.holm, DSML_VERDICT_CONTRADICTED);
}
END_TEST

/* ---- arms --------------------------------------------------------------------------- */

static void set_run(dsml_table_run *r, const char *loss, const char *distance, int dim, int seed, dsml_arm arm)
{
    memset(r, 0, sizeof *r);
    r->m.dataset = "cifar10";
    r->m.loss = loss;
    r->m.distance = distance;
    r->m.dim = dim;
    r->m.seed = seed;
    r->arm = arm;
    r->hash_method = "";
    r->source_sha256 = "";
}

START_TEST(test_arm_views)
{
    dsml_table_run runs[6];
    set_run(&runs[0], "triplet", "snr", 32, 1, DSML_ARM_COMMON);
    set_run(&runs[1], "triplet", "euclidean", 32, 1, DSML_ARM_COMMON);
    set_run(&runs[2], "contrastive", "snr", 32, 1, DSML_ARM_COMMON);
    set_run(&runs[3], "contrastive", "snr", 32, 1, DSML_ARM_PAPER);
    set_run(&runs[4], "triplet", "snr", 64, 1, DSML_ARM_COMMON);
    set_run(&runs[5], "triplet", "snr", 64, 2, DSML_ARM_PAPER); /* the paper arm's own triplet at 64 */
    dsml_run_set set;
    memset(&set, 0, sizeof set);
    set.runs = runs;
    set.count = 6;
    dsml_run_set common, paper;
    ck_assert_int_eq(dsml_runs_arm_view(&set, DSML_ARM_COMMON, &common), DSML_OK);
    ck_assert_int_eq(dsml_runs_arm_view(&set, DSML_ARM_PAPER, &paper), DSML_OK);
    /* common: its own four runs, never a paper-arm one */
    ck_assert_int_eq(common.count, 4);
    for (int i = 0; i < common.count; i++) {
        ck_assert_int_eq(common.runs[i].arm, DSML_ARM_COMMON);
        ck_assert_int_eq(common.runs[i].borrowed, 0);
    }
    /* paper: contrastive (own), the two d32 triplet runs (borrowed: no paper triplet at 32), the own
     * triplet at 64, and not the common triplet at 64 */
    ck_assert_int_eq(paper.count, 4);
    ck_assert_int_eq(paper.runs[0].borrowed, 1);
    ck_assert_str_eq(paper.runs[0].m.loss, "triplet");
    ck_assert_int_eq(paper.runs[1].borrowed, 1);
    ck_assert_int_eq(paper.runs[2].borrowed, 0);
    ck_assert_str_eq(paper.runs[2].m.loss, "contrastive");
    ck_assert_int_eq(paper.runs[3].m.seed, 2);
    ck_assert_int_eq(dsml_runs_count_own(&paper, "cifar10", 0), 2);
    ck_assert_int_eq(dsml_runs_count(&paper, "cifar10", 0), 4);
    ck_assert(dsml_runs_arm_neutral("triplet"));
    ck_assert(!dsml_runs_arm_neutral("contrastive"));
    dsml_runs_view_free(&common);
    dsml_runs_view_free(&paper);
}
END_TEST

/* ---- provenance --------------------------------------------------------------------- */

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
/* sha256 of HEX_A "  a.gz\n" HEX_B "  b.gz\n" (python hashlib) */
#define HEX_AB_LISTING "db01a238b1e8b5e777ce56e7ff99477d5123ecff6de28d053df20f5475c940a1"

START_TEST(test_provenance_verdicts)
{
    dsml_manifest m;
    char v[2048];
    ck_assert_int_eq(dsml_manifest_parse(&m, "name o\nfile a.tgz size 10 sha256 " HEX_A " md5 unknown\nurl "
                                         "http://h/a\ncopy sha256 " HEX_B " a rebuilt copy; pixels differ\n", "o"),
                     DSML_OK);
    dsml_provenance_verdict(&m, HEX_A, v, sizeof v);
    ck_assert_str_eq(v, "official archive (SHA-256 matches the manifest)");
    dsml_provenance_verdict(&m, HEX_B, v, sizeof v);
    ck_assert_str_eq(v, "not the official archive: a rebuilt copy; pixels differ");
    dsml_provenance_verdict(&m, HEX_C, v, sizeof v);
    ck_assert_str_eq(v, "neither the official archive nor a known copy (the manifest's SHA-256 is " HEX_A ")");
    dsml_provenance_verdict(&m, "", v, sizeof v);
    ck_assert_str_eq(v, "no source SHA-256 recorded (data.source_sha256); not verified");
    dsml_provenance_verdict(NULL, HEX_A, v, sizeof v);
    ck_assert_str_eq(v, "no manifest for this dataset; not verified");
    /* the authors publish MD5 and size only */
    ck_assert_int_eq(dsml_manifest_parse(&m, "name u\nfile a.tgz size 170052171 sha256 unknown md5 "
                                         "c32a1d4ab5d03f1284b67883e8d87530\nurl http://h/a\n", "u"), DSML_OK);
    dsml_provenance_verdict(&m, HEX_C, v, sizeof v);
    ck_assert_str_eq(v, "official SHA-256 not published; not verified (manifest: MD5 c32a1d4ab5d03f1284b67883e8d87530, "
                        "170052171 bytes)");
    /* several files: through the sha256sum listing the readers hash */
    ck_assert_int_eq(dsml_manifest_parse(&m, "name f\nfile a.gz size 1 sha256 " HEX_A " md5 unknown\nurl http://h/a\n"
                                         "file b.gz size 2 sha256 " HEX_B " md5 unknown\nurl http://h/b\n", "f"),
                     DSML_OK);
    dsml_provenance_verdict(&m, HEX_AB_LISTING, v, sizeof v);
    ck_assert_str_eq(v, "official files (SHA-256 of their sha256sum listing matches the manifest)");
    ck_assert_int_eq(dsml_manifest_parse(&m, "name f\nfile a.gz size 1 sha256 unknown md5 unknown\nurl http://h/a\n"
                                         "file b.gz size unknown sha256 " HEX_B " md5 unknown\nurl http://h/b\n", "f"),
                     DSML_OK);
    dsml_provenance_verdict(&m, HEX_AB_LISTING, v, sizeof v);
    ck_assert_str_eq(v, "official SHA-256 not published; not verified (manifest: a.gz MD5 unknown, 1 bytes; b.gz MD5 "
                        "unknown, size unknown; the recorded hash is the SHA-256 of the files' sha256sum listing, "
                        "docs/formats.md)");

    /* the sources of a dataset: counted per hash, sorted */
    dsml_sources s = {0};
    dsml_sources_add(&s, HEX_B);
    dsml_sources_add(&s, HEX_A);
    dsml_sources_add(&s, HEX_B);
    dsml_sources_add(&s, NULL);
    ck_assert_int_eq(s.count, 3);
    ck_assert_str_eq(s.sources[0].sha256, "");
    ck_assert_str_eq(s.sources[1].sha256, HEX_A);
    ck_assert_int_eq(s.sources[2].runs, 2);
}
END_TEST

/* ---- end to end ------------------------------------------------------------------------ */

/* A run with the keys the tables read; equations NULL: the key absent (an older run). */
static void put_run(const char *root, const char *dataset, const char *loss, const char *distance, int dim, int seed,
                    const char *equations, double map, const char *sha256)
{
    char name[128];
    snprintf(name, sizeof name, "%s-%s-d%d-s%d%s", loss, distance, dim, seed, equations ? equations : "");
    fixture_doc d;
    fixture_run(&d, dataset, loss, distance, dim, seed);
    if (equations) fixture_str(&d, "config.equations", equations);
    fixture_str(&d, "config.model", "convnet");
    fixture_int(&d, "config.epochs", 3);
    fixture_int(&d, "config.map_at", 0);
    fixture_int(&d, "config.f1_at", 5000);
    if (sha256) fixture_str(&d, "data.source_sha256", sha256);
    fixture_int(&d, "data.split.eval_queries", 1000);
    fixture_int(&d, "data.split.eval_database", 59000);
    fixture_int(&d, "data.split.train", 5000);
    /* Euclidean MAP@T varies; every other metric of Table 3 and methods.md is 0.5 */
    static const char *const flat[] = {"metrics.euclidean.f1@t",     "metrics.hamming.map@t",   "metrics.hamming.f1@t",
                                       "metrics.euclidean.recall@1", "metrics.euclidean.map@r", "metrics.euclidean.map",
                                       "metrics.clustering.nmi"};
    fixture_num(&d, "metrics.euclidean.map@t", map);
    for (size_t i = 0; i < sizeof flat / sizeof flat[0]; i++) fixture_num(&d, flat[i], 0.5);
    fixture_write_run(&d, root, dataset, name);
}

/* The text of the section whose title starts with `title`, up to the next "\n## " (a copy). */
static char *section_of(const char *text, const char *title)
{
    const char *start = strstr(text, title);
    ck_assert_msg(start != NULL, "no section '%s'", title);
    const char *end = strstr(start + 1, "\n## ");
    size_t n = end ? (size_t)(end - start) : strlen(start);
    char *s = malloc(n + 1);
    memcpy(s, start, n);
    s[n] = '\0';
    return s;
}

START_TEST(test_tables_arms_margin_provenance)
{
    const char *dir = testdir_make("claims");
    ck_assert_ptr_nonnull(dir);
    char results[4096], manifests[4096];
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(manifests, sizeof manifests, "%s/manifests", dir);
    for (int s = 1; s <= 3; s++) {
        /* common arm (one of them an older run without config.equations), from a known copy */
        put_run(results, "cifar10", "contrastive", "euclidean", 32, s, s == 1 ? NULL : "common", 0.30 + 0.01 * s,
                HEX_B);
        put_run(results, "cifar10", "contrastive", "snr", 32, s, "common", 0.40 + 0.02 * s, HEX_B);
        /* triplet: differences 0.1, 0.2, 0.3 pp: equivalent at margin 1, not at 0.3 */
        put_run(results, "cifar10", "triplet", "euclidean", 32, s, "common", 0.5, HEX_B);
        put_run(results, "cifar10", "triplet", "snr", 32, s, "common", 0.5 + 0.001 * s, HEX_B);
        /* paper arm, same seeds (not repeats of the common runs), from the official archive:
         * differences -5, -6, -7 pp */
        put_run(results, "cifar10", "contrastive", "euclidean", 32, s, "paper", 0.60, HEX_A);
        put_run(results, "cifar10", "contrastive", "snr", 32, s, "paper", 0.55 - 0.01 * (s - 1), HEX_A);
    }
    put_run(results, "fashion-mnist", "contrastive", "euclidean", 16, 1, "common", 0.5, HEX_C);
    put_run(results, "mystery", "contrastive", "euclidean", 16, 1, "common", 0.5, HEX_C);
    ck_assert_int_eq(dsml_mkdirs(manifests), DSML_OK);
    testdir_write_text(testdir_path("manifests/cifar10.manifest"),
                       "name cifar10\nfile c.tar.gz size 5 sha256 " HEX_A " md5 unknown\nurl http://h/c\n"
                       "copy sha256 " HEX_B " rebuilt from JPEG copies\n");
    testdir_write_text(testdir_path("manifests/fashion-mnist.manifest"),
                       "name fashion-mnist\nfile f.gz size 7 sha256 unknown md5 8d4fb7e6c68d591d4c3dfef9ec88bf0d\n"
                       "url http://h/f\n");

    char args[9000];
    cmd_result r;
    snprintf(args, sizeof args, "tables --results %s --out %s/out --published paper-tables/published.tsv "
             "--manifests %s", results, dir, manifests);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_msg(!strstr(r.err, "already read"), "a paper-arm run taken for a repeated seed: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "--equations paper runs left out (claims.md has them)"));
    char *claims = strdup(read_text(testdir_path("out/claims.md")));

    /* the common arm: contrastive differences 11, 12, 13 (reproduced), triplet equivalent */
    char *common = section_of(claims, "## Table 3: CIFAR10 (cifar10), common conventions (--equations common)");
    ck_assert_ptr_nonnull(strstr(common, "| DSML(cont) vs contrastive | 32 | MAP@59000 (Euclidean ranking) | +6.4 "
                                         "(79.8 "
                                         "vs 73.4) | +12.00 [+9.52, +14.48] paired | 3, 3 |"));
    ck_assert_ptr_nonnull(strstr(common, "| DSML(tri) vs triplet | 32 | MAP@59000 (Euclidean ranking) | +1.0 (78.3 vs "
                                         "77.3) | +0.20 [-0.05, +0.45] paired | 3, 3 | 0.074, 0.003 | equivalent | "
                                         "equivalent |"));
    ck_assert_ptr_nonnull(strstr(common, "| DSML(tri) vs triplet | 16 |")); /* every size in the common arm */
    /* the paper arm: only d = 32, its own contrastive runs, the common triplet runs counted */
    char *paper = section_of(claims, "## Table 3: CIFAR10 (cifar10), equations as printed (--equations paper)");
    ck_assert_ptr_nonnull(strstr(paper, "eq. 9 is computed the same under both arms"));
    ck_assert_ptr_nonnull(strstr(paper, "| DSML(cont) vs contrastive | 32 | MAP@59000 (Euclidean ranking) | +6.4 (79.8 "
                                        "vs 73.4) | -6.00 [-8.48, -3.52] paired | 3, 3 | 0.009, 0.993 | contradicted "
                                        "|"));
    ck_assert_ptr_nonnull(strstr(paper, "| DSML(tri) vs triplet | 32 | MAP@59000 (Euclidean ranking) | +1.0 (78.3 vs "
                                        "77.3) | +0.20 [-0.05, +0.45] paired | 3, 3 | 0.074, 0.003 | equivalent |"));
    ck_assert_msg(!strstr(paper, "| 16 |") && !strstr(paper, "| 64 |"), "%s", paper);
    ck_assert_ptr_nonnull(strstr(paper, "\n16 comparisons: "));
    /* the summary counts both arms; Holm is per section */
    ck_assert_ptr_nonnull(strstr(claims, "| verdict | comparisons | after Holm |"));
    /* provenance: both sources of cifar10 with their counts, the unverifiable one, no manifest */
    ck_assert_ptr_nonnull(strstr(claims, "Data (`cifar10`), source SHA-256 recorded by the runs "
                                         "(`data.source_sha256`):\n"
                                         "- `" HEX_A "` (6 runs): official archive (SHA-256 matches the manifest)\n"
                                         "- `" HEX_B "` (12 runs): not the official archive: rebuilt from JPEG "
                                                     "copies\n"));
    ck_assert_ptr_nonnull(strstr(claims, "- `" HEX_C "` (1 run): official SHA-256 not published; not verified "
                                         "(manifest: MD5 8d4fb7e6c68d591d4c3dfef9ec88bf0d, 7 bytes)"));
    ck_assert_ptr_nonnull(strstr(claims, "- `" HEX_C "` (1 run): no manifest for this dataset; not verified"));
    ck_assert_msg(!strstr(claims, manifests), "a path in claims.md");

    /* the tables: the common arm only, in cells and provenance */
    const char *t3 = read_text(testdir_path("out/table3.md"));
    ck_assert_ptr_nonnull(strstr(t3, "| contrastive | not run (75.5) | 32.0 ± 1.0 (73.4) |"));
    ck_assert_ptr_nonnull(strstr(t3, "- `" HEX_B "` (12 runs): not the official archive"));
    ck_assert_msg(!strstr(t3, HEX_A), "paper-arm runs in table3.md's provenance");
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("out/table3.tex")), "\\texttt{bbbbbbbbbbbbbbbb\\allowbreak "));
    const char *methods = read_text(testdir_path("out/methods.md"));
    ck_assert_ptr_nonnull(strstr(methods, "| DSML(cont) | 32 | 3 |"));
    ck_assert_msg(!strstr(methods, HEX_A), "paper-arm runs in methods.md");

    /* a narrower margin: the triplet difference's 90% interval [0.03, 0.37] straddles 0.3 */
    snprintf(args, sizeof args, "tables --results %s --out %s/out2 --published paper-tables/published.tsv "
             "--manifests %s --equivalence-margin 0.3", results, dir, manifests);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    const char *narrow = read_text(testdir_path("out2/claims.md"));
    ck_assert_ptr_nonnull(strstr(narrow, "inside ±0.3 percentage points"));
    ck_assert_ptr_nonnull(strstr(narrow, "77.3) | +0.20 [-0.05, +0.45] paired | 3, 3 | 0.074, 0.113 | inconclusive | "
                                         "inconclusive |"));
    snprintf(args, sizeof args, "tables --results %s --out %s/out3 --equivalence-margin 0", results, dir);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--equivalence-margin: expected a positive number"));
    snprintf(args, sizeof args, "tables --results %s --out %s/out3 --equivalence-margin 1pp", results, dir);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 2);
    /* a broken manifest fails the command, naming it */
    testdir_write_text(testdir_path("manifests/cifar10.manifest"), "name cifar10\ncopy sha256 xyz note\n");
    snprintf(args, sizeof args, "tables --results %s --out %s/out4 --published paper-tables/published.tsv "
             "--manifests %s", results, dir, manifests);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "cifar10.manifest: line 2: copy: expected"));
    free(common);
    free(paper);
    free(claims);
    testdir_done(1);
}
END_TEST

/* claims.md's text into a string (owned by the caller). */
static char *claims_text(const dsml_run_set *runs, const dsml_published *pub, const dsml_account *account)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    dsml_claims_options opt = {DSML_CLAIMS_MARGIN, NULL, 1, NULL, account};
    ck_assert_msg(dsml_claims_write(fp, runs, pub, &opt, NULL) == DSML_OK, "%s", dsml_last_error());
    fclose(fp);
    return text;
}

/* The summary's paragraph from the sweep's account: the datasets skipped
 * with reason and command, the runs that did not finish, the weights not
 * had; nothing from an account where every run finished. */
START_TEST(test_summary_from_account)
{
    const char *dir = testdir_make("claims-account");
    dsml_published pub;
    ck_assert_msg(dsml_published_load(&pub, "paper-tables/published.tsv") == DSML_OK, "%s", dsml_last_error());
    dsml_run_set runs;
    ck_assert_msg(dsml_runs_load(&runs, testdir_path("results"), NULL) == DSML_OK, "%s", dsml_last_error());
    char *plain = claims_text(&runs, &pub, NULL);
    ck_assert_ptr_null(strstr(plain, "make reproduce"));

    char datasets[4096];
    snprintf(datasets, sizeof datasets, "[%s, %s, %s]",
             fixture_account_dataset("cub200", 0, 0, 0, 36, "download failed: HTTP 404", "dsml fetch cub200"),
             fixture_account_dataset("fashion-mnist", 56, 0, 0, 0, "", ""),
             fixture_account_dataset("nus-wide", 0, 0, 0, 12, "", ""));
    fixture_account(dir, datasets, "[]");
    dsml_account account;
    ck_assert_msg(dsml_account_read(testdir_path("account.json"), &account) == DSML_OK, "%s", dsml_last_error());
    char *text = claims_text(&runs, &pub, &account);
    char expected[4096];
    snprintf(expected, sizeof expected, "no hashing runs.\n\nNot run by `make reproduce` (%s, sweep `paper.sweep`): "
             "`cub200`, 36 runs skipped: download failed: HTTP 404; get it: `dsml fetch cub200`; `nus-wide`, 12 runs "
             "skipped.\n\n", account.path);
    ck_assert_msg(strstr(text, expected), "%s", text);
    free(text);
    dsml_account_free(&account);

    /* every run finished, every weights file there: claims.md as without an account */
    snprintf(datasets, sizeof datasets, "[%s]", fixture_account_dataset("fashion-mnist", 56, 0, 0, 0, "", ""));
    fixture_account(dir, datasets, "[{\"name\": \"w\", \"runs\": 3, \"status\": \"present\", \"reason\": \"\", "
                                   "\"get\": \"\"}]");
    ck_assert_msg(dsml_account_read(testdir_path("account.json"), &account) == DSML_OK, "%s", dsml_last_error());
    text = claims_text(&runs, &pub, &account);
    ck_assert_str_eq(text, plain);
    free(text);
    free(plain);
    dsml_account_free(&account);
    dsml_runs_free(&runs);
    dsml_published_free(&pub);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"stats", 30, (const TTest *[]){test_t_cdf_against_scipy, test_tost_inside_and_straddling, NULL}},
        {"holm", 30, (const TTest *[]){test_holm_textbook, test_claims_holm_family, NULL}},
        {"arms", 30, (const TTest *[]){test_arm_views, NULL}},
        {"provenance", 30, (const TTest *[]){test_provenance_verdicts, NULL}},
        {"command", 60, (const TTest *[]){test_tables_arms_margin_provenance, NULL}},
        {"account", 30, (const TTest *[]){test_summary_from_account, NULL}},
    };
    return suite_run_cases("claims", cases, SUITE_CASES(cases));
}
