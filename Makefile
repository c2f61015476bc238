# Two commands matter: `make run` and `make test`. Everything else is for developers and CI.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= center.settings.local

.PHONY: run test install setup messages lint bench ci test-integration test-dates clean worker

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Compile translations, migrate, collect static files, load the demo data once.
setup: install
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	test -f var/.demo-loaded || ($(BIN)/python manage.py load_demo && touch var/.demo-loaded)

# The portal on http://127.0.0.1:$(PORT) with a Celery worker + beat beside it (embedded
# SQLite and filesystem broker unless DATABASE_URL / CELERY_BROKER_URL say otherwise).
run: setup
	$(BIN)/python scripts/run_dev.py --port $(PORT)

worker: install
	$(BIN)/celery -A center worker -B --loglevel INFO --pool solo

test: install
	DJANGO_SETTINGS_MODULE=center.settings.test $(BIN)/python manage.py compile_translations
	DJANGO_SETTINGS_MODULE=center.settings.test $(BIN)/pytest -n $${PYTEST_WORKERS:-2} -m "not celery_integration" $(ARGS)

# Needs a real Redis (CELERY_BROKER_URL) and a database a separate process can reach.
test-integration: install
	CELERY_INTEGRATION=1 DJANGO_SETTINGS_MODULE=center.settings.test $(BIN)/pytest -p no:xdist -m celery_integration $(ARGS)

# The suite again with the process clock moved to edge dates (a Saturday in a year the calendar
# package does not know, New Year's Eve at 23:30 in Shanghai): proves no test reads the wall clock.
test-dates: install
	scripts/test_on_dates.sh $(ARGS)

messages:
	for app in organizations incubation ventures hotline consultations; do \
	  (cd $$app && mkdir -p locale && PYTHONPATH=$(CURDIR) ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete) ; done
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete -i '.venv/*' -i 'organizations/*' -i 'incubation/*' \
	  -i 'ventures/*' -i 'hotline/*' -i 'consultations/*' -i 'tests/*' -i 'staticfiles/*' -i 'benchmarks/*'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The load generator is wrk (Debian package), installed when missing.
bench: install
	command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(BIN)/python benchmarks/run.py

ci:
	.ci/run

clean:
	rm -rf var staticfiles

# --- API contract -------------------------------------------------------------------------
# schemathesis against /api/schema/ as every role, on a fresh PostgreSQL database with the demo
# data (API_FUZZ_DATABASE_URL; see README, section API). Part of .ci/run.
.PHONY: api-fuzz
api-fuzz: install
	$(BIN)/python scripts/api_fuzz.py
