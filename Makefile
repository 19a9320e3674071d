# The one task runner: CI calls these targets verbatim.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgresql,mysql]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

## run: install, migrate and serve on http://$(HOST):$(PORT) (SQLite ./chatlytics.db unless configured)
run: $(VENV)/.installed
	$(BIN)/chatlytics serve --host $(HOST) --port $(PORT)

## lint: ruff (lint + format check) and mypy --strict
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## format: apply ruff's fixes and formatting
format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

## test: lint, then the whole suite (SQLite always; PostgreSQL and MariaDB when reachable)
test: lint
	$(BIN)/pytest -n 2 --dist loadgroup -q

## bench: ingest throughput against the raw database limit, and analytics latency
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
