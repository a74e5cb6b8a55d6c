"""Helpers of the meter-stream tests (tests/ghg/test_meter_stream*.py): what the table must hold for the
messages the SCADA simulator sent, what it holds, the ledger's totals, and a writer process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal

from greenlang.core.warehouse import Warehouse
from greenlang.ghg.meter_stream import route_meter_subject, stream_conservation_violations
from greenlang.settings import PROJECT_ROOT
from simulators.scada import Faults, OutgoingMessage

TENANTS = frozenset({"acme", "nordic"})
DAY = dt.datetime(2026, 12, 1)
FAULTS = Faults(late=0.05, estimated_first=0.1, duplicates=0.1, malformed=0.05)


def expected_readings(messages: list[OutgoingMessage]) -> dict[tuple, tuple[Decimal, str]]:
    """What the table must hold: per (tenant, meter, channel, interval start) the ACTUAL value sent."""
    expected = {}
    for message in messages:
        if message.kind != "reading":
            continue
        route = route_meter_subject(message.subject)
        payload = json.loads(message.payload)
        start = dt.datetime.fromisoformat(payload["interval_start"])
        key = (route.tenant_id, payload["meter_id"], payload["channel"], start)
        expected[key] = (Decimal(payload["value"]), "ACTUAL")
    return expected


def stored_readings(
    warehouse: Warehouse, since: dt.datetime | None = None
) -> dict[tuple, tuple[Decimal, str]]:
    with warehouse.session() as session:
        rows = session.fetchall(
            "SELECT tenant_id, meter_id, channel, interval_start, value, quality_flag "
            "FROM raw.meters__stream_readings WHERE interval_start >= %(since)s",
            {"since": since or dt.datetime(1900, 1, 1)},
        )
    table = {
        (tenant, meter, channel, start): (Decimal(value), flag)
        for tenant, meter, channel, start, value, flag in rows
    }
    assert len(table) == len(rows), "one row per key"
    return table


def ledger_totals(warehouse: Warehouse) -> tuple[int, int, int, int]:
    """(rows read by the ledger, messages the consumers committed, dead letters, distinct dead sequences)"""
    with warehouse.session() as session:
        read = session.scalar(
            "SELECT coalesce(sum(rows_read), 0) FROM raw.load_batch WHERE source = 'meters__stream_readings'"
        )
        committed = session.scalar("SELECT coalesce(sum(messages), 0) FROM raw.stream_position")
        dead, distinct = session.fetchall(
            "SELECT count(*), count(DISTINCT source_row) FROM raw.dead_letter WHERE source = 'meters__stream_readings'"
        )[0]
        assert stream_conservation_violations(session) == []
    return int(read), int(committed), int(dead), int(distinct)


def writer_environment(warehouse: Warehouse, url: str) -> dict[str, str]:
    settings = warehouse.settings
    return {
        **os.environ,
        **settings.dbt_env(),
        "PYTHONPATH": str(PROJECT_ROOT),
        "GREENLANG_TARGET": settings.target,
        "GREENLANG_TENANTS": ",".join(sorted(TENANTS)),
        "GREENLANG_NATS_URL": url,
    }


def start_writer(environment: dict[str, str], *arguments: str) -> subprocess.Popen:
    """``python -m greenlang.ghg.meter_stream`` with ``arguments``, as a deployment runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "greenlang.ghg.meter_stream", *arguments],
        env=environment,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
