"""A 10x burst of SCADA readings (on DuckDB and PostgreSQL): the writer process drains it in micro-batches
no larger than its bound, in the memory it needs for the steady rate, and the lag drains to nothing."""

from __future__ import annotations

import datetime as dt
import json
import os

from demo.nats_server import NatsServer
from greenlang.core.warehouse import Warehouse
from simulators.scada import Faults, demo_fleet, publish_messages, scada_messages
from tests.helpers.streams import (
    DAY,
    TENANTS,
    expected_readings,
    start_writer,
    stored_readings,
    writer_environment,
)

MAX_BATCH = 100


def drain_peak_rss_kib(environment: dict[str, str]) -> int:
    """Run the writer until the stream is idle; its peak resident memory (KiB)."""
    writer = start_writer(environment, "--max-batch", str(MAX_BATCH), "--idle-seconds", "0.5")
    _pid, status, usage = os.wait4(writer.pid, 0)
    writer.returncode = os.waitstatus_to_exitcode(status)
    assert writer.returncode == 0, writer.stderr.read().decode()
    return usage.ru_maxrss


def test_a_10x_burst_is_drained_in_bounded_batches_and_memory(
    warehouse: Warehouse, nats_server: NatsServer
) -> None:
    fleet = demo_fleet(sorted(TENANTS), 10)
    environment = writer_environment(warehouse, nats_server.url)
    steady = scada_messages(fleet, DAY, 15, faults=Faults.none(), seed=4)  # 300 readings
    publish_messages(nats_server.url, steady, rate=2000)
    steady_rss = drain_peak_rss_kib(environment)
    burst = scada_messages(fleet, DAY + dt.timedelta(hours=1), 150, faults=Faults.none(), seed=5)  # 10x
    publish_messages(nats_server.url, burst, rate=2000, burst=True)
    burst_rss = drain_peak_rss_kib(environment)

    with warehouse.session() as session:
        batches = [
            json.loads(attributes)
            for (attributes,) in session.fetchall(
                "SELECT attributes FROM raw.load_batch WHERE source = 'meters__stream_readings'"
            )
        ]
        position = session.scalar("SELECT last_sequence FROM raw.stream_position")
    assert max(batch["last_sequence"] - batch["first_sequence"] + 1 for batch in batches) <= MAX_BATCH
    assert position == len(steady) + len(burst), "the lag drained"
    assert stored_readings(warehouse) == expected_readings([*steady, *burst])
    # ten times the messages in the same memory, give or take the allocator
    assert burst_rss < steady_rss * 1.25, (steady_rss, burst_rss)
