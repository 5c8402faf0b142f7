/* Program and library versions recorded in every result file. */
#ifndef DSML_CORE_VERSION_H
#define DSML_CORE_VERSION_H

/* `git describe --always --dirty` at build time, or "unknown". */
const char *dsml_version(void);
/* "BLIS 0.9.0; zlib 1.2.13; libarchive 3.6.2; libpng 1.6.39; libjpeg-turbo 62; libcurl 7.88.1" */
const char *dsml_library_versions(void);

#endif
