"""The Great Expectations suite (``greenlang.cbam.expectations``) on each customs batch the last load added."""

import dagster as dg

from greenlang.cbam.expectations import validate_cbam_shipment_batch
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.warehouse import RAW_SCHEMA, WAREHOUSE_POOL, WarehouseResource
from greenlang.ingest.assets import raw_asset_key


@dg.asset_check(
    asset=raw_asset_key(CBAM_SHIPMENTS),
    name="great_expectations_suite",
    pool=WAREHOUSE_POOL,
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
