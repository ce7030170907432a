# Tacit: `make run` starts the portal with demo data; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal

.PHONY: run test install install-dev lint format db demo i18n bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) seed-demo

## Start the portal on http://127.0.0.1:5000 (SQLite, local search index, demo data).
run: demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## Run the whole test suite (SQLite; set TEST_DATABASE_URL for PostgreSQL), one
## worker process per core (at most 4), each on a database of its own.
test: install-dev
	$(BIN)/python -m pytest -n auto --maxprocesses 4 $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

i18n: install
	$(FLASK) i18n update
	$(FLASK) i18n check

## The whole performance run of issue 11 (PostgreSQL, Redis, wrk; about 40 minutes with
## generation): pages at S and M against the ceiling, then live pushes at load. Results go
## to bench/out/; bench/http/RESULTS.md and bench/live/RESULTS.md say how to read them.
bench: install-dev
	bench/http/run.sh S
	bench/http/run.sh M
	$(BIN)/python -m bench.live
