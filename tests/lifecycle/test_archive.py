"""Archival on DuckDB and PostgreSQL against an S3-compatible object store (moto's server): two tenants'
customs declarations past their retention archived to Parquet, verified by count and hash before they left
the hot tables; a re-run changes nothing; the archive queried in place by DuckDB; a row traced into the
archive; a partition restored identical and a tampered one refused; rows the ledger does not account for
stop an archive before anything is removed; the Dagster job does the same, once, and its schedule starts
running only where a retention is configured."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pytest
from pyarrow import fs

from demo.object_store import ACCESS_KEY_ID, SECRET_ACCESS_KEY, ObjectStore
from greenlang.cbam.sources import CBAM_DEFAULT_VALUES, CBAM_SHIPMENTS
from greenlang.core.row_conservation import row_conservation_violations
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.lifecycle.archive import (
    ARCHIVED,
    NO_RETENTION,
    RESTORED,
    ArchiveMismatch,
    ArchiveStore,
    ArchiveTampered,
    archive_ledger,
    batch_location,
    main,
    query_archive,
    restore_archive,
    retention_cutoff,
    run_archive,
    trace_batch,
)
from greenlang.lifecycle.backup import warehouse_contents
from greenlang.lifecycle.definitions import lifecycle_definitions
from greenlang.lifecycle.fingerprint import fingerprint_table
from greenlang.lifecycle.jobs import ARCHIVE_JOB
from greenlang.lifecycle.tenant_move import export_tenant, import_tenant, verify_tenant
from greenlang.settings import ArchiveSettings, Settings, load_settings
from tests.helpers.lifecycle import load_declarations, load_reference_data
from tests.helpers.warehouses import make_settings

SHIPMENTS = CBAM_SHIPMENTS.name
TENANTS = {"acme-steel": 300, "nordic-cement": 200}
# Past the retention below whatever the day: the load month ended more than 30 days before.
AS_OF = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=70)


def test_a_month_is_due_once_all_of_it_is_past_its_retention() -> None:
    assert retention_cutoff(dt.date(2026, 12, 7), 30) == dt.datetime(2026, 11, 1)
    assert retention_cutoff(dt.date(2026, 3, 1), 0) == dt.datetime(2026, 3, 1)
    assert retention_cutoff(dt.date(2031, 1, 15), 5 * 365 + 1) == dt.datetime(2026, 1, 1)


def test_retention_and_the_archive_are_configured_by_environment() -> None:
    settings = load_settings(
        {
            "GREENLANG_RETENTION_DAYS": f"{SHIPMENTS}=1826, meters__readings=400",
            "GREENLANG_ARCHIVE_URI": "s3://archive-bucket/greenlang",
            "GREENLANG_ARCHIVE_ENDPOINT": "http://127.0.0.1:9000",
        }
    ).archive
    assert settings.retention_days == {SHIPMENTS: 1826, "meters__readings": 400}
    assert (settings.uri, settings.endpoint) == ("s3://archive-bucket/greenlang", "http://127.0.0.1:9000")
    assert load_settings({}).archive.retention_days == {}  # nothing is archived unless a deployment says so
    with pytest.raises(ValueError, match="GREENLANG_RETENTION_DAYS"):
        load_settings({"GREENLANG_RETENTION_DAYS": f"{SHIPMENTS}=five years"})


def _hot(warehouse: Warehouse, tenant: str) -> dict:
    """A tenant's shipments' and their dead letters' fingerprints, and its first row."""
    with warehouse.session() as session:
        rows = session.fetch_dicts(
            f"SELECT * FROM raw.{SHIPMENTS} WHERE tenant_id = %(t)s ORDER BY _batch_id, _source_row LIMIT 1",
            {"t": tenant},
        )
        return {
            "rows": fingerprint_table(session, "raw", SHIPMENTS, "tenant_id = %(t)s", {"t": tenant}),
            "dead": fingerprint_table(
                session,
                "raw",
                "dead_letter",
                "tenant_id = %(t)s AND source = %(s)s",
                {"t": tenant, "s": SHIPMENTS},
            ),
            "row": rows[0] if rows else None,
        }


@pytest.fixture(scope="module")
def archived(
    module_warehouse: Warehouse, object_store: ObjectStore, tmp_path_factory: pytest.TempPathFactory
):
    folder = tmp_path_factory.mktemp("archive-deliveries")
    load_reference_data(module_warehouse)
    for seed, (tenant, rows) in enumerate(TENANTS.items(), start=1):
        load_declarations(module_warehouse, folder, tenant, rows=rows, seed=seed)
    settings = object_store.archive_settings(f"test-{module_warehouse.dialect}", {SHIPMENTS: 30})
    before = {tenant: _hot(module_warehouse, tenant) for tenant in TENANTS}
    with module_warehouse.session() as session:
        reference_before = fingerprint_table(session, "raw", CBAM_DEFAULT_VALUES.name)
    first = run_archive(module_warehouse, settings, AS_OF)
    with module_warehouse.session() as session:
        after_first = warehouse_contents(session)
    second = run_archive(module_warehouse, settings, AS_OF)
    return {
        "warehouse": module_warehouse,
        "settings": settings,
        "store": ArchiveStore.of(settings),
        "before": before,
        "reference_before": reference_before,
        "first": first,
        "second": second,
        "after_first": after_first,
    }


def _entries(archived: dict) -> dict[str, dict]:
    with archived["warehouse"].session() as session:
        return {entry["tenant_id"]: entry for entry in archive_ledger(session)}


def test_partitions_past_retention_leave_the_hot_tables_verified(archived: dict) -> None:
    entries = _entries(archived)
    assert set(entries) == set(TENANTS) and len(archived["first"].archived) == 2
    for tenant, before in archived["before"].items():
        entry = entries[tenant]
        objects = {obj.key.split("/")[1]: obj for obj in archived["first"].archived[entry["archive_id"]]}
        # what the store holds, read back: the hot rows' count and content hash
        assert objects[SHIPMENTS].fingerprint == before["rows"]
        assert objects["dead_letter"].fingerprint == before["dead"]
        assert (entry["rows_archived"], entry["rows_sha256"]) == (before["rows"].rows, before["rows"].sha256)
        assert entry["rows_archived"] == 2 * TENANTS[tenant] - 2 * TENANTS[tenant] // 50  # 2 % broken
        assert entry["status"] == ARCHIVED and entry["batches"] == 2
    with archived["warehouse"].session() as session:
        assert session.scalar(f"SELECT count(*) FROM raw.{SHIPMENTS}") == 0
        assert (
            session.scalar("SELECT count(*) FROM raw.dead_letter WHERE source = %(s)s", {"s": SHIPMENTS}) == 0
        )
        # the global reference data has no retention: untouched
        assert fingerprint_table(session, "raw", CBAM_DEFAULT_VALUES.name) == archived["reference_before"]
        # the ledger keeps every batch; conservation holds with the archived batches set apart
        assert (
            session.scalar("SELECT count(*) FROM raw.load_batch WHERE source = %(s)s", {"s": SHIPMENTS}) == 4
        )
        assert row_conservation_violations(session, SHIPMENTS) == []


def test_the_manifest_object_names_the_batches_and_objects(archived: dict) -> None:
    store: ArchiveStore = archived["store"]
    for tenant, entry in _entries(archived).items():
        manifest = json.loads(store.read_bytes(entry["manifest_key"]))
        assert manifest["tenant_id"] == tenant and len(manifest["batch_ids"]) == 2
        assert manifest["objects"][SHIPMENTS]["sha256"] == entry["rows_sha256"]
        info = store.filesystem.get_file_info(store.path(manifest["objects"][SHIPMENTS]["key"]))
        assert info.type == fs.FileType.File and info.size == manifest["objects"][SHIPMENTS]["bytes"]
    assert "secret" not in json.dumps([*_entries(archived).values()], default=str).lower()


def test_an_archive_run_again_changes_nothing(archived: dict) -> None:
    assert archived["second"].archived == {}
    with archived["warehouse"].session() as session:
        assert warehouse_contents(session) == archived["after_first"]


def test_the_archive_is_queried_in_place(archived: dict) -> None:
    with archived["warehouse"].session() as session:
        counts = query_archive(
            session,
            archived["store"],
            SHIPMENTS,
            "SELECT tenant_id, count(*) AS n FROM archived GROUP BY tenant_id ORDER BY tenant_id",
        ).to_pylist()
    assert counts == [{"tenant_id": t, "n": archived["before"][t]["rows"].rows} for t in sorted(TENANTS)]


def test_a_row_traces_from_its_batch_into_the_archive(archived: dict) -> None:
    row = archived["before"]["acme-steel"]["row"]
    with archived["warehouse"].session() as session:
        found = trace_batch(session, archived["store"], row["_batch_id"], row["_row_sha256"])
    assert found.archive_id == _entries(archived)["acme-steel"]["archive_id"]
    assert found.batch["source"] == SHIPMENTS and found.batch["file_sha256"]
    assert found.rows == [row]
    with archived["warehouse"].session() as session:
        location = batch_location(session, row["_batch_id"])  # what the impact query reports for the batch
    info = archived["store"].filesystem.get_file_info(archived["store"].path(location["object_key"]))
    assert location["archive_id"] == found.archive_id and info.type == fs.FileType.File


def test_an_archived_partition_restores_identical_once(archived: dict) -> None:
    warehouse, settings = archived["warehouse"], archived["settings"]
    entry = _entries(archived)["acme-steel"]
    restored = restore_archive(warehouse, settings, entry["archive_id"])
    assert restored == {SHIPMENTS: entry["rows_archived"], "dead_letter": entry["dead_letters"]}
    assert restore_archive(warehouse, settings, entry["archive_id"]) == {}
    assert _hot(warehouse, "acme-steel") == archived["before"]["acme-steel"]
    row = archived["before"]["acme-steel"]["row"]
    with warehouse.session() as session:
        assert row_conservation_violations(session, SHIPMENTS) == []
        assert (
            trace_batch(session, archived["store"], row["_batch_id"], row["_row_sha256"]).archive_id is None
        )
    assert _entries(archived)["acme-steel"]["status"] == RESTORED


def test_a_tampered_archive_is_refused(archived: dict) -> None:
    store: ArchiveStore = archived["store"]
    entry = _entries(archived)["nordic-cement"]
    manifest = json.loads(store.read_bytes(entry["manifest_key"]))
    key = manifest["objects"][SHIPMENTS]["key"]
    original = store.read_bytes(key)
    try:
        store.write_bytes(key, original[:-9] + bytes(9))
        with pytest.raises(ArchiveTampered, match=key):
            restore_archive(archived["warehouse"], archived["settings"], entry["archive_id"])
    finally:
        store.write_bytes(key, original)
    with archived["warehouse"].session() as session:
        assert session.scalar(f"SELECT count(*) FROM raw.{SHIPMENTS} WHERE tenant_id = 'nordic-cement'") == 0


def test_rows_the_ledger_does_not_account_for_stop_the_archive(warehouse: Warehouse, tmp_path: Path) -> None:
    """On a local folder as the store: the same verification whatever holds the objects."""
    load_reference_data(warehouse)
    load_declarations(warehouse, tmp_path, "acme-steel", rows=50, seed=5)
    with warehouse.session() as session:
        session.execute(f"DELETE FROM raw.{SHIPMENTS} WHERE _source_row = 2")
        left = fingerprint_table(session, "raw", SHIPMENTS)
    settings = ArchiveSettings(uri=str(tmp_path / "archive"), retention_days={SHIPMENTS: 30})

    with pytest.raises(ArchiveMismatch, match="the ledger"):
        run_archive(warehouse, settings, AS_OF)

    with warehouse.session() as session:
        assert fingerprint_table(session, "raw", SHIPMENTS) == left
        assert archive_ledger(session) == []
        assert session.scalar("SELECT count(*) FROM raw.archived_batch") == 0


def test_a_table_a_stream_writes_is_never_archived(warehouse: Warehouse, tmp_path: Path) -> None:
    """Its conservation check counts every committed message: a retention on it is refused, nothing moved."""
    load_reference_data(warehouse)
    streamed = "meters__stream_readings"
    with warehouse.session() as session:
        session.execute(
            "INSERT INTO raw.load_batch (batch_id, tenant_id, source, source_uri, file_sha256, file_format, "
            "contract_name, contract_version, rows_read, rows_loaded, rows_rejected, status, started_at, "
            "finished_at) VALUES ('b1', 'acme-steel', %(source)s, 'nats://meters', 'x', 'jetstream', "
            "'MeterReading', '1.0.0', 0, 0, 0, 'succeeded', %(at)s, %(at)s)",
            {"source": streamed, "at": dt.datetime(2020, 1, 1)},
        )
    settings = ArchiveSettings(uri=str(tmp_path / "archive"), retention_days={streamed: 30})

    with pytest.raises(ValueError, match=f"{streamed}: written by a stream, never archived"):
        run_archive(warehouse, settings, AS_OF)

    with warehouse.session() as session:
        assert archive_ledger(session) == []


def test_the_command_line_archives_lists_traces_and_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m greenlang.lifecycle.archive`` as make archive runs it, configured by environment only."""
    for name, value in {
        "GREENLANG_TARGET": "duckdb",
        "GREENLANG_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "GREENLANG_KEY_STORE": str(tmp_path / "keys"),
        "GREENLANG_ARCHIVE_URI": str(tmp_path / "archive"),
        "GREENLANG_RETENTION_DAYS": f"{SHIPMENTS}=30",
    }.items():
        monkeypatch.setenv(name, value)
    warehouse = Warehouse(load_settings())
    load_reference_data(warehouse)
    load_declarations(warehouse, tmp_path, "acme-steel", rows=50, seed=6)
    with warehouse.session() as session:
        batch_id = session.scalar(f"SELECT min(_batch_id) FROM raw.{SHIPMENTS}")

    assert main(["run", "--as-of", dt.date.today().isoformat()]) == 0
    assert "archived 0 partitions" in capsys.readouterr().out  # this month is not past its retention
    assert main(["run", "--as-of", AS_OF.isoformat()]) == 0
    assert "archived 1 partitions, 98 rows and 2 dead letters" in capsys.readouterr().out
    assert main(["list"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert main(["trace", batch_id]) == 0
    traced = json.loads(capsys.readouterr().out)
    assert traced["archive_id"] == entry["archive_id"] and len(traced["rows"]) == 49
    assert main(["query", SHIPMENTS, "SELECT count(*) AS n FROM archived"]) == 0
    assert capsys.readouterr().out.split() == ["n", "0", "98"]
    assert main(["restore", entry["archive_id"]]) == 0
    assert f"{SHIPMENTS}': 98" in capsys.readouterr().out


def test_a_tenant_moves_with_its_archives(warehouse: Warehouse, tmp_path: Path) -> None:
    """The archive ledger and the archived batches travel with the tenant (the objects stay in the store):
    the target's conservation holds and its batches' rows trace into the same archive."""
    load_reference_data(warehouse)
    load_declarations(warehouse, tmp_path, "acme-steel", rows=50, seed=7)
    settings = ArchiveSettings(uri=str(tmp_path / "archive"), retention_days={SHIPMENTS: 30})
    (archive_id,) = run_archive(warehouse, settings, AS_OF).archived
    export_tenant(warehouse, "acme-steel", tmp_path / "export")
    target = Warehouse(make_settings("duckdb", tmp_path / "target"))
    load_reference_data(target)

    written = import_tenant(target, tmp_path / "export")

    assert written["raw.archive_ledger"] == 1 and written["raw.archived_batch"] == 2
    assert verify_tenant(target, tmp_path / "export", ["raw.archive_ledger", "raw.archived_batch"]) == []
    with target.session() as session:
        assert row_conservation_violations(session, SHIPMENTS) == []
        batch_id = session.scalar("SELECT min(batch_id) FROM raw.archived_batch")
        found = trace_batch(session, ArchiveStore.of(settings), batch_id)
    assert found.archive_id == archive_id and len(found.rows) == 49
    assert restore_archive(target, settings, archive_id) == {SHIPMENTS: 98, "dead_letter": 2}


def _archive_job_definitions(settings: Settings) -> dg.Definitions:
    """The lifecycle's definitions as the code location assembles them, with the warehouse's resource."""
    return dg.Definitions.merge(
        lifecycle_definitions(settings.archive),
        dg.Definitions(resources={"warehouse": WarehouseResource.from_settings(settings)}),
    )


def test_the_monthly_schedule_runs_by_default_only_with_a_retention(tmp_path: Path) -> None:
    def default_status(retention_days: dict[str, int]) -> dg.DefaultScheduleStatus:
        settings = replace(
            make_settings("duckdb", tmp_path), archive=ArchiveSettings(retention_days=retention_days)
        )
        (schedule,) = _archive_job_definitions(settings).schedules
        assert schedule.job_name == ARCHIVE_JOB
        return schedule.default_status

    assert default_status({}) == dg.DefaultScheduleStatus.STOPPED
    assert default_status({SHIPMENTS: 30}) == dg.DefaultScheduleStatus.RUNNING


def _run_archive_job(settings: Settings, as_of: dt.date) -> tuple[dict, str]:
    """A run of the archive job in process: its step's output metadata, and every message of the run."""
    job = _archive_job_definitions(settings).resolve_job_def(ARCHIVE_JOB)
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            run_config={"ops": {"archive_partitions": {"config": {"as_of": as_of.isoformat()}}}},
            instance=instance,
        )
        assert result.success
        (output,) = (
            event for event in result.all_events if event.event_type == dg.DagsterEventType.STEP_OUTPUT
        )
        messages = "\n".join(record.message for record in instance.all_logs(result.run_id))
    return output.step_output_data.metadata, messages


def test_the_archive_job_archives_once_and_names_each_object(
    warehouse: Warehouse, tmp_path: Path, object_store: ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``archive_past_retention`` as the schedule launches it, with the store's key pair from the
    environment: the partition's objects in the metadata, without credentials; a second run does nothing."""
    monkeypatch.setenv("GREENLANG_ARCHIVE_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("GREENLANG_ARCHIVE_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    archive = object_store.archive_settings(f"test-job-{warehouse.dialect}", {SHIPMENTS: 30})
    settings = replace(warehouse.settings, archive=archive)
    warehouse = Warehouse(settings)
    load_reference_data(warehouse)
    load_declarations(warehouse, tmp_path, "acme-steel", rows=50, seed=8)
    before = _hot(warehouse, "acme-steel")

    first, first_log = _run_archive_job(settings, AS_OF)
    second, second_log = _run_archive_job(settings, AS_OF)

    with warehouse.session() as session:
        (entry,) = archive_ledger(session)
        assert session.scalar(f"SELECT count(*) FROM raw.{SHIPMENTS}") == 0
    assert (first["partitions"].value, first["rows"].value, first["dead_letters"].value) == (1, 98, 2)
    objects = {record.data["table"]: record.data for record in first["archived_objects"].value.records}
    store = ArchiveStore.of(settings.archive)
    for table, fingerprint in ((SHIPMENTS, before["rows"]), ("dead_letter", before["dead"])):
        found = objects[table]
        key = found["uri"].removeprefix(f"{store.location}/")
        info = store.filesystem.get_file_info(store.path(key))
        assert (found["archive_id"], found["tenant_id"]) == (entry["archive_id"], "acme-steel")
        assert (found["month"], found["rows"]) == (entry["period"], fingerprint.rows)
        assert found["uri"].startswith("s3://") and info.size == found["bytes"] > 0
    shown = json.dumps({name: str(value) for name, value in first.items()}) + first_log
    assert ACCESS_KEY_ID not in shown and SECRET_ACCESS_KEY not in shown
    assert second["partitions"].value == 0 and "archived 0 partitions" in second_log
    with warehouse.session() as session:
        assert archive_ledger(session) == [entry]


def test_the_archive_job_without_a_retention_succeeds_doing_nothing(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    metadata, log = _run_archive_job(settings, AS_OF)
    assert metadata["partitions"].value == 0 and NO_RETENTION in log
