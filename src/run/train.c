/* One training run end to end; see train.h. */
#include "run/train.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/progress.h"
#include "core/rng.h"
#include "core/timer.h"
#include "data/dataset.h"
#include "data/sampler.h"
#include "data/split.h"
#include "eval/cluster.h"
#include "eval/retrieval.h"
#include "metric/l2norm.h"
#include "metric/vmf.h"
#include "nn/sgd.h"
#include "results/embeddings.h"
#include "results/metrics_write.h"
#include "run/batch.h"
#include "run/train_options.h"
#include "run/embed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Independent random streams derived from the run's seed. */
enum { STREAM_SPLIT = 1, STREAM_INIT, STREAM_SAMPLER, STREAM_DROPOUT, STREAM_KMEANS };

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
static int update_vmf_means(const dsml_train_config *cfg, run_state *s, const dsml_input_norm *norm)
{
    int batch = cfg->classes_per_batch * cfg->images_per_class, n = s->split.n_train;
    int rc = dsml_embed(s->model, cfg->dim, &s->ds, norm, s->split.train, n, batch, s->xbuf, s->train_emb);
    if (rc) return rc;
    dsml_vmf_means_begin(s->vmf);
    for (int i = 0; i < n; i++) {
        int label = s->ds.labels[s->split.train[i]];
        rc = dsml_vmf_means_add(s->vmf, s->train_emb + (size_t)i * cfg->dim, &label, 1);
        if (rc) return rc;
    }
    return dsml_vmf_means_finish(s->vmf);
}

static int train_epochs(const dsml_train_config *cfg, run_state *s, const dsml_input_norm *norm,
                        dsml_finished_run *rec)
{
    int batch = cfg->classes_per_batch * cfg->images_per_class;
    int batches = dsml_sampler_batches_per_epoch(&s->sampler);
    size_t n_params;
    float *params = dsml_model_params(s->model, &n_params);
    float *grads = dsml_model_grads(s->model, &n_params);
    dsml_rng dropout_rng;
    dsml_rng_seed_stream(&dropout_rng, cfg->seed, STREAM_DROPOUT);
    dsml_loss_params loss_params = cfg->loss;
    loss_params.vmf.means = s->vmf;

    dsml_progress progress;
    dsml_progress_begin(&progress, cfg->log, "train", "img", (double)cfg->epochs * batches * batch);
    double start = dsml_now();
    long images = 0;
    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        double epoch_start = dsml_now(), loss_sum = 0;
        for (int b = 0; b < batches; b++) {
            dsml_sampler_next(&s->sampler, s->batch_indices, s->batch_labels);
            dsml_batch_fill(&s->ds, norm, s->batch_indices, batch, s->xbuf);
            const float *h;
            int rc = dsml_model_forward(s->model, s->xbuf, batch, 1, &dropout_rng, &h);
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
            dsml_sgd_step(&s->sgd, params, grads);
            loss_sum += loss;
            images += batch;
            char extra[96];
            snprintf(extra, sizeof extra, "epoch %d/%d, loss %.4f", epoch + 1, cfg->epochs, loss_sum / (b + 1));
            dsml_progress_update(&progress, (double)images, extra);
        }
        rec->epoch_loss[epoch] = batches ? loss_sum / batches : 0;
        rec->epoch_seconds[epoch] = dsml_now() - epoch_start;
        rec->epochs_done = epoch + 1;
        if (s->vmf) {
            int rc = update_vmf_means(cfg, s, norm);
            if (rc) return dsml_fail_context(rc, "epoch %d: vmf means", epoch + 1);
        }
        /* A diverged model is an error, not a result: parameters are checked once per epoch. */
        for (size_t i = 0; i < n_params; i++)
            if (!isfinite(params[i]))
                return dsml_fail(DSML_ERR_NUMERIC, "epoch %d: parameter %zu is not finite (try a smaller --lr)",
                                 epoch + 1, i);
        if (cfg->log && !progress.tty)
            fprintf(cfg->log, "epoch %d/%d: loss %.6f, %.1f s\n", epoch + 1, cfg->epochs,
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

static int evaluate(const dsml_train_config *cfg, run_state *s, const dsml_input_norm *norm,
                    dsml_finished_run *rec)
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
    rc = dsml_embed(s->model, d, &s->ds, norm, q_idx, nq, batch, s->xbuf, s->query_emb);
    if (!rc) rc = dsml_embed(s->model, d, &s->ds, norm, db_idx, ndb, batch, s->xbuf, s->db_emb);
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

static int run(const dsml_train_config *cfg, run_state *s, dsml_finished_run *rec)
{
    double start = dsml_now();
    int rc = dsml_train_config_check(cfg);
    if (rc) return rc;
    dsml_set_threads(cfg->threads);
    rc = dsml_mkdirs(cfg->out_dir);
    if (rc) return rc;

    dsml_data_options data;
    dsml_data_options_default(&data);
    data.from = cfg->from[0] ? cfg->from : NULL;
    data.fashion_mnist_dir = cfg->fashion_mnist_dir;
    data.log = cfg->log;
    rc = dsml_data_open(&s->ds, cfg->dataset, cfg->data_root, &data);
    if (rc) return rc;
    s->have_ds = 1;
    dsml_rng split_rng;
    dsml_rng_seed_stream(&split_rng, cfg->seed, STREAM_SPLIT);
    /* --split chooses; by default the dataset does (paper for cub200/cars196), else the protocol */
    dsml_split_request req = {cfg->split, cfg->queries_per_class, cfg->train_per_class, cfg->validation_per_class,
                              dsml_rng_next(&split_rng)};
    if (req.kind == DSML_SPLIT_DEFAULT && cfg->protocol == DSML_PROTOCOL_HASHING) req.kind = DSML_SPLIT_HASHING;
    rc = dsml_split_make(&s->split, &s->ds, &req, NULL);
    if (rc) return rc;
    s->have_split = 1;
    rec->eval_on_validation = s->split.n_validation > 0;
    rec->load_s = dsml_now() - start;

    int batch = cfg->classes_per_batch * cfg->images_per_class;
    dsml_model_config mc = {
        .kind = cfg->model, .channels = s->ds.channels, .height = s->ds.height, .width = s->ds.width,
        .dim = cfg->dim, .n_hidden = cfg->n_hidden, .max_batch = batch, .dropout = cfg->dropout,
    };
    memcpy(mc.hidden, cfg->hidden, sizeof mc.hidden);
    dsml_rng init_rng;
    dsml_rng_seed_stream(&init_rng, cfg->seed, STREAM_INIT);
    rc = dsml_model_create(&s->model, &mc, &init_rng);
    if (rc) return rc;
    dsml_model_describe(s->model, rec->model_description, sizeof rec->model_description);
    if (cfg->log) fprintf(cfg->log, "model: %s\n", rec->model_description);

    rc = dsml_loss_ws_create(&s->loss_ws, batch, cfg->dim);
    if (rc) return rc;
    dsml_rng sampler_rng;
    dsml_rng_seed_stream(&sampler_rng, cfg->seed, STREAM_SAMPLER);
    rc = dsml_sampler_init(&s->sampler, s->ds.labels, s->split.train, s->split.n_train, s->ds.n_classes,
                           cfg->classes_per_batch, cfg->images_per_class, dsml_rng_next(&sampler_rng));
    if (rc) return rc;
    s->have_sampler = 1;
    size_t n_params;
    dsml_model_params(s->model, &n_params);
    rc = dsml_sgd_init(&s->sgd, n_params, cfg->lr, cfg->momentum, cfg->weight_decay);
    if (rc) return rc;
    s->have_sgd = 1;

    long row = (long)s->ds.channels * s->ds.height * s->ds.width;
    s->batch_indices = alloc_array((size_t)batch, sizeof(int), &rc);
    s->batch_labels = alloc_array((size_t)batch, sizeof(int), &rc);
    s->xbuf = alloc_array((size_t)batch * row, sizeof(float), &rc);
    s->dh = alloc_array((size_t)batch * cfg->dim, sizeof(float), &rc);
    if (s->ds.label_bits && dsml_loss_takes_label_sets(&cfg->loss)) {
        s->batch_sets = alloc_array((size_t)batch, sizeof(uint64_t), &rc);
        rec->multi_label_train = 1;
    }
    if (rc) return rc;

    dsml_input_norm norm;
    rc = dsml_input_norm_fit(&norm, &s->ds, s->split.train, s->split.n_train);
    if (rc) return rc;
    if (dsml_loss_entry_of(cfg->loss.loss)->class_means) {
        rc = dsml_vmf_means_create(&s->vmf, s->ds.n_classes, cfg->dim, batch);
        if (!rc) s->train_emb = alloc_array((size_t)s->split.n_train * cfg->dim, sizeof(float), &rc);
        if (!rc) rc = update_vmf_means(cfg, s, &norm);
        if (rc) return dsml_fail_context(rc, "vmf: initial means");
    }

    if (cfg->log)
        fprintf(cfg->log, "train: %s, %s/%s, dim %d, %d epochs of %d batches of %d, %d threads\n", s->ds.name,
                dsml_loss_name(cfg->loss.loss), dsml_distance_name(cfg->loss.distance), cfg->dim, cfg->epochs,
                dsml_sampler_batches_per_epoch(&s->sampler), batch, cfg->threads);
    rc = train_epochs(cfg, s, &norm, rec);
    if (rc) return rc;
    rc = evaluate(cfg, s, &norm, rec);
    if (rc) return rc;
    rec->total_s = dsml_now() - start;

    char path[1200];
    snprintf(path, sizeof path, "%s/metrics.json", cfg->out_dir);
    record_inputs(cfg, s, rec);
    return dsml_metrics_write(rec, path);
}

int dsml_train_run(const dsml_train_config *cfg)
{
    run_state state;
    memset(&state, 0, sizeof state);
    dsml_finished_run *rec = calloc(1, sizeof *rec);
    if (!rec) return dsml_fail(DSML_ERR_NOMEM, "cannot allocate the run record");
    int rc = run(cfg, &state, rec);
    run_state_free(&state);
    free(rec);
    return rc;
}
