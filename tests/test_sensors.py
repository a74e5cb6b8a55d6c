"""The run-failure alert through a real webhook server (the landing sensor: tests/test_landing_sensor.py)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import dagster as dg
import pytest

from greenlang.alerts.notifier import Notifier, WebhookNotifier
from greenlang.alerts.sensors import alert_on_run_failure


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


def _failure_context(instance: dg.DagsterInstance, notifier: Notifier):
    result = _failing_job.execute_in_process(instance=instance, raise_on_error=False)
    event = next(event for event in result.all_events if event.event_type_value == "PIPELINE_FAILURE")
    return dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"notifier": notifier},
    ).for_run_failure()


@pytest.mark.slow  # a failing Dagster run and a webhook server
def test_run_failure_alert_reaches_the_webhook() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.received.clear()
    try:
        notifier = WebhookNotifier(url=f"http://127.0.0.1:{server.server_port}/hook")
        with dg.instance_for_test() as instance:
            alert_on_run_failure(_failure_context(instance, notifier))
    finally:
        server.shutdown()
    (alert,) = _Receiver.received
    assert alert["subject"] == "GreenLang run failed: _failing_job"
    assert "_explode" in alert["body"]
