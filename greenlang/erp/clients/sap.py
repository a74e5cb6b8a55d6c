"""SAP S/4HANA Cloud, OData V2: purchase order items and material stock.

Authentication: OAuth 2.0 client credentials (``token_url``, client id and secret by basic auth); the
bearer token is renewed before it expires and after a 401.

Purchase orders (``API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder``) are read by **keyset paging**, not
by following ``__next``::

    $expand=to_PurchaseOrderItem
    &$filter=LastChangeDateTime ge datetimeoffset'2026-01-01T00:00:00Z'
        and LastChangeDateTime le datetimeoffset'2026-02-01T00:00:00Z'
        and PurchaseOrder gt '4500000123'            (from the second page on: the last order received)
    &$orderby=PurchaseOrder&$top=<page_size>&$inlinecount=allpages&$format=json

S/4HANA's ``$skiptoken`` is positional (SAP note 3072317: ``$skiptoken=1000`` starts after the first
1000 orders), so following ``__next`` while orders change loses rows: an order that leaves the window
moves every later one back by one position and the first order of the next page is never read. With the
last key in the filter a page starts where the previous one ended whatever changed before it. The walk
ends when ``__count`` (the orders still ahead, this page included) is not more than the page holds;
``__next`` only tells the server cut the page short (``$top`` above its maximum of 5000), and the walk
then simply goes on from the last key.

Window literals: ``datetimeoffset'YYYY-MM-DDTHH:MM:SS[.ffffff]Z'`` in UTC (fraction only when the bound
has one); both ends inclusive (``ge`` / ``le``), so an order changed exactly at a bound is read by both
adjacent windows (duplicates are expected in raw and removed in staging).

Records: one per item, the header's fields followed by the item's (an item field wins over a header field
of the same name: ``PurchaseOrder``, ``DocumentCurrency``, ``PurchasingDocumentDeletionCode``), without
``__metadata`` and navigation properties (``__deferred`` links, the expanded item list). Values as sent:
decimals as strings (``"25.000"``), dates ``/Date(ms)/``, ``LastChangeDateTime`` ``/Date(ms+0000)/``.
Deleted items (``PurchasingDocumentDeletionCode`` ``"L"``) are yielded like any other.

Material stock (``API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod``) is a snapshot, read whole with ``$top`` /
``$skip`` ordered by its key (Material, Plant, StorageLocation, InventoryStockType, Batch). Rows added
or removed during the read can shift it (the sync reads a snapshot again on every run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar

from pydantic import Field

from greenlang.core.api_client import ErpResource, Page, check_key_order, utc_window
from greenlang.core.http import ErpHttp, InvalidResponse, OAuthClientCredentials, build_url

PURCHASE_ORDER_PATH = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder"
MATERIAL_STOCK_PATH = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod"
ITEMS = "to_PurchaseOrderItem"
STOCK_KEY = ("Material", "Plant", "StorageLocation", "InventoryStockType", "Batch")


def odata_datetimeoffset(moment: dt.datetime) -> str:
    """An ``Edm.DateTimeOffset`` literal in UTC: ``datetimeoffset'2026-01-01T00:00:00Z'``."""
    utc = moment.astimezone(dt.UTC)
    text = f"{utc:%Y-%m-%dT%H:%M:%S}"
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return f"datetimeoffset'{text}Z'"


def odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _is_navigation(value: Any) -> bool:
    """A navigation property: a ``__deferred`` link or an expanded ``{"results": [...]}`` list."""
    return isinstance(value, dict) and ("__deferred" in value or isinstance(value.get("results"), list))


def clean_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity's own properties: without ``__metadata`` and navigation properties."""
    return {key: value for key, value in entity.items() if key != "__metadata" and not _is_navigation(value)}


def flatten_purchase_order(order: dict[str, Any]) -> list[dict[str, Any]]:
    header = clean_entity(order)
    return [{**header, **clean_entity(item)} for item in order[ITEMS]["results"]]


def _odata_envelope(body: Any) -> tuple[list[Any], int | None, str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("d"), dict):
        raise InvalidResponse("no OData V2 'd' object")
    document = body["d"]
    results = document.get("results")
    if not isinstance(results, list) or not all(isinstance(entity, dict) for entity in results):
        raise InvalidResponse("'d' holds no 'results' array of entities")
    count = document.get("__count")
    try:
        total = None if count is None else int(str(count))
    except ValueError:
        raise InvalidResponse(f"__count {count!r} is not a number") from None
    next_link = document.get("__next")
    return results, total, next_link if isinstance(next_link, str) else None


def _check_orders(body: Any, after: str | None) -> None:
    results, count, _ = _odata_envelope(body)
    keys = []
    for entity in results:
        key = entity.get("PurchaseOrder")
        if not isinstance(key, str) or not key:
            raise InvalidResponse("an order without PurchaseOrder")
        items = entity.get(ITEMS)
        if not isinstance(items, dict) or not isinstance(items.get("results"), list):
            raise InvalidResponse(f"order {key}: {ITEMS} is not expanded")
        keys.append(key)
    check_key_order(keys, after, "PurchaseOrder")
    if count is not None and count > 0 and not results:
        raise InvalidResponse(f"__count is {count} but the page holds no order")


def _stock_key(entity: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(entity.get(name) or "") for name in STOCK_KEY)


def _check_stock(body: Any, after: tuple[str, ...] | None) -> None:
    results, _, _ = _odata_envelope(body)
    check_key_order([_stock_key(entity) for entity in results], after, "stock key")


class SapS4HanaResource(ErpResource):
    """SAP S/4HANA Cloud (OData V2) with OAuth 2.0 client credentials."""

    system_name: ClassVar[str] = "SAP S/4HANA"
    secret_fields: ClassVar[tuple[str, ...]] = ("client_secret",)

    client_id: str = Field(description="OAuth client id of the communication arrangement")
    client_secret: str = Field(description="OAuth client secret (from an EnvVar; masked in repr and logs)")
    token_url: str = Field(
        default="/oauth/token", description="OAuth token endpoint: an absolute URL or a path on base_url"
    )
    token_scope: str | None = Field(
        default=None, description="OAuth scope to request, if the server needs one"
    )
    token_refresh_margin_seconds: float = Field(
        default=60.0, ge=0, description="Renew the token this long before it expires (at most half its life)"
    )
    page_size: int = Field(default=500, ge=1, le=5000, description="Orders (or stock rows) per request")
    rate_limit_per_minute: float | None = Field(
        default=100.0, description="Requests per minute to this host; None or 0: no client-side limit"
    )

    def _configure(self, http: ErpHttp) -> None:
        token_url = self.token_url if "://" in self.token_url else self.url(self.token_url)
        http.auth = OAuthClientCredentials(
            http,
            token_url,
            self.client_id,
            self.client_secret,
            margin=self.token_refresh_margin_seconds,
            scope=self.token_scope,
        )

    def purchase_order_items(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> Iterator[Page]:
        """Items of the orders whose ``LastChangeDateTime`` is in ``[changed_since, changed_until]``
        (None: unbounded), one record per item with its header's fields; one page per request."""
        since, until = utc_window(changed_since, changed_until)
        window = []
        if since is not None:
            window.append(f"LastChangeDateTime ge {odata_datetimeoffset(since)}")
        if until is not None:
            window.append(f"LastChangeDateTime le {odata_datetimeoffset(until)}")
        cursor: str | None = None
        received = 0
        while True:
            conditions = [*window, f"PurchaseOrder gt {odata_string(cursor)}"] if cursor else window
            params = [("$expand", ITEMS)]
            if conditions:
                params.append(("$filter", " and ".join(conditions)))
            params += [
                ("$orderby", "PurchaseOrder"),
                ("$top", str(self.page_size)),
                ("$inlinecount", "allpages"),
                ("$format", "json"),
            ]
            url = build_url(self.url(PURCHASE_ORDER_PATH), params)
            response = self.http.get_json(url, validate=partial(_check_orders, after=cursor))
            orders, ahead, next_link = _odata_envelope(response.body)
            records = [record for order in orders for record in flatten_purchase_order(order)]
            yield Page(records, url, None if ahead is None else received + ahead)
            received += len(orders)
            if not orders:
                return
            cursor = orders[-1]["PurchaseOrder"]
            more = (
                ahead > len(orders) if ahead is not None else bool(next_link) or len(orders) >= self.page_size
            )
            if not more:
                return

    def material_stock(self) -> Iterator[Page]:
        """The whole stock snapshot, one record per row (``__metadata`` removed), one page per request."""
        skip = 0
        last: tuple[str, ...] | None = None
        while True:
            params = [
                ("$orderby", ",".join(STOCK_KEY)),
                ("$top", str(self.page_size)),
                ("$skip", str(skip)),
                ("$inlinecount", "allpages"),
                ("$format", "json"),
            ]
            url = build_url(self.url(MATERIAL_STOCK_PATH), params)
            response = self.http.get_json(url, validate=partial(_check_stock, after=last))
            rows, total, next_link = _odata_envelope(response.body)
            yield Page([clean_entity(row) for row in rows], url, total)
            if not rows:
                return
            skip += len(rows)
            last = _stock_key(rows[-1])
            more = skip < total if total is not None else bool(next_link) or len(rows) >= self.page_size
            if not more:
                return
