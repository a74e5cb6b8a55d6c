"""The raw layer's schema as versioned migrations: what a warehouse lacks, and each change made once."""

from __future__ import annotations

from greenlang.core.warehouse import (
    PROVENANCE_COLUMNS,
    RAW_MIGRATIONS,
    Warehouse,
    raw_layer_lag,
    raw_table_columns,
)

CONTRACT_V1 = [("reading_id", "TEXT NOT NULL"), ("kwh", "DECIMAL(38, 12)")]
CONTRACT_V1_1 = [*CONTRACT_V1, ("meter_note", "TEXT")]
EVERY_V1_COLUMN = {name for name, _type in raw_table_columns(CONTRACT_V1)}


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [migration.version for migration in RAW_MIGRATIONS] == list(range(1, len(RAW_MIGRATIONS) + 1))


def test_a_new_warehouse_lacks_every_migration_and_every_table() -> None:
    lag = raw_layer_lag(0, {}, {"meters": CONTRACT_V1})

    assert lag.migrations == RAW_MIGRATIONS
    assert lag.missing_tables == {"meters"}
    assert lag.missing_columns == {"meters": tuple(raw_table_columns(CONTRACT_V1))}


def test_a_warehouse_set_up_lacks_nothing() -> None:
    lag = raw_layer_lag(RAW_MIGRATIONS[-1].version, {"meters": EVERY_V1_COLUMN}, {"meters": CONTRACT_V1})

    assert not lag


def test_a_newer_contract_lacks_its_new_column_only() -> None:
    lag = raw_layer_lag(RAW_MIGRATIONS[-1].version, {"meters": EVERY_V1_COLUMN}, {"meters": CONTRACT_V1_1})

    assert (lag.migrations, lag.missing_tables) == ((), frozenset())
    assert lag.missing_columns == {"meters": (("meter_note", "TEXT"),)}


def test_the_raw_table_columns_are_tenant_contract_provenance() -> None:
    assert raw_table_columns(CONTRACT_V1) == [
        ("tenant_id", "TEXT NOT NULL"),
        *CONTRACT_V1,
        *PROVENANCE_COLUMNS,
    ]


def test_a_contract_table_is_created_then_given_its_new_column_once(warehouse: Warehouse) -> None:
    with warehouse.session() as session:
        created = session.migrate_raw_layer({"meters": CONTRACT_V1})
        widened = session.migrate_raw_layer({"meters": CONTRACT_V1_1})
        again = session.migrate_raw_layer({"meters": CONTRACT_V1_1})
        session.execute(
            "INSERT INTO raw.meters (tenant_id, reading_id, _batch_id, _source_uri, _source_row, _row_sha256, "
            "_ingested_at) VALUES ('acme', 'r1', 'b', 'u', 1, 's', TIMESTAMP '2026-01-01')"
        )
        rows = session.fetch_dicts("SELECT reading_id, meter_note FROM raw.meters")
        versions = session.fetchall("SELECT version FROM raw.schema_migrations ORDER BY 1")

    assert created.missing_tables == {"meters"} and created.migrations == RAW_MIGRATIONS
    assert widened.missing_columns == {"meters": (("meter_note", "TEXT"),)} and not widened.migrations
    assert not again
    assert rows == [{"reading_id": "r1", "meter_note": None}]
    assert versions == [(migration.version,) for migration in RAW_MIGRATIONS]
