"""Asset checks on the raw layer: row conservation for every source, the GX suite for shipments."""

import dagster as dg

from assets.ingestion import raw_asset_key
from checks.gx_cbam_shipments import validate_cbam_shipment_batch
from checks.row_conservation import row_conservation_violations
from ingestion.loader import SourceSpec, prepare_raw_tables
from ingestion.sources import CBAM_SHIPMENTS, ERP_SOURCES, RAW_SOURCES
from resources.warehouse import RAW_SCHEMA, WarehouseResource


def build_row_conservation_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(spec),
        name="row_conservation",
        blocking=True,
        description="rows_read = rows_loaded + rows_rejected for every batch, and the tables hold those counts",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        prepare_raw_tables(warehouse.get_warehouse(), [spec])
        with warehouse.get_warehouse().session() as session:
            violations = row_conservation_violations(session, spec.name)
            batches = session.scalar(
                f"SELECT count(*) FROM {RAW_SCHEMA}.load_batch WHERE source = %(source)s",
                {"source": spec.name},
            )
        return dg.AssetCheckResult(
            passed=not violations,
            metadata={"batches_checked": batches, "violations": dg.MetadataValue.json(violations)},
        )

    return _check


@dg.asset_check(
    asset=raw_asset_key(CBAM_SHIPMENTS),
    name="great_expectations_suite",
    description="The Great Expectations suite for CBAM shipment batches, on each batch the last load added",
)
def cbam_shipments_expectations(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    event = context.instance.get_latest_materialization_event(raw_asset_key(CBAM_SHIPMENTS))
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    batch_ids = list(metadata["batch_ids"].value) if "batch_ids" in metadata else []
    outcomes = {}
    with warehouse.get_warehouse().session() as session:
        for batch_id in batch_ids:
            frame = session.fetch_df(
                f"SELECT * FROM {RAW_SCHEMA}.{CBAM_SHIPMENTS.name} WHERE _batch_id = %(batch)s",
                {"batch": batch_id},
            )
            outcomes[batch_id] = validate_cbam_shipment_batch(frame)
    failed = {batch_id: outcome.failed for batch_id, outcome in outcomes.items() if not outcome.success}
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "batches_validated": len(outcomes),
            "expectations_per_batch": max((outcome.evaluated for outcome in outcomes.values()), default=0),
            "failed_expectations": dg.MetadataValue.json(failed),
        },
    )


def build_asset_checks() -> list[dg.AssetChecksDefinition]:
    """Row conservation for the raw tables of files and publications (the ERP entities' come with their
    reconciliation, ``checks.erp_checks``), the GX suite for customs shipments."""
    specs = [spec for spec in RAW_SOURCES if spec not in ERP_SOURCES]
    return [*(build_row_conservation_check(spec) for spec in specs), cbam_shipments_expectations]
