"""The loader on a real DuckDB file and a real PostgreSQL database."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
import signal
import time
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import Field

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.contract import Contract
from greenlang.core.loader import LoadError, SourceSpec, load_file, load_records
from greenlang.core.readers import loads_exact
from greenlang.core.row_conservation import row_conservation_violations
from greenlang.core.validation import BatchValidator
from greenlang.core.warehouse import Warehouse

HEADER = (
    "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes,"
    "customs_procedure,installation_id,actual_direct_see,actual_indirect_see,electricity_consumed_mwh,"
    "carbon_price_paid_eur"
)
GOOD = [
    "DE123456789012345,26DE000000000000A1,1,2026-02-03,72081000,CN,25.5,40,CN-INST-1,,,,",
    "DE123456789012345,26DE000000000000A1,2,2026-02-03,76011000,IN,1.125,4000,,1.92,0.4,3.2,120.50",
    "de123456789012345,26DE000000000000A1,3,03.02.2026,25231000,tr,10,40, TR-INST-9 ,,,,",
]
BAD = [
    "DE123456789012345,26DE000000000000A1,4,2026-02-30,72081000,CN,25.5,40,,,,,",  # no 30 February
    "DE123456789012345,26DE000000000000A1,5,2026-02-03,7208100,CN,25.5,40,,,,,",  # 7-digit CN code
    "DE123456789012345,26DE000000000000A1,6,2026-02-03,72081000,CN,-2,40,,,,,",  # negative mass
    "DE123456789012345,26DE000000000000A1,7,2026-02-03,72081000,CN,5,40,,,0.3,,",  # indirect without direct
]


def write_csv(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def raw_rows(warehouse: Warehouse, table: str = "raw.customs__cbam_shipments", where: str = "") -> list[dict]:
    with warehouse.session() as session:
        return session.fetch_dicts(f"SELECT * FROM {table} {where}")


def test_loads_valid_rows_and_dead_letters_the_rest(warehouse: Warehouse, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "shipments.csv", GOOD + BAD)

    result = load_file(warehouse, CBAM_SHIPMENTS, path, "acme")

    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "succeeded",
        7,
        3,
        4,
    )
    rows = sorted(raw_rows(warehouse), key=lambda row: row["_source_row"])
    assert [row["_source_row"] for row in rows] == [1, 2, 3]
    assert {row["tenant_id"] for row in rows} == {"acme"}
    assert {row["_batch_id"] for row in rows} == {result.batch_id}
    assert {row["_source_uri"] for row in rows} == {path.resolve().as_uri()}
    assert all(len(row["_row_sha256"]) == 64 for row in rows)
    # coerced by the contract: upper-cased codes, day-first date, trimmed text
    assert rows[2]["declarant_eori"] == "DE123456789012345"
    assert rows[2]["origin_country"] == "TR"
    assert rows[2]["import_date"] == dt.date(2026, 2, 3)
    assert rows[2]["installation_id"] == "TR-INST-9"
    assert rows[1]["net_mass_tonnes"] == Decimal("1.125")
    assert rows[1]["carbon_price_paid_eur"] == Decimal("120.50")

    dead = sorted(raw_rows(warehouse, "raw.dead_letter"), key=lambda row: row["source_row"])
    assert [row["source_row"] for row in dead] == [4, 5, 6, 7]
    fields = [[error["field"] for error in json.loads(row["errors"])] for row in dead]
    assert fields == [["import_date"], ["cn_code"], ["net_mass_tonnes"], [None]]
    assert "actual_indirect_see given without actual_direct_see" in dead[3]["errors"]
    assert json.loads(dead[1]["raw_record"])["cn_code"] == "7208100"
    assert {row["source"] for row in dead} == {"customs__cbam_shipments"}

    (batch,) = raw_rows(warehouse, "raw.load_batch")
    assert (batch["rows_read"], batch["rows_loaded"], batch["rows_rejected"]) == (7, 3, 4)
    assert batch["contract_version"] == CBAM_SHIPMENTS.contract.contract_version
    with warehouse.session() as session:
        assert row_conservation_violations(session, CBAM_SHIPMENTS.name) == []


def test_loading_the_same_file_twice_changes_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "shipments.csv", GOOD + BAD)
    first = load_file(warehouse, CBAM_SHIPMENTS, path, "acme")
    before = (
        raw_rows(warehouse),
        raw_rows(warehouse, "raw.dead_letter"),
        raw_rows(warehouse, "raw.load_batch"),
    )

    again = load_file(warehouse, CBAM_SHIPMENTS, path, "acme")
    renamed = load_file(warehouse, CBAM_SHIPMENTS, path.rename(tmp_path / "copy.csv"), "acme")

    assert again.status == renamed.status == "skipped"
    assert again.batch_id == renamed.batch_id == first.batch_id
    after = (
        raw_rows(warehouse),
        raw_rows(warehouse, "raw.dead_letter"),
        raw_rows(warehouse, "raw.load_batch"),
    )
    assert after == before


def test_the_same_file_for_another_tenant_is_its_own_load(warehouse: Warehouse, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "shipments.csv", GOOD)
    load_file(warehouse, CBAM_SHIPMENTS, path, "acme")
    other = load_file(warehouse, CBAM_SHIPMENTS, path, "nordic")
    assert other.status == "succeeded"
    assert sorted(row["tenant_id"] for row in raw_rows(warehouse)) == ["acme"] * 3 + ["nordic"] * 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "not a text file: it is a PNG image"),
        (
            (HEADER.replace("cn_code,", "") + "\nDE1,X,1,2026-01-01,CN,1,40,,,,,\n").encode(),
            "required column(s) missing: cn_code",
        ),
    ],
    ids=["empty", "binary", "missing-required-column"],
)
def test_a_file_that_cannot_be_loaded_fails_and_is_recorded(
    warehouse: Warehouse, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)

    with pytest.raises(LoadError, match=re.escape(message)) as raised:
        load_file(warehouse, CBAM_SHIPMENTS, path, "acme")

    (batch,) = raw_rows(warehouse, "raw.load_batch")
    assert batch["batch_id"] == raised.value.batch_id
    assert batch["status"] == "failed"
    assert "broken.csv" in batch["error"]
    assert (batch["rows_read"], batch["rows_loaded"], batch["rows_rejected"]) == (0, 0, 0)
    assert raw_rows(warehouse) == []
    assert raised.value.quarantined
    # quarantined: the same bytes fail again without being read or recorded again, unless retried
    with pytest.raises(LoadError, match=re.escape(message)) as again:
        load_file(warehouse, CBAM_SHIPMENTS, path, "acme")
    assert again.value.batch_id == batch["batch_id"]
    assert len(raw_rows(warehouse, "raw.load_batch")) == 1
    with pytest.raises(LoadError, match=re.escape(message)) as retried:
        load_file(warehouse, CBAM_SHIPMENTS, path, "acme", retry_quarantined=True)
    assert retried.value.batch_id != batch["batch_id"]
    assert len(raw_rows(warehouse, "raw.load_batch")) == 2


def test_a_load_failing_half_way_leaves_nothing(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "shipments.csv", GOOD * 20 + BAD)
    validate = BatchValidator.validate
    calls = []

    def fail_on_third_batch(self, batch):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return validate(self, batch)

    monkeypatch.setattr(BatchValidator, "validate", fail_on_third_batch)
    with pytest.raises(LoadError, match="unexpected RuntimeError") as raised:
        load_file(warehouse, CBAM_SHIPMENTS, path, "acme", batch_rows=10)

    assert isinstance(raised.value.__cause__, RuntimeError) and not raised.value.quarantined
    assert raw_rows(warehouse) == []
    assert raw_rows(warehouse, "raw.dead_letter") == []
    (batch,) = raw_rows(warehouse, "raw.load_batch")
    assert batch["status"] == "failed" and batch["error"] == raised.value.args[0]
    assert "disk full" not in batch["error"]  # an exception's message may quote the file: only its type
    # and the file loads completely afterwards: an unexpected failure quarantines nothing
    monkeypatch.setattr(BatchValidator, "validate", validate)
    assert load_file(warehouse, CBAM_SHIPMENTS, path, "acme", batch_rows=10).rows_loaded == 60


def _load_slowly(settings, path: str, ready: str) -> None:
    validate = BatchValidator.validate

    def slow(self, batch):
        result = validate(self, batch)
        Path(ready).touch()  # at least one batch is written inside the open transaction
        time.sleep(0.2)
        return result

    BatchValidator.validate = slow
    load_file(Warehouse(settings), CBAM_SHIPMENTS, path, "acme", batch_rows=10)


@pytest.mark.slow  # kills a loader subprocess
def test_a_killed_load_leaves_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "shipments.csv", GOOD * 200)
    ready = tmp_path / "ready"
    process = multiprocessing.get_context("spawn").Process(
        target=_load_slowly, args=(warehouse.settings, str(path), str(ready))
    )
    process.start()
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and process.is_alive():
        time.sleep(0.05)
    assert ready.exists(), "the child never started loading"
    os.kill(process.pid, signal.SIGKILL)
    process.join()

    assert raw_rows(warehouse) == []
    assert raw_rows(warehouse, "raw.load_batch") == []
    assert load_file(warehouse, CBAM_SHIPMENTS, path, "acme").rows_loaded == 600


def test_row_conservation_check_catches_a_tampered_batch(warehouse: Warehouse, tmp_path: Path) -> None:
    load_file(warehouse, CBAM_SHIPMENTS, write_csv(tmp_path / "a.csv", GOOD + BAD), "acme")
    with warehouse.session() as session:
        session.execute("DELETE FROM raw.customs__cbam_shipments WHERE _source_row = 1")
        session.execute("DELETE FROM raw.dead_letter WHERE source_row = 4")
        (violation,) = row_conservation_violations(session, CBAM_SHIPMENTS.name)
    assert (violation["rows_loaded"], violation["rows_in_table"]) == (3, 2)
    assert (violation["rows_rejected"], violation["rows_in_dead_letter"]) == (4, 3)


def test_api_records_load_once_with_their_record_numbers(warehouse: Warehouse) -> None:
    page = loads_exact(
        '{"d": {"results": ['
        '{"DeclarantEori": "DE1", "DeclarationId": "X1", "DeclarationLine": 1, "ImportDate": "2026-03-02",'
        ' "CnCode": "72081000", "OriginCountry": "CN", "NetMassTonnes": 12.500, "CustomsProcedure": "40"},'
        '{"DeclarantEori": "DE1", "DeclarationId": "X1", "DeclarationLine": 2, "ImportDate": "2026-03-02",'
        ' "CnCode": "7208", "OriginCountry": "CN", "NetMassTonnes": 1, "CustomsProcedure": "40"}]}}'
    )["d"]["results"]
    uri = "http://127.0.0.1/odata/Shipments?$skiptoken=0"

    first = load_records(warehouse, CBAM_SHIPMENTS, page, "acme", source_uri=uri)
    again = load_records(warehouse, CBAM_SHIPMENTS, page, "acme", source_uri=uri)

    assert (first.status, first.rows_loaded, first.rows_rejected) == ("succeeded", 1, 1)
    assert again.status == "skipped" and again.batch_id == first.batch_id
    (row,) = raw_rows(warehouse)
    assert row["net_mass_tonnes"] == Decimal("12.500") and row["_source_uri"] == uri
    (dead,) = raw_rows(warehouse, "raw.dead_letter")
    assert dead["source_row"] == 2 and json.loads(dead["raw_record"])["cn_code"] == "7208"
    (batch,) = raw_rows(warehouse, "raw.load_batch")
    assert batch["file_format"] == "api"


class _Factor(Contract):
    contract_name: ClassVar[str] = "Factor"
    contract_version: ClassVar[str] = "1.0.0"
    factor_id: str
    conversion_factor: Decimal | None = Field(
        default=None, json_schema_extra={"column_pattern": r"ghg_conversion_factor_\d{4}"}
    )


def _edition(uri: str, columns: list[str]) -> dict[str, str]:
    (column,) = [name for name in columns if name.startswith("ghg_conversion_factor_")]
    return {"edition": column.rsplit("_", 1)[1], "file": uri.rsplit("/", 1)[1]}


def test_a_column_renamed_each_edition_is_found_and_the_edition_recorded(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    spec = SourceSpec(name="test__factors", contract=_Factor, describe=_edition)
    for year in (2024, 2025):
        path = tmp_path / f"factors_{year}.csv"
        path.write_text(f"Factor ID,GHG Conversion Factor {year}\nA,{year}.5\nB,\n")
        assert load_file(warehouse, spec, path, "global").rows_loaded == 2

    rows = raw_rows(warehouse, "raw.test__factors")
    assert sorted((row["factor_id"], row["conversion_factor"]) for row in rows) == [
        ("A", Decimal("2024.5")),
        ("A", Decimal("2025.5")),
        ("B", None),
        ("B", None),
    ]
    batches = raw_rows(warehouse, "raw.load_batch")
    assert sorted(json.loads(batch["attributes"])["edition"] for batch in batches) == ["2024", "2025"]
