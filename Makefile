# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format typecheck check install bench-geo bench-gateway bench-redeem bench-opendata chaos clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/lupiae db upgrade
	$(BIN)/lupiae content publish content/ --author make-run
	$(BIN)/lupiae serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench-geo: $(STAMP)
	$(BIN)/python benchmarks/geofence.py

bench-gateway: $(STAMP)
	$(BIN)/python benchmarks/gateway.py

bench-redeem: $(STAMP)
	$(BIN)/python benchmarks/redeem.py

bench-opendata: $(STAMP)
	$(BIN)/python benchmarks/opendata.py

# Faults under load on its own PostgreSQL and Redis (ports 18700-18799, CHAOS_PORT_BASE).
chaos: $(STAMP)
	$(BIN)/python -m benchmarks.chaos

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
