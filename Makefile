# The one task runner: CI calls these targets verbatim.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PORT ?= 8001

TRACKER_JS := src/chatlytics/tracker/static/t.js
DASHBOARD_BUILT := src/chatlytics/dashboard/static/.built

.PHONY: run serve test lint format bench faults fuzz assets tracker dashboard clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# mysqlclient, the C driver for MariaDB/MySQL, builds against libmariadb (Debian: libmariadb-dev and
# pkg-config); where its headers are missing, PyMySQL serves alone (docs/configuration.md).
MYSQLCLIENT := $(shell pkg-config --exists libmariadb 2>/dev/null && echo ,mysqlclient)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgresql,mysql$(MYSQLCLIENT)]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev$(MYSQLCLIENT)]'
	touch $@ $(VENV)/.installed

## assets: build the browser tracker and the dashboard from their npm lockfiles
assets: tracker dashboard

tracker: $(TRACKER_JS)
$(TRACKER_JS): tracker/package.json tracker/package-lock.json tracker/build.mjs $(shell find tracker/src -type f 2>/dev/null)
	npm ci --prefix tracker --no-audit --no-fund --loglevel=error
	npm run --prefix tracker --silent build

dashboard: $(DASHBOARD_BUILT)
$(DASHBOARD_BUILT): dashboard/package.json dashboard/package-lock.json dashboard/build.mjs $(shell find dashboard/src -type f 2>/dev/null)
	npm ci --prefix dashboard --no-audit --no-fund --loglevel=error
	npm run --prefix dashboard --silent build
	touch $@

## run: install, build, migrate, and serve the collector and the demo chatbot
run: $(VENV)/.installed assets
	$(BIN)/chatlytics up --host $(HOST) --port $(PORT) --demo-port $(DEMO_PORT)

## serve: the collector alone
serve: $(VENV)/.installed assets
	$(BIN)/chatlytics serve --host $(HOST) --port $(PORT)

## lint: ruff (lint + format check) and mypy --strict
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench faults
	$(BIN)/ruff format --check src tests bench faults
	$(BIN)/mypy

## format: apply ruff's fixes and formatting
format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix src tests bench faults
	$(BIN)/ruff format src tests bench faults

## test: lint, build, then the whole suite (SQLite always; PostgreSQL, MariaDB, Chromium when present)
test: lint assets
	$(BIN)/pytest -n 2 --dist loadgroup -q

## bench: ingest throughput against the raw database limit, SDK call cost, analytics latency
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

## faults: kill -9 mid-load and a 30 s database outage, checked in the database (~3 min)
faults: $(VENV)/.installed-dev assets
	$(BIN)/python -m faults

## fuzz: schemathesis on every route, hypothesis on the validator and bodies, injection strings, on
## SQLite, PostgreSQL and MariaDB (~8 min)
fuzz: $(VENV)/.installed-dev assets
	$(BIN)/python -m faults.fuzz

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tracker/node_modules dashboard/node_modules \
		$(TRACKER_JS) src/chatlytics/dashboard/static
