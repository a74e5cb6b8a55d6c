"""The ESRS checks and export on both engines: tiny report tables made with SQL (the models' columns)."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.esrs.checks import esrs_e1_5_consistency, esrs_e1_6_consistency
from greenlang.esrs.export import EXPORT_KEY, esrs_e1_export, esrs_facts, from_csv, from_json, to_csv, to_json

FIGURE = "numeric(38, 12)"
E1_6_COLUMNS = {
    "tenant_id": "TEXT",
    "reporting_year": "INTEGER",
    **{
        name: FIGURE
        for name in (
            "scope_1_tco2e",
            "scope_2_location_tco2e",
            "scope_2_market_tco2e",
            "scope_3_tco2e",
            *(f"scope_3_cat_{category}_tco2e" for category in range(1, 16)),
            "total_location_tco2e",
            "total_market_tco2e",
        )
    },
    "net_revenue": "numeric(38, 2)",
    "net_revenue_currency": "TEXT",
    "intensity_location_tco2e_per_net_revenue": FIGURE,
    "intensity_market_tco2e_per_net_revenue": FIGURE,
    "emission_rows_without_factor": "BIGINT",
}
E1_5_NUMERIC = [
    "total_energy_mwh",
    "fossil_mwh",
    "nuclear_mwh",
    "renewable_mwh",
    "share_fossil",
    "share_nuclear",
    "share_renewable",
    "fossil_coal_and_coal_products_mwh",
    "fossil_crude_oil_and_petroleum_products_mwh",
    "fossil_natural_gas_mwh",
    "fossil_other_sources_mwh",
    "fossil_purchased_electricity_heat_steam_cooling_mwh",
    "renewable_fuels_mwh",
    "renewable_purchased_electricity_heat_steam_cooling_mwh",
    "renewable_self_generated_non_fuel_mwh",
    "fuel_consumption_mwh",
    "electricity_consumption_mwh",
    "heat_consumption_mwh",
    "purchased_energy_assumed_fossil_mwh",
]
E1_5_COLUMNS = {"tenant_id": "TEXT", "reporting_year": "INTEGER", **dict.fromkeys(E1_5_NUMERIC, FIGURE)}


def _create(warehouse: Warehouse, table: str, columns: dict[str, str], rows: list[dict[str, Any]]) -> None:
    with warehouse.session() as session:
        session.execute("CREATE SCHEMA IF NOT EXISTS reporting")
        session.execute(f"DROP TABLE IF EXISTS reporting.{table}")
        session.execute(
            f"CREATE TABLE reporting.{table} ({', '.join(f'{c} {t}' for c, t in columns.items())})"
        )
        names = list(columns)
        insert = (
            f"INSERT INTO reporting.{table} ({', '.join(names)}) "
            f"VALUES ({', '.join(f'%({name})s' for name in names)})"
        )
        for row in rows:
            session.execute(insert, {name: row[name] for name in names})


def _materialize(resource: WarehouseResource, export_dir: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [esrs_e1_export],
        resources={"warehouse": resource},
        run_config={"ops": {EXPORT_KEY.to_python_identifier(): {"config": {"export_dir": str(export_dir)}}}},
    )


@pytest.mark.slow  # Dagster checks and export on a warehouse
def test_checks_and_export_on_the_warehouse(warehouse: Warehouse, tmp_path: Path, e1_5_rows, e1_6_rows):
    _create(warehouse, "rpt_esrs_e1_6_ghg", E1_6_COLUMNS, e1_6_rows)
    _create(warehouse, "rpt_esrs_e1_5_energy", E1_5_COLUMNS, e1_5_rows)
    resource = WarehouseResource.from_settings(warehouse.settings)

    for check in (esrs_e1_6_consistency, esrs_e1_5_consistency):
        result = check(warehouse=resource)
        assert result.passed, result.description
        assert result.metadata["inconsistencies"].value == 0

    export_dir = tmp_path / "exports"
    result = _materialize(resource, export_dir)
    assert result.success
    expected = esrs_facts(e1_5_rows, e1_6_rows)
    t1 = [fact for fact in expected if fact.entity == "t1"]
    json_path = export_dir / "t1" / "2026" / "esrs_e1.json"
    csv_path = export_dir / "t1" / "2026" / "esrs_e1.csv"
    assert json_path.read_text(encoding="utf-8") == to_json(t1)
    assert csv_path.read_text(encoding="utf-8") == to_csv(t1)
    assert from_json(json_path.read_text(encoding="utf-8")) == t1
    document = json.loads(json_path.read_text(encoding="utf-8"))
    facts = {(fact["element"], fact.get("dimension", "")): fact for fact in document["facts"]}
    assert facts[("esrs:GrossScope1GreenhouseGasEmissions", "")]["value"] == "187.71"
    assert (
        facts[("esrs:PercentageOfRenewableSourcesInTotalEnergyConsumption", "")]["value"] == "0.083522427735"
    )
    intensity = facts[("esrs:GHGEmissionsIntensityMarketbasedTotalGHGEmissionsPerNetRevenue", "")]
    assert (intensity["value"], intensity["unit"]) == ("0.00029033", "tCO2e/EUR")
    t2 = from_csv((export_dir / "t2" / "2025" / "esrs_e1.csv").read_text(encoding="utf-8"))
    assert Decimal("0.666666666667") in {fact.value for fact in t2}
    files = sorted(
        path.relative_to(export_dir).as_posix() for path in export_dir.rglob("*") if path.is_file()
    )
    assert files == [
        f"{tenant}/{year}/esrs_e1.{ext}"
        for tenant, year in (("t1", 2026), ("t2", 2025), ("t3", 2026))
        for ext in ("csv", "json")
    ]
    first = {path: (export_dir / path).read_bytes() for path in files}
    assert _materialize(resource, export_dir).success
    assert {path: (export_dir / path).read_bytes() for path in files} == first, "same figures, other bytes"

    # a broken total: the check fails and names tenant, year, the figures and both values
    broken = {**e1_6_rows[0], "total_market_tco2e": Decimal("290.34")}
    _create(warehouse, "rpt_esrs_e1_6_ghg", E1_6_COLUMNS, [broken, *e1_6_rows[1:]])
    result = esrs_e1_6_consistency(warehouse=resource)
    assert not result.passed
    assert (
        "tenant t1 year 2026: total_market_tco2e = 290.340000000000 but "
        "scope_1_tco2e + scope_2_market_tco2e + scope_3_tco2e = 290.330000000000" in result.description
    )
    # the market intensity, checked against the reported total, disagrees too
    details = {detail["figure"]: detail for detail in result.metadata["details"].value}
    assert sorted(details) == ["intensity_market_tco2e_per_net_revenue", "total_market_tco2e"]
    detail = details["total_market_tco2e"]
    assert (detail["tenant_id"], detail["reporting_year"]) == ("t1", 2026)
    assert (detail["reported"], detail["expected"]) == ("290.340000000000", "290.330000000000")
    assert result.metadata["tenant_years"].value == ["t1 2026"]
