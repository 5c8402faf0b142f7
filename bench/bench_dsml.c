/* dsml's own benchmarks, one JSON object per line on stdout:
 *
 *   bench_dsml sgemm   THREADS [SIZE]               BLIS SGEMM GFLOP/s at SIZE^3 and at conv2's shape
 *   bench_dsml train   THREADS LOSS DIST ITERS [WORK]  convnet training images/s on Fashion-MNIST
 *   bench_dsml embed   THREADS N [WORK]             convnet forward-only images/s over N images
 *   bench_dsml alexnet-train THREADS LOSS DIST BATCH ITERS [WORK]  AlexNet training images/s, one synthetic batch
 *   bench_dsml alexnet-embed THREADS BATCH REPS [WORK]             AlexNet forward-only images/s, REPS passes
 *   bench_dsml eval    THREADS NQ NDB D [WORK]      exact Euclidean retrieval, all metrics
 *   bench_dsml hamming THREADS NQ NDB BITS [WORK]   Hamming ranking of packed codes, MAP@50000
 *   bench_dsml kmeans  THREADS N D K [WORK]         k-means++ and Lloyd, NMI against the labels
 *   bench_dsml snr     THREADS N D REPS [WORK]      the SNR distance matrix of one batch
 *   bench_dsml jpegs   DIR N SIZE                   writes N JPEGs for the prepare benchmark
 *
 * WORK, when given, is a directory that receives the inputs and dsml's results
 * as .npy files, for the peers under bench/peers/ to compare with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_jobs.h"
#include "core/gemm.h"

static int usage(void)
{
    fprintf(stderr, "usage: bench_dsml sgemm|train|embed|alexnet-train|alexnet-embed|eval|hamming|kmeans|snr "
                    "THREADS ARGS... [WORK]\n"
                    "       bench_dsml jpegs DIR N SIZE\n");
    return 2;
}

/* The integer argument i, or fallback when absent. */
static int int_arg(int argc, char **argv, int i, int fallback)
{
    return i < argc ? atoi(argv[i]) : fallback;
}

static const char *work_arg(int argc, char **argv, int i)
{
    return i < argc ? argv[i] : NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) return usage();
    const char *arch = dsml_blis_preferred_arch(); /* as bin/dsml does: the user's BLIS_ARCH_TYPE wins */
    if (arch && !getenv("BLIS_ARCH_TYPE")) setenv("BLIS_ARCH_TYPE", arch, 0);
    const char *job = argv[1];
    if (!strcmp(job, "jpegs")) return argc == 5 ? bench_jpegs(argv[2], atoi(argv[3]), atoi(argv[4])) : usage();
    int threads = atoi(argv[2]);
    if (threads < 1) return usage();
    dsml_set_threads(threads);
    if (!strcmp(job, "sgemm")) return bench_sgemm(threads, int_arg(argc, argv, 3, 2000));
    if (!strcmp(job, "train") && argc >= 6)
        return bench_train(threads, argv[3], argv[4], atoi(argv[5]), work_arg(argc, argv, 6));
    if (!strcmp(job, "embed") && argc >= 4) return bench_embed(threads, atoi(argv[3]), work_arg(argc, argv, 4));
    if (!strcmp(job, "alexnet-train") && argc >= 7)
        return bench_alexnet_train(threads, argv[3], argv[4], atoi(argv[5]), atoi(argv[6]), work_arg(argc, argv, 7));
    if (!strcmp(job, "alexnet-embed") && argc >= 5)
        return bench_alexnet_embed(threads, atoi(argv[3]), atoi(argv[4]), work_arg(argc, argv, 5));
    if (argc < 6) return usage();
    int a = atoi(argv[3]), b = atoi(argv[4]), c = atoi(argv[5]);
    if (a < 1 || b < 1 || c < 1) return usage();
    const char *work = work_arg(argc, argv, 6);
    if (!strcmp(job, "eval")) return bench_eval(threads, a, b, c, work);
    if (!strcmp(job, "hamming")) return bench_hamming(threads, a, b, c, work);
    if (!strcmp(job, "kmeans")) return bench_kmeans(threads, a, b, c, work);
    if (!strcmp(job, "snr")) return bench_snr(threads, a, b, c, work);
    return usage();
}
