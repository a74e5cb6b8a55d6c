"""Every file of the bad-input corpus through the loader, on DuckDB and PostgreSQL: no crash, every
record loaded (with the manifest's values) or rejected (with its reasons), every unreadable file a
recorded failed batch.

One warehouse per engine for the module (a PostgreSQL database per case would cost a second each);
each case loads under its own tenant and reads back only its own batch.
"""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.contract import DECIMAL_SCALE
from greenlang.core.loader import LoadError, SourceSpec, load_file
from greenlang.core.readers import LimitExceededError
from greenlang.core.warehouse import Warehouse

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
LOADABLE = [entry for entry in MANIFEST if "expect_rejected_rows" in entry]
UNREADABLE = [entry for entry in MANIFEST if entry["outcome"] == "unreadable"]


def spec_for(entry: dict) -> SourceSpec:
    return dataclasses.replace(CBAM_SHIPMENTS, **entry.get("read", {}))


def tenant_for(entry: dict) -> str:
    return f"corpus-{MANIFEST.index(entry)}"


@pytest.mark.parametrize("entry", LOADABLE, ids=[entry["file"] for entry in LOADABLE])
def test_corpus_file_loads_with_the_expected_rejections(entry: dict, module_warehouse: Warehouse) -> None:
    result = load_file(module_warehouse, spec_for(entry), CORPUS / entry["file"], tenant_for(entry))

    with module_warehouse.session() as session:
        dead = session.fetch_dicts(
            "SELECT source_row, errors, raw_record FROM raw.dead_letter WHERE batch_id = %(batch)s "
            "ORDER BY source_row",
            {"batch": result.batch_id},
        )
        loaded = session.scalar(
            "SELECT count(*) FROM raw.customs__cbam_shipments WHERE _batch_id = %(batch)s",
            {"batch": result.batch_id},
        )
        values = {
            row["_source_row"]: row
            for row in session.fetch_dicts(
                "SELECT * FROM raw.customs__cbam_shipments WHERE _batch_id = %(batch)s",
                {"batch": result.batch_id},
            )
        }
        ledger = session.fetch_dicts(
            "SELECT status, rows_read, rows_loaded, rows_rejected FROM raw.load_batch WHERE batch_id = %(batch)s",
            {"batch": result.batch_id},
        )
    assert [row["source_row"] for row in dead] == entry["expect_rejected_rows"]
    assert result.rows_read == entry["rows"] == loaded + len(dead), "every physical record accounted for"
    assert ledger == [
        {"status": "succeeded", "rows_read": entry["rows"], "rows_loaded": loaded, "rows_rejected": len(dead)}
    ]
    errors = {row["source_row"]: row["errors"] for row in dead}
    for row in dead:
        assert json.loads(row["errors"]), "a rejected row always says why"
        assert json.loads(row["raw_record"]), "and keeps what was received"
    for source_row, reason in entry.get("reasons", {}).items():
        assert reason in " | ".join(error["message"] for error in json.loads(errors[source_row]))
    for source_row, expected in entry.get("loaded", {}).items():
        assert {column: str(values[source_row][column]) for column in expected} == {
            column: str(Decimal(value).quantize(Decimal(10) ** -DECIMAL_SCALE))
            for column, value in expected.items()
        }


@pytest.mark.parametrize("entry", UNREADABLE, ids=[entry["file"] for entry in UNREADABLE])
def test_unreadable_corpus_file_fails_the_load_and_is_recorded(
    entry: dict, module_warehouse: Warehouse
) -> None:
    with pytest.raises(LoadError, match=re.escape(entry["message"])) as raised:
        load_file(module_warehouse, spec_for(entry), CORPUS / entry["file"], tenant_for(entry))
    assert isinstance(raised.value.__cause__, LimitExceededError) == entry.get("limit", False)
    with module_warehouse.session() as session:
        batch = session.fetch_dicts(
            "SELECT status, rows_read, error FROM raw.load_batch WHERE batch_id = %(batch)s",
            {"batch": raised.value.batch_id},
        )
    assert [(row["status"], row["rows_read"]) for row in batch] == [("failed", 0)]
    assert entry["message"] in batch[0]["error"]
