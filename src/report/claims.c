/* Verdicts and claims.md; see claims.h. */
#include "report/claims.h"
#include "core/error.h"
#include "report/account_note.h"
#include "report/paper.h"
#include "report/provenance.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Reproduced or contradicted, by the sign of ours against the paper's. */
static dsml_verdict directional(double paper_diff, double ours)
{
    return (ours > 0 && paper_diff > 0) || (ours < 0 && paper_diff < 0) ? DSML_VERDICT_REPRODUCED
                                                                        : DSML_VERDICT_CONTRADICTED;
}

dsml_verdict dsml_verdict_decide(double paper_diff, const dsml_diff *d, double delta)
{
    if (!d) return DSML_VERDICT_NOT_RUN;
    if (!d->has_ci) return DSML_VERDICT_INCONCLUSIVE;
    double lo = d->mean - d->half_width, hi = d->mean + d->half_width;
    if (lo > 0 || hi < 0) return directional(paper_diff, d->mean);
    if (dsml_stats_equivalent(d, delta)) return DSML_VERDICT_EQUIVALENT;
    return DSML_VERDICT_INCONCLUSIVE;
}

dsml_verdict dsml_verdict_decide_at(double paper_diff, const dsml_diff *d, double delta, double alpha)
{
    if (!d) return DSML_VERDICT_NOT_RUN;
    if (!d->has_ci) return DSML_VERDICT_INCONCLUSIVE;
    double h = dsml_stats_t_crit(alpha, d->dof) * d->se;
    if (d->mean - h > 0 || d->mean + h < 0) return directional(paper_diff, d->mean);
    if (dsml_stats_equivalent_at(d, delta, alpha)) return DSML_VERDICT_EQUIVALENT;
    return DSML_VERDICT_INCONCLUSIVE;
}

const char *dsml_verdict_name(dsml_verdict v)
{
    static const char *names[DSML_VERDICT_COUNT] = {"reproduced", "contradicted", "equivalent", "inconclusive",
                                                    "not run"};
    return v >= 0 && v < DSML_VERDICT_COUNT ? names[v] : "?";
}

void dsml_claim_test(dsml_claim *c, double delta)
{
    dsml_claim_test_at(c, delta, DSML_CLAIMS_ALPHA);
}

void dsml_claim_test_at(dsml_claim *c, double delta, double alpha)
{
    c->p_diff = c->p_tost = NAN;
    if (c->run && c->d.has_ci) {
        c->p_diff = dsml_stats_p_diff(&c->d);
        c->p_tost = dsml_stats_p_tost(&c->d, delta);
    }
    c->raw = c->holm = dsml_verdict_decide_at(c->paper_diff, c->run ? &c->d : NULL, delta, alpha);
}

void dsml_claims_holm(dsml_claim *c, int n, double alpha)
{
    if (n <= 0) return;
    double *p = calloc((size_t)n * 2, sizeof *p);
    int *reject = calloc((size_t)n * 2, sizeof *reject);
    if (!p || !reject) { /* no memory: no correction can be claimed; the weakest verdict stands */
        for (int i = 0; i < n; i++)
            if (!isnan(c[i].p_diff)) c[i].holm = DSML_VERDICT_INCONCLUSIVE;
        free(p);
        free(reject);
        return;
    }
    for (int i = 0; i < n; i++) {
        p[i] = c[i].p_diff;
        p[n + i] = c[i].p_tost;
    }
    dsml_stats_holm(p, n, alpha, reject);
    dsml_stats_holm(p + n, n, alpha, reject + n);
    for (int i = 0; i < n; i++) {
        if (isnan(c[i].p_diff)) continue; /* no test: the raw verdict stands */
        if (reject[i]) c[i].holm = directional(c[i].paper_diff, c[i].d.mean);
        else if (reject[n + i]) c[i].holm = DSML_VERDICT_EQUIVALENT;
        else c[i].holm = DSML_VERDICT_INCONCLUSIVE;
    }
    free(p);
    free(reject);
}

/* ---- undecided cells ------------------------------------------------------------ */

/* The runs a comparison is made of: where seeds would be added. */
typedef struct {
    char dataset[80]; /* the runs' folder: "cifar10", "cifar10-hashing" */
    char loss[32];    /* the compared loss; Table 4: the other method's */
    int dim;          /* size or bits */
    dsml_arm arm;     /* the arm whose runs they are */
    int n_both;       /* seeds both sides have */
} claim_cell;

typedef struct {
    claim_cell *cells;
    int count, cap;
    int failed;
} cell_list;

/* Adds a cell once (the fewest seeds over its comparisons). */
static void cells_add(cell_list *l, const claim_cell *c)
{
    for (int i = 0; i < l->count; i++) {
        claim_cell *o = &l->cells[i];
        if (o->dim == c->dim && o->arm == c->arm && !strcmp(o->dataset, c->dataset) && !strcmp(o->loss, c->loss)) {
            if (c->n_both < o->n_both) o->n_both = c->n_both;
            return;
        }
    }
    if (l->count == l->cap) {
        int cap = l->cap ? 2 * l->cap : 32;
        claim_cell *grown = realloc(l->cells, (size_t)cap * sizeof *grown);
        if (!grown) {
            l->failed = 1;
            return;
        }
        l->cells = grown;
        l->cap = cap;
    }
    l->cells[l->count++] = *c;
}

/* Seeds in both ascending lists. */
static int common_seeds(const dsml_sample *a, const dsml_sample *b)
{
    int n = 0;
    for (int i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->seeds[i] == b->seeds[j]) n++, i++, j++;
        else if (a->seeds[i] < b->seeds[j]) i++;
        else j++;
    }
    return n;
}

/* What every section adds to: the counts, the level of each test, the undecided cells. */
typedef struct {
    dsml_claims_counts total;
    double alpha;     /* DSML_CLAIMS_ALPHA / looks */
    cell_list undecided;
} claims_ctx;

/* ---- one section of claims.md: a family of comparisons -------------------------- */

typedef struct {
    char label[160]; /* "DSML(cont) vs contrastive | 32 | MAP@59000 (Euclidean ranking)" */
    char paper[64];
    int n_snr, n_euclidean;
    claim_cell cell;
    dsml_claim c;
} claim_row;

typedef struct {
    claim_row *rows;
    int count, cap;
    double delta;   /* equivalence margin in the section's unit */
    double alpha;   /* level of each test */
    int decimals;   /* of differences */
    int failed;     /* out of memory */
} section;

static void section_init(section *s, double delta, double alpha, int decimals)
{
    memset(s, 0, sizeof *s);
    s->delta = delta;
    s->alpha = alpha;
    s->decimals = decimals;
}

/* Adds one comparison of `cell`'s runs; `scale` turns our fractions into the section's unit. */
static void section_add(section *s, const claim_cell *cell, const char *label, const char *paper, double paper_diff,
                        const dsml_sample *snr, const dsml_sample *euc, double scale)
{
    if (s->count == s->cap) {
        int cap = s->cap ? 2 * s->cap : 64;
        claim_row *grown = realloc(s->rows, (size_t)cap * sizeof *grown);
        if (!grown) {
            s->failed = 1;
            return;
        }
        s->rows = grown;
        s->cap = cap;
    }
    claim_row *r = &s->rows[s->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->label, sizeof r->label, "%s", label);
    snprintf(r->paper, sizeof r->paper, "%s", paper);
    r->n_snr = snr->n;
    r->n_euclidean = euc->n;
    r->cell = *cell;
    r->cell.n_both = common_seeds(snr, euc);
    r->c.paper_diff = paper_diff;
    if (snr->n > 0 && euc->n > 0) {
        dsml_sample a = *snr, b = *euc;
        for (int i = 0; i < a.n; i++) a.values[i] *= scale;
        for (int i = 0; i < b.n; i++) b.values[i] *= scale;
        r->c.run = dsml_stats_diff(&a, &b, &r->c.d) == DSML_OK;
    }
    dsml_claim_test_at(&r->c, s->delta, s->alpha);
}

static void format_p(char *buf, size_t size, double p)
{
    if (p < 0.001) snprintf(buf, size, "<0.001");
    else snprintf(buf, size, "%.3f", p);
}

static void print_row(FILE *fp, const claim_row *r, int decimals, double alpha)
{
    const dsml_claim *c = &r->c;
    fprintf(fp, "| %s | %s | ", r->label, r->paper);
    if (!c->run) {
        fprintf(fp, "— | %d, %d | — | %s (%s) | %s |\n", r->n_snr, r->n_euclidean, dsml_verdict_name(c->raw),
                r->n_snr == 0 && r->n_euclidean == 0 ? "neither side" : r->n_snr == 0 ? "no SNR runs"
                                                                                        : "no Euclidean runs",
                dsml_verdict_name(c->holm));
        return;
    }
    const dsml_diff *d = &c->d;
    double h = dsml_stats_t_crit(alpha, d->dof) * d->se; /* d->half_width at 0.05 */
    fprintf(fp, "%+.*f", decimals, d->mean);
    if (d->has_ci)
        fprintf(fp, " [%+.*f, %+.*f] %s", decimals, d->mean - h, decimals, d->mean + h,
                d->paired ? "paired" : "unpaired");
    fprintf(fp, " | %d, %d | ", d->n_snr, d->n_euclidean);
    if (d->has_ci) {
        char pd[16], pt[16];
        format_p(pd, sizeof pd, c->p_diff);
        format_p(pt, sizeof pt, c->p_tost);
        fprintf(fp, "%s, %s | %s | %s |\n", pd, pt, dsml_verdict_name(c->raw), dsml_verdict_name(c->holm));
    } else {
        fprintf(fp, "— | %s (%s) | %s |\n", dsml_verdict_name(c->raw),
                d->n_snr == 1 && d->n_euclidean == 1 ? "1 seed, no CI" : "1 seed on one side, no CI",
                dsml_verdict_name(c->holm));
    }
}

/* "a reproduced, b contradicted, c equivalent, d inconclusive" (", e not run" when some are). */
static void print_counts(FILE *fp, const int n[DSML_VERDICT_COUNT], int with_not_run)
{
    for (int v = 0; v < DSML_VERDICT_NOT_RUN; v++) fprintf(fp, "%s%d %s", v ? ", " : "", n[v], dsml_verdict_name(v));
    if (with_not_run && n[DSML_VERDICT_NOT_RUN]) fprintf(fp, ", %d not run", n[DSML_VERDICT_NOT_RUN]);
}

/* Holm over the section, its rows under `header`, then its summary line;
 * adds its counts and undecided cells to ctx. Frees the rows. */
static int section_print(FILE *fp, section *s, const char *header, claims_ctx *ctx)
{
    if (s->failed) {
        free(s->rows);
        return dsml_fail(DSML_ERR_NOMEM, "claims: out of memory");
    }
    dsml_claim *claims = malloc((size_t)(s->count ? s->count : 1) * sizeof *claims);
    if (!claims) {
        free(s->rows);
        return dsml_fail(DSML_ERR_NOMEM, "claims: out of memory");
    }
    for (int i = 0; i < s->count; i++) claims[i] = s->rows[i].c;
    dsml_claims_holm(claims, s->count, s->alpha);
    int raw[DSML_VERDICT_COUNT] = {0}, holm[DSML_VERDICT_COUNT] = {0};
    fprintf(fp, "%s", header);
    for (int i = 0; i < s->count; i++) {
        s->rows[i].c.holm = claims[i].holm;
        print_row(fp, &s->rows[i], s->decimals, s->alpha);
        raw[claims[i].raw]++;
        holm[claims[i].holm]++;
        if (claims[i].run && claims[i].holm == DSML_VERDICT_INCONCLUSIVE) cells_add(&ctx->undecided, &s->rows[i].cell);
    }
    fprintf(fp, "\n%d comparisons: ", s->count);
    print_counts(fp, raw, 1);
    fprintf(fp, " (Holm: ");
    print_counts(fp, holm, 0);
    fprintf(fp, ").\n\n");
    for (int v = 0; v < DSML_VERDICT_COUNT; v++) {
        ctx->total.raw[v] += raw[v];
        ctx->total.holm[v] += holm[v];
    }
    free(claims);
    free(s->rows);
    s->rows = NULL;
    return DSML_OK;
}

/* ---- the sections --------------------------------------------------------------- */

/* The intervals' confidence in percent: "95" at 0.05. */
static double ci_percent(double alpha)
{
    return 100 * (1 - alpha);
}

/* The column line of Tables 1-3 and the qualitative claims. */
static void dml_columns(char *buf, size_t size, double alpha)
{
    snprintf(buf, size, "| loss | size | metric | paper: SNR − Euclidean | ours: SNR − Euclidean [%g%% CI] "
             "| seeds (SNR, Eucl.) | p: difference, TOST | verdict | verdict (Holm) |\n"
             "|---|---|---|---|---|---|---|---|---|\n", ci_percent(alpha));
}

/* The arm whose runs a DML cell of `view` uses: the common arm for a paper-arm
 * cell made of borrowed runs only. */
static dsml_arm cell_arm(const dsml_run_set *view, dsml_arm arm, const char *dataset, const char *loss, int dim)
{
    for (int i = 0; arm == DSML_ARM_PAPER && i < view->count; i++) {
        const dsml_table_run *r = &view->runs[i];
        if (!r->borrowed && !r->hash_method[0] && r->m.dim == dim && !strcmp(r->m.loss, loss) &&
            !strcmp(r->m.dataset, dataset))
            return arm;
    }
    return arm == DSML_ARM_PAPER ? DSML_ARM_COMMON : arm;
}

static void dml_cell(claim_cell *cell, const dsml_run_set *view, dsml_arm arm, const char *dataset, const char *loss,
                     int dim)
{
    memset(cell, 0, sizeof *cell);
    snprintf(cell->dataset, sizeof cell->dataset, "%s", dataset);
    snprintf(cell->loss, sizeof cell->loss, "%s", loss);
    cell->dim = dim;
    cell->arm = cell_arm(view, arm, dataset, loss, dim);
}

/* The title's suffix and the sentence on the arm. */
static const char *arm_title(dsml_arm arm)
{
    return arm == DSML_ARM_PAPER ? "equations as printed (--equations paper)"
                                 : "common conventions (--equations common)";
}

static const char *arm_text(dsml_arm arm)
{
    return arm == DSML_ARM_PAPER
               ? "Runs with `--equations paper`: the losses as the paper's equations print them; only the sizes run "
                 "in this arm. Triplet rows: eq. 9 is computed the same under both arms, so where this arm has no "
                 "triplet run of its own the common arm's triplet runs count here too."
               : "Runs with `--equations common` (common conventions; also runs that predate the option).";
}

/* Whether the view's own DML runs of dataset include size `dim`. */
static int arm_has_dim(const dsml_run_set *view, const char *dataset, int dim)
{
    for (int i = 0; i < view->count; i++) {
        const dsml_table_run *r = &view->runs[i];
        if (!r->borrowed && !r->hash_method[0] && r->m.dim == dim && !strcmp(r->m.dataset, dataset)) return 1;
    }
    return 0;
}

/* Tables 1-3 for one dataset with runs in this arm. */
static int claims_published_dml(FILE *fp, int table, const char *dataset, const char *title, dsml_arm arm,
                                const dsml_run_set *view, const dsml_published *pub, double margin, claims_ctx *ctx)
{
    const dsml_paper_column *cols = dsml_paper_columns(table);
    section s;
    section_init(&s, margin, ctx->alpha, 2);
    for (int l = 0; l < DSML_PAPER_ROWS; l += 2) {
        const dsml_paper_row *eu = &dsml_paper_rows[l], *sn = &dsml_paper_rows[l + 1];
        for (int k = 0; k < DSML_PAPER_SIZES; k++) {
            int size = dsml_paper_sizes[k];
            if (arm == DSML_ARM_PAPER && !arm_has_dim(view, dataset, size)) continue;
            claim_cell cell;
            dml_cell(&cell, view, arm, dataset, sn->loss, size);
            for (int c = 0; c < DSML_PAPER_COLUMNS; c++) {
                const dsml_published_value *pe = dsml_published_find(pub, table, dataset, eu->method,
                                                                     cols[c].published, size);
                const dsml_published_value *ps = dsml_published_find(pub, table, dataset, sn->method,
                                                                     cols[c].published, size);
                if (!pe || !ps) continue;
                dsml_sample sv, ev;
                dsml_runs_sample(view, dataset, sn->loss, sn->distance, size, cols[c].metric, &sv);
                dsml_runs_sample(view, dataset, eu->loss, eu->distance, size, cols[c].metric, &ev);
                char label[160], paper[64];
                snprintf(label, sizeof label, "%s vs %s | %d | %s", sn->method, eu->method, size, cols[c].display);
                snprintf(paper, sizeof paper, "%+.1f (%.1f vs %.1f)", ps->value - pe->value, ps->value, pe->value);
                section_add(&s, &cell, label, paper, ps->value - pe->value, &sv, &ev, 100.0);
            }
        }
    }
    char header[1536], columns[512];
    dml_columns(columns, sizeof columns, ctx->alpha);
    snprintf(header, sizeof header, "## Table %d: %s (%s), %s\n\n%s Differences in percentage points; the paper's "
             "from its Table %d.\n\n%s", table, title, dataset, arm_title(arm), arm_text(arm), table, columns);
    return section_print(fp, &s, header, ctx);
}

/* The qualitative claim on a dataset without published values, at every
 * size this arm ran. */
static int claims_qualitative(FILE *fp, const char *dataset, dsml_arm arm, const dsml_run_set *view, double margin,
                              claims_ctx *ctx)
{
    int dims[64], nd = 0;
    for (int i = 0; i < view->count; i++) {
        const dsml_table_run *r = &view->runs[i];
        if (r->borrowed || r->hash_method[0] || strcmp(r->m.dataset, dataset)) continue;
        int seen = 0;
        for (int k = 0; k < nd; k++) seen |= dims[k] == r->m.dim;
        if (!seen && nd < 64) {
            int k = nd++;
            while (k > 0 && dims[k - 1] > r->m.dim) { dims[k] = dims[k - 1]; k--; }
            dims[k] = r->m.dim;
        }
    }
    const dsml_paper_column *cols = dsml_paper_columns(3);
    section s;
    section_init(&s, margin, ctx->alpha, 2);
    for (int l = 0; l < DSML_PAPER_ROWS; l += 2) {
        const dsml_paper_row *eu = &dsml_paper_rows[l], *sn = &dsml_paper_rows[l + 1];
        for (int k = 0; k < nd; k++) {
            claim_cell cell;
            dml_cell(&cell, view, arm, dataset, sn->loss, dims[k]);
            for (int c = 0; c < DSML_PAPER_COLUMNS; c++) {
                dsml_sample sv, ev;
                dsml_runs_sample(view, dataset, sn->loss, sn->distance, dims[k], cols[c].metric, &sv);
                dsml_runs_sample(view, dataset, eu->loss, eu->distance, dims[k], cols[c].metric, &ev);
                char label[160];
                const char *display = c == 0 ? "MAP@T (Euclidean ranking)" : c == 1 ? "F1@T (Euclidean ranking)"
                                    : c == 2 ? "MAP@T (Hamming ranking)" : "F1@T (Hamming ranking)";
                snprintf(label, sizeof label, "%s vs %s | %d | %s", sn->method, eu->method, dims[k], display);
                section_add(&s, &cell, label, "> 0 (claimed)", 1.0, &sv, &ev, 100.0);
            }
        }
    }
    char header[1536], columns[512];
    dml_columns(columns, sizeof columns, ctx->alpha);
    snprintf(header, sizeof header, "## %s: \"SNR beats Euclidean for every loss\" (no published values), %s\n\n"
             "The paper's qualitative claim, tested on Table 3's metrics at every size we ran. %s Differences in "
             "percentage points.\n\n%s", dataset, arm_title(arm), arm_text(arm), columns);
    return section_print(fp, &s, header, ctx);
}

/* Table 4 for one dataset with hashing runs in this arm: DSNRH vs each other method. */
static int claims_hashing(FILE *fp, const char *dataset, dsml_arm arm, const dsml_run_set *view,
                          const dsml_published *pub, double margin, claims_ctx *ctx)
{
    section s;
    section_init(&s, margin / 100.0, ctx->alpha, 4);
    for (int i = 0; i < pub->count; i++) {
        const dsml_published_value *o = &pub->values[i];
        if (o->table != 4 || strcmp(o->dataset, dataset) || !strcmp(o->method, "DSNRH")) continue;
        const dsml_published_value *p = dsml_published_find(pub, 4, dataset, "DSNRH", o->metric, o->size);
        if (!p) continue;
        int known = 0;
        for (int b = 0; b < DSML_PAPER_BITS; b++) known |= dsml_paper_bits[b] == o->size;
        if (!known) continue;
        dsml_sample sv, ev;
        dsml_runs_sample_hashing(view, dataset, "DSNRH", o->size, DSML_PM_HAM_MAP, &sv);
        dsml_runs_sample_hashing(view, dataset, o->method, o->size, DSML_PM_HAM_MAP, &ev);
        claim_cell cell; /* the other method's loss: "DPSH*" runs --loss dpsh */
        memset(&cell, 0, sizeof cell);
        snprintf(cell.dataset, sizeof cell.dataset, "%s-hashing", dataset);
        for (size_t k = 0; o->method[k] && o->method[k] != '*' && k + 1 < sizeof cell.loss; k++)
            cell.loss[k] = (char)tolower((unsigned char)o->method[k]);
        cell.dim = o->size;
        cell.arm = arm;
        char label[160], paper[64];
        snprintf(label, sizeof label, "DSNRH vs %s | %d | MAP@50000 (Hamming ranking)", o->method, o->size);
        snprintf(paper, sizeof paper, "%+.3f (%.3f vs %.3f)", p->value - o->value, p->value, o->value);
        section_add(&s, &cell, label, paper, p->value - o->value, &sv, &ev, 1.0);
    }
    char header[1536];
    snprintf(header, sizeof header, "## Table 4: %s, DSNRH vs each other method, %s\n\n%s MAP as a fraction (margin "
             "%.4f); \"SNR\" is our DSNRH and \"Euclidean\" the other method's runs.\n\n| comparison | bits | metric | "
             "paper: DSNRH − other | ours: DSNRH − other [%g%% CI] | seeds (DSNRH, other) | p: difference, TOST | "
             "verdict | verdict (Holm) |\n|---|---|---|---|---|---|---|---|---|\n", dataset, arm_title(arm),
             arm_text(arm), margin / 100.0, ci_percent(ctx->alpha));
    return section_print(fp, &s, header, ctx);
}

/* The sections of one arm (view: dsml_runs_arm_view). */
static int claims_arm(FILE *fp, dsml_arm arm, const dsml_run_set *all, const dsml_run_set *view,
                      const dsml_published *pub, double margin, claims_ctx *ctx)
{
    int rc = DSML_OK;
    const dsml_paper_dataset *dml = dsml_paper_dml_tables;
    for (int t = 0; !rc && t < DSML_PAPER_DML_TABLES; t++)
        if (dsml_runs_count_own(view, dml[t].dataset, 0) > 0)
            rc = claims_published_dml(fp, dml[t].table, dml[t].dataset, dml[t].title, arm, view, pub, margin, ctx);
    /* datasets with runs and no published table: the qualitative claim (in the order of the whole set) */
    for (int i = 0; !rc && i < all->count; i++) {
        const dsml_table_run *r = &all->runs[i];
        if (r->hash_method[0] || dsml_paper_dml_table(r->m.dataset)) continue;
        int first = 1;
        for (int k = 0; k < i; k++)
            if (!all->runs[k].hash_method[0] && !strcmp(all->runs[k].m.dataset, r->m.dataset)) first = 0;
        if (first && dsml_runs_count_own(view, r->m.dataset, 0) > 0)
            rc = claims_qualitative(fp, r->m.dataset, arm, view, margin, ctx);
    }
    for (int d = 0; !rc && d < DSML_PAPER_HASH_DATASETS; d++) {
        const char *dataset = dsml_paper_hash_datasets[d].dataset;
        if (dsml_runs_count_own(view, dataset, 1) > 0) rc = claims_hashing(fp, dataset, arm, view, pub, margin, ctx);
    }
    return rc;
}

/* The "not tested" lines: the published tables on datasets without runs. */
static void not_tested(const dsml_run_set *runs, const dsml_published *pub, char *out, size_t size)
{
    size_t sk = 0;
    out[0] = '\0';
    const dsml_paper_dataset *dml = dsml_paper_dml_tables;
    for (int t = 0; t < DSML_PAPER_DML_TABLES; t++) {
        if (dsml_runs_count(runs, dml[t].dataset, 0) > 0) continue;
        int n = 0;
        const dsml_paper_column *cols = dsml_paper_columns(dml[t].table);
        for (int l = 0; l < DSML_PAPER_ROWS; l += 2)
            for (int k = 0; k < DSML_PAPER_SIZES; k++)
                for (int c = 0; c < DSML_PAPER_COLUMNS; c++)
                    n += dsml_published_find(pub, dml[t].table, dml[t].dataset, dsml_paper_rows[l].method,
                                             cols[c].published, dsml_paper_sizes[k]) &&
                         dsml_published_find(pub, dml[t].table, dml[t].dataset, dsml_paper_rows[l + 1].method,
                                             cols[c].published, dsml_paper_sizes[k]);
        sk += (size_t)snprintf(out + sk, size - sk, "- Table %d (%s, `%s`): %d comparisons, dataset not run.\n",
                               dml[t].table, dml[t].title, dml[t].dataset, n);
        if (sk >= size) sk = size - 1;
    }
    for (int d = 0; d < DSML_PAPER_HASH_DATASETS; d++) {
        const char *dataset = dsml_paper_hash_datasets[d].dataset;
        if (dsml_runs_count(runs, dataset, 1) > 0) continue;
        int n = 0;
        for (int i = 0; i < pub->count; i++)
            n += pub->values[i].table == 4 && !strcmp(pub->values[i].dataset, dataset) &&
                 strcmp(pub->values[i].method, "DSNRH") != 0;
        sk += (size_t)snprintf(out + sk, size - sk, "- Table 4 (hashing, `%s`): %d comparisons (DSNRH vs each other "
                               "method), no hashing runs.\n", dataset, n);
        if (sk >= size) sk = size - 1;
    }
}

/* The provenance of every dataset with runs, in scan order. */
static int claims_provenance(FILE *fp, const dsml_run_set *runs, const char *manifests_dir)
{
    int rc = DSML_OK;
    for (int i = 0; !rc && i < runs->count; i++) {
        int first = 1;
        for (int k = 0; k < i && first; k++) first = strcmp(runs->runs[k].m.dataset, runs->runs[i].m.dataset) != 0;
        if (!first) continue;
        dsml_sources src = {0};
        for (int k = i; k < runs->count; k++)
            if (!strcmp(runs->runs[k].m.dataset, runs->runs[i].m.dataset))
                dsml_sources_add(&src, runs->runs[k].source_sha256);
        rc = dsml_provenance_write(fp, manifests_dir, runs->runs[i].m.dataset, &src, 0);
    }
    return rc;
}

/* The header's method paragraph at level alpha (the sentence on adaptive mode when looks > 1). */
static void print_method(FILE *fp, const dsml_run_set *runs, const dsml_claims_options *opt, int looks, double alpha)
{
    fprintf(fp, "# The paper's claims, tested on our runs\n\nGenerated by `dsml tables` from %s/; do not edit. "
            "Method and verdict rule: docs/tables.md.\n\n"
            "Each row compares DSML(x) (loss x with the SNR distance) with x (the same loss with the Euclidean "
            "distance) at one embedding size and metric: our mean difference over seeds with a %g%% confidence "
            "interval (Student t, paired by seed when both sides have the same seeds), and the paper's difference. "
            "**reproduced**: the interval excludes 0 on the side of the paper's difference; **contradicted**: it "
            "excludes 0 on the other side; **equivalent**: it includes 0 and the %g%% interval lies inside "
            "±%g percentage points (two one-sided tests at level %g, `--equivalence-margin`; ±%g for Table 4's "
            "MAP as a fraction); **inconclusive**: neither, or a side has a single seed (no interval); **not run**: "
            "a side has no runs. Column p: the two-sided p of the difference and the TOST p. **verdict (Holm)**: the "
            "same decisions with Holm's step-down correction over each section's comparisons (family-wise level "
            "%g), the difference and the equivalence p-values corrected separately. Sections are per equations "
            "arm (`--equations common` or `paper`). Our protocol differs from the paper's (a small convnet trained "
            "from scratch, not an ImageNet AlexNet), so a verdict is about the claim's direction, not the published "
            "numbers.\n\n",
            runs->source, ci_percent(alpha), 100 * (1 - 2 * alpha), opt->margin, alpha, opt->margin / 100.0, alpha);
    if (looks > 1)
        fprintf(fp, "**adaptive mode: up to %d looks, each test at alpha/K = %g/%d = %.4g** (`make reproduce-adaptive` "
                "added seeds to the cells still undecided, one look after each seed; Bonferroni over the looks keeps "
                "every verdict's error rate at %g whatever the stopping rule: docs/tables.md, \"Adaptive seeds\"; "
                "recorded in %s/adaptive.txt).\n\n",
                looks, DSML_CLAIMS_ALPHA, looks, alpha, DSML_CLAIMS_ALPHA, runs->source);
}

static void print_undecided(FILE *fp, const cell_list *l)
{
    for (int i = 0; i < l->count; i++)
        fprintf(fp, "%s %s %d %s %d\n", l->cells[i].dataset, l->cells[i].loss, l->cells[i].dim,
                dsml_arm_name(l->cells[i].arm), l->cells[i].n_both);
}

int dsml_claims_write(FILE *fp, const dsml_run_set *runs, const dsml_published *pub, const dsml_claims_options *opt,
                      dsml_claims_counts *counts)
{
    int looks = opt->looks > 1 ? opt->looks : 1;
    claims_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.alpha = DSML_CLAIMS_ALPHA / looks;
    char *body = NULL;
    size_t len = 0;
    FILE *b = open_memstream(&body, &len);
    if (!b) return dsml_fail(DSML_ERR_NOMEM, "claims: out of memory");
    int rc = DSML_OK;
    for (int arm = 0; !rc && arm < DSML_ARM_COUNT; arm++) {
        dsml_run_set view;
        rc = dsml_runs_arm_view(runs, (dsml_arm)arm, &view);
        if (!rc) rc = claims_arm(b, (dsml_arm)arm, runs, &view, pub, opt->margin, &ctx);
        dsml_runs_view_free(&view);
    }
    if (fclose(b) != 0 && !rc) rc = dsml_fail(DSML_ERR_NOMEM, "claims: could not build the text");
    if (!rc && ctx.undecided.failed) rc = dsml_fail(DSML_ERR_NOMEM, "claims: out of memory");
    if (rc) {
        free(body);
        free(ctx.undecided.cells);
        return rc;
    }
    const dsml_claims_counts *total = &ctx.total;
    char skipped[1024];
    not_tested(runs, pub, skipped, sizeof skipped);
    print_method(fp, runs, opt, looks, ctx.alpha);
    fprintf(fp, "## Summary\n\n| verdict | comparisons | after Holm |\n|---|---|---|\n");
    for (int v = 0; v < DSML_VERDICT_COUNT; v++)
        fprintf(fp, "| %s | %d | %d |\n", dsml_verdict_name(v), total->raw[v], total->holm[v]);
    fprintf(fp, "\n");
    if (skipped[0]) fprintf(fp, "Not tested (no runs on the dataset):\n\n%s\n", skipped);
    dsml_account_summary(fp, opt->account);
    if (runs->count) fprintf(fp, "## Data\n\n");
    rc = claims_provenance(fp, runs, opt->manifests_dir);
    if (!rc) fwrite(body, 1, len, fp);
    free(body);
    if (!rc && opt->undecided) {
        print_undecided(opt->undecided, &ctx.undecided);
        if (ferror(opt->undecided)) rc = dsml_fail(DSML_ERR_IO, "claims: write error on the undecided cells");
    }
    free(ctx.undecided.cells);
    if (counts) *counts = *total;
    if (rc) return rc;
    return ferror(fp) ? dsml_fail(DSML_ERR_IO, "claims: write error") : DSML_OK;
}

int dsml_claims_looks_read(const char *results_dir, int *looks)
{
    char path[4200], text[64];
    *looks = 1;
    snprintf(path, sizeof path, "%s/adaptive.txt", results_dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return DSML_OK;
        return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    size_t n = fread(text, 1, sizeof text - 1, f);
    int bad_read = ferror(f);
    fclose(f);
    if (bad_read) return dsml_fail(DSML_ERR_IO, "%s: read failed", path);
    text[n] = '\0';
    char *end = text;
    long k = strncmp(text, "looks ", 6) || !isdigit((unsigned char)text[6]) ? 0 : strtol(text + 6, &end, 10);
    if (strcmp(end, "\n") || k < 1 || k > 1000) {
        text[strcspn(text, "\n")] = '\0';
        return dsml_fail(DSML_ERR_FORMAT, "%s: expected one line \"looks K\" with K in 1..1000, found \"%.40s\"",
                         path, text);
    }
    *looks = (int)k;
    return DSML_OK;
}
