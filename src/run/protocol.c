/* Protocol names; see protocol.h. */
#include "run/protocol.h"
#include "core/error.h"

#include <string.h>

int dsml_protocol_parse(const char *name, dsml_protocol *out)
{
    if (name && !strcmp(name, "dml")) *out = DSML_PROTOCOL_DML;
    else if (name && !strcmp(name, "hashing")) *out = DSML_PROTOCOL_HASHING;
    else return dsml_fail(DSML_ERR_ARG, "protocol '%s': expected dml or hashing", name ? name : "(null)");
    return DSML_OK;
}

const char *dsml_protocol_name(dsml_protocol protocol)
{
    return protocol == DSML_PROTOCOL_HASHING ? "hashing" : protocol == DSML_PROTOCOL_DML ? "dml" : "unknown";
}
