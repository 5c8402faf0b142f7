/* Runs one Check suite (fork mode unless CK_FORK says otherwise) and turns
 * its result into the test program's exit status. */
#ifndef DSML_TESTS_SUITE_RUN_H
#define DSML_TESTS_SUITE_RUN_H

#include <check.h>

/* Takes ownership of s. EXIT_SUCCESS when every test passed. */
int suite_run(Suite *s);

#endif
