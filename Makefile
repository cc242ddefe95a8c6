# Two commands do all the set-up: `make app` serves the app, `make test` runs every test.
# Both create .venv on first use and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8866
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: app lab test lint bench binder-links clean

app: $(VENV)/.ui
	$(BIN)/voila --no-browser --Voila.ip=$(HOST) --port=$(PORT) notebooks/

lab: $(VENV)/.ui
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=$(HOST) $(ALLOW_ROOT) notebooks/

test: $(VENV)/.test lint
	$(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check .

bench: $(VENV)/.test
	$(BIN)/python bench/slider_latency.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.ui: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[ui]'
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[ui,test]'
	touch $@ $(VENV)/.ui

binder-links:
	@$(PYTHON) scripts/binder_links.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
