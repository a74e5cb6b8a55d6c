"""ERP test helpers: a small simulated dataset, clients tuned to fail fast, and the records a correct
load holds.

Small datasets, small pages (several pages per window), a 0.5 s read timeout and 10–50 ms backoffs keep
the fault tests quick; the client-side rate limit is off unless a test sets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from greenlang.core.personal_data import KeyStore, personal_fields, reveal
from greenlang.core.readers import open_records
from greenlang.core.validation import field_rules, map_columns
from greenlang.core.warehouse import Warehouse
from greenlang.erp.clients import OracleFusionResource, SapS4HanaResource, WorkdayResource
from greenlang.erp.sync import ErpSourceSpec
from simulators.erp import ErpSimulator

UTC = dt.UTC
# A window of most of the simulated year: several pages of every entity, and records outside it too.
SINCE = dt.datetime(2026, 2, 1, tzinfo=UTC)
UNTIL = dt.datetime(2026, 10, 1, 12, 30, tzinfo=UTC)

SMALL_DATASET: dict[str, Any] = {
    "purchase_orders": 120,
    "suppliers": 40,
    "oracle_purchase_orders": 80,
    "oracle_invoices": 90,
    "expense_items": 150,
    "workers": 40,
}
FAST: dict[str, Any] = {
    "timeout_seconds": 0.5,
    "max_retries": 4,
    "backoff_initial_seconds": 0.01,
    "backoff_max_seconds": 0.05,
    "rate_limit_per_minute": None,
}


def sap_for(simulator: ErpSimulator, **overrides: Any) -> SapS4HanaResource:
    return SapS4HanaResource(**sap_settings(simulator, **overrides))


def sap_settings(simulator: ErpSimulator, **overrides: Any) -> dict[str, Any]:
    """What ``sap_for`` builds a client from: plain values another process can receive."""
    credentials = simulator.credentials
    return {
        "base_url": simulator.base_url,
        "client_id": credentials.sap_client_id,
        "client_secret": credentials.sap_client_secret,
        "page_size": 15,
        **FAST,
        **overrides,
    }


def walk_sap_purchase_orders(settings: dict[str, Any], start: Any) -> None:
    """In a process of its own: wait for ``start`` (a multiprocessing event), then read every purchase
    order item of the window, as one Dagster step syncing SAP would."""
    start.wait()
    client = SapS4HanaResource(**settings)
    try:
        for _ in client.purchase_order_items(SINCE, UNTIL):
            pass
    finally:
        client.close()


def oracle_for(simulator: ErpSimulator, **overrides: Any) -> OracleFusionResource:
    credentials = simulator.credentials
    settings = {
        "base_url": simulator.base_url,
        "username": credentials.oracle_username,
        "password": credentials.oracle_password,
        "page_size": 12,
        **FAST,
        **overrides,
    }
    return OracleFusionResource(**settings)


def workday_for(simulator: ErpSimulator, **overrides: Any) -> WorkdayResource:
    credentials = simulator.credentials
    settings = {
        "base_url": simulator.base_url,
        "tenant": credentials.workday_tenant,
        "report_owner": credentials.workday_owner,
        "username": credentials.workday_username,
        "password": credentials.workday_password,
        "expense_chunk_days": 45,
        **FAST,
        **overrides,
    }
    return WorkdayResource(**settings)


def typed(spec: ErpSourceSpec, records: Iterable[dict[str, Any]]) -> dict[tuple, dict[str, Any]]:
    """Records as the contract types them, by business key (what a correct load holds)."""
    rules = field_rules(spec.contract)
    result = {}
    for record in records:
        row = next(open_records([record], "truth").iter_batches()).to_pylist()[0]
        mapping, _ = map_columns(rules, [name for name in row if not name.startswith("_")])
        values = {name: row[column] for name, column in mapping.items() if row[column] is not None}
        model = spec.contract.model_validate(values).model_dump()
        result[tuple(model[key] for key in spec.keys)] = model
    return result


def latest_raw_per_key(warehouse: Warehouse, spec: ErpSourceSpec, tenant: str) -> dict[tuple, dict[str, Any]]:
    """What raw holds, reduced to one row per business key: the latest change, then the latest
    _ingested_at, _source_row, _batch_id. A plain reduction to compare a load with the source's truth
    (no gap, no duplicate, exact values), NOT the staging rule: what staging yields is read from the dbt
    staging models. Personal fields, pseudonyms in raw, are read back through the tenant's keys."""
    keys = ", ".join(spec.keys)
    order = f"{spec.change_field} DESC, " if spec.change_field else ""
    with warehouse.session() as session:
        rows = session.fetch_dicts(
            f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY tenant_id, {keys} ORDER BY {order}"
            f"_ingested_at DESC, _source_row DESC, _batch_id DESC) AS recency FROM {spec.raw_table} "
            "WHERE tenant_id = %(tenant)s) AS v WHERE recency = 1",
            {"tenant": tenant},
        )
        store = KeyStore(warehouse.settings.key_store)
        for row in rows:
            for name in personal_fields(spec.contract):
                row[name] = reveal(session, store, tenant, row[name])
    fields = list(spec.contract.model_fields)
    return {tuple(row[key] for key in spec.keys): {name: row[name] for name in fields} for row in rows}
