# ALT Portal. `make run` to start it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help run test lint format bench messages vendor clean

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + scheduler on http://127.0.0.1:8000"
	@echo "make test   - install and run the whole test suite"
	@echo "make lint   - ruff, migrations check, system checks, translations"
	@echo "make bench  - benchmark pages against a bare Django view"

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	mkdir -p var/run
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py seed_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(VENV)/bin/honcho start -f Procfile

test: $(VENV)/.dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=true $(PY) manage.py check --fail-level WARNING
	DJANGO_DEBUG=true $(PY) manage.py validate_templates
	$(PY) tools/check_translations.py

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract and compile translations: one catalogue per app, one (ROOT) for the
# project templates. `make messages APPS=support ROOT=no` touches only support/.
APPS ?= contacts onboarding training support
ROOT ?= yes
messages: $(VENV)/.dev
	for app in $(APPS); do \
	  (cd $$app && DJANGO_DEBUG=true ../$(PY) ../manage.py makemessages -l ja --no-obsolete --no-location \
	    && DJANGO_DEBUG=true ../$(PY) ../manage.py compilemessages -l ja --ignore=../$(VENV)) ; done
	if [ "$(ROOT)" = yes ]; then \
	  DJANGO_DEBUG=true $(PY) manage.py makemessages -l ja --no-obsolete --no-location \
	    --ignore=contacts/* --ignore=onboarding/* --ignore=training/* --ignore=support/* \
	    --ignore=$(VENV)/* --ignore=bench/* --ignore=tools/* \
	  && DJANGO_DEBUG=true $(PY) manage.py compilemessages -l ja --ignore=$(VENV) --ignore=contacts \
	    --ignore=onboarding --ignore=training --ignore=support; fi

bench: $(VENV)/.dev
	$(PY) bench/run.py

# Bootstrap comes from the npm registry and is committed under static/vendor.
vendor:
	npm install --no-save --no-audit --no-fund bootstrap@$$(node -p "require('./package.json').dependencies.bootstrap")
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/

clean:
	rm -rf var staticfiles
