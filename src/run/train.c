/* One training run end to end; see train.h. */
#include "run/train.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/progress.h"
#include "core/rng.h"
#include "core/timer.h"
#include "data/class_subset.h"
#include "data/dataset.h"
#include "data/sampler.h"
#include "data/split.h"
#include "eval/cluster.h"
#include "eval/eval_run.h"
#include "eval/retrieval.h"
#include "metric/l2norm.h"
#include "metric/vmf.h"
#include "nn/sgd.h"
#include "results/embeddings.h"
#include "results/metrics_write.h"
#include "run/batch.h"
#include "run/train_options.h"
#include "run/embed.h"
#include "run/input_pipeline.h"
#include "run/pretrained.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Independent random streams derived from the run's seed. */
/* k-means draws from stream 5, DSML_EVAL_KMEANS_STREAM, which `dsml eval --run` shares */
enum { STREAM_SPLIT = 1, STREAM_INIT, STREAM_SAMPLER, STREAM_DROPOUT, STREAM_KMEANS, STREAM_AUGMENT };
_Static_assert(STREAM_KMEANS == DSML_EVAL_KMEANS_STREAM, "dsml eval --run repeats the trainer's k-means stream");

/* Everything a run allocates, released in one place. */
typedef struct {
    dsml_dataset ds;
    int have_ds;
    dsml_split split;
    int have_split;
    dsml_model *model;
    dsml_loss_ws *loss_ws;
    dsml_sampler sampler;
    int have_sampler;
    dsml_sgd sgd;
    int have_sgd;
    int *batch_indices, *batch_labels;
    float *xbuf, *dh;
    float *query_emb, *db_emb;
    int *query_labels, *db_labels;
    int *clusters;
    dsml_vmf_means *vmf;   /* vmf loss only: class mean directions */
    float *train_emb;      /* vmf loss only: training-set embeddings for the means */
    uint64_t *batch_sets;  /* multi-label dataset with contrastive/dpsh/dtsh: label sets of the batch */
    uint64_t *query_sets, *db_sets; /* multi-label dataset: label sets for the evaluation */
    dsml_input_pipeline pipe;  /* cached images to the network's input */
    int have_pipe;
    int set_aside;             /* an earlier run's metrics.json is metrics.stale.json for the time of this run */
    int embeddings_replaced;   /* this run's embeddings.bin is in place: the earlier metrics no longer fit it */
    dsml_tensor_set weights;   /* --weights, read before the network exists, freed once applied */
    dsml_pretrained_report pretrained; /* --weights: where each layer's values came from */
    float layer_lr_mult[DSML_NETWORK_MAX_LAYERS]; /* --weights: per layer with parameters; 0 = frozen */
    char weights_format[16], weights_sha256[65];
} run_state;

static void run_state_free(run_state *s)
{
    free(s->batch_indices);
    free(s->batch_labels);
    free(s->xbuf);
    free(s->dh);
    free(s->query_emb);
    free(s->db_emb);
    free(s->query_labels);
    free(s->db_labels);
    free(s->clusters);
    free(s->train_emb);
    free(s->batch_sets);
    free(s->query_sets);
    free(s->db_sets);
    dsml_vmf_means_free(s->vmf);
    if (s->have_pipe) dsml_input_pipeline_free(&s->pipe);
    dsml_tensor_set_free(&s->weights);
    if (s->have_sgd) dsml_sgd_free(&s->sgd);
    if (s->have_sampler) dsml_sampler_free(&s->sampler);
    if (s->loss_ws) dsml_loss_ws_free(s->loss_ws);
    if (s->model) dsml_model_free(s->model);
    if (s->have_split) dsml_split_free(&s->split);
    if (s->have_ds) dsml_dataset_free(&s->ds);
}

static void *alloc_array(size_t count, size_t size, int *rc)
{
    void *p = count ? calloc(count, size) : NULL;
    if (count && !p && *rc == DSML_OK) *rc = dsml_fail(DSML_ERR_NOMEM, "cannot allocate %zu bytes", count * size);
    return p;
}

/* vMF: the class mean directions from the current model's embeddings of
 * the whole training set (docs/losses.md, "vMF"). */
static int update_vmf_means(const dsml_train_config *cfg, run_state *s)
{
    int batch = cfg->classes_per_batch * cfg->images_per_class, n = s->split.n_train;
    int rc = dsml_embed(s->model, cfg->dim, &s->ds, &s->pipe, s->split.train, n, batch, s->xbuf, s->train_emb);
    if (rc) return rc;
    dsml_vmf_means_begin(s->vmf);
    for (int i = 0; i < n; i++) {
        int label = s->ds.labels[s->split.train[i]];
        rc = dsml_vmf_means_add(s->vmf, s->train_emb + (size_t)i * cfg->dim, &label, 1);
        if (rc) return rc;
    }
    return dsml_vmf_means_finish(s->vmf);
}

/* The weights file to read: the resolved name, else --weights itself. */
static const char *weights_file(const dsml_train_config *cfg)
{
    return cfg->weights_file[0] ? cfg->weights_file : cfg->weights;
}

/* One SGD update: the whole block at once, or, from pretrained weights,
 * layer by layer at each layer's rate, frozen layers left alone. */
static void sgd_step(const dsml_train_config *cfg, run_state *s, float *params, const float *grads)
{
    if (!cfg->weights[0]) {
        dsml_sgd_step(&s->sgd, params, grads);
        return;
    }
    for (int i = 0; i < s->pretrained.count; i++) {
        const dsml_pretrained_layer *l = &s->pretrained.layers[i];
        if (s->layer_lr_mult[i] > 0)
            dsml_sgd_step_range(&s->sgd, params, grads, l->param_offset, l->param_offset + l->param_count,
                                s->layer_lr_mult[i]);
    }
}

/* --weights: the file's tensors into the network, each layer's learning-rate
 * multiplier (frozen: 0; freshly initialised: --lr-new-layer-mult), and what
 * metrics.json records of it. */
static int load_weights(const dsml_train_config *cfg, run_state *s, dsml_finished_run *rec)
{
    const dsml_tensor_set *set = &s->weights;
    int rc = dsml_pretrained_apply(dsml_model_network(s->model), set, weights_file(cfg), &s->pretrained);
    if (rc == DSML_OK && cfg->freeze > s->pretrained.count)
        rc = dsml_fail(DSML_ERR_ARG, "--freeze %d: the network has %d layers with parameters", cfg->freeze,
                       s->pretrained.count);
    /* a multiplier with no fresh layer to scale would change nothing: refused rather than ignored */
    if (rc == DSML_OK && cfg->lr_new_layer_mult != 1.0f && s->pretrained.loaded == s->pretrained.count)
        rc = dsml_fail(DSML_ERR_ARG, "--lr-new-layer-mult %g: every layer with parameters (%d of %d) was loaded from "
                       "%s, so there is no new layer for it to act on (leave it at 1, or give a --dim other than "
                       "the file's last layer's width, %d)", cfg->lr_new_layer_mult, s->pretrained.loaded,
                       s->pretrained.count, weights_file(cfg), s->pretrained.last_width);
    if (rc == DSML_OK) {
        snprintf(s->weights_format, sizeof s->weights_format, "%s", set->format);
        snprintf(s->weights_sha256, sizeof s->weights_sha256, "%s", set->sha256);
    }
    dsml_tensor_set_free(&s->weights);
    if (rc) return rc;
    const dsml_pretrained_report *r = &s->pretrained;
    if (cfg->freeze) /* no gradients below the layer after the last frozen one (within 1..count: cannot fail) */
        dsml_network_set_trainable_from(dsml_model_network(s->model), r->layers[cfg->freeze - 1].layer + 1);
    for (int i = 0; i < r->count; i++) {
        const dsml_pretrained_layer *l = &r->layers[i];
        s->layer_lr_mult[i] = i < cfg->freeze ? 0.0f : l->fresh ? cfg->lr_new_layer_mult : 1.0f;
        rec->param_layer_source[i] = l->fresh ? NULL : l->source;
        if (cfg->log)
            fprintf(cfg->log, "weights: layer %d (%s): %s%s\n", i + 1,
                    dsml_network_layer_at(dsml_model_network(s->model), l->layer)->spec.kind == DSML_LAYER_CONV
                        ? "conv" : "linear",
                    l->fresh ? "fresh" : l->source, i < cfg->freeze ? ", frozen" : "");
    }
    rec->n_param_layers = r->count;
    rec->frozen_layers = cfg->freeze;
    rec->weights = weights_file(cfg);
    rec->weights_format = s->weights_format;
    rec->weights_sha256 = s->weights_sha256;
    if (cfg->log)
        fprintf(cfg->log, "weights: %s (%s, sha256 %s): %d of %d layers loaded\n", weights_file(cfg), s->weights_format,
                s->weights_sha256, r->loaded, r->count);
    return DSML_OK;
}

/* metrics.json's "input" object: dsml_finished_run's writer callback. */
static void write_input(dsml_json *j, const void *pipe) { dsml_input_pipeline_write_json(j, pipe); }

/* --norm weights: the weights file's average image (3 x H x W, or 3 values). */
static int average_image(const dsml_train_config *cfg, const run_state *s, dsml_input_spec *spec)
{
    const dsml_tensor *t = dsml_tensor_set_find(&s->weights, "normalization.average_image");
    if (!t) return dsml_fail(DSML_ERR_ARG, "--norm weights: %s holds no average image "
                             "(normalization.average_image; a MatConvNet file has one)", cfg->weights);
    spec->norm = DSML_INPUT_NORM_MEAN_IMAGE;
    if (t->ndim == 3) {
        spec->mean_image = t->data;
        spec->mean_c = (int)t->shape[0], spec->mean_h = (int)t->shape[1], spec->mean_w = (int)t->shape[2];
    } else if (t->ndim == 1 && t->shape[0] >= 1 && t->shape[0] <= DSML_MAX_CHANNELS) {
        for (int c = 0; c < (int)t->shape[0]; c++) spec->pixel_mean[c] = t->data[c];
    } else
        return dsml_fail(DSML_ERR_FORMAT, "%s: normalization.average_image: expected C x H x W or C values",
                         cfg->weights);
    return DSML_OK;
}

/* Cached images to the network's input (run/input_pipeline.h): its side is
 * --input-size, else the network's own (alexnet 227, cnn-f 224), else the
 * resized size; images are resized to --resize, else up to that side when
 * the cache is smaller; a side smaller than the resized image is a centre
 * crop, random with --augment (which also flips); --norm normalises. */
static int open_pipeline(const dsml_train_config *cfg, run_state *s, const dsml_input_norm *fitted, int batch,
                         dsml_finished_run *rec)
{
    static const float imagenet_mean[3] = {0.485f, 0.456f, 0.406f}, imagenet_std[3] = {0.229f, 0.224f, 0.225f};
    dsml_input_spec spec;
    dsml_input_spec_default(&spec);
    int native_side, native_channels;
    dsml_model_native_input(cfg->model, &native_side, &native_channels);
    spec.channels = native_channels;
    int side = cfg->input_size ? cfg->input_size : native_side;
    if (cfg->resize) spec.resize_h = spec.resize_w = cfg->resize;
    else if (side && (side > s->ds.height || side > s->ds.width)) spec.resize_h = spec.resize_w = side;
    int resized_h = spec.resize_h ? spec.resize_h : s->ds.height, resized_w = spec.resize_w ? spec.resize_w : s->ds.width;
    if (side) {
        spec.out_h = spec.out_w = side;
        if (resized_h != side || resized_w != side) spec.crop = DSML_INPUT_CROP_CENTRE;
    }
    if (cfg->augment) spec.crop = DSML_INPUT_CROP_RANDOM, spec.flip = 1;
    int rc = DSML_OK;
    if (cfg->norm == DSML_NORM_IMAGENET) {
        int channels = spec.channels ? spec.channels : s->ds.channels;
        if (channels != 3)
            return dsml_fail(DSML_ERR_ARG, "--norm imagenet: the network reads %d channels, ImageNet's statistics "
                             "are for 3", channels);
        spec.norm = DSML_INPUT_NORM_GIVEN;
        memcpy(spec.mean, imagenet_mean, sizeof imagenet_mean);
        memcpy(spec.std, imagenet_std, sizeof imagenet_std);
    } else if (cfg->norm == DSML_NORM_WEIGHTS && (rc = average_image(cfg, s, &spec)) != DSML_OK)
        return rc;
    if ((rc = dsml_input_pipeline_init(&s->pipe, &spec, &s->ds, fitted, batch, cfg->threads)) != DSML_OK) return rc;
    s->have_pipe = 1;
    const dsml_input_pipeline *p = &s->pipe;
    /* metrics.json says how images came in whenever it is not the cache as it is, normalised as fitted */
    if (p->out_h != s->ds.height || p->out_w != s->ds.width || p->resize_h != s->ds.height ||
        p->resize_w != s->ds.width || p->channels != s->ds.channels || cfg->augment || cfg->norm != DSML_NORM_FIT) {
        rec->write_input = write_input;
        rec->input = p;
        if (cfg->log) {
            char line[512];
            dsml_input_pipeline_describe(p, line, sizeof line);
            fprintf(cfg->log, "input: %s\n", line);
        }
    }
    return DSML_OK;
}

static int train_epochs(const dsml_train_config *cfg, run_state *s, dsml_finished_run *rec)
{
    int batch = cfg->classes_per_batch * cfg->images_per_class;
    int batches = dsml_sampler_batches_per_epoch(&s->sampler);
    size_t n_params;
    float *params = dsml_model_params(s->model, &n_params);
    float *grads = dsml_model_grads(s->model, &n_params);
    dsml_rng dropout_rng, augment_rng;
    dsml_rng_seed_stream(&dropout_rng, cfg->seed, STREAM_DROPOUT);
    dsml_rng_seed_stream(&augment_rng, cfg->seed, STREAM_AUGMENT);
    dsml_loss_params loss_params = cfg->loss;
    loss_params.vmf.means = s->vmf;

    /* --steps: that many batches, the last epoch cut short */
    int epochs = cfg->steps > 0 ? (cfg->steps + batches - 1) / batches : cfg->epochs;
    long total_batches = cfg->steps > 0 ? cfg->steps : (long)epochs * batches;
    if (epochs > DSML_MAX_EPOCHS)
        return dsml_fail(DSML_ERR_ARG, "--steps %d: %d epochs of %d batches, at most %d epochs", cfg->steps, epochs,
                         batches, DSML_MAX_EPOCHS);
    dsml_progress progress;
    dsml_progress_begin(&progress, cfg->log, "train", "img", (double)total_batches * batch);
    double start = dsml_now();
    long images = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
        double epoch_start = dsml_now(), loss_sum = 0;
        int epoch_batches = (int)(total_batches - (long)epoch * batches < batches ? total_batches - (long)epoch * batches
                                                                                   : batches);
        for (int b = 0; b < epoch_batches; b++) {
            dsml_sampler_next(&s->sampler, s->batch_indices, s->batch_labels);
            int rc = dsml_input_fill_train(&s->pipe, &s->ds, s->batch_indices, batch, &augment_rng, s->xbuf);
            const float *h;
            if (!rc) rc = dsml_model_forward(s->model, s->xbuf, batch, 1, &dropout_rng, &h);
            if (rc) return rc;
            double loss;
            if (s->batch_sets) { /* multi-label: pairs are similar when they share a label */
                for (int i = 0; i < batch; i++) s->batch_sets[i] = s->ds.label_bits[s->batch_indices[i]];
                rc = dsml_loss_compute_multi(&loss_params, h, s->batch_sets, 1, batch, cfg->dim, s->dh, s->loss_ws,
                                             &loss);
            } else {
                rc = dsml_loss_compute(&loss_params, h, s->batch_labels, batch, cfg->dim, s->dh, s->loss_ws, &loss);
            }
            if (rc)
                return dsml_fail_context(rc, "epoch %d, batch %d (try a smaller --lr)", epoch + 1, b + 1);
            dsml_model_zero_grad(s->model);
            rc = dsml_model_backward(s->model, s->dh, batch);
            if (rc) return rc;
            if (cfg->clip_grad > 0) dsml_clip_grad_norm(grads, n_params, cfg->clip_grad);
            sgd_step(cfg, s, params, grads);
            loss_sum += loss;
            images += batch;
            char extra[96];
            snprintf(extra, sizeof extra, "epoch %d/%d, loss %.4f", epoch + 1, epochs, loss_sum / (b + 1));
            dsml_progress_update(&progress, (double)images, extra);
        }
        rec->epoch_loss[epoch] = epoch_batches ? loss_sum / epoch_batches : 0;
        rec->epoch_seconds[epoch] = dsml_now() - epoch_start;
        rec->epochs_done = epoch + 1;
        if (s->vmf) {
            int rc = update_vmf_means(cfg, s);
            if (rc) return dsml_fail_context(rc, "epoch %d: vmf means", epoch + 1);
        }
        /* A diverged model is an error, not a result: parameters are checked once per epoch. */
        for (size_t i = 0; i < n_params; i++)
            if (!isfinite(params[i]))
                return dsml_fail(DSML_ERR_NUMERIC, "epoch %d: parameter %zu is not finite (try a smaller --lr)",
                                 epoch + 1, i);
        if (cfg->log && !progress.tty)
            fprintf(cfg->log, "epoch %d/%d: loss %.6f, %.1f s\n", epoch + 1, epochs,
                    rec->epoch_loss[epoch], rec->epoch_seconds[epoch]);
    }
    char extra[64];
    snprintf(extra, sizeof extra, "final loss %.4f", rec->epochs_done ? rec->epoch_loss[rec->epochs_done - 1] : 0.0);
    dsml_progress_end(&progress, (double)images, extra);
    rec->train_s = dsml_now() - start;
    rec->images_trained = images;
    rec->train_images_per_second = rec->train_s > 0 ? images / rec->train_s : 0;
    return DSML_OK;
}

static int evaluate(const dsml_train_config *cfg, run_state *s, dsml_finished_run *rec)
{
    const int *q_idx = rec->eval_on_validation ? s->split.validation : s->split.query;
    int nq = rec->eval_on_validation ? s->split.n_validation : s->split.n_query;
    const int *db_idx = rec->eval_on_validation ? s->split.train : s->split.database;
    int ndb = rec->eval_on_validation ? s->split.n_train : s->split.n_database;
    int d = cfg->dim;
    int batch = cfg->classes_per_batch * cfg->images_per_class;
    int rc = DSML_OK;
    s->query_emb = alloc_array((size_t)nq * d, sizeof(float), &rc);
    s->db_emb = alloc_array((size_t)ndb * d, sizeof(float), &rc);
    s->query_labels = alloc_array((size_t)nq, sizeof(int), &rc);
    s->db_labels = alloc_array((size_t)ndb, sizeof(int), &rc);
    s->clusters = alloc_array((size_t)nq, sizeof(int), &rc);
    if (rc) return rc;
    for (int i = 0; i < nq; i++) s->query_labels[i] = s->ds.labels[q_idx[i]];
    for (int i = 0; i < ndb; i++) s->db_labels[i] = s->ds.labels[db_idx[i]];
    dsml_labels ql = dsml_labels_single(s->query_labels), dl = dsml_labels_single(s->db_labels);
    if (s->ds.label_bits) { /* multi-label: relevant when sharing a label (docs/metrics.md) */
        s->query_sets = alloc_array((size_t)nq, sizeof(uint64_t), &rc);
        s->db_sets = alloc_array((size_t)ndb, sizeof(uint64_t), &rc);
        if (rc) return rc;
        for (int i = 0; i < nq; i++) s->query_sets[i] = s->ds.label_bits[q_idx[i]];
        for (int i = 0; i < ndb; i++) s->db_sets[i] = s->ds.label_bits[db_idx[i]];
        ql = dsml_labels_multi(s->query_sets, 1);
        dl = dsml_labels_multi(s->db_sets, 1);
        rec->multi_label_eval = 1;
    }
    rec->n_eval_queries = nq;
    rec->n_eval_database = ndb;

    double t0 = dsml_now();
    rc = dsml_embed(s->model, d, &s->ds, &s->pipe, q_idx, nq, batch, s->xbuf, s->query_emb);
    if (!rc) rc = dsml_embed(s->model, d, &s->ds, &s->pipe, db_idx, ndb, batch, s->xbuf, s->db_emb);
    if (rc) return rc;
    double t1 = dsml_now();
    rec->embed_s = t1 - t0;
    if (dsml_loss_entry_of(cfg->loss.loss)->unit_sphere) {
        /* cosine ranking: on unit rows Euclidean order = cosine order */
        dsml_l2norm_rows(s->query_emb, nq, d);
        dsml_l2norm_rows(s->db_emb, ndb, d);
    }
    if (s->vmf && dsml_vmf_known(s->vmf, s->query_labels, nq)) {
        rec->have_vmf = 1;
        rec->vmf_accuracy = dsml_vmf_classify(s->vmf, s->query_emb, s->query_labels, nq, NULL);
    } else if (s->vmf && cfg->log) {
        fprintf(cfg->log, "vmf: some query classes have no mean direction (unseen in training): no accuracy\n");
    }

    dsml_retrieval_config rcfg;
    dsml_retrieval_config_default(&rcfg);
    rcfg.map_at = cfg->map_at;
    rcfg.f1_at = cfg->f1_at;
    /* The hashing protocol is scored by Hamming ranking only (docs/results.md). */
    rec->euclidean_skipped = cfg->protocol == DSML_PROTOCOL_HASHING;
    int *self = NULL; /* paper and zero-shot splits: each query's own image is left out of its ranking */
    if (s->split.query_is_database && !rec->eval_on_validation) {
        self = malloc(sizeof *self * (size_t)(nq ? nq : 1));
        if (!self) return dsml_fail(DSML_ERR_NOMEM, "evaluation: cannot allocate %d indices", nq);
        dsml_split_query_db_index(&s->split, self);
        rcfg.query_db_index = self;
    }
    if (!rec->euclidean_skipped)
        rc = dsml_eval_ranking(DSML_RANK_EUCLIDEAN, s->query_emb, ql, nq, s->db_emb, dl, ndb, d, &rcfg,
                               &rec->euclidean);
    if (!rc)
        rc = dsml_eval_ranking(DSML_RANK_HAMMING, s->query_emb, ql, nq, s->db_emb, dl, ndb, d, &rcfg, &rec->hamming);
    free(self);
    if (!rc) {
        dsml_rng kmeans_rng;
        dsml_rng_seed_stream(&kmeans_rng, cfg->seed, STREAM_KMEANS);
        rc = dsml_kmeans(s->query_emb, nq, d, s->ds.n_classes, dsml_rng_next(&kmeans_rng), 100, s->clusters);
    }
    if (rc) return rc;
    rec->nmi = dsml_nmi(s->query_labels, s->clusters, nq);
    rec->pairwise_f1 = dsml_pairwise_f1(s->query_labels, s->clusters, nq);
    rec->eval_s = dsml_now() - t1;

    if (!cfg->no_embeddings) {
        char path[1200];
        snprintf(path, sizeof path, "%s/embeddings.bin", cfg->out_dir);
        rc = dsml_embeddings_write(path, d, s->query_emb, s->query_labels, q_idx, nq, s->db_emb, s->db_labels,
                                   db_idx, ndb);
        s->embeddings_replaced = rc == DSML_OK;
    }
    return rc;
}

/* The metrics.json writer's config callback. */
static void write_config(dsml_json *j, const void *cfg)
{
    dsml_train_config_write_json(j, cfg);
}

/* What metrics.json records of the options, the data and the split (the
 * strings are borrowed from cfg and s, which outlive the write). */
static void record_inputs(const dsml_train_config *cfg, const run_state *s, dsml_finished_run *rec)
{
    rec->write_config = write_config;
    rec->config = cfg;
    rec->dataset = s->ds.name;
    rec->images = s->ds.n;
    rec->classes = s->ds.n_classes;
    rec->channels = s->ds.channels;
    rec->height = s->ds.height;
    rec->width = s->ds.width;
    rec->source_sha256 = s->ds.source_sha256;
    rec->content_sha256 = s->ds.content_sha256;
    rec->protocol = dsml_protocol_name(cfg->protocol);
    rec->split_kind = s->split.kind;
    rec->query_is_database = s->split.query_is_database;
    rec->queries_per_class = cfg->queries_per_class;
    rec->train_per_class = cfg->train_per_class;
    rec->validation_per_class = cfg->validation_per_class;
    rec->n_query = s->split.n_query;
    rec->n_database = s->split.n_database;
    rec->n_train = s->split.n_train;
    rec->n_validation = s->split.n_validation;
    rec->split_hash = s->split.hash;
    rec->map_at = cfg->map_at;
    rec->f1_at = cfg->f1_at;
}

/* --classes: the dataset cut to the listed classes, after the cache was read
 * and its content checked (so the cache itself never depends on the list). */
static int keep_classes(const dsml_train_config *cfg, dsml_dataset *ds)
{
    dsml_class_subset subset;
    char expected[300];
    if (dsml_class_subset_parse(cfg->classes, &subset, expected, sizeof expected))
        return dsml_fail(DSML_ERR_ARG, "--classes %s: expected %s", cfg->classes, expected);
    int n = ds->n;
    int rc = dsml_class_subset_apply(ds, &subset);
    if (rc) return dsml_fail_context(rc, "--classes %s", cfg->classes);
    if (cfg->log)
        fprintf(cfg->log, "data: --classes %s: %d of %d images, classes relabelled 0..%d\n", cfg->classes, ds->n, n,
                ds->n_classes - 1);
    return DSML_OK;
}

/* A finished run's metrics.json in the output folder, and where it is set aside during a run. */
static void finished_paths(const dsml_train_config *cfg, char finished[1200], char aside[1200])
{
    snprintf(finished, 1200, "%s/metrics.json", cfg->out_dir);
    snprintf(aside, 1200, "%s/metrics.stale.json", cfg->out_dir);
}

static int run(const dsml_train_config *cfg, run_state *s, dsml_finished_run *rec)
{
    double start = dsml_now();
    int rc = dsml_train_config_check(cfg);
    if (rc) return rc;
    dsml_set_threads(cfg->threads);
    rc = dsml_mkdirs(cfg->out_dir);
    if (rc) return rc;
    int removed; /* temp files of runs killed while writing here; one that cannot be removed stops nothing */
    if (dsml_atomic_remove_stale(cfg->out_dir, &removed) != DSML_OK) {
        if (cfg->log) fprintf(cfg->log, "run: warning: %s\n", dsml_last_error());
        dsml_clear_error();
    } else if (removed && cfg->log) {
        fprintf(cfg->log, "run: removed %d temp file%s left in %s by processes that ended\n", removed,
                removed == 1 ? "" : "s", cfg->out_dir);
    }
    /* An earlier run's metrics.json is set aside for the time of this run, so a run killed once its own
     * embeddings.bin is in place leaves nothing that looks finished (what the sweep's rules do for a stale run);
     * dsml_train_run puts it back when this run fails before replacing anything. */
    char finished[1200], aside[1200];
    finished_paths(cfg, finished, aside);
    if (rename(finished, aside) == 0) {
        s->set_aside = 1;
        if (cfg->log) fprintf(cfg->log, "run: the earlier run's metrics.json is %s while this run lasts\n", aside);
    } else if (errno != ENOENT) {
        return dsml_fail(DSML_ERR_IO, "%s: cannot set the earlier run's metrics aside: %s", finished, strerror(errno));
    }

    dsml_data_options data;
    dsml_data_options_default(&data);
    data.from = cfg->from[0] ? cfg->from : NULL;
    data.fashion_mnist_dir = cfg->fashion_mnist_dir;
    data.log = cfg->log;
    rc = dsml_data_open(&s->ds, cfg->dataset, cfg->data_root, &data);
    if (rc) return rc;
    s->have_ds = 1;
    if (cfg->classes[0] && (rc = keep_classes(cfg, &s->ds)) != DSML_OK) return rc;
    dsml_rng split_rng;
    dsml_rng_seed_stream(&split_rng, cfg->seed, STREAM_SPLIT);
    /* --split chooses; by default the dataset does (paper for cub200/cars196), else the protocol */
    dsml_split_request req = {cfg->split, cfg->queries_per_class, cfg->train_per_class, cfg->validation_per_class,
                              dsml_rng_next(&split_rng)};
    if (req.kind == DSML_SPLIT_DEFAULT && cfg->protocol == DSML_PROTOCOL_HASHING) req.kind = DSML_SPLIT_HASHING;
    rc = dsml_split_make(&s->split, &s->ds, &req, NULL);
    if (rc && cfg->classes[0]) /* the split names the classes by their new labels */
        return dsml_fail_context(rc, "--classes %s, relabelled 0..%d", cfg->classes, s->ds.n_classes - 1);
    if (rc) return rc;
    s->have_split = 1;
    rec->eval_on_validation = s->split.n_validation > 0;
    rec->load_s = dsml_now() - start;

    int batch = cfg->classes_per_batch * cfg->images_per_class;
    dsml_input_norm norm;
    rc = dsml_input_norm_fit(&norm, &s->ds, s->split.train, s->split.n_train);
    if (rc) return rc;
    if (cfg->weights[0] && (rc = dsml_weights_read(weights_file(cfg), &s->weights)) != DSML_OK) return rc;
    if ((rc = open_pipeline(cfg, s, &norm, batch, rec)) != DSML_OK) return rc;

    dsml_model_config mc = {
        .kind = cfg->model, .channels = s->pipe.channels, .height = s->pipe.out_h, .width = s->pipe.out_w,
        .dim = cfg->dim, .n_hidden = cfg->n_hidden, .max_batch = batch, .dropout = cfg->dropout,
    };
    memcpy(mc.hidden, cfg->hidden, sizeof mc.hidden);
    dsml_rng init_rng;
    dsml_rng_seed_stream(&init_rng, cfg->seed, STREAM_INIT);
    rc = dsml_model_create(&s->model, &mc, &init_rng);
    if (rc) return rc;
    dsml_model_describe(s->model, rec->model_description, sizeof rec->model_description);
    if (cfg->log) fprintf(cfg->log, "model: %s\n", rec->model_description);
    if (cfg->weights[0] && (rc = load_weights(cfg, s, rec)) != DSML_OK) return rc;

    rc = dsml_loss_ws_create(&s->loss_ws, batch, cfg->dim);
    if (rc) return rc;
    dsml_rng sampler_rng;
    dsml_rng_seed_stream(&sampler_rng, cfg->seed, STREAM_SAMPLER);
    rc = dsml_sampler_init(&s->sampler, s->ds.labels, s->split.train, s->split.n_train, s->ds.n_classes,
                           cfg->classes_per_batch, cfg->images_per_class, dsml_rng_next(&sampler_rng));
    if (rc && cfg->classes[0])
        return dsml_fail_context(rc, "--classes %s leaves %d classes", cfg->classes, s->ds.n_classes);
    if (rc) return rc;
    s->have_sampler = 1;
    size_t n_params;
    dsml_model_params(s->model, &n_params);
    rc = dsml_sgd_init(&s->sgd, n_params, cfg->lr, cfg->momentum, cfg->weight_decay);
    if (rc) return rc;
    s->have_sgd = 1;

    size_t row = dsml_input_pipeline_row(&s->pipe);
    s->batch_indices = alloc_array((size_t)batch, sizeof(int), &rc);
    s->batch_labels = alloc_array((size_t)batch, sizeof(int), &rc);
    s->xbuf = alloc_array((size_t)batch * row, sizeof(float), &rc);
    s->dh = alloc_array((size_t)batch * cfg->dim, sizeof(float), &rc);
    if (s->ds.label_bits && dsml_loss_takes_label_sets(&cfg->loss)) {
        s->batch_sets = alloc_array((size_t)batch, sizeof(uint64_t), &rc);
        rec->multi_label_train = 1;
    }
    if (rc) return rc;

    if (dsml_loss_entry_of(cfg->loss.loss)->class_means) {
        rc = dsml_vmf_means_create(&s->vmf, s->ds.n_classes, cfg->dim, batch);
        if (!rc) s->train_emb = alloc_array((size_t)s->split.n_train * cfg->dim, sizeof(float), &rc);
        if (!rc) rc = update_vmf_means(cfg, s);
        if (rc) return dsml_fail_context(rc, "vmf: initial means");
    }

    if (cfg->log)
        fprintf(cfg->log, "train: %s, %s/%s, dim %d, %d epochs of %d batches of %d, %d threads\n", s->ds.name,
                dsml_loss_name(cfg->loss.loss), dsml_distance_name(cfg->loss.distance), cfg->dim, cfg->epochs,
                dsml_sampler_batches_per_epoch(&s->sampler), batch, cfg->threads);
    rc = train_epochs(cfg, s, rec);
    if (rc) return rc;
    rec->not_evaluated = cfg->no_eval;
    if (!cfg->no_eval && (rc = evaluate(cfg, s, rec)) != DSML_OK) return rc;
    rec->total_s = dsml_now() - start;

    char path[1200];
    snprintf(path, sizeof path, "%s/metrics.json", cfg->out_dir);
    record_inputs(cfg, s, rec);
    rc = dsml_metrics_write(rec, path);
    if (rc == DSML_OK && !s->embeddings_replaced) {
        /* no embeddings of this run (--no-embeddings, --no-eval): an earlier run's do not belong to these metrics */
        snprintf(path, sizeof path, "%s/embeddings.bin", cfg->out_dir);
        if (unlink(path) == 0 && cfg->log) fprintf(cfg->log, "run: removed the earlier run's %s\n", path);
    }
    return rc;
}

int dsml_train_run(const dsml_train_config *cfg)
{
    run_state state;
    memset(&state, 0, sizeof state);
    dsml_finished_run *rec = calloc(1, sizeof *rec);
    if (!rec) return dsml_fail(DSML_ERR_NOMEM, "cannot allocate the run record");
    struct stat st;
    int existed = stat(cfg->out_dir, &st) == 0;
    int rc = run(cfg, &state, rec);
    if (rc && state.set_aside && !state.embeddings_replaced) {
        /* nothing of the earlier run was replaced: it is whole again, as it was */
        char finished[1200], aside[1200];
        finished_paths(cfg, finished, aside);
        rename(aside, finished);
    }
    /* A run that failed before writing anything leaves no empty folder of its own behind (rmdir only takes an
     * empty one; a sweep's folder that held results stays). */
    if (rc && !existed) rmdir(cfg->out_dir);
    run_state_free(&state);
    free(rec);
    return rc;
}
