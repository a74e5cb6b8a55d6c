"""Oracle Fusion Cloud ERP REST (11.13.18.05): purchase order lines and payables invoices. Basic auth.

Both collections are read by **keyset paging** on their numeric key, ``offset`` always 0::

    purchaseOrders?onlyData=true&expand=lines
        &q=LastUpdateDate>='2026-01-01T00:00:00.000+00:00';LastUpdateDate<='2026-02-01T00:00:00.000+00:00'
           ;POHeaderId>300000012000123                (from the second page on: the last id received)
        &orderBy=POHeaderId:asc&limit=<page_size>&offset=0&totalResults=true

``limit``/``offset`` paging over rows that change loses rows (a row that leaves the window moves every
later row back by one position); with the last key in ``q`` each page starts where the previous one
ended. ``hasMore`` ends the walk; ``totalResults`` counts the rows still ahead (see ``Page.total``).

``q`` literals: ``LastUpdateDate`` in UTC with milliseconds, ``YYYY-MM-DDTHH:MM:SS.mmm+00:00`` (Oracle
keeps milliseconds; a bound's microseconds are truncated, which keeps every record of the window: a
record's millisecond is at or after the truncated lower bound, and at or before the upper bound exactly
when it is at or before the truncated one). Conditions are joined with ``;`` (AND); the value is
percent-encoded (``>=`` → ``%3E%3D``, ``+`` → ``%2B``). Both ends inclusive.

Records: invoices as sent; purchase orders one record per line, the header's fields followed by the
line's, a line field whose name the header also has prefixed ``Line`` (``Status`` → ``LineStatus``:
``CANCELED`` lines are yielded like any other); ``links`` removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, ClassVar

from pydantic import Field

from greenlang.core.api_client import ErpResource, Page, check_key_order, utc_window
from greenlang.core.http import BasicAuth, ErpHttp, InvalidResponse, build_url


def oracle_timestamp(moment: dt.datetime) -> str:
    """A ``q`` literal: ``2026-01-01T00:00:00.000+00:00`` (UTC, milliseconds)."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+00:00"


def flatten_order(order: dict[str, Any]) -> list[dict[str, Any]]:
    header = {key: value for key, value in order.items() if key not in ("lines", "links")}
    records = []
    for line in order["lines"]:
        record = dict(header)
        for key, value in line.items():
            if key != "links":
                record[f"Line{key}" if key in header else key] = value
        records.append(record)
    return records


def _without_links(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != "links"}


def _envelope(body: Any) -> tuple[list[dict[str, Any]], bool, int | None]:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise InvalidResponse("no 'items' array")
    items = body["items"]
    if not all(isinstance(item, dict) for item in items):
        raise InvalidResponse("an element of 'items' is not an object")
    has_more = body.get("hasMore")
    if not isinstance(has_more, bool):
        raise InvalidResponse("no boolean 'hasMore'")
    total = body.get("totalResults")
    try:
        total = None if total is None else int(str(total))
    except ValueError:
        raise InvalidResponse(f"totalResults {total!r} is not a number") from None
    return items, has_more, total


def _key(item: dict[str, Any], name: str) -> int:
    try:
        return int(str(item[name]))
    except (KeyError, ValueError):
        raise InvalidResponse(f"an item without a numeric {name}") from None


def _check(body: Any, key: str, after: int | None, lines: bool) -> None:
    items, has_more, _ = _envelope(body)
    check_key_order([_key(item, key) for item in items], after, key)
    if lines and not all(isinstance(item.get("lines"), list) for item in items):
        raise InvalidResponse("an order without its expanded 'lines'")
    if has_more and not items:
        raise InvalidResponse("hasMore is true but the page holds no item")


class OracleFusionResource(ErpResource):
    """Oracle Fusion Cloud ERP REST with basic auth of an integration user."""

    system_name: ClassVar[str] = "Oracle Fusion"
    secret_fields: ClassVar[tuple[str, ...]] = ("password",)

    username: str = Field(description="Integration user")
    password: str = Field(description="Its password (from an EnvVar; masked in repr and logs)")
    api_version: str = Field(default="11.13.18.05", description="REST API version in the resource path")
    page_size: int = Field(default=200, ge=1, le=500, description="Orders or invoices per request (max 500)")

    def _configure(self, http: ErpHttp) -> None:
        auth = BasicAuth(self.username, self.password)
        http.redactor.add(auth.header.split(" ", 1)[1])
        http.auth = auth

    def purchase_order_lines(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> Iterator[Page]:
        """Lines of the orders whose ``LastUpdateDate`` is in the window, one record per line."""
        yield from self._walk(
            "purchaseOrders", "POHeaderId", changed_since, changed_until, flatten_order, lines=True
        )

    def invoices(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> Iterator[Page]:
        """Invoices whose ``LastUpdateDate`` is in the window."""
        yield from self._walk(
            "invoices",
            "InvoiceId",
            changed_since,
            changed_until,
            lambda item: [_without_links(item)],
            lines=False,
        )

    def _walk(
        self,
        resource: str,
        key: str,
        changed_since: dt.datetime | None,
        changed_until: dt.datetime | None,
        records_of: Callable[[dict[str, Any]], list[dict[str, Any]]],
        *,
        lines: bool,
    ) -> Iterator[Page]:
        since, until = utc_window(changed_since, changed_until)
        window = []
        if since is not None:
            window.append(f"LastUpdateDate>='{oracle_timestamp(since)}'")
        if until is not None:
            window.append(f"LastUpdateDate<='{oracle_timestamp(until)}'")
        base = self.url(f"/fscmRestApi/resources/{self.api_version}/{resource}")
        cursor: int | None = None
        received = 0
        while True:
            conditions = [*window, f"{key}>{cursor}"] if cursor is not None else window
            params = [("onlyData", "true")]
            if lines:
                params.append(("expand", "lines"))
            if conditions:
                params.append(("q", ";".join(conditions)))
            params += [
                ("orderBy", f"{key}:asc"),
                ("limit", str(self.page_size)),
                ("offset", "0"),
                ("totalResults", "true"),
            ]
            url = build_url(base, params)
            response = self.http.get_json(url, validate=partial(_check, key=key, after=cursor, lines=lines))
            items, has_more, ahead = _envelope(response.body)
            records = [record for item in items for record in records_of(item)]
            yield Page(records, url, None if ahead is None else received + ahead)
            received += len(items)
            if not items or not has_more:
                return
            cursor = _key(items[-1], key)
