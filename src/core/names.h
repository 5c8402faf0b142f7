/* Names of the kinds of a thing (losses, distances, networks, protocols):
 * one array of names indexed by the kind's enum value, looked up both ways,
 * so that each module keeps its names in one table and its messages list
 * them all ("expected euclidean, sqeuclidean or snr"). NULL entries of an
 * array are skipped. */
#ifndef DSML_CORE_NAMES_H
#define DSML_CORE_NAMES_H

#include <stddef.h>

#define DSML_NAMES_COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

/* The index of `name` in names[0..count-1] into *out. DSML_ERR_ARG, with
 * "<what> '<name>': expected a, b or c", for anything else (*out unchanged). */
int dsml_names_parse(const char *what, const char *const *names, int count, const char *name, int *out);

/* names[index], or "unknown" outside 0..count-1 or at a NULL entry. */
const char *dsml_names_get(const char *const *names, int count, int index);

/* "a, b or c" into buf (cut to fit). */
void dsml_names_join(const char *const *names, int count, char *buf, size_t size);

#endif
