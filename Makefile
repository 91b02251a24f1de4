# Two commands for a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/lock.txt
HOST ?= 127.0.0.1
PORT ?= 5000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

WORKERS ?= 4

.PHONY: run test bench install clean serve-prod lock

# Installs exactly the versions in $(LOCK) (what CI tested); pyproject.toml keeps the ranges.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[test]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/configurator db upgrade
	$(BIN)/configurator seed
	$(BIN)/configurator serve --with-worker --host $(HOST) --port $(PORT)

test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v redis-server >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)
	$(BIN)/ruff check configurator tests bench
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=test', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL answers: the suite also runs against it"; \
		TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_URL)} $(BIN)/python -m pytest -n 2 -q; \
	else \
		echo "PostgreSQL does not answer: SQLite only"; \
		$(BIN)/python -m pytest -n 2 -q; \
	fi

# Production: gunicorn on PostgreSQL; DATABASE_URL and SECRET_KEY come from the environment.
serve-prod: $(STAMP)
	$(BIN)/configurator db upgrade
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - configurator.web.wsgi:app

bench: $(STAMP)
	$(BIN)/python -m bench

# Re-resolve the newest versions pyproject.toml allows into $(LOCK); run the suite, then commit both.
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet pip-tools
	$(VENV)-lock/bin/pip-compile --quiet --upgrade --extra test --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml
	rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) instance *.egg-info
