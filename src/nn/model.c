/* A model: a registry entry's description for a config, run by the
 * sequential executor; see model.h. */
#include "nn/model.h"
#include "core/error.h"
#include "core/names.h"
#include "nn/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dsml_model {
    dsml_model_config cfg;
    dsml_network *net; /* owned */
};

static int check_config(const dsml_model_config *c)
{
    const dsml_model_entry *e = dsml_model_entry_of(c->kind);
    if (!e) {
        const char *names[DSML_MODEL_KINDS];
        char expected[256];
        dsml_model_names(names);
        dsml_names_join(names, DSML_MODEL_KINDS, expected, sizeof expected);
        return dsml_fail(DSML_ERR_ARG, "model: kind %d, expected %s", (int)c->kind, expected);
    }
    if (c->channels < 1 || c->height < 1 || c->width < 1)
        return dsml_fail(DSML_ERR_ARG, "model: input shape %dx%dx%d, expected positive sizes", c->channels,
                         c->height, c->width);
    if (c->dim < 1) return dsml_fail(DSML_ERR_ARG, "model: dim %d, expected >= 1", c->dim);
    if (c->max_batch < 1) return dsml_fail(DSML_ERR_ARG, "model: max_batch %d, expected >= 1", c->max_batch);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return dsml_fail(DSML_ERR_ARG, "model: dropout %g, expected 0 <= p < 1", (double)c->dropout);
    if (c->height % e->size_multiple || c->width % e->size_multiple)
        return dsml_fail(DSML_ERR_ARG, "model: %s input %dx%d, expected height and width divisible by %d", e->name,
                         c->height, c->width, e->size_multiple);
    if (dsml_model_takes_option(c->kind, "hidden")) {
        if (c->n_hidden < 0 || c->n_hidden > 8)
            return dsml_fail(DSML_ERR_ARG, "model: %d hidden layers, expected 0..8", c->n_hidden);
        for (int i = 0; i < c->n_hidden; i++)
            if (c->hidden[i] < 1 || c->hidden[i] > (1 << 24))
                return dsml_fail(DSML_ERR_ARG, "model: hidden size %d of layer %d, expected 1..16777216",
                                 c->hidden[i], i + 1);
    }
    return DSML_OK;
}

int dsml_model_create(dsml_model **out, const dsml_model_config *cfg, dsml_rng *rng)
{
    *out = NULL;
    int rc = check_config(cfg);
    if (rc) return rc;
    if (!rng) return dsml_fail(DSML_ERR_ARG, "model: creating a model needs a random generator for the init");
    dsml_model *m = calloc(1, sizeof *m);
    if (!m) return dsml_fail(DSML_ERR_NOMEM, "model: %zu bytes", sizeof *m);
    m->cfg = *cfg;
    int takes_hidden = dsml_model_takes_option(cfg->kind, "hidden");
    if (!takes_hidden) m->cfg.n_hidden = 0;
    for (int i = m->cfg.n_hidden; i < 8; i++) m->cfg.hidden[i] = 0;
    dsml_layer_spec layers[DSML_NETWORK_MAX_LAYERS];
    int count = dsml_model_entry_of(cfg->kind)->describe(&m->cfg, layers);
    rc = dsml_network_create(&m->net, layers, count, cfg->channels, cfg->height, cfg->width, cfg->max_batch, rng);
    if (rc == DSML_OK && dsml_network_out_features(m->net) != cfg->dim)
        rc = dsml_fail(DSML_ERR_ARG, "model: %s ends in %d features, expected dim %d", dsml_model_kind_name(cfg->kind),
                       dsml_network_out_features(m->net), cfg->dim);
    if (rc) {
        dsml_model_free(m);
        return rc;
    }
    *out = m;
    return DSML_OK;
}

int dsml_model_forward(dsml_model *m, const float *x, int n, int training, dsml_rng *rng,
                       const float **embeddings)
{
    return dsml_network_forward(m->net, x, n, training, rng, embeddings);
}

int dsml_model_backward(dsml_model *m, const float *dembeddings, int n)
{
    return dsml_network_backward(m->net, dembeddings, n);
}

void dsml_model_zero_grad(dsml_model *m) { dsml_network_zero_grad(m->net); }

float *dsml_model_params(dsml_model *m, size_t *count) { return dsml_network_params(m->net, count); }

float *dsml_model_grads(dsml_model *m, size_t *count) { return dsml_network_grads(m->net, count); }

const dsml_model_config *dsml_model_get_config(const dsml_model *m) { return &m->cfg; }

dsml_network *dsml_model_network(dsml_model *m) { return m->net; }

double dsml_model_flops_per_image(const dsml_model *m, int training)
{
    return dsml_network_flops_per_image(m->net, training);
}

/* Writes v with thousands separators ("863,392"). */
static void with_commas(char *buf, size_t size, size_t v)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", v), o = 0;
    char tmp[48];
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(buf, size, "%s", tmp);
}

void dsml_model_describe(const dsml_model *m, char *buf, size_t size)
{
    const dsml_model_config *c = &m->cfg;
    char count[48], hidden[128] = "";
    size_t n_params;
    dsml_network_params(m->net, &n_params);
    with_commas(count, sizeof count, n_params);
    size_t used = 0;
    for (int i = 0; i < c->n_hidden && used < sizeof hidden; i++)
        used += (size_t)snprintf(hidden + used, sizeof hidden - used, " -> %d", c->hidden[i]);
    int len = snprintf(buf, size, "%s %dx%dx%d%s -> %d, %s parameters", dsml_model_kind_name(c->kind), c->channels,
                       c->height, c->width, hidden, c->dim, count);
    if (c->dropout > 0.0f && len >= 0 && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, ", dropout %g", (double)c->dropout);
}

void dsml_model_free(dsml_model *m)
{
    if (!m) return;
    dsml_network_free(m->net);
    free(m);
}
