/* Fake runs for the tests of the commands that read runs (tables, plots,
 * summary, regress, results): a metrics.json with exactly the keys a test
 * gives, and an embeddings.bin written field by field as docs/results.md
 * lays it out (so a reader is tested against the format, not against the
 * writer).
 *
 *   fixture_doc d;
 *   fixture_run(&d, "cifar10", "triplet", "snr", 32, 1);  // config.dataset, loss, distance, dim, seed
 *   fixture_num(&d, "metrics.euclidean.map@t", 0.31);
 *   fixture_write(&d, testdir_path("results/cifar10/triplet-snr-d32-s1/metrics.json"));
 *
 * Keys are dotted paths; members are written in the order given, each object
 * where its first member is. Failures fail the test. */
#ifndef DSML_TESTS_RUN_FIXTURE_H
#define DSML_TESTS_RUN_FIXTURE_H

#include <stdint.h>

#define FIXTURE_MAX_KEYS 96

typedef struct {
    int n;
    char key[FIXTURE_MAX_KEYS][96];
    char value[FIXTURE_MAX_KEYS][512]; /* JSON text */
} fixture_doc;

/* An empty document ({}). */
void fixture_init(fixture_doc *d);
/* fixture_init, then the five keys that identify a run. */
void fixture_run(fixture_doc *d, const char *dataset, const char *loss, const char *distance, int dim, int seed);

void fixture_str(fixture_doc *d, const char *key, const char *value);
void fixture_num(fixture_doc *d, const char *key, double value);   /* %.17g */
void fixture_int(fixture_doc *d, const char *key, long long value);
void fixture_bool(fixture_doc *d, const char *key, int value);
/* Any JSON text: "[1, 2]", "null". */
void fixture_raw(fixture_doc *d, const char *key, const char *json);
/* The key's value replaced by json (the key added when absent), or the key
 * dropped (json NULL): one document with one value broken or missing. */
void fixture_set(fixture_doc *d, const char *key, const char *json);
/* metrics.<block>.recall@1 .. recall@32 = base + K / 100. */
void fixture_recalls(fixture_doc *d, const char *block, double base);

/* Writes the document to path (its folder made first). */
void fixture_write(const fixture_doc *d, const char *path);
/* The same into <root>/<dataset>/<run>/metrics.json. */
void fixture_write_run(const fixture_doc *d, const char *root, const char *dataset, const char *run);

/* <results>/account.json as `dsml sweep account` writes it (docs/results.md):
 * format_version 1, sweep "paper.sweep", kinds "runs", the given JSON text of
 * the two lists ("[{...}, ...]"), exit_status 1 when any dataset is not
 * "complete" in the text. */
void fixture_account(const char *results, const char *datasets_json, const char *weights_json);
/* One dataset entry's JSON text; status from the counts: "skipped" when
 * skipped == runs, "complete" when finished == runs, else "incomplete". */
const char *fixture_account_dataset(const char *name, int finished, int failed, int not_started, int skipped,
                                    const char *reason, const char *get);

/* embeddings.bin with the given header fields: nq queries (labels qlabels,
 * indices 1000 + i, embeddings q, nq x d) and ndb database items (labels
 * i % 3, indices i, every value -1). */
void fixture_embeddings(const char *path, int d, int nq, int ndb, const int *qlabels, const float *q,
                        const char *magic, uint32_t version);

#endif
