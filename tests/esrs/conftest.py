"""Hand-made rows of the two ESRS E1 reports, consistent with each other (figures of the dbt unit tests)."""

from decimal import Decimal
from typing import Any

import pytest

D = Decimal


def e1_6_row(tenant_id: str = "t1", reporting_year: int = 2026) -> dict[str, Any]:
    """414.56 / 1 000 000 and 290.33 / 1 000 000: exact quotients; categories 3 and 6 non-zero."""
    row: dict[str, Any] = {
        "tenant_id": tenant_id,
        "reporting_year": reporting_year,
        "scope_1_tco2e": D("187.710000000000"),
        "scope_2_location_tco2e": D("207.050000000000"),
        "scope_2_market_tco2e": D("82.820000000000"),
        "scope_3_tco2e": D("19.800000000000"),
        **{f"scope_3_cat_{category}_tco2e": D("0E-12") for category in range(1, 16)},
        "total_location_tco2e": D("414.560000000000"),
        "total_market_tco2e": D("290.330000000000"),
        "net_revenue": D("1000000"),
        "net_revenue_currency": "EUR",
        "intensity_location_tco2e_per_net_revenue": D("0.000414560000"),
        "intensity_market_tco2e_per_net_revenue": D("0.000290330000"),
        "emission_rows_without_factor": 0,
    }
    row["scope_3_cat_3_tco2e"] = D("18.300000000000")
    row["scope_3_cat_6_tco2e"] = D("1.500000000000")
    return row


def e1_6_row_rounded(tenant_id: str = "t2", reporting_year: int = 2025) -> dict[str, Any]:
    """Intensities that the model rounds: 1 / 3 and 2 / 3 at 12 places (half away from zero)."""
    row = {**e1_6_row(tenant_id, reporting_year)}
    row.update(
        {
            "scope_1_tco2e": D("1"),
            "scope_2_location_tco2e": D("0"),
            "scope_2_market_tco2e": D("1"),
            "scope_3_tco2e": D("0"),
            **{f"scope_3_cat_{category}_tco2e": D("0") for category in range(1, 16)},
            "total_location_tco2e": D("1"),
            "total_market_tco2e": D("2"),
            "net_revenue": D("3"),
            "net_revenue_currency": "SEK",
            "intensity_location_tco2e_per_net_revenue": D("0.333333333333"),
            "intensity_market_tco2e_per_net_revenue": D("0.666666666667"),
        }
    )
    return row


def e1_5_row(tenant_id: str = "t1", reporting_year: int = 2026) -> dict[str, Any]:
    """100 MWh: 91.647757226505 fossil, 8.352242773495 renewable; shares rounded at 12 places."""
    return {
        "tenant_id": tenant_id,
        "reporting_year": reporting_year,
        "total_energy_mwh": D("100.000000000000"),
        "fossil_mwh": D("91.647757226505"),
        "nuclear_mwh": D("0E-12"),
        "renewable_mwh": D("8.352242773495"),
        "share_fossil": D("0.916477572265"),
        "share_nuclear": D("0E-12"),
        "share_renewable": D("0.083522427735"),
        "fossil_coal_and_coal_products_mwh": D("0"),
        "fossil_crude_oil_and_petroleum_products_mwh": D("0.989170570405"),
        "fossil_natural_gas_mwh": D("90.258586656100"),
        "fossil_other_sources_mwh": D("0"),
        "fossil_purchased_electricity_heat_steam_cooling_mwh": D("0.4"),
        "renewable_fuels_mwh": D("5"),
        "renewable_purchased_electricity_heat_steam_cooling_mwh": D("0.6"),
        "renewable_self_generated_non_fuel_mwh": D("2.752242773495"),
        "fuel_consumption_mwh": D("96.247757226505"),
        "electricity_consumption_mwh": D("3.752242773495"),
        "heat_consumption_mwh": D("0"),
        "purchased_energy_assumed_fossil_mwh": D("0.4"),
    }


@pytest.fixture
def e1_5_rows() -> list[dict[str, Any]]:
    return [e1_5_row()]


@pytest.fixture
def e1_6_rows() -> list[dict[str, Any]]:
    # t2 2025: revenue only in the rounded row; t3 2026: no revenue, so NULL intensities
    no_revenue = {
        **e1_6_row("t3", 2026),
        "net_revenue": None,
        "net_revenue_currency": None,
        "intensity_location_tco2e_per_net_revenue": None,
        "intensity_market_tco2e_per_net_revenue": None,
    }
    return [e1_6_row(), e1_6_row_rounded(), no_revenue]
