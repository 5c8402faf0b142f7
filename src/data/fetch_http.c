/* One HTTP request of a download, with libcurl: http and https only (also
 * for redirects), a Range request with If-Range when a .part is continued,
 * the validator of a response that starts the file recorded beside the
 * .part, an HTML page refused before a byte of it is written, a stall given
 * up on, and the outcome classified: transient failures are tried again,
 * the others (a refused protocol or certificate, most 4xx, HTML, a stall)
 * move on to the next URL. See docs/fetch.md. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/error.h"
#include "core/progress.h"
#include "data/fetch_internal.h"

typedef struct {
    CURL *curl;
    FILE *fp;
    const dsml_manifest_file *f;
    const char *url, *meta;
    int64_t offset;        /* bytes kept from the .part (0 after a restart) */
    int64_t written;       /* bytes written by this transfer */
    int checked;           /* the status was looked at (first body bytes) */
    int refused_status;    /* the body of a 3xx or error answer was not written */
    int restarted;         /* the server answered 200 to a Range request: the .part was emptied */
    int write_errno;       /* non-zero when writing the .part failed */
    int meta_failed;       /* the .part.meta could not be written (message recorded) */
    char html[160];        /* "" or why the body is an HTML page ("text/html", "sent as ...") */
    /* Headers of the latest response (a redirect's are replaced by the next one's). */
    char etag[256], last_modified[128], content_type[128];
    dsml_progress progress;
    int64_t total;         /* expected final size, or -1 */
} transfer;

/* ------------------------------------------------------------ headers */

/* Copies the value of header `name` from one header line into out[cap]
 * (trimmed; left as it was when the line is another header, emptied when
 * the value does not fit: a cut validator would never match). */
static void header_copy(const char *line, size_t n, const char *name, char *out, size_t cap)
{
    size_t len = strlen(name);
    if (n <= len || strncasecmp(line, name, len) || line[len] != ':') return;
    const char *v = line + len + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t')) end--;
    size_t size = (size_t)(end - v);
    if (size >= cap) size = 0;
    memcpy(out, v, size);
    out[size] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    transfer *t = user;
    size_t n = size * nmemb;
    if (n >= 5 && !strncmp(data, "HTTP/", 5)) /* a new response: forget the previous one's */
        t->etag[0] = t->last_modified[0] = t->content_type[0] = '\0';
    header_copy(data, n, "etag", t->etag, sizeof t->etag);
    header_copy(data, n, "last-modified", t->last_modified, sizeof t->last_modified);
    header_copy(data, n, "content-type", t->content_type, sizeof t->content_type);
    return n;
}

/* ------------------------------------------------------------- HTML */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcasecmp(s + n - k, suffix);
}

/* Whether a 2xx answer is an HTML page (a login or error page) rather than
 * the file: by its Content-Type, or, for a body starting at byte 0, by how
 * it starts (servers label such pages application/octet-stream too). Sets
 * t->html to what gave it away. A file that is itself HTML is let through. */
static int is_html(transfer *t, long status, const char *data, size_t n)
{
    if (ends_with(t->f->name, ".html") || ends_with(t->f->name, ".htm")) return 0;
    size_t type = strcspn(t->content_type, "; \t");
    if ((type == 9 && !strncasecmp(t->content_type, "text/html", 9)) ||
        (type == 21 && !strncasecmp(t->content_type, "application/xhtml+xml", 21))) {
        snprintf(t->html, sizeof t->html, "%s", t->content_type);
        return 1;
    }
    if (status != 200) return 0; /* a 206 body starts mid-file */
    size_t i = 0;
    if (n >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) i = 3; /* UTF-8 byte order mark */
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) i++;
    static const char *const starts[] = {"<!doctype html", "<html"};
    for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
        size_t len = strlen(starts[k]);
        if (n - i >= len && !strncasecmp(data + i, starts[k], len)) {
            snprintf(t->html, sizeof t->html, "sent as %s", t->content_type[0] ? t->content_type : "no Content-Type");
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- body */

/* Empties the .part when a 200 answers a Range request: the body is the whole file. */
static int restart_part(transfer *t)
{
    if (fflush(t->fp) != 0 || ftruncate(fileno(t->fp), 0) != 0) return errno ? errno : EIO;
    t->offset = 0;
    t->restarted = 1;
    return 0;
}

/* First body bytes: decides whether they go into the .part at all. */
static int accept_body(transfer *t, const char *data, size_t n)
{
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300) { /* an error page is never written into the file */
        t->refused_status = 1;
        return 0;
    }
    if (is_html(t, status, data, n)) return 0;
    if (t->offset > 0 && status == 200 && (t->write_errno = restart_part(t))) return 0;
    /* The .part now holds this response's bytes from 0: record what they are. */
    if (t->offset == 0 && dsml_fetch_part_record(t->meta, t->url, t->etag, t->last_modified) != DSML_OK) {
        t->meta_failed = 1;
        return 0;
    }
    return 1;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    transfer *t = user;
    size_t n = size * nmemb;
    if (!t->checked) {
        t->checked = 1;
        if (!accept_body(t, data, n)) return 0;
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

/* ----------------------------------------------------- classification */

/* Transfer errors that trying again would only repeat. Every other one
 * (connection refused or reset, a timeout while connecting, a body cut
 * short, nothing received) is taken as transient. */
static const struct {
    CURLcode code;
    const char *why;
} permanent[] = {
    {CURLE_UNSUPPORTED_PROTOCOL, "only http and https are fetched"},
    {CURLE_URL_MALFORMAT, "not a valid URL"},
    {CURLE_NOT_BUILT_IN, "not supported by this libcurl"},
    {CURLE_TOO_MANY_REDIRECTS, "too many redirects"},
    {CURLE_REMOTE_ACCESS_DENIED, "access denied"},
    {CURLE_PEER_FAILED_VERIFICATION, "the server's TLS certificate could not be verified"},
    {CURLE_SSL_CACERT_BADFILE, "the CA certificates could not be read"},
    {CURLE_SSL_CERTPROBLEM, "a TLS certificate problem"},
    {CURLE_SSL_ISSUER_ERROR, "the TLS certificate's issuer could not be verified"},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, "the server's public key does not match"},
    {CURLE_BAD_CONTENT_ENCODING, "a content encoding that cannot be decoded"},
};

static const char *permanent_reason(CURLcode cc)
{
    for (size_t i = 0; i < sizeof permanent / sizeof permanent[0]; i++)
        if (permanent[i].code == cc) return permanent[i].why;
    return NULL;
}

/* HTTP errors worth another try: the server is busy or failing for now. */
static int transient_status(long status)
{
    return status >= 500 || status == 408 || status == 429;
}

/* The step after a transfer that did not complete, with its message. */
static dsml_fetch_step classify(transfer *t, CURLcode cc, long status, const char *errbuf, const dsml_fetch_options *o,
                                const char *part)
{
    const char *url = t->url, *what = errbuf[0] ? errbuf : curl_easy_strerror(cc);
    if (t->html[0]) {
        dsml_fail(DSML_ERR_NETWORK, "server returned an HTML page (%s), not the archive: a login or error page? URL %s",
                  t->html, url);
        return DSML_FETCH_NEXT_URL;
    }
    if (status >= 400) {
        dsml_fail(DSML_ERR_NETWORK, "%s: HTTP %ld", url, status);
        if (status == 416) { /* the .part does not fit this server's copy */
            dsml_fetch_part_drop(part, t->meta);
            return DSML_FETCH_RETRY;
        }
        return transient_status(status) ? DSML_FETCH_RETRY : DSML_FETCH_NEXT_URL;
    }
    if (t->refused_status || (status >= 300 && cc == CURLE_OK)) {
        dsml_fail(DSML_ERR_NETWORK, "%s: HTTP %ld, expected 200 or 206", url, status);
        return DSML_FETCH_NEXT_URL;
    }
    long sent = 0;
    curl_easy_getinfo(t->curl, CURLINFO_REQUEST_SIZE, &sent);
    if (cc == CURLE_OPERATION_TIMEDOUT && sent > 0) {
        /* Connected and asked, then (almost) nothing: the stall limit is what
         * this server may cost in all, so it is not asked again. */
        dsml_fail(DSML_ERR_NETWORK, "%s: stalled: less than 1 byte/s for %ld s (after %lld bytes); not retried",
                  url, o->stall_timeout_s, (long long)t->written);
        return DSML_FETCH_NEXT_URL;
    }
    const char *why = permanent_reason(cc);
    if (why) {
        dsml_fail(DSML_ERR_NETWORK, "%s: %s: %s; not retried", url, what, why);
        return DSML_FETCH_NEXT_URL;
    }
    dsml_fail(DSML_ERR_NETWORK, "%s: %s (after %lld bytes)", url, what, (long long)t->written);
    return DSML_FETCH_RETRY;
}

/* ----------------------------------------------------------- request */

static void set_options(CURL *curl, transfer *t, const dsml_fetch_options *o, const char *range, const char *if_range,
                        struct curl_slist *headers, char *errbuf)
{
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, t->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "dsml-fetch");
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, o->stall_timeout_s);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
    /* CURLOPT_RANGE rather than RESUME_FROM: libcurl then hands a 200 body to
     * on_body instead of failing, and on_body restarts the file. */
    if (range[0]) curl_easy_setopt(curl, CURLOPT_RANGE, range);
    if (if_range[0]) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (o->progress) {
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, t);
    }
}

dsml_fetch_step dsml_fetch_transfer(void *handle, const dsml_manifest_file *f, const dsml_fetch_options *o,
                                    const char *url, const char *part, const char *meta)
{
    CURL *curl = handle;
    transfer t;
    memset(&t, 0, sizeof t);
    t.curl = curl;
    t.f = f;
    t.url = url;
    t.meta = meta;
    t.total = f->size;
    char if_range[300];
    t.offset = dsml_fetch_part_plan(f, o, part, meta, if_range, sizeof if_range);
    if (f->size >= 0 && t.offset == f->size) return DSML_FETCH_DONE;
    t.fp = fopen(part, "ab");
    if (!t.fp) {
        dsml_fail(DSML_ERR_IO, "%s: %s", part, strerror(errno));
        return DSML_FETCH_FATAL;
    }

    char range[64] = "", header[320], errbuf[CURL_ERROR_SIZE] = "";
    if (t.offset > 0) snprintf(range, sizeof range, "%lld-", (long long)t.offset);
    snprintf(header, sizeof header, "If-Range: %s", if_range);
    struct curl_slist *headers = if_range[0] ? curl_slist_append(NULL, header) : NULL;
    if (if_range[0] && !headers) {
        fclose(t.fp);
        dsml_fail(DSML_ERR_NOMEM, "%s: no memory for a request header", url);
        return DSML_FETCH_FATAL;
    }
    set_options(curl, &t, o, range, if_range, headers, errbuf);
    dsml_progress_begin(&t.progress, o->progress, f->name, "MB", f->size >= 0 ? (double)f->size / 1e6 : 0.0);
    if (t.offset > 0)
        dsml_fetch_note(o, "%s: resuming at byte %lld from %s%s%s%s", f->name, (long long)t.offset, url,
                        if_range[0] ? " (If-Range: " : "", if_range, if_range[0] ? ")" : "");
    else dsml_fetch_note(o, "%s: downloading %s", f->name, url);

    CURLcode cc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (cc == CURLE_OK && status == 200 && t.offset > 0 && !t.checked && !t.write_errno) {
        t.write_errno = restart_part(&t); /* an empty 200 to a Range request */
        remove(meta);
    }
    int close_failed = fclose(t.fp) != 0;
    if (t.meta_failed) return DSML_FETCH_FATAL; /* the message names the .part.meta */
    if (t.write_errno || close_failed) {
        dsml_fail(DSML_ERR_IO, "%s: write failed: %s", part, strerror(t.write_errno ? t.write_errno : errno));
        return DSML_FETCH_FATAL;
    }
    if (t.restarted)
        dsml_fetch_note(o, "%s: %s sent the whole file (another version, or Range ignored); restarted from byte 0",
                        f->name, url);
    if ((cc != CURLE_OK || status >= 400) && dsml_fetch_file_size(part) == 0)
        dsml_fetch_part_drop(part, meta); /* nothing to resume */

    if (cc != CURLE_OK || status >= 300 || t.html[0]) return classify(&t, cc, status, errbuf, o, part);
    if (status != 200 && status != 206) {
        dsml_fail(DSML_ERR_NETWORK, "%s: HTTP %ld, expected 200 or 206", url, status);
        return DSML_FETCH_NEXT_URL;
    }
    int64_t have = dsml_fetch_file_size(part);
    dsml_progress_end(&t.progress, (double)(have > 0 ? have : 0) / 1e6, NULL);
    if (f->size >= 0 && have < f->size) {
        dsml_fail(DSML_ERR_NETWORK, "%s: transfer ended at byte %lld of %lld", url, (long long)have,
                  (long long)f->size);
        return DSML_FETCH_RETRY;
    }
    return DSML_FETCH_DONE;
}
