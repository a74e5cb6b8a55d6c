"""The alerts through apprise to real HTTP receivers on 127.0.0.1, in each service's own payload: a Teams
Workflows webhook (HTTPS, an Adaptive Card), a Slack incoming webhook and a generic JSON webhook; a failed
run, a failed run that will be retried (no alert), and a successful run whose WARN check failed (the
landing sensor: tests/test_landing_sensor.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dagster as dg
import pytest
from apprise.plugins.slack import NotifySlack
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from greenlang.alerts.notifier import AlertNotDelivered, Notifier
from greenlang.alerts.sensors import alert_on_failed_checks, alert_on_run_failure
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.warehouse import WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset
from tests.helpers.warehouses import make_settings

WORKFLOW_ID = "0a1b2c3d4e5f"
SIGNATURE = "Zm9vYmFyc2VjcmV0c2lnbmF0dXJl"
SLACK_TOKENS = "T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7"


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    body: dict


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what was POSTed to it and answers ``status`` with the
    body ``ok`` (what a Slack incoming webhook answers; the other services read the status only)."""

    server: HTTPServer
    requests: list[Request] = field(default_factory=list)
    status: int = 200

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_port}"


def _serve(tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            url = urlsplit(self.path)
            receiver.requests.append(Request(url.path, parse_qs(url.query), json.loads(body)))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from _serve()


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[Receiver]:
    """The same over HTTPS with a self-signed certificate (apprise's Workflows plugin speaks HTTPS only)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    yield from _serve(context)


def _workflows_url(receiver: Receiver) -> str:
    return f"workflows://{receiver.address}/{WORKFLOW_ID}/{SIGNATURE}/?verify=no&image=no"


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")  # the receiver's self-signed certificate
def test_teams_workflows_get_an_adaptive_card_and_no_log_line_names_the_signature(
    tls_receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    Notifier(urls=_workflows_url(tls_receiver)).notify("GreenLang run failed: build", "run 42\nerror: boom")
    (request,) = tls_receiver.requests
    assert request.path == f"/workflows/{WORKFLOW_ID}/triggers/manual/paths/invoke"
    assert request.query["sig"] == [SIGNATURE]
    assert request.body["type"] == "message"
    (attachment,) = request.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    texts = {block["id"]: block["text"] for block in card["body"] if block["type"] == "TextBlock"}
    assert texts["title"] == "GreenLang run failed: build"
    assert "error: boom" in texts["body"]
    assert "text" not in request.body  # the bare {"text": …} that Teams Workflows ignore
    assert SIGNATURE not in caplog.text


def test_slack_and_a_json_webhook_each_get_their_own_payload(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # apprise posts Slack webhooks to hooks.slack.com; the test points that base at the local receiver.
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://{receiver.address}/services")
    urls = f"slack://{SLACK_TOKENS}, json://{receiver.address}/hook"
    Notifier(urls=urls).notify("GreenLang checks failed in run x: 1", "WARN raw/a:check", warning=True)
    by_path = {request.path: request.body for request in receiver.requests}
    assert set(by_path) == {f"/services/{SLACK_TOKENS}", "/hook"}
    slack = by_path[f"/services/{SLACK_TOKENS}"]
    (attachment,) = slack["attachments"]
    assert "GreenLang checks failed in run x: 1" in attachment["title"]
    assert "WARN raw/a:check" in attachment["text"]
    generic = by_path["/hook"]
    assert generic["title"] == "GreenLang checks failed in run x: 1"
    assert generic["message"] == "WARN raw/a:check"
    assert generic["type"] == "warning"


def test_a_channel_that_refuses_the_alert_fails_the_tick_without_naming_its_url(receiver: Receiver) -> None:
    receiver.status = 500
    url = f"json://{receiver.address}/secret-path"
    with pytest.raises(AlertNotDelivered) as raised:
        Notifier(urls=url).notify("subject", "body")
    assert "secret-path" not in str(raised.value)
    assert len(receiver.requests) == 1


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


def _failure_context(instance: dg.DagsterInstance, notifier: Notifier, tags: dict[str, str] | None = None):
    result = _failing_job.execute_in_process(instance=instance, raise_on_error=False, tags=tags)
    return _status_context("alert_on_run_failure", instance, result, notifier).for_run_failure()


@pytest.mark.slow  # failing Dagster runs and a webhook server
def test_a_failed_run_alerts_unless_it_will_be_retried(receiver: Receiver) -> None:
    notifier = Notifier(urls=f"json://{receiver.address}/hook")
    retries = {"run_retries": {"enabled": True, "max_retries": 1}}
    with dg.instance_for_test(overrides=retries) as instance:
        skipped = alert_on_run_failure(_failure_context(instance, notifier))
        assert isinstance(skipped, dg.SkipReason)
        assert "will be retried" in skipped.skip_message
        assert receiver.requests == []

        alert_on_run_failure(_failure_context(instance, notifier, tags={"dagster/max_retries": "0"}))
    (request,) = receiver.requests
    assert request.body["title"] == "GreenLang run failed: _failing_job"
    assert request.body["type"] == "failure"
    assert "_explode" in request.body["message"]


def _success_context(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, notifier: Notifier):
    return _status_context("alert_on_failed_checks", instance, result, notifier)


@pytest.mark.slow  # a real load run and a webhook server
def test_a_file_that_did_not_load_alerts_although_its_run_succeeded(
    receiver: Receiver, tmp_path: Path
) -> None:
    notifier = Notifier(urls=f"json://{receiver.address}/hook")
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
        alert_on_failed_checks(_success_context(instance, result, notifier))
        (request,) = receiver.requests
        assert request.body["title"] == "GreenLang checks failed in run __ephemeral_asset_job__: 1"
        assert request.body["type"] == "warning"
        assert "WARN raw/customs__cbam_shipments:no_failed_deliveries" in request.body["message"]
        assert "acme/empty.csv" in request.body["message"]

        # a run with nothing failed sends nothing
        (folder / "empty.csv").unlink()
        clean = dg.materialize(
            [asset], instance=instance, resources={"warehouse": WarehouseResource.from_settings(settings)}
        )
        alert_on_failed_checks(_success_context(instance, clean, notifier))
    assert len(receiver.requests) == 1
