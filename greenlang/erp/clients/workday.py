"""Workday Reports-as-a-Service (custom reports in JSON): headcount and expense items. Basic auth of an
integration system user.

``/ccx/service/customreport2/<tenant>/<owner>/<report>?format=json`` answers ``{"Report_Entry": [...]}``,
the whole report at once (no paging, no count: ``Page.total`` is None). Values as the report writes them
(text; dates with the tenant's zone, ``2026-06-30+02:00``); a field empty for a row is absent from it.

Expense items: the report's prompts ``Start_Date`` / ``End_Date`` are dates of ``Last_Updated`` in the
tenant's time zone, which the client does not know. The window ``[changed_since, changed_until]`` is
cut into chunks of ``expense_chunk_days`` (one request and one page each); each request asks for one
day more on both sides and the client keeps the items whose ``Last_Updated`` (parsed with its offset)
falls in the chunk — half-open chunks, the last one closed at ``changed_until`` — so the chunks neither
overlap nor leave gaps whatever the tenant's zone. An item whose ``Last_Updated`` is missing or
unreadable is kept (the contract rejects it to the dead letter rather than the client dropping it;
the overlapping prompts may then return it in two neighbouring chunks).
Without ``changed_since`` the report is read from ``expense_history_start``; without
``changed_until`` up to now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import Field

from greenlang.core.api_client import ErpResource, Page, utc_window
from greenlang.core.http import BasicAuth, ErpHttp, InvalidResponse, build_url

ROOT = "/ccx/service/customreport2"


def _check_report(body: Any) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("Report_Entry"), list):
        raise InvalidResponse("no 'Report_Entry' array")
    if not all(isinstance(entry, dict) for entry in body["Report_Entry"]):
        raise InvalidResponse("an element of 'Report_Entry' is not an object")


def _instant(value: Any) -> dt.datetime | None:
    """``Last_Updated`` as an aware datetime (no offset: UTC); None when it is not a timestamp."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


class WorkdayResource(ErpResource):
    """Workday RaaS custom reports of one tenant."""

    system_name: ClassVar[str] = "Workday"
    secret_fields: ClassVar[tuple[str, ...]] = ("password",)

    tenant: str = Field(description="Workday tenant, e.g. acme_prod")
    report_owner: str = Field(description="Account that owns the custom reports (the path's <owner>)")
    username: str = Field(description="Integration system user, e.g. ISU_GreenLang@acme_prod")
    password: str = Field(description="Its password (from an EnvVar; masked in repr and logs)")
    headcount_report: str = Field(default="Headcount_by_Location", description="Headcount report name")
    headcount_date_prompt: str = Field(default="As_Of_Date", description="Prompt of the headcount's date")
    expense_report: str = Field(default="Expense_Items", description="Expense items report name")
    expense_chunk_days: int = Field(default=31, ge=1, description="Days of Last_Updated per request")
    expense_history_start: str = Field(
        default="2020-01-01", description="First day read when no changed_since is given (ISO date)"
    )
    timeout_seconds: float = Field(default=120.0, gt=0, description="RaaS builds the report before answering")

    def _configure(self, http: ErpHttp) -> None:
        auth = BasicAuth(self.username, self.password)
        http.redactor.add(auth.header.split(" ", 1)[1])
        http.auth = auth

    def _report_url(self, report: str, prompts: list[tuple[str, str]]) -> str:
        return build_url(
            self.url(f"{ROOT}/{self.tenant}/{self.report_owner}/{report}"), [("format", "json"), *prompts]
        )

    def _entries(self, url: str) -> list[dict[str, Any]]:
        return self.http.get_json(url, validate=_check_report).body["Report_Entry"]

    def worker_headcount(self, as_of: dt.date | None = None) -> Iterator[Page]:
        """The headcount report (as of ``as_of``, or the report's default date): one page."""
        prompts = [] if as_of is None else [(self.headcount_date_prompt, as_of.isoformat())]
        url = self._report_url(self.headcount_report, prompts)
        yield Page(self._entries(url), url, None)

    def expense_items(
        self, changed_since: dt.datetime | None = None, changed_until: dt.datetime | None = None
    ) -> Iterator[Page]:
        """Expense items whose ``Last_Updated`` is in the window; a page per chunk of days."""
        since, until = utc_window(changed_since, changed_until)
        if since is None:
            since = dt.datetime.combine(dt.date.fromisoformat(self.expense_history_start), dt.time(), dt.UTC)
        if until is None:
            until = dt.datetime.now(dt.UTC)
        if since > until:
            raise ValueError(
                f"expense_history_start {since.isoformat()} is after changed_until {until.isoformat()}"
            )
        step = dt.timedelta(days=self.expense_chunk_days)
        start = since
        while True:
            end = min(start + step, until)
            last = end >= until
            prompts = [
                ("Start_Date", (start - dt.timedelta(days=1)).date().isoformat()),
                ("End_Date", (end + dt.timedelta(days=1)).date().isoformat()),
            ]
            url = self._report_url(self.expense_report, prompts)
            records = []
            for entry in self._entries(url):
                moment = _instant(entry.get("Last_Updated"))
                if moment is None or start <= moment < end or (last and moment == end):
                    records.append(entry)
            yield Page(records, url, None)
            if last:
                return
            start = end
