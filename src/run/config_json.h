/* The "config" object of metrics.json (docs/results.md): the options of a
 * training run, in the order the file lists them. The metrics.json writer
 * (results/metrics_write.h) calls this through its config callback. */
#ifndef DSML_RUN_CONFIG_JSON_H
#define DSML_RUN_CONFIG_JSON_H

#include "core/json.h"
#include "run/train.h"

/* Writes one JSON object, the value of metrics.json's key "config". */
void dsml_train_config_write_json(dsml_json *j, const dsml_train_config *cfg);

#endif
