"""The checks' SQL over hand-made marts, on DuckDB and PostgreSQL, run through Dagster: anomalies found in
each key measure, schema drift per raw table, and the column schemas the dbt step records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg

from greenlang.catalog import RAW_SOURCES
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ingest.assets import raw_asset_key
from greenlang.quality.checks import MEASURES, build_anomaly_check, build_schema_drift_check
from greenlang.warehouse.dbt import published_column_schemas
from greenlang.warehouse.publish import Relation

FIRST_DAY = dt.date(2026, 1, 5)  # a Monday
DAYS = 42
SPIKE_DAY = dt.date(2026, 1, 21)  # a Wednesday
MART_COLUMNS = {
    "fct_energy_consumption": "tenant_id TEXT, meter_id TEXT, consumption_date DATE, consumption_kwh NUMERIC(38,12)",
    "fct_ghg_emissions": "tenant_id TEXT, activity_source TEXT, activity_date DATE, method TEXT, emissions_tco2e NUMERIC(38,12)",
    "fct_purchase_lines": "tenant_id TEXT, supplier_key TEXT, order_date DATE, is_deleted BOOLEAN, net_amount_eur NUMERIC(38,12)",
}


def value(day: dt.date) -> float:
    """A working week at about 100, weekends at about 40, with a spread the MAD can measure."""
    return (100.0 if day.isoweekday() < 6 else 40.0) + (day.toordinal() % 5)


def make_marts(warehouse: Warehouse) -> None:
    days = [FIRST_DAY + dt.timedelta(days=offset) for offset in range(DAYS)]
    with warehouse.session() as session:
        session.execute("CREATE SCHEMA IF NOT EXISTS marts")
        for mart, columns in MART_COLUMNS.items():
            session.execute(f"CREATE TABLE marts.{mart} ({columns})")
        for day in days:
            # each measure spikes on one day to 5 x its working-day level; the market basis is never read
            amount = value(day) * (5 if day == SPIKE_DAY else 1)
            parameters = {"day": day, "amount": amount}
            session.execute(
                "INSERT INTO marts.fct_energy_consumption VALUES ('acme', 'm1', %(day)s, %(amount)s)",
                parameters,
            )
            session.execute(
                "INSERT INTO marts.fct_ghg_emissions VALUES ('acme', 'fuel', %(day)s, 'stationary_combustion', "
                "%(amount)s), ('acme', 'fuel', %(day)s, 'market_based', 9999)",
                parameters,
            )
            session.execute(
                "INSERT INTO marts.fct_purchase_lines VALUES ('acme', 's1', %(day)s, false, %(amount)s), "
                "('acme', 's1', %(day)s, true, 1000000)",
                parameters,
            )


def run_checks(warehouse: Warehouse, checks: list[dg.AssetChecksDefinition], keys: list[dg.AssetKey]):
    defs = dg.Definitions(
        assets=[dg.AssetSpec(key) for key in keys],
        asset_checks=checks,
        resources={"warehouse": WarehouseResource.from_settings(warehouse.settings)},
    )
    job = dg.define_asset_job("checks", selection=dg.AssetSelection.checks(*checks))
    result = (
        dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def("checks").execute_in_process()
    )
    return {evaluation.asset_key: evaluation for evaluation in result.get_asset_check_evaluations()}


def test_a_spike_in_each_key_measure_is_reported(warehouse: Warehouse) -> None:
    make_marts(warehouse)
    evaluations = run_checks(warehouse, [build_anomaly_check(min_points=14)], [m.key for m in MEASURES])
    for measure in MEASURES:
        evaluation = evaluations[measure.key]
        assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN), measure.mart
        points = evaluation.metadata["anomalous_points"].value
        assert [point["day"] for point in points] == [SPIKE_DAY.isoformat()], measure.mart
        assert evaluation.metadata["series_judged"].value == 1


def test_schema_drift_is_reported_on_the_raw_table_that_drifted(warehouse: Warehouse, tmp_path: Path) -> None:
    header = (
        "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes,"
        "customs_procedure"
    )
    row = "DE123456789012345,26DE000000000000A1,1,2026-02-03,72081000,CN,25.5,40"
    (tmp_path / "a.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"{header},remarks\n{row},x\n", encoding="utf-8")
    for name in ("a.csv", "b.csv"):
        load_file(warehouse, CBAM_SHIPMENTS, tmp_path / name, "acme")
    other = next(spec for spec in RAW_SOURCES if spec.name != CBAM_SHIPMENTS.name)
    specs = [CBAM_SHIPMENTS, other]
    evaluations = run_checks(warehouse, [build_schema_drift_check(specs)], [raw_asset_key(s) for s in specs])
    drifted = evaluations[raw_asset_key(CBAM_SHIPMENTS)]
    # both lack the contract's optional columns; the newest also added one to the previous delivery
    assert (drifted.passed, drifted.metadata["drifted_loads"].value) == (False, 2)
    newest, first = drifted.metadata["drift"].value
    assert (newest["previous"], first["previous"]) == ({"added": ["remarks"]}, {})
    assert newest["contract"]["added"] == ["remarks"] and "installation_id" in first["contract"]["missing"]
    assert evaluations[raw_asset_key(other)].passed


def test_the_published_column_schema_is_read_from_the_warehouse(warehouse: Warehouse) -> None:
    make_marts(warehouse)
    relation = Relation("model.greenlang.fct_purchase_lines", "marts", "fct_purchase_lines")
    with warehouse.session() as session:
        schemas = published_column_schemas(session, [relation])
    columns = schemas[relation.unique_id].columns
    assert [column.name for column in columns] == [
        "tenant_id",
        "supplier_key",
        "order_date",
        "is_deleted",
        "net_amount_eur",
    ]
    assert columns[3].type == "boolean" and columns[2].type == "date"
