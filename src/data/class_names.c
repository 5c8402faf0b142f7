/* Fixed class names of Fashion-MNIST and CIFAR-10; see class_names.h. */
#include "data/class_names.h"

#include <stddef.h>
#include <string.h>

/* Fashion-MNIST's labels 0..9, as the dataset's README names them. */
static const char *const fashion_mnist[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

/* CIFAR-10's labels 0..9, as the archive's batches.meta.txt lists them. */
static const char *const cifar10[10] = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
};

static const struct {
    const char *dataset;
    const char *const *names;
    int count;
} known[] = {
    {"fashion-mnist", fashion_mnist, 10},
    {"cifar10", cifar10, 10},
};

const char *const *dsml_class_names(const char *dataset, int *count)
{
    *count = 0;
    for (size_t i = 0; dataset && i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(dataset, known[i].dataset)) {
            *count = known[i].count;
            return known[i].names;
        }
    return NULL;
}
