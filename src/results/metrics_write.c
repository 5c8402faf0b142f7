/* The metrics.json writer; see metrics_write.h and docs/results.md. */
#include "results/metrics_write.h"
#include "core/atomic_file.h"
#include "core/gemm.h"
#include "core/json.h"
#include "core/version.h"
#include "results/run_metrics.h"

#include <stdio.h>
#include <time.h>

void dsml_metrics_write_ranking(dsml_json *j, const char *key, const dsml_retrieval_result *r, int map_at,
                                int f1_at, int ndb)
{
    char name[64];
    dsml_json_key(j, key);
    dsml_json_object_begin(j);
    for (int i = 0; i < DSML_METRICS_RECALL_K; i++) {
        snprintf(name, sizeof name, "recall@%d", dsml_metrics_recall_k[i]);
        dsml_json_kv_double(j, name, r->recall[i]);
    }
    dsml_json_kv_double(j, "map", r->map);
    int t = map_at > 0 && map_at < ndb ? map_at : ndb;
    snprintf(name, sizeof name, "map@%d", t);
    dsml_json_kv_double(j, name, r->map_at_t);
    dsml_json_kv_double(j, "map@t", r->map_at_t);
    dsml_json_kv_int(j, "map_t", t);
    int f = f1_at < ndb ? f1_at : ndb;
    snprintf(name, sizeof name, "precision@%d", f);
    dsml_json_kv_double(j, name, r->precision_at_t);
    snprintf(name, sizeof name, "recall_at@%d", f);
    dsml_json_kv_double(j, name, r->recall_at_t);
    snprintf(name, sizeof name, "f1@%d", f);
    dsml_json_kv_double(j, name, r->f1_at_t);
    dsml_json_kv_double(j, "f1@t", r->f1_at_t);
    dsml_json_kv_double(j, "map@r", r->map_at_r);
    dsml_json_kv_double(j, "r_precision", r->r_precision);
    for (int i = 0; i < r->n_precision_k; i++) {
        int k = r->precision_k[i] < ndb ? r->precision_k[i] : ndb;
        if (k == f) continue; /* the same number as precision@T above */
        snprintf(name, sizeof name, "precision@%d", k);
        dsml_json_kv_double(j, name, r->precision_at_k[i]);
    }
    if (r->curve_points > 0) { /* Hamming ranking: lookup within a radius, and the curve over radii */
        dsml_json_kv_int(j, "radius", r->hamming_radius);
        dsml_json_kv_double(j, "precision_within_radius", r->precision_radius);
        dsml_json_kv_double(j, "recall_within_radius", r->recall_radius);
        dsml_json_kv_int(j, "queries_empty_radius", r->queries_empty_radius);
        dsml_json_key(j, "pr_curve_precision");
        dsml_json_array_begin(j);
        for (int i = 0; i < r->curve_points; i++) dsml_json_double(j, r->curve_precision[i]);
        dsml_json_array_end(j);
        dsml_json_key(j, "pr_curve_recall");
        dsml_json_array_begin(j);
        for (int i = 0; i < r->curve_points; i++) dsml_json_double(j, r->curve_recall[i]);
        dsml_json_array_end(j);
    }
    dsml_json_kv_int(j, "queries", r->queries);
    dsml_json_kv_int(j, "queries_without_relevant", r->queries_without_relevant);
    dsml_json_object_end(j);
}

void dsml_metrics_write_object(dsml_json *j, const dsml_metrics_set *m)
{
    const dsml_retrieval_result *ranked[4] = {m->euclidean, m->hamming, m->snr, m->cosine};
    static const char *const keys[4] = {"euclidean", "hamming", "snr", "cosine"};
    dsml_json_object_begin(j);
    for (int i = 0; i < 4; i++)
        if (ranked[i]) dsml_metrics_write_ranking(j, keys[i], ranked[i], m->map_at, m->f1_at, m->n_database);
    if (m->have_clustering) {
        dsml_json_key(j, "clustering");
        dsml_json_object_begin(j);
        dsml_json_kv_double(j, "nmi", m->nmi);
        dsml_json_kv_double(j, "f1", m->pairwise_f1);
        dsml_json_kv_string(j, "on", "queries");
        dsml_json_object_end(j);
    }
    if (m->have_vmf) {
        dsml_json_key(j, "vmf");
        dsml_json_object_begin(j);
        dsml_json_kv_double(j, "accuracy", m->vmf_accuracy);
        dsml_json_kv_string(j, "on", "queries");
        dsml_json_object_end(j);
    }
    dsml_json_object_end(j);
}

/* "metrics": the rankings, clustering and (vmf) classification of the evaluation. */
static void write_metrics(dsml_json *j, const dsml_finished_run *rec)
{
    dsml_metrics_set m = {
        .euclidean = rec->euclidean_skipped ? NULL : &rec->euclidean,
        .hamming = &rec->hamming,
        .map_at = rec->map_at,
        .f1_at = rec->f1_at,
        .n_database = rec->n_eval_database,
        .have_clustering = 1,
        .nmi = rec->nmi,
        .pairwise_f1 = rec->pairwise_f1,
        .have_vmf = rec->have_vmf,
        .vmf_accuracy = rec->vmf_accuracy,
    };
    dsml_json_key(j, "metrics");
    dsml_metrics_write_object(j, &m);
}

/* "pretrained": the weights file and, per layer with parameters, where its values came from. */
static void write_pretrained(dsml_json *j, const dsml_finished_run *rec)
{
    dsml_json_key(j, "pretrained");
    dsml_json_object_begin(j);
    dsml_json_kv_string(j, "file", rec->weights);
    dsml_json_kv_string(j, "format", rec->weights_format);
    dsml_json_kv_string(j, "sha256", rec->weights_sha256);
    dsml_json_kv_int(j, "frozen_layers", rec->frozen_layers);
    dsml_json_key(j, "layers");
    dsml_json_array_begin(j);
    for (int i = 0; i < rec->n_param_layers; i++) {
        if (rec->param_layer_source[i]) dsml_json_string(j, rec->param_layer_source[i]);
        else dsml_json_null(j);
    }
    dsml_json_array_end(j);
    dsml_json_object_end(j);
}

int dsml_metrics_write(const dsml_finished_run *rec, const char *path)
{
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) return rc;
    dsml_json j;
    dsml_json_init(&j, f.fp);
    dsml_json_object_begin(&j);
    dsml_json_kv_int(&j, "format_version", 1);

    dsml_json_key(&j, "program");
    dsml_json_object_begin(&j);
    dsml_json_kv_string(&j, "name", "dsml");
    dsml_json_kv_string(&j, "version", dsml_version());
    dsml_json_kv_string(&j, "libraries", dsml_library_versions());
    dsml_json_kv_int(&j, "threads", dsml_get_threads());
    char stamp[64];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    dsml_json_kv_string(&j, "finished_at", stamp);
    dsml_json_object_end(&j);

    dsml_json_key(&j, "config");
    rec->write_config(&j, rec->config);

    dsml_json_key(&j, "data");
    dsml_json_object_begin(&j);
    dsml_json_kv_string(&j, "name", rec->dataset);
    dsml_json_kv_int(&j, "images", rec->images);
    dsml_json_kv_int(&j, "classes", rec->classes);
    if (rec->multi_label_eval || rec->multi_label_train) {
        dsml_json_kv_bool(&j, "multi_label_evaluation", rec->multi_label_eval);
        dsml_json_kv_bool(&j, "multi_label_training", rec->multi_label_train);
    }
    dsml_json_key(&j, "shape");
    dsml_json_array_begin(&j);
    dsml_json_int(&j, rec->channels);
    dsml_json_int(&j, rec->height);
    dsml_json_int(&j, rec->width);
    dsml_json_array_end(&j);
    dsml_json_kv_string(&j, "source_sha256", rec->source_sha256);
    dsml_json_kv_string(&j, "content_sha256", rec->content_sha256);
    dsml_json_key(&j, "split");
    dsml_json_object_begin(&j);
    dsml_json_kv_string(&j, "protocol", rec->protocol);
    dsml_json_kv_string(&j, "kind", rec->split_kind);
    dsml_json_kv_bool(&j, "query_is_database", rec->query_is_database);
    dsml_json_kv_int(&j, "queries_per_class", rec->queries_per_class);
    dsml_json_kv_int(&j, "train_per_class", rec->train_per_class);
    dsml_json_kv_int(&j, "validation_per_class", rec->validation_per_class);
    dsml_json_kv_int(&j, "query", rec->n_query);
    dsml_json_kv_int(&j, "database", rec->n_database);
    dsml_json_kv_int(&j, "train", rec->n_train);
    dsml_json_kv_int(&j, "validation", rec->n_validation);
    dsml_json_kv_string(&j, "hash", rec->split_hash);
    dsml_json_kv_bool(&j, "evaluated_on_validation", rec->eval_on_validation);
    dsml_json_kv_int(&j, "eval_queries", rec->n_eval_queries);
    dsml_json_kv_int(&j, "eval_database", rec->n_eval_database);
    dsml_json_object_end(&j);
    dsml_json_object_end(&j);

    if (rec->write_input) {
        dsml_json_key(&j, "input");
        rec->write_input(&j, rec->input);
    }
    dsml_json_kv_string(&j, "model", rec->model_description);
    if (rec->weights) write_pretrained(&j, rec);

    if (!rec->not_evaluated) write_metrics(&j, rec);

    dsml_json_key(&j, "training");
    dsml_json_object_begin(&j);
    dsml_json_kv_int(&j, "epochs", rec->epochs_done);
    dsml_json_kv_int(&j, "images", rec->images_trained);
    dsml_json_kv_double(&j, "images_per_second", rec->train_images_per_second);
    dsml_json_key(&j, "loss_per_epoch");
    dsml_json_array_begin(&j);
    for (int e = 0; e < rec->epochs_done; e++) dsml_json_double(&j, rec->epoch_loss[e]);
    dsml_json_array_end(&j);
    dsml_json_key(&j, "seconds_per_epoch");
    dsml_json_array_begin(&j);
    for (int e = 0; e < rec->epochs_done; e++) dsml_json_double(&j, rec->epoch_seconds[e]);
    dsml_json_array_end(&j);
    dsml_json_object_end(&j);

    dsml_json_key(&j, "wall_seconds");
    dsml_json_object_begin(&j);
    dsml_json_kv_double(&j, "load", rec->load_s);
    dsml_json_kv_double(&j, "train", rec->train_s);
    dsml_json_kv_double(&j, "embed", rec->embed_s);
    dsml_json_kv_double(&j, "evaluate", rec->eval_s);
    dsml_json_kv_double(&j, "total", rec->total_s);
    dsml_json_object_end(&j);

    dsml_json_object_end(&j);
    return dsml_atomic_commit(&f);
}
