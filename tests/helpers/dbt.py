"""The one way tests run dbt: a subprocess against a given test warehouse, failing with dbt's output.

Each warehouse gets its own work directory (``--target-path``, ``--log-path``, ``HOME``), so parallel
xdist workers never write the same manifest. dbt's full parse costs ~10 s of CPU; a run on a DuckDB
warehouse starts from a parse shared by the whole session (``partial_parse.msgpack``), which dbt only
accepts when the connection details are the same: the DuckDB path is therefore given relative to the
warehouse's folder (``warehouse.duckdb``, dbt runs there). A PostgreSQL database's name differs per
test, so a run there parses in full.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock

from greenlang.settings import DBT_PROJECT_DIR, TELEMETRY_OFF, Settings

DBT = Path(sys.executable).parent / "dbt"
# Where the session's shared parses go (set by tests/conftest.py: one folder for every xdist worker).
PARSE_ROOT_ENV = "GREENLANG_TEST_DBT_PARSE_ROOT"


class DbtError(AssertionError):
    """dbt exited non-zero: the message ends with its output."""


def _invoke(args: list[str], *, cwd: Path, env: dict[str, str], work_dir: Path) -> str:
    work_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    completed = subprocess.run(
        command,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(work_dir), **TELEMETRY_OFF, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr)[-6000:]
        raise DbtError(f"dbt {' '.join(args)} failed (exit {completed.returncode}):\n{output}")
    return completed.stdout


def _connection_env(settings: Settings) -> tuple[Path, dict[str, str]]:
    """The folder dbt runs in and its environment: the DuckDB path relative to that folder."""
    env = settings.dbt_env()
    folder = settings.duckdb_path.parent
    env["GREENLANG_DUCKDB_PATH"] = settings.duckdb_path.name
    return folder, env


def parse(target: str) -> Path:
    """A full offline parse for ``target``, done once per test session (shared by the xdist workers
    through a file lock): the folder holding its ``manifest.json`` and ``partial_parse.msgpack``."""
    if not os.environ.get(PARSE_ROOT_ENV):  # outside pytest: a folder of this process
        os.environ[PARSE_ROOT_ENV] = tempfile.mkdtemp(prefix="greenlang-dbt-")
    root = Path(os.environ[PARSE_ROOT_ENV])
    work_dir = root / f"parse-{target}"
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / f"parse-{target}.lock")):
        if not (work_dir / "target" / "manifest.json").is_file():
            # the connection details of every test warehouse on DuckDB (see _connection_env)
            env = {"GREENLANG_DUCKDB_PATH": "warehouse.duckdb"}
            _invoke(
                ["parse", "--target", target, "--no-partial-parse"], cwd=work_dir, env=env, work_dir=work_dir
            )
    return work_dir / "target"


def parsed_manifest(target: str) -> dict[str, Any]:
    return json.loads((parse(target) / "manifest.json").read_text())


def run_dbt(settings: Settings, *args: str, work_dir: Path | None = None) -> str:
    """``dbt <args> --target <settings.target>`` against the warehouse of ``settings``; its stdout.

    ``work_dir`` defaults to ``dbt/`` next to the DuckDB file (the test's own folder)."""
    folder, env = _connection_env(settings)
    work_dir = work_dir or folder / "dbt"
    target_dir = work_dir / "target"
    state = target_dir / "partial_parse.msgpack"
    if settings.target == "duckdb" and not state.exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parse("duckdb") / "partial_parse.msgpack", state)
    return _invoke([*args, "--target", settings.target], cwd=folder, env=env, work_dir=work_dir)


def build(settings: Settings, *selectors: str, **options: str) -> str:
    """``dbt build --select <selectors>``; keyword options as ``--name value`` (``_`` for ``-``)."""
    extra = [item for name, value in options.items() for item in (f"--{name.replace('_', '-')}", value)]
    return run_dbt(settings, "build", "--select", *selectors, *extra)


def run_models(settings: Settings, *selectors: str) -> str:
    """``dbt run --select <selectors>``: the models only, no tests (a staging view to query)."""
    return run_dbt(settings, "run", "--select", *selectors)


def stage(settings: Settings, *models: str) -> str:
    """Build ``models`` and the seeds and models they read (``+model``), no data tests: the real dbt
    staging (or later) models over what a test loaded into raw."""
    selectors = [f"+{model}" for model in models]
    return run_dbt(
        settings, "build", "--select", *selectors, "--resource-type", "seed", "--resource-type", "model"
    )
