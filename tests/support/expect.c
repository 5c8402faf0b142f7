/* Error checks for tests; see expect.h. */
#include "expect.h"

#include <check.h>
#include <string.h>

#include "core/error.h"

void expect_error(int rc, int code, const char *fragment)
{
    ck_assert_msg(rc == code, "code %d, expected %d (%s)", rc, code, dsml_last_error());
    ck_assert_msg(strstr(dsml_last_error(), fragment), "error \"%s\" lacks \"%s\"", dsml_last_error(), fragment);
}
