/* A program built against an installed dsml with nothing but `pkg-config --cflags --libs dsml`:
 * it builds a model, computes a loss and ranks embeddings, and checks the values worked out by
 * hand below. Exit 0 when all agree, 1 naming the first that does not (tests/check_install.sh). */
#include <dsml/dsml.h>
#include <math.h>
#include <stdio.h>

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "hello: " __VA_ARGS__); return 1; } } while (0)

int main(void)
{
    /* an mlp 1x2x2 -> 3 on two images: three finite outputs each */
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    dsml_model_config mc = {.kind = DSML_MODEL_MLP, .channels = 1, .height = 2, .width = 2, .dim = 3,
                            .hidden = {4}, .n_hidden = 1, .max_batch = 2};
    dsml_model *m = NULL;
    const float x[8] = {0, 1, 2, 3, 4, 5, 6, 7}, *e = NULL;
    CHECK(dsml_model_create(&m, &mc, &rng) == DSML_OK, "model: %s\n", dsml_last_error());
    CHECK(dsml_model_forward(m, x, 2, 0, NULL, &e) == DSML_OK, "forward: %s\n", dsml_last_error());
    for (int i = 0; i < 6; i++) CHECK(isfinite(e[i]), "embedding %d is %g\n", i, e[i]);
    dsml_model_free(m);

    /* contrastive, squared Euclidean, margin 5, on h = 0, 1, 3 (classes 0, 0, 1): the positive
     * pairs (0,1) and (1,0) are at 1, the negatives at 9 (past the margin) and 4 (5 - 4 = 1 each):
     * L = mean(1, 1) + mean(1, 1) = 2 */
    const float h[3] = {0, 1, 3};
    const int labels[3] = {0, 0, 1};
    float dh[3];
    double loss = 0;
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_SQEUCLIDEAN);
    p.margin = 5, p.lambda = 0;
    dsml_loss_ws *ws = NULL;
    CHECK(dsml_loss_ws_create(&ws, 3, 1) == DSML_OK, "loss workspace: %s\n", dsml_last_error());
    CHECK(dsml_loss_compute(&p, h, labels, 3, 1, dh, ws, &loss) == DSML_OK, "loss: %s\n", dsml_last_error());
    dsml_loss_ws_free(ws);
    CHECK(fabs(loss - 2) < 1e-6, "contrastive loss %.9g, expected 2\n", loss);

    /* queries 0 (class 0) and 10 (class 1) against 1, 9, 2 (classes 1, 0, 1): query 0 ranks
     * 1, 2, 9 and finds its one relevant item third (AP 1/3); query 10 ranks 9, 2, 1 and finds
     * its two second and third (AP (1/2 + 2/3) / 2 = 7/12): MAP 11/24, Recall@1 0, Recall@2 1/2 */
    const float q[2] = {0, 10}, db[3] = {1, 9, 2};
    const int ql[2] = {0, 1}, dl[3] = {1, 0, 1};
    dsml_retrieval_result r;
    CHECK(dsml_eval_ranking(DSML_RANK_EUCLIDEAN, q, dsml_labels_single(ql), 2, db, dsml_labels_single(dl), 3, 1,
                            NULL, &r) == DSML_OK, "ranking: %s\n", dsml_last_error());
    CHECK(fabs(r.map - 11.0 / 24) < 1e-12, "MAP %.17g, expected 11/24\n", r.map);
    CHECK(r.recall[0] == 0 && fabs(r.recall[1] - 0.5) < 1e-12, "Recall@1,2 %g %g, expected 0 0.5\n", r.recall[0],
          r.recall[1]);
    printf("hello: dsml %s: model, loss %.6f, MAP %.6f as expected\n", dsml_version(), loss, r.map);
    return 0;
}
