/* The parameter checks several losses share, one message shape for each, so
 * that every loss words a bad value the same way, and the defaults the two
 * hashing losses share. See loss_internal.h. */
#include <math.h>

#include "core/error.h"
#include "metric/loss_internal.h"

int dsml_loss_check_nonnegative(const char *loss, const char *what, float value)
{
    if (!isfinite(value) || value < 0)
        return dsml_fail(DSML_ERR_ARG, "%s: %s %g, expected a finite value >= 0", loss, what, value);
    return DSML_OK;
}

int dsml_loss_check_positive(const char *loss, const char *what, float value)
{
    if (!isfinite(value) || value <= 0)
        return dsml_fail(DSML_ERR_ARG, "%s: %s %g, expected a finite value > 0", loss, what, value);
    return DSML_OK;
}

void dsml_loss_hashing_defaults(dsml_loss_params *p, float margin)
{
    p->margin = margin;
    p->lambda = 0.0f;
    p->hashing.quant = 0.1f;
}

int dsml_loss_hashing_check(const char *loss, const dsml_loss_params *p)
{
    return dsml_loss_check_nonnegative(loss, "quantisation weight", p->hashing.quant);
}
