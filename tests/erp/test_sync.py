"""The ERP sync: the window helper, and loads of pages on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from greenlang.core.row_conservation import row_conservation_violations
from greenlang.core.warehouse import Warehouse
from greenlang.erp.clients import ErpHttpError
from greenlang.erp.sources import (
    ORACLE_INVOICES,
    ORACLE_PURCHASE_ORDER_LINES,
    SAP_MATERIAL_STOCK,
    SAP_PURCHASE_ORDER_ITEMS,
    WORKDAY_EXPENSE_ITEMS,
    WORKDAY_WORKER_HEADCOUNT,
)
from greenlang.erp.sync import (
    DEFAULT_OVERLAP,
    ErpSourceSpec,
    Window,
    last_watermark,
    latest_syncs,
    max_change,
    row_hashes,
    sync_entity,
    sync_window,
    window,
)
from simulators.erp import ErpSimulator
from simulators.erp.dataset import to_ms
from tests.helpers.dbt import stage
from tests.helpers.erp import latest_raw_per_key, oracle_for, sap_for, typed, workday_for

NOW = dt.datetime(2026, 3, 1, 12, 0)
HOUR = dt.timedelta(hours=1)

# --- window (pure) ----------------------------------------------------------------------------------------


def test_first_sync_reads_everything_up_to_now() -> None:
    assert window(None, HOUR, NOW) == Window(since=None, until=NOW)
    assert window(None, HOUR, NOW).full


def test_next_sync_reads_from_the_watermark_minus_the_overlap() -> None:
    assert window(dt.datetime(2026, 3, 1, 9, 30), HOUR, NOW) == Window(dt.datetime(2026, 3, 1, 8, 30), NOW)
    assert window(dt.datetime(2026, 3, 1, 9, 30), dt.timedelta(0), NOW).since == dt.datetime(
        2026, 3, 1, 9, 30
    )


def test_full_resync_ignores_the_watermark() -> None:
    assert window(dt.datetime(2026, 3, 1, 9, 30), HOUR, NOW, full_resync=True) == Window(None, NOW)


def test_aware_values_are_converted_to_naive_utc() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    result = window(
        dt.datetime(2026, 3, 1, 10, 30, tzinfo=cet), HOUR, dt.datetime(2026, 3, 1, 13, tzinfo=cet)
    )
    assert result == Window(dt.datetime(2026, 3, 1, 8, 30), NOW)


def test_a_watermark_ahead_of_now_counts_as_now() -> None:
    result = window(NOW + dt.timedelta(days=1), HOUR, NOW)
    assert result == Window(NOW - HOUR, NOW)
    assert result.since < result.until


def test_default_overlap_and_negative_overlap() -> None:
    assert window(NOW, now=NOW).since == NOW - DEFAULT_OVERLAP
    with pytest.raises(ValueError, match="overlap"):
        window(NOW, -HOUR, NOW)


def test_window_describes_itself() -> None:
    assert window(None, HOUR, NOW).describe() == "[-∞, 2026-03-01T12:00:00]"


# --- sync of pages (no server) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FakePage:
    records: list[dict[str, Any]]
    url: str
    total: int | None


def invoice(number: int, updated: str, amount: str = "100.00") -> dict[str, Any]:
    return {
        "InvoiceId": 300100045281200 + number,
        "InvoiceNumber": f"INV-{number:04d}",
        "Supplier": "Lee Supplies",
        "SupplierNumber": "1252",
        "InvoiceAmount": amount,
        "InvoiceCurrency": "EUR",
        "InvoiceDate": "2026-01-06",
        "BusinessUnit": "EU1 Business Unit",
        "CanceledFlag": "false",
        "LastUpdateDate": updated,
    }


def pages_of(records: list[dict[str, Any]], size: int = 2) -> list[FakePage]:
    return [
        FakePage(records[start : start + size], f"http://erp.test/invoices?offset={start}", len(records))
        for start in range(0, len(records), size)
    ] or [FakePage([], "http://erp.test/invoices?offset=0", 0)]


INVOICES = [invoice(n, f"2026-02-0{n}T10:00:00Z") for n in range(1, 6)]


def test_pages_load_as_batches_and_the_watermark_is_the_max_committed(warehouse: Warehouse) -> None:
    result = sync_entity(warehouse, ORACLE_INVOICES, pages_of(INVOICES), "acme", window=Window(None, NOW))
    assert (result.pages, result.pages_loaded, result.records, result.rows_loaded) == (3, 3, 5, 5)
    assert result.complete and result.server_total == 5 and result.distinct_keys == 5
    assert result.watermark == dt.datetime(2026, 2, 5, 10)
    assert len(result.batch_ids) == 3 == len(result.new_batch_ids)
    assert max_change(warehouse, ORACLE_INVOICES, "acme", result.batch_ids[:1]) == dt.datetime(2026, 2, 2, 10)
    with warehouse.session() as session:
        assert not row_conservation_violations(session, ORACLE_INVOICES.name)
        uris = [row[0] for row in session.fetchall("SELECT source_uri FROM raw.load_batch ORDER BY 1")]
    assert uris == [page.url for page in pages_of(INVOICES)]

    again = sync_entity(
        warehouse,
        ORACLE_INVOICES,
        pages_of(INVOICES),
        "acme",
        window=Window(None, NOW),
        previous_watermark=None,
    )
    assert (again.pages_loaded, again.pages_held, again.rows_loaded) == (0, 3, 0)
    assert sorted(again.batch_ids) == sorted(result.batch_ids) and again.watermark == result.watermark


def test_the_watermark_never_goes_back_nor_past_the_window(warehouse: Warehouse) -> None:
    later = dt.datetime(2026, 2, 20)
    result = sync_entity(
        warehouse,
        ORACLE_INVOICES,
        pages_of(INVOICES[:2]),
        "acme",
        window=Window(None, NOW),
        previous_watermark=later,
    )
    assert result.watermark == later
    future = [invoice(9, "2026-03-02T00:00:00Z")]
    capped = sync_entity(warehouse, ORACLE_INVOICES, pages_of(future), "acme", window=Window(None, NOW))
    assert capped.watermark == NOW


def test_an_empty_window_loads_nothing_and_keeps_the_watermark(warehouse: Warehouse) -> None:
    previous = dt.datetime(2026, 2, 1)
    result = sync_entity(
        warehouse,
        ORACLE_INVOICES,
        pages_of([]),
        "acme",
        window=Window(previous, NOW),
        previous_watermark=previous,
    )
    assert (result.pages, result.pages_empty, result.records, result.batch_ids) == (1, 1, 0, [])
    assert result.complete and result.watermark == previous and result.server_total == 0


def test_a_failure_part_way_keeps_the_committed_pages_and_gives_no_watermark(warehouse: Warehouse) -> None:
    def failing() -> Iterator[FakePage]:
        pages = pages_of(INVOICES)
        yield pages[0]
        yield pages[1]
        raise ConnectionError("server gone")

    with pytest.raises(ConnectionError):
        sync_entity(warehouse, ORACLE_INVOICES, failing(), "acme", window=Window(None, NOW))
    with warehouse.session() as session:
        assert session.scalar("SELECT count(*) FROM raw.oracle__invoices") == 4
        assert session.scalar("SELECT count(*) FROM raw.erp_sync") == 0  # no sync recorded
    assert last_watermark(warehouse, ORACLE_INVOICES, "acme") is None  # the next sync reads it all again

    retry = sync_entity(warehouse, ORACLE_INVOICES, pages_of(INVOICES), "acme", window=Window(None, NOW))
    assert (retry.pages_held, retry.pages_loaded, retry.rows_loaded) == (2, 1, 1)
    assert retry.watermark == dt.datetime(2026, 2, 5, 10)
    with warehouse.session() as session:
        assert session.scalar("SELECT count(DISTINCT invoice_id) FROM raw.oracle__invoices") == 5


def test_rejected_records_are_dead_lettered_and_counted(warehouse: Warehouse) -> None:
    records = [*INVOICES[:2], invoice(7, "2026-02-07T10:00:00Z", amount="12,5"), invoice(8, "not a date")]
    result = sync_entity(warehouse, ORACLE_INVOICES, pages_of(records), "acme", window=Window(None, NOW))
    assert (result.records, result.rows_loaded, result.rows_rejected, result.distinct_keys) == (4, 2, 2, 4)
    assert result.watermark == dt.datetime(2026, 2, 2, 10)  # rejected rows are not committed changes
    with warehouse.session() as session:
        assert session.scalar("SELECT count(*) FROM raw.dead_letter WHERE source = 'oracle__invoices'") == 2


def test_a_snapshot_has_no_watermark(warehouse: Warehouse) -> None:
    result = sync_entity(warehouse, SAP_MATERIAL_STOCK, pages_of([STOCK_ROW]), "acme")
    assert result.complete and result.watermark is None and result.rows_loaded == 1


def test_tenants_are_kept_apart(warehouse: Warehouse) -> None:
    first = sync_entity(warehouse, ORACLE_INVOICES, pages_of(INVOICES), "acme", window=Window(None, NOW))
    other = sync_entity(
        warehouse, ORACLE_INVOICES, pages_of(INVOICES[:1]), "globex", window=Window(None, NOW)
    )
    assert other.pages_loaded == 1 and other.watermark == dt.datetime(2026, 2, 1, 10)
    assert first.watermark == dt.datetime(2026, 2, 5, 10)


# --- the sync ledger: raw.erp_sync ---------------------------------------------------------------------------


def test_each_sync_is_recorded_and_the_next_starts_from_the_latest_of_its_tenant(
    warehouse: Warehouse,
) -> None:
    assert last_watermark(warehouse, ORACLE_INVOICES, "acme") is None  # a warehouse never synced
    first = sync_entity(
        warehouse,
        ORACLE_INVOICES,
        pages_of(INVOICES[:3]),
        "acme",
        window=Window(None, NOW),
        server_full_total=3,
    )
    later = Window(first.watermark - HOUR, NOW + HOUR)
    second = sync_entity(
        warehouse, ORACLE_INVOICES, pages_of(INVOICES[2:]), "acme",
        window=later, previous_watermark=first.watermark, server_full_total=5,
    )  # fmt: skip
    sync_entity(warehouse, ORACLE_INVOICES, pages_of(INVOICES[:1]), "globex", window=Window(None, NOW))
    stock = sync_entity(warehouse, SAP_MATERIAL_STOCK, pages_of([STOCK_ROW]), "acme")

    assert (
        last_watermark(warehouse, ORACLE_INVOICES, "acme") == second.watermark == dt.datetime(2026, 2, 5, 10)
    )
    assert last_watermark(warehouse, ORACLE_INVOICES, "globex") == dt.datetime(2026, 2, 1, 10)
    assert last_watermark(warehouse, ORACLE_INVOICES, "initech") is None
    with warehouse.session() as session:
        assert session.scalar("SELECT count(*) FROM raw.erp_sync") == 4
        latest = latest_syncs(session, source=ORACLE_INVOICES.name)
        assert sorted(latest) == [("acme", ORACLE_INVOICES.name), ("globex", ORACLE_INVOICES.name)]
        row = latest[("acme", ORACLE_INVOICES.name)]
        snapshot = latest_syncs(session, tenant_ids=["acme"])[("acme", SAP_MATERIAL_STOCK.name)]
    assert (row.sync_id, row.previous_watermark, row.window_since, row.window_until) == (
        second.sync_id, first.watermark, later.since, later.until,
    )  # fmt: skip
    assert (row.consistent, row.server_total, row.server_full_total, row.passes, row.pages) == (
        True,
        3,
        5,
        1,
        2,
    )
    assert (row.records, row.rows_loaded, row.rows_rejected) == (3, 3, 0)
    assert list(row.batch_ids) == second.batch_ids and row.started_at <= row.finished_at
    # a snapshot's window is the whole entity: its count is the full count
    assert (snapshot.watermark, snapshot.window_until, snapshot.server_full_total) == (None, None, 1)
    assert stock.server_full_total == 1


STOCK_ROW = {
    "Material": "TG11", "Plant": "1010", "StorageLocation": "101A", "InventoryStockType": "01",
    "MaterialBaseUnit": "KG", "MatlWrhsStkQtyInMatlBaseUnit": "12.500",
}  # fmt: skip


# --- passes until the reading agrees with the server's count ----------------------------------------------


def reader(*passes: list[FakePage]) -> tuple[Any, list[int]]:
    calls: list[int] = []

    def read() -> list[FakePage]:
        calls.append(1)
        return passes[min(len(calls), len(passes)) - 1]

    return read, calls


def test_a_pass_that_skipped_a_record_is_read_again(warehouse: Warehouse) -> None:
    # pass 1: the server's count fell from 5 to 4 while paging, and INV-0003 was skipped
    skipped = [
        FakePage(INVOICES[:2], "http://erp.test/invoices?offset=0", 5),
        FakePage(INVOICES[3:5], "http://erp.test/invoices?offset=2", 4),
    ]
    read, calls = reader(skipped, pages_of(INVOICES))
    result = sync_window(warehouse, ORACLE_INVOICES, read, "acme", window=Window(None, NOW))
    assert len(calls) == 2 and result.passes == 2 and result.consistent
    assert result.watermark == dt.datetime(2026, 2, 5, 10)
    assert result.distinct_keys == 5 and result.server_total == 5
    assert set(result.last_pass_batch_ids) <= set(result.batch_ids)
    assert "last_pass_batch_ids" in result.metadata()


def test_a_single_inconsistent_pass_does_not_advance_the_watermark(warehouse: Warehouse) -> None:
    previous = dt.datetime(2026, 1, 1)
    short = [FakePage(INVOICES[:2], "http://erp.test/invoices?offset=0", 5)]
    result = sync_entity(
        warehouse, ORACLE_INVOICES, short, "acme", window=Window(previous, NOW), previous_watermark=previous
    )
    assert result.complete and not result.consistent and result.watermark == previous


def test_a_stable_difference_is_accepted_after_two_identical_passes(warehouse: Warehouse) -> None:
    # e.g. an order without items: counted by the server, never a record
    short = [FakePage(INVOICES[:4], "http://erp.test/invoices?offset=0", 5)]
    read, calls = reader(short)
    result = sync_window(warehouse, ORACLE_INVOICES, read, "acme", window=Window(None, NOW))
    assert len(calls) == 2 and not result.consistent
    assert result.watermark == dt.datetime(2026, 2, 4, 10)


def test_an_unstable_server_keeps_the_watermark_after_max_passes(warehouse: Warehouse) -> None:
    previous = dt.datetime(2026, 1, 1)
    unstable = [
        FakePage(INVOICES[:2], "http://erp.test/invoices?offset=0", 5),
        FakePage(INVOICES[3:5], "http://erp.test/invoices?offset=2", 4),
    ]
    read, calls = reader(unstable)
    result = sync_window(
        warehouse, ORACLE_INVOICES, read, "acme", window=Window(previous, NOW), previous_watermark=previous,
        max_passes=3,
    )  # fmt: skip
    assert len(calls) == 3 and not result.consistent and result.watermark == previous
    assert result.complete  # every page committed: nothing to lose, the next sync reads the window again


def test_the_python_row_hash_is_the_loaders(warehouse: Warehouse) -> None:
    result = sync_entity(warehouse, ORACLE_INVOICES, pages_of(INVOICES, size=5), "acme")
    with warehouse.session() as session:
        stored = [
            row[0]
            for row in session.fetchall(
                "SELECT _row_sha256 FROM raw.oracle__invoices WHERE _batch_id = %(b)s ORDER BY _source_row",
                {"b": result.batch_ids[0]},
            )
        ]
    assert row_hashes(ORACLE_INVOICES, INVOICES, "test") == stored


# --- against the simulator: faults, interruption, resync ---------------------------------------------------

ALL = Window(None, dt.datetime(2027, 1, 1))  # the whole simulated year 2026


@dataclass(frozen=True)
class Entity:
    spec: ErpSourceSpec
    client: Callable[[ErpSimulator], Any]
    read: Callable[[Any, Window], Iterable[Any]]
    truth: Callable[[ErpSimulator, Window], dict[Any, dict[str, Any]]]
    faults: tuple[tuple[str, dict[str, Any]], ...]
    path: str
    spacing: int = 2  # requests between two faults (0: all on the same request and its retries)


COMMON = (
    ("rate_limit", {"retry_after": 0.05}),
    ("server_error", {"status": 503}),
    ("reset", {}),
    ("truncated", {}),
    ("html", {}),
    ("server_error", {"status": 502}),
)
PAGED = (("repeat_page", {}), ("shift", {}))
ENTITIES_UNDER_TEST = {
    "sap_items": Entity(
        SAP_PURCHASE_ORDER_ITEMS,
        lambda sim: sap_for(sim, page_size=6),
        lambda client, w: client.purchase_order_items(w.since, w.until),
        lambda sim, w: sim.dataset.sap_purchase_order_items(w.since, w.until),
        (*COMMON, *PAGED, ("token_expired", {}), ("slow", {"delay": 0.6})),
        "A_PurchaseOrder",
    ),
    "sap_stock": Entity(
        SAP_MATERIAL_STOCK,
        lambda sim: sap_for(sim, page_size=5),
        lambda client, w: client.material_stock(),
        lambda sim, w: sim.dataset.sap_material_stock(),
        (*COMMON, ("repeat_page", {})),
        "A_MatlStkInAcctMod",
    ),
    "oracle_lines": Entity(
        ORACLE_PURCHASE_ORDER_LINES,
        lambda sim: oracle_for(sim, page_size=5),
        lambda client, w: client.purchase_order_lines(w.since, w.until),
        lambda sim, w: sim.dataset.oracle_purchase_order_lines(w.since, w.until),
        (*COMMON, *PAGED),
        "purchaseOrders",
    ),
    "oracle_invoices": Entity(
        ORACLE_INVOICES,
        lambda sim: oracle_for(sim, page_size=6),
        lambda client, w: client.invoices(w.since, w.until),
        lambda sim, w: sim.dataset.oracle_invoices(w.since, w.until),
        (*COMMON, *PAGED),
        "invoices",
    ),
    "workday_expenses": Entity(
        WORKDAY_EXPENSE_ITEMS,
        lambda sim: workday_for(sim, expense_history_start="2025-12-01", expense_chunk_days=20),
        lambda client, w: client.expense_items(w.since, w.until),
        lambda sim, w: sim.dataset.workday_expense_items(w.since, w.until),
        COMMON,
        "Expense_Items",
    ),
    "workday_headcount": Entity(
        WORKDAY_WORKER_HEADCOUNT,
        workday_for,
        lambda client, w: client.worker_headcount(),
        lambda sim, w: sim.dataset.workday_headcount(),
        (("rate_limit", {"retry_after": 0.05}), ("server_error", {"status": 503}), ("truncated", {})),
        "Headcount_by_Location",
        spacing=0,  # one request: its first three attempts fail
    ),
}


def raw_count(warehouse: Warehouse, table: str, tenant: str = "acme") -> int:
    with warehouse.session() as session:
        return int(session.scalar(f"SELECT count(*) FROM {table} WHERE tenant_id = %(t)s", {"t": tenant}))


def inject_spread(sim: ErpSimulator, entity: Entity) -> list[Any]:
    """Queue the entity's faults one request apart, so that no request meets more than the client's
    retries allow."""
    return [
        sim.inject(kind, path_contains=entity.path, after=entity.spacing * index, **params)
        for index, (kind, params) in enumerate(entity.faults)
    ]


@pytest.mark.slow  # whole syncs against the simulator
@pytest.mark.parametrize("name", list(ENTITIES_UNDER_TEST))
def test_a_faulty_sync_equals_the_ground_truth(
    warehouse: Warehouse, erp_sim: ErpSimulator, name: str
) -> None:
    entity = ENTITIES_UNDER_TEST[name]
    spec = entity.spec
    client = entity.client(erp_sim)
    window = ALL if spec.incremental else None
    truth = typed(spec, entity.truth(erp_sim, ALL).values())  # before the walk that `shift` changes
    faults = inject_spread(erp_sim, entity)

    result = sync_window(
        warehouse, spec, lambda: entity.read(client, ALL), "acme", window=window, max_passes=3
    )

    assert [(fault.kind, fault.applied) for fault in faults] == [(fault.kind, 1) for fault in faults]
    assert latest_raw_per_key(warehouse, spec, "acme") == truth  # no gap, no duplicate, exact values
    assert result.complete and result.consistent and result.rows_rejected == 0
    if spec.incremental:
        changes = [row[spec.change_field] for row in truth.values()]
        assert result.watermark == max(changes)
    if result.server_total is not None:
        assert result.server_total == len({key[: len(spec.counted_keys)] for key in truth})
    with warehouse.session() as session:
        assert not row_conservation_violations(session, spec.name)


@pytest.mark.slow  # whole syncs against the simulator
@pytest.mark.parametrize("name", ["sap_items", "oracle_lines"])
def test_an_interrupted_sync_resumes_and_loses_nothing(
    warehouse: Warehouse, erp_sim: ErpSimulator, name: str
) -> None:
    entity = ENTITIES_UNDER_TEST[name]
    spec = entity.spec
    client = entity.client(erp_sim)
    previous = dt.datetime(2026, 1, 15)
    window = Window(previous - HOUR, ALL.until)
    truth = typed(spec, entity.truth(erp_sim, window).values())
    # the 4th request and its 4 retries fail: the client gives up after 3 pages
    exhausting = erp_sim.inject("server_error", count=5, path_contains=entity.path, after=3)

    with pytest.raises(ErpHttpError):
        sync_window(
            warehouse, spec, lambda: entity.read(client, window), "acme",
            window=window, previous_watermark=previous,
        )  # fmt: skip
    assert exhausting.applied == 5
    committed = latest_raw_per_key(warehouse, spec, "acme")
    assert 0 < len(committed) < len(truth)  # three pages are in raw, the rest is not
    with warehouse.session() as session:
        batches_before = session.scalar("SELECT count(*) FROM raw.load_batch WHERE status = 'succeeded'")

    # the failed run recorded no watermark: the next run reads the same window from `previous`
    resumed = sync_window(
        warehouse,
        spec,
        lambda: entity.read(client, window),
        "acme",
        window=window,
        previous_watermark=previous,
    )
    assert resumed.pages_held == 3 and resumed.pages_loaded == resumed.pages - 3
    assert latest_raw_per_key(warehouse, spec, "acme") == truth
    assert resumed.watermark == max(row[spec.change_field] for row in truth.values())
    with warehouse.session() as session:
        batches_after = session.scalar("SELECT count(*) FROM raw.load_batch WHERE status = 'succeeded'")
    assert batches_after == batches_before + resumed.pages_loaded


@pytest.mark.slow  # whole syncs against the simulator
def test_a_full_resync_reads_everything_again_without_new_batches(
    warehouse: Warehouse, erp_sim: ErpSimulator
) -> None:
    entity = ENTITIES_UNDER_TEST["oracle_invoices"]
    client = entity.client(erp_sim)
    first = sync_window(warehouse, ORACLE_INVOICES, lambda: entity.read(client, ALL), "acme", window=ALL)
    rows = raw_count(warehouse, "raw.oracle__invoices")
    later = Window(None, ALL.until + dt.timedelta(days=30))
    again = sync_window(
        warehouse, ORACLE_INVOICES, lambda: entity.read(client, later), "acme",
        window=later, previous_watermark=first.watermark,
    )  # fmt: skip
    assert again.pages == first.pages and again.records == first.records
    assert again.new_batch_ids == [] and again.rows_loaded == 0
    assert raw_count(warehouse, "raw.oracle__invoices") == rows
    assert again.watermark == first.watermark


@pytest.mark.slow  # whole syncs against the simulator
def test_changes_between_syncs_are_picked_up_and_win_in_staging(
    warehouse: Warehouse, erp_sim: ErpSimulator, dbt_parse_root: Path
) -> None:
    entity = ENTITIES_UNDER_TEST["sap_items"]
    client = entity.client(erp_sim)
    t1 = dt.datetime(2026, 6, 1)
    first = sync_window(
        warehouse, SAP_PURCHASE_ORDER_ITEMS, lambda: entity.read(client, Window(None, t1)), "acme",
        window=Window(None, t1),
    )  # fmt: skip
    # an order changed before t1 is changed again (and its first item deleted) after t1
    order = next(po for po in erp_sim.dataset.sap_purchase_orders if po.change_ms < to_ms(t1))
    order.items[0]["PurchasingDocumentDeletionCode"] = "L"
    order.set_change(to_ms(dt.datetime(2026, 6, 2, 8)))
    t2 = dt.datetime(2026, 6, 3)
    second_window = window(first.watermark, HOUR, t2)
    second = sync_window(
        warehouse, SAP_PURCHASE_ORDER_ITEMS, lambda: entity.read(client, second_window), "acme",
        window=second_window, previous_watermark=first.watermark,
    )  # fmt: skip
    assert second.consistent and second.watermark == dt.datetime(2026, 6, 2, 8)
    truth = typed(SAP_PURCHASE_ORDER_ITEMS, erp_sim.dataset.sap_purchase_order_items(None, t2).values())
    assert latest_raw_per_key(warehouse, SAP_PURCHASE_ORDER_ITEMS, "acme") == truth
    changed_key = (order.key, order.items[0]["PurchaseOrderItem"])
    assert truth[changed_key]["purchasing_document_deletion_code"] == "L"
    # what the dbt staging model makes of raw: one row per item, the latest change of each, the deletion
    stage(warehouse.settings, "stg_sap__purchase_order_items")
    with warehouse.session() as session:
        staged = {
            (row["purchase_order"], row["purchase_order_item"]): row
            for row in session.fetch_dicts(
                "SELECT purchase_order, purchase_order_item, deletion_code, is_deleted, last_change_datetime "
                "FROM staging.stg_sap__purchase_order_items WHERE tenant_id = 'acme'"
            )
        }
    assert {key: row["last_change_datetime"] for key, row in staged.items()} == {
        key: row["last_change_datetime"] for key, row in truth.items()
    }
    assert (staged[changed_key]["deletion_code"], staged[changed_key]["is_deleted"]) == ("L", True)
    assert sum(row["is_deleted"] for row in staged.values()) == sum(
        row["purchasing_document_deletion_code"] == "L" for row in truth.values()
    )
