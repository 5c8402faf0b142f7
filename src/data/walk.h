/* Walking a folder tree: every regular file under a root, at most
 * DSML_WALK_MAX_DEPTH levels deep (deeper is an error). The one folder walk of
 * src/data/, used by the imagefolder reader (which files to read) and by
 * params.c (what a folder's files are, for the cache's staleness check).
 * Entries are visited in directory order: callers that need an order sort
 * what they collect.
 *
 * What the walk does with each kind of entry:
 * - a name starting with '.' (a hidden file, folder or link): reported as
 *   DSML_WALK_HIDDEN, never followed, stat'ed or descended;
 * - a regular file, or a symbolic link to one (wherever it points): FILE;
 * - a folder: descended;
 * - a symbolic link to a folder: descended only when its target lies inside
 *   the root and is not one of the folders being walked (a link back up the
 *   tree would recur forever); otherwise passed over;
 * - a symbolic link whose target cannot be reached (missing, a link loop, no
 *   permission): BROKEN_LINK, with the link's text and the reason;
 * - anything else (fifo, socket, device): passed over. */
#ifndef DSML_DATA_WALK_H
#define DSML_DATA_WALK_H

#include <sys/stat.h>

#define DSML_WALK_MAX_DEPTH 64

typedef enum {
    DSML_WALK_FILE,        /* st: the file's stat (the target's, for a link) */
    DSML_WALK_HIDDEN,      /* a '.' name; st NULL */
    DSML_WALK_BROKEN_LINK, /* st NULL; target and error set */
} dsml_walk_kind;

typedef struct {
    dsml_walk_kind kind;
    const char *rel;         /* path relative to the root (borrowed, valid during the call) */
    const struct stat *st;   /* DSML_WALK_FILE only */
    const char *target;      /* DSML_WALK_BROKEN_LINK: what the link says ("" if unreadable) */
    int error;               /* DSML_WALK_BROKEN_LINK: the errno of following it */
} dsml_walk_entry;

/* Called once per regular file: rel is its path relative to the root
 * (borrowed, valid during the call), st its stat. A non-zero return stops
 * the walk and is returned by dsml_walk. */
typedef int (*dsml_walk_fn)(const char *rel, const struct stat *st, void *context);
/* Called once per entry the walk reports; a non-zero return stops the walk. */
typedef int (*dsml_walk_entry_fn)(const dsml_walk_entry *e, void *context);

/* Walks `root`, reporting every entry above to fn. Errors (a folder that
 * cannot be opened, an entry that cannot be stat'ed, a path longer than 4095
 * bytes, too deep) name the path. */
int dsml_walk_entries(const char *root, dsml_walk_entry_fn fn, void *context);

/* The same, calling fn for regular files only: hidden entries and broken
 * links are passed over. */
int dsml_walk(const char *root, dsml_walk_fn fn, void *context);

#endif
