"""Files the exports write (``greenlang.esrs.export``, ``greenlang.cbam.report_out``): atomically, under folders
named by tenant ids and other keys that must be safe as path parts."""

import hashlib
import os
import re
from pathlib import Path

import dagster as dg


class ExportConfig(dg.Config):
    """Where an export asset writes (run config ``export_dir``)."""

    export_dir: str = ".warehouse/exports"


SAFE_PATH_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def safe_path_part(name: str, what: str) -> str:
    if not SAFE_PATH_PART.match(name):
        raise ValueError(f"{what} {name!r} is not usable as a directory name")
    return name


def write_atomically(path: Path, data: str | bytes) -> str:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file and a rename; returns its sha256."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(payload)
    os.replace(temporary, path)
    return hashlib.sha256(payload).hexdigest()
