/* One training run end to end: dataset -> split -> model -> loss -> SGD ->
 * embed queries and database -> evaluate -> metrics.json + embeddings.bin.
 *
 * This is the library half of `dsml train`; the CLI builds the config from
 * the option table (run/train_options.h) and prints what goes wrong. Every
 * random choice derives from cfg->seed through separate streams (split,
 * initialisation, sampling, dropout, k-means), so changing one does not
 * shift the others. */
#ifndef DSML_RUN_TRAIN_H
#define DSML_RUN_TRAIN_H

#include "run/train_config.h"

/* Runs the whole thing and writes cfg->out_dir/metrics.json (and
 * embeddings.bin), each atomically. Returns a dsml_status. */
int dsml_train_run(const dsml_train_config *cfg);

#endif
