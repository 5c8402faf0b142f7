/* The benchmark jobs of bench_dsml, one function per job. Each prints one
 * JSON object on stdout and returns the process's exit status; `work` is a
 * directory for the .npy files the peers read, or NULL for none. */
#ifndef DSML_BENCH_JOBS_H
#define DSML_BENCH_JOBS_H

/* bench_train.c */
int bench_sgemm(int threads, int size);
int bench_train(int threads, const char *loss, const char *distance, int iters, const char *work);
int bench_embed(int threads, int n, const char *work);

/* bench_alexnet.c: AlexNet (3x227x227 -> 32) on one batch of synthetic images */
int bench_alexnet_train(int threads, const char *loss, const char *distance, int batch, int iters, const char *work);
int bench_alexnet_embed(int threads, int batch, int reps, const char *work);

/* bench_eval.c */
int bench_eval(int threads, int nq, int ndb, int d, const char *work);
int bench_hamming(int threads, int nq, int ndb, int bits, const char *work);
int bench_kmeans(int threads, int n, int d, int k, const char *work);
int bench_snr(int threads, int n, int d, int reps, const char *work);

/* bench_prepare.c: writes n JPEGs of size x size in 10 class folders under dir. */
int bench_jpegs(const char *dir, int n, int size);

#endif
