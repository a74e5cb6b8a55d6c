"""The landing sensor decides from the warehouse's ledger, groups a tick's files into one run per source,
keeps a cursor of bounded size, and skips a tick while the DuckDB file is being written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from greenlang.cbam.sources import CBAM_GOODS, CBAM_SHIPMENTS, CBAM_SOURCES
from greenlang.core.landing import LandedFile
from greenlang.core.warehouse import WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset, raw_asset_key
from greenlang.ingest.sensors import (
    LandingCursor,
    Seen,
    advance,
    build_landing_sensor,
    build_load_jobs,
    run_key,
)
from greenlang.settings import Settings
from tests.helpers.warehouses import ENGINE_PARAMS, make_settings

HEADER = "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes,customs_procedure"
SHIPMENTS_OP = raw_asset_key(CBAM_SHIPMENTS).to_python_identifier()


def _shipments(declaration: str) -> str:
    return f"{HEADER}\nDE1,{declaration},1,2026-03-02,72081000,CN,1.5,40\n"


def _land(landing: Path, tenant: str, source: str, name: str, text: str) -> Path:
    path = landing / tenant / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _changed_after(path: Path, cursor: str, text: str | None = None) -> None:
    """Rewrite (or touch) ``path`` until its change time passes the cursor's mark: a coarse file clock
    can give a change within the same few milliseconds as the last tick the same time."""
    if text is not None:
        path.write_text(text)
    while path.stat().st_ctime_ns <= LandingCursor.parse(cursor).mark_ns:
        os.utime(path)


class Landing:
    """The CBAM sources' landing sensor on a temporary landing directory and DuckDB warehouse."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.dir = settings.landing_dir
        self.sensor = build_landing_sensor(
            CBAM_SOURCES, build_load_jobs(CBAM_SOURCES), self.dir, settings.tenants
        )
        self.resources = {"warehouse": WarehouseResource.from_settings(settings)}

    def tick(self, cursor: str | None = None) -> dg.SensorResult:
        return self.sensor(dg.build_sensor_context(cursor=cursor, resources=self.resources))

    def load(self, request: dg.RunRequest) -> None:
        """Run a request's load as its job would (the raw asset, with the request's config)."""
        result = dg.materialize(
            [build_ingestion_asset(CBAM_SHIPMENTS, self.dir, self.settings.tenants)],
            resources=self.resources,
            run_config=request.run_config,
        )
        assert result.success


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(make_settings("duckdb", tmp_path))


def _files(request: dg.RunRequest) -> list[str]:
    (op,) = request.run_config["ops"].values()
    return sorted(Path(name).name for name in op["config"]["files"])


@pytest.fixture(params=ENGINE_PARAMS)
def landing_on_each_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Landing:
    postgres = request.getfixturevalue("postgres_database") if request.param == "postgres" else None
    return Landing(make_settings(request.param, tmp_path, postgres))


def test_a_file_the_ledger_holds_launches_no_run_even_without_a_cursor(
    landing_on_each_engine: Landing,
) -> None:
    landing = landing_on_each_engine
    _land(landing.dir, "acme", CBAM_SHIPMENTS.name, "a.csv", _shipments("X1"))
    (request,) = landing.tick().run_requests
    landing.load(request)

    # a wiped Dagster instance (no cursor) and the cursor of the tick that requested the load alike
    fresh = landing.tick()
    assert fresh.run_requests == [] and "loaded already" in fresh.skip_reason.skip_message
    assert landing.tick(fresh.cursor).run_requests == []
    # the ledger is per tenant: the same bytes delivered for another tenant are new
    _land(landing.dir, "nordic", CBAM_SHIPMENTS.name, "a.csv", _shipments("X1"))
    (nordic,) = landing.tick().run_requests
    assert nordic.tags["greenlang/tenants"] == "nordic" and _files(nordic) == ["a.csv"]


def test_the_files_of_a_tick_load_in_one_run_per_source(landing: Landing) -> None:
    for index in range(3):
        _land(landing.dir, "acme", CBAM_SHIPMENTS.name, f"s{index}.csv", _shipments(f"X{index}"))
    _land(landing.dir, "nordic", CBAM_SHIPMENTS.name, "n.csv", _shipments("N1"))
    _land(landing.dir, "global", CBAM_GOODS.name, "goods.csv", "sector,cn_code\n")
    _land(landing.dir, "global", CBAM_GOODS.name, "goods.xlsx", "")
    _land(landing.dir, "acme", "unknown_source", "x.csv", "a\n")
    _land(landing.dir, "acme", CBAM_SHIPMENTS.name, "notes.pdf", "")

    result = landing.tick()
    requests = {request.job_name: request for request in result.run_requests}
    assert sorted(requests) == ["load_cbam__goods", "load_customs__cbam_shipments"]
    shipments = requests["load_customs__cbam_shipments"]
    # the PDF goes to the run too, which records it as refused (its reason in raw.load_batch); the folder
    # of a source no asset declares is not read
    assert _files(shipments) == ["n.csv", "notes.pdf", "s0.csv", "s1.csv", "s2.csv"]
    assert shipments.tags == {
        "greenlang/source": CBAM_SHIPMENTS.name,
        "greenlang/tenants": "acme,nordic",
        "greenlang/files": "5",
    }
    assert _files(requests["load_cbam__goods"]) == ["goods.csv", "goods.xlsx"]
    # the tick evaluated again asks for the same runs under the same keys: Dagster launches them once
    assert [request.run_key for request in landing.tick().run_requests] == [
        request.run_key for request in result.run_requests
    ]
    assert landing.tick(result.cursor).run_requests == []


def test_a_rewritten_file_loads_again_only_if_its_content_changed(landing: Landing) -> None:
    path = _land(landing.dir, "acme", CBAM_SHIPMENTS.name, "a.csv", _shipments("X1"))
    first = landing.tick()
    landing.load(first.run_requests[0])

    _changed_after(path, first.cursor)  # touched, same bytes
    touched = landing.tick(first.cursor)
    assert touched.run_requests == [] and "1 new or changed file(s)" in touched.skip_reason.skip_message

    _changed_after(path, touched.cursor, _shipments("X2"))  # corrected in place
    (rewritten,) = landing.tick(touched.cursor).run_requests
    assert _files(rewritten) == ["a.csv"]


def test_the_cursor_keeps_the_same_size_however_many_files_land(landing: Landing) -> None:
    for index in range(400):
        _land(
            landing.dir,
            f"tenant{index % 4}",
            CBAM_SHIPMENTS.name,
            f"s{index:03}.csv",
            _shipments(f"X{index}"),
        )
    first = landing.tick()
    (request,) = first.run_requests
    assert len(_files(request)) == 400

    last = _land(landing.dir, "acme", CBAM_SHIPMENTS.name, "last.csv", _shipments("L"))
    _changed_after(last, first.cursor)
    second = landing.tick(first.cursor)
    assert [_files(request) for request in second.run_requests] == [["last.csv"]]
    # only the newest file is named in the cursor, not the 400 before it
    assert json.loads(second.cursor)["at_mark"] == [
        f"acme/{CBAM_SHIPMENTS.name}/last.csv:{last.stat().st_size}"
    ]
    assert len(second.cursor) < 200


def test_a_tick_skips_while_another_process_writes_the_warehouse(landing: Landing) -> None:
    _land(landing.dir, "acme", CBAM_SHIPMENTS.name, "a.csv", _shipments("X1"))
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; connection = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(landing.settings.duckdb_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "open"
        skipped = landing.tick()
    finally:
        writer.communicate("")
    assert skipped.run_requests == [] and skipped.cursor is None  # the cursor does not move
    reason = skipped.skip_reason.skip_message
    assert (
        reason.startswith("the ledger cannot be read now, 1 new file(s) wait for the next tick")
        and "lock" in reason
    )
    # the writer gone, the next tick requests the file
    (request,) = landing.tick().run_requests
    assert _files(request) == ["a.csv"]


def test_the_cursor_names_only_the_files_at_its_mark(tmp_path: Path) -> None:
    def seen(name: str, changed_ns: int) -> Seen:
        return Seen(LandedFile("acme", CBAM_SHIPMENTS.name, tmp_path / name), changed_ns, f"{name}:1")

    cursor = advance(LandingCursor(), [seen("a", 5), seen("b", 7), seen("c", 7)], "2026-03-02")
    assert cursor == LandingCursor(7, frozenset({"b:1", "c:1"}), "2026-03-02")
    assert LandingCursor.parse(cursor.dumps()) == cursor
    # a file changed at the mark after the tick is new, one seen at the mark or before it is not
    assert [item.is_new(cursor) for item in (seen("d", 7), seen("b", 7), seen("a", 5), seen("e", 8))] == [
        True,
        False,
        False,
        True,
    ]
    # the cursor of the earlier sensor (every fingerprint ever seen) is dropped: the ledger decides
    assert LandingCursor.parse(json.dumps(["/landing/acme/x/a.csv:1:2"])) == LandingCursor()


def test_the_run_key_depends_on_the_files_not_their_order(tmp_path: Path) -> None:
    files = [
        LandedFile("acme", CBAM_SHIPMENTS.name, _land(tmp_path, "acme", CBAM_SHIPMENTS.name, name, name))
        for name in ("a.csv", "b.csv")
    ]
    assert run_key(CBAM_SHIPMENTS.name, None, files) == run_key(CBAM_SHIPMENTS.name, None, files[::-1])
    assert run_key(CBAM_SHIPMENTS.name, None, files) != run_key(CBAM_SHIPMENTS.name, None, files[:1])
    assert run_key(CBAM_SHIPMENTS.name, "2026-03-02", files).startswith(f"{CBAM_SHIPMENTS.name}@2026-03-02#")
