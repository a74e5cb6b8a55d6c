"""The demo's meter stream: a NATS server of its own (store ``.warehouse/nats``) and SCADA readings on it.

- ``make demo`` publishes, before it builds, a few seconds' worth of readings: the Rotterdam meter's
  2026-03-28 (acme-steel) in one-minute readings that add up to the half hours of its settlement file, so
  the nightly reconciliation finds that day matched (and the file's other two days ``filed_only``); and an
  hour of a small live fleet of both tenants with the simulator's faults (duplicates, an estimate corrected
  later, late and shuffled readings, malformed messages for the dead letter).
- ``make ui`` keeps a live fleet publishing a reading per meter every few seconds, which the
  ``meter_stream`` sensor picks up.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from demo.environment import environment
from demo.ghg import GHG_TENANTS, METERS, meter_rows
from demo.nats_server import NatsServer, running_nats_server
from greenlang.settings import PROJECT_ROOT
from simulators.scada import (
    OutgoingMessage,
    PublishStats,
    ScadaMeter,
    demo_fleet,
    publish_messages,
    scada_messages,
)
from simulators.scada.simulator import reading_message

# The JetStream store of the demo's NATS server.
NATS_STORE = PROJECT_ROOT / ".warehouse" / "nats"
MINUTE = dt.timedelta(minutes=1)
FILED_METER = METERS["rotterdam"]
FILED_TENANT = "acme-steel"
LIVE_METERS_PER_TENANT = 2
LIVE_INTERVALS = 60


@contextmanager
def running_meter_stream(store_dir: Path) -> Iterator[NatsServer]:
    """The demo's NATS server, its URL in ``GREENLANG_NATS_URL`` while it runs."""
    with running_nats_server(store_dir) as server, environment({"GREENLANG_NATS_URL": server.url}):
        yield server


def minute_readings_of_the_filed_day() -> list[OutgoingMessage]:
    """The first day of the Rotterdam settlement file as SCADA one-minute readings: each half hour's kWh
    split into 30 readings (to 4 decimals, the last one taking the remainder) that add up to it exactly."""
    meter = ScadaMeter(FILED_TENANT, FILED_METER.site, FILED_METER.meter_id, FILED_METER.base_kw)
    messages = []
    for row in meter_rows(FILED_METER):
        start = dt.datetime.fromisoformat(str(row["interval_start"]))
        if start.date() != FILED_METER.first_day:
            continue
        total = Decimal(str(row["value"]))
        share = (total / 30).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        for minute in range(30):
            value = share if minute < 29 else total - 29 * share
            messages.append(reading_message(meter, start + minute * MINUTE, MINUTE, str(value), "ACTUAL"))
    return messages


def publish_demo_readings(url: str, now: dt.datetime) -> PublishStats:
    """What ``make demo`` streams (see the module): about 1,700 messages, a second or two."""
    live_start = now.replace(second=0, microsecond=0) - LIVE_INTERVALS * MINUTE
    live = scada_messages(demo_fleet(GHG_TENANTS, LIVE_METERS_PER_TENANT), live_start, LIVE_INTERVALS)
    return publish_messages(url, [*minute_readings_of_the_filed_day(), *live])


@contextmanager
def publishing_live_readings(url: str, every_seconds: float = 5.0) -> Iterator[None]:
    """A reading per meter of the live fleet every ``every_seconds`` (one simulated minute each), until
    the context ends."""
    stop = threading.Event()
    fleet = demo_fleet(GHG_TENANTS, LIVE_METERS_PER_TENANT)

    def publish() -> None:
        interval = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0, microsecond=0)
        while not stop.wait(every_seconds):
            publish_messages(url, scada_messages(fleet, interval, 1, seed=interval.minute))
            interval += MINUTE

    thread = threading.Thread(target=publish, name="scada-simulator", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every_seconds + 5)
