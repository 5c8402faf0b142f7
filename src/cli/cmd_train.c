/* dsml train: one training run with evaluation; see src/run/train.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "run/train.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml train [OPTIONS] --out DIR\n"
"\n"
"Trains an embedding network, evaluates it on the query/database split and writes\n"
"DIR/metrics.json and DIR/embeddings.bin.\n"
"\n"
"data:\n"
"  --dataset NAME          fashion-mnist (default), cifar10, cub200, cars196, nus-wide or a\n"
"                          prepared imagefolder's name\n"
"  --from PATH             source files instead of the default location\n"
"  --data DIR              data root (default $DSML_DATA, else datasets/)\n"
"  --protocol NAME         dml (default) or hashing: per class Q queries, the rest both training\n"
"                          set and database, Hamming ranking only, Q = 1000 and MAP@50000 unless given\n"
"  --split NAME            paper (cub200, cars196: official train/test files; the test images are\n"
"                          queries and database, each query's own image left out), zero-shot\n"
"                          (the first half of the classes train, the rest as in paper), dml or\n"
"                          hashing; default: paper for cub200/cars196, 100 queries per concept for\n"
"                          nus-wide, else the protocol's\n"
"  --queries-per-class N   queries per class (default 100; hashing: 1000)\n"
"  --train-per-class N     training images per class, from the database (default 500)\n"
"  --validation-per-class N  hold N training images per class out and evaluate on them\n"
"                          instead of the queries (for tuning; default 0)\n"
"model:\n"
"  --model NAME            convnet (default) or mlp\n"
"  --hidden N[,N...]       mlp hidden sizes (default 256)\n"
"  --dim D                 embedding size (default 32)\n"
"  --dropout P             dropout before the embedding layer (default 0)\n"
"loss:\n"
"  --loss NAME             contrastive (default), triplet, lifted, npair, vmf, gpw, dpsh, dtsh\n"
"  --distance NAME         euclidean (default), snr, sqeuclidean\n"
"  --margin A              alpha of eqs. 8-10 (default depends on loss and distance)\n"
"  --beta B                beta of eq. 10 (lifted)\n"
"  --lambda L              weight of the zero-mean regulariser, eq. 7\n"
"  --lifted-hard           eq. 10 with hard max instead of log-sum-exp\n"
"  --npair-l2 W            npair: weight of Sohn's L2 embedding penalty (default 0)\n"
"  --quant W               dpsh, dtsh: weight of the quantisation penalty (default 0.1); dtsh's\n"
"                          --margin is per bit (alpha = margin x dim, default 0.5)\n"
"  --density W             density regulariser on contrastive, triplet, npair (default 0 = off)\n"
"  --density-ratio R       its target intra/inter-class distance ratio (default 0.5)\n"
"  --kappa K               vmf: concentration (default 16)\n"
"  --gpw-mining NAME       gpw: ms (default) or none\n"
"  --gpw-weighting NAME    gpw: ms (default), contrastive, binomial, lifted\n"
"  --gpw-alpha A, --gpw-beta B, --gpw-lambda L, --gpw-epsilon E\n"
"                          gpw: scales, similarity margin, mining margin (docs/losses.md)\n"
"optimisation:\n"
"  --epochs N              (default 10)\n"
"  --batch B               images per batch (default 100; npair: 20, i.e. 10 pairs, the paper's\n"
"                          CIFAR-10 setting, since N-pair needs one class per pair)\n"
"  --images-per-class K    images of each class in a batch (default 10; npair: 2)\n"
"  --lr, --momentum, --wd  SGD (defaults 0.01, 0.9, 5e-4)\n"
"  --clip-grad C           rescale each batch's gradient to an L2 norm of at most C (default 0: off)\n"
"  --seed S                (default 1)\n"
"  --threads N             (default 2)\n"
"evaluation:\n"
"  --map-at T              MAP@T (default: the whole database; hashing: 50000)\n"
"  --f1-at T               precision/recall/F1 of the top T (default 5000)\n"
"output:\n"
"  --out DIR               where metrics.json and embeddings.bin go (required)\n"
"  --no-embeddings         do not write embeddings.bin\n"
"  --quiet                 no progress output\n");
}

enum {
    OPT_DATASET = 256, OPT_FROM, OPT_DATA, OPT_QPC, OPT_TPC, OPT_VPC, OPT_MODEL, OPT_HIDDEN, OPT_DIM,
    OPT_DROPOUT, OPT_LOSS, OPT_DISTANCE, OPT_MARGIN, OPT_BETA, OPT_LAMBDA, OPT_LIFTED_HARD, OPT_EPOCHS,
    OPT_BATCH, OPT_IPC, OPT_LR, OPT_MOMENTUM, OPT_WD, OPT_CLIP, OPT_SEED, OPT_THREADS, OPT_MAP_AT, OPT_F1_AT, OPT_OUT,
    OPT_NO_EMB, OPT_QUIET, OPT_HELP, OPT_NPAIR_L2, OPT_DENSITY, OPT_DENSITY_RATIO, OPT_KAPPA, OPT_GPW_MINING,
    OPT_GPW_WEIGHTING, OPT_GPW_ALPHA, OPT_GPW_BETA, OPT_GPW_LAMBDA, OPT_GPW_EPSILON, OPT_PROTOCOL, OPT_QUANT,
    OPT_SPLIT
};

static const struct option long_options[] = {
    {"dataset", required_argument, 0, OPT_DATASET}, {"from", required_argument, 0, OPT_FROM},
    {"data", required_argument, 0, OPT_DATA}, {"queries-per-class", required_argument, 0, OPT_QPC},
    {"train-per-class", required_argument, 0, OPT_TPC}, {"validation-per-class", required_argument, 0, OPT_VPC},
    {"model", required_argument, 0, OPT_MODEL}, {"hidden", required_argument, 0, OPT_HIDDEN},
    {"dim", required_argument, 0, OPT_DIM}, {"dropout", required_argument, 0, OPT_DROPOUT},
    {"loss", required_argument, 0, OPT_LOSS}, {"distance", required_argument, 0, OPT_DISTANCE},
    {"margin", required_argument, 0, OPT_MARGIN}, {"beta", required_argument, 0, OPT_BETA},
    {"lambda", required_argument, 0, OPT_LAMBDA}, {"lifted-hard", no_argument, 0, OPT_LIFTED_HARD},
    {"npair-l2", required_argument, 0, OPT_NPAIR_L2},
    {"density", required_argument, 0, OPT_DENSITY}, {"density-ratio", required_argument, 0, OPT_DENSITY_RATIO},
    {"kappa", required_argument, 0, OPT_KAPPA}, {"gpw-mining", required_argument, 0, OPT_GPW_MINING},
    {"gpw-weighting", required_argument, 0, OPT_GPW_WEIGHTING}, {"gpw-alpha", required_argument, 0, OPT_GPW_ALPHA},
    {"gpw-beta", required_argument, 0, OPT_GPW_BETA}, {"gpw-lambda", required_argument, 0, OPT_GPW_LAMBDA},
    {"gpw-epsilon", required_argument, 0, OPT_GPW_EPSILON},
    {"protocol", required_argument, 0, OPT_PROTOCOL}, {"quant", required_argument, 0, OPT_QUANT},
    {"split", required_argument, 0, OPT_SPLIT},
    {"epochs", required_argument, 0, OPT_EPOCHS}, {"batch", required_argument, 0, OPT_BATCH},
    {"images-per-class", required_argument, 0, OPT_IPC}, {"lr", required_argument, 0, OPT_LR},
    {"momentum", required_argument, 0, OPT_MOMENTUM}, {"wd", required_argument, 0, OPT_WD},
    {"clip-grad", required_argument, 0, OPT_CLIP},
    {"seed", required_argument, 0, OPT_SEED}, {"threads", required_argument, 0, OPT_THREADS},
    {"map-at", required_argument, 0, OPT_MAP_AT}, {"f1-at", required_argument, 0, OPT_F1_AT},
    {"out", required_argument, 0, OPT_OUT}, {"no-embeddings", no_argument, 0, OPT_NO_EMB},
    {"quiet", no_argument, 0, OPT_QUIET}, {"help", no_argument, 0, OPT_HELP}, {0, 0, 0, 0},
};

int cmd_train(int argc, char **argv)
{
    dsml_train_config cfg;
    dsml_train_config_default(&cfg);
    const char *env_root = getenv("DSML_DATA");
    if (env_root && *env_root && option_string("train", "DSML_DATA", env_root, cfg.data_root, sizeof cfg.data_root))
        return 2;
    const char *env_fashion = getenv("DSML_FASHION_MNIST");
    if (env_fashion && *env_fashion &&
        option_string("train", "DSML_FASHION_MNIST", env_fashion, cfg.fashion_mnist_dir, sizeof cfg.fashion_mnist_dir))
        return 2;
    dsml_loss_kind loss = DSML_LOSS_CONTRASTIVE;
    dsml_distance_kind distance = DSML_DIST_EUCLIDEAN;
    float margin = 0, beta = 0, lambda = 0, npair_l2 = 0;
    int have_margin = 0, have_beta = 0, have_lambda = 0, lifted_hard = 0, batch = 0, ipc = 0, quiet = 0;
    int have_out = 0;
    int have_qpc = 0, have_map_at = 0, have_quant = 0;
    float quant = 0;
    /* related methods: applied over the defaults after parsing (have_* = given) */
    float density = 0, density_ratio = 0, kappa = 0, gpw_alpha = 0, gpw_beta = 0, gpw_lambda = 0, gpw_epsilon = 0;
    int have_density_ratio = 0, have_kappa = 0, have_gpw_alpha = 0, have_gpw_beta = 0, have_gpw_lambda = 0;
    int have_gpw_epsilon = 0;
    dsml_gpw_mining gpw_mining = DSML_GPW_MINE_MS;
    dsml_gpw_weighting gpw_weighting = DSML_GPW_WEIGHT_MS;
    int rc = 0;
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", long_options, NULL)) != -1 && !rc;) {
        switch (c) {
        case OPT_DATASET: rc = option_string("train", "--dataset", optarg, cfg.dataset, sizeof cfg.dataset); break;
        case OPT_FROM: rc = option_string("train", "--from", optarg, cfg.from, sizeof cfg.from); break;
        case OPT_DATA: rc = option_string("train", "--data", optarg, cfg.data_root, sizeof cfg.data_root); break;
        case OPT_QPC:
            rc = option_int("train", "--queries-per-class", optarg, 1, 1000000, &cfg.queries_per_class);
            have_qpc = 1;
            break;
        case OPT_PROTOCOL:
            if (dsml_protocol_parse(optarg, &cfg.protocol)) {
                fprintf(stderr, "dsml train: --protocol %s: expected dml or hashing\n", optarg);
                rc = 2;
            }
            break;
        case OPT_SPLIT:
            if (dsml_split_kind_parse(optarg, &cfg.split)) {
                fprintf(stderr, "dsml train: --split %s: expected paper, zero-shot, dml or hashing\n", optarg);
                rc = 2;
            }
            break;
        case OPT_QUANT: rc = option_float("train", "--quant", optarg, 0.0, 1e6, &quant); have_quant = 1; break;
        case OPT_TPC: rc = option_int("train", "--train-per-class", optarg, 1, 1000000, &cfg.train_per_class); break;
        case OPT_VPC: rc = option_int("train", "--validation-per-class", optarg, 0, 1000000, &cfg.validation_per_class); break;
        case OPT_MODEL:
            if (dsml_model_parse_kind(optarg, &cfg.model)) {
                fprintf(stderr, "dsml train: --model %s: expected convnet or mlp\n", optarg);
                rc = 2;
            }
            break;
        case OPT_HIDDEN: rc = option_int_list("train", "--hidden", optarg, cfg.hidden, 8, &cfg.n_hidden); break;
        case OPT_DIM: rc = option_int("train", "--dim", optarg, 1, 4096, &cfg.dim); break;
        case OPT_DROPOUT: rc = option_float("train", "--dropout", optarg, 0.0, 0.95, &cfg.dropout); break;
        case OPT_LOSS:
            if (dsml_loss_parse(optarg, &loss)) {
                fprintf(stderr,
                        "dsml train: --loss %s: expected contrastive, triplet, lifted or npair, or a related "
                        "method: vmf, gpw, or a hashing loss: dpsh, dtsh\n",
                        optarg);
                rc = 2;
            }
            break;
        case OPT_DISTANCE:
            if (dsml_distance_parse(optarg, &distance)) {
                fprintf(stderr, "dsml train: --distance %s: expected euclidean, snr or sqeuclidean\n", optarg);
                rc = 2;
            }
            break;
        case OPT_MARGIN: rc = option_float("train", "--margin", optarg, 0.0, 1e6, &margin); have_margin = 1; break;
        case OPT_BETA: rc = option_float("train", "--beta", optarg, 0.0, 1e6, &beta); have_beta = 1; break;
        case OPT_LAMBDA: rc = option_float("train", "--lambda", optarg, 0.0, 1e6, &lambda); have_lambda = 1; break;
        case OPT_LIFTED_HARD: lifted_hard = 1; break;
        case OPT_NPAIR_L2: rc = option_float("train", "--npair-l2", optarg, 0.0, 1e6, &npair_l2); break;
        case OPT_DENSITY: rc = option_float("train", "--density", optarg, 0.0, 1e6, &density); break;
        case OPT_DENSITY_RATIO:
            rc = option_float("train", "--density-ratio", optarg, 1e-6, 1e6, &density_ratio);
            have_density_ratio = 1;
            break;
        case OPT_KAPPA: rc = option_float("train", "--kappa", optarg, 1e-6, 1e6, &kappa); have_kappa = 1; break;
        case OPT_GPW_MINING:
            if (dsml_gpw_mining_parse(optarg, &gpw_mining)) {
                fprintf(stderr, "dsml train: --gpw-mining %s: expected ms or none\n", optarg);
                rc = 2;
            }
            break;
        case OPT_GPW_WEIGHTING:
            if (dsml_gpw_weighting_parse(optarg, &gpw_weighting)) {
                fprintf(stderr, "dsml train: --gpw-weighting %s: expected ms, contrastive, binomial or lifted\n",
                        optarg);
                rc = 2;
            }
            break;
        case OPT_GPW_ALPHA:
            rc = option_float("train", "--gpw-alpha", optarg, 1e-6, 1e6, &gpw_alpha);
            have_gpw_alpha = 1;
            break;
        case OPT_GPW_BETA:
            rc = option_float("train", "--gpw-beta", optarg, 1e-6, 1e6, &gpw_beta);
            have_gpw_beta = 1;
            break;
        case OPT_GPW_LAMBDA:
            rc = option_float("train", "--gpw-lambda", optarg, -1e6, 1e6, &gpw_lambda);
            have_gpw_lambda = 1;
            break;
        case OPT_GPW_EPSILON:
            rc = option_float("train", "--gpw-epsilon", optarg, 0.0, 1e6, &gpw_epsilon);
            have_gpw_epsilon = 1;
            break;
        case OPT_EPOCHS: rc = option_int("train", "--epochs", optarg, 0, 1000, &cfg.epochs); break;
        case OPT_BATCH: rc = option_int("train", "--batch", optarg, 4, 100000, &batch); break;
        case OPT_IPC: rc = option_int("train", "--images-per-class", optarg, 2, 100000, &ipc); break;
        case OPT_LR: rc = option_float("train", "--lr", optarg, 1e-12, 1e3, &cfg.lr); break;
        case OPT_MOMENTUM: rc = option_float("train", "--momentum", optarg, 0.0, 0.999999, &cfg.momentum); break;
        case OPT_WD: rc = option_float("train", "--wd", optarg, 0.0, 1.0, &cfg.weight_decay); break;
        case OPT_CLIP: rc = option_float("train", "--clip-grad", optarg, 0.0, 1e6, &cfg.clip_grad); break;
        case OPT_SEED: rc = option_u64("train", "--seed", optarg, &cfg.seed); break;
        case OPT_THREADS: rc = option_int("train", "--threads", optarg, 1, 256, &cfg.threads); break;
        case OPT_MAP_AT: rc = option_int("train", "--map-at", optarg, 0, 1 << 30, &cfg.map_at); have_map_at = 1; break;
        case OPT_F1_AT: rc = option_int("train", "--f1-at", optarg, 1, 1 << 30, &cfg.f1_at); break;
        case OPT_OUT: rc = option_string("train", "--out", optarg, cfg.out_dir, sizeof cfg.out_dir); have_out = 1; break;
        case OPT_NO_EMB: cfg.write_embeddings = 0; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_HELP: case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "dsml train: unknown or incomplete option '%s' (see dsml train --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (rc) return rc;
    if (optind < argc) {
        fprintf(stderr, "dsml train: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!have_out) {
        fprintf(stderr, "dsml train: --out DIR is required (see dsml train --help)\n");
        return 2;
    }
    cfg.loss = dsml_loss_defaults(loss, distance);
    if (have_margin) cfg.loss.margin = margin;
    if (have_beta) cfg.loss.lifted.beta = beta;
    if (have_lambda) cfg.loss.lambda = lambda;
    cfg.loss.lifted.hard = lifted_hard;
    cfg.loss.npair.l2 = npair_l2;
    if (have_quant) cfg.loss.hashing.quant = quant;
    if (cfg.protocol == DSML_PROTOCOL_HASHING) {
        if (!have_qpc) cfg.queries_per_class = DSML_HASHING_QUERIES_PER_CLASS;
        if (!have_map_at) cfg.map_at = DSML_HASHING_MAP_AT;
    }
    cfg.loss.density.weight = density;
    if (have_density_ratio) cfg.loss.density.ratio = density_ratio;
    if (have_kappa) cfg.loss.vmf.kappa = kappa;
    cfg.loss.gpw.mining = gpw_mining;
    dsml_gpw_defaults(&cfg.loss, gpw_weighting);
    if (have_gpw_alpha) cfg.loss.gpw.alpha = gpw_alpha;
    if (have_gpw_beta) cfg.loss.gpw.beta = gpw_beta;
    if (have_gpw_lambda) cfg.loss.gpw.lambda = gpw_lambda;
    if (have_gpw_epsilon) cfg.loss.gpw.epsilon = gpw_epsilon;
    cfg.images_per_class = ipc ? ipc : (loss == DSML_LOSS_NPAIR ? 2 : 10);
    if (!batch) batch = loss == DSML_LOSS_NPAIR ? 20 : 100;
    if (batch % cfg.images_per_class) {
        fprintf(stderr, "dsml train: --batch %d is not a multiple of --images-per-class %d\n", batch,
                cfg.images_per_class);
        return 2;
    }
    cfg.classes_per_batch = batch / cfg.images_per_class;
    cfg.log = quiet ? NULL : stderr;

    rc = dsml_train_run(&cfg);
    if (rc) {
        fprintf(stderr, "dsml train: %s\n", dsml_last_error()[0] ? dsml_last_error() : dsml_strerror(rc));
        return 1;
    }
    if (!quiet) fprintf(stderr, "wrote %s/metrics.json\n", cfg.out_dir);
    return 0;
}
