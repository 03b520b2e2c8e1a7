# Payam — every command a developer, CI or the container runs.
# `make run` and `make test` do all the set-up on a fresh machine.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_SYNC_FLAGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000
CELERY_QUEUES ?= sms_otp,sms_urgent,sms,default,bulk
CHROMIUM ?= /usr/bin/chromium
# pytest-xdist processes for `make pytest` and `make e2e` (0: all in one process). Each has
# its own test database and Redis database (REDIS_URL's number plus its index).
PYTEST_WORKERS ?= 2

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: help run test lint typecheck pytest migrations-check deploy-check e2e bench page-anatomy bench-scale bench-api bench-api-pages \
        assets captcha-clips messages venv migrate seed serve worker beat collectstatic clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

# --- the two commands ---------------------------------------------------------
run: venv migrate seed ## Set up and serve the portal on http://127.0.0.1:8000 (SQLite, eager Celery, console SMS)
	$(PY) manage.py runserver $(HOST):$(PORT)

test: lint typecheck migrations-check deploy-check pytest ## Lint, type check and run the whole test suite

# --- pieces of `make test` ----------------------------------------------------------
lint: venv ## ruff (lint + format check) and import-linter (the app layering of docs/architecture.md)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: venv ## mypy with django-stubs
	$(VENV)/bin/mypy .

migrations-check: venv ## Fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=payam.settings.test $(PY) manage.py makemigrations --check --dry-run

deploy-check: venv ## Production settings pass Django's deployment checks
	DJANGO_SETTINGS_MODULE=payam.settings.production ALLOWED_HOSTS=payam.example.ir \
	SECRET_KEY=deploy-check-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ \
	SMS_CALLBACK_SECRET=deploy-check-only-callback-secret-0123456789 \
	LETTER_VERIFY_KEY=deploy-check-only-letter-verify-key-0123456789 TRUSTED_PROXY_COUNT=1 \
	$(PY) manage.py check --deploy --fail-level WARNING

pytest: venv ## The test suite without the browser journeys
	$(PY) -m pytest -m "not e2e" -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

e2e: venv ## Browser journeys in Debian's Chromium (installs it with apt-get when missing)
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "Installing chromium with apt-get…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing at $(CHROMIUM) and apt-get is not available." >&2; exit 1; fi; \
	fi
	$(PY) -m pytest -m e2e tests/e2e -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: venv ## Benchmarks: print figures and write bench/results/*.json
	$(PY) bench/run.py

page-anatomy: venv ## Where a signed-in page's time goes, layer by layer (PostgreSQL, production settings)
	$(PY) bench/page_anatomy.py

bench-scale: venv ## National scale on PostgreSQL: seed 10M deliveries, inbox under load, 1M fan-out, 100k CSV campaign
	$(PY) bench/seed_scale.py
	$(PY) bench/inbox_load.py
	$(PY) bench/fanout.py
	$(PY) bench/campaign.py

bench-api: venv ## The agencies' API on its own PostgreSQL db: POST p95 under 8 clients, 1M recipients vs COPY, 429 onset
	$(PY) bench/api.py
bench-api-pages: venv ## The API's recipients and incoming pages at depth (DATABASE_URL: a PostgreSQL database of its own)
	$(PY) bench/api_pages.py

# --- set-up ------------------------------------------------------------------------------
venv: $(VENV)/.synced ## Create .venv and install the locked dependencies

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --inexact $(UV_SYNC_FLAGS)
	@touch $@

migrate: venv ## Apply migrations
	$(PY) manage.py migrate --noinput

seed: venv ## Load the demo data (idempotent) and print the demo logins
	$(PY) manage.py seed_demo

assets: ## Reinstall front-end packages from npm and copy them into static/vendor/
	npm ci --no-audit --no-fund
	bash scripts/copy_assets.sh

captcha-clips: ## Remake the spoken captcha's clips (payam/captcha_audio/) with espeak-ng (apt-get install espeak-ng)
	@command -v espeak-ng >/dev/null || { echo "espeak-ng is missing: apt-get install espeak-ng (needed only to make the clips)" >&2; exit 1; }
	$(PYTHON) scripts/make_captcha_clips.py

messages: venv ## Extract translatable strings into locale/ and compile them
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=static --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# --- production processes (docker-compose runs these) ------------------------------------
collectstatic: venv ## Collect static files for production
	$(PY) manage.py collectstatic --noinput

serve: venv ## gunicorn (production web, behind the reverse proxy that docker-compose puts in front)
	$(VENV)/bin/gunicorn payam.wsgi:application --bind 0.0.0.0:$(PORT) \
	  --workers $${WEB_CONCURRENCY:-4} --access-logfile -

worker: venv ## Celery worker on REDIS_URL, all queues
	$(VENV)/bin/celery -A payam worker -l INFO -Q $(CELERY_QUEUES)

beat: venv ## Celery beat (periodic sweepers)
	$(VENV)/bin/celery -A payam beat -l INFO --schedule $${CELERY_BEAT_SCHEDULE:-/tmp/celerybeat-schedule}

clean: ## Remove the virtual environment, caches and the local database
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis staticfiles db.sqlite3
