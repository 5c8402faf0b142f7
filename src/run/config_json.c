/* The "config" object of metrics.json: every option of a run; see
 * config_json.h and docs/results.md. */
#include "run/config_json.h"
#include "metric/distance.h"
#include "metric/loss.h"

void dsml_train_config_write_json(dsml_json *j, const dsml_train_config *cfg)
{
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
