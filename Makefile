# The two commands of the Quick start: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Reproducible site/: MkDocs dates the sitemap from this; default to the last commit's time.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: site pages check exhibit test golden serve clean

site: $(STAMP)
	$(BIN)/python -m generator build

pages: $(STAMP)
	$(BIN)/python -m generator build --no-site

check: $(STAMP)
	$(BIN)/python -m generator check

# The report as Exhibit 1.01 to Form SD, for EDGAR: build/exhibit-1.01.htm.
exhibit: $(STAMP)
	$(BIN)/python -m generator exhibit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(STAMP) /usr/bin/chromium
	$(BIN)/python -m pytest

# Regenerate the golden pages under tests/golden/ after an intended change to the templates.
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py

clean:
	rm -rf $(VENV) site .pytest_cache
