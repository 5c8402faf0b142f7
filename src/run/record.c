/* metrics.json and embeddings.bin; see record.h and docs/results.md. */
#include "run/record.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/json.h"
#include "core/version.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void write_retrieval(dsml_json *j, const char *key, const dsml_retrieval_result *r,
                            const dsml_train_config *cfg, int ndb)
{
    static const int default_k[] = {1, 2, 4, 8, 16, 32};
    char name[64];
    dsml_json_key(j, key);
    dsml_json_object_begin(j);
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "recall@%d", default_k[i]);
        dsml_json_kv_double(j, name, r->recall[i]);
    }
    dsml_json_kv_double(j, "map", r->map);
    int t = cfg->map_at > 0 && cfg->map_at < ndb ? cfg->map_at : ndb;
    snprintf(name, sizeof name, "map@%d", t);
    dsml_json_kv_double(j, name, r->map_at_t);
    dsml_json_kv_double(j, "map@t", r->map_at_t);
    dsml_json_kv_int(j, "map_t", t);
    int f = cfg->f1_at < ndb ? cfg->f1_at : ndb;
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

static void write_config(dsml_json *j, const dsml_train_config *cfg)
{
    dsml_json_key(j, "config");
    dsml_json_object_begin(j);
    dsml_json_kv_string(j, "dataset", cfg->dataset);
    dsml_json_kv_string(j, "protocol", dsml_protocol_name(cfg->protocol));
    dsml_json_kv_string(j, "split", dsml_split_kind_name(cfg->split));
    dsml_json_kv_string(j, "model", dsml_model_kind_name(cfg->model));
    dsml_json_kv_int(j, "dim", cfg->dim);
    if (cfg->model == DSML_MODEL_MLP) {
        dsml_json_key(j, "hidden");
        dsml_json_array_begin(j);
        for (int i = 0; i < cfg->n_hidden; i++) dsml_json_int(j, cfg->hidden[i]);
        dsml_json_array_end(j);
    }
    dsml_json_kv_double(j, "dropout", cfg->dropout);
    dsml_json_kv_string(j, "loss", dsml_loss_name(cfg->loss.loss));
    dsml_json_kv_string(j, "distance", dsml_distance_name(cfg->loss.distance));
    dsml_json_kv_double(j, "margin", cfg->loss.margin);
    dsml_json_kv_double(j, "beta", cfg->loss.lifted.beta);
    dsml_json_kv_double(j, "lambda", cfg->loss.lambda);
    dsml_json_kv_bool(j, "lifted_hard", cfg->loss.lifted.hard);
    dsml_json_kv_double(j, "npair_l2", cfg->loss.npair.l2);
    if (cfg->loss.loss == DSML_LOSS_DPSH || cfg->loss.loss == DSML_LOSS_DTSH)
        dsml_json_kv_double(j, "quant", cfg->loss.hashing.quant);
    dsml_json_kv_double(j, "density", cfg->loss.density.weight);
    if (cfg->loss.density.weight > 0) dsml_json_kv_double(j, "density_ratio", cfg->loss.density.ratio);
    if (cfg->loss.loss == DSML_LOSS_GPW) {
        dsml_json_kv_string(j, "gpw_mining", dsml_gpw_mining_name(cfg->loss.gpw.mining));
        dsml_json_kv_string(j, "gpw_weighting", dsml_gpw_weighting_name(cfg->loss.gpw.weighting));
        dsml_json_kv_double(j, "gpw_alpha", cfg->loss.gpw.alpha);
        dsml_json_kv_double(j, "gpw_beta", cfg->loss.gpw.beta);
        dsml_json_kv_double(j, "gpw_lambda", cfg->loss.gpw.lambda);
        dsml_json_kv_double(j, "gpw_epsilon", cfg->loss.gpw.epsilon);
    }
    if (cfg->loss.loss == DSML_LOSS_VMF) dsml_json_kv_double(j, "vmf_kappa", cfg->loss.vmf.kappa);
    dsml_json_kv_int(j, "epochs", cfg->epochs);
    dsml_json_kv_int(j, "classes_per_batch", cfg->classes_per_batch);
    dsml_json_kv_int(j, "images_per_class", cfg->images_per_class);
    dsml_json_kv_double(j, "lr", cfg->lr);
    dsml_json_kv_double(j, "momentum", cfg->momentum);
    dsml_json_kv_double(j, "weight_decay", cfg->weight_decay);
    dsml_json_kv_double(j, "clip_grad", cfg->clip_grad);
    dsml_json_kv_int(j, "seed", (long long)cfg->seed);
    dsml_json_kv_int(j, "threads", cfg->threads);
    dsml_json_kv_int(j, "map_at", cfg->map_at);
    dsml_json_kv_int(j, "f1_at", cfg->f1_at);
    dsml_json_object_end(j);
}

int dsml_record_write_metrics(const dsml_run_record *rec, const char *path)
{
    const dsml_train_config *cfg = rec->cfg;
    const dsml_dataset *ds = rec->ds;
    const dsml_split *s = rec->split;
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

    write_config(&j, cfg);

    dsml_json_key(&j, "data");
    dsml_json_object_begin(&j);
    dsml_json_kv_string(&j, "name", ds->name);
    dsml_json_kv_int(&j, "images", ds->n);
    dsml_json_kv_int(&j, "classes", ds->n_classes);
    if (rec->multi_label_eval || rec->multi_label_train) {
        dsml_json_kv_bool(&j, "multi_label_evaluation", rec->multi_label_eval);
        dsml_json_kv_bool(&j, "multi_label_training", rec->multi_label_train);
    }
    dsml_json_key(&j, "shape");
    dsml_json_array_begin(&j);
    dsml_json_int(&j, ds->channels);
    dsml_json_int(&j, ds->height);
    dsml_json_int(&j, ds->width);
    dsml_json_array_end(&j);
    dsml_json_kv_string(&j, "source_sha256", ds->source_sha256);
    dsml_json_kv_string(&j, "content_sha256", ds->content_sha256);
    dsml_json_key(&j, "split");
    dsml_json_object_begin(&j);
    dsml_json_kv_string(&j, "protocol", dsml_protocol_name(cfg->protocol));
    dsml_json_kv_string(&j, "kind", s->kind);
    dsml_json_kv_bool(&j, "query_is_database", s->query_is_database);
    dsml_json_kv_int(&j, "queries_per_class", cfg->queries_per_class);
    dsml_json_kv_int(&j, "train_per_class", cfg->train_per_class);
    dsml_json_kv_int(&j, "validation_per_class", cfg->validation_per_class);
    dsml_json_kv_int(&j, "query", s->n_query);
    dsml_json_kv_int(&j, "database", s->n_database);
    dsml_json_kv_int(&j, "train", s->n_train);
    dsml_json_kv_int(&j, "validation", s->n_validation);
    dsml_json_kv_string(&j, "hash", s->hash);
    dsml_json_kv_bool(&j, "evaluated_on_validation", rec->eval_on_validation);
    dsml_json_kv_int(&j, "eval_queries", rec->n_eval_queries);
    dsml_json_kv_int(&j, "eval_database", rec->n_eval_database);
    dsml_json_object_end(&j);
    dsml_json_object_end(&j);

    dsml_json_kv_string(&j, "model", rec->model_description);

    dsml_json_key(&j, "metrics");
    dsml_json_object_begin(&j);
    if (!rec->euclidean_skipped) write_retrieval(&j, "euclidean", &rec->euclidean, cfg, rec->n_eval_database);
    write_retrieval(&j, "hamming", &rec->hamming, cfg, rec->n_eval_database);
    dsml_json_key(&j, "clustering");
    dsml_json_object_begin(&j);
    dsml_json_kv_double(&j, "nmi", rec->nmi);
    dsml_json_kv_double(&j, "f1", rec->pairwise_f1);
    dsml_json_kv_string(&j, "on", "queries");
    dsml_json_object_end(&j);
    if (rec->have_vmf) {
        dsml_json_key(&j, "vmf");
        dsml_json_object_begin(&j);
        dsml_json_kv_double(&j, "accuracy", rec->vmf_accuracy);
        dsml_json_kv_string(&j, "on", "queries");
        dsml_json_object_end(&j);
    }
    dsml_json_object_end(&j);

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

static int put_u32(FILE *fp, uint32_t v)
{
    unsigned char b[4] = {v & 255, (v >> 8) & 255, (v >> 16) & 255, v >> 24};
    return fwrite(b, 1, 4, fp) == 4;
}

static int put_i32s(FILE *fp, const int *v, int n)
{
    for (int i = 0; i < n; i++)
        if (!put_u32(fp, (uint32_t)v[i])) return 0;
    return 1;
}

/* Floats are written as their IEEE-754 bits, little-endian (x86-64's order). */
static int put_floats(FILE *fp, const float *v, long n)
{
    return fwrite(v, sizeof(float), (size_t)n, fp) == (size_t)n;
}

int dsml_record_write_embeddings(const char *path, int d, const float *queries, const int *query_labels,
                                 const int *query_index, int nq, const float *database,
                                 const int *database_labels, const int *database_index, int ndb)
{
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) return rc;
    int ok = fwrite("DSMLEMB1", 1, 8, f.fp) == 8 && put_u32(f.fp, 1) && put_u32(f.fp, (uint32_t)d) &&
             put_u32(f.fp, (uint32_t)nq) && put_u32(f.fp, (uint32_t)ndb) &&
             put_i32s(f.fp, query_labels, nq) && put_i32s(f.fp, query_index, nq) &&
             put_i32s(f.fp, database_labels, ndb) && put_i32s(f.fp, database_index, ndb) &&
             put_floats(f.fp, queries, (long)nq * d) && put_floats(f.fp, database, (long)ndb * d);
    if (!ok) {
        int saved = errno;
        dsml_atomic_abort(&f);
        return dsml_fail(DSML_ERR_IO, "%s: write failed: %s", path, strerror(saved));
    }
    return dsml_atomic_commit(&f);
}
