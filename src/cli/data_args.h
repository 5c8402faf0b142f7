/* The command line shared by the data commands (dsml fetch, prepare, data
 * info): one dataset NAME and options from a table, the data root, and the
 * environment the library never reads ($DSML_DATA, $DSML_FASHION_MNIST). */
#ifndef DSML_CLI_DATA_ARGS_H
#define DSML_CLI_DATA_ARGS_H

#include <stdio.h>

typedef struct {
    const char *option;   /* "--from" */
    int takes_value;      /* 1: the next argument is its value */
    const char *value;    /* set by data_args_parse: the (last) value, "" for a flag given, NULL if absent */
} data_arg;

/* Parses argv[1..] of the command `cmd` ("dsml prepare") against args[0..n):
 * one NAME into *name (NULL when none), the options' values into args.
 * Returns 0; 1 after printing the usage on stdout (--help, -h: the command
 * exits 0); 2 after printing a usage error on stderr (an unknown option, a
 * missing value, a second NAME). */
int data_args_parse(const char *cmd, int argc, char **argv, data_arg *args, int n, const char **name,
                    void (*usage)(FILE *fp));

/* The data root: `given` (--data), else $DSML_DATA when set and not empty,
 * else "datasets". */
const char *data_args_root(const char *given);

/* Fashion-MNIST's system folder: $DSML_FASHION_MNIST, or NULL (the default,
 * /usr/share/datasets/fashion-mnist). */
const char *data_args_fashion_mnist_dir(void);

#endif
