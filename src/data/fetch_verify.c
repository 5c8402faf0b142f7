/* What fetch can check of a downloaded file: its size, SHA-256 (all of it or
 * a prefix) and MD5 against the manifest, in one pass; and the record of the
 * SHA-256 of a file the manifest gives no checksum for. Also a small MD5
 * (RFC 1321), since the checksums most dataset authors publish are MD5s. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "data/fetch_internal.h"

/* ------------------------------------------------------------------ MD5 */

typedef struct {
    uint32_t state[4];
    uint32_t k[64];       /* floor(|sin(i + 1)| * 2^32), as RFC 1321 defines it */
    uint64_t bytes;
    uint8_t block[64];
    size_t used;
} md5_ctx;

static void md5_init(md5_ctx *c)
{
    c->state[0] = 0x67452301u;
    c->state[1] = 0xefcdab89u;
    c->state[2] = 0x98badcfeu;
    c->state[3] = 0x10325476u;
    for (int i = 0; i < 64; i++) c->k[i] = (uint32_t)(fabs(sin((double)(i + 1))) * 4294967296.0);
    c->bytes = 0;
    c->used = 0;
}

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static void md5_block(md5_ctx *c, const uint8_t *p)
{
    static const int shift[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = c->state[0], b = c->state[1], cc = c->state[2], d = c->state[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) { f = (b & cc) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & cc); g = (5 * i + 1) % 16; }
        else if (i < 48) { f = b ^ cc ^ d; g = (3 * i + 5) % 16; }
        else { f = cc ^ (b | ~d); g = (7 * i) % 16; }
        f += a + c->k[i] + m[g];
        a = d;
        d = cc;
        cc = b;
        b += rotl32(f, shift[i / 16][i % 4]);
    }
    c->state[0] += a;
    c->state[1] += b;
    c->state[2] += cc;
    c->state[3] += d;
}

static void md5_update(md5_ctx *c, const void *data, size_t size)
{
    const uint8_t *p = data;
    c->bytes += size;
    while (size) {
        size_t take = 64 - c->used < size ? 64 - c->used : size;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        size -= take;
        if (c->used == 64) { md5_block(c, c->block); c->used = 0; }
    }
}

static void md5_final_hex(md5_ctx *c, char hex[33])
{
    uint64_t bits = c->bytes * 8;
    uint8_t pad[72] = {0x80};
    size_t pad_len = (c->used < 56 ? 56 : 120) - c->used;
    uint8_t len_le[8];
    for (int i = 0; i < 8; i++) len_le[i] = (uint8_t)(bits >> (8 * i));
    md5_update(c, pad, pad_len);
    md5_update(c, len_le, 8);
    for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", (unsigned)(c->state[i / 4] >> (8 * (i % 4))) & 0xffu);
}

void dsml_fetch_md5_hex(const void *data, size_t size, char hex[33])
{
    md5_ctx c;
    md5_init(&c);
    md5_update(&c, data, size);
    md5_final_hex(&c, hex);
}

/* ------------------------------------------------------------ verify */

int dsml_fetch_has_checksum(const dsml_manifest_file *f)
{
    return f->sha256[0] || f->md5[0];
}

/* Size, SHA-256 and MD5 of a file in one pass. */
static int hash_file(const char *path, char sha[65], char md5[33], int64_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = malloc(CHUNK);
    if (!buf) { fclose(fp); return dsml_fail(DSML_ERR_NOMEM, "%s: no memory to hash", path); }
    dsml_sha256 h;
    md5_ctx m;
    dsml_sha256_init(&h);
    md5_init(&m);
    int64_t total = 0;
    size_t n;
    while ((n = fread(buf, 1, CHUNK, fp)) > 0) {
        dsml_sha256_update(&h, buf, n);
        md5_update(&m, buf, n);
        total += (int64_t)n;
    }
    int bad = ferror(fp);
    fclose(fp);
    free(buf);
    if (bad) return dsml_fail(DSML_ERR_IO, "%s: read error after %lld bytes", path, (long long)total);
    dsml_sha256_final_hex(&h, sha);
    md5_final_hex(&m, md5);
    *size = total;
    return DSML_OK;
}

int dsml_fetch_verify(const dsml_manifest_file *f, const char *path, char sha[65])
{
    int64_t size = dsml_fetch_file_size(path);
    if (size < 0) return dsml_fail(DSML_ERR_IO, "%s: not a readable file", path);
    if (f->size >= 0 && size != f->size)
        return dsml_fail(DSML_ERR_CHECKSUM, "%s: size expected %lld bytes, found %lld", f->name,
                         (long long)f->size, (long long)size);
    char md5[33];
    int rc = hash_file(path, sha, md5, &size);
    if (rc) return rc;
    size_t known = strlen(f->sha256); /* 64, or fewer digits for a prefix ("7be5be79...") */
    if (known && strncmp(f->sha256, sha, known))
        return dsml_fail(DSML_ERR_CHECKSUM, "%s: sha256 expected %s%s, found %s", f->name, f->sha256,
                         known < 64 ? "..." : "", sha);
    if (f->md5[0] && strcmp(f->md5, md5))
        return dsml_fail(DSML_ERR_CHECKSUM, "%s: md5 expected %s, found %s", f->name, f->md5, md5);
    return DSML_OK;
}

int dsml_fetch_record_sha256(const char *record, const char *name, const char sha[65])
{
    char line[DSML_MANIFEST_NAME + 80];
    int n = snprintf(line, sizeof line, "%s  %s\n", sha, name);
    return dsml_atomic_write(record, line, (size_t)n);
}
