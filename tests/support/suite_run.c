/* The common main() of every tests/check_*.c program. */
#include <stdlib.h>

#include "suite_run.h"
#include "core/gemm.h"

static int suite_run(Suite *s)
{
    /* The kernels bin/dsml runs with (the user's BLIS_ARCH_TYPE wins). */
    const char *arch = dsml_blis_preferred_arch();
    if (arch && !getenv("BLIS_ARCH_TYPE")) setenv("BLIS_ARCH_TYPE", arch, 0);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A case's timeout only catches a hang: it is the case's time on an idle
 * machine times this headroom, so a machine busy with other work (two busy
 * loops beside `make check`, a parallel build) does not fail a test. */
enum { SUITE_TIMEOUT_HEADROOM = 5 };

int suite_run_cases(const char *name, const suite_case *cases, int count)
{
    Suite *s = suite_create(name);
    for (int i = 0; i < count; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, cases[i].timeout * SUITE_TIMEOUT_HEADROOM);
        for (const TTest *const *t = cases[i].tests; *t; t++) tcase_add_test(tc, *t);
        suite_add_tcase(s, tc);
    }
    return suite_run(s);
}
