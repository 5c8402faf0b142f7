/* Walking a folder tree: every regular file under a root, found by following
 * symbolic links, at most DSML_WALK_MAX_DEPTH levels deep (deeper is an
 * error: a symbolic link loop). The one folder walk of src/data/, used by
 * the imagefolder reader (which files to read) and by params.c (what a
 * folder's files are, for the cache's staleness check). Files are visited in
 * directory order: callers that need an order sort what they collect. */
#ifndef DSML_DATA_WALK_H
#define DSML_DATA_WALK_H

#include <sys/stat.h>

#define DSML_WALK_MAX_DEPTH 64

/* Called once per regular file: rel is its path relative to the root
 * (borrowed, valid during the call), st its stat. A non-zero return stops
 * the walk and is returned by dsml_walk. */
typedef int (*dsml_walk_fn)(const char *rel, const struct stat *st, void *context);

/* Walks `root`; errors (a folder that cannot be opened, a file that cannot be
 * stat'ed, a path longer than 4095 bytes, too deep) name the path. */
int dsml_walk(const char *root, dsml_walk_fn fn, void *context);

#endif
