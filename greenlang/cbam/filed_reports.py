"""The filed quarterly reports' asset (``greenlang.cbam.report_in``) and the check of their arithmetic
(``greenlang.cbam.report_arithmetic``)."""

from collections.abc import Collection
from pathlib import Path

import dagster as dg

from greenlang.cbam.report_arithmetic import arithmetic_issues
from greenlang.cbam.report_in import (
    EMISSIONS_TABLE,
    GOODS_TABLE,
    RAW_TABLES,
    REPORT_TABLE,
    SOURCE,
    filed_report_files,
    load_filed_report,
)
from greenlang.core.domains import layer_tags
from greenlang.core.freshness import FRESHNESS
from greenlang.core.warehouse import RAW_SCHEMA, WAREHOUSE_POOL, Session, WarehouseResource

FILED_REPORTS_KEY = dg.AssetKey([RAW_SCHEMA, SOURCE])


def report_arithmetic(session: Session) -> dict[str, list[dict]]:
    """Every loaded report's arithmetic issues, by batch id (batches whose figures add up are left out)."""
    found = {}
    if (RAW_SCHEMA, REPORT_TABLE) not in {
        (schema, name) for schema, name, _kind in session.relations((RAW_SCHEMA,))
    }:
        return found
    for report in session.fetch_dicts(f"SELECT * FROM {RAW_SCHEMA}.{REPORT_TABLE} ORDER BY _batch_id"):
        batch = {"batch": report["_batch_id"]}
        where = "WHERE _batch_id = %(batch)s ORDER BY _source_row"
        goods = session.fetch_dicts(f"SELECT * FROM {RAW_SCHEMA}.{GOODS_TABLE} {where}", batch)
        emissions = session.fetch_dicts(f"SELECT * FROM {RAW_SCHEMA}.{EMISSIONS_TABLE} {where}", batch)
        issues = arithmetic_issues(report, goods, emissions)
        if issues:
            found[report["_batch_id"]] = [issue.__dict__ for issue in issues]
    return found


def build_filed_reports(
    landing_dir: Path, tenants: Collection[str], schema_dir: Path | None
) -> tuple[dg.AssetsDefinition, dg.AssetChecksDefinition]:
    @dg.asset(
        key=FILED_REPORTS_KEY,
        group_name="cbam",
        tags=layer_tags(RAW_SCHEMA),
        freshness_policy=FRESHNESS["quarterly"],
        pool=WAREHOUSE_POOL,
        description="Filed CBAM quarterly reports (QReport XML) from <landing>/<tenant>/cbam_reports, "
        "schema errors recorded per element",
    )
    def cbam_filed_reports(warehouse: WarehouseResource) -> dg.MaterializeResult:
        files = filed_report_files(landing_dir, tenants)
        if files and schema_dir is None:
            raise dg.Failure(
                "set GREENLANG_CBAM_SCHEMA_DIR (QReport_ver17.03.xsd, stypes_ver17.03.xsd): docs/cbam.md"
            )
        # the tables exist once the asset ran, files or none, so that the check and dbt can read them
        with warehouse.get_warehouse().session() as session:
            session.migrate_raw_layer(RAW_TABLES)
        loads = [
            load_filed_report(warehouse.get_warehouse(), tenant, path, schema_dir) for tenant, path in files
        ]
        loaded = [load for load in loads if load.status == "succeeded"]
        return dg.MaterializeResult(
            metadata={
                "batch_ids": dg.MetadataValue.json([load.batch_id for load in loaded]),
                "rows_loaded": sum(load.rows_loaded for load in loaded),
                "schema_errors": sum(load.schema_errors for load in loaded),
                "files_skipped": len(loads) - len(loaded),
            }
        )

    @dg.asset_check(
        asset=FILED_REPORTS_KEY,
        name="report_arithmetic",
        pool=WAREHOUSE_POOL,
        description="The totals and per-tonne figures inside each filed report, recomputed",
    )
    def filed_report_arithmetic(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.get_warehouse().session() as session:
            found = report_arithmetic(session)
        return dg.AssetCheckResult(
            passed=not found,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "reports_not_adding_up": len(found),
                "issues": dg.MetadataValue.json(found),
            },
        )

    return cbam_filed_reports, filed_report_arithmetic
