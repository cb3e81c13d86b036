# Everything a fresh machine needs, from two commands: `make demo` and `make test`.
# Each target is idempotent: a second run reuses the environment (with llama.cpp built in it) and the
# assembled, verified model file.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE_STAMP := $(VENV)/.installed-base
LOCAL_STAMP := $(VENV)/.installed-local
MODEL_STAMP := models/qwen2.5-coder-1.5b-instruct-q4_k_m.sha256
# The UI's and the demo's run history, sensor cursors and schedules persist here (not a temp dir).
DAGSTER_HOME ?= $(CURDIR)/.dagster_home

# `make demo` builds the embedded model only when no server is configured: with OPENAI_API_KEY or
# OPENAI_BASE_URL set it needs no C compiler and no model download.
ifeq ($(strip $(OPENAI_API_KEY)$(OPENAI_BASE_URL)),)
DEMO_NEEDS := setup
else
DEMO_NEEDS := $(BASE_STAMP)
endif

.PHONY: setup setup-server model demo test check ui clean

setup: $(LOCAL_STAMP) $(MODEL_STAMP)

# The pipeline and its tests, for a configured server: wheels only, no compiler.
setup-server: $(BASE_STAMP)

$(BASE_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(LOCAL_STAMP): $(BASE_STAMP)
	# llama-cpp-python compiles llama.cpp (about 6 minutes on 2 cores) for any x86-64 CPU with AVX2,
	# not for this one (GGML_NATIVE=OFF): a native build uses every instruction the CPU reports, and on a
	# VM that reports AMX without allowing it the server dies at its first request (ldtilecfg). No pip
	# cache: a wheel built natively before, here or on another machine, would be taken instead.
	CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(BIN)/python -m pip install --quiet --no-cache-dir -e '.[dev,local]'
	touch $@

$(MODEL_STAMP): $(LOCAL_STAMP)
	$(BIN)/python -m extraction_pipeline.llm.local_model
	touch $@

model: $(MODEL_STAMP)

$(DAGSTER_HOME)/dagster.yaml: deploy/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp deploy/dagster.yaml $@

demo: $(DEMO_NEEDS) $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/extraction-pipeline run --inbox data/inbox

test: setup
	$(BIN)/python -m pytest -ra

# The everyday loop: everything but the tests that need the real model or other real services.
check: $(BASE_STAMP)
	$(BIN)/python -m pytest -q -n auto -m "not slow"

ui: setup $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) models output .dagster_home
