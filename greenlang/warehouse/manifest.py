"""The dbt manifests dagster-dbt reads (``dbt_project/target/<target>/manifest.json``), parsed again only
when the project changed after they were written: `make manifest` and the code location's load under
`dagster dev` both ask ``manifest_is_current``.

    python -m greenlang.warehouse.manifest duckdb postgres    # parse the targets whose manifest is stale
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from greenlang.settings import DBT_PROJECT_DIR

# What a parse reads besides the environment: the project's configuration and its resource folders.
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "package-lock.yml")
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")


def target_path(target: str) -> str:
    # Compiled SQL differs per adapter (dispatch), so each target keeps its own artifacts.
    return f"target/{target}"


def manifest_path(target: str, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / target_path(target) / "manifest.json"


def parse_inputs(project_dir: Path = DBT_PROJECT_DIR) -> Iterator[Path]:
    """The files a parse reads and the folders that hold them (a folder's time changes when a file in it
    is added, removed or renamed), and the dbt executable (a new dbt may write another manifest)."""
    yield dbt_executable()
    for name in PROJECT_FILES:
        if (project_dir / name).exists():
            yield project_dir / name
    for name in PROJECT_FOLDERS:
        if (project_dir / name).exists():
            yield project_dir / name
            yield from (project_dir / name).rglob("*")


def manifest_is_current(manifest: Path, inputs: Iterable[Path]) -> bool:
    """True when the manifest exists and none of the inputs changed after it was written."""
    if not manifest.exists():
        return False
    written = manifest.stat().st_mtime
    return all(path.stat().st_mtime <= written for path in inputs)


def dbt_executable() -> Path:
    """The dbt installed beside this interpreter, whether or not the virtualenv is on PATH."""
    return Path(sys.executable).parent / "dbt"


def parse(target: str, project_dir: Path = DBT_PROJECT_DIR) -> None:
    subprocess.run(
        # --no-partial-parse: partial parses of this project by dbt 1.11 have dropped the YAML properties
        # of singular tests (description, meta: the Dagster asset a test checks); a full parse takes ~12 s
        [
            str(dbt_executable()),
            "parse",
            "--quiet",
            "--no-partial-parse",
            "--target",
            target,
            "--target-path",
            target_path(target),
        ],
        cwd=project_dir,
        check=True,
    )


def main(targets: list[str]) -> int:
    for target in targets:
        if manifest_is_current(manifest_path(target), parse_inputs()):
            print(f"dbt manifest for {target} is current")
        else:
            print(f"Parsing the dbt project for {target} …", flush=True)
            parse(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
