/* embeddings.bin, written and read; see embeddings.h and docs/results.md. */
#include "results/embeddings.h"
#include "core/atomic_file.h"
#include "core/error.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "DSMLEMB1"
#define HEADER_BYTES 24

/* ---- writing -------------------------------------------------------------------- */

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

int dsml_embeddings_write(const char *path, int d, const float *queries, const int *query_labels,
                          const int *query_index, int nq, const float *database, const int *database_labels,
                          const int *database_index, int ndb)
{
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) return rc;
    int ok = fwrite(MAGIC, 1, 8, f.fp) == 8 && put_u32(f.fp, 1) && put_u32(f.fp, (uint32_t)d) &&
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

/* ---- reading -------------------------------------------------------------------- */

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void dsml_embeddings_free(dsml_embeddings *e)
{
    free(e->query_labels);
    free(e->query_index);
    free(e->queries);
    free(e->database_labels);
    free(e->database_index);
    free(e->database);
    memset(e, 0, sizeof *e);
}

/* Reads n int32 at the file's position into out, each checked >= 0; `what`
 * ("query", "database item") and `field` ("label", "index") name a bad one. */
static int read_ids(FILE *fp, const char *path, int *out, uint32_t n, const char *what, const char *field)
{
    unsigned char raw[4096];
    for (uint32_t done = 0; done < n;) {
        uint32_t chunk = n - done < sizeof raw / 4 ? n - done : (uint32_t)(sizeof raw / 4);
        long long offset = (long long)ftello(fp);
        if (fread(raw, 4, chunk, fp) != chunk)
            return dsml_fail(DSML_ERR_IO, "%s: offset %lld: short read of the %s %ss", path, offset, what, field);
        for (uint32_t i = 0; i < chunk; i++) {
            int32_t v = (int32_t)le32(raw + 4 * i);
            if (v < 0)
                return dsml_fail(DSML_ERR_FORMAT, "%s: %s %u: %s %d, expected >= 0", path, what, done + i, field, v);
            out[done + i] = v;
        }
        done += chunk;
    }
    return DSML_OK;
}

static int read_floats(FILE *fp, const char *path, float *out, size_t n, const char *what)
{
    long long offset = (long long)ftello(fp);
    if (fread(out, sizeof(float), n, fp) != n)
        return dsml_fail(DSML_ERR_IO, "%s: offset %lld: short read of the %s embeddings", path, offset, what);
    return DSML_OK;
}

/* malloc of count items of size bytes (at least one item), or NULL. */
static void *alloc_items(size_t count, size_t size)
{
    return malloc((count ? count : 1) * size);
}

/* The header's fields, each against its range and the file's size. */
static int check_header(const char *path, const unsigned char *h, long long size, uint32_t *d, uint32_t *nq,
                        uint32_t *ndb)
{
    if (memcmp(h, MAGIC, 8) != 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: offset 0: magic is not " MAGIC " (not an embeddings.bin)", path);
    uint32_t version = le32(h + 8);
    *d = le32(h + 12);
    *nq = le32(h + 16);
    *ndb = le32(h + 20);
    if (version != 1) return dsml_fail(DSML_ERR_FORMAT, "%s: offset 8: version %u, expected 1", path, version);
    if (*d < 1 || *d > DSML_EMBEDDINGS_MAX_D)
        return dsml_fail(DSML_ERR_FORMAT, "%s: offset 12: d %u, expected 1..%d", path, *d, DSML_EMBEDDINGS_MAX_D);
    if (*nq >= DSML_EMBEDDINGS_MAX_ITEMS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: offset 16: nq %u, expected < 2^28", path, *nq);
    if (*ndb >= DSML_EMBEDDINGS_MAX_ITEMS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: offset 20: ndb %u, expected < 2^28", path, *ndb);
    long long items = (long long)*nq + *ndb;
    long long expected = HEADER_BYTES + 8 * items + 4LL * *d * items;
    if (size != expected)
        return dsml_fail(DSML_ERR_FORMAT,
                         "%s: %lld bytes, expected %lld for d %u, %u queries and %u database items "
                         "(24 + 8 (nq + ndb) + 4 d (nq + ndb))",
                         path, size, expected, *d, *nq, *ndb);
    return DSML_OK;
}

int dsml_embeddings_read(const char *path, dsml_embeddings_part part, dsml_embeddings *out)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char h[HEADER_BYTES];
    struct stat st;
    uint32_t d = 0, nq = 0, ndb = 0;
    int rc = DSML_OK;
    if (fstat(fileno(fp), &st) != 0)
        rc = dsml_fail(DSML_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
    else if (fread(h, 1, sizeof h, fp) != sizeof h)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %lld bytes, expected a 24-byte header", path, (long long)st.st_size);
    else
        rc = check_header(path, h, (long long)st.st_size, &d, &nq, &ndb);
    int all = part == DSML_EMBEDDINGS_ALL;
    if (!rc) {
        out->d = (int)d;
        out->nq = (int)nq;
        out->ndb = (int)ndb;
        out->query_labels = alloc_items(nq, sizeof(int));
        out->query_index = alloc_items(nq, sizeof(int));
        out->queries = alloc_items((size_t)nq * d, sizeof(float));
        if (all) {
            out->database_labels = alloc_items(ndb, sizeof(int));
            out->database_index = alloc_items(ndb, sizeof(int));
            out->database = alloc_items((size_t)ndb * d, sizeof(float));
        }
        if (!out->query_labels || !out->query_index || !out->queries ||
            (all && (!out->database_labels || !out->database_index || !out->database)))
            rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for %u queries and %u database items of size %u",
                           path, nq, all ? ndb : 0, d);
    }
    /* the layout: labels and indices of the queries, then of the database, then the embeddings */
    if (!rc) rc = read_ids(fp, path, out->query_labels, nq, "query", "label");
    if (!rc) rc = read_ids(fp, path, out->query_index, nq, "query", "index");
    if (!rc && all) rc = read_ids(fp, path, out->database_labels, ndb, "database item", "label");
    if (!rc && all) rc = read_ids(fp, path, out->database_index, ndb, "database item", "index");
    if (!rc && fseeko(fp, (off_t)(HEADER_BYTES + 8 * ((long long)nq + ndb)), SEEK_SET) != 0)
        rc = dsml_fail(DSML_ERR_IO, "%s: cannot seek to the embeddings: %s", path, strerror(errno));
    if (!rc) rc = read_floats(fp, path, out->queries, (size_t)nq * d, "query");
    if (!rc && all) rc = read_floats(fp, path, out->database, (size_t)ndb * d, "database");
    fclose(fp);
    if (rc) dsml_embeddings_free(out);
    return rc;
}
