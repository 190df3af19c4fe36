# Two commands: `make demo` (the library and its command line only) and `make test`
# (every development tool too). Both create .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CODE   := $(wildcard src tests examples benchmarks tools)

.PHONY: demo test quick lint typecheck unit docs bench bench-growth load readme format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

# `make demo` installs only the library and its command line (no development tools), so a
# first run is quick; when `make test` has installed everything already, it installs nothing.
DEMO_STAMP := $(VENV)/.installed-demo

$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if [ ! -f $(STAMP) ] || [ pyproject.toml -nt $(STAMP) ]; then \
	  $(BIN)/python -m pip install --quiet -e ".[cli]"; fi
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/vsla demo --db vsla-demo.db

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

format: $(STAMP)
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

readme: $(STAMP)
	$(BIN)/python tools/sync_readme.py

typecheck: $(STAMP)
	$(BIN)/mypy $(CODE)

unit: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/mkdocs build --quiet --strict

test: lint typecheck unit docs

# The same checks without the long reliability tests (marker `slow`): for the edit-test loop.
quick: $(STAMP)
	$(MAKE) lint typecheck docs
	$(BIN)/pytest -m "not slow"

# The national-scale benchmark (91 and 10,000 groups, SQLite and the local PostgreSQL):
# about an hour (the 10,000-group money dashboard reads 22 million entries, and pandas does
# too); see docs/performance.md. VSLA_BENCH_POSTGRES_URL picks another server.
bench: $(STAMP)
	$(BIN)/python benchmarks/scale.py

# How the store grows from 91 to 273 groups (docs/benchmarks.md): a few minutes.
bench-growth: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The load test (docs/performance.md, docs/reliability.md): writers, readers, killed and
# stalled clients on the local PostgreSQL, in a database of its own that it drops; about
# 4 minutes, never more than 15. Not part of `make test` (a smoke run of it is).
# VSLA_LOAD_POSTGRES_URL picks another local server.
load: $(STAMP)
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
