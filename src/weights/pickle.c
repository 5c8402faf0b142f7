/* The state-dict pickle subset as a stack machine; see pickle.h.
 *
 * Opcodes run (protocol 2, plus the few protocol 4 ones that Python 3.8+
 * writes for the same objects): PROTO FRAME MARK STOP, EMPTY_DICT EMPTY_LIST
 * EMPTY_TUPLE TUPLE TUPLE1 TUPLE2 TUPLE3, BINUNICODE SHORT_BINUNICODE
 * BINUNICODE8, BININT BININT1 BININT2 LONG1 BINFLOAT NEWTRUE NEWFALSE NONE,
 * GLOBAL STACK_GLOBAL BINPERSID REDUCE BUILD, SETITEM SETITEMS APPEND
 * APPENDS, BINPUT LONG_BINPUT MEMOIZE BINGET LONG_BINGET. The stack, the
 * memo and every value are bounded by the pickle's length (each opcode makes
 * at most one value) and the memo also by MEMO_MAX. */
#include "weights/pickle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define MEMO_MAX (1 << 20)
#define GLOBAL_MAX 256   /* bytes of a module or global name */

static const dsml_pk_dtype storages[] = {
    {"FloatStorage", "float32", 4},     {"DoubleStorage", "float64", 8},      {"HalfStorage", "float16", 2},
    {"BFloat16Storage", "bfloat16", 2}, {"LongStorage", "int64", 8},          {"IntStorage", "int32", 4},
    {"ShortStorage", "int16", 2},       {"CharStorage", "int8", 1},           {"ByteStorage", "uint8", 1},
    {"BoolStorage", "bool", 1},         {"ComplexFloatStorage", "complex64", 8},
    {"ComplexDoubleStorage", "complex128", 16},
};

typedef struct {
    dsml_pickle *p;
    const uint8_t *d;
    size_t n, pos;
    const char *name;
    long at;                /* offset of the opcode being run */
    int *stack, sp, scap;
    int *marks, nm, mcap;   /* stack heights at each MARK */
    int *memo, memo_n;      /* memo_n slots, -1 where unset */
    int memo_len;           /* slots set, the index MEMOIZE uses next */
} machine;

static int fail(machine *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(machine *m, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dsml_fail(DSML_ERR_FORMAT, "%s: byte %ld: %s", m->name, m->at, msg);
}

static int grow(machine *m, void **buf, int *cap, int need, size_t item)
{
    if (need <= *cap) return DSML_OK;
    int c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *g = realloc(*buf, item * (size_t)c);
    if (!g) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", m->name);
    *buf = g;
    *cap = c;
    return DSML_OK;
}

static int new_value(machine *m, dsml_pk_kind kind, int *out)
{
    dsml_pickle *p = m->p;
    int rc = grow(m, (void **)&p->values, &p->cap, p->n + 1, sizeof *p->values);
    if (rc) return rc;
    dsml_pk_value *v = &p->values[p->n];
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->offset = m->at;
    *out = p->n++;
    return DSML_OK;
}

static int push(machine *m, int v)
{
    int rc = grow(m, (void **)&m->stack, &m->scap, m->sp + 1, sizeof *m->stack);
    if (!rc) m->stack[m->sp++] = v;
    return rc;
}

/* Makes a value of `kind` and pushes it; *out (may be NULL) gets its index. */
static int push_new(machine *m, dsml_pk_kind kind, int *out)
{
    int v, rc = new_value(m, kind, &v);
    if (!rc) rc = push(m, v);
    if (out) *out = v;
    return rc;
}

static int pop(machine *m, int *v)
{
    int floor = m->nm ? m->marks[m->nm - 1] : 0;
    *v = 0;
    if (m->sp <= floor) return fail(m, "stack empty (or at a MARK) where a value was expected");
    *v = m->stack[--m->sp];
    return DSML_OK;
}

static int top(machine *m, int *v)
{
    int rc = pop(m, v);
    if (!rc) m->sp++;
    return rc;
}

/* The values above the last MARK: *first indexes the stack, *count of them;
 * the mark is removed and the stack cut back to it. */
static int pop_mark(machine *m, int *first, int *count)
{
    *first = *count = 0;
    if (!m->nm) return fail(m, "no MARK to pop");
    *first = m->marks[--m->nm];
    *count = m->sp - *first;
    m->sp = *first;
    return DSML_OK;
}

static int add_item(machine *m, int container, int item)
{
    dsml_pk_value *c = &m->p->values[container];
    int rc = grow(m, (void **)&c->items, &c->cap, c->n + 1, sizeof *c->items);
    if (!rc) c->items[c->n++] = item;
    return rc;
}

static dsml_pk_value *val(machine *m, int i) { return &m->p->values[i]; }

static int need(machine *m, size_t k)
{
    return m->n - m->pos >= k ? DSML_OK : fail(m, "truncated: %zu bytes needed, %zu left", k, m->n - m->pos);
}

static uint64_t le(const uint8_t *b, int k)
{
    uint64_t v = 0;
    for (int i = k - 1; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

static int push_int(machine *m, int64_t x)
{
    int v, rc = push_new(m, DSML_PK_INT, &v);
    if (!rc) val(m, v)->i = x;
    return rc;
}

static int push_string(machine *m, size_t len)
{
    int rc = need(m, len);
    if (rc) return rc;
    if (memchr(m->d + m->pos, 0, len)) return fail(m, "a string with a NUL byte");
    char *s = malloc(len + 1);
    if (!s) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", m->name);
    memcpy(s, m->d + m->pos, len);
    s[len] = '\0';
    m->pos += len;
    int v;
    rc = push_new(m, DSML_PK_STRING, &v);
    if (rc) { free(s); return rc; }
    val(m, v)->s = s;
    return DSML_OK;
}

/* A tuple of the stack's values from `first`, `count` of them, replacing them. */
static int make_tuple(machine *m, int first, int count)
{
    int t, rc = new_value(m, DSML_PK_TUPLE, &t);
    for (int i = 0; i < count && !rc; i++) rc = add_item(m, t, m->stack[first + i]);
    m->sp = first;
    return rc ? rc : push(m, t);
}

static int tuple_n(machine *m, int count)
{
    int floor = m->nm ? m->marks[m->nm - 1] : 0;
    if (m->sp - floor < count) return fail(m, "TUPLE%d with %d values on the stack", count, m->sp - floor);
    return make_tuple(m, m->sp - count, count);
}

/* GLOBAL "module\nname\n" or STACK_GLOBAL: only the allowed ones. */
static int push_global(machine *m, const char *module, const char *name)
{
    int g = -1, v;
    const dsml_pk_dtype *dt = NULL;
    if (!strcmp(module, "collections") && !strcmp(name, "OrderedDict")) g = DSML_PG_ORDERED_DICT;
    if (!strcmp(module, "torch._utils") && !strcmp(name, "_rebuild_tensor_v2")) g = DSML_PG_REBUILD_TENSOR;
    for (size_t i = 0; i < sizeof storages / sizeof storages[0] && !strcmp(module, "torch"); i++)
        if (!strcmp(name, storages[i].storage)) { g = DSML_PG_STORAGE; dt = &storages[i]; }
    if (g < 0)
        return fail(m, "global '%s %s' is not allowed (only collections.OrderedDict, "
                    "torch._utils._rebuild_tensor_v2 and torch.*Storage)", module, name);
    int rc = push_new(m, DSML_PK_GLOBAL, &v);
    if (!rc) { val(m, v)->global = (dsml_pk_global)g; val(m, v)->dtype = dt; }
    return rc;
}

static int read_line(machine *m, char *out)
{
    const uint8_t *nl = memchr(m->d + m->pos, '\n', m->n - m->pos);
    size_t len = nl ? (size_t)(nl - (m->d + m->pos)) : 0;
    if (!nl || len >= GLOBAL_MAX) return fail(m, "GLOBAL: a name without its newline, or over %d bytes", GLOBAL_MAX);
    memcpy(out, m->d + m->pos, len);
    out[len] = '\0';
    m->pos += len + 1;
    return DSML_OK;
}

static int op_global(machine *m)
{
    char module[GLOBAL_MAX], name[GLOBAL_MAX];
    int rc = read_line(m, module);
    if (!rc) rc = read_line(m, name);
    return rc ? rc : push_global(m, module, name);
}

static int op_stack_global(machine *m)
{
    int mod, name, rc = pop(m, &name);
    if (!rc) rc = pop(m, &mod);
    if (rc) return rc;
    if (val(m, mod)->kind != DSML_PK_STRING || val(m, name)->kind != DSML_PK_STRING)
        return fail(m, "STACK_GLOBAL: module and name are not strings");
    return push_global(m, val(m, mod)->s, val(m, name)->s);
}

static int is_kind(machine *m, int v, dsml_pk_kind k) { return val(m, v)->kind == k; }

/* ('storage', torch.<T>Storage, key, location, numel) -> a STORAGE value */
static int op_binpersid(machine *m)
{
    int pid, rc = pop(m, &pid);
    if (rc) return rc;
    const dsml_pk_value *t = val(m, pid);
    if (t->kind != DSML_PK_TUPLE || t->n != 5 || !is_kind(m, t->items[0], DSML_PK_STRING) ||
        strcmp(val(m, t->items[0])->s, "storage") || !is_kind(m, t->items[1], DSML_PK_GLOBAL) ||
        val(m, t->items[1])->global != DSML_PG_STORAGE || !is_kind(m, t->items[2], DSML_PK_STRING) ||
        !is_kind(m, t->items[3], DSML_PK_STRING) || !is_kind(m, t->items[4], DSML_PK_INT))
        return fail(m, "persistent id is not ('storage', torch.<type>Storage, key, location, numel)");
    int64_t numel = val(m, t->items[4])->i;
    if (numel < 0 || numel > (1LL << 40)) return fail(m, "storage of %lld values", (long long)numel);
    char *key = strdup(val(m, t->items[2])->s);
    if (!key) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", m->name);
    const dsml_pk_dtype *dt = val(m, t->items[1])->dtype;
    int v;
    rc = push_new(m, DSML_PK_STORAGE, &v);
    if (rc) { free(key); return rc; }
    dsml_pk_value *s = val(m, v);
    s->s = key;
    s->i = numel;
    s->dtype = dt;
    return DSML_OK;
}

/* A size or stride tuple of whole numbers into out[]. */
static int int_tuple(machine *m, int t, int64_t *out, int *n, const char *what)
{
    const dsml_pk_value *v = val(m, t);
    if (v->kind != DSML_PK_TUPLE) return fail(m, "_rebuild_tensor_v2: %s is a %s, expected a tuple", what,
                                               dsml_pk_kind_name(v->kind));
    if (v->n > DSML_PICKLE_MAX_DIMS) return fail(m, "_rebuild_tensor_v2: %s of %d dims, at most %d", what, v->n,
                                                  DSML_PICKLE_MAX_DIMS);
    for (int i = 0; i < v->n; i++) {
        if (!is_kind(m, v->items[i], DSML_PK_INT)) return fail(m, "_rebuild_tensor_v2: %s[%d] is not an int", what, i);
        out[i] = val(m, v->items[i])->i;
    }
    *n = v->n;
    return DSML_OK;
}

/* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]) */
static int rebuild_tensor(machine *m, int args)
{
    const dsml_pk_value *a = val(m, args);
    if (a->n != 6 && a->n != 7) return fail(m, "_rebuild_tensor_v2 with %d arguments, expected 6 or 7", a->n);
    const int *x = a->items;
    if (!is_kind(m, x[0], DSML_PK_STORAGE) || !is_kind(m, x[1], DSML_PK_INT) || !is_kind(m, x[4], DSML_PK_BOOL) ||
        !is_kind(m, x[5], DSML_PK_DICT))
        return fail(m, "_rebuild_tensor_v2: expected (storage, int offset, size, stride, bool, OrderedDict hooks)");
    int64_t size[DSML_PICKLE_MAX_DIMS], stride[DSML_PICKLE_MAX_DIMS];
    int nd, ns, rc = int_tuple(m, x[2], size, &nd, "size");
    if (!rc) rc = int_tuple(m, x[3], stride, &ns, "stride");
    if (rc) return rc;
    if (nd != ns) return fail(m, "_rebuild_tensor_v2: %d sizes and %d strides", nd, ns);
    int storage = x[0];
    int64_t offset = val(m, x[1])->i;
    int v;
    rc = push_new(m, DSML_PK_TENSOR, &v);
    if (rc) return rc;
    dsml_pk_value *t = val(m, v);
    t->storage = storage;
    t->i = offset;
    t->ndim = nd;
    memcpy(t->size, size, sizeof size);
    memcpy(t->stride, stride, sizeof stride);
    return DSML_OK;
}

static int op_reduce(machine *m)
{
    int args, fn, rc = pop(m, &args);
    if (!rc) rc = pop(m, &fn);
    if (rc) return rc;
    if (!is_kind(m, fn, DSML_PK_GLOBAL) || !is_kind(m, args, DSML_PK_TUPLE))
        return fail(m, "REDUCE of a %s with a %s, expected a global and a tuple", dsml_pk_kind_name(val(m, fn)->kind),
                    dsml_pk_kind_name(val(m, args)->kind));
    switch (val(m, fn)->global) {
    case DSML_PG_ORDERED_DICT:
        if (val(m, args)->n) return fail(m, "OrderedDict called with arguments");
        return push_new(m, DSML_PK_DICT, NULL);
    case DSML_PG_REBUILD_TENSOR: return rebuild_tensor(m, args);
    default: return fail(m, "REDUCE calls torch.%s, which is not in the subset", val(m, fn)->dtype->storage);
    }
}

/* SETITEM(S), APPEND(S): the values from `first` into the container below them. */
static int fill(machine *m, int first, int count, dsml_pk_kind want, const char *op)
{
    int c, rc = top(m, &c);
    if (rc) return rc;
    if (!is_kind(m, c, want)) return fail(m, "%s on a %s", op, dsml_pk_kind_name(val(m, c)->kind));
    if (want == DSML_PK_DICT && count % 2) return fail(m, "%s with an odd number of values", op);
    /* a dict keeps its pairs as 2 items each: key, value */
    for (int i = 0; i < count && !rc; i++) rc = add_item(m, c, m->stack[first + i]);
    return rc;
}

static int op_fill(machine *m, int many, dsml_pk_kind want, const char *op)
{
    int first, count;
    if (many) {
        int rc = pop_mark(m, &first, &count);
        if (rc) return rc;
    } else {
        count = want == DSML_PK_DICT ? 2 : 1;
        int floor = m->nm ? m->marks[m->nm - 1] : 0;
        if (m->sp - floor < count + 1) return fail(m, "%s with too few values on the stack", op);
        first = m->sp - count;
        m->sp = first;
    }
    /* the values stay in m->stack[first..], above sp, until copied */
    return fill(m, first, count, want, op);
}

static int memo_put(machine *m, int64_t idx)
{
    if (idx < 0 || idx >= MEMO_MAX) return fail(m, "memo index %lld, at most %d", (long long)idx, MEMO_MAX - 1);
    int v, rc = top(m, &v);
    if (!rc && idx >= m->memo_n) {
        int cap = m->memo_n, old = m->memo_n;
        rc = grow(m, (void **)&m->memo, &cap, (int)idx + 1, sizeof *m->memo);
        for (int i = old; !rc && i < cap; i++) m->memo[i] = -1;
        m->memo_n = cap;
    }
    if (rc) return rc;
    if (m->memo[idx] < 0) m->memo_len++;
    m->memo[idx] = v;
    return DSML_OK;
}

static int memo_get(machine *m, int64_t idx)
{
    if (idx < 0 || idx >= m->memo_n || m->memo[idx] < 0) return fail(m, "memo index %lld was never set",
                                                                     (long long)idx);
    return push(m, m->memo[idx]);
}

/* Runs one opcode; *stop becomes 1 at STOP. */
static int step(machine *m, int *stop)
{
    uint8_t op = m->d[m->pos++];
    int rc, v, first, count;
    switch (op) {
    case 0x80: /* PROTO */
        if ((rc = need(m, 1))) return rc;
        if (m->d[m->pos] > 5) return fail(m, "pickle protocol %d, at most 5", m->d[m->pos]);
        m->pos++;
        return DSML_OK;
    case 0x95: /* FRAME: a length hint */
        if ((rc = need(m, 8))) return rc;
        m->pos += 8;
        return DSML_OK;
    case '(': /* MARK */
        if ((rc = grow(m, (void **)&m->marks, &m->mcap, m->nm + 1, sizeof *m->marks))) return rc;
        m->marks[m->nm++] = m->sp;
        return DSML_OK;
    case '.': /* STOP */
        if ((rc = pop(m, &m->p->root))) return rc;
        *stop = 1;
        return DSML_OK;
    case '}': return push_new(m, DSML_PK_DICT, NULL);
    case ']': return push_new(m, DSML_PK_LIST, NULL);
    case ')': return push_new(m, DSML_PK_TUPLE, NULL);
    case 't': return (rc = pop_mark(m, &first, &count)) ? rc : make_tuple(m, first, count);
    case 0x85: return tuple_n(m, 1);
    case 0x86: return tuple_n(m, 2);
    case 0x87: return tuple_n(m, 3);
    case 'X': return (rc = need(m, 4)) ? rc : (m->pos += 4, push_string(m, le(m->d + m->pos - 4, 4)));
    case 0x8c: return (rc = need(m, 1)) ? rc : (m->pos += 1, push_string(m, m->d[m->pos - 1]));
    case 0x8d: return (rc = need(m, 8)) ? rc : (m->pos += 8, push_string(m, le(m->d + m->pos - 8, 8)));
    case 'K': return (rc = need(m, 1)) ? rc : (m->pos += 1, push_int(m, m->d[m->pos - 1]));
    case 'M': return (rc = need(m, 2)) ? rc : (m->pos += 2, push_int(m, (int64_t)le(m->d + m->pos - 2, 2)));
    case 'J': return (rc = need(m, 4)) ? rc : (m->pos += 4, push_int(m, (int32_t)le(m->d + m->pos - 4, 4)));
    case 0x8a: { /* LONG1: n bytes, little-endian two's complement */
        if ((rc = need(m, 1))) return rc;
        int k = m->d[m->pos++];
        if (k > 8) return fail(m, "LONG1 of %d bytes, at most 8", k);
        if ((rc = need(m, (size_t)k))) return rc;
        uint64_t x = k ? le(m->d + m->pos, k) : 0;
        if (k && k < 8 && (m->d[m->pos + k - 1] & 0x80)) x |= ~0ULL << (8 * k);
        m->pos += (size_t)k;
        return push_int(m, (int64_t)x);
    }
    case 'G': { /* BINFLOAT: big-endian double */
        if ((rc = need(m, 8))) return rc;
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++) bits = bits << 8 | m->d[m->pos++];
        if ((rc = push_new(m, DSML_PK_FLOAT, &v))) return rc;
        memcpy(&val(m, v)->f, &bits, sizeof bits);
        return DSML_OK;
    }
    case 0x88: case 0x89: /* NEWTRUE, NEWFALSE */
        if ((rc = push_new(m, DSML_PK_BOOL, &v))) return rc;
        val(m, v)->i = op == 0x88;
        return DSML_OK;
    case 'N': return push_new(m, DSML_PK_NONE, NULL);
    case 'c': return op_global(m);
    case 0x93: return op_stack_global(m);
    case 'Q': return op_binpersid(m);
    case 'R': return op_reduce(m);
    case 'b': { /* BUILD: only an OrderedDict's state (its _metadata), which is not kept */
        int state;
        if ((rc = pop(m, &state)) || (rc = top(m, &v))) return rc;
        if (!is_kind(m, v, DSML_PK_DICT)) return fail(m, "BUILD on a %s", dsml_pk_kind_name(val(m, v)->kind));
        return DSML_OK;
    }
    case 's': return op_fill(m, 0, DSML_PK_DICT, "SETITEM");
    case 'u': return op_fill(m, 1, DSML_PK_DICT, "SETITEMS");
    case 'a': return op_fill(m, 0, DSML_PK_LIST, "APPEND");
    case 'e': return op_fill(m, 1, DSML_PK_LIST, "APPENDS");
    case 'q': return (rc = need(m, 1)) ? rc : (m->pos += 1, memo_put(m, m->d[m->pos - 1]));
    case 'r': return (rc = need(m, 4)) ? rc : (m->pos += 4, memo_put(m, (int64_t)le(m->d + m->pos - 4, 4)));
    case 0x94: return memo_put(m, m->memo_len); /* MEMOIZE: the next free index */
    case 'h': return (rc = need(m, 1)) ? rc : (m->pos += 1, memo_get(m, m->d[m->pos - 1]));
    case 'j': return (rc = need(m, 4)) ? rc : (m->pos += 4, memo_get(m, (int64_t)le(m->d + m->pos - 4, 4)));
    default:
        return fail(m, "opcode 0x%02x ('%c') is not in the subset dsml reads", op, op >= 32 && op < 127 ? op : '?');
    }
}

int dsml_pickle_load(dsml_pickle *p, const uint8_t *data, size_t size, const char *name)
{
    memset(p, 0, sizeof *p);
    machine m = {.p = p, .d = data, .n = size, .name = name};
    int rc = DSML_OK, stop = 0;
    while (!rc && !stop) {
        m.at = (long)m.pos;
        rc = m.pos < m.n ? step(&m, &stop) : fail(&m, "the pickle ends without a STOP opcode");
    }
    free(m.stack);
    free(m.marks);
    free(m.memo);
    if (rc) dsml_pickle_free(p);
    return rc;
}

void dsml_pickle_free(dsml_pickle *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->values[i].s);
        free(p->values[i].items);
    }
    free(p->values);
    memset(p, 0, sizeof *p);
}

int dsml_pk_dict_get(const dsml_pickle *p, int d, const char *key)
{
    const dsml_pk_value *v = &p->values[d];
    for (int i = 0; i + 1 < v->n; i += 2) {
        const dsml_pk_value *k = &p->values[v->items[i]];
        if (k->kind == DSML_PK_STRING && !strcmp(k->s, key)) return v->items[i + 1];
    }
    return -1;
}

const char *dsml_pk_kind_name(dsml_pk_kind k)
{
    static const char *const names[] = {"None", "bool", "int", "float", "string", "tuple", "list", "dict",
                                        "global", "storage", "tensor", "mark"};
    return k <= DSML_PK_MARK ? names[k] : "?";
}
