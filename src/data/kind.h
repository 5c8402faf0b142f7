/* The registry of dataset kinds: one table (src/data/kinds.c), one entry per
 * kind (fashion-mnist, cifar10, cub200, cars196, nus-wide, imagefolder), read
 * by the one path that opens or prepares any dataset (data_open.c):
 *
 *   resolve the source (o->from, else the entry's candidates)
 *     -> the parameters string (entry->params)
 *     -> one dsml_cache_refresh, which calls entry->read when the cache is
 *        missing, broken or stale (or the existing cache as it is, when no
 *        source is found)
 *
 * Adding a kind is one entry here and one reader (docs/formats.md, "Adding a
 * dataset kind"). */
#ifndef DSML_DATA_KIND_H
#define DSML_DATA_KIND_H

#include "data/cache.h"
#include "data/dataset.h"

/* The options of dsml_data_options a kind honours (dsml_data_kind.options);
 * `dsml prepare` refuses the others. */
#define DSML_DATA_OPT_SHAPE 1u      /* channels, height, width: images decoded and resized */
#define DSML_DATA_OPT_SPLIT_DIRS 2u /* split_dirs */
#define DSML_DATA_OPT_SKIP_BAD 4u   /* skip_bad */

#define DSML_DATA_KINDS_MAX 16  /* entries the registry may hold */
#define DSML_DATA_CANDIDATES 4  /* default sources a kind may list */

typedef struct dsml_data_kind dsml_data_kind;

/* Where a kind's source is looked for when no --from is given. */
typedef struct {
    int in_system_dir;   /* 0: under the data root; 1: under the kind's system folder
                            (dsml_data_options.fashion_mnist_dir, else system_dir) */
    const char *path;    /* relative to that folder ("" the folder itself); NULL ends the list */
    const char *probe;   /* NULL, or "a|b": a candidate folder counts only when it holds a or b */
} dsml_data_candidate;

/* Writes the parameters string of `source` (docs/formats.md), the text whose
 * change makes a cache stale. */
typedef int (*dsml_data_params_fn)(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                                   const dsml_data_options *o);

/* Reads `source` into ds (owned; a dataset named `name`), with o's options. */
typedef int (*dsml_data_read_fn)(dsml_dataset *ds, const char *source, const char *name, const dsml_data_options *o);

struct dsml_data_kind {
    const char *name;                   /* "cifar10"; also the cache name, unless local_name */
    const char *reader;                 /* "cifar-bin-1": bump when the reader's output changes,
                                           so that old caches are prepared again */
    const char *system_dir;             /* NULL, or the default system folder of the candidates */
    /* the default sources, in order (none: --from is required) */
    dsml_data_candidate candidates[DSML_DATA_CANDIDATES];
    const char *const *stamp_files;     /* NULL, or (NULL-terminated) the files of a source folder
                                           whose size and mtime define staleness */
    const char *stamp_beside;           /* NULL, or a file beside a source file that is part of it */
    dsml_data_params_fn params;
    dsml_data_read_fn read;
    unsigned options;                   /* DSML_DATA_OPT_* honoured */
    int local_name;                     /* 1: prepared under a local name, which records the source */
    int absolute_source;                /* 1: the source is recorded as its absolute path */
    const char *missing;                /* appended to "no source found": how to get the source */
};

/* The kind called `name`, or NULL when no kind is. */
const dsml_data_kind *dsml_data_kind_find(const char *name);

/* The kinds in registry order (the order messages list them in): *count entries. */
const dsml_data_kind *dsml_data_kinds(int *count);

/* The names of the kinds that honour every option in `options` (0: any) and
 * whose local_name is `local` (-1: either), in registry order, into
 * names[0..cap); returns how many. For messages that list them. */
int dsml_data_kind_names(const char **names, int cap, unsigned options, int local);

/* Parameters strings (src/data/params.c). The three layouts are those of
 * earlier releases, kept so that their caches stay valid:
 *   idx, stat: "<name> reader=R from=PATH <file>=<size>:<mtime>..." (every file read; idx: the
 *       four Fashion-MNIST files, .gz or plain; stat: stamp_files of a folder, or the file);
 *   entries: "<name> reader=R channels=C size=HxW skip_bad=B <entry>... from=ABSPATH", an entry
 *       " <file>=file:<size>:<mtime s>.<ns>" or " <file>=tree:<files>:<bytes>:<digest>" for each
 *       of stamp_files present in a source folder, else " source=..." for the source itself
 *       (and stamp_beside);
 *   folder: "<name> reader=R channels=C size=HxW split_dirs=S skip_bad=B
 *       source=file=<size>:<mtime s>.<ns>|tree=<files>:<bytes>:<digest> from=ABSPATH". */
int dsml_data_params_idx(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                         const dsml_data_options *o);
int dsml_data_params_stat(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                          const dsml_data_options *o);
int dsml_data_params_entries(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                             const dsml_data_options *o);
int dsml_data_params_folder(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                            const dsml_data_options *o);

/* Reads back what a kind's parameters string recorded: the options after the
 * reader (channels, size, split_dirs when the kind honours it, skip_bad) into
 * o, and (from_out not NULL) the path after " from=". DSML_ERR_FORMAT, with
 * what was expected, when params is not that kind's (o is then unchanged). */
int dsml_data_params_read(const char *params, const dsml_data_kind *kind, dsml_data_options *o, char *from_out,
                          size_t cap);

#endif
