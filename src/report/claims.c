/* Verdicts and claims.md; see claims.h. */
#include "report/claims.h"
#include "core/error.h"
#include "report/paper.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

dsml_verdict dsml_verdict_decide(double paper_diff, const dsml_diff *d)
{
    if (!d) return DSML_VERDICT_NOT_RUN;
    if (!d->has_ci) return DSML_VERDICT_INCONCLUSIVE;
    double lo = d->mean - d->half_width, hi = d->mean + d->half_width;
    if (lo > 0) return paper_diff > 0 ? DSML_VERDICT_REPRODUCED : DSML_VERDICT_CONTRADICTED;
    if (hi < 0) return paper_diff < 0 ? DSML_VERDICT_REPRODUCED : DSML_VERDICT_CONTRADICTED;
    return DSML_VERDICT_INCONCLUSIVE;
}

const char *dsml_verdict_name(dsml_verdict v)
{
    static const char *names[DSML_VERDICT_COUNT] = {"reproduced", "contradicted", "inconclusive", "not run"};
    return v >= 0 && v < DSML_VERDICT_COUNT ? names[v] : "?";
}

/* ---- claims.md ----------------------------------------------------------------- */

/* One comparison as a Markdown row; counts its verdict. `scale` turns our
 * fractions into the table's unit, `decimals` the precision of differences. */
static void claim_row(FILE *fp, const char *prefix, const char *paper, double paper_diff, const dsml_sample *snr,
                      const dsml_sample *euc, double scale, int decimals, int counts[DSML_VERDICT_COUNT])
{
    dsml_diff d;
    const dsml_diff *dp = NULL;
    if (snr->n > 0 && euc->n > 0) {
        dsml_sample a = *snr, b = *euc;
        for (int i = 0; i < a.n; i++) a.values[i] *= scale;
        for (int i = 0; i < b.n; i++) b.values[i] *= scale;
        if (dsml_stats_diff(&a, &b, &d) == DSML_OK) dp = &d;
    }
    dsml_verdict v = dsml_verdict_decide(paper_diff, dp);
    counts[v]++;
    fprintf(fp, "| %s | %s | ", prefix, paper);
    if (!dp) {
        fprintf(fp, "— | %d, %d | %s (%s) |\n", snr->n, euc->n, dsml_verdict_name(v),
                snr->n == 0 && euc->n == 0 ? "neither side" : snr->n == 0 ? "no SNR runs" : "no Euclidean runs");
        return;
    }
    fprintf(fp, "%+.*f", decimals, d.mean);
    if (d.has_ci)
        fprintf(fp, " [%+.*f, %+.*f] %s", decimals, d.mean - d.half_width, decimals, d.mean + d.half_width,
                d.paired ? "paired" : "unpaired");
    fprintf(fp, " | %d, %d | %s%s |\n", d.n_snr, d.n_euclidean, dsml_verdict_name(v),
            d.has_ci ? "" : (d.n_snr == 1 && d.n_euclidean == 1 ? " (1 seed, no CI)" : " (1 seed on one side, no CI)"));
}

static const char *dml_header = "| loss | size | metric | paper: SNR − Euclidean | ours: SNR − Euclidean [95% CI] "
                                "| seeds (SNR, Eucl.) | verdict |\n|---|---|---|---|---|---|---|\n";

/* Tables 1-3 for one dataset with runs. */
static void claims_published_dml(FILE *fp, int table, const char *dataset, const char *title,
                                 const dsml_run_set *runs, const dsml_published *pub, int counts[DSML_VERDICT_COUNT])
{
    const dsml_paper_column *cols = dsml_paper_columns(table);
    fprintf(fp, "## Table %d: %s (%s)\n\nDifferences in percentage points; the paper's from its Table %d.\n\n%s",
            table, title, dataset, table, dml_header);
    for (int l = 0; l < DSML_PAPER_ROWS; l += 2) {
        const dsml_paper_row *eu = &dsml_paper_rows[l], *sn = &dsml_paper_rows[l + 1];
        for (int k = 0; k < DSML_PAPER_SIZES; k++)
            for (int c = 0; c < DSML_PAPER_COLUMNS; c++) {
                int size = dsml_paper_sizes[k];
                const dsml_published_value *pe = dsml_published_find(pub, table, dataset, eu->method,
                                                                     cols[c].published, size);
                const dsml_published_value *ps = dsml_published_find(pub, table, dataset, sn->method,
                                                                     cols[c].published, size);
                if (!pe || !ps) continue;
                dsml_sample s, e;
                dsml_runs_sample(runs, dataset, sn->loss, sn->distance, size, cols[c].metric, &s);
                dsml_runs_sample(runs, dataset, eu->loss, eu->distance, size, cols[c].metric, &e);
                char prefix[160], paper[64];
                snprintf(prefix, sizeof prefix, "%s vs %s | %d | %s", sn->method, eu->method, size, cols[c].display);
                snprintf(paper, sizeof paper, "%+.1f (%.1f vs %.1f)", ps->value - pe->value, ps->value, pe->value);
                claim_row(fp, prefix, paper, ps->value - pe->value, &s, &e, 100.0, 2, counts);
            }
    }
    fprintf(fp, "\n");
}

/* The qualitative claim on a dataset without published values. */
static void claims_qualitative(FILE *fp, const char *dataset, const dsml_run_set *runs,
                               int counts[DSML_VERDICT_COUNT])
{
    int dims[64], nd = 0;
    for (int i = 0; i < runs->count; i++) {
        const dsml_table_run *r = &runs->runs[i];
        if (r->hash_method[0] || strcmp(r->m.dataset, dataset)) continue;
        int seen = 0;
        for (int k = 0; k < nd; k++) seen |= dims[k] == r->m.dim;
        if (!seen && nd < 64) {
            int k = nd++;
            while (k > 0 && dims[k - 1] > r->m.dim) { dims[k] = dims[k - 1]; k--; }
            dims[k] = r->m.dim;
        }
    }
    const dsml_paper_column *cols = dsml_paper_columns(3);
    fprintf(fp, "## %s: \"SNR beats Euclidean for every loss\" (no published values)\n\nThe paper's qualitative "
            "claim, tested on Table 3's metrics at every size we ran. Differences in percentage points.\n\n%s",
            dataset, dml_header);
    for (int l = 0; l < DSML_PAPER_ROWS; l += 2) {
        const dsml_paper_row *eu = &dsml_paper_rows[l], *sn = &dsml_paper_rows[l + 1];
        for (int k = 0; k < nd; k++)
            for (int c = 0; c < DSML_PAPER_COLUMNS; c++) {
                dsml_sample s, e;
                dsml_runs_sample(runs, dataset, sn->loss, sn->distance, dims[k], cols[c].metric, &s);
                dsml_runs_sample(runs, dataset, eu->loss, eu->distance, dims[k], cols[c].metric, &e);
                char prefix[160];
                const char *display = c == 0 ? "MAP@T (Euclidean ranking)" : c == 1 ? "F1@T (Euclidean ranking)"
                                    : c == 2 ? "MAP@T (Hamming ranking)" : "F1@T (Hamming ranking)";
                snprintf(prefix, sizeof prefix, "%s vs %s | %d | %s", sn->method, eu->method, dims[k], display);
                claim_row(fp, prefix, "> 0 (claimed)", 1.0, &s, &e, 100.0, 2, counts);
            }
    }
    fprintf(fp, "\n");
}

/* Table 4 for one dataset with hashing runs: DSNRH vs each other method. */
static void claims_hashing(FILE *fp, const char *dataset, const dsml_run_set *runs, const dsml_published *pub,
                           int counts[DSML_VERDICT_COUNT])
{
    fprintf(fp, "## Table 4: %s, DSNRH vs each other method\n\nMAP as a fraction; \"SNR\" is our DSNRH and "
            "\"Euclidean\" the other method's runs.\n\n| comparison | bits | metric | paper: DSNRH − other | ours: "
            "DSNRH − other [95%% CI] | seeds (DSNRH, other) | verdict |\n|---|---|---|---|---|---|---|\n", dataset);
    for (int i = 0; i < pub->count; i++) {
        const dsml_published_value *o = &pub->values[i];
        if (o->table != 4 || strcmp(o->dataset, dataset) || !strcmp(o->method, "DSNRH")) continue;
        const dsml_published_value *p = dsml_published_find(pub, 4, dataset, "DSNRH", o->metric, o->size);
        if (!p) continue;
        int known = 0;
        for (int b = 0; b < DSML_PAPER_BITS; b++) known |= dsml_paper_bits[b] == o->size;
        if (!known) continue;
        dsml_sample s, e;
        dsml_runs_sample_hashing(runs, dataset, "DSNRH", o->size, DSML_PM_HAM_MAP, &s);
        dsml_runs_sample_hashing(runs, dataset, o->method, o->size, DSML_PM_HAM_MAP, &e);
        char prefix[160], paper[64];
        snprintf(prefix, sizeof prefix, "DSNRH vs %s | %d | MAP@50000 (Hamming ranking)", o->method, o->size);
        snprintf(paper, sizeof paper, "%+.3f (%.3f vs %.3f)", p->value - o->value, p->value, o->value);
        claim_row(fp, prefix, paper, p->value - o->value, &s, &e, 1.0, 4, counts);
    }
    fprintf(fp, "\n");
}

int dsml_claims_write(FILE *fp, const dsml_run_set *runs, const dsml_published *pub, int counts[DSML_VERDICT_COUNT])
{
    int local[DSML_VERDICT_COUNT] = {0};
    char *body = NULL;
    size_t len = 0;
    FILE *b = open_memstream(&body, &len);
    if (!b) return dsml_fail(DSML_ERR_NOMEM, "claims: out of memory");
    const dsml_paper_dataset *dml = dsml_paper_dml_tables;
    char skipped[1024] = "";
    size_t sk = 0;
    for (int t = 0; t < DSML_PAPER_DML_TABLES; t++) {
        if (dsml_runs_count(runs, dml[t].dataset, 0) > 0) {
            claims_published_dml(b, dml[t].table, dml[t].dataset, dml[t].title, runs, pub, local);
        } else {
            int n = 0;
            const dsml_paper_column *cols = dsml_paper_columns(dml[t].table);
            for (int l = 0; l < DSML_PAPER_ROWS; l += 2)
                for (int k = 0; k < DSML_PAPER_SIZES; k++)
                    for (int c = 0; c < DSML_PAPER_COLUMNS; c++)
                        n += dsml_published_find(pub, dml[t].table, dml[t].dataset, dsml_paper_rows[l].method,
                                                 cols[c].published, dsml_paper_sizes[k]) &&
                             dsml_published_find(pub, dml[t].table, dml[t].dataset, dsml_paper_rows[l + 1].method,
                                                 cols[c].published, dsml_paper_sizes[k]);
            sk += (size_t)snprintf(skipped + sk, sizeof skipped - sk, "- Table %d (%s, `%s`): %d comparisons, "
                                   "dataset not run.\n", dml[t].table, dml[t].title, dml[t].dataset, n);
            if (sk >= sizeof skipped) sk = sizeof skipped - 1;
        }
    }
    /* datasets with runs and no published table: the qualitative claim */
    for (int i = 0; i < runs->count; i++) {
        const dsml_table_run *r = &runs->runs[i];
        if (r->hash_method[0] || dsml_paper_dml_table(r->m.dataset)) continue;
        int first = 1;
        for (int k = 0; k < i; k++)
            if (!runs->runs[k].hash_method[0] && !strcmp(runs->runs[k].m.dataset, r->m.dataset)) first = 0;
        if (first) claims_qualitative(b, r->m.dataset, runs, local);
    }
    for (int d = 0; d < DSML_PAPER_HASH_DATASETS; d++) {
        const char *dataset = dsml_paper_hash_datasets[d].dataset;
        int n = 0;
        for (int i = 0; i < pub->count; i++)
            n += pub->values[i].table == 4 && !strcmp(pub->values[i].dataset, dataset) &&
                 strcmp(pub->values[i].method, "DSNRH") != 0;
        if (dsml_runs_count(runs, dataset, 1) > 0) {
            claims_hashing(b, dataset, runs, pub, local);
        } else {
            sk += (size_t)snprintf(skipped + sk, sizeof skipped - sk, "- Table 4 (hashing, `%s`): %d comparisons "
                                   "(DSNRH vs each other method), no hashing runs.\n", dataset, n);
            if (sk >= sizeof skipped) sk = sizeof skipped - 1;
        }
    }
    if (fclose(b) != 0) {
        free(body);
        return dsml_fail(DSML_ERR_NOMEM, "claims: could not build the text");
    }
    fprintf(fp, "# The paper's claims, tested on our runs\n\nGenerated by `dsml tables` from %s/; do not edit. "
            "Method and verdict rule: docs/tables.md.\n\n"
            "Each row compares DSML(x) (loss x with the SNR distance) with x (the same loss with the Euclidean "
            "distance) at one embedding size and metric: our mean difference over seeds with a 95%% confidence "
            "interval (Student t, paired by seed when both sides have the same seeds), and the paper's difference. "
            "**reproduced**: the interval excludes 0 on the side of the paper's difference; **contradicted**: it "
            "excludes 0 on the other side; **inconclusive**: it includes 0, or a side has a single seed (no "
            "interval); **not run**: a side has no runs. Our protocol differs from the paper's (a small convnet "
            "trained from scratch, not an ImageNet AlexNet), so a verdict is about the claim's direction, not the "
            "published numbers.\n\n",
            runs->source);
    fprintf(fp, "## Summary\n\n| verdict | comparisons |\n|---|---|\n");
    for (int v = 0; v < DSML_VERDICT_COUNT; v++) fprintf(fp, "| %s | %d |\n", dsml_verdict_name(v), local[v]);
    fprintf(fp, "\n");
    if (skipped[0]) fprintf(fp, "Not tested (no runs on the dataset):\n\n%s\n", skipped);
    fwrite(body, 1, len, fp);
    free(body);
    if (counts) memcpy(counts, local, sizeof local);
    return ferror(fp) ? dsml_fail(DSML_ERR_IO, "claims: write error") : DSML_OK;
}
