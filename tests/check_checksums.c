/* Tests of the checksums every download and cache is identified by: SHA-256
 * (src/core/sha256) against the FIPS 180-2 vectors and on a file, and MD5
 * (src/data/fetch.c, the sums dataset authors publish) against RFC 1321. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/fetch.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/http_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* A million 'a', the third FIPS 180-2 vector (malloc'd). */
static char *million_a(void)
{
    char *a = malloc(1000000);
    ck_assert_ptr_nonnull(a);
    memset(a, 'a', 1000000);
    return a;
}

#define MILLION_A_SHA256 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

START_TEST(test_sha256_fips_vectors)
{
    char hex[65];
    dsml_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    dsml_sha256_hex(m448, strlen(m448), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    dsml_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /* a million 'a', fed in uneven pieces through the streaming interface */
    char *a = million_a();
    dsml_sha256 h;
    dsml_sha256_init(&h);
    size_t done = 0, piece = 1;
    while (done < 1000000) {
        size_t take = piece < 1000000 - done ? piece : 1000000 - done;
        dsml_sha256_update(&h, a + done, take);
        done += take;
        piece = piece * 3 % 1031 + 1;
    }
    dsml_sha256_final_hex(&h, hex);
    ck_assert_str_eq(hex, MILLION_A_SHA256);
    free(a);
}
END_TEST

START_TEST(test_sha256_file)
{
    ck_assert_ptr_nonnull(testdir_make("sha256"));
    char *a = million_a();
    char hex[65];
    file_write(testdir_path("a.bin"), a, 1000000);
    ck_assert_int_eq(dsml_sha256_file(testdir_path("a.bin"), hex), DSML_OK);
    ck_assert_str_eq(hex, MILLION_A_SHA256);
    expect_error(dsml_sha256_file(testdir_path("missing.bin"), hex), DSML_ERR_IO, "missing.bin");
    ck_assert(dsml_sha256_is_hex(hex));
    hex[3] = 'G';
    ck_assert(!dsml_sha256_is_hex(hex));
    free(a);
    testdir_done(1);
}
END_TEST

START_TEST(test_md5_vectors)
{
    char hex[33];
    dsml_fetch_md5_hex("", 0, hex);
    ck_assert_str_eq(hex, "d41d8cd98f00b204e9800998ecf8427e");
    dsml_fetch_md5_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
    const char *digits = "12345678901234567890123456789012345678901234567890123456789012345678901234567890";
    dsml_fetch_md5_hex(digits, strlen(digits), hex); /* 80 bytes: two blocks */
    ck_assert_str_eq(hex, "57edf4a22be3c955ac49da2e2107b67a");
    uint8_t *b = fetch_body();
    dsml_fetch_md5_hex(b, BODY_SIZE, hex);
    ck_assert_str_eq(hex, BODY_MD5);
    free(b);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"sha256", 30, (const TTest *[]){test_sha256_fips_vectors, test_sha256_file, NULL}},
        {"md5", 30, (const TTest *[]){test_md5_vectors, NULL}},
    };
    return suite_run_cases("checksums", cases, SUITE_CASES(cases));
}
