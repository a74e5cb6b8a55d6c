"""The quarterly report asset: per quarter (a partition), one QReport XML file per declarant with imports in it,
under ``<export_dir>/<tenant>/<year>/cbam_qreport_<EORI>_Q<n>.xml`` (the exports' folder, as
``greenlang.esrs.export``), each validated against the XSD before it is written (an invalid report fails
the run and writes nothing). The report itself: ``greenlang.cbam.report_xml``."""

import datetime as dt
from pathlib import Path

import dagster as dg

from greenlang.cbam.report_schema import schema_errors
from greenlang.cbam.report_xml import CbamReportConfig, ImportLine, quarterly_reports, to_xml
from greenlang.core.domains import layer_tags
from greenlang.core.export_files import ExportConfig, safe_path_part, write_atomically
from greenlang.core.freshness import FRESHNESS
from greenlang.core.warehouse import WAREHOUSE_POOL, Session, WarehouseResource
from greenlang.ingest.assets import QUARTERLY_PARTITIONED_TAG

MARTS_SCHEMA = "marts"
REPORTING_SCHEMA = "reporting"
IMPORTS_KEY = dg.AssetKey([MARTS_SCHEMA, "fct_cbam_imports"])
GOODS_KEY = dg.AssetKey([MARTS_SCHEMA, "dim_cbam_good"])
REPORT_KEY = dg.AssetKey([REPORTING_SCHEMA, "cbam_quarterly_report"])
# The transitional period's first reporting quarter: Q4 2023 (Article 35 of Regulation (EU) 2023/956 and
# Article 36(2): reporting obligations from 1 October 2023).
QUARTERS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start="2023-10-01", fmt="%Y-%m-%d", timezone="UTC"
)

IMPORT_LINES_SQL = f"""
SELECT i.tenant_id, i.declarant_eori, i.import_year, i.import_quarter, i.cn_code, g.description,
       i.origin_country, i.installation_id, i.customs_procedure, i.net_mass_tonnes, i.emission_method,
       i.indirect_method, i.embedded_direct, i.embedded_indirect
FROM {MARTS_SCHEMA}.fct_cbam_imports i
LEFT JOIN {MARTS_SCHEMA}.dim_cbam_good g ON g.cn_code = i.cbam_good_cn_code
WHERE i.is_cbam_good AND i.import_date >= %(start)s AND i.import_date < %(end)s
ORDER BY i.tenant_id, i.declarant_eori, i.declaration_id, i.declaration_line
"""


def quarter_import_lines(session: Session, start: dt.date, end: dt.date) -> dict[str, list[ImportLine]]:
    """The CBAM goods' import lines of [start, end), per tenant."""
    by_tenant: dict[str, list[ImportLine]] = {}
    for row in session.fetch_dicts(IMPORT_LINES_SQL, {"start": start, "end": end}):
        by_tenant.setdefault(row["tenant_id"], []).append(ImportLine.from_row(row))
    return by_tenant


def write_quarter_reports(
    lines_by_tenant: dict[str, list[ImportLine]],
    config: CbamReportConfig,
    schema_dir: Path,
    export_dir: Path,
    submitted_at: dt.datetime,
) -> tuple[dict[str, str], int]:
    """Validate every report of the quarter, then write them all; returns ({relative path: sha256}, lines
    left out for missing emissions). A report the schema refuses raises, before any file is written."""
    documents = {}
    left_out = 0
    for tenant, lines in sorted(lines_by_tenant.items()):
        for report in quarterly_reports(lines):
            left_out += report.lines_left_out
            if not report.goods:
                continue
            xml = to_xml(report, config, submitted_at, submitted_at.date())
            errors = schema_errors(xml, schema_dir)
            if errors:
                raise ValueError(
                    f"report of {report.declarant_eori} {report.year} Q{report.quarter}: {errors}"
                )
            folder = Path(safe_path_part(tenant, "tenant id")) / str(report.year)
            name = f"cbam_qreport_{safe_path_part(report.declarant_eori, 'EORI')}_Q{report.quarter}.xml"
            documents[(folder / name).as_posix()] = xml
    written = {path: write_atomically(export_dir / path, xml) for path, xml in documents.items()}
    return written, left_out


def build_cbam_quarterly_report(report_config: Path | None, schema_dir: Path | None) -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORT_KEY,
        group_name=REPORTING_SCHEMA,
        tags={**layer_tags(REPORTING_SCHEMA), **dict([QUARTERLY_PARTITIONED_TAG])},
        deps=[IMPORTS_KEY, GOODS_KEY],
        freshness_policy=FRESHNESS["quarterly"],
        partitions_def=QUARTERS,
        pool=WAREHOUSE_POOL,
        description="CBAM quarterly report XML (QReport 17.03) per declarant and quarter, XSD-validated",
    )
    def cbam_quarterly_report(
        context: dg.AssetExecutionContext, config: ExportConfig, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        if report_config is None or schema_dir is None:
            raise dg.Failure(
                "set GREENLANG_CBAM_REPORT_CONFIG (the declarants' details and registry codes) and "
                "GREENLANG_CBAM_SCHEMA_DIR (QReport_ver17.03.xsd, stypes_ver17.03.xsd): docs/cbam.md"
            )
        window = context.partition_time_window
        with warehouse.get_warehouse().session() as session:
            lines = quarter_import_lines(session, window.start.date(), window.end.date())
        export_dir = Path(config.export_dir).resolve()
        submitted_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        written, left_out = write_quarter_reports(
            lines, CbamReportConfig.from_file(report_config), schema_dir, export_dir, submitted_at
        )
        if left_out:
            context.log.warning(f"{left_out} import lines without emissions are not in the reports")
        return dg.MaterializeResult(
            metadata={
                "export_dir": dg.MetadataValue.path(str(export_dir)),
                "reports": len(written),
                "lines_without_emissions": left_out,
                "files_sha256": dg.MetadataValue.json(written),
            }
        )

    return cbam_quarterly_report


# At the start of each quarter, the report of the quarter just ended (due within one month of its end,
# Article 35(1) of Regulation (EU) 2023/956). Stopped by default: it needs the configuration above.
cbam_quarterly_report_job = dg.define_asset_job(
    "cbam_quarterly_report",
    selection=dg.AssetSelection.assets(REPORT_KEY),
    description="Write the CBAM quarterly report XML of every declarant for a quarter",
)
cbam_quarterly_report_schedule = dg.build_schedule_from_partitioned_job(
    cbam_quarterly_report_job,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Writes the CBAM quarterly reports of the quarter just ended, at the start of the next",
)
