"""Asset checks of the ERP raw tables: row conservation (as for every raw table), and reconciliation with
the server's full count.

Reconciliation (``reconciles_with_server_count``): for every tenant synced into this warehouse, the
distinct counted keys (``ErpSourceSpec.counted_keys``: what the server counts, orders for SAP items and
Oracle lines) that raw holds over all its batches must be at least the entity's whole count on the server
when the tenant's latest sync started (``server_full_total`` of its ``raw.erp_sync`` row). Fewer means
records were lost: rejected (the message names the dead letter's count), or never read because the sync
started from a watermark the raw table does not back, as when a watermark kept outside the warehouse
built a warehouse with 3 of 7,179 order lines while a check of the last window alone passed. More is
fine: records created on the server since it counted. Workday RaaS reports no count: the check then
passes and says so. The latest sync's own reading of its window (``consistent``, ``server_total``, the
window) is reported as metadata.

The check is blocking: when it fails, the models downstream of the raw table in the same run do not build
on it.
"""

from typing import Any

import dagster as dg

from greenlang.core.warehouse import RAW_SCHEMA, WAREHOUSE_POOL, Session, WarehouseResource
from greenlang.erp.sources import ERP_SOURCES
from greenlang.erp.sync import ErpSourceSpec, SyncRecord, distinct_keys_held, latest_syncs
from greenlang.ingest.assets import raw_asset_key
from greenlang.ingest.checks import build_row_conservation_check


def reconciliation(held: int, full_total: int | None, rejected: int, what: str = "keys") -> tuple[bool, str]:
    """The verdict and its message (pure: unit-tested); ``what`` names what is counted."""
    if full_total is None:
        return True, f"the server reports no count: {held} distinct {what} held"
    if held >= full_total:
        created = f" (+{held - full_total}: created since)" if held > full_total else ""
        return (
            True,
            f"{held} distinct {what} held ≥ {full_total} on the server when the sync started{created}",
        )
    return (
        False,
        f"{held} distinct {what} held < {full_total} on the server when the sync started "
        f"(missing: {full_total - held}); {rejected} rejected record(s) in raw.dead_letter",
    )


def build_erp_reconciliation_check(spec: ErpSourceSpec) -> dg.AssetChecksDefinition:
    what = f"keys ({', '.join(spec.counted_keys)})"

    @dg.asset_check(
        asset=raw_asset_key(spec),
        name="reconciles_with_server_count",
        description="Distinct keys held in raw (all batches) ≥ the entity's whole count on the server when "
        "the latest sync started (__count / totalResults), per tenant; blocks the models downstream",
        blocking=True,
        pool=WAREHOUSE_POOL,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        verdicts = []
        with warehouse.get_warehouse().session() as session:
            syncs = sorted(latest_syncs(session, source=spec.name).values(), key=lambda sync: sync.tenant_id)
            if not syncs:
                return dg.AssetCheckResult(passed=True, description="not synced yet into this warehouse")
            rejected = _rejected_by_tenant(session, spec)
            for sync in syncs:
                held = distinct_keys_held(session, spec, sync.tenant_id, spec.counted_keys)
                passed, message = reconciliation(
                    held, sync.server_full_total, rejected.get(sync.tenant_id, 0), what
                )
                verdicts.append((passed, f"{sync.tenant_id}: {message}", _figures(sync, held)))
        return dg.AssetCheckResult(
            passed=all(passed for passed, _message, _figures_of in verdicts),
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(message for _passed, message, _figures_of in verdicts),
            metadata={"syncs": dg.MetadataValue.json([figures for _passed, _message, figures in verdicts])},
        )

    return _check


def _rejected_by_tenant(session: Session, spec: ErpSourceSpec) -> dict[str, int]:
    rows = session.fetchall(
        f"SELECT tenant_id, count(*) FROM {RAW_SCHEMA}.dead_letter WHERE source = %(source)s GROUP BY tenant_id",
        {"source": spec.name},
    )
    return {tenant: int(count) for tenant, count in rows}


def _figures(sync: SyncRecord, held: int) -> dict[str, Any]:
    return {
        "tenant_id": sync.tenant_id,
        "distinct_keys_held": held,
        "server_full_total": sync.server_full_total,
        "sync_id": sync.sync_id,
        "window": sync.describe_window(),
        "window_consistent": sync.consistent,
        "window_server_total": sync.server_total,
        "records": sync.records,
        "rows_rejected": sync.rows_rejected,
    }


def build_erp_checks(specs: tuple[ErpSourceSpec, ...] = ERP_SOURCES) -> list[dg.AssetChecksDefinition]:
    return [
        check
        for spec in specs
        for check in (build_row_conservation_check(spec), build_erp_reconciliation_check(spec))
    ]
