"""The Prometheus exporter: the warehouse's ledger, sync state and quality scores as metrics, read on
every scrape (a custom collector, so a scrape shows the warehouse as it is, with no state of its own).

    python -m greenlang.observe.metrics [--port N]   (default GREENLANG_METRICS_PORT, 9108)

What it exports (deploy/grafana/greenlang.json charts these):

- loads, rows and rejects per source and tenant, from the ledger ``raw.load_batch`` (counters: the ledger
  only grows) and the dead letters per source and tenant from ``raw.dead_letter``;
- freshness lag: seconds since the last batch of each source and tenant that loaded;
- ERP sync lag: seconds between now and the watermark of each (tenant, ERP entity)'s latest sync
  (``raw.erp_sync``): how far behind its ERP the warehouse may be;
- quality scores: the latest score of each (tenant, dataset) in ``reporting.rpt_data_quality_scorecard``,
  when the warehouse has that report;
- ``greenlang_warehouse_up``: 0 when the warehouse could not be read (a DuckDB file a writer holds, a
  PostgreSQL server down), the other metrics then absent from that scrape.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from greenlang.core.warehouse import RAW_SCHEMA, Session, Warehouse, WarehouseUnavailable
from greenlang.settings import load_settings

REPORTING_SCHEMA = "reporting"
SCORECARD = "rpt_data_quality_scorecard"
QUALITY_DIMENSIONS = ("completeness", "validity", "uniqueness", "timeliness", "consistency")
SOURCE_LABELS = ["source", "tenant"]


def _utcnow() -> dt.datetime:
    """Now as the ledger writes timestamps: UTC without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _seconds(delta: dt.timedelta) -> float:
    return delta.total_seconds()


def ledger_metrics(session: Session, now: dt.datetime) -> Iterator[Metric]:
    batches = CounterMetricFamily(
        "greenlang_load_batches",
        "Batches recorded in raw.load_batch, by status",
        labels=[*SOURCE_LABELS, "status"],
    )
    rows = {
        column: CounterMetricFamily(
            f"greenlang_rows_{column}", f"Rows {column} by loads (raw.load_batch)", labels=SOURCE_LABELS
        )
        for column in ("read", "loaded", "rejected")
    }
    totals: dict[tuple[str, str], list[float]] = {}
    for source, tenant, status, count, *row_counts in session.fetchall(
        "SELECT source, tenant_id, status, count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected) "
        f"FROM {RAW_SCHEMA}.load_batch GROUP BY source, tenant_id, status ORDER BY 1, 2, 3"
    ):
        batches.add_metric([source, tenant, status], count)
        summed = totals.setdefault((source, tenant), [0.0, 0.0, 0.0])
        for index, value in enumerate(row_counts):
            summed[index] += float(value)
    for (source, tenant), summed in totals.items():
        for family, value in zip(rows.values(), summed, strict=True):
            family.add_metric([source, tenant], value)
    yield batches
    yield from rows.values()

    dead_letters = CounterMetricFamily(
        "greenlang_dead_letters", "Rejected records kept in raw.dead_letter", labels=SOURCE_LABELS
    )
    for source, tenant, count in session.fetchall(
        f"SELECT source, tenant_id, count(*) FROM {RAW_SCHEMA}.dead_letter GROUP BY source, tenant_id ORDER BY 1, 2"
    ):
        dead_letters.add_metric([source, tenant], count)
    yield dead_letters

    lag = GaugeMetricFamily(
        "greenlang_freshness_lag_seconds",
        "Seconds since the last batch of the source and tenant that loaded (raw.load_batch)",
        labels=SOURCE_LABELS,
    )
    for source, tenant, finished_at in session.fetchall(
        f"SELECT source, tenant_id, max(finished_at) FROM {RAW_SCHEMA}.load_batch "
        "WHERE status = 'succeeded' GROUP BY source, tenant_id ORDER BY 1, 2"
    ):
        lag.add_metric([source, tenant], _seconds(now - finished_at))
    yield lag


def erp_sync_metrics(session: Session, now: dt.datetime) -> Iterator[Metric]:
    lag = GaugeMetricFamily(
        "greenlang_erp_sync_lag_seconds",
        "Seconds between now and the watermark of the latest sync of the ERP entity (raw.erp_sync)",
        labels=SOURCE_LABELS,
    )
    for source, tenant, watermark in session.fetchall(
        "SELECT source, tenant_id, watermark FROM ("
        "  SELECT source, tenant_id, watermark, row_number() OVER ("
        "    PARTITION BY source, tenant_id ORDER BY finished_at DESC, sync_id DESC) AS latest"
        f"  FROM {RAW_SCHEMA}.erp_sync) AS syncs "
        "WHERE latest = 1 AND watermark IS NOT NULL ORDER BY 1, 2"
    ):
        lag.add_metric([source, tenant], _seconds(now - watermark))
    yield lag


def quality_metrics(session: Session) -> Iterator[Metric]:
    """The scorecard's latest day per (tenant, dataset): nothing while the warehouse has no scorecard."""
    if (REPORTING_SCHEMA, SCORECARD) not in {
        (schema, name) for schema, name, _ in session.relations([REPORTING_SCHEMA])
    }:
        return
    score = GaugeMetricFamily(
        "greenlang_quality_score",
        "Quality score 0-100 of the dataset's latest scorecard day",
        labels=["tenant", "dataset"],
    )
    dimension = GaugeMetricFamily(
        "greenlang_quality_dimension_score",
        "Score 0-100 of one quality dimension on the dataset's latest scorecard day",
        labels=["tenant", "dataset", "dimension"],
    )
    columns = ", ".join(f"{name}_score" for name in (*QUALITY_DIMENSIONS, "quality"))
    for tenant, dataset, *scores in session.fetchall(
        f"SELECT tenant_id, dataset, {columns} FROM ("
        f"  SELECT *, row_number() OVER (PARTITION BY tenant_id, dataset ORDER BY score_date DESC) AS latest"
        f"  FROM {REPORTING_SCHEMA}.{SCORECARD}) AS scores WHERE latest = 1 ORDER BY 1, 2"
    ):
        *dimensions, overall = scores
        if overall is not None:
            score.add_metric([tenant, dataset], float(overall))
        for name, value in zip(QUALITY_DIMENSIONS, dimensions, strict=True):
            if value is not None:
                dimension.add_metric([tenant, dataset, name], float(value))
    yield score
    yield dimension


class WarehouseCollector(Collector):
    """Reads the metrics from the warehouse on each scrape, in one read-only session; a relation the
    warehouse does not have yet (no load, no scorecard) contributes nothing (a reader never creates it)."""

    def __init__(self, warehouse: Warehouse, clock: Callable[[], dt.datetime] = _utcnow):
        self.warehouse = warehouse
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        started = time.monotonic()
        up = GaugeMetricFamily("greenlang_warehouse_up", "1 when this scrape could read the warehouse")
        try:
            with self.warehouse.session(read_only=True) as session:
                now = self.clock()
                present = {
                    f"{schema}.{name}"
                    for schema, name, _ in session.relations([RAW_SCHEMA, REPORTING_SCHEMA])
                }
                metrics = [
                    *(ledger_metrics(session, now) if f"{RAW_SCHEMA}.dead_letter" in present else ()),
                    *(erp_sync_metrics(session, now) if f"{RAW_SCHEMA}.erp_sync" in present else ()),
                    *(quality_metrics(session) if f"{REPORTING_SCHEMA}.{SCORECARD}" in present else ()),
                ]
        except WarehouseUnavailable:
            metrics = []
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
        yield up
        yield from metrics
        yield GaugeMetricFamily(
            "greenlang_scrape_duration_seconds",
            "Seconds this scrape took to read the warehouse",
            value=time.monotonic() - started,
        )


def serve(warehouse: Warehouse, port: int, address: str = "127.0.0.1"):
    """Serve the metrics on http://address:port/metrics in a thread; returns the server and its thread."""
    registry = CollectorRegistry()
    registry.register(WarehouseCollector(warehouse))
    return start_http_server(port, addr=address, registry=registry)


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=settings.metrics_port)
    parser.add_argument("--address", default="127.0.0.1", help="the interface to listen on (0.0.0.0: all)")
    arguments = parser.parse_args(argv)
    warehouse = Warehouse(settings)
    server, thread = serve(warehouse, arguments.port, arguments.address)
    print(
        f"Metrics of {warehouse.describe()} at http://{arguments.address}:{server.server_port}/metrics",
        flush=True,
    )
    try:
        thread.join()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
