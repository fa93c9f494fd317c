# Shequ: `make run` serves the portal, `make test` runs the whole suite. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Pango/fonts for WeasyPrint PDFs (a CJK font so Chinese renders and embeds), gettext for the catalogs.
APT_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei gettext
# Debian's Chromium for the browser tests (Playwright's own browser download is not reachable), poppler for PDF text.
APT_TEST := chromium chromium-driver poppler-utils faketime

# The suite talks to the real services on this machine.
TEST_DATABASE_URL ?= postgres://postgres@localhost:5432/shequ
TEST_REDIS_URL ?= redis://localhost:6379/15
# pytest-xdist processes for `make test` (0 = one process). Worker N uses TEST_REDIS_URL's database minus N and a test
# database of its own; the tests that start workers, servers or the standby run on one of them (tests/parallel.py).
TEST_WORKERS ?= 2

.PHONY: fuzz run test lint bench bench-figures soak system system-test venv messages migrate demo worker beat schema clean replica \
	replica-stop

# Another apt/dpkg process (unattended upgrades, a second make) holds the lock: wait for it instead of failing.
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3

system:
	@missing=$$(for p in $(APT_RUN); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "Installing system packages: $$missing"; \
	  $(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing; fi

system-test: system
	@missing=$$(for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "Installing system packages: $$missing"; \
	  $(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing; fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q ".[dev]"
	touch $@

venv: $(VENV)/.installed

messages: venv system
	$(BIN)/python manage.py compilemessages -v0 --ignore "$(VENV)/*"

migrate: venv
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py demo

# Embedded by default (SQLite, tasks in-process). With REDIS_URL set a Celery worker (with beat) runs alongside.
# Each set-up step prints how long it took (the first run installs packages and builds the demo: minutes).
RUN_STEPS := system venv messages migrate demo
run:
	@started=$$(date +%s); for step in $(RUN_STEPS); do \
	  at=$$(date +%s); echo "==> $$step"; $(MAKE) --no-print-directory $$step || exit 1; \
	  echo "    $$step: $$(( $$(date +%s) - at )) s"; done; \
	echo "==> ready after $$(( $$(date +%s) - started )) s"
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	@if [ -n "$$REDIS_URL" ]; then \
	  $(BIN)/celery -A config worker --beat -l info --concurrency 2 & worker=$$!; \
	  trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	else \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

worker: venv
	$(BIN)/celery -A config worker -l info

beat: venv
	$(BIN)/celery -A config beat -l info

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py spectacular --lang en --validate --fail-on-warn \
	  --file $(VENV)/openapi.yaml
	@diff -q docs/openapi.yaml $(VENV)/openapi.yaml >/dev/null || \
	  { echo "docs/openapi.yaml is out of date: run 'make schema' and commit it"; exit 1; }

# Generated on the embedded default (SQLite), as `make lint` compares it: integer bounds follow the database backend.
schema: venv
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py spectacular --lang en --validate --fail-on-warn \
	  --file docs/openapi.yaml

# The replica tests (tests/replica) start the standby themselves; `make replica` starts it by hand.
replica:
	config/standby.sh start

replica-stop:
	config/standby.sh stop

test: system-test messages
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SHEQU_ENV=test \
	  $(BIN)/pytest --create-db -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The hostile-input fuzzers at full strength (make test runs both in a short profile): schemathesis over the whole API
# as the administrator and as street staff, and every page with hostile query values; see docs/security.md.
fuzz: system-test messages
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SHEQU_ENV=test SHEQU_FUZZ=full \
	  $(BIN)/pytest --create-db tests/fuzz tests/security/test_spreadsheets.py $(PYTEST_ARGS)

# Benchmarks run on PostgreSQL in a database of their own (created when missing); see docs/benchmarks.md. The
# replica figure reads the same database on the hot standby (config/standby.sh, port 5433).
BENCH_DATABASE_URL ?= postgres://postgres@localhost:5432/shequ_bench
BENCH_DB := $(lastword $(subst /, ,$(BENCH_DATABASE_URL)))
BENCH_REPLICA_URL ?= postgres://postgres@localhost:5433/$(BENCH_DB)
bench: venv system replica
	@psql "$(patsubst %/$(BENCH_DB),%/postgres,$(BENCH_DATABASE_URL))" -tAc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_DB)'" \
	  | grep -q 1 || createdb "$(BENCH_DB)" -h localhost -U postgres
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) DATABASE_REPLICA_URLS=$(BENCH_REPLICA_URL) $(BIN)/python manage.py bench

# Only the figures engine's part of `make bench` (the dashboards and the raw SQL floor; no replica, lists or imports).
bench-figures: venv system
	@psql "$(patsubst %/$(BENCH_DB),%/postgres,$(BENCH_DATABASE_URL))" -tAc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_DB)'" \
	  | grep -q 1 || createdb "$(BENCH_DB)" -h localhost -U postgres
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench --figures

# Soak (bounded, loopback only): its own database, Redis, gunicorn and worker, all stopped at the end; docs/soak.md.
SOAK_DATABASE_URL ?= postgres://postgres@localhost:5432/shequ_soak
soak: venv system
	SOAK_DATABASE_URL=$(SOAK_DATABASE_URL) $(BIN)/python tests/soak/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
