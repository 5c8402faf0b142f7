/* Shared by the tests of src/nn (check_layers, check_network, check_model,
 * check_winograd, check_model_io, check_sgd): random tensors, the
 * gradcheck assertion, largest-error measures, and the finite-difference
 * check of every parameter tensor of a whole network. */
#ifndef DSML_TESTS_NN_FIXTURES_H
#define DSML_TESTS_NN_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "nn/model.h"
#include "nn/network.h"
#include "gradcheck.h"

/* x[i] = scale * N(0, 1) from r, in index order. */
void nn_fill_normal(dsml_rng *r, float *x, size_t n, float scale);

/* n zeroed floats (at least one), for free(); fails the test when out of memory. */
float *nn_floats(size_t n);

/* sum a[i] b[i] in double. */
double nn_dot(const float *a, const float *b, size_t n);

/* max |x[i]| and max |a[i] - b[i]|. */
double nn_max_abs(const float *x, size_t n);
double nn_max_diff(const float *a, const float *b, size_t n);

/* Asserts a gradcheck passed on at least min_checked coordinates with at most
 * max_skipped kinks (printing the worst coordinate when it failed). */
void nn_expect_pass(const char *what, gradcheck_result r, int min_checked, int max_skipped);

/* A convnet for 1x8x8 images, batches of up to 4, embedding size dim, its
 * parameters drawn from a generator seeded `seed`. */
dsml_model *nn_small_convnet(uint64_t seed, int dim);

/* The objective of a whole network: the training forward of x (n images,
 * the dropout mask drawn from a generator seeded 1234, the same on every
 * evaluation) dotted with r (n x out). */
typedef struct {
    dsml_network *net;
    float *x, *r;
    int n, out;
} nn_net_ctx;

double nn_net_objective(void *ctx);

/* Counts from nn_check_sampled. */
typedef struct {
    int checked, failed, kinks, rescued;
} nn_sampled;

/* Gradcheck of the coordinates 0, step, 2*step, ... of x (len floats). In a
 * whole network a step of 1e-3 on one weight moves thousands of units, and a
 * few cross a ReLU or max-pool kink by a fraction of the step: the one-sided
 * differences then differ by less than gradcheck's kink threshold while the
 * central difference is a few percent off. So a coordinate that fails is
 * checked again at a step 4x smaller and 4x larger; it counts as a kink
 * ("rescued") only if one of them agrees, and a real error fails at every
 * step. */
nn_sampled nn_check_sampled(nn_net_ctx *c, float *x, const float *analytic, int len, int step, double tol);

/* The parameter block's tensors in order, from the layers: each layer with
 * parameters gives its weight (param_count - out_c floats) then its bias
 * (out_c). Returns how many (at most max). */
int nn_param_blocks(const dsml_network *net, size_t *blocks, int max);

/* Gradcheck of every tensor of blocks (about `samples` coordinates each) on
 * two images drawn from rng (then output weights r of scale 10 from rng, so
 * gradients are of order 1), and a gradient shifted by 0.1 that must fail.
 * `what` names the network in messages. */
void nn_check_network_gradients(dsml_network *net, dsml_rng *rng, const size_t *blocks, int n_blocks, int samples,
                                const char *what);

#endif
