"""`make ui`: the Dagster UI on the demo warehouse, with the simulated ERPs and grid API running, so that
every asset (ERP syncs and grid intensity included) can be materialized from the UI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from demo.erp import running_erps
from demo.ghg import running_grid_api
from greenlang.settings import PROJECT_ROOT


def main() -> int:
    tools = Path(sys.executable).parent
    # `dagster dev` re-parses the dbt project on load with the `dbt` it finds on PATH: this venv's.
    path = {"PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    with running_erps() as erps, running_grid_api() as grid:
        print(f"Simulated ERPs at {erps.base_url}, grid intensity API at {grid.url}", flush=True)
        completed = subprocess.run(
            [str(tools / "dagster"), "dev", "-w", "workspace.yaml"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **path},
            check=False,
        )
    return completed.returncode


if __name__ == "__main__":
    raise SystemExit(main())
