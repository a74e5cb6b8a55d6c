"""Schema drift: the pure comparison of headers, and what a load records of it in the ledger and the
``schema_drift`` check reports, on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import load_file
from greenlang.core.schema_drift import HeaderChange, api_page_drift, delivery_drift, header_change
from greenlang.core.validation import field_rules
from greenlang.core.warehouse import Warehouse
from greenlang.quality.checks import drifted_loads

# the delivery header the contract expects, in its order
COLUMNS = [rule.name for rule in field_rules(CBAM_SHIPMENTS.contract)]
ROW = [
    "DE123456789012345",
    "26DE000000000000A1",
    "1",
    "2026-02-03",
    "72081000",
    "CN",
    "25.5",
    "40",
    "",
    "",
    "",
    "",
    "",
    "(A)",
]


def test_a_column_replaced_in_place_is_a_rename_and_others_are_added_or_missing() -> None:
    change = header_change(["a", "b", "c", "d"], ["a", "B2", "c", "e", "f"])
    assert change == HeaderChange(added=["f"], missing=[], renamed=[("b", "B2"), ("d", "e")])
    # a column dropped between kept ones is missing, one inserted is added
    assert header_change(["a", "b", "c"], ["a", "c", "x"]) == HeaderChange(added=["x"], missing=["b"])
    assert not header_change(["a", "b"], ["b", "a"])  # order alone is no drift


def test_a_first_delivery_drifts_only_against_the_contract() -> None:
    drift = delivery_drift(["a", "x"], None, absent_fields=["b"], unknown_columns=["x"])
    assert drift.previous is None and drift.contract == HeaderChange(added=["x"], missing=["b"])
    assert json.loads(drift.to_json())["previous"] is None
    assert not delivery_drift(["a"], ["a"], absent_fields=[], unknown_columns=[])


def test_an_api_page_drifts_only_by_a_field_unknown_to_the_contract_and_new() -> None:
    # "quantity" left out of a page (empty there) and fields the contract does not use are no drift
    assert not api_page_drift(["id", "extra"], ["id", "quantity", "extra"], unknown_columns=["extra"])
    assert not api_page_drift(["id", "extra"], None, unknown_columns=["extra"])
    drift = api_page_drift(
        ["id", "extra", "new_field"], ["id", "extra"], unknown_columns=["extra", "new_field"]
    )
    assert drift.previous == HeaderChange(added=["new_field"])


def write(path: Path, columns: list[str], values: list[str]) -> Path:
    path.write_text(",".join(columns) + "\n" + ",".join(values) + "\n", encoding="utf-8")
    return path


def test_each_load_records_its_header_and_drift_in_the_ledger(warehouse: Warehouse, tmp_path: Path) -> None:
    load_file(warehouse, CBAM_SHIPMENTS, write(tmp_path / "1.csv", COLUMNS, ROW), "acme")
    # the second delivery renames carbon_price_paid_eur in place, drops installation_id and adds a column
    renamed = [*COLUMNS[:8], *COLUMNS[9:12], "carbon_price_eur", COLUMNS[13], "remarks"]
    values = [*ROW[:8], *ROW[9:12], "", ROW[13], "urgent"]
    second = load_file(warehouse, CBAM_SHIPMENTS, write(tmp_path / "2.csv", renamed, values), "acme")
    # another tenant's first delivery is compared with the contract only
    load_file(
        warehouse, CBAM_SHIPMENTS, write(tmp_path / "3.csv", COLUMNS, [*ROW[:1], "X", *ROW[2:]]), "beta"
    )
    with warehouse.session() as session:
        ledger = {
            row["batch_id"]: row
            for row in session.fetch_dicts(
                "SELECT batch_id, columns_received, schema_drift FROM raw.load_batch"
            )
        }
        drifted = drifted_loads(session, CBAM_SHIPMENTS.name)
    assert json.loads(ledger[second.batch_id]["columns_received"]) == renamed
    drift = json.loads(ledger[second.batch_id]["schema_drift"])
    assert drift["previous"] == {
        "added": ["remarks"],
        "missing": ["installation_id"],
        "renamed": [["carbon_price_paid_eur", "carbon_price_eur"]],
    }
    assert drift["contract"] == {
        "added": ["carbon_price_eur", "remarks"],
        "missing": ["installation_id", "carbon_price_paid_eur"],
        "renamed": [],
    }
    # the check reports the drifted load only: the first deliveries match the contract
    assert [(item["batch_id"], item["tenant_id"]) for item in drifted] == [(second.batch_id, "acme")]
    assert drifted[0]["previous"]["renamed"] == [["carbon_price_paid_eur", "carbon_price_eur"]]
