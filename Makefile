# Two commands do everything on a fresh machine with Python 3.11+:
#   make run    virtual environment, install, migrate the embedded SQLite database, load reference data, serve on 127.0.0.1:8000
#   make test   the whole test suite (SQLite by default; TEST_DATABASE_URL=postgresql+asyncpg://... for PostgreSQL)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run setup test lint openapi docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(PY) -m app setup

run: setup
	$(PY) -m app serve

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check app tests migrations bench
	$(VENV)/bin/mypy app

openapi: install
	$(PY) -m app openapi
	$(PY) -m app matrix-doc

clean:
	rm -rf $(VENV) var
