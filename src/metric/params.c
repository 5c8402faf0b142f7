/* The parameter checks several losses share, one message shape for each, so
 * that every loss words a bad value the same way, the names of the readings
 * of the paper's equations, and the defaults the two hashing losses share.
 * See loss.h and loss_internal.h. */
#include <math.h>

#include "core/error.h"
#include "core/names.h"
#include "metric/loss_internal.h"

static const char *const equations_names[] = {[DSML_EQUATIONS_COMMON] = "common", [DSML_EQUATIONS_PAPER] = "paper"};

int dsml_equations_parse(const char *name, dsml_equations *out)
{
    int k;
    int rc = dsml_names_parse("equations", equations_names, DSML_NAMES_COUNT(equations_names), name, &k);
    if (!rc) *out = (dsml_equations)k;
    return rc;
}

const char *dsml_equations_name(dsml_equations e)
{
    return dsml_names_get(equations_names, DSML_NAMES_COUNT(equations_names), (int)e);
}

int dsml_loss_check_common_equations(const char *loss, const dsml_loss_params *p)
{
    if (p->equations == DSML_EQUATIONS_COMMON) return DSML_OK;
    return dsml_fail(DSML_ERR_ARG, "%s: --equations %s applies to the paper's losses: contrastive, triplet, lifted, "
                     "npair", loss, dsml_equations_name(p->equations));
}

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
    int rc = dsml_loss_check_common_equations(loss, p);
    return rc ? rc : dsml_loss_check_nonnegative(loss, "quantisation weight", p->hashing.quant);
}
