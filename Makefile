# Developer workflow. `make demo` and `make test` work on a fresh clone with only Python >= 3.10
# and make: the first run creates .venv and installs the package with its dev extra.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SCHEMA ?= ../shared/fluent-schema/schema.json
HAND_WRITTEN := fluent_sdk tests benchmarks

.PHONY: install lint typecheck test demo generate check-generated bench docs clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check $(HAND_WRITTEN)
	$(BIN)/ruff format --check $(HAND_WRITTEN)
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

demo: install
	$(BIN)/fluent-sdk demo

# SDL from the introspection result -> default operation documents -> validation -> typed client
# (ariadne-codegen, then formatting).
generate: install
	$(BIN)/fluent-sdk schema import $(SCHEMA)
	$(BIN)/fluent-sdk schema operations --schema graphql/schema.graphql
	$(BIN)/fluent-sdk schema validate --schema graphql/schema.graphql
	$(BIN)/python -m fluent_sdk._codegen

# Regenerate and fail if anything committed differs (CI runs this when the schema is present).
check-generated: generate
	@stale="$$(git status --porcelain -- graphql fluent_sdk/_generated)"; \
	if [ -n "$$stale" ]; then \
		echo "$$stale" >&2; \
		echo "generated files are stale: run 'make generate' and commit" >&2; exit 1; \
	fi; \
	echo "generated files are fresh"

# The docs site (also built with --strict by tests/docs/test_docs_build.py in `make test`).
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache dist build
