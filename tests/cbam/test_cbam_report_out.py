"""The quarterly report asset on both engines: the hand-worked lines of test_cbam_report_xml as mart rows,
one quarter's partition materialized, its file valid against the XSD and carrying the hand-worked total."""

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import dagster as dg

from greenlang.cbam.report_out import build_cbam_quarterly_report
from greenlang.cbam.report_schema import schema_errors
from greenlang.core.warehouse import Warehouse, WarehouseResource
from tests.helpers.cbam import LINES, NS, REPORT_CONFIG
from tests.helpers.warehouses import make_settings

FIGURE = "numeric(38, 12)"
COLUMNS = {
    "tenant_id": "TEXT",
    "declarant_eori": "TEXT",
    "declaration_id": "TEXT",
    "declaration_line": "INTEGER",
    "import_date": "DATE",
    "import_year": "INTEGER",
    "import_quarter": "INTEGER",
    "cn_code": "TEXT",
    "cbam_good_cn_code": "TEXT",
    "is_cbam_good": "BOOLEAN",
    "origin_country": "TEXT",
    "installation_id": "TEXT",
    "customs_procedure": "TEXT",
    "net_mass_tonnes": FIGURE,
    "emission_method": "TEXT",
    "indirect_method": "TEXT",
    "embedded_direct": FIGURE,
    "embedded_indirect": FIGURE,
}


def _marts(warehouse: Warehouse) -> None:
    with warehouse.session() as session:
        session.execute("CREATE SCHEMA IF NOT EXISTS marts")
        session.execute(
            f"CREATE TABLE marts.fct_cbam_imports ({', '.join(f'{c} {t}' for c, t in COLUMNS.items())})"
        )
        session.execute("CREATE TABLE marts.dim_cbam_good (cn_code TEXT, description TEXT)")
        session.execute(
            "INSERT INTO marts.dim_cbam_good VALUES ('7208', 'Flat-rolled iron'), ('7601', 'Aluminium')"
        )
        insert = f"INSERT INTO marts.fct_cbam_imports VALUES ({', '.join(f'%({c})s' for c in COLUMNS)})"
        # the quarter's lines, and one of the next quarter that must stay out of the report
        rows = [(line, "2026-02-10") for line in LINES] + [(LINES[0], "2026-04-01")]
        for number, (line, day) in enumerate(rows, start=1):
            row = dataclasses.asdict(line)
            row.pop("description")
            session.execute(
                insert,
                {
                    **row,
                    "tenant_id": "acme",
                    "declaration_id": "MRN1",
                    "declaration_line": number,
                    "import_date": day,
                    "import_quarter": 1 if day < "2026-04-01" else 2,
                    "cbam_good_cn_code": line.cn_code[:4],
                    "is_cbam_good": True,
                },
            )


def test_one_quarter_s_reports_are_written_valid(
    warehouse: Warehouse, tmp_path: Path, shared_data: Path
) -> None:
    _marts(warehouse)
    asset = build_cbam_quarterly_report(REPORT_CONFIG, shared_data / "cbam")
    export_dir = tmp_path / "exports"
    result = dg.materialize(
        [asset],
        partition_key="2026-01-01",
        resources={"warehouse": WarehouseResource.from_settings(warehouse.settings)},
        run_config={"ops": {"reporting__cbam_quarterly_report": {"config": {"export_dir": str(export_dir)}}}},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("reporting__cbam_quarterly_report")[0].metadata
    assert (metadata["reports"].value, metadata["lines_without_emissions"].value) == (1, 1)
    path = export_dir / "acme" / "2026" / "cbam_qreport_DE1234567890_Q1.xml"
    assert list(metadata["files_sha256"].value) == ["acme/2026/cbam_qreport_DE1234567890_Q1.xml"]
    assert schema_errors(path, shared_data / "cbam") == []
    root = ET.parse(path).getroot()
    # the hand-worked total of test_hand_worked_totals_and_per_tonne_figures: the April line is not in it
    assert root.findtext("q:TotalEmissions", namespaces=NS) == "57.5778701"
    assert root.findtext(
        "q:ImportedGood/q:CommodityCode/q:CommodityDetails/q:Description", namespaces=NS
    ) == ("Flat-rolled iron")


def test_without_configuration_the_report_is_refused_with_what_to_set(tmp_path: Path) -> None:
    result = dg.materialize(
        [build_cbam_quarterly_report(None, None)],
        partition_key="2026-01-01",
        resources={"warehouse": WarehouseResource.from_settings(make_settings("duckdb", tmp_path))},
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert "GREENLANG_CBAM_REPORT_CONFIG" in failure.step_failure_data.error.message
