# Recours — the two commands of the README, and a few more.
#   make run    set up and start the local web app on 127.0.0.1 (prints its URL)
#   make test   set up (incl. Debian packages) and run lint, types, import contract, tests
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# WeasyPrint (the dossier and letters as PDF) draws text with Pango, in DejaVu fonts.
APP_APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
# The tests also drive Debian's chromium (no download) and read PDFs back with pdftotext.
APT_PACKAGES := $(APP_APT_PACKAGES) chromium poppler-utils

.PHONY: run test test-deep lint types contracts unit bench schema messages app-deps system-deps clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || \
	  { echo "Python 3.11 ou plus récent est nécessaire / Python 3.11+ is required"; exit 2; }
	@# pdqhash has no Linux wheel: it compiles, so a C++ compiler and the Python headers are needed.
	@command -v g++ >/dev/null 2>&1 && $(PYTHON) -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq g++ python3-dev; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv && \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app app-deps
	$(BIN)/recours serve

# Debian packages, installed only when missing.
define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

app-deps:
	$(call install_missing,$(APP_APT_PACKAGES))

system-deps:
	$(call install_missing,$(APT_PACKAGES))

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests scripts

types: $(VENV)/.installed-test
	$(BIN)/mypy src

contracts: $(VENV)/.installed-test
	$(BIN)/lint-imports

unit: $(VENV)/.installed-test system-deps
	$(BIN)/pytest -m "not deep" -q -p no:cacheprovider

test: lint types contracts unit

test-deep: $(VENV)/.installed-test system-deps
	$(BIN)/pytest -m deep -q -p no:cacheprovider

bench: $(VENV)/.installed-test
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_vault.py
	$(BIN)/python scripts/bench_chat.py
	$(BIN)/python scripts/bench_dossier.py
	$(call install_missing,apache2-utils)
	$(BIN)/python scripts/bench_load.py

# JSON Schemas for contributors who edit the data files (a test checks they are current).
schema: $(VENV)/.installed-app
	$(BIN)/python scripts/export_schema.py

# Re-extract the French message ids into the English catalogue (then translate the new ones).
messages: $(VENV)/.installed-test
	$(BIN)/python scripts/update_messages.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis src/*.egg-info
