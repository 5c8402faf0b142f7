/* The registry of losses: one line per loss, indexed by its kind, and the
 * lookups over it (by kind, by name, by option). Each entry lives with its
 * loss (contrastive.c, ...); see loss.h. */
#include <string.h>

#include "core/error.h"
#include "core/names.h"
#include "metric/loss_internal.h"

static const dsml_loss_entry *const registry[DSML_LOSS_COUNT] = {
    [DSML_LOSS_CONTRASTIVE] = &dsml_loss_contrastive_entry,
    [DSML_LOSS_TRIPLET] = &dsml_loss_triplet_entry,
    [DSML_LOSS_LIFTED] = &dsml_loss_lifted_entry,
    [DSML_LOSS_NPAIR] = &dsml_loss_npair_entry,
    [DSML_LOSS_VMF] = &dsml_loss_vmf_entry,
    [DSML_LOSS_GPW] = &dsml_loss_gpw_entry,
    [DSML_LOSS_DPSH] = &dsml_loss_dpsh_entry,
    [DSML_LOSS_DTSH] = &dsml_loss_dtsh_entry,
};

const dsml_loss_entry *dsml_loss_entry_of(dsml_loss_kind kind)
{
    return (int)kind >= 0 && kind < DSML_LOSS_COUNT ? registry[kind] : NULL;
}

/* The names indexed by kind, for core/names.h. */
static void loss_names(const char *names[DSML_LOSS_COUNT])
{
    for (int k = 0; k < DSML_LOSS_COUNT; k++) names[k] = registry[k]->name;
}

int dsml_loss_parse(const char *name, dsml_loss_kind *out)
{
    const char *names[DSML_LOSS_COUNT];
    loss_names(names);
    int k;
    int rc = dsml_names_parse("loss", names, DSML_LOSS_COUNT, name, &k);
    if (!rc) *out = (dsml_loss_kind)k;
    return rc;
}

const char *dsml_loss_name(dsml_loss_kind kind)
{
    const dsml_loss_entry *e = dsml_loss_entry_of(kind);
    return e ? e->name : "unknown";
}

const dsml_loss_entry *dsml_loss_find(const char *name)
{
    for (int k = 0; name && k < DSML_LOSS_COUNT; k++)
        if (!strcmp(registry[k]->name, name)) return registry[k];
    return NULL;
}

static int listed(const char *const *list, const char *option)
{
    for (; list && *list; list++)
        if (!strcmp(*list, option)) return 1;
    return 0;
}

int dsml_loss_takes_option(dsml_loss_kind kind, const char *option)
{
    static const char *const common[] = {"loss", "distance", "lambda", NULL};
    const dsml_loss_entry *e = dsml_loss_entry_of(kind);
    if (!e || !option) return 0;
    return listed(common, option) || listed(e->options, option) ||
           (e->density && listed(dsml_density_options, option));
}

int dsml_loss_check_option(dsml_loss_kind kind, const char *option)
{
    if (dsml_loss_takes_option(kind, option)) return DSML_OK;
    const char *takers[DSML_LOSS_COUNT];
    int count = 0;
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        takers[k] = dsml_loss_takes_option((dsml_loss_kind)k, option) ? registry[k]->name : NULL;
        count += takers[k] != NULL;
    }
    char list[256];
    dsml_names_join(takers, DSML_LOSS_COUNT, list, sizeof list);
    return dsml_fail(DSML_ERR_ARG, "--%s: not an option of %s (%s%s)", option ? option : "(null)",
                     dsml_loss_name(kind), count ? list : "no loss takes it",
                     count == 0 ? "" : count == 1 ? " takes it" : " take it");
}
