"""Row conservation, the asset check every raw table carries: every record read is loaded or dead-lettered."""

from collections.abc import Iterable

import dagster as dg

from greenlang.core.loader import SourceSpec, prepare_raw_tables
from greenlang.core.row_conservation import row_conservation_violations
from greenlang.core.warehouse import RAW_SCHEMA, WAREHOUSE_POOL, WarehouseResource
from greenlang.ingest.assets import raw_asset_key


def build_row_conservation_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(spec),
        name="row_conservation",
        blocking=True,
        pool=WAREHOUSE_POOL,
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


def build_row_conservation_checks(specs: Iterable[SourceSpec]) -> list[dg.AssetChecksDefinition]:
    return [build_row_conservation_check(spec) for spec in specs]
