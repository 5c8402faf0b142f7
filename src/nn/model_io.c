/* Saving and loading the parameter block; the format is in model.h. */
#include "nn/model.h"
#include "core/atomic_file.h"
#include "core/error.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_MAGIC "DSMLMDL1"
enum { HEADER_INTS = 14, HEADER_BYTES = 8 + 4 * HEADER_INTS + 4 + 8 };

static void header_ints(const dsml_model_config *c, int32_t v[HEADER_INTS])
{
    v[0] = (int32_t)c->kind;
    v[1] = c->channels;
    v[2] = c->height;
    v[3] = c->width;
    v[4] = c->dim;
    int hidden = dsml_model_takes_option(c->kind, "hidden");
    v[5] = hidden ? c->n_hidden : 0;
    for (int i = 0; i < 8; i++) v[6 + i] = hidden && i < c->n_hidden ? c->hidden[i] : 0;
}

int dsml_model_save(const dsml_model *m, const char *path)
{
    const dsml_model_config *c = dsml_model_get_config(m);
    int32_t ints[HEADER_INTS];
    header_ints(c, ints);
    float dropout = c->dropout;
    size_t count;
    const float *params = dsml_model_params((dsml_model *)m, &count);
    uint64_t count64 = count;
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) return rc;
    if (fwrite(MODEL_MAGIC, 1, 8, f.fp) != 8 || fwrite(ints, sizeof ints, 1, f.fp) != 1 ||
        fwrite(&dropout, sizeof dropout, 1, f.fp) != 1 || fwrite(&count64, sizeof count64, 1, f.fp) != 1 ||
        fwrite(params, sizeof(float), count, f.fp) != count) {
        int err = errno;
        dsml_atomic_abort(&f);
        return dsml_fail(DSML_ERR_IO, "%s: writing model parameters: %s", path, strerror(err));
    }
    return dsml_atomic_commit(&f);
}

static const char *field_name(int i)
{
    static const char *names[6] = {"kind", "channels", "height", "width", "dim", "hidden layers"};
    return i < 6 ? names[i] : "hidden size";
}

int dsml_model_load_params(dsml_model *m, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    int rc = DSML_OK;
    float *buf = NULL;
    unsigned char header[HEADER_BYTES];
    size_t got = fread(header, 1, sizeof header, fp);
    if (got < 8 || memcmp(header, MODEL_MAGIC, 8)) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: offset 0: not a dsml model file (magic %s expected)", path, MODEL_MAGIC);
        goto done;
    }
    if (got < sizeof header) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: header truncated: %zu of %d bytes", path, got, HEADER_BYTES);
        goto done;
    }
    int32_t file_ints[HEADER_INTS], want[HEADER_INTS];
    memcpy(file_ints, header + 8, sizeof file_ints);
    header_ints(dsml_model_get_config(m), want);
    for (int i = 0; i < HEADER_INTS; i++) {
        if (file_ints[i] != want[i]) {
            rc = dsml_fail(DSML_ERR_ARG, "%s: offset %d: %s %d in the file, the model has %d", path, 8 + 4 * i,
                           field_name(i), (int)file_ints[i], (int)want[i]);
            goto done;
        }
    }
    uint64_t count64;
    memcpy(&count64, header + 8 + 4 * HEADER_INTS + 4, sizeof count64);
    size_t count;
    float *params = dsml_model_params(m, &count);
    if (count64 != count) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: offset %d: %llu parameters, the model has %zu", path,
                       HEADER_BYTES - 8, (unsigned long long)count64, count);
        goto done;
    }
    buf = malloc((count ? count : 1) * sizeof(float));
    if (!buf) {
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: %zu parameters", path, count);
        goto done;
    }
    got = fread(buf, sizeof(float), count, fp);
    if (got != count) {
        rc = ferror(fp) ? dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno))
                        : dsml_fail(DSML_ERR_FORMAT, "%s: truncated: %zu of %zu parameters", path, got, count);
        goto done;
    }
    if (fgetc(fp) != EOF) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: offset %zu: unexpected bytes after the %zu parameters", path,
                       (size_t)HEADER_BYTES + count * sizeof(float), count);
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(buf[i])) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: parameter %zu is %g, expected a finite value", path, i,
                           (double)buf[i]);
            goto done;
        }
    }
    memcpy(params, buf, count * sizeof(float));
done:
    free(buf);
    fclose(fp);
    return rc;
}
