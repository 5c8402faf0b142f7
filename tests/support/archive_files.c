/* Archives for tests; see archive_files.h. */
#include "archive_files.h"

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <string.h>

void archive_write_members(const char *path, const archive_member *m, int n, test_archive_format format)
{
    struct archive *a = archive_write_new();
    if (format == TEST_ARCHIVE_ZIP) {
        ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
    } else {
        ck_assert_int_eq(format == TEST_ARCHIVE_TGZ ? archive_write_set_format_pax_restricted(a)
                                                    : archive_write_set_format_gnutar(a),
                         ARCHIVE_OK);
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    }
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    for (int i = 0; i < n; i++) {
        size_t len = strlen(m[i].name);
        int dir = len && m[i].name[len - 1] == '/';
        archive_entry_clear(e);
        archive_entry_set_pathname(e, m[i].name);
        if (m[i].link) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m[i].link);
            archive_entry_set_perm(e, 0777);
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
            archive_entry_set_perm(e, dir ? 0755 : 0644);
            archive_entry_set_size(e, dir ? 0 : (la_int64_t)m[i].size);
        }
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (!m[i].link && !dir && m[i].size)
            ck_assert_int_eq(archive_write_data(a, m[i].data, m[i].size), (la_ssize_t)m[i].size);
    }
    archive_entry_free(e);
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}
