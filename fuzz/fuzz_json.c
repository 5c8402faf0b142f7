/* Fuzzes the JSON reader (src/core/json_parse.c) from memory, then walks the
 * tree and looks up a few dotted paths as metrics.json's readers do. */
#include "core/json_parse.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Visits every value (bounded depth: the parser bounds nesting itself). */
static int walk(const dsml_jv *v, int depth)
{
    int n = 0;
    fuzz_expect(depth < 100000, "a JSON tree deeper than its text");
    for (const dsml_jv *c = v->child; c; c = c->next) {
        if (v->type == DSML_JV_OBJECT) fuzz_expect(c->key != NULL, "an object member without a key");
        n += 1 + walk(c, depth + 1);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsml_json_doc doc;
    fuzz_begin();
    if (fuzz_status(dsml_json_parse(&doc, "fuzz.json", (const char *)data, size))) return 0;
    walk(doc.root, 0);
    dsml_jv_number(doc.root, "metrics.euclidean.map", 0);
    dsml_jv_string(doc.root, "config.dataset", "");
    dsml_jv_get(doc.root, "a.b.c.d");
    dsml_jv_get(doc.root, "");
    dsml_jv_get(doc.root, "..");
    dsml_json_doc_free(&doc);
    return 0;
}
