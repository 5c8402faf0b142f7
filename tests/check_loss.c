/* Tests of the loss registry and the dispatcher (src/metric/registry.c,
 * loss.c): every entry complete, the options each loss takes, the messages
 * that refuse an option, a name or a distance, names and the documented
 * defaults of every loss, the density regulariser only where it plugs in,
 * and the dispatcher's checks of sizes, parameters and non-finite input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "metric/distance.h"
#include "metric/loss.h"
#include "support/suite_run.h"

static const dsml_distance_kind all_distances[] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR};

/* ---------- the registry ---------- */

START_TEST(test_registry_entries)
{
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        const dsml_loss_entry *e = dsml_loss_entry_of((dsml_loss_kind)k);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(e->kind, k);
        ck_assert_msg(e->name && e->name[0], "entry %d has no name", k);
        ck_assert_msg(e->summary && e->summary[0] && strlen(e->summary) <= 72, "%s: summary", e->name);
        ck_assert_msg(e->check != NULL, "%s: no check", e->name);
        ck_assert_msg((e->on_distances != NULL) != (e->on_embeddings != NULL), "%s: not exactly one compute",
                      e->name);
        ck_assert_msg(e->options != NULL, "%s: no option list", e->name);
        ck_assert_msg(e->distances & DSML_LOSS_DISTANCE(DSML_DIST_EUCLIDEAN), "%s: refuses the default distance",
                      e->name);
        /* a loss that restricts the distance says what it works on instead */
        int restricted = 0;
        for (int t = 0; t < 3; t++) restricted |= !(e->distances & DSML_LOSS_DISTANCE(all_distances[t]));
        ck_assert_msg(restricted == (e->works_on != NULL), "%s: works_on", e->name);
        ck_assert_msg(!e->on_distances || !restricted, "%s: on distances but restricts them", e->name);
        /* found by name and by kind, and its own defaults pass its checks */
        ck_assert_ptr_eq(dsml_loss_find(e->name), e);
        ck_assert_str_eq(dsml_loss_name(e->kind), e->name);
        dsml_loss_kind parsed = DSML_LOSS_COUNT;
        ck_assert_int_eq(dsml_loss_parse(e->name, &parsed), DSML_OK);
        ck_assert_int_eq(parsed, k);
        for (int t = 0; t < 3; t++) {
            dsml_loss_params p = dsml_loss_defaults(e->kind, all_distances[t]);
            if (e->distances & DSML_LOSS_DISTANCE(all_distances[t]))
                ck_assert_msg(dsml_loss_check(&p) == DSML_OK, "%s/%s: %s", e->name,
                              dsml_distance_name(all_distances[t]), dsml_last_error());
        }
        for (int j = 0; j < k; j++) ck_assert_str_ne(dsml_loss_entry_of((dsml_loss_kind)j)->name, e->name);
    }
    ck_assert_ptr_null(dsml_loss_entry_of(DSML_LOSS_COUNT));
    ck_assert_ptr_null(dsml_loss_entry_of((dsml_loss_kind)-1));
    ck_assert_ptr_null(dsml_loss_find("hinge"));
    ck_assert_ptr_null(dsml_loss_find(NULL));
    ck_assert_str_eq(dsml_loss_name(DSML_LOSS_COUNT), "unknown");
}
END_TEST

/* The options of `dsml train` each loss takes beyond loss, distance, lambda. */
START_TEST(test_takes_option_table)
{
    static const char *const all[] = {"margin", "beta", "lifted-hard", "npair-l2", "density", "density-ratio",
                                      "kappa", "gpw-mining", "gpw-weighting", "gpw-alpha", "gpw-beta",
                                      "gpw-lambda", "gpw-epsilon", "quant"};
    static const struct {
        dsml_loss_kind loss;
        const char *takes[8];
    } table[] = {
        {DSML_LOSS_CONTRASTIVE, {"margin", "density", "density-ratio"}},
        {DSML_LOSS_TRIPLET, {"margin", "density", "density-ratio"}},
        {DSML_LOSS_LIFTED, {"margin", "beta", "lifted-hard"}},
        {DSML_LOSS_NPAIR, {"npair-l2", "density", "density-ratio"}},
        {DSML_LOSS_VMF, {"kappa"}},
        {DSML_LOSS_GPW, {"gpw-mining", "gpw-weighting", "gpw-alpha", "gpw-beta", "gpw-lambda", "gpw-epsilon"}},
        {DSML_LOSS_DPSH, {"quant"}},
        {DSML_LOSS_DTSH, {"margin", "quant"}},
    };
    ck_assert_int_eq(sizeof table / sizeof table[0], DSML_LOSS_COUNT);
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        dsml_loss_kind k = table[t].loss;
        for (size_t o = 0; o < sizeof all / sizeof all[0]; o++) {
            int want = 0;
            for (int i = 0; i < 8 && table[t].takes[i]; i++) want |= !strcmp(table[t].takes[i], all[o]);
            ck_assert_msg(dsml_loss_takes_option(k, all[o]) == want, "%s takes --%s: expected %d", dsml_loss_name(k),
                          all[o], want);
        }
        ck_assert_int_eq(dsml_loss_takes_option(k, "loss"), 1);
        ck_assert_int_eq(dsml_loss_takes_option(k, "distance"), 1);
        ck_assert_int_eq(dsml_loss_takes_option(k, "lambda"), 1);
        ck_assert_int_eq(dsml_loss_takes_option(k, "epochs"), 0);
        ck_assert_int_eq(dsml_loss_takes_option(k, "--margin"), 0);
        ck_assert_int_eq(dsml_loss_takes_option(k, ""), 0);
        ck_assert_int_eq(dsml_loss_takes_option(k, NULL), 0);
    }
    ck_assert_int_eq(dsml_loss_takes_option(DSML_LOSS_COUNT, "lambda"), 0);
}
END_TEST

START_TEST(test_check_option_messages)
{
    ck_assert_int_eq(dsml_loss_check_option(DSML_LOSS_LIFTED, "beta"), DSML_OK);
    ck_assert_int_eq(dsml_loss_check_option(DSML_LOSS_VMF, "lambda"), DSML_OK);
    ck_assert_int_eq(dsml_loss_check_option(DSML_LOSS_CONTRASTIVE, "beta"), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "--beta: not an option of contrastive (lifted takes it)");
    ck_assert_int_eq(dsml_loss_check_option(DSML_LOSS_NPAIR, "margin"), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "--margin: not an option of npair (contrastive, triplet, lifted or dtsh take it)");
    ck_assert_int_eq(dsml_loss_check_option(DSML_LOSS_GPW, "density"), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "--density: not an option of gpw (contrastive, triplet or npair take it)");
    ck_assert_int_eq(dsml_loss_check_option(DSML_LOSS_DPSH, "epochs"), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "--epochs: not an option of dpsh (no loss takes it)");
}
END_TEST

/* An unknown name is refused with every name of the registry. */
START_TEST(test_unknown_names_list_all)
{
    dsml_loss_kind k = DSML_LOSS_GPW;
    ck_assert_int_eq(dsml_loss_parse("hinge", &k), DSML_ERR_ARG);
    ck_assert_int_eq(k, DSML_LOSS_GPW);
    ck_assert_str_eq(dsml_last_error(), "loss 'hinge': expected contrastive, triplet, lifted, npair, vmf, gpw, dpsh or dtsh");
    for (int i = 0; i < DSML_LOSS_COUNT; i++)
        ck_assert_ptr_nonnull(strstr(dsml_last_error(), dsml_loss_name((dsml_loss_kind)i)));
    ck_assert_int_eq(dsml_loss_parse(NULL, &k), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "(null)"));
    dsml_distance_kind dk = DSML_DIST_SNR;
    ck_assert_int_eq(dsml_distance_parse("cosine", &dk), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "distance 'cosine': expected euclidean, sqeuclidean or snr");
    dsml_gpw_mining m = DSML_GPW_MINE_NONE;
    ck_assert_int_eq(dsml_gpw_mining_parse("hard", &m), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "gpw mining 'hard': expected none or ms");
    dsml_gpw_weighting w = DSML_GPW_WEIGHT_MS;
    ck_assert_int_eq(dsml_gpw_weighting_parse("triplet", &w), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "gpw weighting 'triplet': expected ms, contrastive, binomial or lifted");
}
END_TEST

/* ---------- names and defaults ---------- */

/* The names, both ways (the defaults of docs/losses.md's tables are in
 * test_defaults_fill_every_member). */
START_TEST(test_names)
{
    static const struct { const char *name; dsml_loss_kind kind; } losses[] = {
        {"contrastive", DSML_LOSS_CONTRASTIVE}, {"triplet", DSML_LOSS_TRIPLET}, {"lifted", DSML_LOSS_LIFTED},
        {"npair", DSML_LOSS_NPAIR},             {"vmf", DSML_LOSS_VMF},         {"gpw", DSML_LOSS_GPW},
        {"dpsh", DSML_LOSS_DPSH},               {"dtsh", DSML_LOSS_DTSH},
    };
    dsml_loss_kind k = DSML_LOSS_CONTRASTIVE;
    for (size_t i = 0; i < sizeof losses / sizeof losses[0]; i++) {
        ck_assert_int_eq(dsml_loss_parse(losses[i].name, &k), DSML_OK);
        ck_assert_int_eq(k, losses[i].kind);
        ck_assert_str_eq(dsml_loss_name(k), losses[i].name);
    }
    ck_assert_int_eq(dsml_loss_parse("hinge", &k), DSML_ERR_ARG);
    ck_assert_int_eq(k, DSML_LOSS_DTSH);
    ck_assert_int_eq(dsml_loss_parse("dsh", &k), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "dpsh or dtsh"));
}
END_TEST

START_TEST(test_gpw_stage_names)
{
    const char *minings[] = {"none", "ms"}, *weightings[] = {"ms", "contrastive", "binomial", "lifted"};
    dsml_gpw_mining m = DSML_GPW_MINE_NONE;
    dsml_gpw_weighting w = DSML_GPW_WEIGHT_MS;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(dsml_gpw_mining_parse(minings[i], &m), DSML_OK);
        ck_assert_str_eq(dsml_gpw_mining_name(m), minings[i]);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(dsml_gpw_weighting_parse(weightings[i], &w), DSML_OK);
        ck_assert_str_eq(dsml_gpw_weighting_name(w), weightings[i]);
    }
    ck_assert_int_eq(dsml_gpw_mining_parse("hard", &m), DSML_ERR_ARG);
    ck_assert_int_eq(m, DSML_GPW_MINE_MS);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "hard"));
    ck_assert_int_eq(dsml_gpw_weighting_parse("triplet", &w), DSML_ERR_ARG);
    ck_assert_int_eq(w, DSML_GPW_WEIGHT_LIFTED);
    ck_assert_str_eq(dsml_gpw_mining_name((dsml_gpw_mining)9), "unknown");
    ck_assert_str_eq(dsml_gpw_weighting_name((dsml_gpw_weighting)-1), "unknown");
}
END_TEST

START_TEST(test_equations_names)
{
    dsml_equations e = DSML_EQUATIONS_COMMON;
    ck_assert_int_eq(dsml_equations_parse("paper", &e), DSML_OK);
    ck_assert_int_eq(e, DSML_EQUATIONS_PAPER);
    ck_assert_int_eq(dsml_equations_parse("common", &e), DSML_OK);
    ck_assert_int_eq(e, DSML_EQUATIONS_COMMON);
    ck_assert_str_eq(dsml_equations_name(DSML_EQUATIONS_PAPER), "paper");
    ck_assert_str_eq(dsml_equations_name(DSML_EQUATIONS_COMMON), "common");
    ck_assert_str_eq(dsml_equations_name((dsml_equations)2), "unknown");
    ck_assert_int_eq(dsml_equations_parse("printed", &e), DSML_ERR_ARG);
    ck_assert_int_eq(e, DSML_EQUATIONS_COMMON);
    ck_assert_str_eq(dsml_last_error(), "equations 'printed': expected common or paper");
}
END_TEST

/* Every member gets its documented default whatever the loss; the entry
 * then adjusts its own. */
START_TEST(test_defaults_fill_every_member)
{
    for (int k = 0; k < DSML_LOSS_COUNT; k++)
        for (int t = 0; t < 3; t++) {
            dsml_loss_params p = dsml_loss_defaults((dsml_loss_kind)k, all_distances[t]);
            const char *name = dsml_loss_name((dsml_loss_kind)k);
            ck_assert_int_eq(p.loss, k);
            ck_assert_int_eq(p.distance, all_distances[t]);
            ck_assert_msg(p.equations == DSML_EQUATIONS_COMMON, "%s: equations", name);
            ck_assert_msg(p.lifted.beta == 1.0f && p.lifted.hard == 0, "%s: lifted", name);
            ck_assert_msg(p.density.weight == 0.0f && p.density.ratio == DSML_DENSITY_DEFAULT_RATIO, "%s: density",
                          name);
            ck_assert_msg(p.npair.l2 == 0.0f, "%s: npair", name);
            ck_assert_msg(p.vmf.kappa == 16.0f && p.vmf.means == NULL, "%s: vmf", name);
            ck_assert_msg(p.gpw.mining == DSML_GPW_MINE_MS && p.gpw.weighting == DSML_GPW_WEIGHT_MS &&
                              p.gpw.alpha == 2.0f && p.gpw.beta == 50.0f && p.gpw.lambda == 1.0f &&
                              p.gpw.epsilon == 0.1f,
                          "%s: gpw", name);
            int hashing = k == DSML_LOSS_DPSH || k == DSML_LOSS_DTSH;
            ck_assert_msg(p.hashing.quant == (hashing ? 0.1f : 0.0f), "%s: quant %g", name, p.hashing.quant);
            /* lambda: 0.01 with SNR for the paper's four, else 0 */
            int snr_lambda = k <= DSML_LOSS_NPAIR && all_distances[t] == DSML_DIST_SNR;
            ck_assert_msg(p.lambda == (snr_lambda ? 0.01f : 0.0f), "%s: lambda %g", name, p.lambda);
        }
    /* the margins of docs/losses.md */
    static const float margin[DSML_LOSS_COUNT][2] = {
        [DSML_LOSS_CONTRASTIVE] = {1, 1}, [DSML_LOSS_TRIPLET] = {1, 0.5f}, [DSML_LOSS_LIFTED] = {1, 1},
        [DSML_LOSS_NPAIR] = {0, 0},       [DSML_LOSS_VMF] = {0, 0},          [DSML_LOSS_GPW] = {0, 0},
        [DSML_LOSS_DPSH] = {0, 0},        [DSML_LOSS_DTSH] = {0.5f, 0.5f},
    };
    for (int k = 0; k < DSML_LOSS_COUNT; k++)
        for (int snr = 0; snr < 2; snr++) {
            dsml_loss_params p = dsml_loss_defaults((dsml_loss_kind)k, snr ? DSML_DIST_SNR : DSML_DIST_EUCLIDEAN);
            ck_assert_msg(p.margin == margin[k][snr], "%s: margin %g", dsml_loss_name((dsml_loss_kind)k), p.margin);
        }
    /* dsml_gpw_defaults: the weighting sets alpha, beta and lambda, nothing else */
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    p.gpw.mining = DSML_GPW_MINE_NONE;
    p.gpw.epsilon = 0.25f;
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_CONTRASTIVE);
    ck_assert_int_eq(p.gpw.weighting, DSML_GPW_WEIGHT_CONTRASTIVE);
    ck_assert_float_eq(p.gpw.alpha, 1.0f);
    ck_assert_float_eq(p.gpw.beta, 1.0f);
    ck_assert_float_eq(p.gpw.lambda, 0.5f);
    ck_assert_int_eq(p.gpw.mining, DSML_GPW_MINE_NONE);
    ck_assert_float_eq(p.gpw.epsilon, 0.25f);
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_BINOMIAL);
    ck_assert_float_eq(p.gpw.alpha, 2.0f);
    ck_assert_float_eq(p.gpw.beta, 2.0f);
    ck_assert_float_eq(p.gpw.lambda, 0.5f);
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_LIFTED);
    ck_assert_float_eq(p.gpw.lambda, 1.0f);
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_MS);
    ck_assert_float_eq(p.gpw.beta, 50.0f);
}
END_TEST

/* ---------- the dispatcher's checks ---------- */

/* vmf and gpw work on cosine similarities, dpsh and dtsh on inner products:
 * any distance but the default is refused with the loss and the distance
 * named, by the check and by the compute. */
START_TEST(test_distance_refusal)
{
    static const struct { dsml_loss_kind loss; const char *works_on; } restricted[] = {
        {DSML_LOSS_VMF, "cosine similarities"},
        {DSML_LOSS_GPW, "cosine similarities"},
        {DSML_LOSS_DPSH, "inner products"},
        {DSML_LOSS_DTSH, "inner products"},
    };
    float h[8] = {1, 0, 0, 1, 1, 1, -1, 0}, dh[8];
    int labels[4] = {0, 0, 1, 1};
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 4, 2), DSML_OK);
    for (size_t r = 0; r < sizeof restricted / sizeof restricted[0]; r++) {
        const char *name = dsml_loss_name(restricted[r].loss);
        dsml_loss_params p = dsml_loss_defaults(restricted[r].loss, DSML_DIST_EUCLIDEAN);
        ck_assert_msg(dsml_loss_check(&p) == DSML_OK, "%s: %s", name, dsml_last_error());
        for (int t = 1; t < 3; t++) {
            p.distance = all_distances[t];
            char want[160];
            snprintf(want, sizeof want, "%s: works on %s, expected distance euclidean (the default), found %s", name,
                     restricted[r].works_on, dsml_distance_name(all_distances[t]));
            ck_assert_int_eq(dsml_loss_check(&p), DSML_ERR_ARG);
            ck_assert_str_eq(dsml_last_error(), want);
            double loss = 7;
            ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
            ck_assert_str_eq(dsml_last_error(), want);
            ck_assert_double_eq(loss, 0);
        }
    }
    /* the others take every distance */
    for (int k = 0; k <= DSML_LOSS_NPAIR; k++)
        for (int t = 0; t < 3; t++) {
            dsml_loss_params p = dsml_loss_defaults((dsml_loss_kind)k, all_distances[t]);
            ck_assert_int_eq(dsml_loss_check(&p), DSML_OK);
        }
    dsml_loss_ws_free(ws);
}
END_TEST

/* The density regulariser plugs into contrastive, triplet and npair only;
 * with it on, contrastive no longer takes label sets. */
START_TEST(test_density_only_where_it_plugs)
{
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        const dsml_loss_entry *e = dsml_loss_entry_of((dsml_loss_kind)k);
        dsml_loss_params p = dsml_loss_defaults(e->kind, DSML_DIST_EUCLIDEAN);
        ck_assert_int_eq(dsml_loss_takes_label_sets(&p), e->label_sets);
        p.density.weight = 0.5f;
        if (e->density) {
            ck_assert_msg(dsml_loss_check(&p) == DSML_OK, "%s: %s", e->name, dsml_last_error());
            ck_assert_int_eq(dsml_loss_takes_label_sets(&p), 0);
        } else {
            char want[128];
            snprintf(want, sizeof want, "%s: the density regulariser plugs into contrastive, triplet or npair",
                     e->name);
            ck_assert_int_eq(dsml_loss_check(&p), DSML_ERR_ARG);
            ck_assert_str_eq(dsml_last_error(), want);
        }
    }
    ck_assert_int_eq(dsml_loss_takes_label_sets(&(dsml_loss_params){.loss = DSML_LOSS_CONTRASTIVE}), 1);
    ck_assert_int_eq(dsml_loss_takes_label_sets(&(dsml_loss_params){.loss = DSML_LOSS_TRIPLET}), 0);
    ck_assert_int_eq(dsml_loss_takes_label_sets(&(dsml_loss_params){.loss = DSML_LOSS_COUNT}), 0);
    dsml_loss_params bad = dsml_loss_defaults(DSML_LOSS_TRIPLET, DSML_DIST_EUCLIDEAN);
    bad.loss = DSML_LOSS_COUNT;
    ck_assert_int_eq(dsml_loss_check(&bad), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "unknown loss kind"));
    bad = dsml_loss_defaults(DSML_LOSS_TRIPLET, (dsml_distance_kind)5);
    ck_assert_int_eq(dsml_loss_check(&bad), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "triplet: unknown distance kind 5");
}
END_TEST

/* --equations paper: the paper's four losses take it (lifted with or without
 * lifted.hard), N-pair only without the L2 penalty eq. 12 lacks; the other
 * losses refuse it, by the check and by the compute; an unknown kind is
 * refused for every loss. */
START_TEST(test_equations_paper_refusals)
{
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        const char *name = dsml_loss_name((dsml_loss_kind)k);
        dsml_loss_params p = dsml_loss_defaults((dsml_loss_kind)k, DSML_DIST_EUCLIDEAN);
        p.equations = DSML_EQUATIONS_PAPER;
        if (k <= DSML_LOSS_NPAIR) {
            ck_assert_msg(dsml_loss_check(&p) == DSML_OK, "%s: %s", name, dsml_last_error());
        } else {
            char want[160];
            snprintf(want, sizeof want, "%s: --equations paper applies to the paper's losses: contrastive, triplet, "
                     "lifted, npair", name);
            ck_assert_int_eq(dsml_loss_check(&p), DSML_ERR_ARG);
            ck_assert_str_eq(dsml_last_error(), want);
        }
        p.equations = (dsml_equations)7;
        ck_assert_int_eq(dsml_loss_check(&p), DSML_ERR_ARG);
        ck_assert_ptr_nonnull(strstr(dsml_last_error(), "unknown equations kind 7"));
    }
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_LIFTED, DSML_DIST_SNR);
    p.equations = DSML_EQUATIONS_PAPER;
    p.lifted.hard = 1;
    ck_assert_int_eq(dsml_loss_check(&p), DSML_OK);
    p = dsml_loss_defaults(DSML_LOSS_NPAIR, DSML_DIST_SNR);
    p.equations = DSML_EQUATIONS_PAPER;
    p.npair.l2 = 0.2f;
    ck_assert_int_eq(dsml_loss_check(&p), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(),
                     "npair: --equations paper computes eq. 12, which has no L2 penalty; --npair-l2 0.2 given");
    p.equations = DSML_EQUATIONS_COMMON;
    ck_assert_int_eq(dsml_loss_check(&p), DSML_OK);
    /* the compute refuses as the check does */
    float h[8] = {1, 0, 0, 1, 1, 1, -1, 0}, dh[8];
    int labels[4] = {0, 0, 1, 1};
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 4, 2), DSML_OK);
    p = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_EUCLIDEAN);
    p.equations = DSML_EQUATIONS_PAPER;
    double loss = 7;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "dpsh: --equations paper applies"));
    dsml_loss_ws_free(ws);
}
END_TEST

START_TEST(test_non_finite_and_size_errors)
{
    float h[8] = {1, 2, 3, 4, 5, 6, 7, 9}, dh[8];
    const int labels[4] = {0, 0, 1, 1};
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 4, 2), DSML_OK);
    double loss = 7;
    for (int l = 0; l < 4; l++) {
        dsml_loss_params p = dsml_loss_defaults((dsml_loss_kind)l, DSML_DIST_SNR);
        h[5] = NAN;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
        ck_assert_msg(strstr(dsml_last_error(), "embedding 2, value 1"), "%s", dsml_last_error());
        h[5] = INFINITY;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
        h[5] = 6;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_OK);
    }
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_TRIPLET, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 5, 2, dh, ws, &loss), DSML_ERR_ARG);   /* n > max_n */
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 1, dh, ws, &loss), DSML_ERR_ARG);   /* d differs */
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 0, 2, dh, ws, &loss), DSML_ERR_ARG);
    p.margin = -1;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    p = dsml_loss_defaults(DSML_LOSS_LIFTED, DSML_DIST_EUCLIDEAN);
    p.lifted.beta = 0;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "beta"));
    p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN);
    p.lambda = NAN;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    /* a huge input overflows the squared distance: the loss says so */
    p.lambda = 0;
    p.distance = DSML_DIST_SQEUCLIDEAN;
    h[0] = 3e30f;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
    ck_assert_msg(strstr(dsml_last_error(), "not finite"), "%s", dsml_last_error());
    dsml_loss_ws_free(ws);
    dsml_loss_ws *none = (dsml_loss_ws *)1;
    ck_assert_int_eq(dsml_loss_ws_create(&none, 0, 2), DSML_ERR_ARG);
    ck_assert_ptr_null(none);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"registry", 30,
         (const TTest *[]){test_registry_entries, test_takes_option_table, test_check_option_messages,
                           test_unknown_names_list_all, NULL}},
        {"names and defaults", 30,
         (const TTest *[]){test_names, test_gpw_stage_names, test_equations_names, test_defaults_fill_every_member,
                           NULL}},
        {"checks", 30,
         (const TTest *[]){test_distance_refusal, test_density_only_where_it_plugs, test_equations_paper_refusals,
                           test_non_finite_and_size_errors, NULL}},
    };
    return suite_run_cases("loss", cases, SUITE_CASES(cases));
}
