# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The web apps (web/, docs/web.md) need Node.js 20+; without it the API is served alone.
NODE_OK := $(shell node -e 'process.exit(+process.versions.node.split(".")[0] < 20 ? 1 : 0)' 2>/dev/null && echo yes)
NO_NODE := echo "Node.js 20+ not found: skipping the web app (web/); the API is served without it"
WEB_DEPS := web/node_modules/.package-lock.json

.PHONY: run test lint format typecheck check install web web-test bench-geo bench-gateway bench-redeem bench-opendata bench-web screenshots chaos bench-abuse clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_DEPS)

web:
ifeq ($(NODE_OK),yes)
	$(MAKE) $(WEB_DEPS)
	cd web && npm run build
else
	@$(NO_NODE)
endif

web-test:
ifeq ($(NODE_OK),yes)
	$(MAKE) $(WEB_DEPS)
	cd web && npm test
else
	@$(NO_NODE)
endif

run: $(STAMP) web
	mkdir -p var
	$(BIN)/lupiae db upgrade
	$(BIN)/lupiae content publish content/ --author make-run
	$(BIN)/lupiae serve --host $(HOST) --port $(PORT)

test: $(STAMP) web web-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
ifeq ($(NODE_OK),yes)
	$(MAKE) $(WEB_DEPS)
	cd web && npm run lint
else
	@$(NO_NODE)
endif

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy
ifeq ($(NODE_OK),yes)
	$(MAKE) $(WEB_DEPS)
	cd web && npm run typecheck
else
	@$(NO_NODE)
endif

check: lint typecheck test

bench-geo: $(STAMP)
	$(BIN)/python benchmarks/geofence.py

bench-gateway: $(STAMP)
	$(BIN)/python benchmarks/gateway.py

bench-redeem: $(STAMP)
	$(BIN)/python benchmarks/redeem.py

bench-opendata: $(STAMP)
	$(BIN)/python benchmarks/opendata.py

# The README's phone screenshots (docs/img/), taken by the browser tests.
screenshots: $(STAMP) web
	LUPIAE_SCREENSHOTS_DIR=docs/img $(BIN)/pytest tests/web -q -p no:cacheprovider
	LUPIAE_SCREENSHOTS_DIR=docs/img $(BIN)/pytest tests/game_server/district/test_report.py -q -p no:cacheprovider -k sqlite

bench-web: $(STAMP) web
	$(BIN)/python benchmarks/web.py

# Faults under load on its own PostgreSQL and Redis (ports 18700-18799, CHAOS_PORT_BASE).
chaos: $(STAMP)
	$(BIN)/python -m benchmarks.chaos

bench-abuse: $(STAMP)
	$(BIN)/python benchmarks/abuse.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache web/dist web/node_modules
