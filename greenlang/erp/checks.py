"""Asset checks of the ERP raw tables: row conservation (as for every raw table), and reconciliation with
the server's count.

Reconciliation: the distinct business keys loaded by the latest sync (the raw rows of the batches in its
materialization metadata, ``batch_ids``) must equal the count the server reported for the sync's window
(OData ``__count``, Oracle ``totalResults``). Fewer means records were lost or rejected (the dead letter
says which), more means the server's count is off or the window moved while paging; either way the
message names both numbers. Workday RaaS reports no count: the check then passes and says so.
"""

import datetime as dt
from typing import Any

import dagster as dg

from greenlang.core.warehouse import WAREHOUSE_POOL, WarehouseResource
from greenlang.erp.sources import ERP_SOURCES
from greenlang.erp.sync import ErpSourceSpec, Window, distinct_keys_loaded
from greenlang.ingest.assets import raw_asset_key
from greenlang.ingest.checks import build_row_conservation_check


def reconciliation(
    loaded: int, total: int | None, rejected: int, window: str, what: str = "keys"
) -> tuple[bool, str]:
    """The verdict and its message (pure: unit-tested); ``what`` names what is counted."""
    if total is None:
        return True, f"the server reports no count for window {window}: {loaded} distinct {what} loaded"
    if loaded == total:
        return True, f"{loaded} distinct {what} loaded = {total} reported by the server for window {window}"
    why = f"; {rejected} rejected record(s) are in raw.dead_letter" if rejected else ""
    return (
        False,
        f"{loaded} distinct {what} loaded ≠ {total} reported by the server for window {window} "
        f"({'missing' if loaded < total else 'extra'}: {abs(total - loaded)}){why}",
    )


def build_erp_reconciliation_check(spec: ErpSourceSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(spec),
        name="reconciles_with_server_count",
        pool=WAREHOUSE_POOL,
        description="Distinct business keys loaded by the latest sync = the count the server reported for "
        "its window (__count / totalResults)",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        metadata = _latest_metadata(context, spec)
        if not metadata:
            return dg.AssetCheckResult(passed=True, metadata={"note": "not synced yet"})
        # the last pass is the one that agreed with the server (``sync_window``); earlier passes may hold
        # versions of records that have left the window since
        batch_ids = list(metadata.get("last_pass_batch_ids") or metadata.get("batch_ids") or [])
        total = metadata.get("server_total")
        loaded = distinct_keys_loaded(
            warehouse.get_warehouse(),
            spec,
            _tenant(metadata),
            batch_ids,
            spec.counted_keys,
            _window(metadata),
        )
        rejected = int(metadata.get("rows_rejected") or 0)
        window = (
            f"[{metadata.get('window_since') or '-∞'}, {metadata['window_until']}]"
            if metadata.get("window_until")
            else "(snapshot)"
        )
        what = f"keys ({', '.join(spec.counted_keys)})"
        passed, message = reconciliation(
            loaded, None if total is None else int(total), rejected, window, what
        )
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=message,
            metadata={
                "distinct_keys_loaded": loaded,
                "server_total": total,
                "rows_rejected": rejected,
                "batches": len(batch_ids),
                "window": window,
            },
        )

    return _check


def _latest_metadata(context: dg.AssetCheckExecutionContext, spec: ErpSourceSpec) -> dict[str, Any]:
    event = context.instance.get_latest_materialization_event(raw_asset_key(spec))
    if event is None or event.asset_materialization is None:
        return {}
    return {name: value.value for name, value in event.asset_materialization.metadata.items()}


def _window(metadata: dict[str, Any]) -> Window | None:
    until = metadata.get("window_until")
    if not until:
        return None
    since = metadata.get("window_since")
    return Window(
        since=dt.datetime.fromisoformat(since) if since else None, until=dt.datetime.fromisoformat(until)
    )


def _tenant(metadata: dict[str, Any]) -> str:
    return str(metadata.get("tenant_id") or "")


def build_erp_checks(specs: tuple[ErpSourceSpec, ...] = ERP_SOURCES) -> list[dg.AssetChecksDefinition]:
    return [
        check
        for spec in specs
        for check in (build_row_conservation_check(spec), build_erp_reconciliation_check(spec))
    ]
