# One target per thing a person does. Each target installs what it needs first.
#   make serve   - set up, then serve the book at http://127.0.0.1:8000
#   make test    - set up, then run every test (pages, snippets, lab, build, browser)
#   make offline - the book for reading without a server: site-offline/ and site-offline.zip

# The Python that makes .venv; the pinned packages are tested with 3.11 only,
# so `check-python` refuses another (choose one: make serve PYTHON=python3.11).
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
# TensorFlow's C++ log lines below FATAL stay hidden once its logging is set up:
# with 2, Linux without a GPU driver still prints "E0000 ... failed call to cuInit"
# and Keras training under op determinism, on data that does not fill whole
# batches, "E0000 ... NodeDef mentions attribute ...", which are harmless but read as failures. Lines written while TensorFlow
# loads, before its logging is set up, show at any level (the home page lists
# them). `make install` sets the same in .venv/bin/activate (QUIET_TENSORFLOW).
export TF_CPP_MIN_LOG_LEVEL := 3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
KATEX_VERSION := 0.16.22
KATEX_DIR := docs/assets/katex
AXE_VERSION := 4.14.1
AXE_DIR := tests/browser/vendor
IFRAME_WORKER_VERSION := 1.0.4
IFRAME_WORKER_DIR := docs/assets/iframe-worker

.PHONY: install check-python serve build offline test lint format figures lab lab-results lab-report \
	lab-notebook benchmark browser-deps vendor-katex \
	vendor-axe vendor-iframe-worker clean

# The line `make install` appends to .venv/bin/activate, so that after
# `source .venv/bin/activate` Python runs the book's code without TensorFlow's
# E0000 lines; a value the reader set before activating is kept.
QUIET_TENSORFLOW := export TF_CPP_MIN_LOG_LEVEL="$${TF_CPP_MIN_LOG_LEVEL:-3}"

install: $(INSTALLED)
	@grep -qxF '$(QUIET_TENSORFLOW)' $(BIN)/activate || printf '%s\n' '' \
	  '# Added by make install (the book): hide TensorFlow C++ log lines below FATAL.' \
	  '# `unset TF_CPP_MIN_LOG_LEVEL` shows them again.' \
	  '$(QUIET_TENSORFLOW)' >> $(BIN)/activate

# Python 3.11 or a one-line refusal that names the version found: .venv's Python
# once it exists, $(PYTHON) before. Run before every target that installs.
IS_PYTHON_3_11 = import sys; found = "%d.%d" % sys.version_info[:2]; sys.exit(found != "3.11" and
check-python:
	@if test -x $(BIN)/python; then :; elif ! command -v $(PYTHON) >/dev/null; then \
	  echo "make: no $(PYTHON) found; the book needs Python 3.11: choose one, e.g. make serve PYTHON=python3.11" >&2; exit 1; fi
	@if test -x $(BIN)/python; then $(BIN)/python -c '$(IS_PYTHON_3_11) f"make: $(VENV) has Python {found}, the book needs 3.11: remove $(VENV) and run again with a Python 3.11, e.g. make serve PYTHON=python3.11")'; \
	else $(PYTHON) -c '$(IS_PYTHON_3_11) f"make: PYTHON=$(PYTHON) is Python {found}, the book needs 3.11: choose one, e.g. make serve PYTHON=python3.11")'; fi

$(INSTALLED): requirements.txt pyproject.toml | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: install
	$(BIN)/mkdocs build --strict

# Material's offline plugin (OFFLINE=true in mkdocs.yml): pages open from file://,
# search included. Tested by tests/browser/test_offline.py.
offline: install
	OFFLINE=true $(BIN)/mkdocs build --strict --site-dir site-offline
	rm -f site-offline.zip
	$(BIN)/python -m zipfile -c site-offline.zip site-offline

test: install browser-deps
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Redraw every figure of the book into docs/figures/ and write what each shows into
# tests/figures/ (the tests compare by that). `make lab-results` and `make lab-report` also
# redraw the lab's three, in docs/figures/lab/, but not their descriptions.
figures: install
	$(BIN)/python -m snippets.figures --write

# The RMSprop lab: the default sweep on the full MNIST into lab/my-results/ (the
# committed lab/results/ stay as they are), the book's own results made again
# (`lab-results`, which rewrites lab/results/ and docs/figures/lab/), their tables
# and figures again, and the training speed against the machine's.
lab: install
	$(BIN)/python lab/rmsprop_sweep.py

lab-results: install
	$(BIN)/python lab/rmsprop_sweep.py --results lab/results

# The lab notebook's stored outputs (docs/notebooks/rmsprop-lab.ipynb), shown on
# its page: run after its cells change or `make lab-results` changes the selected
# configuration (the build refuses outputs older than the cells).
lab-notebook: install
	$(BIN)/python -m hooks.book_notebooks store docs/notebooks/rmsprop-lab.py

lab-report: install
	$(BIN)/python lab/rmsprop_sweep.py report --results lab/results

benchmark: install
	$(BIN)/python lab/benchmark.py

# Headless Chromium from Debian's packages, for the browser tests; never a download.
browser-deps:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# KaTeX from the npm registry, served by the site itself (no CDN).
vendor-katex:
	rm -rf $(KATEX_DIR) && mkdir -p $(KATEX_DIR)/fonts $(KATEX_DIR)/contrib
	cd $$(mktemp -d) && npm pack --silent katex@$(KATEX_VERSION) >/dev/null && \
	  tar xzf katex-$(KATEX_VERSION).tgz && \
	  cp package/dist/katex.min.js package/dist/katex.min.css package/LICENSE $(CURDIR)/$(KATEX_DIR)/ && \
	  cp package/dist/contrib/auto-render.min.js $(CURDIR)/$(KATEX_DIR)/contrib/ && \
	  cp package/dist/fonts/*.woff2 $(CURDIR)/$(KATEX_DIR)/fonts/
	printf 'KaTeX %s from the npm registry (npm pack katex@%s), MIT licence (LICENSE).\nOnly the minified build, auto-render and the woff2 fonts are kept. Refresh: make vendor-katex\n' \
	  $(KATEX_VERSION) $(KATEX_VERSION) > $(KATEX_DIR)/PROVENANCE.txt

# axe-core from the npm registry, injected into every page by the browser tests.
vendor-axe:
	mkdir -p $(AXE_DIR)
	cd $$(mktemp -d) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	  tar xzf axe-core-$(AXE_VERSION).tgz && \
	  cp package/axe.min.js package/LICENSE $(CURDIR)/$(AXE_DIR)/
	printf 'axe-core %s from the npm registry (npm pack axe-core@%s), MPL-2.0 licence (LICENSE).\nOnly axe.min.js is kept; the browser tests inject it into every page. Refresh: make vendor-axe\n' \
	  $(AXE_VERSION) $(AXE_VERSION) > $(AXE_DIR)/PROVENANCE.txt

# The web-worker shim that lets the offline build search from file:// (hooks/offline.py).
vendor-iframe-worker:
	mkdir -p $(IFRAME_WORKER_DIR)
	cd $$(mktemp -d) && npm pack --silent iframe-worker@$(IFRAME_WORKER_VERSION) >/dev/null && \
	  tar xzf iframe-worker-$(IFRAME_WORKER_VERSION).tgz && \
	  cp package/shim/index.js $(CURDIR)/$(IFRAME_WORKER_DIR)/shim.js && \
	  cp package/LICENSE $(CURDIR)/$(IFRAME_WORKER_DIR)/
	printf 'iframe-worker %s from the npm registry (npm pack iframe-worker@%s), MIT licence (LICENSE).\nOnly shim/index.js is kept, as shim.js: the offline build (make offline) loads it so that\nsearch runs from file://, where browsers refuse web workers. Refresh: make vendor-iframe-worker\n' \
	  $(IFRAME_WORKER_VERSION) $(IFRAME_WORKER_VERSION) > $(IFRAME_WORKER_DIR)/PROVENANCE.txt

clean:
	rm -rf site site-offline site-offline.zip test-artifacts .pytest_cache
