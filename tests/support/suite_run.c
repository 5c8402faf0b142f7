/* The common main() of every tests/check_*.c program. */
#include <stdio.h>
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

/* No wall-clock limit by default: a test that fails because the machine is
 * busy (two busy loops beside `make check`, the sanitizers, a parallel build)
 * is not a test a user can trust, and a real hang is caught by the caller's
 * own limit (CI's job timeout). DSML_TEST_HANG_GUARD=K, for a developer who
 * wants a hang to end early, gives each case K times its idle-machine time. */
int suite_run_cases(const char *name, const suite_case *cases, int count)
{
    const char *guard_text = getenv("DSML_TEST_HANG_GUARD");
    int guard = 0;
    if (guard_text) {
        char *end;
        long v = strtol(guard_text, &end, 10);
        if (end == guard_text || *end || v < 1 || v > 1000) {
            fprintf(stderr, "%s: DSML_TEST_HANG_GUARD=%s: expected an integer in 1..1000 (times a case's idle time)\n",
                    name, guard_text);
            return EXIT_FAILURE;
        }
        guard = (int)v;
    }
    Suite *s = suite_create(name);
    for (int i = 0; i < count; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, guard > 0 ? cases[i].timeout * guard : 0);
        for (const TTest *const *t = cases[i].tests; *t; t++) tcase_add_test(tc, *t);
        suite_add_tcase(s, tc);
    }
    return suite_run(s);
}
