# Followthrough — `make demo` to try it, `make test` to check it. Needs Python ≥ 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CONTACTS ?= 500

.PHONY: demo serve test test-sqlite test-postgres lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,lint]"
	touch $@

## demo: install, migrate, load the demo workspace and serve it at http://$(HOST):$(PORT)
demo: $(VENV)/.installed
	$(BIN)/followthrough demo --contacts $(CONTACTS) --host $(HOST) --port $(PORT)

## serve: serve the existing data without loading the demo
serve: $(VENV)/.installed
	$(BIN)/followthrough serve --host $(HOST) --port $(PORT)

## test: the whole suite on SQLite, and again on PostgreSQL when FOLLOWTHROUGH_TEST_DATABASE_URL is set
test: $(VENV)/.installed-dev test-sqlite test-postgres

# The suite gets its own data folder, so it never touches the demo's database or secret key.
TEST_ENV := FOLLOWTHROUGH_DATA_DIR=$(CURDIR)/data/test FOLLOWTHROUGH_DATABASE_URL=

test-sqlite: $(VENV)/.installed-dev
	$(TEST_ENV) $(BIN)/python -m pytest

test-postgres: $(VENV)/.installed-dev
	@if [ -n "$$FOLLOWTHROUGH_TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL"; \
		FOLLOWTHROUGH_DATA_DIR=$(CURDIR)/data/test \
		FOLLOWTHROUGH_DATABASE_URL="$$FOLLOWTHROUGH_TEST_DATABASE_URL" $(BIN)/python -m pytest; \
	else \
		echo "== PostgreSQL run skipped: FOLLOWTHROUGH_TEST_DATABASE_URL is not set"; \
	fi

## lint: ruff, mypy, Django's checks and missing migrations
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check followthrough/core
	$(BIN)/mypy followthrough
	$(TEST_ENV) $(BIN)/python -m django check --settings=followthrough.settings
	$(TEST_ENV) $(BIN)/python -m django makemigrations --check --dry-run --settings=followthrough.settings

## bench: the benchmarks in bench/ (figures go to bench/README.md)
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data *.egg-info
