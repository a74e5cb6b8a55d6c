"""Ember's average grid intensity by country and region, as published (CC BY 4.0)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from greenlang.core.landing import GLOBAL_TENANT
from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import EMBER_GRID_INTENSITY

EMBER = "grid/ember_average_grid_intensity_by_country.csv"


def test_every_country_and_region_loads(warehouse: Warehouse, shared_data: Path) -> None:
    result = load_file(warehouse, EMBER_GRID_INTENSITY, shared_data / EMBER, GLOBAL_TENANT)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (222, 222, 0)
    assert load_file(warehouse, EMBER_GRID_INTENSITY, shared_data / EMBER, GLOBAL_TENANT).status == "skipped"
    with warehouse.session() as session:
        rows = {row["key"]: row for row in session.fetch_dicts("SELECT * FROM raw.ember__grid_intensity")}
        attributes = json.loads(session.scalar("SELECT attributes FROM raw.load_batch"))
    assert attributes == {"publisher": "Ember", "licence": "CC BY 4.0"}
    germany = rows["DEU"]
    assert (germany["country_code_iso3"], germany["country_or_region"], germany["year"]) == (
        "DEU",
        "Germany",
        2024,
    )
    assert germany["emissions_intensity_gco2_per_kwh"] == Decimal("342.06")
    assert rows["World"]["country_code_iso3"] is None and rows["EU"]["year"] == 2024
    assert rows["AFG"]["year"] == 2023  # the latest year differs by country
    assert {row["tenant_id"] for row in rows.values()} == {GLOBAL_TENANT}
