/* Resumable, verified downloads of manifest files with libcurl; see fetch.h
 * and docs/fetch.md. Also a small MD5 (RFC 1321), since the checksums most
 * dataset authors publish are MD5s. */
#include "data/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/sha256.h"

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

/* ------------------------------------------------------------ helpers */

void dsml_fetch_options_default(dsml_fetch_options *o, const char *root)
{
    memset(o, 0, sizeof *o);
    o->root = root;
    o->attempts = 4;
    o->backoff_s = 2.0;
    o->connect_timeout_s = 30;
    o->low_speed_bytes = 1024;
    o->low_speed_time_s = 60;
}

static void note(const dsml_fetch_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const dsml_fetch_options *o, const char *fmt, ...)
{
    if (!o->progress) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->progress, fmt, ap);
    va_end(ap);
    fputc('\n', o->progress);
    fflush(o->progress);
}

static int64_t file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    return (int64_t)st.st_size;
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

/* Checks the file at `path` against what the manifest knows of `f`; fills
 * sha[65] with the file's SHA-256. DSML_ERR_CHECKSUM names file, expected, found. */
static int verify_file(const dsml_manifest_file *f, const char *path, char sha[65])
{
    int64_t size = file_size(path);
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

/* After a download whose full SHA-256 the manifest does not give: the
 * computed one, and what the manifest let fetch verify. */
static void note_computed(const dsml_fetch_options *o, const dsml_manifest_file *f, const char sha[65])
{
    char checked[128] = "";
    size_t used = 0;
    if (f->size >= 0) used += (size_t)snprintf(checked + used, sizeof checked - used, ", size");
    if (f->sha256[0])
        used += (size_t)snprintf(checked + used, sizeof checked - used, ", its first %zu digits", strlen(f->sha256));
    if (f->md5[0]) snprintf(checked + used, sizeof checked - used, ", MD5");
    note(o, "%s: sha256 %s (%s in the manifest; verified: %s)", f->name, sha,
         f->sha256[0] ? "only a prefix" : "not", checked[0] ? checked + 2 : "nothing");
}

static void sleep_seconds(double s)
{
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* ----------------------------------------------------------- transfer */

typedef struct {
    CURL *curl;
    FILE *fp;
    int64_t offset;        /* bytes kept from the .part (0 after a restart) */
    int64_t written;       /* bytes written by this transfer */
    int checked;           /* the status was looked at (first body bytes) */
    int restarted;         /* the server ignored Range: the .part was emptied */
    int write_errno;       /* non-zero when writing the .part failed */
    dsml_progress progress;
    int64_t total;         /* expected final size, or -1 */
} transfer;

/* Empties the .part when a 200 answers a Range request: the body is the whole file. */
static int restart_part(transfer *t)
{
    if (fflush(t->fp) != 0 || ftruncate(fileno(t->fp), 0) != 0) return errno ? errno : EIO;
    t->offset = 0;
    t->restarted = 1;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    transfer *t = user;
    size_t n = size * nmemb;
    if (!t->checked) {
        long status = 0;
        t->checked = 1;
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 300) return 0; /* an error page is never written into the file */
        if (t->offset > 0 && status == 200 && (t->write_errno = restart_part(t))) return 0;
    }
    if (fwrite(data, 1, n, t->fp) != n) {
        t->write_errno = errno ? errno : EIO;
        return 0;
    }
    t->written += (int64_t)n;
    return n;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)ultotal; (void)ulnow;
    transfer *t = user;
    if (t->total < 0 && dltotal > 0) t->progress.total = (double)(t->offset + dltotal) / 1e6;
    dsml_progress_update(&t->progress, (double)(t->offset + dlnow) / 1e6, NULL);
    return 0;
}

enum { STEP_DONE, STEP_RETRY, STEP_NEXT_URL, STEP_FATAL };

/* One HTTP request continuing `part` from `url`. Returns a STEP_ value and
 * leaves the reason in the error message when it is not STEP_DONE. */
static int transfer_once(CURL *curl, const dsml_manifest_file *f, const dsml_fetch_options *o, const char *url,
                         const char *part)
{
    transfer t;
    memset(&t, 0, sizeof t);
    t.curl = curl;
    t.total = f->size;
    t.offset = file_size(part);
    if (t.offset < 0) t.offset = 0;
    if (f->size >= 0 && t.offset > f->size) { /* cannot be a prefix: start over */
        remove(part);
        t.offset = 0;
    }
    if (f->size >= 0 && t.offset == f->size) return STEP_DONE;
    t.fp = fopen(part, "ab");
    if (!t.fp) {
        dsml_fail(DSML_ERR_IO, "%s: %s", part, strerror(errno));
        return STEP_FATAL;
    }

    char range[64], errbuf[CURL_ERROR_SIZE] = "";
    snprintf(range, sizeof range, "%lld-", (long long)t.offset);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "dsml-fetch");
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    /* CURLOPT_RANGE rather than RESUME_FROM: libcurl then hands a 200 body to
     * on_body instead of failing, and on_body restarts the file. */
    if (t.offset > 0) curl_easy_setopt(curl, CURLOPT_RANGE, range);
    dsml_progress_begin(&t.progress, o->progress, f->name, "MB", f->size >= 0 ? (double)f->size / 1e6 : 0.0);
    if (o->progress) {
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    }
    if (t.offset > 0) note(o, "%s: resuming at byte %lld from %s", f->name, (long long)t.offset, url);
    else note(o, "%s: downloading %s", f->name, url);

    CURLcode cc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (cc == CURLE_OK && status == 200 && t.offset > 0 && !t.checked && !t.write_errno)
        t.write_errno = restart_part(&t); /* an empty 200 to a Range request */
    int close_failed = fclose(t.fp) != 0;
    if (t.write_errno || close_failed) {
        dsml_fail(DSML_ERR_IO, "%s: write failed: %s", part, strerror(t.write_errno ? t.write_errno : errno));
        return STEP_FATAL;
    }
    if (t.restarted) note(o, "%s: %s ignored the Range request; restarted from byte 0", f->name, url);
    if ((cc != CURLE_OK || status >= 400) && file_size(part) == 0) remove(part); /* nothing to resume */

    if (status >= 400) {
        dsml_fail(DSML_ERR_NETWORK, "%s: HTTP %ld", url, status);
        if (status == 416) { /* the .part does not fit this server's copy */
            remove(part);
            return STEP_RETRY;
        }
        return status >= 500 || status == 408 || status == 429 ? STEP_RETRY : STEP_NEXT_URL;
    }
    if (cc != CURLE_OK) {
        dsml_fail(DSML_ERR_NETWORK, "%s: %s (after %lld bytes)", url, errbuf[0] ? errbuf : curl_easy_strerror(cc),
                  (long long)t.written);
        return STEP_RETRY;
    }
    if (status >= 300 || (status != 200 && status != 206)) {
        dsml_fail(DSML_ERR_NETWORK, "%s: HTTP %ld, expected 200 or 206", url, status);
        return STEP_NEXT_URL;
    }
    int64_t have = file_size(part);
    dsml_progress_end(&t.progress, (double)(have > 0 ? have : 0) / 1e6, NULL);
    if (f->size >= 0 && have < f->size) {
        dsml_fail(DSML_ERR_NETWORK, "%s: transfer ended at byte %lld of %lld", url, (long long)have,
                  (long long)f->size);
        return STEP_RETRY;
    }
    return STEP_DONE;
}

/* ------------------------------------------------------------ public */

static int try_present(const dsml_manifest_file *f, const dsml_fetch_options *o, const char *path,
                       dsml_fetch_result *result)
{
    if (file_size(path) < 0) return 0;
    char sha[65];
    if (verify_file(f, path, sha) != DSML_OK) {
        note(o, "%s: ignoring %s: %s", f->name, path, dsml_last_error());
        return 0;
    }
    note(o, "%s: present at %s (verified), sha256 %s", f->name, path, sha);
    if (result) {
        snprintf(result->path, sizeof result->path, "%s", path);
        memcpy(result->sha256, sha, 65);
        result->downloaded = 0;
    }
    return 1;
}

int dsml_fetch_file(const dsml_manifest_file *f, const dsml_fetch_options *o, dsml_fetch_result *result)
{
    if (!o->root || !o->root[0]) return dsml_fail(DSML_ERR_ARG, "fetch %s: no data root given", f->name);
    if (o->attempts < 1) return dsml_fail(DSML_ERR_ARG, "fetch %s: attempts %d, expected >= 1", f->name, o->attempts);
    char dir[4096], final[4096], alt[4096], part[4096];
    if (snprintf(dir, sizeof dir, "%s/downloads", o->root) >= (int)sizeof dir ||
        snprintf(final, sizeof final, "%s/%s", dir, f->name) >= (int)sizeof final ||
        snprintf(alt, sizeof alt, "%s/%s", o->root, f->name) >= (int)sizeof alt ||
        snprintf(part, sizeof part, "%s.part", final) >= (int)sizeof part)
        return dsml_fail(DSML_ERR_ARG, "%s: data root path too long", o->root);
    if (try_present(f, o, final, result) || try_present(f, o, alt, result)) return DSML_OK;

    /* The URLs to try, in order. */
    char override[DSML_MANIFEST_URL * 2];
    const char *urls[DSML_MANIFEST_MAX_URLS];
    int n_urls = 0;
    if (o->url) {
        size_t len = strlen(o->url);
        if (snprintf(override, sizeof override, "%s%s", o->url, len && o->url[len - 1] == '/' ? f->name : "") >=
            (int)sizeof override)
            return dsml_fail(DSML_ERR_ARG, "%s: URL too long", o->url);
        urls[n_urls++] = override;
    } else {
        for (int i = 0; i < f->n_urls; i++) urls[n_urls++] = f->urls[i];
    }
    if (n_urls == 0)
        return dsml_fail(DSML_ERR_STATE, "%s: not in %s/downloads/ or %s/, and it is not downloaded automatically: %s",
                         f->name, o->root, o->root, f->manual[0] ? f->manual : "no URL is known");

    int rc = dsml_mkdirs(dir);
    if (rc) return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return dsml_fail(DSML_ERR_NETWORK, "%s: libcurl could not be initialised", f->name);
    CURL *curl = curl_easy_init();
    if (!curl) {
        curl_global_cleanup();
        return dsml_fail(DSML_ERR_NOMEM, "%s: libcurl could not create a handle", f->name);
    }

    char last[1024] = "", checksum_msg[1024] = "";
    rc = DSML_ERR_NETWORK;
    for (int u = 0; u < n_urls && rc != DSML_OK && rc != DSML_ERR_IO; u++) {
        for (int attempt = 1; attempt <= o->attempts; attempt++) {
            if (attempt > 1) {
                double wait = o->backoff_s * pow(2.0, attempt - 2);
                note(o, "%s: try %d of %d in %.1f s (%s)", f->name, attempt, o->attempts, wait, last);
                sleep_seconds(wait);
            }
            int step = transfer_once(curl, f, o, urls[u], part);
            if (step == STEP_FATAL) { rc = DSML_ERR_IO; snprintf(last, sizeof last, "%s", dsml_last_error()); break; }
            if (step != STEP_DONE) {
                snprintf(last, sizeof last, "%s", dsml_last_error());
                if (step == STEP_NEXT_URL) break;
                continue;
            }
            char sha[65];
            int v = verify_file(f, part, sha);
            if (v == DSML_ERR_CHECKSUM) {
                remove(part);
                snprintf(checksum_msg, sizeof checksum_msg, "%s (downloaded from %s; the partial file was removed)",
                         dsml_last_error(), urls[u]);
                snprintf(last, sizeof last, "%s", checksum_msg);
                break;
            }
            if (v) { rc = DSML_ERR_IO; snprintf(last, sizeof last, "%s", dsml_last_error()); break; }
            if (rename(part, final) != 0) {
                rc = dsml_fail(DSML_ERR_IO, "%s -> %s: %s", part, final, strerror(errno));
                snprintf(last, sizeof last, "%s", dsml_last_error());
                break;
            }
            if (strlen(f->sha256) < 64) note_computed(o, f, sha);
            if (result) {
                snprintf(result->path, sizeof result->path, "%s", final);
                memcpy(result->sha256, sha, 65);
                result->downloaded = 1;
            }
            rc = DSML_OK;
            break;
        }
    }
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    if (rc == DSML_OK) return DSML_OK;
    if (rc == DSML_ERR_IO) return dsml_fail(DSML_ERR_IO, "%s", last);
    if (checksum_msg[0]) return dsml_fail(DSML_ERR_CHECKSUM, "%s", checksum_msg);
    return dsml_fail(DSML_ERR_NETWORK, "%s: download failed: %s", f->name, last);
}

int dsml_fetch_dataset(const dsml_manifest *m, const dsml_fetch_options *o)
{
    if (o->url && m->n_files > 1) {
        size_t len = strlen(o->url);
        if (!len || o->url[len - 1] != '/')
            return dsml_fail(DSML_ERR_ARG,
                             "%s has %d files: give a URL ending in '/' (each file name is appended to it)", m->name,
                             m->n_files);
    }
    for (int i = 0; i < m->n_files; i++) {
        int rc = dsml_fetch_file(&m->files[i], o, NULL);
        if (rc) return rc;
    }
    return DSML_OK;
}
