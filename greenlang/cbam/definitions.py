"""CBAM: what the domain adds to its landing sources (``greenlang.cbam.sources``): the GX suite, the
quarterly report XML out (``greenlang.cbam.report_out``) and filed reports in (``greenlang.cbam.filed_reports``)."""

import dagster as dg

from greenlang.cbam.checks import cbam_shipments_expectations
from greenlang.cbam.filed_reports import build_filed_reports
from greenlang.cbam.report_out import (
    build_cbam_quarterly_report,
    cbam_quarterly_report_job,
    cbam_quarterly_report_schedule,
)
from greenlang.settings import Settings


def cbam_definitions(settings: Settings) -> dg.Definitions:
    filed_reports, filed_report_arithmetic = build_filed_reports(
        settings.landing_dir, settings.tenants, settings.cbam_schema_dir
    )
    return dg.Definitions(
        assets=[
            build_cbam_quarterly_report(settings.cbam_report_config, settings.cbam_schema_dir),
            filed_reports,
        ],
        asset_checks=[cbam_shipments_expectations, filed_report_arithmetic],
        jobs=[cbam_quarterly_report_job],
        schedules=[cbam_quarterly_report_schedule],
    )
