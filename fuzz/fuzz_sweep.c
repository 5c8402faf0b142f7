/* Fuzzes the sweep-file parser (src/run/sweep.c) from memory: the parse and
 * expansion, then each run's `dsml train` arguments. The first byte picks a
 * --seeds override (0: as written) so that path is reached too. */
#include "fuzz_util.h"
#include "run/sweep.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int seeds = data[0] % 4 == 3 ? 1 + data[0] / 4 % DSML_SWEEP_MAX_SEEDS : 0;
    char *text = fuzz_text(data + 1, size - 1);
    dsml_sweep sw;
    fuzz_begin();
    if (!fuzz_status(dsml_sweep_parse_seeds(&sw, "fuzz.sweep", text, "results", seeds))) {
        char args[8192];
        for (int i = 0; i < sw.n_runs; i++) {
            fuzz_begin();
            fuzz_status(dsml_sweep_train_args(&sw.runs[i], 2, "/data/x", args, sizeof args));
            dsml_sweep_run_get(&sw.runs[i], "lr");
        }
        for (int i = 0; i < sw.n_tune; i++) {
            fuzz_begin();
            fuzz_status(dsml_sweep_train_args(&sw.tune[i], 0, NULL, args, sizeof args));
        }
        dsml_sweep_free(&sw);
    }
    free(text);
    return 0;
}
