"""The Prometheus exporter scraped over HTTP on a warehouse with a real load (rows loaded and rejected), an
ERP sync row and a quality scorecard of the agreed shape, on DuckDB and PostgreSQL; and the Grafana
dashboard, whose every query names a metric the exporter exports."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.observe.metrics import serve
from greenlang.settings import PROJECT_ROOT, PostgresSettings
from tests.helpers.warehouses import make_settings
from tests.ingestion.test_loader import BAD, GOOD, write_csv

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "greenlang.json"
SOURCE = CBAM_SHIPMENTS.name
SYNC_WATERMARK = dt.datetime(2026, 1, 1, 6, 0)


def scrape(warehouse: Warehouse) -> dict[tuple[str, frozenset], float]:
    """One scrape over HTTP: {(sample name, labels): value}."""
    server, thread = serve(warehouse, 0)
    try:
        response = requests.get(f"http://127.0.0.1:{server.server_port}/metrics", timeout=30)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    response.raise_for_status()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _labels(**labels: str) -> frozenset:
    return frozenset(labels.items())


def _record_sync_and_scores(warehouse: Warehouse) -> None:
    """An ERP sync row as ``greenlang.erp.sync.record_sync`` writes it, and two days of the scorecard in the
    shape agreed with the quality work (docs/architecture.md, "Observability")."""
    with warehouse.session() as session:
        session.execute(
            "INSERT INTO raw.erp_sync (sync_id, tenant_id, source, watermark, consistent, passes, pages, records, "
            "rows_loaded, rows_rejected, batch_ids, started_at, finished_at) VALUES ('s1', 'acme', "
            "'sap__purchase_order_items', %(watermark)s, true, 1, 1, 0, 0, 0, '[]', %(watermark)s, %(watermark)s)",
            {"watermark": SYNC_WATERMARK},
        )
        session.execute("CREATE SCHEMA IF NOT EXISTS reporting")
        session.execute(
            "CREATE TABLE reporting.rpt_data_quality_scorecard (tenant_id text, score_date date, dataset text, "
            "completeness_score numeric(5, 2), validity_score numeric(5, 2), uniqueness_score numeric(5, 2), "
            "timeliness_score numeric(5, 2), consistency_score numeric(5, 2), quality_score numeric(5, 2))"
        )
        session.execute(
            "INSERT INTO reporting.rpt_data_quality_scorecard VALUES "
            "('acme', DATE '2026-01-01', 'raw.customs__cbam_shipments', 100, 100, 100, 100, 100, 100), "
            "('acme', DATE '2026-01-02', 'raw.customs__cbam_shipments', 90, 42.86, 100, 75.5, 100, 81.67)"
        )


@pytest.fixture
def observed(warehouse: Warehouse, tmp_path: Path) -> Iterator[Warehouse]:
    load_file(warehouse, CBAM_SHIPMENTS, write_csv(tmp_path / "shipments.csv", GOOD + BAD), "acme")
    _record_sync_and_scores(warehouse)
    yield warehouse


def test_a_scrape_reports_loads_rejects_lags_and_quality(observed: Warehouse) -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    metrics = scrape(observed)
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cbam = _labels(source=SOURCE, tenant="acme")
    assert metrics[("greenlang_warehouse_up", _labels())] == 1
    assert (
        metrics[("greenlang_load_batches_total", _labels(source=SOURCE, tenant="acme", status="succeeded"))]
        == 1
    )
    assert metrics[("greenlang_rows_read_total", cbam)] == len(GOOD) + len(BAD)
    assert metrics[("greenlang_rows_loaded_total", cbam)] == len(GOOD)
    assert metrics[("greenlang_rows_rejected_total", cbam)] == len(BAD)
    assert metrics[("greenlang_dead_letters_total", cbam)] == len(BAD)
    assert 0 <= metrics[("greenlang_freshness_lag_seconds", cbam)] < 300
    sync_lag = metrics[
        ("greenlang_erp_sync_lag_seconds", _labels(source="sap__purchase_order_items", tenant="acme"))
    ]
    assert (before - SYNC_WATERMARK).total_seconds() <= sync_lag <= (after - SYNC_WATERMARK).total_seconds()
    dataset = {"tenant": "acme", "dataset": "raw.customs__cbam_shipments"}
    assert metrics[("greenlang_quality_score", _labels(**dataset))] == pytest.approx(81.67)  # the latest day
    assert metrics[
        ("greenlang_quality_dimension_score", _labels(**dataset, dimension="validity"))
    ] == pytest.approx(42.86)
    assert metrics[("greenlang_scrape_duration_seconds", _labels())] > 0


def test_an_unreadable_warehouse_scrapes_as_down(tmp_path: Path) -> None:
    nowhere = PostgresSettings("127.0.0.1", 1, "root", "", "greenlang")
    metrics = scrape(Warehouse(make_settings("postgres", tmp_path, nowhere)))
    assert metrics[("greenlang_warehouse_up", _labels())] == 0
    assert not any(name.startswith("greenlang_rows_") for name, _ in metrics)


def test_a_new_warehouse_scrapes_without_creating_anything(tmp_path: Path) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    metrics = scrape(warehouse)
    assert metrics[("greenlang_warehouse_up", _labels())] == 1
    assert not warehouse.settings.duckdb_path.exists()


def dashboard_metrics() -> set[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    expressions = [target["expr"] for panel in panels for target in panel["targets"]]
    assert len(expressions) == len(panels) >= 8
    return {name for expression in expressions for name in re.findall(r"\bgreenlang_[a-z_]+\b", expression)}


def test_the_dashboard_charts_only_metrics_the_exporter_exports(observed: Warehouse) -> None:
    exported = {name for name, _ in scrape(observed)}
    charted = dashboard_metrics()
    assert charted <= exported, f"the dashboard queries metrics nobody exports: {sorted(charted - exported)}"
    # and every family the exporter has is on the dashboard
    assert {name.removesuffix("_created") for name in exported} <= charted
