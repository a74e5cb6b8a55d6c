"""The GHG demo landing files: deterministic, loadable without a rejection, and the curated publication
extracts true, line for line, to the published files."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from demo.ghg import (
    DESNZ_DEMO_FILE,
    EMBER_DEMO_FILE,
    GHG_TENANTS,
    REFERENCE_DIR,
    demo_files,
    write_ghg_demo_landing,
)
from greenlang.core.landing import landed_files
from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import AIB_RESIDUAL_MIX, GHG_LANDING_SOURCES
from tests.helpers.dbt import stage
from tests.helpers.warehouses import make_settings


def digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_same_bytes_every_time_and_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    first = write_ghg_demo_landing(tmp_path / "a")
    write_ghg_demo_landing(tmp_path / "b")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert len(first) == len(demo_files()) == len(digest(tmp_path / "a"))
    stamps = {path: path.stat().st_mtime_ns for path in first}
    write_ghg_demo_landing(tmp_path / "a")
    assert {path: path.stat().st_mtime_ns for path in first} == stamps
    tenants = {path.relative_to(tmp_path / "a").parts[0] for path in first}
    assert tenants == {*GHG_TENANTS, "global"}


def test_every_demo_file_loads_without_a_rejection(tmp_path: Path, dbt_parse_root: Path) -> None:
    landing = tmp_path / "landing"
    write_ghg_demo_landing(landing)
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    specs = {spec.name: spec for spec in GHG_LANDING_SOURCES}
    files = landed_files(landing, GHG_TENANTS, specs)
    assert [item for item in files if item.refusal is not None] == []
    # every landing source has a demo file but the AIB residual mixes: no figures of theirs could be
    # verified, so none ships and the market-based Scope 2 shows its location fallback (market_basis)
    assert {item.source for item in files} == set(specs) - {AIB_RESIDUAL_MIX.name}
    for item in files:
        result = load_file(warehouse, specs[item.source], item.path, item.tenant_id)
        assert result.rows_rejected == 0 and result.rows_loaded > 0, item.path
        assert result.ignored_columns == [], item.path
    stage(warehouse.settings, "stg_meters__interval_readings")
    with warehouse.session() as session:
        meters = {
            row["meter_id"]: row
            for row in session.fetch_dicts(
                "SELECT meter_id, count(*) AS n, min(interval_start) AS first, max(interval_end) AS last "
                "FROM raw.meters__interval_readings GROUP BY meter_id"
            )
        }
        slot = session.fetch_dicts(
            "SELECT quality_flag FROM staging.stg_meters__interval_readings WHERE meter_id = 'SE-SLT-EM-01' "
            "AND interval_start_utc = TIMESTAMP '2026-10-25 10:00:00'"
        )
        raw_slot = session.scalar(
            "SELECT count(*) FROM raw.meters__interval_readings WHERE meter_id = 'SE-SLT-EM-01' "
            "AND interval_start = TIMESTAMP '2026-10-25 10:00:00'"
        )
        units = {row[0] for row in session.fetchall("SELECT DISTINCT unit FROM raw.fuels__fuel_records")}
    assert meters["DE-DUI-EM-01"]["n"] == 48 + 46 + 48  # the 23-hour day in Berlin
    assert meters["GB-TIL-EM-01"]["n"] == 48 + 50 + 48  # the 25-hour day in London
    assert meters["DE-DUI-EM-01"]["first"] == dt.datetime(2026, 3, 27, 23)
    assert meters["GB-TIL-EM-01"]["last"] == dt.datetime(2026, 10, 27)
    assert raw_slot == 2 and [row["quality_flag"] for row in slot] == ["ACTUAL"]
    assert units == {"litres", "kWh", "m3", "kg", "US gallons"}


@pytest.mark.parametrize(
    ("extract", "published"),
    [
        (DESNZ_DEMO_FILE, "desnz/ghg-conversion-factors-2024-flat-v1_1.csv"),
        (EMBER_DEMO_FILE, "grid/ember_average_grid_intensity_by_country.csv"),
    ],
    ids=["desnz", "ember"],
)
def test_curated_extracts_are_the_published_lines_in_order(
    extract: Path, published: str, shared_data: Path
) -> None:
    kept = extract.read_bytes().splitlines(keepends=True)
    source = (shared_data / published).read_bytes().splitlines(keepends=True)
    assert 10 < len(kept) < 150
    assert kept[0] == source[0]  # the header
    position = 0
    for line in kept[1:]:
        position = source.index(line, position + 1)  # each line is a line of the source, in its order
    if "desnz" in published:
        assert kept[-1] == source[-1] == b",END,,,,,,,,\r\n"


def test_sources_md_cites_the_publishers_and_licences() -> None:
    text = (REFERENCE_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert DESNZ_DEMO_FILE.name in text and EMBER_DEMO_FILE.name in text
    assert "Open Government Licence v3.0" in text
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in text
    assert "CC BY 4.0" in text and "Ember" in text
