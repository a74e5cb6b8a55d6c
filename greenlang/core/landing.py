"""The landing directory: ``<landing>/<tenant>/<source>/<file>``, one folder per tenant and source.

Every entry of a declared source's folder is accounted for: it is loaded, or refused with its reason
(recorded as a ``refused`` batch in ``raw.load_batch``, ``greenlang.core.loader.refuse_file``), except
the temporary names of uploads still being written, which wait for their final name. A file is refused
when its tenant folder is not a valid registered tenant (``greenlang.core.tenants``), when it, its tenant
folder or its source folder is a symbolic link (never followed: a link would load another tenant's file,
or one outside the landing directory, under this tenant), when it resolves outside its own folder, and
when it is a folder, hidden, or of a format no reader reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from greenlang.core.loader import file_sha256
from greenlang.core.tenants import GLOBAL_TENANT, tenant_refusal

__all__ = ["GLOBAL_TENANT", "LandedFile", "delivery_day", "landed_file", "landed_files"]

# What the readers read (``greenlang.core.readers``), and a gzip of any of it (``readings.csv.gz``).
LANDING_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".json", ".jsonl", ".ndjson"}
COMPRESSED_SUFFIX = ".gz"
# Names upload tools give a file while writing it (partial downloads, transfers in progress, Office's
# lock file beside an open workbook): the file waits for its final name, neither loaded nor refused.
WRITING_SUFFIXES = {".part", ".partial", ".filepart", ".crdownload", ".tmp"}
WRITING_PREFIXES = ("~$",)
# A day in a file name: 2026-03-29, 2026_03_29 or 20260329 (not inside a longer run of digits).
_DAY_IN_NAME = re.compile(r"(?<!\d)(20\d{2})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")


@dataclass(frozen=True)
class LandedFile:
    tenant_id: str
    source: str
    path: Path
    # why it is not loaded (recorded as a refused batch); None: it is loaded
    refusal: str | None = None

    def fingerprint(self) -> str:
        """Changes when the file is replaced or rewritten; the landing sensor's run keys hash these."""
        stat = self.path.lstat()
        return f"{self.path}:{stat.st_size}:{stat.st_mtime_ns}"

    def day(self) -> dt.date:
        return delivery_day(self.path)

    def sha256(self) -> str:
        """The delivery's identity in the ledger: the sha256 of its bytes; for a refused entry whose bytes
        are not read (a symbolic link is never followed, not even to hash it; a folder; an unreadable
        file), of its path."""
        if self.refusal is not None and (self.path.is_symlink() or not self.path.is_file()):
            return _path_sha256(self.path)
        try:
            return file_sha256(self.path)
        except OSError:
            if self.refusal is None:
                raise
            return _path_sha256(self.path)


def delivery_day(path: Path) -> dt.date:
    """The day a daily delivery is for: the first valid date in its name (meter platforms name their
    exports by reading day), else the UTC day it landed. Daily-partitioned sources load a file into
    this day's partition."""
    for match in _DAY_IN_NAME.finditer(path.name):
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return dt.datetime.fromtimestamp(path.lstat().st_mtime, dt.UTC).date()


def landed_files(landing_dir: Path, tenants: Collection[str], sources: Collection[str]) -> list[LandedFile]:
    """Every entry waiting in the folders of ``sources``, loadable or refused (``refusal``), oldest first
    so loads follow arrival order. ``tenants``: the registered tenants."""
    if not landing_dir.is_dir():
        return []
    found = [
        LandedFile(tenant_dir.name, source, path, _refusal(path, tenants))
        for tenant_dir in landing_dir.iterdir()
        if tenant_dir.is_dir()
        for source in sources
        if (tenant_dir / source).is_dir()
        for path in (tenant_dir / source).iterdir()
        if not _being_written(path.name)
    ]
    return sorted(found, key=lambda item: (item.path.lstat().st_mtime_ns, str(item.path)))


def landed_file(landing_dir: Path, path: Path, tenants: Collection[str]) -> LandedFile | None:
    """``path`` (as given, links not followed) as an entry of the landing directory; None when it is not
    in a source folder of it."""
    absolute = Path(os.path.normpath(path.absolute()))
    for root in dict.fromkeys([Path(os.path.normpath(landing_dir.absolute())), landing_dir.resolve()]):
        try:
            parts = absolute.relative_to(root).parts
        except ValueError:
            continue
        if len(parts) == 3:
            return LandedFile(parts[0], parts[1], absolute, _refusal(absolute, tenants))
    return None


def _refusal(path: Path, tenants: Collection[str]) -> str | None:
    """Why the entry ``<landing>/<tenant>/<source>/<name>`` is not loaded; None when it is. The reasons
    name the entry, never what it holds."""
    source_dir = path.parent
    tenant_dir = source_dir.parent
    if reason := tenant_refusal(tenant_dir.name, tenants):
        return reason
    for what, entry in (
        ("the tenant folder", tenant_dir),
        ("the source folder", source_dir),
        ("the file", path),
    ):
        if entry.is_symlink():
            return f"{what} is a symbolic link (links are never followed)"
    own_folder = tenant_dir.parent.resolve() / tenant_dir.name / source_dir.name
    if path.resolve().parent != own_folder:
        return "resolves outside its own tenant and source folder"
    if path.is_dir():
        return "a folder: a source's files lie directly in its folder"
    if not path.is_file():
        return "not a regular file"
    if path.name.startswith("."):
        return "a hidden file (its name starts with '.')"
    if not readable_format(path.name):
        suffix = Path(path.name.lower().removesuffix(COMPRESSED_SUFFIX)).suffix
        return (
            (f"unsupported file type {suffix!r}" if suffix else "unsupported file type (no extension)")
            + f": expected one of {', '.join(sorted(LANDING_SUFFIXES))}, optionally gzipped ({COMPRESSED_SUFFIX})"
        )
    return None


def readable_format(name: str) -> bool:
    """A format the readers read, gzipped or not."""
    return Path(name.lower().removesuffix(COMPRESSED_SUFFIX)).suffix in LANDING_SUFFIXES


def _being_written(name: str) -> bool:
    return name.startswith(WRITING_PREFIXES) or Path(name).suffix.lower() in WRITING_SUFFIXES


def _path_sha256(path: Path) -> str:
    return hashlib.sha256(os.fsencode(path)).hexdigest()
