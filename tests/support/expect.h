/* Checks of the library's error codes and messages. */
#ifndef DSML_TESTS_EXPECT_H
#define DSML_TESTS_EXPECT_H

/* Fails the test unless rc is `code` and dsml_last_error() holds `fragment`. */
void expect_error(int rc, int code, const char *fragment);

#endif
