/* The von Mises-Fisher loss's state across batches: one mean direction per
 * class on the unit hypersphere, estimated from the L2-normalised embeddings
 * of the whole training set (not learnt by SGD), and classification by the
 * nearest mean direction.
 *
 * Legend: C = classes, D = embedding size, N = rows of a batch.
 *
 *   mu_c = sum_{i in c} h_i/|h_i|  /  |sum_{i in c} h_i/|h_i||
 *
 * (the maximum-likelihood mean direction of a vMF sample). The trainer calls
 * begin, add (every training embedding, in any number of calls), finish:
 * before the first epoch and after each epoch (docs/losses.md, "vMF"). The
 * loss (dsml_loss_compute with DSML_LOSS_VMF) reads the means through
 * dsml_loss_params.vmf.means and uses the object's scratch for its logits. */
#ifndef DSML_METRIC_VMF_H
#define DSML_METRIC_VMF_H

typedef struct dsml_vmf_means {
    int classes, d, max_n;
    float *mu;      /* C x D, unit rows; a class never seen keeps a zero row */
    double *sum;    /* C x D: running sums between begin and finish */
    long *count;    /* C: embeddings added per class since begin */
    float *logits;  /* max_n x C: the loss's scratch */
    int updates;    /* finish calls so far (0 = the means are not set yet) */
} dsml_vmf_means;

/* Allocates *out for C classes of D values and batches of up to max_n rows;
 * released with dsml_vmf_means_free. DSML_ERR_ARG, DSML_ERR_NOMEM. */
int dsml_vmf_means_create(dsml_vmf_means **out, int classes, int d, int max_n);
void dsml_vmf_means_free(dsml_vmf_means *m);

/* Starts a new estimate (clears sums and counts; the current means stay in
 * use until finish). */
void dsml_vmf_means_begin(dsml_vmf_means *m);
/* Adds n embeddings (n x D, borrowed) with their labels. DSML_ERR_ARG for a
 * label outside 0..C-1, DSML_ERR_NUMERIC for a non-finite value. */
int dsml_vmf_means_add(dsml_vmf_means *m, const float *h, const int *labels, long n);
/* Replaces each class's mean by its new estimate; a class with no embedding
 * (or a zero sum) keeps its previous mean. DSML_ERR_STATE when no embedding
 * at all was added. */
int dsml_vmf_means_finish(dsml_vmf_means *m);

/* 1 when every label of `labels` (n) is a class with a mean direction (a
 * non-zero row), else 0: classification is meaningful only then (not on
 * splits whose query classes are unseen in training). */
int dsml_vmf_known(const dsml_vmf_means *m, const int *labels, long n);

/* pred[i] = argmax_c mu_c . h_i (the nearest mean direction; ties go to the
 * lower class) for n rows of h. Returns the fraction with pred == labels
 * (labels may be NULL: returns 0). */
double dsml_vmf_classify(const dsml_vmf_means *m, const float *h, const int *labels, long n, int *pred);

#endif
