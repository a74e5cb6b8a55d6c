"""`make ui` stops every process it started: the process-group handling of demo.ui
(demo.process_group), run on a stand-in for `dagster dev` that starts children (one of them deaf to
SIGINT) and is sent a stop signal."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from greenlang.settings import PROJECT_ROOT

# A stand-in for `dagster dev`: two children that sleep (the second ignores SIGINT, as a stuck code
# server would), their pids written once they run; the leader itself honours SIGINT unless told not to.
LEADER = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    pids_file, leader_ignores_sigint = sys.argv[1], sys.argv[2] == "deaf"
    sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
    deaf = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(600)"]
    children = [subprocess.Popen(sleeper), subprocess.Popen(deaf)]
    if leader_ignores_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    time.sleep(0.5)  # the deaf child has installed its handler
    with open(pids_file + ".tmp", "w") as out:
        out.write(" ".join(str(child.pid) for child in children))
    import os; os.replace(pids_file + ".tmp", pids_file)
    time.sleep(600)
    """
)
pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
WRAPPER = (
    "import sys; from demo.process_group import run_as_process_group; "
    "raise SystemExit(run_as_process_group(sys.argv[1:], grace_seconds=2))"
)


def alive(pid: int) -> bool:
    """Running, or stopped but not yet reaped (a zombie has stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_for(path: Path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)
    return path.read_text()


@pytest.mark.parametrize(
    ("stop", "leader"),
    [
        (signal.SIGTERM, "honours SIGINT"),
        (signal.SIGINT, "honours SIGINT"),
        (signal.SIGHUP, "honours SIGINT"),
        (signal.SIGTERM, "deaf"),
    ],
    ids=["SIGTERM", "SIGINT", "SIGHUP", "SIGTERM-to-a-deaf-leader"],
)
def test_a_stop_signal_leaves_no_process_of_the_group(
    tmp_path: Path, stop: signal.Signals, leader: str
) -> None:
    script, pids_file = tmp_path / "leader.py", tmp_path / "pids"
    script.write_text(LEADER)
    wrapper = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, sys.executable, str(script), str(pids_file), leader],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    started: list[int] = []
    try:
        children = [int(pid) for pid in wait_for(pids_file).split()]
        group = os.getpgid(children[0])  # named after its leader, the stand-in
        started = [group, *children]
        assert group != os.getpgid(wrapper.pid)
        wrapper.send_signal(stop)
        wrapper.wait(timeout=20)
        time.sleep(0.2)  # orphans are reaped by init
        assert [pid for pid in started if alive(pid)] == []
    finally:
        wrapper.kill()
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_the_command_exiting_on_its_own_takes_its_children_along(tmp_path: Path) -> None:
    script = tmp_path / "leader.py"
    script.write_text(
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print(child.pid, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, sys.executable, str(script)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    child = int(done.stdout.split()[0])
    time.sleep(0.2)
    survived = alive(child)
    if survived:
        os.kill(child, signal.SIGKILL)
    assert (done.returncode, survived) == (0, False)
