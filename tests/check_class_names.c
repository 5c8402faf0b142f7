/* Tests of the fixed class names (src/data/class_names.h): the lists as the
 * datasets define them, the Fashion-MNIST reader giving the same names, the
 * real CIFAR-10 archive's batches.meta.txt (when shared/ has it) listing
 * them, and datasets without fixed names. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "data/class_names.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "support/dataset_files.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static const char *const fashion[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
static const char *const cifar[10] = {"airplane", "automobile", "bird", "cat", "deer",
                                      "dog", "frog", "horse", "ship", "truck"};

START_TEST(test_fixed_lists)
{
    int n = -1;
    const char *const *names = dsml_class_names("fashion-mnist", &n);
    ck_assert_int_eq(n, 10);
    for (int c = 0; c < 10; c++) ck_assert_str_eq(names[c], fashion[c]);
    names = dsml_class_names("cifar10", &n);
    ck_assert_int_eq(n, 10);
    for (int c = 0; c < 10; c++) ck_assert_str_eq(names[c], cifar[c]);
    /* names from the dataset's own files, a folder's name, no name: none */
    const char *none[] = {"cub200", "cars196", "nus-wide", "imagefolder", "cifar10-hashing", "CIFAR10", ""};
    for (int i = 0; i < 7; i++) {
        n = -1;
        ck_assert_ptr_null(dsml_class_names(none[i], &n));
        ck_assert_int_eq(n, 0);
    }
    ck_assert_ptr_null(dsml_class_names(NULL, &n));
    ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_fashion_reader_uses_the_list)
{
    ck_assert_ptr_nonnull(testdir_make("class-names-fashion"));
    write_fashion(0);
    dsml_dataset ds;
    ck_assert_int_eq(dsml_fashion_mnist_read(&ds, testdir_path(""), DSML_ANY_COUNT, DSML_ANY_COUNT), DSML_OK);
    ck_assert_int_eq(ds.n_classes, 10);
    for (int c = 0; c < 10; c++) ck_assert_str_eq(ds.class_names[c], fashion[c]);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

/* The CIFAR-10 reader takes the names from batches.meta.txt; the fixed list
 * must be what the real archive says. */
START_TEST(test_cifar_list_is_the_archives)
{
    const char *shared = testdir_shared();
    if (!shared) {
        fprintf(stderr, "SKIP test_cifar_list_is_the_archives: shared/data/cifar10/cifar-10-binary.tar.gz not found "
                        "(set DSML_SHARED to the folder holding data/)\n");
        return;
    }
    char cmd[4400];
    snprintf(cmd, sizeof cmd,
             "tar -xzOf '%s/data/cifar10/cifar-10-binary.tar.gz' cifar-10-batches-bin/batches.meta.txt | "
             "grep -v '^[[:space:]]*$' | tr '\\n' ','", shared);
    cmd_result r;
    run_shell(&r, cmd);
    ck_assert_int_eq(r.status, 0);
    char want[256] = "";
    for (int c = 0; c < 10; c++) {
        strcat(want, cifar[c]);
        strcat(want, ",");
    }
    ck_assert_str_eq(r.out, want);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"lists", 30, (const TTest *[]){test_fixed_lists, test_fashion_reader_uses_the_list, NULL}},
        {"cifar10", 60, (const TTest *[]){test_cifar_list_is_the_archives, NULL}},
    };
    return suite_run_cases("class_names", cases, SUITE_CASES(cases));
}
