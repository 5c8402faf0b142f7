/* The provenance lines of the tables; see provenance.h. */
#include "report/provenance.h"
#include "core/error.h"
#include "core/sha256.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void dsml_sources_add(dsml_sources *s, const char *sha256)
{
    const char *hex = sha256 ? sha256 : "";
    int i = 0;
    while (i < s->count && strcmp(s->sources[i].sha256, hex) < 0) i++;
    if (i < s->count && !strcmp(s->sources[i].sha256, hex)) {
        s->sources[i].runs++;
        return;
    }
    if (s->count == DSML_SOURCES_MAX || strlen(hex) >= sizeof s->sources[0].sha256) {
        s->dropped++;
        return;
    }
    memmove(&s->sources[i + 1], &s->sources[i], (size_t)(s->count - i) * sizeof s->sources[0]);
    snprintf(s->sources[i].sha256, sizeof s->sources[i].sha256, "%s", hex);
    s->sources[i].runs = 1;
    s->count++;
}

/* The official source hash the manifest implies: the one file's SHA-256, or
 * for several files the SHA-256 of "<sha256>  <name>\n" per file in manifest
 * order; "" when a file's full SHA-256 is not published. */
static void official_hash(const dsml_manifest *m, char hex[65])
{
    hex[0] = '\0';
    for (int i = 0; i < m->n_files; i++)
        if (strlen(m->files[i].sha256) != 64) return;
    if (m->n_files == 1) {
        memcpy(hex, m->files[0].sha256, 65);
        return;
    }
    dsml_sha256 h;
    dsml_sha256_init(&h);
    for (int i = 0; i < m->n_files; i++) {
        dsml_sha256_update(&h, m->files[i].sha256, 64);
        dsml_sha256_update(&h, "  ", 2);
        dsml_sha256_update(&h, m->files[i].name, strlen(m->files[i].name));
        dsml_sha256_update(&h, "\n", 1);
    }
    dsml_sha256_final_hex(&h, hex);
}

/* "MD5 <hex>, <N> bytes" of each file, "; "-separated, names given when several. */
static void published_checks(const dsml_manifest *m, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < m->n_files && len < size; i++) {
        const dsml_manifest_file *f = &m->files[i];
        char bytes[32];
        if (f->size >= 0) snprintf(bytes, sizeof bytes, "%lld bytes", (long long)f->size);
        else snprintf(bytes, sizeof bytes, "size unknown");
        len += (size_t)snprintf(out + len, size - len, "%s%s%s%s%s, %s", i ? "; " : "", m->n_files > 1 ? f->name : "",
                                m->n_files > 1 ? " " : "", f->md5[0] ? "MD5 " : "MD5 unknown", f->md5, bytes);
    }
}

void dsml_provenance_verdict(const dsml_manifest *m, const char *sha256, char *out, size_t size)
{
    const char *what = m && m->n_files > 1 ? "files" : "archive";
    char official[65];
    if (!sha256 || !sha256[0]) {
        snprintf(out, size, "no source SHA-256 recorded (data.source_sha256); not verified");
        return;
    }
    if (!m) {
        snprintf(out, size, "no manifest for this dataset; not verified");
        return;
    }
    const dsml_manifest_copy *copy = dsml_manifest_find_copy(m, sha256);
    official_hash(m, official);
    if (copy) {
        snprintf(out, size, "not the official %s: %s", what, copy->note);
    } else if (official[0] && !strcmp(official, sha256)) {
        snprintf(out, size, "official %s (SHA-256 %s the manifest)", what,
                 m->n_files > 1 ? "of their sha256sum listing matches" : "matches");
    } else if (official[0]) {
        snprintf(out, size, "neither the official %s nor a known copy (the manifest's SHA-256 is %s)", what, official);
    } else {
        char checks[1024];
        published_checks(m, checks, sizeof checks);
        snprintf(out, size, "official SHA-256 not published; not verified (manifest: %s%s)", checks,
                 m->n_files > 1 ? "; the recorded hash is the SHA-256 of the files' sha256sum listing, "
                                  "docs/formats.md" : "");
    }
}

/* Text for a LaTeX caption: the characters special there escaped. */
static void tex_put(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '~') fprintf(fp, "\\textasciitilde{}");
        else if (*s == '^') fprintf(fp, "\\textasciicircum{}");
        else if (*s == '\\') fprintf(fp, "\\textbackslash{}");
        else if (strchr("_%#&${}", *s)) fprintf(fp, "\\%c", *s);
        else fputc(*s, fp);
    }
}

/* A hash: in code font, and in LaTeX breakable every 16 digits. */
static void put_hash(FILE *fp, const char *hex, int tex)
{
    if (!tex) {
        fprintf(fp, "`%s`", hex);
        return;
    }
    fprintf(fp, "\\texttt{");
    for (size_t i = 0; hex[i]; i++) fprintf(fp, "%s%c", i && i % 16 == 0 ? "\\allowbreak " : "", hex[i]);
    fprintf(fp, "}");
}

/* Loads dir/<dataset>.manifest into *m; *found = 0 when there is none. */
static int load_manifest(const char *dir, const char *dataset, dsml_manifest *m, int *found)
{
    char path[4200];
    struct stat st;
    *found = 0;
    if (!dir) return DSML_OK;
    snprintf(path, sizeof path, "%s/%s.manifest", dir, dataset);
    if (stat(path, &st) != 0)
        return errno == ENOENT ? DSML_OK : dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    *found = 1;
    return dsml_manifest_load(m, path);
}

int dsml_provenance_verdict_of(const char *manifests_dir, const char *dataset, const char *sha256, char *out,
                               size_t size)
{
    dsml_manifest *m = malloc(sizeof *m);
    if (!m) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for its manifest", dataset);
    int found;
    int rc = load_manifest(manifests_dir, dataset, m, &found);
    if (!rc) dsml_provenance_verdict(found ? m : NULL, sha256, out, size);
    free(m);
    return rc;
}

int dsml_provenance_write(FILE *fp, const char *manifests_dir, const char *dataset, const dsml_sources *s, int tex)
{
    if (s->count == 0) return DSML_OK;
    dsml_manifest *m = malloc(sizeof *m);
    if (!m) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for its manifest", dataset);
    int found;
    int rc = load_manifest(manifests_dir, dataset, m, &found);
    if (rc) {
        free(m);
        return rc;
    }
    if (tex) {
        fprintf(fp, "Data (");
        tex_put(fp, dataset);
        fprintf(fp, "), source SHA-256 recorded by the runs:");
    } else {
        fprintf(fp, "Data (`%s`), source SHA-256 recorded by the runs (`data.source_sha256`):", dataset);
    }
    for (int i = 0; i < s->count; i++) {
        char verdict[2048];
        dsml_provenance_verdict(found ? m : NULL, s->sources[i].sha256, verdict, sizeof verdict);
        fprintf(fp, "%s", tex ? (i ? "; " : " ") : "\n- ");
        if (s->sources[i].sha256[0]) put_hash(fp, s->sources[i].sha256, tex);
        else fprintf(fp, "none");
        fprintf(fp, " (%d run%s): ", s->sources[i].runs, s->sources[i].runs == 1 ? "" : "s");
        if (tex) tex_put(fp, verdict);
        else fprintf(fp, "%s", verdict);
    }
    if (s->dropped) fprintf(fp, "%s%d more run%s of other sources", tex ? "; " : "\n- ", s->dropped,
                            s->dropped == 1 ? "" : "s");
    fprintf(fp, tex ? "." : "\n\n");
    free(m);
    return ferror(fp) ? dsml_fail(DSML_ERR_IO, "%s: provenance: write error", dataset) : DSML_OK;
}
