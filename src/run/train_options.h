/* Every `dsml train` option, once: one table row per option gives its name,
 * type, range, default, the config field it sets, the metrics.json key that
 * records it and when, whether sweep files may give it, and its help text.
 * `dsml train`'s parser and --help, the sweep's key checks and stale checks,
 * the range checks of a run and metrics.json's "config" block are all read
 * off this table, so an option is added with one row (and its field in
 * train_config.h).
 *
 * Options that only some losses or networks take (--beta: lifted; --hidden:
 * mlp) are refused for the others, through the loss and network registries;
 * --train-per-class is refused under the hashing protocol, which trains on
 * the whole database. A class list (--classes) is kept as given and compared
 * as the set of classes it names. */
#ifndef DSML_RUN_TRAIN_OPTIONS_H
#define DSML_RUN_TRAIN_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "core/json.h"
#include "results/run_metrics.h"
#include "run/train_config.h"

typedef enum {
    DSML_OPT_INT,      /* int field */
    DSML_OPT_U64,      /* uint64_t field */
    DSML_OPT_FLOAT,    /* float field */
    DSML_OPT_NAME,     /* char[size]: lower-case letters, digits, '-', '_', '.' */
    DSML_OPT_PATH,     /* char[size]: any text */
    DSML_OPT_ENUM,     /* an enum field, one of `kinds`' names */
    DSML_OPT_INT_LIST, /* int[size] with its count at count_offset */
    DSML_OPT_FLAG,     /* int field set to 1; takes no value */
    DSML_OPT_CLASSES,  /* char[size]: a class list as data/class_subset.h parses it ("5-9", "0,2,4") */
} dsml_option_type;

typedef enum {
    DSML_SECTION_DATA, DSML_SECTION_MODEL, DSML_SECTION_LOSS, DSML_SECTION_OPTIMISATION, DSML_SECTION_EVALUATION,
    DSML_SECTION_OUTPUT, DSML_SECTION_COUNT
} dsml_option_section;

/* When metrics.json records an option that has a key. */
typedef enum {
    DSML_RECORD_ALWAYS,
    DSML_RECORD_IF_TAKEN,   /* when the run's loss or network takes the option */
    DSML_RECORD_IF_DENSITY, /* when the density regulariser is on */
    DSML_RECORD_IF_SET,     /* when it is not zero, empty or off (so older runs' files stay as they were) */
    DSML_RECORD_IF_WEIGHTS, /* when the run starts from pretrained weights */
} dsml_option_record;

/* Row flags. */
enum {
    DSML_OPT_SWEEP = 1,       /* a key of sweep files */
    DSML_OPT_BY_LOSS = 2,     /* only the losses that take it (dsml_loss_takes_option) */
    DSML_OPT_BY_MODEL = 4,    /* only the networks that take it (dsml_model_takes_option) */
    DSML_OPT_NOT_HASHING = 8, /* refused under the hashing protocol */
    DSML_OPT_FIRST = 16,      /* applied before the others: it decides their defaults */
    DSML_OPT_PER_BATCH = 32,  /* images per batch: recorded as classes_per_batch x images_per_class */
};

/* The names of an enum option's kinds, 0..count()-1. */
typedef struct {
    int (*count)(void);
    const char *(*name)(int kind);
} dsml_option_kinds;

typedef struct {
    const char *name;        /* "margin": --margin, and margin= in sweep files; NULL: recorded only */
    const char *value_name;  /* "A" in --help; NULL for a flag */
    dsml_option_section section;
    dsml_option_type type;
    double lo, hi;           /* numbers, and each element of a list */
    size_t offset;           /* the field of dsml_train_config */
    size_t size;             /* NAME, PATH: bytes; INT_LIST: elements */
    size_t count_offset;     /* INT_LIST: the field that counts them */
    const dsml_option_kinds *kinds; /* ENUM */
    const char *def;         /* the default as text; NULL: none, or a rule the help states */
    const char *json;        /* "config.margin", "data.split.train_per_class"; NULL: not recorded */
    dsml_option_record record;
    unsigned flags;
    const char *help;        /* --help text; '\n' starts an indented line */
} dsml_train_option;

int dsml_train_option_count(void);
const dsml_train_option *dsml_train_option_at(int index);
/* The row of option `name` (without "--"), or NULL. */
const dsml_train_option *dsml_train_option_find(const char *name);

/* Every row's default, then the defaults of the default loss. */
void dsml_train_config_default(dsml_train_config *cfg);

/* An option as given: name without "--", value text (NULL for a flag). */
typedef struct {
    const char *name;
    const char *value;
} dsml_option_given;

/* Builds *cfg from options given in order (a later one wins): defaults, then
 * the options that decide other defaults (loss, distance, protocol, model,
 * gpw-weighting), then the defaults they decide (the loss's margins and
 * lambda, N-pair's batches of pairs, the hashing protocol's queries and
 * MAP@T), then every other option. DSML_ERR_ARG naming the option for an
 * unknown one, a bad value ("--dim 0: expected an integer in 1..4096"), an
 * option the loss, network or protocol does not take, or a batch that is not
 * a multiple of the images per class. Leaves log NULL. */
int dsml_train_config_build(dsml_train_config *cfg, const dsml_option_given *given, int n);

/* The table's ranges and the rules across options (N-pair's pairs, no
 * validation carve-out under hashing, the loss's own check), on a config
 * however it was filled. DSML_ERR_ARG naming the option. */
int dsml_train_config_check(const dsml_train_config *cfg);

/* Checks a value's text against the row's type and range; on failure
 * DSML_ERR_ARG with `expected` as core/value.h writes it. */
int dsml_train_option_check_value(const dsml_train_option *o, const char *value, char *expected, size_t cap);

/* metrics.json's "config" object: the options the table records under
 * "config.", in table order (the value the metrics.json writer's config
 * callback writes). The ones recorded under "data.split." the writer takes
 * as plain fields. */
void dsml_train_config_write_json(dsml_json *j, const dsml_train_config *cfg);

/* 1 when a finished run recorded `value` (as given to option o) for o, else
 * 0 with `why` saying what differs ("margin: sweep 1, run 0.5"); 1 for an
 * option metrics.json does not record. */
int dsml_train_option_recorded(const dsml_train_option *o, const char *value, const dsml_run_metrics *run, char *why,
                               size_t cap);

/* The options part of `dsml train --help`, section by section, for the
 * sections in `sections` (bit s: dsml_option_section s). */
void dsml_train_options_help(FILE *fp, unsigned sections);

#endif
