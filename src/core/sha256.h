/* SHA-256 (FIPS 180-4): streaming init/update/final, hex output, and the hash
 * of a whole file. Used for dataset source and content checksums and split
 * hashes; small and dependency-free. */
#ifndef DSML_CORE_SHA256_H
#define DSML_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define DSML_SHA256_DIGEST 32
#define DSML_SHA256_HEX 65 /* 64 lowercase hex digits + NUL */

typedef struct {
    uint32_t state[8];
    uint64_t bytes;       /* total bytes hashed so far */
    uint8_t block[64];    /* pending partial block */
    size_t used;          /* bytes pending in block */
} dsml_sha256;

void dsml_sha256_init(dsml_sha256 *h);
void dsml_sha256_update(dsml_sha256 *h, const void *data, size_t size);
/* Writes the 32-byte digest; `h` must be re-initialised before reuse. */
void dsml_sha256_final(dsml_sha256 *h, uint8_t digest[DSML_SHA256_DIGEST]);
/* Finishes `h` and writes the digest as lowercase hex into hex[65]. */
void dsml_sha256_final_hex(dsml_sha256 *h, char hex[DSML_SHA256_HEX]);

/* One-shot helpers. */
void dsml_sha256_hex(const void *data, size_t size, char hex[DSML_SHA256_HEX]);
void dsml_sha256_digest_to_hex(const uint8_t digest[DSML_SHA256_DIGEST], char hex[DSML_SHA256_HEX]);
/* 1 when `s` is exactly 64 lowercase hex digits, else 0. */
int dsml_sha256_is_hex(const char *s);

/* Hash of the bytes of the file at `path`; an error naming the path when it
 * cannot be opened or read. */
int dsml_sha256_file(const char *path, char hex[DSML_SHA256_HEX]);

#endif
