# No Wrong Door. `make run` starts everything; `make test` runs every test. Both install first.
SHELL := /bin/bash
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_FROZEN := 1

.PHONY: asyncapi triage-report triage-model install run test test-unit test-service test-integration test-e2e compose-e2e bench chaos lint migrate clean

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.installed: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(UV) sync --python python3
	@touch $@

# Packages from the npm registry (the AsyncAPI JSON Schema), exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

install: .venv/.installed node_modules/.installed  ## create .venv and node_modules from the lock files

run: install  ## the broker and all five services in the foreground; Ctrl-C stops them
	$(UV) run --no-sync python -m nwd_shared.devstack.stack

test: install  ## every test: unit, integration (Tansu, SQLite, PostgreSQL if set) and end to end
	$(UV) run --no-sync pytest

# Each test is marked by its folder (conftest.py): unit, service, integration or e2e.
test-unit: install  ## pure rules: no database, no broker
	$(UV) run --no-sync pytest -m unit

test-service: install  ## use cases in-process on SQLite (and PostgreSQL if set): no broker
	$(UV) run --no-sync pytest -m service

test-integration: install  ## a real database and the Tansu broker
	$(UV) run --no-sync pytest -m integration

test-e2e: install  ## every service as a process (tests/e2e, and the short fault suite)
	$(UV) run --no-sync pytest -m e2e

compose-e2e: install  ## where a Docker engine exists: docker compose up, smoke check, tests/e2e against it
	PYTHON=.venv/bin/python bash deploy/compose-e2e.sh

chaos: install  ## the fault suite with its long scenarios
	$(UV) run --no-sync pytest tests/faults --chaos -s

lint: install
	$(UV) run --no-sync ruff check shared services tests bench

migrate: install  ## bring every service's SQLite database under .data/ to the latest schema
	for s in intake triage casework referral learning; do $(UV) run --no-sync python -m $$s migrate; done

clean:
	rm -rf .venv $(TOOLS) .data .pytest_cache node_modules

bench: install  ## throughput and latency against floors measured in the same run (not part of make test)
	$(UV) run --no-sync python -m bench.run

asyncapi: install  ## regenerate docs/asyncapi.yaml from the event catalogue
	$(UV) run --no-sync python -m nwd_shared.events.asyncapi docs/asyncapi.yaml

triage-report: install  ## triage on the frozen test split: recall and specificity with intervals, per category, routes
	$(UV) run --no-sync python -m triage_training.report

triage-model: install  ## retrain triage's safeguarding model on the training split, chosen on dev (never reads test)
	cd services/triage && ../../$(UV) run --no-sync python -m triage_training.train
