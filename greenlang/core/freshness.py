"""How late each asset may be: one freshness policy per cadence, the only place the windows are set.

A source declares its cadence (``SourceSpec.cadence``); models and seeds take theirs from the dbt layer.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import dagster as dg

Cadence = Literal["hourly", "daily", "monthly", "quarterly", "yearly", "models", "seeds"]


def _window(warn: dt.timedelta, fail: dt.timedelta) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


FRESHNESS: dict[Cadence, dg.FreshnessPolicy] = {
    # ERP entities sync hourly (schedule) and on change (sensor): late after 3 hours, failing after 26.
    "hourly": _window(dt.timedelta(hours=3), dt.timedelta(hours=26)),
    # Brokers send customs files and meters report at least daily.
    "daily": _window(dt.timedelta(hours=26), dt.timedelta(hours=48)),
    # Activity records (fuel, travel, headcount…) arrive with the month's close.
    "monthly": _window(dt.timedelta(days=35), dt.timedelta(days=45)),
    # CBAM quarterly reports: written after each quarter, due within a month of its end (Article 35(1) of
    # Regulation (EU) 2023/956); filed ones come in at the same pace.
    "quarterly": _window(dt.timedelta(days=100), dt.timedelta(days=125)),
    # Authorities publish reference data and factors about yearly.
    "yearly": _window(dt.timedelta(days=370), dt.timedelta(days=400)),
    # Models are rebuilt by the daily schedule: a day and a bit is their SLA.
    "models": _window(dt.timedelta(hours=26), dt.timedelta(hours=30)),
    # Seeds change with a release.
    "seeds": _window(dt.timedelta(days=370), dt.timedelta(days=400)),
}
