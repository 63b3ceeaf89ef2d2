# immiche developer tasks. Every target installs what it needs first, so `make test` and
# `make demo` work as the very first commands on a fresh machine.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PRISM_DIR := tests/contract
PRISM := $(PRISM_DIR)/node_modules/.bin/prism
PYTEST_ARGS ?=
# Material for MkDocs prints a banner about MkDocs 2 on every build otherwise.
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help install test pytest test-pythons test-pythons-others lint format typecheck regen regen-check dist-check contract-deps \
	demo bench compat spec-diff clean unasync docs docs-serve typecheck-public

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

install: $(STAMP) ## create .venv and install immiche with its dev tools (editable)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

contract-deps: $(PRISM) ## install the pinned Prism mock server (npm ci)

$(PRISM): $(PRISM_DIR)/package.json $(PRISM_DIR)/package-lock.json
	cd $(PRISM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: install lint typecheck typecheck-public docs regen-check dist-check contract-deps pytest test-pythons-others ## everything CI checks

pytest: install contract-deps ## run the test suite only
	@$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi; \
	exit $$status

PYTHONS ?= 3.10 3.11 3.12 3.13

test-pythons: contract-deps ## the suite (minus generator tests) on Python 3.10-3.13: PYTHONS="3.10 3.13" to choose
	.ci/test-pythons $(PYTHONS)

# In `make test`: the versions other than the one `make pytest` just ran the suite with.
test-pythons-others: install contract-deps
	SKIP_PYTHON=$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])') .ci/test-pythons $(PYTHONS)

lint: install ## ruff check + ruff format --check + the sync client's generated API section is current
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) tools/unasync.py --check

unasync: install ## write Client's API section from AsyncClient's (tools/unasync.py)
	$(PY) tools/unasync.py

format: install ## apply ruff fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

typecheck: install ## mypy --strict on src/
	$(PY) -m mypy

typecheck-public: install ## pyright --verifytypes: immiche and immich_client must score 100% type completeness
	$(PY) scripts/verify_types.py immiche immich_client

docs: install ## build the documentation site into site/ (mkdocs build --strict: any warning fails)
	$(PY) -m mkdocs build --strict --site-dir site

docs-serve: install ## serve the documentation with live reload on http://127.0.0.1:8000
	$(PY) -m mkdocs serve

regen: install ## rebuild generated/ from openapi/immich-openapi.json
	scripts/regen.sh

regen-check: install ## fail when generated/ is not what the pinned spec produces
	scripts/regen.sh --check

compat: install ## check the facade against another Immich spec: make compat SPEC=path.json
	@test -n "$(SPEC)" || { echo "make compat: give the spec to check: make compat SPEC=path/to/immich-openapi.json" >&2; exit 2; }
	$(PY) -m immiche.compat "$(SPEC)"

spec-diff: install ## what changed between two specs: make spec-diff OLD=a.json NEW=b.json
	@test -n "$(OLD)" && test -n "$(NEW)" || { echo "make spec-diff: give both specs: make spec-diff OLD=old.json NEW=new.json" >&2; exit 2; }
	$(PY) -m immiche.spec_diff "$(OLD)" "$(NEW)"

demo: install ## the CLI and library against the embedded fake Immich server (thumbnails in ./demo-output/)
	$(PY) scripts/demo.py --output demo-output

dist-check: install ## build wheel + sdist, install the wheel into a fresh venv, import both packages
	$(PY) scripts/dist_check.py

bench: install ## benchmarks vs raw httpx and other clients (QUICK=1: smoke mode; ONLY=listing,...)
	$(PY) -m bench $(if $(QUICK),--quick) $(if $(ONLY),--only $(ONLY))

clean: ## remove build outputs, caches and the virtual environment
	rm -rf $(VENV) .venvs dist build site .mypy_cache .ruff_cache .pytest_cache .hypothesis demo-output \
		$(PRISM_DIR)/node_modules bench/.cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
