/* The class names of the datasets whose classes are fixed by their
 * definition (Fashion-MNIST, CIFAR-10), in label order: the one list the
 * readers and the figures' legends use. Datasets whose names come from
 * their own files (CUB-200, Cars196, NUS-WIDE, image folders) are not here:
 * their readers keep the files' names in the prepared cache. */
#ifndef DSML_DATA_CLASS_NAMES_H
#define DSML_DATA_CLASS_NAMES_H

/* The names of `dataset`'s classes, label 0 first, by the dataset's registry
 * name ("fashion-mnist", "cifar10"); *count gets how many. NULL and
 * *count = 0 for a dataset without fixed names, or a NULL name. The strings
 * are static: never freed, never written. */
const char *const *dsml_class_names(const char *dataset, int *count);

#endif
