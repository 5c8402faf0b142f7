/* Tests of the training option table (src/run/train_options.c): the table's
 * own consistency, building a config from given options (defaults, the
 * defaults the loss and protocol decide, refusals, messages), the range
 * checks, metrics.json's config object written off the table against a hand
 * copy, what a finished run recorded, and --help. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "results/run_metrics.h"
#include "run/train_options.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* An array of given options, in place. */
#define GIVEN(...) ((const dsml_option_given[]){__VA_ARGS__})

/* Builds cfg from the given options; the status. */
static int build(dsml_train_config *cfg, const dsml_option_given *given, int n)
{
    dsml_clear_error();
    return dsml_train_config_build(cfg, given, n);
}

static void expect_refused(const dsml_option_given *given, int n, const char *message)
{
    dsml_train_config cfg;
    ck_assert_int_eq(build(&cfg, given, n), DSML_ERR_ARG);
    ck_assert_msg(strstr(dsml_last_error(), message), "expected '%s', got '%s'", message, dsml_last_error());
}

/* A value option o accepts: its lower bound, or its first kind. */
static void default_value(const dsml_train_option *o, char *buf, size_t size)
{
    if (o->type == DSML_OPT_ENUM) snprintf(buf, size, "%s", o->kinds->name(0));
    else snprintf(buf, size, "%g", o->lo > 0 ? o->lo : o->hi < 1 ? o->hi : 1.0);
}

/* ---- the table ------------------------------------------------------------------ */

START_TEST(test_table_is_consistent)
{
    int n = dsml_train_option_count(), named = 0;
    ck_assert_int_gt(n, 30);
    ck_assert_ptr_null(dsml_train_option_at(n));
    ck_assert_ptr_null(dsml_train_option_find("no-such-option"));
    for (int i = 0; i < n; i++) {
        const dsml_train_option *o = dsml_train_option_at(i);
        ck_assert_msg(o->name || o->json, "row %d: neither an option nor recorded", i);
        if (o->name) {
            named++;
            ck_assert_ptr_eq(dsml_train_option_find(o->name), o);
            ck_assert_msg(o->help && o->help[0], "%s: no help", o->name);
            ck_assert_msg((o->type == DSML_OPT_FLAG) == (o->value_name == NULL), "%s: value name", o->name);
            ck_assert_msg(o->type != DSML_OPT_ENUM || o->kinds, "%s: an enum without kinds", o->name);
        }
        for (int j = 0; j < i; j++) { /* one row per key */
            const dsml_train_option *p = dsml_train_option_at(j);
            ck_assert_msg(!o->json || !p->json || strcmp(o->json, p->json), "%s recorded twice", o->json);
        }
        if (o->def) { /* every default is a value the row accepts */
            char expected[600];
            ck_assert_msg(!dsml_train_option_check_value(o, o->def, expected, sizeof expected), "%s: default %s: %s",
                          o->name, o->def, expected);
        }
    }
    ck_assert_int_gt(named, 30);
    char expected[600];
    const dsml_train_option *dim = dsml_train_option_find("dim");
    ck_assert_int_eq(dsml_train_option_check_value(dim, "4097", expected, sizeof expected), DSML_ERR_ARG);
    ck_assert_str_eq(expected, "an integer in 1..4096");
    const dsml_train_option *loss = dsml_train_option_find("loss");
    ck_assert_int_eq(dsml_train_option_check_value(loss, "hinge", expected, sizeof expected), DSML_ERR_ARG);
    ck_assert_str_eq(expected, "contrastive, triplet, lifted, npair, vmf, gpw, dpsh or dtsh");
    ck_assert_int_eq(dsml_train_option_check_value(dsml_train_option_find("hidden"), "64,x", expected,
                                                   sizeof expected), DSML_ERR_ARG);
}
END_TEST

/* ---- building a config ---------------------------------------------------------- */

START_TEST(test_defaults)
{
    dsml_train_config cfg, built;
    dsml_train_config_default(&cfg);
    ck_assert_str_eq(cfg.dataset, "fashion-mnist");
    ck_assert_str_eq(cfg.data_root, "datasets");
    ck_assert_int_eq(cfg.model, DSML_MODEL_CONVNET);
    ck_assert_int_eq(cfg.dim, 32);
    ck_assert_int_eq(cfg.n_hidden, 1);
    ck_assert_int_eq(cfg.hidden[0], 256);
    ck_assert_int_eq(cfg.loss.loss, DSML_LOSS_CONTRASTIVE);
    ck_assert_int_eq(cfg.loss.distance, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(cfg.epochs, 10);
    ck_assert_int_eq(cfg.batch, 100);
    ck_assert_int_eq(cfg.images_per_class, 10);
    ck_assert_int_eq(cfg.classes_per_batch, 10);
    ck_assert_float_eq(cfg.lr, 0.01f);
    ck_assert_float_eq(cfg.momentum, 0.9f);
    ck_assert_float_eq(cfg.weight_decay, 5e-4f);
    ck_assert_uint_eq(cfg.seed, 1);
    ck_assert_int_eq(cfg.threads, 2);
    ck_assert_int_eq(cfg.queries_per_class, 100);
    ck_assert_int_eq(cfg.train_per_class, 500);
    ck_assert_int_eq(cfg.map_at, 0);
    ck_assert_int_eq(cfg.f1_at, 5000);
    ck_assert_int_eq(cfg.no_embeddings, 0);
    /* the loss's own defaults, as the registry gives them */
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(memcmp(&cfg.loss, &p, sizeof p), 0);
    ck_assert_int_eq(build(&built, NULL, 0), DSML_OK);
    ck_assert_int_eq(memcmp(&cfg, &built, sizeof cfg), 0);
}
END_TEST

START_TEST(test_the_loss_and_protocol_decide_defaults)
{
    dsml_train_config cfg;
    /* in any order: the loss, distance and protocol are applied first */
    ck_assert_int_eq(build(&cfg, GIVEN({"margin", "2"}, {"distance", "snr"}, {"loss", "triplet"}), 3), DSML_OK);
    ck_assert_int_eq(cfg.loss.loss, DSML_LOSS_TRIPLET);
    ck_assert_float_eq(cfg.loss.margin, 2.0f);
    ck_assert_float_eq(cfg.loss.lambda, 0.01f); /* snr's default */
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "npair"}), 1), DSML_OK);
    ck_assert_int_eq(cfg.batch, 20);
    ck_assert_int_eq(cfg.images_per_class, 2);
    ck_assert_int_eq(cfg.classes_per_batch, 10);
    ck_assert_int_eq(build(&cfg, GIVEN({"images-per-class", "5"}), 1), DSML_OK);
    ck_assert_int_eq(cfg.classes_per_batch, 20); /* batch 100 / 5 */
    ck_assert_int_eq(build(&cfg, GIVEN({"protocol", "hashing"}, {"loss", "dpsh"}), 2), DSML_OK);
    ck_assert_int_eq(cfg.queries_per_class, DSML_HASHING_QUERIES_PER_CLASS);
    ck_assert_int_eq(cfg.map_at, DSML_HASHING_MAP_AT);
    ck_assert_float_eq(cfg.loss.hashing.quant, 0.1f);
    ck_assert_int_eq(build(&cfg, GIVEN({"map-at", "7"}, {"protocol", "hashing"}), 2), DSML_OK);
    ck_assert_int_eq(cfg.map_at, 7); /* given wins over the protocol's default */
    /* gpw: the weighting stage sets what the scales start from; a given scale wins */
    dsml_loss_params binomial = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    dsml_gpw_defaults(&binomial, DSML_GPW_WEIGHT_BINOMIAL);
    ck_assert_int_eq(build(&cfg, GIVEN({"gpw-alpha", "3"}, {"loss", "gpw"}, {"gpw-weighting", "binomial"}), 3),
                     DSML_OK);
    ck_assert_int_eq(cfg.loss.gpw.weighting, DSML_GPW_WEIGHT_BINOMIAL);
    ck_assert_float_eq(cfg.loss.gpw.alpha, 3.0f);
    ck_assert_float_eq(cfg.loss.gpw.beta, binomial.gpw.beta);
    ck_assert_float_eq(cfg.loss.gpw.lambda, binomial.gpw.lambda);
    /* every loss: batches of pairs where the registry says so, the loss's own options only */
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        const dsml_loss_entry *e = dsml_loss_entry_of((dsml_loss_kind)k);
        ck_assert_int_eq(build(&cfg, GIVEN({"loss", e->name}), 1), DSML_OK);
        ck_assert_int_eq(cfg.images_per_class, e->pairs ? 2 : 10);
        ck_assert_int_eq(cfg.batch, e->pairs ? 20 : 100);
        for (int i = 0; i < dsml_train_option_count(); i++) {
            const dsml_train_option *o = dsml_train_option_at(i);
            if (!o->name || !(o->flags & DSML_OPT_BY_LOSS) || o->type == DSML_OPT_FLAG) continue;
            char value[64];
            default_value(o, value, sizeof value);
            /* the density regulariser's ratio only with the regulariser on */
            int ratio = !strcmp(o->name, "density-ratio");
            int rc = ratio ? build(&cfg, GIVEN({"loss", e->name}, {"density", "0.1"}, {o->name, value}), 3)
                           : build(&cfg, GIVEN({"loss", e->name}, {o->name, value}), 2);
            ck_assert_msg((rc == DSML_OK) == dsml_loss_takes_option(e->kind, o->name), "%s --%s %s: %s", e->name,
                          o->name, value, dsml_last_error());
        }
    }
    /* a later option wins; flags and lists */
    ck_assert_int_eq(build(&cfg, GIVEN({"dim", "8"}, {"model", "mlp"}, {"hidden", "64,32"}, {"dim", "16"},
                                       {"no-embeddings", NULL}, {"quiet", NULL}, {"seed", "18446744073709551615"}),
                           7), DSML_OK);
    ck_assert_int_eq(cfg.dim, 16);
    ck_assert_int_eq(cfg.n_hidden, 2);
    ck_assert_int_eq(cfg.hidden[1], 32);
    ck_assert_int_eq(cfg.no_embeddings, 1);
    ck_assert_int_eq(cfg.quiet, 1);
    ck_assert_uint_eq(cfg.seed, 18446744073709551615ull);
}
END_TEST

START_TEST(test_refusals_and_bad_values)
{
    expect_refused(GIVEN({"bogus", "1"}), 1, "--bogus: unknown option");
    expect_refused(GIVEN({"dim", "0"}), 1, "--dim 0: expected an integer in 1..4096");
    expect_refused(GIVEN({"lr", "nan"}), 1, "--lr nan: expected a finite number in [1e-12, 1000]");
    expect_refused(GIVEN({"seed", "-1"}), 1, "--seed -1: expected a non-negative integer");
    expect_refused(GIVEN({"dataset", "Fashion"}), 1, "--dataset Fashion: expected a name of lower-case letters");
    expect_refused(GIVEN({"model", "resnet"}), 1, "--model resnet: expected mlp, convnet, alexnet or cnn-f");
    expect_refused(GIVEN({"dim", NULL}), 1, "--dim: expected a value");
    expect_refused(GIVEN({"beta", "2"}), 1, "--beta: not an option of contrastive (lifted takes it)");
    expect_refused(GIVEN({"loss", "vmf"}, {"margin", "1"}), 2, "--margin: not an option of vmf");
    expect_refused(GIVEN({"hidden", "64"}), 1, "--hidden: not an option of the network convnet");
    expect_refused(GIVEN({"protocol", "hashing"}, {"train-per-class", "3"}), 2,
                   "--train-per-class: not an option of the hashing protocol");
    expect_refused(GIVEN({"batch", "25"}), 1, "--batch 25 is not a multiple of --images-per-class 10");
    expect_refused(GIVEN({"batch", "10"}, {"images-per-class", "10"}), 2, "1 classes per batch");
    expect_refused(GIVEN({"loss", "npair"}, {"images-per-class", "4"}), 2, "npair: batches are pairs");
    expect_refused(GIVEN({"protocol", "hashing"}, {"validation-per-class", "3"}), 2,
                   "the hashing protocol trains on the whole database and has no validation carve-out");
    expect_refused(GIVEN({"loss", "vmf"}, {"distance", "snr"}), 2, "vmf: works on cosine similarities");
    expect_refused(GIVEN({"loss", "lifted"}, {"beta", "0"}), 2, "lifted: beta 0, expected a finite value > 0");
    /* options the run would ignore */
    expect_refused(GIVEN({"no-eval", NULL}, {"map-at", "10"}), 2, "--map-at: an evaluation option, and --no-eval");
    expect_refused(GIVEN({"f1-at", "10"}, {"no-eval", NULL}), 2, "--f1-at: an evaluation option, and --no-eval");
    expect_refused(GIVEN({"density-ratio", "0.3"}), 1, "--density-ratio: the density regulariser is off");
    expect_refused(GIVEN({"density", "0"}, {"density-ratio", "0.3"}), 2, "--density-ratio: the density regulariser");
    expect_refused(GIVEN({"equations", "printed"}), 1, "--equations printed: expected common or paper");
    expect_refused(GIVEN({"loss", "vmf"}, {"equations", "paper"}), 2,
                   "vmf: --equations paper applies to the paper's losses: contrastive, triplet, lifted, npair");
    expect_refused(GIVEN({"loss", "npair"}, {"equations", "paper"}, {"npair-l2", "0.2"}), 3,
                   "npair: --equations paper computes eq. 12, which has no L2 penalty; --npair-l2 0.2 given");
    /* zero epochs would record the metrics of an untrained network */
    expect_refused(GIVEN({"epochs", "0"}), 1, "--epochs 0: expected an integer in 1..1000");
    expect_refused(GIVEN({"epochs", "-1"}), 1, "--epochs -1: expected an integer in 1..1000");
    /* a value is its whole text: no empty element, trailing comma, sign, blank, hex or junk */
    static const struct { const char *name, *value, *message; } strict[] = {
        {"hidden", "256,,3", "--hidden 256,,3: expected a comma-separated list of at most 8 integers in 1..1048576 "
                             "(element 2 is empty)"},
        {"hidden", "256,3,", "--hidden 256,3,: expected a comma-separated list of at most 8 integers in 1..1048576 "
                             "(element 3 is empty)"},
        {"hidden", ",3", "(element 1 is empty)"},
        {"hidden", "", "(element 1 is empty)"},
        {"hidden", "+256", "--hidden +256: expected a comma-separated list of at most 8 integers in 1..1048576 "
                           "(element 1, '+256', is not one)"},
        {"hidden", "256, 3", "(element 2, ' 3', is not one)"},
        {"hidden", "256x", "(element 1, '256x', is not one)"},
        {"hidden", "0x10", "(element 1, '0x10', is not one)"},
        {"hidden", "1,2,3,4,5,6,7,8,9", "--hidden 1,2,3,4,5,6,7,8,9: expected a comma-separated list of at most 8"},
        {"dim", "+8", "--dim +8: expected an integer in 1..4096"},
        {"dim", " 8", "--dim  8: expected an integer in 1..4096"},
        {"dim", "8 ", "--dim 8 : expected an integer in 1..4096"},
        {"dim", "", "--dim : expected an integer in 1..4096"},
        {"seed", " -1", "--seed  -1: expected a non-negative integer"},
        {"seed", "+1", "--seed +1: expected a non-negative integer"},
        {"lr", "0x10", "--lr 0x10: expected a finite number in [1e-12, 1000]"},
        {"lr", " 0.1", "--lr  0.1: expected a finite number"},
        {"lr", "+0.1", "--lr +0.1: expected a finite number"},
        {"lr", "0.1.2", "--lr 0.1.2: expected a finite number"},
        {"lr", "1e", "--lr 1e: expected a finite number"},
        {"lr", "inf", "--lr inf: expected a finite number"},
    };
    for (size_t i = 0; i < sizeof strict / sizeof strict[0]; i++) {
        if (!strcmp(strict[i].name, "hidden"))
            expect_refused(GIVEN({"model", "mlp"}, {strict[i].name, strict[i].value}), 2, strict[i].message);
        else
            expect_refused(GIVEN({strict[i].name, strict[i].value}), 1, strict[i].message);
    }
    /* and what a plain decimal is */
    dsml_train_config ok;
    ck_assert_msg(build(&ok, GIVEN({"model", "mlp"}, {"hidden", "256,3"}, {"lr", "1e-3"}, {"momentum", ".5"},
                                   {"wd", "0."}, {"clip-grad", "1E+2"}, {"seed", "007"}), 7) == DSML_OK,
                  "%s", dsml_last_error());
    ck_assert_int_eq(ok.n_hidden, 2);
    ck_assert_int_eq(ok.hidden[1], 3);
    ck_assert_float_eq(ok.momentum, 0.5f);
    ck_assert_float_eq(ok.clip_grad, 100.0f);
    ck_assert_int_eq(build(&ok, GIVEN({"loss", "gpw"}, {"gpw-lambda", "-0.5"}), 2), DSML_OK);
    /* the same thing twice is fine */
    dsml_train_config cfg;
    ck_assert_int_eq(build(&cfg, GIVEN({"equations", "paper"}, {"loss", "lifted"}, {"lifted-hard", NULL}), 3),
                     DSML_OK);
    ck_assert_int_eq(cfg.loss.equations, DSML_EQUATIONS_PAPER);
    ck_assert_int_eq(cfg.loss.lifted.hard, 1);
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "vmf"}, {"equations", "common"}), 2), DSML_OK);
}
END_TEST

START_TEST(test_check_of_a_filled_config)
{
    dsml_train_config cfg;
    dsml_train_config_default(&cfg);
    ck_assert_int_eq(dsml_train_config_check(&cfg), DSML_OK);
    cfg.epochs = 1001;
    ck_assert_int_eq(dsml_train_config_check(&cfg), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "--epochs 1001: expected an integer in 1..1000");
    cfg.epochs = 0;
    ck_assert_int_eq(dsml_train_config_check(&cfg), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_last_error(), "--epochs 0: expected an integer in 1..1000");
    dsml_train_config_default(&cfg);
    cfg.momentum = 1.0f;
    ck_assert_int_eq(dsml_train_config_check(&cfg), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "--momentum 1: expected a finite number in [0, 0.999999]"));
    dsml_train_config_default(&cfg);
    cfg.lr = NAN;
    ck_assert_int_eq(dsml_train_config_check(&cfg), DSML_ERR_ARG);
    dsml_train_config_default(&cfg);
    cfg.loss.loss = (dsml_loss_kind)99;
    ck_assert_int_eq(dsml_train_config_check(&cfg), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "--loss: kind 99"));
}
END_TEST

/* Every numeric option's range is enforced, the message naming the option,
 * the range and the value: just below the lower bound and just above the
 * upper one, in a run that takes the option. */
START_TEST(test_every_range_is_enforced)
{
    for (int i = 0; i < dsml_train_option_count(); i++) {
        const dsml_train_option *o = dsml_train_option_at(i);
        if (!o->name || (o->type != DSML_OPT_INT && o->type != DSML_OPT_FLOAT)) continue;
        dsml_option_given given[4];
        int n = 0;
        if (o->flags & DSML_OPT_BY_MODEL) given[n++] = (dsml_option_given){"model", "mlp"};
        for (int k = 0; (o->flags & DSML_OPT_BY_LOSS) && k < DSML_LOSS_COUNT; k++)
            if (dsml_loss_takes_option((dsml_loss_kind)k, o->name)) {
                given[n++] = (dsml_option_given){"loss", dsml_loss_name((dsml_loss_kind)k)};
                break;
            }
        if (!strcmp(o->name, "density-ratio")) given[n++] = (dsml_option_given){"density", "0.1"};
        char values[2][64], message[256];
        if (o->type == DSML_OPT_INT) {
            snprintf(values[0], sizeof values[0], "%.0f", o->lo - 1);
            snprintf(values[1], sizeof values[1], "%.0f", o->hi + 1);
        } else {
            snprintf(values[0], sizeof values[0], "%.17g", o->lo > 0 ? o->lo / 2 : o->lo < 0 ? 2 * o->lo : -1);
            snprintf(values[1], sizeof values[1], "%.17g", 2 * o->hi + 1);
        }
        for (int b = 0; b < 2; b++) {
            if (o->type == DSML_OPT_INT)
                snprintf(message, sizeof message, "--%s %s: expected an integer in %.0f..%.0f", o->name, values[b],
                         o->lo, o->hi);
            else
                snprintf(message, sizeof message, "--%s %s: expected a finite number in [%g, %g]", o->name, values[b],
                         o->lo, o->hi);
            given[n] = (dsml_option_given){o->name, values[b]};
            expect_refused(given, n + 1, message);
        }
    }
}
END_TEST

/* ---- metrics.json ----------------------------------------------------------------- */

/* The config object for cfg, as compact text (no white space outside strings). */
static const char *config_json(const dsml_train_config *cfg)
{
    static char text[8192], compact[8192];
    FILE *fp = fmemopen(text, sizeof text, "w");
    ck_assert_ptr_nonnull(fp);
    dsml_json j;
    dsml_json_init(&j, fp);
    dsml_train_config_write_json(&j, cfg);
    fclose(fp);
    int in_string = 0, n = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '"' && (p == text || p[-1] != '\\')) in_string = !in_string;
        if (in_string || (*p != ' ' && *p != '\n')) compact[n++] = *p;
    }
    compact[n] = '\0';
    return compact;
}

/* A hand copy of the object metrics.json has always held (docs/results.md):
 * the keys, their order and when each is written. */
START_TEST(test_config_object_matches_the_format)
{
    dsml_train_config cfg;
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "lifted"}, {"distance", "snr"}, {"model", "mlp"}, {"hidden", "64,32"},
                                       {"beta", "8"}, {"seed", "3"}, {"dataset", "cifar10"}),
                           7), DSML_OK);
    const char *text = config_json(&cfg);
    static const char *const keys[] = {
        "\"dataset\":\"cifar10\"", "\"protocol\":\"dml\"", "\"split\":\"default\"", "\"model\":\"mlp\"",
        "\"dim\":32", "\"hidden\":[64,32]", "\"dropout\":0", "\"loss\":\"lifted\"", "\"distance\":\"snr\"",
        "\"equations\":\"common\"", "\"margin\":1", "\"beta\":8", "\"lambda\":0.0099999997764825821",
        "\"lifted_hard\":false",
        "\"npair_l2\":0", "\"density\":0", "\"epochs\":10", "\"classes_per_batch\":10",
        "\"images_per_class\":10", "\"lr\":0.0099999997764825821", "\"momentum\":0.89999997615814209",
        "\"weight_decay\":0.00050000002374872565", "\"clip_grad\":0", "\"seed\":3", "\"threads\":2",
        "\"map_at\":0", "\"f1_at\":5000",
    };
    const char *at = text;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *found = strstr(at, keys[i]);
        ck_assert_msg(found, "%s missing or out of order in %s", keys[i], text);
        at = found;
    }
    /* written only where they apply */
    ck_assert_ptr_null(strstr(text, "quant"));
    ck_assert_ptr_null(strstr(text, "density_ratio"));
    ck_assert_ptr_null(strstr(text, "gpw_"));
    ck_assert_ptr_null(strstr(text, "vmf_kappa"));
    ck_assert_ptr_null(strstr(text, "queries_per_class")); /* data.split's, written by the writer */
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "gpw"}, {"gpw-mining", "none"}), 2), DSML_OK);
    text = config_json(&cfg);
    ck_assert_ptr_nonnull(strstr(text, "\"gpw_mining\":\"none\",\"gpw_weighting\":\"ms\",\"gpw_alpha\":2"));
    ck_assert_ptr_null(strstr(text, "hidden"));
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "triplet"}, {"density", "0.1"}), 2), DSML_OK);
    ck_assert_ptr_nonnull(strstr(config_json(&cfg), "\"density\":0.10000000149011612,\"density_ratio\":0.5"));
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "dtsh"}, {"protocol", "hashing"}), 2), DSML_OK);
    ck_assert_ptr_nonnull(strstr(config_json(&cfg), "\"npair_l2\":0,\"quant\":0.10000000149011612"));
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "vmf"}), 1), DSML_OK);
    ck_assert_ptr_nonnull(strstr(config_json(&cfg), "\"vmf_kappa\":16,\"epochs\":10"));
    ck_assert_int_eq(build(&cfg, GIVEN({"loss", "npair"}, {"equations", "paper"}), 2), DSML_OK);
    ck_assert_ptr_nonnull(strstr(config_json(&cfg), "\"distance\":\"euclidean\",\"equations\":\"paper\""));
}
END_TEST

/* A value of o unlike what the run base has (numbers: probes that differ
 * from every default a loss, protocol or model decides; kinds: the next). */
static const char *probe_value(const dsml_train_option *o, const dsml_train_config *base, char *buf, size_t size)
{
    static const struct { const char *name, *value; } probes[] = {
        {"dataset", "cifar10"}, {"classes", "0,1,2"}, {"queries-per-class", "7"}, {"train-per-class", "7"},
        {"validation-per-class", "3"}, {"resize", "24"}, {"input-size", "24"}, {"dim", "16"}, {"hidden", "64,32"},
        {"dropout", "0.25"}, {"freeze", "1"}, {"margin", "0.75"}, {"beta", "3"}, {"lambda", "0.5"},
        {"npair-l2", "0.25"}, {"quant", "0.75"}, {"density", "0.25"}, {"density-ratio", "0.25"},
        {"gpw-alpha", "7"}, {"gpw-beta", "7"}, {"gpw-lambda", "0.25"}, {"gpw-epsilon", "0.25"}, {"kappa", "3"},
        {"epochs", "3"}, {"batch", "50"}, {"images-per-class", "5"}, {"lr", "0.25"}, {"momentum", "0.25"},
        {"wd", "0.25"}, {"clip-grad", "3"}, {"lr-new-layer-mult", "3"}, {"steps", "3"}, {"seed", "7"},
        {"threads", "3"}, {"map-at", "7"}, {"f1-at", "7"},
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        if (!strcmp(probes[i].name, o->name)) return probes[i].value;
    if (o->type == DSML_OPT_FLAG) return NULL;
    ck_assert_msg(o->type == DSML_OPT_ENUM, "--%s: give the walk a probe value", o->name);
    int now = *(const int *)((const char *)base + o->offset); /* the kind after the one the run has */
    snprintf(buf, size, "%s", o->kinds->name((now + 1) % o->kinds->count()));
    return buf;
}

/* Every option, with every loss, both protocols and two networks: either
 * refused with a message naming it, or it changes the run's configuration
 * (and, where it is recorded under config., metrics.json's config object).
 * Options that name files (from, data, weights, out) are walked by the
 * tests of their readers; --quiet and --no-embeddings change only output. */
START_TEST(test_every_option_is_taken_or_refused)
{
    static const char *const protocols[] = {"dml", "hashing"}, *const models[] = {"convnet", "mlp"};
    int taken = 0, refused = 0;
    for (int i = 0; i < dsml_train_option_count(); i++) {
        const dsml_train_option *o = dsml_train_option_at(i);
        if (!o->name || o->type == DSML_OPT_PATH || !strcmp(o->name, "quiet") || !strcmp(o->name, "no-embeddings"))
            continue;
        if (!strcmp(o->name, "loss") || !strcmp(o->name, "protocol") || !strcmp(o->name, "model")) continue;
        char buf[64];
        for (int k = 0; k < DSML_LOSS_COUNT; k++)
            for (int p = 0; p < 2; p++)
                for (int m = 0; m < 2; m++) {
                    const char *loss = dsml_loss_entry_of((dsml_loss_kind)k)->name;
                    dsml_train_config base, with;
                    if (build(&base, GIVEN({"loss", loss}, {"protocol", protocols[p]}, {"model", models[m]}), 3))
                        continue;
                    char base_json[8192];
                    snprintf(base_json, sizeof base_json, "%s", config_json(&base));
                    const char *value = probe_value(o, &base, buf, sizeof buf);
                    int rc = build(&with, GIVEN({"loss", loss}, {"protocol", protocols[p]}, {"model", models[m]},
                                                {o->name, value}), 4);
                    if (rc) {
                        char flag[80];
                        snprintf(flag, sizeof flag, "--%s", o->name);
                        ck_assert_msg(strstr(dsml_last_error(), flag) || strstr(dsml_last_error(), loss),
                                      "%s %s %s --%s %s: refused without naming it: %s", loss, protocols[p],
                                      models[m], o->name, value ? value : "", dsml_last_error());
                        refused++;
                        continue;
                    }
                    taken++;
                    with.log = base.log = NULL;
                    ck_assert_msg(memcmp(&base, &with, sizeof base) != 0, "%s %s %s --%s %s: accepted, ignored", loss,
                                  protocols[p], models[m], o->name, value ? value : "");
                    if (o->json && !strncmp(o->json, "config.", 7))
                        ck_assert_msg(strcmp(base_json, config_json(&with)) != 0,
                                      "%s %s %s --%s %s: accepted, not recorded in %s", loss, protocols[p],
                                      models[m], o->name, value ? value : "", o->json);
                }
    }
    ck_assert_int_gt(taken, 100);
    ck_assert_int_gt(refused, 100);
}
END_TEST

/* Whether a run recorded what a sweep gives, read back through results/. */
START_TEST(test_recorded_values)
{
    ck_assert_ptr_nonnull(testdir_make("train-options-recorded"));
    const char *path = testdir_path("metrics.json");
    testdir_write_text(path, "{\"config\": {\"loss\": \"lifted\", \"dim\": 16, \"margin\": 0.5, \"lr\": "
                             "0.0099999997764825821, \"hidden\": [64, 32], \"lifted_hard\": true, "
                             "\"classes_per_batch\": 10, \"images_per_class\": 5, \"seed\": 3, \"dropout\": null, "
                             "\"equations\": \"paper\"}}");
    dsml_run_metrics m;
    ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
    char why[256];
    static const struct { const char *option, *value; int same; const char *why; } cases[] = {
        {"loss", "lifted", 1, ""},
        {"loss", "triplet", 0, "loss: sweep triplet, run lifted"},
        {"dim", "16", 1, ""},
        {"dim", "32", 0, "dim: sweep 32, run 16"},
        {"margin", "0.5", 1, ""},
        {"margin", "1", 0, "margin: sweep 1, run 0.5"},
        {"lr", "0.01", 1, ""}, /* compared at float precision */
        {"hidden", "64,32", 1, ""},
        {"hidden", "64", 0, "hidden: sweep 64, the run records another list"},
        {"hidden", "64,32,16", 0, "hidden: sweep 64,32,16, the run records another list"},
        {"lifted-hard", "1", 1, ""},
        {"batch", "50", 1, ""},
        {"batch", "40", 0, "batch: sweep 40, run 50"},
        {"seed", "3", 1, ""},
        {"epochs", "3", 0, "epochs: sweep 3, the run records none (config.epochs)"},
        {"dropout", "0", 0, "dropout: sweep 0, the run records none (config.dropout)"},
        {"from", "/x", 1, ""}, /* not recorded: never stale */
        {"equations", "paper", 1, ""},
        {"equations", "common", 0, "equations: sweep common, run paper"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        why[0] = '\0';
        const dsml_train_option *o = dsml_train_option_find(cases[i].option);
        ck_assert_int_eq(dsml_train_option_recorded(o, cases[i].value, &m, why, sizeof why), cases[i].same);
        ck_assert_msg(!strcmp(why, cases[i].why), "%s=%s: '%s'", cases[i].option, cases[i].value, why);
    }
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

/* ---- --help --------------------------------------------------------------------- */

START_TEST(test_help_lists_every_option)
{
    static char text[32768];
    FILE *fp = fmemopen(text, sizeof text, "w");
    ck_assert_ptr_nonnull(fp);
    dsml_train_options_help(fp, ~0u);
    fclose(fp);
    for (int i = 0; i < dsml_train_option_count(); i++) {
        const dsml_train_option *o = dsml_train_option_at(i);
        if (!o->name) continue;
        char flag[64];
        snprintf(flag, sizeof flag, "  --%s%s", o->name, o->value_name ? " " : "");
        ck_assert_msg(strstr(text, flag), "%s not in the help", flag);
    }
    ck_assert_ptr_nonnull(strstr(text, "data:\n"));
    ck_assert_ptr_nonnull(strstr(text, "optimisation:\n"));
    ck_assert_ptr_nonnull(strstr(text, "contrastive, triplet, lifted, npair, vmf, gpw,"));
    ck_assert_ptr_nonnull(strstr(text, "vmf: concentration (default 16)"));     /* from the loss registry */
    ck_assert_ptr_nonnull(strstr(text, "  --epochs N              epochs, 1..1000 (default 10)\n"));
    ck_assert_ptr_nonnull(strstr(text, "the network: mlp, convnet, alexnet or cnn-f (default convnet)"));
    for (const char *p = text; *p;) { /* wrapped to 100 columns */
        size_t len = strcspn(p, "\n");
        ck_assert_msg(len <= 100, "a help line of %zu characters: %.*s", len, (int)len, p);
        p += len + (p[len] == '\n');
    }
    fp = fmemopen(text, sizeof text, "w");
    dsml_train_options_help(fp, 1u << DSML_SECTION_LOSS);
    fclose(fp);
    ck_assert_ptr_null(strstr(text, "--dataset"));
    ck_assert_ptr_nonnull(strstr(text, "--margin A"));
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"table", 60, (const TTest *[]){test_table_is_consistent, NULL}},
        {"build", 60, (const TTest *[]){test_defaults, test_the_loss_and_protocol_decide_defaults,
                                        test_refusals_and_bad_values, test_check_of_a_filled_config, NULL}},
        {"metrics.json", 60, (const TTest *[]){test_config_object_matches_the_format, test_recorded_values, NULL}},
        {"walk", 120, (const TTest *[]){test_every_option_is_taken_or_refused, test_every_range_is_enforced, NULL}},
        {"help", 60, (const TTest *[]){test_help_lists_every_option, NULL}},
    };
    return suite_run_cases("train_options", cases, SUITE_CASES(cases));
}
