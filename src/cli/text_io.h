/* Plain-text matrices and label lists for `dsml loss`: rows of
 * whitespace-separated numbers, one row per line; '#' starts a comment. */
#ifndef DSML_CLI_TEXT_IO_H
#define DSML_CLI_TEXT_IO_H

/* Reads a rectangular float matrix; *rows and *cols set. Caller frees *out.
 * Errors name the file, the line, the column and the offending token alone.
 * Returns a dsml_status. */
int text_read_matrix(const char *path, float **out, int *rows, int *cols);
/* Reads one integer label (0..10^9) per line. Errors name the file, the
 * line and the offending token alone (never the rest of the line). */
int text_read_labels(const char *path, int **out, int *count);
/* Writes rows with full float precision (%.9g), atomically. */
int text_write_matrix(const char *path, const float *m, int rows, int cols);

#endif
