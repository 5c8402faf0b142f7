# Fuzzing with clang's libFuzzer (docs/fuzzing.md); included from the Makefile.
#
#   make fuzz-deps    install clang, its libFuzzer/sanitizer runtimes and libomp (root or sudo)
#   make fuzz         every harness for FUZZ_SECONDS (default 600) each; `make -jN fuzz` runs N at once
#   make fuzz-smoke   every harness for FUZZ_SMOKE_SECONDS (4) on its committed seeds; fails on any
#                     crash, leak or sanitizer report, naming the harness and the reproducer
#
# One harness per reader, fuzz/fuzz_<reader>.c, with its seeds in fuzz/corpus/<reader>/ and, where the
# format has magic strings, a dictionary fuzz/<reader>.dict. The library is built again into
# $(FUZZ_BUILD) with the sanitizers and libFuzzer's coverage hooks; the harness links libFuzzer's main.
# New inputs go to $(FUZZ_WORK)/corpus/<reader>/ (scratch), never into the committed seeds, unless
# FUZZ_MERGE=1 asks to minimise them into fuzz/corpus/<reader>/ after the run. Crashes land in
# $(FUZZ_WORK)/crashes/<reader>/, logs in $(FUZZ_WORK)/logs/.

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= $(BUILD)/fuzz
FUZZ_WORK    ?= $(FUZZ_BUILD)/work
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_MERGE   ?= 0
# seconds one input may take in `make fuzz` before libFuzzer reports a hang
FUZZ_TIMEOUT ?= 30
# extra libFuzzer flags for `make fuzz`, e.g. FUZZ_FLAGS='-jobs=8 -workers=8' or '-max_len=65536'
FUZZ_FLAGS   ?=
FUZZ_CFLAGS  ?= -O1 -g
# -fno-sanitize-recover: an undefined-behaviour report stops the input like a crash, so libFuzzer keeps it.
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# (-Wno-pass-failed: clang's note that an `omp simd` loop was not vectorised, at -O1)
# an undefined-behaviour report with its stack, like ASan's (the user's UBSAN_OPTIONS win)
FUZZ_ENV     := UBSAN_OPTIONS="$${UBSAN_OPTIONS:-print_stacktrace=1}"
FUZZ_ALL_CFLAGS = $(DSML_CFLAGS) $(FUZZ_CFLAGS) $(FUZZ_SAN) -Wno-pass-failed -Ifuzz/support

FUZZ_NAMES   := $(sort $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c)))
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
# the library, and the one reader of the CLI that parses files (the text matrices of `dsml loss`)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/src/cli/text_io.o
FUZZ_SUP_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(sort $(wildcard fuzz/support/*.c)))
FUZZ_LIB     := $(FUZZ_BUILD)/libdsml-fuzz.a
FUZZ_PACKAGES := clang libclang-rt-dev libomp-dev llvm
# only for fuzz/make_corpus.py, which regenerates the committed seeds
FUZZ_CORPUS_PACKAGES := python3 python3-numpy python3-torch

.PHONY: fuzz-deps fuzz-corpus-deps fuzz fuzz-smoke fuzz-build $(FUZZ_NAMES:%=fuzz-run-%) $(FUZZ_NAMES:%=fuzz-smoke-%)

fuzz-deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(FUZZ_PACKAGES)
fuzz-corpus-deps:
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(FUZZ_CORPUS_PACKAGES)

# The library's objects with libFuzzer's coverage hooks but not its main.
$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (fuzz)")
	$(Q)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_SUP_OBJ) $(FUZZ_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(FUZZ_SUP_OBJ) $(FUZZ_LIB) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

# $(call fuzz_dict,NAME): the -dict flag when the harness has a dictionary
fuzz_dict = $(if $(wildcard fuzz/$(1).dict),-dict=fuzz/$(1).dict)

# One target per harness, so that `make -jN fuzz` runs N harnesses at once; each has its own scratch
# corpus, crash folder and log, and libFuzzer writes new inputs only into the first corpus folder.
# -k: every harness runs; the target fails at the end when one failed.
fuzz:
	+@$(MAKE) --no-print-directory -k $(FUZZ_NAMES:%=fuzz-run-%)
$(FUZZ_NAMES:%=fuzz-run-%): fuzz-run-%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p $(FUZZ_WORK)/corpus/$* $(FUZZ_WORK)/crashes/$* $(FUZZ_WORK)/logs
	@echo "fuzz: fuzz_$* for $(FUZZ_SECONDS) s (log: $(FUZZ_WORK)/logs/$*.log)"
	@$(FUZZ_ENV) $< -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -artifact_prefix=$(FUZZ_WORK)/crashes/$*/ $(call fuzz_dict,$*) \
	    $(FUZZ_FLAGS) $(FUZZ_WORK)/corpus/$* fuzz/corpus/$* > $(FUZZ_WORK)/logs/$*.log 2>&1; \
	 rc=$$?; FUZZ_NAME=$* FUZZ_LOG=$(FUZZ_WORK)/logs/$*.log FUZZ_CRASHES=$(FUZZ_WORK)/crashes/$* \
	    sh fuzz/report.sh $$rc || exit 1; \
	 if [ "$(FUZZ_MERGE)" = 1 ]; then \
	    $(FUZZ_ENV) $< -merge=1 $(call fuzz_dict,$*) fuzz/corpus/$* $(FUZZ_WORK)/corpus/$* >> $(FUZZ_WORK)/logs/$*.log 2>&1 && \
	    echo "fuzz: fuzz_$*: new inputs merged into fuzz/corpus/$*"; fi

# The seeds, then a few seconds of mutations; the corpus grows in a scratch folder that starts empty.
# Only a crash, a leak, a sanitizer report or an out-of-memory decides; never how fast it ran.
fuzz-smoke:
	+@$(MAKE) --no-print-directory -k $(FUZZ_NAMES:%=fuzz-smoke-%)
$(FUZZ_NAMES:%=fuzz-smoke-%): fuzz-smoke-%: $(FUZZ_BUILD)/fuzz_%
	@rm -rf $(FUZZ_WORK)/smoke/$* && mkdir -p $(FUZZ_WORK)/smoke/$*/corpus $(FUZZ_WORK)/crashes/$* $(FUZZ_WORK)/logs
	@$(FUZZ_ENV) $< -max_total_time=$(FUZZ_SMOKE_SECONDS) -timeout=0 -artifact_prefix=$(FUZZ_WORK)/crashes/$*/ \
	    $(call fuzz_dict,$*) $(FUZZ_WORK)/smoke/$*/corpus fuzz/corpus/$* > $(FUZZ_WORK)/logs/smoke-$*.log 2>&1; \
	 rc=$$?; FUZZ_NAME=$* FUZZ_LOG=$(FUZZ_WORK)/logs/smoke-$*.log FUZZ_CRASHES=$(FUZZ_WORK)/crashes/$* \
	    sh fuzz/report.sh $$rc

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_SUP_OBJ:.o=.d) $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz/fuzz_%.d)

# The seed corpus again: fuzz/make_corpus.py (Python's standard library), then the JPEG and
# embeddings.bin seeds, written by a small C program linked with libjpeg and the library.
.PHONY: fuzz-corpus
FUZZ_SEEDS_BIN := $(FUZZ_BUILD)/make_seeds
$(FUZZ_SEEDS_BIN): fuzz/make_seeds.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(LIB) $(LDLIBS)
fuzz-corpus: $(FUZZ_SEEDS_BIN)
	python3 fuzz/make_corpus.py
	$(FUZZ_SEEDS_BIN)
