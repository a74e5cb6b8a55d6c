"""Client of the GB Carbon Intensity API (national half-hourly intensity), a Dagster resource.

``CarbonIntensityResource.pages(start, end)`` reads ``GET /intensity/{from}/{to}`` in requests of at
most ``days_per_request`` days and yields one ``greenlang.core.api_client.Page`` per request:

- ``records``: one per half hour, flattened from ``{"from", "to", "intensity": {"forecast", "actual",
  "index"}}`` to ``{"region", "from", "to", "forecast", "actual", "index"}`` (contract
  ``GridIntensityReading``), values as the API sent them (numbers keep their JSON text, ``actual`` null
  until measured);
- ``url``: the request, which becomes the batch's ``source_uri``;
- ``total``: the number of records.

HTTP goes through the ERP connectors' shared layer (``greenlang.core.http.ErpHttp``): retries with
tenacity on 429 (after ``Retry-After``), 408/5xx, timeouts, connection errors and a body that is not the
API's JSON (an HTML error page), exponential backoff with jitter, and an error naming the URL and the
attempts when it gives up. The API needs no credentials.

Loading is ``greenlang.ghg.sources.load_grid_intensity`` (one batch per page through ``load_records``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dagster as dg
from pydantic import Field, PrivateAttr

from greenlang.core.api_client import Page
from greenlang.core.http import ErpHttp, InvalidResponse

HALF_HOUR = dt.timedelta(minutes=30)
SYSTEM = "GB Carbon Intensity API"


def _utc(moment: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive datetime is read as UTC (the warehouse's convention)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _floor_half_hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0 if moment.minute < 30 else 30, second=0, microsecond=0)


def _ceil_half_hour(moment: dt.datetime) -> dt.datetime:
    floor = _floor_half_hour(moment)
    return floor if floor == moment else floor + HALF_HOUR


def api_time(moment: dt.datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%MZ")


def _check_body(body: Any) -> None:
    """The API's envelope, or InvalidResponse (the request is retried)."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise InvalidResponse("the response has no 'data' array")
    for item in body["data"]:
        if not isinstance(item, dict) or not isinstance(item.get("intensity"), dict):
            raise InvalidResponse("an element of 'data' has no 'intensity' object")


class CarbonIntensityResource(dg.ConfigurableResource):
    """The GB Carbon Intensity API; definitions set ``base_url`` from an environment variable."""

    base_url: str = Field(
        default="https://api.carbonintensity.org.uk", description="Root URL of the API (or the simulator)"
    )
    region: str = Field(default="GB", description="Region stored with the national series")
    days_per_request: int = Field(default=1, ge=1, le=14, description="Days per request (the API allows 14)")
    timeout_seconds: float = Field(default=30.0, gt=0, description="Connect and read timeout of one request")
    max_retries: int = Field(default=5, ge=0, description="Retries of one request after its first attempt")
    backoff_initial_seconds: float = Field(default=1.0, ge=0, description="First backoff after a 5xx/timeout")
    backoff_max_seconds: float = Field(default=60.0, ge=0, description="Longest backoff between attempts")
    max_retry_after_seconds: float = Field(
        default=300.0, ge=0, description="Longest Retry-After honoured; a longer one fails the request"
    )

    _http: ErpHttp | None = PrivateAttr(default=None)

    @property
    def http(self) -> ErpHttp:
        if self._http is None:
            self._http = ErpHttp(
                SYSTEM,
                timeout=self.timeout_seconds,
                max_retries=self.max_retries,
                backoff_initial=self.backoff_initial_seconds,
                backoff_max=self.backoff_max_seconds,
                max_retry_after=self.max_retry_after_seconds,
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close()

    def url(self, start: dt.datetime, end: dt.datetime) -> str:
        return f"{self.base_url.rstrip('/')}/intensity/{api_time(start)}/{api_time(end)}"

    def pages(self, start: dt.datetime, end: dt.datetime) -> Iterator[Page]:
        """The half hours of ``[start, end)`` (widened to whole half hours), one page per request."""
        start, end = _floor_half_hour(_utc(start)), _ceil_half_hour(_utc(end))
        if end <= start:
            raise ValueError(f"end {end.isoformat()} is not after start {start.isoformat()}")
        step = dt.timedelta(days=self.days_per_request)
        chunk_start = start
        while chunk_start < end:
            chunk_end = min(chunk_start + step, end)
            response = self.http.get_json(self.url(chunk_start, chunk_end), validate=_check_body)
            records = [self._record(item) for item in response.body["data"]]
            yield Page(records=records, url=response.url, total=len(records))
            chunk_start = chunk_end

    def _record(self, item: dict[str, Any]) -> dict[str, Any]:
        intensity = item["intensity"]
        return {
            "region": self.region,
            "from": item.get("from"),
            "to": item.get("to"),
            "forecast": intensity.get("forecast"),
            "actual": intensity.get("actual"),
            "index": intensity.get("index"),
        }
