/* dsml's public C API, one include: <dsml/dsml.h>.
 *
 * Compile with `pkg-config --cflags dsml` and link with `pkg-config --libs dsml`
 * (docs/install.md). The parts below are the library's own headers, installed
 * with their module folders beside this file; they include each other as
 * "module/name.h", which the -I${includedir}/dsml of dsml.pc resolves.
 *
 * Every function returns a dsml_status (DSML_OK = 0) unless its comment says
 * otherwise; on failure dsml_last_error() holds a sentence naming the file,
 * record or value and what was expected. The library never prints, never
 * exits and never reads the environment: the caller passes every path.
 * Each header states who owns what memory. */
#ifndef DSML_DSML_H
#define DSML_DSML_H

/* Status codes, dsml_last_error(), dsml_strerror(). */
#include "core/error.h"
/* dsml_version(), dsml_library_versions(): what built the library. */
#include "core/version.h"
/* dsml_set_threads(): threads of BLIS and of dsml's own parallel loops;
 * dsml_gemm(), the one door to BLIS, row-major with named transposes. */
#include "core/gemm.h"
/* dsml_rng: the seeded generator every random choice draws from. */
#include "core/rng.h"

/* A prepared dataset: dsml_data_open() maps $DATA/cache/<name>.dsd (prepared
 * by `dsml prepare`, or here by dsml_data_prepare()), dsml_dataset_free(). */
#include "data/dataset.h"
/* Seeded splits into query, database, training and validation lists. */
#include "data/split.h"
/* P x K batches of a training list. */
#include "data/sampler.h"

/* Embedding networks by name (mlp, convnet, alexnet, cnn-f): create, forward,
 * backward, parameters, save and load; the executor behind them. */
#include "nn/model.h"

/* Pairwise distances of a batch (euclidean, sqeuclidean, snr) and their backward. */
#include "metric/distance.h"
/* The losses by name: dsml_loss_defaults(), dsml_loss_ws_create(), dsml_loss_compute(). */
#include "metric/loss.h"
/* L2 normalisation of rows, for evaluating unit-sphere embeddings by cosine. */
#include "metric/l2norm.h"

/* Retrieval scores of embeddings: dsml_eval_ranking() (Recall@K, MAP, MAP@T, F1@T, MAP@R). */
#include "eval/retrieval.h"
/* k-means, NMI and pairwise F1 of a clustering of embeddings. */
#include "eval/cluster.h"
/* embeddings.bin, a run's query and database embeddings: read and write. */
#include "results/embeddings.h"

#endif
