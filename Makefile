# GreenLang Warehouse — `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

.PHONY: setup manifest demo ui sql test test-fast bench bench-stream lint generate schemas lookml clean erp-sim erp-sync grid-sim backup archive bench-archive

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The local Dagster instance (make demo, make ui): kept out of the project root, where `dagster dev`
# would warn that a dagster.yaml beside it is not the one in DAGSTER_HOME.
$(DAGSTER_HOME)/dagster.yaml: demo/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp demo/dagster.yaml $@

setup: $(BIN)/.installed $(DAGSTER_HOME)/dagster.yaml

# dagster-dbt reads the dbt manifest of the default target and of the ones CI proves. `dbt parse` runs
# only for a manifest older than a file of the dbt project (greenlang/warehouse/manifest.py: the same
# rule the code location applies when `dagster dev` loads it).
manifest: setup
	$(BIN)/python -m greenlang.warehouse.manifest duckdb postgres

demo: manifest
	$(BIN)/python -m demo.run

ui: manifest
	$(BIN)/python -m demo.ui

# A SQL shell on the warehouse of GREENLANG_TARGET: psql, the duckdb CLI if installed, else demo/sql.py's.
sql: setup
	$(BIN)/python -m demo.sql

# The local simulators on their own (e.g. to point a dagster dev you run yourself at them).
erp-sim: setup
	$(BIN)/python -m simulators.erp --port 8765

grid-sim: setup
	$(BIN)/python -m simulators.grid --port 8766

# Sync every ERP entity once from a simulator started for the occasion.
erp-sync: manifest
	$(BIN)/python -m demo.erp

# Everything: lint, unit tests, dbt runs, PostgreSQL (CI fails rather than skips when the server is
# missing) and the end-to-end builds. xdist keeps a module that shares one dbt build on one worker
# (--dist loadscope, pyproject.toml) and starts the slowest modules first (tests/conftest.py); the 25
# slowest tests close the output, so a CI log shows where its time went.
test: manifest lint
	$(BIN)/pytest -n 2 --durations=25

# Unit tests only, in under two minutes: no PostgreSQL, no dbt subprocess, no end-to-end build, none of
# the tests marked slow (markers: pyproject.toml; postgres and dbt are set by tests/conftest.py).
test-fast: setup
	$(BIN)/pytest -n 2 -m "not postgres and not dbt and not e2e and not slow"

bench: manifest
	$(BIN)/python -m bench.load_cbam_shipments

# Back up the warehouse of GREENLANG_TARGET into GREENLANG_BACKUP_DIR (pg_dump or EXPORT DATABASE, with a
# manifest of per-table counts and hashes); restore: python -m greenlang.lifecycle.backup restore (docs/design.md).
backup: setup
	$(BIN)/python -m greenlang.lifecycle.backup create

# Archive the raw partitions past their retention (GREENLANG_RETENTION_DAYS; none set: nothing is archived)
# to Parquet under GREENLANG_ARCHIVE_URI (an s3:// object store, or by default the folder .warehouse/archive),
# verified by count and hash before they leave the hot tables; list, restore, query, trace:
# python -m greenlang.lifecycle.archive (docs/governance.md).
archive: setup
	$(BIN)/python -m greenlang.lifecycle.archive run

# Archive and restore rows/s against a bare Parquet write and read of the same rows, on an S3-compatible
# object store the benchmark starts (moto's server on 127.0.0.1).
bench-archive: setup
	$(BIN)/python -m bench.archive_round_trip

# SCADA meter readings through a NATS server of its own into each engine: events/s and latency p50/p99.
bench-stream: setup
	$(BIN)/python -m bench.stream_meter_readings

# Files generated from the contracts and source declarations: JSON Schemas and the dbt raw sources.
generate: setup
	$(BIN)/python -m greenlang.codegen

schemas: generate

# The Looker views and explores (looker/, committed) from the PostgreSQL manifest: greenlang/looker/lookml.py.
lookml: manifest
	$(BIN)/python -m greenlang.looker.lookml

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf .warehouse .dagster_home dbt_project/target dbt_project/logs
