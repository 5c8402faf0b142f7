/* The table of `dsml train` options and everything read off it; see
 * train_options.h. The rows are in the order metrics.json records them. */
#include "run/train_options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/names.h"
#include "core/value.h"
#include "data/class_subset.h"

/* ---- the kinds of the enum options ------------------------------------------- */

static int protocol_count(void) { return DSML_PROTOCOL_HASHING + 1; }
static const char *protocol_kind(int k) { return dsml_protocol_name((dsml_protocol)k); }
static int split_count(void) { return DSML_SPLIT_ZERO_SHOT + 1; }
static const char *split_kind(int k) { return dsml_split_kind_name((dsml_split_kind)k); }
static int model_count(void) { return DSML_MODEL_KINDS; }
static const char *model_kind(int k) { return dsml_model_kind_name((dsml_model_kind)k); }
static int loss_count(void) { return DSML_LOSS_COUNT; }
static const char *loss_kind(int k) { return dsml_loss_name((dsml_loss_kind)k); }
static int distance_count(void) { return DSML_DIST_SNR + 1; }
static const char *distance_kind(int k) { return dsml_distance_name((dsml_distance_kind)k); }
static int equations_count(void) { return DSML_EQUATIONS_PAPER + 1; }
static const char *equations_kind(int k) { return dsml_equations_name((dsml_equations)k); }
static int mining_count(void) { return DSML_GPW_MINE_MS + 1; }
static const char *mining_kind(int k) { return dsml_gpw_mining_name((dsml_gpw_mining)k); }
static int weighting_count(void) { return DSML_GPW_WEIGHT_LIFTED + 1; }
static const char *weighting_kind(int k) { return dsml_gpw_weighting_name((dsml_gpw_weighting)k); }

static const char *const norm_names[DSML_NORM_KINDS] = {"fit", "imagenet", "weights"};
static int norm_count(void) { return DSML_NORM_KINDS; }
static const char *norm_kind(int k) { return k >= 0 && k < DSML_NORM_KINDS ? norm_names[k] : "unknown"; }

static const dsml_option_kinds protocols = {protocol_count, protocol_kind};
static const dsml_option_kinds splits = {split_count, split_kind};
static const dsml_option_kinds models = {model_count, model_kind};
static const dsml_option_kinds losses = {loss_count, loss_kind};
static const dsml_option_kinds distances = {distance_count, distance_kind};
static const dsml_option_kinds equations = {equations_count, equations_kind};
static const dsml_option_kinds minings = {mining_count, mining_kind};
static const dsml_option_kinds weightings = {weighting_count, weighting_kind};
static const dsml_option_kinds norms = {norm_count, norm_kind};

/* ---- the table ------------------------------------------------------------------ */

#define FIELD(f) offsetof(dsml_train_config, f)
#define TEXT(f) FIELD(f), sizeof(((dsml_train_config *)0)->f), 0
#define NUMBER(f) FIELD(f), 0, 0
#define BIG 1e6

/* Short names for the table's columns, undefined after it. */
#define DATA DSML_SECTION_DATA
#define MODEL DSML_SECTION_MODEL
#define LOSS DSML_SECTION_LOSS
#define OPTIM DSML_SECTION_OPTIMISATION
#define EVAL DSML_SECTION_EVALUATION
#define OUTPUT DSML_SECTION_OUTPUT
#define INT DSML_OPT_INT
#define U64 DSML_OPT_U64
#define FLOAT DSML_OPT_FLOAT
#define NAME DSML_OPT_NAME
#define PATH DSML_OPT_PATH
#define ENUM DSML_OPT_ENUM
#define LIST DSML_OPT_INT_LIST
#define FLAG DSML_OPT_FLAG
#define CLASSES DSML_OPT_CLASSES
#define ALWAYS DSML_RECORD_ALWAYS
#define IF_TAKEN DSML_RECORD_IF_TAKEN
#define IF_DENSITY DSML_RECORD_IF_DENSITY
#define IF_SET DSML_RECORD_IF_SET
#define IF_WEIGHTS DSML_RECORD_IF_WEIGHTS
#define SWEEP DSML_OPT_SWEEP
#define BY_LOSS DSML_OPT_BY_LOSS
#define BY_MODEL DSML_OPT_BY_MODEL
#define NOT_HASHING DSML_OPT_NOT_HASHING
#define FIRST DSML_OPT_FIRST
#define PER_BATCH DSML_OPT_PER_BATCH

static const dsml_train_option table[] = {
    /* name, value, section, type, lo, hi, field, kinds, default, json key, recorded, flags, help */
    {"dataset", "NAME", DATA, NAME, 0, 0, TEXT(dataset), NULL, "fashion-mnist", "config.dataset", ALWAYS, SWEEP,
     "fashion-mnist, cifar10, cub200, cars196, nus-wide or a prepared imagefolder's name"},
    {"from", "PATH", DATA, PATH, 0, 0, TEXT(from), NULL, NULL, NULL, ALWAYS, SWEEP,
     "source files instead of the default location"},
    {"data", "DIR", DATA, PATH, 0, 0, TEXT(data_root), NULL, "datasets", NULL, ALWAYS, 0,
     "data root (default $DSML_DATA, else datasets/)"},
    {"protocol", "NAME", DATA, ENUM, 0, 0, NUMBER(protocol), &protocols, "dml", "config.protocol", ALWAYS, FIRST,
     "{kinds}; hashing: per class Q queries, the rest both training set and database, Hamming ranking only, "
     "Q = 1000 and MAP@50000 unless given"},
    {"split", "NAME", DATA, ENUM, 0, 0, NUMBER(split), &splits, "default", "config.split", ALWAYS, SWEEP,
     "{kinds}; paper (cub200, cars196): the official train/test files, the test images both queries and "
     "database, each query's own image left out; zero-shot: the first half of the classes train, the rest as "
     "paper; default: paper for cub200/cars196, 100 queries per concept for nus-wide, else the protocol's"},
    {"classes", "LIST", DATA, CLASSES, 0, 0, TEXT(classes), NULL, NULL, "config.classes", IF_SET, SWEEP,
     "only the images of these classes (5-9, 0,2,4 or 0-2,7), relabelled 0..k-1 in ascending order before the "
     "split, so queries, database and training set all come from them (zero-shot: the first half of them "
     "train); default: all classes"},
    {"queries-per-class", "N", DATA, INT, 1, 1000000, NUMBER(queries_per_class), NULL, "100",
     "data.split.queries_per_class", ALWAYS, SWEEP, "queries per class (default 100; hashing: 1000)"},
    {"train-per-class", "N", DATA, INT, 1, 1000000, NUMBER(train_per_class), NULL, "500",
     "data.split.train_per_class", ALWAYS, SWEEP | NOT_HASHING,
     "training images per class, from the database; not with --protocol hashing, which trains on the whole "
     "database"},
    {"validation-per-class", "N", DATA, INT, 0, 1000000, NUMBER(validation_per_class), NULL, "0",
     "data.split.validation_per_class", ALWAYS, SWEEP,
     "hold N training images per class out and evaluate on them instead of the queries (for tuning)"},

    {"resize", "S", DATA, INT, 0, 4096, NUMBER(resize), NULL, "0", "config.resize", IF_SET, SWEEP,
     "resize the cached images to S x S (bilinear, as PyTorch) before any crop; 0: as cached, or the input size "
     "when the cache is smaller (docs/input.md)"},
    {"input-size", "S", DATA, INT, 0, 4096, NUMBER(input_size), NULL, "0", "config.input_size", IF_SET, SWEEP,
     "the network's input side: a crop when smaller than the resized image (centre; random with --augment); "
     "0: the network's own (alexnet 227, cnn-f 224), else the resized size"},
    {"augment", NULL, DATA, FLAG, 0, 1, NUMBER(augment), NULL, NULL, "config.augment", IF_SET, SWEEP,
     "training images: a random crop of the input size and a horizontal flip (evaluation: the centre crop)"},
    {"norm", "NAME", DATA, ENUM, 0, 0, NUMBER(norm), &norms, "fit", "config.norm", IF_SET, SWEEP,
     "{kinds}: the training set's channel mean and std; torchvision's ImageNet mean and std; the weights "
     "file's average image (MatConvNet's CNN-F)"},

    {"model", "NAME", MODEL, ENUM, 0, 0, NUMBER(model), &models, "convnet", "config.model", ALWAYS, SWEEP | FIRST,
     "the network"},
    {"dim", "D", MODEL, INT, 1, 4096, NUMBER(dim), NULL, "32", "config.dim", ALWAYS, SWEEP, "embedding size"},
    {"hidden", "N[,N...]", MODEL, LIST, 1, 1 << 20, FIELD(hidden), 8, FIELD(n_hidden), NULL, "256", "config.hidden",
     IF_TAKEN, SWEEP | BY_MODEL, "mlp hidden sizes"},
    {"dropout", "P", MODEL, FLOAT, 0, 0.95, NUMBER(dropout), NULL, "0", "config.dropout", ALWAYS, SWEEP,
     "dropout before the embedding layer"},
    {"weights", "FILE|NAME", MODEL, PATH, 0, 0, TEXT(weights), NULL, NULL, "config.weights", IF_SET, SWEEP,
     "start from pretrained weights: a PyTorch checkpoint, safetensors or MatConvNet .mat (docs/weights.md), or "
     "the file of a manifest fetched with dsml fetch (alexnet-imagenet, cnn-f-imagenet); an embedding layer of "
     "another width than the file's last layer starts fresh"},
    {"freeze", "N", MODEL, INT, 0, 64, NUMBER(freeze), NULL, "0", "config.freeze", IF_WEIGHTS, SWEEP,
     "with --weights: the first N layers with parameters are not trained"},

    {"loss", "NAME", LOSS, ENUM, 0, 0, NUMBER(loss.loss), &losses, "contrastive", "config.loss", ALWAYS,
     SWEEP | FIRST, "the loss (docs/losses.md)"},
    {"distance", "NAME", LOSS, ENUM, 0, 0, NUMBER(loss.distance), &distances, "euclidean", "config.distance",
     ALWAYS, SWEEP | FIRST, "the distance"},
    {"equations", "NAME", LOSS, ENUM, 0, 0, NUMBER(loss.equations), &equations, "common", "config.equations",
     ALWAYS, SWEEP, "{kinds}; paper: eqs. 7-12 as printed (contrastive sums over pairs, lifted hard max); common: "
     "contrastive averaged over its non-zero terms (pytorch-metric-learning), lifted log-sum-exp (Song et al.'s "
     "eq. 4) (docs/losses.md)"},
    {"margin", "A", LOSS, FLOAT, 0, BIG, NUMBER(loss.margin), NULL, NULL, "config.margin", ALWAYS, SWEEP | BY_LOSS,
     "alpha of eqs. 8-10 (default depends on loss and distance); dtsh: per bit"},
    {"beta", "B", LOSS, FLOAT, 0, BIG, NUMBER(loss.lifted.beta), NULL, NULL, "config.beta", ALWAYS,
     SWEEP | BY_LOSS, "lifted: beta of eq. 10"},
    {"lambda", "L", LOSS, FLOAT, 0, BIG, NUMBER(loss.lambda), NULL, NULL, "config.lambda", ALWAYS, SWEEP,
     "weight of the zero-mean regulariser, eq. 7 (default 0.01 with snr, else 0)"},
    {"lifted-hard", NULL, LOSS, FLAG, 0, 1, NUMBER(loss.lifted.hard), NULL, NULL, "config.lifted_hard", ALWAYS,
     BY_LOSS, "lifted: eq. 10 with a hard max instead of log-sum-exp"},
    {"npair-l2", "W", LOSS, FLOAT, 0, BIG, NUMBER(loss.npair.l2), NULL, NULL, "config.npair_l2", ALWAYS,
     SWEEP | BY_LOSS, "npair: weight of Sohn's L2 embedding penalty"},
    {"quant", "W", LOSS, FLOAT, 0, BIG, NUMBER(loss.hashing.quant), NULL, NULL, "config.quant", IF_TAKEN,
     SWEEP | BY_LOSS, "dpsh, dtsh: weight of the quantisation penalty"},
    {"density", "W", LOSS, FLOAT, 0, BIG, NUMBER(loss.density.weight), NULL, NULL, "config.density", ALWAYS,
     SWEEP | BY_LOSS, "contrastive, triplet, npair: weight of the density regulariser; 0 turns it off"},
    {"density-ratio", "R", LOSS, FLOAT, 1e-6, BIG, NUMBER(loss.density.ratio), NULL, NULL, "config.density_ratio",
     IF_DENSITY, SWEEP | BY_LOSS, "the density regulariser's target ratio of intra- to inter-class distance"},
    {"gpw-mining", "NAME", LOSS, ENUM, 0, 0, NUMBER(loss.gpw.mining), &minings, NULL, "config.gpw_mining", IF_TAKEN,
     SWEEP | BY_LOSS, "gpw: the mining stage"},
    {"gpw-weighting", "NAME", LOSS, ENUM, 0, 0, NUMBER(loss.gpw.weighting), &weightings, "ms",
     "config.gpw_weighting", IF_TAKEN, SWEEP | BY_LOSS | FIRST,
     "gpw: the weighting stage, which sets what --gpw-alpha, --gpw-beta and --gpw-lambda start from"},
    {"gpw-alpha", "A", LOSS, FLOAT, 1e-6, BIG, NUMBER(loss.gpw.alpha), NULL, NULL, "config.gpw_alpha", IF_TAKEN,
     SWEEP | BY_LOSS, "gpw: scale of the positive terms (docs/losses.md)"},
    {"gpw-beta", "B", LOSS, FLOAT, 1e-6, BIG, NUMBER(loss.gpw.beta), NULL, NULL, "config.gpw_beta", IF_TAKEN,
     SWEEP | BY_LOSS, "gpw: scale of the negative terms"},
    {"gpw-lambda", "L", LOSS, FLOAT, -BIG, BIG, NUMBER(loss.gpw.lambda), NULL, NULL, "config.gpw_lambda", IF_TAKEN,
     SWEEP | BY_LOSS, "gpw: similarity margin"},
    {"gpw-epsilon", "E", LOSS, FLOAT, 0, BIG, NUMBER(loss.gpw.epsilon), NULL, NULL, "config.gpw_epsilon", IF_TAKEN,
     SWEEP | BY_LOSS, "gpw: mining margin"},
    {"kappa", "K", LOSS, FLOAT, 1e-6, BIG, NUMBER(loss.vmf.kappa), NULL, NULL, "config.vmf_kappa", IF_TAKEN,
     SWEEP | BY_LOSS, "vmf: concentration"},

    /* at least one: --epochs 0 would record the metrics of an untrained network */
    {"epochs", "N", OPTIM, INT, 1, 1000, NUMBER(epochs), NULL, "10", "config.epochs", ALWAYS, SWEEP,
     "epochs, 1..1000"},
    {"batch", "B", OPTIM, INT, 4, 100000, NUMBER(batch), NULL, NULL, NULL, ALWAYS, SWEEP | PER_BATCH,
     "images per batch (default 100; npair: 20, i.e. 10 pairs, the paper's CIFAR-10 setting, since N-pair "
     "needs one class per pair)"},
    {NULL, NULL, OPTIM, INT, 1, 100000, NUMBER(classes_per_batch), NULL, NULL, "config.classes_per_batch", ALWAYS, 0,
     NULL},
    {"images-per-class", "K", OPTIM, INT, 2, 100000, NUMBER(images_per_class), NULL, NULL,
     "config.images_per_class", ALWAYS, SWEEP, "images of each class in a batch (default 10; npair: 2)"},
    {"lr", "LR", OPTIM, FLOAT, 1e-12, 1e3, NUMBER(lr), NULL, "0.01", "config.lr", ALWAYS, SWEEP,
     "SGD learning rate"},
    {"momentum", "M", OPTIM, FLOAT, 0, 0.999999, NUMBER(momentum), NULL, "0.9", "config.momentum", ALWAYS, SWEEP,
     "SGD momentum"},
    {"wd", "W", OPTIM, FLOAT, 0, 1, NUMBER(weight_decay), NULL, "5e-4", "config.weight_decay", ALWAYS, SWEEP,
     "weight decay"},
    {"clip-grad", "C", OPTIM, FLOAT, 0, BIG, NUMBER(clip_grad), NULL, "0", "config.clip_grad", ALWAYS, SWEEP,
     "rescale each batch's gradient to an L2 norm of at most C; 0 turns it off"},
    {"lr-new-layer-mult", "X", OPTIM, FLOAT, 0, 1000, NUMBER(lr_new_layer_mult), NULL, "1",
     "config.lr_new_layer_mult", IF_WEIGHTS, SWEEP,
     "with --weights: the learning rate of the layers the file did not fill (the embedding layer) is X times "
     "--lr (the paper states none: 1); refused when the file fills every layer"},
    {"steps", "N", OPTIM, INT, 0, 1 << 30, NUMBER(steps), NULL, "0", "config.steps", IF_SET, SWEEP,
     "train N batches instead of --epochs epochs (for quick runs and timing)"},
    {"seed", "S", OPTIM, U64, 0, 0, NUMBER(seed), NULL, "1", "config.seed", ALWAYS, SWEEP,
     "every random choice derives from it"},
    {"threads", "N", OPTIM, INT, 1, 256, NUMBER(threads), NULL, "2", "config.threads", ALWAYS, 0, "threads"},

    {"map-at", "T", EVAL, INT, 0, 1 << 30, NUMBER(map_at), NULL, NULL, "config.map_at", ALWAYS, SWEEP,
     "MAP@T (default: the whole database; hashing: 50000)"},
    {"f1-at", "T", EVAL, INT, 1, 1 << 30, NUMBER(f1_at), NULL, "5000", "config.f1_at", ALWAYS, SWEEP,
     "precision/recall/F1 of the top T"},
    {"no-eval", NULL, EVAL, FLAG, 0, 1, NUMBER(no_eval), NULL, NULL, "config.no_eval", IF_SET, 0,
     "no evaluation: metrics.json holds the training figures only"},

    {"out", "DIR", OUTPUT, PATH, 0, 0, TEXT(out_dir), NULL, NULL, NULL, ALWAYS, 0,
     "where metrics.json and embeddings.bin go (required)"},
    {"no-embeddings", NULL, OUTPUT, FLAG, 0, 1, NUMBER(no_embeddings), NULL, NULL, NULL, ALWAYS, 0,
     "do not write embeddings.bin"},
    {"quiet", NULL, OUTPUT, FLAG, 0, 1, NUMBER(quiet), NULL, NULL, NULL, ALWAYS, 0, "no progress output"},
};
#undef DATA
#undef MODEL
#undef LOSS
#undef OPTIM
#undef EVAL
#undef OUTPUT
#undef INT
#undef U64
#undef FLOAT
#undef NAME
#undef PATH
#undef ENUM
#undef LIST
#undef FLAG
#undef CLASSES
#undef ALWAYS
#undef IF_TAKEN
#undef IF_DENSITY
#undef IF_SET
#undef IF_WEIGHTS
#undef SWEEP
#undef BY_LOSS
#undef BY_MODEL
#undef NOT_HASHING
#undef FIRST
#undef PER_BATCH
#undef FIELD
#undef TEXT
#undef NUMBER
#undef BIG
#define N_OPTIONS ((int)(sizeof table / sizeof table[0]))

int dsml_train_option_count(void) { return N_OPTIONS; }

const dsml_train_option *dsml_train_option_at(int index)
{
    return index >= 0 && index < N_OPTIONS ? &table[index] : NULL;
}

const dsml_train_option *dsml_train_option_find(const char *name)
{
    for (int i = 0; name && i < N_OPTIONS; i++)
        if (table[i].name && !strcmp(table[i].name, name)) return &table[i];
    return NULL;
}

/* ---- fields ---------------------------------------------------------------------- */

static void *field(dsml_train_config *cfg, size_t offset) { return (char *)cfg + offset; }
static const void *cfield(const dsml_train_config *cfg, size_t offset) { return (const char *)cfg + offset; }

/* Enum fields are int-sized (C11 6.7.2.2 and every ABI dsml builds on). */
_Static_assert(sizeof(dsml_loss_kind) == sizeof(int) && sizeof(dsml_model_kind) == sizeof(int) &&
                   sizeof(dsml_equations) == sizeof(int),
               "enum options are stored as int");

static int kind_index(const dsml_option_kinds *kinds, const char *name)
{
    for (int k = 0; k < kinds->count(); k++)
        if (!strcmp(kinds->name(k), name)) return k;
    return -1;
}

/* "a, b or c" for an enum row. */
static void kind_list(const dsml_option_kinds *kinds, char *buf, size_t cap)
{
    const char *names[64];
    int n = kinds->count() < 64 ? kinds->count() : 64;
    for (int k = 0; k < n; k++) names[k] = kinds->name(k);
    dsml_names_join(names, n, buf, cap);
}

int dsml_train_option_check_value(const dsml_train_option *o, const char *value, char *expected, size_t cap)
{
    long long i;
    double x;
    uint64_t u;
    int list[64], count;
    switch (o->type) {
    case DSML_OPT_INT: return dsml_value_int(value, (long long)o->lo, (long long)o->hi, &i, expected, cap);
    case DSML_OPT_U64: return dsml_value_u64(value, &u, expected, cap);
    case DSML_OPT_FLOAT: return dsml_value_number(value, o->lo, o->hi, &x, expected, cap);
    case DSML_OPT_NAME: return dsml_value_name(value, o->size, expected, cap);
    case DSML_OPT_PATH:
        if (strlen(value) < o->size) return DSML_OK;
        snprintf(expected, cap, "a path of at most %zu characters", o->size - 1);
        return DSML_ERR_ARG;
    case DSML_OPT_INT_LIST:
        return dsml_value_int_list(value, (long long)o->lo, (long long)o->hi, (int)o->size, list, &count, expected,
                                   cap);
    case DSML_OPT_ENUM: {
        if (kind_index(o->kinds, value) >= 0) return DSML_OK;
        char names[512];
        kind_list(o->kinds, names, sizeof names);
        snprintf(expected, cap, "%s", names);
        return DSML_ERR_ARG;
    }
    case DSML_OPT_FLAG:
        if (!value || !strcmp(value, "1")) return DSML_OK;
        snprintf(expected, cap, "no value");
        return DSML_ERR_ARG;
    case DSML_OPT_CLASSES: {
        dsml_class_subset subset;
        if (strlen(value) >= o->size) {
            snprintf(expected, cap, "a list of at most %zu characters", o->size - 1);
            return DSML_ERR_ARG;
        }
        return dsml_class_subset_parse(value, &subset, expected, cap);
    }
    }
    return DSML_ERR_ARG;
}

/* Stores a checked value into the row's field. */
static void store(dsml_train_config *cfg, const dsml_train_option *o, const char *value)
{
    void *f = field(cfg, o->offset);
    char expected[8];
    long long i;
    double x;
    switch (o->type) {
    case DSML_OPT_INT: dsml_value_int(value, (long long)o->lo, (long long)o->hi, &i, expected, 1); *(int *)f = (int)i; break;
    case DSML_OPT_U64: dsml_value_u64(value, (uint64_t *)f, expected, 1); break;
    case DSML_OPT_FLOAT: dsml_value_number(value, o->lo, o->hi, &x, expected, 1); *(float *)f = (float)x; break;
    case DSML_OPT_NAME: case DSML_OPT_PATH: case DSML_OPT_CLASSES: snprintf(f, o->size, "%s", value); break;
    case DSML_OPT_ENUM: *(int *)f = kind_index(o->kinds, value); break;
    case DSML_OPT_INT_LIST:
        dsml_value_int_list(value, (long long)o->lo, (long long)o->hi, (int)o->size, f, field(cfg, o->count_offset),
                            expected, 1);
        break;
    case DSML_OPT_FLAG: *(int *)f = 1; break;
    }
}

/* Checks and stores one given option; messages name it as the command line does. */
static int apply(dsml_train_config *cfg, const dsml_train_option *o, const char *value)
{
    char expected[600];
    if (o->type != DSML_OPT_FLAG && !value) return dsml_fail(DSML_ERR_ARG, "--%s: expected a value", o->name);
    if (dsml_train_option_check_value(o, value, expected, sizeof expected))
        return o->type == DSML_OPT_FLAG ? dsml_fail(DSML_ERR_ARG, "--%s takes no value", o->name)
                                        : dsml_fail(DSML_ERR_ARG, "--%s %s: expected %s", o->name, value, expected);
    store(cfg, o, value);
    return DSML_OK;
}

/* 1 when the run's loss, network and protocol take option o. */
static int takes(const dsml_train_config *cfg, const dsml_train_option *o)
{
    return !((o->flags & DSML_OPT_BY_LOSS) && !dsml_loss_takes_option(cfg->loss.loss, o->name)) &&
           !((o->flags & DSML_OPT_BY_MODEL) && !dsml_model_takes_option(cfg->model, o->name)) &&
           !((o->flags & DSML_OPT_NOT_HASHING) && cfg->protocol == DSML_PROTOCOL_HASHING);
}

/* DSML_ERR_ARG saying why the run does not take option o (see takes). */
static int refuse(const dsml_train_config *cfg, const dsml_train_option *o)
{
    if ((o->flags & DSML_OPT_BY_LOSS) && !dsml_loss_takes_option(cfg->loss.loss, o->name))
        return dsml_loss_check_option(cfg->loss.loss, o->name);
    if ((o->flags & DSML_OPT_BY_MODEL) && !dsml_model_takes_option(cfg->model, o->name))
        return dsml_fail(DSML_ERR_ARG, "--%s: not an option of the network %s", o->name,
                         dsml_model_kind_name(cfg->model));
    return dsml_fail(DSML_ERR_ARG, "--%s: not an option of the hashing protocol, which trains on the whole database",
                     o->name);
}

/* The defaults that depend on the options applied first: the loss's own
 * (for its distance, and gpw's for its weighting stage), N-pair's batches of
 * pairs, the hashing protocol's queries and MAP@T. */
static void dependent_defaults(dsml_train_config *cfg)
{
    dsml_gpw_weighting weighting = cfg->loss.gpw.weighting;
    cfg->loss = dsml_loss_defaults(cfg->loss.loss, cfg->loss.distance);
    if (weighting != cfg->loss.gpw.weighting) dsml_gpw_defaults(&cfg->loss, weighting);
    int pairs = dsml_loss_entry_of(cfg->loss.loss)->pairs;
    cfg->batch = pairs ? 20 : 100;
    cfg->images_per_class = pairs ? 2 : 10;
    if (cfg->protocol == DSML_PROTOCOL_HASHING) {
        cfg->queries_per_class = DSML_HASHING_QUERIES_PER_CLASS;
        cfg->map_at = DSML_HASHING_MAP_AT;
    }
}

void dsml_train_config_default(dsml_train_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (int i = 0; i < N_OPTIONS; i++)
        if (table[i].def) store(cfg, &table[i], table[i].def);
    dependent_defaults(cfg);
    cfg->classes_per_batch = cfg->batch / cfg->images_per_class;
}

static int was_given(const dsml_option_given *given, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(given[i].name, name)) return 1;
    return 0;
}

int dsml_train_config_build(dsml_train_config *cfg, const dsml_option_given *given, int n)
{
    dsml_train_config_default(cfg);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) dependent_defaults(cfg);
        for (int i = 0; i < n; i++) {
            const dsml_train_option *o = dsml_train_option_find(given[i].name);
            if (!o) return dsml_fail(DSML_ERR_ARG, "--%s: unknown option", given[i].name);
            if (pass == 0 && !(o->flags & DSML_OPT_FIRST)) continue;
            if (pass == 1 && !takes(cfg, o)) return refuse(cfg, o);
            if (pass == 1 && (o->flags & DSML_OPT_FIRST)) continue;
            int rc = apply(cfg, o, given[i].value);
            if (rc) return rc;
        }
    }
    /* options a run would ignore */
    if (was_given(given, n, "epochs") && cfg->steps > 0)
        return dsml_fail(DSML_ERR_ARG, "--steps %d replaces --epochs: give one of them", cfg->steps);
    if (cfg->no_eval && (was_given(given, n, "map-at") || was_given(given, n, "f1-at")))
        return dsml_fail(DSML_ERR_ARG, "--%s: an evaluation option, and --no-eval evaluates nothing",
                         was_given(given, n, "map-at") ? "map-at" : "f1-at");
    if (was_given(given, n, "density-ratio") && cfg->loss.density.weight == 0)
        return dsml_fail(DSML_ERR_ARG, "--density-ratio: the density regulariser is off (--density 0); "
                                       "give --density W > 0 to use it");
    if (cfg->batch % cfg->images_per_class)
        return dsml_fail(DSML_ERR_ARG, "--batch %d is not a multiple of --images-per-class %d", cfg->batch,
                         cfg->images_per_class);
    cfg->classes_per_batch = cfg->batch / cfg->images_per_class;
    cfg->log = NULL;
    return dsml_train_config_check(cfg);
}

/* ---- checks of a filled config ------------------------------------------------------ */

static int check_range(const dsml_train_config *cfg, const dsml_train_option *o)
{
    const void *f = cfield(cfg, o->offset);
    const char *name = o->name;
    if (o->type == DSML_OPT_INT && (*(const int *)f < o->lo || *(const int *)f > o->hi))
        return dsml_fail(DSML_ERR_ARG, "--%s %d: expected an integer in %.0f..%.0f", name, *(const int *)f, o->lo,
                         o->hi);
    /* a float field holds the bounds rounded to float, as it holds the value given */
    if (o->type == DSML_OPT_FLOAT && !(*(const float *)f >= (float)o->lo && *(const float *)f <= (float)o->hi))
        return dsml_fail(DSML_ERR_ARG, "--%s %g: expected a finite number in [%g, %g]", name, *(const float *)f,
                         o->lo, o->hi);
    if (o->type == DSML_OPT_ENUM && (*(const int *)f < 0 || *(const int *)f >= o->kinds->count()))
        return dsml_fail(DSML_ERR_ARG, "--%s: kind %d, expected 0..%d", name, *(const int *)f,
                         o->kinds->count() - 1);
    char expected[300];
    if (o->type == DSML_OPT_CLASSES && *(const char *)f &&
        dsml_train_option_check_value(o, f, expected, sizeof expected))
        return dsml_fail(DSML_ERR_ARG, "--%s %s: expected %s", name, (const char *)f, expected);
    return DSML_OK;
}

int dsml_train_config_check(const dsml_train_config *cfg)
{
    for (int i = 0; i < N_OPTIONS; i++) {
        const dsml_train_option *o = &table[i];
        if ((o->flags & (DSML_OPT_BY_LOSS | DSML_OPT_BY_MODEL)) && !takes(cfg, o)) continue;
        /* the run uses classes_per_batch, checked below with its own message */
        if (!o->name || (o->flags & DSML_OPT_PER_BATCH)) continue;
        int rc = check_range(cfg, o);
        if (rc) return rc;
    }
    if (cfg->classes_per_batch < 2)
        return dsml_fail(DSML_ERR_ARG, "%d classes per batch (--batch / --images-per-class), expected at least 2",
                         cfg->classes_per_batch);
    const dsml_loss_entry *entry = dsml_loss_entry_of(cfg->loss.loss);
    if (entry->pairs && cfg->images_per_class != 2)
        return dsml_fail(DSML_ERR_ARG, "%s: batches are pairs, --images-per-class must be 2 (got %d)", entry->name,
                         cfg->images_per_class);
    if (!cfg->weights[0] && cfg->norm == DSML_NORM_WEIGHTS)
        return dsml_fail(DSML_ERR_ARG, "--norm weights: only with --weights (the file's average image)");
    if (!cfg->weights[0] && (cfg->freeze || cfg->lr_new_layer_mult != 1.0f))
        return dsml_fail(DSML_ERR_ARG, "--%s: only with --weights (a fresh network has no pretrained layers)",
                         cfg->freeze ? "freeze" : "lr-new-layer-mult");
    if (cfg->protocol == DSML_PROTOCOL_HASHING && cfg->validation_per_class > 0)
        return dsml_fail(DSML_ERR_ARG, "--validation-per-class %d: the hashing protocol trains on the whole database "
                         "and has no validation carve-out", cfg->validation_per_class);
    return dsml_loss_check(&cfg->loss);
}

/* ---- metrics.json ----------------------------------------------------------------- */

static int recorded(const dsml_train_config *cfg, const dsml_train_option *o)
{
    switch (o->record) {
    case DSML_RECORD_ALWAYS: return 1;
    case DSML_RECORD_IF_TAKEN: return takes(cfg, o);
    case DSML_RECORD_IF_DENSITY: return cfg->loss.density.weight > 0;
    case DSML_RECORD_IF_WEIGHTS: return cfg->weights[0] != '\0';
    case DSML_RECORD_IF_SET: {
        const void *f = cfield(cfg, o->offset);
        switch (o->type) {
        case DSML_OPT_NAME: case DSML_OPT_PATH: case DSML_OPT_CLASSES: return ((const char *)f)[0] != '\0';
        case DSML_OPT_FLOAT: return *(const float *)f != 0;
        case DSML_OPT_U64: return *(const uint64_t *)f != 0;
        case DSML_OPT_INT_LIST: return *(const int *)cfield(cfg, o->count_offset) != 0;
        default: return *(const int *)f != 0;
        }
    }
    }
    return 1;
}

void dsml_train_config_write_json(dsml_json *j, const dsml_train_config *cfg)
{
    static const char block[] = "config";
    size_t prefix = strlen(block);
    dsml_json_object_begin(j);
    for (int i = 0; i < N_OPTIONS; i++) {
        const dsml_train_option *o = &table[i];
        if (!o->json || strncmp(o->json, block, prefix) || o->json[prefix] != '.' || strchr(o->json + prefix + 1, '.'))
            continue;
        if (!recorded(cfg, o)) continue;
        const char *key = o->json + prefix + 1;
        const void *f = cfield(cfg, o->offset);
        switch (o->type) {
        case DSML_OPT_INT: dsml_json_kv_int(j, key, *(const int *)f); break;
        case DSML_OPT_U64: dsml_json_kv_int(j, key, (long long)*(const uint64_t *)f); break;
        case DSML_OPT_FLOAT: dsml_json_kv_double(j, key, *(const float *)f); break;
        case DSML_OPT_NAME: case DSML_OPT_PATH: case DSML_OPT_CLASSES: dsml_json_kv_string(j, key, f); break;
        case DSML_OPT_ENUM: dsml_json_kv_string(j, key, o->kinds->name(*(const int *)f)); break;
        case DSML_OPT_FLAG: dsml_json_kv_bool(j, key, *(const int *)f); break;
        case DSML_OPT_INT_LIST:
            dsml_json_key(j, key);
            dsml_json_array_begin(j);
            for (int k = 0; k < *(const int *)cfield(cfg, o->count_offset); k++) dsml_json_int(j, ((const int *)f)[k]);
            dsml_json_array_end(j);
            break;
        }
    }
    dsml_json_object_end(j);
}

/* ---- what a finished run recorded --------------------------------------------------- */

static int differs(char *why, size_t cap, const dsml_train_option *o, const char *value, const char *recorded)
{
    snprintf(why, cap, "%s: sweep %s, run %s", o->name, value, recorded);
    return 0;
}

int dsml_train_option_recorded(const dsml_train_option *o, const char *value, const dsml_run_metrics *run, char *why,
                               size_t cap)
{
    char text[64];
    if (o->flags & DSML_OPT_PER_BATCH) {
        dsml_metrics_value p = dsml_run_metrics_get(run, "config.classes_per_batch");
        dsml_metrics_value q = dsml_run_metrics_get(run, "config.images_per_class");
        if (p.kind != DSML_METRICS_NUMBER || q.kind != DSML_METRICS_NUMBER) {
            snprintf(why, cap, "%s: sweep %s, the run records no classes_per_batch x images_per_class", o->name,
                     value);
            return 0;
        }
        snprintf(text, sizeof text, "%.0f", p.number * q.number);
        return p.number * q.number == atof(value) ? 1 : differs(why, cap, o, value, text);
    }
    if (!o->json) return 1;
    dsml_metrics_value v = dsml_run_metrics_get(run, o->json);
    if (v.kind == DSML_METRICS_ABSENT || v.kind == DSML_METRICS_NULL) {
        snprintf(why, cap, "%s: sweep %s, the run records none (%s)", o->name, value, o->json);
        return 0;
    }
    int number = v.kind == DSML_METRICS_NUMBER;
    switch (o->type) {
    case DSML_OPT_NAME: case DSML_OPT_PATH: case DSML_OPT_ENUM:
        if (v.kind == DSML_METRICS_STRING && !strcmp(v.string, value)) return 1;
        return differs(why, cap, o, value, v.kind == DSML_METRICS_STRING ? v.string : "?");
    case DSML_OPT_INT: case DSML_OPT_U64:
        snprintf(text, sizeof text, "%.17g", number ? v.number : NAN);
        return number && v.number == (double)strtoull(value, NULL, 10) ? 1 : differs(why, cap, o, value, text);
    case DSML_OPT_FLOAT: {
        /* the trainer keeps these as float: compare at float precision */
        double want = (float)atof(value);
        snprintf(text, sizeof text, "%.7g", number ? v.number : NAN);
        return number && fabs(v.number - want) <= 1e-6 * fmax(1.0, fabs(want)) ? 1
                                                                              : differs(why, cap, o, value, text);
    }
    case DSML_OPT_FLAG:
        return v.kind == DSML_METRICS_BOOL && v.number != 0 ? 1 : differs(why, cap, o, value, "false");
    case DSML_OPT_CLASSES: { /* the same classes, however listed */
        dsml_class_subset want, got;
        char expected[300];
        if (v.kind == DSML_METRICS_STRING && !dsml_class_subset_parse(value, &want, expected, sizeof expected) &&
            !dsml_class_subset_parse(v.string, &got, expected, sizeof expected) && dsml_class_subset_equal(&want, &got))
            return 1;
        return differs(why, cap, o, value, v.kind == DSML_METRICS_STRING ? v.string : "?");
    }
    case DSML_OPT_INT_LIST: {
        int ok = v.kind == DSML_METRICS_LIST, i = 0;
        for (const char *p = value; ok && *p;) {
            char *end;
            long x = strtol(p, &end, 10);
            ok = dsml_run_metrics_list_number(run, o->json, i++) == (double)x;
            p = *end ? end + 1 : end;
        }
        if (ok && i == v.count) return 1;
        snprintf(why, cap, "%s: sweep %s, the run records another list", o->name, value);
        return 0;
    }
    }
    return 1;
}

/* ---- --help ------------------------------------------------------------------------ */

static const char *const section_names[DSML_SECTION_COUNT] = {"data", "model", "loss", "optimisation",
                                                               "evaluation", "output"};

enum { HELP_COLUMN = 26, HELP_WIDTH = 100 };

/* The default a row's help shows: its own, else the value a default config
 * holds for it with the first loss (or network) that takes it. "" for none. */
static void default_text(const dsml_train_option *o, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (o->def) {
        snprintf(buf, cap, "%s", o->def);
        return;
    }
    if (o->type == DSML_OPT_FLAG || (o->type != DSML_OPT_FLOAT && o->type != DSML_OPT_INT && o->type != DSML_OPT_ENUM))
        return;
    dsml_train_config cfg;
    dsml_train_config_default(&cfg);
    for (int k = 0; k < DSML_LOSS_COUNT && (o->flags & DSML_OPT_BY_LOSS) && !takes(&cfg, o); k++) {
        cfg.loss.loss = (dsml_loss_kind)k;
        dependent_defaults(&cfg);
    }
    const void *f = cfield(&cfg, o->offset);
    if (o->type == DSML_OPT_FLOAT) snprintf(buf, cap, "%g", *(const float *)f);
    else if (o->type == DSML_OPT_INT) snprintf(buf, cap, "%d", *(const int *)f);
    else snprintf(buf, cap, "%s", o->kinds->name(*(const int *)f));
}

/* Appends src to dst, "{kinds}" replaced by the enum row's names. */
static void expand_kinds(const dsml_train_option *o, const char *src, char *dst, size_t cap)
{
    const char *mark = strstr(src, "{kinds}");
    char names[512] = "";
    if (o->type == DSML_OPT_ENUM) kind_list(o->kinds, names, sizeof names);
    size_t used = strlen(dst);
    if (!mark) snprintf(dst + used, cap - used, "%s", src);
    else snprintf(dst + used, cap - used, "%.*s%s%s", (int)(mark - src), src, names, mark + strlen("{kinds}"));
}

/* Writes text from the help column, wrapped at HELP_WIDTH, every line after
 * the first indented to the column. */
static void wrap(FILE *fp, const char *text)
{
    int col = HELP_COLUMN;
    for (const char *p = text; *p;) {
        size_t word = strcspn(p, " ");
        if (col > HELP_COLUMN && col + 1 + (int)word > HELP_WIDTH) {
            fprintf(fp, "\n%*s", HELP_COLUMN, "");
            col = HELP_COLUMN;
        } else if (col > HELP_COLUMN) {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, word, fp);
        col += (int)word;
        p += word;
        while (*p == ' ') p++;
    }
}

void dsml_train_options_help(FILE *fp, unsigned sections)
{
    for (int s = 0; s < DSML_SECTION_COUNT; s++) {
        if (!(sections & 1u << s)) continue;
        fprintf(fp, "%s:\n", section_names[s]);
        for (int i = 0; i < N_OPTIONS; i++) {
            const dsml_train_option *o = &table[i];
            if (!o->name || (int)o->section != s) continue;
            char left[64], text[2048] = "", def[64];
            snprintf(left, sizeof left, "--%s%s%s", o->name, o->value_name ? " " : "",
                     o->value_name ? o->value_name : "");
            fprintf(fp, "  %-*s", HELP_COLUMN - 2, left);
            if ((int)strlen(left) > HELP_COLUMN - 4) fprintf(fp, "\n%*s", HELP_COLUMN, "");
            expand_kinds(o, o->help, text, sizeof text);
            if (o->type == DSML_OPT_ENUM && !strstr(o->help, "{kinds}")) expand_kinds(o, ": {kinds}", text, sizeof text);
            default_text(o, def, sizeof def);
            size_t used = strlen(text);
            if (def[0] && !strstr(o->help, "default")) snprintf(text + used, sizeof text - used, " (default %s)", def);
            wrap(fp, text);
            fputc('\n', fp);
        }
    }
}
