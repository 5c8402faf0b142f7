/* The zero-mean regulariser of eq. 7, which pushes each embedding towards a
 * zero mean so that eq. 4 (d_S = d_E^2 / |h_i|^2) holds:
 *
 *   L_r = lambda * (1/N) sum_i |sum_m h_im|
 *
 * with the subgradient lambda/N * sign(sum_m h_im) (0 at 0) on every h_im. */
#include "metric/loss_internal.h"

double dsml_loss_regulariser(float lambda, const float *h, int n, int d, float *dh)
{
    double total = 0, scale = (double)lambda / n;
    for (int i = 0; i < n; i++) {
        const float *hi = h + (size_t)i * d;
        double row = 0;
        for (int m = 0; m < d; m++) row += hi[m];
        total += row < 0 ? -row : row;
        float g = (float)(row > 0 ? scale : row < 0 ? -scale : 0.0);
        float *gi = dh + (size_t)i * d;
        for (int m = 0; m < d; m++) gi[m] += g;
    }
    return total * scale;
}
