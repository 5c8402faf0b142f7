/* embeddings.bin: a run's query and database embeddings with their labels and
 * dataset indices, written after training and read back by `dsml plots`.
 *
 * Little-endian, no padding (docs/results.md):
 *
 *   offset  type              field
 *   0       char[8]           magic "DSMLEMB1"
 *   8       uint32            version (1)
 *   12      uint32            d, the embedding size (1..65536)
 *   16      uint32            nq, queries (< 2^28)
 *   20      uint32            ndb, database items (< 2^28)
 *   24      int32[nq]         query labels (>= 0)
 *           int32[nq]         query image indices in the prepared dataset (>= 0)
 *           int32[ndb]        database labels (>= 0)
 *           int32[ndb]        database image indices (>= 0)
 *           float32[nq x d]   query embeddings, row-major
 *           float32[ndb x d]  database embeddings, row-major
 *
 * Size: 24 + 8 (nq + ndb) + 4 d (nq + ndb) bytes. Legend: d embedding size,
 * nq queries, ndb database items. */
#ifndef DSML_RESULTS_EMBEDDINGS_H
#define DSML_RESULTS_EMBEDDINGS_H

#define DSML_EMBEDDINGS_MAX_D 65536
#define DSML_EMBEDDINGS_MAX_ITEMS (1 << 28)

/* Writes path atomically. queries: nq x d, database: ndb x d, with labels and
 * dataset indices; every buffer is borrowed. */
int dsml_embeddings_write(const char *path, int d, const float *queries, const int *query_labels,
                          const int *query_index, int nq, const float *database, const int *database_labels,
                          const int *database_index, int ndb);

/* What to read: the queries part alone (figures), or everything. */
typedef enum { DSML_EMBEDDINGS_QUERIES, DSML_EMBEDDINGS_ALL } dsml_embeddings_part;

typedef struct {
    int d, nq, ndb;              /* from the header, always */
    int *query_labels;           /* nq */
    int *query_index;            /* nq */
    float *queries;              /* nq x d */
    int *database_labels;        /* ndb; NULL when only the queries were read */
    int *database_index;         /* ndb; NULL when only the queries were read */
    float *database;             /* ndb x d; NULL when only the queries were read */
} dsml_embeddings;

/* Reads path: checks the magic, the version, d and the counts, that the file
 * holds exactly the bytes the header promises, and every label and index
 * read (>= 0); errors name the file, the offset or item and what was
 * expected. On success *out owns its arrays (dsml_embeddings_free); on
 * failure *out is empty. */
int dsml_embeddings_read(const char *path, dsml_embeddings_part part, dsml_embeddings *out);
void dsml_embeddings_free(dsml_embeddings *e);

#endif
