# Two commands on a fresh machine with Python 3.11+ and make:
#   make run   — virtualenv, install, migrate, load the sample gazettes, clerk account, serve
#   make test  — the whole test suite (SQLite unless DATABASE_URL is set)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench bench-corpus bench-web clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_samples
	DJANGO_DEBUG=1 $(BIN)/python manage.py ensure_clerk
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/python -m records.parsing.bench

# Pages and API under gunicorn + wrk against a synthetic corpus (bench/RESULTS.md).
# SQLite in var/bench.sqlite3, or BENCH_DB=postgres (postgres://postgres@127.0.0.1:5432/bench).
BENCH_DB ?= sqlite
BENCH_ISSUES ?= 10000
# PostgreSQL takes loads side by side: BENCH_PARTS=2 runs two generators, each on half the cities.
BENCH_PARTS ?= 1
BENCH_ENV = DJANGO_SECRET_KEY=bench-only DJANGO_SECURE=0 $(if $(filter postgres,$(BENCH_DB)),DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench,PORTAL_SQLITE_PATH=var/bench.sqlite3)

bench-corpus: $(BIN)/.installed
	$(if $(filter postgres,$(BENCH_DB)),-createdb -h 127.0.0.1 -U postgres bench)
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput
	$(BENCH_ENV) sh -c 'pids=; for k in $$(seq 1 $(BENCH_PARTS)); do \
	  $(BIN)/python manage.py generate_corpus --issues $(BENCH_ISSUES) --resume --part $$k/$(BENCH_PARTS) & \
	  pids="$$pids $$!"; done; rc=0; for p in $$pids; do wait $$p || rc=1; done; exit $$rc'

bench-web: $(BIN)/.installed
	$(BIN)/python -m bench.run --db $(BENCH_DB) --mode both

clean:
	rm -rf $(VENV) var
