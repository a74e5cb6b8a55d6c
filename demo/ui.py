"""`make ui`: the Dagster UI on the demo warehouse, with the simulated ERPs and grid API running, so that
every asset (ERP syncs and grid intensity included) can be materialized from the UI, the Prometheus
metrics of the warehouse served beside it (``greenlang.observe.metrics``, on ``GREENLANG_METRICS_PORT``),
and the meter stream: a NATS server (store .warehouse/nats) with a SCADA simulator publishing to it,
which the `meter_stream` sensor drains into the warehouse.

    python -m demo.ui [dagster dev options, e.g. --port 3001]

Ctrl-C, SIGTERM or SIGHUP stops everything it started: `dagster dev` runs in a process group of its own
(its webserver, daemon, code servers and runs): it is interrupted, and what is left of the group is killed
once it has stopped, or after ``GRACE_SECONDS``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from demo.erp import running_erps
from demo.ghg import running_grid_api
from demo.process_group import run_as_process_group
from demo.stream import NATS_STORE, publishing_live_readings, running_meter_stream
from greenlang.core.warehouse import Warehouse
from greenlang.observe.metrics import serve
from greenlang.settings import PROJECT_ROOT, load_settings

# `dagster dev` gives its webserver and daemon up to a minute each; a healthy shutdown takes seconds.
GRACE_SECONDS = 30
# `dagster dev` is superseded by `dg dev` (dagster-dg-cli), which this project does not install; the
# warning is the command's maturity label, not something to act on here.
QUIET_DEV_COMMAND = "ignore:Function `dev_command` is superseded"


def main() -> int:
    tools = Path(sys.executable).parent
    settings = load_settings()
    try:
        # a thread of this process: it stops with the UI
        metrics, _ = serve(Warehouse(settings), settings.metrics_port)
        print(f"Prometheus metrics at http://127.0.0.1:{metrics.server_port}/metrics", flush=True)
    except OSError as error:  # a port in use costs the metrics, not the UI
        print(f"No metrics: port {settings.metrics_port} ({error}); set GREENLANG_METRICS_PORT", flush=True)
    with (
        running_erps() as erps,
        running_grid_api() as grid,
        running_meter_stream(NATS_STORE) as nats,
        publishing_live_readings(nats.url),
    ):
        print(
            f"Simulated ERPs at {erps.base_url}, grid intensity API at {grid.url}, "
            f"SCADA meter readings streaming to {nats.url}",
            flush=True,
        )
        environment = {
            **os.environ,  # with the simulators' URLs and credentials
            # `dagster dev` parses the dbt project, when it changed, with the `dbt` it finds on PATH: this venv's.
            "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONWARNINGS": ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), QUIET_DEV_COMMAND])),
        }
        return run_as_process_group(
            [str(tools / "dagster"), "dev", "-w", "workspace.yaml", *sys.argv[1:]],
            grace_seconds=GRACE_SECONDS,
            cwd=PROJECT_ROOT,
            env=environment,
        )


if __name__ == "__main__":
    raise SystemExit(main())
