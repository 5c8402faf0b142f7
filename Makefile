# dsml: one strict, quiet Makefile. `make V=1` shows full commands.
#
#   make            bin/dsml and build/libdsml.a
#   make deps       install the Debian packages the project needs (root or sudo)
#   make test-deps  and those the tests need (PyTorch and faiss, clang's libFuzzer, SLURM)
#   make check      build and run the unit tests (Check)
#   make sanitize   the unit tests under AddressSanitizer + UBSan
#   make bench      benchmarks against the peers (see bench/README.md)

CC      ?= cc
BUILD   ?= build
# CFLAGS and LDFLAGS are the user's (`make CFLAGS=-O3` replaces only them);
# what the project needs to build at all is in DSML_CFLAGS and stays.
CFLAGS  ?= -O2 -g
MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
# x86-64-v3 (AVX2, FMA) is what the kernels are tuned for; other machines build for their default.
ARCH_FLAGS ?= $(if $(filter x86_64-%,$(MACHINE)),-march=x86-64-v3)
# BLIS's header: pkg-config where a .pc is installed, else Debian's multiarch include folder.
ifndef BLIS_CFLAGS
BLIS_CFLAGS := $(shell pkg-config --cflags blis 2>/dev/null || \
                 { [ -n "$(MULTIARCH)" ] && [ -f /usr/include/$(MULTIARCH)/blis.h ] && echo -I/usr/include/$(MULTIARCH); })
endif
DSML_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -fopenmp -Isrc $(BLIS_CFLAGS) $(ARCH_FLAGS) -MMD -MP
ALL_CFLAGS   = $(DSML_CFLAGS) $(CFLAGS) $(TARGET_CFLAGS)
GIT_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
LDLIBS  += -lblis -larchive -ljpeg -lpng -lcurl -lz -lm -fopenmp
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lpthread -lm)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC   := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/check_*.c))
TEST_HELP := $(sort $(wildcard tests/support/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
HELP_OBJ  := $(TEST_HELP:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIB       := $(BUILD)/libdsml.a
DSML      := bin/dsml

DEBIAN_PACKAGES := build-essential pkg-config libblis-dev libarchive-dev zlib1g-dev \
    libjpeg62-turbo-dev libpng-dev libcurl4-openssl-dev check gnuplot-nox \
    dataset-fashion-mnist python3 ca-certificates
BENCH_PACKAGES := python3-torch python3-torchvision python3-scipy python3-faiss python3-sklearn python3-numpy

.SECONDARY:
.PHONY: all deps test-deps check sanitize clean bench bench-deps bench-smoke bench-reference tables plots
all: $(DSML)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# $(call atomically,COMMAND): COMMAND writes $$tmp, which is then renamed over $@, so a program
# started from $@ meanwhile (a run of `make reproduce` while another `make` builds) runs either
# the old file or the new one, never a half-written one; on failure the temp file is removed.
atomically = tmp=$@.tmp.$$$$; { $(1); } && mv -f $$tmp $@ || { rm -f $$tmp; exit 1; }

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(call atomically,ar rcs $$tmp $^)

$(DSML): $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(call atomically,$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $$tmp $(CLI_OBJ) $(LIB) $(LDLIBS))

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(HELP_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(call atomically,$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $$tmp $< $(HELP_OBJ) $(LIB) $(CHECK_LIBS) $(LDLIBS))

# The version is baked into one object, which depends on a stamp file rewritten only when
# `git describe` changes: a build with nothing changed relinks nothing.
VERSION_STAMP := $(BUILD)/version.stamp
$(shell mkdir -p $(BUILD) && [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = '$(GIT_VERSION)' ] || \
        { echo '$(GIT_VERSION)' > $(VERSION_STAMP).tmp.$$$$ && mv -f $(VERSION_STAMP).tmp.$$$$ $(VERSION_STAMP); })
$(BUILD)/src/core/version.o: TARGET_CFLAGS += -DDSML_GIT_VERSION=\"$(GIT_VERSION)\"
$(BUILD)/src/core/version.o: $(VERSION_STAMP)
# a * b + c as one FMA in the Winograd-domain kernels (ISO C mode leaves them unfused)
$(BUILD)/src/nn/winograd_gemm.o: TARGET_CFLAGS += -ffp-contract=fast

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES)

bench-deps: deps
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(BENCH_PACKAGES)

# Everything the test command needs, in one install: the build, the peers the tests and benchmarks
# compare with, clang's libFuzzer (fuzz/fuzz.mk) and a SLURM to run check-slurm on.
test-deps: deps
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    $(BENCH_PACKAGES) $(FUZZ_PACKAGES) $(SLURM_PACKAGES) $(CHECK_PACKAGES)

BENCH_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard bench/*.c)))
BENCH_BIN := $(BUILD)/bench/bench_dsml
$(BENCH_BIN): $(BENCH_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(call atomically,$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $$tmp $(BENCH_OBJ) $(LIB) $(LDLIBS))

# Benchmarks are never part of `make check` and never fail on a timing (only
# on a disagreement with a peer, or a crash).
bench: $(BENCH_BIN) $(DSML)
	BENCH=$(BENCH_BIN) DSML=$(DSML) bench/run.sh
bench-smoke: $(BENCH_BIN) $(DSML)
	BENCH=$(BENCH_BIN) DSML=$(DSML) SMOKE=1 bench/run.sh
# PyTorch trains every run of reference.sweep; a table beside dsml's (make reference first)
bench-reference: $(DSML)
	DSML=$(DSML) RESULTS=$(RESULTS)/reference bench/reference.sh

# Each test program runs in fork mode, then each shell test of CHECK_SCRIPTS (the mk/*.mk files add
# theirs, and the Debian packages they need to CHECK_PACKAGES); a failing one fails the target after
# all ran.
CHECK_SCRIPTS := tests/check_make.sh
CHECK_SCRIPTS += tests/check_reproduce_fetch.sh
CHECK_PACKAGES :=
# dsml eval against NumPy and its --run reproduction (docs/eval.md)
CHECK_SCRIPTS += tests/check_eval_cmd.sh
CHECK_PACKAGES += python3-numpy dataset-fashion-mnist
check: $(DSML) $(TEST_BIN)
	@failed=0; for t in $(TEST_BIN); do \
	    DSML_BIN=$(CURDIR)/$(DSML) CK_FORK=yes $$t || failed=1; done; \
	 for s in $(CHECK_SCRIPTS); do \
	    MAKE="$(MAKE)" DSML=$(DSML) LIB=$(LIB) BUILD=$(BUILD) CC="$(CC)" sh $$s || failed=1; done; \
	 test $$failed = 0

# Sanitized code runs several times slower (tests have no wall-clock limit: tests/support/suite_run.c);
# the tests that run full-size networks against PyTorch (DSML_SANITIZE) leave them to `make check`.
sanitize:
	DSML_SANITIZE=1 $(MAKE) BUILD=build/sanitize DSML=build/sanitize/dsml CFLAGS="-O1 -g" \
	    CC="$(CC) -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" check

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BENCH_OBJ:.o=.d) $(TEST_BIN:=.d) $(HELP_OBJ:.o=.d)

# ---------------------------------------------------------------------------
# The paper's grid from a sweep file (paper.sweep; docs/sweep.md). `dsml sweep
# makefile` writes one rule per run into $(BUILD)/sweep*.mk, which a sub-make
# includes (SWEEP_MK). A run's metrics.json is written last and atomically, so
# a killed run leaves nothing that looks finished and runs again, a finished
# one never does, and one whose hyper-parameters changed in the sweep (stale)
# runs again. `make -jN reproduce` runs N runs at once, each with
# max(1, cores / N) threads (THREADS=T overrides). ONLY='<shell pattern>'
# narrows the runs to those whose directory under $(RESULTS) matches it
# (ONLY='cifar10/*', ONLY='*-snr-*'; one that matches no run is an error, and
# the tables are still built from every run present), SWEEP_FROM='cifar10=PATH'
# gives a dataset's source. ENGINE=slurm submits the runs as a SLURM job array.
# First, once per sweep, `dsml sweep fetch` downloads and prepares each dataset
# and pretrained weights file the selected runs need and lack (from its
# manifest, checked; a manual one never; FETCH=no: none; docs/sweep.md,
# "Fetching"). Last, `dsml sweep account` prints one line per dataset: runs
# finished, failed, skipped and why (also $(RESULTS)/account.json); reproduce
# then fails when a selected run, dml or hashing, could not be run or failed.
SWEEP      ?= paper.sweep
FETCH      ?= yes
RESULTS    ?= results
ENGINE     ?= make
THREADS    ?=
ONLY       ?=
SWEEP_FROM ?=
SBATCH_FLAGS ?=
SLURM_CPUS ?= $(or $(THREADS),2)
SWEEP_OPTS  = --results $(RESULTS) $(if $(THREADS),--threads $(THREADS)) $(if $(ONLY),--only '$(ONLY)') \
              $(foreach f,$(SWEEP_FROM),--from $(f))
# $(call sweep_fetch,KIND): what the KIND runs need; SWEEP_FETCHED=yes: done already by the caller
sweep_fetch = $(if $(filter yes,$(SWEEP_FETCHED)),:,$(DSML) sweep fetch $(SWEEP_OPTS) --kind $(1) \
              $(if $(filter no,$(FETCH)),--no-fetch) $(SWEEP))
# $(call sweep_runs,FRAGMENT,GOAL): the fragment's runs, in a sub-make that shares -jN
sweep_runs = $(MAKE) --no-print-directory SWEEP_MK=$(1) -k $(2)

ifdef SWEEP_MK
include $(SWEEP_MK)
endif
.PHONY: reproduce reproduce-hashing tune regress regress-runs regress-baseline sweep-status
.PHONY: sweep-dml-runs sweep-hashing-runs sweep-tune-runs
sweep-dml-runs: $(SWEEP_DML_RUNS)
sweep-hashing-runs: $(SWEEP_HASHING_RUNS)
sweep-tune-runs: $(SWEEP_TUNE_RUNS)

ifeq ($(ENGINE),slurm)
# One job array, one task per unfinished run of every kind the local engine runs (dml and
# hashing: --kind runs); the tables wait for it: `make tables plots` once the array is done.
SLURM_SCRIPT ?= $(BUILD)/sweep.sbatch
reproduce: | $(DSML)
	@mkdir -p $(dir $(SLURM_SCRIPT)) $(RESULTS)/slurm && rm -f $(SLURM_SCRIPT)
	$(call sweep_fetch,runs)
	$(DSML) sweep slurm $(SWEEP_OPTS) --kind runs --cpus-per-task $(SLURM_CPUS) --log-dir $(RESULTS)/slurm \
	    --out $(SLURM_SCRIPT) $(SWEEP)
	@if [ -f $(SLURM_SCRIPT) ]; then \
	  job=$$(sbatch --parsable $(SBATCH_FLAGS) $(SLURM_SCRIPT)) || exit 1; job=$${job%%;*}; \
	  echo "reproduce: submitted job array $$job ($(SLURM_SCRIPT)); the tables are not built yet."; \
	  echo "  follow it: squeue -j $$job;  $(DSML) sweep status $(strip $(SWEEP_OPTS)) --kind runs $(SWEEP)"; \
	  echo "  task logs: $(RESULTS)/slurm/$${job}_<task>.out;  when it is done: make tables plots"; \
	 else echo "reproduce: no run left to submit, nothing submitted; make tables plots builds the tables"; fi
	$(DSML) sweep account $(SWEEP_OPTS) --kind runs --pending-ok $(SWEEP)
else
# -k: a run that fails (e.g. diverges) is reported and the others still run;
# the status names it, and the target fails at the end. Hashing runs are a goal
# of their own (reproduce-hashing); the account counts them as selected runs.
# The account is written before the tables (which state it) and printed last.
reproduce: | $(DSML)
	@mkdir -p $(BUILD)
	$(call sweep_fetch,runs)
	$(DSML) sweep makefile $(SWEEP_OPTS) --kind dml --out $(BUILD)/sweep.mk $(SWEEP)
	+@status=0; $(call sweep_runs,$(BUILD)/sweep.mk,sweep-dml-runs) || status=$$?; \
	 $(MAKE) --no-print-directory reproduce-hashing SWEEP_FETCHED=yes || \
	   echo "reproduce: hashing runs unfinished (see above)"; \
	 $(DSML) sweep status $(SWEEP_OPTS) --kind runs $(SWEEP); \
	 account=$$($(DSML) sweep account $(SWEEP_OPTS) --kind runs $(SWEEP)) || status=1; \
	 $(DSML) summary $(RESULTS) || status=1; \
	 $(MAKE) --no-print-directory tables plots || status=1; \
	 printf '%s\n' "$$account"; exit $$status
endif

# The claims' d = 32 cells on the embedded default, both equation arms, every seed: the
# quick answer (under 20 minutes with make -j2 on 2 cores; docs/tables.md). QUICK_ONLY widens it.
QUICK_ONLY ?= fashion-mnist/*-d32-*
.PHONY: reproduce-quick
reproduce-quick:
	+$(MAKE) --no-print-directory reproduce ONLY='$(QUICK_ONLY)'

# Adaptive seeds (docs/tables.md, "Adaptive seeds"): make reproduce, then one more seed at a time
# for the cells whose claims are still undecided (scripts/adaptive.sh), until every claim is decided,
# a cell has MAX_SEEDS seeds, or BUDGET_MIN minutes of adding seeds have passed; each of the up to
# MAX_SEEDS - 2 looks tests at 0.05 / (MAX_SEEDS - 2), recorded in $(RESULTS)/adaptive.txt.
MAX_SEEDS  ?= 10
BUDGET_MIN ?= 180
.PHONY: reproduce-adaptive
reproduce-adaptive: | $(DSML)
	@[ "$(ENGINE)" = make ] || { echo "reproduce-adaptive: ENGINE=make only"; exit 2; }
	+@$(MAKE) --no-print-directory reproduce || echo "reproduce-adaptive: the 3-seed sweep is unfinished (above); going on"
	+@DSML=$(DSML) MAKE="$(MAKE)" SWEEP=$(SWEEP) RESULTS=$(RESULTS) BUILD=$(BUILD) PUBLISHED=paper-tables/published.tsv \
	  MAX_SEEDS=$(MAX_SEEDS) BUDGET_MIN=$(BUDGET_MIN) \
	  SWEEP_ARGS="$(if $(THREADS),--threads $(THREADS)) $(foreach f,$(SWEEP_FROM),--from $(f))" sh scripts/adaptive.sh

reproduce-hashing: | $(DSML)
	@mkdir -p $(BUILD)
	@$(DSML) train --help | grep -q -- '--protocol' || \
	 { echo "reproduce-hashing: this dsml train has no --protocol hashing yet; hashing runs not started"; exit 1; }
	$(call sweep_fetch,hashing)
	$(DSML) sweep makefile $(SWEEP_OPTS) --kind hashing --out $(BUILD)/sweep-hashing.mk $(SWEEP)
	+@$(call sweep_runs,$(BUILD)/sweep-hashing.mk,sweep-hashing-runs)

sweep-status: | $(DSML)
	$(DSML) sweep status $(SWEEP_OPTS) --kind all $(SWEEP)

# A live test of ENGINE=slurm (docs/sweep.md, "SLURM"): a one-node SLURM cluster started in a
# temporary directory runs tests/slurm/tiny.sweep's array, dml and hashing runs, directly and
# through `make reproduce ENGINE=slurm`, and its results must equal the same runs made locally.
# Skipped (exit 77) without root, slurm-wlm, munge or Fashion-MNIST, except where CI or
# REQUIRE_SLURM=1 is set: there a skip fails. `make slurm-deps` installs SLURM and munge.
.PHONY: check-slurm slurm-deps
check-slurm: $(DSML)
	DSML_BIN=$(CURDIR)/$(DSML) MAKE_ARGS="BUILD=$(BUILD) DSML=$(DSML)" sh tests/check_slurm.sh; \
	 rc=$$?; [ $$rc = 0 ] || { [ $$rc = 77 ] && [ -z "$$CI" ] && [ "$$REQUIRE_SLURM" != 1 ]; }

SLURM_PACKAGES := slurm-wlm munge
slurm-deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SLURM_PACKAGES)

# Tuning (docs/sweep.md): the tune lines' grid on validation images carved from
# the training set, then the best values written into $(SWEEP). A configuration
# that fails (e.g. diverges) is not chosen; its cell is chosen from the others.
# Its account goes to $(RESULTS)/tune/account.json and does not change tune's exit status.
tune: | $(DSML)
	@mkdir -p $(BUILD)
	$(call sweep_fetch,tune)
	$(DSML) sweep makefile $(SWEEP_OPTS) --kind tune --out $(BUILD)/sweep-tune.mk $(SWEEP)
	+@$(call sweep_runs,$(BUILD)/sweep-tune.mk,sweep-tune-runs) || \
	 echo "tune: some tuning runs failed; choosing among the finished ones"
	$(DSML) sweep tune-apply --partial $(SWEEP_OPTS) $(SWEEP)
	@$(DSML) sweep account $(SWEEP_OPTS) --kind tune --out $(RESULTS)/tune/account.json $(SWEEP) || true

# The three related methods (related.sweep): their tuning, then their runs,
# into the same results and tables as the paper's.
.PHONY: tune-related reproduce-related
tune-related:
	+$(MAKE) --no-print-directory tune SWEEP=related.sweep
reproduce-related:
	+$(MAKE) --no-print-directory reproduce SWEEP=related.sweep

# Every loss and distance at the one training setting of the PyTorch reference
# (reference.sweep), 3 seeds: its own results, tables and figures, beside the paper's.
# tune-reference chooses each loss's own hyper-parameters at that setting.
.PHONY: reference tune-reference
tune-reference:
	+$(MAKE) --no-print-directory tune SWEEP=reference.sweep RESULTS=$(RESULTS)/reference
reference:
	+$(MAKE) --no-print-directory reproduce SWEEP=reference.sweep RESULTS=$(RESULTS)/reference \
	    TABLES=paper-tables/reference PLOTS=plots/reference

# Regression check (docs/regress.md): a few seconds of fixed mlp runs on
# Fashion-MNIST, one thread each, compared with the committed baseline.
REGRESS_SWEEP ?= results/baseline/regress.sweep
REGRESS_BASE  ?= results/baseline/regress.json
REGRESS_DIR   ?= $(BUILD)/regress
regress-runs: | $(DSML)
	@rm -rf $(REGRESS_DIR) && mkdir -p $(REGRESS_DIR)
	@$(DSML) sweep makefile --results $(REGRESS_DIR) --threads 1 --kind dml --status-command true \
	    --out $(REGRESS_DIR)/sweep.mk $(REGRESS_SWEEP)
	@echo "regress: training the runs of $(REGRESS_SWEEP) (log: $(REGRESS_DIR)/train.log)"
	+@$(call sweep_runs,$(REGRESS_DIR)/sweep.mk,sweep-dml-runs) > $(REGRESS_DIR)/train.log 2>&1 || \
	 { cat $(REGRESS_DIR)/train.log; exit 1; }
regress: regress-runs
	$(DSML) regress check --sweep $(REGRESS_SWEEP) --results $(REGRESS_DIR) --baseline $(REGRESS_BASE)
regress-baseline: regress-runs
	$(DSML) regress baseline --sweep $(REGRESS_SWEEP) --results $(REGRESS_DIR) --baseline $(REGRESS_BASE)

# The paper's tables and figures, rebuilt from whatever runs are in $(RESULTS).
# claims.md's margin for the verdict "equivalent" is the sweep's (`claims equivalence-margin=PP`,
# docs/tables.md); EQUIVALENCE_MARGIN=PP overrides it.
TABLES ?= paper-tables
PLOTS  ?= plots
EQUIVALENCE_MARGIN ?=
tables: | $(DSML)
	$(DSML) summary $(RESULTS) > /dev/null
	claims=$$($(DSML) sweep claims-options $(SWEEP)) && \
	$(DSML) tables --results $(RESULTS) --out $(TABLES) --published paper-tables/published.tsv \
	    $(if $(EQUIVALENCE_MARGIN),--equivalence-margin $(EQUIVALENCE_MARGIN),$$claims)
plots: | $(DSML)
	$(DSML) plots --results $(RESULTS) --out $(PLOTS)

# Fuzzing (docs/fuzzing.md): make fuzz-deps, fuzz, fuzz-smoke
include fuzz/fuzz.mk
# Installing (docs/install.md): make install, make uninstall
include mk/install.mk
# The report page (docs/report.md): make report
include mk/report.mk
