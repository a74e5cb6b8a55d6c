"""kill -9 of the meter-stream writer (a real process, on DuckDB and PostgreSQL) while it writes
micro-batches: after a restart no reading is lost and none is applied twice (greenlang.ghg.meter_stream)."""

from __future__ import annotations

import asyncio
import signal
import time

import nats
from nats.js.errors import NotFoundError

from demo.nats_server import NatsServer
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.meter_stream import METER_STREAM, WRITER_CONSUMER, write_meter_stream
from simulators.scada import demo_fleet, publish_messages, scada_messages
from tests.helpers.streams import (
    DAY,
    FAULTS,
    TENANTS,
    expected_readings,
    ledger_totals,
    start_writer,
    stored_readings,
    writer_environment,
)


def acknowledged_sequence(url: str) -> int:
    """The writer consumer's acknowledged stream sequence (0 before its first acknowledgement)."""

    async def look() -> int:
        connection = await nats.connect(url)
        try:
            info = await connection.jetstream().consumer_info(METER_STREAM.name, WRITER_CONSUMER)
            return info.ack_floor.stream_seq
        except NotFoundError:
            return 0
        finally:
            await connection.close()

    return asyncio.run(look())


def test_kill_9_mid_stream_then_restart_loses_and_duplicates_nothing(
    warehouse: Warehouse, nats_server: NatsServer
) -> None:
    fleet = demo_fleet(sorted(TENANTS), 10)
    messages = scada_messages(fleet, DAY, 150, faults=FAULTS, seed=3)  # about 3,500 messages
    stats = publish_messages(nats_server.url, messages)
    writer = start_writer(
        writer_environment(warehouse, nats_server.url),
        "--follow",
        "--max-batch",
        "50",
        "--idle-seconds",
        "0.3",
    )
    deadline = time.monotonic() + 60
    while acknowledged_sequence(nats_server.url) == 0:  # busy: its first batch is committed
        assert writer.poll() is None, writer.stderr.read().decode()
        assert time.monotonic() < deadline, "the writer acknowledged nothing"
        time.sleep(0.02)
    time.sleep(0.2)  # a few batches later, in the middle of one
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    with warehouse.session() as session:
        committed = session.scalar("SELECT last_sequence FROM raw.stream_position")
    assert 0 < committed < stats.stored, "killed with messages committed and messages left"

    restarted = write_meter_stream(warehouse, nats_server.url, TENANTS, max_batch=100, idle_seconds=0.3)

    assert restarted.read == stats.stored - committed
    malformed = sum(message.kind == "malformed" for message in messages)
    assert stored_readings(warehouse) == expected_readings(messages)
    assert ledger_totals(warehouse) == (stats.stored, stats.stored, malformed, malformed)
