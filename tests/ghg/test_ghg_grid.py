"""The GB Carbon Intensity client against the local simulator: shape, faults, and re-reading a window once
the actual intensities are measured (the dbt staging model ``stg_grid__carbon_intensity``)."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from greenlang.core.http import ErpHttpError
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.grid import load_grid_intensity
from greenlang.ghg.grid_api import CarbonIntensityResource
from simulators.grid import CarbonIntensitySimulator
from tests.helpers.dbt import stage

DAY = dt.datetime(2026, 3, 29)


@pytest.fixture
def simulator() -> Iterator[CarbonIntensitySimulator]:
    with CarbonIntensitySimulator(now=DAY + dt.timedelta(hours=12)) as sim:
        yield sim


def client(sim: CarbonIntensitySimulator, **settings: object) -> CarbonIntensityResource:
    return CarbonIntensityResource(
        base_url=sim.url,
        backoff_initial_seconds=0.01,
        backoff_max_seconds=0.05,
        timeout_seconds=0.5,
        **settings,
    )


def test_the_api_shape(simulator: CarbonIntensitySimulator) -> None:
    with urllib.request.urlopen(f"{simulator.url}/intensity/2026-03-29T11:00Z/2026-03-29T13:00Z") as response:
        body = json.loads(response.read())
    assert [item["from"] for item in body["data"]] == [
        "2026-03-29T11:00Z", "2026-03-29T11:30Z", "2026-03-29T12:00Z", "2026-03-29T12:30Z",
    ]  # fmt: skip
    first, last = body["data"][0], body["data"][-1]
    assert first["to"] == "2026-03-29T11:30Z"
    assert set(first["intensity"]) == {"forecast", "actual", "index"}
    assert isinstance(first["intensity"]["actual"], int)  # measured: ended before the simulator's now
    assert last["intensity"]["actual"] is None  # not yet
    for path, status in (
        ("/intensity/yesterday/today", 400),
        ("/intensity/2026-03-01T00:00Z/2026-03-29T00:00Z", 400),
        ("/nope", 404),
    ):
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(simulator.url + path)
        assert raised.value.code == status


def test_pages_flatten_records_per_request(simulator: CarbonIntensitySimulator) -> None:
    grid = client(simulator, days_per_request=1)
    pages = list(grid.pages(DAY + dt.timedelta(minutes=10), DAY + dt.timedelta(days=2, minutes=5)))
    assert [page.url.rsplit("/intensity/", 1)[1] for page in pages] == [
        "2026-03-29T00:00Z/2026-03-30T00:00Z",
        "2026-03-30T00:00Z/2026-03-31T00:00Z",
        "2026-03-31T00:00Z/2026-03-31T00:30Z",
    ]
    assert [len(page) for page in pages] == [48, 48, 1]
    record = pages[0].records[0]
    assert list(record) == ["region", "from", "to", "forecast", "actual", "index"]
    assert (record["region"], record["from"], record["to"]) == (
        "GB",
        "2026-03-29T00:00Z",
        "2026-03-29T00:30Z",
    )
    assert str(record["forecast"]).isdigit()  # the number's JSON text, not a float
    assert pages[1].records[0]["actual"] is None
    assert isinstance(grid, dg.ConfigurableResource)


def test_faults_are_retried(simulator: CarbonIntensitySimulator) -> None:
    grid = client(simulator)
    simulator.inject("server_error", status=502)
    simulator.inject("html")
    simulator.inject("slow", delay=1.5)
    simulator.inject("rate_limit", retry_after=1)
    started = time.monotonic()
    pages = list(grid.pages(DAY, DAY + dt.timedelta(hours=2)))
    assert time.monotonic() - started >= 1.0  # Retry-After honoured
    assert [len(page) for page in pages] == [4]
    assert len(simulator.requests) == 5


def test_it_gives_up_with_a_clear_error(simulator: CarbonIntensitySimulator) -> None:
    simulator.inject("server_error", count=10)
    with pytest.raises(
        ErpHttpError, match=r"GB Carbon Intensity API: GET .*/intensity/.* failed after 3 attempts"
    ):
        list(client(simulator, max_retries=2).pages(DAY, DAY + dt.timedelta(hours=1)))


def test_reloading_a_window_brings_the_measured_values(
    warehouse: Warehouse, simulator: CarbonIntensitySimulator, dbt_parse_root: Path
) -> None:
    grid = client(simulator)
    window = (DAY, DAY + dt.timedelta(days=1))
    first = load_grid_intensity(warehouse, grid, *window)
    assert [(result.status, result.rows_loaded, result.rows_rejected) for result in first] == [
        ("succeeded", 48, 0)
    ]
    assert [result.status for result in load_grid_intensity(warehouse, grid, *window)] == ["skipped"]
    simulator.now = DAY + dt.timedelta(days=1, hours=1)  # every half hour of the day is measured now
    second = load_grid_intensity(warehouse, grid, *window)
    assert [(result.status, result.rows_loaded) for result in second] == [("succeeded", 48)]
    stage(warehouse.settings, "stg_grid__carbon_intensity")
    with warehouse.session() as session:
        raw = session.fetch_dicts(
            "SELECT count(*) AS n, count(actual) AS measured FROM raw.grid__carbon_intensity"
        )[0]
        staged = session.fetch_dicts(
            "SELECT from_utc, to_utc, forecast_g_co2_per_kwh AS forecast, actual_g_co2_per_kwh AS actual, "
            "intensity_index, tenant_id FROM staging.stg_grid__carbon_intensity ORDER BY from_utc"
        )
    assert (raw["n"], raw["measured"]) == (96, 24 + 48)  # raw keeps both readings
    assert len(staged) == 48 and all(row["actual"] is not None for row in staged)
    assert staged[0]["from_utc"] == DAY and staged[-1]["to_utc"] == DAY + dt.timedelta(days=1)
    assert {row["tenant_id"] for row in staged} == {"global"}
    expected = simulator.period(DAY.replace(tzinfo=dt.UTC))["intensity"]
    assert (staged[0]["forecast"], staged[0]["actual"]) == (expected["forecast"], expected["actual"])
