"""The ESRS E1 consistency rules on hand-made rows: a consistent set passes, each broken figure is named."""

from decimal import Decimal

import pytest

from greenlang.esrs.checks import esrs_inconsistencies, esrs_issues


def test_consistent_reports_pass(e1_5_rows, e1_6_rows):
    assert esrs_inconsistencies(e1_5_rows, e1_6_rows) == []


@pytest.mark.parametrize(
    ("column", "value", "figure", "expected"),
    [
        ("scope_3_cat_7_tco2e", "0.000000000001", "scope_3_tco2e", "19.800000000001"),
        ("scope_1_tco2e", "187.71", "total_location_tco2e", "414.56"),  # unchanged: still consistent
        ("scope_2_location_tco2e", "207.050000000001", "total_location_tco2e", "414.560000000001"),
        ("scope_2_market_tco2e", "82.9", "total_market_tco2e", "290.41"),
        ("intensity_location_tco2e_per_net_revenue", "0.000414560001", "intensity_location", "0.00041456"),
        ("intensity_market_tco2e_per_net_revenue", "0.00029034", "intensity_market", "0.00029033"),
    ],
)
def test_each_broken_e1_6_figure_is_named(e1_6_rows, column, value, figure, expected):
    row = {**e1_6_rows[0], column: Decimal(value)}
    messages = esrs_inconsistencies([], [row])
    if column == "scope_1_tco2e":
        assert messages == []
        return
    assert len(messages) == 1, messages
    (message,) = messages
    assert message.startswith("rpt_esrs_e1_6_ghg: tenant t1 year 2026: ")
    assert figure in message and expected in message
    (issue,) = esrs_issues([], [row])
    assert (issue["tenant_id"], issue["reporting_year"]) == ("t1", 2026)
    assert issue["figure"].startswith(figure) and issue["expected"].startswith(expected)


def test_intensity_rounding_is_tolerated_only_within_half_a_unit(e1_6_rows):
    rounded = e1_6_rows[1]  # 1/3 -> 0.333333333333, 2/3 -> 0.666666666667
    assert esrs_inconsistencies([], [rounded]) == []
    off_by_one_unit = {**rounded, "intensity_market_tco2e_per_net_revenue": Decimal("0.666666666666")}
    (message,) = esrs_inconsistencies([], [off_by_one_unit])
    assert (
        "tenant t2 year 2025" in message
        and "intensity_market_tco2e_per_net_revenue = 0.666666666666" in message
    )
    without_revenue = {**rounded, "net_revenue": None}
    messages = esrs_inconsistencies([], [without_revenue])
    assert len(messages) == 2 and all("NULL (no denominator)" in message for message in messages)
    missing = {**rounded, "intensity_location_tco2e_per_net_revenue": None}
    (message,) = esrs_inconsistencies([], [missing])
    assert "intensity_location_tco2e_per_net_revenue = NULL" in message


@pytest.mark.parametrize(
    ("changes", "figures"),
    [
        ({"total_energy_mwh": "100.000000000001"}, ["total_energy_mwh"]),
        ({"nuclear_mwh": "1", "total_energy_mwh": "101"}, ["share_fossil", "share_nuclear"]),
        ({"fossil_natural_gas_mwh": "90"}, ["fossil_mwh"]),
        ({"renewable_fuels_mwh": "4"}, ["renewable_mwh"]),
        ({"share_renewable": "0.083522427736"}, ["share_fossil + share_nuclear + share_renewable"]),
        (
            {"share_fossil": "0.916477572266", "share_renewable": "0.083522427734"},
            ["share_fossil"],
        ),
        ({"share_nuclear": None}, ["share_fossil + share_nuclear + share_renewable", "share_nuclear"]),
    ],
)
def test_each_broken_e1_5_figure_is_named(e1_5_rows, changes, figures):
    row = {
        **e1_5_rows[0],
        **{key: None if value is None else Decimal(value) for key, value in changes.items()},
    }
    issues = esrs_issues([row], [])
    named = [issue["figure"] for issue in issues]
    for figure in figures:
        assert figure in named, (figure, [issue["message"] for issue in issues])
    for issue in issues:
        assert issue["message"].startswith("rpt_esrs_e1_5_energy: tenant t1 year 2026: ")
        assert issue["reported"] in issue["message"] and issue["expected"] in issue["message"]


def test_nuclear_and_total_mismatch_names_both_values(e1_5_rows):
    row = {**e1_5_rows[0], "nuclear_mwh": Decimal("1")}
    messages = esrs_inconsistencies([row], [])
    assert (
        "rpt_esrs_e1_5_energy: tenant t1 year 2026: total_energy_mwh = 100.000000000000 but "
        "fossil_mwh + nuclear_mwh + renewable_mwh = 101.000000000000" in messages
    )


def test_shares_of_a_zero_total_must_be_null(e1_5_rows):
    zero = {
        column: (Decimal(0) if isinstance(value, Decimal) else value)
        for column, value in e1_5_rows[0].items()
    }
    zero.update(share_fossil=None, share_nuclear=None, share_renewable=None)
    assert esrs_inconsistencies([zero], []) == []
    (message,) = esrs_inconsistencies([{**zero, "share_renewable": Decimal(1)}], [])
    assert "share_renewable = 1 but share of a zero total = NULL" in message


def test_renewable_share_may_differ_by_one_unit_not_more(e1_5_rows):
    # thirds: the model gives 0.333333333333 twice and 1 - both = 0.333333333334 (2/3 of a unit off 1/3)
    thirds = {
        **e1_5_rows[0],
        **{column: Decimal(1) for column in ("fossil_mwh", "nuclear_mwh", "renewable_mwh")},
        "total_energy_mwh": Decimal(3),
        "fossil_coal_and_coal_products_mwh": Decimal(1),
        "fossil_crude_oil_and_petroleum_products_mwh": Decimal(0),
        "fossil_natural_gas_mwh": Decimal(0),
        "fossil_purchased_electricity_heat_steam_cooling_mwh": Decimal(0),
        "renewable_fuels_mwh": Decimal(1),
        "renewable_purchased_electricity_heat_steam_cooling_mwh": Decimal(0),
        "renewable_self_generated_non_fuel_mwh": Decimal(0),
        "share_fossil": Decimal("0.333333333333"),
        "share_nuclear": Decimal("0.333333333333"),
        "share_renewable": Decimal("0.333333333334"),
    }
    assert esrs_inconsistencies([thirds], []) == []
    skewed = {
        **thirds,
        "share_fossil": Decimal("0.333333333332"),
        "share_renewable": Decimal("0.333333333335"),
    }
    named = [issue["figure"] for issue in esrs_issues([skewed], [])]
    assert named == ["share_fossil", "share_renewable"]
