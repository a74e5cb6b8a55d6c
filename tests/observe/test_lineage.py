"""OpenLineage events, validated against the spec's JSON Schemas (tests/data/openlineage, README there):
the load events the ``load_lineage`` sensor sends from the ledger of a real load, through the file
transport on DuckDB and PostgreSQL and through the HTTP transport to a real receiver; the dbt invocation's
events from the project's manifest."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import dagster as dg
import jsonschema
import pytest
from openlineage.client.serde import Serde
from referencing import Registry, Resource

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.lineage import (
    DELIVERY_FACET_SCHEMA,
    LineageResource,
    WarehouseNaming,
    dbt_events,
    load_run_id,
)
from greenlang.core.loader import LoadError, file_sha256, load_file
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.observe.definitions import observe_definitions
from greenlang.observe.lineage import load_lineage
from greenlang.settings import LineageSettings
from greenlang.warehouse.manifest import manifest_path
from tests.helpers.warehouses import make_settings
from tests.ingestion.test_loader import BAD, GOOD, write_csv

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "openlineage"


def _registry() -> Registry:
    resources = []
    for path in [
        SCHEMAS / "OpenLineage.json",
        SCHEMAS / "DeliveryDatasetFacet.json",
        *SCHEMAS.glob("facets/*.json"),
    ]:
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
EVENT_SCHEMA = json.loads((SCHEMAS / "OpenLineage.json").read_text())


def _facets(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from (event["run"].get("facets") or {}).values()
    yield from (event["job"].get("facets") or {}).values()
    for dataset in [*event.get("inputs", []), *event.get("outputs", [])]:
        for key in ("facets", "inputFacets", "outputFacets"):
            yield from (dataset.get(key) or {}).values()


def assert_valid(event: dict[str, Any]) -> None:
    """The event against OpenLineage.json, and each facet against the schema its ``_schemaURL`` names."""
    checker = jsonschema.FormatChecker()
    jsonschema.Draft202012Validator(EVENT_SCHEMA, registry=REGISTRY, format_checker=checker).validate(event)
    for facet in _facets(event):
        url = facet["_schemaURL"]
        assert url.split("#")[0] in REGISTRY, f"no schema for the facet {url}"
        jsonschema.Draft202012Validator({"$ref": url}, registry=REGISTRY, format_checker=checker).validate(
            facet
        )


def _tick(warehouse: Warehouse, lineage: LineageResource, cursor: str | None) -> tuple[str | None, str]:
    context = dg.build_sensor_context(
        cursor=cursor,
        resources={"warehouse": WarehouseResource.from_settings(warehouse.settings), "lineage": lineage},
    )
    result = load_lineage(context)
    return context.cursor, result.skip_message


def test_every_load_sends_valid_events_once_with_its_sha256_and_contract(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    good = write_csv(tmp_path / "shipments.csv", GOOD + BAD)
    loaded = load_file(warehouse, CBAM_SHIPMENTS, good, "acme")
    with pytest.raises(LoadError) as failed:
        load_file(warehouse, CBAM_SHIPMENTS, write_csv(tmp_path / "wrong.csv", GOOD, header="a,b,c"), "acme")
    events_file = tmp_path / "lineage" / "events.jsonl"
    lineage = LineageResource(file=str(events_file))

    cursor, message = _tick(warehouse, lineage, None)
    assert message == "sent 4 lineage events of 2 loads"
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    for event in events:
        assert_valid(event)
    by_run = {}
    for event in events:
        by_run.setdefault(event["run"]["runId"], []).append(event)
    start, complete = by_run[load_run_id(loaded.batch_id)]
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    assert complete["job"]["name"] == "load.customs__cbam_shipments"
    (delivery,) = complete["inputs"]
    assert (delivery["namespace"], delivery["name"]) == ("file", str(good.resolve()))
    assert delivery["facets"]["delivery"]["fileSha256"] == file_sha256(good)
    assert delivery["facets"]["delivery"]["contractVersion"] == CBAM_SHIPMENTS.contract.contract_version
    assert delivery["facets"]["delivery"]["_schemaURL"] == DELIVERY_FACET_SCHEMA
    written = {
        output["name"].split(".", 1)[1]: output["facets"]["outputStatistics"]["rowCount"]
        for output in complete["outputs"]
    }
    assert written == {"raw.customs__cbam_shipments": len(GOOD), "raw.dead_letter": len(BAD)}
    namespace = "postgres://" if warehouse.dialect == "postgres" else "duckdb://"
    assert all(output["namespace"].startswith(namespace) for output in complete["outputs"])
    _, fail = by_run[load_run_id(failed.value.batch_id)]
    assert fail["eventType"] == "FAIL"
    assert fail["run"]["facets"]["errorMessage"]["message"]

    # the next tick sends nothing again; a new load, its own two events
    cursor, message = _tick(warehouse, lineage, cursor)
    assert message == "every recorded load was sent"
    load_file(warehouse, CBAM_SHIPMENTS, write_csv(tmp_path / "more.csv", GOOD[:1]), "acme")
    _, message = _tick(warehouse, lineage, cursor)
    assert message == "sent 2 lineage events of 1 loads"
    assert len(events_file.read_text().splitlines()) == 6


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str | None, dict]] = []  # noqa: RUF012 (one receiver per test)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Collector.received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Collector.received.clear()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _dbt_events(succeeded: bool) -> list:
    """The events of a dbt invocation that built fct_ghg_emissions and its intermediate parent."""
    manifest = json.loads(manifest_path("duckdb").read_text())  # make test parses it first (make manifest)
    models = {node["name"]: unique_id for unique_id, node in manifest["nodes"].items()}
    built = [models["int_ghg__emissions"], models["fct_ghg_emissions"]]
    started = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
    return dbt_events(
        manifest,
        built,
        built if succeeded else built[:1],
        WarehouseNaming("duckdb:///srv/warehouse.duckdb", "warehouse"),
        "greenlang",
        run_id="0b0e8f3c-1c1d-4f6e-8a2b-3c4d5e6f7a8b",
        started_at=started,
        finished_at=started + dt.timedelta(minutes=2),
        succeeded=succeeded,
        parent=("build_warehouse", "9d7a3f0e-5b1c-4e2d-8f3a-1b2c3d4e5f60"),
    )


def test_the_http_transport_posts_valid_dbt_events_with_the_api_key(collector: str) -> None:
    events = _dbt_events(succeeded=True)
    sent = LineageResource(url=collector, api_key="k3y").emit(events)
    assert sent == 2 == len(_Collector.received)
    for path, authorization, event in _Collector.received:
        assert path == "/api/v1/lineage"
        assert authorization == "Bearer k3y"
        assert_valid(event)
    start, complete = (event for _, _, event in _Collector.received)
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    assert complete["run"]["facets"]["parent"]["job"]["name"] == "build_warehouse"
    assert {output["name"] for output in complete["outputs"]} == {
        "warehouse.intermediate.int_ghg__emissions",
        "warehouse.marts.fct_ghg_emissions",
    }
    inputs = {dataset["name"] for dataset in complete["inputs"]}
    assert "warehouse.intermediate.int_ghg__emissions" not in inputs  # built here: an output, not an input
    assert any(name.endswith(".dim_emission_factor") or ".int_ghg__" in name for name in inputs)


def test_an_unreachable_collector_raises_what_the_dbt_step_tolerates() -> None:
    """The dbt step logs an ``OSError`` of the transport as a warning (greenlang/warehouse/dbt.py)."""
    with pytest.raises(OSError):
        LineageResource(url="http://127.0.0.1:1").emit(_dbt_events(succeeded=True))


def test_a_failed_dbt_invocation_names_what_was_held_back() -> None:
    _, fail = (_serialise(event) for event in _dbt_events(succeeded=False))
    assert_valid(fail)
    assert fail["eventType"] == "FAIL"
    assert "fct_ghg_emissions" in fail["run"]["facets"]["errorMessage"]["message"]
    assert [output["name"] for output in fail["outputs"]] == ["warehouse.intermediate.int_ghg__emissions"]


def _serialise(event: Any) -> dict:
    return json.loads(Serde.to_json(event))


def test_the_load_lineage_sensor_is_there_only_with_a_transport(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    assert not observe_definitions(settings).sensors
    configured = replace(settings, lineage=LineageSettings(file=tmp_path / "events.jsonl"))
    assert [sensor.name for sensor in observe_definitions(configured).sensors] == ["load_lineage"]
