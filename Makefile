# The two commands of the README: `make run` and `make test`. Everything else is their plumbing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# System packages: WeasyPrint's Pango and HarfBuzz subsetting, fonts for Arabic and
# Chinese, gettext for the catalogues, poppler for PDF checks, Chromium for browser tests,
# Node.js and npm for axe-core (the accessibility checks of the browser tests), LibreOffice
# Calc headless for the spreadsheet checks (the Excel files opened, printed and re-saved).
RUN_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk gettext
TEST_APT := $(RUN_APT) poppler-utils chromium libreoffice-calc-nogui
NODE_APT := nodejs npm

.PHONY: run test lint format venv system-deps-run system-deps-test messages clean-venv perf

# HOST and PORT reach the settings, whose default QA_SITE_URL (links in e-mails) is the
# address served; a QA_SITE_URL set in the environment still wins.
run: system-deps-run $(VENV)/.installed messages
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py import_rubric rubrics/library/*.yaml
	for f in rubrics/library/crosswalks/*.yaml; do DJANGO_DEBUG=1 $(PY) manage.py import_crosswalk "$$f" || exit 1; done
	DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ with a background worker (Ctrl-C stops both)"
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: system-deps-test node_modules/.installed $(VENV)/.installed messages
	$(BIN)/pytest $(PYTEST_ARGS)

# axe-core, pinned in package.json and package-lock.json, into node_modules only: the browser
# tests read it from there and inject it into pages. Node.js and npm come from apt if missing
# (as root; elsewhere the accessibility tests say what is missing and are skipped).
node_modules/.installed: package.json package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || scripts/ensure-apt.sh $(NODE_APT)
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
	  echo "note: npm missing, so no axe-core: the accessibility tests will be skipped" >&2; \
	fi

# Typed with mypy and django-stubs: the pure cores strictly, services and access by signature
# (see [tool.mypy] in pyproject.toml).
MYPY_PATHS := qa_tool/core qa_tool/access.py qa_tool/assessments/services \
	qa_tool/assessments/audit.py qa_tool/assessments/selectors.py qa_tool/assessments/offline.py \
	qa_tool/benchmarks/statistics.py qa_tool/benchmarks/disclosure.py qa_tool/benchmarks/rollup.py \
	qa_tool/benchmarks/released_figures.py qa_tool/benchmarks/comparison.py \
	qa_tool/benchmarks/charts qa_tool/institutions/units.py \
	qa_tool/benchmarks/services.py qa_tool/actions/priorities.py qa_tool/actions/services.py \
	rubrics/scoring.py rubrics/readthrough.py \
	rubrics/services.py rubrics/spreadsheet qa_tool/demo qa_tool/panels/consensus.py \
	qa_tool/panels/services.py qa_tool/backups

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(MYPY_PATHS)

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

messages: $(VENV)/.installed
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=$(VENV) -v 0

# Installs only what is missing, and only where we are root with apt-get; elsewhere it
# prints what to install and carries on (the PDF and browser tests then say what is missing).
system-deps-run:
	@scripts/ensure-apt.sh $(RUN_APT)

system-deps-test:
	@scripts/ensure-apt.sh $(TEST_APT)

clean-venv:
	rm -rf $(VENV)

# Heavy paths timed on generated data; not part of the test suite.
perf: system-deps-run $(VENV)/.installed
	$(PY) perf/run.py
