"""The ESRS E1 facts and their JSON / CSV form: exact decimals, stable bytes, lossless round trips."""

import json
from decimal import Decimal

import pytest

from greenlang.esrs.export import (
    E1_5_TABLE,
    E1_6_TABLE,
    ELEMENT_MAP,
    Fact,
    canonical,
    esrs_facts,
    from_csv,
    from_json,
    to_csv,
    to_json,
)


def _documents(facts: list[Fact]) -> dict[tuple[str, int], list[Fact]]:
    documents: dict[tuple[str, int], list[Fact]] = {}
    for fact in facts:
        documents.setdefault((fact.entity, fact.reporting_year), []).append(fact)
    return documents


def test_element_mapping_is_unique_and_covers_the_columns():
    keys = [(element, dimension) for _, _, element, dimension, _ in ELEMENT_MAP]
    columns = [(report, column) for report, column, _, _, _ in ELEMENT_MAP]
    assert len(set(keys)) == len(keys), "an (element, dimension) pair is mapped twice"
    assert len(set(columns)) == len(columns), "a column is mapped twice"
    assert all(element.startswith("esrs:") for element, _ in keys)
    mapped = {column for report, column in columns if report == E1_6_TABLE}
    assert {f"scope_3_cat_{category}_tco2e" for category in range(1, 16)} <= mapped
    assert {"scope_1_tco2e", "total_location_tco2e", "intensity_market_tco2e_per_net_revenue"} <= mapped
    energy = {column for report, column in columns if report == E1_5_TABLE}
    assert {"total_energy_mwh", "fossil_mwh", "nuclear_mwh", "renewable_mwh", "share_renewable"} <= energy


def test_scope_3_axis_and_spellings_follow_efrag():
    """The QNames EFRAG's own E1 example instance uses (see the evidence note in greenlang/esrs/export.py)."""
    dimensions = {column: dimension for _, column, _, dimension, _ in ELEMENT_MAP if dimension}
    axis = "esrs:Scope3GHGEmissionsCategoryGHGProtocolAxis"
    assert dimensions["scope_3_cat_1_tco2e"] == f"{axis}=esrs:Category1PurchasedGoodsAndServicesMember"
    assert dimensions["scope_3_cat_3_tco2e"] == f"{axis}=esrs:Category3FuelAndEnergyrelatedActivitiesMember"
    assert (
        dimensions["scope_3_cat_12_tco2e"] == f"{axis}=esrs:Category12EndoflifeTreatmentOfSoldProductsMember"
    )
    assert len(dimensions) == 15 and all(
        dimension.startswith(f"{axis}=esrs:Category") for dimension in dimensions.values()
    )
    elements = {column: element for _, column, element, _, _ in ELEMENT_MAP}
    fossil = elements["fossil_purchased_electricity_heat_steam_cooling_mwh"]
    renewable = elements["renewable_purchased_electricity_heat_steam_cooling_mwh"]
    assert fossil == "esrs:ConsumptionOfPurchasedOrAcquiredElectricityHeatSteamOrCoolingFromFossilSources"
    assert (
        renewable == "esrs:ConsumptionOfPurchasedOrAcquiredElectricityHeatSteamAndCoolingFromRenewableSources"
    )


def test_facts_values_units_and_null_figures(e1_5_rows, e1_6_rows):
    facts = esrs_facts(e1_5_rows, e1_6_rows)
    documents = _documents(facts)
    assert list(documents) == [("t1", 2026), ("t2", 2025), ("t3", 2026)]
    t1 = {(fact.element, fact.dimension): fact for fact in documents[("t1", 2026)]}
    assert t1[("esrs:GrossScope1GreenhouseGasEmissions", "")].value_text == "187.71"
    assert t1[("esrs:GrossScope1GreenhouseGasEmissions", "")].unit == "tCO2e"
    intensity = t1[("esrs:GHGEmissionsIntensityLocationbasedTotalGHGEmissionsPerNetRevenue", "")]
    assert (intensity.value_text, intensity.unit) == ("0.00041456", "tCO2e/EUR")
    assert t1[("esrs:EnergyConsumptionRelatedToOwnOperations", "")].value_text == "100"
    assert t1[("esrs:EnergyConsumptionRelatedToOwnOperations", "")].unit == "MWh"
    share = t1[("esrs:PercentageOfRenewableSourcesInTotalEnergyConsumption", "")]
    assert (share.value, share.unit) == (Decimal("0.083522427735"), "pure")
    category_3 = [
        fact
        for fact in documents[("t1", 2026)]
        if fact.dimension.endswith("=esrs:Category3FuelAndEnergyrelatedActivitiesMember")
    ]
    assert [fact.value_text for fact in category_3] == ["18.3"]
    assert all(fact.decimals == 12 for fact in facts)
    # t3 has no revenue: its intensities are not reported (never 0); t2 has no energy report
    t3_elements = {fact.element for fact in documents[("t3", 2026)]}
    assert not any("Intensity" in element for element in t3_elements)
    assert not any("Energy" in fact.element for fact in documents[("t2", 2025)])
    assert len(documents[("t1", 2026)]) == len(ELEMENT_MAP)


def test_json_and_csv_round_trip_exactly(e1_5_rows, e1_6_rows):
    tiny = {**e1_6_rows[0], "scope_1_tco2e": Decimal("0.000000000001"), "scope_2_market_tco2e": Decimal("-0")}
    huge = {**e1_5_rows[0], "total_energy_mwh": Decimal("12345678901234567890123456.123456789012")}
    facts = esrs_facts([huge], [tiny, *e1_6_rows[1:]])
    for document in _documents(facts).values():
        text = to_json(document)
        assert from_json(text) == document
        assert [fact.value_text for fact in from_json(text)] == [fact.value_text for fact in document]
        assert to_json(from_json(text)) == text
    csv_text = to_csv(facts)
    assert from_csv(csv_text) == facts
    assert to_csv(from_csv(csv_text)) == csv_text
    assert "0.000000000001" in csv_text and "E-" not in csv_text
    assert "12345678901234567890123456.123456789012" in csv_text


def test_same_figures_same_bytes_whatever_the_scale(e1_5_rows, e1_6_rows):
    rescaled = [
        {key: (value.normalize() if isinstance(value, Decimal) else value) for key, value in row.items()}
        for row in e1_5_rows
    ]
    first = esrs_facts(e1_5_rows, e1_6_rows[:1])
    second = esrs_facts(rescaled, [{**e1_6_rows[0], "scope_1_tco2e": Decimal("187.71")}])
    assert to_json(first) == to_json(second)
    assert to_csv(first) == to_csv(second)
    document = json.loads(to_json(first))
    assert document["entity"] == "t1" and document["period"] == {"reporting_year": 2026}
    assert document["facts"][0] == {
        "element": "esrs:GrossScope1GreenhouseGasEmissions",
        "value": "187.71",
        "unit": "tCO2e",
        "decimals": 12,
    }
    assert to_csv(first).splitlines()[0] == "entity,reporting_year,element,dimension,value,unit,decimals"


def test_refusals(e1_6_rows):
    with pytest.raises(TypeError):
        canonical(0.1)
    with pytest.raises(ValueError, match="one tenant and reporting year"):
        to_json(esrs_facts([], e1_6_rows))
    with pytest.raises(ValueError, match="two rows"):
        esrs_facts([], [e1_6_rows[0], e1_6_rows[0]])
