"""The landing sensor, the run-failure alert through a real webhook server, and the schedule."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import pytest

from greenlang.alerts.notifier import Notifier, WebhookNotifier
from greenlang.alerts.sensors import alert_on_run_failure
from greenlang.cbam.sources import CBAM_SOURCES
from greenlang.ingest.sensors import build_landing_sensor, build_load_jobs
from greenlang.warehouse.jobs import daily_build


def _land(landing: Path, tenant: str, source: str, name: str, text: str = "a,b\n1,2\n") -> Path:
    path = landing / tenant / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_landing_sensor_requests_one_run_per_new_file_and_remembers(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    jobs = build_load_jobs(CBAM_SOURCES)
    sensor = build_landing_sensor(CBAM_SOURCES, jobs, landing)
    first = _land(landing, "acme", "customs__cbam_shipments", "a.csv")
    _land(landing, "global", "cbam__goods", "goods.csv")
    _land(landing, "acme", "unknown_source", "x.csv")
    _land(landing, "acme", "customs__cbam_shipments", "notes.pdf")

    result = sensor(dg.build_sensor_context(cursor=None))
    requests = {request.tags["greenlang/file"]: request for request in result.run_requests}
    assert sorted(requests) == ["a.csv", "goods.csv"]
    assert requests["a.csv"].job_name == "load_customs__cbam_shipments"
    assert requests["a.csv"].tags["greenlang/tenant"] == "acme"
    config = requests["a.csv"].run_config["ops"]["raw__customs__cbam_shipments"]["config"]
    assert config["files"] == [str(first)]

    again = sensor(dg.build_sensor_context(cursor=result.cursor))
    assert not again.run_requests

    # a rewritten file is new again (a broker re-sends a corrected file under the same name)
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))
    rewritten = sensor(dg.build_sensor_context(cursor=result.cursor))
    assert [request.tags["greenlang/file"] for request in rewritten.run_requests] == ["a.csv"]


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


def test_daily_schedule_builds_everything() -> None:
    assert daily_build.cron_schedule == "0 5 * * *"
    assert daily_build.job_name == "build_warehouse"
