# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint format check worker beat clean messages

# DEBUG is off unless DJANGO_DEBUG says otherwise (a production that forgets it is safe); the
# targets of a developer's machine turn it on, unless the environment already chose.
migrate seed run worker beat messages lint: export DJANGO_DEBUG ?= true

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# The demo is seeded once: seed_demo does nothing when demo data exists.
seed: migrate
	$(PY) manage.py seed_demo --if-empty --no-logins

# The embedded default as a person uses it: the server and one real Celery worker (with its
# beat, for the sweeps and the nightly jobs) on kombu's filesystem transport, so that long
# work runs in the background as it does in production. A broker given in the environment is
# used instead. Stopping the server (Ctrl+C) stops the worker. The transport has no host, but
# a URL without one makes kombu log "No hostname was supplied" on each connection: it names one.
run: export CELERY_BROKER_URL ?= filesystem://localhost//
run: seed
	$(PY) manage.py demo_logins
	@mkdir -p var
	@$(VENV)/bin/celery -A config worker --beat --pool=solo --schedule=var/celerybeat-schedule \
	  --without-mingle --without-gossip --without-heartbeat --loglevel=WARNING & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Translations: extract the strings (each app with a locale/ folder keeps its own catalogue;
# config/ and templates/ go to the project's locale/), then compile the .mo files, which are
# committed so that a machine without gettext serves the same pages.
MESSAGE_IGNORES := --ignore=.venv --ignore=tests --ignore=bench --ignore=docs --ignore=var \
	--ignore=staticfiles
messages: install
	$(PY) manage.py makemessages -l fr -l nl -l en --no-obsolete --add-location=file $(MESSAGE_IGNORES)
	$(PY) manage.py compilemessages $(MESSAGE_IGNORES)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm

# System packages of the optional parts, installed by CI (as root). Without them `make run`
# still works: the PDF button says what is missing, the browser tests skip with a reason.
.PHONY: pdf-deps e2e-deps
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
E2E_DEBS := chromium

pdf-deps:
	dpkg -s $(PDF_DEBS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PDF_DEBS); }

e2e-deps:
	dpkg -s $(E2E_DEBS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(E2E_DEBS); }
