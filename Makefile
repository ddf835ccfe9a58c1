# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-dev browser benchmark

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

setup-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

# Debian's Chromium for the browser tests; no browser is ever downloaded.
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; }

run: setup
	$(BIN)/python app.py

test: browser setup-dev
	$(BIN)/python -m pytest

benchmark: setup-dev
	$(BIN)/python -m benchmarks.run
