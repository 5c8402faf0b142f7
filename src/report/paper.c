/* The paper's rows, columns, sizes, hashing methods and labels; see paper.h. */
#include "report/paper.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const dsml_paper_row dsml_paper_rows[DSML_PAPER_ROWS] = {
    {"contrastive", "contrastive", "euclidean"}, {"DSML(cont)", "contrastive", "snr"},
    {"triplet", "triplet", "euclidean"},         {"DSML(tri)", "triplet", "snr"},
    {"lifted", "lifted", "euclidean"},           {"DSML(lifted)", "lifted", "snr"},
    {"N-pair", "npair", "euclidean"},            {"DSML(N-pair)", "npair", "snr"},
};

int dsml_paper_loss(const char *loss)
{
    for (int l = 0; loss && l < DSML_PAPER_LOSSES; l++)
        if (!strcmp(dsml_paper_rows[2 * l].loss, loss)) return l;
    return -1;
}

void dsml_paper_method_label(const char *loss, int snr, char *buf, size_t size)
{
    int l = dsml_paper_loss(loss);
    if (l >= 0) snprintf(buf, size, "%s", dsml_paper_rows[2 * l + (snr ? 1 : 0)].method);
    else if (snr) snprintf(buf, size, "DSML(%s)", loss);
    else snprintf(buf, size, "%s", loss);
}

const dsml_paper_dataset dsml_paper_dml_tables[DSML_PAPER_DML_TABLES] = {
    {1, "cars196", "CARS196"}, {2, "cub200", "CUB200-2011"}, {3, "cifar10", "CIFAR10"}};

int dsml_paper_dml_table(const char *dataset)
{
    for (int t = 0; t < DSML_PAPER_DML_TABLES; t++)
        if (!strcmp(dsml_paper_dml_tables[t].dataset, dataset)) return dsml_paper_dml_tables[t].table;
    return 0;
}

double dsml_paper_metric_value(const dsml_run_metrics *m, dsml_paper_metric metric)
{
    switch (metric) {
    case DSML_PM_CLUSTER_F1: return m->cluster_f1;
    case DSML_PM_NMI: return m->nmi;
    case DSML_PM_RECALL1: return m->euclidean.recall[0];
    case DSML_PM_RECALL2: return m->euclidean.recall[1];
    case DSML_PM_EUC_MAP: return m->euclidean.map_at_t;
    case DSML_PM_EUC_F1: return m->euclidean.f1_at_t;
    case DSML_PM_HAM_MAP: return m->hamming.map_at_t;
    case DSML_PM_HAM_F1: return m->hamming.f1_at_t;
    case DSML_PM_COUNT: break;
    }
    return NAN;
}

int dsml_paper_metric_of(const char *name)
{
    static const struct { const char *name; dsml_paper_metric metric; } map[] = {
        {"clustering.f1", DSML_PM_CLUSTER_F1},      {"clustering.nmi", DSML_PM_NMI},
        {"euclidean.recall@1", DSML_PM_RECALL1},    {"euclidean.recall@2", DSML_PM_RECALL2},
        {"euclidean.map@59000", DSML_PM_EUC_MAP},   {"euclidean.f1@5000", DSML_PM_EUC_F1},
        {"hamming.map@59000", DSML_PM_HAM_MAP},     {"hamming.f1@5000", DSML_PM_HAM_F1},
        {"hamming.map@50000", DSML_PM_HAM_MAP},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, name)) return (int)map[i].metric;
    return -1;
}

static const dsml_paper_column columns_t12[DSML_PAPER_COLUMNS] = {
    {"F1", "F1 (clustering)", "clustering.f1", DSML_PM_CLUSTER_F1},
    {"NMI", "NMI", "clustering.nmi", DSML_PM_NMI},
    {"Recall@1", "Recall@1", "euclidean.recall@1", DSML_PM_RECALL1},
    {"Recall@2", "Recall@2", "euclidean.recall@2", DSML_PM_RECALL2},
};
static const dsml_paper_column columns_t3[DSML_PAPER_COLUMNS] = {
    {"MAP@59000", "MAP@59000 (Euclidean ranking)", "euclidean.map@59000", DSML_PM_EUC_MAP},
    {"F1@5000", "F1@5000 (Euclidean ranking)", "euclidean.f1@5000", DSML_PM_EUC_F1},
    {"MAP@59000", "MAP@59000 (Hamming ranking)", "hamming.map@59000", DSML_PM_HAM_MAP},
    {"F1@5000", "F1@5000 (Hamming ranking)", "hamming.f1@5000", DSML_PM_HAM_F1},
};

const dsml_paper_column *dsml_paper_columns(int table)
{
    if (table == 1 || table == 2) return columns_t12;
    if (table == 3) return columns_t3;
    return NULL;
}

const int dsml_paper_sizes[DSML_PAPER_SIZES] = {16, 32, 64};

const dsml_paper_dataset dsml_paper_hash_datasets[DSML_PAPER_HASH_DATASETS] = {
    {4, "cifar10", "CIFAR10"}, {4, "nus-wide", "NUS-WIDE"}};

int dsml_paper_is_hash_dataset(const char *dataset)
{
    for (int d = 0; d < DSML_PAPER_HASH_DATASETS; d++)
        if (!strcmp(dsml_paper_hash_datasets[d].dataset, dataset)) return 1;
    return 0;
}

const int dsml_paper_bits[DSML_PAPER_BITS] = {16, 24, 32, 48};

const char *const dsml_paper_our_hashing[DSML_PAPER_OUR_HASHING] = {"DSNRH", DSML_PAPER_EUCLIDEAN_TWIN, "DPSH",
                                                                     "DTSH"};

const char *dsml_paper_hash_method(const char *loss, const char *distance, const char *protocol)
{
    if (!strcmp(loss, "dsnrh")) return "DSNRH";
    if (!strcmp(loss, "dpsh")) return "DPSH";
    if (!strcmp(loss, "dtsh")) return "DTSH";
    if (!protocol || strcmp(protocol, "hashing")) return "";
    if (!strcmp(loss, "contrastive")) return !strcmp(distance, "snr") ? "DSNRH" : DSML_PAPER_EUCLIDEAN_TWIN;
    return "other";
}
