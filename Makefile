# Two commands for a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/lock.txt
TRANSLATIONS := configurator/translations
HOST ?= 127.0.0.1
PORT ?= 5000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

WORKERS ?= 4

.PHONY: run test bench install clean serve-prod lock translations

# Installs exactly the versions in $(LOCK) (what CI tested); pyproject.toml keeps the ranges.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[test]' --config-settings editable_mode=compat
	touch $(STAMP)

# The compiled catalogs (.mo) are built here, never committed: the .po files are the source.
# WeasyPrint (quote PDFs) lays text out with Debian's Pango; DejaVu covers Vietnamese.
install: $(STAMP)
	@ldconfig -p | grep -q libpangoft2-1.0 || (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null)
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

# After changing strings in code or templates: re-extract, merge into fa and vi, compile.
# Then translate the new entries in configurator/translations/*/LC_MESSAGES/messages.po.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project configurator -o $(TRANSLATIONS)/messages.pot configurator templates
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

run: install
	$(BIN)/configurator db upgrade
	$(BIN)/configurator seed
	$(BIN)/configurator serve --with-worker --host $(HOST) --port $(PORT)

test: install
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
serve-prod: install
	$(BIN)/configurator db upgrade
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - configurator.web.wsgi:app

bench: install
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
