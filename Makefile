# Dreamland PRO — the front door. `make run` and `make test` do all the set-up from a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
UV      := $(VENV)/bin/uv
UV_VERSION := 0.13.8
STAMP   := $(VENV)/.synced-$(shell cat uv.lock pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
HOST    ?= 127.0.0.1
PORT    ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install migrate seed run worker test pytest lint format messages bench clean

help:
	@echo "make run    set up everything, load demo data once, serve http://$(HOST):$(PORT)"
	@echo "make test   set up everything and run the whole suite (lint included)"
	@echo "make lint   ruff, mypy, makemigrations --check"
	@echo "make messages  refresh locale/ru/LC_MESSAGES/django.po from the code and compile the .mo"
	@echo "make bench  the benchmarks (needs PostgreSQL on 127.0.0.1:5432)"

$(STAMP): pyproject.toml uv.lock
	@if [ ! -x $(PY) ]; then \
	  python=$$(scripts/find-python.sh) || exit 1; \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV) || { echo "error: could not create $(VENV) (is the venv module installed?)" >&2; exit 1; }; \
	fi
	@$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
	  || { echo "error: could not install uv from PyPI (network?)" >&2; exit 1; }
	$(UV) sync --frozen --quiet --python $(PY)
	@rm -f $(VENV)/.synced-*; touch $@

# Front-end libraries (htmx, SortableJS) from the npm registry, pinned by package-lock.json and
# served by the app as static files. Needs Node.js's npm; as root it is installed with apt-get.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's npm for the front-end packages"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null 2>&1 \
	      || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }; \
	  fi; }
	@command -v npm >/dev/null || { echo "error: npm is needed for the front-end packages (install Node.js, or apt-get install npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-*; touch $@

install: $(STAMP) $(NODE_STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Development server, the background-task worker and the reminders' schedule (a pass every
# minute); Ctrl-C stops all three.
run: export DEBUG ?= true
run: migrate
	@$(PY) manage.py seed_demo --if-empty
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --queue-name '*' & \
	  $(PY) manage.py send_reminders --every 60 & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py db_worker --queue-name '*'

test: lint pytest

pytest: install
	@scripts/ensure-chromium.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Translations (English is the source language). Refreshes the .po from the marked strings and
# compiles the .mo, which is committed so that a fresh clone runs without gettext; translate the
# new entries in the .po and run it again (dreamland/lib/tests/test_translations.py checks both).
messages: install
	@command -v msgfmt >/dev/null && command -v xgettext >/dev/null || { \
	  echo "error: make messages needs GNU gettext (msgfmt, xgettext): apt-get install gettext" >&2; \
	  exit 1; }
	DEBUG=true $(PY) manage.py makemessages --locale ru --no-obsolete --add-location file \
	  --ignore var --ignore bench --ignore scripts --ignore node_modules
	DEBUG=true $(PY) manage.py compilemessages --locale ru --ignore '.*' --ignore var --ignore node_modules

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules var/static .mypy_cache .ruff_cache .pytest_cache .hypothesis
