# Everything starts from the committed lock file; a fresh machine needs Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve demo test check bench lock clean

$(INSTALLED): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Suivi needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Local development: cookies work over plain http://127.0.0.1. Production sets nothing, so cookies are Secure.
serve: $(INSTALLED)
	SUIVI_ENVIRONMENT=$${SUIVI_ENVIRONMENT:-development} $(BIN)/suivi serve $(if $(DEMO),--demo)

demo:
	$(MAKE) serve DEMO=1

# Each test file runs whole on one worker (its live server and browser are per module); one worker per core.
PYTEST_ARGS ?= -n auto --dist loadfile

test: $(INSTALLED)
	$(BIN)/pytest $(PYTEST_ARGS)

check: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/mypy domain service projections

# Each module prints its own section; none of them is part of `make test`.
bench: $(INSTALLED)
	$(BIN)/python -m tests.benchmarks
	$(BIN)/python -m tests.benchmarks.projections
	$(BIN)/python -m tests.benchmarks.http_load
	$(BIN)/python -m tests.benchmarks.scaling
	$(BIN)/python -m tests.benchmarks.documents

lock:
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe --extra dev \
		--output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV)
