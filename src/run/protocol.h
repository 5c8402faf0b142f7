/* The evaluation protocols of a training run and their names. */
#ifndef DSML_RUN_PROTOCOL_H
#define DSML_RUN_PROTOCOL_H

/* DML: per class Q queries, the rest the database, T per class of it the
 * training set (paper, 4.1.1). Hashing: per class Q queries (1,000 on
 * CIFAR-10), the rest both training set and database (paper, 4.2.1); the
 * evaluation is Hamming ranking only (docs/results.md). */
typedef enum { DSML_PROTOCOL_DML, DSML_PROTOCOL_HASHING } dsml_protocol;

/* "dml", "hashing"; DSML_ERR_ARG for anything else, leaving *out alone. */
int dsml_protocol_parse(const char *name, dsml_protocol *out);
const char *dsml_protocol_name(dsml_protocol protocol);

/* Defaults of the hashing protocol (paper, 4.2): queries per class, MAP@T. */
#define DSML_HASHING_QUERIES_PER_CLASS 1000
#define DSML_HASHING_MAP_AT 50000

#endif
