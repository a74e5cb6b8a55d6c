"""The landing directory: ``<landing>/<tenant>/<source>/<file>``, one folder per tenant and source."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

# Reference data published by authorities is not a tenant's data: it loads once, for everyone.
GLOBAL_TENANT = "global"
LANDING_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson"}
# A day in a file name: 2026-03-29, 2026_03_29 or 20260329 (not inside a longer run of digits).
_DAY_IN_NAME = re.compile(r"(?<!\d)(20\d{2})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")


@dataclass(frozen=True)
class LandedFile:
    tenant_id: str
    source: str
    path: Path

    def fingerprint(self) -> str:
        """Changes when the file is replaced or rewritten; the landing sensor's run keys hash these."""
        stat = self.path.stat()
        return f"{self.path}:{stat.st_size}:{stat.st_mtime_ns}"

    def day(self) -> dt.date:
        return delivery_day(self.path)


def delivery_day(path: Path) -> dt.date:
    """The day a daily delivery is for: the first valid date in its name (meter platforms name their
    exports by reading day), else the UTC day it landed. Daily-partitioned sources load a file into
    this day's partition."""
    for match in _DAY_IN_NAME.finditer(path.name):
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()


def landed_files(landing_dir: Path, source: str | None = None) -> list[LandedFile]:
    """Files waiting in the landing directory, oldest first so loads follow arrival order."""
    if not landing_dir.is_dir():
        return []
    found = [
        LandedFile(tenant_id=path.parent.parent.name, source=path.parent.name, path=path)
        for path in landing_dir.glob("*/*/*")
        if path.is_file() and path.suffix.lower() in LANDING_SUFFIXES and not path.name.startswith(".")
    ]
    if source is not None:
        found = [item for item in found if item.source == source]
    return sorted(found, key=lambda item: (item.path.stat().st_mtime_ns, str(item.path)))
