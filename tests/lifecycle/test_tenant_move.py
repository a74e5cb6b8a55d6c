"""Tenant export and move, on DuckDB and PostgreSQL: one tenant exported from warehouse A (which holds two,
built by dbt) across raw, ledger, marts and reports; imported into warehouse B, which holds another tenant:
the raw layer identical by count and hash, B's own tenant untouched, a second import writing nothing, a
tampered export refused; B's dbt build then derives marts and reports identical to A's (slow); and a move
from DuckDB to PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import METER_READINGS
from greenlang.lifecycle.fingerprint import arrow_type
from greenlang.lifecycle.tenant_move import (
    ImportRefused,
    export_tenant,
    import_tenant,
    verify_tenant,
)
from tests.helpers import dbt
from tests.helpers.ghg import local_day, write_csv
from tests.helpers.lifecycle import load_declarations, load_reference_data
from tests.helpers.warehouses import ENGINE_PARAMS, make_settings, postgres_database

MOVED, STAYING = "acme-steel", "nordic-cement"
REPORT = "rpt_cbam_emissions_by_period"


def test_column_types_travel_exactly() -> None:
    import pyarrow as pa

    assert arrow_type("DECIMAL(38,12)", 38, 12) == pa.decimal128(38, 12)
    assert arrow_type("numeric", None, None) == pa.string()  # unbounded: its exact text
    assert arrow_type("timestamp without time zone", None, None) == pa.timestamp("us")
    assert arrow_type("VARCHAR", None, None) == pa.string()


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def move(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A (both tenants, built) → export of MOVED → B (STAYING only), imported twice."""
    folder = tmp_path_factory.mktemp(f"move-{request.param}")
    with _warehouse(request.param, folder / "a") as a, _warehouse(request.param, folder / "b") as b:
        load_reference_data(a)
        load_declarations(a, folder, MOVED, rows=400, seed=1)
        load_declarations(a, folder, STAYING, rows=300, seed=2)
        dbt.stage(a.settings, REPORT)
        load_reference_data(b)
        load_declarations(b, folder, STAYING, rows=200, seed=3)
        staying_before = export_tenant(b, STAYING, folder / "staying-before")
        exported = export_tenant(a, MOVED, folder / "export")
        first = import_tenant(b, folder / "export")
        second = import_tenant(b, folder / "export")
        yield {"a": a, "b": b, "folder": folder, "exported": exported, "first": first, "second": second,
               "staying_before": staying_before}  # fmt: skip


def _warehouse(engine: str, folder: Path):
    from contextlib import contextmanager

    @contextmanager
    def opened() -> Iterator[Warehouse]:
        folder.mkdir(parents=True)
        if engine == "postgres":
            with postgres_database() as database:
                yield Warehouse(make_settings("postgres", folder, database))
        else:
            yield Warehouse(make_settings("duckdb", folder))

    return opened()


def test_the_export_holds_the_tenant_across_raw_ledger_marts_and_reports(move: dict) -> None:
    tables = move["exported"]["tables"]
    with move["a"].session() as session:
        shipments, rejected, batches = (
            session.scalar(f"SELECT count(*) FROM raw.{table} WHERE tenant_id = %(t)s", {"t": MOVED})
            for table in ("customs__cbam_shipments", "dead_letter", "load_batch")
        )
        imports = session.scalar(
            "SELECT count(*) FROM marts.fct_cbam_imports WHERE tenant_id = %(t)s", {"t": MOVED}
        )
    assert (shipments, rejected, batches) == (2 * 400 - 2 * 8, 2 * 8, 2)
    assert tables["raw.customs__cbam_shipments"]["rows"] == shipments
    assert tables["raw.dead_letter"]["rows"] == rejected and tables["raw.load_batch"]["rows"] == batches
    assert tables["marts.fct_cbam_imports"]["rows"] == imports > 0
    assert tables[f"reporting.{REPORT}"]["rows"] > 0
    assert tables["raw.cbam__default_values"]["rows"] == 0  # global reference data is no tenant's


def test_the_moved_raw_layer_is_identical_in_the_target_and_the_other_tenant_untouched(move: dict) -> None:
    raw = [name for name in move["exported"]["tables"] if name.startswith("raw.")]
    assert {"raw.load_batch", "raw.dead_letter", "raw.customs__cbam_shipments"} <= set(raw)
    assert verify_tenant(move["b"], move["folder"] / "export", raw) == []
    assert verify_tenant(move["b"], move["folder"] / "staying-before") == []
    with move["b"].session() as session:
        tenants = dict(
            session.fetchall("SELECT tenant_id, count(*) FROM raw.customs__cbam_shipments GROUP BY 1")
        )
    assert tenants == {MOVED: 2 * 400 - 16, STAYING: 2 * 200 - 8}


def test_a_second_import_writes_nothing(move: dict) -> None:
    assert move["first"]["raw.customs__cbam_shipments"] == 2 * 400 - 16
    assert set(move["second"].values()) == {0}


@pytest.mark.slow
def test_the_targets_build_derives_the_moved_marts_and_reports(move: dict) -> None:
    """The raw layer's identity (above) is the fast counterpart: this builds B's marts and reports."""
    dbt.stage(move["b"].settings, REPORT)

    assert verify_tenant(move["b"], move["folder"] / "export") == []
    assert verify_tenant(move["b"], move["folder"] / "staying-before") == []


def test_a_tampered_export_is_refused(move: dict) -> None:
    export = move["folder"] / "export" / "raw.customs__cbam_shipments.parquet"
    original = export.read_bytes()
    try:
        export.write_bytes(original[:-10] + bytes(10))
        with pytest.raises(ImportRefused, match="customs__cbam_shipments"):
            import_tenant(move["b"], move["folder"] / "export")
    finally:
        export.write_bytes(original)


def test_a_tenant_moves_from_duckdb_to_postgresql(tmp_path: Path, postgres_database) -> None:
    source = Warehouse(make_settings("duckdb", tmp_path))
    target = Warehouse(make_settings("postgres", tmp_path, postgres_database))
    load_reference_data(source)
    load_declarations(source, tmp_path, MOVED, rows=150, seed=4)
    # a raw table whose name sorts after raw.load_batch: its batches are new to the target all the same
    day = local_day("Europe/Berlin", dt.date(2026, 3, 1), 60, offsets=True)
    load_file(source, METER_READINGS, write_csv(tmp_path / "readings.csv", day), MOVED)
    exported = export_tenant(source, MOVED, tmp_path / "export")

    written = import_tenant(target, tmp_path / "export")

    assert written["raw.customs__cbam_shipments"] == exported["tables"]["raw.customs__cbam_shipments"]["rows"]
    assert written[METER_READINGS.raw_table] == exported["tables"][METER_READINGS.raw_table]["rows"] == 24
    assert verify_tenant(target, tmp_path / "export") == []


def test_a_reported_figure_traces_to_its_record_after_archival(move: dict, tmp_path: Path) -> None:
    """On A's dbt build (no build of its own; last in this module: it archives A's declarations): a
    ``fct_cbam_imports`` row's provenance (``_batch_id``, ``_row_sha256``) still reaches its record once the
    record left the hot table for the archive."""
    from greenlang.core.warehouse import archived_batch_location
    from greenlang.lifecycle.archive import ArchiveStore, run_archive, trace_batch
    from greenlang.settings import ArchiveSettings

    with move["a"].session() as session:
        fact = session.fetch_dicts(
            "SELECT * FROM marts.fct_cbam_imports WHERE tenant_id = %(t)s ORDER BY _batch_id, _source_row LIMIT 1",
            {"t": MOVED},
        )[0]
        record = session.fetch_dicts(
            "SELECT * FROM raw.customs__cbam_shipments WHERE _batch_id = %(b)s AND _row_sha256 = %(h)s",
            {"b": fact["_batch_id"], "h": fact["_row_sha256"]},
        )
    settings = ArchiveSettings(uri=str(tmp_path / "archive"), retention_days={"customs__cbam_shipments": 30})
    run_archive(move["a"], settings, dt.date.today() + dt.timedelta(days=70))

    with move["a"].session() as session:
        found = trace_batch(session, ArchiveStore.of(settings), fact["_batch_id"], fact["_row_sha256"])
        location = archived_batch_location(session, fact["_batch_id"])
        assert session.scalar("SELECT count(*) FROM raw.customs__cbam_shipments") == 0
    assert found.archive_id == location["archive_id"] and found.rows == record
    assert (found.rows[0]["declaration_id"], found.rows[0]["_source_row"]) == (
        fact["declaration_id"],
        fact["_source_row"],
    )
