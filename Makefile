# dsml: one strict, quiet Makefile. `make V=1` shows full commands.
#
#   make            bin/dsml and build/libdsml.a
#   make deps       install the Debian packages the project needs (root or sudo)
#   make check      build and run the unit tests (Check)
#   make sanitize   the unit tests under AddressSanitizer + UBSan
#   make bench      benchmarks against the peers (see bench/README.md)

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -fopenmp -Isrc -I/usr/include/x86_64-linux-gnu \
           -march=x86-64-v3 -MMD -MP
GIT_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
LDLIBS  += -lblis -larchive -ljpeg -lpng -lcurl -lz -lm -fopenmp
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lpthread -lm)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC   := $(sort $(wildcard src/core/*.c src/nn/*.c src/metric/*.c src/data/*.c src/eval/*.c src/report/*.c src/run/*.c))
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
BENCH_PACKAGES := python3-torch python3-faiss python3-sklearn python3-numpy

.SECONDARY:
.PHONY: all deps check sanitize clean bench bench-deps bench-smoke tables plots
all: $(DSML)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(DSML): $(CLI_OBJ) $(LIB)
	@mkdir -p bin
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(HELP_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(HELP_OBJ) $(LIB) $(CHECK_LIBS) $(LDLIBS)

# The version is baked into one object, rebuilt on every build so it stays true.
$(BUILD)/src/core/version.o: CFLAGS += -DDSML_GIT_VERSION=\"$(GIT_VERSION)\"
$(BUILD)/src/core/version.o: FORCE
.PHONY: FORCE
FORCE:

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES)

bench-deps: deps
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(BENCH_PACKAGES)

BENCH_BIN := $(BUILD)/bench/bench_dsml
$(BENCH_BIN): $(BUILD)/bench/bench_dsml.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Benchmarks are never part of `make check` and never fail on a timing.
bench: $(BENCH_BIN)
	bench/run.sh
bench-smoke: $(BENCH_BIN)
	SMOKE=1 bench/run.sh

# Each test program runs in fork mode; a failing one fails the target after all ran.
check: $(DSML) $(TEST_BIN)
	@failed=0; for t in $(TEST_BIN); do \
	    DSML_BIN=$(CURDIR)/$(DSML) CK_FORK=yes $$t || failed=1; done; \
	 test $$failed = 0

sanitize:
	$(MAKE) BUILD=build/sanitize DSML=build/sanitize/dsml OPT=-O1 \
	    CFLAGS_EXTRA= CC="$(CC) -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" check

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/bench/bench_dsml.d $(TEST_BIN:=.d) $(HELP_OBJ:.o=.d)

# ---------------------------------------------------------------------------
# The main job on the embedded default: every loss x distance of the paper on
# Fashion-MNIST (DML protocol), one directory per run. A run's metrics.json is
# written last and atomically, so make's own rule "target exists => done"
# makes the sweep resumable: a killed run leaves no metrics.json and runs
# again, a finished one never does. `make -j2 reproduce` runs two at once.
LOSSES    ?= contrastive triplet lifted npair
DISTANCES ?= euclidean snr
DIMS      ?= 32
SEEDS     ?= 1
EPOCHS    ?= 10
THREADS   ?= 2
DATASET   ?= fashion-mnist
FROM      ?=
RUNS := $(foreach l,$(LOSSES),$(foreach d,$(DISTANCES),$(foreach m,$(DIMS),$(foreach s,$(SEEDS),\
          results/$(DATASET)/$(l)-$(d)-d$(m)-s$(s)/metrics.json))))
run_word = $(word $(1),$(subst -, ,$(2)))

.PHONY: reproduce reproduce-runs
# -k: a run that fails (e.g. diverges) is reported and the others still run;
# the summary lists it as unfinished, and the target fails at the end.
reproduce: | $(DSML)
	@status=0; $(MAKE) -k reproduce-runs || status=$$?; \
	 $(DSML) summary results/$(DATASET); exit $$status
reproduce-runs: $(RUNS)

results/$(DATASET)/%/metrics.json: | $(DSML)
	$(DSML) train --dataset $(DATASET) --loss $(call run_word,1,$*) --distance $(call run_word,2,$*) \
	    --dim $(patsubst d%,%,$(call run_word,3,$*)) --seed $(patsubst s%,%,$(call run_word,4,$*)) \
	    --epochs $(EPOCHS) --threads $(THREADS) $(if $(FROM),--from $(FROM)) --out $(dir $@)

# The paper's tables and figures, rebuilt from whatever runs are in results/.
tables: | $(DSML)
	$(DSML) summary results > /dev/null
	$(DSML) tables --results results --out paper-tables --published paper-tables/published.tsv
plots: | $(DSML)
	$(DSML) plots --results results --out plots
