"""The US EPA GHG Emission Factors Hub 2025 workbook, cross-checked against EPA's own CSV extracts."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from greenlang.core.readers import UnreadableFileError
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.epa_hub import EpaHub, load_epa_hub, parse_epa_hub
from tests.helpers.warehouses import SHARED_DATA

HUB = "epa/ghg-emission-factors-hub-2025.xlsx"
TABLE_1 = "epa/epa_hub2025_table1_stationary_combustion.csv"
TABLE_6 = "epa/epa_hub2025_table6_egrid2023_electricity.csv"


@pytest.fixture(scope="module")
def hub() -> EpaHub:
    """Parsed once for the module (the ``shared_data`` rule: a missing file fails in CI, skips elsewhere)."""
    path = SHARED_DATA / HUB
    if not path.is_file():
        message = f"{path} is not there (see ../shared/data/SOURCES.md)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return parse_epa_hub(path)


def cells(hub: EpaHub, table: int) -> dict[tuple[str, str, str | None], Decimal | None]:
    found = {}
    for record in hub.records:
        if record["table_number"] == str(table):
            key = (record["row_label"], record["column_name"], record["unit"])
            assert key not in found, f"two cells for {key}"
            found[key] = None if record["value"] is None else Decimal(record["value"])
    return found


def published(text: str) -> Decimal | None:
    """A number of EPA's CSV extract as Excel shows it (the extract has float noise: 0.022000000000000002)."""
    return None if text == "" else Decimal(format(float(text), ".15g"))


def words(text: str) -> str:
    return " ".join(text.split())


def test_twelve_tables_with_their_titles(hub: EpaHub) -> None:
    assert sorted(hub.tables) == list(range(1, 13))
    assert hub.tables[1] == "Stationary Combustion"
    assert hub.tables[6] == "Electricity"
    assert hub.tables[12] == "Global Warming Potential (GWP) for Blended Refrigerants"
    counts = Counter(record["table_number"] for record in hub.records)
    assert all(counts[str(number)] > 0 for number in range(1, 13))
    # Table 9 lists 61 materials × 6 treatments; the third-party "Sheet1" (a partial copy) is not read.
    assert counts["9"] == 61 * 6
    assert hub.attributes["edition"] == "2025" and hub.attributes["last_modified"] == "2025-01-15"
    assert hub.attributes["published"] == "2025-01-15"
    assert hub.attributes["publisher"] == "US EPA" and hub.attributes["tables"] == "12"


def test_table_1_equals_the_stationary_combustion_extract(hub: EpaHub, shared_data: Path) -> None:
    table = cells(hub, 1)
    with (shared_data / TABLE_1).open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 63
    expected = {}
    for row in rows:
        label = f"{words(row['fuel_category'])} | {row['fuel_type']}"
        unit = row["unit"]
        for column, unit_text, value in (
            ("Heat Content (HHV)", row["heat_content_unit"], row["heat_content_hhv"]),
            ("CO2 Factor", "kg CO2 per mmBtu", row["co2_kg_per_mmbtu"]),
            ("CH4 Factor", "g CH4 per mmBtu", row["ch4_g_per_mmbtu"]),
            ("N2O Factor", "g N2O per mmBtu", row["n2o_g_per_mmbtu"]),
            ("CO2 Factor", f"kg CO2 per {unit}", row["co2_kg_per_unit"]),
            ("CH4 Factor", f"g CH4 per {unit}", row["ch4_g_per_unit"]),
            ("N2O Factor", f"g N2O per {unit}", row["n2o_g_per_unit"]),
        ):
            if value != "":
                expected[(label, column, unit_text)] = published(value)
    assert table == expected
    assert table[("Coal and Coke | Anthracite", "CO2 Factor", "kg CO2 per mmBtu")] == Decimal("103.69")


def test_table_6_equals_the_egrid_extract(hub: EpaHub, shared_data: Path) -> None:
    table = cells(hub, 6)
    with (shared_data / TABLE_6).open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    expected = {}
    for row in rows:
        label = f"{row['egrid_subregion']} | {row['egrid_subregion_name']}"
        for basis, prefix in (
            ("Total Output Emission Factors", "total"),
            ("Non-Baseload Emission Factors", "nonbaseload"),
        ):
            for gas in ("CO2", "CH4", "N2O"):
                expected[(label, f"{basis} | {gas} Factor", f"lb {gas} / MWh")] = published(
                    row[f"{prefix}_{gas.lower()}_lb_per_mwh"]
                )
        if row["grid_gross_loss_frac"]:
            expected[(label, "Grid Gross Loss", "%")] = published(row["grid_gross_loss_frac"])
    assert table == expected
    assert table[
        ("AKGD | ASCC Alaska Grid", "Total Output Emission Factors | CO2 Factor", "lb CO2 / MWh")
    ] == Decimal("899.003")


def test_layout_traits_of_the_other_tables(hub: EpaHub) -> None:
    assert cells(hub, 2)[("Diesel Fuel", "kg CO2 per unit", "kg CO2 per gallon")] == Decimal("10.21")
    trucks = cells(hub, 3)
    label = "Gasoline Light-Duty Trucks (Vans, Pickup Trucks, SUVs)"
    assert trucks[(f"{label} | 1973-1974", "CH4 Factor", "g CH4 / vehicle-mile")] == Decimal("0.1908")
    assert trucks[(f"{label} | 1975", "N2O Factor", "g N2O / vehicle-mile")] == Decimal("0.0513")
    assert cells(hub, 4)[
        ("Light-Duty Trucks | Diesel | 1983-2006", "CH4 Factor", "g CH4 / vehicle-mile")
    ] == Decimal("0.0009")
    assert cells(hub, 4)[("Buses | LNG", "CH4 Factor", "g CH4 / vehicle-mile")] == Decimal("2.719")
    assert cells(hub, 5)[("Agricultural EquipmentA | LPG", "N2O Factor", "g N2O / gallon")] == Decimal("0.94")
    assert cells(hub, 7) == {
        ("Steam and Heat", "CO2 Factor", "kg CO2 / mmBtu"): Decimal("66.33"),
        ("Steam and Heat", "CH4 Factor", "g CH4 / mmBtu"): Decimal("1.25"),
        ("Steam and Heat", "N2O Factor", "g N2O / mmBtu"): Decimal("0.125"),
    }
    assert cells(hub, 8)[("Rail", "CO2 Factor", "kg CO2 / short ton-mile")] == Decimal("0.021")
    waste = cells(hub, 9)
    unit = "Metric Tons CO2e / Short Ton Material"
    assert waste[("Aluminum Cans", "RecycledA", unit)] == Decimal("0.06")
    assert waste[("LDPE", "RecycledA", unit)] is None  # published "NA"
    assert waste[("Asphalt Concrete", "RecycledA", unit)] == Decimal("0.00352053849546667")
    assert cells(hub, 10)[("Bus", "CO2 Factor", "kg CO2 / passenger-mile")] == Decimal("0.066")
    assert cells(hub, 11)[("Methane | CH4", "100-Year GWP", None)] == Decimal("28")
    assert cells(hub, 12)[("R-410A | 50% HFC-32 , 50% HFC-125", "100-year GWP", None)] == Decimal("1924")


def test_the_workbook_loads_as_one_idempotent_batch(
    warehouse: Warehouse, shared_data: Path, hub: EpaHub
) -> None:
    result = load_epa_hub(warehouse, shared_data / HUB)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (
        len(hub.records),
        len(hub.records),
        0,
    )
    assert result.source_uri == (shared_data / HUB).resolve().as_uri()
    assert load_epa_hub(warehouse, shared_data / HUB).status == "skipped"
    with warehouse.session() as session:
        attributes = json.loads(session.scalar("SELECT attributes FROM raw.load_batch"))
        anthracite = session.fetch_dicts(
            "SELECT tenant_id, table_number, unit, value FROM raw.epa__emission_factors "
            "WHERE row_label = 'Coal and Coke | Anthracite' AND column_name = 'CO2 Factor' ORDER BY unit"
        )
        rounded = session.scalar(
            "SELECT value FROM raw.epa__emission_factors WHERE row_label = 'Asphalt Concrete' "
            "AND column_name = 'RecycledA'"
        )
    assert attributes["edition"] == "2025" and attributes["file_sha256"] == hub.attributes["file_sha256"]
    assert [(row["tenant_id"], row["table_number"], row["unit"], row["value"]) for row in anthracite] == [
        ("global", 1, "kg CO2 per mmBtu", Decimal("103.69")),
        ("global", 1, "kg CO2 per short ton", Decimal("2602")),
    ]
    assert rounded == Decimal("0.003520538495")  # 15 significant digits, then the warehouse's 12 places


def test_a_workbook_without_the_hub_sheet_is_unreadable(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(tmp_path / "hub.xlsx")
    with pytest.raises(UnreadableFileError, match="no worksheet named 'Emission Factors Hub'"):
        parse_epa_hub(tmp_path / "hub.xlsx")
    (tmp_path / "not.xlsx").write_bytes(b"plain text")
    with pytest.raises(UnreadableFileError, match="not a readable"):
        parse_epa_hub(tmp_path / "not.xlsx")
