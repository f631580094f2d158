# Two commands for a newcomer: `make run` (the demo) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8

export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run serve test env system-packages lint format clean

$(UV):
	@scripts/ensure-venv.sh $(PYTHON) $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

env: $(VENV)/.synced

system-packages:
	@scripts/install-system-packages.sh

run: env
	@mkdir -p var
	@DEBUG=true PORT=$(PORT) scripts/run-demo.sh

# The production profile on PostgreSQL and Redis (DATABASE_URL, CACHE_URL, SECRET_KEY): gunicorn,
# a worker per task queue, the outbox sweep (scripts/serve.sh, README "Production").
serve: env
	@scripts/serve.sh

# Tests run in production mode (DEBUG off) with a throwaway key; the live test server speaks
# plain HTTP, so cookies cannot be marked Secure there and HTTP is not redirected to HTTPS.
test: env system-packages
	SECRET_KEY="$${SECRET_KEY:-test-$$(date +%s%N)-$$RANDOM}" SECURE_COOKIES=false \
	  SECURE_SSL_REDIRECT=false DEBUG=false \
	  $(PY) -m pytest $(PYTEST_ARGS)

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: env
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) var
