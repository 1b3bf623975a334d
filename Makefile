# ALT Portal. `make run` to start it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help run prod test lint format bench faults messages vendor backup restore clean

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + scheduler on http://127.0.0.1:8000 (WEB_PORT)"
	@echo "make test   - install and run the whole test suite"
	@echo "make lint   - ruff, import layers, migrations check, system checks, translations"
	@echo "make bench  - benchmark pages against a bare Django view"
	@echo "make faults - the production processes under load while Redis, PostgreSQL and processes fail"

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# WEB_PORT (default 8000) is the port the portal serves on; links in emails follow it unless SITE_URL says otherwise.
WEB_PORT ?= 8000
run: $(VENV)/.runtime
	mkdir -p $${PORTAL_VAR_DIR:-var}/run
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py seed_demo
	WEB_PORT=$(WEB_PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(WEB_PORT)} DJANGO_DEBUG=$${DJANGO_DEBUG:-true} \
	  $(VENV)/bin/honcho start -f Procfile

# Production on one machine: gunicorn, two Celery workers, one scheduler, debug off, under
# supervisord (supervisord.conf), which restarts any of them that exits; Ctrl-C stops them all.
# Needs DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), DJANGO_SECRET_KEY and
# DJANGO_ALLOWED_HOSTS; see docs/deploy.md. Plain HTTP on 127.0.0.1 also needs
# DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false (TLS is the proxy's job).
prod: $(VENV)/.runtime
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is required (PostgreSQL)"; exit 2; }
	@test -n "$$CELERY_BROKER_URL" || { echo "CELERY_BROKER_URL is required (Redis)"; exit 2; }
	@test -n "$$CACHE_URL" || { echo "CACHE_URL is required (Redis): the web workers share login limits and sessions"; exit 2; }
	mkdir -p $${PORTAL_VAR_DIR:-var}/run
	DJANGO_DEBUG=false $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=false $(PY) manage.py collectstatic --no-input -v0
	DJANGO_DEBUG=false $(PY) manage.py check --deploy
	DJANGO_DEBUG=false PORTAL_VAR_DIR=$$(realpath $${PORTAL_VAR_DIR:-var}) exec $(VENV)/bin/supervisord -c supervisord.conf

# pg_dump / pg_restore of DATABASE_URL. `make restore FILE=backups/x.dump TARGET_DATABASE_URL=...`
BACKUP_DIR ?= backups
backup:
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is required"; exit 2; }
	mkdir -p $(BACKUP_DIR)
	pg_dump --format=custom --no-owner --file "$(BACKUP_DIR)/portal-$$(date +%Y%m%d-%H%M%S).dump" "$$DATABASE_URL"
	@ls -1t $(BACKUP_DIR)/*.dump | head -1

restore:
	@test -n "$(FILE)" || { echo "FILE=<dump> is required"; exit 2; }
	@test -n "$${TARGET_DATABASE_URL:-$$DATABASE_URL}" || { echo "TARGET_DATABASE_URL is required"; exit 2; }
	pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction \
	  --dbname "$${TARGET_DATABASE_URL:-$$DATABASE_URL}" "$(FILE)"

# Bytecode is written (into the git-ignored __pycache__): the workers and the processes the tests start
# (web, worker, manage.py) then load the portal's modules rather than compile them each time.
test: $(VENV)/.dev
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -n $${PYTEST_WORKERS:-auto} --maxprocesses=6 --dist loadgroup \
	  --durations=$${PYTEST_DURATIONS:-15} $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=true $(PY) manage.py check --fail-level WARNING
	DJANGO_DEBUG=true $(PY) manage.py validate_templates
	$(PY) tools/check_translations.py

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract and compile translations: one catalogue per app, one (ROOT) for the
# project templates. `make messages APPS=support ROOT=no` touches only support/.
APPS ?= contacts onboarding training support safety
ROOT ?= yes
messages: $(VENV)/.dev
	for app in $(APPS); do \
	  (cd $$app && DJANGO_DEBUG=true ../$(PY) ../manage.py makemessages -l ja --no-obsolete --no-location \
	    && DJANGO_DEBUG=true ../$(PY) ../manage.py compilemessages -l ja --ignore=../$(VENV)) ; done
	if [ "$(ROOT)" = yes ]; then \
	  DJANGO_DEBUG=true $(PY) manage.py makemessages -l ja --no-obsolete --no-location \
	    --ignore=contacts/* --ignore=onboarding/* --ignore=training/* --ignore=support/* --ignore=safety/* \
	    --ignore=$(VENV)/* --ignore=bench/* --ignore=tools/* \
	  && DJANGO_DEBUG=true $(PY) manage.py compilemessages -l ja --ignore=$(VENV) --ignore=contacts \
	    --ignore=onboarding --ignore=training --ignore=support --ignore=safety; fi

# Company-scale benchmark on PostgreSQL and Redis (127.0.0.1, as in .ci/run); drops and
# recreates BENCH_DATABASE_URL (default portal_bench). Results in bench/results.md and .json.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py

# The production processes (make prod) on a PostgreSQL and a Redis of the run's own, under load, while
# five faults are injected; results in bench/faults.md and .json (bench/faults.py; FAULTS=redis,postgres
# and shorter FAULTS_SPACING for a short run, as .ci/run does). Needs redis-server and PostgreSQL 15.
faults: $(VENV)/.dev
	$(PY) bench/faults.py

# Bootstrap, htmx and axe-core (the accessibility tests) come from the npm registry and are committed under static/vendor.
vendor:
	npm install --no-save --no-audit --no-fund bootstrap@$$(node -p "require('./package.json').dependencies.bootstrap") \
	  htmx.org@$$(node -p "require('./package.json').dependencies['htmx.org']") \
	  axe-core@$$(node -p "require('./package.json').devDependencies['axe-core']")
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/

clean:
	rm -rf var staticfiles
