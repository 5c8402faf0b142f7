/* Name <-> index lookups over a module's table of names; see names.h. */
#include "core/names.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

int dsml_names_parse(const char *what, const char *const *names, int count, const char *name, int *out)
{
    for (int i = 0; name && i < count; i++)
        if (names[i] && !strcmp(name, names[i])) {
            *out = i;
            return DSML_OK;
        }
    char expected[512];
    dsml_names_join(names, count, expected, sizeof expected);
    return dsml_fail(DSML_ERR_ARG, "%s '%s': expected %s", what, name ? name : "(null)", expected);
}

const char *dsml_names_get(const char *const *names, int count, int index)
{
    return index >= 0 && index < count && names[index] ? names[index] : "unknown";
}

void dsml_names_join(const char *const *names, int count, char *buf, size_t size)
{
    int last = -1;
    for (int i = 0; i < count; i++)
        if (names[i]) last = i;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0, seen = 0; i < count && used < size; i++) {
        if (!names[i]) continue;
        const char *sep = seen == 0 ? "" : i == last ? " or " : ", ";
        int n = snprintf(buf + used, size - used, "%s%s", sep, names[i]);
        used += n < 0 ? 0 : (size_t)n;
        seen++;
    }
}
