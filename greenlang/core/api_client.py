"""What every ERP client shares: ``Page``, the errors, the window helpers and the resource base class.

A client method yields ``Page(records, url, total)`` (docs/design.md, "ERP connectors"):

- ``records``: the page's records parsed with ``greenlang.core.readers.loads_exact`` (numbers keep their JSON
  text), keys as the API names them, nested envelopes removed or flattened by the client;
- ``url``: the request that returned them (the batch's ``source_uri``; never holds a credential);
- ``total``: the number of entities the server reports for the whole window, or None when the API
  reports none (Workday RaaS). With keyset paging the server counts what is still ahead, so the client
  reports ``entities already received in this walk + the server's count of the rest``: on the first
  page that is the server's count as sent, and on the last page it equals what the walk received
  unless the server changed under it. SAP's ``__count`` and Oracle's ``totalResults`` count orders
  (headers), not the items or lines the client flattens them into.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import dagster as dg
from pydantic import Field, PrivateAttr

from greenlang.core.http import ErpHttp, InvalidResponse, Redactor, RequestRateLimit


@dataclass(frozen=True)
class Page:
    """One response of an ERP API: its records, the request URL and the server's window total."""

    records: list[dict[str, Any]]
    url: str
    total: int | None

    def __len__(self) -> int:
        return len(self.records)


def utc_window(
    changed_since: dt.datetime | None, changed_until: dt.datetime | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The window's bounds as aware UTC datetimes. A naive datetime is read as UTC (the warehouse
    stores naive UTC timestamps); ``changed_since`` after ``changed_until`` is an error."""
    bounds = [
        _utc(value, name)
        for value, name in ((changed_since, "changed_since"), (changed_until, "changed_until"))
    ]
    since, until = bounds
    if since is not None and until is not None and since > until:
        raise ValueError(f"changed_since {since.isoformat()} is after changed_until {until.isoformat()}")
    return since, until


def _utc(value: dt.datetime | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime or None, not {type(value).__name__}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class ErpResource(dg.ConfigurableResource):
    """Settings every ERP client has; credentials are fields that definitions fill from ``dg.EnvVar``.

    The HTTP session (``http``) is created on first use and closed by ``close()`` or at the end of a
    Dagster step. Secret fields are masked in ``repr()``.
    """

    system_name: ClassVar[str] = "ERP"
    secret_fields: ClassVar[tuple[str, ...]] = ()
    default_page_size: ClassVar[int] = 500

    base_url: str = Field(description="Root URL of the ERP host, e.g. https://my123456-api.s4hana.cloud.sap")
    page_size: int = Field(default=500, ge=1, description="Entities (orders, invoices, rows) per request")
    timeout_seconds: float = Field(default=60.0, gt=0, description="Connect and read timeout of one request")
    max_retries: int = Field(default=5, ge=0, description="Retries of one request after its first attempt")
    backoff_initial_seconds: float = Field(default=1.0, ge=0, description="First backoff after a 5xx/timeout")
    backoff_max_seconds: float = Field(default=60.0, ge=0, description="Longest backoff between attempts")
    max_retry_after_seconds: float = Field(
        default=300.0,
        ge=0,
        description="Longest Retry-After honoured; a longer one fails the request at once",
    )
    rate_limit_per_minute: float | None = Field(
        default=None, description="Requests per minute to this host; None or 0: no client-side limit"
    )
    rate_limit_burst: int = Field(default=1, ge=1, description="Requests that may go out back to back")
    rate_limit_store: str | None = Field(
        default=None,
        description="SQLite file through which every process calling this host shares the rate limit;"
        " None: this process only",
    )

    _http: ErpHttp | None = PrivateAttr(default=None)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, ("***" if name in self.secret_fields and value else value)

    # --- session ----------------------------------------------------------------------------------------

    @property
    def http(self) -> ErpHttp:
        if self._http is None:
            redactor = Redactor()
            redactor.add(*(str(getattr(self, name) or "") for name in self.secret_fields))
            self._http = ErpHttp(
                self.system_name,
                timeout=self.timeout_seconds,
                max_retries=self.max_retries,
                backoff_initial=self.backoff_initial_seconds,
                backoff_max=self.backoff_max_seconds,
                max_retry_after=self.max_retry_after_seconds,
                rate_limit=self._rate_limit(),
                redactor=redactor,
            )
            self._configure(self._http)
        return self._http

    def _rate_limit(self) -> RequestRateLimit | None:
        if not self.rate_limit_per_minute:
            return None
        store = Path(self.rate_limit_store) if self.rate_limit_store else None
        # keyed by host, not resource: the quota is the server's, whichever asset or run calls it
        return RequestRateLimit(
            self.rate_limit_per_minute, self.rate_limit_burst, store=store, key=self.base_url.rstrip("/")
        )

    def _configure(self, http: ErpHttp) -> None:
        """Set the session's authentication (each client)."""

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close()

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def check_key_order(keys: list[Any], after: Any, what: str) -> None:
    """Keys of a page must ascend strictly and follow the last key of the previous page: a page that
    repeats or overlaps rows already received is refused (``InvalidResponse``: the request is retried)."""
    previous = after
    for key in keys:
        if previous is not None and not key > previous:
            raise InvalidResponse(
                f"{what} {key!r} does not follow {previous!r}: rows repeated or out of order"
            )
        previous = key
