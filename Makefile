# Two commands do all the set-up: `make app` serves the app, `make test` runs every test.
# Both create .venv on first use and reinstall only when pyproject.toml changes.

# PYTHON makes .venv, once: it must be at least pyproject's requires-python (3.11), checked before
# anything is made. A .venv whose Python is older (made before this check) is removed and made again,
# and a .venv whose making fails is removed: none is ever reused half-made.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON_NEEDED := $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)"/\1/p' pyproject.toml)
comma := ,
# Prints the Python's version; fails if it is older than PYTHON_NEEDED.
PYTHON_CHECK := import sys; print(*sys.version_info[:3], sep="."); sys.exit(sys.version_info < ($(subst .,$(comma),$(PYTHON_NEEDED)),))
ifneq ($(wildcard $(BIN)/python),)
ifneq ($(shell $(BIN)/python -c '$(PYTHON_CHECK)' >/dev/null 2>&1 && echo ok),ok)
$(info $(VENV) was made by a Python older than $(PYTHON_NEEDED) (or one that no longer runs): removing it, to make it again with $(PYTHON))
$(shell rm -rf $(VENV))
endif
endif
# For the tests, from npm: JupyterHub's proxy (the JupyterHub integration test) and axe-core (the
# accessibility checker injected into every page). The stamp names them: a change installs again.
NODE_PACKAGES := configurable-http-proxy@5 axe-core@4.14.1
NODE_STAMP := $(VENV)/.node-$(subst @,-,$(subst $() ,+,$(NODE_PACKAGES)))
HOST ?= 127.0.0.1
PORT ?= 8866
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# NOTEBOOKS: the folder `make app` and `make serve` serve.
NOTEBOOKS ?= notebooks/
# `make serve`: Voila for a classroom (docs/teaching.md). Listens on HOST:PORT; set TOKEN to require
# ?token=... on first visit; POOL preheated kernels of the page PREHEAT; idle kernels culled after
# CULL s (checked every CULL_INTERVAL s); never more than MAX_KERNELS kernels (empty: sized from
# this machine's memory). The class view is at /class for the teacher's token TEACHER (empty: one is made
# and the log prints the teacher's address); the class's answers are kept in CLASS_DATA/class.sqlite.
TOKEN ?=
TEACHER ?=
CLASS_DATA ?= $(CURDIR)/class-data
POOL ?= 4
PREHEAT ?= 02_batch_of_three.ipynb
CULL ?= 600
CULL_INTERVAL ?= 30
MAX_KERNELS ?=

# The project's Voila template (share/jupyter/voila/templates/batchnet): an editable install does not
# copy it into the environment, so Voila and JupyterLab are told where it is.
export JUPYTER_PATH := $(CURDIR)/share/jupyter
# Voila with batchnet's serving parts (batchnet_core/serving.py); it reads voila.json from here.
# PORT is the port or nothing: with the port taken, Voila and JupyterLab would otherwise listen on
# another one (port_retries, 50 by default) and say so only in their log.
# Before either starts, HOST:PORT is tried: taken, the command stops and says how to choose another PORT.
PORT_FREE = @$(BIN)/python scripts/port_free.py '$(HOST)' '$(PORT)' 'make $@'
VOILA = $(BIN)/python -m batchnet_core.serving --no-browser --Voila.ip=$(HOST) --port=$(PORT) --Voila.port_retries=0

.PHONY: app lab serve test lint bench bench-first-screen bench-coverage bench-page bench-class bench-students load mutate binder-links clean

app: $(VENV)/.ui
	$(PORT_FREE)
	$(VOILA) $(NOTEBOOKS)

# No cell time limit: a preheated kernel waits inside its cell for its visitor, however long.
serve: $(VENV)/.ui
	$(PORT_FREE)
	$(VOILA) --token=$(TOKEN) \
		--ClassroomVoila.class_view=True --ClassroomVoila.teacher_token=$(TEACHER) \
		--ClassroomVoila.class_database=sqlite:///$(abspath $(CLASS_DATA))/class.sqlite \
		--VoilaConfiguration.preheat_kernel=True \
		--VoilaKernelManager.kernel_pools_config='{"default": {"pool_size": 0}, "$(PREHEAT)": {"pool_size": $(POOL)}}' \
		--MappingKernelManager.cull_idle_timeout=$(CULL) --MappingKernelManager.cull_interval=$(CULL_INTERVAL) \
		$(if $(MAX_KERNELS),--ClassroomKernelManager.max_kernels=$(MAX_KERNELS)) $(NOTEBOOKS)

# JupyterLab on HOST:PORT; with TOKEN set, that token instead of a generated one. It opens LAB_WORK, a
# working copy of notebooks/ that git ignores: a learner's outputs are saved there, and the tracked
# notebooks stay as they are. A page missing from it is copied from notebooks/ at each start; a page
# already there is the learner's and is kept (delete it to start that page afresh).
LAB_WORK ?= lab-work
lab: $(VENV)/.ui
	$(PORT_FREE)
	@mkdir -p '$(LAB_WORK)' && copied= && for page in notebooks/*.ipynb; do \
		[ -e '$(LAB_WORK)'/"$${page##*/}" ] || { cp "$$page" '$(LAB_WORK)/' && copied="$$copied $${page##*/}"; }; \
	done; \
	echo "JupyterLab opens $(LAB_WORK)/, a working copy of notebooks/ of your own: your work is saved there, and notebooks/ stays as it is."; \
	[ -z "$$copied" ] || echo "Copied from notebooks/:$$copied"
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=$(HOST) --ServerApp.port=$(PORT) --ServerApp.port_retries=0 \
		$(if $(TOKEN),--IdentityProvider.token=$(TOKEN)) $(ALLOW_ROOT) '$(LAB_WORK)/'

test: $(VENV)/.test $(NODE_STAMP) lint
	$(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check .

bench: $(VENV)/.test
	$(BIN)/python bench/slider_latency.py

# A first visit's bytes on the wire and time to usable, on emulated school Wi-Fi (150 ms, 1.5 Mbit/s).
# Lighthouse's mobile score and a first and second visit on school Wi-Fi, pages 02 and 06 (bench/first_screen.py).
BENCH_NODE_PACKAGES := lighthouse@12.8.2
BENCH_NODE_STAMP := $(VENV)/.node-bench-$(subst @,-,$(BENCH_NODE_PACKAGES))
bench-first-screen: $(VENV)/.test $(BENCH_NODE_STAMP)
	$(BIN)/python bench/first_screen.py

$(BENCH_NODE_STAMP): | $(VENV)/bin/python
	npm install --silent --no-fund --no-audit --prefix $(VENV)/node $(BENCH_NODE_PACKAGES)
	touch $@

# Which of Voila's front end pages 02 and 06 run, script by script: Chromium's coverage (bench/front_end_coverage.py).
bench-coverage: $(VENV)/.test
	$(BIN)/python bench/front_end_coverage.py

bench-page: $(VENV)/.test
	$(BIN)/python bench/page_weight.py

load: $(VENV)/.test
	$(BIN)/python bench/load.py

# Students over the kernel websocket, no browsers: bytes, CPU and latency per slider change, and the
# rate a make serve holds before p95 passes 300 ms, next to the bare page (bench/students.py).
bench-students: $(VENV)/.test
	$(BIN)/python bench/students.py

# One student's slider while others answer on page 03 and the class records every answer.
bench-class: $(VENV)/.test
	$(BIN)/python bench/class_answers.py

# Mutation testing of batchnet_core (docs/testing.md), outside CI: about 4 hours on 2 cores.
# Results stay in mutants/; `$(BIN)/mutmut results` lists the survivors.
mutate: $(VENV)/.test
	$(BIN)/python -m pip install --quiet 'mutmut==3.8.1'
	$(BIN)/mutmut run --max-children 2

$(VENV)/bin/python:
	@found=$$($(PYTHON) -c '$(PYTHON_CHECK)' 2>/dev/null) || { \
		if [ -n "$$found" ]; then found="Python $$found ($$(command -v $(PYTHON)))"; else found="no Python that runs"; fi; \
		echo "batchnet needs Python $(PYTHON_NEEDED) or newer, and PYTHON=$(PYTHON) is $$found."; \
		echo "Name a newer one, for example: make $(or $(firstword $(MAKECMDGOALS)),app) PYTHON=python$(PYTHON_NEEDED)"; \
		echo "No $(VENV) was made."; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }

$(VENV)/.ui: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[ui]'
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[ui,test]'
	touch $@ $(VENV)/.ui

binder-links:
	@$(PYTHON) scripts/binder_links.py

$(NODE_STAMP): | $(VENV)/bin/python
	npm install --silent --no-fund --no-audit --prefix $(VENV)/node $(NODE_PACKAGES)
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts mutants
