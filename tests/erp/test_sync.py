"""The ERP sync: the window helper, and loads of pages on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from checks.row_conservation import row_conservation_violations
from ingestion.erp_sync import DEFAULT_OVERLAP, Window, max_change, sync_entity, window
from ingestion.sources import ORACLE_INVOICES, SAP_MATERIAL_STOCK
from resources.warehouse import Warehouse

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
    assert window(None, HOUR, NOW).describe() == "(-∞, 2026-03-01T12:00:00]"


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
    assert (again.pages_loaded, again.pages_skipped, again.rows_loaded) == (0, 3, 0)
    assert again.batch_ids == result.batch_ids and again.watermark == result.watermark


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

    retry = sync_entity(warehouse, ORACLE_INVOICES, pages_of(INVOICES), "acme", window=Window(None, NOW))
    assert (retry.pages_skipped, retry.pages_loaded, retry.rows_loaded) == (2, 1, 1)
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
    stock = [
        {"Material": "TG11", "Plant": "1010", "StorageLocation": "101A", "InventoryStockType": "01",
         "MaterialBaseUnit": "KG", "MatlWrhsStkQtyInMatlBaseUnit": "12.500"},
    ]  # fmt: skip
    result = sync_entity(warehouse, SAP_MATERIAL_STOCK, pages_of(stock), "acme")
    assert result.complete and result.watermark is None and result.rows_loaded == 1


def test_tenants_are_kept_apart(warehouse: Warehouse) -> None:
    first = sync_entity(warehouse, ORACLE_INVOICES, pages_of(INVOICES), "acme", window=Window(None, NOW))
    other = sync_entity(
        warehouse, ORACLE_INVOICES, pages_of(INVOICES[:1]), "globex", window=Window(None, NOW)
    )
    assert other.pages_loaded == 1 and other.watermark == dt.datetime(2026, 2, 1, 10)
    assert first.watermark == dt.datetime(2026, 2, 5, 10)
