/* Temporary directories for tests; see testdir.h. */
#include "testdir.h"
#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ftw.h>
#include <sys/stat.h>

static char current[4096];

const char *testdir_make(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(current, sizeof current, "%s/dsml-%s-XXXXXX", tmp ? tmp : "/tmp", name);
    if (!mkdtemp(current)) {
        perror(current);
        return NULL;
    }
    return current;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

void testdir_done(int passed)
{
    if (!current[0]) return;
    if (passed) nftw(current, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    else fprintf(stderr, "test files kept in %s\n", current);
    current[0] = '\0';
}

const char *testdir_path(const char *file)
{
    static char slots[8][8192];
    static int next;
    char *out = slots[next++ % 8];
    snprintf(out, 8192, "%s/%s", current, file);
    return out;
}

const char *testdir_shared(void)
{
    static char found[4096];
    const char *env = getenv("DSML_SHARED");
    const char *candidates[] = {env, "../shared", "../../shared", NULL};
    for (int i = 0; i < 3; i++) {
        if (!candidates[i]) continue;
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/data/cifar10/cifar-10-binary.tar.gz", candidates[i]);
        if (access(probe, R_OK) == 0) {
            snprintf(found, sizeof found, "%s", candidates[i]);
            return found;
        }
    }
    return NULL;
}

void testdir_write(const char *path, const void *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "%s: cannot create", path);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    ck_assert_int_eq(fclose(fp), 0);
}

void testdir_write_text(const char *path, const char *text)
{
    testdir_write(path, text, strlen(text));
}
