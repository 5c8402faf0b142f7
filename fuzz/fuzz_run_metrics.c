/* Fuzzes the metrics.json reader (src/results/run_metrics.c): the input is one
 * file, read into the typed struct, checked for a run's identity, and looked
 * up by the keys the summary and the regression check use. */
#include "fuzz_util.h"
#include "results/run_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("metrics.json", data, size);
    dsml_run_metrics m;
    fuzz_begin();
    if (fuzz_status(dsml_run_metrics_read(&m, path))) return 0;
    fuzz_begin();
    fuzz_status(dsml_run_metrics_check(&m));
    for (int i = 0; i < m.n_loss; i++) {
        volatile double x = m.loss_per_epoch[i]; /* every entry is there */
        (void)x;
    }
    dsml_run_metrics_get(&m, "metrics.euclidean.map@r");
    dsml_run_metrics_get(&m, "config.hidden");
    dsml_run_metrics_get(&m, "training");
    dsml_run_metrics_list_number(&m, "training.loss_per_epoch", 0);
    dsml_run_metrics_list_number(&m, "training.loss_per_epoch", m.n_loss - 1);
    dsml_run_metrics_list_number(&m, "config.hidden", -1);
    dsml_run_metrics_free(&m);
    return 0;
}
