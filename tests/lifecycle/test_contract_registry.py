"""The contract registry and a breaking contract change: every contract version registered once with its
JSON Schema, each batch naming a registered version, and a raw table moved to the next major version by
its migration, on real loaded rows, on DuckDB and PostgreSQL.

The fuel-delivery contract here is the test's own (no production contract has a second major version):
version 2 is a plausible breaking change — quantities in litres whatever the delivery's unit (m³ converted,
1 m³ = 1000 L by the SI definition of the litre), the unit dropped and ``delivered_on`` renamed.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar

import pytest
from pydantic import StringConstraints

from greenlang.catalog import CONTRACTS, RAW_SOURCES
from greenlang.core.contract import Contract, IsoDate, PositiveDecimal, Text
from greenlang.core.loader import SourceSpec, load_file, prepare_raw_tables
from greenlang.core.warehouse import ContractVersionConflict, Warehouse, raw_layer_lag
from greenlang.lifecycle.contracts import (
    ContractMigration,
    ContractMigrationError,
    batches_without_registered_contract,
    migrate_contract,
    migration_path,
)

TENANT = "acme"
VolumeUnit = Annotated[str, StringConstraints(pattern=r"^(L|m3)$")]


class FuelDeliveryV1(Contract):
    contract_name: ClassVar[str] = "FuelDelivery"
    contract_version: ClassVar[str] = "1.3.0"

    delivery_id: Text
    delivered_on: IsoDate
    quantity: PositiveDecimal
    unit: VolumeUnit


class FuelDeliveryV2(Contract):
    contract_name: ClassVar[str] = "FuelDelivery"
    contract_version: ClassVar[str] = "2.0.0"

    delivery_id: Text
    delivery_date: IsoDate
    quantity_litres: PositiveDecimal


LITRES_PER = {"L": Decimal(1), "m3": Decimal(1000)}  # SI: 1 L = 1 dm³


def delivery_v1_to_v2(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "delivery_id": record["delivery_id"],
        "delivery_date": record["delivered_on"],
        "quantity_litres": record["quantity"] * LITRES_PER[record["unit"]],
    }


V1_TO_V2 = ContractMigration(FuelDeliveryV1, FuelDeliveryV2, delivery_v1_to_v2)
DELIVERIES_V1 = SourceSpec(name="test__fuel_deliveries", contract=FuelDeliveryV1)
DELIVERIES_V2 = SourceSpec(name="test__fuel_deliveries", contract=FuelDeliveryV2)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_registered_version_with_another_schema_is_a_conflict() -> None:
    registered = {("FuelDelivery", "1.3.0"): "0" * 64}

    with pytest.raises(ContractVersionConflict, match="needs a new version"):
        raw_layer_lag(3, {}, {}, [FuelDeliveryV1], registered)
    assert raw_layer_lag(3, {}, {}, [FuelDeliveryV1], {}).unregistered == (FuelDeliveryV1,)
    current = {("FuelDelivery", "1.3.0"): FuelDeliveryV1.schema_sha256()}
    assert not raw_layer_lag(3, {}, {}, [FuelDeliveryV1], current).unregistered


def test_a_migration_goes_to_the_next_major_version_of_one_contract() -> None:
    with pytest.raises(ValueError, match="next"):
        ContractMigration(FuelDeliveryV2, FuelDeliveryV1, delivery_v1_to_v2)
    assert migration_path((V1_TO_V2,), "FuelDelivery", "1.3.0", "2.0.0") == [V1_TO_V2]
    with pytest.raises(ContractMigrationError, match="no migration"):
        migration_path((V1_TO_V2,), "FuelDelivery", "2.0.0", "3.0.0")


def test_every_contract_is_registered_once_with_its_committed_schema(warehouse: Warehouse) -> None:
    prepare_raw_tables(warehouse, list(RAW_SOURCES), CONTRACTS.values())
    prepare_raw_tables(warehouse, list(RAW_SOURCES), CONTRACTS.values())  # a second set-up adds nothing
    with warehouse.session() as session:
        registry = session.fetch_dicts(
            "SELECT contract_name, contract_version, json_schema, schema_sha256 FROM raw.contract_registry"
        )
        logged = session.fetchall(
            "SELECT subject FROM raw.schema_evolution WHERE change = 'contract_registered' ORDER BY 1"
        )
        changes = {
            change for (change,) in session.fetchall("SELECT DISTINCT change FROM raw.schema_evolution")
        }

    schemas = Path(__file__).resolve().parents[2] / "greenlang" / "schemas"
    assert sorted((row["contract_name"], row["contract_version"]) for row in registry) == sorted(
        (contract.contract_name, contract.contract_version) for contract in CONTRACTS.values()
    )
    for row in registry:
        committed = (
            schemas / f"{row['contract_name']}.v{row['contract_version'].split('.')[0]}.json"
        ).read_text()
        assert row["json_schema"] == committed
        assert json.loads(row["json_schema"])["x-contract-version"] == row["contract_version"]
    assert len(logged) == len(CONTRACTS)
    assert {"migration_applied", "table_created", "contract_registered"} <= changes


def test_a_breaking_change_migrates_the_loaded_rows(warehouse: Warehouse, tmp_path: Path) -> None:
    delivered = load_file(
        warehouse,
        DELIVERIES_V1,
        write(
            tmp_path / "deliveries.csv",
            "delivery_id,delivered_on,quantity,unit\nD1,2026-01-05,1200.5,L\nD2,06.01.2026,2.5,m3\nD3,2026-01-07,-1,L\n",
        ),
        TENANT,
    )
    assert (delivered.rows_loaded, delivered.rows_rejected) == (2, 1)
    with warehouse.session() as session:
        before = {
            row["delivery_id"]: row for row in session.fetch_dicts("SELECT * FROM raw.test__fuel_deliveries")
        }
        broken = ContractMigration(FuelDeliveryV1, FuelDeliveryV2, lambda record: {"delivery_id": "x"})
        with pytest.raises(ContractMigrationError, match=r"2\.0\.0"):
            migrate_contract(session, DELIVERIES_V2, broken)
        unchanged = session.fetch_dicts("SELECT * FROM raw.test__fuel_deliveries ORDER BY delivery_id")

        migrated = migrate_contract(session, DELIVERIES_V2, V1_TO_V2)
        again = migrate_contract(session, DELIVERIES_V2, V1_TO_V2)
        after = {
            row["delivery_id"]: row for row in session.fetch_dicts("SELECT * FROM raw.test__fuel_deliveries")
        }
        log = session.fetchall(
            "SELECT detail FROM raw.schema_evolution WHERE change = 'contract_migrated' "
            "AND subject = 'raw.test__fuel_deliveries'"
        )
        versions = session.fetchall(
            "SELECT contract_version FROM raw.contract_registry WHERE contract_name = 'FuelDelivery' ORDER BY 1"
        )
        unregistered = batches_without_registered_contract(session)

    assert unchanged == sorted(before.values(), key=lambda row: row["delivery_id"])
    assert (migrated, again) == (2, 0)
    assert set(after["D1"]) == {
        "tenant_id", "delivery_id", "delivery_date", "quantity_litres",
        "_batch_id", "_source_uri", "_source_row", "_row_sha256", "_ingested_at",
    }  # fmt: skip
    assert (after["D1"]["delivery_date"], after["D1"]["quantity_litres"]) == (
        dt.date(2026, 1, 5),
        Decimal("1200.5"),
    )
    assert (after["D2"]["delivery_date"], after["D2"]["quantity_litres"]) == (
        dt.date(2026, 1, 6),
        Decimal("2500"),
    )
    for key in ("tenant_id", "_batch_id", "_source_row", "_row_sha256"):
        assert after["D2"][key] == before["D2"][key]
    assert [json.loads(detail) for (detail,) in log] == [{"from": "1.3.0", "to": "2.0.0", "rows": 2}]
    assert versions == [("1.3.0",), ("2.0.0",)]
    assert unregistered == []

    # the next delivery comes in the new shape and lands beside the migrated rows
    load_file(
        warehouse,
        DELIVERIES_V2,
        write(
            tmp_path / "deliveries_v2.csv", "delivery_id,delivery_date,quantity_litres\nD4,2026-02-01,800\n"
        ),
        TENANT,
    )
    with warehouse.session() as session:
        assert session.fetchall("SELECT delivery_id FROM raw.test__fuel_deliveries ORDER BY 1") == [
            ("D1",), ("D2",), ("D4",)
        ]  # fmt: skip


def test_a_batch_naming_an_unregistered_version_is_found(warehouse: Warehouse, tmp_path: Path) -> None:
    load_file(
        warehouse,
        DELIVERIES_V1,
        write(tmp_path / "deliveries.csv", "delivery_id,delivered_on,quantity,unit\nD1,2026-01-05,10,L\n"),
        TENANT,
    )
    with warehouse.session() as session:
        assert batches_without_registered_contract(session) == []
        session.execute("UPDATE raw.load_batch SET contract_version = '9.0.0'")
        (batch_id,) = session.fetchall("SELECT batch_id FROM raw.load_batch")[0]
        assert batches_without_registered_contract(session) == [(batch_id, "FuelDelivery", "9.0.0")]
