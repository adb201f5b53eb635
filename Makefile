# Convolution and Recurrence: `make book` builds the book, `make test` runs every test.
# Both create .venv and install the pinned requirements on first use (and again only when
# requirements.txt or pyproject.toml change).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The course's local copies of the datasets, when this clone sits beside them (../shared/data).
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)/SHA256SUMS.json),)
export BOOK_DATA_DIR ?= $(SHARED_DATA)
endif

# The Keras backend the chapters run on: `make book KERAS_BACKEND=jax`. A backend other than
# TensorFlow builds into its own folder (_build/jax/_build/html), with its own execution cache and
# results file, so that its book never shows outputs cached from another backend's run.
export KERAS_BACKEND ?= tensorflow
BACKENDS := tensorflow jax torch
ifeq ($(filter $(KERAS_BACKEND),$(BACKENDS)),)
$(error KERAS_BACKEND=$(KERAS_BACKEND) is not a Keras backend: use one of $(BACKENDS))
endif
ifeq ($(KERAS_BACKEND),tensorflow)
BOOK_OUT :=
BOOK_RESULTS_FILE := _build/results-full.json
BOOK_HTML := _build/html
else
BOOK_OUT := --path-output _build/$(KERAS_BACKEND)
BOOK_RESULTS_FILE := _build/$(KERAS_BACKEND)/results-full.json
BOOK_HTML := _build/$(KERAS_BACKEND)/_build/html
endif

# Jupyter Book options: warnings are errors (a failing cell or a broken reference fails the build).
JB_FLAGS := -W -n --keep-going

.PHONY: help venv book preview test test-torch lint clean assignments lab sync-notebooks browser seeds

help:
	@echo "make book     build the full book into _build/html (executes every chapter in full)"
	@echo "make preview  build a quick-mode preview into _build/quick/_build/html (BOOK_QUICK=1)"
	@echo "make test     lint, unit tests, every notebook under nbval (quick mode), the book build;"
	@echo "              meanwhile every notebook and assignment again on JAX (TEST_PARALLEL=0: after)"
	@echo "make test-on-jax  every notebook and assignment on one backend (quick mode)"
	@echo "make test-torch  install PyTorch (about 5 GB) and run every notebook on it"
	@echo "make lab      start JupyterLab on notebooks/ (add BOOK_QUICK=1 for quick mode)"
	@echo "make sync-notebooks  point every Colab cell at _config.yml's repository URL; fold set-up cells"
	@echo "make browser  install Chromium (Debian apt) so that the book's browser test runs, not skips"
	@echo "make seeds    every chapter in full on SEEDS (default 42 1 2), merged with the seed spread (hours)"
	@echo "make assignments  student notebooks and autograders from assignments/ into _build/assignments"
	@echo "make clean    remove build outputs and execution caches (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(STAMP)

book: $(STAMP)
	BOOK_RESULTS=$(CURDIR)/$(BOOK_RESULTS_FILE) $(BIN)/jupyter-book build . $(JB_FLAGS) $(BOOK_OUT)
	@echo "Open $(BOOK_HTML)/index.html"

preview: $(STAMP)
	BOOK_QUICK=1 BOOK_RESULTS=$(CURDIR)/_build/results-quick.json \
		$(BIN)/jupyter-book build . $(JB_FLAGS) --path-output _build/quick
	@echo "Open _build/quick/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check cnnrnn tests tools notebooks conftest.py
	$(BIN)/ruff format --check notebooks

# Every test on $(KERAS_BACKEND) (TensorFlow unless set; the quick book is built from this run),
# and `make test-on-B` for each backend B of ALSO_BACKENDS (JAX). ALSO_BACKENDS= skips it.
# The passes run at the same time (TEST_PARALLEL=0: one after the other), the other pass's log
# in _build/test-B.log, printed when both are done (Ctrl-C stops both). Each keeps about 1.5 of
# the 2 cores busy; on this machine, run together they took 14% less wall time than one after
# the other. The chapter times each pass reports then include the other's load: TEST_PARALLEL=0
# gives each chapter's own time, the quick-mode benchmark.
ALSO_BACKENDS ?= $(filter-out $(KERAS_BACKEND),jax)
TEST_PARALLEL ?= 1
ifeq ($(KERAS_BACKEND),tensorflow)
TEST_RESULTS := _build/results-quick.json
else
TEST_RESULTS := _build/results-quick-$(KERAS_BACKEND).json
endif
test: lint
	@mkdir -p _build; status=0; pids=""; \
	trap 'kill $$pids 2>/dev/null; exit 130' INT TERM; \
	if [ "$(TEST_PARALLEL)" = 1 ]; then for backend in $(ALSO_BACKENDS); do \
		echo "=== meanwhile, every chapter and assignment on $$backend: log in _build/test-$$backend.log"; \
		( BOOK_TIMES_SHARED="the $(KERAS_BACKEND) pass" $(call test_on,$$backend) ) > _build/test-$$backend.log 2>&1 & pids="$$pids $$!"; \
	done; fi; \
	echo "BOOK_QUICK=1 BOOK_RESULTS=$(CURDIR)/$(TEST_RESULTS) $(BIN)/python -m pytest"; \
	shared=$$( [ -n "$$pids" ] && echo "the $(ALSO_BACKENDS) pass" ); \
	BOOK_TIMES_SHARED="$$shared" BOOK_QUICK=1 BOOK_RESULTS=$(CURDIR)/$(TEST_RESULTS) $(BIN)/python -m pytest || status=1; \
	for pid in $$pids; do wait $$pid || status=1; done; \
	for backend in $(ALSO_BACKENDS); do \
		echo "=== every chapter and assignment again, on $$backend (quick mode)"; \
		if [ "$(TEST_PARALLEL)" = 1 ]; then cat _build/test-$$backend.log; \
		else $(call test_on,$$backend) || status=1; fi; \
	done; \
	exit $$status

# Every chapter in quick mode on backend B (its executed chapters, results and built assignments
# in files of its own) and every assignment's solutions through its autograder on B. (The
# graders' own machinery, the samples, attacks and time limits, does not depend on the backend
# and is tested by `make test`'s first pass.)
# JAX spends most of a quick chapter compiling (chapter 26: 100 s from an empty compilation
# cache, 40 s from a full one), so the pass keeps JAX's persistent cache in _build/jax-cache (a
# second run reuses it) and asks XLA for less optimisation of the compiled CPU code: on this
# machine the two took JAX's quick chapters from 1,228 s to 897 s. It also turns off XLA's newer
# fusion emitters, which generate code for each fused group of operations and cost most of the
# compile time of a convolutional training step (2.9 -> 1.4 s for a small CNN): chapters 04, 11,
# 17 and 26 from an empty cache, 228 -> 195 s (compilation 115 -> 77 s). (Quick mode's numbers
# are smoke tests; `make book` compiles as Keras does by default.)
test_on = KERAS_BACKEND=$(1) BOOK_QUICK=1 BOOK_RESULTS=$(CURDIR)/_build/results-quick-$(1).json \
	JAX_COMPILATION_CACHE_DIR=$(CURDIR)/_build/jax-cache JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 \
	JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=0 XLA_FLAGS="$$XLA_FLAGS --xla_backend_optimization_level=1 --xla_cpu_use_fusion_emitters=false" \
	$(BIN)/python -m pytest notebooks tests/test_assignments.py::test_solutions_pass_all_their_tests
test-on-%: $(STAMP)
	$(call test_on,$*)

# The PyTorch backend, which is not installed by default: PyPI's Linux wheel of torch brings
# NVIDIA's CUDA libraries with it (5.2 GB more in .venv for torch 2.14.1, the newest that some
# pip constraint files allow). This installs it into .venv and runs every chapter on it in
# quick mode.
TORCH_VERSION := 2.14.1
test-torch: lint
	$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==$(TORCH_VERSION)
	KERAS_BACKEND=torch BOOK_QUICK=1 BOOK_RESULTS=$(CURDIR)/_build/results-quick-torch.json \
		$(BIN)/python -m pytest notebooks

# Full-mode runs on several seeds (BOOK_SEED replaces each chapter's seed), each into its own
# results file, then merged: the first seed's numbers with the spread over all of them. A seed on
# which an assert fails is reported, and the others still run. CHAPTERS narrows it, e.g.
# make seeds CHAPTERS="notebooks/03_cnn_classifier.ipynb notebooks/11_lstm_gru.ipynb".
SEEDS ?= 42 1 2
CHAPTERS ?= notebooks
seeds: $(STAMP)
	@failed=""; for seed in $(SEEDS); do \
		BOOK_SEED=$$seed BOOK_RESULTS=$(CURDIR)/_build/results-seed-$$seed.json \
			$(BIN)/python -m pytest $(CHAPTERS) -q --nbval-cell-timeout=3600 || failed="$$failed $$seed"; \
	done; \
	$(BIN)/python -m cnnrnn.results merge $(foreach s,$(SEEDS),_build/results-seed-$(s).json) \
		--out _build/results-seeds.json; \
	if [ -n "$$failed" ]; then echo "asserts failed on seed(s):$$failed"; exit 1; fi

# Otter Assign on each master in assignments/, then the autograder on its solutions (which must
# score full marks); writes _build/assignments/<name>/{student,autograder} and timings.json.
assignments: $(STAMP)
	$(BIN)/python assignments/make_assignments.py

# JupyterLab on the chapters, with the same BOOK_DATA_DIR as the other targets.
# LAB_FLAGS passes options through, e.g. make lab LAB_FLAGS="--no-browser --port=8899".
LAB_FLAGS ?=
LAB_AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)  # JupyterLab refuses root otherwise
lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_AS_ROOT) $(LAB_FLAGS) notebooks/

# After changing repository.url in _config.yml: rewrite the notebooks' Colab cells to match.
sync-notebooks: $(STAMP)
	$(BIN)/python tools/sync_notebooks.py

# The browser test (tests/test_book_in_browser.py) drives Debian's Chromium; without it, it skips.
browser:
	command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

clean:
	rm -rf _build
