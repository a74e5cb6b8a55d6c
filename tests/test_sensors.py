"""The alerts through a real webhook server: a failed run, and a successful run whose WARN check failed (the
landing sensor: tests/test_landing_sensor.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import pytest

from greenlang.alerts.notifier import Notifier, WebhookNotifier
from greenlang.alerts.sensors import alert_on_failed_warn_checks, alert_on_run_failure
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.warehouse import WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset
from tests.helpers.warehouses import make_settings


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@dg.op
def _explode() -> None:
    raise RuntimeError("boom: the broker file is corrupt")


@dg.job
def _failing_job() -> None:
    _explode()


def _status_context(
    sensor_name: str, instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, notifier: Notifier
):
    """The context a run-status sensor gets for the run of ``result`` (its success or failure event)."""
    ended = ("PIPELINE_SUCCESS", "PIPELINE_FAILURE")
    event = next(event for event in result.all_events if event.event_type_value in ended)
    return dg.build_run_status_sensor_context(
        sensor_name=sensor_name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"notifier": notifier},
    )


def _failure_context(instance: dg.DagsterInstance, notifier: Notifier):
    result = _failing_job.execute_in_process(instance=instance, raise_on_error=False)
    return _status_context("alert_on_run_failure", instance, result, notifier).for_run_failure()


@pytest.fixture
def webhook() -> Iterator[WebhookNotifier]:
    """A notifier posting to a real HTTP server on 127.0.0.1; what it received is in ``_Receiver.received``."""
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.received.clear()
    try:
        yield WebhookNotifier(url=f"http://127.0.0.1:{server.server_port}/hook")
    finally:
        server.shutdown()


@pytest.mark.slow  # a failing Dagster run and a webhook server
def test_run_failure_alert_reaches_the_webhook(webhook: WebhookNotifier) -> None:
    with dg.instance_for_test() as instance:
        alert_on_run_failure(_failure_context(instance, webhook))
    (alert,) = _Receiver.received
    assert alert["subject"] == "GreenLang run failed: _failing_job"
    assert "_explode" in alert["body"]


def _success_context(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, notifier: Notifier):
    return _status_context("alert_on_failed_warn_checks", instance, result, notifier)


@pytest.mark.slow  # a real load run and a webhook server
def test_a_file_that_did_not_load_alerts_although_its_run_succeeded(
    webhook: WebhookNotifier, tmp_path: Path
) -> None:
    settings = make_settings("duckdb", tmp_path)
    folder = settings.landing_dir / "acme" / CBAM_SHIPMENTS.name
    folder.mkdir(parents=True)
    (folder / "empty.csv").write_text("")
    asset = build_ingestion_asset(CBAM_SHIPMENTS, settings.landing_dir, settings.tenants)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [asset], instance=instance, resources={"warehouse": WarehouseResource.from_settings(settings)}
        )
        assert result.success
        alert_on_failed_warn_checks(_success_context(instance, result, webhook))
        (alert,) = _Receiver.received
        assert alert["subject"] == "GreenLang checks warned in run __ephemeral_asset_job__: 1"
        assert "raw/customs__cbam_shipments:no_failed_deliveries" in alert["body"]
        assert "acme/empty.csv" in alert["body"]

        # a run with nothing to warn about sends nothing
        (folder / "empty.csv").unlink()
        clean = dg.materialize(
            [asset], instance=instance, resources={"warehouse": WarehouseResource.from_settings(settings)}
        )
        alert_on_failed_warn_checks(_success_context(instance, clean, webhook))
    assert len(_Receiver.received) == 1
