"""The code location loads without a warning, so that a warning at start means something: the few that
libraries raise about themselves are silenced by their exact message in greenlang/__init__.py."""

from __future__ import annotations

import os
import subprocess
import sys

from greenlang.settings import PROJECT_ROOT


def test_importing_the_definitions_with_every_warning_shown_prints_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", "import greenlang.definitions"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (done.returncode, done.stderr) == (0, "")
