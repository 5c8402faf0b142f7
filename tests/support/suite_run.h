/* Runs a test program's suite (fork mode unless CK_FORK says otherwise) and
 * turns its result into the program's exit status.
 *
 * A program lists its test cases as one table in main():
 *
 *   const suite_case cases[] = {
 *       {"parse", 30, (const TTest *[]){test_a, test_b, NULL}},
 *       {"expand", 60, (const TTest *[]){test_c, NULL}},
 *   };
 *   return suite_run_cases("sweep", cases, SUITE_CASES(cases));
 */
#ifndef DSML_TESTS_SUITE_RUN_H
#define DSML_TESTS_SUITE_RUN_H

#include <check.h>

typedef struct {
    const char *name;          /* the TCase's name, as Check prints it */
    int timeout;               /* seconds on an idle machine: a hang guard only where DSML_TEST_HANG_GUARD asks */
    const TTest *const *tests; /* NULL-terminated */
} suite_case;

#define SUITE_CASES(table) ((int)(sizeof(table) / sizeof((table)[0])))

/* Builds the suite `name` from the table and runs it; EXIT_SUCCESS when
 * every test passed. */
int suite_run_cases(const char *name, const suite_case *cases, int count);

#endif
