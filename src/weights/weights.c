/* Reads a weights file whole (hashing it on the way), sniffs its format from
 * the first bytes and hands it to that format's reader; see weights.h. */
#include "weights/weights.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/sha256.h"
#include "weights/weights_internal.h"

static int read_whole(const char *path, uint8_t **data, size_t *size, char sha256[65])
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return dsml_fail(DSML_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_size > DSML_WEIGHTS_MAX_FILE_BYTES) {
        fclose(fp);
        return dsml_fail(DSML_ERR_FORMAT, "%s: %lld bytes, at most %lld are read", path, (long long)st.st_size,
                         (long long)DSML_WEIGHTS_MAX_FILE_BYTES);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n + 1);
    if (!buf) {
        fclose(fp);
        return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for %zu bytes", path, n);
    }
    dsml_sha256 h;
    dsml_sha256_init(&h);
    size_t got = 0;
    while (got < n) {
        size_t chunk = n - got < (1u << 20) ? n - got : (1u << 20);
        size_t r = fread(buf + got, 1, chunk, fp);
        if (r == 0) break;
        dsml_sha256_update(&h, buf + got, r);
        got += r;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad || got != n) {
        free(buf);
        return dsml_fail(DSML_ERR_IO, "%s: read %zu of %zu bytes", path, got, n);
    }
    dsml_sha256_final_hex(&h, sha256);
    *data = buf;
    *size = n;
    return DSML_OK;
}

typedef int (*reader_fn)(dsml_weights_builder *b, const uint8_t *data, size_t size);

/* The format from the first bytes; NULL with an error for the ones known and
 * refused, and for anything else. */
static reader_fn sniff(const char *path, const uint8_t *d, size_t n, const char **format)
{
    static const char convert[] = "re-save it with torch >= 1.6: torch.save(torch.load(f), f2)";
    if (n >= 4 && !memcmp(d, "PK\x03\x04", 4)) { *format = "torch"; return dsml_weights_read_torch; }
    /* safetensors: a u64 header length, then the JSON header, which starts with '{'
     * (checked first: a header length of 128 + 256 k starts like a pickle) */
    if (n >= 9 && d[8] == '{') { *format = "safetensors"; return dsml_weights_read_safetensors; }
    if (n >= 2 && d[0] == 0x80 && d[1] <= 5) {
        dsml_fail(DSML_ERR_FORMAT, "%s: a legacy (pre-1.6, non-zip) torch.save checkpoint, which is not supported; "
                  "%s", path, convert);
        return NULL;
    }
    if (n >= 262 && !memcmp(d + 257, "ustar", 5)) {
        dsml_fail(DSML_ERR_FORMAT, "%s: a tar file (the oldest torch.save format?), which is not supported; %s",
                  path, convert);
        return NULL;
    }
    if (n >= 128 && !memcmp(d, "MATLAB", 6)) {
        if (n >= 520 && !memcmp(d + 512, "\x89HDF", 4)) {
            dsml_fail(DSML_ERR_FORMAT, "%s: a MAT v7.3 (HDF5) file, which is not supported; re-save it in MATLAB "
                      "with save(f, '-struct', 'net', '-v7')", path);
            return NULL;
        }
        *format = "matconvnet";
        return dsml_weights_read_matconvnet;
    }
    char hex[3 * 8 + 1] = "";
    for (size_t i = 0; i < n && i < 8; i++) sprintf(hex + 3 * i, " %02x", d[i]);
    dsml_fail(DSML_ERR_FORMAT, "%s: unknown weights format (first bytes%s); expected a PyTorch zip checkpoint, "
              "safetensors or a MatConvNet .mat", path, n ? hex : " none: empty file");
    return NULL;
}

int dsml_weights_read(const char *path, dsml_tensor_set *out)
{
    memset(out, 0, sizeof *out);
    uint8_t *data = NULL;
    size_t size = 0;
    char sha[65];
    int rc = read_whole(path, &data, &size, sha);
    if (rc) return rc;
    const char *format = NULL;
    reader_fn reader = sniff(path, data, size, &format);
    dsml_weights_builder b = {.set = out, .path = path};
    rc = reader ? reader(&b, data, size) : DSML_ERR_FORMAT;
    if (!rc) rc = dsml_weights_check_unique(&b);
    free(data);
    if (rc) {
        dsml_tensor_set_free(out);
        return rc;
    }
    snprintf(out->format, sizeof out->format, "%s", format);
    memcpy(out->sha256, sha, sizeof out->sha256);
    return DSML_OK;
}

const dsml_tensor *dsml_tensor_set_find(const dsml_tensor_set *s, const char *name)
{
    for (int i = 0; i < s->count; i++)
        if (!strcmp(s->tensors[i].name, name)) return &s->tensors[i];
    return NULL;
}

void dsml_tensor_set_free(dsml_tensor_set *s)
{
    if (!s) return;
    for (int i = 0; i < s->count; i++) free(s->tensors[i].data);
    free(s->tensors);
    memset(s, 0, sizeof *s);
}
