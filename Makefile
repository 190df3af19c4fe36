# Two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CODE   := $(wildcard src tests examples benchmarks tools)

.PHONY: demo test quick lint typecheck unit docs bench readme format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

demo: $(STAMP)
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

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
