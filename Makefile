# The two commands of the Quick start: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Reproducible site/: MkDocs dates the sitemap from this; default to the last commit's time.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: site pages check exhibit pdf lint test golden serve watch bench clean

site: $(STAMP)
	$(BIN)/python -m generator build

pages: $(STAMP)
	$(BIN)/python -m generator build --no-site

check: $(STAMP)
	$(BIN)/python -m generator check

# The report as Exhibit 1.01 to Form SD, for EDGAR: build/exhibit-1.01-<YEAR>.htm.
exhibit: $(STAMP)
	$(BIN)/python -m generator exhibit

# The whole report as one PDF, printed by Debian's Chromium: site/downloads/report.pdf (after `make site`).
pdf: site /usr/bin/chromium
	$(BIN)/python -m generator pdf

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,pdf]'
	touch $(STAMP)

# Root in the container; on a CI runner (GitHub's ubuntu images already ship /usr/bin/chromium) through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Lint (ruff) and type checks (mypy) of the whole package; make test runs them first.
lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy

# The tests over real supplier workbooks read CMR_CORPUS (default: ../shared/corpus beside the project).
# axe-core (the accessibility rules the browser tests run) from the npm registry, as locked.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

test: lint /usr/bin/chromium node_modules/.package-lock.json
	CMR_CORPUS=$${CMR_CORPUS:-../shared/corpus} $(BIN)/python -m pytest

# Preview at http://127.0.0.1:8000/: regenerates docs/ and reloads the browser when data/ changes.
serve: $(STAMP)
	$(BIN)/python -m generator serve

# docs/ and review/ written again whenever data/ changes, in one process (fast rebuilds); Ctrl+C stops it.
watch: $(STAMP)
	$(BIN)/python -m generator watch

# Regenerate the golden pages under tests/golden/ after an intended change to the templates.
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py

# Speed and memory at a large filer's scale (needs the corpus's blank templates).
bench: $(STAMP)
	CMR_CORPUS=$${CMR_CORPUS:-../shared/corpus} $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) site .pytest_cache node_modules
