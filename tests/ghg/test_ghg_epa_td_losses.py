"""Scope 3 category 3 T&D losses of US electricity, from the real EPA Hub 2025 workbook through the dbt
models that make the factor store's rows (stg_epa__emission_factors → int_factors__epa)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from greenlang.core.warehouse import Warehouse
from greenlang.ghg.epa_hub import load_epa_hub
from tests.helpers.dbt import stage
from tests.helpers.warehouses import make_settings

HUB = "epa/ghg-emission-factors-hub-2025.xlsx"
LB_TO_KG = Decimal("0.45359237")  # NIST SP 811: 1 lb = 0.453 592 37 kg exactly
GWP_AR5 = {"CO2": Decimal(1), "CH4": Decimal(28), "N2O": Decimal(265)}  # IPCC AR5 WG1 Table 8.A.1


def test_rfcw_td_losses_of_2400_kwh_by_hand(tmp_path: Path, shared_data: Path, dbt_parse_root: Path) -> None:
    """EPA Hub 2025, Table 6 (eGRID2023), RFCW (RFC West): total output CO2 911.321, CH4 0.071,
    N2O 0.010 lb/MWh; Grid Gross Loss 0.042 (4.2 %, written as a fraction under "(%)").

    GHG Protocol Scope 3 Technical Guidance, category 3, activity C: electricity consumed x T&D loss
    rate x grid emission factor. 2,400 kWh = 2.4 MWh consumed, 2.4 x 0.042 = 0.1008 MWh lost:
      CO2  2.4 x 911.321 x 0.042 = 91.8611568 lb x 0.45359237 = 41.667519823853616 kg       x 1
      CH4  2.4 x 0.071 x 0.042   = 0.0071568 lb  x 0.45359237 = 0.003246269873616 kg x 28 = 0.090895556461248
      N2O  2.4 x 0.010 x 0.042   = 0.001008 lb   x 0.45359237 = 0.00045722110896 kg  x 265 = 0.1211635938744
      total 41.879578974189264 kg CO2e (AR5) = 0.1008 MWh x 415.47201363283 kg CO2e/MWh, the RFCW
      Scope 2 rate (413.36825222077 + 0.90174163156 + 1.2020197805).
    """
    settings = make_settings("duckdb", tmp_path)
    warehouse = Warehouse(settings)
    load_epa_hub(warehouse, shared_data / HUB)
    stage(settings, "int_factors__epa")

    with warehouse.session() as session:
        rows = session.fetch_dicts(
            "SELECT region, gas, published_value, mass_to_kg, unit_code, publisher_factor_id "
            "FROM intermediate.int_factors__epa WHERE factor_match_key LIKE 'egrid|%|td_losses' "
            "ORDER BY region, gas"
        )
    rfcw = {row["gas"]: row for row in rows if row["region"] == "RFCW"}
    # lb of the gas per MWh consumed = total output rate x grid gross loss, exact
    assert {gas: row["published_value"] for gas, row in rfcw.items()} == {
        "CO2": Decimal("38.275482"),
        "CH4": Decimal("0.002982"),
        "N2O": Decimal("0.00042"),
    }
    assert {(row["unit_code"], row["mass_to_kg"]) for row in rfcw.values()} == {("MWh", LB_TO_KG)}
    assert rfcw["CO2"]["publisher_factor_id"] == (
        "Table 6|RFCW | RFC West|Total Output Emission Factors | CO2 Factor|lb CO2 / MWh"
        " x Table 6|RFCW | RFC West|Grid Gross Loss|%"
    )

    mwh = Decimal(2400) / 1000
    kg = {gas: mwh * row["published_value"] * row["mass_to_kg"] * GWP_AR5[gas] for gas, row in rfcw.items()}
    assert kg == {
        "CO2": Decimal("41.667519823853616"),
        "CH4": Decimal("0.090895556461248"),
        "N2O": Decimal("0.1211635938744"),
    }
    assert sum(kg.values()) == Decimal("41.879578974189264")

    # every subregion with a published loss rate has its three gases; PRMS publishes none
    regions = {row["region"] for row in rows}
    assert len(rows) == 3 * len(regions) and len(regions) == 27
    assert "PRMS" not in regions and {"RFCW", "US Average"} <= regions
