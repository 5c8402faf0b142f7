/* Tests of the archive streaming every reader goes through
 * (src/data/archive.c): unsafe member names and links refuse an archive,
 * inner links are listed, and the caps on one member and on the whole
 * archive (tar.gz and zip) stop a decompression bomb. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "data/archive.h"
#include "support/archive_files.h"
#include "support/expect.h"
#include "support/suite_run.h"
#include "support/testdir.h"

START_TEST(test_archive_names_and_links)
{
    const char *dir = testdir_make("archive");
    ck_assert_ptr_nonnull(dir);
    ck_assert(dsml_archive_link_escapes("a/link", "../../x"));
    ck_assert(!dsml_archive_link_escapes("a/link", "../x"));
    ck_assert(dsml_archive_link_escapes("link", "/etc/passwd"));
    ck_assert(!dsml_archive_link_escapes("a/b/link", "./../c/../d"));
    ck_assert(dsml_archive_link_escapes("a/link", "b/../../.."));
    ck_assert(dsml_archive_unsafe_name("a/../b"));
    ck_assert(!dsml_archive_unsafe_name("a/..b"));
    const char *path = testdir_path("x.tar.gz");
    dsml_archive *a;
    dsml_archive_member m;
    /* an escaping symbolic link refuses the archive; an inner one is listed */
    archive_member links[3] = {{"data/file.txt", "hello", 5, NULL}, {"data/inner", NULL, 0, "file.txt"},
                               {"data/evil", NULL, 0, "../../etc/passwd"}};
    archive_write_members(path, links, 3, TEST_ARCHIVE_TGZ);
    ck_assert_int_eq(dsml_archive_open(&a, path, NULL), 0);
    ck_assert_int_eq(dsml_archive_next(a, &m), 0);
    ck_assert_int_eq(m.is_file, 1);
    ck_assert_int_eq(dsml_archive_next(a, &m), 0);
    ck_assert_str_eq(m.name, "data/inner");
    ck_assert_int_eq(m.is_file, 0);
    expect_error(dsml_archive_next(a, &m), DSML_ERR_FORMAT, "\"data/evil\": symbolic link to \"../../etc/passwd\"");
    dsml_archive_close(a, NULL);
    testdir_done(1);
}
END_TEST

START_TEST(test_archive_caps)
{
    const char *dir = testdir_make("archive-caps");
    ck_assert_ptr_nonnull(dir);
    const char *path = testdir_path("x.tar.gz");
    dsml_archive *a;
    dsml_archive_member m;
    int rc;
    /* caps: one member over the per-member cap, the total over the total cap */
    uint8_t *zeros = calloc(1, 300000);
    archive_member big[3] = {{"a.bin", zeros, 100000, NULL}, {"b.bin", zeros, 100000, NULL},
                             {"c.bin", zeros, 300000, NULL}};
    archive_write_members(path, big, 3, TEST_ARCHIVE_TGZ);
    dsml_archive_limits entry_cap = {0, 200000};
    ck_assert_int_eq(dsml_archive_open(&a, path, &entry_cap), 0);
    uint8_t *buf = NULL;
    size_t cap = 0, size = 0;
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "c.bin: declares 300000 bytes, more than the 200000 allowed for one member"),
                  "%s", dsml_last_error());
    dsml_archive_close(a, NULL);
    dsml_archive_limits total_cap = {250000, 0};
    ck_assert_int_eq(dsml_archive_open(&a, path, &total_cap), 0);
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "decompression bomb"), "%s", dsml_last_error());
    dsml_archive_close(a, NULL);
    /* zip members may not declare their size: the count while reading catches them */
    archive_write_members(path, big, 3, TEST_ARCHIVE_ZIP);
    ck_assert_int_eq(dsml_archive_open(&a, path, &total_cap), 0);
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "decompression bomb"), "%s", dsml_last_error());
    dsml_archive_close(a, NULL);
    /* the defaults read it all */
    ck_assert_int_eq(dsml_archive_open(&a, path, NULL), 0);
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(dsml_archive_total(a), 500000);
    dsml_archive_close(a, NULL);
    free(buf);
    free(zeros);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"names", 30, (const TTest *[]){test_archive_names_and_links, NULL}},
        {"caps", 30, (const TTest *[]){test_archive_caps, NULL}},
    };
    return suite_run_cases("archive", cases, SUITE_CASES(cases));
}
