"""Filed quarterly reports into the raw layer on both engines: the Commission's sample, invalid against
QReport 17.03, loads whole with its schema errors recorded per element, and its arithmetic is checked."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from greenlang.cbam.filed_reports import build_filed_reports, report_arithmetic
from greenlang.cbam.report_in import ReportLoadError, load_filed_report
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.lifecycle.tenant_move import export_tenant, import_tenant
from tests.helpers.warehouses import make_settings

SAMPLE = "Sample_CBAM_Quarterly_Report.xml"
# What QReport 17.03 refuses in the sample (xmlschema's paths and reasons, document order)
SAMPLE_SCHEMA_ERRORS = [
    ("/QReport/ReportId", "value length cannot be lesser than 1"),
    ("/QReport/Year", "the number of digits has to be lesser or equal than 4"),
    ("/QReport/Signatures", "Unexpected child with tag '{*}ApplicableMethdologyConfirmation' at position 2."),
    ("/QReport/ImportedGood/CommodityCode/CnCode", "value length cannot be greater than 2"),
    ("/QReport/ImportedGood/SupportingDocuments/Attachment", "Tag '{*}Binary' expected."),
    (
        "/QReport/ImportedGood/GoodsEmissions[1]/SupportingDocuments/Type",
        "value length cannot be greater than 4",
    ),
    ("/QReport/ImportedGood/GoodsEmissions[1]/SupportingDocuments/Attachment", "Tag '{*}Binary' expected."),
    ("/QReport", "Unexpected child with tag '{*}ReportId' at position 2. Tag '{*}DraftReportId' expected."),
]
# The sample's arithmetic, by hand (figures as written in the sample):
# - the report has no TotalImported and no TotalEmissions (1 good, 13615 tCO2e): both missing
# - good 1: 12908 + 707 = 13615 (adds up); 24.75454 x 550 = 13614.997, within 0.5 + 550 x 0.000005 of
#   13615 (adds up); 550 = its one procedure's 550; direct 12878 + 30 = 12908, indirect 548 + 159 = 707,
#   overall 13426 + 189 = 13615 (all add up)
# - goods emission 1: 12878 + 548 = 13426; 23.5 x 548 = 12878; 1 x 548 = 548 (all add up)
# - goods emission 2: 30 + 159 = 189 and 5.3 x 15 = 79.5 add up, but its produced mass is 2000 of unit
#   "02" (not the "01" of the other masses): 15 x 2000 = 30000 != 30 and 79.5 x 2000 = 159000 != 159
SAMPLE_ARITHMETIC = [
    (1, "report_total_imported", "missing"),
    (1, "report_total_emissions", "missing"),
    (4, "installation_direct", "30 != 15 x 2000 = 30000"),
    (4, "installation_indirect", "159 != 79.5 x 2000 = 159000.0"),
]


def _landing(tmp_path: Path, shared_data: Path) -> Path:
    folder = tmp_path / "landing" / "acme" / "cbam_reports"
    folder.mkdir(parents=True)
    shutil.copy(shared_data / "cbam" / SAMPLE, folder / SAMPLE)
    return tmp_path / "landing"


def _with_wildcards(reason: str) -> str:
    return reason.replace("{http://xmlns.ec.eu/BusinessObjects/CBAM/Types/V1}", "{*}")


def test_the_sample_loads_whole_with_its_schema_errors_and_arithmetic_flags(
    warehouse: Warehouse, tmp_path: Path, shared_data: Path
) -> None:
    landing = _landing(tmp_path, shared_data)
    asset, check = build_filed_reports(landing, {"acme"}, shared_data / "cbam")
    resource = WarehouseResource.from_settings(warehouse.settings)
    result = dg.materialize([asset, check], resources={"warehouse": resource})
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN

    with warehouse.session() as session:
        batch = session.fetch_dicts("SELECT * FROM raw.load_batch WHERE source = 'cbam_reports'")
        assert [
            (row["status"], row["rows_read"], row["rows_loaded"], row["rows_rejected"]) for row in batch
        ] == [
            ("succeeded", 4, 4, 0)  # the report, its 1 good and the good's 2 goods emissions
        ]
        errors = session.fetchall(
            "SELECT path, reason FROM raw.cbam_reports__schema_error ORDER BY _source_row"
        )
        assert [path for path, _reason in errors] == [path for path, _reason in SAMPLE_SCHEMA_ERRORS]
        for (_path, reason), (_expected_path, expected) in zip(errors, SAMPLE_SCHEMA_ERRORS, strict=True):
            assert expected in _with_wildcards(reason)
        report = session.fetch_dicts("SELECT * FROM raw.cbam_reports__report")[0]
        # kept as filed, the values the schema refuses included
        assert (report["report_id"], report["report_year"], report["reporting_period"]) == ("", "20229", "Q4")
        good = session.fetch_dicts("SELECT * FROM raw.cbam_reports__imported_good")[0]
        assert (good["cn_code"], good["emissions_per_unit"], good["net_mass"]) == (
            "76090000",
            "24.75454",
            "550",
        )
        installations = session.fetchall(
            "SELECT installation_id, produced_net_mass, produced_unit FROM raw.cbam_reports__goods_emission "
            "ORDER BY _source_row"
        )
        assert installations == [("IN03", "548", "01"), ("IN01", "2000", "02")]
        flagged = [
            (issue["source_row"], issue["rule"], issue["detail"])
            for issues in report_arithmetic(session).values()
            for issue in issues
        ]
    assert flagged == SAMPLE_ARITHMETIC

    # a second run loads nothing again
    again = dg.materialize([asset], resources={"warehouse": resource})
    assert again.asset_materializations_for_node("raw__cbam_reports")[0].metadata["files_skipped"].value == 1
    with warehouse.session() as session:
        assert session.scalar("SELECT count(*) FROM raw.cbam_reports__imported_good") == 1


def test_a_file_that_is_not_xml_is_a_failed_batch_and_loads_nothing(
    warehouse: Warehouse, tmp_path: Path, shared_data: Path
) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<QReport><Year>2024</QReport>", encoding="utf-8")
    with pytest.raises(ReportLoadError, match="not well-formed"):
        load_filed_report(warehouse, "acme", broken, shared_data / "cbam")
    with warehouse.session() as session:
        assert session.fetchall("SELECT status, rows_loaded FROM raw.load_batch") == [("failed", 0)]
        assert session.scalar("SELECT count(*) FROM raw.cbam_reports__report") == 0


def test_a_tenant_moves_with_its_filed_reports(tmp_path: Path, shared_data: Path) -> None:
    """The target of a tenant move gets the filed-report tables (they have no record contract)."""
    source = Warehouse(make_settings("duckdb", tmp_path / "a"))
    target = Warehouse(make_settings("duckdb", tmp_path / "b"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    load_filed_report(
        source,
        "acme",
        _landing(tmp_path, shared_data) / "acme" / "cbam_reports" / SAMPLE,
        shared_data / "cbam",
    )
    export_tenant(source, "acme", tmp_path / "export")
    written = import_tenant(target, tmp_path / "export")
    assert written["raw.cbam_reports__goods_emission"] == 2
    assert written["raw.cbam_reports__schema_error"] == len(SAMPLE_SCHEMA_ERRORS)
