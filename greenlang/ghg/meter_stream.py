"""SCADA meter readings streamed through NATS JetStream into ``raw.meters__stream_readings``, exactly once.

The stream ``METER_READINGS`` stores the subjects ``meters.<tenant>.<site>.<meter>`` for seven days (the
window a replay by start time can reach) and drops a message whose ``Nats-Msg-Id`` it saw in the last ten
minutes (``reading_message_id``: a gateway's retry of the same reading). Each message is one ``MeterReading``
(the contract of the meter files) as JSON. The micro-batch writer (``greenlang.core.stream_writer``) upserts
one row per (tenant, meter, channel, interval start): ACTUAL beats SUBSTITUTED beats ESTIMATED beats MISSING
(the rule of ``stg_meters__interval_readings``), then the later message.

In Dagster: ``stream/meter_readings`` is the stream itself (an external asset the ``meter_stream`` sensor
observes: its lag and size); the sensor launches ``stream_meter_readings``, whose asset
``raw/meters__stream_readings`` drains the consumer in micro-batches and reports throughput and lag. A
deployment that wants a writer running all the time runs ``python -m greenlang.ghg.meter_stream --follow``.
"""

import argparse
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Sequence

import dagster as dg

from greenlang.core.broker import JetStreamConsumer, StreamDeclaration, stream_lag
from greenlang.core.domains import layer_tags, source_domain
from greenlang.core.freshness import FRESHNESS
from greenlang.core.loader import migrate_raw_tables, prepare_raw_tables
from greenlang.core.stream_writer import (
    STREAM_FORMAT,
    DrainResult,
    MicroBatchWriter,
    Route,
    StreamSource,
)
from greenlang.core.warehouse import RAW_SCHEMA, WAREHOUSE_POOL, Session, Warehouse, WarehouseResource
from greenlang.ghg.sources import METER_STREAM_READINGS
from greenlang.ingest.assets import RAW_TAGS, WAREHOUSE_KINDS, raw_asset_key
from greenlang.settings import load_settings

METER_STREAM = StreamDeclaration(
    name="METER_READINGS",
    subjects=("meters.>",),
    max_age=dt.timedelta(days=7),
    duplicate_window=dt.timedelta(minutes=10),
)
WRITER_CONSUMER = "warehouse-writer"
# What the writer holds at once (and the consumer's max_ack_pending): memory is bounded by it whatever the
# rate upstream; a burst is absorbed by the stream and drained batch by batch. A pull takes what is waiting,
# so batches reach the bound only with a backlog (low rates keep small batches and low latency); at the
# bound, a batch's fixed cost (its transaction, six statements) is spread over more readings: measured on
# PostgreSQL (bench/stream_meter_readings.py, 40k readings), 7.8k events/s with batches of 500, 12.5k with
# 2,000, 14.7k with 5,000.
MAX_BATCH = 5000
QUALITY_PRECEDENCE_SQL = "CASE {row}.quality_flag WHEN 'ACTUAL' THEN 1 WHEN 'SUBSTITUTED' THEN 2 WHEN 'ESTIMATED' THEN 3 ELSE 4 END"


def meter_subject(tenant_id: str, site_id: str, meter_id: str) -> str:
    return f"meters.{tenant_id}.{site_id}.{meter_id}"


def route_meter_subject(subject: str) -> Route | str:
    """``meters.<tenant>.<site>.<meter>`` → the tenant, and the meter the payload must name."""
    parts = subject.split(".")
    if len(parts) != 4 or parts[0] != "meters" or not all(parts):
        return f"subject {subject!r} is not meters.<tenant>.<site>.<meter>"
    return Route(tenant_id=parts[1], fields={"meter_id": parts[3]})


def reading_message_id(
    tenant_id: str, meter_id: str, channel: str, interval_start: str, quality_flag: str, value: str
) -> str:
    """The ``Nats-Msg-Id`` of a reading: the same reading sent twice (a gateway's retry) is stored once. The
    quality flag and the value are part of it, so the ACTUAL that follows an ESTIMATED of the same interval,
    or a corrected value, is a new message, not a repeat."""
    key = "/".join((tenant_id, meter_id, channel, interval_start, quality_flag.upper(), value))
    return hashlib.sha256(key.encode()).hexdigest()


METER_STREAM_SOURCE = StreamSource(
    spec=METER_STREAM_READINGS,
    stream=METER_STREAM,
    key=("meter_id", "channel", "interval_start"),
    event_time="interval_start",
    precedence_sql=QUALITY_PRECEDENCE_SQL,
    route=route_meter_subject,
)


def write_meter_stream(
    warehouse: Warehouse,
    url: str,
    tenants: Sequence[str] | frozenset[str],
    *,
    consumer: str = WRITER_CONSUMER,
    max_batch: int = MAX_BATCH,
    idle_seconds: float = 1.0,
    max_seconds: float | None = None,
    not_before: dt.datetime | None = None,
    keep_latencies: bool = False,
) -> DrainResult:
    """Drain ``consumer`` of the meter stream into the warehouse until it is idle for ``idle_seconds``.
    ``not_before``: a consumer that has committed nothing yet starts at that time (a replay)."""
    broker = JetStreamConsumer(url, METER_STREAM, consumer, max_batch=max_batch)
    try:
        writer = MicroBatchWriter(
            warehouse, METER_STREAM_SOURCE, broker, consumer, tenants, max_batch=max_batch
        )
        with warehouse.session() as session:
            return writer.drain(
                session,
                idle_seconds=idle_seconds,
                max_seconds=max_seconds,
                not_before=not_before,
                keep_latencies=keep_latencies,
            )
    finally:
        broker.close()


def stream_conservation_violations(session: Session) -> list[dict]:
    """Every streamed message is loaded or dead-lettered, once: each micro-batch's ledger adds up, its dead
    letters are in ``raw.dead_letter``, and the ledger's messages are those the consumers committed."""
    source = METER_STREAM_READINGS.name
    batches = session.fetchall(
        f"""
        SELECT b.batch_id, b.rows_read, b.rows_loaded, b.rows_rejected, count(d.batch_id)
        FROM {RAW_SCHEMA}.load_batch AS b
        LEFT JOIN {RAW_SCHEMA}.dead_letter AS d ON d.batch_id = b.batch_id
        WHERE b.source = %(source)s AND b.file_format = %(format)s
        GROUP BY b.batch_id, b.rows_read, b.rows_loaded, b.rows_rejected
        HAVING b.rows_read <> b.rows_loaded + b.rows_rejected OR count(d.batch_id) <> b.rows_rejected
        ORDER BY b.batch_id
        """,
        {"source": source, "format": STREAM_FORMAT},
    )
    violations = [
        dict(zip(("batch_id", "rows_read", "rows_loaded", "rows_rejected", "dead_letters"), row, strict=True))
        for row in batches
    ]
    read = session.scalar(
        f"SELECT coalesce(sum(rows_read), 0) FROM {RAW_SCHEMA}.load_batch WHERE source = %(source)s",
        {"source": source},
    )
    committed = session.scalar(
        f"SELECT coalesce(sum(messages), 0) FROM {RAW_SCHEMA}.stream_position WHERE stream = %(stream)s",
        {"stream": METER_STREAM.name},
    )
    if read != committed:
        violations.append({"ledger_rows_read": int(read), "consumers_committed": int(committed)})
    return violations


# --- Dagster ------------------------------------------------------------------------------------------------

METER_STREAM_KEY = dg.AssetKey(["stream", "meter_readings"])
METER_STREAM_READINGS_KEY = raw_asset_key(METER_STREAM_READINGS)
meter_stream_spec = dg.AssetSpec(
    key=METER_STREAM_KEY,
    group_name=source_domain(METER_STREAM_READINGS.name),
    # what arrives, before the warehouse holds it: the layer of the raw table it feeds
    tags=layer_tags("raw"),
    kinds={"nats"},
    description=(
        "The NATS JetStream stream METER_READINGS (subjects meters.<tenant>.<site>.<meter>, 7 days kept, "
        "repeated Nats-Msg-Id dropped within 10 minutes): SCADA interval readings. Observed by the "
        "`meter_stream` sensor (lag, messages)."
    ),
)


class MeterStreamResource(dg.ConfigurableResource):
    """Where the meter stream is: the NATS server URL (``GREENLANG_NATS_URL``, an ``EnvVar``: it may carry
    credentials); empty when the deployment has no stream."""

    url: str = ""


def build_meter_stream_readings_asset(tenants: frozenset[str]) -> dg.AssetsDefinition:
    """The raw asset that drains the stream; ``tenants``: the registered ones (a message of another is
    dead-lettered)."""

    @dg.asset(
        key=METER_STREAM_READINGS_KEY,
        deps=[METER_STREAM_KEY],
        group_name=source_domain(METER_STREAM_READINGS.name),
        kinds={*WAREHOUSE_KINDS, "nats"},
        description=(
            "SCADA meter readings from the NATS stream METER_READINGS into `raw.meters__stream_readings`, one "
            "row per (tenant, meter, channel, interval start), exactly once: micro-batches of at most "
            f"{MAX_BATCH} messages, each committed with the consumer's stream position, acknowledged after "
            "the commit; invalid messages to raw.dead_letter (position: the stream sequence)."
        ),
        metadata={
            "contract": f"{METER_STREAM_READINGS.contract.contract_name} "
            f"v{METER_STREAM_READINGS.contract.contract_version}"
        },
        tags=RAW_TAGS,
        freshness_policy=FRESHNESS[METER_STREAM_READINGS.cadence],
        pool=WAREHOUSE_POOL,
    )
    def meter_stream_readings(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, meter_stream: MeterStreamResource
    ) -> dg.MaterializeResult:
        store = warehouse.get_warehouse()
        if not meter_stream.url:
            # the raw table still exists (empty), so the models that read it build
            prepare_raw_tables(store, [METER_STREAM_READINGS])
            context.log.warning("no meter stream configured (GREENLANG_NATS_URL): nothing to read")
            return dg.MaterializeResult(metadata={"messages_read": 0, "stream": "not configured"})
        result = write_meter_stream(store, meter_stream.url, tenants, idle_seconds=1.0, max_seconds=60.0)
        lag = stream_lag(meter_stream.url, METER_STREAM, WRITER_CONSUMER)
        context.log.info(
            f"{result.read} messages in {result.batches} micro-batches, {lag.pending} still pending"
        )
        return dg.MaterializeResult(
            metadata={
                "messages_read": result.read,
                "rows_loaded": result.loaded,
                "rows_rejected": result.rejected,
                "redelivered_skipped": result.skipped,
                "micro_batches": result.batches,
                "largest_batch": result.largest_batch,
                "messages_per_second": round(result.messages_per_second, 1),
                "lag_messages": lag.pending,
                "stream_last_sequence": lag.last_sequence,
            }
        )

    return meter_stream_readings


@dg.asset_check(
    asset=METER_STREAM_READINGS_KEY,
    name="stream_conservation",
    blocking=True,
    pool=WAREHOUSE_POOL,
    description="Every streamed message is loaded or dead-lettered once: rows_read = rows_loaded + "
    "rows_rejected per micro-batch, its dead letters present, and the ledger matches the committed positions",
)
def meter_stream_conservation(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_warehouse().session() as session:
        migrate_raw_tables(session, [METER_STREAM_READINGS])
        violations = stream_conservation_violations(session)
    return dg.AssetCheckResult(
        passed=not violations, metadata={"violations": dg.MetadataValue.json(violations)}
    )


stream_meter_readings_job = dg.define_asset_job(
    "stream_meter_readings",
    selection=dg.AssetSelection.assets(METER_STREAM_READINGS_KEY),
    description="Drain the meter stream into the warehouse in micro-batches",
)


@dg.sensor(
    name="meter_stream",
    job=stream_meter_readings_job,
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Observes the meter stream's lag and launches a micro-batch run when readings wait",
)
def meter_stream_sensor(
    context: dg.SensorEvaluationContext, meter_stream: MeterStreamResource
) -> dg.SensorResult | dg.SkipReason:
    if not meter_stream.url:
        return dg.SkipReason("no meter stream configured (GREENLANG_NATS_URL)")
    try:
        lag = stream_lag(meter_stream.url, METER_STREAM, WRITER_CONSUMER)
    except (OSError, TimeoutError, Exception) as error:  # noqa: BLE001 - a sensor must report, not crash
        return dg.SkipReason(f"the NATS server is not reachable: {type(error).__name__}")
    observation = dg.AssetObservation(
        asset_key=METER_STREAM_KEY,
        metadata={"lag_messages": lag.pending, "last_sequence": lag.last_sequence},
    )
    running = context.instance.get_run_records(
        dg.RunsFilter(
            job_name=stream_meter_readings_job.name,
            statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED],
        ),
        limit=1,
    )
    requests = (
        [] if running or not lag.pending else [dg.RunRequest(tags={"meter_stream/lag": str(lag.pending)})]
    )
    return dg.SensorResult(
        run_requests=requests,
        asset_events=[observation],
        skip_reason=None if requests else f"{lag.pending} waiting, {len(running)} run in progress",
    )


def meter_stream_definitions(nats_configured: bool, tenants: frozenset[str]) -> dg.Definitions:
    return dg.Definitions(
        assets=[meter_stream_spec, build_meter_stream_readings_asset(tenants)],
        asset_checks=[meter_stream_conservation],
        jobs=[stream_meter_readings_job],
        sensors=[meter_stream_sensor],
        resources={
            "meter_stream": MeterStreamResource(
                url=dg.EnvVar("GREENLANG_NATS_URL") if nats_configured else ""
            )
        },
    )


# --- a writer that runs all the time ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m greenlang.ghg.meter_stream", description=__doc__)
    parser.add_argument(
        "--follow", action="store_true", help="keep writing as readings arrive (until killed)"
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=1.0, help="stop (or wait again) after this idle"
    )
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH)
    arguments = parser.parse_args(argv)
    settings = load_settings()
    if not settings.nats_url:
        print("GREENLANG_NATS_URL is not set: no meter stream to write", file=sys.stderr)
        return 2
    while True:
        result = write_meter_stream(
            Warehouse(settings),
            settings.nats_url,
            settings.tenants,
            max_batch=arguments.max_batch,
            idle_seconds=arguments.idle_seconds,
        )
        print(f"{result.read} messages, {result.loaded} loaded, {result.rejected} rejected", flush=True)
        if not arguments.follow:
            return 0
        time.sleep(0.1 if result.read else arguments.idle_seconds)


if __name__ == "__main__":
    raise SystemExit(main())
