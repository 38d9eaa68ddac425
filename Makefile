# MemCubeDB set-up and the two commands of the README: `make run` (main job) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
# The spaCy English pipeline: the stand-in wheel shipped beside the checkout (../shared/models).
# Elsewhere install en_core_web_sm with `python -m spacy download en_core_web_sm` instead.
SPACY_MODEL_WHEEL ?= $(wildcard ../shared/models/en_ud_ewt_sm-*.whl)
# Tests get their own Neo4j (port and data directory) so they never touch the main job's data.
TEST_ENV := MEMCUBEDB_DATA_DIR=$(CURDIR)/build/test-data MEMCUBEDB_NEO4J__BOLT_PORT=7688
# The dashboard: built by Vite from dashboard/ into api/static/dist, which the API serves.
NPM ?= npm
DASHBOARD := api/static/dist/index.html
DASHBOARD_SRC := dashboard/package.json dashboard/package-lock.json dashboard/vite.config.js \
	dashboard/index.html $(wildcard dashboard/src/*)
# Debian's Chromium and its WebDriver, for the dashboard's browser tests (never a downloaded browser).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test test-fast lint neo4j dashboard chromium

setup: $(STAMPS)/python $(STAMPS)/neo4j $(DASHBOARD)

$(STAMPS)/python: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt --upgrade pip setuptools wheel
	$(BIN)/pip install -c constraints.txt -e ".[dev]" $(SPACY_MODEL_WHEEL)
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/neo4j: graph/embedded/launcher/pom.xml $(STAMPS)/python
	$(BIN)/memcubedb neo4j build
	@mkdir -p $(STAMPS) && touch $@

dashboard: $(DASHBOARD)

$(DASHBOARD): $(DASHBOARD_SRC)
	cd dashboard && $(NPM) ci --no-audit --no-fund && $(NPM) run build

chromium:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; else \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium chromium-driver; fi

run: setup
	$(BIN)/memcubedb run

test: setup chromium
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/memcubedb neo4j start
	$(TEST_ENV) $(BIN)/pytest; rc=$$?; $(TEST_ENV) $(BIN)/memcubedb neo4j stop; exit $$rc

# The fast tier: ruff and every test that needs no Neo4j (scoring, fusion, extraction rules, intent,
# models, KV/LoRA mechanics on a tiny random model, the import rules); no server is started.
test-fast: $(STAMPS)/python
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not neo4j"
