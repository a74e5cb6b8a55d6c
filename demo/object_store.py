"""An S3-compatible object store for the tests, the archive benchmark and ``make archive-demo``: moto's server
mode (``python -m moto.server``, the ``moto[server]`` development extra) on a free port of 127.0.0.1, with a
bucket created for the caller.

It keeps objects in memory and loses them when it stops: a development tool, never an archive's home (a
deployment points ``GREENLANG_ARCHIVE_URI`` at its object store). Each caller starts its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from pyarrow import fs

from demo.nats_server import free_port, stop
from greenlang.settings import ArchiveSettings

STARTUP_SECONDS = 20.0
# moto accepts any key pair; these are placeholders, no secret.
ACCESS_KEY_ID = "moto-access-key"
SECRET_ACCESS_KEY = "moto-secret-key"


@dataclass(frozen=True)
class ObjectStore:
    endpoint: str
    bucket: str
    process: subprocess.Popen

    def archive_settings(self, prefix: str = "greenlang", retention_days: dict[str, int] | None = None):
        """Archive settings pointing at this store, under ``s3://<bucket>/<prefix>``."""
        return replace(
            ArchiveSettings(),
            uri=f"s3://{self.bucket}/{prefix}",
            endpoint=self.endpoint,
            access_key_id=ACCESS_KEY_ID,
            secret_access_key=SECRET_ACCESS_KEY,
            retention_days=dict(retention_days or {}),
        )


def _wait_for(endpoint: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto.server exited with {process.returncode} on start")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"moto.server did not answer at {endpoint} within {STARTUP_SECONDS:.0f} s")


@contextmanager
def running_object_store(bucket: str = "greenlang-archive") -> Iterator[ObjectStore]:
    """moto's S3 server on 127.0.0.1 with ``bucket`` created; stopped (SIGTERM, then SIGKILL) on exit."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(endpoint, process)
        fs.S3FileSystem(
            access_key=ACCESS_KEY_ID,
            secret_key=SECRET_ACCESS_KEY,
            endpoint_override=endpoint,
            region="us-east-1",
            allow_bucket_creation=True,
        ).create_dir(bucket)
        yield ObjectStore(endpoint=endpoint, bucket=bucket, process=process)
    finally:
        stop(process)
