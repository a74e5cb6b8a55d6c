"""Run a command with every process it starts, and stop them all: `make ui` runs `dagster dev` so."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def run_as_process_group(command: list[str], grace_seconds: float, **popen) -> int:
    """Run ``command`` as the leader of a new process group and return its exit code. A stop signal to
    this process (SIGINT, SIGTERM, SIGHUP) is passed on to the leader as SIGINT, which has up to
    ``grace_seconds`` to stop (a second stop signal does not wait); whatever is left of the group then,
    or when the command exits on its own, is killed."""
    previous = {stop: signal.signal(stop, signal.default_int_handler) for stop in STOP_SIGNALS}
    process = None
    try:
        process = subprocess.Popen(command, start_new_session=True, **popen)
        try:
            return process.wait()
        except KeyboardInterrupt:
            print("\nStopping … (once more to kill at once)", file=sys.stderr, flush=True)
            # The leader stops its own children in order (`dagster dev`: webserver and daemon first).
            process.send_signal(signal.SIGINT)
            return process.wait(timeout=grace_seconds)
    except (KeyboardInterrupt, subprocess.TimeoutExpired):
        return 128 + signal.SIGKILL
    finally:
        if process is not None:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def _signal_group(group: int, signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has no process left
        os.killpg(group, signal_number)
